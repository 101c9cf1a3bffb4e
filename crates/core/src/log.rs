//! The columnar event log and the builder that fills it.

use std::borrow::Cow;
use std::fmt;
use std::net::IpAddr;

use hashbrown::HashTable;
use hashbrown::hash_table::{Entry, VacantEntry};
use rayon::prelude::*;

use crate::action::{Action, Verbs};
use crate::intern::{Id, Interner, IpInterner, NONE};
use crate::side::{AccountTable, DeviceTable};
use crate::strcol::StrColumn;
use crate::{Error, Result};

/// One event as a reader decoded it, before interning. Borrowed from the reader's buffer.
#[derive(Debug, Clone, Copy)]
pub struct RawEvent<'a> {
    /// The explicit event id, if the input had one.
    pub id: Option<&'a str>,
    /// Milliseconds since the Unix epoch.
    pub ts: i64,
    /// The account that acted.
    pub actor: &'a str,
    /// The verb.
    pub action: &'a str,
    /// What was engaged with.
    pub target: &'a str,
    /// The account that benefits.
    pub owner: Option<&'a str>,
    /// Comment or review body.
    pub text: Option<&'a str>,
    /// The address the request came from, already parsed.
    pub ip: Option<IpAddr>,
    /// The device id.
    pub device: Option<&'a str>,
    /// The client.
    pub client: Option<&'a str>,
    /// The 1-based line (JSONL, CSV) or row (Parquet) in its source.
    pub line: u32,
}

impl<'a> RawEvent<'a> {
    /// An event with only its required fields: no id, owner, text, address, device or client
    /// (set them with struct update syntax).
    pub fn new(ts: i64, actor: &'a str, action: &'a str, target: &'a str, line: u32) -> Self {
        RawEvent {
            id: None,
            ts,
            actor,
            action,
            target,
            owner: None,
            text: None,
            ip: None,
            device: None,
            client: None,
            line,
        }
    }
}

/// Why the builder refused an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushError {
    /// The explicit id was seen before; the first event with it is kept.
    DuplicateId {
        /// The id.
        id: String,
        /// Where the first event with this id came from, as `FILE:LINE`.
        first: String,
    },
    /// A fixed-size structure is full.
    Exhausted(Error),
}

impl fmt::Display for PushError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PushError::DuplicateId { id, first } => {
                write!(
                    f,
                    "duplicate event id `{id}` (first seen at {first}, which is kept)"
                )
            }
            PushError::Exhausted(e) => write!(f, "{e}"),
        }
    }
}

/// A source file of the log: its display name and the first event that came from it.
#[derive(Debug, Clone)]
pub struct Source {
    /// The name used in implicit `FILE:LINE` event ids.
    pub name: String,
    /// Index of the first event from this source; its events are contiguous.
    pub first_event: u32,
}

/// The event log: one column per field, ids interned per id space.
///
/// Events are stored in input order. Use [`EventLog::by_time`], [`EventLog::by_actor_time`]
/// and [`EventLog::by_target_time`] for sorted views (permutations of event indices).
#[derive(Debug, Clone, Default)]
pub struct EventLog {
    pub(crate) ts: Vec<i64>,
    pub(crate) action: Vec<Action>,
    pub(crate) actor: Vec<Id>,
    pub(crate) target: Vec<Id>,
    pub(crate) owner: Vec<Id>,
    pub(crate) ip: Vec<Id>,
    pub(crate) device: Vec<Id>,
    pub(crate) client: Vec<Id>,
    pub(crate) text: StrColumn,
    pub(crate) event_ids: StrColumn,
    pub(crate) lines: Vec<u32>,
    pub(crate) sources: Vec<Source>,
    /// Account ids (actors, owners, and accounts in the side file).
    pub accounts: Interner,
    /// Target ids (posts, pages, followed accounts).
    pub targets: Interner,
    /// IP addresses.
    pub ips: IpInterner,
    /// Device ids.
    pub devices: Interner,
    /// Clients (`android/…`, `ios/…`, `web`, `api:<app>`).
    pub clients: Interner,
    /// The verb table.
    pub verbs: Verbs,
    /// The accounts side table.
    pub account_table: AccountTable,
    /// The devices side table.
    pub device_table: DeviceTable,
}

/// Heap memory held by a log, by part.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemoryUse {
    /// The fixed-width columns (time, action, six id columns, line numbers).
    pub columns: usize,
    /// Explicit event ids: bytes and offsets.
    pub event_ids: usize,
    /// Text offsets.
    pub text_offsets: usize,
    /// Text bytes.
    pub text_bytes: usize,
    /// The five interners and the verb table.
    pub interners: usize,
    /// The side tables.
    pub side_tables: usize,
}

