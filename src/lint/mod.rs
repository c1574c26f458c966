//! `dlgen lint`: checks stacks, generated or hand-written, against the infra repo's
//! written conventions.
//!
//! Every rule has a stable id, a level, a one-line summary and a "why" text, and is listed
//! once in [`RULES`]. Text rules read lines (the auth-comment guard, which must stay as
//! cheap and as predictable as the script it replaces); structural rules read the
//! Kubernetes resources of a whole stack, parsed with hcl-edit (only the blocks some
//! enabled rule needs). A finding can be silenced by a `# dlgen:allow <rule-id> <reason>`
//! comment, see [`suppress`]. Some findings carry an [`Edit`] that fixes them without
//! changing what Terraform plans; [`fix`] applies those.
//!
//! The in-memory entry point is [`lint_files`] (one stack as `(path, text)` pairs); the
//! command line reads stack directories with [`run`], which takes [`LintSettings`] and
//! returns plain results ([`LintRun`]) that the caller prints. This module knows nothing
//! of the command line.

mod auth_comment;
mod block_storage_backup;
mod cpu_limit;
pub mod fix;
mod keel_ignores;
mod kyverno_dns_config;
mod memory_request_limit;
mod model;
mod pvc_autoresize_annotations;
mod pvc_ignore_requests;
mod pvc_wait_until_bound;
mod rwo_recreate;
mod scan;
mod source;
pub(crate) mod suppress;
mod walk;

use std::fmt;
use std::path::PathBuf;

use crate::error::{Error, Outcome};

use model::{Kinds, Stack};
use source::LineIndex;

pub use source::SourceFile;
pub use walk::{StackResult, lint_dirs, lint_dirs_with, read_stack, stack_dirs};

/// How serious a finding is. Errors make `dlgen lint` exit 1 (and stop `dlgen render`);
/// warnings do too under `--deny warnings`. Infos report a habit of the repo that no
/// written rule asks for: listed, never failing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Info,
    Warning,
    Error,
}

impl Level {
    /// The lower-case name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad` so that `{:<8}` aligns the `--rules` table.
        f.pad(self.as_str())
    }
}

/// A rule of the registry.
#[derive(Debug)]
pub struct Rule {
    /// Stable id, used by `--rule`, by suppressions and in every finding.
    pub id: &'static str,
    /// Default level (`--deny warnings` raises warnings to errors).
    pub level: Level,
    /// What the rule checks, in one line.
    pub summary: &'static str,
    /// Why the repo has the convention and what breaks without it.
    pub why: &'static str,
    pub(crate) check: Check,
}

/// How a rule reads a stack.
pub(crate) enum Check {
    /// Scans the text of each file; gets the file's index and text.
    Text(fn(usize, &str, &mut Vec<Hit>)),
    /// Reads the resources of the whole stack; `needs` says which kinds to parse.
    Stack {
        needs: Kinds,
        check: fn(&Stack<'_>, &mut Vec<Hit>),
    },
    /// Findings the linter itself makes (suppressions, unparsable files).
    Meta,
}

impl fmt::Debug for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Check::Text(_) => "Text",
            Check::Stack { .. } => "Stack",
            Check::Meta => "Meta",
        })
    }
}

/// Id of the finding made for a suppression without a reason or with an unknown rule id.
pub const INVALID_SUPPRESSION: &str = "invalid-suppression";
/// Id of the finding made for a suppression that silenced nothing.
pub const UNUSED_SUPPRESSION: &str = "unused-suppression";
/// Id of the finding made for a file the structural rules could not parse.
pub const PARSE_ERROR: &str = "parse-error";

