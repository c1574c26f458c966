//! The subcommands, each driving the pipeline stages with resolved settings and printing
//! what they did.

use std::fs;
use std::path::{Path, PathBuf};

use crate::check;
use crate::cli::{Cli, Command};
use crate::diag;
use crate::error::{Error, Outcome};
use crate::generate::{self, Generated};
use crate::lint;
use crate::par;
use crate::reformat;
use crate::render::Renderer;
use crate::report::{self, Color, Format};
use crate::scaffold::{self, NewSpec};
use crate::schema;
use crate::write::{self, Action, Previous};

/// Runs a parsed command.
pub fn run(command: Command) -> Result<Outcome, Error> {
    match command {
        Command::Render(args) => render(&args.specs, &args.stacks_dir, args.force, args.prune),
        Command::Check(args) => check_with(
            &args.specs_dir,
            &args.stacks_dir,
            args.format.into(),
            args.color.into(),
        ),
        Command::Lint(args) if args.list_rules => list_rules(),
        Command::Lint(args) => lint(&args.settings(), args.format.into(), args.statistics),
        Command::Compare(args) => compare(&args.a, &args.b),
        Command::Import(args) => import(&args),
        Command::Fmt(args) => fmt(&args.paths, args.check, args.diff),
        Command::Schema => print_stdout(&schema::spec_schema_json()),
        Command::New(args) => new(
            &NewSpec {
                name: args.name,
                image: args.image,
                port: args.port,
            },
            &args.specs_dir,
        ),
        Command::Completions(args) => {
            let mut cli = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(args.shell, &mut cli, "dlgen", &mut script);
            print_stdout(&String::from_utf8_lossy(&script))
        }
    }
}

/// Prints `text` on stdout; a closed pipe (`dlgen schema | head`) is not an error.
fn print_stdout(text: &str) -> Result<Outcome, Error> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(Outcome::Clean),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Outcome::Clean),
        Err(e) => Err(Error::io("<stdout>", e)),
    }
}

/// `dlgen new NAME`: writes `<specs_dir>/NAME.yaml` once the spec is proven to render
/// (and to pass the lint gate) in memory; never replaces an existing file.
pub fn new(spec: &NewSpec, specs_dir: &Path) -> Result<Outcome, Error> {
    spec.validate()?;
    let path = specs_dir.join(format!("{}.yaml", spec.name));
    if fs::symlink_metadata(&path).is_ok() {
        return Err(Error::Message(format!(
            "error: {}: already exists; dlgen new never replaces a spec\n  = help: edit it, or choose another name",
            path.display()
        )));
    }
    let schema_ref = format!("../{}", schema::COMMITTED_PATH);
    let text = spec.text(&schema_ref);
    let label = format!("specs/{}.yaml", spec.name);
    let files = scaffold::render_in_memory(&label, &text)?;
    let generated = Generated {
        stack: spec.name.clone(),
        spec_label: label,
        files,
    };
    let findings = lint_generated(std::slice::from_ref(&generated), Path::new("stacks"));
    if findings.iter().any(lint::Finding::is_error) {
        for finding in &findings {
            eprintln!("{finding}");
        }
        return Err(Error::Message(
            "error: the new spec breaks lint rules at error level; nothing written (a bug in dlgen new: please report it)".to_owned(),
        ));
    }
    write::create_new(&path, text.as_bytes())?;
    println!("wrote {}", path.display());
    // `specs` → `docs/spec.schema.json`; any other directory → `<dir>/../docs/…`.
    let schema_file = match specs_dir.parent() {
        Some(parent) if parent.as_os_str().is_empty() && specs_dir != Path::new(".") => {
            PathBuf::from(schema::COMMITTED_PATH)
        }
        _ => specs_dir.join(&schema_ref),
    };
    if !schema_file.is_file() {
        eprintln!(
            "note: the spec's schema modeline points at {}, which does not exist; create it with `dlgen schema > {}` for editor validation and completion",
            schema_file.display(),
            schema_file.display()
        );
    }
    println!(
        "next: fill in `comment`, then `dlgen render {}`",
        path.display()
    );
    Ok(Outcome::Clean)
}