impl MemoryUse {
    /// Everything but the text bytes: what the per-event budget counts.
    pub fn without_text(&self) -> usize {
        self.columns + self.event_ids + self.text_offsets + self.interners + self.side_tables
    }

    /// Everything.
    pub fn total(&self) -> usize {
        self.without_text() + self.text_bytes
    }
}

/// An event's id: explicit, or `FILE:LINE` from where it was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventId<'a> {
    /// The id the input gave.
    Explicit(&'a str),
    /// The source name and line.
    Implicit(&'a str, u32),
}

impl fmt::Display for EventId<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventId::Explicit(s) => f.write_str(s),
            EventId::Implicit(file, line) => write!(f, "{file}:{line}"),
        }
    }
}

/// A read-only view of one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventRef<'a> {
    /// The event's index in the log.
    pub index: u32,
    /// Milliseconds since the epoch.
    pub ts: i64,
    /// The action code.
    pub action: Action,
    /// Actor account id.
    pub actor: Id,
    /// Target id.
    pub target: Id,
    /// Owner account id or [`NONE`].
    pub owner: Id,
    /// IP id or [`NONE`].
    pub ip: Id,
    /// Device id or [`NONE`].
    pub device: Id,
    /// Client id or [`NONE`].
    pub client: Id,
    /// Text, empty when absent.
    pub text: &'a str,
}

impl EventLog {
    /// The number of events.
    pub fn len(&self) -> usize {
        self.ts.len()
    }

    /// Whether the log has no events.
    pub fn is_empty(&self) -> bool {
        self.ts.is_empty()
    }

    /// Event times, milliseconds since the epoch.
    pub fn ts(&self) -> &[i64] {
        &self.ts
    }
    /// Action codes (see [`crate::action`]).
    pub fn action(&self) -> &[Action] {
        &self.action
    }
    /// Actor account ids.
    pub fn actor(&self) -> &[Id] {
        &self.actor
    }
    /// Target ids.
    pub fn target(&self) -> &[Id] {
        &self.target
    }
    /// Owner account ids ([`NONE`] when absent).
    pub fn owner(&self) -> &[Id] {
        &self.owner
    }
    /// IP ids ([`NONE`] when absent).
    pub fn ip(&self) -> &[Id] {
        &self.ip
    }
    /// Device ids ([`NONE`] when absent).
    pub fn device(&self) -> &[Id] {
        &self.device
    }
    /// Client ids ([`NONE`] when absent).
    pub fn client(&self) -> &[Id] {
        &self.client
    }
    /// The text of event `i` (empty when absent).
    pub fn text(&self, i: usize) -> &str {
        self.text.get_str(i)
    }
    /// The 1-based line or row event `i` was read from.
    pub fn line(&self, i: usize) -> u32 {
        self.lines[i]
    }
    /// The sources, in the order they were read.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// The source event `i` came from.
    pub fn source_of(&self, i: usize) -> &Source {
        let k = self
            .sources
            .partition_point(|s| s.first_event as usize <= i)
            .saturating_sub(1);
        &self.sources[k]
    }

