//! `dlgen import` keeps the stack's comments: every comment block of each stack of the
//! hand-written-style corpus is carried by the stack its imported spec renders (as the
//! spec's `comment` / `*_why` fields, as its anchored `comments:`, or in raw HCL), so that
//! adopting a stack and rendering it over the original deletes none of what its operators
//! wrote. The blocks that are still lost are listed here, stack by stack, and the test
//! fails when one is lost that is not listed — or when a listed one is kept (shrink the
//! list).

mod common;

use std::fs;
use std::path::Path;

use common::ROOT;
use common::import::{imported, lost_comments, rendered_tf, renderer};

/// The comment blocks each corpus stack still loses, by stack: none since comments can be
/// anchored anywhere in the stack.
const STILL_LOST: &[(&str, &[&str])] = &[];

#[test]
fn the_corpus_stacks_keep_their_comments_through_import() {
    let r = renderer();
    let corpus = Path::new(ROOT).join("tests/fixtures/handwritten");
    let mut names: Vec<String> = fs::read_dir(&corpus)
        .expect("corpus")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("main.tf").is_file())
        .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 15, "{names:?}");
    let mut report = Vec::new();
    let mut total = 0;
    for name in &names {
        let dir = corpus.join(name);
        let got = imported(&dir, &r);
        let lost = lost_comments(&dir, &r, &got);
        total += lost.len();
        let expected: Vec<&str> = STILL_LOST
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, l)| l.to_vec())
            .unwrap_or_default();
        if lost != expected {
            report.push(format!("{name}: lost {lost:#?}\n  listed {expected:#?}"));
        }
    }
    eprintln!("{total} comment blocks lost over {} stacks", names.len());
    assert!(report.is_empty(), "{}", report.join("\n"));
}

#[test]
fn comments_of_no_object_are_listed_for_the_reviewer() {
    // A comment set apart from every block by blank lines, and one that opens a file other
    // than `main.tf` (a stack split into files), belong to no object the spec holds: they
    // were dropped without a word. The spec's header lists them, with file and line.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let (dir, main_tf) = common::import::stack_of(&r, tmp.path(), "");
    let at = main_tf
        .find("resource \"kubernetes_service\"")
        .expect("a Service");
    let (head, tail) = main_tf.split_at(at);
    let edited = format!("{head}# Everything below serves the app's one port.\n\n{tail}");
    fs::write(dir.join("main.tf"), edited).expect("write");
    fs::write(
        dir.join("locals.tf"),
        "# Shared values of the stack.\n\nlocals {\n  unused = \"x\"\n}\n\n# End of the shared values.\n",
    )
    .expect("write");
    let got = imported(&dir, &r);
    assert!(
        got.yaml
            .contains("Comments of the stack that no spec field holds:"),
        "{}",
        got.yaml
    );
    for note in [
        "Everything below serves the app's one port.",
        "locals.tf:1: Shared values of the stack.",
        "locals.tf:7: End of the shared values.",
    ] {
        assert!(got.yaml.contains(note), "{note}\n{}", got.yaml);
    }
}

