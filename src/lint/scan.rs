//! A byte-level scanner that finds the top-level blocks of an HCL file without parsing
//! them, so that only the blocks a rule reads are handed to the (much slower) full
//! parser. It knows enough of the lexical grammar to skip strings, template
//! interpolations, heredocs and comments; anything it cannot follow makes it give up, and
//! the caller then parses the whole file instead.

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
}

fn quoted(s: &str) -> Option<(&str, &str)> {
    let s = s.strip_prefix('"')?;
    let end = s.find('"')?;
    Some((&s[..end], &s[end + 1..]))
}

/// Deepest nesting of template interpolations the scanner follows before giving up.
const MAX_NESTING: usize = 32;

/// The top-level blocks of `text` in source order, or `None` when the text is not
/// lexically balanced (or too unusual for this scanner).
pub(crate) fn top_level_blocks(text: &str) -> Option<Vec<TopBlock<'_>>> {
    let b = text.as_bytes();
    let mut blocks = Vec::new();
    let mut depth = 0usize;
    let mut item_start: Option<usize> = None;
    let mut body_open = 0usize;
    let mut i = 0usize;
    while i < b.len() {
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
            b'"' => i = skip_string(b, i + 1, 0)?,
            b'<' if b.get(i + 1) == Some(&b'<') => i = skip_heredoc(b, i)?,
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

fn line_end(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |n| i + n)
}

fn block_comment_end(b: &[u8], i: usize) -> Option<usize> {
    b[i + 2..]
        .windows(2)
        .position(|w| w == b"*/")
        .map(|n| i + 2 + n + 2)
}

/// Skips a quoted string whose opening quote is just before `i`; returns the offset
/// past its closing quote.
fn skip_string(b: &[u8], mut i: usize, nesting: usize) -> Option<usize> {
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            b'\n' => return None,
            b'$' | b'%' if b.get(i + 1) == Some(&b[i]) && b.get(i + 2) == Some(&b'{') => i += 3,
            b'$' | b'%' if b.get(i + 1) == Some(&b'{') => {
                i = skip_interpolation(b, i + 2, nesting)?;
            }
            _ => i += 1,
        }
    }
    None
}

/// Skips the code of a template interpolation up to and past its closing brace.
fn skip_interpolation(b: &[u8], mut i: usize, nesting: usize) -> Option<usize> {
    if nesting >= MAX_NESTING {
        return None;
    }
    let mut depth = 0usize;
    while i < b.len() {
        match b[i] {
            b'"' => i = skip_string(b, i + 1, nesting + 1)?,
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
            b'<' if b.get(i + 1) == Some(&b'<') => i = skip_heredoc(b, i)?,
            _ => i += 1,
        }
    }
    None
}

/// Skips a heredoc starting at `<<` (or `<<-`): returns the offset just past the closing
/// marker. `<<` not followed by a marker and a newline is not a heredoc and is stepped over.
fn skip_heredoc(b: &[u8], i: usize) -> Option<usize> {
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
    let mut line = j + 1;
    while line < b.len() {
        let end = line_end(b, line);
        if b[line..end].trim_ascii() == marker {
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

    #[test]
    fn unbalanced_text_gives_up() {
        assert_eq!(top_level_blocks("resource \"a\" \"b\" {\n"), None);
        assert_eq!(top_level_blocks("a = \"unterminated\n}"), None);
        assert_eq!(top_level_blocks("x = <<EOT\nno end\n"), None);
    }
}
