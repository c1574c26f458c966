//! Comparing two normalized stacks: `moved` renames first, then address by address,
//! attribute path by attribute path.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use similar::{Algorithm, DiffOp, capture_diff_slices};

use super::value::{Addr, Kind, Root, Sym, Value, escape, is_identifier, truncate};
use super::{Address, Stack};

/// How many characters of a value a difference line shows.
const SHOWN: usize = 100;

/// Which of the two compared stacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    A,
    B,
}

/// One difference between two stacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// An object that only one stack has (after `moved` renames).
    OnlyIn { address: String, side: Side },
    /// An attribute whose values differ; `(absent)` where one side does not set it.
    Value {
        address: String,
        path: String,
        a: String,
        b: String,
    },
}

impl Difference {
    pub fn address(&self) -> &str {
        match self {
            Difference::OnlyIn { address, .. } | Difference::Value { address, .. } => address,
        }
    }

    /// The line a report prints, naming the stacks by their labels.
    pub fn line(&self, a_label: &str, b_label: &str) -> String {
        match self {
            Difference::OnlyIn { address, side } => format!(
                "{address}: only in {}",
                if *side == Side::A { a_label } else { b_label }
            ),
            Difference::Value {
                address,
                path,
                a,
                b,
            } if path.is_empty() => {
                format!("{address}: {a} ≠ {b}")
            }
            Difference::Value {
                address,
                path,
                a,
                b,
            } => format!("{address}: {path}: {a} ≠ {b}"),
        }
    }
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.line("the first stack", "the second stack"))
    }
}

/// The result of comparing two stacks.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// How the two stacks are named in lines (their directories).
    pub a: String,
    pub b: String,
    pub differences: Vec<Difference>,
    /// What the readers noted about either stack (inlined modules, locals Terragrunt
    /// generates, unreadable files), each prefixed with its stack.
    pub notes: Vec<String>,
}

impl Comparison {
    /// Whether the first stack plans without changes against the second.
    pub fn is_equal(&self) -> bool {
        self.differences.is_empty()
    }

    /// The difference lines, `address: path: a ≠ b`.
    pub fn lines(&self) -> Vec<String> {
        self.differences
            .iter()
            .map(|d| d.line(&self.a, &self.b))
            .collect()
    }
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in self.lines() {
            writeln!(f, "{line}")?;
        }
        Ok(())
    }
}

/// Compares two stacks: would planning `a` against the applied state of `b` show no
/// change? The second stack is taken as applied (its state holds the addresses it
/// declares), so the `moved` blocks of `a` — the stack being planned — rename the
/// addresses of `b` (and the references to them) before anything is compared; `b`'s own
/// `moved` blocks are history its state already reflects. Data sources are matched by
/// configuration.
pub fn compare(a: &Stack, b: &Stack) -> Comparison {
    let a_objects = &a.objects;
    let (b_objects, b_clash) = renamed(&b.objects, &a.moved);
    let mut out = Vec::new();
    let mut data_a = BTreeMap::new();
    let mut data_b = BTreeMap::new();
    let keys: BTreeSet<&Address> = a_objects.keys().chain(b_objects.keys()).collect();
    for key in keys {
        if let Address::Object(addr) = key
            && addr.kind == Kind::Data
        {
            if let Some(v) = a_objects.get(key) {
                data_a.insert(addr.clone(), v);
            }
            if let Some(v) = b_objects.get(key) {
                data_b.insert(addr.clone(), v);
            }
            continue;
        }
        let address = key.to_string();
        match (a_objects.get(key), b_objects.get(key)) {
            (Some(va), Some(vb)) => diff(&mut out, &address, "", va, vb),
            (Some(_), None) => out.push(Difference::OnlyIn {
                address,
                side: Side::A,
            }),
            (None, Some(_)) => out.push(Difference::OnlyIn {
                address,
                side: Side::B,
            }),
            (None, None) => {}
        }
    }
    compare_data(&mut out, &data_a, &data_b);
    out.sort_by(|x, y| x.address().cmp(y.address()));
    let mut notes: Vec<String> = a
        .notes
        .iter()
        .map(|n| format!("{}: {n}", a.label))
        .collect();
    notes.extend(
        b.notes
            .iter()
            .chain(&b_clash)
            .map(|n| format!("{}: {n}", b.label)),
    );
    Comparison {
        a: a.label.clone(),
        b: b.label.clone(),
        differences: out,
        notes,
    }
}

