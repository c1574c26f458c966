//! HCL literals: every value from a spec reaches a stack through this module.
//!
//! Quoted strings escape `"`, `\`, control characters, invisible format characters (bidi
//! overrides, zero-width characters, line separators), and the template sequences `${` and
//! `%{` (as `$${` / `%%{`), so no spec value can end a string, open an interpolation or a
//! directive, start a new line of HCL, or look different from what it is. [`heredoc`] writes
//! a `<<-EOT` heredoc only when the heredoc's value is certain to be the text itself (its
//! template sequences escaped, a terminator no body line can match), and a quoted string
//! otherwise. Comments are split into `#` lines, so text after a newline stays a comment,
//! and a `dlgen:allow` lint suppression in free text is defused: a spec cannot silence the
//! lint rules that guard what it generates.

use std::fmt::Write as _;

/// An HCL quoted string literal for `s`, e.g. `say "hi"` → `"say \"hi\""`.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    let _ = write_quoted(&mut out, s);
    out
}

/// Writes [`quote`]`(s)` to `out`, without building the string first.
pub fn write_quoted(out: &mut impl std::fmt::Write, s: &str) -> std::fmt::Result {
    out.write_char('"')?;
    push_quoted_text(out, s)?;
    out.write_char('"')
}

/// Writes the escaped text of `s` (what goes between the quotes of [`quote`]). Runs of
/// characters that need no escape are copied at once: most of a spec's text is plain.
fn push_quoted_text(out: &mut impl std::fmt::Write, s: &str) -> std::fmt::Result {
    let bytes = s.as_bytes();
    let mut copied = 0;
    for (i, c) in s.char_indices() {
        let escape: Option<&str> = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            '$' if bytes.get(i + 1) == Some(&b'{') => Some("$$"),
            '%' if bytes.get(i + 1) == Some(&b'{') => Some("%%"),
            // Printable ASCII needs nothing else.
            ' '..='~' => None,
            c if c.is_control() || is_invisible(c) => {
                out.write_str(&s[copied..i])?;
                write!(out, "\\u{:04x}", c as u32)?;
                copied = i + c.len_utf8();
                continue;
            }
            _ => None,
        };
        if let Some(escape) = escape {
            out.write_str(&s[copied..i])?;
            out.write_str(escape)?;
            copied = i + 1;
        }
    }
    out.write_str(&s[copied..])
}

/// Text inside a quoted template string: [`quote`] without the quotes.
pub fn template_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let _ = push_quoted_text(&mut out, s);
    out
}

/// Appends `${expr}` to a quoted template under construction. A `$` that ends the text
/// before it would turn `${` into the `$${` escape, so trailing `$`s are written through an
/// interpolation of their own (`${"$"}`).
pub fn push_interpolation(text: &mut String, expr: &str) {
    let dollars = text.len() - text.trim_end_matches('$').len();
    if dollars > 0 {
        text.truncate(text.len() - dollars);
        let _ = write!(text, "${{\"{}\"}}", "$".repeat(dollars));
    }
    let _ = write!(text, "${{{expr}}}");
}

/// Characters that change how text looks without being seen: bidi embeddings, overrides
/// and isolates (the "Trojan Source" characters), zero-width characters, the byte order
/// mark and the Unicode line and paragraph separators. In a quoted string they are written
/// as `\uXXXX` escapes, in a comment as `<U+XXXX>`, so a reviewer sees them.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// Escapes the template sequences of a heredoc body: `${` → `$${`, `%{` → `%%{`.
/// Everything else in a heredoc is literal.
pub fn escape_heredoc(body: &str) -> String {
    let mut out = String::with_capacity(body.len() + 8);
    let mut copied = 0;
    for (i, pair) in body.as_bytes().windows(2).enumerate() {
        if matches!(pair, b"${" | b"%{") {
            // Up to and including the `$` / `%`, which is then written a second time.
            out.push_str(&body[copied..=i]);
            copied = i;
        }
    }
    out.push_str(&body[copied..]);
    out
}

