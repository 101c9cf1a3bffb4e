//! The compact in-memory event: ids into the world's tables, 40 bytes, no strings.

use crate::text::Texts;

/// "No value" for an index field.
pub(crate) const NONE: u32 = u32::MAX;
/// "Organic" in [`Ev::op`].
pub(crate) const NO_OP: u16 = u16::MAX;
/// Marks a text index that points into the world's shared arena rather than the shard's.
pub(crate) const SHARED_TEXT: u32 = 1 << 31;

/// What an event's target index refers to.
pub(crate) mod tk {
    /// A post: the target is a post index.
    pub(crate) const POST: u8 = 0;
    /// An account (follow, profile view): the target is an account index.
    pub(crate) const ACCOUNT: u8 = 1;
    /// An account's friend list (`friends:<account>`): the target is an account index.
    pub(crate) const FRIENDS: u8 = 2;
}

/// One event, as indices.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ev {
    pub(crate) ts: i64,
    pub(crate) actor: u32,
    pub(crate) target: u32,
    pub(crate) owner: u32,
    pub(crate) text: u32,
    pub(crate) ip: u32,
    pub(crate) device: u32,
    pub(crate) client: u16,
    /// Operation index, or [`NO_OP`].
    pub(crate) op: u16,
    /// `lockstep_core::action` code.
    pub(crate) action: u8,
    /// [`tk`] kind of `target`.
    pub(crate) tkind: u8,
}

/// Events with the texts they refer to.
#[derive(Debug, Clone, Default)]
pub(crate) struct Buf {
    pub(crate) evs: Vec<Ev>,
    pub(crate) texts: Texts,
}

/// Where an event is sent from: address, device and client.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx {
    pub(crate) ip: u32,
    pub(crate) device: u32,
    pub(crate) client: u16,
}

impl Buf {
    /// Adds an event.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub(crate) fn push(
        &mut self,
        ts: i64,
        actor: u32,
        action: u8,
        tkind: u8,
        target: u32,
        owner: u32,
        text: u32,
        ctx: Ctx,
        op: u16,
    ) {
        self.evs.push(Ev {
            ts,
            actor,
            target,
            owner,
            text,
            ip: ctx.ip,
            device: ctx.device,
            client: ctx.client,
            op,
            action,
            tkind,
        });
    }
}