    /// The id of event `i`.
    pub fn event_id(&self, i: usize) -> EventId<'_> {
        let explicit = self.event_ids.get_str(i);
        if explicit.is_empty() {
            EventId::Implicit(&self.source_of(i).name, self.lines[i])
        } else {
            EventId::Explicit(explicit)
        }
    }

    /// The id of event `i` as a string.
    pub fn event_id_string(&self, i: usize) -> Cow<'_, str> {
        match self.event_id(i) {
            EventId::Explicit(s) => Cow::Borrowed(s),
            id @ EventId::Implicit(..) => Cow::Owned(id.to_string()),
        }
    }

    /// A view of event `i`.
    pub fn get(&self, i: usize) -> EventRef<'_> {
        EventRef {
            index: i as u32,
            ts: self.ts[i],
            action: self.action[i],
            actor: self.actor[i],
            target: self.target[i],
            owner: self.owner[i],
            ip: self.ip[i],
            device: self.device[i],
            client: self.client[i],
            text: self.text.get_str(i),
        }
    }

    /// Event indices sorted by time (ties in input order).
    ///
    /// # Complexity
    /// O(n log n), parallel.
    pub fn by_time(&self) -> Vec<u32> {
        let mut perm: Vec<u32> = (0..self.len() as u32).collect();
        perm.par_sort_unstable_by_key(|&i| (self.ts[i as usize], i));
        perm
    }

    /// Event indices sorted by (actor, time), ties in input order.
    pub fn by_actor_time(&self) -> Vec<u32> {
        self.by_key_time(&self.actor)
    }

    /// Event indices sorted by (target, time), ties in input order.
    pub fn by_target_time(&self) -> Vec<u32> {
        self.by_key_time(&self.target)
    }

    fn by_key_time(&self, key: &[Id]) -> Vec<u32> {
        let mut perm: Vec<u32> = (0..self.len() as u32).collect();
        perm.par_sort_unstable_by_key(|&i| (key[i as usize], self.ts[i as usize], i));
        perm
    }

    /// The six id columns (actor, target, owner, IP, device, client), for work done to each.
    fn id_columns_mut(&mut self) -> [&mut Vec<Id>; 6] {
        [
            &mut self.actor,
            &mut self.target,
            &mut self.owner,
            &mut self.ip,
            &mut self.device,
            &mut self.client,
        ]
    }

    /// Heap memory held, by part.
    pub fn memory_use(&self) -> MemoryUse {
        let fixed = self.ts.capacity() * 8
            + self.action.capacity()
            + (self.actor.capacity()
                + self.target.capacity()
                + self.owner.capacity()
                + self.ip.capacity()
                + self.device.capacity()
                + self.client.capacity()
                + self.lines.capacity())
                * 4;
        let (id_bytes, id_offsets) = self.event_ids.heap_bytes();
        let (text_bytes, text_offsets) = self.text.heap_bytes();
        MemoryUse {
            columns: fixed,
            event_ids: id_bytes + id_offsets,
            text_offsets,
            text_bytes,
            interners: self.accounts.heap_bytes()
                + self.targets.heap_bytes()
                + self.ips.heap_bytes()
                + self.devices.heap_bytes()
                + self.clients.heap_bytes(),
            side_tables: self.account_table.heap_bytes() + self.device_table.heap_bytes(),
        }
    }

    /// Counts of events per action code, indexed by code.
    pub fn action_counts(&self) -> Vec<u64> {
        let mut counts = vec![0u64; self.verbs.len()];
        for &a in &self.action {
            counts[a as usize] += 1;
        }
        counts
    }

    /// The earliest and latest event time, if any.
    pub fn time_span(&self) -> Option<(i64, i64)> {
        let first = *self.ts.first()?;
        Some(
            self.ts
                .iter()
                .fold((first, first), |(lo, hi), &t| (lo.min(t), hi.max(t))),
        )
    }
}

/// Fills an [`EventLog`] one event at a time: interns, checks explicit ids for duplicates, and
/// appends to every column.
#[derive(Debug, Default)]
pub struct EventLogBuilder {
    pub(crate) log: EventLog,
    pub(crate) seen_ids: HashTable<u32>,
    pub(crate) id_hasher: foldhash::fast::RandomState,
    /// Duplicate explicit ids are found at the end ([`EventLogBuilder::duplicate_ids`]), not
    /// probed for on every push.
    pub(crate) defer_ids: bool,
}

