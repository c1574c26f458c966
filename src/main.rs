//! The `dlgen` binary: everything lives in the library; this only hands over the
//! arguments and turns the outcome into a process exit code.

fn main() -> std::process::ExitCode {
    dlgen::run(std::env::args_os())
}
