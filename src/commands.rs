//! The subcommands, each driving the pipeline stages with resolved settings.

use std::path::{Path, PathBuf};

use crate::check;
use crate::error::{Error, Outcome};
use crate::generate::{self, Generated};
use crate::render::Renderer;
use crate::write::{self, Action};

fn renderer() -> Result<Renderer, Error> {
    Renderer::new().map_err(|e| Error::Message(format!("error: {e}")))
}

/// Renders every spec in memory; reports every failing spec, not only the first.
fn generate_all(specs: &[PathBuf], stacks_dir: &Path) -> Result<Vec<Generated>, Error> {
    let renderer = renderer()?;
    let mut generated = Vec::with_capacity(specs.len());
    let mut errors = Vec::new();
    for spec in specs {
        match generate::generate(&renderer, spec, stacks_dir) {
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

/// `dlgen render SPEC...`: all specs are rendered and every target inspected before the
/// first byte is written; a failure anywhere leaves the stacks untouched.
pub fn render(specs: &[PathBuf], stacks_dir: &Path, force: bool) -> Result<Outcome, Error> {
    let generated = generate_all(specs, stacks_dir)?;
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
