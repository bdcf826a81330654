//! Development tools for vetbot, kept out of the product: the benchmarks ([`bench`]) and the
//! synthetic clinic generator ([`synth`]). The `vetbot-dev` binary is a thin wrapper over
//! [`cli::run`].

pub mod bench;
pub mod cli;
pub mod import_files;
pub mod synth;
