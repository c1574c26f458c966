//! `dlgen fmt`: finds the Terraform and HCL files under some paths and formats each as
//! `terraform fmt` does, in memory (the formatter's
//! [`Style::Terraform`](crate::format::Style::Terraform)).
//!
//! Which files: every `.tf`, `.tfvars` and `.hcl` file named, or found under a named
//! directory, recursively. As `terraform fmt` does, the walk skips hidden files and
//! directories (`.terraform`, `.terragrunt-cache`, `.git`, …) and editor leftovers
//! (`name~`, `#name#`), and does not follow symlinks to directories. A symlink to a
//! regular file is formatted through the link: the file it leads to is read and replaced,
//! the link stays.
//!
//! How: `.tf`, `.tfvars`, `.tftest.hcl` and `.tfmock.hcl` files exactly as `terraform fmt`
//! formats them in a directory; any other `.hcl` file (`terragrunt.hcl`) as
//! `terraform fmt -` prints it when given the file on stdin, which is the same text with
//! a line break added at the end when the file lacks one.
//!
//! Writing is the caller's: the results say what each file holds and what it would hold.

use std::collections::HashSet;
use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::error::Error;
use crate::format::{self, FormatError};
use crate::par;

/// The largest file `fmt` reads. Terraform files are kilobytes; a larger one is a
/// mistake, not configuration.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// A file to format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The path as the user will read it: as given, or the directory given joined with
    /// the path found under it.
    pub path: PathBuf,
    /// The file read and replaced: `path`, or the file a symlink at `path` leads to.
    pub file: PathBuf,
    /// Formatted as `terraform fmt -` prints it (a line break at the end added).
    pub stdin_semantics: bool,
}

/// What formatting one file found.
#[derive(Debug)]
pub struct Formatted {
    pub target: Target,
    /// The bytes the file holds now.
    pub original: Vec<u8>,
    /// What the file holds once formatted, or why it cannot be.
    pub result: Result<String, Problem>,
}

impl Formatted {
    /// The formatted text, when it differs from the file.
    pub fn changed(&self) -> Option<&str> {
        match &self.result {
            Ok(text) if text.as_bytes() != self.original.as_slice() => Some(text),
            _ => None,
        }
    }
}

/// Why a file could not be formatted.
#[derive(Debug)]
pub enum Problem {
    /// It does not parse (or not lex): where and why.
    Syntax(FormatError),
    /// It could not be read, or is not text.
    Unreadable(String),
}

impl Problem {
    /// The diagnostic line(s) for `path`: `path:line:col: error: …`.
    pub fn report(&self, path: &Path) -> String {
        let shown = crate::diag::printable(&path.display().to_string());
        match self {
            Problem::Syntax(e) => {
                format!("{shown}:{}:{}: error: {}", e.line, e.column, e.problem())
            }
            Problem::Unreadable(why) => format!("{shown}: error: {why}"),
        }
    }
}

/// What `terraform fmt` formats, by file name: `Some(stdin_semantics)`, or `None` for a
/// file it leaves alone.
fn kind_of(name: &str) -> Option<bool> {
    if name.ends_with(".tf")
        || name.ends_with(".tfvars")
        || name.ends_with(".tftest.hcl")
        || name.ends_with(".tfmock.hcl")
    {
        Some(false)
    } else if name.ends_with(".hcl") {
        Some(true)
    } else {
        None
    }
}

/// Hidden files and directories and editor leftovers, which `terraform fmt` skips.
fn ignored(name: &str) -> bool {
    name.starts_with('.') || name.ends_with('~') || (name.starts_with('#') && name.ends_with('#'))
}

/// The files to format under `paths` (see the module documentation), in the order given,
/// each directory walked in file-name order, each file once.
pub fn targets(paths: &[PathBuf]) -> Result<Vec<Target>, Error> {
    let mut found = Vec::new();
    let mut seen = HashSet::new();
    for given in paths {
        let meta = fs::metadata(given).map_err(|e| Error::io(given, e))?;
        if meta.is_dir() {
            walk(given, &mut found, &mut seen)?;
            continue;
        }
        let name = given
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Some(stdin_semantics) = kind_of(&name) else {
            return Err(Error::Message(format!(
                "error: {}: not a Terraform or HCL file; dlgen fmt formats `.tf`, `.tfvars` and `.hcl` files",
                crate::diag::printable(&given.display().to_string())
            )));
        };
        if !meta.is_file() {
            return Err(Error::Message(format!(
                "error: {}: is not a regular file (a pipe, socket or device)",
                crate::diag::printable(&given.display().to_string())
            )));
        }
        push(given.clone(), stdin_semantics, &mut found, &mut seen)?;
    }
    Ok(found)
}

