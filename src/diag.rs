//! Diagnostics: located problems in a spec, rendered like compiler errors.
//!
//! A [`Diagnostic`] names the file, the position ([`Span`]), the YAML path of the field
//! (`container.env[3].name`, see [`crate::de`] for the path syntax), a message and an optional
//! help line. [`Diagnostics`] collects every problem of a file so that they are all reported
//! together, and renders them with the offending source line and a caret:
//!
//! ```text
//! specs/app.yaml:12:5: error: unknown field `imge` in `container`
//!    |
//! 12 |     imge: ghcr.io/x/y:latest
//!    |     ^^^^
//!    = help: valid fields are `image`, `port`; did you mean `image`?
//! ```
//!
//! Messages quote what a spec says, and a spec can say anything: control characters
//! (terminal escape sequences, line breaks) and invisible characters are shown as escapes
//! (`\u{1b}`, `\n`) in headlines and help, and as `�` in the source snippet, so a spec
//! cannot write to the operator's terminal or forge a line of output.

use std::fmt;

/// A region of the source text.
///
/// `line` and `col` are 1-based and describe the start; `col` counts characters (not bytes).
/// `offset` and `len` are a byte range into the source, so `&source[offset..offset + len]` is
/// the spanned text. A span may cover several lines (a mapping, a block scalar); a zero-length
/// span is a point (for example where an empty value would be).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub line: usize,
    pub col: usize,
    pub offset: usize,
    pub len: usize,
}

impl Span {
    pub fn new(line: usize, col: usize, offset: usize, len: usize) -> Self {
        Span {
            line,
            col,
            offset,
            len,
        }
    }

    /// Byte offset one past the end of the span.
    pub fn end(&self) -> usize {
        self.offset + self.len
    }
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Error,
    Warning,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Error => "error",
            Level::Warning => "warning",
        })
    }
}

/// One problem found in a file.
///
/// `path` is the YAML path of the node the problem is about (empty for the whole document).
/// When the message does not already name the path in backticks, the rendered text appends
/// "at `path`", so messages should be written without it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub level: Level,
    pub file: String,
    pub span: Option<Span>,
    pub path: String,
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(level: Level, file: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            level,
            file: file.into(),
            span: None,
            path: String::new(),
            message: message.into(),
            help: None,
        }
    }

    pub fn error(file: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic::new(Level::Error, file, message)
    }

    pub fn warning(file: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic::new(Level::Warning, file, message)
    }

    pub fn with_span(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets the help line of a diagnostic already stored in a [`Diagnostics`].
    pub fn set_help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }

    /// The message as shown to the user: with " at `path`" appended unless the message
    /// already names the path, control and invisible characters escaped.
    pub fn full_message(&self) -> String {
        let message = if self.path.is_empty() || self.message.contains(&format!("`{}`", self.path))
        {
            self.message.clone()
        } else {
            format!("{} at `{}`", self.message, self.path)
        };
        printable(&message)
    }

    /// The first line of the rendered diagnostic: `file:line:col: level: message`.
    pub fn headline(&self) -> String {
        match self.span {
            Some(span) => format!(
                "{}:{}:{}: {}: {}",
                self.file,
                span.line,
                span.col,
                self.level,
                self.full_message()
            ),
            None => format!("{}: {}: {}", self.file, self.level, self.full_message()),
        }
    }

    /// Renders the diagnostic with the source line it points at.
    ///
    /// `source` must be the text of `self.file`. When the span lies outside it, only the
    /// headline and help are printed.
    pub fn render(&self, source: &str) -> String {
        let mut out = self.headline();
        out.push('\n');
        let snippet = self.span.and_then(|span| Snippet::new(source, span));
        let gutter = match &snippet {
            Some(snippet) => snippet.line_label.len(),
            None => 1,
        };
        let pad = " ".repeat(gutter);
        if let Some(snippet) = &snippet {
            out.push_str(&format!("{pad} |\n"));
            let line = format!("{} | {}", snippet.line_label, snippet.text);
            out.push_str(line.trim_end());
            out.push('\n');
            out.push_str(&format!(
                "{pad} | {}{}\n",
                " ".repeat(snippet.caret_start),
                "^".repeat(snippet.caret_len)
            ));
        }
        if let Some(help) = &self.help {
            out.push_str(&format!("{pad} = help: {}\n", printable(help)));
        }
        out
    }
}

