//! Reads a located YAML tree into serde types, reporting every problem with its position.
//!
//! [`from_str`] / [`from_node`] drive a `#[derive(Deserialize)]` type over a [`Node`] tree.
//! Instead of stopping at the first problem, the deserializer records a [`Diagnostic`] with
//! the YAML path and span of the offending node and carries on, so a spec's problems are all
//! reported at once. The value is returned only when no error was found, together with a
//! [`SpanIndex`] that later stages use to point at fields.
//!
//! # Paths
//!
//! A YAML path names a node from the document root: mapping keys are joined with `.`, list
//! items are `[index]` (0-based), and the root is the empty string, e.g.
//! `containers[0].env[3].name`. A key made of anything other than ASCII letters, digits, `_`,
//! `-` and `/` is written in double quotes, with `"` and `\` escaped by a backslash:
//! `labels."app.kubernetes.io/name"`. Paths are built with [`path_key`] and [`path_index`]
//! (from [`crate::yaml_path`], shared with the YAML reader, re-exported here).
//!
//! # What is accepted
//!
//! - Structs are mappings. Keys are matched to field names exactly (case-sensitive). Unknown
//!   keys are reported (listing the valid fields and a did-you-mean) and skipped.
//! - Enums: a unit variant is written as its name (`type: ClusterIP`); a newtype, tuple or
//!   struct variant as a mapping with exactly one key, the variant name (externally tagged):
//!   `source: {git: {url: ...}}`. Unknown names are reported with the valid ones.
//! - `Option`: `~`, `null` or nothing is `None`. A quoted `"null"` is `Some("null")`.
//! - Strings take any non-null scalar as the text written: `value: true` reads as `"true"` and
//!   `port: 80` as `"80"`. A list, a mapping or a null where a string is expected is an error.
//! - Integers must be plain integers in range of the requested width; quoted numbers are
//!   strings. Floats take integers and floats. Booleans are `true`/`false` only.
//! - Newtype structs are transparent; `Vec`, tuples and maps (`BTreeMap<String, T>`) as usual.
//! - `deserialize_any` (hand-written value types, untagged and internally tagged enums)
//!   yields a scalar's core-schema type only when the scalar is written in that type's
//!   canonical spelling: `80`, `1.5` and `true` are a number, a float and a boolean, but
//!   `022`, `0x1F`, `1.10`, `1e3`, `.inf` and `True` are the strings written, so no value
//!   changes on its way through.
//! - Structs using `#[serde(flatten)]` are read as maps, so their unknown keys are not reported.
//!
//! # What recovers and what aborts
//!
//! Recovered (recorded, a placeholder value is substituted, reading continues): unknown
//! fields; unknown enum values; a wrong type anywhere (map/list/scalar where another is
//! expected, `"abc"` for an integer, a negative or too large integer, a list of the wrong
//! length); a variant given a value it does not take or missing the value it needs.
//!
//! Aborting (recorded, then the derived code stops): errors raised by the type's own code,
//! chiefly a missing required field (reported at the key of the mapping that lacks it, or the
//! mapping itself for list items and the root) and custom validation errors (`try_from`,
//! hand-written `Deserialize`, untagged enums matching no variant). Reading then starts again
//! from the top with the node that failed replaced by a placeholder, so the problems after it
//! are still found; the diagnostics before it repeat identically and are merged. If the type
//! rejects the placeholder too (a `try_from` that refuses `""`), the next pass leaves that
//! entry out of its mapping or list; for a required field the derived code notices only after
//! reading all its siblings, and that complaint is not reported. After [`MAX_RESTARTS`]
//! restarts reading stops with a "too many problems" error.
//!
//! Custom errors are reported with serde's message as the message, so a validating type
//! should word its errors for users. Validation that needs positions of several fields is
//! better done after reading, with the [`SpanIndex`].
//!
//! Errors carry the path and span of the offending node, except that an unknown field is
//! reported at its key with the path of the mapping that holds it (the field itself has no
//! place in the type), and a missing field at the mapping that lacks it.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::OnceLock;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, IntoDeserializer, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};
use serde::forward_to_deserialize_any;

use crate::diag::{Diagnostics, Span, did_you_mean};
use crate::yaml::{self, Node, Resolved, Scalar, ScalarStyle, Value};
pub use crate::yaml_path::{parent_path, path_index, path_key};

/// How many times reading restarts after an aborting error before giving up.
pub const MAX_RESTARTS: usize = 64;

/// Parses `text` and reads it as a `T`. See the module documentation.
pub fn from_str<T: DeserializeOwned>(
    file: &str,
    text: &str,
) -> Result<(T, SpanIndex), Diagnostics> {
    let lossy = from_str_lossy(file, text)?;
    match lossy.value {
        Some(value) if !lossy.diagnostics.has_errors() => Ok((value, lossy.spans)),
        _ => Err(lossy.diagnostics),
    }
}

/// Reads a parsed tree as a `T`, collecting every problem. `file` labels the diagnostics.
pub fn from_node<T: DeserializeOwned>(
    file: &str,
    node: &Node,
) -> Result<(T, SpanIndex), Diagnostics> {
    let lossy = from_node_lossy(file, node);
    match lossy.value {
        Some(value) if !lossy.diagnostics.has_errors() => Ok((value, lossy.spans)),
        _ => Err(lossy.diagnostics),
    }
}

