//! HCL-safe values, proven with property tests through the real pipeline.
//!
//! Every free-text field of a spec gets arbitrary strings — quotes, backslashes, newlines,
//! `${`/`%{` sequences, heredoc markers, comment starters, control and invisible
//! characters, lint directives, YAML syntax — and the spec goes the whole way: spec text →
//! `generate::resolve` → `Renderer::render` (templates, formatter, parse) → `hcl::parse` of
//! the stack. Then:
//!
//! - a **value** field must evaluate (hcl-rs `eval`) to exactly the original string, and
//!   the stack must have the same shape (blocks, labels, attributes) as a stack rendered
//!   with a harmless value;
//! - a **comment** field must leave the parsed stack identical to a stack rendered with a
//!   harmless comment, and its text must appear as exactly the expected `#` lines;
//! - a **trailing comment** field must leave the parsed stack identical and end its line
//!   with exactly the expected `# …`.
//!
//! A new free-text field is one more row in [`FIELDS`]: where it goes in the spec and how
//! it reaches the stack. The number of cases is proptest's (`PROPTEST_CASES`, default 256).

use std::sync::OnceLock;

use dlgen::generate;
use dlgen::render::Renderer;
use hcl::eval::{Context, Evaluate};
use hcl::{Block, Body, Expression};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// A spec with every free-text field; `<<field>>` marks where a field's value goes.
const SPEC: &str = r#"name: app
comment: <<comment>>
containers:
  - image: ghcr.io/owner/app:latest
    port: 80
    env:
      - name: PLAIN
        value: <<env_value>>
        comment: <<env_comment>>
    command: [<<command>>]
    args: [<<args>>]
    resources: {cpu: 25m, memory: 64Mi}
deployment:
  annotations:
    example.com/note: <<deployment_annotation>>
  pod_annotations:
    example.com/note: <<pod_annotation>>
strategy: Recreate
strategy_why: <<strategy_why>>
volumes:
  - name: data
    storage: proxmox-lvm-encrypted
    size: 1Gi
    max_size: 2Gi
    mount: /data
    comment: <<pvc_comment>>
  - name: share
    storage: nfs
    mount: /share
    comment: <<nfs_comment>>
backup:
  schedule: "30 1 * * *"
  comment: <<backup_comment>>
  kind: sqlite
  database: db.sqlite3
  integrity_check:
    schedule: "30 * * * *"
    comment: <<integrity_comment>>
ingress:
  auth: <<auth>>
  auth_why: <<auth_why>>
  comment: <<ingress_comment>>
  homepage:
    name: <<homepage_name>>
    description: <<homepage_description>>
    icon: <<homepage_icon>>
    group: <<homepage_group>>
    pod_selector: <<homepage_pod_selector>>
    widget:
      url: <<widget_value>>
  extra_annotations:
    example.com/note: <<ingress_annotation>>
service:
  comment: <<service_comment>>
  annotations:
    example.com/note: <<service_annotation>>
secrets:
  comment: <<secret_comment>>
  template:
    NOTE: <<secret_template>>
config_maps:
  - name: app-config
    comment: <<config_map_comment>>
    annotations:
      example.com/note: <<config_map_annotation>>
    data:
      note: <<config_map_value>>
random:
  - {name: key, kind: password, length: 16, override_special: <<random_special>>, comment: <<random_comment>>}
service_accounts:
  - {name: app-runner, comment: <<account_comment>>}
"#;

/// How a field reaches the stack.
#[derive(Clone, Copy)]
enum Reaches {
    /// As a string literal, found in `main.tf` by the function.
    Value(fn(&Body) -> Option<String>),
    /// As full-line `#` comments.
    Comment,
    /// As the `# auth = "<tier>": <why>` comment line above the auth line (`auth: app`).
    AuthComment,
    /// As a trailing `# …` comment on the `auth =` line (`auth: required`).
    AuthTrailing,
}

