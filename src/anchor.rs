//! Comments anchored to a place of a stack (the spec's `comments:`): the anchor syntax,
//! finding the place an anchor names in a parsed file, placing the comments there, and,
//! for `import`, the anchor of the place a comment of a hand-written stack sits at.
//!
//! An anchor is an address, then a path:
//!
//! ```text
//! kubernetes_persistent_volume_claim.data.lifecycle
//! kubernetes_network_policy.app.spec.ingress[1]
//! kubernetes_namespace.app.metadata.labels["keel.sh/enrolled"]
//! module.ingress.dns_type
//! data.vault_kv_secret_v2.secrets
//! ```
//!
//! The address names a top-level block as Terraform refers to it (`TYPE.NAME`,
//! `data.TYPE.NAME`, `module.NAME`, `var.NAME`, `output.NAME`) or a local (`local.NAME`,
//! its attribute in a `locals` block). Each `.name` step is an attribute of that name, or
//! else the first nested block of that name; `[n]` picks the n-th block of the name
//! (from 0); `["key"]` is a key of the mapping an attribute holds.

use std::fmt;
use std::ops::Range;

use hcl_edit::Span;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Block, Body};

/// A parsed anchor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub top: Top,
    pub steps: Vec<Step>,
}

/// The top-level place an anchor starts at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Top {
    /// A block: its identifier and labels (`resource`, `[TYPE, NAME]`).
    Block(String, Vec<String>),
    /// An attribute of a `locals` block.
    Local(String),
}

/// A step of an anchor's path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// An attribute, or the `index`-th nested block (the first when `None`).
    Name(String, Option<usize>),
    /// A key of the mapping the current attribute holds.
    Key(String),
}

impl fmt::Display for Anchor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.top {
            Top::Local(name) => write!(f, "local.{name}")?,
            Top::Block(ident, labels) => match ident.as_str() {
                "resource" => write!(f, "{}", labels.join("."))?,
                "variable" => write!(f, "var.{}", labels.join("."))?,
                other => write!(f, "{other}.{}", labels.join("."))?,
            },
        }
        for step in &self.steps {
            match step {
                Step::Name(name, None) => write!(f, ".{name}")?,
                Step::Name(name, Some(i)) => write!(f, ".{name}[{i}]")?,
                Step::Key(key) => write!(f, "[{}]", quote(key))?,
            }
        }
        Ok(())
    }
}

/// A key as the anchor syntax writes it: a JSON-style string.
fn quote(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 2);
    out.push('"');
    for c in key.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The tokens of an anchor.
#[derive(Debug, PartialEq)]
enum Token {
    Name(String),
    Index(usize),
    Key(String),
}

fn tokens(text: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut expect_name = true;
    while let Some((i, c)) = chars.next() {
        match c {
            '.' if !expect_name => expect_name = true,
            '[' if !expect_name => {
                match chars.peek() {
                    Some((_, '"')) => {
                        chars.next();
                        let mut key = String::new();
                        loop {
                            match chars.next() {
                                Some((_, '"')) => break,
                                Some((_, '\\')) => match chars.next() {
                                    Some((_, 'n')) => key.push('\n'),
                                    Some((_, c @ ('"' | '\\'))) => key.push(c),
                                    _ => {
                                        return Err(format!("an unknown escape in the key at {i}"));
                                    }
                                },
                                Some((_, c)) => key.push(c),
                                None => return Err("a key is not closed by `\"`".to_owned()),
                            }
                        }
                        out.push(Token::Key(key));
                    }
                    _ => {
                        let mut digits = String::new();
                        while let Some((_, d)) = chars.peek().filter(|(_, d)| d.is_ascii_digit()) {
                            digits.push(*d);
                            chars.next();
                        }
                        let n = digits.parse().map_err(|_| {
                            "`[` takes a block index (`[1]`) or a key (`[\"app\"]`)".to_owned()
                        })?;
                        out.push(Token::Index(n));
                    }
                }
                if chars.next().map(|(_, c)| c) != Some(']') {
                    return Err("`[` is not closed by `]`".to_owned());
                }
            }
            c if expect_name && (c.is_ascii_alphabetic() || c == '_') => {
                let mut name = c.to_string();
                while let Some((_, n)) = chars
                    .peek()
                    .filter(|(_, n)| n.is_ascii_alphanumeric() || *n == '_' || *n == '-')
                {
                    name.push(*n);
                    chars.next();
                }
                out.push(Token::Name(name));
                expect_name = false;
            }
            _ => {
                return Err(if expect_name {
                    format!("expected a name at `{}`", &text[i..])
                } else {
                    format!("expected `.`, `[` or the end at `{}`", &text[i..])
                });
            }
        }
    }
    if expect_name {
        return Err(if text.is_empty() {
            "it is empty".to_owned()
        } else {
            "it ends with `.`".to_owned()
        });
    }
    Ok(out)
}

