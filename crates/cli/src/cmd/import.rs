//! `lockstep import`.

/// Arguments of `lockstep import`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

/// Runs `lockstep import`.
pub(crate) fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("lockstep import: not available yet")
}