/// An HCL expression whose value is exactly `text`: a `<<-EOT` heredoc when that is
/// certain, otherwise a quoted string.
///
/// A heredoc's value always ends in a newline, and a flush heredoc strips the common
/// leading whitespace of its lines (which the formatter may change), so a heredoc is used
/// only when `text` ends with `\n`, holds no control character other than tab (a `\r`
/// would be normalised away), and has a line that starts with a non-whitespace character
/// (its common indentation is then none, whatever indentation is added). The body's
/// template sequences are escaped and the terminator collides with no body line. Text that
/// already holds an escape (`$${`, `%%{`) is quoted too: hcl-rs 0.20 reads `$$${` in a
/// heredoc after an earlier escape as `${`, where Terraform reads `$${`.
pub fn heredoc(text: &str) -> String {
    let Some(body) = text.strip_suffix('\n') else {
        return quote(text);
    };
    let plain = !body
        .chars()
        .any(|c| (c.is_control() && !matches!(c, '\t' | '\n')) || is_invisible(c));
    let flush = body
        .split('\n')
        .any(|line| line.chars().next().is_some_and(|c| !c.is_whitespace()));
    let escapes = body.contains("$${") || body.contains("%%{");
    if !plain || !flush || escapes {
        return quote(text);
    }
    let body = escape_heredoc(body);
    // hcl-rs 0.20 misreads an escape right after the other sigil (`%$${`, `$%%{`) once an
    // earlier escape was read; terraform reads the heredoc right, but every reader of the
    // stack should agree, so such a text stays a quoted string.
    if body.contains("%$${") || body.contains("$%%{") {
        return quote(text);
    }
    let end = heredoc_terminator(&body);
    format!("<<-{end}\n{body}\n{end}")
}

/// A part of a string template: text, or an expression interpolated as `${expr}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplatePart {
    Text(String),
    Interpolation(String),
}

/// A string template of `parts` as an HCL expression: a `<<-EOT` heredoc when the text
/// spans lines and ends with a line break (a script), under the conditions of [`heredoc`];
/// a quoted template otherwise. Text is escaped, interpolations are written as they are.
pub fn template(parts: &[TemplatePart]) -> String {
    // Adjacent text parts are one text: `$` and `{` from two parts still form `${`.
    let mut merged: Vec<TemplatePart> = Vec::new();
    for part in parts {
        match (merged.last_mut(), part) {
            (Some(TemplatePart::Text(t)), TemplatePart::Text(more)) => t.push_str(more),
            _ => merged.push(part.clone()),
        }
    }
    heredoc_template(&merged).unwrap_or_else(|| {
        let mut text = String::from("\"");
        for part in &merged {
            match part {
                TemplatePart::Text(t) => text.push_str(&template_text(t)),
                TemplatePart::Interpolation(e) => push_interpolation(&mut text, e),
            }
        }
        text.push('"');
        text
    })
}