/// Every rule, in the order `dlgen lint --rules` lists them.
pub static RULES: &[Rule] = &[
    auth_comment::RULE,
    kyverno_dns_config::RULE,
    keel_ignores::RULE,
    keel_ignores::UPDATE_TIME_RULE,
    keel_ignores::EXTRA_MARKER_RULE,
    pvc_wait_until_bound::RULE,
    pvc_autoresize_annotations::RULE,
    pvc_ignore_requests::RULE,
    block_storage_backup::RULE,
    rwo_recreate::RULE,
    cpu_limit::RULE,
    memory_request_limit::RULE,
    Rule {
        id: INVALID_SUPPRESSION,
        level: Level::Error,
        summary: "a `# dlgen:allow` comment must name a known rule and give a reason",
        why: "A suppression is an exception to a repo rule; the reason is what a reviewer \
              reads. One without a reason, or naming no rule, silences nothing.",
        check: Check::Meta,
    },
    Rule {
        id: UNUSED_SUPPRESSION,
        level: Level::Warning,
        summary: "a `# dlgen:allow` comment that silences no finding",
        why: "A stale exception hides the next real finding on that line.",
        check: Check::Meta,
    },
    Rule {
        id: PARSE_ERROR,
        level: Level::Warning,
        summary: "a `.tf` file the structural rules could not parse (they skip it); \
                  reported whenever a structural rule runs",
        why: "A file that does not parse is not checked; Terraform will reject it too.",
        check: Check::Meta,
    },
];

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// What to check and how strictly.
#[derive(Debug, Clone)]
pub struct LintConfig {
    enabled: Vec<&'static str>,
    /// Report warnings as errors.
    pub deny_warnings: bool,
}

impl Default for LintConfig {
    fn default() -> Self {
        LintConfig::all()
    }
}

impl LintConfig {
    /// Every rule, warnings as warnings.
    pub fn all() -> Self {
        LintConfig {
            enabled: RULES.iter().map(|r| r.id).collect(),
            deny_warnings: false,
        }
    }

    /// Only the named rules; an unknown id is an error that lists the known ones.
    pub fn only<S: AsRef<str>>(ids: &[S]) -> Result<Self, Error> {
        let mut enabled = Vec::new();
        for id in ids {
            let id = id.as_ref();
            let Some(rule) = rule(id) else {
                let known: Vec<&str> = RULES.iter().map(|r| r.id).collect();
                return Err(Error::Message(format!(
                    "error: unknown rule `{id}`; known rules: {}",
                    known.join(", ")
                )));
            };
            if !enabled.contains(&rule.id) {
                enabled.push(rule.id);
            }
        }
        Ok(LintConfig {
            enabled,
            deny_warnings: false,
        })
    }

    /// Raise warnings to errors.
    pub fn deny_warnings(mut self, yes: bool) -> Self {
        self.deny_warnings = yes;
        self
    }

    pub fn is_enabled(&self, id: &str) -> bool {
        self.enabled.contains(&id)
    }

    /// The enabled rules, in registry order.
    pub fn rules(&self) -> impl Iterator<Item = &'static Rule> + '_ {
        RULES.iter().filter(|r| self.is_enabled(r.id))
    }

    /// The level findings of `rule` are reported at.
    pub fn level_of(&self, rule: &Rule) -> Level {
        if self.deny_warnings && rule.level == Level::Warning {
            Level::Error
        } else {
            rule.level
        }
    }
}

/// A change to one file that fixes a finding: replace the bytes `start..end` with
/// `text`. Fixes only ever move or add comments, so Terraform plans the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// What the edit does, in words (`dlgen lint --fix` reports it).
    pub description: String,
}

/// One violation, located in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    pub level: Level,
    pub path: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    pub message: String,
    /// What to change, spelled out.
    pub fix: String,
    /// The change `dlgen lint --fix` makes, when the fix is mechanical and safe.
    pub edit: Option<Edit>,
}

impl Finding {
    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}[{}]: {}; fix: {}",
            self.path.display(),
            self.line,
            self.col,
            self.level,
            self.rule,
            self.message,
            self.fix
        )
    }
}

/// A finding before it is located: file index and byte offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hit {
    pub rule: &'static str,
    pub file: usize,
    pub at: usize,
    /// Offset of the header of the top-level block the finding is in, when known: a
    /// suppression above that header also applies.
    pub block_at: Option<usize>,
    /// Other places `(file, offset)` whose line or block header a suppression of this
    /// finding may sit on (a finding about an app as a whole, reported at one of its
    /// volumes, is also silenced at its other volumes).
    pub also: Vec<(usize, usize)>,
    pub message: String,
    pub fix: String,
    pub edit: Option<Edit>,
}

impl Hit {
    pub(crate) fn new(
        rule: &'static str,
        file: usize,
        at: usize,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Hit {
            rule,
            file,
            at,
            block_at: None,
            also: Vec::new(),
            message: message.into(),
            fix: fix.into(),
            edit: None,
        }
    }

