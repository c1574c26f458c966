//! Writing a spec as YAML that a person reviews: block style, keys in the order they are
//! given, comments above keys, multi-line text as literal block scalars, short scalar
//! collections in flow style, and every scalar written so that dlgen's own reader
//! (`crate::yaml`) reads back exactly the value and type it stands for: a string that
//! YAML would read as a number, boolean or null is quoted, and text with control or
//! invisible characters is written double-quoted with escapes.

use std::fmt::Write as _;

use crate::diag::Span;
use crate::yaml::{self, Resolved, resolve_plain};

/// A YAML node to write.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Null,
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// One `key: value` of a mapping, with comment lines written above the key.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub value: Node,
    pub comment: Vec<String>,
}

impl Entry {
    pub fn new(key: &str, value: Node) -> Self {
        Entry {
            key: key.to_owned(),
            value,
            comment: Vec::new(),
        }
    }
}

impl Node {
    pub fn str(s: impl Into<String>) -> Node {
        Node::Str(s.into())
    }

    /// Whether this collection is empty (a scalar never is).
    pub fn is_empty_collection(&self) -> bool {
        match self {
            Node::Seq(items) => items.is_empty(),
            Node::Map(entries) => entries.is_empty(),
            _ => false,
        }
    }
}

/// The widest line a flow collection (`[a, b]`, `{cpu: 10m, memory: 32Mi}`) is written on,
/// indentation and key included; a wider one is written in block style. About as wide
/// as hand-written specs let their flow lines run (most of them within 100 columns, many
/// beyond 72), and a line still reads whole in a side-by-side diff.
const LINE_WIDTH: usize = 100;

/// Writes a document: `header` comment lines, then the root mapping.
pub fn document(header: &[String], root: &[Entry]) -> String {
    let mut out = String::new();
    for line in header {
        push_comment(&mut out, 0, line);
    }
    write_map(&mut out, 0, root);
    out
}

/// The tree dlgen's reader builds from [`document`]'s text, built without the text: the
/// many trial renders that shorten a spec skip writing and parsing YAML. Spans are empty
/// (a trial reports no positions); the spec finally written is read from its text.
pub fn tree(root: &[Entry]) -> yaml::Node {
    fn map(entries: &[Entry]) -> yaml::Value {
        yaml::Value::Map(
            entries
                .iter()
                .map(|e| (node(&Node::Str(e.key.clone())), node(&e.value)))
                .collect(),
        )
    }
    fn node(value: &Node) -> yaml::Node {
        let plain = |text: String, resolved| {
            yaml::Value::Scalar(yaml::Scalar {
                text,
                style: yaml::ScalarStyle::Plain,
                resolved,
            })
        };
        let value = match value {
            Node::Str(s) => yaml::Value::Scalar(yaml::Scalar {
                text: s.clone(),
                style: yaml::ScalarStyle::DoubleQuoted,
                resolved: Resolved::Str,
            }),
            Node::Int(n) => plain(n.to_string(), Resolved::Int(i128::from(*n))),
            Node::Float(x) => plain(float(*x), Resolved::Float(*x)),
            Node::Bool(b) => plain(b.to_string(), Resolved::Bool(*b)),
            Node::Null => plain("null".to_owned(), Resolved::Null),
            Node::Seq(items) => yaml::Value::Seq(items.iter().map(node).collect()),
            Node::Map(entries) => map(entries),
        };
        yaml::Node {
            value,
            span: Span::default(),
        }
    }
    yaml::Node {
        value: map(root),
        span: Span::default(),
    }
}

