//! dlgen turns a short YAML service spec into the Terraform stack the infra repo expects.
//!
//! The pipeline has one module per stage:
//! `yaml` (located YAML tree) → `de` + `spec` (typed spec, serde) → `model` (validated,
//! fully resolved stack) → `render` (minijinja templates) → `format` (`terraform fmt`
//! canonical text, parsed back with hcl-rs) → `write` / `check`.
//! `lint` checks any stack, generated or hand-written, against the repo's conventions.
//! `planeq` reads any stack into a normalized form and tells whether one plans like another.

pub mod anchor;
pub mod check;
pub mod cli;
pub mod commands;
pub mod conventions;
pub mod de;
pub mod diag;
pub mod error;
pub mod format;
pub mod generate;
pub mod generated;
pub mod hcl;
pub mod import;
pub mod lint;
pub mod model;
pub mod par;
pub mod paths;
pub mod planeq;
pub mod reformat;
pub mod render;
pub mod report;
pub mod scaffold;
pub mod schema;
pub mod spec;
pub mod structure;
pub mod validate;
pub mod write;
pub mod yaml;
pub mod yaml_path;

use std::ffi::OsString;

use clap::Parser;

pub use error::{Error, Outcome};

/// Runs dlgen with the given command line: what the command found (exit 0 or 1), or why it
/// stopped (an [`Error`], which knows its exit code and how to report itself).
pub fn run<I, T>(args: I) -> Result<Outcome, Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = cli::Cli::try_parse_from(args).map_err(Error::Usage)?;
    commands::run(cli.command)
}
