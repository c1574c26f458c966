//! The token rewrites `terraform fmt` makes before hclwrite lays the file out
//! (Terraform's `fmt` command, `formatBody` and helpers). hclwrite itself only changes
//! whitespace; Terraform additionally, walking the body structure:
//!
//! - unwraps an attribute value that is a lone interpolation: `a = "${var.x}"` → `a = var.x`
//!   (only for attributes of the file or of blocks, not for object elements; a value whose
//!   interpolation spans lines is wrapped in parentheses unless it already is). Terraform
//!   unwraps one level per run, so `"${"${x}"}"` takes two runs to become `x`; we unwrap
//!   to that fixed point at once;
//! - in a top-level `variable` block, turns legacy types into type expressions:
//!   `type = "string"` → `string`, `"list"` → `list(string)`, `"map"` → `map(string)`,
//!   `list` → `list(any)`, `map` → `map(any)`;
//! - writes block labels as canonical quoted strings: `resource aws_instance x {` →
//!   `resource "aws_instance" "x" {`, `"\u0041"` → `"A"`, dropping comments between them.
//!
//! The walk is a small structural parse of bodies. When the input does not have the shape
//! of an HCL body, no rewrite is made at all and the parse of the output reports the
//! problem.

use std::borrow::Cow;

use super::Style;
use super::lexer::{Kind, Token};

/// The rewrites, with nested lone interpolations unwrapped one level (as one `terraform
/// fmt` run does) in the [`Style::Terraform`] style, and completely otherwise.
pub(crate) fn terraform_rewrites(tokens: Vec<Token<'_>>, style: Style) -> Vec<Token<'_>> {
    let levels = match style {
        Style::Generated => MAX_UNWRAP_LEVELS,
        Style::Terraform => 1,
    };
    let edits = match collect_edits(&tokens, levels) {
        Some(edits) if !edits.is_empty() => edits,
        _ => return tokens,
    };
    let mut out = Vec::with_capacity(tokens.len() + 8);
    let mut edits = edits.into_iter().peekable();
    let mut skip_until = 0;
    for (i, token) in tokens.into_iter().enumerate() {
        if let Some(edit) = edits.next_if(|edit| edit.start == i) {
            skip_until = edit.end;
            out.extend(edit.replacement);
        }
        if i >= skip_until {
            out.push(token);
        }
    }
    out
}

struct Edit<'a> {
    start: usize,
    end: usize,
    replacement: Vec<Token<'a>>,
}

/// Walks the body structure and collects the rewrites, in token order, unwrapping at most
/// `levels` nested lone interpolations. `None` when the tokens do not form a body.
fn collect_edits<'a>(toks: &[Token<'a>], levels: usize) -> Option<Vec<Edit<'a>>> {
    let mut edits = Vec::new();
    // One entry per open block: whether it is a top-level `variable` block.
    let mut blocks: Vec<bool> = Vec::new();
    let mut i = 0;
    loop {
        while toks
            .get(i)
            .is_some_and(|t| t.kind == Kind::Newline || t.kind.is_comment())
        {
            i += 1;
        }
        let Some(token) = toks.get(i) else {
            return blocks.is_empty().then_some(edits);
        };
        match token.kind {
            Kind::CBrace => {
                blocks.pop()?;
                i += 1;
            }
            Kind::Ident => {
                let name = &token.text;
                let after_name = i + 1;
                i = skip_block_comments(toks, after_name);
                if toks.get(i)?.kind == Kind::Equal {
                    let (start, end, next) = attribute_value(toks, i + 1, !blocks.is_empty())?;
                    let in_variable = blocks.len() == 1 && blocks[0];
                    let replacement = if in_variable && name == "type" {
                        legacy_type(&toks[start..end])
                    } else {
                        unwrap_all(&toks[start..end], levels)
                    };
                    if let Some(replacement) = replacement {
                        edits.push(Edit {
                            start,
                            end,
                            replacement,
                        });
                    }
                    i = next;
                } else {
                    let (edit, brace) = block_labels(toks, after_name)?;
                    edits.extend(edit);
                    blocks.push(blocks.is_empty() && name == "variable");
                    i = brace + 1;
                }
            }
            _ => return None,
        }
    }
}

