//! Suppression comments: `# dlgen:allow <rule-id> <reason>`.
//!
//! A suppression on a comment line applies to the first line of code below its comment
//! run; one trailing a line of code applies to that line. A finding is silenced when a
//! suppression of its rule applies to the finding's line, or to the header line of the
//! top-level block the finding is in. A suppression without a reason, or naming no rule,
//! silences nothing and is itself reported (`invalid-suppression`); one that silences
//! nothing is reported as `unused-suppression`.

use super::model::Stack;
use super::source::{LineIndex, is_hash_comment, trailing_comment};
use super::{Check, Hit, INVALID_SUPPRESSION, LintConfig, UNUSED_SUPPRESSION, rule, scan};

pub(crate) const DIRECTIVE: &str = "dlgen:allow";

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Suppression {
    pub file: usize,
    /// Offset of the directive.
    pub at: usize,
    /// 0-based line the suppression applies to.
    pub target: usize,
    pub rule: String,
    pub reason: Option<String>,
}

/// The suppressions written in a file.
pub(crate) fn find(file: usize, text: &str, lines: &LineIndex<'_>) -> Vec<Suppression> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(pos) = text[from..].find(DIRECTIVE) {
        let at = from + pos;
        from = at + DIRECTIVE.len();
        let line_no = lines.line_of(at);
        let line = lines.line(line_no);
        // Only a directive inside a comment counts.
        let Some(comment) = trailing_comment(line) else {
            continue;
        };
        let comment_start = line.len() - comment.len();
        let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
        if at < line_start + comment_start {
            continue;
        }
        let rest = &text[from..];
        let rest = &rest[..rest.find('\n').unwrap_or(rest.len())];
        let rest = rest.trim_end_matches('\r');
        let rest = rest.trim_start();
        let id_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(rest.len());
        let rule = rest[..id_len].to_owned();
        let reason = rest[id_len..]
            .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '-' | '—'))
            .trim_end()
            .trim_end_matches("*/")
            .trim();
        let target = if is_hash_comment(line) || line.trim_start().starts_with("//") {
            let mut next = line_no + 1;
            while next < lines.len() && is_comment_line(lines.line(next)) {
                next += 1;
            }
            next
        } else {
            line_no
        };
        found.push(Suppression {
            file,
            at,
            target,
            rule,
            reason: (!reason.is_empty()).then(|| reason.to_owned()),
        });
    }
    found
}

fn is_comment_line(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('#') || t.starts_with("//")
}

/// Removes the findings that a valid suppression silences and adds the findings about
/// suppressions themselves; also returns the rule of each silenced finding. Files in
/// `unparsed` are not checked for unused suppressions: the structural rules did not run
/// there.
pub(crate) fn apply(
    stack: &Stack<'_>,
    hits: Vec<Hit>,
    cfg: &LintConfig,
    unparsed: &[usize],
) -> (Vec<Hit>, Vec<&'static str>) {
    let suppressions: Vec<Suppression> = stack
        .files
        .iter()
        .enumerate()
        .filter(|(_, f)| f.text.contains(DIRECTIVE))
        .flat_map(|(i, f)| find(i, &f.text, stack.lines(i)))
        .collect();
    if suppressions.is_empty() {
        return (hits, Vec::new());
    }
    let mut used = vec![false; suppressions.len()];
    let mut kept = Vec::with_capacity(hits.len());
    let mut silenced_rules = Vec::new();
    for mut hit in hits {
        if hit.block_at.is_none() {
            hit.block_at = enclosing_block(&stack.files[hit.file].text, hit.at);
        }
        // Every (file, line) a suppression of this finding may target.
        let mut targets = Vec::with_capacity(2 + 2 * hit.also.len());
        let lines = stack.lines(hit.file);
        targets.push((hit.file, lines.line_of(hit.at)));
        if let Some(b) = hit.block_at {
            targets.push((hit.file, lines.line_of(b)));
        }
        for &(file, at) in &hit.also {
            let lines = stack.lines(file);
            targets.push((file, lines.line_of(at)));
            if let Some(b) = enclosing_block(&stack.files[file].text, at) {
                targets.push((file, lines.line_of(b)));
            }
        }
        let mut silenced = false;
        for (i, s) in suppressions.iter().enumerate() {
            if s.rule == hit.rule && s.reason.is_some() && targets.contains(&(s.file, s.target)) {
                used[i] = true;
                silenced = true;
            }
        }
        if silenced {
            silenced_rules.push(hit.rule);
        } else {
            kept.push(hit);
        }
    }
    for (s, used) in suppressions.iter().zip(used) {
        let Some(target_rule) = rule(&s.rule).filter(|r| !matches!(r.check, Check::Meta)) else {
            if cfg.is_enabled(INVALID_SUPPRESSION) {
                let message = if s.rule.is_empty() {
                    "`dlgen:allow` names no rule".to_owned()
                } else if rule(&s.rule).is_some() {
                    format!("`{}` findings cannot be suppressed", s.rule)
                } else {
                    format!("`dlgen:allow {}`: no rule has this id", s.rule)
                };
                kept.push(Hit::new(
                    INVALID_SUPPRESSION,
                    s.file,
                    s.at,
                    message,
                    "write `# dlgen:allow <rule-id> <reason>` with an id from `dlgen lint --rules`",
                ));
            }
            continue;
        };
        if s.reason.is_none() {
            if cfg.is_enabled(INVALID_SUPPRESSION) {
                kept.push(Hit::new(
                    INVALID_SUPPRESSION,
                    s.file,
                    s.at,
                    format!(
                        "`dlgen:allow {}` gives no reason, so it silences nothing",
                        s.rule
                    ),
                    format!(
                        "write `# dlgen:allow {} <why this stack is an exception>`",
                        s.rule
                    ),
                ));
            }
            continue;
        }
        if !used
            && cfg.is_enabled(UNUSED_SUPPRESSION)
            && cfg.is_enabled(target_rule.id)
            && !unparsed.contains(&s.file)
        {
            kept.push(Hit::new(
                UNUSED_SUPPRESSION,
                s.file,
                s.at,
                format!(
                    "`dlgen:allow {}` silences nothing: no `{}` finding on the line below it or in the block it heads",
                    s.rule, s.rule
                ),
                "remove the comment",
            ));
        }
    }
    (kept, silenced_rules)
}

