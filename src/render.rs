//! Rendering: the model laid out by minijinja templates, then formatted and parsed.
//!
//! The templates under `templates/` are embedded in the binary at build time, so dlgen
//! works from any directory. In `.tf`/`.hcl` templates every `{{ value }}` is printed as an
//! HCL literal by a custom auto-escape formatter: a string becomes a quoted, escaped string;
//! a number, boolean, list or map its HCL form; only [`Expr`](crate::model::Expr) values —
//! references built by dlgen — are printed raw. A template cannot forget to escape a value.
//! Filters:
//! - `hcl`: the same literal, explicitly;
//! - `key`: an object key (bare identifier or quoted string);
//! - `ident`: an identifier built by dlgen (an argument or block name), refused otherwise;
//! - `comment`: free text as `#` comment lines (a newline never ends the comment);
//! - `trailing_comment`: free text folded into one ` # …` comment;
//! - `suppression(rule)`: a `# dlgen:allow <rule> <why>` lint suppression for a reason;
//! - `heredoc`: a `<<-EOT` heredoc whose body escapes `${`/`%{` and whose terminator no
//!   body line can match, or a quoted string where a heredoc would not yield the text
//!   exactly (see [`hcl::heredoc`]).

use std::fmt::Write as _;

use minijinja::value::{Serde, Value, ValueKind};
use minijinja::{AutoEscape, Environment, ErrorKind, State, UndefinedBehavior};

use crate::format;
use crate::hcl;
use crate::model::{BlockKind, Call, Obj, Stack};
use crate::structure;

/// Every stack template, embedded at build time: (name, source). One template per object
/// kind (`objects/`), shared parts (`parts/`), and the two files of a stack. (The jobs'
/// shell scripts are rendered into the model: see `model::SCRIPTS`.)
pub const TEMPLATES: &[(&str, &str)] = &[
    ("main.tf", include_str!("../templates/main.tf")),
    (
        "terragrunt.hcl",
        include_str!("../templates/terragrunt.hcl"),
    ),
    (
        "objects/variable.tf",
        include_str!("../templates/objects/variable.tf"),
    ),
    (
        "objects/vault_secret.tf",
        include_str!("../templates/objects/vault_secret.tf"),
    ),
    (
        "objects/namespace.tf",
        include_str!("../templates/objects/namespace.tf"),
    ),
    (
        "objects/external_secret.tf",
        include_str!("../templates/objects/external_secret.tf"),
    ),
    (
        "objects/secret_data.tf",
        include_str!("../templates/objects/secret_data.tf"),
    ),
    (
        "objects/locals.tf",
        include_str!("../templates/objects/locals.tf"),
    ),
    (
        "objects/module_call.tf",
        include_str!("../templates/objects/module_call.tf"),
    ),
    (
        "objects/pvc.tf",
        include_str!("../templates/objects/pvc.tf"),
    ),
    (
        "objects/deployment.tf",
        include_str!("../templates/objects/deployment.tf"),
    ),
    (
        "objects/cron_job.tf",
        include_str!("../templates/objects/cron_job.tf"),
    ),
    (
        "objects/job.tf",
        include_str!("../templates/objects/job.tf"),
    ),
    (
        "objects/service.tf",
        include_str!("../templates/objects/service.tf"),
    ),
    (
        "objects/moved.tf",
        include_str!("../templates/objects/moved.tf"),
    ),
    (
        "objects/import.tf",
        include_str!("../templates/objects/import.tf"),
    ),
    (
        "objects/raw_blocks.tf",
        include_str!("../templates/objects/raw_blocks.tf"),
    ),
    (
        "objects/config_map.tf",
        include_str!("../templates/objects/config_map.tf"),
    ),
    (
        "objects/secret.tf",
        include_str!("../templates/objects/secret.tf"),
    ),
    (
        "objects/random.tf",
        include_str!("../templates/objects/random.tf"),
    ),
    (
        "objects/service_account.tf",
        include_str!("../templates/objects/service_account.tf"),
    ),
    (
        "objects/role.tf",
        include_str!("../templates/objects/role.tf"),
    ),
    (
        "objects/role_binding.tf",
        include_str!("../templates/objects/role_binding.tf"),
    ),
    (
        "objects/resource_quota.tf",
        include_str!("../templates/objects/resource_quota.tf"),
    ),
    (
        "objects/manifest.tf",
        include_str!("../templates/objects/manifest.tf"),
    ),
    (
        "objects/disruption_budget.tf",
        include_str!("../templates/objects/disruption_budget.tf"),
    ),
    (
        "objects/limit_range.tf",
        include_str!("../templates/objects/limit_range.tf"),
    ),
    (
        "objects/network_policy.tf",
        include_str!("../templates/objects/network_policy.tf"),
    ),
    ("parts/raw.tf", include_str!("../templates/parts/raw.tf")),
    (
        "parts/lifecycle.tf",
        include_str!("../templates/parts/lifecycle.tf"),
    ),
    (
        "parts/metadata.tf",
        include_str!("../templates/parts/metadata.tf"),
    ),
    ("parts/pod.tf", include_str!("../templates/parts/pod.tf")),
    (
        "parts/depends_on.tf",
        include_str!("../templates/parts/depends_on.tf"),
    ),
    (
        "parts/job_spec.tf",
        include_str!("../templates/parts/job_spec.tf"),
    ),
    (
        "parts/affinity_term.tf",
        include_str!("../templates/parts/affinity_term.tf"),
    ),
    (
        "parts/container.tf",
        include_str!("../templates/parts/container.tf"),
    ),
    (
        "parts/probe.tf",
        include_str!("../templates/parts/probe.tf"),
    ),
    (
        "parts/volume.tf",
        include_str!("../templates/parts/volume.tf"),
    ),
    (
        "parts/label_selector.tf",
        include_str!("../templates/parts/label_selector.tf"),
    ),
    (
        "parts/policy_rule.tf",
        include_str!("../templates/parts/policy_rule.tf"),
    ),
];

