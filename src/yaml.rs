//! A YAML tree in which every node knows where it came from.
//!
//! [`parse`] reads one spec file into a [`Node`] tree. Each node carries a [`Span`]. A node's
//! [`Value`] is a [`Scalar`], a sequence or a mapping. Scalars keep the text the user wrote and
//! how it was written (`text`, `style`) next to `resolved`, the YAML 1.2 core schema reading of
//! a plain scalar ([`Resolved`]: `~` is null, `80` an integer, `true` a boolean, `0x1F` an
//! integer, `.inf` a float). A string field can so still take the original text: `value: true`
//! or `port: 80` can be read as the strings `"true"` and `"80"`. Quoted and block scalars are
//! always strings.
//!
//! Specs are kept simple and safe: one document per file, scalar mapping keys, no duplicate
//! keys, no anchors or aliases (so no alias expansion bombs), only the core tags (`!!str`,
//! `!!int`, `!!float`, `!!bool`, `!!null`, `!!seq`, `!!map`), and at most [`MAX_DEPTH`] nested
//! collections. The tree is built iteratively, so large inputs cannot exhaust the stack.
//!
//! Positions: yaml-rust2's `Marker::index()` counts characters (not bytes) and `col()` is
//! 0-based; both are converted here into [`Span`]'s byte offsets and 1-based character columns.
//! The parser reports only where a node starts, so ends are found by reading the source.

// A parse fails at most once, so the size of its error does not matter.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, ScanError, TScalarStyle};

use crate::diag::{Diagnostic, Span};

/// Deepest nesting of sequences and mappings accepted in a spec.
pub const MAX_DEPTH: usize = 64;

/// A value of the tree and the region of the source it was read from.
///
/// The span of a block mapping runs from its first key to the end of its last value; that of
/// a flow collection covers its brackets; that of a scalar covers its quotes or block header
/// and content. An empty value (`key:` with nothing after it) has a zero-length span just
/// after the `:` or `-` that introduced it.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Scalar(Scalar),
    Seq(Vec<Node>),
    /// Entries in source order. Keys are always scalars and unique by text.
    Map(Vec<(Node, Node)>),
}

/// A scalar as written, plus its core-schema reading.
#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    /// The scalar's content with quotes removed and escapes and folding applied.
    pub text: String,
    pub style: ScalarStyle,
    pub resolved: Resolved,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    /// A `|` block.
    Literal,
    /// A `>` block.
    Folded,
}

/// The type of a scalar under the YAML 1.2 core schema (or its `!!` tag).
///
/// Integers are kept as `i128` so the whole `u64` range fits and out-of-range values can be
/// reported exactly; a plain integer too large even for that reads as a float.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Resolved {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    /// A string: its value is [`Scalar::text`].
    Str,
}

impl Scalar {
    /// Whether the scalar was written plain (not quoted, not a `|`/`>` block).
    pub fn is_plain(&self) -> bool {
        self.style == ScalarStyle::Plain
    }
}

impl Node {
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.value {
            Value::Scalar(scalar) => Some(scalar),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value under `key` in a mapping (keys compared by their text).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_scalar().is_some_and(|s| s.text == key))
            .map(|(_, v)| v)
    }

    /// Whether the node is a null scalar (`~`, `null`, or nothing at all).
    pub fn is_null(&self) -> bool {
        matches!(
            &self.value,
            Value::Scalar(Scalar {
                resolved: Resolved::Null,
                ..
            })
        )
    }
}

/// Reads a plain scalar per the YAML 1.2 core schema.
pub fn resolve_plain(text: &str) -> Resolved {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        "true" | "True" | "TRUE" => return Resolved::Bool(true),
        "false" | "False" | "FALSE" => return Resolved::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Resolved::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Resolved::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Resolved::Float(f64::NAN),
        _ => {}
    }
    if let Some(digits) = text.strip_prefix("0o") {
        if is_digits(digits, |c| c.is_ascii_digit() && c < b'8') {
            return int_or_float(i128::from_str_radix(digits, 8).ok(), text);
        }
        return Resolved::Str;
    }
    if let Some(digits) = text.strip_prefix("0x") {
        if is_digits(digits, |c| c.is_ascii_hexdigit()) {
            return int_or_float(i128::from_str_radix(digits, 16).ok(), text);
        }
        return Resolved::Str;
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if is_digits(unsigned, |c| c.is_ascii_digit()) {
        return int_or_float(text.parse::<i128>().ok(), text);
    }
    if is_core_float(unsigned)
        && let Ok(value) = text.parse::<f64>()
    {
        return Resolved::Float(value);
    }
    Resolved::Str
}

fn is_digits(text: &str, pred: impl Fn(u8) -> bool) -> bool {
    !text.is_empty() && text.bytes().all(pred)
}

fn int_or_float(value: Option<i128>, text: &str) -> Resolved {
    match value {
        Some(value) => Resolved::Int(value),
        // Too large for i128: keep the magnitude as a float.
        None => match text.parse::<f64>() {
            Ok(value) => Resolved::Float(value),
            Err(_) => Resolved::Float(f64::INFINITY),
        },
    }
}

/// `( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?` (sign already removed).
fn is_core_float(text: &str) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => is_digits(frac, |c| c.is_ascii_digit()),
        Some((int, frac)) => {
            is_digits(int, |c| c.is_ascii_digit()) && frac.bytes().all(|c| c.is_ascii_digit())
        }
        None => is_digits(mantissa, |c| c.is_ascii_digit()),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let digits = e.strip_prefix(['-', '+']).unwrap_or(e);
        is_digits(digits, |c| c.is_ascii_digit())
    });
    mantissa_ok && exponent_ok
}