/// What [`from_node_lossy`] read: the value, when one could be built (with placeholders
/// where the input was wrong), the spans, and every problem found.
pub struct Lossy<T> {
    pub value: Option<T>,
    pub spans: SpanIndex,
    pub diagnostics: Diagnostics,
}

/// Like [`from_str`], but keeps the value built around recoverable problems, so a later
/// stage can validate it and report its own problems alongside these.
pub fn from_str_lossy<T: DeserializeOwned>(
    file: &str,
    text: &str,
) -> Result<Lossy<T>, Diagnostics> {
    let node = yaml::parse(file, text).map_err(Diagnostics::from)?;
    let (value, diagnostics) = read_lossy(file, &node);
    Ok(Lossy {
        value,
        // The spans are for diagnostics, which most runs never print: the index is built
        // on first use.
        spans: SpanIndex::lazy(node),
        diagnostics,
    })
}

/// The value read from `node` when reading it found no problem. No spans are indexed:
/// for a caller that only needs to know whether a tree reads, and as what.
pub fn value_of<T: DeserializeOwned>(file: &str, node: &Node) -> Option<T> {
    match read_lossy(file, node) {
        (Some(value), diagnostics) if !diagnostics.has_errors() => Some(value),
        _ => None,
    }
}

/// Like [`from_node`], but keeps the value built around recoverable problems.
pub fn from_node_lossy<T: DeserializeOwned>(file: &str, node: &Node) -> Lossy<T> {
    let (value, diagnostics) = read_lossy(file, node);
    Lossy {
        value,
        spans: SpanIndex::new(node),
        diagnostics,
    }
}

/// The value read from `node` (see [`from_node_lossy`]) and every problem found.
fn read_lossy<T: DeserializeOwned>(file: &str, node: &Node) -> (Option<T>, Diagnostics) {
    let mut all = Diagnostics::new();
    let mut recovered = None;
    // Each pass repeats the diagnostics of the passes before it up to where they stopped.
    let mut seen = HashSet::new();
    let mut poisoned = HashSet::new();
    let mut omitted = HashSet::new();
    let mut restarts = 0;
    loop {
        let mut state = State {
            file: file.to_owned(),
            diags: Diagnostics::new(),
            poisoned,
            omitted,
            abort: None,
        };
        let result = T::deserialize(NodeDe {
            node,
            path: String::new(),
            key_span: None,
            st: &mut state,
        });
        let result = state.settle_child(result, node, "", None);
        for diagnostic in state.diags {
            if seen.insert(diagnostic.clone()) {
                all.push(diagnostic);
            }
        }
        poisoned = state.poisoned;
        omitted = state.omitted;
        match result {
            Ok(value) => {
                recovered = Some(value);
                break;
            }
            Err(error) => {
                let restart = match state.abort {
                    Some(Abort::At(path)) if !poisoned.contains(&path) => {
                        Some((&mut poisoned, path))
                    }
                    Some(Abort::At(path) | Abort::Rejected(path))
                        if !path.is_empty() && !omitted.contains(&path) =>
                    {
                        Some((&mut omitted, path))
                    }
                    _ => None,
                };
                match restart {
                    Some(_) if restarts == MAX_RESTARTS => {
                        all.error(
                            file,
                            None,
                            "",
                            format!(
                                "too many problems: reading stopped after {MAX_RESTARTS} restarts; fix the problems reported and run again"
                            ),
                        );
                        break;
                    }
                    Some((set, path)) => {
                        set.insert(path);
                        restarts += 1;
                    }
                    None => {
                        if !all.has_errors() {
                            // Only reachable if a visitor fails without going through a node.
                            all.error(file, Some(node.span), "", error.to_string());
                        }
                        break;
                    }
                }
            }
        }
    }
    all.sort();
    (recovered, all)
}

/// The spans of every node of a tree by YAML path: the value, and the key for mapping
/// entries. Built from the whole tree, so it also covers fields the target type ignored.
#[derive(Debug, Clone, Default)]
pub struct SpanIndex {
    /// The tree the index is built from on first use ([`SpanIndex::lazy`]).
    tree: Option<Box<Node>>,
    entries: OnceLock<HashMap<String, PathSpans>>,
}

/// Where a node is: its value, and its key when it is a mapping entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathSpans {
    pub value: Span,
    pub key: Option<Span>,
}

impl SpanIndex {
    pub fn new(root: &Node) -> Self {
        SpanIndex {
            tree: None,
            entries: OnceLock::from(Self::index(root)),
        }
    }

    /// The index of `root`, built when it is first asked for.
    pub fn lazy(root: Node) -> Self {
        SpanIndex {
            tree: Some(Box::new(root)),
            entries: OnceLock::new(),
        }
    }

    fn entries(&self) -> &HashMap<String, PathSpans> {
        self.entries.get_or_init(|| match &self.tree {
            Some(root) => Self::index(root),
            None => HashMap::new(),
        })
    }

    fn index(root: &Node) -> HashMap<String, PathSpans> {
        let mut entries = HashMap::new();
        let mut todo: Vec<(String, &Node, Option<Span>)> = vec![(String::new(), root, None)];
        while let Some((path, node, key)) = todo.pop() {
            match &node.value {
                Value::Scalar(_) => {}
                Value::Seq(items) => {
                    for (i, item) in items.iter().enumerate() {
                        todo.push((path_index(&path, i), item, None));
                    }
                }
                Value::Map(map) => {
                    for (k, v) in map {
                        let text = k.as_scalar().map_or("", |s| s.text.as_str());
                        todo.push((path_key(&path, text), v, Some(k.span)));
                    }
                }
            }
            entries.insert(
                path,
                PathSpans {
                    value: node.span,
                    key,
                },
            );
        }
        entries
    }

