//! `dlgen schema`, `dlgen new` and `dlgen completions` end to end.
//!
//! The schema is checked against the deserializer it is derived from: every committed
//! spec is valid, and on hundreds of type mutations of them (each leaf replaced by a
//! number, a boolean, a list, …, and an unknown key added to each mapping) the schema
//! and the deserializer accept and reject the same documents.

mod common;

use std::fs;
use std::path::Path;

use common::{Project, ROOT};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------
// dlgen schema

fn committed_schema() -> Value {
    let text = fs::read_to_string(Path::new(ROOT).join("docs/spec.schema.json"))
        .expect("docs/spec.schema.json is committed");
    serde_json::from_str(&text).expect("the committed schema is JSON")
}

#[test]
fn the_committed_schema_is_what_dlgen_schema_prints() {
    let run = common::dlgen(Path::new(ROOT), &["schema"]);
    run.success();
    let committed = fs::read_to_string(Path::new(ROOT).join("docs/spec.schema.json")).unwrap();
    assert!(
        run.stdout == committed,
        "docs/spec.schema.json is stale: regenerate it with `cargo run -- schema > docs/spec.schema.json`"
    );
}

#[test]
fn the_schema_is_a_valid_draft_2020_12_schema() {
    let schema = committed_schema();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    if let Err(e) = jsonschema::meta::validate(&schema) {
        panic!("the schema violates the draft 2020-12 meta-schema: {e}");
    }
}

#[test]
fn every_bundled_spec_carries_the_modeline_and_is_valid() {
    let validator = jsonschema::validator_for(&committed_schema()).expect("a usable schema");
    let mut specs = 0;
    for entry in fs::read_dir(Path::new(ROOT).join("specs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        specs += 1;
        let text = fs::read_to_string(&path).unwrap();
        let first = text.lines().next().unwrap_or_default();
        assert_eq!(
            first,
            "# yaml-language-server: $schema=../docs/spec.schema.json",
            "{}",
            path.display()
        );
        let target = path.parent().unwrap().join("../docs/spec.schema.json");
        assert!(
            target.is_file(),
            "the modeline of {} leads nowhere",
            path.display()
        );
        let instance = yaml_to_json(&text);
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
    }
    assert!(specs >= 3, "only {specs} specs found");
}

/// A YAML document as the JSON value editors validate.
fn yaml_to_json(text: &str) -> Value {
    use yaml_rust2::{Yaml, YamlLoader};
    fn convert(y: &Yaml) -> Value {
        match y {
            Yaml::Real(r) => r.parse::<f64>().map_or(Value::Null, Value::from),
            Yaml::Integer(i) => Value::from(*i),
            Yaml::String(s) => Value::from(s.as_str()),
            Yaml::Boolean(b) => Value::from(*b),
            Yaml::Array(items) => Value::Array(items.iter().map(convert).collect()),
            Yaml::Hash(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        let key = match k {
                            Yaml::String(s) => s.clone(),
                            other => format!("{other:?}"),
                        };
                        (key, convert(v))
                    })
                    .collect(),
            ),
            _ => Value::Null,
        }
    }
    let docs = YamlLoader::load_from_str(text).expect("valid YAML");
    convert(&docs[0])
}

/// Whether dlgen's deserializer reads `doc` into a spec without a problem (type level:
/// the model's checks of values come after and are not the schema's business).
fn deserializes(doc: &Value) -> bool {
    // JSON is YAML: the deserializer reads the same document the validator sees.
    let text = serde_json::to_string(doc).unwrap();
    match dlgen::de::from_str_lossy::<dlgen::spec::Spec>("mutant.yaml", &text) {
        Ok(lossy) => lossy.value.is_some() && !lossy.diagnostics.has_errors(),
        Err(_) => false,
    }
}

