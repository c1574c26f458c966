//! A byte-level scanner that finds the top-level blocks of an HCL file without parsing
//! them, so that only the blocks a rule reads are handed to the (much slower) full
//! parser. It knows enough of the lexical grammar to skip strings, template
//! interpolations, heredocs and comments; anything it cannot follow makes it give up, and
//! the caller then parses the whole file instead.

use std::borrow::Cow;
use std::ops::Range;

/// A top-level block: its byte range (from the first character of its header to just
/// past its closing brace) and its header text (identifier and labels, before the `{`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TopBlock<'a> {
    pub start: usize,
    pub end: usize,
    pub header: &'a str,
}

impl<'a> TopBlock<'a> {
    /// `(type, name)` when the header is `resource "<type>" "<name>"`.
    pub(crate) fn resource_labels(&self) -> Option<(&'a str, &'a str)> {
        let rest = self.header.trim().strip_prefix("resource")?;
        let rest = rest.trim_start();
        let (rtype, rest) = quoted(rest)?;
        let (name, rest) = quoted(rest.trim_start())?;
        rest.trim().is_empty().then_some((rtype, name))
    }

    /// The name when the header is `module "<name>"`.
    pub(crate) fn module_label(&self) -> Option<&'a str> {
        let rest = self.header.trim().strip_prefix("module")?;
        let (name, rest) = quoted(rest.trim_start())?;
        rest.trim().is_empty().then_some(name)
    }
}

fn quoted(s: &str) -> Option<(&str, &str)> {
    let s = s.strip_prefix('"')?;
    let end = s.find('"')?;
    Some((&s[..end], &s[end + 1..]))
}

/// Deepest nesting of template interpolations the scanner follows before giving up.
const MAX_NESTING: usize = 32;

/// A table of the bytes that matter, for tight skipping loops.
const fn byte_set(bytes: &[u8]) -> [bool; 256] {
    let mut set = [false; 256];
    let mut i = 0;
    while i < bytes.len() {
        set[bytes[i] as usize] = true;
        i += 1;
    }
    set
}

/// Bytes that start or end something inside a block body.
static IN_BLOCK: [bool; 256] = byte_set(b"#/\"<{}");
/// Bytes that end a run of plain characters in a quoted string.
static IN_STRING: [bool; 256] = byte_set(b"\\\"\n$%");

/// What one pass over a file finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Scan<'a> {
    /// The top-level blocks, in source order.
    pub blocks: Vec<TopBlock<'a>>,
    /// The byte ranges of heredoc bodies (between the opening line and the closing marker).
    pub heredocs: Vec<Range<usize>>,
}

impl Scan<'_> {
    /// The text of `range` with every heredoc body in it blanked (spaces, newlines kept),
    /// so that offsets stay valid and the parser skips over script and config bodies no
    /// rule reads. Borrowed when there is nothing to blank.
    pub(crate) fn blanked<'t>(&self, text: &'t str, range: Range<usize>) -> Cow<'t, str> {
        let inside: Vec<&Range<usize>> = self
            .heredocs
            .iter()
            .filter(|h| range.start <= h.start && h.end <= range.end)
            .collect();
        if inside.is_empty() {
            return Cow::Borrowed(&text[range]);
        }
        let mut bytes = text.as_bytes()[range.clone()].to_vec();
        for h in inside {
            for byte in &mut bytes[h.start - range.start..h.end - range.start] {
                if *byte != b'\n' {
                    *byte = b' ';
                }
            }
        }
        // Only whole lines were replaced by ASCII, so the text is still UTF-8.
        String::from_utf8(bytes).map_or(Cow::Borrowed(&text[range]), Cow::Owned)
    }
}

/// Scans `text` once; `None` when it is not lexically balanced (or too unusual for this
/// scanner).
pub(crate) fn scan(text: &str) -> Option<Scan<'_>> {
    let mut scanner = Scanner {
        b: text.as_bytes(),
        heredocs: Vec::new(),
    };
    let blocks = scanner.top_level_blocks(text)?;
    Some(Scan {
        blocks,
        heredocs: scanner.heredocs,
    })
}

/// The top-level blocks of `text` in source order, or `None` when the text is not
/// lexically balanced.
pub(crate) fn top_level_blocks(text: &str) -> Option<Vec<TopBlock<'_>>> {
    scan(text).map(|s| s.blocks)
}

struct Scanner<'b> {
    b: &'b [u8],
    heredocs: Vec<Range<usize>>,
}

