//! The command line, as parsed by clap: types only. What each subcommand does is in
//! `commands`, which `lib::run` hands the parsed command to.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "dlgen",
    version,
    about = "Generate Terraform stacks for the infra repo from short YAML service specs",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render specs into stacks/<name>/ (main.tf, terragrunt.hcl, secrets symlink).
    Render(RenderArgs),
    /// Re-render every spec in memory and report drift from the committed stacks.
    Check(CheckArgs),
    /// Check stacks (generated or hand-written) against the repo's conventions.
    Lint(LintArgs),
    /// Compare two stacks plan-semantically: would the first plan without changes against
    /// the applied second? Exit 0 when so, 1 with one line per difference.
    Compare(CompareArgs),
    /// Format .tf, .tfvars and .hcl files exactly as `terraform fmt` does.
    Fmt(FmtArgs),
    /// Print the JSON Schema of a spec (for editors; see README: Editor setup).
    Schema,
    /// Write specs/NAME.yaml: a new spec that renders as it stands, conventions as comments.
    New(NewArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Write the shortest spec that renders a hand-written stack, proved plan-equivalent
    /// to it before anything is written.
    Import(ImportArgs),
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// Spec files to render.
    #[arg(required = true, value_name = "SPEC")]
    pub specs: Vec<PathBuf>,
    /// Directory that holds one directory per stack.
    #[arg(long, default_value = "stacks", value_name = "DIR")]
    pub stacks_dir: PathBuf,
    /// Replace files that lack dlgen's generated header.
    #[arg(long)]
    pub force: bool,
    /// Remove generated files no rendered spec produces any more (see README: Safety).
    #[arg(long)]
    pub prune: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Directory of `*.yaml` specs.
    #[arg(long, default_value = "specs", value_name = "DIR")]
    pub specs_dir: PathBuf,
    /// Directory that holds one directory per stack.
    #[arg(long, default_value = "stacks", value_name = "DIR")]
    pub stacks_dir: PathBuf,
    /// Output format: text (diffs), or one JSON document (see README: JSON output).
    #[arg(long, value_enum, default_value_t = CheckFormat::Text, value_name = "FORMAT")]
    pub format: CheckFormat,
    /// Colour the diffs: auto (when stdout is a terminal and NO_COLOR is unset), always, never.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    pub color: ColorArg,
}

/// `dlgen check --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
}

/// `dlgen lint --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    Text,
    Json,
    Sarif,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Stack directories to lint.
    #[arg(value_name = "STACK_DIR", conflicts_with = "all")]
    pub stack_dirs: Vec<PathBuf>,
    /// Lint every stack directory under `<root>/stacks`.
    #[arg(long)]
    pub all: bool,
    /// Repository root used by --all.
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,
    /// Run only this rule (repeatable).
    #[arg(long = "rule", value_name = "ID")]
    pub rule: Vec<String>,
    /// List every rule with its id, level and description, and exit.
    #[arg(long = "rules", conflicts_with_all = ["stack_dirs", "all", "rule", "fix", "statistics"])]
    pub list_rules: bool,
    /// Treat findings of this level as errors (`--deny warnings`).
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub deny: Option<Deny>,
    /// Apply the mechanical fixes (comments only; the plan never changes), report each,
    /// then report what remains.
    #[arg(long)]
    pub fix: bool,
    /// Output format: text, one JSON document, or SARIF 2.1.0.
    #[arg(long, value_enum, default_value_t = LintFormat::Text, value_name = "FORMAT")]
    pub format: LintFormat,
    /// Print one line per rule (findings, suppressed) instead of the findings (text format).
    #[arg(long)]
    pub statistics: bool,
}

impl LintArgs {
    /// The settings of the lint stage.
    pub fn settings(&self) -> crate::lint::LintSettings {
        crate::lint::LintSettings {
            dirs: self.stack_dirs.clone(),
            all_under: self.all.then(|| self.root.clone()),
            rules: self.rule.clone(),
            deny_warnings: matches!(self.deny, Some(Deny::Warnings)),
            fix: self.fix,
        }
    }
}

impl From<LintFormat> for crate::report::Format {
    fn from(f: LintFormat) -> Self {
        match f {
            LintFormat::Text => crate::report::Format::Text,
            LintFormat::Json => crate::report::Format::Json,
            LintFormat::Sarif => crate::report::Format::Sarif,
        }
    }
}

impl From<CheckFormat> for crate::report::Format {
    fn from(f: CheckFormat) -> Self {
        match f {
            CheckFormat::Text => crate::report::Format::Text,
            CheckFormat::Json => crate::report::Format::Json,
        }
    }
}

impl From<ColorArg> for crate::report::Color {
    fn from(c: ColorArg) -> Self {
        match c {
            ColorArg::Auto => crate::report::Color::Auto,
            ColorArg::Always => crate::report::Color::Always,
            ColorArg::Never => crate::report::Color::Never,
        }
    }
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The stack to plan (its `moved` blocks apply), e.g. the rendered one.
    #[arg(value_name = "NEW_STACK_DIR")]
    pub a: PathBuf,
    /// The stack whose applied state it is planned against, e.g. the hand-written one.
    #[arg(value_name = "OLD_STACK_DIR")]
    pub b: PathBuf,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The stack directory to import.
    #[arg(
        value_name = "STACK_DIR",
        required_unless_present = "all",
        conflicts_with = "all"
    )]
    pub stack_dir: Option<PathBuf>,
    /// Write the spec to this file instead of stdout.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "SPEC",
        conflicts_with = "all"
    )]
    pub output: Option<PathBuf>,
    /// Replace an existing spec file.
    #[arg(long, conflicts_with = "all")]
    pub force: bool,
    /// Import every stack under `<root>/stacks` that has no spec yet, into the specs directory.
    #[arg(long)]
    pub all: bool,
    /// Repository root used by --all.
    #[arg(long, default_value = ".", value_name = "DIR", requires = "all")]
    pub root: PathBuf,
    /// Where --all finds the existing specs and writes new ones (default `<root>/specs`).
    #[arg(long, value_name = "DIR", requires = "all")]
    pub specs_dir: Option<PathBuf>,
    /// With --all: list which constructs ended up as raw HCL, most frequent first.
    #[arg(long, requires = "all")]
    pub stats: bool,
    /// With --all: report only, write no spec.
    #[arg(long, requires = "all")]
    pub dry_run: bool,
}

/// Levels `--deny` can raise to errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Deny {
    Warnings,
}

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Files and directories (searched recursively, skipping hidden ones such as
    /// `.terraform`) to format; `-` alone formats stdin to stdout, as `terraform fmt -`.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Write nothing; list the files that are not formatted and exit 1 if there are any.
    #[arg(long)]
    pub check: bool,
    /// Print a unified diff of each file that formatting changes.
    #[arg(long)]
    pub diff: bool,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The service's name: stack directory, namespace and app (a DNS-1123 label).
    pub name: String,
    /// Container image; default the repo's own registry, `<registry>/NAME:latest`.
    #[arg(long, value_name = "IMG")]
    pub image: Option<String>,
    /// The port the app listens on; default 80.
    #[arg(long, value_name = "N")]
    pub port: Option<u16>,
    /// Directory the spec is written to.
    #[arg(long, default_value = "specs", value_name = "DIR")]
    pub specs_dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}