fn renderer() -> Result<Renderer, Error> {
    Renderer::new().map_err(|e| Error::Message(format!("error: {e}")))
}

/// Renders every spec in memory and lints what it renders, spread over the cores (specs
/// are independent); reports every failing spec, not only the first, in the order of
/// `specs`. Each file is parsed once: the parse that proves it valid feeds lint.
fn generate_and_lint(
    specs: &[PathBuf],
    stacks_dir: &Path,
) -> Result<(Vec<Generated>, Vec<lint::Finding>), Error> {
    let renderer = renderer()?;
    let cfg = lint::LintConfig::all();
    let results = par::map(specs, |spec| {
        let (g, bodies) =
            generate::generate_with(&renderer, spec, stacks_dir, &mut |_, _, _| false)?;
        let findings = lint_parsed(&g, &bodies, stacks_dir, &cfg);
        Ok::<_, Error>((g, findings))
    });
    let mut generated = Vec::with_capacity(specs.len());
    let mut findings = Vec::new();
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok((g, found)) => {
                generated.push(g);
                findings.extend(found);
            }
            Err(e) => errors.push(e.to_string()),
        }
    }
    if !errors.is_empty() {
        return Err(Error::Message(errors.join("\n\n")));
    }
    generate::reject_duplicate_stacks(&generated)?;
    Ok((generated, findings))
}

/// Lints one rendered stack as it will sit on disk, reading the syntax trees `bodies`
/// (one per file of `g`, `None` to parse) instead of parsing again.
fn lint_parsed(
    g: &Generated,
    bodies: &[Option<hcl_edit::structure::Body>],
    stacks_dir: &Path,
    cfg: &lint::LintConfig,
) -> Vec<lint::Finding> {
    let dir = stacks_dir.join(&g.stack);
    let (files, trees): (
        Vec<lint::SourceFile>,
        Vec<Option<&hcl_edit::structure::Body>>,
    ) = g
        .files
        .iter()
        .zip(
            bodies
                .iter()
                .map(Option::as_ref)
                .chain(std::iter::repeat(None)),
        )
        .filter(|(f, _)| f.name.ends_with(".tf"))
        .map(|(f, body)| {
            (
                lint::SourceFile::new(dir.join(&f.name), f.contents.clone()),
                body,
            )
        })
        .unzip();
    lint::lint_parsed(&files, &trees, cfg)
}

/// Runs every lint rule on the stacks about to be written, as they will sit on disk.
/// Stacks are linted in parallel; findings come in the order of `generated`.
pub fn lint_generated(generated: &[Generated], stacks_dir: &Path) -> Vec<lint::Finding> {
    let cfg = lint::LintConfig::all();
    par::map(generated, |g| {
        let dir = stacks_dir.join(&g.stack);
        let files: Vec<lint::SourceFile> = g
            .files
            .iter()
            .filter(|f| f.name.ends_with(".tf"))
            .map(|f| lint::SourceFile::new(dir.join(&f.name), f.contents.clone()))
            .collect();
        lint::lint_files(&files, &cfg)
    })
    .into_iter()
    .flatten()
    .collect()
}