/// Parses an anchor.
pub fn parse(text: &str) -> Result<Anchor, String> {
    let tokens = tokens(text)?;
    let name = |i: usize| match tokens.get(i) {
        Some(Token::Name(n)) => Some(n.clone()),
        _ => None,
    };
    let need = |n: Option<String>, what: &str| n.ok_or_else(|| format!("`{text}` needs {what}"));
    let (top, rest) = match name(0).as_deref() {
        Some("data") => (
            Top::Block(
                "data".to_owned(),
                vec![
                    need(name(1), "a data source type")?,
                    need(name(2), "a data source name")?,
                ],
            ),
            3,
        ),
        Some(kind @ ("module" | "output")) => (
            Top::Block(kind.to_owned(), vec![need(name(1), "a name")?]),
            2,
        ),
        Some("var") => (
            Top::Block("variable".to_owned(), vec![need(name(1), "a name")?]),
            2,
        ),
        Some("local") => (Top::Local(need(name(1), "a name")?), 2),
        Some(kind) => (
            Top::Block(
                "resource".to_owned(),
                vec![kind.to_owned(), need(name(1), "a resource name")?],
            ),
            2,
        ),
        None => {
            return Err(
                "it must start with an address, e.g. `kubernetes_namespace.app`".to_owned(),
            );
        }
    };
    let mut steps: Vec<Step> = Vec::new();
    for token in tokens.into_iter().skip(rest) {
        match token {
            Token::Name(n) => steps.push(Step::Name(n, None)),
            Token::Index(i) => match steps.last_mut() {
                Some(Step::Name(_, index @ None)) => *index = Some(i),
                _ => return Err("`[n]` follows the name of a nested block".to_owned()),
            },
            Token::Key(k) => steps.push(Step::Key(k)),
        }
    }
    Ok(Anchor { top, steps })
}

/// The place an anchor names in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// Its bytes, without the comments around it.
    pub span: Range<usize>,
    /// It ends with a heredoc: nothing may follow on its last line.
    pub heredoc: bool,
}

