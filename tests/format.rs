//! Tests of the `format` stage: golden fixtures, idempotence, the `terraform fmt` oracle,
//! error positions, and generated inputs (random token soups and random valid HCL).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use dlgen::format::{
    FormatError, FormatErrorKind, OpenBracket, format_hcl, format_terraform, format_unchecked,
};
use similar::TextDiff;

const FIXTURES: &str = "tests/fixtures/format";

/// `(name, input, expected)` for every `NAME.in.tf` / `NAME.out.tf` pair, sorted by name.
fn fixtures() -> Vec<(String, String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURES);
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixture directory")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".in.tf"))
        .collect();
    inputs.sort();
    assert!(
        inputs.len() >= 15,
        "expected the fixture set, found {inputs:?}"
    );
    inputs
        .into_iter()
        .map(|input| {
            let name = input
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".in.tf"))
                .expect("fixture name")
                .to_owned();
            let output = input.with_file_name(format!("{name}.out.tf"));
            let read = |p: &Path| {
                std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
            };
            (name, read(&input), read(&output))
        })
        .collect()
}

fn diff(expected: &str, actual: &str) -> String {
    TextDiff::from_lines(expected, actual)
        .unified_diff()
        .context_radius(3)
        .header("expected", "actual")
        .to_string()
}

#[test]
fn fixtures_format_to_expected_output() {
    let mut failures = String::new();
    for (name, input, expected) in fixtures() {
        match format_hcl(&input) {
            Ok(actual) if actual == expected => {}
            Ok(actual) => {
                let _ = writeln!(failures, "--- {name}\n{}", diff(&expected, &actual));
            }
            Err(err) => {
                let _ = writeln!(failures, "--- {name}: error: {err}");
            }
        }
    }
    assert!(failures.is_empty(), "fixtures differ:\n{failures}");
}

#[test]
fn formatting_is_idempotent_on_every_fixture() {
    for (name, input, expected) in fixtures() {
        let once = format_hcl(&input).unwrap_or_else(|e| panic!("{name}: {e}"));
        let twice = format_hcl(&once).unwrap_or_else(|e| panic!("{name} (second pass): {e}"));
        assert!(
            once == twice,
            "{name}: second pass changed:\n{}",
            diff(&once, &twice)
        );
        let again = format_hcl(&expected).unwrap_or_else(|e| panic!("{name} (expected): {e}"));
        assert!(
            again == expected,
            "{name}: expected output is not a fixed point:\n{}",
            diff(&expected, &again)
        );
    }
}

#[test]
fn unchecked_formatting_equals_checked_formatting() {
    for (name, input, _) in fixtures() {
        assert_eq!(format_unchecked(&input), format_hcl(&input), "{name}");
    }
}

// ---------------------------------------------------------------------------------------
// The terraform oracle.

/// `terraform fmt -` of the text, or `None` when terraform is not on PATH.
fn terraform_fmt(src: &str) -> Option<Result<String, String>> {
    let mut child = Command::new("terraform")
        .args(["fmt", "-no-color", "-"])
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let input = src.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().ok()?;
    writer.join().ok()?.ok()?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    Some(if output.status.success() {
        Ok(stdout)
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    })
}

fn terraform_available() -> bool {
    let found = Command::new("terraform")
        .arg("version")
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        eprintln!(
            "skipped: `terraform` is not on PATH, so the terraform fmt oracle was not consulted"
        );
    }
    found
}

