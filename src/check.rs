//! `dlgen check`: render every spec in memory and compare with the committed stacks.
//!
//! Drift is reported as a unified diff per differing file (committed → rendered), with
//! missing and orphaned generated files named. Nothing is written.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Outcome};
use crate::generate::Generated;
use crate::generated::{self, SECRETS_LINK, SECRETS_TARGET};

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
    specs.sort();
    Ok(specs)
}

/// Compares rendered stacks with what is on disk.
pub fn compare(generated: &[Generated], stacks_dir: &Path) -> Result<Report, Error> {
    let mut report = Report {
        specs: generated.len(),
        ..Report::default()
    };
    let mut expected: BTreeSet<PathBuf> = BTreeSet::new();
    for g in generated {
        let dir = stacks_dir.join(&g.stack);
        for file in &g.files {
            let path = dir.join(&file.name);
            expected.insert(path.clone());
            // Only a regular file is read: a pipe would block, a device never end.
            if let Ok(meta) = fs::symlink_metadata(&path)
                && !meta.is_file()
            {
                report.findings.push(Finding::new(
                    Kind::NotAFile,
                    &path,
                    format!(
                        "not a file: {} is where dlgen writes a file (run `dlgen render {}` once it is moved away)",
                        path.display(),
                        g.spec_label
                    ),
                    format!("move it away, then run `dlgen render {}`", g.spec_label),
                ));
                continue;
            }
            match fs::read(&path) {
                Ok(bytes) if bytes == file.contents.as_bytes() => {}
                Ok(bytes) => {
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
                    finding.line = first_changed_line(&committed, &file.contents);
                    finding.diff = Some(diff(&path, &committed, &file.contents));
                    report.findings.push(finding);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    report.findings.push(Finding::new(
                        Kind::Missing,
                        &path,
                        format!(
                            "missing: {} (run `dlgen render {}`)",
                            path.display(),
                            g.spec_label
                        ),
                        format!("run `dlgen render {}`", g.spec_label),
                    ));
                }
                Err(e) => return Err(Error::io(&path, e)),
            }
        }
        let link = dir.join(SECRETS_LINK);
        if !generated::is_secrets_link(&link) {
            report.findings.push(Finding::new(
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
    }
    for generated::GeneratedFile { path, .. } in generated::generated_files(stacks_dir)? {
        if !expected.contains(&path) {
            report.findings.push(Finding::new(
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
    Ok(report)
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
