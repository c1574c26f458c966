//! hclwrite's layout passes (`format.go`: `linesForFormat`, `formatIndent`, `formatSpaces`,
//! `formatCells`, `spaceAfterToken`) over our tokens, with dlgen's blank-line policy applied
//! to the lines first, and the printer.

use unicode_segmentation::UnicodeSegmentation;

use super::Style;
use super::lexer::{Kind, Token};

/// One line for formatting: `tokens[start..end]`, split into the hclwrite cells
/// lead `[start, assign)`, assign `[assign, comment)` and comment `[comment, end)`; empty
/// cells have equal bounds. A heredoc is part of the line that opens it: its body is inside
/// tokens, so the body's lines are never re-indented, re-spaced or dropped.
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    assign: usize,
    comment: usize,
    end: usize,
}

impl Line {
    fn has_assign(&self) -> bool {
        self.assign < self.comment
    }

    fn has_comment(&self) -> bool {
        self.comment < self.end
    }
}

/// Lays the tokens out and prints them. Returns the text and, for each output line, the
/// input line it came from. dlgen's policies apply in the [`Style::Generated`] style only.
pub(crate) fn layout(tokens: &mut [Token<'_>], style: Style) -> (String, Vec<u32>) {
    let lines = match style {
        Style::Generated => blank_line_policy(tokens, split_lines(tokens)),
        Style::Terraform => split_lines(tokens),
    };
    let lines: Vec<Line> = lines.into_iter().map(|l| cells(tokens, l)).collect();
    format_indent(tokens, &lines);
    format_spaces(tokens, &lines);
    format_cells(tokens, &lines);
    if style == Style::Generated {
        reindent_flush_heredocs(tokens, &lines);
    }
    print(tokens, &lines, style)
}

/// dlgen's heredoc policy: the body of a flush heredoc (`<<-EOT`) is indented one level
/// deeper than the line that opens it, and its closing marker sits at that line's level.
///
/// `terraform fmt` never touches heredoc bodies, and a flush heredoc strips the smallest
/// leading whitespace of its non-blank lines, so replacing the common indentation of the
/// body by another one changes neither the string nor what `terraform fmt` prints. Only
/// bodies whose value is certain to survive are touched: literal text, or literal text
/// with interpolations (a line that starts with one is indented before it; no directive
/// or strip marker), and no whitespace-only line (HCL implementations disagree on those).
fn reindent_flush_heredocs(tokens: &mut [Token<'_>], lines: &[Line]) {
    for line in lines {
        let indent = tokens.get(line.start).map_or(0, |t| t.spaces);
        let mut i = line.start;
        while i < line.end {
            if tokens[i].kind == Kind::OHeredoc && tokens[i].text.starts_with("<<-") {
                // The body is the tokens up to the closing marker.
                let Some(close) = tokens[i + 1..line.end]
                    .iter()
                    .position(|t| t.kind == Kind::CHeredoc)
                    .map(|p| i + 1 + p)
                else {
                    break;
                };
                let body = &tokens[i + 1..close];
                if body.len() == 1 && body[0].kind == Kind::StringLit {
                    if let Some(text) = reindented(&body[0].text, indent + 2) {
                        tokens[i + 1].text = text.into();
                        let marker = tokens[close].text.trim().to_owned();
                        tokens[close].text = format!("{}{marker}", " ".repeat(indent)).into();
                    }
                } else if body.is_empty()
                    || (body[0].kind == Kind::StringLit
                        && reindent_template(&mut tokens[i + 1..close], indent + 2))
                {
                    let marker = tokens[close].text.trim().to_owned();
                    tokens[close].text = format!("{}{marker}", " ".repeat(indent)).into();
                }
                i = close;
            }
            i += 1;
        }
    }
}

/// The body of a heredoc template (literal text and interpolations, starting with literal
/// text) with the common leading whitespace of its lines replaced by `indent`
/// spaces, as [`reindented`] does for plain text; `false` (nothing changed) when a line
/// is whitespace-only. A line that starts with a template sequence starts at the end of
/// the literal before it, and its indentation is what that literal ends with; every line
/// moves by the same amount, so the value of a flush heredoc stays the same.
fn reindent_template(body: &mut [Token<'_>], indent: usize) -> bool {
    // Only interpolations: a directive or a strip marker (`~`) could take whitespace
    // around a line break away.
    let plain = body.iter().all(|t| match t.kind {
        Kind::TemplateControl => false,
        Kind::TemplateInterp | Kind::TemplateSeqEnd => !t.text.contains('~'),
        _ => true,
    });
    if !plain {
        return false;
    }
    // Line starts: (token, byte offset), and each line's leading whitespace.
    let mut starts: Vec<(usize, usize, usize)> = Vec::new();
    let mut common = usize::MAX;
    for (ti, token) in body.iter().enumerate() {
        if token.kind != Kind::StringLit {
            continue;
        }
        let text = token.text.as_ref();
        let mut offsets = vec![];
        if ti == 0 {
            offsets.push(0);
        }
        offsets.extend(text.match_indices('\n').map(|(at, _)| at + 1));
        for at in offsets {
            let rest = &text[at..];
            let lead = rest.len() - rest.trim_start_matches([' ', '\t']).len();
            let after = &rest[lead..];
            let blank = if after.is_empty() {
                // The line goes on in a template sequence, or this is the end of the body.
                ti + 1 == body.len()
            } else {
                after.starts_with('\n')
            };
            if blank {
                if lead > 0 {
                    return false;
                }
                continue;
            }
            common = common.min(lead);
            starts.push((ti, at, lead));
        }
    }
    if common == usize::MAX {
        return false;
    }
    let pad = " ".repeat(indent);
    for (ti, token) in body.iter_mut().enumerate() {
        let mine: Vec<(usize, usize)> = starts
            .iter()
            .filter(|(t, _, _)| *t == ti)
            .map(|(_, at, lead)| (*at, *lead))
            .collect();
        if mine.is_empty() {
            continue;
        }
        let text = token.text.as_ref();
        let mut out = String::with_capacity(text.len() + mine.len() * indent);
        let mut from = 0;
        for (at, _) in mine {
            out.push_str(&text[from..at]);
            out.push_str(&pad);
            from = at + common;
        }
        out.push_str(&text[from..]);
        token.text = out.into();
    }
    true
}

/// `body` (whole lines, each ending in `\n`) with its common leading whitespace replaced
/// by `indent` spaces; `None` when a line is whitespace-only.
fn reindented(body: &str, indent: usize) -> Option<String> {
    let lines: Vec<&str> = body.split_inclusive('\n').collect();
    let mut common = usize::MAX;
    for line in &lines {
        let content = line.strip_suffix('\n').unwrap_or(line);
        if content.is_empty() {
            continue;
        }
        let lead = content.chars().take_while(|c| c.is_whitespace()).count();
        if lead == content.chars().count() {
            return None;
        }
        common = common.min(lead);
    }
    if common == usize::MAX {
        return None;
    }
    let pad = " ".repeat(indent);
    let mut out = String::with_capacity(body.len() + lines.len() * indent);
    for line in lines {
        let content = line.strip_suffix('\n').unwrap_or(line);
        if !content.is_empty() {
            out.push_str(&pad);
            let skip = content
                .char_indices()
                .nth(common)
                .map_or(content.len(), |(i, _)| i);
            out.push_str(&content[skip..]);
        }
        if line.ends_with('\n') {
            out.push('\n');
        }
    }
    Some(out)
}

/// Splits after every newline and line comment.
fn split_lines(tokens: &[Token<'_>]) -> Vec<(usize, usize)> {
    let mut lines = Vec::with_capacity(tokens.len() / 4 + 1);
    let mut start = 0;
    for (i, t) in tokens.iter().enumerate() {
        if t.kind.ends_line() {
            lines.push((start, i + 1));
            start = i + 1;
        }
    }
    if start < tokens.len() {
        lines.push((start, tokens.len()));
    }
    lines
}

/// dlgen's blank-line policy (see the module documentation of `format`): drops blank lines
/// at the start and end, collapses runs, and drops blank lines after a line that ends with
/// an opening bracket and before a line that starts with a closing one.
fn blank_line_policy(tokens: &[Token<'_>], lines: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    let is_blank = |&(s, e): &(usize, usize)| e == s + 1 && tokens[s].kind == Kind::Newline;
    let ends_open = |&(s, e): &(usize, usize)| {
        tokens[s..e]
            .iter()
            .rev()
            .find(|t| !(t.kind == Kind::Newline || t.kind.is_comment()))
            .is_some_and(|t| t.kind.bracket_change() > 0)
    };
    let mut kept: Vec<(usize, usize)> = Vec::with_capacity(lines.len());
    let mut last_blank = false;
    for line in lines {
        if is_blank(&line) {
            let drop = match kept.last() {
                None => true,
                Some(prev) => last_blank || ends_open(prev),
            };
            if !drop {
                kept.push(line);
                last_blank = true;
            }
            continue;
        }
        if last_blank && tokens[line.0].kind.bracket_change() < 0 {
            kept.pop();
        }
        kept.push(line);
        last_blank = false;
    }
    if last_blank {
        kept.pop();
    }
    kept
}

/// hclwrite `linesForFormat`: a trailing comment becomes the comment cell; from the first
/// `=` after the line's first token, the rest becomes the assign cell, unless it opens more
/// brackets than it closes (a multi-line value, which takes no part in alignment).
fn cells(tokens: &[Token<'_>], (start, end): (usize, usize)) -> Line {
    let mut comment = end;
    if end - start > 1 && tokens[end - 1].kind.is_comment() {
        comment = end - 1;
    }
    let mut assign = comment;
    if let Some(eq) = (start + 1..comment).find(|&i| tokens[i].kind == Kind::Equal)
        && net_brackets(&tokens[eq..comment]) == 0
    {
        assign = eq;
    }
    Line {
        start,
        assign,
        comment,
        end,
    }
}

/// Net bracket change, not counting anything from a heredoc introducer on (its body's
/// template sequences belong to the heredoc).
fn net_brackets(tokens: &[Token<'_>]) -> i32 {
    let mut net = 0;
    for t in tokens {
        net += t.kind.bracket_change();
        if t.kind == Kind::OHeredoc {
            break;
        }
    }
    net
}

/// hclwrite `formatIndent`: two spaces per level of an indent stack. A line with a net
/// opening pushes its count; a line with a net closing pops whole levels (or shrinks the
/// top one) before it is indented, so a line like `}, {` stays at the inner level.
fn format_indent(tokens: &mut [Token<'_>], lines: &[Line]) {
    let mut indents: Vec<i32> = Vec::with_capacity(16);
    for line in lines {
        if line.start == line.end {
            continue;
        }
        if tokens[line.start].kind == Kind::Newline {
            tokens[line.start].spaces = 0;
            continue;
        }
        let net = net_brackets(&tokens[line.start..line.assign])
            + net_brackets(&tokens[line.assign..line.comment]);
        if net < 0 {
            let mut closed = -net;
            while closed > 0 {
                let Some(top) = indents.last_mut() else { break };
                if closed >= *top {
                    closed -= *top;
                    indents.pop();
                } else {
                    *top -= closed;
                    closed = 0;
                }
            }
        }
        tokens[line.start].spaces = 2 * indents.len();
        if net > 0 {
            indents.push(net);
        }
    }
}

/// hclwrite `formatSpaces`: spacing between neighbours within the lead and assign cells.
fn format_spaces(tokens: &mut [Token<'_>], lines: &[Line]) {
    for line in lines {
        space_cell(tokens, line.start, line.assign);
        if line.has_assign() {
            // The `=` is always separated from what it assigns to.
            tokens[line.assign].spaces = 1;
            space_cell(tokens, line.assign, line.comment);
        }
    }
}

fn space_cell(tokens: &mut [Token<'_>], start: usize, end: usize) {
    for i in start..end.saturating_sub(1) {
        let before = (i > start).then(|| &tokens[i - 1]);
        let space = space_after(&tokens[i], before, &tokens[i + 1]);
        tokens[i + 1].spaces = usize::from(space);
    }
}

/// hclwrite `spaceAfterToken`: whether `subject` is followed by a space when `after`
/// follows it; `before` is `None` at the start of a cell.
fn space_after(subject: &Token<'_>, before: Option<&Token<'_>>, after: &Token<'_>) -> bool {
    use Kind::*;
    let (s, a) = (subject.kind, after.kind);
    match () {
        // Never a space before a newline (a line comment owns one).
        _ if a == Newline => false,
        // A function name and its `(`.
        _ if s == Ident && a == OParen => false,
        // `provider::name::function`.
        _ if (s == Ident && a == DoubleColon) || (s == DoubleColon && a == Ident) => false,
        // Attribute access.
        _ if s == Dot || a == Dot => false,
        _ if a == Comma || a == Ellipsis => false,
        _ if s == Comma => true,
        // Nothing inside templates but their sequences is re-spaced.
        _ if matches!(s, QuotedLit | StringLit | OQuote | OHeredoc)
            || matches!(a, QuotedLit | StringLit | CQuote | CHeredoc) =>
        {
            false
        }
        // `for x in [a, b]`: `in` is a keyword here, not something being indexed.
        _ if s == Ident && subject.text == "in" && before.is_some_and(|b| b.kind == Ident) => true,
        // Indexing: `a[0]`, `f(x)[0]`, `a[0][1]`.
        _ if a == OBrack && (s == Ident || s == NumberLit || s.bracket_change() < 0) => false,
        _ if s == Bang => false,
        _ if s == Minus => {
            // Subtraction or negation: negation when nothing before can end an operand.
            !matches!(
                before.map(|b| b.kind),
                None | Some(
                    OParen
                        | OBrace
                        | OBrack
                        | Equal
                        | Colon
                        | Comma
                        | Question
                        | Plus
                        | Star
                        | Slash
                        | Percent
                        | Minus
                        | EqualOp
                        | NotEqual
                        | GreaterThan
                        | GreaterThanEq
                        | LessThan
                        | LessThanEq
                        | And
                        | Or
                        | Bang
                )
            )
        }
        // Braces keep a space on the inside, except `{}`.
        _ if s == OBrace || a == CBrace => !(s == OBrace && a == CBrace),
        // `${ { a = 1 } }`.
        _ if matches!(s, TemplateInterp | TemplateControl) && a == OBrace => true,
        _ if s == CBrace && a == TemplateSeqEnd => true,
        _ if s == TemplateSeqEnd && matches!(a, TemplateInterp | TemplateControl) => false,
        _ if s.bracket_change() > 0 => false,
        _ if a.bracket_change() < 0 => false,
        _ => true,
    }
}

/// hclwrite `formatCells`: aligns the `=` of consecutive lines that have an assign cell,
/// then the comments of consecutive lines that have a comment cell.
fn format_cells(tokens: &mut [Token<'_>], lines: &[Line]) {
    // The width of each line's lead cell, measured once.
    let widths: Vec<usize> = lines
        .iter()
        .map(|l| {
            if l.has_assign() {
                columns(&tokens[l.start..l.assign])
            } else {
                0
            }
        })
        .collect();
    let mut chain_start: Option<usize> = None;
    let mut max_columns = 0;
    for (i, line) in lines.iter().enumerate() {
        if line.has_assign() {
            chain_start.get_or_insert(i);
            max_columns = max_columns.max(widths[i]);
        } else if let Some(start) = chain_start.take() {
            align_assign(tokens, &lines[start..i], &widths[start..i], max_columns);
            max_columns = 0;
        }
    }
    if let Some(start) = chain_start.take() {
        align_assign(tokens, &lines[start..], &widths[start..], max_columns);
    }

    max_columns = 0;
    for (i, line) in lines.iter().enumerate() {
        if line.has_comment() {
            chain_start.get_or_insert(i);
            max_columns = max_columns.max(columns(&tokens[line.start..line.comment]));
        } else if let Some(start) = chain_start.take() {
            align_comments(tokens, &lines[start..i], max_columns);
            max_columns = 0;
        }
    }
    if let Some(start) = chain_start.take() {
        align_comments(tokens, &lines[start..], max_columns);
    }
}

fn align_assign(tokens: &mut [Token<'_>], chain: &[Line], widths: &[usize], max_columns: usize) {
    for (line, &width) in chain.iter().zip(widths) {
        tokens[line.assign].spaces = max_columns - width + 1;
    }
}

fn align_comments(tokens: &mut [Token<'_>], chain: &[Line], max_columns: usize) {
    for line in chain {
        let columns = columns(&tokens[line.start..line.comment]);
        tokens[line.comment].spaces = max_columns - columns + 1;
    }
}

/// hclwrite `Tokens.Columns`: spaces plus grapheme clusters (so `é` written with a
/// combining accent and an em dash each count as one column).
fn columns(tokens: &[Token<'_>]) -> usize {
    tokens
        .iter()
        .map(|t| {
            let width = if t.text.is_ascii() {
                t.text.len()
            } else {
                t.text.graphemes(true).count()
            };
            t.spaces + width
        })
        .sum()
}

/// Spaces to copy from, for indentation and alignment.
const SPACES: &str = "                                                                ";

/// Prints the laid-out tokens. A line comment owns its newline. In the
/// [`Style::Generated`] style the text ends with a newline; in the [`Style::Terraform`]
/// style it ends as the input did (see `format::end_as_input`).
fn print(tokens: &[Token<'_>], lines: &[Line], style: Style) -> (String, Vec<u32>) {
    let len: usize = lines
        .iter()
        .flat_map(|l| &tokens[l.start..l.end])
        .map(|t| t.spaces + t.text.len() + 1)
        .sum();
    let mut out = String::with_capacity(len);
    let mut line_map = Vec::with_capacity(lines.len() + 1);
    let mut at_line_start = true;
    for line in lines {
        for t in &tokens[line.start..line.end] {
            if at_line_start {
                line_map.push(t.line);
                at_line_start = false;
            }
            let mut spaces = t.spaces;
            while spaces > 0 {
                let n = spaces.min(SPACES.len());
                out.push_str(&SPACES[..n]);
                spaces -= n;
            }
            out.push_str(&t.text);
            let text = t.text.as_bytes();
            // Only these kinds hold a line break before their end.
            if matches!(t.kind, Kind::StringLit | Kind::BlockComment) {
                let inner = text.len().saturating_sub(1);
                let mut line = t.line;
                for &b in &text[..inner] {
                    if b == b'\n' {
                        line += 1;
                        line_map.push(line);
                    }
                }
            }
            if t.kind == Kind::LineComment {
                out.push('\n');
                at_line_start = true;
            } else if text.last() == Some(&b'\n') {
                at_line_start = true;
            }
        }
    }
    if style == Style::Generated && !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    (out, line_map)
}
