//! `auth-comment`: the ingress anti-exposure guard.
//!
//! A line that assigns `auth = "app"` or `auth = "none"` must be directly preceded by a
//! contiguous run of `#` comment lines, one of which contains `auth = "<same tier>":`
//! followed by what gates the app or why it is public. This is the rule the repo's
//! `scripts/tg` enforces before every plan/apply; it stays line-based like the script it
//! replaces (it also catches such a line inside a heredoc, as the script does), but it
//! accepts any spacing around `=`, a quoted key and a trailing comma, and a trailing
//! comment on the auth line neither hides the line nor counts as its reason.
//!
//! A reason written as a trailing comment (`auth = "none" # Anubis-fronted; …`) is moved by
//! `--fix` to the canonical comment line above (`# auth = "none": Anubis-fronted; …`).

use super::{Check, Edit, Hit, Level, Rule};

pub(crate) const RULE: Rule = Rule {
    id: "auth-comment",
    level: Level::Error,
    summary: "`auth = \"app\"`/`auth = \"none\"` needs a `# auth = \"<tier>\": <reason>` comment line directly above it",
    why: "`app` and `none` attach no Authentik middleware: the app is reachable by anyone. \
          The comment records who verified that the app has its own login (`app`) or is \
          meant to be public (`none`); `scripts/tg` refuses to plan or apply without it.",
    check: Check::Text(check),
};

fn check(file: usize, text: &str, out: &mut Vec<Hit>) {
    if !text.contains("auth") {
        return;
    }
    // The contiguous run of `#` comment lines just above the current line.
    let mut run: Vec<&str> = Vec::new();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let line = raw.trim_end_matches(['\n', '\r']);
        let code = line.trim_start();
        if code.starts_with('#') {
            run.push(code);
        } else {
            if let Some(assignment) = auth_assignment(code) {
                let indent = &line[..line.len() - code.len()];
                let at = offset + indent.len();
                if let Some(hit) = verdict(file, at, &assignment, &run) {
                    let eol = if raw.ends_with("\r\n") { "\r\n" } else { "\n" };
                    let edit = move_reason(offset, line, indent, code, &assignment, eol);
                    out.push(hit.with_edit(edit));
                }
            }
            run.clear();
        }
        offset += raw.len();
    }
}

/// An `auth = "app"` / `auth = "none"` assignment: the tier and the comment after it.
#[derive(Debug, PartialEq, Eq)]
struct Assignment<'a> {
    tier: &'a str,
    trailing: &'a str,
}

/// Recognises `auth = "app"` (any spacing, optionally `"auth"`, optionally followed by a
/// comma and/or a comment) at the start of `code`.
fn auth_assignment(code: &str) -> Option<Assignment<'_>> {
    let rest = if let Some(rest) = code.strip_prefix("\"auth\"") {
        rest
    } else {
        let rest = code.strip_prefix("auth")?;
        if rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return None;
        }
        rest
    };
    let rest = rest.trim_start().strip_prefix('=')?;
    if rest.starts_with('=') {
        return None;
    }
    let rest = rest.trim_start().strip_prefix('"')?;
    let (tier, rest) = rest.split_once('"')?;
    if tier != "app" && tier != "none" {
        return None;
    }
    let rest = rest.trim_start();
    let rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
    let is_end = rest.is_empty()
        || rest.starts_with('#')
        || rest.starts_with("//")
        || rest.starts_with("/*");
    is_end.then_some(Assignment {
        tier,
        trailing: rest,
    })
}

/// The reason a trailing comment gives: its text without the comment sign, and without a
/// leading `auth = "<tier>":` when it repeats the canonical form. `None` when there is no
/// text, or it is something else (a suppression, a reason for the other tier).
fn trailing_reason<'a>(a: &Assignment<'a>) -> Option<&'a str> {
    let text = a
        .trailing
        .strip_prefix('#')
        .or_else(|| a.trailing.strip_prefix("//"))?
        .trim();
    if text.contains("dlgen:allow") {
        return None;
    }
    let marker = format!("auth = \"{}\":", a.tier);
    let text = match text.strip_prefix(marker.as_str()) {
        Some(rest) => rest.trim_start(),
        None if text.contains("auth = \"") => return None,
        None => text,
    };
    (!text.is_empty()).then_some(text)
}

/// The edit that moves a trailing reason to the comment line above the auth line.
fn move_reason(
    line_start: usize,
    line: &str,
    indent: &str,
    code: &str,
    a: &Assignment<'_>,
    eol: &str,
) -> Option<Edit> {
    let reason = trailing_reason(a)?;
    let code = code[..code.len() - a.trailing.len()].trim_end();
    Some(Edit {
        start: line_start,
        end: line_start + line.len(),
        text: format!(
            "{indent}# auth = \"{}\": {reason}{eol}{indent}{code}",
            a.tier
        ),
        description: format!(
            "moved the trailing reason to a `# auth = \"{}\": …` line above",
            a.tier
        ),
    })
}