/// The files of one stack, in the order they are written, with paths relative to the
/// stack directory.
pub const STACK_FILES: [&str; 2] = ["main.tf", "terragrunt.hcl"];

/// A rendered, formatted file of a stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFile {
    /// Path relative to the stack directory.
    pub name: String,
    pub contents: String,
    /// The bytes of a file beside the spec that is not UTF-8 text (the stack reads it
    /// only with `filebase64()`); `contents` is then empty.
    pub binary: Option<Vec<u8>>,
}

impl RenderedFile {
    /// A file of text.
    pub fn text(name: impl Into<String>, contents: impl Into<String>) -> RenderedFile {
        RenderedFile {
            name: name.into(),
            contents: contents.into(),
            binary: None,
        }
    }

    /// What is written to disk.
    pub fn bytes(&self) -> &[u8] {
        self.binary.as_deref().unwrap_or(self.contents.as_bytes())
    }
}

/// Why rendering failed. A template or format error is a bug in dlgen (the model is valid
/// by construction), so the messages say so; a structural conflict comes from raw HCL of
/// the spec, and is reported at the spec's line by the caller.
#[derive(Debug)]
pub enum RenderError {
    Template(minijinja::Error),
    Format {
        file: &'static str,
        error: format::FormatError,
    },
    /// What `terraform validate` would refuse: an attribute set twice, a second singleton
    /// block, an address declared twice.
    Structure(Vec<structure::Conflict>),
    /// Anchored comments (`comments:`) that lead nowhere or cannot go where they lead:
    /// (spec field, why).
    Comments(Vec<(String, String)>),
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenderError::Template(err) => {
                write!(
                    f,
                    "template error (a bug in dlgen, please report it): {err:#}"
                )?;
                // An error inside an include is the source of the include's error.
                let mut cause = std::error::Error::source(err);
                while let Some(c) = cause {
                    write!(f, "\ncaused by: {c}")?;
                    cause = c.source();
                }
                Ok(())
            }
            RenderError::Format { file, error } => write!(
                f,
                "rendered {file} is not valid HCL (a bug in dlgen, please report it): {error}"
            ),
            RenderError::Comments(problems) => {
                for (i, (field, why)) in problems.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "`{field}.at`: {why}")?;
                }
                Ok(())
            }
            RenderError::Structure(conflicts) => {
                for (i, c) in conflicts.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    match &c.origin {
                        Some((field, line)) => write!(
                            f,
                            "{} (raw HCL of `{field}`, snippet line {line})",
                            structure::message(c)
                        )?,
                        None => write!(
                            f,
                            "rendered {} is not valid Terraform (a bug in dlgen, please report it): {}",
                            c.file,
                            structure::message(c)
                        )?,
                    }
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for RenderError {}

impl From<minijinja::Error> for RenderError {
    fn from(err: minijinja::Error) -> Self {
        RenderError::Template(err)
    }
}

/// The template environment; build it once and render many stacks with it.
pub struct Renderer {
    env: Environment<'static>,
}

impl Renderer {
    /// Builds the environment and compiles every embedded template once.
    pub fn new() -> Result<Self, RenderError> {
        let mut env = Environment::new();
        env.set_syntax(
            minijinja::syntax::SyntaxConfig::builder()
                .trim_blocks(true)
                .lstrip_blocks(true)
                .keep_trailing_newline(true)
                .build()?,
        );
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".tf") || name.ends_with(".hcl") {
                AutoEscape::Custom("hcl".into())
            } else {
                AutoEscape::None
            }
        });
        env.set_formatter(hcl_formatter);
        env.add_filter("hcl", |v: Value| -> Result<Value, minijinja::Error> {
            Ok(Value::from_safe_string(literal(&v)?))
        });
        env.add_filter("key", |s: &str| Value::from_safe_string(hcl::key(s)));
        env.add_filter("ident", |s: &str| -> Result<Value, minijinja::Error> {
            if hcl::is_identifier(s) {
                Ok(Value::from_safe_string(s.to_owned()))
            } else {
                Err(minijinja::Error::new(
                    ErrorKind::InvalidOperation,
                    format!("`{s}` is not an identifier"),
                ))
            }
        });
        env.add_filter("comment", |s: &str| {
            Value::from_safe_string(hcl::comment(s))
        });
        env.add_filter("trailing_comment", |s: &str| {
            Value::from_safe_string(format!("# {}", hcl::one_line(s)))
        });
        env.add_filter("suppression", |why: &str, rule: &str| {
            Value::from_safe_string(hcl::suppression(rule, why))
        });
        // A raw HCL snippet from the spec, validated by the model to parse on its own.
        env.add_filter("raw_hcl", |s: String| Value::from_safe_string(s));
        env.add_filter("heredoc", |s: &str| {
            Value::from_safe_string(hcl::heredoc(s))
        });
        // A variable declared on one line: not sensitive, no default, no description.
        env.add_test("one_line_variable", |body: Value| {
            let attr = |key: &str| body.get_attr(key).ok().filter(|v| !v.is_undefined());
            attr("kind").is_some_and(|k| k.as_str() == Some("variable"))
                && !attr("sensitive").is_some_and(|s| s.is_true())
                && attr("default").is_none_or(|d| d.is_none())
                && attr("description").is_none_or(|d| d.is_none())
        });
        // Templates are compiled when first used: a stack compiles only the object kinds
        // it has, and a one-spec render does not pay for the others (a third of its
        // instructions). A test compiles every one of them.
        env.set_loader(|name| {
            Ok(TEMPLATES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, source)| (*source).to_owned()))
        });
        Ok(Renderer { env })
    }

    /// Renders, formats and parses every file of `stack`. `spec_label` names the spec in
    /// the generated header.
    pub fn render(
        &self,
        stack: &Stack,
        spec_label: &str,
    ) -> Result<Vec<RenderedFile>, RenderError> {
        Ok(self
            .render_parsed(stack, spec_label)?
            .into_iter()
            .map(|p| p.file)
            .collect())
    }

    /// [`Renderer::render`], keeping the syntax tree of every file: the one parse that
    /// proves a file valid also serves the stages after it (lint), which need not parse
    /// the text again.
    pub fn render_parsed(
        &self,
        stack: &Stack,
        spec_label: &str,
    ) -> Result<Vec<ParsedFile>, RenderError> {
        self.render_with(stack, spec_label, &mut |_, _| false)
    }

    /// Renders and formats every file of `stack`, and proves each one valid — it parses,
    /// and [`structure::check`] finds nothing `terraform validate` would refuse — unless
    /// `proven(name, text)` says that the text is already proven: it is byte-identical to a
    /// file that a render parsed and checked before writing it (`check` asks this of the
    /// committed file). A file holding raw HCL of the spec is always proven here, whatever
    /// `proven` says: the templates' output is valid by construction, raw HCL is not, and
    /// the structural rules may have grown since that file was written. A file taken as
    /// proven has no syntax tree ([`ParsedFile::body`] is `None`) and is never written by
    /// dlgen (it already holds that text): nothing unparsable is ever written.
    pub fn render_with(
        &self,
        stack: &Stack,
        spec_label: &str,
        proven: &mut dyn FnMut(&str, &str) -> bool,
    ) -> Result<Vec<ParsedFile>, RenderError> {
        let header = crate::generated::header(spec_label);
        let ctx = context(&header, stack);
        let sites = stack.raw_sites();
        let mut conflicts = Vec::new();
        let mut files = Vec::with_capacity(STACK_FILES.len());
        let mut placed: Vec<Option<Result<(), String>>> = vec![None; stack.comments.len()];
        for &name in &STACK_FILES {
            let raw = self.unformatted(name, &ctx, stack, &mut placed)?;
            let formatted = format::format_generated(&raw).and_then(|formatted| {
                let has_raw = sites.iter().any(|s| s.file == name);
                let body = if !has_raw && proven(name, &formatted.text) {
                    None
                } else {
                    Some(formatted.parse()?)
                };
                Ok((formatted.text, body))
            });
            let (contents, body) = match formatted {
                Ok(done) => done,
                Err(error) => {
                    // A raw attribute that repeats a generated one makes the file
                    // unparsable: find it, or it is a bug.
                    let found = self.raw_attribute_collisions(stack, name, &header, &sites);
                    if found.is_empty() {
                        return Err(RenderError::Format { file: name, error });
                    }
                    conflicts.extend(found);
                    continue;
                }
            };
            if let Some(body) = &body {
                conflicts.extend(structure::check(
                    name,
                    body,
                    &sites,
                    name == "terragrunt.hcl",
                ));
            }
            files.push(ParsedFile {
                file: RenderedFile::text(name, contents),
                body,
            });
        }
        let unplaced = unplaced(stack, placed);
        if !conflicts.is_empty() {
            Err(RenderError::Structure(conflicts))
        } else if !unplaced.is_empty() {
            Err(RenderError::Comments(unplaced))
        } else {
            Ok(files)
        }
    }

    /// Whether `stack` renders exactly `reference` (what [`Renderer::render`] gave for a
    /// stack): file by file, stopping at the first difference. A file identical to one
    /// that a render proved is valid as well, so nothing is parsed: this is the cheap
    /// question asked of the many variants of one spec that import tries.
    pub fn renders_as(&self, stack: &Stack, spec_label: &str, reference: &[RenderedFile]) -> bool {
        let header = crate::generated::header(spec_label);
        let ctx = context(&header, stack);
        let mut placed: Vec<Option<Result<(), String>>> = vec![None; stack.comments.len()];
        reference.len() == STACK_FILES.len()
            && STACK_FILES.iter().zip(reference).all(|(&name, expected)| {
                name == expected.name
                    && self
                        .unformatted(name, &ctx, stack, &mut placed)
                        .ok()
                        .and_then(|raw| format::format_generated(&raw).ok())
                        .is_some_and(|formatted| formatted.text == expected.contents)
            })
            && unplaced(stack, placed).is_empty()
    }

    /// File `name` as its template writes it, with the spec's anchored comments placed
    /// (recording in `placed` which were), not yet formatted.
    fn unformatted(
        &self,
        name: &str,
        ctx: &Value,
        stack: &Stack,
        placed: &mut [Option<Result<(), String>>],
    ) -> Result<String, RenderError> {
        let raw = self.env.get_template(name)?.render(ctx)?;
        Ok(if !stack.comments.is_empty() && name.ends_with(".tf") {
            place_comments(&raw, &stack.comments, placed)
        } else {
            raw
        })
    }
}