#[test]
fn block_comments_are_read_as_the_line_comments_they_stand_for() {
    // `/* … */` says what `#` says; the readers knew only `#` and `//`, so a block comment
    // above an object, trailing an attribute, set apart, or closing the file was dropped
    // without a word (and `dlgen render --force` would delete it).
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let (dir, main_tf) = common::import::stack_of(&r, tmp.path(), "");
    let edited = main_tf
        .replacen(
            "resource \"kubernetes_service\"",
            "/*\n * The one port of the app.\n * Readers sync through it.\n */\nresource \"kubernetes_service\"",
            1,
        )
        .replacen(
            "resource \"kubernetes_deployment\"",
            "/* Set apart from every block. */\n\nresource \"kubernetes_deployment\"",
            1,
        )
        .replacen(
            "    name = \"drone-logbook\"\n",
            "    name = \"drone-logbook\" /* the stack's name */\n",
            1,
        )
        + "\n/* CI retrigger 2026-01-01 */\n";
    assert_eq!(edited.matches("/*").count(), 4, "every edit applies");
    fs::write(dir.join("main.tf"), &edited).expect("write");
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    for kept in [
        "comment: |\n    The one port of the app.\n    Readers sync through it.\n",
        "main.tf:",
        "Set apart from every block.",
        "text: the stack's name, place: trailing}",
        "footer_comment: CI retrigger 2026-01-01",
    ] {
        assert!(got.yaml.contains(kept), "{kept}\n{}", got.yaml);
    }
    // A block comment with code after it on its line is not a line comment; the stack
    // still imports (the comment is not read).
    let inline = main_tf.replacen(
        "    name = \"drone-logbook\"\n",
        "    name = /* inline */ \"drone-logbook\"\n",
        1,
    );
    fs::write(dir.join("main.tf"), inline).expect("write");
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
}

#[test]
fn a_comment_no_reader_takes_is_listed_for_the_reviewer() {
    // The last net: comments in places no reader looks (inside `terragrunt.hcl`, after a
    // closing brace, on a line of its own inside a list) were dropped without a word; the
    // spec's header lists each one the rendered stack does not carry, with file and line.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let (dir, main_tf) = common::import::stack_of(&r, tmp.path(), "");
    let edited = main_tf.replacen(
        "      metadata[0].annotations[\"keel.sh/match-tag\"],\n",
        "      # keel bookkeeping below\n      metadata[0].annotations[\"keel.sh/match-tag\"],\n",
        1,
    );
    let edited = match edited.find("\nresource \"kubernetes_service\"") {
        // The brace that closes the block before the Service.
        Some(at) => {
            let close = edited[..at].rfind("}\n").expect("a closing brace");
            format!(
                "{} # end of the Deployment{}",
                &edited[..=close],
                &edited[close + 1..]
            )
        }
        None => panic!("a Service"),
    };
    fs::write(dir.join("main.tf"), &edited).expect("write");
    let tg = fs::read_to_string(dir.join("terragrunt.hcl")).expect("terragrunt.hcl");
    let tg = tg.replacen(
        "dependency \"platform\" {",
        "# platform must be applied first\ndependency \"platform\" {",
        1,
    );
    assert!(tg.contains("# platform must"), "{tg}");
    fs::write(dir.join("terragrunt.hcl"), tg).expect("write");
    let got = imported(&dir, &r);
    for note in [
        ": keel bookkeeping below",
        ": end of the Deployment",
        "terragrunt.hcl:",
        "platform must be applied first",
    ] {
        assert!(got.yaml.contains(note), "{note}\n{}", got.yaml);
    }
    // Each is listed once, under the heading.
    let header: Vec<&str> = got
        .yaml
        .lines()
        .take_while(|l| l.starts_with('#'))
        .collect();
    assert!(
        header.contains(&"# Comments of the stack that no spec field holds:"),
        "{}",
        got.yaml
    );
    assert_eq!(
        got.yaml.matches("keel bookkeeping below").count(),
        1,
        "{}",
        got.yaml
    );
}

#[test]
fn inline_and_blank_edged_block_comments_are_listed() {
    // A block comment with code after it on its line, and a multi-line block comment
    // whose first and last lines are empty above a block inside another, were dropped.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let (dir, main_tf) = common::import::stack_of(&r, tmp.path(), "");
    let at = main_tf.find("          port {").expect("a container port");
    let edited = format!(
        "{}          /*\n          Metrics are scraped elsewhere.\n          */\n{}",
        &main_tf[..at],
        &main_tf[at..]
    )
    .replacen(
        "    name = \"drone-logbook\"\n",
        "    name = /* the stack */ \"drone-logbook\"\n",
        1,
    );
    fs::write(dir.join("main.tf"), &edited).expect("write");
    let got = imported(&dir, &r);
    for note in [": Metrics are scraped elsewhere.", ": the stack"] {
        assert!(got.yaml.contains(note), "{note}\n{}", got.yaml);
    }
}