/// `text` with control and invisible characters written as escapes (`\n`, `\u{1b}`).
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || crate::hcl::is_invisible(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

impl fmt::Display for Diagnostic {
    /// The headline and the help, without the source snippet (use [`Diagnostic::render`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.headline())?;
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {}", printable(help))?;
        }
        Ok(())
    }
}

/// The source line of a span, prepared for display: tabs expanded, caret placed by display
/// width (wide characters count two columns, combining marks none).
struct Snippet {
    line_label: String,
    text: String,
    caret_start: usize,
    caret_len: usize,
}

/// Tabs are shown as this many spaces.
const TAB_WIDTH: usize = 4;

impl Snippet {
    fn new(source: &str, span: Span) -> Option<Snippet> {
        if span.offset > source.len() {
            return None;
        }
        let mut offset = span.offset;
        while !source.is_char_boundary(offset) {
            offset -= 1;
        }
        let is_break = |c: char| c == '\n' || c == '\r';
        let line_start = source[..offset].rfind(is_break).map_or(0, |i| i + 1);
        let line_end = source[line_start..]
            .find(is_break)
            .map_or(source.len(), |i| line_start + i);
        // A multi-line span is underlined on its first line only.
        let mut under_end = span.end().clamp(offset, line_end);
        while !source.is_char_boundary(under_end) {
            under_end -= 1;
        }
        let text: String = source[line_start..line_end]
            .chars()
            .map(|c| match c {
                '\t' => " ".repeat(TAB_WIDTH),
                c if is_unprintable(c) => REPLACEMENT.to_string(),
                c => c.to_string(),
            })
            .collect();
        Some(Snippet {
            line_label: span.line.to_string(),
            text,
            caret_start: display_width(&source[line_start..offset]),
            caret_len: display_width(&source[offset..under_end]).max(1),
        })
    }
}

/// Width of `text` on a terminal, close enough for placing a caret.
fn display_width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

/// How an unprintable character of the source is shown in a snippet.
const REPLACEMENT: char = '\u{FFFD}';

fn is_unprintable(c: char) -> bool {
    c != '\t' && (c.is_control() || crate::hcl::is_invisible(c))
}

fn char_width(c: char) -> usize {
    let cp = c as u32;
    if c == '\t' {
        return TAB_WIDTH;
    }
    if is_unprintable(c) {
        return 1;
    }
    // Combining marks and zero-width characters take no column.
    if matches!(cp, 0x0300..=0x036F | 0x200B..=0x200F | 0xFE00..=0xFE0F | 0x20D0..=0x20FF) {
        return 0;
    }
    // East Asian wide and fullwidth ranges, and the common emoji blocks.
    if matches!(
        cp,
        0x1100..=0x115F
            | 0x2E80..=0x303E
            | 0x3041..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xA000..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x1F300..=0x1F64F
            | 0x1F900..=0x1F9FF
            | 0x20000..=0x3FFFD
    ) {
        return 2;
    }
    1
}