    pub(crate) fn in_block(mut self, block_at: usize) -> Self {
        self.block_at = Some(block_at);
        self
    }

    pub(crate) fn also_at(mut self, file: usize, at: usize) -> Self {
        self.also.push((file, at));
        self
    }

    pub(crate) fn with_edit(mut self, edit: Option<Edit>) -> Self {
        self.edit = edit;
        self
    }
}

/// What linting one stack found: the findings, and the rule of each finding a
/// suppression silenced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StackReport {
    pub findings: Vec<Finding>,
    pub suppressed: Vec<&'static str>,
}

/// Lints one stack given as its `.tf` files (path as it should be printed, and text).
/// Cross-file rules (a backup CronJob for a PVC) look at all of them together.
/// Findings come sorted by file order, then position, then rule id.
pub fn lint_files(files: &[SourceFile], cfg: &LintConfig) -> Vec<Finding> {
    lint_stack(files, cfg).findings
}

/// [`lint_files`] for files that are already parsed: `parsed[i]`, when there is one, is
/// the syntax tree of `files[i].text` (as `render` has it from proving the file valid),
/// and the structural rules read it instead of parsing the text again. The findings are
/// those of [`lint_files`].
pub fn lint_parsed(
    files: &[SourceFile],
    parsed: &[Option<&hcl_edit::structure::Body>],
    cfg: &LintConfig,
) -> Vec<Finding> {
    lint_stack_parsed(files, parsed, cfg).findings
}

/// [`lint_files`], with the suppressed findings counted.
pub fn lint_stack(files: &[SourceFile], cfg: &LintConfig) -> StackReport {
    lint_stack_parsed(files, &[], cfg)
}

fn lint_stack_parsed(
    files: &[SourceFile],
    parsed: &[Option<&hcl_edit::structure::Body>],
    cfg: &LintConfig,
) -> StackReport {
    let mut hits = Vec::new();
    let mut needs = Kinds::NONE;
    for rule in cfg.rules() {
        match &rule.check {
            Check::Text(check) => {
                for (i, file) in files.iter().enumerate() {
                    check(i, &file.text, &mut hits);
                }
            }
            Check::Stack { needs: n, .. } => needs = needs.union(*n),
            Check::Meta => {}
        }
    }
    let stack = Stack::build_parsed(files, parsed, needs);
    for rule in cfg.rules() {
        if let Check::Stack { check, .. } = &rule.check {
            check(&stack, &mut hits);
        }
    }
    if !needs.is_empty() {
        hits.extend(stack.parse_failures.iter().map(|failure| {
            Hit::new(
                PARSE_ERROR,
                failure.file,
                failure.at,
                format!(
                    "cannot parse this file, structural rules skipped it: {}",
                    failure.message
                ),
                "make the file valid HCL (`terraform fmt` shows where it breaks)",
            )
        }));
    }
    let unparsed: Vec<usize> = stack.parse_failures.iter().map(|f| f.file).collect();
    let (hits, suppressed) = suppress::apply(&stack, hits, cfg, &unparsed);
    StackReport {
        findings: locate(&stack, hits, cfg),
        suppressed,
    }
}

fn locate(stack: &Stack<'_>, mut hits: Vec<Hit>, cfg: &LintConfig) -> Vec<Finding> {
    hits.sort_by(|a, b| (a.file, a.at, a.rule).cmp(&(b.file, b.at, b.rule)));
    hits.dedup_by(|a, b| {
        (a.file, a.at, a.rule, &a.message, &a.fix) == (b.file, b.at, b.rule, &b.message, &b.fix)
    });
    hits.into_iter()
        .filter_map(|hit| {
            let rule = rule(hit.rule)?;
            let lines: &LineIndex<'_> = stack.lines(hit.file);
            let (line, col) = lines.position(hit.at);
            Some(Finding {
                rule: rule.id,
                level: cfg.level_of(rule),
                path: stack.files[hit.file].path.clone(),
                line,
                col,
                message: hit.message,
                fix: hit.fix,
                edit: hit.edit,
            })
        })
        .collect()
}