/// The header offset of the top-level block containing `at`.
fn enclosing_block(text: &str, at: usize) -> Option<usize> {
    scan::top_level_blocks(text)?
        .into_iter()
        .find(|b| b.start <= at && at < b.end)
        .map(|b| b.start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::{lines, lint_many, lint_one};
    use crate::lint::{LintConfig, SourceFile, lint_files};

    fn parse(text: &str) -> Vec<Suppression> {
        find(0, text, &LineIndex::new(text))
    }

    #[test]
    fn directive_applies_to_the_first_code_line_below_its_comment_run() {
        let s = parse("# dlgen:allow cpu-limit sidecar needs a hard cap\n# more words\nx = 1\n");
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].target, 2);
        assert_eq!(s[0].rule, "cpu-limit");
        assert_eq!(s[0].reason.as_deref(), Some("sidecar needs a hard cap"));
    }

    #[test]
    fn trailing_directive_applies_to_its_own_line_and_strings_do_not_count() {
        let s = parse("x = 1 # dlgen:allow cpu-limit: burst\ny = \"dlgen:allow cpu-limit no\"\n");
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].target, 0);
        assert_eq!(s[0].reason.as_deref(), Some("burst"));
    }

    #[test]
    fn missing_reason_is_recorded_as_none() {
        let s = parse("  # dlgen:allow cpu-limit\nx = 1\n");
        assert_eq!(s[0].reason, None);
    }

    const CPU: &str = r#"resource "kubernetes_deployment" "x" {
  spec {
    template {
      spec {
        container {
          resources {
            # dlgen:allow cpu-limit the vendor requires a CPU cap for licensing
            limits = { cpu = "1", memory = "1Gi" }
          }
        }
        container {
          resources {
            limits = { cpu = "2" }
          }
        }
      }
    }
  }
}
"#;

    #[test]
    fn suppression_with_reason_silences_the_finding_below_it_only() {
        let findings = lint_one("cpu-limit", CPU);
        assert_eq!(lines(&findings), vec![(13, "cpu-limit")]);
    }

    #[test]
    fn suppression_above_the_block_header_silences_findings_in_the_block() {
        let text = format!(
            "# dlgen:allow cpu-limit both containers are capped on purpose\n{}",
            CPU.replace(
                "            # dlgen:allow cpu-limit the vendor requires a CPU cap for licensing\n",
                ""
            )
        );
        let findings = lint_one("cpu-limit", &text);
        assert_eq!(lines(&findings), vec![]);
    }

    #[test]
    fn suppression_without_reason_silences_nothing_and_is_an_error() {
        let text = CPU.replace(
            "cpu-limit the vendor requires a CPU cap for licensing",
            "cpu-limit",
        );
        let files = [SourceFile::new("main.tf", text)];
        let cfg = LintConfig::only(&["cpu-limit", INVALID_SUPPRESSION]).expect("known");
        let findings = lint_files(&files, &cfg);
        assert_eq!(
            lines(&findings),
            vec![
                (7, INVALID_SUPPRESSION),
                (8, "cpu-limit"),
                (13, "cpu-limit")
            ]
        );
        assert!(findings[0].is_error());
        assert!(findings[0].message.contains("gives no reason"));
    }

    #[test]
    fn unknown_rule_ids_and_unused_suppressions_are_reported() {
        let text = "# dlgen:allow no-such-rule because\n# dlgen:allow cpu-limit nothing to silence here\nresource \"kubernetes_deployment\" \"x\" {}\n";
        let files = [SourceFile::new("main.tf", text)];
        let cfg = LintConfig::only(&["cpu-limit", INVALID_SUPPRESSION, UNUSED_SUPPRESSION])
            .expect("known");
        let findings = lint_files(&files, &cfg);
        assert_eq!(
            lines(&findings),
            vec![(1, INVALID_SUPPRESSION), (2, UNUSED_SUPPRESSION)]
        );
        // With only one rule selected, suppressions of other rules are not "unused".
        let findings = lint_many("auth-comment", &[("main.tf", text)]);
        assert_eq!(lines(&findings), vec![]);
    }
}
