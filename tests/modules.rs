//! The module graph of `src/` has no cycles: no two top-level modules import each other,
//! directly or through others. A cycle means two stages cannot be understood, tested or
//! changed apart; this test keeps the property true as code is added.
//!
//! An edge `a → b` is any `crate::b…` path in the code of module `a` (its file `src/a.rs`,
//! or every file under `src/a/`), including grouped imports (`use crate::{b, c::d}`), and
//! any item-level `super::…` path that climbs to the crate root (`use super::b` in
//! `src/a/mod.rs`, `use super::super::b` in `src/a/x.rs`). Comments, string and character
//! literals are skipped, so a doc link is not an import.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

#[test]
fn no_two_top_level_modules_import_each_other() {
    let graph = module_graph(&Path::new(ROOT).join("src"));
    assert!(
        graph.len() > 10,
        "expected the top-level modules of src/, found {:?}",
        graph.keys().collect::<Vec<_>>()
    );
    let cycles = cycles(&graph);
    assert!(
        cycles.is_empty(),
        "these top-level modules of src/ import each other (a → b means a uses crate::b):\n{}",
        cycles.join("\n")
    );
}

/// Top-level module name → the other top-level modules its code names.
type Graph = BTreeMap<String, BTreeSet<String>>;

fn module_graph(src: &Path) -> Graph {
    let mut files: BTreeMap<String, Vec<std::path::PathBuf>> = BTreeMap::new();
    for entry in fs::read_dir(src).expect("src/ is readable") {
        let path = entry.expect("src/ is readable").path();
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        // A module may be a file with its submodules in a directory of the same name
        // (`src/spec.rs` and `src/spec/`): both are the module's code.
        if path.is_dir() {
            let mut under = Vec::new();
            collect_rs(&path, &mut under);
            files.entry(name).or_default().extend(under);
        } else if path.extension().is_some_and(|e| e == "rs") && name != "lib" && name != "main" {
            files.entry(name).or_default().push(path);
        }
    }
    let modules: BTreeSet<String> = files.keys().cloned().collect();
    files
        .into_iter()
        .map(|(module, paths)| {
            let mut uses = BTreeSet::new();
            for path in paths {
                let text = fs::read_to_string(&path).expect("a readable source file");
                for used in crate_paths(&text, module_depth(src, &path)) {
                    if used != module && modules.contains(&used) {
                        uses.insert(used);
                    }
                }
            }
            (module, uses)
        })
        .collect()
}

fn collect_rs(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).expect("a readable directory") {
        let path = entry.expect("a readable directory").path();
        if path.is_dir() {
            collect_rs(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// How many `super::` lead from the items of `path` to the crate root: 1 for `src/a.rs`
/// and `src/a/mod.rs`, 2 for `src/a/x.rs`, …
fn module_depth(src: &Path, path: &Path) -> usize {
    let parts = path.strip_prefix(src).map_or(1, |p| p.components().count());
    if path.file_name().is_some_and(|n| n == "mod.rs") {
        parts - 1
    } else {
        parts
    }
}

/// The first segment of every path to the crate root in the code of `text` (a file whose
/// items reach the root through `depth` times `super::`): `crate::a::b` gives `a`,
/// `crate::{a, b::c}` gives `a` and `b`.
fn crate_paths(text: &str, depth: usize) -> Vec<String> {
    let code = strip_comments_and_literals(text);
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let mut braces = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => braces += 1,
            b'}' => braces = braces.saturating_sub(1),
            _ => {}
        }
        // A path starts here, not inside an identifier or after `$` (`$crate`).
        let starts_path = i == 0 || {
            let b = bytes[i - 1];
            !(b == b'$' || b == b'_' || b.is_ascii_alphanumeric() || b == b':')
        };
        let rest = &code[i..];
        let after_root = if !starts_path {
            None
        } else if let Some(after) = rest.strip_prefix("crate::") {
            Some(after)
        } else if braces == 0 && rest.starts_with("super::") {
            // Item-level `super::` chains: inside braces (a function, an inline `mod
            // tests`) the module they start from is not known here.
            let mut after = rest;
            let mut climbs = 0;
            while let Some(next) = after.strip_prefix("super::") {
                after = next.trim_start();
                climbs += 1;
            }
            (climbs >= depth).then_some(after)
        } else {
            None
        };
        if let Some(after) = after_root {
            let after = after.trim_start();
            if let Some(group) = after.strip_prefix('{') {
                out.extend(group_heads(group));
            } else {
                out.push(ident(after).to_owned());
            }
            // Skip the root keyword so `crate::` is not read again as part of a chain.
            i += rest.len() - after.len();
            continue;
        }
        i += 1;
    }
    out
}

/// The first segment of each item of a `{…}` group, up to its closing brace.
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut item_start = true;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => item_start = true,
            c if item_start && !c.is_whitespace() => {
                item_start = false;
                let head = ident(&group[i..]);
                if !head.is_empty() && head != "self" {
                    heads.push(head.to_owned());
                }
            }
            _ => {}
        }
    }
    heads
}