/// Parses one spec file. `file` is only used to label the diagnostic.
///
/// Stops at the first problem: a syntax error, an empty spec, a second document, a duplicate
/// or non-scalar key, an anchor, alias or unsupported tag, or nesting deeper than
/// [`MAX_DEPTH`].
pub fn parse(file: &str, text: &str) -> Result<Node, Diagnostic> {
    Builder::new(file, text).run()
}

const CORE_TAG_HANDLE: &str = "tag:yaml.org,2002:";

/// A collection being built.
struct Frame {
    /// Byte offset where the collection starts, once known (a block mapping starts at its
    /// first key).
    start: Option<usize>,
    flow: bool,
    kind: FrameKind,
}

enum FrameKind {
    Seq(Vec<Node>),
    Map {
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        /// The keys seen, by text, once the mapping is too large to look through its
        /// entries (most spec mappings have a handful of keys).
        seen: Option<HashMap<String, Span>>,
    },
}

struct Builder<'t> {
    file: &'t str,
    text: &'t str,
    /// Characters skipped before the parser's input (a byte order mark).
    char_base: usize,
    positions: Positions<'t>,
    stack: Vec<Frame>,
    root: Option<Node>,
    documents: usize,
    /// Byte offset where the last finished node ended (or a collection's content began):
    /// where the search for the indicator of an empty value or a block header starts.
    last_end: usize,
}

impl<'t> Builder<'t> {
    fn new(file: &'t str, text: &'t str) -> Self {
        let char_base = usize::from(text.starts_with('\u{FEFF}'));
        Builder {
            file,
            text,
            char_base,
            positions: Positions::new(text),
            stack: Vec::new(),
            root: None,
            documents: 0,
            last_end: 0,
        }
    }

    fn run(mut self) -> Result<Node, Diagnostic> {
        let body = self.text.strip_prefix('\u{FEFF}').unwrap_or(self.text);
        let mut parser = Parser::new_from_str(body);
        loop {
            let (event, mark) = parser.next_token().map_err(|e| self.scan_error(&e))?;
            match event {
                Event::StreamEnd => break,
                Event::StreamStart | Event::Nothing | Event::DocumentEnd => {}
                Event::DocumentStart => {
                    let at = self.byte(&mark);
                    if self.documents > 0 {
                        return Err(self
                            .error_at(
                                at,
                                3,
                                "a spec file must hold exactly one YAML document, but a second one starts here",
                            )
                            .with_help("split the documents into separate spec files"));
                    }
                    self.documents += 1;
                    self.last_end = at;
                }
                Event::Alias(_) => {
                    let at = self.byte(&mark);
                    return Err(self
                        .error_at(at, 1, "aliases (`*name`) are not supported in specs")
                        .with_help("write the value out in full"));
                }
                Event::Scalar(text, style, anchor, tag) => {
                    let at = self.byte(&mark);
                    self.reject_anchor(anchor, at)?;
                    let node = self.scalar(text, style, tag.as_ref(), at, &mark)?;
                    self.finish_node(node)?;
                }
                Event::SequenceStart(anchor, tag) => {
                    let at = self.byte(&mark);
                    self.reject_anchor(anchor, at)?;
                    self.check_collection_tag(tag.as_ref(), "seq", at)?;
                    self.open(at, FrameKind::Seq(Vec::new()), b'[')?;
                }
                Event::MappingStart(anchor, tag) => {
                    let at = self.byte(&mark);
                    self.reject_anchor(anchor, at)?;
                    self.check_collection_tag(tag.as_ref(), "map", at)?;
                    let kind = FrameKind::Map {
                        entries: Vec::new(),
                        key: None,
                        seen: None,
                    };
                    self.open(at, kind, b'{')?;
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let at = self.byte(&mark);
                    self.close(at)?;
                }
            }
        }
        match self.root.take() {
            Some(root) if !is_empty_document(&root) => Ok(root),
            _ => Err(Diagnostic::error(self.file, "spec is empty")
                .with_help("a spec is a YAML mapping of fields; this file has no content besides comments or blank lines")),
        }
    }

    /// Byte offset of a parser marker in the full text.
    fn byte(&mut self, mark: &Marker) -> usize {
        self.positions.byte_of_char(mark.index() + self.char_base)
    }

    fn span(&mut self, start: usize, end: usize) -> Span {
        self.positions.span(start, end)
    }

    fn error_at(&mut self, at: usize, len: usize, message: impl Into<String>) -> Diagnostic {
        let end = self.positions.clamp_end(at, len);
        let span = self.span(at, end);
        Diagnostic::error(self.file, message).with_span(span)
    }

    fn scan_error(&mut self, error: &ScanError) -> Diagnostic {
        let at = self.byte(error.marker());
        // The scanner has its own, higher, limit for flow collections it scans ahead.
        if error.info() == "recursion limit exceeded" {
            return self.error_at(
                at,
                1,
                format!("the spec is nested too deeply (more than {MAX_DEPTH} levels)"),
            );
        }
        let diagnostic = self.error_at(at, 1, format!("invalid YAML: {}", error.info()));
        if error.info().contains("tab") {
            diagnostic.with_help("indent with spaces; YAML does not allow tabs for indentation")
        } else {
            diagnostic
        }
    }

    fn reject_anchor(&mut self, anchor: usize, at: usize) -> Result<(), Diagnostic> {
        if anchor == 0 {
            return Ok(());
        }
        // The event is marked at the node, after the anchor: point at the `&` before it.
        let amp = self.text[self.last_end.min(at)..at]
            .rfind('&')
            .map_or(at, |i| self.last_end.min(at) + i);
        Err(self
            .error_at(amp, 1, "anchors (`&name`) are not supported in specs")
            .with_help("write the value out in full where it is needed"))
    }