fn skip_block_comments(toks: &[Token<'_>], mut i: usize) -> usize {
    while toks.get(i).is_some_and(|t| t.kind == Kind::BlockComment) {
        i += 1;
    }
    i
}

/// The value of an attribute starting at `i`: it ends at a newline or line comment outside
/// brackets, at the end of input, or (in a single-line block) at the block's `}`. Returns
/// the value's range without leading/trailing block comments, and where the walk goes on.
fn attribute_value(toks: &[Token<'_>], i: usize, nested: bool) -> Option<(usize, usize, usize)> {
    let mut depth = 0i32;
    let mut j = i;
    let end = loop {
        let Some(t) = toks.get(j) else { break j };
        if depth == 0 && t.kind.ends_line() {
            break j;
        }
        if depth == 0 && t.kind == Kind::CBrace {
            if !nested {
                return None;
            }
            break j;
        }
        depth += t.kind.bracket_change();
        if depth < 0 {
            return None;
        }
        j += 1;
    };
    let mut start = i;
    let mut stop = end;
    while start < stop && toks[start].kind == Kind::BlockComment {
        start += 1;
    }
    while stop > start && toks[stop - 1].kind == Kind::BlockComment {
        stop -= 1;
    }
    Some((start, stop, end))
}

/// Labels between a block's type and its `{`. Returns the rewrite (when a label is not in
/// canonical form) and the index of the `{`.
fn block_labels<'a>(toks: &[Token<'a>], start: usize) -> Option<(Option<Edit<'a>>, usize)> {
    let mut labels: Vec<String> = Vec::new();
    let mut canonical = true;
    let mut i = start;
    loop {
        let t = toks.get(i)?;
        match t.kind {
            Kind::OBrace => break,
            Kind::Ident => {
                labels.push(t.text.to_string());
                canonical = false;
                i += 1;
            }
            Kind::OQuote => {
                let (lit, next) = match (toks.get(i + 1)?.kind, toks.get(i + 2).map(|t| t.kind)) {
                    (Kind::CQuote, _) => ("", i + 2),
                    (Kind::QuotedLit, Some(Kind::CQuote)) => (toks[i + 1].text.as_ref(), i + 3),
                    // Templates in labels are invalid HCL: leave them to the parser.
                    _ => return Some((None, find_brace(toks, i)?)),
                };
                let Some(value) = decode_quoted(lit) else {
                    return Some((None, find_brace(toks, i)?));
                };
                let encoded = encode_quoted(&value);
                if encoded != lit {
                    canonical = false;
                }
                labels.push(value);
                i = next;
            }
            // hclwrite rebuilds the labels, which drops comments between them.
            Kind::BlockComment => {
                canonical = false;
                i += 1;
            }
            _ => return None,
        }
    }
    if canonical {
        return Some((None, i));
    }
    let line = toks[start].line;
    let mut replacement = Vec::with_capacity(labels.len() * 3);
    for label in &labels {
        replacement.push(Token::synthetic(Kind::OQuote, "\"", line));
        let encoded = encode_quoted(label);
        if !encoded.is_empty() {
            replacement.push(Token::synthetic(
                Kind::QuotedLit,
                encoded.into_owned(),
                line,
            ));
        }
        replacement.push(Token::synthetic(Kind::CQuote, "\"", line));
    }
    Some((
        Some(Edit {
            start,
            end: i,
            replacement,
        }),
        i,
    ))
}

fn find_brace(toks: &[Token<'_>], from: usize) -> Option<usize> {
    (from..toks.len()).find(|&j| toks[j].kind == Kind::OBrace)
}

/// The most nested lone interpolations unwrapped at once: hcl-rs's nesting limit, so that
/// absurd input stays linear.
const MAX_UNWRAP_LEVELS: usize = 64;

/// Unwraps `"${ "${ x }" }"` up to `levels` levels, all the way to `x` when `levels` is
/// large enough. `terraform fmt` unwraps one level per run, so its output can change when
/// run again; with every level unwrapped, ours is what repeated runs settle on.
fn unwrap_all<'a>(expr: &[Token<'a>], levels: usize) -> Option<Vec<Token<'a>>> {
    let mut inner = unwrap_interpolation(expr)?;
    for _ in 1..levels {
        if inner.parenthesize {
            // `( ... )` is not a string: nothing more to unwrap.
            break;
        }
        let Some(next) = unwrap_interpolation(&expr[inner.start..inner.end]) else {
            break;
        };
        inner = Unwrapped {
            start: inner.start + next.start,
            end: inner.start + next.end,
            parenthesize: next.parenthesize,
        };
    }
    let tokens = &expr[inner.start..inner.end];
    if !inner.parenthesize {
        return Some(tokens.to_vec());
    }
    let line = tokens[0].line;
    let mut out = Vec::with_capacity(tokens.len() + 2);
    out.push(Token::synthetic(Kind::OParen, "(", line));
    out.extend_from_slice(tokens);
    out.push(Token::synthetic(Kind::CParen, ")", line));
    Some(out)
}

/// What a lone interpolation unwraps to: `expr[start..end]`, to be wrapped in parentheses
/// when it spans lines (and is not already parenthesized).
#[derive(Clone, Copy)]
struct Unwrapped {
    start: usize,
    end: usize,
    parenthesize: bool,
}

