//! The subcommands, each driving the pipeline stages with resolved settings.

use std::path::{Path, PathBuf};

use crate::check;
use crate::error::{Error, Outcome};
use crate::generate::{self, Generated};
use crate::lint;
use crate::par;
use crate::render::Renderer;
use crate::write::{self, Action};

fn renderer() -> Result<Renderer, Error> {
    Renderer::new().map_err(|e| Error::Message(format!("error: {e}")))
}

/// Renders every spec in memory, spread over the cores (specs are independent); reports
/// every failing spec, not only the first, in the order of `specs`.
fn generate_all(specs: &[PathBuf], stacks_dir: &Path) -> Result<Vec<Generated>, Error> {
    let renderer = renderer()?;
    let results = par::map(specs, |spec| {
        generate::generate(&renderer, spec, stacks_dir)
    });
    let mut generated = Vec::with_capacity(specs.len());
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(g) => generated.push(g),
            Err(e) => errors.push(e.to_string()),
        }
    }
    if !errors.is_empty() {
        return Err(Error::Message(errors.join("\n\n")));
    }
    generate::reject_duplicate_stacks(&generated)?;
    Ok(generated)
}

/// Runs every lint rule on the stacks about to be written, as they will sit on disk.
/// Stacks are linted in parallel; findings come in the order of `generated`.
pub fn lint_generated(generated: &[Generated], stacks_dir: &Path) -> Vec<lint::Finding> {
    let cfg = lint::LintConfig::all();
    par::map(generated, |g| {
        let dir = stacks_dir.join(&g.stack);
        let files: Vec<lint::SourceFile> = g
            .files
            .iter()
            .filter(|f| f.name.ends_with(".tf"))
            .map(|f| lint::SourceFile::new(dir.join(f.name), f.contents.clone()))
            .collect();
        lint::lint_files(&files, &cfg)
    })
    .into_iter()
    .flatten()
    .collect()
}

/// `dlgen render SPEC...`: all specs are rendered, linted and every target inspected before
/// the first byte is written; a failure anywhere leaves the stacks untouched. A lint error
/// in what would be written is a finding (exit 1) and nothing is written; warnings are
/// printed and the stacks written.
pub fn render(specs: &[PathBuf], stacks_dir: &Path, force: bool) -> Result<Outcome, Error> {
    let generated = generate_all(specs, stacks_dir)?;
    let findings = lint_generated(&generated, stacks_dir);
    for finding in &findings {
        eprintln!("{finding}");
    }
    if findings.iter().any(lint::Finding::is_error) {
        eprintln!(
            "dlgen render: nothing written: the rendered stacks break lint rules at error level"
        );
        return Ok(Outcome::Findings);
    }
    let mut actions = Vec::new();
    for g in &generated {
        actions.extend(write::plan(stacks_dir, &g.stack, &g.files, force)?);
    }
    let changed = actions
        .iter()
        .filter(|a| matches!(a, Action::Write { .. } | Action::Symlink { .. }))
        .count();
    for line in write::apply(&actions)? {
        println!("{line}");
    }
    if changed == 0 {
        println!(
            "nothing to do: {} stack{} already up to date",
            generated.len(),
            if generated.len() == 1 { "" } else { "s" }
        );
    }
    Ok(Outcome::Clean)
}

/// `dlgen check`: drift between specs and committed stacks.
pub fn check(specs_dir: &Path, stacks_dir: &Path) -> Result<Outcome, Error> {
    let specs = check::spec_files(specs_dir)?;
    let generated = generate_all(&specs, stacks_dir)?;
    let report = check::compare(&generated, stacks_dir)?;
    Ok(check::print(&report))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::RenderedFile;

    #[test]
    fn the_lint_gate_sees_what_would_be_written() {
        let g = Generated {
            stack: "app".to_owned(),
            spec_label: "specs/app.yaml".to_owned(),
            files: vec![RenderedFile {
                name: "main.tf",
                contents: "module \"ingress\" {\n  auth = \"app\"\n}\n".to_owned(),
            }],
        };
        let findings = lint_generated(&[g], Path::new("stacks"));
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].rule, "auth-comment");
        assert!(findings[0].is_error());
        assert_eq!(findings[0].path, Path::new("stacks/app/main.tf"));
    }
}