/// Finds the place `anchor` names in `body`: `None` when the file does not hold its
/// top-level block (another file may), else the place or why the path does not lead
/// anywhere, with the names that are there.
pub fn find(body: &Body, anchor: &Anchor) -> Option<Result<Place, String>> {
    enum Cur<'a> {
        Body(&'a Body, Range<usize>),
        Expr(&'a Expression, Range<usize>),
    }
    let mut cur = match &anchor.top {
        Top::Block(ident, labels) => {
            let block = body.blocks().find(|b| {
                b.ident.as_str() == ident
                    && b.labels.len() == labels.len()
                    && b.labels.iter().zip(labels).all(|(l, w)| l.as_str() == w)
            })?;
            Cur::Body(&block.body, block.span()?)
        }
        Top::Local(name) => {
            let attr = body
                .blocks()
                .filter(|b| b.ident.as_str() == "locals" && b.labels.is_empty())
                .flat_map(|b| b.body.attributes())
                .find(|a| a.key.as_str() == name)?;
            Cur::Expr(&attr.value, attr.span()?)
        }
    };
    for (i, step) in anchor.steps.iter().enumerate() {
        let done = Anchor {
            top: anchor.top.clone(),
            steps: anchor.steps[..i].to_vec(),
        }
        .to_string();
        let at = |what: String| Some(Err(format!("{what} in `{done}`")));
        cur = match (step, &cur) {
            (Step::Name(name, index), Cur::Body(b, _)) => {
                let attr = b.attributes().find(|a| a.key.as_str() == name);
                match (attr, index) {
                    (Some(a), None) => Cur::Expr(&a.value, a.span()?),
                    _ => {
                        let blocks: Vec<&Block> =
                            b.blocks().filter(|x| x.ident.as_str() == name).collect();
                        let n = index.unwrap_or(0);
                        match blocks.get(n) {
                            Some(x) => Cur::Body(&x.body, x.span()?),
                            None if !blocks.is_empty() => {
                                return at(format!(
                                    "there are {} `{name}` blocks, numbered from 0",
                                    blocks.len()
                                ));
                            }
                            None => {
                                return at(format!(
                                    "no attribute or block `{name}`; there are {}",
                                    names(b)
                                ));
                            }
                        }
                    }
                }
            }
            (Step::Key(key), Cur::Expr(Expression::Object(obj), _)) => {
                let found = obj.iter().find(|(k, _)| key_text(k) == Some(key.as_str()));
                match found {
                    Some((k, v)) => {
                        let (Some(ks), Some(vs)) = (k.span(), v.expr().span()) else {
                            return None;
                        };
                        Cur::Expr(v.expr(), ks.start..vs.end)
                    }
                    None => {
                        let keys: Vec<String> = obj
                            .iter()
                            .filter_map(|(k, _)| key_text(k).map(quote))
                            .collect();
                        return at(format!(
                            "no key {} in the mapping; there are {}",
                            quote(key),
                            list(&keys)
                        ));
                    }
                }
            }
            (Step::Key(_), _) => {
                return at("`[\"key\"]` follows an attribute holding a mapping".to_owned());
            }
            (Step::Name(name, _), Cur::Expr(..)) => {
                return at(format!("`.{name}` follows a block; here is an attribute"));
            }
        };
    }
    let place = match cur {
        Cur::Body(_, span) => Place {
            span,
            heredoc: false,
        },
        Cur::Expr(e, span) => Place {
            span,
            heredoc: matches!(e, Expression::HeredocTemplate(_)),
        },
    };
    Some(Ok(place))
}

/// The text of a mapping's key written as an identifier or a string.
fn key_text(k: &ObjectKey) -> Option<&str> {
    match k {
        ObjectKey::Ident(id) => Some(id.as_str()),
        ObjectKey::Expression(Expression::String(s)) => Some(s.as_str()),
        _ => None,
    }
}

fn names(b: &Body) -> String {
    let mut all: Vec<String> = Vec::new();
    for a in b.attributes() {
        all.push(format!("`{}`", a.key.as_str()));
    }
    for x in b.blocks() {
        let n = format!("`{}`", x.ident.as_str());
        if !all.contains(&n) {
            all.push(n);
        }
    }
    list(&all)
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

/// A comment to place: its lines (`# …`, as [`crate::hcl::comment`] writes them) and
/// whether it trails the place's last line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// The spec field it comes from (`comments[2]`), for errors.
    pub field: String,
    pub anchor: Anchor,
    pub text: String,
    pub placement: Placement,
}

/// Where a comment goes at its place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Above the place and the comment lines dlgen writes there (a reason, a marker),
    /// which end the comment block directly above the place, as the repo writes them.
    Above,
    /// Directly above the place, below dlgen's comment lines there.
    DirectlyAbove,
    /// At the end of the place's last line.
    Trailing,
}