fn push_comment(out: &mut String, indent: usize, line: &str) {
    pad(out, indent);
    if line.is_empty() {
        out.push_str("#\n");
    } else {
        // A comment ends at the line's end: a line break inside it would start YAML.
        let line: String = line
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let _ = writeln!(out, "# {}", line.trim_end());
    }
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

fn write_map(out: &mut String, indent: usize, entries: &[Entry]) {
    for e in entries {
        for line in &e.comment {
            push_comment(out, indent, line);
        }
        pad(out, indent);
        out.push_str(&scalar_str(&e.key, false));
        out.push(':');
        write_value(out, indent, &e.value);
    }
}

/// Writes the value of a key or sequence item whose indicator (`key:` or `-`) is already
/// written at `indent`.
fn write_value(out: &mut String, indent: usize, value: &Node) {
    let column = out[out.rfind('\n').map_or(0, |i| i + 1)..].chars().count();
    if let Some(flow) = flow(value, column) {
        out.push(' ');
        out.push_str(&flow);
        out.push('\n');
        return;
    }
    match value {
        Node::Str(s) => {
            out.push(' ');
            block_literal(out, indent + 2, s);
        }
        Node::Map(entries) => {
            out.push('\n');
            write_map(out, indent + 2, entries);
        }
        Node::Seq(items) => {
            out.push('\n');
            write_seq(out, indent + 2, items);
        }
        // Scalars always fit a flow form.
        other => {
            out.push(' ');
            out.push_str(&scalar(other, false));
            out.push('\n');
        }
    }
}

fn write_seq(out: &mut String, indent: usize, items: &[Node]) {
    // Mappings in a list are written alike: each on one line (`- {name: a, value: b}`)
    // when every one of them fits, in block style otherwise.
    let one_line: Option<Vec<String>> = items
        .iter()
        .map(|item| match item {
            Node::Map(entries) if !entries.is_empty() => flow(item, indent + 1),
            _ => None,
        })
        .collect();
    if let Some(lines) = one_line {
        for line in lines {
            pad(out, indent);
            out.push_str("- ");
            out.push_str(&line);
            out.push('\n');
        }
        return;
    }
    for item in items {
        pad(out, indent);
        out.push('-');
        match item {
            // A mapping in a list is written in block style, like its siblings.
            Node::Map(entries) if !entries.is_empty() => {
                // `- key: value` with the following keys aligned under the first.
                out.push(' ');
                let mut first = String::new();
                write_map(&mut first, indent + 2, entries);
                out.push_str(first.trim_start_matches(' '));
            }
            _ => write_value(out, indent, item),
        }
    }
}

/// The one-line form of `value` when it has one that fits: any scalar without a line
/// break, or a collection of such scalars (nested) that ends the line within
/// [`LINE_WIDTH`] when written after a space at `column` (after `key:` or `-`).
fn flow(value: &Node, column: usize) -> Option<String> {
    match value {
        Node::Str(s) if s.contains('\n') && block_literal_ok(s) => None,
        Node::Seq(items) if items.is_empty() => Some("[]".to_owned()),
        Node::Map(entries) if entries.is_empty() => Some("{}".to_owned()),
        Node::Seq(_) | Node::Map(_) => {
            if has_comments(value) {
                return None;
            }
            let text = flow_collection(value)?;
            (column + 1 + text.chars().count() <= LINE_WIDTH).then_some(text)
        }
        scalar_node => Some(scalar(scalar_node, false)),
    }
}

fn has_comments(value: &Node) -> bool {
    match value {
        Node::Map(entries) => entries
            .iter()
            .any(|e| !e.comment.is_empty() || has_comments(&e.value)),
        Node::Seq(items) => items.iter().any(has_comments),
        _ => false,
    }
}

fn flow_collection(value: &Node) -> Option<String> {
    match value {
        Node::Seq(items) => {
            let parts: Option<Vec<String>> = items.iter().map(flow_collection).collect();
            Some(format!("[{}]", parts?.join(", ")))
        }
        Node::Map(entries) => {
            let parts: Option<Vec<String>> = entries
                .iter()
                .map(|e| {
                    flow_collection(&e.value).map(|v| format!("{}: {v}", scalar_str(&e.key, true)))
                })
                .collect();
            Some(format!("{{{}}}", parts?.join(", ")))
        }
        Node::Str(s) if s.contains('\n') => None,
        other => Some(scalar(other, true)),
    }
}

/// A scalar on one line; `in_flow` when it sits inside `[...]` or `{...}`.
fn scalar(value: &Node, in_flow: bool) -> String {
    match value {
        Node::Str(s) => scalar_str(s, in_flow),
        Node::Int(n) => n.to_string(),
        Node::Float(x) => float(*x),
        Node::Bool(b) => b.to_string(),
        Node::Null => "null".to_owned(),
        Node::Seq(_) | Node::Map(_) => String::new(),
    }
}

fn float(x: f64) -> String {
    if x.is_nan() {
        ".nan".to_owned()
    } else if x.is_infinite() {
        if x > 0.0 { ".inf" } else { "-.inf" }.to_owned()
    } else {
        let text = format!("{x:?}");
        match resolve_plain(&text) {
            Resolved::Float(_) => text,
            _ => format!("{x:e}"),
        }
    }
}

/// Words that YAML 1.1 reads as booleans: dlgen's reader (YAML 1.2) takes them as
/// strings, but other tools and people may not, so they are quoted too.
const YAML11_BOOLS: [&str; 16] = [
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off",
    "OFF",
];

/// A string written plain when YAML reads it back as this very string, single-quoted when
/// it only needs its quotes, double-quoted with escapes otherwise.
pub fn scalar_str(s: &str, in_flow: bool) -> String {
    if plain_ok(s, in_flow) {
        s.to_owned()
    } else if s.chars().all(printable) {
        format!("'{}'", s.replace('\'', "''"))
    } else {
        double_quoted(s)
    }
}

/// A character written as itself inside quotes: no control, invisible or bidi character,
/// no byte order mark, nothing outside YAML's printable set.
fn printable(c: char) -> bool {
    !(c.is_control() || crate::hcl::is_invisible(c) || c == '\u{FEFF}' || c == '\u{FFFE}')
        && c != '\u{FFFF}'
}

fn plain_ok(s: &str, in_flow: bool) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if resolve_plain(s) != Resolved::Str || YAML11_BOOLS.contains(&s) {
        return false;
    }
    if first.is_whitespace() || s.ends_with(char::is_whitespace) {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) || s.starts_with("...") {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') || s.contains('\t') {
        return false;
    }
    if in_flow && s.contains([',', '[', ']', '{', '}']) {
        return false;
    }
    s.chars().all(|c| printable(c) && c != '\n')
}

fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if printable(c) => out.push(c),
            c if (c as u32) <= 0xFF => {
                let _ = write!(out, "\\x{:02X}", c as u32);
            }
            c if (c as u32) <= 0xFFFF => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08X}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

/// Whether multi-line text can be a literal block scalar: only printable characters and
/// tabs (a carriage return or other control character needs an escape), and not only
/// line breaks.
fn block_literal_ok(s: &str) -> bool {
    s.chars().all(|c| c == '\n' || c == '\t' || printable(c)) && !s.trim_matches('\n').is_empty()
}

/// Writes `s` as a literal block scalar whose lines are indented by `indent` (the header
/// goes where the cursor is), or double-quoted when it cannot be one.
fn block_literal(out: &mut String, indent: usize, s: &str) {
    if !block_literal_ok(s) {
        out.push_str(&double_quoted(s));
        out.push('\n');
        return;
    }
    let body = s.trim_end_matches('\n');
    let trailing = s.len() - body.len();
    let chomp = match trailing {
        0 => "-",
        1 => "",
        _ => "+",
    };
    // The indentation is given explicitly when the first line would otherwise make the
    // reader guess it wrong (it starts with a blank, or leading lines are empty).
    let first = body.split('\n').next().unwrap_or("");
    let explicit = first.starts_with(' ') || first.is_empty();
    out.push('|');
    if explicit {
        out.push('2');
    }
    out.push_str(chomp);
    out.push('\n');
    let lines: Vec<&str> = s.split('\n').collect();
    // `s` ends with `trailing` line breaks: the last element after the split is empty.
    let n = lines.len() - 1;
    for (i, line) in lines.iter().enumerate() {
        if i == n && line.is_empty() {
            break;
        }
        if !line.is_empty() {
            pad(out, indent);
            out.push_str(line);
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{self, Value};

    /// Reads `text` back with dlgen's reader and returns the scalar under `k`.
    fn read_back(text: &str) -> yaml::Scalar {
        let root = yaml::parse("t.yaml", text).unwrap_or_else(|d| panic!("{text}\n{d:?}"));
        match root.get("k").map(|n| &n.value) {
            Some(Value::Scalar(s)) => s.clone(),
            other => panic!("{text}\n{other:?}"),
        }
    }

    fn round_trip(s: &str) {
        for entries in [
            vec![Entry::new("k", Node::str(s))],
            vec![Entry::new(
                "m",
                Node::Map(vec![
                    Entry::new("a", Node::Seq(vec![Node::str(s), Node::str("x")])),
                    Entry::new("k", Node::str(s)),
                ]),
            )],
        ] {
            let doc = document(&[], &entries);
            let root = yaml::parse("t.yaml", &doc).unwrap_or_else(|d| panic!("{doc}\n{d:?}"));
            // The tree built without the text is the one read from it.
            assert_eq!(shape(&tree(&entries)), shape(&root), "written as:\n{doc}");
            let node = root
                .get("k")
                .or_else(|| root.get("m").and_then(|m| m.get("k")));
            let scalar = node
                .and_then(|n| n.as_scalar())
                .unwrap_or_else(|| panic!("{doc}"));
            assert_eq!(scalar.text, s, "written as:\n{doc}");
            if scalar.is_plain() {
                assert_eq!(scalar.resolved, Resolved::Str, "written as:\n{doc}");
            }
            let list = root
                .get("m")
                .and_then(|m| m.get("a"))
                .and_then(|a| a.as_seq());
            if let Some(list) = list {
                let first = list[0].as_scalar().unwrap_or_else(|| panic!("{doc}"));
                assert_eq!(first.text, s, "in a list, written as:\n{doc}");
            }
        }
    }

    #[test]
    fn awkward_strings_read_back_as_themselves() {
        for s in [
            "plain",
            "",
            " ",
            "80",
            "0x1F",
            "0o17",
            "1e3",
            ".5",
            ".inf",
            "-.inf",
            ".nan",
            "true",
            "True",
            "false",
            "null",
            "Null",
            "~",
            "yes",
            "off",
            "- item",
            "-c",
            "? x",
            ": x",
            "a: b",
            "a #b",
            "#x",
            "a#b",
            "key:",
            "'quoted'",
            "\"dq\"",
            "it's",
            "[a, b]",
            "{a: b}",
            "a, b",
            "&anchor",
            "*alias",
            "!tag",
            "|",
            ">",
            "%x",
            "@x",
            "`x`",
            "...",
            "---",
            "--- x",
            "tab\there",
            "back\\slash",
            "line\nbreak",
            "line\nbreak\n",
            "two\n\n",
            "\nleading break",
            "  indented\nfirst",
            "trailing space \nx",
            "a\n \nb",
            "a\n    \nb",
            "cr\r\nlf",
            "bell\u{7}",
            "nul\0",
            "bidi\u{202E}x",
            "zero\u{200B}width",
            "bom\u{FEFF}",
            "é ünïcødé ✓",
            "emoji 🛸",
            "^\\d+(?:\\.\\d+)?$",
            "0 0 */8 * * *",
            "30 1 * * *",
            "${var.x}",
            "%{ if x }",
            "http://x:9091/metrics",
            "a:b",
            "k8s.io/x: y",
            "ends with colon:",
            "\t",
            "\n",
            "\n\n",
        ] {
            round_trip(s);
        }
    }

    #[test]
    fn scalars_keep_their_types() {
        let doc = document(
            &[],
            &[
                Entry::new("i", Node::Int(-42)),
                Entry::new("f", Node::Float(0.5)),
                Entry::new("b", Node::Bool(true)),
                Entry::new("n", Node::Null),
                Entry::new("s", Node::str("42")),
            ],
        );
        let root = yaml::parse("t.yaml", &doc).expect("parses");
        let get = |k: &str| root.get(k).and_then(|n| n.as_scalar()).cloned().expect(k);
        assert_eq!(get("i").resolved, Resolved::Int(-42));
        assert_eq!(get("f").resolved, Resolved::Float(0.5));
        assert_eq!(get("b").resolved, Resolved::Bool(true));
        assert_eq!(get("n").resolved, Resolved::Null);
        assert_eq!(get("s").resolved, Resolved::Str);
        assert_eq!(get("s").text, "42");
    }

    #[test]
    fn layout_is_block_style_with_flow_for_short_scalar_collections() {
        let doc = document(
            &["Header.".to_owned()],
            &[
                Entry::new("name", Node::str("app")),
                Entry {
                    key: "containers".to_owned(),
                    value: Node::Seq(vec![Node::Map(vec![
                        Entry::new("image", Node::str("ghcr.io/x/y:latest")),
                        Entry::new(
                            "resources",
                            Node::Map(vec![
                                Entry::new("cpu", Node::str("25m")),
                                Entry::new("memory", Node::str("512Mi")),
                            ]),
                        ),
                        Entry::new("raw", Node::str("a = 1\nb = 2\n")),
                    ])]),
                    comment: vec!["The pod.".to_owned()],
                },
            ],
        );
        assert_eq!(
            doc,
            "# Header.\nname: app\n# The pod.\ncontainers:\n  - image: ghcr.io/x/y:latest\n    resources: {cpu: 25m, memory: 512Mi}\n    raw: |\n      a = 1\n      b = 2\n"
        );
        let _ = read_back(&doc.replace("name: app", "k: app"));
    }

    #[test]
    fn short_mappings_of_a_list_are_one_line_each_when_all_fit() {
        let item = |k: &str, v: &str| Node::Map(vec![Entry::new(k, Node::str(v))]);
        let doc = document(
            &[],
            &[Entry::new(
                "env",
                Node::Seq(vec![item("name", &"a".repeat(80)), item("name", "B")]),
            )],
        );
        // Too wide as one list: one entry per line.
        assert_eq!(
            doc,
            format!("env:\n  - {{name: {}}}\n  - {{name: B}}\n", "a".repeat(80))
        );
        let long = "x".repeat(LINE_WIDTH);
        let doc = document(
            &[],
            &[Entry::new(
                "env",
                Node::Seq(vec![item("name", "A"), item("name", &long)]),
            )],
        );
        assert_eq!(doc, format!("env:\n  - name: A\n  - name: {long}\n"));
    }

    #[test]
    fn a_flow_collection_ends_its_line_within_the_width() {
        // `  key: [x..., b]` inside a mapping: the indentation and the key count.
        let line = |n: usize| {
            let seq = Node::Seq(vec![Node::str("x".repeat(n)), Node::str("b")]);
            document(
                &[],
                &[Entry::new("outer", Node::Map(vec![Entry::new("key", seq)]))],
            )
        };
        // 2 + `key: ` + `[` + n + `, b]`
        let fits = LINE_WIDTH - 2 - 5 - 1 - 4;
        let doc = line(fits);
        assert_eq!(
            doc.lines().map(|l| l.chars().count()).max(),
            Some(LINE_WIDTH)
        );
        assert_eq!(doc.lines().count(), 2, "{doc}");
        let doc = line(fits + 1);
        assert_eq!(
            doc,
            format!("outer:\n  key:\n    - {}\n    - b\n", "x".repeat(fits + 1))
        );
        // Characters, not bytes: text beyond ASCII is as wide as it reads.
        let wide = Node::Seq(vec![Node::str("é".repeat(fits)), Node::str("b")]);
        let doc = document(
            &[],
            &[Entry::new(
                "outer",
                Node::Map(vec![Entry::new("key", wide)]),
            )],
        );
        assert_eq!(doc.lines().count(), 2, "{doc}");
    }

    /// A tree as text and core-schema reading of each scalar, spans and quoting left out.
    fn shape(node: &yaml::Node) -> String {
        match &node.value {
            Value::Scalar(s) => format!("{:?}={:?}", s.text, s.resolved),
            Value::Seq(items) => format!(
                "[{}]",
                items.iter().map(shape).collect::<Vec<_>>().join(",")
            ),
            Value::Map(entries) => format!(
                "{{{}}}",
                entries
                    .iter()
                    .map(|(k, v)| format!("{}:{}", shape(k), shape(v)))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        }
    }

    #[test]
    fn the_tree_built_in_memory_is_what_the_written_text_reads_as() {
        let strings = [
            "plain",
            "",
            "80",
            "true",
            "null",
            "~",
            "a: b",
            "- x",
            "two\nlines\n",
            "#x",
        ];
        let mut entries: Vec<Entry> = strings
            .iter()
            .enumerate()
            .map(|(i, s)| Entry::new(&format!("s{i}"), Node::str(*s)))
            .collect();
        entries.push(Entry {
            comment: vec!["a comment changes nothing".to_owned()],
            ..Entry::new("n", Node::Int(-80))
        });
        entries.push(Entry::new("f", Node::Float(1.5)));
        entries.push(Entry::new("big", Node::Float(1e300)));
        entries.push(Entry::new("b", Node::Bool(false)));
        entries.push(Entry::new("z", Node::Null));
        entries.push(Entry::new(
            "nested",
            Node::Map(vec![
                Entry::new(
                    "list",
                    Node::Seq(vec![Node::Int(1), Node::str("true"), Node::Seq(vec![])]),
                ),
                Entry::new("\"quoted key\"", Node::Map(vec![])),
            ]),
        ));
        let text = document(&["header".to_owned()], &entries);
        let read = yaml::parse("t.yaml", &text).unwrap_or_else(|d| panic!("{text}\n{d:?}"));
        assert_eq!(shape(&tree(&entries)), shape(&read), "written as:\n{text}");
    }

    #[test]
    fn random_strings_read_back_as_themselves() {
        // A small deterministic generator over an alphabet of YAML's special characters.
        let alphabet: Vec<char> = "ab Z09-:#,[]{}&*!|>'\"%@`?.~\\\t\n\r\u{0}\u{7}\u{85}\u{A0}\u{200B}\u{202E}\u{FEFF}é🛸$"
            .chars()
            .collect();
        let mut seed: u64 = 0x5DEE_CE66_D1CE_4E5B;
        for _ in 0..4000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 9) as usize;
            let mut s = String::new();
            let mut x = seed;
            for _ in 0..len {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                s.push(alphabet[(x >> 33) as usize % alphabet.len()]);
            }
            round_trip(&s);
        }
    }
}