/// Data sources hold no state: one is the same as another of the same type and
/// configuration, whatever its label. Unmatched ones are compared by label when both
/// stacks have that label, and reported as only on one side otherwise.
fn compare_data(out: &mut Vec<Difference>, a: &BTreeMap<Addr, &Value>, b: &BTreeMap<Addr, &Value>) {
    let identity = |addr: &Addr, v: &Value| format!("{}\u{0}{}", addr.ty, v.canon());
    let b_ids: BTreeSet<String> = b.iter().map(|(k, v)| identity(k, v)).collect();
    let a_ids: BTreeSet<String> = a.iter().map(|(k, v)| identity(k, v)).collect();
    let a_left: BTreeMap<&Addr, &Value> = a
        .iter()
        .filter(|(k, v)| !b_ids.contains(&identity(k, v)))
        .map(|(k, v)| (k, *v))
        .collect();
    let b_left: BTreeMap<&Addr, &Value> = b
        .iter()
        .filter(|(k, v)| !a_ids.contains(&identity(k, v)))
        .map(|(k, v)| (k, *v))
        .collect();
    for (addr, va) in &a_left {
        match b_left.get(addr) {
            Some(vb) => diff(out, &addr.to_string(), "", va, vb),
            None => out.push(Difference::OnlyIn {
                address: addr.to_string(),
                side: Side::A,
            }),
        }
    }
    for addr in b_left.keys() {
        if !a_left.contains_key(addr) {
            out.push(Difference::OnlyIn {
                address: addr.to_string(),
                side: Side::B,
            });
        }
    }
}

/// Applies the `moved` renames of the planned stack to every address and every reference
/// of the applied one. Returns the renamed objects and a note for each rename that would
/// land on an address already taken (the object then keeps its address).
fn renamed(
    objects: &BTreeMap<Address, Value>,
    moves: &[(Addr, Addr)],
) -> (BTreeMap<Address, Value>, Vec<String>) {
    let mut out = BTreeMap::new();
    let mut clashes = Vec::new();
    for (key, value) in objects {
        let mut value = value.clone();
        value.map_syms(&mut |sym| {
            if let Sym::Ref {
                root: Root::Object(addr),
                ..
            } = sym
            {
                *addr = rename(addr, moves);
            }
        });
        let new_key = match key {
            Address::Object(addr) => Address::Object(rename(addr, moves)),
            other => other.clone(),
        };
        if &new_key != key && objects.contains_key(&new_key) {
            clashes.push(format!(
                "{key}: a moved block renames it to {new_key}, which the stack declares too: kept as {key}"
            ));
            out.insert(key.clone(), value);
        } else {
            out.insert(new_key, value);
        }
    }
    (out, clashes)
}

