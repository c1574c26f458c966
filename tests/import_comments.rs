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
use common::import::{imported, lost_comments, renderer};

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