/// `"${ expr }"` → `expr` (Terraform's `formatValueExpr`).
fn unwrap_interpolation(expr: &[Token<'_>]) -> Option<Unwrapped> {
    let len = expr.len();
    if len < 5
        || expr[0].kind != Kind::OQuote
        || expr[1].kind != Kind::TemplateInterp
        || expr[len - 2].kind != Kind::TemplateSeqEnd
        || expr[len - 1].kind != Kind::CQuote
    {
        return None;
    }
    let inside = &expr[2..len - 2];
    let mut quotes = 0i32;
    for t in inside {
        match t.kind {
            Kind::OQuote => quotes += 1,
            Kind::CQuote => quotes -= 1,
            // Interpolations inside nested strings belong to a nested expression.
            _ if quotes > 0 => {}
            // `"${a}${b}"` or literal text next to the interpolation: not unwrappable.
            Kind::TemplateInterp | Kind::TemplateSeqEnd | Kind::QuotedLit => return None,
            _ => {}
        }
    }
    // Newlines at either end go (`"${\n  x\n}"`).
    let first = 2 + inside.iter().position(|t| t.kind != Kind::Newline)?;
    let last = 2 + inside.iter().rposition(|t| t.kind != Kind::Newline)?;
    let trimmed = &expr[first..=last];
    let multi_line = trimmed.iter().any(|t| t.kind == Kind::Newline);
    let parenthesized =
        trimmed[0].kind == Kind::OParen && trimmed[trimmed.len() - 1].kind == Kind::CParen;
    Some(Unwrapped {
        start: first,
        end: last + 1,
        parenthesize: multi_line && !parenthesized,
    })
}

/// Legacy `type` values of a `variable` block (Terraform's `formatTypeExpr`).
fn legacy_type<'a>(expr: &[Token<'a>]) -> Option<Vec<Token<'a>>> {
    let (name, arg) = match expr {
        [kw] if kw.kind == Kind::Ident => match kw.text.as_ref() {
            "list" => ("list", Some("any")),
            "map" => ("map", Some("any")),
            _ => return None,
        },
        [open, lit, close]
            if open.kind == Kind::OQuote
                && lit.kind == Kind::QuotedLit
                && close.kind == Kind::CQuote =>
        {
            match lit.text.as_ref() {
                "string" => ("string", None),
                "list" => ("list", Some("string")),
                "map" => ("map", Some("string")),
                _ => return None,
            }
        }
        _ => return None,
    };
    let line = expr[0].line;
    let mut out = vec![Token::synthetic(Kind::Ident, name, line)];
    if let Some(arg) = arg {
        out.push(Token::synthetic(Kind::OParen, "(", line));
        out.push(Token::synthetic(Kind::Ident, arg, line));
        out.push(Token::synthetic(Kind::CParen, ")", line));
    }
    Some(out)
}

/// The value of a quoted literal without template sequences, or `None` for an invalid
/// escape.
fn decode_quoted(lit: &str) -> Option<String> {
    let mut out = String::with_capacity(lit.len());
    let mut chars = lit.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                '"' => out.push('"'),
                '\\' => out.push('\\'),
                'u' => out.push(hex_char(&mut chars, 4)?),
                'U' => out.push(hex_char(&mut chars, 8)?),
                _ => return None,
            },
            '$' | '%' => {
                // `$${` and `%%{` stand for a literal `${` / `%{`.
                out.push(c);
                let mut ahead = chars.clone();
                if ahead.next() == Some(c) && ahead.next() == Some('{') {
                    chars.next();
                }
            }
            _ => out.push(c),
        }
    }
    Some(out)
}

fn hex_char(chars: &mut impl Iterator<Item = char>, digits: usize) -> Option<char> {
    let mut value = 0u32;
    for _ in 0..digits {
        value = value * 16 + chars.next()?.to_digit(16)?;
    }
    char::from_u32(value)
}

/// hclwrite's `escapeQuotedStringLit`.
fn encode_quoted(value: &str) -> Cow<'_, str> {
    let simple = value
        .chars()
        .all(|c| is_print(c) && !matches!(c, '"' | '\\') && c != '$' && c != '%');
    if simple {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len() + 4);
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' | '%' => {
                out.push(c);
                if chars.peek() == Some(&'{') {
                    out.push(c);
                }
            }
            c if !is_print(c) => {
                let code = u32::from(c);
                if code < 0x10000 {
                    out.push_str(&format!("\\u{code:04x}"));
                } else {
                    out.push_str(&format!("\\U{code:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// An approximation of Go's `unicode.IsPrint`: letters, marks, numbers, punctuation,
/// symbols and the ASCII space.
fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(u32::from(c),
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F
        | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB
        | 0xE000..=0xF8FF | 0xF0000..=0x10FFFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip_through_hclwrite_escaping() {
        assert_eq!(decode_quoted(r#"a\"b"#).as_deref(), Some("a\"b"));
        assert_eq!(decode_quoted(r"\u0041\U0001F600").as_deref(), Some("A😀"));
        assert_eq!(decode_quoted("$${x}%%{y}").as_deref(), Some("${x}%{y}"));
        assert_eq!(decode_quoted(r"\q"), None);
        assert_eq!(encode_quoted("a\"b\\c"), r#"a\"b\\c"#);
        assert_eq!(encode_quoted("${x} %{y} $z"), "$${x} %%{y} $z");
        assert_eq!(encode_quoted("tab\there\u{200b}"), r"tab\there\u200b");
        assert_eq!(encode_quoted("plain-label"), "plain-label");
    }
}
