//! Shared helpers of the `dlgen import` tests: a hand-written-style stack rendered from
//! the bundled drone-logbook spec plus extra fields, and an import that must be
//! reproducible, proved again independently of the command's own check.

use std::fs;
use std::path::{Path, PathBuf};

use super::ROOT;
use dlgen::generate::render_text;
use dlgen::import::{Failure, Imported, import};
use dlgen::planeq::{Stack, compare};
use dlgen::render::Renderer;

pub fn renderer() -> Renderer {
    Renderer::new().expect("templates load")
}

/// The bundled drone-logbook spec with `extra` appended, rendered into
/// `<tmp>/stacks/<name>/`: the stack's directory and its `main.tf`.
pub fn stack_of(r: &Renderer, tmp: &Path, extra: &str) -> (PathBuf, String) {
    stack_with_files(r, tmp, extra, &[])
}

/// As [`stack_of`], with `files` written beside the spec (the files a stack reads).
pub fn stack_with_files(
    r: &Renderer,
    tmp: &Path,
    extra: &str,
    files: &[(&str, &[u8])],
) -> (PathBuf, String) {
    let text = fs::read_to_string(Path::new(ROOT).join("specs/drone-logbook.yaml")).expect("spec");
    let text = format!("{text}{extra}");
    let spec = tmp.join("specs/spec.yaml");
    let beside = dlgen::generate::spec_files_dir(&spec);
    for (name, bytes) in files {
        let path = beside.join(name);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, bytes).expect("write");
    }
    let (name, rendered) = render_text(r, &spec.display().to_string(), &text, "specs/spec.yaml")
        .unwrap_or_else(|e| panic!("{e}"));
    let dir = tmp.join("stacks").join(&name);
    for f in &rendered {
        let path = dir.join(&f.name);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(&path, f.bytes()).expect("write");
    }
    let main_tf = fs::read_to_string(dir.join("main.tf")).expect("main.tf");
    (dir, main_tf)
}

/// Imports `dir` (it must be reproducible) and checks independently that the imported
/// spec renders a stack plan-equal to it.
pub fn imported(dir: &Path, r: &Renderer) -> Imported {
    let got = match import(dir, r) {
        Ok(i) => i,
        Err(Failure::Error(e)) => panic!("{}: {e}", dir.display()),
        Err(Failure::NotReproducible { lines, .. }) => {
            panic!("{}: not reproducible:\n{}", dir.display(), lines.join("\n"))
        }
    };
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = tmp.path().join(format!("{}.yaml", got.name));
    let beside = dlgen::generate::spec_files_dir(&spec);
    for (file, bytes) in &got.files {
        let path = beside.join(file);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, bytes).expect("write");
    }
    let (_, files) = render_text(r, &spec.display().to_string(), &got.yaml, "specs/x.yaml")
        .unwrap_or_else(|e| panic!("{e}\n{}", got.yaml));
    // The Terraform files; the files they read (of any bytes) come from the stack.
    let rendered = Stack::from_memory(
        "rendered",
        Some(dir),
        files
            .iter()
            .filter(|f| f.name.ends_with(".tf") || f.name.ends_with(".hcl"))
            .map(|f| (PathBuf::from(&f.name), f.contents.clone())),
    )
    .expect("reads");
    let result = compare(&rendered, &Stack::read(dir).expect("reads"));
    assert!(result.is_equal(), "{result}\n{}", got.yaml);
    got
}