    pub fn get(&self, path: &str) -> Option<PathSpans> {
        self.entries().get(path).copied()
    }

    /// The span of the value at `path`.
    pub fn value(&self, path: &str) -> Option<Span> {
        self.get(path).map(|p| p.value)
    }

    /// The span of the key of the mapping entry at `path`.
    pub fn key(&self, path: &str) -> Option<Span> {
        self.get(path).and_then(|p| p.key)
    }

    /// The best place to point at for `path`: its value when the file has it, otherwise the
    /// key (or value, for list items and the root) of its closest ancestor in the file. Meant
    /// for problems with defaulted fields that the file does not spell out.
    pub fn nearest(&self, path: &str) -> Option<Span> {
        if let Some(found) = self.get(path) {
            return Some(found.value);
        }
        let mut current = path;
        while let Some(parent) = parent_path(current) {
            if let Some(found) = self.get(parent) {
                return Some(found.key.unwrap_or(found.value));
            }
            current = parent;
        }
        None
    }

    pub fn len(&self) -> usize {
        self.entries().len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries().is_empty()
    }

    /// Every indexed path, in no particular order.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.entries().keys().map(String::as_str)
    }
}

/// The error passed through serde. Problems are recorded in [`State`] where they happen; what
/// travels up is either a problem raised by a visitor, not yet located, or the marker that it
/// has been recorded.
#[derive(Debug)]
struct Error(ErrorKind);

#[derive(Debug)]
enum ErrorKind {
    MissingField(&'static str),
    Custom(String),
    Recorded,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            ErrorKind::MissingField(field) => write!(f, "missing required field `{field}`"),
            ErrorKind::Custom(message) => f.write_str(message),
            ErrorKind::Recorded => f.write_str("the problem has been recorded"),
        }
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(ErrorKind::Custom(msg.to_string()))
    }

    fn missing_field(field: &'static str) -> Self {
        Error(ErrorKind::MissingField(field))
    }
}

const RECORDED: Error = Error(ErrorKind::Recorded);

enum Abort {
    /// A visitor failed on the node at this path: read a placeholder there next time.
    At(String),
    /// A visitor rejected the placeholder for the node at this path: leave the node out of
    /// its mapping or list next time (which works when the field is optional).
    Rejected(String),
}

/// What one reading pass has found so far.
struct State {
    file: String,
    diags: Diagnostics,
    /// Nodes that failed in an earlier pass and now read as placeholders.
    poisoned: HashSet<String>,
    /// Nodes whose placeholder failed too and are now left out of their parent.
    omitted: HashSet<String>,
    abort: Option<Abort>,
}

impl State {
    /// Locates and records an error a visitor raised while reading the node at `path`.
    /// `failed` says the node was already reported (or poisoned) and read as a placeholder:
    /// then the visitor's complaint is about the placeholder and is dropped.
    fn settle<T>(
        &mut self,
        result: Result<T, Error>,
        node: &Node,
        path: &str,
        key_span: Option<Span>,
        failed: bool,
    ) -> Result<T, Error> {
        let kind = match result {
            Ok(value) => return Ok(value),
            Err(Error(ErrorKind::Recorded)) => return Err(RECORDED),
            Err(Error(kind)) => kind,
        };
        if failed {
            self.abort = Some(Abort::Rejected(path.to_owned()));
            return Err(RECORDED);
        }
        if let ErrorKind::MissingField(field) = kind
            && self.omitted.contains(&path_key(path, field))
        {
            // The field is missing because an earlier pass left it out.
            self.abort = Some(Abort::Rejected(path.to_owned()));
            return Err(RECORDED);
        }
        let (span, message) = match kind {
            ErrorKind::MissingField(field) => (
                key_span.unwrap_or(node.span),
                format!("missing required field `{field}` {}", where_in(path)),
            ),
            ErrorKind::Custom(message) => (node.span, message),
            ErrorKind::Recorded => (node.span, String::new()),
        };
        self.diags.error(&self.file, Some(span), path, message);
        self.abort = Some(Abort::At(path.to_owned()));
        Err(RECORDED)
    }

    /// Settles the result of reading a child node, where errors raised by its type's own
    /// `Deserialize` code (after the deserializer returned, as with `try_from` or untagged
    /// enums) are located at the child rather than at its parent.
    fn settle_child<T>(
        &mut self,
        result: Result<T, Error>,
        node: &Node,
        path: &str,
        key_span: Option<Span>,
    ) -> Result<T, Error> {
        let failed = self.poisoned.contains(path);
        self.settle(result, node, path, key_span, failed)
    }

    /// Settles a placeholder read for the node at `path`, which was already reported.
    fn placeholder<T>(&mut self, result: Result<T, Error>, path: &str) -> Result<T, Error> {
        result.map_err(|error| {
            if !matches!(error.0, ErrorKind::Recorded) {
                self.abort = Some(Abort::Rejected(path.to_owned()));
            }
            RECORDED
        })
    }
}

/// "in `path`", or "at the top level of the spec" for the root.
fn where_in(path: &str) -> String {
    if path.is_empty() {
        "at the top level of the spec".to_owned()
    } else {
        format!("in `{path}`")
    }
}