/// The anchored comments of `stack` that no file placed, each with its field and why.
fn unplaced(stack: &Stack, placed: Vec<Option<Result<(), String>>>) -> Vec<(String, String)> {
    stack
        .comments
        .iter()
        .zip(placed)
        .filter_map(|(c, outcome)| match outcome {
            Some(Ok(())) => None,
            Some(Err(why)) => Some((c.field.clone(), format!("`{}`: {why}", c.anchor))),
            None => Some((
                c.field.clone(),
                format!(
                    "`{}` is not a block of this stack; {}",
                    c.anchor,
                    top_level_blocks(stack)
                ),
            )),
        })
        .collect()
}

/// Places the anchored comments whose block the template output `raw` holds, recording
/// for each whether it was placed (a comment is placed in one file).
fn place_comments(
    raw: &str,
    comments: &[crate::anchor::Comment],
    placed: &mut [Option<Result<(), String>>],
) -> String {
    // Unparsable output (raw HCL that repeats a generated attribute) is reported by the
    // formatting that follows.
    let Ok(body) = hcl_edit::parser::parse_body(raw) else {
        return raw.to_owned();
    };
    let (text, outcome) = crate::anchor::place(raw, &body, comments);
    for (slot, o) in placed.iter_mut().zip(outcome) {
        if slot.is_none() {
            *slot = o;
        }
    }
    text
}