impl EventLogBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a new source; events pushed from now on come from `name`.
    pub fn begin_source(&mut self, name: &str) {
        self.log.sources.push(Source {
            name: name.to_string(),
            first_event: self.log.len() as u32,
        });
    }

    /// The number of events so far.
    pub fn len(&self) -> usize {
        self.log.len()
    }

    /// Whether no event has been pushed.
    pub fn is_empty(&self) -> bool {
        self.log.is_empty()
    }

    /// The log under construction.
    pub fn log(&self) -> &EventLog {
        &self.log
    }

    /// Mutable access to the log under construction, for side tables and interners.
    pub fn log_mut(&mut self) -> &mut EventLog {
        &mut self.log
    }

    /// Appends one event.
    ///
    /// # Errors
    /// [`PushError::DuplicateId`] when the explicit id was seen before (nothing is appended),
    /// [`PushError::Exhausted`] when an id space or the verb table is full.
    pub fn push(&mut self, ev: &RawEvent<'_>) -> Result<(), PushError> {
        if self.log.sources.is_empty() {
            self.begin_source("input");
        }
        let idx = self.log.len();
        if idx >= u32::MAX as usize {
            return Err(PushError::Exhausted(Error::ResourcesExhausted(
                "more than 4 billion events in one log".into(),
            )));
        }
        let explicit = ev.id.filter(|s| !s.is_empty());
        let entry = check_id(
            &mut self.seen_ids,
            &self.id_hasher,
            &self.log,
            self.defer_ids,
            explicit,
        )?;
        let l = &mut self.log;
        let ex = PushError::Exhausted;
        let action = l.verbs.code(ev.action).map_err(ex)?;
        let actor = l.accounts.intern(ev.actor).map_err(ex)?;
        let target = l.targets.intern(ev.target).map_err(ex)?;
        let owner = opt(ev.owner, |s| l.accounts.intern(s))?;
        let device = opt(ev.device, |s| l.devices.intern(s))?;
        let client = opt(ev.client, |s| l.clients.intern(s))?;
        let ip = match ev.ip {
            Some(ip) => l.ips.intern(ip).map_err(ex)?,
            None => NONE,
        };
        let text = ev.text.unwrap_or("");
        if !l.text.push(text.as_bytes()) {
            return Err(ex(Error::ResourcesExhausted(
                "a text longer than 4 GiB".into(),
            )));
        }
        if !l.event_ids.push(explicit.unwrap_or("").as_bytes()) {
            return Err(ex(Error::ResourcesExhausted(
                "an event id longer than 4 GiB".into(),
            )));
        }
        l.ts.push(ev.ts);
        l.action.push(action);
        l.actor.push(actor);
        l.target.push(target);
        l.owner.push(owner);
        l.ip.push(ip);
        l.device.push(device);
        l.client.push(client);
        l.lines.push(ev.line);
        if let Some(v) = entry {
            v.insert(idx as u32);
        }
        Ok(())
    }

    /// Appends a batch of events with the same outcome as [`EventLogBuilder::push`] on each in
    /// turn (same ids, same order, same refusals), but interns the id spaces in parallel: one
    /// rayon task per id space after a sequential pass for duplicate ids and verbs.
    ///
    /// `results` is cleared and gets one entry per event: `Ok(())` when it was appended, or
    /// the [`PushError`] that `push` would have returned.
    ///
    /// # Errors
    /// [`Error::ResourcesExhausted`] when an id space fills up during the parallel pass. Part of
    /// the batch may then be appended to some columns only: drop the builder.
    pub fn push_batch(
        &mut self,
        evs: &[RawEvent<'_>],
        results: &mut Vec<Result<(), PushError>>,
    ) -> Result<()> {
        results.clear();
        if self.log.sources.is_empty() {
            self.begin_source("input");
        }
        // Sequential pass, in order: duplicate ids, verbs, event ids, times, lines.
        let mut kept: Vec<u32> = Vec::with_capacity(evs.len());
        for (k, ev) in evs.iter().enumerate() {
            let idx = self.log.ts.len();
            if idx >= u32::MAX as usize {
                results.push(Err(PushError::Exhausted(Error::ResourcesExhausted(
                    "more than 4 billion events in one log".into(),
                ))));
                continue;
            }
            let explicit = ev.id.filter(|s| !s.is_empty());
            let entry = match check_id(
                &mut self.seen_ids,
                &self.id_hasher,
                &self.log,
                self.defer_ids,
                explicit,
            ) {
                Ok(v) => v,
                Err(e) => {
                    results.push(Err(e));
                    continue;
                }
            };
            let action = match self.log.verbs.code(ev.action) {
                Ok(a) => a,
                Err(e) => {
                    results.push(Err(PushError::Exhausted(e)));
                    continue;
                }
            };
            if !self.log.event_ids.push(explicit.unwrap_or("").as_bytes()) {
                results.push(Err(PushError::Exhausted(Error::ResourcesExhausted(
                    "an event id longer than 4 GiB".into(),
                ))));
                continue;
            }
            self.log.ts.push(ev.ts);
            self.log.lines.push(ev.line);
            self.log.action.push(action);
            if let Some(v) = entry {
                v.insert(idx as u32);
            }
            kept.push(k as u32);
            results.push(Ok(()));
        }
        // Parallel pass: each id space in its own task, each in event order.
        let EventLog {
            actor,
            target,
            owner,
            ip,
            device,
            client,
            text,
            accounts,
            targets,
            ips,
            devices,
            clients,
            ..
        } = &mut self.log;
        let kept = &kept;
        let each = |f: &mut dyn FnMut(&RawEvent<'_>) -> Result<()>| -> Result<()> {
            kept.iter().try_for_each(|&k| f(&evs[k as usize]))
        };
        let ((a, b), (c, d)) = rayon::join(
            || {
                rayon::join(
                    || {
                        actor.reserve(kept.len());
                        owner.reserve(kept.len());
                        each(&mut |ev| {
                            actor.push(accounts.intern(ev.actor)?);
                            owner.push(match ev.owner {
                                Some(s) if !s.is_empty() => accounts.intern(s)?,
                                _ => NONE,
                            });
                            Ok(())
                        })
                    },
                    || {
                        target.reserve(kept.len());
                        each(&mut |ev| {
                            target.push(targets.intern(ev.target)?);
                            Ok(())
                        })
                    },
                )
            },
            || {
                rayon::join(
                    || {
                        device.reserve(kept.len());
                        client.reserve(kept.len());
                        ip.reserve(kept.len());
                        each(&mut |ev| {
                            device.push(match ev.device {
                                Some(s) if !s.is_empty() => devices.intern(s)?,
                                _ => NONE,
                            });
                            client.push(match ev.client {
                                Some(s) if !s.is_empty() => clients.intern(s)?,
                                _ => NONE,
                            });
                            ip.push(match ev.ip {
                                Some(a) => ips.intern(a)?,
                                None => NONE,
                            });
                            Ok(())
                        })
                    },
                    || {
                        each(&mut |ev| {
                            if text.push(ev.text.unwrap_or("").as_bytes()) {
                                Ok(())
                            } else {
                                Err(Error::ResourcesExhausted("a text longer than 4 GiB".into()))
                            }
                        })
                    },
                )
            },
        );
        a.and(b).and(c).and(d)
    }

    /// Reserves room for `additional` more events, `id_bytes` bytes of explicit event ids in
    /// all (0 when the input has none), so that a reader that can estimate its size (from a
    /// file's length or a Parquet footer) grows no column, and rehashes no id index, while it
    /// reads.
    pub fn reserve(&mut self, additional: usize, id_bytes: usize) {
        let l = &mut self.log;
        l.ts.reserve(additional);
        l.action.reserve(additional);
        l.lines.reserve(additional);
        for col in l.id_columns_mut() {
            col.reserve(additional);
        }
        l.text.reserve(additional, 0);
        l.event_ids.reserve(additional, id_bytes);
        if id_bytes > 0 && !self.defer_ids {
            use std::hash::BuildHasher;
            let (ids, hasher) = (&l.event_ids, &self.id_hasher);
            self.seen_ids
                .reserve(additional, |&e| hasher.hash_one(ids.get(e as usize)));
        }
    }

    /// Leaves the duplicate-id check to the end: pushes no longer look explicit ids up (nor
    /// return [`PushError::DuplicateId`]), and [`EventLogBuilder::duplicate_ids`] finds the
    /// duplicates once every event is in, for [`EventLogBuilder::remove_events`] to drop. A
    /// probe per push is one cache miss (two with the insert) in an index that grows with the
    /// log, most of the cost of reading a hundred million events; one parallel sort of the
    /// ids' hashes at the end costs a fraction of that. Call it before the first push.
    pub fn defer_duplicate_ids(&mut self) {
        self.defer_ids = true;
        self.seen_ids = HashTable::new();
    }

    /// The events whose explicit id an earlier event already has, as `(event, first)` index
    /// pairs in event order: what [`EventLogBuilder::push`] would have refused, and the
    /// event it would have named as kept. Meant for a builder with
    /// [`EventLogBuilder::defer_duplicate_ids`] (otherwise there are none).
    ///
    /// # Complexity
    /// O(n log n) for n explicit ids: their 64-bit hashes are sorted in parallel, and only
    /// events whose hash is not unique have their ids compared.
    pub fn duplicate_ids(&self) -> Vec<(u32, u32)> {
        use std::hash::BuildHasher;
        let (ids, hasher) = (&self.log.event_ids, &self.id_hasher);
        let n = ids.len();
        let hash = |i: usize| -> Option<u64> {
            let s = ids.get(i);
            (!s.is_empty()).then(|| hasher.hash_one(s))
        };
        let mut hashes: Vec<u64> = (0..n).into_par_iter().filter_map(hash).collect();
        hashes.par_sort_unstable();
        let mut shared: Vec<u64> = hashes
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| w[0])
            .collect();
        drop(hashes);
        if shared.is_empty() {
            return Vec::new();
        }
        shared.dedup();
        // The events whose hash is shared, in order; their ids compared exactly.
        let candidates: Vec<u32> = (0..n)
            .into_par_iter()
            .filter(|&i| hash(i).is_some_and(|h| shared.binary_search(&h).is_ok()))
            .map(|i| i as u32)
            .collect();
        let mut first: hashbrown::HashMap<&[u8], u32, foldhash::fast::RandomState> =
            hashbrown::HashMap::default();
        let mut dups = Vec::new();
        for e in candidates {
            match first.entry(ids.get(e as usize)) {
                hashbrown::hash_map::Entry::Occupied(o) => dups.push((e, *o.get())),
                hashbrown::hash_map::Entry::Vacant(v) => {
                    v.insert(e);
                }
            }
        }
        dups
    }

    /// The refusal [`EventLogBuilder::push`] gives event `event` for having the explicit id of
    /// the earlier event `first` (a pair from [`EventLogBuilder::duplicate_ids`]).
    pub fn duplicate_error(&self, event: u32, first: u32) -> PushError {
        let l = &self.log;
        let src = l.source_of(first as usize);
        PushError::DuplicateId {
            id: l
                .event_ids
                .get_str(event as usize)
                .chars()
                .take(200)
                .collect(),
            first: format!("{}:{}", src.name, l.lines[first as usize]),
        }
    }

    /// Removes the events `drop` (indices, ascending and distinct) from every column; later
    /// events move up, sources keep their events. Ids the removed events alone used stay in
    /// their id spaces.
    pub fn remove_events(&mut self, drop: &[u32]) {
        if drop.is_empty() {
            return;
        }
        debug_assert!(drop.windows(2).all(|w| w[0] < w[1]));
        let gone = |i: usize| drop.binary_search(&(i as u32)).is_ok();
        fn retain<T>(v: &mut Vec<T>, gone: impl Fn(usize) -> bool) {
            let mut i = 0;
            v.retain(|_| {
                i += 1;
                !gone(i - 1)
            });
        }
        let l = &mut self.log;
        retain(&mut l.ts, gone);
        retain(&mut l.action, gone);
        retain(&mut l.lines, gone);
        for col in l.id_columns_mut() {
            retain(col, gone);
        }
        l.text.retain_rows(|i| !gone(i));
        l.event_ids.retain_rows(|i| !gone(i));
        for s in &mut l.sources {
            s.first_event -= drop.partition_point(|&d| d < s.first_event) as u32;
        }
    }

    /// Finishes the log: releases spare capacity and the duplicate-id index, and indexes the
    /// side tables by id.
    pub fn finish(self) -> EventLog {
        let mut log = self.log;
        drop(self.seen_ids);
        log.ts.shrink_to_fit();
        log.action.shrink_to_fit();
        for col in log.id_columns_mut() {
            col.shrink_to_fit();
        }
        log.lines.shrink_to_fit();
        log.text.shrink_to_fit();
        log.event_ids.shrink_to_fit();
        log.accounts.shrink_to_fit();
        log.targets.shrink_to_fit();
        log.ips.shrink_to_fit();
        log.devices.shrink_to_fit();
        log.clients.shrink_to_fit();
        let (na, nd) = (log.accounts.len(), log.devices.len());
        log.account_table.index(na);
        log.device_table.index(nd);
        log
    }
}