struct Field {
    /// The placeholder in [`SPEC`].
    name: &'static str,
    /// Extra placeholder settings this field needs (e.g. the auth tier).
    with: &'static [(&'static str, &'static str)],
    reaches: Reaches,
}

/// Every free-text field of the spec. Add a row when a field is added.
static FIELDS: &[Field] = &[
    Field {
        name: "env_value",
        with: &[],
        reaches: Reaches::Value(env_value),
    },
    Field {
        name: "homepage_name",
        with: &[],
        reaches: Reaches::Value(|b| annotation(b, "gethomepage.dev/name")),
    },
    Field {
        name: "homepage_description",
        with: &[],
        reaches: Reaches::Value(|b| annotation(b, "gethomepage.dev/description")),
    },
    Field {
        name: "homepage_icon",
        with: &[],
        reaches: Reaches::Value(|b| annotation(b, "gethomepage.dev/icon")),
    },
    Field {
        name: "homepage_group",
        with: &[],
        reaches: Reaches::Value(|b| annotation(b, "gethomepage.dev/group")),
    },
    Field {
        name: "widget_value",
        with: &[],
        reaches: Reaches::Value(|b| annotation(b, "gethomepage.dev/widget.url")),
    },
    Field {
        name: "command",
        with: &[],
        reaches: Reaches::Value(|b| container_list(b, "command")),
    },
    Field {
        name: "args",
        with: &[],
        reaches: Reaches::Value(|b| container_list(b, "args")),
    },
    Field {
        name: "deployment_annotation",
        with: &[],
        reaches: Reaches::Value(|b| deployment_annotation(b, &["metadata"])),
    },
    Field {
        name: "pod_annotation",
        with: &[],
        reaches: Reaches::Value(|b| deployment_annotation(b, &["spec", "template", "metadata"])),
    },
    Field {
        name: "homepage_pod_selector",
        with: &[],
        reaches: Reaches::Value(|b| annotation(b, "gethomepage.dev/pod-selector")),
    },
    Field {
        name: "ingress_annotation",
        with: &[],
        reaches: Reaches::Value(|b| annotation(b, "example.com/note")),
    },
    Field {
        name: "service_annotation",
        with: &[],
        reaches: Reaches::Value(|b| {
            object_item(
                resource(b, "kubernetes_service", &["metadata"])?,
                "annotations",
                "example.com/note",
            )
        }),
    },
    Field {
        name: "config_map_annotation",
        with: &[],
        reaches: Reaches::Value(|b| {
            object_item(
                resource(b, "kubernetes_config_map", &["metadata"])?,
                "annotations",
                "example.com/note",
            )
        }),
    },
    Field {
        name: "config_map_value",
        with: &[],
        reaches: Reaches::Value(|b| {
            object_item(resource(b, "kubernetes_config_map", &[])?, "data", "note")
        }),
    },
    Field {
        name: "secret_template",
        with: &[],
        reaches: Reaches::Value(|b| {
            let manifest = resource(b, "kubernetes_manifest", &[])?;
            let value = attr(manifest, "manifest")?.evaluate(&Context::new()).ok()?;
            let mut at = &value;
            for key in ["spec", "target", "template", "data", "NOTE"] {
                at = match at {
                    hcl::Value::Object(items) => items.get(key)?,
                    _ => return None,
                };
            }
            at.as_str().map(str::to_owned)
        }),
    },
    Field {
        name: "random_special",
        with: &[],
        reaches: Reaches::Value(|b| {
            attr(resource(b, "random_password", &[])?, "override_special").and_then(string_of)
        }),
    },
    Field {
        name: "ingress_comment",
        with: &[],
        reaches: Reaches::Comment,
    },
    Field {
        name: "service_comment",
        with: &[],
        reaches: Reaches::Comment,
    },
    Field {
        name: "secret_comment",
        with: &[],
        reaches: Reaches::Comment,
    },
    Field {
        name: "config_map_comment",
        with: &[],
        reaches: Reaches::Comment,
    },
    Field {
        name: "random_comment",
        with: &[],
        reaches: Reaches::Comment,
    },
    Field {
        name: "account_comment",
        with: &[],
        reaches: Reaches::Comment,
    },
    Field {
        name: "integrity_comment",
        with: &[],
        reaches: Reaches::Comment,
    },
    Field {
        name: "comment",
        with: &[],
        reaches: Reaches::Comment,
    },
    Field {
        name: "env_comment",
        with: &[],
        reaches: Reaches::Comment,
    },
    Field {
        name: "strategy_why",
        with: &[],
        reaches: Reaches::Comment,
    },
    Field {
        name: "pvc_comment",
        with: &[],
        reaches: Reaches::Comment,
    },
    Field {
        name: "nfs_comment",
        with: &[],
        reaches: Reaches::Comment,
    },
    Field {
        name: "backup_comment",
        with: &[],
        reaches: Reaches::Comment,
    },
    Field {
        name: "auth_why",
        with: &[("auth", "app")],
        reaches: Reaches::AuthComment,
    },
    Field {
        name: "auth_why",
        with: &[("auth", "required")],
        reaches: Reaches::AuthTrailing,
    },
];