/// The addresses an anchor may start with, for an anchor that names none of them.
fn top_level_blocks(stack: &Stack) -> String {
    let known: Vec<String> = stack
        .objects
        .iter()
        .filter(|o| {
            matches!(
                o.address.block,
                BlockKind::Resource | BlockKind::Data | BlockKind::Module | BlockKind::Variable
            )
        })
        .map(|o| match o.address.block {
            BlockKind::Variable => format!("`var.{}`", o.address.name),
            _ => format!("`{}`", o.address.reference()),
        })
        .collect();
    if known.is_empty() {
        "it declares no block".to_owned()
    } else {
        format!("it declares {}", known.join(", "))
    }
}

/// A rendered file with its syntax tree, when it was parsed (see
/// [`Renderer::render_with`]).
#[derive(Debug, Clone)]
pub struct ParsedFile {
    pub file: RenderedFile,
    pub body: Option<hcl_edit::structure::Body>,
}

impl Renderer {
    /// The text of each file as the templates write it, before it is formatted, parsed
    /// and checked: what a stack would hold without dlgen's checks. For tests that ask
    /// `terraform validate` whether the checks refuse what Terraform refuses.
    pub fn render_unchecked(
        &self,
        stack: &Stack,
        spec_label: &str,
    ) -> Result<Vec<(&'static str, String)>, RenderError> {
        let ctx = context(&crate::generated::header(spec_label), stack);
        STACK_FILES
            .iter()
            .map(|&name| Ok((name, self.env.get_template(name)?.render(&ctx)?)))
            .collect()
    }