#[test]
fn the_comment_of_an_ignore_entry_is_its_reason() {
    // The repo explains an `ignore_changes` entry of its own in the comment lines above
    // it as often as in a trailing comment (android-emulator's "its wake gate owns
    // replicas", job-hunter's Reloader block ending in its marker). Only trailing
    // comments were read: the others were listed as comments no field holds, or, with a
    // marker among them, dropped without a word; and an entry dlgen does not write whose
    // trailing comment is a marker lost the marker to the "no reason" placeholder.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let (dir, main_tf) = common::import::stack_of(&r, tmp.path(), "");
    let last = "      spec[0].template[0].metadata[0].annotations[\"keel.sh/update-time\"], # KEEL_LIFECYCLE_V1\n";
    assert!(main_tf.contains(last), "{main_tf}");
    let entries = "      # The wake gate owns replicas.\n      spec[0].replicas,\n      # The pod template declares annotations, so Reloader's stamp\n      # must be ignored too. RELOADER_LIFECYCLE_V1\n      spec[0].template[0].metadata[0].annotations[\"reloader.stakater.com/last-reloaded-from\"],\n      spec[0].min_ready_seconds, # SABLIER_MANAGED_REPLICAS — kept as the stack says\n";
    fs::write(
        dir.join("main.tf"),
        main_tf.replacen(last, &format!("{last}{entries}"), 1),
    )
    .expect("write");
    let got = imported(&dir, &r);
    for why in [
        "why: The wake gate owns replicas.",
        "why: The pod template declares annotations, so Reloader's stamp must be ignored too. RELOADER_LIFECYCLE_V1",
        "why: SABLIER_MANAGED_REPLICAS — kept as the stack says",
    ] {
        assert!(got.yaml.contains(why), "{why}\n{}", got.yaml);
    }
    assert!(!got.yaml.contains("no spec field holds"), "{}", got.yaml);
    assert!(!got.yaml.contains("gives no reason"), "{}", got.yaml);
}

#[test]
fn words_beside_a_marker_are_the_stacks_own() {
    // A run of comment lines that held a marker was the convention's, all of it: the
    // operator's own line under `KYVERNO_LIFECYCLE_V1: …` was dropped without a word
    // (dlgen writes its own wording of the marker). Only the marker's sentence is the
    // convention's — with the lines that carry it on — and the rest is a comment.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let (dir, main_tf) = common::import::stack_of(&r, tmp.path(), "");
    let marker = format!(
        "    # {}\n",
        dlgen::conventions::lifecycle_comments::NAMESPACE_GOLDILOCKS
    );
    assert!(main_tf.contains(&marker), "{main_tf}");
    let own = "    # KYVERNO_LIFECYCLE_V1: a Kyverno ClusterPolicy stamps\n    # the goldilocks label.\n    # Dropping it caused a perpetual diff (INC-42).\n";
    fs::write(dir.join("main.tf"), main_tf.replacen(&marker, own, 1)).expect("write");
    let got = imported(&dir, &r);
    assert!(
        got.yaml
            .contains("text: Dropping it caused a perpetual diff (INC-42)."),
        "{}",
        got.yaml
    );
    // The marker's wrapped sentence is the convention's, not a comment of the stack.
    assert!(!got.yaml.contains("the goldilocks label."), "{}", got.yaml);
    assert!(!got.yaml.contains("no spec field holds"), "{}", got.yaml);
    // Below the marker in the stack, so below it when rendered: the order is kept.
    assert!(
        got.yaml.contains("(INC-42).\n    place: directly_above"),
        "{}",
        got.yaml
    );
    let main = main_tf_of(&r, &got);
    let marker_at = main
        .find("KYVERNO_LIFECYCLE_V1: a Kyverno")
        .expect("marker");
    let own_at = main.find("# Dropping it caused").expect("own words");
    assert!(marker_at < own_at, "{main}");
}

