//! `dlgen import` on the command line: one stack to stdout or a file, or every stack of a
//! repo without a spec into the specs directory, with a line per stack, a summary and
//! the constructs that ended up as raw HCL.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::{Failure, Imported, import};
use crate::error::{Error, Outcome};
use crate::render::Renderer;

fn renderer() -> Result<Renderer, Error> {
    Renderer::new().map_err(|e| Error::Message(format!("error: {e}")))
}

/// `dlgen import STACK_DIR [-o SPEC] [--force]`.
pub fn one(dir: &Path, output: Option<&Path>, force: bool) -> Result<Outcome, Error> {
    let renderer = renderer()?;
    if let Some(out) = output {
        // Refuse before the work, not after it.
        check_target(out, force)?;
    }
    match import(dir, &renderer) {
        Ok(imported) => {
            match output {
                Some(out) => {
                    // The files beside the spec first, all checked before any is written.
                    check_files(out, &imported.files, force)?;
                    for path in write_files(out, &imported.files, force)? {
                        eprintln!("wrote {}", path.display());
                    }
                    write_spec(out, &imported.yaml, force)?;
                    eprintln!("wrote {}", out.display());
                }
                None => {
                    let mut stdout = std::io::stdout().lock();
                    stdout
                        .write_all(imported.yaml.as_bytes())
                        .and_then(|()| stdout.flush())
                        .map_err(|e| Error::io("<stdout>", e))?;
                }
            }
            eprintln!("{}: {}", dir.display(), summary_of(&imported));
            if output.is_none() && !imported.files.is_empty() {
                let names: Vec<&str> = imported.files.iter().map(|(n, _)| n.as_str()).collect();
                let them = if names.len() == 1 { "it" } else { "them" };
                let name = &imported.name;
                eprintln!(
                    "note: the spec reads {} beside it: copy {them} from {} into the directory named after the spec file (`specs/{name}/` for `specs/{name}.yaml`), or write the spec with -o, which copies {them}",
                    names.join(", "),
                    dir.display(),
                );
            }
            for line in advice(&imported, output) {
                eprintln!("{line}");
            }
            Ok(Outcome::Clean)
        }
        Err(Failure::Error(e)) => Err(e),
        Err(Failure::NotReproducible { lines, .. }) => {
            eprintln!(
                "{}: no spec reproduces this stack; nothing written. What differs (rendered ≠ stack):",
                dir.display()
            );
            for line in &lines {
                eprintln!("  {line}");
            }
            Ok(Outcome::Findings)
        }
    }
}

/// `lossless, 12 raw lines, spec 58 / stack 220 lines (26%)`.
fn summary_of(imported: &Imported) -> String {
    let raw = match imported.raw_lines {
        0 => "no raw HCL".to_owned(),
        1 => "1 raw line".to_owned(),
        n => format!("{n} raw lines"),
    };
    let without = if imported.raw_lines > 0 {
        format!(
            "; {}% without raw HCL",
            percent(
                imported.spec_lines - imported.raw_lines,
                imported.stack_lines
            )
        )
    } else {
        String::new()
    };
    format!(
        "lossless, {raw}, spec {} / stack {} lines ({}%{without})",
        imported.spec_lines,
        imported.stack_lines,
        percent(imported.spec_lines, imported.stack_lines)
    )
}

fn percent(a: usize, b: usize) -> usize {
    (a * 100 + b / 2).checked_div(b).unwrap_or(0)
}

/// What to do next with an imported spec.
fn advice(imported: &Imported, output: Option<&Path>) -> Vec<String> {
    let mut out = Vec::new();
    if !imported.reasons.is_empty() {
        out.push(format!(
            "review: the stack gives no reason for {}; the spec says so in their place",
            imported.reasons.join(", ")
        ));
    }
    if !imported.other_files.is_empty() {
        out.push(format!(
            "note: the spec holds the blocks of {} too: delete {} once the stack is rendered",
            imported.other_files.join(", "),
            if imported.other_files.len() == 1 {
                "it"
            } else {
                "them"
            }
        ));
    }
    if !imported.left_out.is_empty() {
        out.push(format!(
            "note: nothing in the stack uses {}: left out of the spec (no plan changes)",
            imported.left_out.join(", ")
        ));
    }
    if let Some(dir) = &imported.flattened {
        out.push(format!(
            "note: the spec takes the stack's objects out of its local module ({dir}/, `adopt.from_module`): delete that directory once the stack is rendered"
        ));
    }
    if !imported.var_files.is_empty() {
        out.push(format!(
            "note: Terraform also reads {} in the stack, over Terragrunt's inputs: dlgen neither reads nor writes {}, so keep {} beside the rendered stack",
            imported.var_files.join(", "),
            if imported.var_files.len() == 1 { "it" } else { "them" },
            if imported.var_files.len() == 1 { "it" } else { "them" },
        ));
    }
    if !imported.lint_errors.is_empty() {
        out.push(
            "note: the stack breaks lint rules at error level, so `dlgen render` will refuse the spec until they are fixed:".to_owned(),
        );
        out.extend(imported.lint_errors.iter().map(|l| format!("  {l}")));
    }
    if let Some(spec) = output {
        out.push(format!(
            "next: review {0}, then `dlgen render {0} --force` and `scripts/tg plan` in the stack (no change expected)",
            spec.display()
        ));
    }
    out
}

