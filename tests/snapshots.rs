//! Reviewed snapshots of every rendered stack: the bundled specs and the test fixtures.
//! A change to a template or the model shows up here as a reviewable diff of the output.
//! Snapshots live in the top-level `snapshots/` directory.

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

#[test]
fn bundled_specs() {
    insta::glob!(
        concat!(env!("CARGO_MANIFEST_DIR"), "/specs"),
        "*.yaml",
        snapshot
    );
}

#[test]
fn fixture_specs() {
    insta::glob!("fixtures/specs/*.yaml", snapshot);
}