/// The `main.tf` the imported spec renders.
fn main_tf_of(r: &dlgen::render::Renderer, got: &dlgen::import::Imported) -> String {
    rendered_tf(r, got)
        .into_iter()
        .find(|(name, _)| name == "main.tf")
        .expect("main.tf")
        .1
}

#[test]
fn a_comment_block_that_ends_in_the_auth_reason_keeps_its_lines_above_it() {
    // The repo's form of the auth reason: a comment block ending in `# auth = "<tier>": …`
    // directly above `auth`. The lines above the reason were listed in the spec's header,
    // as no object's, and an adoption that rendered over the stack deleted them.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let (dir, main_tf) = common::import::stack_of(&r, tmp.path(), "");
    let line = "  auth            = \"required\" # Authentik forward-auth — GPS traces of home/travel stay behind SSO\n";
    assert!(main_tf.contains(line), "{main_tf}");
    let own = "  # Phone apps send a bearer token;\n  # they cannot follow an Authentik redirect.\n  # auth = \"app\": the API checks the token on every request\n  auth = \"app\"\n";
    fs::write(dir.join("main.tf"), main_tf.replacen(line, own, 1)).expect("write");
    let got = imported(&dir, &r);
    assert!(
        got.yaml
            .contains("auth_why: the API checks the token on every request"),
        "{}",
        got.yaml
    );
    assert!(
        got.yaml.contains("- at: module.ingress.auth\n    text: |-\n      Phone apps send a bearer token;\n      they cannot follow an Authentik redirect.\n"),
        "{}",
        got.yaml
    );
    assert!(!got.yaml.contains("no spec field holds"), "{}", got.yaml);
    // Rendered, the block reads as it did: the reason stays its last line.
    let main = main_tf_of(&r, &got);
    assert!(
        main.contains("  # they cannot follow an Authentik redirect.\n  # auth = \"app\": the API checks the token on every request\n  auth "),
        "{main}"
    );
}

#[test]
fn a_comment_after_an_ignore_changes_list_is_carried() {
    // A comment after the closing `]` of an `ignore_changes` list (or after a one-line
    // list) sits in the lifecycle block, which was the conventions' but for the
    // explanation above the list: it was listed as a comment no field holds, and an
    // adoption that renders over the stack deleted it.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let (dir, main_tf) = common::import::stack_of(&r, tmp.path(), "");
    let close = "KEEL_LIFECYCLE_V1\n    ]\n";
    assert!(main_tf.contains(close), "{main_tf}");
    fs::write(
        dir.join("main.tf"),
        main_tf.replacen(
            close,
            "KEEL_LIFECYCLE_V1\n    ] # list mirrors the repo's drift table; keep in sync\n",
            1,
        ),
    )
    .expect("write");
    let got = imported(&dir, &r);
    assert!(
        got.yaml.contains(
            "text: list mirrors the repo's drift table; keep in sync\n    place: trailing"
        ),
        "{}",
        got.yaml
    );
    assert!(!got.yaml.contains("no spec field holds"), "{}", got.yaml);
}

/// The bundled stack with its `RUST_LOG` value read from `local.<reads>`, the `locals`
/// block `locals` appended, imported with no raw HCL and no comment left unplaced; the
/// spec and the `main.tf` it renders.
fn imported_with_log_local(reads: &str, locals: &str) -> (String, String) {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let (dir, main_tf) = common::import::stack_of(&r, tmp.path(), "");
    let value = "            name  = \"RUST_LOG\"\n            value = \"info\"\n";
    assert!(main_tf.contains(value), "{main_tf}");
    let edited = main_tf.replacen(
        value,
        &format!("            name  = \"RUST_LOG\"\n            value = local.{reads}\n"),
        1,
    ) + locals;
    fs::write(dir.join("main.tf"), edited).expect("write");
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    assert!(!got.yaml.contains("no spec field holds"), "{}", got.yaml);
    let main = main_tf_of(&r, &got);
    (got.yaml, main)
}