fn verdict(file: usize, at: usize, a: &Assignment<'_>, run: &[&str]) -> Option<Hit> {
    let marker = format!("auth = \"{}\":", a.tier);
    if run.iter().any(|line| line.contains(&marker)) {
        return None;
    }
    let gate = if a.tier == "app" {
        "<what gates the app: its own login, API tokens, …>"
    } else {
        "<why this endpoint is intentionally public>"
    };
    let fix = match trailing_reason(a) {
        Some(reason) => format!(
            "move the reason to the line `# {marker} {reason}` directly above it (`dlgen lint --fix` does)"
        ),
        None => format!("add the line `# {marker} {gate}` directly above it"),
    };
    let other = if a.tier == "app" { "none" } else { "app" };
    let message = if a.trailing.contains(&marker) {
        format!(
            "`auth = \"{}\"` explains itself in a trailing comment; the reason must be on a comment line directly above it",
            a.tier
        )
    } else if trailing_reason(a).is_some() {
        format!(
            "`auth = \"{}\"` gives its reason in a trailing comment; the convention is a `# {marker} …` comment line directly above it",
            a.tier
        )
    } else if run
        .iter()
        .any(|line| line.contains(&format!("auth = \"{other}\":")))
    {
        format!(
            "`auth = \"{}\"` is preceded by a comment for `auth = \"{other}\"`",
            a.tier
        )
    } else if run.is_empty() {
        format!(
            "`auth = \"{}\"` bypasses Authentik with no `# {marker} …` comment line directly above it",
            a.tier
        )
    } else {
        format!(
            "`auth = \"{}\"` bypasses Authentik and none of the comment lines directly above it says `{marker}`",
            a.tier
        )
    };
    Some(Hit::new(RULE.id, file, at, message, fix))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::{lines, lint_one};

    #[test]
    fn recognises_assignments_with_any_spacing_and_trailers() {
        for code in [
            "auth = \"app\"",
            "auth=\"app\"",
            "auth   =   \"app\"  ",
            "auth\t= \"app\",",
            "\"auth\" = \"app\"",
            "auth = \"app\" # Fever API",
            "auth = \"app\" // x",
        ] {
            assert_eq!(
                auth_assignment(code).map(|a| a.tier),
                Some("app"),
                "{code:?}"
            );
        }
        for code in [
            "auth = \"required\"",
            "auth = \"public\"",
            "auth_mode = \"app\"",
            "auth == \"app\"",
            "auth = \"app\" == var.x ? 1 : 2",
            "oauth = \"none\"",
            "auth = var.auth",
        ] {
            assert_eq!(auth_assignment(code), None, "{code:?}");
        }
    }

    #[test]
    fn explained_tiers_pass() {
        let text = r#"module "ingress" {
  source = "../../modules/kubernetes/ingress_factory"
  # auth = "app": FreshRSS has its own login, and the Fever/GReader APIs used by
  # mobile readers cannot follow the Authentik redirect.
  auth     = "app"
  dns_type = "proxied"
}
module "webhook" {
  # Webhook receiver for the forge.
  # auth = "none": the sender cannot log in; requests are HMAC-signed.
  auth = "none"
}
module "admin" {
  auth = "required" # Authentik forward-auth — admin UI has no login
}
"#;
        assert_eq!(lines(&lint_one("auth-comment", text)), vec![]);
    }

    #[test]
    fn missing_comment_fires_with_position_and_fix() {
        let text = "module \"ingress\" {\n  name = \"x\"\n    auth = \"none\"\n}\n";
        let findings = lint_one("auth-comment", text);
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        assert_eq!((f.line, f.col), (3, 5));
        assert!(f.is_error());
        assert!(
            f.fix
                .contains("# auth = \"none\": <why this endpoint is intentionally public>"),
            "{}",
            f.fix
        );
    }

    #[test]
    fn trailing_comment_neither_hides_the_line_nor_counts_as_its_reason() {
        // The original whole-line checker skipped this line entirely.
        let text =
            "module \"ingress\" {\n  auth = \"app\" # auth = \"app\": has its own login\n}\n";
        let findings = lint_one("auth-comment", text);
        assert_eq!(lines(&findings), vec![(2, "auth-comment")]);
        assert!(findings[0].message.contains("trailing comment"));
    }

    #[test]
    fn odd_spacing_does_not_hide_the_line() {
        let text = "module \"ingress\" {\n  auth=\"none\"\n}\n";
        assert_eq!(
            lines(&lint_one("auth-comment", text)),
            vec![(2, "auth-comment")]
        );
    }

    #[test]
    fn the_comment_must_be_contiguous_and_name_the_same_tier() {
        let blank_between = "# auth = \"app\": own login\n\nauth = \"app\"\n";
        let code_between = "# auth = \"app\": own login\nname = \"x\"\nauth = \"app\"\n";
        let other_tier = "# auth = \"none\": public\nauth = \"app\"\n";
        let no_colon = "# auth = \"app\" because it has a login\nauth = \"app\"\n";
        for text in [blank_between, code_between, other_tier, no_colon] {
            assert_eq!(lines(&lint_one("auth-comment", text)).len(), 1, "{text:?}");
        }
        assert!(
            lint_one("auth-comment", other_tier)[0]
                .message
                .contains("comment for `auth = \"none\"`")
        );
    }

    #[test]
    fn suppression_in_the_comment_run_silences_it() {
        let text = "# dlgen:allow auth-comment migrated stack, reason tracked in the ADR\nauth = \"app\"\n";
        assert_eq!(lines(&lint_one("auth-comment", text)), vec![]);
    }
}