/// Looks an explicit event id up in the duplicate-id index with one probe: a
/// [`PushError::DuplicateId`] naming where the first event with it came from, or the vacant
/// slot where the id goes if the event is kept; `None` when there is no id or the check is
/// deferred ([`EventLogBuilder::defer_duplicate_ids`]). The one duplicate check of every push
/// path.
pub(crate) fn check_id<'t>(
    seen: &'t mut HashTable<u32>,
    hasher: &foldhash::fast::RandomState,
    log: &EventLog,
    deferred: bool,
    id: Option<&str>,
) -> Result<Option<VacantEntry<'t, u32>>, PushError> {
    use std::hash::BuildHasher;
    let Some(id) = id.filter(|_| !deferred) else {
        return Ok(None);
    };
    let ids = &log.event_ids;
    match seen.entry(
        hasher.hash_one(id.as_bytes()),
        |&e| ids.get(e as usize) == id.as_bytes(),
        |&e| hasher.hash_one(ids.get(e as usize)),
    ) {
        Entry::Vacant(v) => Ok(Some(v)),
        Entry::Occupied(o) => {
            let first = *o.get() as usize;
            let src = log.source_of(first);
            Err(PushError::DuplicateId {
                id: id.chars().take(200).collect(),
                first: format!("{}:{}", src.name, log.lines[first]),
            })
        }
    }
}

