//! One spec file through the whole pipeline, in memory: read → YAML → spec → model →
//! rendered, formatted and parsed files. Nothing here touches the stacks directory.

use std::path::Path;

use crate::de;
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::error::Error;
use crate::model;
use crate::paths;
use crate::render::{RenderError, RenderedFile, Renderer};
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
    let (stack, spans) = resolve_located(file, text)?;
    match renderer.render(&stack, spec_label) {
        Ok(mut files) => {
            files.extend(read_spec_files(file, text, &stack, &spans)?);
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
        Err(e) => Err(Error::Message(format!("error: {file}: {e}"))),
    }
}

/// The directory of the files beside the spec `file`: `specs/app.yaml` → `specs/app/`.
pub fn spec_files_dir(file: &Path) -> std::path::PathBuf {
    file.with_extension("")
}

/// The files beside the spec that the stack reads (`{file: ...}`, `{templatefile: ...}`),
/// read from the spec's directory of files to be written into the stack directory as they
/// are. Each must be a regular file there (not a symlink, which could lead anywhere), of
/// UTF-8 text, at most [`MAX_SPEC_BYTES`]; a problem is reported at the spec field that
/// names the file.
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
        match read_spec_file(&path) {
            Ok(contents) => out.push(RenderedFile {
                name: f.name.clone(),
                contents,
            }),
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

fn read_spec_file(path: &Path) -> Result<String, String> {
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
    String::from_utf8(bytes).map_err(|_| format!("is not UTF-8 text ({shown})"))
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
    let label = paths::spec_label(spec_path, stacks_dir).map_err(|e| Error::io(spec_path, e))?;
    // The header names the spec, and `render --prune` reads it back: it must show verbatim.
    if crate::hcl::comment_lines(&label) != [format!("# {label}")] {
        return Err(Error::Message(format!(
            "error: {}: the spec's path holds characters a generated header cannot show as they are (line breaks, control or invisible characters, surrounding blanks or `dlgen:allow`)\n  = help: rename the spec file",
            spec_path.display()
        )));
    }
    let text = read_spec(spec_path)?;
    let (stack, files) = render_text(renderer, &spec_path.display().to_string(), &text, &label)?;
    Ok(Generated {
        stack,
        spec_label: label,
        files,
    })
}

/// Two specs must not render the same stack.
pub fn reject_duplicate_stacks(generated: &[Generated]) -> Result<(), Error> {
    for (i, a) in generated.iter().enumerate() {
        if let Some(b) = generated[..i].iter().find(|b| b.stack == a.stack) {
            return Err(Error::Message(format!(
                "error: {} and {} both render the stack `{}`; give one of them another `name`",
                b.spec_label, a.spec_label, a.stack
            )));
        }
    }
    Ok(())
}
