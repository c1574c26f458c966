//! `dlgen check`: render every spec in memory and compare with the committed stacks.
//!
//! Drift is reported as a unified diff per differing file (committed → rendered), with
//! missing and orphaned generated files named. Nothing is written.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Outcome};
use crate::generate::{self, Generated};
use crate::generated::{self, SECRETS_LINK, SECRETS_TARGET};
use crate::par;
use crate::render::Renderer;

/// What a check found.
#[derive(Debug, Default)]
pub struct Report {
    /// One entry per finding: a drifted, missing or orphaned file.
    pub findings: Vec<Finding>,
    /// How many specs were checked.
    pub specs: usize,
}

/// What is wrong with one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The committed file differs from what its spec renders.
    Drift,
    /// A file (or the secrets symlink) the spec renders is not there.
    Missing,
    /// A generated file no spec produces.
    Orphaned,
    /// Something other than a file sits where dlgen writes one.
    NotAFile,
}

impl Kind {
    /// The stable id of this kind of finding (the `rule` of `--format json`).
    pub fn id(self) -> &'static str {
        match self {
            Kind::Drift => "drift",
            Kind::Missing => "missing-file",
            Kind::Orphaned => "orphaned-file",
            Kind::NotAFile => "not-a-file",
        }
    }
}

/// One finding of `dlgen check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: Kind,
    pub path: PathBuf,
    /// 1-based line the finding points at: the first changed line of a drifted file, 1
    /// otherwise.
    pub line: usize,
    /// The line `dlgen check` prints (for a drift, a one-line description).
    pub message: String,
    /// What to do about it.
    pub fix: String,
    /// For a drift: the unified diff, committed → rendered.
    pub diff: Option<String>,
}

impl Finding {
    fn new(kind: Kind, path: &Path, message: String, fix: String) -> Self {
        Finding {
            kind,
            path: path.to_path_buf(),
            line: 1,
            message,
            fix,
            diff: None,
        }
    }

    /// The finding as `dlgen check` prints it in text: the diff, or the message line.
    pub fn text(&self) -> &str {
        self.diff.as_deref().unwrap_or(&self.message)
    }
}

/// The `*.yaml` / `*.yml` files directly inside `dir`, sorted.
pub fn spec_files(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let entries = fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut specs = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        let is_yaml = path
            .extension()
            .is_some_and(|ext| ext == "yaml" || ext == "yml");
        if is_yaml {
            specs.push(path);
        }
    }
    // All in `dir`: by file name is by path.
    specs.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    Ok(specs)
}

/// What sits where a stack's file goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Committed {
    /// A regular file, read whole.
    File(Vec<u8>),
    /// Nothing.
    Missing,
    /// Something other than a regular file (a directory, a symlink, a pipe): not read.
    NotAFile,
}

