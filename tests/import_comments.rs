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
