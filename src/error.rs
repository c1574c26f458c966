//! The top-level error type and the exit-code contract.

use std::process::ExitCode;

/// What a command found when it ran to completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing to report: exit 0.
    Clean,
    /// Drift or lint violations were reported: exit 1.
    Findings,
}

impl Outcome {
    pub fn exit_code(self) -> ExitCode {
        match self {
            Outcome::Clean => ExitCode::SUCCESS,
            Outcome::Findings => ExitCode::from(1),
        }
    }
}

/// Anything that stops a command: bad input, I/O, or a bug (exit 2); or a command line
/// clap did not run (exit 2 for a usage error, 0 for `--help` and `--version`, which clap
/// reports the same way).
#[derive(Debug)]
pub enum Error {
    /// What clap says about the command line: a usage error, or the help or version text.
    Usage(clap::Error),
    /// A message that is already complete (diagnostics rendered with file and position).
    Message(String),
    /// An I/O failure on a named path.
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Usage(err) => f.write_str(err.to_string().trim_end()),
            Error::Message(msg) => f.write_str(msg.trim_end()),
            Error::Io { path, source } => write!(f, "error: {}: {source}", path.display()),
        }
    }
}

impl std::error::Error for Error {}

impl Error {
    pub fn io(path: impl Into<std::path::PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub fn exit_code(&self) -> ExitCode {
        match self {
            Error::Usage(err) if !err.use_stderr() => ExitCode::SUCCESS,
            _ => ExitCode::from(2),
        }
    }

    /// Prints the error where it belongs: help and version text on stdout (clap decides,
    /// and colours it for a terminal), everything else on stderr.
    pub fn report(&self) {
        match self {
            Error::Usage(err) => {
                let _ = err.print();
            }
            other => eprintln!("{other}"),
        }
    }
}