/// Comment texts of dlgen's own that an operator's comment above the same place replaces:
/// explanations that carry no marker (a marker is what lint reads, and stays).
pub const REPLACEABLE: &[&str] = &[crate::conventions::lifecycle_comments::PVC_AUTORESIZE];

/// Places the `comments` whose top-level block `text` (parsed as `body`) holds; returns
/// the new text and, for each comment, `None` when this file does not hold its block,
/// else whether it was placed (or why not).
pub fn place(
    text: &str,
    body: &Body,
    comments: &[Comment],
) -> (String, Vec<Option<Result<(), String>>>) {
    // (offset, order, insertion text, range to remove before inserting)
    let mut edits: Vec<(usize, usize, String, Range<usize>)> = Vec::new();
    let mut outcome = Vec::with_capacity(comments.len());
    let mut trailing_lines: Vec<usize> = Vec::new();
    for (order, c) in comments.iter().enumerate() {
        let place = match find(body, &c.anchor) {
            None => {
                outcome.push(None);
                continue;
            }
            Some(Err(why)) => {
                outcome.push(Some(Err(why)));
                continue;
            }
            Some(Ok(p)) => p,
        };
        if c.placement == Placement::Trailing {
            if place.heredoc {
                outcome.push(Some(Err(
                    "it ends with a heredoc, whose closing line takes no comment; place it `above`"
                        .to_owned(),
                )));
                continue;
            }
            let eol = text[place.span.end..]
                .find('\n')
                .map_or(text.len(), |i| place.span.end + i);
            let rest = &text[place.span.end..eol];
            if rest.contains('#') || rest.contains("//") || trailing_lines.contains(&eol) {
                outcome.push(Some(Err(
                    "its last line carries a trailing comment already; place this one `above`"
                        .to_owned(),
                )));
                continue;
            }
            trailing_lines.push(eol);
            let line = format!(" # {}", crate::hcl::one_line(&c.text));
            edits.push((eol, order, line, eol..eol));
        } else {
            let line_start = text[..place.span.start].rfind('\n').map_or(0, |i| i + 1);
            let at = if text[line_start..place.span.start].trim().is_empty() {
                line_start
            } else {
                place.span.start
            };
            let lines = crate::hcl::comment(&c.text);
            let remove = if at == line_start {
                replaceable_above(text, line_start)
            } else {
                at..at
            };
            // Above the comment lines dlgen writes at the place (a reason, a marker):
            // they end the comment block there, as the repo writes them.
            let at = if at == line_start && remove.is_empty() && c.placement == Placement::Above {
                own_run_start(text, line_start)
            } else {
                at
            };
            edits.push((at, order, format!("{lines}\n"), remove));
        }
        outcome.push(Some(Ok(())));
    }
    // From the end, so that offsets stay valid; at one offset, in spec order.
    edits.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    let mut out = text.to_owned();
    // A replaced comment goes once, however many comments take its place.
    let mut removed: Vec<Range<usize>> = Vec::new();
    for (at, _, insert, remove) in edits {
        if !remove.is_empty() && !removed.contains(&remove) {
            out.replace_range(remove.clone(), "");
            removed.push(remove.clone());
        }
        out.insert_str(at - remove.len(), &insert);
    }
    (out, outcome)
}

/// The start of the run of full-line comments directly above the line starting at
/// `line_start` (`line_start` itself when there is none).
fn own_run_start(text: &str, line_start: usize) -> usize {
    let mut start = line_start;
    while start > 0 {
        let prev = text[..start - 1].rfind('\n').map_or(0, |i| i + 1);
        let line = text[prev..start - 1].trim();
        if !(line.starts_with('#') || line.starts_with("//")) {
            break;
        }
        start = prev;
    }
    start
}