    fn unsupported_tag(&mut self, tag: &Tag, at: usize) -> Diagnostic {
        let shown = if tag.handle == CORE_TAG_HANDLE {
            format!("!!{}", tag.suffix)
        } else {
            format!("{}{}", tag.handle, tag.suffix)
        };
        self.error_at(at, 1, format!("tag `{shown}` is not supported in specs"))
            .with_help("only the core tags `!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!seq` and `!!map` may be used")
    }

    fn check_collection_tag(
        &mut self,
        tag: Option<&Tag>,
        allowed: &str,
        at: usize,
    ) -> Result<(), Diagnostic> {
        match tag {
            Some(tag) if !(tag.handle == CORE_TAG_HANDLE && tag.suffix == allowed) => {
                Err(self.unsupported_tag(tag, at))
            }
            _ => Ok(()),
        }
    }

    fn scalar(
        &mut self,
        text: String,
        style: TScalarStyle,
        tag: Option<&Tag>,
        at: usize,
        mark: &Marker,
    ) -> Result<Node, Diagnostic> {
        let style = match style {
            TScalarStyle::Plain => ScalarStyle::Plain,
            TScalarStyle::SingleQuoted => ScalarStyle::SingleQuoted,
            TScalarStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
            TScalarStyle::Literal => ScalarStyle::Literal,
            TScalarStyle::Folded => ScalarStyle::Folded,
        };
        let (start, end) = match style {
            ScalarStyle::Plain if text.is_empty() => {
                let point = empty_value_offset(self.text, self.last_end, at);
                (point, point)
            }
            ScalarStyle::Plain => (at, plain_end(self.text, at, &text)),
            ScalarStyle::SingleQuoted => (at, quoted_end(self.text, at, b'\'')),
            ScalarStyle::DoubleQuoted => (at, quoted_end(self.text, at, b'"')),
            ScalarStyle::Literal | ScalarStyle::Folded => {
                block_scalar_extent(self.text, self.last_end, at, mark.col(), text.is_empty())
            }
        };
        let span = self.span(start, end);
        let resolved = match tag {
            None if style == ScalarStyle::Plain => resolve_plain(&text),
            None => Resolved::Str,
            Some(tag) if tag.handle == CORE_TAG_HANDLE => {
                match resolve_tagged(&tag.suffix, &text) {
                    Some(resolved) => resolved,
                    None if matches!(tag.suffix.as_str(), "int" | "float" | "bool" | "null") => {
                        return Err(Diagnostic::error(
                            self.file,
                            format!("`{text}` is not a valid `!!{}` value", tag.suffix),
                        )
                        .with_span(span));
                    }
                    None => return Err(self.unsupported_tag(tag, at)),
                }
            }
            Some(tag) => return Err(self.unsupported_tag(tag, at)),
        };
        Ok(Node {
            value: Value::Scalar(Scalar {
                text,
                style,
                resolved,
            }),
            span,
        })
    }

    fn open(&mut self, at: usize, kind: FrameKind, flow_open: u8) -> Result<(), Diagnostic> {
        if let Some(Frame {
            kind: FrameKind::Map { key: None, .. },
            ..
        }) = self.stack.last()
        {
            return Err(self
                .error_at(
                    at,
                    1,
                    "mapping keys must be plain values, not lists or mappings",
                )
                .with_path(self.stack_path()));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.error_at(
                at,
                1,
                format!("the spec is nested too deeply (more than {MAX_DEPTH} levels)"),
            ));
        }
        let flow = self.text.as_bytes().get(at) == Some(&flow_open);
        let is_map = matches!(kind, FrameKind::Map { .. });
        // A block mapping is marked at its first `:`; it starts at its first key instead.
        let start = if flow || !is_map { Some(at) } else { None };
        self.last_end = if flow { at + 1 } else { at };
        self.stack.push(Frame { start, flow, kind });
        Ok(())
    }

    fn close(&mut self, at: usize) -> Result<(), Diagnostic> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let end = if frame.flow {
            self.positions.clamp_end(at, 1)
        } else {
            self.last_end
        };
        let start = frame.start.unwrap_or(at).min(end);
        let span = self.span(start, end);
        let value = match frame.kind {
            FrameKind::Seq(items) => Value::Seq(items),
            FrameKind::Map { entries, .. } => Value::Map(entries),
        };
        self.finish_node(Node { value, span })
    }

    /// Attaches a finished node to the collection being built (or makes it the root).
    fn finish_node(&mut self, node: Node) -> Result<(), Diagnostic> {
        self.last_end = node.span.end();
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        match &mut frame.kind {
            FrameKind::Seq(items) => items.push(node),
            FrameKind::Map { entries, key, seen } => match key.take() {
                Some(k) => entries.push((k, node)),
                None => {
                    if frame.start.is_none() {
                        frame.start = Some(node.span.offset);
                    }
                    // The path of the mapping is only computed for an error: on every
                    // node it was a measurable share of reading a spec.
                    if matches!(&node.value, Value::Scalar(s) if s.is_plain() && s.text.is_empty())
                    {
                        return Err(Diagnostic::error(self.file, "empty mapping key")
                            .with_span(node.span)
                            .with_path(self.stack_path()));
                    }
                    let text = key_text(&node);
                    const LOOK_THROUGH: usize = 16;
                    if seen.is_none() && entries.len() >= LOOK_THROUGH {
                        *seen = Some(
                            entries
                                .iter()
                                .map(|(k, _)| (key_text(k).to_owned(), k.span))
                                .collect(),
                        );
                    }
                    let first = match seen {
                        Some(seen) => seen.get(text).copied(),
                        None => entries
                            .iter()
                            .find(|(k, _)| key_text(k) == text)
                            .map(|(k, _)| k.span),
                    };
                    if let Some(first) = first {
                        let path = self.stack_path();
                        let where_ = if path.is_empty() {
                            "at the top level".to_owned()
                        } else {
                            format!("in `{path}`")
                        };
                        return Err(Diagnostic::error(
                            self.file,
                            format!(
                                "duplicate key `{text}` {where_}: first defined at line {}, column {}",
                                first.line, first.col
                            ),
                        )
                        .with_span(node.span)
                        .with_path(path)
                        .with_help("remove one of the two entries"));
                    }
                    if let Some(seen) = seen {
                        seen.insert(text.to_owned(), node.span);
                    }
                    *key = Some(node);
                }
            },
        }
        Ok(())
    }

    /// YAML path of the innermost collection being built.
    fn stack_path(&self) -> String {
        let mut path = String::new();
        for pair in self.stack.windows(2) {
            match &pair[0].kind {
                FrameKind::Seq(items) => path = crate::yaml_path::path_index(&path, items.len()),
                FrameKind::Map { key, .. } => {
                    let key = key.as_ref().and_then(Node::as_scalar);
                    path = crate::yaml_path::path_key(&path, key.map_or("", |s| s.text.as_str()));
                }
            }
        }
        path
    }
}

