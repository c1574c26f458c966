//! Operations on normalized values: walking traversal steps, resolving a path inside an
//! object's configuration, operators, template concatenation and iteration.

use hcl_edit::Number;
use hcl_edit::expr::{BinaryOperator, UnaryOperator};

use super::funcs::{self, invalid};
use super::value::{Step, Sym, Value, number_text};

/// Top-level keys of a resource body that are Terraform meta-arguments, not attributes of
/// the object: a reference never resolves through them.
const META: &[&str] = &[
    "count",
    "for_each",
    "depends_on",
    "lifecycle",
    "provider",
    "provisioner",
    "connection",
];

/// The value of a template from its parts: a string when every part is a known
/// primitive, a symbolic template otherwise (adjacent text merged, so the same string
/// written in different pieces compares equal).
pub(crate) fn concat_parts(parts: Vec<Value>) -> Value {
    let mut merged: Vec<Value> = Vec::new();
    for part in parts {
        let part = match part {
            Value::Null => return invalid("null in a string template"),
            Value::Unknown(sym) => match *sym {
                // A nested template's parts join this one's.
                Sym::Template(inner) => {
                    for p in inner {
                        push_part(&mut merged, p);
                    }
                    continue;
                }
                other => Value::Unknown(Box::new(other)),
            },
            v => match v.as_primitive_string() {
                Some(s) => Value::String(s),
                None => return invalid("a collection in a string template"),
            },
        };
        push_part(&mut merged, part);
    }
    match merged.as_slice() {
        [] => Value::String(String::new()),
        [Value::String(s)] => Value::String(s.clone()),
        _ => Value::unknown(Sym::Template(merged)),
    }
}

fn push_part(merged: &mut Vec<Value>, part: Value) {
    if let (Some(Value::String(prev)), Value::String(s)) = (merged.last_mut(), &part) {
        prev.push_str(s);
        return;
    }
    if matches!(&part, Value::String(s) if s.is_empty()) {
        return;
    }
    merged.push(part);
}

/// A condition's value, when known.
pub(crate) fn truth(v: &Value) -> Option<bool> {
    match v.as_primitive_string().as_deref() {
        Some("true") => Some(true),
        Some("false") => Some(false),
        _ => None,
    }
}

/// The `(key, value)` pairs a `for` expression or a `dynamic` block iterates over, when
/// the collection is known: list index and element, object key and value, set element
/// twice.
pub(crate) fn items(coll: &Value) -> Option<Vec<(Value, Value)>> {
    match coll {
        Value::List(list) | Value::Blocks(list) => Some(
            list.iter()
                .enumerate()
                .map(|(i, v)| (Value::Number(Number::from(i as u64)), v.clone()))
                .collect(),
        ),
        Value::Set(set) if coll.is_known() => {
            let mut set = set.clone();
            set.sort_by_key(Value::canon);
            set.dedup_by_key(|v| v.canon());
            Some(set.into_iter().map(|v| (v.clone(), v)).collect())
        }
        Value::Object(map) => Some(
            map.iter()
                .map(|(k, v)| (Value::String(k.clone()), v.clone()))
                .collect(),
        ),
        Value::Null => Some(Vec::new()),
        _ => None,
    }
}

/// Applies traversal steps to a value: known structure is walked, the first symbolic
/// value takes the remaining steps.
pub(crate) fn apply(value: Value, steps: &[Step]) -> Value {
    let mut cur = value;
    for (i, step) in steps.iter().enumerate() {
        cur = match (cur, step) {
            (Value::Unknown(sym), _) => return extend(*sym, &steps[i..]),
            (Value::Object(map), Step::Attr(k)) => match map.get(k) {
                Some(v) => v.clone(),
                None => return invalid(format!("no attribute {k}")),
            },
            (Value::List(items) | Value::Blocks(items), Step::Index(idx)) => {
                match idx
                    .as_primitive_string()
                    .and_then(|s| s.parse::<usize>().ok())
                {
                    Some(n) => match items.get(n) {
                        Some(v) => v.clone(),
                        None => return invalid(format!("index {n} out of range")),
                    },
                    None if !idx.is_known() => {
                        return Value::unknown(Sym::Get {
                            base: Value::List(items),
                            steps: steps[i..].to_vec(),
                        });
                    }
                    None => return invalid("a list index must be a number"),
                }
            }
            (Value::Object(map), Step::Index(idx)) => match idx.as_primitive_string() {
                Some(k) => match map.get(&k) {
                    Some(v) => v.clone(),
                    None => return invalid(format!("no key {k}")),
                },
                None => {
                    return Value::unknown(Sym::Get {
                        base: Value::Object(map),
                        steps: steps[i..].to_vec(),
                    });
                }
            },
            (Value::List(items) | Value::Blocks(items) | Value::Set(items), Step::Splat) => {
                return Value::List(
                    items
                        .into_iter()
                        .map(|v| apply(v, &steps[i + 1..]))
                        .collect(),
                );
            }
            (Value::Null, Step::Splat) => return Value::List(Vec::new()),
            (other, Step::Splat) => return Value::List(vec![apply(other, &steps[i + 1..])]),
            (Value::Null, _) => return invalid("a step into null"),
            (other, _) => return invalid(format!("cannot step into {}", other.show(40))),
        };
    }
    cur
}