/// The outcome of a lint run: findings at error level fail it.
pub fn outcome(findings: &[Finding]) -> Outcome {
    if findings.iter().any(Finding::is_error) {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}

/// What `dlgen lint` is asked to do, resolved from the command line by its caller.
#[derive(Debug, Clone, Default)]
pub struct LintSettings {
    /// The stack directories to lint.
    pub dirs: Vec<PathBuf>,
    /// Lint every stack directory under `<root>/stacks` (instead of `dirs`).
    pub all_under: Option<PathBuf>,
    /// Only these rules (every rule when empty).
    pub rules: Vec<String>,
    /// Report warnings as errors.
    pub deny_warnings: bool,
    /// Apply the mechanical fixes before reporting what remains.
    pub fix: bool,
}

/// Per rule: how many findings were reported and how many suppressions silenced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleStats {
    pub rule: &'static str,
    /// The level the rule's findings were reported at.
    pub level: Level,
    pub findings: usize,
    pub suppressed: usize,
    /// Findings `--fix` fixed (they are no longer among the findings).
    pub fixed: usize,
}

/// A fix `--fix` applied, located where the finding was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedFix {
    pub rule: &'static str,
    pub path: PathBuf,
    pub line: usize,
    pub col: usize,
    pub description: String,
}

/// A finding `--fix` could have fixed but left alone, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedFix {
    pub rule: &'static str,
    pub path: PathBuf,
    pub line: usize,
    pub col: usize,
    pub reason: String,
}

/// Everything one `dlgen lint` run found and did.
#[derive(Debug, Clone, Default)]
pub struct LintRun {
    /// What remains, in stack, file and position order.
    pub findings: Vec<Finding>,
    /// One entry per enabled rule, in registry order.
    pub stats: Vec<RuleStats>,
    pub fixed: Vec<AppliedFix>,
    pub skipped: Vec<SkippedFix>,
    /// How many stacks were linted.
    pub stacks: usize,
}

impl LintRun {
    pub fn outcome(&self) -> Outcome {
        outcome(&self.findings)
    }

    /// `(errors, warnings, infos)` among the findings.
    pub fn counts(&self) -> (usize, usize, usize) {
        let count = |level| self.findings.iter().filter(|f| f.level == level).count();
        (
            count(Level::Error),
            count(Level::Warning),
            count(Level::Info),
        )
    }
}

/// `dlgen lint`: resolves the stacks and rules, lints (fixing first with `fix`), and
/// returns what it found; nothing is printed.
pub fn run(settings: &LintSettings) -> Result<LintRun, Error> {
    let cfg = if settings.rules.is_empty() {
        LintConfig::all()
    } else {
        LintConfig::only(&settings.rules)?
    }
    .deny_warnings(settings.deny_warnings);
    let dirs = match &settings.all_under {
        Some(root) => stack_dirs(root)?,
        None if settings.dirs.is_empty() => {
            return Err(Error::Message(
                "error: nothing to lint: give one or more STACK_DIR, or --all".to_owned(),
            ));
        }
        None => settings.dirs.clone(),
    };
    let results = lint_dirs_with(&dirs, &cfg, settings.fix)?;
    let mut run = LintRun {
        stacks: dirs.len(),
        ..LintRun::default()
    };
    run.stats = cfg
        .rules()
        .map(|rule| RuleStats {
            rule: rule.id,
            level: cfg.level_of(rule),
            findings: 0,
            suppressed: 0,
            fixed: 0,
        })
        .collect();
    for result in results {
        for f in &result.report.findings {
            if let Some(s) = stats_for(&mut run.stats, f.rule) {
                s.findings += 1;
            }
        }
        for id in &result.report.suppressed {
            if let Some(s) = stats_for(&mut run.stats, id) {
                s.suppressed += 1;
            }
        }
        for f in &result.fixed {
            if let Some(s) = stats_for(&mut run.stats, f.rule) {
                s.fixed += 1;
            }
        }
        run.findings.extend(result.report.findings);
        run.fixed.extend(result.fixed);
        run.skipped.extend(result.skipped);
    }
    Ok(run)
}