/// The text of a mapping key (collections as keys are rejected when they open).
fn key_text(key: &Node) -> &str {
    match &key.value {
        Value::Scalar(s) => &s.text,
        _ => "",
    }
}

fn is_empty_document(root: &Node) -> bool {
    matches!(&root.value, Value::Scalar(s) if s.is_plain() && s.text.is_empty() && s.resolved == Resolved::Null)
}

/// Reads a scalar under a core `!!` tag; `None` if the text does not fit the tag.
fn resolve_tagged(suffix: &str, text: &str) -> Option<Resolved> {
    let plain = resolve_plain(text);
    match (suffix, plain) {
        ("str", _) => Some(Resolved::Str),
        ("null", Resolved::Null) | ("bool", Resolved::Bool(_)) | ("int", Resolved::Int(_)) => {
            Some(plain)
        }
        ("float", Resolved::Float(_)) => Some(plain),
        ("float", Resolved::Int(i)) => Some(Resolved::Float(i as f64)),
        _ => None,
    }
}

/// Where an empty value sits: just after the `:`, `-` or `?` that introduced it, found by
/// skipping blanks and comments from the end of the previous node (the parser marks empty
/// values at the next token, which may be lines further down).
fn empty_value_offset(text: &str, from: usize, limit: usize) -> usize {
    let bytes = text.as_bytes();
    // The parser may mark the empty value at its own indicator (`{k: }` is marked at `:`).
    let limit = limit.min(bytes.len());
    let mut i = from.min(limit);
    while i < bytes.len() && i <= limit {
        match bytes[i] {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b':' | b'-' | b'?' => return i + 1,
            _ => return i,
        }
    }
    limit
}

/// End of a plain scalar starting at `start` whose folded value is `value`: the source is
/// matched against the value, line breaks and indentation standing for folded spaces.
fn plain_end(text: &str, start: usize, value: &str) -> usize {
    let mut source = text[start..].char_indices().peekable();
    let mut wanted = value.chars().peekable();
    let mut end = start;
    while let Some(&v) = wanted.peek() {
        let Some(&(i, s)) = source.peek() else {
            break;
        };
        if v == s {
            wanted.next();
            source.next();
            end = start + i + s.len_utf8();
        } else if s.is_whitespace() {
            source.next();
        } else if v.is_whitespace() {
            wanted.next();
        } else {
            break;
        }
    }
    end
}

/// End (after the closing quote) of a quoted scalar whose opening quote is at `start`.
fn quoted_end(text: &str, start: usize, quote: u8) -> usize {
    let bytes = text.as_bytes();
    let mut i = start + 1;
    while i < bytes.len() {
        let b = bytes[i];
        if quote == b'"' && b == b'\\' {
            i += 2;
        } else if b == quote {
            if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
            } else {
                return i + 1;
            }
        } else {
            i += 1;
        }
    }
    bytes.len()
}

/// Start and end of a `|` or `>` block scalar: from its header to the end of its last content
/// line. `content` is where the parser marked the block (its first content line, at the
/// content indentation `indent`) and `from` the end of the node before it.
fn block_scalar_extent(
    text: &str,
    from: usize,
    content: usize,
    indent: usize,
    empty: bool,
) -> (usize, usize) {
    let bytes = text.as_bytes();
    let from = from.min(content);
    let header = bytes[from..content]
        .iter()
        .position(|b| *b == b'|' || *b == b'>')
        .map_or(content, |i| from + i);
    let mut end = header;
    while end < bytes.len() && matches!(bytes[end], b'|' | b'>' | b'+' | b'-' | b'0'..=b'9') {
        end += 1;
    }
    if empty {
        return (header, end);
    }
    // Content lines follow the header's line: blank, or indented at least `indent`.
    let mut line_start = match text[header..].find('\n') {
        Some(i) => header + i + 1,
        None => return (header, end),
    };
    while line_start < bytes.len() {
        let line_end = text[line_start..]
            .find('\n')
            .map_or(bytes.len(), |i| line_start + i);
        let line = text[line_start..line_end].trim_end_matches('\r');
        let spaces = line.bytes().take_while(|b| *b == b' ').count();
        if !line.trim().is_empty() {
            if spaces < indent {
                break;
            }
            end = line_start + line.len();
        }
        line_start = line_end + 1;
    }
    (header, end)
}

/// Converts between character indices, byte offsets and line/column positions.
///
/// A conversion looks up the line first. On a line of ASCII text, characters are bytes and
/// the answer is arithmetic; on other lines it walks from the last position asked for when
/// that is on the same line, else from the line's start. Mostly increasing positions thus
/// cost linear time overall, even on very long lines, and a position that goes back (the
/// start of a collection, once it ends) costs at most one line.
struct Positions<'t> {
    text: &'t str,
    /// Byte offset and character index of the start of each line.
    lines: Vec<(usize, usize)>,
    /// Whether each line (with its line break) is ASCII.
    ascii: Vec<bool>,
    cursor_byte: usize,
    cursor_char: usize,
}