fn backticked(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "valid fields are `a`, `b`; did you mean `a`?"
fn choices_help(what: &str, word: &str, names: &[&'static str]) -> String {
    let mut help = match names {
        [] => format!("no {what}s are accepted here"),
        [only] => format!("the only valid {what} is `{only}`"),
        _ => format!("valid {what}s are {}", backticked(names)),
    };
    if let Some(suggestion) = did_you_mean(word, names.iter().copied()) {
        help.push_str(&format!("; did you mean `{suggestion}`?"));
    }
    help
}

const SHOWN_TEXT_LIMIT: usize = 40;

/// How a node reads in "found ..." messages.
fn describe(node: &Node) -> String {
    let scalar = match &node.value {
        Value::Seq(_) => return "a list".to_owned(),
        Value::Map(_) => return "a mapping".to_owned(),
        Value::Scalar(scalar) => scalar,
    };
    let text = &scalar.text;
    match scalar.resolved {
        Resolved::Null if text.is_empty() => "an empty value".to_owned(),
        Resolved::Null => format!("null `{text}`"),
        Resolved::Bool(_) => format!("boolean `{text}`"),
        Resolved::Int(_) => format!("integer `{text}`"),
        Resolved::Float(_) => format!("number `{text}`"),
        Resolved::Str if text.trim_end().contains('\n') => "a multi-line string".to_owned(),
        Resolved::Str => {
            let shown = if text.chars().count() > SHOWN_TEXT_LIMIT {
                let cut: String = text.chars().take(SHOWN_TEXT_LIMIT - 1).collect();
                format!("{cut}…")
            } else {
                text.clone()
            };
            match scalar.style {
                ScalarStyle::Plain => format!("string `{shown}`"),
                _ => format!("quoted string `{shown}`"),
            }
        }
    }
}

/// A hint for a type mismatch, when one is likely to help.
fn mismatch_help(expected: Expected, node: &Node) -> Option<String> {
    let scalar = node.as_scalar()?;
    let plain = yaml::resolve_plain(&scalar.text);
    match (expected, scalar.resolved) {
        (Expected::Bool, Resolved::Str)
            if matches!(
                scalar.text.to_ascii_lowercase().as_str(),
                "yes" | "no" | "on" | "off" | "y" | "n"
            ) =>
        {
            Some("YAML 1.2 booleans are `true` and `false` only".to_owned())
        }
        (Expected::Bool, Resolved::Str)
            if !scalar.is_plain() && matches!(plain, Resolved::Bool(_)) =>
        {
            Some(REMOVE_QUOTES.to_owned())
        }
        (Expected::Number, Resolved::Str)
            if !scalar.is_plain() && matches!(plain, Resolved::Int(_) | Resolved::Float(_)) =>
        {
            Some(REMOVE_QUOTES.to_owned())
        }
        (Expected::String, Resolved::Null) if scalar.text.is_empty() => {
            Some("give a value, or write `\"\"` for an empty string".to_owned())
        }
        (Expected::String, Resolved::Null) => {
            Some(format!("write `\"{}\"` if you mean the text", scalar.text))
        }
        _ => None,
    }
}

const REMOVE_QUOTES: &str = "remove the quotes: a quoted value is always a string";

/// The broad kind of value a mismatch message expected, for choosing a hint.
#[derive(Clone, Copy)]
enum Expected {
    Bool,
    Number,
    String,
    Other,
}

/// "an integer from 0 to 65535" and the like.
fn integer_expected(min: i128, max: i128) -> String {
    let small = i128::from(i32::MAX);
    match (min, max) {
        (0, max) if max <= i128::from(u32::MAX) => format!("an integer from 0 to {max}"),
        (0, _) => "a non-negative integer".to_owned(),
        (min, max) if max <= small => format!("an integer from {min} to {max}"),
        _ => "an integer".to_owned(),
    }
}

/// The deserializer for one node of the tree.
struct NodeDe<'de, 's> {
    node: &'de Node,
    path: String,
    /// The key of the mapping entry this node is the value of.
    key_span: Option<Span>,
    st: &'s mut State,
}

impl<'de> NodeDe<'de, '_> {
    fn poisoned(&self) -> bool {
        self.st.poisoned.contains(&self.path)
    }

    fn scalar(&self) -> Option<&'de Scalar> {
        self.node.as_scalar()
    }

    fn settle<T>(self, result: Result<T, Error>) -> Result<T, Error> {
        self.st
            .settle(result, self.node, &self.path, self.key_span, false)
    }

    /// Records "expected X, found Y" and reads a placeholder instead of the node.
    fn mismatch<T>(
        self,
        expected: &str,
        kind: Expected,
        placeholder: impl FnOnce(Placeholder) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let message = format!("expected {expected}, found {}", describe(self.node));
        let diagnostic =
            self.st
                .diags
                .error(&self.st.file, Some(self.node.span), &self.path, message);
        if let Some(help) = mismatch_help(kind, self.node) {
            diagnostic.set_help(help);
        }
        self.st.placeholder(placeholder(Placeholder), &self.path)
    }

    /// Reads a placeholder for a node poisoned by an earlier pass.
    fn poisoned_read<T>(
        self,
        placeholder: impl FnOnce(Placeholder) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.st.placeholder(placeholder(Placeholder), &self.path)
    }

    fn integer<V: Visitor<'de>, I: TryFrom<i128>>(
        self,
        min: i128,
        max: i128,
        visitor: V,
        visit: impl FnOnce(V, I) -> Result<V::Value, Error>,
        placeholder: impl FnOnce(Placeholder, V) -> Result<V::Value, Error>,
    ) -> Result<V::Value, Error> {
        if self.poisoned() {
            return self.poisoned_read(|p| placeholder(p, visitor));
        }
        if let Some(Scalar {
            resolved: Resolved::Int(value),
            ..
        }) = self.scalar()
            && let Ok(value) = I::try_from(*value)
        {
            let result = visit(visitor, value);
            return self.settle(result);
        }
        self.mismatch(&integer_expected(min, max), Expected::Number, |p| {
            placeholder(p, visitor)
        })
    }

    fn float<V: Visitor<'de>>(
        self,
        visitor: V,
        visit: impl FnOnce(V, f64) -> Result<V::Value, Error>,
    ) -> Result<V::Value, Error> {
        if self.poisoned() {
            return self.poisoned_read(|_| visit(visitor, 0.0));
        }
        match self.scalar().map(|s| s.resolved) {
            Some(Resolved::Float(value)) => {
                let result = visit(visitor, value);
                self.settle(result)
            }
            Some(Resolved::Int(value)) => {
                let result = visit(visitor, value as f64);
                self.settle(result)
            }
            _ => self.mismatch("a number", Expected::Number, |_| visit(visitor, 0.0)),
        }
    }

    /// The text of a non-null scalar, as a string field reads it.
    fn text(&self) -> Option<&'de str> {
        match self.scalar() {
            Some(scalar) if scalar.resolved != Resolved::Null => Some(&scalar.text),
            _ => None,
        }
    }
}

