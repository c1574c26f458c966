//! How `dlgen lint` and `dlgen check` print what they found: text for people (with
//! coloured diffs on a terminal), one JSON document for programs, SARIF 2.1.0 for code
//! scanning. Fed by plain result structs ([`LintRun`], [`check::Report`]); the commands
//! decide the format, this module only writes.
//!
//! # The JSON document (`--format json`, version 1)
//!
//! ```text
//! {
//!   "version": 1,                    // bumped only on an incompatible change
//!   "tool": "dlgen",
//!   "command": "lint" | "check",
//!   "findings": [
//!     {
//!       "rule": "keel-ignores",      // lint: a rule id; check: drift, missing-file,
//!                                    //   orphaned-file, not-a-file
//!       "level": "error" | "warning" | "info",
//!       "file": "stacks/app/main.tf",
//!       "line": 12,                  // 1-based; 1 for a finding about a whole file
//!       "column": 5,                 // 1-based, in characters
//!       "message": "…",
//!       "fix": "…",                  // what to change, in words
//!       "fixable": true,             // `dlgen lint --fix` fixes it
//!       "diff": null | "--- …"       // check: the unified diff of a drifted file
//!     }
//!   ],
//!   "fixed": [ { "rule", "file", "line", "column", "description" } ],   // lint --fix
//!   "not_fixed": [ { "rule", "file", "line", "column", "reason" } ],     // lint --fix
//!   "summary": {
//!     // lint: "stacks", "errors", "warnings", "infos", "fixed", and "rules": one
//!     //   { "rule", "level", "findings", "suppressed", "fixed" } per rule that ran
//!     // check: "specs", "findings"
//!   }
//! }
//! ```
//!
//! Findings come in the order of the text output. The exit code does not depend on the
//! format.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Component, Path};

use crate::check;
use crate::error::Error;
use crate::lint::{self, Finding, Level, LintRun, RULES};

/// The version of the JSON document.
pub const JSON_VERSION: u64 = 1;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Text,
    Json,
    Sarif,
}

/// When text output is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Color {
    /// When stdout is a terminal and `NO_COLOR` is unset or empty.
    #[default]
    Auto,
    Always,
    Never,
}

impl Color {
    /// Whether to colour, given whether stdout is a terminal and the value of `NO_COLOR`.
    pub fn enabled(self, stdout_is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => stdout_is_terminal && no_color.is_none_or(|v| v.is_empty()),
        }
    }

    /// [`Color::enabled`] for this process.
    pub fn resolve(self) -> bool {
        use std::io::IsTerminal as _;
        self.enabled(
            std::io::stdout().is_terminal(),
            std::env::var_os("NO_COLOR").as_deref(),
        )
    }
}

/// What a command prints: the report on stdout, the summary on stderr.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Printed {
    pub stdout: String,
    pub stderr: String,
}

impl Printed {
    /// Writes both streams. A closed stdout (`dlgen lint … | head`) is not an error.
    pub fn emit(&self) -> Result<(), Error> {
        let mut stdout = std::io::stdout().lock();
        match stdout
            .write_all(self.stdout.as_bytes())
            .and_then(|()| stdout.flush())
        {
            Ok(()) => {}
            Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => {}
            Err(err) => return Err(Error::Message(format!("error: writing to stdout: {err}"))),
        }
        eprint!("{}", self.stderr);
        Ok(())
    }
}

/// `dlgen lint --rules`: every rule with its id, level and summary.
pub fn rules_table() -> String {
    let mut out = String::new();
    for rule in RULES {
        let _ = writeln!(out, "{:<28} {:<8} {}", rule.id, rule.level, rule.summary);
    }
    out
}