/// The lines directly above the line starting at `line_start` when they are one of dlgen's
/// [`REPLACEABLE`] comments, else an empty range there.
fn replaceable_above(text: &str, line_start: usize) -> Range<usize> {
    for own in REPLACEABLE {
        let lines = crate::hcl::comment_lines(own);
        let mut start = line_start;
        let mut ok = true;
        for want in lines.iter().rev() {
            if start == 0 {
                ok = false;
                break;
            }
            let prev = text[..start - 1].rfind('\n').map_or(0, |i| i + 1);
            if text[prev..start - 1].trim() != want {
                ok = false;
                break;
            }
            start = prev;
        }
        if ok {
            return start..line_start;
        }
    }
    line_start..line_start
}

// --- import: the anchor of a comment of a hand-written stack -------------------------

/// The anchor (below `top`, the address the rendered stack gives the block) of the item of
/// `block` that `target` says a comment sits at. `None` when no nested block, attribute or
/// key of a mapping is there.
pub fn anchor_in(top: &Anchor, block: &Block, target: Target) -> Option<Anchor> {
    let mut steps = top.steps.clone();
    let hit = |span: Option<Range<usize>>| -> bool {
        let Some(span) = span else { return false };
        match &target {
            Target::Starts(at) => span.start == *at,
            Target::EndsOnLine(line) => line.start <= span.end && span.end <= line.end,
        }
    };
    let within = |span: Option<Range<usize>>| -> bool {
        let Some(span) = span else { return false };
        match &target {
            Target::Starts(at) => span.start <= *at && *at < span.end,
            Target::EndsOnLine(line) => span.start < line.start && line.start < span.end,
        }
    };
    let mut body = &block.body;
    'outer: loop {
        for a in body.attributes() {
            if hit(a.span()) {
                steps.push(Step::Name(a.key.as_str().to_owned(), None));
                return Some(Anchor {
                    top: top.top.clone(),
                    steps,
                });
            }
            if within(a.span())
                && let Expression::Object(obj) = &a.value
            {
                steps.push(Step::Name(a.key.as_str().to_owned(), None));
                // A key of the mapping, or of a mapping a key holds, at any depth.
                let mut obj = obj;
                'keys: loop {
                    for (k, v) in obj.iter() {
                        let span = match (k.span(), v.expr().span()) {
                            (Some(ks), Some(vs)) => Some(ks.start..vs.end),
                            _ => None,
                        };
                        if hit(span.clone()) {
                            steps.push(Step::Key(key_text(k)?.to_owned()));
                            return Some(Anchor {
                                top: top.top.clone(),
                                steps,
                            });
                        }
                        if within(span)
                            && let Expression::Object(inner) = v.expr()
                        {
                            steps.push(Step::Key(key_text(k)?.to_owned()));
                            obj = inner;
                            continue 'keys;
                        }
                    }
                    return None;
                }
            }
        }
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for b in body.blocks() {
            let ident = b.ident.as_str();
            let n = match counts.iter_mut().find(|(i, _)| *i == ident) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    counts.push((ident, 0));
                    0
                }
            };
            let index = (n > 0).then_some(n);
            if hit(b.span()) {
                steps.push(Step::Name(ident.to_owned(), index));
                return Some(Anchor {
                    top: top.top.clone(),
                    steps,
                });
            }
            if within(b.span()) {
                steps.push(Step::Name(ident.to_owned(), index));
                body = &b.body;
                continue 'outer;
            }
        }
        return None;
    }
}

/// What a comment of a hand-written stack sits at.
#[derive(Debug, Clone)]
pub enum Target {
    /// Above the item that starts at this byte.
    Starts(usize),
    /// Trailing the item that ends on the line of these bytes.
    EndsOnLine(Range<usize>),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_read_back_as_written() {
        for text in [
            "kubernetes_namespace.app",
            "kubernetes_persistent_volume_claim.data.lifecycle",
            "kubernetes_network_policy.app.spec.ingress[1].ports",
            "kubernetes_namespace.app.metadata.labels[\"keel.sh/enrolled\"]",
            "module.ingress.dns_type",
            "data.vault_kv_secret_v2.secrets",
            "var.image_tag.default",
            "local.labels[\"app\"]",
            "output.url",
        ] {
            let a = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(a.to_string(), text);
        }
    }