/// An address after the `moved` blocks: an exact `from` becomes its `to`, and an object
/// inside a moved module call moves with it. Chains are followed.
pub(crate) fn rename(addr: &Addr, moves: &[(Addr, Addr)]) -> Addr {
    let mut cur = addr.clone();
    for _ in 0..=moves.len() {
        let mut changed = false;
        for (from, to) in moves {
            if &cur == from {
                cur = to.clone();
                changed = true;
            } else if let (Some(fp), Some(tp)) = (from.as_module_path(), to.as_module_path())
                && cur.module.starts_with(&fp)
            {
                let mut module = tp;
                module.extend(cur.module[fp.len()..].iter().cloned());
                cur.module = module;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    cur
}

fn attr_path(path: &str, key: &str) -> String {
    if is_identifier(key) {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    } else {
        format!("{path}[\"{}\"]", escape(key))
    }
}

/// Records how `a` and `b` differ below `path`.
fn diff(out: &mut Vec<Difference>, address: &str, path: &str, a: &Value, b: &Value) {
    if a.canon() == b.canon() {
        return;
    }
    let value = |out: &mut Vec<Difference>, path: &str, x: String, y: String| {
        out.push(Difference::Value {
            address: address.to_owned(),
            path: path.to_owned(),
            a: x,
            b: y,
        });
    };
    match (a, b) {
        (Value::Object(ma), Value::Object(mb)) => {
            let keys: BTreeSet<&String> = ma.keys().chain(mb.keys()).collect();
            for k in keys {
                let p = attr_path(path, k);
                match (ma.get(k), mb.get(k)) {
                    (Some(x), Some(y)) => diff(out, address, &p, x, y),
                    (Some(x), None) => value(out, &p, x.show(SHOWN), ABSENT.to_owned()),
                    (None, Some(y)) => value(out, &p, ABSENT.to_owned(), y.show(SHOWN)),
                    (None, None) => {}
                }
            }
        }
        (Value::List(la) | Value::Blocks(la), Value::List(lb) | Value::Blocks(lb)) => {
            diff_lists(out, address, path, la, lb)
        }
        (Value::Set(sa), Value::Set(sb)) => {
            let ka: BTreeMap<String, &Value> = sa.iter().map(|v| (v.canon(), v)).collect();
            let kb: BTreeMap<String, &Value> = sb.iter().map(|v| (v.canon(), v)).collect();
            for (k, v) in &ka {
                if !kb.contains_key(k) {
                    value(out, path, v.show(SHOWN), ABSENT.to_owned());
                }
            }
            for (k, v) in &kb {
                if !ka.contains_key(k) {
                    value(out, path, ABSENT.to_owned(), v.show(SHOWN));
                }
            }
        }
        (Value::String(sa), Value::String(sb)) if is_long(sa) || is_long(sb) => {
            let la: Vec<&str> = sa.split('\n').collect();
            let lb: Vec<&str> = sb.split('\n').collect();
            let first = la
                .iter()
                .zip(&lb)
                .position(|(x, y)| x != y)
                .unwrap_or(la.len().min(lb.len()));
            let line = |lines: &[&str]| match lines.get(first) {
                Some(l) => format!("\"{}\"", truncate(&escape(l), SHOWN)),
                None => "(end of text)".to_owned(),
            };
            let p = format!("{path} (line {})", first + 1);
            value(out, &p, line(&la), line(&lb));
        }
        _ => value(out, path, a.show(SHOWN), b.show(SHOWN)),
    }
}

const ABSENT: &str = "(absent)";

fn is_long(s: &str) -> bool {
    s.contains('\n') || s.chars().count() > SHOWN
}

/// Lists of equal length compare element by element; otherwise the elements are aligned
/// first (a longest common subsequence), so an inserted `env` block is one difference,
/// not one per following block. Paths use the first stack's index, or the second's for
/// an element only it has.
fn diff_lists(out: &mut Vec<Difference>, address: &str, path: &str, la: &[Value], lb: &[Value]) {
    if la.len() == lb.len() {
        for (i, (x, y)) in la.iter().zip(lb).enumerate() {
            diff(out, address, &format!("{path}[{i}]"), x, y);
        }
        return;
    }
    let ka: Vec<String> = la.iter().map(Value::canon).collect();
    let kb: Vec<String> = lb.iter().map(Value::canon).collect();
    let only_a = |out: &mut Vec<Difference>, range: std::ops::Range<usize>| {
        for (i, v) in la.iter().enumerate().take(range.end).skip(range.start) {
            out.push(Difference::Value {
                address: address.to_owned(),
                path: format!("{path}[{i}]"),
                a: v.show(SHOWN),
                b: ABSENT.to_owned(),
            });
        }
    };
    let only_b = |out: &mut Vec<Difference>, range: std::ops::Range<usize>| {
        for (j, v) in lb.iter().enumerate().take(range.end).skip(range.start) {
            out.push(Difference::Value {
                address: address.to_owned(),
                path: format!("{path}[{j}]"),
                a: ABSENT.to_owned(),
                b: v.show(SHOWN),
            });
        }
    };
    for op in capture_diff_slices(Algorithm::Myers, &ka, &kb) {
        match op {
            DiffOp::Equal { .. } => {}
            DiffOp::Delete {
                old_index, old_len, ..
            } => only_a(out, old_index..old_index + old_len),
            DiffOp::Insert {
                new_index, new_len, ..
            } => only_b(out, new_index..new_index + new_len),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                let common = old_len.min(new_len);
                for k in 0..common {
                    diff(
                        out,
                        address,
                        &format!("{path}[{}]", old_index + k),
                        &la[old_index + k],
                        &lb[new_index + k],
                    );
                }
                only_a(out, old_index + common..old_index + old_len);
                only_b(out, new_index + common..new_index + new_len);
            }
        }
    }
}