fn extend(sym: Sym, more: &[Step]) -> Value {
    match sym {
        Sym::Ref { root, mut steps } => {
            steps.extend(more.iter().cloned());
            Value::unknown(Sym::Ref { root, steps })
        }
        Sym::Get { base, mut steps } => {
            steps.extend(more.iter().cloned());
            Value::unknown(Sym::Get { base, steps })
        }
        other => Value::unknown(Sym::Get {
            base: Value::Unknown(Box::new(other)),
            steps: more.to_vec(),
        }),
    }
}

/// The configured value at `steps` inside an object's configuration, when the whole
/// path exists and ends at an attribute (not at a block, which also holds computed
/// attributes). Meta-arguments are not attributes.
pub(crate) fn deref(config: &Value, steps: &[Step]) -> Option<Value> {
    let mut cur = config;
    let mut at_block = true;
    for (i, step) in steps.iter().enumerate() {
        match (cur, step) {
            (Value::Object(map), Step::Attr(k)) => {
                if i == 0 && META.contains(&k.as_str()) {
                    return None;
                }
                let next = map.get(k)?;
                at_block = at_block && matches!(next, Value::Blocks(_));
                cur = next;
            }
            (Value::Blocks(items), Step::Index(idx)) => {
                let n: usize = idx.as_primitive_string()?.parse().ok()?;
                cur = items.get(n)?;
                at_block = true;
            }
            (Value::List(items), Step::Index(idx)) => {
                let n: usize = idx.as_primitive_string()?.parse().ok()?;
                cur = items.get(n)?;
                at_block = false;
            }
            (Value::Object(map), Step::Index(idx)) if !at_block => {
                cur = map.get(&idx.as_primitive_string()?)?;
            }
            _ => return None,
        }
    }
    if at_block || matches!(cur, Value::Blocks(_)) {
        return None;
    }
    Some(cur.clone())
}

pub(crate) fn unary(op: UnaryOperator, v: Value) -> Value {
    match (op, &v) {
        (UnaryOperator::Not, _) if truth(&v).is_some() => Value::Bool(!truth(&v).unwrap_or(false)),
        (UnaryOperator::Neg, _) if v.is_known() => {
            match v
                .as_primitive_string()
                .and_then(|s| funcs::parse_number(&s))
                .and_then(|n| n.as_f64())
            {
                Some(f) => funcs::float_value(-f).unwrap_or_else(|| invalid("not a number")),
                None => invalid("negating a value that is not a number"),
            }
        }
        (UnaryOperator::Not, Value::Unknown(_)) | (UnaryOperator::Neg, _) => {
            Value::unknown(Sym::Op {
                op: if op == UnaryOperator::Not { "!" } else { "-" },
                args: vec![v],
            })
        }
        _ => invalid("! of a value that is not a bool"),
    }
}

pub(crate) fn binary(op: BinaryOperator, a: Value, b: Value) -> Value {
    use BinaryOperator as B;
    if !(a.is_known() && b.is_known()) {
        return Value::unknown(Sym::Op {
            op: op.as_str(),
            args: vec![a, b],
        });
    }
    let num = |v: &Value| {
        v.as_primitive_string()
            .and_then(|s| funcs::parse_number(&s))
            .and_then(|n| n.as_f64())
    };
    match op {
        // Equality is strict: `1 == "1"` is false in Terraform.
        B::Eq | B::NotEq => {
            let eq = strict(&a) == strict(&b);
            Value::Bool(if op == B::Eq { eq } else { !eq })
        }
        B::And | B::Or => match (truth(&a), truth(&b)) {
            (Some(x), Some(y)) => Value::Bool(if op == B::And { x && y } else { x || y }),
            _ => invalid("&& or || of values that are not bools"),
        },
        _ => {
            let (Some(x), Some(y)) = (num(&a), num(&b)) else {
                return invalid(format!("{} of values that are not numbers", op.as_str()));
            };
            let exact = |f: fn(i64, i64) -> Option<i64>| match (
                a.as_primitive_string().and_then(|s| s.parse::<i64>().ok()),
                b.as_primitive_string().and_then(|s| s.parse::<i64>().ok()),
            ) {
                (Some(i), Some(j)) => f(i, j).map(|r| Value::Number(Number::from(r))),
                _ => None,
            };
            let result = match op {
                B::Plus => exact(i64::checked_add).or_else(|| funcs::float_value(x + y)),
                B::Minus => exact(i64::checked_sub).or_else(|| funcs::float_value(x - y)),
                B::Mul => exact(i64::checked_mul).or_else(|| funcs::float_value(x * y)),
                B::Div if y != 0.0 => funcs::float_value(x / y),
                B::Mod if y != 0.0 => exact(i64::checked_rem).or_else(|| funcs::float_value(x % y)),
                B::Less => Some(Value::Bool(x < y)),
                B::LessEq => Some(Value::Bool(x <= y)),
                B::Greater => Some(Value::Bool(x > y)),
                B::GreaterEq => Some(Value::Bool(x >= y)),
                _ => None,
            };
            result.unwrap_or_else(|| invalid(format!("{} failed", op.as_str())))
        }
    }
}