impl<'t> Positions<'t> {
    fn new(text: &'t str) -> Self {
        let mut lines = vec![(0, 0)];
        let bytes = text.as_bytes();
        // Character index of the byte at `bi`: every byte that is not a UTF-8
        // continuation byte starts a character. Line breaks are ASCII.
        let mut ci = 0;
        for (bi, &b) in bytes.iter().enumerate() {
            let is_break =
                b == b'\n' || (b == b'\r' && bytes.get(bi + 1).is_none_or(|&n| n != b'\n'));
            if is_break {
                lines.push((bi + 1, ci + 1));
            }
            if b & 0xC0 != 0x80 {
                ci += 1;
            }
        }
        let ascii = (0..lines.len())
            .map(|i| {
                let end = lines.get(i + 1).map_or(text.len(), |&(b, _)| b);
                text.as_bytes()[lines[i].0..end].is_ascii()
            })
            .collect();
        Positions {
            text,
            lines,
            ascii,
            cursor_byte: 0,
            cursor_char: 0,
        }
    }

    /// Moves the cursor to the start of `line` unless it is already on it.
    fn enter_line(&mut self, line: usize) {
        let (byte, char) = self.lines[line];
        let next = self.lines.get(line + 1).map_or(usize::MAX, |&(b, _)| b);
        if self.cursor_byte < byte || self.cursor_byte >= next {
            self.cursor_byte = byte;
            self.cursor_char = char;
        }
    }

    fn byte_of_char(&mut self, target: usize) -> usize {
        let line = self.lines.partition_point(|&(_, c)| c <= target) - 1;
        let (byte, char) = self.lines[line];
        if self.ascii[line] {
            return (byte + (target - char)).min(self.text.len());
        }
        self.enter_line(line);
        while self.cursor_char < target {
            match self.text[self.cursor_byte..].chars().next() {
                Some(c) => {
                    self.cursor_byte += c.len_utf8();
                    self.cursor_char += 1;
                }
                None => break,
            }
        }
        while self.cursor_char > target {
            match self.text[..self.cursor_byte].chars().next_back() {
                Some(c) => {
                    self.cursor_byte -= c.len_utf8();
                    self.cursor_char -= 1;
                }
                None => break,
            }
        }
        self.cursor_byte
    }

    fn char_of_byte(&mut self, target: usize) -> usize {
        let target = self.floor_boundary(target);
        let line = self.lines.partition_point(|&(b, _)| b <= target) - 1;
        let (byte, char) = self.lines[line];
        if self.ascii[line] {
            return char + (target - byte);
        }
        self.enter_line(line);
        while self.cursor_byte < target {
            match self.text[self.cursor_byte..].chars().next() {
                Some(c) => {
                    self.cursor_byte += c.len_utf8();
                    self.cursor_char += 1;
                }
                None => break,
            }
        }
        while self.cursor_byte > target {
            match self.text[..self.cursor_byte].chars().next_back() {
                Some(c) => {
                    self.cursor_byte -= c.len_utf8();
                    self.cursor_char -= 1;
                }
                None => break,
            }
        }
        self.cursor_char
    }

