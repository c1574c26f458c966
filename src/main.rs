//! The `dlgen` binary: everything lives in the library; this only hands over the
//! arguments and turns the outcome into a process exit code: 0 clean, 1 findings (drift,
//! lint violations), 2 errors (bad input, I/O).

use std::process::ExitCode;

fn main() -> ExitCode {
    match dlgen::run(std::env::args_os()) {
        Ok(outcome) => outcome.exit_code(),
        Err(err) => {
            err.report();
            err.exit_code()
        }
    }
}