    #[test]
    fn malformed_anchors_say_what_is_wrong() {
        for (text, why) in [
            ("", "empty"),
            ("kubernetes_namespace", "needs a resource name"),
            ("data.vault_kv_secret_v2", "needs a data source name"),
            ("kubernetes_namespace.app.", "ends with `.`"),
            ("kubernetes_namespace.app.spec[x]", "block index"),
            ("kubernetes_namespace.app.labels[\"a", "not closed"),
            (
                "kubernetes_namespace.app[1]",
                "follows the name of a nested block",
            ),
            ("kubernetes_namespace.app spec", "expected `.`"),
            ("9.app", "expected a name"),
        ] {
            let err = parse(text).expect_err(text);
            assert!(err.contains(why), "{text}: {err}");
        }
    }

    const TF: &str = r#"resource "kubernetes_namespace" "app" {
  metadata {
    name = "app"
    labels = {
      "keel.sh/enrolled" = "true"
      tier               = "aux"
    }
  }
}

resource "kubernetes_network_policy" "app" {
  spec {
    ingress {
      from {}
    }
    ingress {
      ports {
        port = 80
      }
    }
  }
  lifecycle {
    # pvc-autoresizer grows requests.storage up to storage_limit, and a PVC cannot shrink:
    # ignore the drift so that an apply never tries to shrink it back.
    ignore_changes = [spec]
  }
}