/// All the problems found in one file, in the order they were found until [`sort`]ed.
///
/// [`sort`]: Diagnostics::sort
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Diagnostics::default()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Records an error and returns it so a help line can be added with
    /// [`Diagnostic::set_help`].
    pub fn error(
        &mut self,
        file: &str,
        span: Option<Span>,
        path: &str,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.add(Level::Error, file, span, path, message.into())
    }

    /// Records a warning and returns it so a help line can be added.
    pub fn warning(
        &mut self,
        file: &str,
        span: Option<Span>,
        path: &str,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.add(Level::Warning, file, span, path, message.into())
    }

    fn add(
        &mut self,
        level: Level,
        file: &str,
        span: Option<Span>,
        path: &str,
        message: String,
    ) -> &mut Diagnostic {
        let index = self.items.len();
        self.items.push(Diagnostic {
            level,
            file: file.to_owned(),
            span,
            path: path.to_owned(),
            message,
            help: None,
        });
        &mut self.items[index]
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.items.iter()
    }

    pub fn as_slice(&self) -> &[Diagnostic] {
        &self.items
    }

    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }

    pub fn has_errors(&self) -> bool {
        self.error_count() > 0
    }

    pub fn error_count(&self) -> usize {
        self.count(Level::Error)
    }

    pub fn warning_count(&self) -> usize {
        self.count(Level::Warning)
    }

    fn count(&self, level: Level) -> usize {
        self.items.iter().filter(|d| d.level == level).count()
    }

    /// Whether an error was recorded for `path` or for a node below it (`path.x`, `path[0]`).
    /// The empty path is the whole document. Later stages use this to avoid reporting a
    /// second problem on a node that already failed.
    pub fn has_error_at_or_under(&self, path: &str) -> bool {
        self.items
            .iter()
            .any(|d| d.level == Level::Error && path_is_at_or_under(&d.path, path))
    }

    /// Orders by file, then position (diagnostics without a position first), keeping the
    /// insertion order of ties, so that output is deterministic.
    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            let key = |d: &Diagnostic| d.span.map(|s| (s.offset, s.len));
            a.file.cmp(&b.file).then_with(|| key(a).cmp(&key(b)))
        });
    }

    /// Renders every diagnostic of the file whose text is `source`, separated by blank lines.
    pub fn render(&self, source: &str) -> String {
        self.items
            .iter()
            .map(|d| d.render(source))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Whether `path` is `ancestor` or lies below it, by whole path segments.
fn path_is_at_or_under(path: &str, ancestor: &str) -> bool {
    if ancestor.is_empty() {
        return true;
    }
    match path.strip_prefix(ancestor) {
        Some(rest) => rest.is_empty() || rest.starts_with('.') || rest.starts_with('['),
        None => false,
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Self {
        Diagnostics {
            items: vec![diagnostic],
        }
    }
}

impl From<Vec<Diagnostic>> for Diagnostics {
    fn from(items: Vec<Diagnostic>) -> Self {
        Diagnostics { items }
    }
}

impl Extend<Diagnostic> for Diagnostics {
    fn extend<I: IntoIterator<Item = Diagnostic>>(&mut self, iter: I) {
        self.items.extend(iter);
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

/// The candidate closest to `word`, if it is close enough to be a likely misspelling.
///
/// Candidates equal to `word` ignoring case, `-` and `_` win outright (`Image`, `image-pull`
/// for `image_pull`). Otherwise the distance is the optimal-string-alignment variant of
/// Damerau-Levenshtein (insertions, deletions, substitutions, adjacent transpositions) on the
/// lowercased words; it must be at most a third of the word's length (at least 1) and smaller
/// than both words, so short unrelated words are not "corrected". Ties go to the earlier
/// candidate.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let normalized = normalize(word);
    let lowered: Vec<char> = word.to_lowercase().chars().collect();
    let limit = (lowered.len() / 3).max(1);
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let distance = if normalize(candidate) == normalized {
            0
        } else {
            let other: Vec<char> = candidate.to_lowercase().chars().collect();
            let distance = osa_distance(&lowered, &other);
            if distance > limit || distance >= lowered.len() || distance >= other.len() {
                continue;
            }
            distance
        };
        if best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

fn normalize(word: &str) -> String {
    word.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Optimal string alignment distance between two character sequences.
fn osa_distance(a: &[char], b: &[char]) -> usize {
    // Three rolling rows: two rows back (for transpositions), previous, current.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut value = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                value = value.min(before[j - 2] + 1);
            }
            current[j] = value;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span_of(source: &str, needle: &str, line: usize, col: usize) -> Span {
        let offset = source.find(needle).expect("needle in source");
        Span::new(line, col, offset, needle.len())
    }

    #[test]
    fn renders_the_documented_shape() {
        let source = "name: app\ncontainer:\n  port: 80\n  imge: ghcr.io/x/y:latest\n";
        let d = Diagnostic::error("specs/app.yaml", "unknown field `imge` in `container`")
            .with_span(span_of(source, "imge", 4, 3))
            .with_path("container")
            .with_help("valid fields are `image`, `port`; did you mean `image`?");
        assert_eq!(
            d.render(source),
            "specs/app.yaml:4:3: error: unknown field `imge` in `container`\n\
             \x20 |\n\
             4 |   imge: ghcr.io/x/y:latest\n\
             \x20 |   ^^^^\n\
             \x20 = help: valid fields are `image`, `port`; did you mean `image`?\n"
        );
    }

    #[test]
    fn gutter_widens_with_the_line_number() {
        let mut source = "x: 1\n".repeat(11);
        source.push_str("    imge: y\n");
        let offset = source.find("imge").expect("needle");
        let d = Diagnostic::error("a.yaml", "bad").with_span(Span::new(12, 5, offset, 4));
        assert_eq!(
            d.render(&source),
            "a.yaml:12:5: error: bad\n   |\n12 |     imge: y\n   |     ^^^^\n"
        );
    }

    #[test]
    fn path_is_appended_unless_the_message_names_it() {
        let d = Diagnostic::error("a.yaml", "expected a string, found a list")
            .with_path("container.env[3].name");
        assert_eq!(
            d.full_message(),
            "expected a string, found a list at `container.env[3].name`"
        );
        let d = Diagnostic::error("a.yaml", "missing required field `name` in `container`")
            .with_path("container");
        assert_eq!(
            d.full_message(),
            "missing required field `name` in `container`"
        );
        let d = Diagnostic::error("a.yaml", "spec is empty");
        assert_eq!(d.to_string(), "a.yaml: error: spec is empty");
    }

    #[test]
    fn tabs_and_wide_characters_keep_the_caret_under_the_text() {
        let source = "\tname: 名前x\n";
        let offset = source.find('x').expect("x");
        let d = Diagnostic::error("a.yaml", "bad").with_span(Span::new(1, 9, offset, 1));
        let rendered = d.render(source);
        let lines: Vec<&str> = rendered.lines().collect();
        // Tab shown as four spaces, each CJK character two columns wide.
        assert_eq!(lines[2], "1 |     name: 名前x");
        assert_eq!(lines[3], format!("  | {}^", " ".repeat(4 + 6 + 2 + 2)));
    }

    #[test]
    fn multi_line_spans_underline_the_first_line_only() {
        let source = "a:\n  b: 1\n  c: 2\n";
        let offset = source.find("b:").expect("b");
        let span = Span::new(2, 3, offset, source.len() - offset - 1);
        let rendered = Diagnostic::error("a.yaml", "bad")
            .with_span(span)
            .render(source);
        assert_eq!(
            rendered,
            "a.yaml:2:3: error: bad\n  |\n2 |   b: 1\n  |   ^^^^\n"
        );
    }

    #[test]
    fn zero_length_span_at_end_of_line_gets_one_caret() {
        let source = "image:\nport: 1\n";
        let d = Diagnostic::error("a.yaml", "expected a string, found an empty value")
            .with_span(Span::new(1, 7, 6, 0))
            .with_path("image");
        assert_eq!(
            d.render(source),
            "a.yaml:1:7: error: expected a string, found an empty value at `image`\n  |\n1 | image:\n  |       ^\n"
        );
    }

    #[test]
    fn span_outside_the_source_renders_the_headline_only() {
        let d = Diagnostic::warning("a.yaml", "odd")
            .with_span(Span::new(9, 1, 500, 1))
            .with_help("look");
        assert_eq!(
            d.render("short\n"),
            "a.yaml:9:1: warning: odd\n  = help: look\n"
        );
    }

    #[test]
    fn crlf_lines_are_shown_without_the_carriage_return() {
        let source = "a: 1\r\nbb: 2\r\n";
        let offset = source.find("bb").expect("bb");
        let d = Diagnostic::error("a.yaml", "bad").with_span(Span::new(2, 1, offset, 2));
        assert_eq!(
            d.render(source),
            "a.yaml:2:1: error: bad\n  |\n2 | bb: 2\n  | ^^\n"
        );
    }

    #[test]
    fn collection_helpers() {
        let mut diags = Diagnostics::new();
        diags
            .error("a.yaml", Some(Span::new(3, 1, 20, 1)), "b[0].c", "late")
            .set_help("h");
        diags.warning("a.yaml", Some(Span::new(1, 1, 0, 1)), "w", "warned");
        diags.error("a.yaml", None, "", "whole file");
        diags.error("a.yaml", Some(Span::new(2, 1, 10, 1)), "container", "early");
        assert!(diags.has_errors());
        assert_eq!(diags.error_count(), 3);
        assert_eq!(diags.warning_count(), 1);

        assert!(diags.has_error_at_or_under("b"));
        assert!(diags.has_error_at_or_under("b[0]"));
        assert!(diags.has_error_at_or_under("b[0].c"));
        assert!(!diags.has_error_at_or_under("b[0].cc"));
        assert!(!diags.has_error_at_or_under("b[1]"));
        assert!(diags.has_error_at_or_under("container"));
        assert!(!diags.has_error_at_or_under("contain"));
        // Warnings do not count.
        assert!(!diags.has_error_at_or_under("w"));

        diags.sort();
        let order: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(order, ["whole file", "warned", "early", "late"]);

        let only_warning = Diagnostics::from(Diagnostic::warning("a.yaml", "w"));
        assert!(!only_warning.has_errors());
        assert!(!only_warning.has_error_at_or_under(""));
    }

    #[test]
    fn render_separates_blocks_with_a_blank_line() {
        let source = "a: 1\nb: 2\n";
        let mut diags = Diagnostics::new();
        diags.error("f.yaml", Some(Span::new(1, 1, 0, 1)), "", "first");
        diags.error("f.yaml", Some(Span::new(2, 1, 5, 1)), "", "second");
        assert_eq!(
            diags.render(source),
            "f.yaml:1:1: error: first\n  |\n1 | a: 1\n  | ^\n\nf.yaml:2:1: error: second\n  |\n2 | b: 2\n  | ^\n"
        );
    }

    #[test]
    fn did_you_mean_finds_typos() {
        let fields = ["image", "port", "env", "resources", "environment"];
        assert_eq!(did_you_mean("imge", fields), Some("image"));
        assert_eq!(did_you_mean("prot", fields), Some("port"));
        assert_eq!(did_you_mean("Image", fields), Some("image"));
        assert_eq!(did_you_mean("resource", fields), Some("resources"));
        assert_eq!(did_you_mean("enviroment", fields), Some("environment"));
        assert_eq!(did_you_mean("evn", fields), Some("env"));
        assert_eq!(
            did_you_mean("clusterip", ["ClusterIP", "NodePort"]),
            Some("ClusterIP")
        );
        assert_eq!(
            did_you_mean("image-pull-policy", ["image_pull_policy"]),
            Some("image_pull_policy")
        );
    }

    #[test]
    fn did_you_mean_rejects_unrelated_words() {
        let fields = ["image", "port", "env"];
        assert_eq!(did_you_mean("volumes", fields), None);
        assert_eq!(did_you_mean("x", ["y"]), None);
        assert_eq!(did_you_mean("ab", ["cd"]), None);
        assert_eq!(did_you_mean("anything", []), None);
    }

    #[test]
    fn did_you_mean_prefers_the_closest_then_the_first() {
        assert_eq!(did_you_mean("cpux", ["cpus", "cpu"]), Some("cpus"));
        assert_eq!(did_you_mean("abcd", ["abce", "abcf"]), Some("abce"));
        assert_eq!(did_you_mean("abcdef", ["abcxyz", "abcdeg"]), Some("abcdeg"));
    }

    #[test]
    fn osa_distance_counts_transpositions_as_one() {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(osa_distance(&chars("ab"), &chars("ba")), 1);
        assert_eq!(osa_distance(&chars("kitten"), &chars("sitting")), 3);
        assert_eq!(osa_distance(&chars(""), &chars("abc")), 3);
        assert_eq!(osa_distance(&chars("same"), &chars("same")), 0);
    }

    #[test]
    fn a_spec_cannot_write_to_the_terminal() {
        let source = "name: \"a\\e[2J\"\nx: \u{1b}[31mred\u{202E}\n";
        let d = Diagnostic::error("s.yaml", "invalid name `a\u{1b}[2J\nfake: error`")
            .with_span(Span::new(2, 4, source.find('\u{1b}').unwrap(), 1))
            .with_help("`\u{1b}[2J` \u{202E}");
        let out = d.render(source);
        assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out:?}");
        assert!(!out.contains('\u{202E}'), "{out:?}");
        assert!(
            out.starts_with("s.yaml:2:4: error: invalid name `a\\u{1b}[2J\\nfake: error`\n"),
            "{out}"
        );
        assert!(
            out.contains("2 | x: \u{FFFD}[31mred\u{FFFD}\n  |    ^\n"),
            "{out}"
        );
        assert!(out.contains("= help: `\\u{1b}[2J` \\u{202e}"), "{out}");
        assert_eq!(out.lines().count(), 5, "{out}");
    }
}