/// The harmless value every field has when it is not the one under test.
const HARMLESS: &str = "plain words";

/// A YAML double-quoted scalar that reads back as exactly `s`: `"` and `\` escaped, every
/// character that is not printable ASCII or ordinary Unicode written as an escape.
fn yaml_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            c if c.is_control()
                || dlgen::hcl::is_invisible(c)
                || matches!(c, '\u{FFFE}' | '\u{FFFF}')
                || (c as u32) > 0xFFFF =>
            {
                out.push_str(&format!("\\U{:08X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn spec_with(field: &Field, value: &str) -> String {
    // One pass over the template, so a value that looks like a placeholder stays a value.
    let mut spec = String::new();
    let mut rest = SPEC;
    while let Some(start) = rest.find("<<") {
        spec.push_str(&rest[..start]);
        let end = rest[start..].find(">>").expect("placeholders are closed") + start;
        let name = &rest[start + 2..end];
        let setting = field.with.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
        match (name, setting) {
            (_, Some(v)) => spec.push_str(v),
            ("auth", None) => spec.push_str("app"),
            (n, None) if n == field.name => spec.push_str(&yaml_quote(value)),
            _ => spec.push_str(&yaml_quote(HARMLESS)),
        }
        rest = &rest[end + 2..];
    }
    spec.push_str(rest);
    spec
}

fn renderer() -> &'static Renderer {
    static R: OnceLock<Renderer> = OnceLock::new();
    R.get_or_init(|| Renderer::new().expect("templates compile"))
}

/// `main.tf` rendered from `spec`, or the diagnostics.
fn render(spec: &str) -> Result<String, String> {
    let stack = generate::resolve("specs/app.yaml", spec).map_err(|e| e.to_string())?;
    let files = renderer()
        .render(&stack, "specs/app.yaml")
        .map_err(|e| format!("render failed: {e}"))?;
    Ok(files
        .into_iter()
        .find(|f| f.name == "main.tf")
        .expect("main.tf is rendered")
        .contents)
}

fn fail(msg: String) -> TestCaseError {
    TestCaseError::fail(msg)
}

fn parse(main: &str) -> Result<Body, TestCaseError> {
    hcl::parse(main).map_err(|e| fail(format!("the stack does not parse: {e}\n{main}")))
}

fn blocks<'a>(body: &'a Body, ident: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
    body.blocks().filter(move |b| b.identifier() == ident)
}

fn attr<'a>(body: &'a Body, key: &str) -> Option<&'a Expression> {
    body.attributes().find(|a| a.key() == key).map(|a| a.expr())
}

fn string_of(expr: &Expression) -> Option<String> {
    match expr.evaluate(&Context::new()) {
        Ok(hcl::Value::String(s)) => Some(s),
        _ => None,
    }
}

