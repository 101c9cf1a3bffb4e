//! `lockstep explain`.

/// Arguments of `lockstep explain`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

/// Runs `lockstep explain`.
pub(crate) fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("lockstep explain: not available yet")
}
