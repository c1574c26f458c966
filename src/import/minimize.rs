//! The shortest spec: a field whose removal leaves every rendered file byte for byte the
//! same is a default (or says nothing), and is removed. Defaults are so read from the
//! model and the conventions module themselves, by rendering, never restated here.
//!
//! Fields are tried top down, a whole section before its fields, so a section made only
//! of defaults goes in one render.

use super::prove;
use super::yaml_out::{self, Entry, Node};
use crate::render::{RenderedFile, Renderer};

/// `entries` without every field that renders the same without it; `reference` is what
/// they render.
pub fn minimize(
    renderer: &Renderer,
    entries: Vec<Entry>,
    reference: &[RenderedFile],
) -> Vec<Entry> {
    let mut path = Vec::new();
    let mut root = Node::Map(entries);
    visit(renderer, &mut root, &mut path, reference);
    match root {
        Node::Map(e) => e,
        _ => Vec::new(),
    }
}

/// A step to a node: the index of a mapping entry or of a sequence item.
type Path = Vec<usize>;

fn visit(renderer: &Renderer, root: &mut Node, path: &mut Path, reference: &[RenderedFile]) {
    let len = match node_at(root, path) {
        Some(Node::Map(e)) => e.len(),
        Some(Node::Seq(items)) => items.len(),
        _ => return,
    };
    let is_map = matches!(node_at(root, path), Some(Node::Map(_)));
    let mut i = 0;
    let mut remaining = len;
    while i < remaining {
        if is_map {
            // Try without entry `i`.
            let removed = remove(root, path, i);
            if let Some(entry) = removed {
                if renders_the_same(renderer, root, reference) {
                    remaining -= 1;
                    continue;
                }
                insert(root, path, i, entry);
            }
        }
        path.push(i);
        visit(renderer, root, path, reference);
        path.pop();
        i += 1;
    }
}

fn node_at<'a>(root: &'a Node, path: &[usize]) -> Option<&'a Node> {
    let mut node = root;
    for &i in path {
        node = match node {
            Node::Map(e) => &e.get(i)?.value,
            Node::Seq(items) => items.get(i)?,
            _ => return None,
        };
    }
    Some(node)
}

fn node_at_mut<'a>(root: &'a mut Node, path: &[usize]) -> Option<&'a mut Node> {
    let mut node = root;
    for &i in path {
        node = match node {
            Node::Map(e) => &mut e.get_mut(i)?.value,
            Node::Seq(items) => items.get_mut(i)?,
            _ => return None,
        };
    }
    Some(node)
}

fn remove(root: &mut Node, path: &[usize], i: usize) -> Option<Entry> {
    match node_at_mut(root, path)? {
        Node::Map(e) if i < e.len() => Some(e.remove(i)),
        _ => None,
    }
}

fn insert(root: &mut Node, path: &[usize], i: usize, entry: Entry) {
    if let Some(Node::Map(e)) = node_at_mut(root, path) {
        e.insert(i.min(e.len()), entry);
    }
}

fn renders_the_same(renderer: &Renderer, root: &Node, reference: &[RenderedFile]) -> bool {
    let Node::Map(entries) = root else {
        return false;
    };
    prove::renders_as(renderer, &yaml_out::tree(entries), reference)
}