/// The text without blank lines and without trailing whitespace: what is left when the
/// blank-line and trailing-whitespace policies are factored out.
fn without_policy(text: &str) -> String {
    text.lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Checks one input against the oracle: our output equals `terraform fmt` of the input up
/// to blank lines, trailing whitespace and the indentation of flush heredoc bodies (the
/// dlgen policies: applying them to terraform's output gives ours), and `terraform fmt`
/// leaves our output unchanged. `exact` inputs have no blank lines and no flush heredocs,
/// so there the outputs must be identical.
fn check_against_terraform(name: &str, input: &str, exact: bool) -> Result<(), String> {
    let ours =
        format_hcl(input).map_err(|e| format!("{name}: our formatter failed: {e}\n{input}"))?;
    let theirs = match terraform_fmt(input) {
        Some(Ok(theirs)) => theirs,
        Some(Err(stderr)) => {
            return Err(format!(
                "{name}: terraform fmt rejected the input:\n{stderr}\n{input}"
            ));
        }
        None => return Err(format!("{name}: terraform could not be run")),
    };
    if exact && !input.contains("<<-") && ours != theirs {
        return Err(format!(
            "{name}: differs from terraform fmt:\n{}",
            diff(&theirs, &ours)
        ));
    }
    let theirs_with_policy = format_hcl(&theirs)
        .map_err(|e| format!("{name}: our formatter failed on terraform's output: {e}"))?;
    if ours != theirs_with_policy {
        return Err(format!(
            "{name}: differs from terraform fmt beyond dlgen's policies:\n{}",
            diff(&theirs_with_policy, &ours)
        ));
    }
    if without_policy(&ours) != without_policy(&theirs) && !input.contains("<<-") {
        return Err(format!(
            "{name}: differs from terraform fmt beyond blank lines and trailing whitespace:\n{}",
            diff(&theirs, &ours)
        ));
    }
    match terraform_fmt(&ours) {
        Some(Ok(again)) if again == ours => Ok(()),
        Some(Ok(again)) => Err(format!(
            "{name}: terraform fmt changes our output:\n{}",
            diff(&ours, &again)
        )),
        Some(Err(stderr)) => Err(format!(
            "{name}: terraform fmt rejected our output:\n{stderr}"
        )),
        None => Err(format!("{name}: terraform could not be run")),
    }
}

#[test]
fn fixtures_agree_with_terraform_fmt() {
    if !terraform_available() {
        return;
    }
    let failures: Vec<String> = fixtures()
        .iter()
        .filter_map(|(name, input, _)| check_against_terraform(name, input, false).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn generated_hcl_agrees_with_terraform_fmt() {
    if !terraform_available() {
        return;
    }
    let mut failures = Vec::new();
    for seed in 1..=12u64 {
        // Without blank lines, the output must be exactly terraform's.
        let exact = HclGen::new(seed, false).file(30);
        if let Err(e) =
            check_against_terraform(&format!("seed {seed} (no blank lines)"), &exact, true)
        {
            failures.push(e);
        }
        let with_blanks = HclGen::new(seed + 1000, true).file(30);
        if let Err(e) =
            check_against_terraform(&format!("seed {seed} (blank lines)"), &with_blanks, false)
        {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The terraform style (`dlgen fmt`) has no policies: on random HCL, blank lines and flush
/// heredocs included, it must print exactly what terraform prints.
#[test]
fn generated_hcl_in_the_terraform_style_is_exactly_terraform_fmt() {
    if !terraform_available() {
        return;
    }
    let mut failures = Vec::new();
    for seed in 1..=16u64 {
        let src = HclGen::new(seed + 2000, seed % 2 == 0).file(30);
        let ours = match format_terraform(&src) {
            Ok(ours) => ours,
            Err(e) => {
                failures.push(format!("seed {seed}: {e}\n{src}"));
                continue;
            }
        };
        match terraform_fmt(&src) {
            // terraform's stdin output ends with a line break; a file keeps its ending.
            Some(Ok(theirs)) if theirs == ours || (theirs == format!("{ours}\n")) => {}
            Some(Ok(theirs)) => failures.push(format!(
                "seed {seed}: differs from terraform fmt:\n{}",
                diff(&theirs, &ours)
            )),
            Some(Err(stderr)) => failures.push(format!("seed {seed}: terraform: {stderr}")),
            None => failures.push(format!("seed {seed}: terraform could not be run")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------------------
// Errors.

fn error_of(src: &str) -> FormatError {
    match format_hcl(src) {
        Ok(out) => panic!("expected an error for {src:?}, got:\n{out}"),
        Err(err) => err,
    }
}

#[test]
fn unterminated_string_is_reported_at_its_opening_quote() {
    let err = error_of("locals {\n  a = 1\n  b = \"open\n  c = 2\n}\n");
    assert_eq!(err.kind, FormatErrorKind::UnterminatedString);
    assert_eq!((err.line, err.column), (3, 7));
    assert!(
        err.to_string()
            .starts_with("line 3, column 7: unterminated string"),
        "{err}"
    );

    let at_eof = error_of("a = \"no end");
    assert_eq!(at_eof.kind, FormatErrorKind::UnterminatedString);
    assert_eq!((at_eof.line, at_eof.column), (1, 5));
}

#[test]
fn string_with_interpolation_may_span_lines_but_not_its_literal() {
    assert_eq!(
        format_hcl("a = \"x${\n  b\n}\"\n").as_deref(),
        Ok("a = \"x${\n  b\n}\"\n")
    );
    let err = error_of("a = \"x${b}\nc = 1\n");
    assert_eq!(err.kind, FormatErrorKind::UnterminatedString);
    assert_eq!(err.line, 1);
}

#[test]
fn unterminated_heredoc_is_reported_at_its_introducer() {
    let src = "locals {\n  x = 1\n  script = <<-EOT\n    echo hi\n    EOTX\n}\n";
    let err = error_of(src);
    assert_eq!(
        err.kind,
        FormatErrorKind::UnterminatedHeredoc {
            marker: "EOT".into()
        }
    );
    assert_eq!((err.line, err.column), (3, 12));
    assert!(err.to_string().contains("`EOT`"), "{err}");
}

#[test]
fn heredoc_marker_at_end_of_input_without_newline_does_not_close() {
    // hclsyntax needs the newline after the closing marker; so do we.
    let err = error_of("a = <<EOT\nbody\nEOT");
    assert_eq!(
        err.kind,
        FormatErrorKind::UnterminatedHeredoc {
            marker: "EOT".into()
        }
    );
    assert_eq!(err.line, 1);
    assert_eq!(
        format_hcl("a = <<EOT\nbody\nEOT\n").as_deref(),
        Ok("a = <<EOT\nbody\nEOT\n")
    );
}

#[test]
fn heredoc_closing_marker_rules() {
    // Indented and trailing-space markers close even a plain `<<EOT`; a marker after a
    // template sequence on the same line does not.
    let src = "a = <<EOT\n${x}EOT\n  EOT  \nb = 1\n";
    assert_eq!(
        format_hcl(src).as_deref(),
        Ok("a = <<EOT\n${x}EOT\n  EOT\nb = 1\n")
    );
    let err = error_of("a = <<EOT\n${x}EOT\nb = 1\n");
    assert!(
        matches!(err.kind, FormatErrorKind::UnterminatedHeredoc { .. }),
        "{err}"
    );
}

#[test]
fn unterminated_block_comment_is_reported_where_it_starts() {
    let err = error_of("a = 1\n\nb = 2 /* never\nclosed\n");
    assert_eq!(err.kind, FormatErrorKind::UnterminatedComment);
    assert_eq!((err.line, err.column), (3, 7));
}

#[test]
fn unclosed_bracket_is_reported_where_it_opens() {
    let err = error_of("resource \"a\" \"b\" {\n  x = [1,\n    2\n}\n");
    assert_eq!(
        err.kind,
        FormatErrorKind::UnexpectedClose {
            close: '}',
            open: Some(OpenBracket {
                bracket: "[",
                line: 2,
                column: 7
            })
        }
    );
    assert_eq!((err.line, err.column), (4, 1));
    assert!(
        err.to_string()
            .contains("does not match `[` at line 2, column 7"),
        "{err}"
    );

    let err = error_of("locals {\n  a = 1\n");
    assert_eq!(err.kind, FormatErrorKind::UnclosedBracket { open: '{' });
    assert_eq!((err.line, err.column), (1, 8));
}

#[test]
fn stray_closing_bracket_is_reported() {
    let err = error_of("a = 1\n}\n");
    assert_eq!(
        err.kind,
        FormatErrorKind::UnexpectedClose {
            close: '}',
            open: None
        }
    );
    assert_eq!((err.line, err.column), (2, 1));
}

#[test]
fn closing_bracket_inside_a_template_sequence_is_reported() {
    let err = error_of("a = \"x %{ if [1 ) }\"\n");
    assert_eq!(
        err.kind,
        FormatErrorKind::UnexpectedClose {
            close: ')',
            open: Some(OpenBracket {
                bracket: "[",
                line: 1,
                column: 14
            })
        }
    );
    let err = error_of("a = \"${ 1 ]}\"\n");
    assert!(
        err.to_string()
            .contains("`]` does not match `${` at line 1, column 6"),
        "{err}"
    );
}

#[test]
fn unterminated_template_sequence_is_reported() {
    let err = error_of("a = <<EOT\n${var.x\nEOT\n");
    assert_eq!(err.kind, FormatErrorKind::UnterminatedTemplate);
    assert_eq!((err.line, err.column), (2, 1));
}

#[test]
fn unparsable_output_names_the_input_line_and_asks_for_a_bug_report() {
    // Blank lines are dropped, so output line 2 comes from input line 4.
    let src = "a = 1\n\n\nb = = 2\n";
    let err = error_of(src);
    let FormatErrorKind::InvalidOutput {
        output_line,
        source_line,
        ..
    } = &err.kind
    else {
        panic!("expected InvalidOutput, got {err:?}");
    };
    assert_eq!(*output_line, 3);
    assert_eq!(source_line, "b = = 2");
    assert_eq!(err.line, 4);
    let message = err.to_string();
    assert!(message.contains("bug in dlgen"), "{message}");
    // Without the parse, the same text formats.
    assert_eq!(format_unchecked(src).as_deref(), Ok("a = 1\n\nb = = 2\n"));
}

#[test]
fn nested_lone_interpolations_unwrap_to_the_fixed_point() {
    let src = "a = \"${\"${var.x}\"}\"\nb = \"${ \"${\"lit\"}\" }\"\n";
    assert_eq!(format_hcl(src).as_deref(), Ok("a = var.x\nb = \"lit\"\n"));
    // One `terraform fmt` run unwraps one level; running it again gets to our result.
    if terraform_available() {
        let once = terraform_fmt(src)
            .and_then(Result::ok)
            .expect("terraform fmt");
        assert_eq!(once, "a = \"${var.x}\"\nb = \"${\"lit\"}\"\n");
        let twice = terraform_fmt(&once)
            .and_then(Result::ok)
            .expect("terraform fmt");
        assert_eq!(Ok(twice), format_hcl(src));
    }
}

#[test]
fn deeply_nested_input_is_an_error_not_a_crash() {
    let n = 5000;
    let blocks = "a {\n".repeat(n) + &"}\n".repeat(n);
    let parens = format!("x = {}1{}\n", "(".repeat(n), ")".repeat(n));
    let templates = format!("x = [{}1{}]\n", "\"${".repeat(n), "}\"".repeat(n));
    for src in [blocks, parens, templates] {
        assert!(format_unchecked(&src).is_ok());
        let err = error_of(&src);
        assert!(
            matches!(err.kind, FormatErrorKind::InvalidOutput { .. }),
            "{err:?}"
        );
    }
    // Nested lone interpolations unwrap level by level, but no deeper than hcl-rs parses.
    let lone = format!("x = {}1{}\n", "\"${".repeat(n), "}\"".repeat(n));
    assert!(format_unchecked(&lone).is_ok_and(|out| out.len() < lone.len()));
}

#[test]
fn empty_and_blank_inputs_format_to_nothing() {
    assert_eq!(format_hcl("").as_deref(), Ok(""));
    assert_eq!(format_hcl("\n\n  \n").as_deref(), Ok(""));
}

#[test]
fn crlf_line_endings_become_lf() {
    assert_eq!(
        format_hcl("a=1\r\nbb=2\r\n").as_deref(),
        Ok("a  = 1\nbb = 2\n")
    );
}

// ---------------------------------------------------------------------------------------
// Generated inputs.

/// xorshift64*: deterministic, so failures reproduce from the seed.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

#[test]
fn random_token_soups_never_panic() {
    const VOCAB: &[&str] = &[
        "a", "b_c", "in", "for", "if", "x-y", "1", "2.5", "1e3", "=", "==", "!=", "{", "}", "[",
        "]", "(", ")", "\"", "\"s\"", "${", "%{", "$${", "~}", "}", "<<EOT\n", "<<-EOT\n", "EOT\n",
        "  EOT\n", "<<", "#c\n", "// c\n", "/*", "*/", "/* c */", "\n", "\n\n", " ", "\t", "\r\n",
        "\r", ",", ".", "...", "*", "-", "!", "?", ":", "::", "=>", "+", "/", "%", "&&", "||", "<",
        ">=", ";", "$", "é", "—", "e\u{301}", "😀", "\\", "\\u00e9", "\\q",
    ];
    let mut ok = 0;
    for seed in 0..3000u64 {
        let mut rng = Rng::new(seed);
        let len = rng.below(40);
        let soup: String = (0..len).map(|_| rng.pick(VOCAB)).collect();
        match format_hcl(&soup) {
            Ok(out) => {
                ok += 1;
                assert!(
                    out.is_empty() || out.ends_with('\n'),
                    "seed {seed}: {out:?}"
                );
                let again = format_hcl(&out);
                assert_eq!(
                    again.as_ref(),
                    Ok(&out),
                    "seed {seed}: not idempotent for {soup:?}"
                );
            }
            Err(err) => {
                let lines = soup.split('\n').count() + 1;
                assert!(
                    err.line >= 1 && err.line <= lines,
                    "seed {seed}: {err:?} for {soup:?}"
                );
                assert!(err.column >= 1, "seed {seed}: {err:?}");
            }
        }
        // The unchecked path must not panic either, nor the terraform style, which is
        // idempotent too (a nested lone interpolation aside: it loses a level per run).
        let _ = format_unchecked(&soup);
        if let Ok(out) = format_terraform(&soup)
            && !soup.contains("${")
        {
            assert_eq!(
                format_terraform(&out).as_ref(),
                Ok(&out),
                "seed {seed}: terraform style not idempotent for {soup:?}"
            );
        }
    }
    assert!(
        ok > 0,
        "no soup was valid HCL; the generator tests nothing past the parse"
    );
}

#[test]
fn generated_hcl_formats_parses_and_is_idempotent() {
    for seed in 0..200u64 {
        let src = HclGen::new(seed, seed % 2 == 0).file(6);
        let once = format_hcl(&src).unwrap_or_else(|e| panic!("seed {seed}: {e}\n{src}"));
        let twice =
            format_hcl(&once).unwrap_or_else(|e| panic!("seed {seed} (again): {e}\n{once}"));
        assert!(
            once == twice,
            "seed {seed}: not idempotent:\n{}\ninput:\n{src}",
            diff(&once, &twice)
        );
        assert!(
            !once.contains("\n\n\n"),
            "seed {seed}: a run of blank lines survived"
        );
        assert!(
            !once.starts_with('\n') && !once.ends_with("\n\n"),
            "seed {seed}"
        );
    }
}

/// Random valid HCL with sloppy whitespace: bodies, blocks, attributes and every kind of
/// expression, heredocs, comments. `blank_lines` sprinkles blank lines between items.
struct HclGen {
    rng: Rng,
    out: String,
    names: usize,
    blank_lines: bool,
}

impl HclGen {
    fn new(seed: u64, blank_lines: bool) -> Self {
        HclGen {
            rng: Rng::new(seed),
            out: String::new(),
            names: 0,
            blank_lines,
        }
    }

    fn file(mut self, items: usize) -> String {
        for _ in 0..items {
            self.item(0);
        }
        self.out
    }

    fn name(&mut self) -> String {
        self.names += 1;
        let stem = self.rng.pick(&[
            "a",
            "bb",
            "name",
            "a_much_longer_name",
            "x",
            "tls_secret_name",
        ]);
        format!("{stem}{}", self.names)
    }

    /// Optional spaces where a separator is not needed.
    fn pad(&mut self) {
        let pad = self.rng.pick(&["", "", " ", "  ", "\t"]);
        self.out.push_str(pad);
    }

    /// At least one space.
    fn space(&mut self) {
        let space = self.rng.pick(&[" ", " ", "  ", " \t"]);
        self.out.push_str(space);
    }

    fn indent(&mut self) {
        let n = self.rng.below(7);
        self.out.extend(std::iter::repeat_n(' ', n));
    }

    fn newline(&mut self) {
        self.out.push('\n');
        if self.blank_lines && self.rng.chance(15) {
            let blank = self.rng.pick(&["\n", "   \n", "\n\n"]);
            self.out.push_str(blank);
        }
    }

    fn item(&mut self, depth: usize) {
        match self.rng.below(12) {
            0..=5 => self.attribute(),
            6..=8 if depth < 3 => self.block(depth),
            9 => {
                self.indent();
                let comment = self.rng.pick(&[
                    "# a comment",
                    "// another",
                    "/* block */",
                    "# KEEL — marker",
                ]);
                self.out.push_str(comment);
                self.newline();
            }
            _ => self.attribute(),
        }
    }

    fn trailing_comment(&mut self) {
        if self.rng.chance(25) {
            self.space();
            let comment =
                self.rng
                    .pick(&["# KYVERNO_LIFECYCLE_V1", "// why", "# é — ok", "/* c */"]);
            self.out.push_str(comment);
        }
    }

    fn attribute(&mut self) {
        self.indent();
        let name = self.name();
        self.out.push_str(&name);
        self.pad();
        self.out.push('=');
        self.pad();
        match self.rng.below(14) {
            0 => {
                self.heredoc();
                return;
            }
            1 => {
                // `command = ["/bin/sh", "-c", <<-EOT ... EOT\n]`
                self.out.push_str("[\"/bin/sh\",");
                self.pad();
                self.out.push_str("\"-c\",");
                self.space();
                self.heredoc();
                self.indent();
                self.out.push(']');
            }
            2 => {
                self.out.push_str("\"${");
                self.pad();
                self.operand();
                self.pad();
                self.out.push_str("}\"");
            }
            _ => self.expr(0, true),
        }
        self.trailing_comment();
        self.newline();
    }

    fn block(&mut self, depth: usize) {
        self.indent();
        let top_variable = depth == 0 && self.rng.chance(15);
        if top_variable {
            let name = self.name();
            self.out.push_str(&format!("variable \"{name}\""));
            self.space();
            self.out.push('{');
            self.out.push('\n');
            self.indent();
            let ty = self.rng.pick(&[
                "\"string\"",
                "\"list\"",
                "\"map\"",
                "list",
                "map",
                "list(string)",
                "string",
            ]);
            self.out.push_str("type");
            self.pad();
            self.out.push('=');
            self.pad();
            self.out.push_str(ty);
            self.out.push('\n');
            if self.rng.chance(50) {
                self.attribute();
            }
            self.indent();
            self.out.push('}');
            self.newline();
            return;
        }
        let kind = self.rng.pick(&[
            "resource",
            "module",
            "locals",
            "dynamic",
            "spec",
            "container",
        ]);
        self.out.push_str(kind);
        for _ in 0..self.rng.below(3) {
            self.space();
            let label = self.rng.pick(&[
                "\"kubernetes_deployment\"",
                "app",
                "\"a\\\"b\"",
                "\"\\u0041x\"",
                "\"drone-logbook\"",
                "\"\"",
            ]);
            self.out.push_str(label);
        }
        self.pad();
        match self.rng.below(10) {
            0 => {
                self.out.push_str("{}");
                self.newline();
            }
            1 => {
                self.out.push('{');
                self.space();
                let name = self.name();
                self.out.push_str(&name);
                self.pad();
                self.out.push('=');
                self.pad();
                self.expr(2, false);
                self.space();
                self.out.push('}');
                self.newline();
            }
            _ => {
                self.out.push('{');
                if !self.blank_lines {
                    self.trailing_comment();
                }
                self.newline();
                for _ in 0..1 + self.rng.below(5) {
                    self.item(depth + 1);
                }
                self.indent();
                self.out.push('}');
                self.newline();
            }
        }
    }

    /// A heredoc, up to and including the newline after its closing marker.
    fn heredoc(&mut self) {
        let flush = self.rng.chance(50);
        let marker = self.rng.pick(&["EOT", "END", "SCRIPT"]);
        self.out.push_str(if flush { "<<-" } else { "<<" });
        self.out.push_str(marker);
        self.out.push('\n');
        // At least one body line: hcl-rs 0.20 misreads an empty heredoc body when a later
        // heredoc uses the same marker (valid HCL; terraform accepts it).
        for _ in 0..1 + self.rng.below(4) {
            self.indent();
            match self.rng.below(7) {
                0 => self.out.push_str("echo \"$${HOME}\" %%{ not } $5"),
                1 => {
                    self.out.push_str("value ${");
                    self.pad();
                    self.expr(2, false);
                    self.pad();
                    self.out.push('}');
                }
                2 => self.out.push_str("%{ if var.debug ~}set -x%{ endif ~}"),
                3 => {}
                4 => self.out.push_str("trailing spaces are text   "),
                _ => self.out.push_str("plain text — with EOT inside"),
            }
            self.out.push('\n');
        }
        self.indent();
        self.out.push_str(marker);
        self.out.push('\n');
    }

    /// An expression; `multi` allows newlines inside brackets.
    fn expr(&mut self, depth: usize, multi: bool) {
        let leaf = depth >= 3;
        match if leaf {
            self.rng.below(4)
        } else {
            self.rng.below(16)
        } {
            0 => {
                let n = self.rng.pick(&["1", "42", "3.14", "1e3", "0"]);
                self.out.push_str(n);
            }
            1 => {
                let t = self.rng.pick(&[
                    "var.x",
                    "local.labels",
                    "module.nfs.claim_name",
                    "metadata[0].annotations[\"keel.sh/policy\"]",
                    "a.*.b",
                    "a[*].b",
                    "legacy.0.value",
                    "true",
                    "null",
                    "each.value",
                ]);
                self.out.push_str(t);
            }
            2 => self.string(depth),
            3 => {
                let s = self
                    .rng
                    .pick(&["\"plain\"", "\"\"", "\"é — ok\"", "\"tab\\t \\\"q\\\"\""]);
                self.out.push_str(s);
            }
            4 => self.list(depth, multi),
            5 => self.object(depth, multi),
            6 => self.call(depth, multi),
            7 => {
                self.expr(depth + 1, multi);
                self.space();
                self.out.push('?');
                self.space();
                self.expr(depth + 1, multi);
                self.space();
                self.out.push(':');
                self.space();
                self.expr(depth + 1, multi);
            }
            8 => {
                self.expr(depth + 1, multi);
                let op = self
                    .rng
                    .pick(&["+", "-", "*", "/", "%", "==", "!=", "<", ">=", "&&", "||"]);
                // A `-` right after an identifier would join it.
                if op == "-" {
                    self.space()
                } else {
                    self.pad()
                }
                self.out.push_str(op);
                self.pad();
                self.expr(depth + 1, multi);
            }
            9 => {
                let op = self.rng.pick(&["-", "!"]);
                self.out.push_str(op);
                self.pad();
                self.expr(3, multi);
            }
            10 => {
                self.out.push('(');
                self.pad();
                self.expr(depth + 1, multi);
                self.pad();
                self.out.push(')');
            }
            11 => self.for_expr(depth, multi),
            12 => {
                self.list(depth, false);
                self.pad();
                self.out.push_str("[0]");
            }
            13 => {
                let f = self.rng.pick(&["f(x)", "cidrsubnet(var.c, 8, 1)"]);
                self.out.push_str(f);
                self.pad();
                self.out.push_str("[0]");
            }
            _ => {
                let t = self.rng.pick(&["var.list", "local.m[\"k\"]"]);
                self.out.push_str(t);
            }
        }
    }

    /// An operand that is not a template: a lone `"${ }"` around a lone `"${ }"` is
    /// unwrapped completely by us but one level per run by `terraform fmt` (tested apart).
    fn operand(&mut self) {
        let operand = self
            .rng
            .pick(&["var.x", "1", "f(x)", "\"lit\"", "[1, 2]", "{ a = 1 }"]);
        self.out.push_str(operand);
    }

    fn string(&mut self, depth: usize) {
        self.out.push('"');
        let parts = 1 + self.rng.below(3);
        for _ in 0..parts {
            match self.rng.below(5) {
                0 if parts == 1 => {
                    self.out.push_str("${");
                    self.pad();
                    self.operand();
                    self.pad();
                    self.out.push('}');
                }
                0 => {
                    self.out.push_str("${");
                    self.pad();
                    self.expr(depth + 2, false);
                    self.pad();
                    self.out.push('}');
                }
                1 => self.out.push_str("$${esc}"),
                2 => {
                    self.out.push_str("%{ if var.on }on%{ else }off%{ endif }");
                }
                _ => self.out.push_str("text-"),
            }
        }
        self.out.push('"');
    }

    fn separator(&mut self, multi: bool) {
        let line_start = self
            .out
            .rsplit('\n')
            .next()
            .is_some_and(|l| l.trim().is_empty());
        if multi && !line_start && self.rng.chance(40) {
            self.out.push('\n');
            self.indent();
        } else {
            self.pad();
        }
    }

    fn list(&mut self, depth: usize, multi: bool) {
        self.out.push('[');
        let n = self.rng.below(4);
        for i in 0..n {
            self.separator(multi);
            self.expr(depth + 1, multi);
            if i + 1 < n || self.rng.chance(30) {
                self.pad();
                self.out.push(',');
            }
            if multi && self.rng.chance(20) {
                self.trailing_comment_in_brackets();
            }
        }
        self.separator(multi);
        self.out.push(']');
    }

    /// A line comment inside brackets must be followed by a newline.
    fn trailing_comment_in_brackets(&mut self) {
        self.space();
        let comment = self.rng.pick(&[
            "# KEEL_IGNORE_IMAGE — Keel manages tag updates",
            "# x",
            "// yy",
        ]);
        self.out.push_str(comment);
        self.out.push('\n');
        self.indent();
    }

    fn object(&mut self, depth: usize, multi: bool) {
        let n = self.rng.below(4);
        let lines = multi && n > 0 && self.rng.chance(60);
        self.out.push('{');
        for i in 0..n {
            if lines {
                self.out.push('\n');
                self.indent();
            } else {
                self.pad();
            }
            let key = match self.rng.below(3) {
                0 => format!("\"k.{}/x\"", self.name()),
                _ => self.name(),
            };
            self.out.push_str(&key);
            self.pad();
            let assign = self.rng.pick(&["=", "=", ":"]);
            self.out.push_str(assign);
            self.pad();
            self.expr(depth + 1, lines);
            // Single-line objects need commas between items; multi-line ones may have them.
            let comma = if lines {
                self.rng.chance(30)
            } else {
                i + 1 < n
            };
            if comma {
                self.out.push(',');
            }
        }
        if lines {
            self.out.push('\n');
            self.indent();
        } else {
            self.pad();
        }
        self.out.push('}');
    }

    fn call(&mut self, depth: usize, multi: bool) {
        let f = self.rng.pick(&[
            "merge",
            "concat",
            "format",
            "lookup",
            "provider::terraform::encode_tfvars",
            "jsondecode",
        ]);
        self.out.push_str(f);
        self.out.push('(');
        let n = self.rng.below(4);
        for i in 0..n {
            self.separator(multi);
            self.expr(depth + 1, multi);
            if i + 1 == n && self.rng.chance(15) {
                self.out.push_str("...");
            } else if i + 1 < n {
                self.pad();
                self.out.push(',');
            }
        }
        self.separator(multi);
        self.out.push(')');
    }

    fn for_expr(&mut self, depth: usize, multi: bool) {
        let object = self.rng.chance(50);
        self.out.push(if object { '{' } else { '[' });
        self.pad();
        self.out.push_str("for");
        self.space();
        if object || self.rng.chance(30) {
            self.out.push_str("k,");
            self.pad();
            self.out.push('v');
        } else {
            self.out.push('v');
        }
        self.space();
        self.out.push_str("in");
        self.space();
        self.expr(depth + 1, multi);
        self.pad();
        self.out.push(':');
        self.pad();
        if object {
            self.out.push('k');
            self.pad();
            self.out.push_str("=>");
            self.pad();
        }
        self.expr(depth + 1, multi);
        if object && self.rng.chance(20) {
            self.out.push_str("...");
        }
        if self.rng.chance(30) {
            self.space();
            self.out.push_str("if");
            self.space();
            self.out.push_str("v != null");
        }
        self.pad();
        self.out.push(if object { '}' } else { ']' });
    }
}

/// The flush-heredoc policy moves body lines, never their value: every heredoc of every
/// fixture evaluates to the same string before and after formatting.
#[test]
fn heredoc_reindentation_keeps_every_value() {
    use hcl::eval::{Context, Evaluate};
    fn heredoc_values(src: &str) -> Vec<hcl::Value> {
        fn walk(body: &hcl::Body, out: &mut Vec<hcl::Value>) {
            for structure in body.iter() {
                match structure {
                    hcl::Structure::Attribute(a) => collect(a.expr(), out),
                    hcl::Structure::Block(b) => walk(b.body(), out),
                }
            }
        }
        fn collect(expr: &hcl::Expression, out: &mut Vec<hcl::Value>) {
            match expr {
                hcl::Expression::TemplateExpr(t)
                    if matches!(**t, hcl::TemplateExpr::Heredoc(_)) =>
                {
                    if let Ok(v) = expr.evaluate(&Context::new()) {
                        out.push(v);
                    }
                }
                hcl::Expression::Array(items) => items.iter().for_each(|e| collect(e, out)),
                hcl::Expression::Object(items) => items.values().for_each(|e| collect(e, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(&hcl::parse(src).expect("fixture parses"), &mut out);
        out
    }
    let mut checked = 0;
    for (name, input, _) in fixtures() {
        let before = heredoc_values(&input);
        let after = heredoc_values(&format_hcl(&input).unwrap());
        assert_eq!(before, after, "{name}: a heredoc changed its value");
        checked += before.len();
    }
    assert!(
        checked >= 5,
        "the fixtures hold only {checked} evaluable heredocs"
    );
    // A body whose indentation really moves keeps its value too.
    let src = "x = <<-EOT\n        a\n\n          b\n      EOT\n";
    let out = format_hcl(src).unwrap();
    assert_eq!(out, "x = <<-EOT\n  a\n\n    b\nEOT\n");
    assert_eq!(heredoc_values(src), heredoc_values(&out));
}