fn walk(dir: &Path, found: &mut Vec<Target>, seen: &mut HashSet<PathBuf>) -> Result<(), Error> {
    let walker = WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !ignored(&e.file_name().to_string_lossy()));
    for entry in walker {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(dir).to_path_buf();
            match e.into_io_error() {
                Some(io) => Error::io(path, io),
                None => Error::Message(format!("error: {}: filesystem loop", path.display())),
            }
        })?;
        let Some(stdin_semantics) = kind_of(&entry.file_name().to_string_lossy()) else {
            continue;
        };
        let file_type = entry.file_type();
        let regular = if file_type.is_symlink() {
            // Through the link: only to a regular file.
            fs::metadata(entry.path()).is_ok_and(|m| m.is_file())
        } else {
            file_type.is_file()
        };
        if regular {
            // `dlgen fmt` (the directory `.`) shows `stacks/a/main.tf`, as terraform does.
            let path = match entry.path().strip_prefix(".") {
                Ok(rel) if dir == Path::new(".") => rel.to_path_buf(),
                _ => entry.into_path(),
            };
            push(path, stdin_semantics, found, seen)?;
        }
    }
    Ok(())
}

fn push(
    path: PathBuf,
    stdin_semantics: bool,
    found: &mut Vec<Target>,
    seen: &mut HashSet<PathBuf>,
) -> Result<(), Error> {
    let is_link = fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
    let file = if is_link {
        fs::canonicalize(&path).map_err(|e| Error::io(&path, e))?
    } else {
        path.clone()
    };
    // The same file named twice (a directory and a file in it, or a link and its target)
    // is formatted once.
    let key = crate::paths::absolute(&file).unwrap_or_else(|_| file.clone());
    if seen.insert(key) {
        found.push(Target {
            path,
            file,
            stdin_semantics,
        });
    }
    Ok(())
}

/// Reads and formats every target, spread over the cores; results in the order of
/// `targets`.
pub fn format_all(targets: Vec<Target>) -> Vec<Formatted> {
    let results = par::map(&targets, |t| {
        let original = read(&t.file);
        let result = match &original {
            Ok(bytes) => format_bytes(bytes, t.stdin_semantics),
            Err(why) => Err(Problem::Unreadable(why.clone())),
        };
        (original.unwrap_or_default(), result)
    });
    targets
        .into_iter()
        .zip(results)
        .map(|(target, (original, result))| Formatted {
            target,
            original,
            result,
        })
        .collect()
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    let file = fs::File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "is larger than {MAX_FILE_BYTES} bytes; dlgen fmt reads no file that large"
        ));
    }
    Ok(bytes)
}

/// Formats a file's bytes as `terraform fmt` would.
pub fn format_bytes(bytes: &[u8], stdin_semantics: bool) -> Result<String, Problem> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        Problem::Unreadable(format!("line {line}: not valid UTF-8 text"))
    })?;
    let mut out = format::format_terraform(text).map_err(Problem::Syntax)?;
    if stdin_semantics && !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

/// A unified diff from a file to its formatted text.
pub fn diff(path: &Path, original: &str, formatted: &str) -> String {
    let name = crate::diag::printable(&path.display().to_string());
    similar::TextDiff::from_lines(original, formatted)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("{name} (original)"),
            &format!("{name} (formatted)"),
        )
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_terraform_formats_and_skips() {
        assert_eq!(kind_of("main.tf"), Some(false));
        assert_eq!(kind_of("prod.tfvars"), Some(false));
        assert_eq!(kind_of("a.tftest.hcl"), Some(false));
        assert_eq!(kind_of("terragrunt.hcl"), Some(true));
        assert_eq!(kind_of("main.tf.json"), None);
        assert_eq!(kind_of("README.md"), None);
        for name in [
            ".terraform",
            ".terragrunt-cache",
            ".git",
            "main.tf~",
            "#main.tf#",
        ] {
            assert!(ignored(name), "{name}");
        }
        assert!(!ignored("main.tf"));
    }

    #[test]
    fn hcl_files_end_with_a_line_break_as_on_stdin() {
        assert_eq!(format_bytes(b"a=1", true).unwrap(), "a = 1\n");
        assert_eq!(format_bytes(b"a=1", false).unwrap(), "a = 1");
        assert_eq!(format_bytes(b"", true).unwrap(), "\n");
        assert_eq!(format_bytes(b"", false).unwrap(), "");
    }

    #[test]
    fn problems_name_file_line_and_column() {
        let err = format_bytes(b"a = 1\nb = {\n", false).unwrap_err();
        let report = err.report(Path::new("x/main.tf"));
        assert!(
            report.starts_with("x/main.tf:2:5: error: unbalanced brackets"),
            "{report}"
        );
        let err = format_bytes(b"a = 1\nb = = 2\n", false).unwrap_err();
        let report = err.report(Path::new("x/main.tf"));
        assert!(report.starts_with("x/main.tf:2:"), "{report}");
        assert!(report.contains("not valid HCL"), "{report}");
        let err = format_bytes(b"a = 1\n\xff\n", false).unwrap_err();
        assert_eq!(
            err.report(Path::new("m.tf")),
            "m.tf: error: line 2: not valid UTF-8 text"
        );
    }
}