/// `dlgen render SPEC...`: all specs are rendered, linted and every target inspected before
/// the first byte is written; a failure anywhere leaves the stacks untouched. A lint error
/// in what would be written is a finding (exit 1) and nothing is written; warnings are
/// printed and the stacks written. With `prune`, generated files no rendered spec produces
/// any more are removed in the same transaction (see [`write::plan_prune`]); without it
/// they are only named.
pub fn render(
    specs: &[PathBuf],
    stacks_dir: &Path,
    force: bool,
    prune: bool,
) -> Result<Outcome, Error> {
    let (generated, findings) = generate_and_lint(specs, stacks_dir)?;
    for finding in &findings {
        eprintln!("{finding}");
    }
    if findings.iter().any(lint::Finding::is_error) {
        eprintln!(
            "dlgen render: nothing written: the rendered stacks break lint rules at error level"
        );
        return Ok(Outcome::Findings);
    }
    let mut actions = Vec::new();
    for g in &generated {
        actions.extend(write::plan(stacks_dir, &g.stack, &g.files, force)?);
    }
    // Without --prune, stale files are looked for only in the rendered stacks' own
    // directories: a render costs its own stacks, not the whole root (`dlgen check`
    // reports every orphaned file). Looking must not stop a render not asked to prune.
    let scope = if prune {
        write::Scope::Root
    } else {
        write::Scope::Rendered
    };
    let (stale, kept) = match write::plan_prune_in(stacks_dir, &generated, scope) {
        Ok(found) => found,
        Err(e) if !prune => {
            eprintln!("warning: could not look for stale generated files: {e}");
            (Vec::new(), Vec::new())
        }
        Err(e) => return Err(e),
    };
    for line in &kept {
        eprintln!("{line}");
    }
    if prune {
        actions.extend(stale);
    } else {
        for action in &stale {
            if let Action::Remove { path, .. } = action {
                eprintln!(
                    "stale: {} was generated by dlgen but no spec produces it any more (render with --prune to remove it)",
                    path.display()
                );
            }
        }
    }
    let changed = actions.iter().filter(|a| a.changes()).count();
    for line in write::apply(&actions)? {
        println!("{line}");
    }
    if changed == 0 {
        println!(
            "nothing to do: {} stack{} already up to date",
            generated.len(),
            if generated.len() == 1 { "" } else { "s" }
        );
    }
    Ok(Outcome::Clean)
}

/// `dlgen check`: drift between specs and committed stacks, printed as text.
pub fn check(specs_dir: &Path, stacks_dir: &Path) -> Result<Outcome, Error> {
    check_with(specs_dir, stacks_dir, Format::Text, Color::Auto)
}

/// `dlgen check` in the given output format.
pub fn check_with(
    specs_dir: &Path,
    stacks_dir: &Path,
    format: Format,
    color: Color,
) -> Result<Outcome, Error> {
    let specs = check::spec_files(specs_dir)?;
    let report = check::check_specs(&renderer()?, &specs, stacks_dir)?;
    report::check(&report, format, color.resolve()).emit()?;
    Ok(check::outcome(&report))
}

/// `dlgen lint`: lints (and fixes) as the settings say, prints in the given format.
pub fn lint(
    settings: &lint::LintSettings,
    format: Format,
    statistics: bool,
) -> Result<Outcome, Error> {
    let run = lint::run(settings)?;
    report::lint(&run, format, statistics).emit()?;
    Ok(run.outcome())
}

/// `dlgen lint --rules`.
pub fn list_rules() -> Result<Outcome, Error> {
    report::Printed {
        stdout: report::rules_table(),
        stderr: String::new(),
    }
    .emit()?;
    Ok(Outcome::Clean)
}

/// `dlgen compare A B`: whether stack `a` plans without changes against the applied `b`
/// (see [`crate::planeq`]). Differences go to stdout one per line, the readers' notes to
/// stderr.
pub fn compare(a: &Path, b: &Path) -> Result<Outcome, Error> {
    let (sa, sb) = (
        crate::planeq::Stack::read(a)?,
        crate::planeq::Stack::read(b)?,
    );
    let result = crate::planeq::compare(&sa, &sb);
    for note in &result.notes {
        eprintln!("note: {note}");
    }
    if result.is_equal() {
        println!("{} plans like {}: no difference", a.display(), b.display());
        return Ok(Outcome::Clean);
    }
    print!("{result}");
    let n = result.differences.len();
    eprintln!("{n} difference{}", if n == 1 { "" } else { "s" });
    Ok(Outcome::Findings)
}