/// A spec may be written at `path`: nothing is there, or `force` and a file.
fn check_target(path: &Path, force: bool) -> Result<(), Error> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => Err(Error::Message(format!(
            "error: {}: is a directory; give the spec file to write",
            path.display()
        ))),
        Ok(_) if !force => Err(Error::Message(format!(
            "error: {}: exists; nothing written (use --force to replace it)",
            path.display()
        ))),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Writes `text` to `path` atomically (a temporary file beside it, then a rename or a
/// link into place): with `force` over what is there, otherwise never over anything, even
/// a file that appears meanwhile.
pub fn write_spec(path: &Path, text: &str, force: bool) -> Result<(), Error> {
    write_bytes(path, text.as_bytes(), force)
}

/// [`write_spec`] of any bytes (a file beside the spec).
fn write_bytes(path: &Path, bytes: &[u8], force: bool) -> Result<(), Error> {
    check_target(path, force)?;
    if force {
        crate::write::write_atomic(path, bytes)
    } else {
        crate::write::create_new(path, bytes)
    }
}

/// The files beside the spec at `spec` may all be written: the directory named after it
/// is a directory of its own (not a symlink leading elsewhere) or absent, and no file is
/// there unless `force`.
fn check_files(spec: &Path, files: &[(String, Vec<u8>)], force: bool) -> Result<(), Error> {
    if files.is_empty() {
        return Ok(());
    }
    let dir = crate::generate::spec_files_dir(spec);
    match std::fs::symlink_metadata(&dir) {
        Ok(meta) if !meta.is_dir() => Err(Error::Message(format!(
            "error: {}: is not a directory (a file or a symlink); the files beside the spec go into a directory of their own; nothing written",
            dir.display()
        ))),
        Ok(_) => files.iter().try_for_each(|(name, _)| {
            crate::generated::dirs_within(&dir, name).map_err(|at| {
                Error::Message(format!(
                    "error: {}: is not a directory (a file or a symlink); the files beside the spec go into directories of their own; nothing written",
                    at.display()
                ))
            })?;
            check_target(&dir.join(name), force)
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(&dir, e)),
    }
}

/// Writes the files beside the spec at `spec` (checked with [`check_files`]): the paths
/// written.
fn write_files(
    spec: &Path,
    files: &[(String, Vec<u8>)],
    force: bool,
) -> Result<Vec<PathBuf>, Error> {
    if files.is_empty() {
        return Ok(Vec::new());
    }
    let dir = crate::generate::spec_files_dir(spec);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let mut out = Vec::new();
    for (name, text) in files {
        // A relative path of plain names (the spec's reader checks it too), through real
        // directories only (checked first): never outside `dir`.
        crate::model::companion_name(name)
            .map_err(|why| Error::Message(format!("error: {name}: {why}")))?;
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        write_bytes(&path, text, force)?;
        out.push(path);
    }
    Ok(out)
}

/// What `--all` did with one stack.
enum Result1 {
    Imported(Box<Imported>),
    NotReproducible(Vec<String>, Vec<String>),
    Error(String),
}

/// `dlgen import --all [--root DIR] [--specs-dir DIR] [--stats] [--dry-run]`.
pub fn all(root: &Path, specs_dir: &Path, stats: bool, dry_run: bool) -> Result<Outcome, Error> {
    let stacks_dir = if root == Path::new(".") {
        PathBuf::from("stacks")
    } else {
        root.join("stacks")
    };
    let mut stacks: Vec<PathBuf> = Vec::new();
    for entry in std::fs::read_dir(&stacks_dir).map_err(|e| Error::io(&stacks_dir, e))? {
        let entry = entry.map_err(|e| Error::io(&stacks_dir, e))?;
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if path.is_dir() && !hidden {
            stacks.push(path);
        }
    }
    stacks.sort();
    let specified = specified_stacks(specs_dir)?;
    let (with_spec, todo): (Vec<PathBuf>, Vec<PathBuf>) = stacks.into_iter().partition(|dir| {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        specified.contains(&name) || generated(dir)
    });
    let renderer = renderer()?;
    let results = crate::par::map(&todo, |dir| match import(dir, &renderer) {
        Ok(i) => Result1::Imported(Box::new(i)),
        Err(Failure::Error(e)) => Result1::Error(e.to_string()),
        Err(Failure::NotReproducible { lines, constructs }) => {
            Result1::NotReproducible(lines, constructs)
        }
    });
    let mut imported = 0;
    let mut clean = 0;
    let mut failed = 0;
    let mut errors = 0;
    let mut shares = Vec::new();
    let mut raw_stats: BTreeMap<String, usize> = BTreeMap::new();
    let mut block_stats: BTreeMap<String, usize> = BTreeMap::new();
    for (dir, result) in todo.iter().zip(&results) {
        let shown = dir.display();
        match result {
            Result1::Imported(imp) => {
                let target = specs_dir.join(format!("{}.yaml", imp.name));
                let written = if dry_run {
                    String::new()
                } else {
                    if let Err(e) = std::fs::create_dir_all(specs_dir) {
                        return Err(Error::io(specs_dir, e));
                    }
                    let written = check_files(&target, &imp.files, false)
                        .and_then(|()| check_target(&target, false))
                        .and_then(|()| write_files(&target, &imp.files, false))
                        .and_then(|_| write_spec(&target, &imp.yaml, false));
                    match written {
                        Ok(()) => format!(" → {}", target.display()),
                        Err(e) => {
                            errors += 1;
                            println!("{shown}: {e}");
                            continue;
                        }
                    }
                };
                imported += 1;
                if imp.raw_lines == 0 {
                    clean += 1;
                }
                shares.push(percent(imp.spec_lines, imp.stack_lines));
                println!("{shown}: {}{written}", summary_of(imp));
                let unique: BTreeSet<&String> = imp.raw_constructs.iter().collect();
                for c in unique {
                    *raw_stats.entry(c.clone()).or_default() += 1;
                }
            }
            Result1::NotReproducible(lines, constructs) => {
                failed += 1;
                let first = lines.first().cloned().unwrap_or_default();
                let more = if lines.len() > 1 {
                    format!(" (and {} more)", lines.len() - 1)
                } else {
                    String::new()
                };
                println!("{shown}: not reproducible: {first}{more}");
                let unique: BTreeSet<&String> = constructs.iter().collect();
                for c in unique {
                    *block_stats.entry(c.clone()).or_default() += 1;
                }
            }
            Result1::Error(e) => {
                errors += 1;
                println!("{shown}: {e}");
            }
        }
    }
    shares.sort_unstable();
    let median = shares.get(shares.len() / 2).copied();
    println!(
        "{} stack{} without a spec: {imported} imported losslessly ({clean} without raw HCL), {failed} not reproducible, {errors} unreadable{}; {} already with a spec{}",
        todo.len(),
        if todo.len() == 1 { "" } else { "s" },
        median.map_or(String::new(), |m| format!(
            "; spec / stack lines: median {m}%"
        )),
        with_spec.len(),
        if dry_run {
            "; nothing written (--dry-run)"
        } else {
            ""
        }
    );
    if stats {
        print_stats("raw HCL by construct (stacks)", &raw_stats);
        print_stats("not reproducible because of (stacks)", &block_stats);
    }
    if errors > 0 {
        return Err(Error::Message(format!(
            "error: {errors} stack{} could not be read or written (see above)",
            if errors == 1 { "" } else { "s" }
        )));
    }
    Ok(if failed > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

fn print_stats(title: &str, counts: &BTreeMap<String, usize>) {
    if counts.is_empty() {
        return;
    }
    println!("{title}:");
    let mut list: Vec<(&String, &usize)> = counts.iter().collect();
    list.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (construct, n) in list {
        println!("{n:>5}  {construct}");
    }
}

/// The stacks the specs of `specs_dir` render: their `name`, or the file's stem.
fn specified_stacks(specs_dir: &Path) -> Result<BTreeSet<String>, Error> {
    let mut out = BTreeSet::new();
    let entries = match std::fs::read_dir(specs_dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(Error::io(specs_dir, e)),
    };
    for entry in entries {
        let path = entry.map_err(|e| Error::io(specs_dir, e))?.path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        if let Some(stem) = path.file_stem() {
            out.insert(stem.to_string_lossy().into_owned());
        }
        if let Ok(text) = crate::generate::read_spec(&path)
            && let Ok(node) = crate::yaml::parse(&path.display().to_string(), &text)
            && let Some(name) = node.get("name").and_then(|n| n.as_scalar())
        {
            out.insert(name.text.clone());
        }
    }
    Ok(out)
}

/// Whether a stack directory holds files dlgen generated (its spec lives elsewhere).
fn generated(dir: &Path) -> bool {
    crate::generated::read_header_line(&dir.join("main.tf"))
        .is_some_and(|line| crate::generated::is_generated(&line))
}