const LOG_COMMENT_AT_ENV: &str = "  - at: kubernetes_deployment.drone_logbook.spec.template.spec.container.env.value\n    text: Debug logs fill the node's disk within a day.\n";

#[test]
fn the_comment_of_a_local_written_out_goes_where_the_value_is() {
    // A local the spec has no field for is written out where the stack reads it; the
    // comment above it was listed in the spec's header, and an adoption that rendered
    // over the stack deleted it. It now goes above the first place that reads the local.
    let (yaml, main) = imported_with_log_local(
        "log_level",
        "\nlocals {\n  # Debug logs fill the node's disk within a day.\n  log_level = \"info\"\n}\n",
    );
    assert!(yaml.contains(LOG_COMMENT_AT_ENV), "{yaml}");
    assert!(
        main.contains("            # Debug logs fill the node's disk within a day.\n            value = \"info\"\n"),
        "{main}"
    );
}

#[test]
fn the_comments_of_locals_read_through_other_locals_and_of_their_block_have_a_place() {
    // A local that only another local reads (the object reads that one), and a comment
    // above the `locals` block itself: both were listed in the spec's header. They go
    // where the value is read, the block's comment above the whole object.
    let (yaml, main) = imported_with_log_local(
        "log_filter",
        "\n# Log settings, one place for the pod.\nlocals {\n  # Debug logs fill the node's disk within a day.\n  log_level  = \"info\"\n  log_filter = \"${local.log_level},hyper=warn\"\n}\n",
    );
    assert!(yaml.contains(LOG_COMMENT_AT_ENV), "{yaml}");
    assert!(
        yaml.contains(
            "  - at: kubernetes_deployment.drone_logbook\n    text: Log settings, one place for the pod.\n"
        ),
        "{yaml}"
    );
    assert!(
        main.contains("            # Debug logs fill the node's disk within a day.\n            value = \"info,hyper=warn\"\n"),
        "{main}"
    );
    assert!(
        main.contains("# Log settings, one place for the pod.\n"),
        "{main}"
    );
}

#[test]
fn a_comment_deep_in_a_manifests_mapping_stays_at_its_key() {
    // A trailing comment on a key nested in a manifest (a Middleware's
    // `spec.basicAuth.removeHeader`) sat at no place an anchor could name, one level of a
    // mapping deep: it was listed in the spec's header, and rendering over the stack
    // deleted it.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let (dir, main_tf) = common::import::stack_of(&r, tmp.path(), "");
    let middleware = r#"
resource "kubernetes_manifest" "strip_prefix" {
  manifest = {
    apiVersion = "traefik.io/v1alpha1"
    kind       = "Middleware"
    metadata = {
      name      = "strip-prefix"
      namespace = "drone-logbook"
    }
    spec = {
      stripPrefix = {
        prefixes   = ["/logbook"]
        forceSlash = false # the app's router adds its own
      }
    }
  }
}
"#;
    fs::write(dir.join("main.tf"), format!("{main_tf}{middleware}")).expect("write");
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    assert!(
        got.yaml.contains(
            "  - at: kubernetes_manifest.strip_prefix.manifest[\"spec\"][\"stripPrefix\"][\"forceSlash\"]\n    text: the app's router adds its own\n    place: trailing\n"
        ),
        "{}",
        got.yaml
    );
    assert!(!got.yaml.contains("no spec field holds"), "{}", got.yaml);
    let main = main_tf_of(&r, &got);
    assert!(
        main.contains("forceSlash = false # the app's router adds its own\n"),
        "{main}"
    );
}