fn ident(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// `text` with comments and the contents of string and character literals replaced by
/// spaces (so byte offsets stay put).
fn strip_comments_and_literals(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for byte in &mut out[from..to.min(b.len())] {
            if *byte != b'\n' {
                *byte = b' ';
            }
        }
    };
    let mut i = 0;
    while i < b.len() {
        let rest = &b[i..];
        if rest.starts_with(b"//") {
            let end = rest
                .iter()
                .position(|&c| c == b'\n')
                .map_or(b.len(), |p| i + p);
            blank(&mut out, i, end);
            i = end;
        } else if rest.starts_with(b"/*") {
            // Block comments nest in Rust.
            let mut depth = 0;
            let mut j = i;
            while j < b.len() {
                if b[j..].starts_with(b"/*") {
                    depth += 1;
                    j += 2;
                } else if b[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank(&mut out, i, j);
            i = j;
        } else if let Some(hashes) = raw_string_start(b, i) {
            // r"…", r#"…"#, br"…": no escapes, ends at `"` and as many `#`.
            let open = i + b[i..].iter().position(|&c| c == b'"').unwrap_or(0) + 1;
            let mut close = vec![b'"'];
            close.extend(std::iter::repeat_n(b'#', hashes));
            let end = b[open..]
                .windows(close.len())
                .position(|w| w == close.as_slice())
                .map_or(b.len(), |p| open + p + close.len());
            blank(&mut out, i, end);
            i = end;
        } else if b[i] == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            blank(&mut out, i, j + 1);
            i = j + 1;
        } else if b[i] == b'\'' {
            // A character literal ('x', '\n', '"'), or a lifetime ('a), which is kept.
            let end = if rest.get(1) == Some(&b'\\') {
                rest.iter()
                    .skip(2)
                    .position(|&c| c == b'\'')
                    .map(|p| i + 2 + p + 1)
            } else {
                let ch = text[i + 1..].chars().next().map_or(1, char::len_utf8);
                (b.get(i + 1 + ch) == Some(&b'\'')).then_some(i + 2 + ch)
            };
            match end {
                Some(end) => {
                    blank(&mut out, i, end);
                    i = end;
                }
                None => i += 1,
            }
        } else {
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// If a raw string literal starts at `i` (`r"`, `r#"`, `br"`, …, not inside an
/// identifier), the number of its `#`.
fn raw_string_start(b: &[u8], i: usize) -> Option<usize> {
    if i > 0 && (b[i - 1] == b'_' || b[i - 1].is_ascii_alphanumeric()) {
        return None;
    }
    let mut j = i;
    if b.get(j) == Some(&b'b') || b.get(j) == Some(&b'c') {
        j += 1;
    }
    if b.get(j) != Some(&b'r') {
        return None;
    }
    j += 1;
    let hashes = b[j..].iter().take_while(|&&c| c == b'#').count();
    (b.get(j + hashes) == Some(&b'"')).then_some(hashes)
}

/// Every cycle of `graph`, one line per strongly connected component with more than one
/// module, showing one closed path through two of its modules.
fn cycles(graph: &Graph) -> Vec<String> {
    let reach = |from: &str| -> BTreeMap<String, Vec<String>> {
        // Breadth-first, keeping the path to each module.
        let mut paths: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([vec![from.to_owned()]]);
        while let Some(path) = queue.pop_front() {
            let last = path.last().cloned().unwrap_or_default();
            for next in graph.get(&last).into_iter().flatten() {
                if !paths.contains_key(next) {
                    let mut p = path.clone();
                    p.push(next.clone());
                    paths.insert(next.clone(), p.clone());
                    queue.push_back(p);
                }
            }
        }
        paths
    };
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut found = Vec::new();
    for module in graph.keys() {
        if seen.contains(module) {
            continue;
        }
        let from_here = reach(module);
        let Some(back) = from_here.get(module) else {
            continue;
        };
        // The component: every module on a path back to `module`.
        let component: Vec<&str> = from_here
            .keys()
            .filter(|m| reach(m).contains_key(module))
            .map(String::as_str)
            .collect();
        seen.extend(component.iter().map(|m| m.to_string()));
        found.push(format!(
            "{} (cycle among {})",
            back.join(" → "),
            component.join(", ")
        ));
    }
    found
}

#[cfg(test)]
mod scanner {
    use super::*;

    #[test]
    fn reads_plain_grouped_and_inline_paths() {
        let src = "use crate::a::X;\nuse crate::{b, c::{D, e}, self};\nfn f() { crate::d::g(); }\n";
        assert_eq!(crate_paths(src, 1), ["a", "b", "c", "d"]);
    }

    #[test]
    fn reads_item_level_super_paths_that_reach_the_root() {
        let src = "use super::a;\nuse super::super::b;\nmod tests { use super::c; }\n";
        // In `src/x/mod.rs` (depth 1) both climb to the root; in `src/x/y.rs` only `b`.
        assert_eq!(crate_paths(src, 1), ["a", "b"]);
        assert_eq!(crate_paths(src, 2), ["b"]);
        let src_dir = Path::new("/r/src");
        assert_eq!(module_depth(src_dir, Path::new("/r/src/a.rs")), 1);
        assert_eq!(module_depth(src_dir, Path::new("/r/src/a/mod.rs")), 1);
        assert_eq!(module_depth(src_dir, Path::new("/r/src/a/x.rs")), 2);
    }

    #[test]
    fn skips_comments_literals_and_other_crates() {
        let src = concat!(
            "//! see [`crate::a`]\n",
            "/* crate::b /* nested */ crate::c */\n",
            "const S: &str = \"crate::d \\\" crate::e\";\n",
            "const R: &str = r#\"crate::f \"# ;\n",
            "const Q: char = '\"'; use crate::g;\n",
            "fn l<'a>(x: &'a str) { $crate::h; my_crate::i; crate::j }\n",
        );
        assert_eq!(crate_paths(src, 1), ["g", "j"]);
    }

    #[test]
    fn finds_direct_and_indirect_cycles_and_none_in_a_tree() {
        let graph = |edges: &[(&str, &str)]| {
            let mut g = Graph::new();
            for (a, b) in edges {
                g.entry(a.to_string()).or_default().insert(b.to_string());
                g.entry(b.to_string()).or_default();
            }
            g
        };
        assert!(cycles(&graph(&[("a", "b"), ("b", "c"), ("a", "c")])).is_empty());
        assert_eq!(
            cycles(&graph(&[("a", "b"), ("b", "a")])),
            ["a → b → a (cycle among a, b)"]
        );
        assert_eq!(
            cycles(&graph(&[("x", "y"), ("y", "z"), ("z", "x"), ("z", "w")])),
            ["x → y → z → x (cycle among x, y, z)"]
        );
    }
}