/// `dlgen fmt`: formats every file in memory, then prints the files that change (or
/// their diffs) and writes them as one transaction, or with `check` only lists them. A
/// file that cannot be formatted (it does not parse) is reported with `file:line:col` and
/// stops the run: exit 2, nothing written.
pub fn fmt(paths: &[PathBuf], check: bool, diff: bool) -> Result<Outcome, Error> {
    if paths == [Path::new("-")] {
        return fmt_stdin(check, diff);
    }
    let files = reformat::format_all(reformat::targets(paths)?);
    let mut problems = 0;
    for f in &files {
        if let Err(problem) = &f.result {
            eprintln!("{}", problem.report(&f.target.path));
            problems += 1;
        }
    }
    let changed: Vec<(&reformat::Formatted, &str)> = files
        .iter()
        .filter_map(|f| f.changed().map(|text| (f, text)))
        .collect();
    let mut listing = String::new();
    for (f, formatted) in &changed {
        if diff {
            let original = String::from_utf8_lossy(&f.original);
            listing.push_str(&reformat::diff(&f.target.path, &original, formatted));
        } else {
            listing.push_str(&diag::printable(&f.target.path.display().to_string()));
            listing.push('\n');
        }
    }
    if problems > 0 {
        // With --check the list still says what is not formatted; without it, it would
        // say what was written, and nothing is.
        if check {
            print_stdout(&listing)?;
        }
        return Err(Error::Message(format!(
            "dlgen fmt: {problems} file{} could not be formatted; nothing written",
            plural(problems)
        )));
    }
    if check {
        print_stdout(&listing)?;
        if changed.is_empty() {
            return Ok(Outcome::Clean);
        }
        eprintln!(
            "dlgen fmt: {} of {} file{} not formatted; run `dlgen fmt` to format {}",
            changed.len(),
            files.len(),
            plural(files.len()),
            if changed.len() == 1 { "it" } else { "them" }
        );
        return Ok(Outcome::Findings);
    }
    let actions: Vec<Action> = changed
        .iter()
        .map(|(f, formatted)| Action::Write {
            path: f.target.file.clone(),
            contents: formatted.as_bytes().to_vec(),
            previous: Previous::File(f.original.clone()),
        })
        .collect();
    write::apply(&actions)?;
    print_stdout(&listing)
}

/// `dlgen fmt -`: what `terraform fmt -` prints for stdin (for editors that format
/// through a pipe). With `check`, nothing is printed and the exit code says whether the
/// text is formatted; with `diff`, a diff instead of the text.
fn fmt_stdin(check: bool, diff: bool) -> Result<Outcome, Error> {
    use std::io::Read as _;
    let stdin = Path::new("<stdin>");
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(reformat::MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(stdin, e))?;
    if bytes.len() as u64 > reformat::MAX_FILE_BYTES {
        return Err(Error::Message(format!(
            "error: <stdin>: more than {} bytes; dlgen fmt reads no file that large",
            reformat::MAX_FILE_BYTES
        )));
    }
    let formatted = reformat::format_bytes(&bytes, true)
        .map_err(|problem| Error::Message(problem.report(stdin)))?;
    let changed = formatted.as_bytes() != bytes.as_slice();
    if diff {
        let original = String::from_utf8_lossy(&bytes);
        if changed {
            print_stdout(&reformat::diff(stdin, &original, &formatted))?;
        }
    } else if !check {
        print_stdout(&formatted)?;
    }
    Ok(if check && changed {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `dlgen import`: one stack, or `--all` (see [`crate::import`]).
pub fn import(args: &crate::cli::ImportArgs) -> Result<Outcome, Error> {
    match &args.stack_dir {
        Some(dir) if !args.all => crate::import::run::one(dir, args.output.as_deref(), args.force),
        _ => {
            let specs = args.specs_dir.clone().unwrap_or_else(|| {
                if args.root == Path::new(".") {
                    PathBuf::from("specs")
                } else {
                    args.root.join("specs")
                }
            });
            crate::import::run::all(&args.root, &specs, args.stats, args.dry_run)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::RenderedFile;

    #[test]
    fn the_lint_gate_sees_what_would_be_written() {
        let g = Generated {
            stack: "app".to_owned(),
            spec_label: "specs/app.yaml".to_owned(),
            files: vec![RenderedFile::text(
                "main.tf",
                "module \"ingress\" {\n  auth = \"app\"\n}\n",
            )],
        };
        let findings = lint_generated(&[g], Path::new("stacks"));
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].rule, "auth-comment");
        assert!(findings[0].is_error());
        assert_eq!(findings[0].path, Path::new("stacks/app/main.tf"));
    }
}
