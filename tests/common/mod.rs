//! Shared helpers of the integration tests: a throwaway project directory and a way to
//! run the `dlgen` binary in it.
#![allow(dead_code)]

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

pub mod import;

/// The project root (where `specs/` and `stacks/` are committed).
pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// What one run of the binary did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts exit code 0.
    #[track_caller]
    pub fn success(&self) -> &Self {
        assert_eq!(self.code, 0, "{self}");
        self
    }
}

impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "exit code {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs `dlgen args...` in `dir`.
pub fn dlgen(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_dlgen"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the dlgen binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A temporary project directory laid out like the repo: `specs/` and `stacks/`.
pub struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    pub fn empty() -> Self {
        Project {
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    /// A project with copies of the named specs from the repo's `specs/`.
    pub fn with_specs(names: &[&str]) -> Self {
        let p = Self::empty();
        for name in names {
            let text = fs::read_to_string(Path::new(ROOT).join("specs").join(name)).unwrap();
            p.write(&format!("specs/{name}"), &text);
        }
        p
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, contents: &str) {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, contents).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    pub fn mtime(&self, rel: &str) -> std::time::SystemTime {
        fs::metadata(self.path(rel)).unwrap().modified().unwrap()
    }

    pub fn dlgen(&self, args: &[&str]) -> Run {
        dlgen(self.dir.path(), args)
    }
}
