//! HCL literals: every value from a spec reaches a stack through this module.
//!
//! Quoted strings escape `"`, `\`, control characters, and the template sequences `${` and
//! `%{` (as `$${` / `%%{`), so no spec value can end a string, open an interpolation or a
//! directive, or start a new line of HCL. Heredoc bodies escape the template sequences and
//! get a terminator that no body line can collide with. Comments are split into `#` lines,
//! so text after a newline stays a comment.

use std::fmt::Write as _;

/// An HCL quoted string literal for `s`, e.g. `say "hi"` → `"say \"hi\""`.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Escapes the template sequences of a heredoc body: `${` → `$${`, `%{` → `%%{`.
/// Everything else in a heredoc is literal.
pub fn escape_heredoc(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if (c == '$' || c == '%') && chars.peek() == Some(&'{') {
            out.push(c);
        }
    }
    out
}

/// A heredoc terminator (`EOT`, or `EOT1`, `EOT2`, …) that no line of `body` equals, so the
/// body cannot end the heredoc early.
pub fn heredoc_terminator(body: &str) -> String {
    let collides = |t: &str| body.lines().any(|line| line.trim() == t);
    if !collides("EOT") {
        return "EOT".to_owned();
    }
    (1u64..)
        .map(|n| format!("EOT{n}"))
        .find(|t| !collides(t))
        .unwrap_or_else(|| "EOT_END".to_owned())
}

/// True when `s` can stand as a bare object key or block label identifier.
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
    if text.trim().is_empty() {
        return Vec::new();
    }
    text.replace("\r\n", "\n")
        .trim_end()
        .split(['\n', '\r'])
        .map(|line| {
            let line: String = line
                .chars()
                .map(|c| if c.is_control() && c != '\t' { ' ' } else { c })
                .collect();
            let line = line.trim_end();
            if line.is_empty() {
                "#".to_owned()
            } else {
                format!("# {line}")
            }
        })
        .collect()
}

/// Free text folded onto one line, for a trailing `# …` comment.
pub fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
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
        assert_eq!(one_line("a\n  b\tc"), "a b c");
    }
}