    /// Renders file `name` of `stack` without any raw HCL and compares each raw snippet's
    /// attributes with what is generated where it goes.
    fn raw_attribute_collisions(
        &self,
        stack: &Stack,
        name: &str,
        header: &str,
        sites: &[structure::Site<'_>],
    ) -> Vec<structure::Conflict> {
        let bare = stack.without_raw();
        let ctx = context(header, &bare);
        let Ok(text) = self.env.get_template(name).and_then(|t| t.render(&ctx)) else {
            return Vec::new();
        };
        match format::format_parsed(&text) {
            Ok((_, body)) => structure::attribute_collisions(name, &body, sites),
            Err(_) => Vec::new(),
        }
    }
}

/// What the stack templates see: the generated header, the line naming the files
/// written beside `main.tf` (when there are any), and the stack.
fn context(header: &str, stack: &Stack) -> Value {
    let files: Vec<&str> = stack.files.iter().map(|f| f.name.as_str()).collect();
    minijinja::context! {
        header => header,
        files_note => crate::generated::files_line(&files),
        stack => Value::from(Serde(stack)),
    }
}

/// The auto-escape formatter: with the `hcl` auto-escape every printed value is an HCL
/// literal; safe strings (dlgen's expressions and filter outputs) pass through.
fn hcl_formatter(
    out: &mut minijinja::Output,
    state: &mut State,
    value: &Value,
) -> Result<(), minijinja::Error> {
    match state.auto_escape() {
        AutoEscape::Custom(name) if name == "hcl" => {
            let write_failed =
                |e: std::fmt::Error| minijinja::Error::new(ErrorKind::WriteFailure, e.to_string());
            // Safe text (dlgen's expressions, filter outputs) and plain strings, most of
            // what a template prints, go straight to the output.
            if value.is_safe() {
                return out
                    .write_str(value.as_str().unwrap_or_default())
                    .map_err(write_failed);
            }
            if let (ValueKind::String, Some(text)) = (value.kind(), value.as_str()) {
                return hcl::write_quoted(out, text).map_err(write_failed);
            }
            let text = literal(value)?;
            out.write_str(&text).map_err(write_failed)
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// The HCL literal of a template value.
fn literal(value: &Value) -> Result<String, minijinja::Error> {
    if value.is_safe() {
        return Ok(value.as_str().unwrap_or_default().to_owned());
    }
    if let Some(obj) = value.downcast_object_ref::<Obj>() {
        return object_literal(obj);
    }
    if let Some(call) = value.downcast_object_ref::<Call>() {
        return call_literal(call);
    }
    let mut out = String::new();
    match value.kind() {
        ValueKind::String => {
            let _ = hcl::write_quoted(&mut out, value.as_str().unwrap_or_default());
        }
        ValueKind::Number => {
            // NaN and the infinities print as `NaN` / `inf`: references, not numbers.
            if f64::try_from(value.clone()).is_ok_and(|f| !f.is_finite()) {
                return Err(minijinja::Error::new(
                    ErrorKind::InvalidOperation,
                    format!("the number {value} has no HCL literal"),
                ));
            }
            out.push_str(&value.to_string());
        }
        ValueKind::Bool => out.push_str(if value.is_true() { "true" } else { "false" }),
        ValueKind::None => out.push_str("null"),
        ValueKind::Seq | ValueKind::Iterable => {
            out.push('[');
            for (i, item) in value.try_iter()?.enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let text = literal(&item)?;
                out.push_str(&text);
                // A heredoc ends with its terminator, which must end its line.
                if item.is_safe() && text.starts_with("<<") {
                    out.push('\n');
                }
            }
            out.push(']');
        }
        ValueKind::Map => {
            out.push('{');
            for (i, key) in value.try_iter()?.enumerate() {
                let item = value.get_item(&key)?;
                let sep = if i > 0 { ", " } else { " " };
                let key = key
                    .as_str()
                    .map(hcl::key)
                    .unwrap_or_else(|| key.to_string());
                let _ = write!(out, "{sep}{key} = {}", literal(&item)?);
            }
            out.push_str(" }");
        }
        kind => {
            return Err(minijinja::Error::new(
                ErrorKind::InvalidOperation,
                format!("a {kind} value has no HCL literal"),
            ));
        }
    }
    Ok(out)
}

/// The HCL literal of a model object: one item per line or inline, each key bare when it
/// is an identifier (or quoted when the model says so), each value a literal.
fn object_literal(obj: &Obj) -> Result<String, minijinja::Error> {
    if obj.entries.is_empty() {
        return Ok("{}".to_owned());
    }
    let mut out = String::from("{");
    for (i, e) in obj.entries.iter().enumerate() {
        let key = if e.quoted {
            hcl::quote(&e.key)
        } else {
            hcl::key(&e.key)
        };
        let value = model_literal(&e.value)?;
        if obj.multiline {
            let _ = write!(out, "\n{key} = {value}");
        } else {
            let sep = if i > 0 { ", " } else { " " };
            let _ = write!(out, "{sep}{key} = {value}");
        }
    }
    out.push_str(if obj.multiline { "\n}" } else { " }" });
    Ok(out)
}

/// The HCL literal of a model value, printed directly (the same rules as [`literal`]).
fn model_literal(value: &crate::model::Value) -> Result<String, minijinja::Error> {
    use crate::model::Value as V;
    Ok(match value {
        V::Str(s) => hcl::quote(s),
        V::Int(n) => n.to_string(),
        V::Float(_) | V::List(_) | V::Heredoc(_) => literal(&Value::from(Serde(value)))?,
        V::Bool(b) => b.to_string(),
        V::Null => "null".to_owned(),
        V::Expr(e) => e.0.clone(),
        V::Object(o) => object_literal(o)?,
        V::Call(c) => call_literal(c)?,
    })
}

/// The HCL of a function call dlgen writes: `function(arg, ...)`, each argument a literal.
fn call_literal(call: &Call) -> Result<String, minijinja::Error> {
    let mut out = format!("{}(", call.function);
    for (i, arg) in call.args.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&model_literal(arg)?);
    }
    out.push(')');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bundled spec with `extra` appended, built into a stack.
    fn bundled_stack(extra: &str) -> Stack {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("specs/drone-logbook.yaml");
        let text = std::fs::read_to_string(path).expect("the bundled spec reads") + extra;
        let (spec, _) = crate::de::from_str::<crate::spec::Spec>("t.yaml", &text)
            .unwrap_or_else(|d| panic!("{}", d.render(&text)));
        crate::model::build(&spec).expect("the bundled spec builds")
    }

    #[test]
    fn renders_as_holds_for_exactly_what_a_render_gives() {
        let renderer = Renderer::new().expect("the embedded templates load");
        let stack = bundled_stack("");
        let reference = renderer.render(&stack, "specs/x.yaml").expect("renders");
        assert!(renderer.renders_as(&stack, "specs/x.yaml", &reference));
        // Another spec named in the header, or any file changed, missing or renamed.
        assert!(!renderer.renders_as(&stack, "specs/y.yaml", &reference));
        for i in 0..reference.len() {
            let mut changed = reference.clone();
            changed[i].contents.push('\n');
            assert!(
                !renderer.renders_as(&stack, "specs/x.yaml", &changed),
                "{}",
                changed[i].name
            );
            let mut renamed = reference.clone();
            renamed[i].name.push('x');
            assert!(
                !renderer.renders_as(&stack, "specs/x.yaml", &renamed),
                "{}",
                renamed[i].name
            );
        }
        assert!(!renderer.renders_as(&stack, "specs/x.yaml", &reference[..1]));
    }

    #[test]
    fn renders_as_fails_a_stack_whose_comment_has_no_place() {
        // The files are those of the reference, but `render` refuses the stack.
        let renderer = Renderer::new().expect("the embedded templates load");
        let reference = renderer
            .render(&bundled_stack(""), "specs/x.yaml")
            .expect("renders");
        let stranded = bundled_stack("comments: [{at: kubernetes_secret.nowhere, text: lost}]\n");
        assert!(renderer.render(&stranded, "specs/x.yaml").is_err());
        assert!(!renderer.renders_as(&stranded, "specs/x.yaml", &reference));
    }

    #[test]
    fn templates_compile() {
        // Templates are compiled lazily; every one of them must compile.
        let renderer = Renderer::new().expect("the embedded templates load");
        let broken: Vec<String> = TEMPLATES
            .iter()
            .filter_map(|(name, _)| {
                let err = renderer.env.get_template(name).err()?;
                Some(format!("{name}: {err:#}"))
            })
            .collect();
        assert!(broken.is_empty(), "{}", broken.join("\n"));
        assert!(renderer.env.get_template("objects/nonexistent.tf").is_err());
    }

    #[test]
    fn every_template_file_is_embedded() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut on_disk: Vec<String> = walkdir::WalkDir::new(&root)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                e.path()
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = TEMPLATES
            .iter()
            .chain(crate::model::SCRIPTS)
            .map(|(n, _)| n.to_string())
            .collect();
        embedded.sort();
        assert_eq!(on_disk, embedded);
    }