fn opt(s: Option<&str>, f: impl FnOnce(&str) -> Result<Id>) -> Result<Id, PushError> {
    match s {
        Some(s) if !s.is_empty() => f(s).map_err(PushError::Exhausted),
        _ => Ok(NONE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw<'a>(
        id: Option<&'a str>,
        ts: i64,
        actor: &'a str,
        target: &'a str,
        line: u32,
    ) -> RawEvent<'a> {
        RawEvent {
            id,
            ..RawEvent::new(ts, actor, "like", target, line)
        }
    }

    #[test]
    fn duplicate_explicit_ids_keep_the_first() {
        let mut b = EventLogBuilder::new();
        b.begin_source("a.jsonl");
        b.push(&raw(Some("e1"), 5, "u1", "p1", 1)).unwrap();
        let err = b.push(&raw(Some("e1"), 6, "u2", "p2", 2)).unwrap_err();
        assert_eq!(
            err,
            PushError::DuplicateId {
                id: "e1".into(),
                first: "a.jsonl:1".into()
            }
        );
        b.push(&raw(None, 7, "u2", "p1", 3)).unwrap();
        let log = b.finish();
        assert_eq!(log.len(), 2);
        assert_eq!(log.event_id_string(0), "e1");
        assert_eq!(log.event_id_string(1), "a.jsonl:3");
        assert_eq!(log.accounts.len(), 1 + 1);
    }

    #[test]
    fn orderings_sort_by_key_then_time() {
        let mut b = EventLogBuilder::new();
        b.begin_source("x");
        for (i, (ts, a, t)) in [
            (30, "u2", "p1"),
            (10, "u1", "p2"),
            (20, "u2", "p2"),
            (10, "u1", "p1"),
        ]
        .into_iter()
        .enumerate()
        {
            b.push(&raw(None, ts, a, t, i as u32 + 1)).unwrap();
        }
        let log = b.finish();
        assert_eq!(log.by_time(), vec![1, 3, 2, 0]);
        // u2 was interned first (id 0), then u1 (id 1).
        assert_eq!(log.by_actor_time(), vec![2, 0, 1, 3]);
        // p1 is target 0, p2 is target 1.
        assert_eq!(log.by_target_time(), vec![3, 0, 1, 2]);
        assert_eq!(log.time_span(), Some((10, 30)));
    }

    proptest::proptest! {
        #[test]
        fn push_batch_is_push_in_order(
            evs in proptest::collection::vec(
                (proptest::option::of(0u8..20), 0i64..100, 0u8..30, 0u8..4, 0u8..30,
                 proptest::option::of(0u8..30), proptest::option::of(0u8..5), proptest::option::of(0u8..9)),
                0..300),
            cut in 0usize..300,
        ) {
            let owned: Vec<[String; 5]> = evs
                .iter()
                .map(|e| [
                    e.0.map(|i| format!("e{i}")).unwrap_or_default(),
                    format!("u{}", e.2),
                    ["like", "follow", "zap", "view"][e.3 as usize].to_string(),
                    format!("t{}", e.4),
                    e.5.map(|i| format!("u{i}")).unwrap_or_default(),
                ])
                .collect();
            let raws: Vec<RawEvent<'_>> = evs
                .iter()
                .zip(&owned)
                .enumerate()
                .map(|(i, (e, o))| RawEvent {
                    id: e.0.map(|_| o[0].as_str()),
                    ts: e.1,
                    actor: &o[1],
                    action: &o[2],
                    target: &o[3],
                    owner: e.5.map(|_| o[4].as_str()),
                    text: e.6.map(|k| ["", "a", "bb", "c c", "d"][k as usize]),
                    ip: e.7.map(|k| std::net::IpAddr::from([10, 0, 0, k])),
                    device: e.7.map(|k| ["d1", "d2", "", "d3", "d1", "d2", "x", "y", "z"][k as usize]),
                    client: e.6.map(|k| ["web", "", "ios/1", "web", "api:x"][k as usize]),
                    line: i as u32 + 1,
                })
                .collect();
            let mut one = EventLogBuilder::new();
            one.begin_source("f");
            let want: Vec<Result<(), PushError>> = raws.iter().map(|r| one.push(r)).collect();
            let mut many = EventLogBuilder::new();
            many.begin_source("f");
            let cut = cut.min(raws.len());
            let mut got = Vec::new();
            let mut res = Vec::new();
            for part in [&raws[..cut], &raws[cut..]] {
                many.push_batch(part, &mut res).unwrap();
                got.append(&mut res);
            }
            proptest::prop_assert_eq!(&got, &want);
            let (a, b) = (one.finish(), many.finish());
            proptest::prop_assert_eq!(a.len(), b.len());
            proptest::prop_assert_eq!(a.ts(), b.ts());
            proptest::prop_assert_eq!(a.action(), b.action());
            proptest::prop_assert_eq!(a.actor(), b.actor());
            proptest::prop_assert_eq!(a.owner(), b.owner());
            proptest::prop_assert_eq!(a.target(), b.target());
            proptest::prop_assert_eq!(a.ip(), b.ip());
            proptest::prop_assert_eq!(a.device(), b.device());
            proptest::prop_assert_eq!(a.client(), b.client());
            for i in 0..a.len() {
                proptest::prop_assert_eq!(a.text(i), b.text(i));
                proptest::prop_assert_eq!(a.event_id_string(i), b.event_id_string(i));
                proptest::prop_assert_eq!(a.line(i), b.line(i));
            }
            proptest::prop_assert_eq!(a.accounts.len(), b.accounts.len());
            for id in 0..a.accounts.len() as u32 {
                proptest::prop_assert_eq!(a.accounts.resolve(id), b.accounts.resolve(id));
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn deferred_duplicate_check_is_push_in_order(
            evs in proptest::collection::vec(
                (proptest::option::of(0u8..40), 0i64..100, 0u8..30, 0u8..30, 0u8..3),
                0..300),
        ) {
            let owned: Vec<[String; 3]> = evs
                .iter()
                .map(|e| [
                    e.0.map(|i| format!("e{i}")).unwrap_or_default(),
                    format!("u{}", e.2),
                    format!("t{}", e.3),
                ])
                .collect();
            let raws: Vec<RawEvent<'_>> = evs
                .iter()
                .zip(&owned)
                .enumerate()
                .map(|(i, (e, o))| RawEvent {
                    id: e.0.map(|_| o[0].as_str()),
                    ..RawEvent::new(e.1, &o[1], "like", &o[2], i as u32 + 1)
                })
                .collect();
            // Sources change where the third field says so.
            let push_all = |b: &mut EventLogBuilder, each: &mut dyn FnMut(&mut EventLogBuilder, &RawEvent<'_>)| {
                for (r, e) in raws.iter().zip(&evs) {
                    if e.4 == 0 || b.log.sources.is_empty() {
                        let name = format!("f{}", b.log.sources.len());
                        b.begin_source(&name);
                    }
                    each(b, r);
                }
            };
            let mut one = EventLogBuilder::new();
            let mut want = Vec::new();
            push_all(&mut one, &mut |b, r| want.push(b.push(r)));
            let mut later = EventLogBuilder::new();
            later.defer_duplicate_ids();
            push_all(&mut later, &mut |b, r| b.push(r).unwrap());
            let dups = later.duplicate_ids();
            let mut got: Vec<Result<(), PushError>> = vec![Ok(()); raws.len()];
            for &(e, first) in &dups {
                proptest::prop_assert!(first < e);
                got[e as usize] = Err(later.duplicate_error(e, first));
            }
            proptest::prop_assert_eq!(&got, &want);
            let drop: Vec<u32> = dups.iter().map(|d| d.0).collect();
            later.remove_events(&drop);
            let (a, b) = (one.finish(), later.finish());
            proptest::prop_assert_eq!(a.len(), b.len());
            proptest::prop_assert_eq!(a.ts(), b.ts());
            for i in 0..a.len() {
                proptest::prop_assert_eq!(a.accounts.resolve(a.actor()[i]), b.accounts.resolve(b.actor()[i]));
                proptest::prop_assert_eq!(a.targets.resolve(a.target()[i]), b.targets.resolve(b.target()[i]));
                proptest::prop_assert_eq!(a.event_id_string(i), b.event_id_string(i));
                proptest::prop_assert_eq!(a.line(i), b.line(i));
                proptest::prop_assert_eq!(&a.source_of(i).name, &b.source_of(i).name);
            }
        }
    }

    #[test]
    fn sources_resolve_implicit_ids() {
        let mut b = EventLogBuilder::new();
        b.begin_source("a.csv");
        b.push(&raw(None, 1, "u", "t", 2)).unwrap();
        b.begin_source("b.csv");
        b.push(&raw(None, 1, "u", "t", 2)).unwrap();
        b.push(&raw(None, 1, "u", "t", 9)).unwrap();
        let log = b.finish();
        assert_eq!(log.event_id_string(0), "a.csv:2");
        assert_eq!(log.event_id_string(1), "b.csv:2");
        assert_eq!(log.event_id_string(2), "b.csv:9");
    }
}