/// What `dlgen lint` prints for a run.
pub fn lint(run: &LintRun, format: Format, statistics: bool) -> Printed {
    match format {
        Format::Text => lint_text(run, statistics),
        Format::Json => Printed {
            stdout: lint_json(run).pretty(),
            stderr: String::new(),
        },
        Format::Sarif => Printed {
            stdout: lint_sarif(run).pretty(),
            stderr: String::new(),
        },
    }
}

fn lint_text(run: &LintRun, statistics: bool) -> Printed {
    let mut out = String::new();
    let mut err = String::new();
    for f in &run.fixed {
        let _ = writeln!(
            out,
            "{}:{}:{}: fixed[{}]: {}",
            f.path.display(),
            f.line,
            f.col,
            f.rule,
            f.description
        );
    }
    for s in &run.skipped {
        let _ = writeln!(
            err,
            "{}:{}:{}: not fixed[{}]: {}",
            s.path.display(),
            s.line,
            s.col,
            s.rule,
            s.reason
        );
    }
    if statistics {
        out.push_str(&statistics_table(run));
    } else {
        for finding in &run.findings {
            let _ = writeln!(out, "{finding}");
        }
    }
    let (errors, warnings, infos) = run.counts();
    if !run.findings.is_empty() || !run.fixed.is_empty() {
        let mut parts = vec![
            count(errors, "error", "errors"),
            count(warnings, "warning", "warnings"),
        ];
        if infos > 0 {
            parts.push(count(infos, "info", "infos"));
        }
        let fixable = run.findings.iter().filter(|f| f.edit.is_some()).count();
        let fixed = match (run.fixed.len(), fixable) {
            (0, 0) => String::new(),
            (0, n) => format!("; {n} fixable with --fix"),
            (n, _) => format!(" ({n} fixed)"),
        };
        let _ = writeln!(
            err,
            "dlgen lint: {} in {}{fixed}",
            parts.join(", "),
            count(run.stacks, "stack", "stacks")
        );
    }
    Printed {
        stdout: out,
        stderr: err,
    }
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// One line per rule that found or suppressed something, most findings first:
/// `  findings  rule  level  (N suppressed[, N fixed])`.
fn statistics_table(run: &LintRun) -> String {
    let mut rows: Vec<&lint::RuleStats> = run
        .stats
        .iter()
        .filter(|s| s.findings + s.suppressed + s.fixed > 0)
        .collect();
    rows.sort_by_key(|s| std::cmp::Reverse(s.findings));
    let mut out = String::new();
    for s in rows {
        let fixed = if s.fixed > 0 {
            format!(", {} fixed", s.fixed)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "{:>6}  {:<28} {:<8} ({} suppressed{fixed})",
            s.findings, s.rule, s.level, s.suppressed
        );
    }
    out
}

fn lint_json(run: &LintRun) -> Json {
    let (errors, warnings, infos) = run.counts();
    let located = |rule: &str, path: &Path, line: usize, col: usize| {
        vec![
            ("rule", Json::str(rule)),
            ("file", Json::str(path_text(path))),
            ("line", Json::Num(line as u64)),
            ("column", Json::Num(col as u64)),
        ]
    };
    Json::Obj(vec![
        ("version", Json::Num(JSON_VERSION)),
        ("tool", Json::str("dlgen")),
        ("command", Json::str("lint")),
        (
            "findings",
            Json::Arr(run.findings.iter().map(lint_finding_json).collect()),
        ),
        (
            "fixed",
            Json::Arr(
                run.fixed
                    .iter()
                    .map(|f| {
                        let mut o = located(f.rule, &f.path, f.line, f.col);
                        o.push(("description", Json::str(&f.description)));
                        Json::Obj(o)
                    })
                    .collect(),
            ),
        ),
        (
            "not_fixed",
            Json::Arr(
                run.skipped
                    .iter()
                    .map(|s| {
                        let mut o = located(s.rule, &s.path, s.line, s.col);
                        o.push(("reason", Json::str(&s.reason)));
                        Json::Obj(o)
                    })
                    .collect(),
            ),
        ),
        (
            "summary",
            Json::Obj(vec![
                ("stacks", Json::Num(run.stacks as u64)),
                ("errors", Json::Num(errors as u64)),
                ("warnings", Json::Num(warnings as u64)),
                ("infos", Json::Num(infos as u64)),
                ("fixed", Json::Num(run.fixed.len() as u64)),
                (
                    "rules",
                    Json::Arr(
                        run.stats
                            .iter()
                            .map(|s| {
                                Json::Obj(vec![
                                    ("rule", Json::str(s.rule)),
                                    ("level", Json::str(s.level.as_str())),
                                    ("findings", Json::Num(s.findings as u64)),
                                    ("suppressed", Json::Num(s.suppressed as u64)),
                                    ("fixed", Json::Num(s.fixed as u64)),
                                ])
                            })
                            .collect(),
                    ),
                ),
            ]),
        ),
    ])
}

fn lint_finding_json(f: &Finding) -> Json {
    finding_json(
        f.rule,
        f.level.as_str(),
        &f.path,
        f.line,
        f.col,
        &f.message,
        &f.fix,
        f.edit.is_some(),
        None,
    )
}

#[allow(clippy::too_many_arguments)]
fn finding_json(
    rule: &str,
    level: &str,
    path: &Path,
    line: usize,
    col: usize,
    message: &str,
    fix: &str,
    fixable: bool,
    diff: Option<&str>,
) -> Json {
    Json::Obj(vec![
        ("rule", Json::str(rule)),
        ("level", Json::str(level)),
        ("file", Json::str(path_text(path))),
        ("line", Json::Num(line as u64)),
        ("column", Json::Num(col as u64)),
        ("message", Json::str(message)),
        ("fix", Json::str(fix)),
        ("fixable", Json::Bool(fixable)),
        ("diff", diff.map_or(Json::Null, Json::str)),
    ])
}

/// The SARIF 2.1.0 log of a lint run: one run, every rule described, one result per
/// finding.
fn lint_sarif(run: &LintRun) -> Json {
    let rules = RULES
        .iter()
        .map(|r| {
            Json::Obj(vec![
                ("id", Json::str(r.id)),
                ("shortDescription", text_obj(r.summary)),
                ("fullDescription", text_obj(r.why)),
                (
                    "defaultConfiguration",
                    Json::Obj(vec![("level", Json::str(sarif_level(r.level)))]),
                ),
            ])
        })
        .collect();
    let results = run
        .findings
        .iter()
        .map(|f| {
            let index = RULES.iter().position(|r| r.id == f.rule).unwrap_or(0);
            Json::Obj(vec![
                ("ruleId", Json::str(f.rule)),
                ("ruleIndex", Json::Num(index as u64)),
                ("level", Json::str(sarif_level(f.level))),
                (
                    "message",
                    text_obj(&format!("{} Fix: {}.", sentence(&f.message), f.fix)),
                ),
                (
                    "locations",
                    Json::Arr(vec![Json::Obj(vec![(
                        "physicalLocation",
                        Json::Obj(vec![
                            (
                                "artifactLocation",
                                Json::Obj(vec![("uri", Json::str(uri(&f.path)))]),
                            ),
                            (
                                "region",
                                Json::Obj(vec![
                                    ("startLine", Json::Num(f.line as u64)),
                                    ("startColumn", Json::Num(f.col as u64)),
                                ]),
                            ),
                        ]),
                    )])]),
                ),
            ])
        })
        .collect();
    Json::Obj(vec![
        (
            "$schema",
            Json::str("https://json.schemastore.org/sarif-2.1.0.json"),
        ),
        ("version", Json::str("2.1.0")),
        (
            "runs",
            Json::Arr(vec![Json::Obj(vec![
                (
                    "tool",
                    Json::Obj(vec![(
                        "driver",
                        Json::Obj(vec![
                            ("name", Json::str("dlgen")),
                            ("version", Json::str(env!("CARGO_PKG_VERSION"))),
                            ("rules", Json::Arr(rules)),
                        ]),
                    )]),
                ),
                ("columnKind", Json::str("unicodeCodePoints")),
                ("results", Json::Arr(results)),
            ])]),
        ),
    ])
}

fn sentence(message: &str) -> String {
    if message.ends_with(['.', '!', '?']) {
        message.to_owned()
    } else {
        format!("{message}.")
    }
}

fn text_obj(text: &str) -> Json {
    Json::Obj(vec![("text", Json::str(text))])
}

fn sarif_level(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Info => "note",
    }
}