impl Scanner<'_> {
    fn top_level_blocks<'t>(&mut self, text: &'t str) -> Option<Vec<TopBlock<'t>>> {
        let b = self.b;
        let mut blocks = Vec::new();
        let mut depth = 0usize;
        let mut item_start: Option<usize> = None;
        let mut body_open = 0usize;
        let mut i = 0usize;
        while i < b.len() {
            if depth > 0 {
                // Inside a block only a few bytes matter; skip the rest in a tight loop.
                i += b[i..]
                    .iter()
                    .position(|&c| IN_BLOCK[usize::from(c)])
                    .unwrap_or(b.len() - i);
                if i >= b.len() {
                    break;
                }
            }
            match b[i] {
                b'\n' => {
                    if depth == 0 {
                        // Block headers never span lines.
                        item_start = None;
                    }
                    i += 1;
                    continue;
                }
                b' ' | b'\t' | b'\r' => {
                    i += 1;
                    continue;
                }
                b'#' => {
                    i = line_end(b, i);
                    continue;
                }
                b'/' if b.get(i + 1) == Some(&b'/') => {
                    i = line_end(b, i);
                    continue;
                }
                b'/' if b.get(i + 1) == Some(&b'*') => {
                    i = block_comment_end(b, i)?;
                    continue;
                }
                _ => {}
            }
            if depth == 0 && item_start.is_none() {
                item_start = Some(i);
            }
            match b[i] {
                b'"' => i = self.skip_string(i + 1, 0)?,
                b'<' if b.get(i + 1) == Some(&b'<') => i = self.skip_heredoc(i)?,
                b'{' => {
                    if depth == 0 {
                        body_open = i;
                    }
                    depth += 1;
                    i += 1;
                }
                b'}' => {
                    depth = depth.checked_sub(1)?;
                    i += 1;
                    if depth == 0 {
                        let start = item_start.take()?;
                        blocks.push(TopBlock {
                            start,
                            end: i,
                            header: text.get(start..body_open)?,
                        });
                    }
                }
                _ => i += 1,
            }
        }
        (depth == 0).then_some(blocks)
    }

    /// Skips a quoted string whose opening quote is just before `i`; returns the offset
    /// past its closing quote.
    fn skip_string(&mut self, mut i: usize, nesting: usize) -> Option<usize> {
        let b = self.b;
        while i < b.len() {
            i += b[i..].iter().position(|&c| IN_STRING[usize::from(c)])?;
            match b[i] {
                b'\\' => i += 2,
                b'"' => return Some(i + 1),
                b'\n' => return None,
                b'$' | b'%' if b.get(i + 1) == Some(&b[i]) && b.get(i + 2) == Some(&b'{') => {
                    i += 3;
                }
                b'$' | b'%' if b.get(i + 1) == Some(&b'{') => {
                    i = self.skip_interpolation(i + 2, nesting)?;
                }
                _ => i += 1,
            }
        }
        None
    }

    /// Skips the code of a template interpolation up to and past its closing brace.
    fn skip_interpolation(&mut self, mut i: usize, nesting: usize) -> Option<usize> {
        if nesting >= MAX_NESTING {
            return None;
        }
        let b = self.b;
        let mut depth = 0usize;
        while i < b.len() {
            match b[i] {
                b'"' => i = self.skip_string(i + 1, nesting + 1)?,
                b'{' => {
                    depth += 1;
                    i += 1;
                }
                b'}' => {
                    if depth == 0 {
                        return Some(i + 1);
                    }
                    depth -= 1;
                    i += 1;
                }
                b'#' => i = line_end(b, i),
                b'/' if b.get(i + 1) == Some(&b'/') => i = line_end(b, i),
                b'/' if b.get(i + 1) == Some(&b'*') => i = block_comment_end(b, i)?,
                b'<' if b.get(i + 1) == Some(&b'<') => i = self.skip_heredoc(i)?,
                _ => i += 1,
            }
        }
        None
    }

    /// Skips a heredoc starting at `<<` (or `<<-`): returns the offset just past the
    /// closing marker, and records the body. `<<` not followed by a marker and a newline
    /// is not a heredoc and is stepped over.
    fn skip_heredoc(&mut self, i: usize) -> Option<usize> {
        let b = self.b;
        let mut j = i + 2;
        if b.get(j) == Some(&b'-') {
            j += 1;
        }
        let marker_start = j;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'-') {
            j += 1;
        }
        let marker = &b[marker_start..j];
        if b.get(j) == Some(&b'\r') {
            j += 1;
        }
        if marker.is_empty() || b.get(j) != Some(&b'\n') {
            return Some(i + 2);
        }
        let body = j + 1;
        let mut line = body;
        while line < b.len() {
            let end = line_end(b, line);
            if b[line..end].trim_ascii() == marker {
                self.heredocs.push(body..line);
                let lead = b[line..end]
                    .iter()
                    .position(|c| !c.is_ascii_whitespace())
                    .unwrap_or(0);
                return Some(line + lead + marker.len());
            }
            line = end + 1;
        }
        None
    }
}

fn line_end(b: &[u8], i: usize) -> usize {
    memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n)
}