macro_rules! integer_methods {
    ($($method:ident $visit:ident $ty:ty;)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                self.integer::<V, $ty>(
                    i128::from(<$ty>::MIN),
                    i128::from(<$ty>::MAX),
                    visitor,
                    |v, n| v.$visit(n),
                    |p, v| p.$method(v),
                )
            }
        )*
    };
}

/// Whether a plain scalar that resolves to a number or boolean is written in the one
/// spelling that prints back the same (`80`, `-3`, `1.5`, `true`), so reading it as that
/// type loses nothing.
fn is_canonical(scalar: &crate::yaml::Scalar) -> bool {
    match scalar.resolved {
        Resolved::Null | Resolved::Str => true,
        Resolved::Bool(b) => scalar.text == if b { "true" } else { "false" },
        Resolved::Int(i) => scalar.text == i.to_string(),
        Resolved::Float(f) => {
            f.is_finite() && scalar.text == f.to_string() && scalar.text.contains('.')
        }
    }
}

impl<'de> de::Deserializer<'de> for NodeDe<'de, '_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.poisoned() {
            return self.poisoned_read(|p| p.deserialize_any(visitor));
        }
        let NodeDe {
            node,
            path,
            key_span,
            st,
        } = self;
        let result = match &node.value {
            // A number or boolean is one only in its canonical spelling; `022`, `0x1F`,
            // `1.10`, `1e3`, `.inf` or `True` is kept as the text written, so a value never
            // reaches the stack changed (`UMASK: 022` stays "022").
            Value::Scalar(scalar) if !is_canonical(scalar) => {
                visitor.visit_borrowed_str(&scalar.text)
            }
            Value::Scalar(scalar) => match scalar.resolved {
                Resolved::Null => visitor.visit_unit(),
                Resolved::Bool(b) => visitor.visit_bool(b),
                Resolved::Int(i) => match (i64::try_from(i), u64::try_from(i)) {
                    (Ok(i), _) => visitor.visit_i64(i),
                    (_, Ok(u)) => visitor.visit_u64(u),
                    _ => visitor.visit_i128(i),
                },
                Resolved::Float(f) => visitor.visit_f64(f),
                Resolved::Str => visitor.visit_borrowed_str(&scalar.text),
            },
            Value::Seq(items) => visitor.visit_seq(SeqAcc::new(items, &path, &mut *st)),
            Value::Map(entries) => visitor.visit_map(MapAcc::new(entries, &path, &mut *st)),
        };
        st.settle(result, node, &path, key_span, false)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.poisoned() {
            return self.poisoned_read(|p| p.deserialize_bool(visitor));
        }
        match self.scalar().map(|s| s.resolved) {
            Some(Resolved::Bool(b)) => {
                let result = visitor.visit_bool(b);
                self.settle(result)
            }
            _ => self.mismatch("a boolean (`true` or `false`)", Expected::Bool, |p| {
                p.deserialize_bool(visitor)
            }),
        }
    }

    integer_methods! {
        deserialize_i8 visit_i8 i8;
        deserialize_i16 visit_i16 i16;
        deserialize_i32 visit_i32 i32;
        deserialize_i64 visit_i64 i64;
        deserialize_u8 visit_u8 u8;
        deserialize_u16 visit_u16 u16;
        deserialize_u32 visit_u32 u32;
        deserialize_u64 visit_u64 u64;
    }

    fn deserialize_i128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.integer::<V, i128>(
            i128::MIN,
            i128::MAX,
            visitor,
            |v, n| v.visit_i128(n),
            |p, v| p.deserialize_i128(v),
        )
    }

    fn deserialize_u128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.integer::<V, u128>(
            0,
            i128::MAX,
            visitor,
            |v, n| v.visit_u128(n),
            |p, v| p.deserialize_u128(v),
        )
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.float(visitor, |v, f| v.visit_f32(f as f32))
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.float(visitor, |v, f| v.visit_f64(f))
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.poisoned() {
            return self.poisoned_read(|p| p.deserialize_char(visitor));
        }
        let mut chars = self.text().map(str::chars);
        match chars.as_mut().map(|c| (c.next(), c.next())) {
            Some((Some(c), None)) => {
                let result = visitor.visit_char(c);
                self.settle(result)
            }
            _ => self.mismatch("a single character", Expected::Other, |p| {
                p.deserialize_char(visitor)
            }),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.poisoned() {
            return self.poisoned_read(|p| p.deserialize_str(visitor));
        }
        match self.text() {
            Some(text) => {
                let result = visitor.visit_borrowed_str(text);
                self.settle(result)
            }
            None => self.mismatch("a string", Expected::String, |p| p.deserialize_str(visitor)),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.poisoned() {
            return self.poisoned_read(|p| p.deserialize_bytes(visitor));
        }
        match self.text() {
            Some(text) => {
                let result = visitor.visit_borrowed_bytes(text.as_bytes());
                self.settle(result)
            }
            None => self.mismatch("a string", Expected::String, |p| {
                p.deserialize_bytes(visitor)
            }),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.poisoned() {
            return self.poisoned_read(|p| p.deserialize_option(visitor));
        }
        if self.node.is_null() {
            let result = visitor.visit_none();
            return self.settle(result);
        }
        let NodeDe {
            node,
            path,
            key_span,
            st,
        } = self;
        let result = visitor.visit_some(NodeDe {
            node,
            path: path.clone(),
            key_span,
            st: &mut *st,
        });
        st.settle(result, node, &path, key_span, false)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.poisoned() {
            return self.poisoned_read(|p| p.deserialize_unit(visitor));
        }
        if self.node.is_null() {
            let result = visitor.visit_unit();
            return self.settle(result);
        }
        self.mismatch("an empty value", Expected::Other, |p| {
            p.deserialize_unit(visitor)
        })
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        let NodeDe {
            node,
            path,
            key_span,
            st,
        } = self;
        let result = visitor.visit_newtype_struct(NodeDe {
            node,
            path: path.clone(),
            key_span,
            st: &mut *st,
        });
        st.settle(result, node, &path, key_span, false)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.poisoned() {
            return self.poisoned_read(|p| p.deserialize_seq(visitor));
        }
        let Value::Seq(items) = &self.node.value else {
            return self.mismatch("a list", Expected::Other, |p| p.deserialize_seq(visitor));
        };
        let NodeDe {
            node,
            path,
            key_span,
            st,
        } = self;
        let result = visitor.visit_seq(SeqAcc::new(items, &path, &mut *st));
        st.settle(result, node, &path, key_span, false)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Error> {
        if self.poisoned() {
            return self.poisoned_read(|p| p.deserialize_tuple(len, visitor));
        }
        match &self.node.value {
            Value::Seq(items) if items.len() == len => self.deserialize_seq(visitor),
            Value::Seq(items) => {
                let expected = format!("a list of {len} items");
                let found = items.len();
                let message = format!("expected {expected}, found {found} items");
                self.st
                    .diags
                    .error(&self.st.file, Some(self.node.span), &self.path, message);
                self.st
                    .placeholder(Placeholder.deserialize_tuple(len, visitor), &self.path)
            }
            _ => self.mismatch(&format!("a list of {len} items"), Expected::Other, |p| {
                p.deserialize_tuple(len, visitor)
            }),
        }
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_tuple(len, visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.poisoned() {
            return self.poisoned_read(|p| p.deserialize_map(visitor));
        }
        let Value::Map(entries) = &self.node.value else {
            return self.mismatch("a mapping", Expected::Other, |p| p.deserialize_map(visitor));
        };
        let NodeDe {
            node,
            path,
            key_span,
            st,
        } = self;
        let result = visitor.visit_map(MapAcc::new(entries, &path, &mut *st));
        st.settle(result, node, &path, key_span, false)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        if self.poisoned() {
            return self.poisoned_read(|p| p.deserialize_struct(name, fields, visitor));
        }
        let Value::Map(entries) = &self.node.value else {
            return self.mismatch("a mapping", Expected::Other, |p| {
                p.deserialize_struct(name, fields, visitor)
            });
        };
        let NodeDe {
            node,
            path,
            key_span,
            st,
        } = self;
        let result = visitor.visit_map(StructAcc {
            entries: entries.iter(),
            fields,
            path: &path,
            pending: None,
            st: &mut *st,
        });
        st.settle(result, node, &path, key_span, false)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        if self.poisoned() {
            return self.poisoned_read(|p| p.deserialize_enum(name, variants, visitor));
        }
        // Unit variant by name, or `variant: content`.
        let (variant, content, variant_span) = match &self.node.value {
            Value::Scalar(scalar) if scalar.resolved != Resolved::Null => {
                (scalar.text.as_str(), None, self.node.span)
            }
            Value::Map(entries) if entries.len() == 1 => {
                let (key, value) = &entries[0];
                let text = key.as_scalar().map_or("", |s| s.text.as_str());
                (text, Some((key.span, value)), key.span)
            }
            _ => {
                let expected = if variants.is_empty() {
                    "nothing (this enum has no values)".to_owned()
                } else {
                    format!("one of {}", backticked(variants))
                };
                return self.mismatch(&expected, Expected::Other, |p| {
                    p.deserialize_enum(name, variants, visitor)
                });
            }
        };
        if !variants.contains(&variant) {
            let help = choices_help("value", variant, variants);
            self.st
                .diags
                .error(
                    &self.st.file,
                    Some(variant_span),
                    &self.path,
                    format!("unknown value `{variant}`"),
                )
                .set_help(help);
            return self.st.placeholder(
                Placeholder.deserialize_enum(name, variants, visitor),
                &self.path,
            );
        }
        let NodeDe {
            node,
            path,
            key_span,
            st,
        } = self;
        let result = visitor.visit_enum(EnumAcc {
            variant,
            content,
            node,
            path: &path,
            st: &mut *st,
        });
        st.settle(result, node, &path, key_span, false)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }
}

/// The items of a list.
struct SeqAcc<'de, 'p, 's> {
    items: std::iter::Enumerate<std::slice::Iter<'de, Node>>,
    path: &'p str,
    st: &'s mut State,
}

impl<'de, 'p, 's> SeqAcc<'de, 'p, 's> {
    fn new(items: &'de [Node], path: &'p str, st: &'s mut State) -> Self {
        SeqAcc {
            items: items.iter().enumerate(),
            path,
            st,
        }
    }
}

impl<'de> SeqAccess<'de> for SeqAcc<'de, '_, '_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        for (index, node) in self.items.by_ref() {
            let path = path_index(self.path, index);
            if self.st.omitted.contains(&path) {
                continue;
            }
            let result = seed.deserialize(NodeDe {
                node,
                path: path.clone(),
                key_span: None,
                st: &mut *self.st,
            });
            return self.st.settle_child(result, node, &path, None).map(Some);
        }
        Ok(None)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// The entries of a mapping read as a map: keys are nodes too.
struct MapAcc<'de, 'p, 's> {
    entries: std::slice::Iter<'de, (Node, Node)>,
    path: &'p str,
    /// The entry whose key was read last, with its path.
    pending: Option<(&'de Node, &'de Node, String)>,
    st: &'s mut State,
}

