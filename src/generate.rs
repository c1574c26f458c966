//! One spec file through the whole pipeline, in memory: read → YAML → spec → model →
//! rendered, formatted and parsed files. Nothing here touches the stacks directory.

use std::path::Path;

use hcl_edit::structure::Body;

use crate::de;
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::error::Error;
use crate::model;
use crate::paths;
use crate::render::{ParsedFile, RenderError, RenderedFile, Renderer};
use crate::spec::Spec;

/// Specs are short; anything larger is a mistake (or an attack), not a spec.
pub const MAX_SPEC_BYTES: u64 = 1024 * 1024;

/// A rendered stack, ready to be compared or written.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The stack directory name.
    pub stack: String,
    /// How the generated header names the spec.
    pub spec_label: String,
    pub files: Vec<RenderedFile>,
}

/// Reads a spec file as UTF-8 text, with errors that name the file. Only a regular file
/// (or a symlink to one) is read, and at most [`MAX_SPEC_BYTES`] of it: a pipe would block
/// and a device like `/dev/zero` never end.
pub fn read_spec(path: &Path) -> Result<String, Error> {
    use std::io::Read as _;
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(Error::Message(format!(
            "error: {}: is a directory; expected a YAML spec file",
            path.display()
        )));
    }
    if !meta.is_file() {
        return Err(Error::Message(format!(
            "error: {}: is not a regular file (a pipe, socket or device); expected a YAML spec file",
            path.display()
        )));
    }
    let too_big = |len: u64| {
        Error::Message(format!(
            "error: {}: is {len} bytes; a spec is at most {MAX_SPEC_BYTES} bytes",
            path.display()
        ))
    };
    if meta.len() > MAX_SPEC_BYTES {
        return Err(too_big(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut bytes = Vec::new();
    file.take(MAX_SPEC_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > MAX_SPEC_BYTES {
        // It grew after it was measured.
        return Err(too_big(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let col = valid.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
        Error::Message(format!(
            "{}:{line}:{col}: error: the spec is not valid UTF-8 text",
            path.display()
        ))
    })
}

/// Parses and resolves spec `text`; `file` names it in diagnostics. Every problem is
/// reported together: those found while reading the YAML, and those the model finds in
/// the parts that could be read (but not a second one on a node that already failed).
pub fn resolve(file: &str, text: &str) -> Result<model::Stack, Error> {
    resolve_located(file, text).map(|(stack, _)| stack)
}

/// Resolves a spec and renders it, in memory: what `generate` does to a spec's text. A
/// raw HCL snippet that would make the rendered files invalid Terraform is refused at its
/// line in the spec.
pub fn render_text(
    renderer: &Renderer,
    file: &str,
    text: &str,
    spec_label: &str,
) -> Result<(String, Vec<RenderedFile>), Error> {
    let (stack, files) = render_text_with(renderer, file, text, spec_label, &mut |_, _, _| false)?;
    Ok((stack, files.into_iter().map(|p| p.file).collect()))
}

/// [`render_text`], keeping the syntax tree of each file that was parsed, and taking as
/// proven the files for which `proven(stack, file name, text)` says so (see
/// [`Renderer::render_with`]).
pub fn render_text_with(
    renderer: &Renderer,
    file: &str,
    text: &str,
    spec_label: &str,
    proven: &mut dyn FnMut(&str, &str, &str) -> bool,
) -> Result<(String, Vec<ParsedFile>), Error> {
    let (stack, spans) = resolve_located(file, text)?;
    let name = stack.name.as_str();
    match renderer.render_with(&stack, spec_label, &mut |file, text| {
        proven(name, file, text)
    }) {
        Ok(mut files) => {
            // The files beside the spec are copied as they are: nothing to parse.
            files.extend(
                read_spec_files(file, text, &stack, &spans)?
                    .into_iter()
                    .map(|file| ParsedFile { file, body: None }),
            );
            Ok((stack.name, files))
        }
        Err(RenderError::Structure(conflicts)) if conflicts.iter().all(|c| c.origin.is_some()) => {
            let mut diags = Diagnostics::default();
            for c in &conflicts {
                let Some((field, line)) = &c.origin else {
                    continue;
                };
                let mut d =
                    Diagnostic::error(file, crate::structure::message(c)).with_path(field.clone());
                if let Some(span) = spans.nearest(field) {
                    d = d.with_span(line_in_block_scalar(text, span, *line));
                }
                let help = if c.within_raw {
                    "keep one of them".to_owned()
                } else {
                    format!(
                        "{}; raw HCL may only add what dlgen does not generate",
                        crate::structure::hint(c)
                    )
                };
                diags.push(d.with_help(help));
            }
            diags.sort();
            Err(Error::Message(diags.render(text)))
        }
        Err(RenderError::Comments(problems)) => {
            let mut diags = Diagnostics::default();
            for (field, why) in &problems {
                let path = format!("{field}.at");
                let mut d = Diagnostic::error(file, why.clone()).with_path(path.clone());
                if let Some(span) = spans.nearest(&path) {
                    d = d.with_span(span);
                }
                diags.push(d.with_help(
                    "anchor the comment to a block, an attribute or a key the rendered stack holds",
                ));
            }
            diags.sort();
            Err(Error::Message(diags.render(text)))
        }
        Err(e) => Err(Error::Message(format!("error: {file}: {e}"))),
    }
}

/// The directory of the files beside the spec `file`: `specs/app.yaml` → `specs/app/`.
pub fn spec_files_dir(file: &Path) -> std::path::PathBuf {
    file.with_extension("")
}

/// The files beside the spec that the stack reads (`{file: ...}`, `{templatefile: ...}`,
/// `binary_data`), read from the spec's directory of files to be written into the stack
/// directory as they are. Each must be a regular file there (not a symlink, which could
/// lead anywhere), of UTF-8 text unless the stack reads it only with `filebase64()`, at
/// most [`MAX_SPEC_BYTES`]; a problem is reported at the spec field that names the file.
fn read_spec_files(
    file: &str,
    text: &str,
    stack: &model::Stack,
    spans: &de::SpanIndex,
) -> Result<Vec<RenderedFile>, Error> {
    if stack.files.is_empty() {
        return Ok(Vec::new());
    }
    let dir = spec_files_dir(Path::new(file));
    let mut out = Vec::new();
    let mut diags = Diagnostics::default();
    for f in &stack.files {
        let path = dir.join(&f.name);
        let read = match crate::generated::dirs_within(&dir, &f.name) {
            Ok(()) => read_spec_file(&path).and_then(|bytes| match String::from_utf8(bytes) {
                Ok(text) => Ok(RenderedFile::text(&f.name, text)),
                // Read only with `filebase64()`: any bytes.
                Err(e) if f.binary => Ok(RenderedFile {
                    name: f.name.clone(),
                    contents: String::new(),
                    binary: Some(e.into_bytes()),
                }),
                Err(_) => Err(format!("is not UTF-8 text ({})", path.display())),
            }),
            Err(at) => Err(format!(
                "is reached through {}, which is a symlink or not a directory; put the directory itself there",
                at.display()
            )),
        };
        match read {
            Ok(file) => out.push(file),
            Err(why) => {
                let mut d = Diagnostic::error(
                    file,
                    format!("the file `{}` beside the spec {why}", f.name),
                )
                .with_path(f.field.clone())
                .with_help(format!(
                    "files the stack reads sit in {}/ beside the spec, and are written into the stack directory",
                    dir.display()
                ));
                if let Some(span) = spans.nearest(&f.field) {
                    d = d.with_span(span);
                }
                diags.push(d);
            }
        }
    }
    if diags.has_errors() {
        diags.sort();
        return Err(Error::Message(diags.render(text)));
    }
    Ok(out)
}

fn read_spec_file(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read as _;
    let shown = path.display();
    let meta = std::fs::symlink_metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("does not exist ({shown})"),
        _ => format!("cannot be read ({shown}: {e})"),
    })?;
    if meta.file_type().is_symlink() {
        return Err(format!("is a symlink ({shown}); put the file itself there"));
    }
    if !meta.is_file() {
        return Err(format!("is not a regular file ({shown})"));
    }
    if meta.len() > MAX_SPEC_BYTES {
        return Err(format!(
            "is {} bytes ({shown}); a file beside the spec is at most {MAX_SPEC_BYTES} bytes",
            meta.len()
        ));
    }
    let f = std::fs::File::open(path).map_err(|e| format!("cannot be read ({shown}: {e})"))?;
    let mut bytes = Vec::new();
    f.take(MAX_SPEC_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot be read ({shown}: {e})"))?;
    if bytes.len() as u64 > MAX_SPEC_BYTES {
        return Err(format!(
            "grew beyond {MAX_SPEC_BYTES} bytes while it was read ({shown})"
        ));
    }
    Ok(bytes)
}

/// [`resolve`], keeping where each node of the spec is for later diagnostics.
fn resolve_located(file: &str, text: &str) -> Result<(model::Stack, de::SpanIndex), Error> {
    let lossy =
        de::from_str_lossy::<Spec>(file, text).map_err(|d| Error::Message(d.render(text)))?;
    let mut diags = lossy.diagnostics;
    let built = lossy.value.as_ref().map(model::build);
    if let Some(Err(problems)) = &built {
        // A value that failed to read was replaced by a placeholder: the model's opinion
        // of the placeholder is noise.
        let read_errors: Vec<String> = diags.iter().map(|d| d.path.clone()).collect();
        for problem in problems {
            if read_errors.contains(&problem.path) {
                continue;
            }
            let mut d =
                Diagnostic::error(file, problem.message.clone()).with_path(problem.path.clone());
            if let Some(span) = lossy.spans.nearest(&problem.path) {
                d = d.with_span(match problem.line {
                    Some(line) => line_in_block_scalar(text, span, line),
                    None => span,
                });
            }
            if let Some(help) = &problem.help {
                d = d.with_help(help.clone());
            }
            diags.push(d);
        }
    }
    match built {
        Some(Ok(stack)) if !diags.has_errors() => Ok((stack, lossy.spans)),
        _ => {
            diags.sort();
            Err(Error::Message(diags.render(text)))
        }
    }
}

/// The span of line `line` (1-based) of a multi-line value that starts at `span`: a block
/// scalar (`|`) starts on the line after its indicator. A value on one line keeps its span.
fn line_in_block_scalar(text: &str, span: Span, line: usize) -> Span {
    let starts_block = text
        .get(span.offset..)
        .is_some_and(|rest| rest.starts_with('|') || rest.starts_with('>'));
    if !starts_block {
        return span;
    }
    let target = span.line + line;
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == target {
            let indent = l.len() - l.trim_start().len();
            return Span::new(target, indent + 1, offset + indent, l.trim().len());
        }
        offset += l.len();
    }
    span
}

/// Runs `spec_path` through the whole pipeline for a stacks root at `stacks_dir`.
pub fn generate(
    renderer: &Renderer,
    spec_path: &Path,
    stacks_dir: &Path,
) -> Result<Generated, Error> {
    generate_with(renderer, spec_path, stacks_dir, &mut |_, _, _| false).map(|(g, _)| g)
}

/// [`generate`], returning with the stack the syntax tree of each of its files (in the
/// order of [`Generated::files`]; `None` for a file taken as proven: see
/// [`render_text_with`]).
pub fn generate_with(
    renderer: &Renderer,
    spec_path: &Path,
    stacks_dir: &Path,
    proven: &mut dyn FnMut(&str, &str, &str) -> bool,
) -> Result<(Generated, Vec<Option<Body>>), Error> {
    let label = paths::spec_label(spec_path, stacks_dir).map_err(|e| Error::io(spec_path, e))?;
    // The header names the spec, and `render --prune` reads it back: it must show verbatim.
    if crate::hcl::comment_lines(&label) != [format!("# {label}")] {
        return Err(Error::Message(format!(
            "error: {}: the spec's path holds characters a generated header cannot show as they are (line breaks, control or invisible characters, surrounding blanks or `dlgen:allow`)\n  = help: rename the spec file",
            spec_path.display()
        )));
    }
    let text = read_spec(spec_path)?;
    let (stack, parsed) = render_text_with(
        renderer,
        &spec_path.display().to_string(),
        &text,
        &label,
        proven,
    )?;
    let (files, bodies) = parsed.into_iter().map(|p| (p.file, p.body)).unzip();
    Ok((
        Generated {
            stack,
            spec_label: label,
            files,
        },
        bodies,
    ))
}

/// Two specs must not render the same stack.
pub fn reject_duplicate_stacks(generated: &[Generated]) -> Result<(), Error> {
    let named: Vec<(&str, &str)> = generated
        .iter()
        .map(|g| (g.stack.as_str(), g.spec_label.as_str()))
        .collect();
    reject_duplicate_names(&named)
}

/// [`reject_duplicate_stacks`] of `(stack, spec label)` pairs, in spec order: the first
/// stack rendered twice is reported, naming both specs.
pub fn reject_duplicate_names(named: &[(&str, &str)]) -> Result<(), Error> {
    let mut seen: std::collections::HashMap<&str, &str> =
        std::collections::HashMap::with_capacity(named.len());
    for &(stack, label) in named {
        if let Some(first) = seen.insert(stack, label) {
            return Err(Error::Message(format!(
                "error: {first} and {label} both render the stack `{stack}`; give one of them another `name`"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: &str = "name: app\ncontainers:\n  - image: ghcr.io/owner/app:1.0\n    port: 8080\n    resources: {cpu: 10m, memory: 64Mi}\n";

    fn texts(files: &[ParsedFile]) -> Vec<(&str, &str)> {
        files
            .iter()
            .map(|p| (p.file.name.as_str(), p.file.contents.as_str()))
            .collect()
    }

    /// `check` vouches for a rendered file that equals the committed one: such a file is
    /// not parsed again, and comes out the same.
    #[test]
    fn a_proven_file_is_not_parsed_again() {
        let renderer = Renderer::new().expect("templates compile");
        let stack = resolve("specs/app.yaml", APP).expect("the spec resolves");
        let parsed = renderer
            .render_parsed(&stack, "specs/app.yaml")
            .expect("the stack renders");
        assert!(parsed.iter().all(|p| p.body.is_some()));
        let mut asked = Vec::new();
        let proven = renderer
            .render_with(&stack, "specs/app.yaml", &mut |name, text| {
                asked.push(name.to_owned());
                // Only what the render produced is vouched for.
                parsed
                    .iter()
                    .any(|p| p.file.name == name && p.file.contents == text)
            })
            .expect("the stack renders");
        assert_eq!(asked, ["main.tf", "terragrunt.hcl"]);
        assert!(proven.iter().all(|p| p.body.is_none()));
        assert_eq!(texts(&proven), texts(&parsed));
    }

    /// Raw HCL is proven whatever the caller says: a file holding it is always parsed and
    /// checked, so a collision is refused even when the committed text matches.
    #[test]
    fn a_file_with_raw_hcl_is_always_proven() {
        let renderer = Renderer::new().expect("templates compile");
        let spec = format!("{APP}raw:\n  stack: |\n    resource \"null_resource\" \"x\" {{}}\n");
        let stack = resolve("specs/app.yaml", &spec).expect("the spec resolves");
        let files = renderer
            .render_with(&stack, "specs/app.yaml", &mut |_, _| true)
            .expect("the stack renders");
        let bodies: Vec<(&str, bool)> = files
            .iter()
            .map(|p| (p.file.name.as_str(), p.body.is_some()))
            .collect();
        assert_eq!(bodies, [("main.tf", true), ("terragrunt.hcl", false)]);

        let spec =
            format!("{APP}raw:\n  stack: |\n    resource \"kubernetes_service\" \"app\" {{}}\n");
        let stack = resolve("specs/app.yaml", &spec).expect("the spec resolves");
        let refused = renderer.render_with(&stack, "specs/app.yaml", &mut |_, _| true);
        assert!(
            matches!(refused, Err(RenderError::Structure(_))),
            "{refused:?}"
        );
    }

    #[test]
    fn two_specs_for_one_stack_are_named() {
        assert!(reject_duplicate_names(&[("a", "specs/a.yaml"), ("b", "specs/b.yaml")]).is_ok());
        let err = reject_duplicate_names(&[
            ("a", "specs/a.yaml"),
            ("b", "specs/b.yaml"),
            ("a", "specs/c.yaml"),
            ("a", "specs/d.yaml"),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("specs/a.yaml and specs/c.yaml both render the stack `a`"),
            "{err}"
        );
    }
}
