//! One module per subcommand, each with its `Args` and `run`.

pub(crate) mod appeal;
pub(crate) mod audit;
pub(crate) mod demo;
pub(crate) mod enforce;
pub(crate) mod eval;
pub(crate) mod evidence;
pub(crate) mod explain;
pub(crate) mod import;
pub(crate) mod inspect;
pub(crate) mod scan;
pub(crate) mod simulate;
