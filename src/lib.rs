//! dlgen turns a short YAML service spec into the Terraform stack the infra repo expects.
//!
//! The pipeline has one module per stage:
//! `yaml` (located YAML tree) → `de` + `spec` (typed spec, serde) → `model` (validated,
//! fully resolved stack) → `render` (minijinja templates) → `format` (`terraform fmt`
//! canonical text, parsed back with hcl-rs) → `write` / `check`.
//! `lint` checks any stack, generated or hand-written, against the repo's conventions.
//! `planeq` reads any stack into a normalized form and tells whether one plans like another.

pub mod check;
pub mod cli;
pub mod commands;
pub mod conventions;
pub mod de;
pub mod diag;
pub mod error;
pub mod format;
pub mod generate;
pub mod hcl;
pub mod import;
pub mod lint;
pub mod model;
pub mod par;
pub mod paths;
pub mod planeq;
pub mod render;
pub mod report;
pub mod spec;
pub mod structure;
pub mod validate;
pub mod write;
pub mod yaml;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

pub use error::{Error, Outcome};

/// Runs dlgen with the given command line and returns the exit code:
/// 0 clean, 1 findings (drift, lint violations), 2 errors.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match cli::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            // clap prints help/version to stdout and usage errors to stderr.
            let _ = err.print();
            return if err.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command.run() {
        Ok(outcome) => outcome.exit_code(),
        Err(err) => {
            eprintln!("{err}");
            ExitCode::from(2)
        }
    }
}
