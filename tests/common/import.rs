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
    // The Terraform files; the files they read (of any bytes) come from the stack.
    let rendered = Stack::from_memory(
        "rendered",
        Some(dir),
        rendered_tf(r, &got)
            .into_iter()
            .map(|(name, text)| (PathBuf::from(name), text)),
    )
    .expect("reads");
    let result = compare(&rendered, &Stack::read(dir).expect("reads"));
    assert!(result.is_equal(), "{result}\n{}", got.yaml);
    got
}

/// The Terraform files (`.tf`, `.hcl`) the imported spec renders, with the files it
/// keeps beside it written where the renderer reads them.
pub fn rendered_tf(r: &Renderer, got: &Imported) -> Vec<(String, String)> {
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
    files
        .into_iter()
        .filter(|f| f.name.ends_with(".tf") || f.name.ends_with(".hcl"))
        .map(|f| (f.name, f.contents))
        .collect()
}

/// Copies the directory `from` (files and subdirectories) to `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()));
        } else {
            fs::copy(&path, to.join(entry.file_name())).expect("copy");
        }
    }
}

/// The comment blocks of the stack in `dir` (its `.tf` and `.hcl` files) that the stack
/// rendered from `yaml` (the spec `dlgen import` wrote for it) does not carry: what an
/// adoption followed by `dlgen render --force` would delete. A block is a run of comment
/// lines (whole-line or trailing), compared with whitespace normalised so that a reason
/// re-wrapped by the renderer still counts; a block that starts with a lifecycle marker
/// (`KYVERNO_LIFECYCLE_V1`, `KEEL_IGNORE_IMAGE`, …) is the convention when the rendered
/// stack writes that marker too.
pub fn lost_comments(dir: &Path, r: &Renderer, got: &Imported) -> Vec<String> {
    let rendered: Vec<String> = rendered_tf(r, got)
        .iter()
        .flat_map(|(_, text)| comment_blocks(text))
        .collect();
    let all = rendered.join(" ");
    let mut names: Vec<PathBuf> = fs::read_dir(dir)
        .expect("stack dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "tf" || e == "hcl"))
        .collect();
    names.sort();
    let mut lost = Vec::new();
    for path in names {
        let text = fs::read_to_string(&path).expect("read");
        if text.starts_with("# Generated by Terragrunt") {
            continue;
        }
        for block in comment_blocks(&text) {
            let marker = block.split([':', ' ']).next().filter(|w| {
                w.len() > 3
                    && w.chars()
                        .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
            });
            let kept = match marker {
                Some(m) if m != "DRIFT_WORKAROUND" => all.contains(m),
                _ => all.contains(&block),
            };
            if !kept {
                lost.push(block);
            }
        }
    }
    lost
}

/// The comment blocks of an HCL text, each a run of comment lines on consecutive lines
/// joined by single spaces (heredoc bodies and strings are not comments).
fn comment_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let mut heredoc: Option<String> = None;
    for line in text.lines() {
        if let Some(end) = &heredoc {
            if line.trim() == end {
                heredoc = None;
            }
            continue;
        }
        let comment = line_comment(line);
        if let Some(at) = line.find("<<") {
            let tag: String = line[at + 2..]
                .trim_start_matches('-')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !tag.is_empty() && comment.as_ref().is_none_or(|(i, _)| at < *i) {
                heredoc = Some(tag);
            }
        }
        match comment {
            // A comment after code on its line stands alone.
            Some((i, c)) if !c.is_empty() && !line[..i].trim().is_empty() => {
                if !current.is_empty() {
                    blocks.push(current.join(" "));
                    current.clear();
                }
                blocks.push(c);
            }
            Some((_, c)) if !c.is_empty() => current.push(c),
            _ => {
                if !current.is_empty() {
                    blocks.push(current.join(" "));
                    current.clear();
                }
            }
        }
    }
    if !current.is_empty() {
        blocks.push(current.join(" "));
    }
    blocks
        .into_iter()
        .map(|b| b.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// The comment of one line (`#` or `//` outside a string), with its byte offset.
fn line_comment(line: &str) -> Option<(usize, String)> {
    let bytes = line.as_bytes();
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b'#' if !in_string => return Some((i, line[i + 1..].trim().to_owned())),
            b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => {
                return Some((i, line[i + 2..].trim().to_owned()));
            }
            _ => {}
        }
        i += 1;
    }
    None
}
