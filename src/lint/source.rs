//! Source files as the rules see them: a path, its text, and a lazily built line index
//! for turning byte offsets into `line:col` and for reading the comments around a line.

use std::path::PathBuf;

/// One `.tf` file of a stack: where it lives (as it should be printed) and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        SourceFile {
            path: path.into(),
            text: text.into(),
        }
    }
}

/// Byte offsets of line starts, so that an offset maps to a 1-based line and column.
#[derive(Debug)]
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// Number of lines (a trailing newline does not open a new line).
    pub(crate) fn len(&self) -> usize {
        match self.starts.last() {
            Some(&last) if last == self.text.len() && self.starts.len() > 1 => {
                self.starts.len() - 1
            }
            _ => self.starts.len(),
        }
    }

    /// 0-based line number of a byte offset.
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next.saturating_sub(1),
        }
    }

    /// 1-based `(line, col)` of a byte offset; the column counts characters.
    pub(crate) fn position(&self, offset: usize) -> (usize, usize) {
        let line = self.line_of(offset);
        let start = self.starts[line];
        let end = offset.min(self.text.len());
        let col = self
            .text
            .get(start..end)
            .map_or(end - start, |s| s.chars().count());
        (line + 1, col + 1)
    }

    /// Text of a 0-based line without its line terminator.
    pub(crate) fn line(&self, line: usize) -> &'a str {
        let Some(&start) = self.starts.get(line) else {
            return "";
        };
        let end = self
            .starts
            .get(line + 1)
            .map_or(self.text.len(), |&next| next - 1);
        let s = &self.text[start..end];
        s.strip_suffix('\r').unwrap_or(s)
    }

    /// The contiguous run of full-line `#` comments directly above a 0-based line, as
    /// 0-based line numbers from the top of the run down.
    pub(crate) fn comment_run_above(&self, line: usize) -> std::ops::Range<usize> {
        let mut top = line;
        while top > 0 && is_hash_comment(self.line(top - 1)) {
            top -= 1;
        }
        top..line
    }
}

/// Whether a line is a full-line `#` comment.
pub(crate) fn is_hash_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// The comment that ends a line of code, if any: the text from the first `#` or `//`
/// outside a string literal.
pub(crate) fn trailing_comment(line: &str) -> Option<&str> {
    let bytes = line.as_bytes();
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b'#' if !in_string => return Some(&line[i..]),
            b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => return Some(&line[i..]),
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let index = LineIndex::new("a\n  é = 1\n");
        assert_eq!(index.position(0), (1, 1));
        assert_eq!(index.position(2), (2, 1));
        // "é" is two bytes; the `=` after it is the 5th character of the line.
        assert_eq!(index.position(2 + 2 + 2 + 1), (2, 5));
        assert_eq!(index.len(), 2);
    }

    #[test]
    fn comment_run_stops_at_code_and_blank_lines() {
        let text = "x = 1\n# a\n\n# b\n  # c\ny = 2\n";
        let index = LineIndex::new(text);
        assert_eq!(index.comment_run_above(5), 3..5);
        assert_eq!(index.comment_run_above(1), 1..1);
    }

    #[test]
    fn trailing_comment_ignores_hashes_in_strings() {
        assert_eq!(trailing_comment(r##"a = "#x" # real"##), Some("# real"));
        assert_eq!(trailing_comment(r##"a = "x\"#y""##), None);
        assert_eq!(trailing_comment("a = b // c"), Some("// c"));
        assert_eq!(trailing_comment(r#"u = "http://x""#), None);
    }
}