    fn render_str(template: &str, ctx: Value) -> String {
        let r = Renderer::new().unwrap();
        let mut env = r.env.clone();
        env.add_template_owned("t.tf", template.to_owned()).unwrap();
        env.get_template("t.tf").unwrap().render(ctx).unwrap()
    }

    #[test]
    fn values_print_as_escaped_literals() {
        let out = render_str(
            "a = {{ s }}\nb = {{ n }}\nc = {{ l }}\nd = {{ e }}\n",
            minijinja::context! {
                s => "x\"${y}\n",
                n => 80,
                l => vec!["a", "b"],
                e => Value::from(Serde(crate::model::Expr("var.x".into()))),
            },
        );
        assert_eq!(
            out,
            "a = \"x\\\"$${y}\\n\"\nb = 80\nc = [\"a\", \"b\"]\nd = var.x\n"
        );
    }

    #[test]
    fn filters_keep_text_inert() {
        let out = render_str(
            "{{ c|comment }}\nx = 1 {{ t|trailing_comment }}\n{{ k|key }} = 1\n",
            minijinja::context! {
                c => "line\n}\nresource \"evil\" \"x\" {",
                t => "a\nb = 2",
                k => "keel.sh/enrolled",
            },
        );
        assert_eq!(
            out,
            "# line\n# }\n# resource \"evil\" \"x\" {\nx = 1 # a b = 2\n\"keel.sh/enrolled\" = 1\n"
        );
    }