fn stats_for<'s>(stats: &'s mut [RuleStats], id: &str) -> Option<&'s mut RuleStats> {
    stats.iter_mut().find(|s| s.rule == id)
}

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers for the rule tests: lint one or more in-memory files with one rule.

    use super::*;

    pub(crate) fn lint_one(rule: &str, text: &str) -> Vec<Finding> {
        lint_many(rule, &[("main.tf", text)])
    }

    pub(crate) fn lint_many(rule: &str, files: &[(&str, &str)]) -> Vec<Finding> {
        let files: Vec<SourceFile> = files.iter().map(|(p, t)| SourceFile::new(*p, *t)).collect();
        let cfg = LintConfig::only(&[rule]).expect("known rule");
        lint_files(&files, &cfg)
    }

    /// `(line, rule)` of each finding, for compact assertions.
    pub(crate) fn lines(findings: &[Finding]) -> Vec<(usize, &'static str)> {
        findings.iter().map(|f| (f.line, f.rule)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique_kebab_case_and_documented() {
        for (i, rule) in RULES.iter().enumerate() {
            assert!(
                rule.id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}",
                rule.id
            );
            assert!(
                !rule.summary.is_empty() && !rule.why.is_empty(),
                "{}",
                rule.id
            );
            assert!(
                RULES[i + 1..].iter().all(|other| other.id != rule.id),
                "duplicate id {}",
                rule.id
            );
        }
    }

    #[test]
    fn only_rejects_unknown_ids_and_lists_the_known_ones() {
        let err = LintConfig::only(&["no-such-rule"]).expect_err("unknown");
        let text = err.to_string();
        assert!(text.contains("unknown rule `no-such-rule`"), "{text}");
        assert!(text.contains("auth-comment"), "{text}");
    }

    #[test]
    fn display_has_the_path_line_col_level_rule_form() {
        let finding = Finding {
            rule: "cpu-limit",
            level: Level::Warning,
            path: PathBuf::from("stacks/x/main.tf"),
            line: 3,
            col: 7,
            message: "m".into(),
            fix: "f".into(),
            edit: None,
        };
        assert_eq!(
            finding.to_string(),
            "stacks/x/main.tf:3:7: warning[cpu-limit]: m; fix: f"
        );
    }

    #[test]
    fn deny_warnings_raises_the_level_and_the_outcome() {
        let files = [SourceFile::new(
            "main.tf",
            "resource \"kubernetes_deployment\" \"x\" {\n  spec {\n    template {\n      spec {\n        container {\n          resources {\n            limits = { cpu = \"1\" }\n          }\n        }\n      }\n    }\n  }\n}\n",
        )];
        let cfg = LintConfig::only(&["cpu-limit"]).expect("known");
        let findings = lint_files(&files, &cfg);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].level, Level::Warning);
        assert_eq!(outcome(&findings), Outcome::Clean);
        let findings = lint_files(&files, &cfg.deny_warnings(true));
        assert_eq!(findings[0].level, Level::Error);
        assert_eq!(outcome(&findings), Outcome::Findings);
    }

    /// `render` hands lint the syntax trees it parsed; the findings must be those of
    /// linting the text, on every stack the repository holds (generated and hand-written,
    /// with findings, suppressions and module calls).
    #[test]
    fn parsed_trees_give_the_findings_of_the_text() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut dirs: Vec<PathBuf> = Vec::new();
        for base in ["stacks", "tests/fixtures/lint"] {
            for entry in walkdir::WalkDir::new(root.join(base)) {
                let entry = entry.expect("walk");
                if entry.file_type().is_dir()
                    && std::fs::read_dir(entry.path())
                        .expect("read dir")
                        .any(|e| e.expect("entry").path().extension() == Some("tf".as_ref()))
                {
                    dirs.push(entry.path().to_path_buf());
                }
            }
        }
        assert!(dirs.len() > 10, "{dirs:?}");
        let cfg = LintConfig::all();
        let mut findings = 0;
        for dir in dirs {
            let files = read_stack(&dir).expect("read stack");
            let trees: Vec<Option<hcl_edit::structure::Body>> = files
                .iter()
                .map(|f| hcl_edit::parser::parse_body(&f.text).ok())
                .collect();
            let borrowed: Vec<Option<&hcl_edit::structure::Body>> =
                trees.iter().map(Option::as_ref).collect();
            let from_text = lint_files(&files, &cfg);
            assert_eq!(
                lint_parsed(&files, &borrowed, &cfg),
                from_text,
                "{}",
                dir.display()
            );
            findings += from_text.len();
        }
        assert!(
            findings > 10,
            "the stacks compared hold findings: {findings}"
        );
    }
}