/// Every document that replaces one leaf of `doc` by one of `replacements`, or adds an
/// unknown key to one of its mappings, with a description of the change.
fn mutants(doc: &Value) -> Vec<(String, Value)> {
    fn walk(at: &mut Value, path: String, root: &Value, out: &mut Vec<(String, Value)>) {
        let replacements = [
            json!(1),
            json!(-1),
            json!(70000),
            json!(1.5),
            json!(true),
            json!("text"),
            json!(null),
            json!([]),
            json!({}),
            json!(["x"]),
        ];
        for r in &replacements {
            out.push((format!("{path} = {r}"), replaced(root, &path, r.clone())));
        }
        match at {
            Value::Object(map) => {
                let keys: Vec<String> = map.keys().cloned().collect();
                let mut with_unknown = root.clone();
                if let Some(Value::Object(m)) = pointer_mut(&mut with_unknown, &path) {
                    m.insert("zz_unknown".to_owned(), json!(1));
                }
                out.push((format!("{path}.zz_unknown = 1"), with_unknown));
                for k in keys {
                    if let Some(v) = map.get_mut(&k) {
                        walk(v, format!("{path}/{k}"), root, out);
                    }
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    walk(item, format!("{path}/{i}"), root, out);
                }
            }
            _ => {}
        }
    }
    fn pointer_mut<'a>(v: &'a mut Value, path: &str) -> Option<&'a mut Value> {
        if path.is_empty() {
            Some(v)
        } else {
            v.pointer_mut(path)
        }
    }
    fn replaced(root: &Value, path: &str, with: Value) -> Value {
        let mut doc = root.clone();
        if let Some(slot) = pointer_mut(&mut doc, path) {
            *slot = with;
        }
        doc
    }
    let mut out = Vec::new();
    let mut scratch = doc.clone();
    walk(&mut scratch, String::new(), doc, &mut out);
    out
}

#[test]
fn schema_and_deserializer_accept_and_reject_the_same_documents() {
    let validator = jsonschema::validator_for(&committed_schema()).expect("a usable schema");
    let mut checked = 0;
    let mut disagree = Vec::new();
    let mut sources: Vec<String> = Vec::new();
    for dir in ["specs", "tests/fixtures/specs"] {
        for entry in fs::read_dir(Path::new(ROOT).join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml") {
                sources.push(fs::read_to_string(path).unwrap());
            }
        }
    }
    for text in sources {
        let doc = yaml_to_json(&text);
        assert!(deserializes(&doc), "dlgen does not read a committed spec");
        assert!(
            validator.is_valid(&doc),
            "the schema rejects a committed spec"
        );
        for (change, mutant) in mutants(&doc) {
            checked += 1;
            let schema_ok = validator.is_valid(&mutant);
            let dlgen_ok = deserializes(&mutant);
            if schema_ok != dlgen_ok {
                disagree.push(format!(
                    "{change}: schema {}, deserializer {}",
                    if schema_ok { "accepts" } else { "rejects" },
                    if dlgen_ok { "accepts" } else { "rejects" }
                ));
            }
        }
    }
    assert!(checked > 1000, "only {checked} mutants");
    assert!(
        disagree.is_empty(),
        "{} of {checked} mutants judged differently:\n{}",
        disagree.len(),
        disagree.join("\n")
    );
}

// ---------------------------------------------------------------------------------------
// dlgen new

#[test]
fn new_writes_a_spec_that_renders_and_checks_as_it_stands() {
    let p = Project::empty();
    let run = p.dlgen(&[
        "new",
        "my-app",
        "--image",
        "ghcr.io/example/my-app:1.2.3",
        "--port",
        "8080",
    ]);
    run.success();
    assert!(run.stdout.contains("wrote specs/my-app.yaml"), "{run}");
    // No schema file in this project: the modeline's target is named, with the fix.
    assert!(
        run.stderr
            .contains("create it with `dlgen schema > docs/spec.schema.json`"),
        "{run}"
    );
    let text = p.read("specs/my-app.yaml");
    assert!(text.starts_with("# yaml-language-server: $schema=../docs/spec.schema.json\n"));
    assert!(
        text.contains("image: ghcr.io/example/my-app:1.2.3"),
        "{text}"
    );
    assert!(text.contains("port: 8080"), "{text}");

    p.dlgen(&["render", "specs/my-app.yaml"]).success();
    p.dlgen(&["check"]).success();
    let lint = p.dlgen(&["lint", "stacks/my-app"]);
    assert_eq!(lint.code, 0, "{lint}");

    // What the comments promise is what renders.
    let main = p.read("stacks/my-app/main.tf");
    for promised in [
        "resource \"kubernetes_namespace\" \"my_app\"",
        "name = \"my-app\"",
        "tier               = local.tiers.aux",
        "\"keel.sh/enrolled\" = \"true\"",
        "container_port = 8080",
        "port        = \"80\"",
        "target_port = \"8080\"",
        "auth            = \"required\"",
    ] {
        assert!(main.contains(promised), "`{promised}` missing:\n{main}");
    }
    assert!(!main.contains("limits = {\n              cpu"), "{main}");
    let tg = p.read("stacks/my-app/terragrunt.hcl");
    assert!(tg.contains("dependency \"platform\""), "{tg}");
}