impl<'de, 'p, 's> MapAcc<'de, 'p, 's> {
    fn new(entries: &'de [(Node, Node)], path: &'p str, st: &'s mut State) -> Self {
        MapAcc {
            entries: entries.iter(),
            path,
            pending: None,
            st,
        }
    }
}

fn key_text(key: &Node) -> &str {
    key.as_scalar().map_or("", |s| s.text.as_str())
}

impl<'de> MapAccess<'de> for MapAcc<'de, '_, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        for (key, value) in self.entries.by_ref() {
            let path = path_key(self.path, key_text(key));
            if self.st.omitted.contains(&path) {
                continue;
            }
            let result = seed.deserialize(NodeDe {
                node: key,
                path: path.clone(),
                key_span: Some(key.span),
                st: &mut *self.st,
            });
            let result = self.st.settle_child(result, key, &path, Some(key.span));
            self.pending = Some((key, value, path));
            return result.map(Some);
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let Some((key, value, path)) = self.pending.take() else {
            return Err(de::Error::custom(
                "a map value was requested before its key",
            ));
        };
        let result = seed.deserialize(NodeDe {
            node: value,
            path: path.clone(),
            key_span: Some(key.span),
            st: &mut *self.st,
        });
        self.st.settle_child(result, value, &path, Some(key.span))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// The entries of a mapping read as a struct: unknown keys are reported and skipped.
struct StructAcc<'de, 'p, 's> {
    entries: std::slice::Iter<'de, (Node, Node)>,
    fields: &'static [&'static str],
    path: &'p str,
    /// The entry whose key was read last, with its path.
    pending: Option<(&'de Node, &'de Node, String)>,
    st: &'s mut State,
}