    #[test]
    fn heredoc_filter_picks_a_free_terminator() {
        let out = render_str(
            "x = {{ s|heredoc }}\n",
            minijinja::context! { s => "echo ${HOME}\nEOT\n" },
        );
        assert_eq!(out, "x = <<-EOT1\necho $${HOME}\nEOT\nEOT1\n");
        use ::hcl::eval::{Context, Evaluate};
        let body = ::hcl::parse(&out).unwrap();
        let attr = body.attributes().next().unwrap();
        let value = attr.expr().evaluate(&Context::new()).unwrap();
        assert_eq!(value, ::hcl::Value::from("echo ${HOME}\nEOT\n"));
    }

    #[test]
    fn non_finite_numbers_have_no_literal() {
        let r = Renderer::new().unwrap();
        let mut env = r.env.clone();
        env.add_template_owned("t.tf", "a = {{ f }}\n".to_owned())
            .unwrap();
        for f in [f64::INFINITY, f64::NEG_INFINITY, f64::NAN] {
            let err = env
                .get_template("t.tf")
                .unwrap()
                .render(minijinja::context! { f => f })
                .unwrap_err();
            assert!(err.to_string().contains("has no HCL literal"), "{err}");
        }
        assert_eq!(
            render_str("a = {{ f }}\n", minijinja::context! { f => 0.5 }),
            "a = 0.5\n"
        );
    }
}