fn env_value(body: &Body) -> Option<String> {
    let deployment = blocks(body, "resource")
        .find(|b| b.labels().first().map(|l| l.as_str()) == Some("kubernetes_deployment"))?;
    let mut at = deployment.body();
    for name in ["spec", "template", "spec", "container"] {
        at = blocks(at, name).next()?.body();
    }
    let env = blocks(at, "env")
        .find(|e| attr(e.body(), "name").and_then(string_of).as_deref() == Some("PLAIN"))?;
    attr(env.body(), "value").and_then(string_of)
}

fn deployment(body: &Body) -> Option<&Block> {
    blocks(body, "resource")
        .find(|b| b.labels().first().map(|l| l.as_str()) == Some("kubernetes_deployment"))
}

/// The single item of the first container's `command` or `args` list.
fn container_list(body: &Body, key: &str) -> Option<String> {
    let mut at = deployment(body)?.body();
    for name in ["spec", "template", "spec", "container"] {
        at = blocks(at, name).next()?.body();
    }
    match attr(at, key)?.evaluate(&Context::new()).ok()? {
        hcl::Value::Array(items) if items.len() == 1 => items[0].as_str().map(str::to_owned),
        _ => None,
    }
}

/// The `example.com/note` annotation of the Deployment block at `path`.
fn deployment_annotation(body: &Body, path: &[&str]) -> Option<String> {
    let mut at = deployment(body)?.body();
    for name in path {
        at = blocks(at, name).next()?.body();
    }
    match attr(at, "annotations")?.evaluate(&Context::new()).ok()? {
        hcl::Value::Object(items) => items.get("example.com/note")?.as_str().map(str::to_owned),
        _ => None,
    }
}