/// The first position of `needle`, a word at a time (the standard library's `memchr` is
/// not public for byte slices).
fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let pattern = LO * u64::from(needle);
    let mut chunks = haystack.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word) ^ pattern;
        if (x.wrapping_sub(LO) & !x & HI) != 0 {
            break;
        }
        offset += 8;
    }
    haystack[offset..]
        .iter()
        .position(|&c| c == needle)
        .map(|n| offset + n)
}

fn block_comment_end(b: &[u8], i: usize) -> Option<usize> {
    b[i + 2..]
        .windows(2)
        .position(|w| w == b"*/")
        .map(|n| i + 2 + n + 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(text: &str) -> Vec<&str> {
        top_level_blocks(text)
            .expect("balanced")
            .into_iter()
            .map(|b| b.header.trim())
            .collect()
    }

    #[test]
    fn finds_top_level_blocks_and_their_ranges() {
        let text = "variable \"a\" { type = string }\n\nresource \"kubernetes_deployment\" \"x\" {\n  spec {\n    a = \"}\"\n  }\n}\n";
        let blocks = top_level_blocks(text).expect("balanced");
        assert_eq!(blocks.len(), 2);
        assert_eq!(
            blocks[1].resource_labels(),
            Some(("kubernetes_deployment", "x"))
        );
        assert!(text[blocks[1].start..blocks[1].end].starts_with("resource"));
        assert!(text[blocks[1].start..blocks[1].end].ends_with('}'));
        assert_eq!(blocks[0].resource_labels(), None);
    }

    #[test]
    fn braces_in_strings_comments_and_heredocs_do_not_count() {
        let text = r#"locals {
  a = "${jsonencode({ x = "}" })}"
  b = "$${not_interp"
  # }
  // }
  /* } */
  c = <<-EOT
    }
    resource "kubernetes_deployment" "fake" {
    EOT
  d = <<EOF
}
EOF
}
resource "kubernetes_namespace" "ns" {
}
"#;
        assert_eq!(
            headers(text),
            vec!["locals", r#"resource "kubernetes_namespace" "ns""#]
        );
    }

    /// The scanner must find exactly the top-level blocks the real parser finds, with the
    /// same byte ranges, on every fixture stack.
    #[test]
    fn agrees_with_hcl_edit_on_the_fixtures() {
        use hcl_edit::Span;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lint");
        let mut checked = 0;
        for entry in walkdir::WalkDir::new(root) {
            let entry = entry.expect("walk");
            if entry.path().extension().is_none_or(|e| e != "tf") {
                continue;
            }
            let text = std::fs::read_to_string(entry.path()).expect("read");
            let body = hcl_edit::parser::parse_body(&text).expect("fixture parses");
            let expected: Vec<(usize, usize)> = body
                .blocks()
                .map(|b| {
                    let span = b.span().expect("span");
                    (span.start, span.end)
                })
                .collect();
            let found: Vec<(usize, usize)> = top_level_blocks(&text)
                .expect("balanced")
                .iter()
                .map(|b| (b.start, b.end))
                .collect();
            assert_eq!(found, expected, "{}", entry.path().display());
            checked += 1;
        }
        assert!(checked >= 8, "only {checked} fixture files");
    }

    #[test]
    fn memchr_finds_the_first_match_at_any_alignment() {
        let hay: Vec<u8> = (0..40u8).map(|i| b'a' + i % 20).collect();
        for start in 0..hay.len() {
            let expected = hay[start..].iter().position(|&c| c == b'e');
            assert_eq!(memchr(b'e', &hay[start..]), expected, "from {start}");
        }
        assert_eq!(memchr(b'\n', b"no newline here at all"), None);
    }

    #[test]
    fn heredoc_bodies_are_blanked_keeping_offsets_and_lines() {
        let text = "resource \"a\" \"b\" {\n  c = <<-EOT\n    echo ${x} é }\n  EOT\n  d = 1\n}\n";
        let scan = scan(text).expect("balanced");
        assert_eq!(scan.heredocs.len(), 1);
        let block = &scan.blocks[0];
        let blanked = scan.blanked(text, block.start..block.end);
        assert_eq!(blanked.len(), block.end - block.start);
        assert_eq!(blanked.lines().count(), text.lines().count());
        assert!(!blanked.contains("echo"));
        assert!(blanked.contains("  EOT\n  d = 1"));
        let body = hcl_edit::parser::parse_body(&blanked).expect("still HCL");
        assert_eq!(body.blocks().count(), 1);
    }

    #[test]
    fn unbalanced_text_gives_up() {
        assert_eq!(top_level_blocks("resource \"a\" \"b\" {\n"), None);
        assert_eq!(top_level_blocks("a = \"unterminated\n}"), None);
        assert_eq!(top_level_blocks("x = <<EOT\nno end\n"), None);
    }
}
