//! `lockstep evidence`.

/// Arguments of `lockstep evidence`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

/// Runs `lockstep evidence`.
pub(crate) fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("lockstep evidence: not available yet")
}