/// Reads what is committed at `path`. Only a regular file is read: a pipe would block, a
/// device never end.
pub fn read_committed(path: &Path) -> Result<Committed, Error> {
    if let Ok(meta) = fs::symlink_metadata(path)
        && !meta.is_file()
    {
        return Ok(Committed::NotAFile);
    }
    match fs::read(path) {
        Ok(bytes) => Ok(Committed::File(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Committed::Missing),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Compares rendered stacks with what is on disk.
pub fn compare(generated: &[Generated], stacks_dir: &Path) -> Result<Report, Error> {
    let mut report = Report {
        specs: generated.len(),
        ..Report::default()
    };
    let mut expected: HashSet<PathBuf> = HashSet::new();
    for g in generated {
        let dir = stacks_dir.join(&g.stack);
        expected.extend(g.files.iter().map(|f| dir.join(&f.name)));
        report
            .findings
            .extend(compare_stack(g, stacks_dir, &mut read_committed)?);
    }
    report.findings.extend(orphans(stacks_dir, &expected)?);
    Ok(report)
}

/// The findings of one rendered stack against the disk, file by file, then its
/// `secrets` symlink. `committed(path)` says what sits at each file's path
/// ([`read_committed`], or what the caller already read there).
pub fn compare_stack(
    g: &Generated,
    stacks_dir: &Path,
    committed: &mut dyn FnMut(&Path) -> Result<Committed, Error>,
) -> Result<Vec<Finding>, Error> {
    let mut findings = Vec::new();
    let dir = stacks_dir.join(&g.stack);
    for file in &g.files {
        let path = dir.join(&file.name);
        match committed(&path)? {
            Committed::File(bytes) if bytes == file.bytes() => {}
            Committed::File(bytes) => {
                let committed = String::from_utf8_lossy(&bytes);
                let mut finding = Finding::new(
                    Kind::Drift,
                    &path,
                    format!(
                        "{} differs from what {} renders",
                        path.display(),
                        g.spec_label
                    ),
                    format!("run `dlgen render {}` and commit the result", g.spec_label),
                );
                // A binary file beside the spec differs as a whole: no lines to show.
                if file.binary.is_none() {
                    finding.line = first_changed_line(&committed, &file.contents);
                    finding.diff = Some(diff(&path, &committed, &file.contents));
                }
                findings.push(finding);
            }
            Committed::Missing => findings.push(Finding::new(
                Kind::Missing,
                &path,
                format!(
                    "missing: {} (run `dlgen render {}`)",
                    path.display(),
                    g.spec_label
                ),
                format!("run `dlgen render {}`", g.spec_label),
            )),
            Committed::NotAFile => findings.push(Finding::new(
                Kind::NotAFile,
                &path,
                format!(
                    "not a file: {} is where dlgen writes a file (run `dlgen render {}` once it is moved away)",
                    path.display(),
                    g.spec_label
                ),
                format!("move it away, then run `dlgen render {}`", g.spec_label),
            )),
        }
    }
    let link = dir.join(SECRETS_LINK);
    if !generated::is_secrets_link(&link) {
        findings.push(Finding::new(
            Kind::Missing,
            &link,
            format!(
                "missing: {} -> {SECRETS_TARGET} (run `dlgen render {}`)",
                link.display(),
                g.spec_label
            ),
            format!("run `dlgen render {}`", g.spec_label),
        ));
    }
    Ok(findings)
}

/// Every generated file in the stacks root that is not in `expected`: orphaned, sorted by
/// path. Finding generated files reads the first line of each file, not the file.
pub fn orphans(stacks_dir: &Path, expected: &HashSet<PathBuf>) -> Result<Vec<Finding>, Error> {
    let mut findings = Vec::new();
    for generated::GeneratedFile { path, .. } in generated::generated_files(stacks_dir)? {
        if !expected.contains(&path) {
            findings.push(Finding::new(
                Kind::Orphaned,
                &path,
                format!(
                    "orphaned: {} was generated by dlgen but no spec in the specs directory produces it (remove it, or render with --prune)",
                    path.display()
                ),
                "remove it, or render with --prune".to_owned(),
            ));
        }
    }
    Ok(findings)
}

/// What checking one spec leaves behind once its stack is compared and dropped.
struct Checked {
    stack: String,
    spec_label: String,
    files: Vec<String>,
    findings: Vec<Finding>,
}

/// `dlgen check` of `specs`: each spec is rendered, compared with the disk as soon as it
/// is rendered, and dropped, spread over the cores; only its findings are kept, in spec
/// order, so memory stays flat however many specs there are. Every spec that fails is
/// reported, as `render` reports it (nothing is compared then).
///
/// A rendered file whose text equals the committed bytes is in sync, and its text was
/// parsed and checked by the render that wrote it: it is not parsed again (see
/// [`Renderer::render_with`]; a file with raw HCL of the spec always is). A file that
/// differs is parsed and checked as `render` would before writing it, so `check` fails
/// exactly where `render` would refuse.
pub fn check_specs(
    renderer: &Renderer,
    specs: &[PathBuf],
    stacks_dir: &Path,
) -> Result<Report, Error> {
    let results = par::map(specs, |spec| check_spec(renderer, spec, stacks_dir));
    let mut checked = Vec::with_capacity(results.len());
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(c) => checked.push(c),
            Err(e) => errors.push(e.to_string()),
        }
    }
    if !errors.is_empty() {
        return Err(Error::Message(errors.join("\n\n")));
    }
    let named: Vec<(&str, &str)> = checked
        .iter()
        .map(|c| (c.stack.as_str(), c.spec_label.as_str()))
        .collect();
    generate::reject_duplicate_names(&named)?;
    let mut report = Report {
        specs: checked.len(),
        ..Report::default()
    };
    let mut expected = HashSet::new();
    for c in checked {
        let dir = stacks_dir.join(&c.stack);
        expected.extend(c.files.iter().map(|name| dir.join(name)));
        report.findings.extend(c.findings);
    }
    report.findings.extend(orphans(stacks_dir, &expected)?);
    Ok(report)
}

/// Renders one spec, reading each committed file once: first to decide whether the
/// rendered text needs parsing, then to compare.
fn check_spec(renderer: &Renderer, spec: &Path, stacks_dir: &Path) -> Result<Checked, Error> {
    let mut read: Vec<(PathBuf, Result<Committed, Error>)> = Vec::new();
    let (g, _) = generate::generate_with(renderer, spec, stacks_dir, &mut |stack, name, text| {
        let path = stacks_dir.join(stack).join(name);
        let committed = read_committed(&path);
        let same = matches!(&committed, Ok(Committed::File(bytes)) if bytes == text.as_bytes());
        read.push((path, committed));
        same
    })?;
    let findings = compare_stack(&g, stacks_dir, &mut |path| match read
        .iter()
        .position(|(p, _)| p == path)
    {
        Some(i) => read.swap_remove(i).1,
        None => read_committed(path),
    })?;
    Ok(Checked {
        files: g.files.iter().map(|f| f.name.clone()).collect(),
        stack: g.stack,
        spec_label: g.spec_label,
        findings,
    })
}

/// The 1-based line of `committed` where the first difference from `rendered` starts.
pub fn first_changed_line(committed: &str, rendered: &str) -> usize {
    similar::TextDiff::from_lines(committed, rendered)
        .ops()
        .iter()
        .find(|op| op.tag() != similar::DiffTag::Equal)
        .map_or(1, |op| op.old_range().start + 1)
}

/// A unified diff from the committed file to the rendered one.
pub fn diff(path: &Path, committed: &str, rendered: &str) -> String {
    let name = path.display().to_string();
    let mut out = String::new();
    let _ = write!(
        out,
        "{}",
        similar::TextDiff::from_lines(committed, rendered)
            .unified_diff()
            .context_radius(3)
            .header(
                &format!("{name} (committed)"),
                &format!("{name} (rendered)")
            )
    );
    out
}

/// The outcome of a report: any finding fails the check.
pub fn outcome(report: &Report) -> Outcome {
    if report.findings.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    }
}