#[test]
fn the_commented_examples_render_too_as_the_comments_say() {
    let p = Project::empty();
    p.dlgen(&["new", "shop"]).success();
    let text = p.read("specs/shop.yaml");
    assert!(
        text.contains("image: ghcr.io/viktorbarzin/shop:latest"),
        "{text}"
    );
    assert!(text.contains("port: 80 "), "{text}");
    // Uncomment every whole-line comment after the header (the examples).
    let body_start = text.find("\nname: ").expect("a name line");
    let (header, body) = text.split_at(body_start);
    let body: String = body
        .lines()
        .map(|l| {
            let trimmed = l.trim_start();
            match trimmed.strip_prefix("# ") {
                Some(rest) => format!("{}{rest}\n", &l[..l.len() - trimmed.len()]),
                None => format!("{l}\n"),
            }
        })
        .collect();
    p.write("specs/shop.yaml", &format!("{header}{body}"));
    let run = p.dlgen(&["render", "specs/shop.yaml"]);
    run.success();
    let main = p.read("stacks/shop/main.tf");
    for promised in [
        "name = \"shop-secrets\"",
        "key = \"shop\"",
        "\"shop-data-encrypted\"",
        dlgen::conventions::autoresize::STORAGE_LIMIT,
        "type = \"Recreate\"",
        "/srv/nfs/shop-backup",
        "name = \"API_TOKEN\"",
    ] {
        assert!(main.contains(promised), "`{promised}` missing:\n{main}");
    }
}

#[test]
fn new_refuses_to_overwrite_and_to_take_a_bad_name() {
    let p = Project::empty();
    p.write("specs/app.yaml", "# mine\n");
    let run = p.dlgen(&["new", "app"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("already exists"), "{run}");
    assert_eq!(p.read("specs/app.yaml"), "# mine\n");

    for bad in ["../escape", "My_App", "a/b"] {
        let run = p.dlgen(&["new", bad]);
        assert_eq!(run.code, 2, "{bad}: {run}");
        assert!(run.stderr.contains("DNS-1123"), "{bad}: {run}");
    }
    let run = p.dlgen(&["new", "ok", "--image", "has space"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(!p.path("specs/ok.yaml").exists());
    assert!(!p.path("escape.yaml").exists());
}

#[test]
fn new_is_quiet_about_a_schema_that_is_there() {
    let p = Project::empty();
    p.write(
        "docs/spec.schema.json",
        &fs::read_to_string(Path::new(ROOT).join("docs/spec.schema.json")).unwrap(),
    );
    let run = p.dlgen(&["new", "app"]);
    run.success();
    assert!(!run.stderr.contains("note:"), "{run}");
    // The new spec is valid against the schema it points at.
    let validator = jsonschema::validator_for(&committed_schema()).unwrap();
    assert!(validator.is_valid(&yaml_to_json(&p.read("specs/app.yaml"))));
}

// ---------------------------------------------------------------------------------------
// dlgen completions

/// Runs `shell` with `args` on `script`, or `None` when the shell is not installed.
fn shell_accepts(shell: &str, args: &[&str], script: &str) -> Option<Result<(), String>> {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("completions");
    fs::write(&file, script).unwrap();
    let out = std::process::Command::new(shell)
        .args(args)
        .arg(&file)
        .output()
        .ok()?;
    Some(if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    })
}

#[test]
fn completions_cover_every_subcommand_and_parse_in_their_shell() {
    for (shell, check) in [
        ("bash", &["-n"][..]),
        ("zsh", &["-n"][..]),
        ("fish", &["--no-execute"][..]),
    ] {
        let run = common::dlgen(Path::new(ROOT), &["completions", shell]);
        run.success();
        for word in [
            "render",
            "check",
            "lint",
            "fmt",
            "schema",
            "new",
            "completions",
            "stacks-dir",
            "specs-dir",
        ] {
            assert!(run.stdout.contains(word), "{shell}: `{word}` missing");
        }
        match shell_accepts(shell, check, &run.stdout) {
            Some(result) => {
                if let Err(e) = result {
                    panic!("{shell} rejects the script: {e}");
                }
            }
            None => eprintln!("skipped: `{shell}` is not installed, so its script was not parsed"),
        }
    }
    let run = common::dlgen(Path::new(ROOT), &["completions", "tcsh"]);
    assert_eq!(run.code, 2, "{run}");
}