/// The body at `path` inside the first resource of type `kind`.
fn resource<'a>(body: &'a Body, kind: &str, path: &[&'a str]) -> Option<&'a Body> {
    let mut at = blocks(body, "resource")
        .find(|b| b.labels().first().map(|l| l.as_str()) == Some(kind))?
        .body();
    for name in path {
        at = blocks(at, name).next()?.body();
    }
    Some(at)
}

/// The string at `key` of the object attribute `object` of `body`.
fn object_item(body: &Body, object: &str, key: &str) -> Option<String> {
    match attr(body, object)?.evaluate(&Context::new()).ok()? {
        hcl::Value::Object(items) => items.get(key)?.as_str().map(str::to_owned),
        _ => None,
    }
}

fn annotation(body: &Body, key: &str) -> Option<String> {
    let ingress = blocks(body, "module")
        .find(|b| b.labels().first().map(|l| l.as_str()) == Some("ingress"))?;
    let value = attr(ingress.body(), "extra_annotations")?
        .evaluate(&Context::new())
        .ok()?;
    match value {
        hcl::Value::Object(items) => match items.get(key) {
            Some(hcl::Value::String(s)) => Some(s.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// The structure of a body: every block with its labels and every attribute key, nested.
fn shape(body: &Body) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(body: &Body, prefix: &str, out: &mut Vec<String>) {
        for a in body.attributes() {
            out.push(format!("{prefix}{} =", a.key()));
        }
        for b in body.blocks() {
            let labels: Vec<&str> = b.labels().iter().map(|l| l.as_str()).collect();
            let here = format!("{prefix}{} {labels:?} / ", b.identifier());
            out.push(here.clone());
            walk(b.body(), &here, out);
        }
    }
    walk(body, "", &mut out);
    out
}

// --- the expected comment text, stated independently of `hcl::comment_lines` ------------

/// One line of free text as a comment shows it: tab kept, other control characters a
/// space, invisible characters `<U+XXXX>`, a lint directive defused, trailing blanks gone.
fn shown(line: &str) -> String {
    let mut out = String::new();
    for c in line.chars() {
        if c == '\t' {
            out.push(c);
        } else if dlgen::hcl::is_invisible(c) {
            out.push_str(&format!("<U+{:04X}>", c as u32));
        } else if c.is_control() {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    while out.contains("dlgen:allow") {
        out = out.replace("dlgen:allow", "dlgen: allow");
    }
    out.trim_end().to_owned()
}

/// The `#` lines a comment field must become: one per line of the text (CR, LF and CRLF
/// end lines), blank lines as `#`, trailing blank lines dropped, nothing for blank text.
fn expected_comment(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text
        .replace("\r\n", "\n")
        .split(['\n', '\r'])
        .map(shown)
        .collect();
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    lines
        .into_iter()
        .map(|l| {
            if l.is_empty() {
                "#".to_owned()
            } else {
                format!("# {l}")
            }
        })
        .collect()
}

/// Free text on one line: runs of whitespace and control characters become one space.
fn expected_one_line(text: &str) -> String {
    let shown: String = text
        .chars()
        .map(|c| {
            if dlgen::hcl::is_invisible(c) {
                format!("<U+{:04X}>", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect();
    let mut words = shown
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    while words.contains("dlgen:allow") {
        words = words.replace("dlgen:allow", "dlgen: allow");
    }
    words
}

/// Whether `needle` occurs in `lines` as a contiguous run (lines compared without their
/// indentation).
fn contains_run(lines: &[&str], needle: &[String]) -> bool {
    needle.is_empty()
        || lines
            .windows(needle.len())
            .any(|w| w.iter().zip(needle).all(|(a, b)| a.trim_start() == b))
}

/// The index of the `auth = "<tier>"` line of the ingress module.
fn auth_line(lines: &[&str], tier: &str) -> Option<usize> {
    let code = format!("= \"{tier}\"");
    lines.iter().position(|l| {
        let t = l.trim_start();
        t.starts_with("auth ") && t["auth".len()..].trim_start().starts_with(&code)
    })
}

/// The stack rendered with [`HARMLESS`] in every field, and its parse, per row of
/// [`FIELDS`] (rendered once).
fn baseline(field: &Field) -> Result<(&'static str, Body), TestCaseError> {
    static BASELINES: OnceLock<Vec<Result<String, String>>> = OnceLock::new();
    let all = BASELINES.get_or_init(|| {
        FIELDS
            .iter()
            .map(|f| render(&spec_with(f, HARMLESS)))
            .collect()
    });
    let i = FIELDS
        .iter()
        .position(|f| std::ptr::eq(f, field))
        .ok_or_else(|| fail("not a row of FIELDS".to_owned()))?;
    match &all[i] {
        Ok(main) => Ok((main.as_str(), parse(main)?)),
        Err(e) => Err(fail(format!("the harmless spec fails: {e}"))),
    }
}

/// Cases per property: `PROPTEST_CASES`, or `default`. The pipeline properties render a
/// stack per field and case, so their default is lower than proptest's 256.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

/// The pipeline check of one field with one value.
fn check_field(field: &Field, value: &str) -> Result<(), TestCaseError> {
    let spec = spec_with(field, value);
    let (baseline, base_body) = baseline(field)?;
    let main = match render(&spec) {
        Ok(main) => main,
        Err(e)
            if matches!(field.reaches, Reaches::AuthComment)
                && expected_one_line(value).is_empty() =>
        {
            // `auth: app` needs a reason; text that shows as nothing is none.
            prop_assert!(e.contains("needs a written reason"), "{e}");
            return Ok(());
        }
        Err(e) => return Err(fail(format!("{}: {e}\n--- spec\n{spec}", field.name))),
    };
    let body = parse(&main)?;
    let lines: Vec<&str> = main.lines().collect();
    match field.reaches {
        Reaches::Value(find) => {
            let found = find(&body);
            prop_assert_eq!(found.as_deref(), Some(value), "{}\n{}", field.name, main);
            prop_assert_eq!(shape(&body), shape(&base_body), "{}", field.name);
        }
        Reaches::Comment => {
            prop_assert!(
                body == base_body,
                "{}: a comment changed the stack\n{}",
                field.name,
                main
            );
            let expected = expected_comment(value);
            prop_assert!(
                contains_run(&lines, &expected),
                "{}: expected comment lines {:?} in\n{}",
                field.name,
                expected,
                main
            );
            let comments = |text: &str| {
                text.lines()
                    .filter(|l| l.trim_start().starts_with('#'))
                    .count()
            };
            prop_assert_eq!(
                comments(&main) + expected_comment(HARMLESS).len(),
                comments(baseline) + expected.len(),
                "{}: comment lines added elsewhere",
                field.name
            );
        }
        Reaches::AuthComment => {
            prop_assert!(body == base_body, "auth_why changed the stack\n{}", main);
            let at =
                auth_line(&lines, "app").ok_or_else(|| fail(format!("no auth line\n{main}")))?;
            // The reason may be wrapped over several comment lines; read the contiguous
            // block above the auth line back as one line.
            let expected = format!("auth = \"app\": {}", expected_one_line(value));
            let mut block: Vec<&str> = lines[..at]
                .iter()
                .rev()
                .map(|l| l.trim_start())
                .take_while(|l| l.starts_with('#'))
                .collect();
            block.reverse();
            prop_assert!(
                block
                    .first()
                    .is_some_and(|l| l.starts_with("# auth = \"app\": ")),
                "the first comment line above the auth line must carry the marker in\n{}",
                main
            );
            let joined = block
                .iter()
                .map(|l| l.trim_start_matches('#').trim())
                .collect::<Vec<_>>()
                .join(" ");
            prop_assert!(
                joined == expected,
                "expected `# {}` above the auth line in\n{}",
                expected,
                main
            );
        }
        Reaches::AuthTrailing => {
            prop_assert!(body == base_body, "auth_why changed the stack\n{}", main);
            let at = auth_line(&lines, "required")
                .ok_or_else(|| fail(format!("no auth line\n{main}")))?;
            let why = expected_one_line(value);
            let rest = lines[at]
                .trim_start()
                .trim_start_matches("auth")
                .trim_start();
            let expected = if why.is_empty() {
                "= \"required\"".to_owned()
            } else {
                format!("= \"required\" # {why}")
            };
            prop_assert_eq!(rest, expected.as_str(), "{}", main);
        }
    }
    Ok(())
}

/// Strings made of the pieces that break escaping, and any character at all.
fn nasty() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => any::<char>().prop_map(String::from),
        2 => proptest::sample::select(vec![
            "\"", "\\", "\\\"", "$$", "%%", "\n", "\r", "\r\n", "\t", "${", "%{", "$${", "%%{", "$", "%",
            "}", "~}", "{", "EOT", "EOT1", "\nEOT\n", "<<", "<<-EOT", "#", "//", "/*", "*/",
            "dlgen:allow", "dlgen:allow auth-comment ok", "\u{202E}", "\u{2066}", "\u{200B}",
            "\u{2028}", "\u{85}", "\u{0}", "\u{7}", "\u{1b}[31m", "\u{FEFF}", "\u{a0}", " ",
            "  ", "'", ": ", "- ", "[", "]", "&a", "*a", "!!str", "---", "...", "=",
            "resource \"x\" \"y\" {", "auth = \"none\"", "é", "😀", "\u{0301}",
        ])
        .prop_map(str::to_owned),
        1 => proptest::sample::select(vec!["word", "Drone Logbook", "mdi-x", "8080", "true", "null", "~"])
            .prop_map(str::to_owned),
    ];
    proptest::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

#[test]
fn the_spec_template_covers_every_field() {
    for field in FIELDS {
        assert!(
            SPEC.contains(&format!("<<{}>>", field.name)),
            "{}",
            field.name
        );
    }
    // The harmless spec renders, and the YAML quoting reads back exactly.
    for field in FIELDS {
        check_field(field, HARMLESS).unwrap();
    }
    for s in ["a\"b\\c\n\r\t\u{0}\u{85}\u{2028}\u{FEFF}😀 # ${x}", ""] {
        let spec = format!("name: {}\n", yaml_quote(s));
        let (read, _): (dlgen::spec::Spec, _) = dlgen::de::from_str("t.yaml", &spec).unwrap();
        assert_eq!(read.name.as_deref(), Some(s));
    }
}

#[test]
fn known_injections_stay_inert() {
    for value in [
        "x\"\n}\nresource \"evil\" \"x\" {\n  y = \"",
        "${file(\"/etc/passwd\")}",
        "%{ for x in [1] }${x}%{ endfor }",
        "line\nEOT\n<<EOT\n",
        "dlgen:allow auth-comment because I said so",
        "\u{202E}evil\u{202C}",
        "back\\slash\\",
        "\r\n\r\n",
    ] {
        for field in FIELDS {
            if let Err(e) = check_field(field, value) {
                panic!("{} with {value:?}: {e}", field.name);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), ..ProptestConfig::default() })]

    #[test]
    fn the_header_names_any_printable_spec_path(label in nasty().prop_map(|l| {
        let l: String = l.chars().filter(|c| !c.is_control() && !dlgen::hcl::is_invisible(*c)).collect();
        l.replace("dlgen:allow", "dlgen-allow").trim().to_owned()
    })) {
        // Paths a header cannot show verbatim are refused before rendering (see generate).
        prop_assume!(dlgen::hcl::comment_lines(&label) == [format!("# {label}")]);
        let stack = generate::resolve("specs/app.yaml", &spec_with(&FIELDS[0], HARMLESS))
            .map_err(|e| fail(e.to_string()))?;
        let files = renderer().render(&stack, &label).map_err(|e| fail(e.to_string()))?;
        let (_, base_body) = baseline(&FIELDS[0])?;
        for file in &files {
            prop_assert!(dlgen::generated::is_generated(&file.contents), "{}", file.contents);
            prop_assert_eq!(dlgen::generated::header_spec(&file.contents), Some(label.as_str()));
            if file.name == "main.tf" {
                prop_assert!(parse(&file.contents)? == base_body, "{}", file.contents);
            } else {
                parse(&file.contents)?;
            }
        }
    }

    #[test]
    fn every_free_text_field_is_escaped(value in nasty()) {
        for field in FIELDS {
            check_field(field, &value)?;
        }
    }

}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(1024), ..ProptestConfig::default() })]

    #[test]
    fn quoted_strings_round_trip(value in nasty()) {
        let src = format!("x = {}\n", dlgen::hcl::quote(&value));
        let formatted = dlgen::format::format_hcl(&src)
            .map_err(|e| fail(format!("{e:?}\n{src}")))?;
        let body = parse(&formatted)?;
        let found = attr(&body, "x").and_then(string_of);
        prop_assert_eq!(found.as_deref(), Some(value.as_str()));
    }

    #[test]
    fn heredocs_round_trip_inside_nested_blocks(value in nasty(), newline in any::<bool>()) {
        let value = if newline { format!("{value}\n") } else { value };
        let src = format!(
            "resource \"a\" \"b\" {{\n  spec {{\n    command = [\"sh\", {}\n    ]\n  }}\n}}\n",
            dlgen::hcl::heredoc(&value)
        );
        let formatted = dlgen::format::format_hcl(&src)
            .map_err(|e| fail(format!("{e:?}\n{src}")))?;
        let body = parse(&formatted)?;
        let spec = blocks(&body, "resource").next().and_then(|r| blocks(r.body(), "spec").next());
        let command = spec.and_then(|s| attr(s.body(), "command")).map(|e| e.evaluate(&Context::new()));
        let expected = hcl::Value::Array(vec!["sh".into(), value.clone().into()]);
        prop_assert_eq!(command.and_then(Result::ok), Some(expected), "{}", formatted);
    }
}