locals {
  script = <<-EOT
    echo hi
  EOT
}
"#;

    fn placed(comments: &[(&str, &str, bool)]) -> (String, Vec<Option<Result<(), String>>>) {
        let body = hcl_edit::parser::parse_body(TF).expect("parses");
        let comments: Vec<Comment> = comments
            .iter()
            .map(|(at, text, trailing)| Comment {
                field: String::new(),
                anchor: parse(at).expect("anchor"),
                text: (*text).to_owned(),
                placement: if *trailing {
                    Placement::Trailing
                } else {
                    Placement::Above
                },
            })
            .collect();
        place(TF, &body, &comments)
    }

    #[test]
    fn comments_go_above_or_trail_the_place_named() {
        let (out, outcome) = placed(&[
            (
                "kubernetes_namespace.app.metadata.labels[\"keel.sh/enrolled\"]",
                "Keel watches",
                true,
            ),
            (
                "kubernetes_network_policy.app.spec.ingress[1]",
                "Traefik,\nfor the ingress",
                false,
            ),
            ("kubernetes_namespace.app", "The app", false),
            ("kubernetes_namespace.app", "second", false),
        ]);
        assert!(outcome.iter().all(|o| o == &Some(Ok(()))), "{outcome:?}");
        assert!(
            out.starts_with("# The app\n# second\nresource \"kubernetes_namespace\""),
            "{out}"
        );
        assert!(
            out.contains("\"keel.sh/enrolled\" = \"true\" # Keel watches\n"),
            "{out}"
        );
        assert!(
            out.contains("    }\n# Traefik,\n# for the ingress\n    ingress {\n      ports"),
            "{out}"
        );
        hcl_edit::parser::parse_body(&out).expect("still parses");
    }

    #[test]
    fn dlgens_own_lines_end_the_comment_block_above_a_place() {
        // The repo writes a reason or a marker as the last line of the comment block above
        // what it explains (`# auth = "app": …` directly above `auth`): an operator's
        // comment goes above it, unless the spec asks for directly above the place.
        let text = "module \"ingress\" {\n  source = \"x\"\n  # auth = \"app\": the app checks a token\n  auth = \"app\"\n}\n";
        let body = hcl_edit::parser::parse_body(text).expect("parses");
        let at = |placement| Comment {
            field: String::new(),
            anchor: parse("module.ingress.auth").expect("anchor"),
            text: "Clients send a bearer key.".to_owned(),
            placement,
        };
        let (out, outcome) = place(text, &body, &[at(Placement::Above)]);
        assert_eq!(outcome, [Some(Ok(()))]);
        assert!(
            out.contains("  source = \"x\"\n# Clients send a bearer key.\n  # auth = \"app\": the app checks a token\n  auth = \"app\"\n"),
            "{out}"
        );
        let (out, outcome) = place(text, &body, &[at(Placement::DirectlyAbove)]);
        assert_eq!(outcome, [Some(Ok(()))]);
        assert!(
            out.contains("  # auth = \"app\": the app checks a token\n# Clients send a bearer key.\n  auth = \"app\"\n"),
            "{out}"
        );
    }

    #[test]
    fn an_operator_comment_replaces_dlgens_explanation_there() {
        let (out, outcome) = placed(&[(
            "kubernetes_network_policy.app.lifecycle.ignore_changes",
            "See data_proxmox in the storage docs.",
            false,
        )]);
        assert_eq!(outcome, [Some(Ok(()))]);
        assert!(!out.contains("pvc-autoresizer grows"), "{out}");
        assert!(
            out.contains(
                "  lifecycle {\n# See data_proxmox in the storage docs.\n    ignore_changes"
            ),
            "{out}"
        );
    }

    #[test]
    fn places_that_are_not_there_or_take_no_comment_are_refused() {
        let (out, outcome) = placed(&[
            ("kubernetes_namespace.other", "x", false),
            ("kubernetes_namespace.app.metadata.spec", "x", false),
            ("kubernetes_network_policy.app.spec.ingress[2]", "x", false),
            (
                "kubernetes_namespace.app.metadata.labels[\"nope\"]",
                "x",
                false,
            ),
            ("local.script", "x", true),
            ("kubernetes_namespace.app.metadata.name", "one", true),
            ("kubernetes_namespace.app.metadata.name", "two", true),
        ]);
        assert_eq!(outcome[0], None);
        let err = |i: usize| match &outcome[i] {
            Some(Err(e)) => e.clone(),
            other => panic!("{i}: {other:?}"),
        };
        assert!(err(1).contains("there are `name`, `labels`"), "{}", err(1));
        assert!(
            err(2).contains("there are 2 `ingress` blocks"),
            "{}",
            err(2)
        );
        assert!(
            err(3).contains("no key \"nope\"") && err(3).contains("\"tier\""),
            "{}",
            err(3)
        );
        assert!(err(4).contains("heredoc"), "{}", err(4));
        assert_eq!(outcome[5], Some(Ok(())));
        assert!(err(6).contains("trailing comment already"), "{}", err(6));
        assert!(out.contains("name = \"app\" # one\n"), "{out}");
    }

    #[test]
    fn the_anchor_of_a_hand_written_comment_is_where_it_sits() {
        let body = hcl_edit::parser::parse_body(TF).expect("parses");
        let block = body
            .blocks()
            .find(|b| {
                b.labels.iter().any(|l| l.as_str() == "app")
                    && b.labels[0].as_str() == "kubernetes_network_policy"
            })
            .expect("policy");
        let top = parse("kubernetes_network_policy.renamed").expect("anchor");
        let second = TF.find("ingress {\n      ports").expect("second ingress");
        assert_eq!(
            anchor_in(&top, block, Target::Starts(second)).map(|a| a.to_string()),
            Some("kubernetes_network_policy.renamed.spec.ingress[1]".to_owned())
        );
        let ns = body.blocks().next().expect("namespace");
        let key = TF.find("\"keel.sh/enrolled\"").expect("key");
        let eol = key + TF[key..].find('\n').expect("eol");
        let top = parse("kubernetes_namespace.app").expect("anchor");
        assert_eq!(
            anchor_in(&top, ns, Target::EndsOnLine(key..eol)).map(|a| a.to_string()),
            Some("kubernetes_namespace.app.metadata.labels[\"keel.sh/enrolled\"]".to_owned())
        );
    }
}