/// A type-strict key for `==`.
fn strict(v: &Value) -> String {
    match v {
        Value::Number(n) => format!("n:{}", number_text(n)),
        Value::Bool(b) => format!("b:{b}"),
        Value::String(s) => format!("s:{s}"),
        other => format!("v:{}", other.canon()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn obj(pairs: Vec<(&str, Value)>) -> Value {
        Value::Object(
            pairs
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect::<BTreeMap<_, _>>(),
        )
    }

    fn s(x: &str) -> Value {
        Value::String(x.to_owned())
    }

    fn steps(path: &[&str]) -> Vec<Step> {
        path.iter()
            .map(|p| match p.parse::<u64>() {
                Ok(n) => Step::Index(Value::Number(Number::from(n))),
                Err(_) => Step::Attr((*p).to_owned()),
            })
            .collect()
    }

    #[test]
    fn deref_resolves_attributes_not_blocks_or_meta_arguments() {
        let config = obj(vec![
            (
                "metadata",
                Value::Blocks(vec![obj(vec![
                    ("name", s("x")),
                    ("labels", obj(vec![("app", s("x"))])),
                ])]),
            ),
            ("count", Value::Number(Number::from(1))),
        ]);
        let at = |p: &[&str]| deref(&config, &steps(p)).map(|v| v.show(80));
        assert_eq!(at(&["metadata", "0", "name"]).as_deref(), Some("\"x\""));
        assert_eq!(
            at(&["metadata", "0", "labels", "app"]).as_deref(),
            Some("\"x\"")
        );
        assert_eq!(
            at(&["metadata", "0", "labels"]).as_deref(),
            Some("{ app = \"x\" }")
        );
        // A block holds computed attributes too; a missing path is computed.
        assert_eq!(at(&["metadata", "0"]), None);
        assert_eq!(at(&["metadata"]), None);
        assert_eq!(at(&["metadata", "0", "uid"]), None);
        assert_eq!(at(&["count"]), None);
    }

    #[test]
    fn apply_walks_known_structure_and_hands_the_rest_to_a_symbol() {
        let v = obj(vec![("a", Value::List(vec![s("x"), s("y")]))]);
        assert_eq!(apply(v.clone(), &steps(&["a", "1"])).show(80), "\"y\"");
        assert!(funcs::is_invalid(&apply(v.clone(), &steps(&["a", "5"]))));
        assert_eq!(
            apply(v, &[Step::Attr("a".into()), Step::Splat]).show(80),
            "[\"x\", \"y\"]"
        );
        let sym = Value::unknown(Sym::Call {
            name: "jsondecode".into(),
            args: vec![Value::text("var.j")],
        });
        assert_eq!(
            apply(sym, &steps(&["k", "0"])).show(80),
            "jsondecode(var.j).k[0]"
        );
    }

    #[test]
    fn operators_follow_terraform() {
        let n = |i: i64| Value::Number(Number::from(i));
        assert_eq!(binary(BinaryOperator::Mul, n(7), n(24)).show(80), "168");
        assert_eq!(binary(BinaryOperator::Div, n(7), n(2)).show(80), "3.5");
        assert_eq!(binary(BinaryOperator::Plus, s("5"), n(1)).show(80), "6");
        assert_eq!(binary(BinaryOperator::Eq, n(1), s("1")).show(80), "false");
        assert!(funcs::is_invalid(&binary(BinaryOperator::Div, n(1), n(0))));
        assert_eq!(
            unary(UnaryOperator::Not, Value::Bool(true)).show(80),
            "false"
        );
        assert_eq!(
            binary(BinaryOperator::Plus, Value::text("var.x"), n(1)).show(80),
            "(var.x + 1)"
        );
    }
}