/// A path as JSON shows it: `/`-separated, as the text output prints it.
fn path_text(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .filter_map(|c| match c {
            Component::RootDir => Some(String::new()),
            Component::CurDir => None,
            other => Some(other.as_os_str().to_string_lossy().into_owned()),
        })
        .collect();
    if parts.len() == 1 && parts[0].is_empty() {
        return "/".to_owned();
    }
    parts.join("/")
}

/// A path as a SARIF artifact URI: a relative reference for a relative path, a `file:`
/// URI for an absolute one; bytes outside the unreserved set (and `/`) percent-encoded.
fn uri(path: &Path) -> String {
    let text = path_text(path);
    let mut out = String::with_capacity(text.len());
    if path.is_absolute() {
        out.push_str("file://");
    }
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// What `dlgen check` prints for a report.
pub fn check(report: &check::Report, format: Format, color: bool) -> Printed {
    match format {
        Format::Json | Format::Sarif => Printed {
            stdout: check_json(report).pretty(),
            stderr: String::new(),
        },
        Format::Text => {
            let mut out = String::new();
            for finding in &report.findings {
                let text = finding.text().trim_end();
                if color && finding.diff.is_some() {
                    out.push_str(&colour_diff(text));
                } else {
                    out.push_str(text);
                    out.push('\n');
                }
            }
            let n = report.findings.len();
            let stderr = if n == 0 {
                format!(
                    "dlgen check: {} in sync with {}\n",
                    count(report.specs, "spec", "specs"),
                    count(report.specs, "stack", "stacks")
                )
            } else {
                format!(
                    "dlgen check: {}: the committed stacks differ from what their specs render; run `dlgen render` and commit the result\n",
                    count(n, "finding", "findings")
                )
            };
            Printed {
                stdout: out,
                stderr,
            }
        }
    }
}

fn check_json(report: &check::Report) -> Json {
    Json::Obj(vec![
        ("version", Json::Num(JSON_VERSION)),
        ("tool", Json::str("dlgen")),
        ("command", Json::str("check")),
        (
            "findings",
            Json::Arr(
                report
                    .findings
                    .iter()
                    .map(|f| {
                        finding_json(
                            f.kind.id(),
                            "error",
                            &f.path,
                            f.line,
                            1,
                            &f.message,
                            &f.fix,
                            false,
                            f.diff.as_deref(),
                        )
                    })
                    .collect(),
            ),
        ),
        (
            "summary",
            Json::Obj(vec![
                ("specs", Json::Num(report.specs as u64)),
                ("findings", Json::Num(report.findings.len() as u64)),
            ]),
        ),
    ])
}

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";

/// A unified diff with ANSI colours: file headers bold, hunk headers cyan, removed lines
/// red, added lines green.
pub fn colour_diff(diff: &str) -> String {
    let mut out = String::with_capacity(diff.len() + diff.len() / 4);
    for line in diff.lines() {
        let style = if line.starts_with("---") || line.starts_with("+++") {
            Some(BOLD)
        } else if line.starts_with("@@") {
            Some(CYAN)
        } else if line.starts_with('-') {
            Some(RED)
        } else if line.starts_with('+') {
            Some(GREEN)
        } else {
            None
        };
        match style {
            Some(style) => {
                let _ = writeln!(out, "{style}{line}{RESET}");
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// A JSON value, written by hand: the documents are small and flat, and their shape is
/// fixed here rather than derived from the structs.
#[derive(Debug, Clone, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Num(u64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(&'static str, Json)>),
}

impl Json {
    fn str(s: impl Into<String>) -> Json {
        Json::Str(s.into())
    }

    /// The value, indented by two spaces per level, with a final newline.
    fn pretty(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, 0);
        out.push('\n');
        out
    }

    fn write(&self, out: &mut String, depth: usize) {
        let indent = |out: &mut String, depth: usize| {
            out.push('\n');
            for _ in 0..depth {
                out.push_str("  ");
            }
        };
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Num(n) => {
                let _ = write!(out, "{n}");
            }
            Json::Str(s) => escape(out, s),
            Json::Arr(items) if items.is_empty() => out.push_str("[]"),
            Json::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    indent(out, depth + 1);
                    item.write(out, depth + 1);
                }
                indent(out, depth);
                out.push(']');
            }
            Json::Obj(fields) if fields.is_empty() => out.push_str("{}"),
            Json::Obj(fields) => {
                out.push('{');
                for (i, (key, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    indent(out, depth + 1);
                    escape(out, key);
                    out.push_str(": ");
                    value.write(out, depth + 1);
                }
                indent(out, depth);
                out.push('}');
            }
        }
    }
}

/// A JSON string literal: quotes, backslashes and control characters escaped; everything
/// else (valid UTF-8) as is.
fn escape(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 || c == '\u{7f}' || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_quotes_backslashes_and_controls() {
        let mut out = String::new();
        escape(&mut out, "a\"b\\c\nd\u{1}é\u{2028}");
        assert_eq!(out, "\"a\\\"b\\\\c\\nd\\u0001é\\u2028\"");
    }

    #[test]
    fn pretty_printing_nests_and_keeps_field_order() {
        let doc = Json::Obj(vec![
            ("b", Json::Arr(vec![Json::Num(1), Json::Null])),
            ("a", Json::Obj(vec![])),
            ("c", Json::Arr(vec![])),
        ]);
        assert_eq!(
            doc.pretty(),
            "{\n  \"b\": [\n    1,\n    null\n  ],\n  \"a\": {},\n  \"c\": []\n}\n"
        );
    }

    #[test]
    fn colour_follows_the_flag_the_terminal_and_no_color() {
        let set = Some(std::ffi::OsStr::new("1"));
        let empty = Some(std::ffi::OsStr::new(""));
        assert!(Color::Auto.enabled(true, None));
        assert!(Color::Auto.enabled(true, empty));
        assert!(!Color::Auto.enabled(true, set));
        assert!(!Color::Auto.enabled(false, None));
        assert!(Color::Always.enabled(false, set));
        assert!(!Color::Never.enabled(true, None));
    }

    #[test]
    fn diffs_are_coloured_line_by_line() {
        let diff = "--- a (committed)\n+++ a (rendered)\n@@ -1 +1 @@\n-old\n+new\n same\n";
        assert_eq!(
            colour_diff(diff),
            format!(
                "{BOLD}--- a (committed){RESET}\n{BOLD}+++ a (rendered){RESET}\n{CYAN}@@ -1 +1 @@{RESET}\n{RED}-old{RESET}\n{GREEN}+new{RESET}\n same\n"
            )
        );
    }

    #[test]
    fn sarif_uris_are_relative_references_or_file_uris() {
        assert_eq!(
            uri(Path::new("stacks/my app/main.tf")),
            "stacks/my%20app/main.tf"
        );
        assert_eq!(uri(Path::new("./stacks/a.tf")), "stacks/a.tf");
        assert_eq!(uri(Path::new("/tmp/x/#1.tf")), "file:///tmp/x/%231.tf");
    }
}