    fn floor_boundary(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    /// The byte offset `len` characters after `at`, within the text.
    fn clamp_end(&self, at: usize, len: usize) -> usize {
        let at = self.floor_boundary(at);
        self.text[at..]
            .char_indices()
            .nth(len)
            .map_or(self.text.len(), |(i, _)| at + i)
    }

    fn span(&mut self, start: usize, end: usize) -> Span {
        let start = self.floor_boundary(start);
        let end = self.floor_boundary(end.max(start));
        let line = self.lines.partition_point(|(b, _)| *b <= start);
        let line_char = self.lines[line - 1].1;
        let col = self.char_of_byte(start) - line_char + 1;
        Span::new(line, col, start, end - start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Node {
        match parse("t.yaml", text) {
            Ok(node) => node,
            Err(d) => panic!("unexpected error: {}", d.render(text)),
        }
    }

    fn parse_err(text: &str) -> Diagnostic {
        match parse("t.yaml", text) {
            Ok(node) => panic!("expected an error, got {node:?}"),
            Err(d) => d,
        }
    }

    fn scalar(node: &Node) -> &Scalar {
        node.as_scalar().expect("scalar")
    }

    /// The source text a span covers.
    fn spanned(text: &str, span: Span) -> &str {
        &text[span.offset..span.end()]
    }

    #[test]
    fn core_schema_resolution() {
        assert_eq!(resolve_plain(""), Resolved::Null);
        assert_eq!(resolve_plain("~"), Resolved::Null);
        assert_eq!(resolve_plain("NULL"), Resolved::Null);
        assert_eq!(resolve_plain("nul"), Resolved::Str);
        assert_eq!(resolve_plain("True"), Resolved::Bool(true));
        assert_eq!(resolve_plain("false"), Resolved::Bool(false));
        assert_eq!(resolve_plain("yes"), Resolved::Str);
        assert_eq!(resolve_plain("tRUE"), Resolved::Str);
        assert_eq!(resolve_plain("80"), Resolved::Int(80));
        assert_eq!(resolve_plain("-12"), Resolved::Int(-12));
        assert_eq!(resolve_plain("+7"), Resolved::Int(7));
        assert_eq!(resolve_plain("0x1F"), Resolved::Int(31));
        assert_eq!(resolve_plain("0o17"), Resolved::Int(15));
        assert_eq!(resolve_plain("0o18"), Resolved::Str);
        assert_eq!(resolve_plain("0xg"), Resolved::Str);
        assert_eq!(resolve_plain("-0x1"), Resolved::Str);
        assert_eq!(resolve_plain("1_000"), Resolved::Str);
        assert_eq!(resolve_plain("1.5"), Resolved::Float(1.5));
        assert_eq!(resolve_plain(".5"), Resolved::Float(0.5));
        assert_eq!(resolve_plain("1."), Resolved::Float(1.0));
        assert_eq!(resolve_plain("-1e3"), Resolved::Float(-1000.0));
        assert_eq!(resolve_plain("2E-2"), Resolved::Float(0.02));
        assert_eq!(resolve_plain("1e"), Resolved::Str);
        assert_eq!(resolve_plain("."), Resolved::Str);
        assert_eq!(resolve_plain("-.inf"), Resolved::Float(f64::NEG_INFINITY));
        assert_eq!(resolve_plain(".Inf"), Resolved::Float(f64::INFINITY));
        assert!(matches!(resolve_plain(".NaN"), Resolved::Float(f) if f.is_nan()));
        assert_eq!(resolve_plain("inf"), Resolved::Str);
        assert_eq!(resolve_plain("1.2.3"), Resolved::Str);
        assert_eq!(resolve_plain("v1"), Resolved::Str);
        assert_eq!(
            resolve_plain("18446744073709551615"),
            Resolved::Int(i128::from(u64::MAX))
        );
        assert!(matches!(
            resolve_plain("9".repeat(50).as_str()),
            Resolved::Float(f) if f > 1e49
        ));
    }

    #[test]
    fn quoted_and_block_scalars_are_strings() {
        let root = parse_ok("a: \"80\"\nb: '~'\nc: |\n  true\nd: 80\n");
        let get = |k: &str| scalar(root.get(k).expect("key")).clone();
        assert_eq!(get("a").resolved, Resolved::Str);
        assert_eq!(get("a").style, ScalarStyle::DoubleQuoted);
        assert_eq!(get("b").resolved, Resolved::Str);
        assert_eq!(get("c").resolved, Resolved::Str);
        assert_eq!(get("c").text, "true\n");
        assert_eq!(get("d").resolved, Resolved::Int(80));
        assert_eq!(get("d").text, "80");
        assert!(get("d").is_plain());
    }

    #[test]
    fn core_tags_are_applied() {
        let root = parse_ok("a: !!str 80\nb: !!int \"42\"\nc: !!float 3\nd: !!null ''\n");
        assert_eq!(scalar(root.get("a").expect("a")).resolved, Resolved::Str);
        assert_eq!(
            scalar(root.get("b").expect("b")).resolved,
            Resolved::Int(42)
        );
        assert_eq!(
            scalar(root.get("c").expect("c")).resolved,
            Resolved::Float(3.0)
        );
        assert!(root.get("d").expect("d").is_null());
        let d = parse_err("a: !!int abc\n");
        assert_eq!(d.message, "`abc` is not a valid `!!int` value");
        assert_eq!(d.span.map(|s| (s.line, s.col)), Some((1, 10)));
    }

    #[test]
    fn spans_of_scalars_cover_their_text() {
        let text = "name: web app\nimage: \"ghcr.io/x:1\"\nnote: 'it''s'\nport: 80 # comment\n";
        let root = parse_ok(text);
        let span = |k: &str| root.get(k).expect("key").span;
        assert_eq!(spanned(text, span("name")), "web app");
        assert_eq!(spanned(text, span("image")), "\"ghcr.io/x:1\"");
        assert_eq!(spanned(text, span("note")), "'it''s'");
        assert_eq!(spanned(text, span("port")), "80");
        assert_eq!(
            span("port"),
            Span::new(4, 7, text.find("80").expect("80"), 2)
        );
    }

    #[test]
    fn columns_count_characters_and_offsets_count_bytes() {
        let text = "é: ü\nnäme: wert\n";
        let root = parse_ok(text);
        let (key, value) = &root.as_map().expect("map")[1];
        assert_eq!(key.span, Span::new(2, 1, 7, 5));
        assert_eq!(value.span.line, 2);
        assert_eq!(value.span.col, 7);
        assert_eq!(value.span.offset, text.find("wert").expect("wert"));
        assert_eq!(spanned(text, value.span), "wert");
        let (_, first) = &root.as_map().expect("map")[0];
        assert_eq!(first.span, Span::new(1, 4, 4, 2));
    }

    #[test]
    fn positions_after_block_scalars_and_crlf() {
        let text =
            "script: |\n  echo one\n\n  echo two\nafter: 1\nfolded: >-\n  a\n  b\n# c\nlast: x\n";
        let root = parse_ok(text);
        let span = |k: &str| root.get(k).expect("key").span;
        assert_eq!(spanned(text, span("script")), "|\n  echo one\n\n  echo two");
        assert_eq!((span("after").line, span("after").col), (5, 8));
        assert_eq!(spanned(text, span("folded")), ">-\n  a\n  b");
        assert_eq!((span("last").line, span("last").col), (10, 7));

        let crlf = "a: 1\r\nb: |\r\n  x\r\nc: z\r\n";
        let root = parse_ok(crlf);
        let c = root.get("c").expect("c").span;
        assert_eq!((c.line, c.col), (4, 4));
        assert_eq!(spanned(crlf, root.get("b").expect("b").span), "|\r\n  x");
    }

    #[test]
    fn multi_line_plain_and_quoted_scalars() {
        let text = "a: one\n  two\n  three\nb: \"x\n  y\"\nc: 1\n";
        let root = parse_ok(text);
        let a = root.get("a").expect("a");
        assert_eq!(scalar(a).text, "one two three");
        assert_eq!(spanned(text, a.span), "one\n  two\n  three");
        assert_eq!(spanned(text, root.get("b").expect("b").span), "\"x\n  y\"");
        assert_eq!(root.get("c").expect("c").span.line, 6);
    }

    #[test]
    fn empty_values_are_placed_after_their_indicator() {
        let text = "a:\nb: 1\nlist:\n  -\n  - x\nflow: {k: }\n";
        let root = parse_ok(text);
        let a = root.get("a").expect("a");
        assert!(a.is_null());
        assert_eq!(a.span, Span::new(1, 3, 2, 0));
        let list = root.get("list").expect("list").as_seq().expect("seq");
        assert!(list[0].is_null());
        assert_eq!((list[0].span.line, list[0].span.col), (4, 4));
        let k = root.get("flow").expect("flow").get("k").expect("k");
        assert!(k.is_null());
        assert_eq!((k.span.line, k.span.col), (6, 10));
    }

    #[test]
    fn collection_spans() {
        let text = "outer:\n  inner: 1\n  list:\n    - a\n    - b\nflow: [1, {x: 2}]\n";
        let root = parse_ok(text);
        assert_eq!(root.span.offset, 0);
        assert_eq!(root.span.end(), text.len() - 1);
        let outer = root.get("outer").expect("outer");
        assert_eq!(
            spanned(text, outer.span),
            "inner: 1\n  list:\n    - a\n    - b"
        );
        assert_eq!((outer.span.line, outer.span.col), (2, 3));
        let list = outer.get("list").expect("list");
        assert_eq!(spanned(text, list.span), "- a\n    - b");
        let flow = root.get("flow").expect("flow");
        assert_eq!(spanned(text, flow.span), "[1, {x: 2}]");
        let inner_map = &flow.as_seq().expect("seq")[1];
        assert_eq!(spanned(text, inner_map.span), "{x: 2}");
    }

    #[test]
    fn byte_order_mark_is_skipped() {
        let text = "\u{FEFF}a: 1\nb: 2\n";
        let root = parse_ok(text);
        let b = root.get("b").expect("b");
        assert_eq!(spanned(text, b.span), "2");
        assert_eq!((b.span.line, b.span.col), (2, 4));
    }

    #[test]
    fn empty_files_are_rejected() {
        for text in [
            "",
            "\n\n",
            "# just a comment\n  # another\n",
            "---\n",
            "--- # c\n...\n",
        ] {
            let d = parse_err(text);
            assert_eq!(d.message, "spec is empty", "for {text:?}");
            assert_eq!(d.span, None);
        }
        // An explicit null is content, left for the reader of the tree to reject.
        assert!(parse_ok("~\n").is_null());
    }

    #[test]
    fn second_document_is_rejected() {
        let d = parse_err("a: 1\n---\nb: 2\n");
        assert!(
            d.message.contains("exactly one YAML document"),
            "{}",
            d.message
        );
        assert_eq!(d.span.map(|s| (s.line, s.col)), Some((2, 1)));
        let d = parse_err("---\na: 1\n---\n");
        assert_eq!(d.span.map(|s| (s.line, s.col)), Some((3, 1)));
    }

    #[test]
    fn duplicate_keys_name_both_positions() {
        let text = "name: a\ncontainer:\n  port: 1\n  image: x\n  port: 2\n";
        let d = parse_err(text);
        assert_eq!(
            d.message,
            "duplicate key `port` in `container`: first defined at line 3, column 3"
        );
        assert_eq!(d.path, "container");
        assert_eq!(
            d.span,
            Some(Span::new(5, 3, text.rfind("port").expect("port"), 4))
        );
        let d = parse_err("a: 1\nb: 2\na: 3\n");
        assert_eq!(
            d.message,
            "duplicate key `a` at the top level: first defined at line 1, column 1"
        );
        let d = parse_err("items:\n  - {x: 1, x: 2}\n");
        assert_eq!(d.path, "items[0]");
        // Keys are compared by their text, whatever their quoting.
        let d = parse_err("80: a\n\"80\": b\n");
        assert!(d.message.starts_with("duplicate key `80`"), "{}", d.message);
        // A large mapping is looked up by key text, not scanned: the same findings.
        for dup in [3, 20, 39] {
            let mut text: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
            text.push_str(&format!("k{dup}: again\n"));
            let d = parse_err(&text);
            assert_eq!(
                d.message,
                format!(
                    "duplicate key `k{dup}` at the top level: first defined at line {}, column 1",
                    dup + 1
                )
            );
            assert_eq!(d.span.map(|s| s.line), Some(41));
        }
    }

    #[test]
    fn non_scalar_and_empty_keys_are_rejected() {
        let d = parse_err("? [a, b]\n: 1\n");
        assert_eq!(
            d.message,
            "mapping keys must be plain values, not lists or mappings"
        );
        assert_eq!(d.span.map(|s| (s.line, s.col)), Some((1, 3)));
        let d = parse_err("x:\n  {a: 1}: 2\n");
        assert_eq!(
            d.message,
            "mapping keys must be plain values, not lists or mappings"
        );
        assert_eq!(d.path, "x");
        let d = parse_err(": 1\n");
        assert_eq!(d.message, "empty mapping key");
    }

    #[test]
    fn anchors_and_aliases_are_rejected() {
        let text = "base: &b\n  x: 1\nother: *b\n";
        let d = parse_err(text);
        assert_eq!(d.message, "anchors (`&name`) are not supported in specs");
        assert_eq!(d.span.map(|s| (s.line, s.col)), Some((1, 7)));
        let d = parse_err("a: &x 1\n");
        assert_eq!(d.span.map(|s| (s.line, s.col)), Some((1, 4)));
        // A billion-laughs style document fails on its first anchor, expanding nothing.
        let bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\n";
        assert!(parse_err(bomb).message.starts_with("anchors"));
    }

    #[test]
    fn only_core_tags_are_accepted() {
        let d = parse_err("a: !secret foo\n");
        assert_eq!(d.message, "tag `!secret` is not supported in specs");
        assert_eq!(d.span.map(|s| (s.line, s.col)), Some((1, 12)));
        let d = parse_err("a: !!binary aGk=\n");
        assert_eq!(d.message, "tag `!!binary` is not supported in specs");
        let d = parse_err("a: !!map [1]\n");
        assert_eq!(d.message, "tag `!!map` is not supported in specs");
        assert!(
            parse_ok("a: !!map {b: 1}\nc: !!seq [1]\n")
                .get("c")
                .is_some()
        );
    }

    #[test]
    fn syntax_errors_have_positions() {
        let d = parse_err("a: 1\n b: 2\n");
        assert!(d.message.starts_with("invalid YAML: "), "{}", d.message);
        assert_eq!(d.span.map(|s| (s.line, s.col)), Some((2, 3)));
        let d = parse_err("a:\n\tb: 1\n");
        assert_eq!(d.span.map(|s| s.line), Some(2));
        assert!(d.help.as_deref().is_some_and(|h| h.contains("spaces")));
        let d = parse_err("a: [1, 2\n");
        assert!(d.message.starts_with("invalid YAML: "));
        let d = parse_err("a: \"unterminated\n");
        assert!(d.span.is_some());
    }

    #[test]
    fn nesting_depth_is_limited() {
        let ok = format!("{}1{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse("t.yaml", &ok).is_ok());
        let deep = format!(
            "{}1{}",
            "[".repeat(MAX_DEPTH + 1),
            "]".repeat(MAX_DEPTH + 1)
        );
        let d = parse_err(&deep);
        assert_eq!(
            d.message,
            "the spec is nested too deeply (more than 64 levels)"
        );
        assert_eq!(d.span.map(|s| s.col), Some(MAX_DEPTH + 1));
        // A huge nesting attempt stops at the limit instead of exhausting the stack.
        let huge = "[".repeat(1_000_000);
        assert!(parse_err(&huge).message.contains("nested too deeply"));
        let mut block = String::new();
        for depth in 0..200 {
            block.push_str(&" ".repeat(depth));
            block.push_str("k:\n");
        }
        assert!(parse_err(&block).message.contains("nested too deeply"));
    }

    #[test]
    fn large_flat_inputs_parse() {
        let mut text = String::new();
        for i in 0..50_000 {
            text.push_str(&format!("key{i}: value {i}\n"));
        }
        let root = parse_ok(&text);
        let entries = root.as_map().expect("map");
        assert_eq!(entries.len(), 50_000);
        let (key, value) = &entries[49_999];
        assert_eq!(key.span.line, 50_000);
        assert_eq!(spanned(&text, value.span), "value 49999");

        let line = format!("[{}1]", "1, ".repeat(100_000));
        let root = parse_ok(&line);
        let items = root.as_seq().expect("seq");
        assert_eq!(items.len(), 100_001);
        assert_eq!(items[100_000].span.col, 1 + 1 + 3 * 100_000);
    }

    /// The line-indexed conversions agree with counting from the start of the text, for
    /// positions asked in any order.
    #[test]
    fn positions_agree_with_counting_from_the_start() {
        let pieces = ["a", "bc", " ", "\n", "\r\n", "\r", "é", "名", "😀", "\t"];
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..2_000 {
            let len = (next() % 60) as usize;
            let text: String = (0..len)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            let chars = text.chars().count();
            let mut positions = Positions::new(&text);
            for _ in 0..40 {
                let c = (next() as usize) % (chars + 3);
                let expected_byte = text.char_indices().nth(c).map_or(text.len(), |(b, _)| b);
                assert_eq!(
                    positions.byte_of_char(c),
                    expected_byte,
                    "{text:?} char {c}"
                );
                let b = (next() as usize) % (text.len() + 1);
                let floor = (0..=b)
                    .rev()
                    .find(|&i| text.is_char_boundary(i))
                    .unwrap_or(0);
                assert_eq!(
                    positions.char_of_byte(b),
                    text[..floor].chars().count(),
                    "{text:?} byte {b}"
                );
            }
        }
    }

    /// Arbitrary YAML-ish input yields a tree or a diagnostic, never a panic, and every span
    /// lies within the text on character boundaries.
    #[test]
    fn random_inputs_never_panic() {
        let pieces = [
            "a", "b", ":", " ", "  ", "\n", "- ", "[", "]", "{", "}", ",", "? ", "&x ", "*x",
            "!!str ", "!t ", "|", ">", "\"", "'", "#", "\t", "\r\n", "é", "名", "---\n", "...",
            "\\", "1", "~", "\u{FEFF}", "0x", ".5",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let len = (next() % 40) as usize;
            let text: String = (0..len)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            match parse("t.yaml", &text) {
                Ok(root) => check_spans(&text, &root),
                Err(d) => {
                    if let Some(span) = d.span {
                        assert!(text.is_char_boundary(span.offset), "{text:?}");
                        assert!(span.end() <= text.len(), "{text:?}");
                    }
                    let _ = d.render(&text);
                }
            }
        }
    }

    fn check_spans(text: &str, node: &Node) {
        assert!(text.is_char_boundary(node.span.offset), "{text:?}");
        assert!(text.is_char_boundary(node.span.end()), "{text:?}");
        match &node.value {
            Value::Scalar(_) => {}
            Value::Seq(items) => items.iter().for_each(|n| check_spans(text, n)),
            Value::Map(entries) => entries.iter().for_each(|(k, v)| {
                check_spans(text, k);
                check_spans(text, v);
            }),
        }
    }
}