impl<'de> MapAccess<'de> for StructAcc<'de, '_, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        for (key, value) in self.entries.by_ref() {
            let name = key_text(key);
            if self.fields.contains(&name) {
                let path = path_key(self.path, name);
                if self.st.omitted.contains(&path) {
                    continue;
                }
                self.pending = Some((key, value, path));
                return seed.deserialize(Ident(name)).map(Some);
            }
            let message = format!("unknown field `{name}` {}", where_in(self.path));
            let help = choices_help("field", name, self.fields);
            self.st
                .diags
                .error(&self.st.file, Some(key.span), self.path, message)
                .set_help(help);
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let Some((key, value, path)) = self.pending.take() else {
            return Err(de::Error::custom(
                "a field value was requested before its key",
            ));
        };
        let result = seed.deserialize(NodeDe {
            node: value,
            path: path.clone(),
            key_span: Some(key.span),
            st: &mut *self.st,
        });
        self.st.settle_child(result, value, &path, Some(key.span))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// A known enum variant and its content (`None` when written as a bare name).
struct EnumAcc<'de, 'p, 's> {
    variant: &'de str,
    content: Option<(Span, &'de Node)>,
    node: &'de Node,
    path: &'p str,
    st: &'s mut State,
}

impl<'de, 'p, 's> EnumAccess<'de> for EnumAcc<'de, 'p, 's> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), Error> {
        let value = seed.deserialize(Ident(self.variant))?;
        Ok((value, self))
    }
}

