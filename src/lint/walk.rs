//! Reading stacks from disk and linting many of them on all cores.
//!
//! A stack is a directory; its files are the `.tf` files under it, recursively, in file
//! name order. Hidden directories (`.terraform`, `.terragrunt-cache`, which hold copies of
//! modules and of the stack itself) are skipped, and directory symlinks (`secrets ->
//! ../../secrets`) are not followed.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use walkdir::WalkDir;

use super::fix;
use super::{AppliedFix, Finding, LintConfig, SkippedFix, SourceFile, StackReport, lint_stack};
use crate::error::Error;

/// What linting (and, with `--fix`, fixing) one stack directory found and did.
#[derive(Debug, Clone, Default)]
pub struct StackResult {
    pub dir: PathBuf,
    /// What remains after the fixes.
    pub report: StackReport,
    pub fixed: Vec<AppliedFix>,
    pub skipped: Vec<SkippedFix>,
}

/// The stack directories under `<root>/stacks`, in name order.
pub fn stack_dirs(root: &Path) -> Result<Vec<PathBuf>, Error> {
    // `--root .` prints `stacks/x/main.tf`, not `./stacks/x/main.tf`.
    let stacks = if root == Path::new(".") {
        PathBuf::from("stacks")
    } else {
        root.join("stacks")
    };
    if !stacks.is_dir() {
        return Err(Error::Message(format!(
            "error: {}: not a directory (--all lints every directory under <root>/stacks)",
            stacks.display()
        )));
    }
    let entries = std::fs::read_dir(&stacks).map_err(|e| Error::io(&stacks, e))?;
    let mut dirs = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(&stacks, e))?;
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        let path = entry.path();
        if !hidden && path.is_dir() {
            dirs.push(path);
        }
    }
    dirs.sort();
    Ok(dirs)
}

/// The `.tf` files of one stack directory, paths as `dir` joined with their relative path.
pub fn read_stack(dir: &Path) -> Result<Vec<SourceFile>, Error> {
    let walker = WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    let mut files = Vec::new();
    for entry in walker {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(dir).to_path_buf();
            match e.into_io_error() {
                Some(io) => Error::io(path, io),
                None => Error::Message(format!("error: {}: filesystem loop", path.display())),
            }
        })?;
        let is_tf = entry.path().extension().is_some_and(|ext| ext == "tf");
        let is_file =
            entry.file_type().is_file() || (entry.path_is_symlink() && entry.path().is_file());
        if !is_tf || !is_file {
            continue;
        }
        let bytes = std::fs::read(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
        let text = crate::hcl::source_text(bytes).map_err(|_| {
            Error::Message(format!(
                "error: {}: not valid UTF-8",
                entry.path().display()
            ))
        })?;
        files.push(SourceFile::new(entry.into_path(), text));
    }
    Ok(files)
}

/// Lints each directory as one stack, spreading the stacks over the available cores.
/// Every directory is checked before any is read: a path that is not a directory is an
/// error (exit 2), as is a file that cannot be read. Findings come in directory order.
pub fn lint_dirs(dirs: &[PathBuf], cfg: &LintConfig) -> Result<Vec<Finding>, Error> {
    Ok(lint_dirs_with(dirs, cfg, false)?
        .into_iter()
        .flat_map(|r| r.report.findings)
        .collect())
}

/// [`lint_dirs`], one result per directory; with `fix`, each stack's mechanical fixes are
/// applied and written (atomically, only the files they change) before it is linted again.
pub fn lint_dirs_with(
    dirs: &[PathBuf],
    cfg: &LintConfig,
    fix: bool,
) -> Result<Vec<StackResult>, Error> {
    for dir in dirs {
        let meta = std::fs::metadata(dir).map_err(|e| Error::io(dir, e))?;
        if !meta.is_dir() {
            return Err(Error::Message(format!(
                "error: {}: not a directory",
                dir.display()
            )));
        }
    }
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(dirs.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(dir) = dirs.get(i) else {
                break;
            };
            done.push((i, lint_dir(dir, cfg, fix)));
        }
        done
    };
    let mut results: Vec<(usize, Result<StackResult, Error>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (1..workers).map(|_| s.spawn(work)).collect();
        let mut results = work();
        for handle in handles {
            match handle.join() {
                Ok(done) => results.extend(done),
                Err(_) => results.push((
                    usize::MAX,
                    Err(Error::Message(
                        "error: internal error: a lint worker thread panicked".to_owned(),
                    )),
                )),
            }
        }
        results
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

fn lint_dir(dir: &Path, cfg: &LintConfig, fix: bool) -> Result<StackResult, Error> {
    let files = read_stack(dir)?;
    let report = lint_stack(&files, cfg);
    let mut result = StackResult {
        dir: dir.to_path_buf(),
        report,
        ..StackResult::default()
    };
    if !fix || result.report.findings.iter().all(|f| f.edit.is_none()) {
        return Ok(result);
    }
    let fixed = fix::fix_files(&files, &result.report.findings, &fix::refuse_on_disk);
    for &i in &fixed.changed {
        fix::write_atomic(&fixed.files[i].path, &fixed.files[i].text)?;
    }
    if !fixed.changed.is_empty() {
        result.report = lint_stack(&fixed.files, cfg);
    }
    result.fixed = fixed.applied;
    result.skipped = fixed.skipped;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tf_files_recursively_in_name_order_skipping_hidden_dirs() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let stack = tmp.path().join("app");
        std::fs::create_dir_all(stack.join("modules/app")).expect("mkdir");
        std::fs::create_dir_all(stack.join(".terraform/modules/x")).expect("mkdir");
        std::fs::write(stack.join("main.tf"), "a").expect("write");
        std::fs::write(stack.join("b.tf"), "b").expect("write");
        std::fs::write(stack.join("terragrunt.hcl"), "c").expect("write");
        std::fs::write(stack.join("modules/app/main.tf"), "d").expect("write");
        std::fs::write(stack.join(".terraform/modules/x/main.tf"), "e").expect("write");
        let files = read_stack(&stack).expect("read");
        let names: Vec<String> = files
            .iter()
            .map(|f| {
                f.path
                    .strip_prefix(&stack)
                    .expect("under stack")
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, vec!["b.tf", "main.tf", "modules/app/main.tf"]);
    }

    #[test]
    fn stack_dirs_lists_directories_only() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let stacks = tmp.path().join("stacks");
        for d in ["b", "a", ".hidden"] {
            std::fs::create_dir_all(stacks.join(d)).expect("mkdir");
        }
        std::fs::write(stacks.join("README.md"), "x").expect("write");
        let dirs = stack_dirs(tmp.path()).expect("dirs");
        assert_eq!(dirs, vec![stacks.join("a"), stacks.join("b")]);
        assert!(stack_dirs(&stacks.join("a")).is_err());
    }
}
