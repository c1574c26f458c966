//! Reviewed snapshots of every rendered stack and of every resolved model: the bundled
//! specs and the test fixtures. A change to a template shows up as a diff of the output
//! alone; a change to the model (a default, a name, an object) as a diff of the model
//! too. Snapshots live in the top-level `snapshots/` directory.

use std::path::Path;

use dlgen::render::Renderer;

fn render(spec: &Path) -> Vec<dlgen::render::RenderedFile> {
    let renderer = Renderer::new().expect("templates compile");
    // The stacks root sits next to `specs/` (and next to `tests/fixtures/specs/`), so the
    // header names `specs/<file>` in both cases.
    let stacks = spec.parent().unwrap().parent().unwrap().join("stacks");
    dlgen::generate::generate(&renderer, spec, &stacks)
        .unwrap_or_else(|e| panic!("{}: {e}", spec.display()))
        .files
}

fn snapshot(spec: &Path) {
    let name = spec.file_stem().unwrap().to_string_lossy().into_owned();
    let text = std::fs::read_to_string(spec).unwrap();
    let model = dlgen::generate::resolve(&spec.display().to_string(), &text)
        .unwrap_or_else(|e| panic!("{}: {e}", spec.display()));
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_debug_snapshot!(format!("{name}__model"), model);
    });
    for file in render(spec) {
        insta::with_settings!({
            snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(format!("{name}__{}", file.name), file.contents);
        });
    }
}

/// The `*.yaml` files of `dir` (relative to the project root), sorted. Snapshot names are
/// `<spec stem>__<file>`, stable however many specs there are.
fn specs_in(dir: &str) -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut specs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    specs.sort();
    assert!(!specs.is_empty(), "no specs in {}", dir.display());
    specs
}

#[test]
fn bundled_specs() {
    specs_in("specs").iter().for_each(|s| snapshot(s));
}

#[test]
fn fixture_specs() {
    specs_in("tests/fixtures/specs")
        .iter()
        .for_each(|s| snapshot(s));
}