/// The heredoc of a template, when its value is certain to be exactly the parts.
fn heredoc_template(parts: &[TemplatePart]) -> Option<String> {
    let Some(TemplatePart::Text(last)) = parts.last() else {
        return None;
    };
    let texts = || {
        parts.iter().filter_map(|p| match p {
            TemplatePart::Text(t) => Some(t.as_str()),
            TemplatePart::Interpolation(_) => None,
        })
    };
    let starts_with_text = matches!(parts.first(), Some(TemplatePart::Text(t)) if !t.is_empty());
    let multiline = texts().any(|t| t.trim_end_matches('\n').contains('\n'))
        || texts().filter(|t| t.contains('\n')).count() > 1;
    let plain = texts().all(|t| {
        !t.chars()
            .any(|c| (c.is_control() && !matches!(c, '\t' | '\n')) || is_invisible(c))
            && !t.contains("$${")
            && !t.contains("%%{")
    });
    if !last.ends_with('\n') || !multiline || !plain || !starts_with_text {
        return None;
    }
    let mut body = String::new();
    for (i, part) in parts.iter().enumerate() {
        match part {
            TemplatePart::Text(t) => {
                let t = if i + 1 == parts.len() {
                    &t[..t.len() - 1]
                } else {
                    t.as_str()
                };
                body.push_str(&escape_heredoc(t));
            }
            TemplatePart::Interpolation(e) => push_interpolation(&mut body, e),
        }
    }
    // A flush line, and no whitespace-only line (implementations of HCL disagree on
    // those): the formatter then indents the body, which keeps its value.
    let flush = body
        .split('\n')
        .any(|line| line.chars().next().is_some_and(|c| !c.is_whitespace()));
    let blank = body
        .split('\n')
        .any(|line| !line.is_empty() && line.chars().all(char::is_whitespace));
    if !flush || blank {
        return None;
    }
    // Every line indented (the formatter lays the body out at its own level): an
    // unindented line next to an interpolation is read wrongly by hcl-rs 0.20.
    let body: String = body
        .split('\n')
        .map(|line| {
            if line.is_empty() {
                String::new()
            } else {
                format!("  {line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let end = heredoc_terminator(&body);
    Some(format!("<<-{end}\n{body}\n{end}"))
}

/// A heredoc terminator (`EOT`, or `EOT1`, `EOT2`, …) that no line of `body` starts with
/// (after its indentation), so the body cannot end the heredoc early. Terraform ends a
/// heredoc only at a line that *equals* the marker, but hcl-edit (the reader of `dlgen fmt`
/// and `import`) ends it at a line that starts with it (`EOT"`): every reader of the stack
/// must agree.
pub fn heredoc_terminator(body: &str) -> String {
    let collides = |t: &str| body.lines().any(|line| line.trim_start().starts_with(t));
    if !collides("EOT") {
        return "EOT".to_owned();
    }
    (1u64..)
        .map(|n| format!("EOT{n}"))
        .find(|t| !collides(t))
        .unwrap_or_else(|| "EOT_END".to_owned())
}

/// True when `s` can stand as a bare object key or block label identifier.
/// The attribute names a traversal starts with (`local.ports[0].x` → `ports`), up to
/// its first index or splat.
pub fn leading_attributes(t: &hcl_edit::expr::Traversal) -> Vec<&str> {
    t.operators
        .iter()
        .map_while(|op| match op.value() {
            hcl_edit::expr::TraversalOperator::GetAttr(id) => Some(id.as_str()),
            _ => None,
        })
        .collect()
}

/// The text of an HCL file read from disk, without the UTF-8 byte order mark some
/// editors write first: Terraform reads such a file (and `terraform fmt` drops the mark).
pub fn source_text(bytes: Vec<u8>) -> Result<String, std::string::FromUtf8Error> {
    let mut text = String::from_utf8(bytes)?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    first_ok
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !matches!(s, "null" | "true" | "false" | "for" | "in" | "if")
}

/// An object key: bare when it is a plain identifier, quoted otherwise.
pub fn key(s: &str) -> String {
    if is_identifier(s) {
        s.to_owned()
    } else {
        quote(s)
    }
}

/// `# ` comment lines for free text: every line of `text` becomes its own comment line,
/// so a newline in a spec value can never end the comment. Empty lines become `#`.
pub fn comment_lines(text: &str) -> Vec<String> {
    let joined = comment(text);
    if joined.is_empty() {
        return Vec::new();
    }
    joined.split('\n').map(str::to_owned).collect()
}

/// [`comment_lines`] joined by line breaks, built as one string (what templates print).
pub fn comment(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    // Blank lines are written once a line with content follows: trailing blank lines
    // (also those that were only control characters) say nothing.
    let mut blank = 0;
    let lines = text.split('\n').flat_map(|line| {
        // `\r\n` is one line break, any other carriage return one too.
        let line = line.strip_suffix('\r').unwrap_or(line);
        line.split('\r')
    });
    for line in lines {
        let safe = inert(line);
        let content = safe.trim_end();
        if content.is_empty() {
            blank += 1;
            continue;
        }
        for _ in 0..blank {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push('#');
        }
        blank = 0;
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str("# ");
        out.push_str(content);
    }
    out
}

/// Free text folded onto one line, for a trailing `# …` comment.
pub fn one_line(text: &str) -> String {
    inert(text)
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The lint suppression comment `# dlgen:allow <rule> <why>` that records a convention the
/// spec switched off on purpose. Only dlgen writes these: a `dlgen:allow` inside free text
/// (including `why`) is defused like everywhere else.
pub fn suppression(rule: &str, why: &str) -> String {
    format!("# {SUPPRESSION} {rule} {}", one_line(why))
}

/// Free text folded onto lines of at most `width` characters (a longer word stands alone
/// on its line), for comments that would otherwise run off the screen.
pub fn wrap(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut line_len = 0;
    for word in one_line(text).split(' ').filter(|w| !w.is_empty()) {
        let len = word.chars().count();
        if line_len > 0 && line_len + 1 + len > width {
            out.push('\n');
            line_len = 0;
        } else if line_len > 0 {
            out.push(' ');
            line_len += 1;
        }
        out.push_str(word);
        line_len += len;
    }
    out
}

/// The lint suppression directive (see `lint::suppress`).
const SUPPRESSION: &str = "dlgen:allow";
/// What a suppression directive in free text becomes: still readable, no longer a directive.
const SUPPRESSION_DEFUSED: &str = "dlgen: allow";

/// One line of free text made safe for a comment: control characters (other than tab)
/// become spaces, invisible characters `<U+XXXX>`, and a `dlgen:allow` directive is
/// defused so the text cannot suppress a lint finding.
fn inert(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut copied = 0;
    for (i, c) in line.char_indices() {
        let replace = match c {
            // Printable ASCII and tab stay.
            ' '..='~' | '\t' => continue,
            c if is_invisible(c) => true,
            c if c.is_control() => false,
            _ => continue,
        };
        out.push_str(&line[copied..i]);
        if replace {
            let _ = write!(out, "<U+{:04X}>", c as u32);
        } else {
            out.push(' ');
        }
        copied = i + c.len_utf8();
    }
    out.push_str(&line[copied..]);
    while out.contains(SUPPRESSION) {
        out = out.replace(SUPPRESSION, SUPPRESSION_DEFUSED);
    }
    out
}

/// Snake-case form of a Kubernetes name, for resource addresses: `drone-logbook` →
/// `drone_logbook`.
pub fn snake(name: &str) -> String {
    name.replace(['-', '.'], "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_string_back(literal: &str) -> String {
        let body = hcl::parse(&format!("x = {literal}\n")).expect("literal parses");
        match body.attributes().next().map(|a| a.expr()) {
            Some(hcl::Expression::String(s)) => s.clone(),
            other => panic!("not a plain string: {other:?}"),
        }
    }

    #[test]
    fn quote_round_trips_through_hcl() {
        for s in [
            "plain",
            "say \"hi\"",
            "back\\slash",
            "two\nlines",
            "cr\r\ntab\t",
            "${var.secret}",
            "%{ if true }x%{ endif }",
            "$${already}",
            "%%{already}",
            "$",
            "%",
            "trailing $",
            "bell\u{7}",
            "EOT",
            "emoji — ünïcödé",
        ] {
            assert_eq!(parse_string_back(&quote(s)), s, "round trip of {s:?}");
        }
    }

    #[test]
    fn quote_escapes_template_sequences() {
        assert_eq!(quote("${x}"), r#""$${x}""#);
        assert_eq!(quote("%{x}"), r#""%%{x}""#);
        assert_eq!(quote("$x"), r#""$x""#);
    }

    #[test]
    fn heredoc_body_escapes_only_template_sequences() {
        assert_eq!(
            escape_heredoc("echo \"${HOME}\" %{x} $y \\"),
            "echo \"$${HOME}\" %%{x} $y \\"
        );
    }

    #[test]
    fn heredoc_terminator_avoids_body_lines() {
        assert_eq!(heredoc_terminator("echo hi\n"), "EOT");
        assert_eq!(heredoc_terminator("a\n  EOT\nb"), "EOT1");
        assert_eq!(heredoc_terminator("EOT\nEOT1\n"), "EOT2");
        assert_eq!(heredoc_terminator("xEOT\n"), "EOT");
        // A line that starts with the marker ends the heredoc for hcl-edit.
        assert_eq!(heredoc_terminator("\nEOT\"\n"), "EOT1");
        assert_eq!(heredoc_terminator("  EOT10 x\nEOT\n"), "EOT2");
    }

    #[test]
    fn keys_are_bare_only_when_safe() {
        assert_eq!(key("app"), "app");
        assert_eq!(key("keel.sh/enrolled"), r#""keel.sh/enrolled""#);
        assert_eq!(key("with-dash"), r#""with-dash""#);
        assert_eq!(key("null"), r#""null""#);
        assert_eq!(key("1abc"), r#""1abc""#);
        assert_eq!(key(""), r#""""#);
    }

    #[test]
    fn only_dlgen_writes_suppressions() {
        assert_eq!(
            suppression("block-storage-backup", "no\nbackup dlgen:allow cpu-limit x"),
            "# dlgen:allow block-storage-backup no backup dlgen: allow cpu-limit x"
        );
        assert_eq!(
            comment_lines("dlgen:allow cpu-limit x"),
            ["# dlgen: allow cpu-limit x"]
        );
    }

    #[test]
    fn wrap_folds_at_word_boundaries() {
        assert_eq!(wrap("a bb ccc dddd", 6), "a bb\nccc\ndddd");
        assert_eq!(wrap("  one\ntwo  ", 80), "one two");
        assert_eq!(
            wrap("averyveryverylongword x", 5),
            "averyveryverylongword\nx"
        );
        assert_eq!(wrap("", 5), "");
    }

    #[test]
    fn comments_keep_every_line_commented() {
        assert_eq!(
            comment_lines("one\nresource \"x\" \"y\" {}\n\nthree\n"),
            vec!["# one", "# resource \"x\" \"y\" {}", "#", "# three"]
        );
        assert_eq!(comment_lines("a\rb\r\nc"), vec!["# a", "# b", "# c"]);
        assert!(comment_lines("  \n").is_empty());
        assert!(comment_lines("\u{7f}\n\u{1}").is_empty());
        assert_eq!(comment_lines("\n\nx\n\n"), vec!["#", "#", "# x"]);
        assert_eq!(one_line("a\n  b\tc"), "a b c");
    }

    fn eval(expr: &str) -> String {
        use ::hcl::eval::{Context, Evaluate};
        let body = ::hcl::parse(&format!("x = {expr}\n")).expect("expression parses");
        let attr = body.attributes().next().expect("one attribute");
        match attr.expr().evaluate(&Context::new()) {
            Ok(::hcl::Value::String(s)) => s,
            other => panic!("not a string: {other:?}"),
        }
    }

    #[test]
    fn template_text_and_interpolations_evaluate_to_the_parts() {
        use ::hcl::eval::{Context, Evaluate};
        let mut ctx = Context::new();
        ctx.declare_var("x", "X");
        for before in ["", "a", "a$", "a$$", "$", "${", "%{", "a\\$", "\"$", "100%"] {
            for after in ["", "b", "$", "{", "${y}"] {
                let mut t = format!("\"{}", template_text(before));
                push_interpolation(&mut t, "x");
                t.push_str(&template_text(after));
                t.push('"');
                let body = ::hcl::parse(&format!("v = {t}\n")).expect("template parses");
                let value = body.attributes().next().map(|a| a.expr().evaluate(&ctx));
                assert_eq!(
                    value.and_then(Result::ok),
                    Some(::hcl::Value::String(format!("{before}X{after}"))),
                    "{t}"
                );
            }
        }
    }

    #[test]
    fn heredoc_falls_back_where_hcl_rs_misreads_it() {
        // `$${%$${` in a heredoc: terraform reads `${%${`, hcl-rs 0.20 an error.
        for text in ["${%${\n", "%{a$%{\n", "x ${ %${y}\n"] {
            assert!(heredoc(text).starts_with('"'), "{text:?}");
            assert_eq!(eval(&heredoc(text)), text, "{text:?}");
        }
    }

    #[test]
    fn heredoc_only_when_it_yields_the_text() {
        assert_eq!(heredoc("echo ${x}\n"), "<<-EOT\necho $${x}\nEOT");
        assert_eq!(heredoc("a\n  b\n\nEOT\n"), "<<-EOT1\na\n  b\n\nEOT\nEOT1");
        // No final newline, CR, only indented lines: a heredoc would change the value.
        for text in [
            "no newline",
            "a\r\nb\n",
            "  indented\n  only\n",
            "\n",
            "",
            "a\u{0}\n",
        ] {
            assert!(heredoc(text).starts_with('"'), "{text:?}");
        }
        for text in [
            "echo ${x}\n",
            "no newline",
            "a\r\nb\n",
            "  indented\n  only\n",
            "\n",
            "",
            "flush\n    then indented\n\n  \n",
            "EOT\n  EOT\nEOT1\n",
            "%{ if x }\n",
            "${$${\n",
            "%{%%{\n",
        ] {
            assert_eq!(eval(&heredoc(text)), text, "{text:?}");
        }
    }

    #[test]
    fn invisible_characters_are_shown() {
        assert_eq!(quote("a\u{202E}b\u{200B}"), r#""a\u202eb\u200b""#);
        assert_eq!(
            parse_string_back(&quote("a\u{202E}\u{2028}")),
            "a\u{202E}\u{2028}"
        );
        assert_eq!(comment_lines("x\u{202E}y"), vec!["# x<U+202E>y"]);
        assert_eq!(one_line("x\u{2066}y"), "x<U+2066>y");
    }

    #[test]
    fn free_text_cannot_suppress_a_lint_finding() {
        assert_eq!(
            comment_lines("ok\ndlgen:allow cpu-limit because"),
            vec!["# ok", "# dlgen: allow cpu-limit because"]
        );
        assert_eq!(
            one_line("x dlgen:allow auth-comment y"),
            "x dlgen: allow auth-comment y"
        );
        assert!(!one_line("dlgen:dlgen:allowallow").contains("dlgen:allow"));
    }
}