impl<'de> EnumAcc<'de, '_, '_> {
    /// Reads the content of a `variant: content` mapping.
    fn content<T>(
        &mut self,
        key_span: Span,
        node: &'de Node,
        read: impl FnOnce(NodeDe<'de, '_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let path = path_key(self.path, self.variant);
        let result = read(NodeDe {
            node,
            path: path.clone(),
            key_span: Some(key_span),
            st: &mut *self.st,
        });
        self.st.settle_child(result, node, &path, Some(key_span))
    }

    /// Records that the variant was written as a bare name but needs a value.
    fn needs_value(&mut self, what: &str) {
        let variant = self.variant;
        self.st
            .diags
            .error(
                &self.st.file,
                Some(self.node.span),
                self.path,
                format!("`{variant}` needs {what}"),
            )
            .set_help(format!("write it as `{variant}: <value>`"));
    }
}

impl<'de> VariantAccess<'de> for EnumAcc<'de, '_, '_> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        if let Some((_, content)) = self.content
            && !content.is_null()
        {
            let variant = self.variant;
            self.st
                .diags
                .error(
                    &self.st.file,
                    Some(content.span),
                    &path_key(self.path, variant),
                    format!("`{variant}` takes no value"),
                )
                .set_help(format!("write just `{variant}`"));
        }
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(mut self, seed: T) -> Result<T::Value, Error> {
        match self.content {
            Some((key_span, node)) => self.content(key_span, node, |de| seed.deserialize(de)),
            None => {
                self.needs_value("a value");
                self.st
                    .placeholder(seed.deserialize(Placeholder), self.path)
            }
        }
    }

    fn tuple_variant<V: Visitor<'de>>(mut self, len: usize, visitor: V) -> Result<V::Value, Error> {
        match self.content {
            Some((key_span, node)) => self.content(key_span, node, |de| {
                de::Deserializer::deserialize_tuple(de, len, visitor)
            }),
            None => {
                self.needs_value(&format!("a list of {len} items"));
                self.st.placeholder(
                    de::Deserializer::deserialize_tuple(Placeholder, len, visitor),
                    self.path,
                )
            }
        }
    }

    fn struct_variant<V: Visitor<'de>>(
        mut self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.content {
            Some((key_span, node)) => self.content(key_span, node, |de| {
                de::Deserializer::deserialize_struct(de, "", fields, visitor)
            }),
            None => {
                self.needs_value("a mapping of fields");
                self.st.placeholder(
                    de::Deserializer::deserialize_struct(Placeholder, "", fields, visitor),
                    self.path,
                )
            }
        }
    }
}

/// A field or variant name, handed to the derived identifier visitor.
struct Ident<'a>(&'a str);

impl<'de> de::Deserializer<'de> for Ident<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_str(self.0)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

/// Stands in for a node that was reported (or failed in an earlier pass): the simplest value
/// of whatever type is asked for, so that reading can go on. Never returned to the caller,
/// since any recorded error makes the whole read fail.
struct Placeholder;

impl<'de> de::Deserializer<'de> for Placeholder {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_bool(false)
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_i8(0)
    }

    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_i16(0)
    }

    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_i32(0)
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_i64(0)
    }

    fn deserialize_i128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_i128(0)
    }

    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_u8(0)
    }

    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_u16(0)
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_u32(0)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_u64(0)
    }

    fn deserialize_u128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_u128(0)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_f32(0.0)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_f64(0.0)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_char(' ')
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_str("")
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_str("")
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_bytes(&[])
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_bytes(&[])
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_none()
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_seq(PlaceholderSeq(0))
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_seq(PlaceholderSeq(len))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_seq(PlaceholderSeq(len))
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_map(PlaceholderFields(&[]))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_map(PlaceholderFields(fields))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match variants.first() {
            Some(first) => visitor.visit_enum(PlaceholderVariant(first)),
            None => Err(de::Error::custom("an enum without variants has no value")),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_str("")
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }
}

/// `len` placeholder items.
struct PlaceholderSeq(usize);

impl<'de> SeqAccess<'de> for PlaceholderSeq {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        if self.0 == 0 {
            return Ok(None);
        }
        self.0 -= 1;
        seed.deserialize(Placeholder).map(Some)
    }
}

/// Every field of a struct, each with a placeholder value, so that no field is missing.
struct PlaceholderFields(&'static [&'static str]);

impl<'de> MapAccess<'de> for PlaceholderFields {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((first, rest)) = self.0.split_first() else {
            return Ok(None);
        };
        self.0 = rest;
        seed.deserialize(first.into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        seed.deserialize(Placeholder)
    }
}

/// The first variant of an enum, with placeholder content.
struct PlaceholderVariant(&'static str);

impl<'de> EnumAccess<'de> for PlaceholderVariant {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), Error> {
        let value = seed.deserialize(Ident(self.0))?;
        Ok((value, self))
    }
}

impl<'de> VariantAccess<'de> for PlaceholderVariant {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(Placeholder)
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_seq(PlaceholderSeq(len))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_map(PlaceholderFields(fields))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_ranges_are_described() {
        assert_eq!(integer_expected(0, 65535), "an integer from 0 to 65535");
        assert_eq!(integer_expected(-128, 127), "an integer from -128 to 127");
        assert_eq!(
            integer_expected(0, i128::from(u64::MAX)),
            "a non-negative integer"
        );
        assert_eq!(
            integer_expected(i128::from(i64::MIN), i128::from(i64::MAX)),
            "an integer"
        );
    }
}
