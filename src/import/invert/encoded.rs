//! Encoded values: `jsonencode(...)` / `yamlencode(...)` read back as the structured value
//! the spec writes (`{jsonencode: ...}`, `{yamlencode: ...}`), and the order of an object
//! literal's keys, which the stack's evaluated values do not keep — wherever the spec
//! holds structured data: config map `data` and Terragrunt `inputs`. (Env values and
//! annotations are strings in the spec: an encoding there stays its text.)
//!
//! The normalized value of `jsonencode({ b = 1, a = 2 })` is its text (`{"a":2,"b":1}`),
//! and the argument of an encoding left symbolic (a reference inside) is an object with
//! its keys sorted: both lose what the stack wrote. The source expression keeps it. An
//! encoding of literals is read from the source and accepted only when it encodes to the
//! very text the stack's value is; a symbolic one keeps the value it has and takes the
//! order of its mappings from the source. Anything else (an encoding of a local, a
//! reference that the stack resolves to a value) stays what it is.

use std::collections::BTreeMap;

use hcl_edit::expr::{Expression, Object, UnaryOperator};
use hcl_edit::structure::Body;

use super::Ctx;
use super::around::key_text;
use crate::import::source::{self, Step};
use crate::import::value as val;
use crate::planeq::{self, Value};
use crate::spec::{DataSpec, OrderedMap, Scalar};

/// The functions whose argument the spec writes as structured data.
const ENCODINGS: [&str; 2] = ["jsonencode", "yamlencode"];

/// The object literal of attribute `attr` in `body` (`data = { ... }`).
fn object_literal<'a>(body: &'a Body, attr: &str) -> Option<&'a Object> {
    let found = source::find(body, &[Step::Attr(attr.to_owned())])?;
    match &found.as_attribute()?.value {
        Expression::Object(obj) => Some(obj),
        _ => None,
    }
}

/// The expression of the value at `key` of the object literal `obj`.
fn value_at<'a>(obj: &'a Object, key: &str) -> Option<&'a Expression> {
    obj.iter()
        .find(|(k, _)| key_text(k).as_deref() == Some(key))
        .map(|(_, v)| v.expr())
}

/// The expression of the value at `key` of the object literal in attribute `attr` of the
/// block at `address` (`data = { "k" = ... }`).
pub(super) fn entry<'a>(
    ctx: &'a Ctx,
    address: &str,
    attr: &str,
    key: &str,
) -> Option<&'a Expression> {
    let top = ctx.src.top(&ctx.at(address))?;
    value_at(object_literal(&top.block.body, attr)?, key)
}

/// Terragrunt's `inputs` (`m`, the object's value) as the spec's, in the order
/// `terragrunt.hcl` writes them, with encodings of literals as the spec writes them;
/// `None` when a value is not plain data.
pub(super) fn inputs(ctx: &Ctx, m: &BTreeMap<String, Value>) -> Option<Vec<(String, DataSpec)>> {
    let written = ctx
        .src
        .terragrunt
        .as_ref()
        .and_then(|f| object_literal(&f.body, "inputs"));
    let expr_of = |key: &str| value_at(written?, key);
    let mut out: Vec<(String, DataSpec)> = m
        .iter()
        .map(|(k, v)| {
            let d = match expr_of(k) {
                Some(e) => match literal_call(e, v) {
                    Some(d) => d,
                    None => in_source_order(val::data_spec(v)?, e),
                },
                None => val::data_spec(v)?,
            };
            Some((k.clone(), d))
        })
        .collect::<Option<_>>()?;
    if let Some(obj) = written {
        let order: Vec<Option<String>> = obj.iter().map(|(k, _)| key_text(k)).collect();
        out.sort_by_key(|(k, _)| {
            order
                .iter()
                .position(|o| o.as_deref() == Some(k))
                .unwrap_or(usize::MAX)
        });
    }
    Some(out)
}

/// The encoding function called at `expr` and its one argument.
pub(super) fn call(expr: &Expression) -> Option<(&str, &Expression)> {
    let Expression::FuncCall(call) = unparen(expr) else {
        return None;
    };
    let name = call.name.name.as_str();
    if !call.name.namespace.is_empty() || call.args.expand_final() || !ENCODINGS.contains(&name) {
        return None;
    }
    let mut args = call.args.iter();
    match (args.next(), args.next()) {
        (Some(arg), None) => Some((name, arg)),
        _ => None,
    }
}

/// `jsonencode(...)` / `yamlencode(...)` of literals at `expr`, as the spec writes it, when
/// it encodes to `evaluated` (the text the stack's value is).
pub(super) fn literal_call(expr: &Expression, evaluated: &Value) -> Option<DataSpec> {
    let (name, arg) = call(expr)?;
    let Value::String(text) = evaluated else {
        return None;
    };
    let data = literal(arg)?;
    let value = value_of(&data)?;
    let encoded = if name == "jsonencode" {
        let mut out = String::new();
        planeq::json_encode(&mut out, &value).then_some(out)?
    } else {
        planeq::yaml_encode(&value)?
    };
    if encoded != *text {
        return None;
    }
    Some(match name {
        "jsonencode" => DataSpec::Json(Box::new(data)),
        _ => DataSpec::Yaml(Box::new(data)),
    })
}

/// Plain data written as a literal: a string without interpolation, a number, a bool, and
/// lists and objects of them (keys in the order written), or an encoding of such data.
pub(super) fn literal(expr: &Expression) -> Option<DataSpec> {
    Some(match unparen(expr) {
        Expression::String(s) => DataSpec::Scalar(Scalar::Str(s.value().to_string())),
        Expression::Bool(b) => DataSpec::Scalar(Scalar::Bool(*b.value())),
        Expression::Number(n) => number(n.value(), false)?,
        Expression::UnaryOp(op) if *op.operator.value() == UnaryOperator::Neg => {
            match unparen(&op.expr) {
                Expression::Number(n) => number(n.value(), true)?,
                _ => return None,
            }
        }
        Expression::Array(items) => {
            DataSpec::List(items.iter().map(literal).collect::<Option<_>>()?)
        }
        Expression::Object(obj) => {
            // (The parser refuses a key written twice.)
            let entries: Vec<(String, DataSpec)> = obj
                .iter()
                .map(|(k, v)| Some((key_text(k)?, literal(v.expr())?)))
                .collect::<Option<_>>()?;
            DataSpec::Map(OrderedMap(entries))
        }
        call_expr @ Expression::FuncCall(_) => {
            let (name, arg) = call(call_expr)?;
            let data = Box::new(literal(arg)?);
            match name {
                "jsonencode" => DataSpec::Json(data),
                _ => DataSpec::Yaml(data),
            }
        }
        _ => return None,
    })
}

fn number(n: &hcl_edit::Number, negative: bool) -> Option<DataSpec> {
    Some(DataSpec::Scalar(match (n.as_i64(), negative) {
        (Some(i), false) => Scalar::Int(i),
        (Some(i), true) => Scalar::Int(i.checked_neg()?),
        (None, false) => Scalar::Float(n.as_f64()?),
        (None, true) => Scalar::Float(-n.as_f64()?),
    }))
}

fn unparen(expr: &Expression) -> &Expression {
    match expr {
        Expression::Parenthesis(inner) => unparen(inner.inner()),
        other => other,
    }
}

/// The value plain data stands for, as the stack's values are (encodings encoded).
fn value_of(d: &DataSpec) -> Option<Value> {
    Some(match d {
        DataSpec::Scalar(Scalar::Str(s)) => Value::String(s.clone()),
        DataSpec::Scalar(Scalar::Bool(b)) => Value::Bool(*b),
        DataSpec::Scalar(Scalar::Int(i)) => Value::Number((*i).into()),
        DataSpec::Scalar(Scalar::Float(f)) => Value::Number(hcl_edit::Number::from_f64(*f)?),
        DataSpec::List(items) => Value::List(items.iter().map(value_of).collect::<Option<_>>()?),
        DataSpec::Map(m) => Value::Object(
            m.0.iter()
                .map(|(k, v)| Some((k.clone(), value_of(v)?)))
                .collect::<Option<_>>()?,
        ),
        DataSpec::Json(inner) => {
            let mut out = String::new();
            planeq::json_encode(&mut out, &value_of(inner)?).then_some(())?;
            Value::String(out)
        }
        DataSpec::Yaml(inner) => Value::String(planeq::yaml_encode(&value_of(inner)?)?),
        DataSpec::Ref(_)
        | DataSpec::File(_)
        | DataSpec::TemplateFile(_)
        | DataSpec::JsonDecode(_) => return None,
    })
}

/// `d` with the entries of its mappings in the order the object literals of `expr` (the
/// expression `d` was read from) write their keys; keys the source does not write (a
/// `merge`, a local) after them, as they were.
pub(super) fn in_source_order(d: DataSpec, expr: &Expression) -> DataSpec {
    match (d, unparen(expr)) {
        (DataSpec::Map(OrderedMap(mut entries)), Expression::Object(obj)) => {
            let written: Vec<(Option<String>, &Expression)> =
                obj.iter().map(|(k, v)| (key_text(k), v.expr())).collect();
            let position = |key: &str| {
                written
                    .iter()
                    .position(|(k, _)| k.as_deref() == Some(key))
                    .unwrap_or(usize::MAX)
            };
            entries.sort_by_key(|(k, _)| position(k));
            DataSpec::Map(OrderedMap(
                entries
                    .into_iter()
                    .map(|(k, v)| {
                        let v = match written.get(position(&k)) {
                            Some((_, e)) => in_source_order(v, e),
                            None => v,
                        };
                        (k, v)
                    })
                    .collect(),
            ))
        }
        (DataSpec::List(items), Expression::Array(exprs)) => {
            let exprs: Vec<&Expression> = exprs.iter().collect();
            if exprs.len() != items.len() {
                return DataSpec::List(items);
            }
            DataSpec::List(
                items
                    .into_iter()
                    .zip(exprs)
                    .map(|(v, e)| in_source_order(v, e))
                    .collect(),
            )
        }
        (DataSpec::Json(inner), e) => match call(e) {
            Some(("jsonencode", arg)) => DataSpec::Json(Box::new(in_source_order(*inner, arg))),
            _ => DataSpec::Json(inner),
        },
        (DataSpec::Yaml(inner), e) => match call(e) {
            Some(("yamlencode", arg)) => DataSpec::Yaml(Box::new(in_source_order(*inner, arg))),
            _ => DataSpec::Yaml(inner),
        },
        (d, _) => d,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(text: &str) -> Expression {
        hcl_edit::parser::parse_expr(text).expect("expression")
    }

    fn text(s: &str) -> Value {
        Value::String(s.to_owned())
    }

    fn map(entries: Vec<(&str, DataSpec)>) -> DataSpec {
        DataSpec::Map(OrderedMap(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        ))
    }

    fn scalar(s: Scalar) -> DataSpec {
        DataSpec::Scalar(s)
    }

    fn string(s: &str) -> DataSpec {
        scalar(Scalar::Str(s.to_owned()))
    }

    #[test]
    fn an_encoding_of_literals_is_its_data_in_the_order_written() {
        let e = expr(r#"jsonencode({ "X-Frame" = "DENY", max = -3, on = [true, 1.5] })"#);
        let got = literal_call(&e, &text(r#"{"X-Frame":"DENY","max":-3,"on":[true,1.5]}"#));
        let want = map(vec![
            ("X-Frame", string("DENY")),
            ("max", scalar(Scalar::Int(-3))),
            (
                "on",
                DataSpec::List(vec![scalar(Scalar::Bool(true)), scalar(Scalar::Float(1.5))]),
            ),
        ]);
        assert_eq!(got, Some(DataSpec::Json(Box::new(want))));
        let e = expr(r#"yamlencode({ zeta = 1, alpha = { b = "x", a = "y" } })"#);
        let yaml = "\"alpha\":\n  \"a\": \"y\"\n  \"b\": \"x\"\n\"zeta\": 1\n";
        let want = map(vec![
            ("zeta", scalar(Scalar::Int(1))),
            ("alpha", map(vec![("b", string("x")), ("a", string("y"))])),
        ]);
        assert_eq!(
            literal_call(&e, &text(yaml)),
            Some(DataSpec::Yaml(Box::new(want)))
        );
    }

    #[test]
    fn an_encoding_is_read_only_when_it_encodes_to_the_stacks_text() {
        let e = expr(r#"jsonencode({ a = 1 })"#);
        // Another text (the value comes from elsewhere), or no text at all.
        assert_eq!(literal_call(&e, &text(r#"{"a":2}"#)), None);
        assert_eq!(literal_call(&e, &Value::Null), None);
        // Interpolation, references and other functions are not literals.
        for other in [
            r#"jsonencode({ a = "${var.x}" })"#,
            r#"jsonencode({ a = var.x })"#,
            r#"jsonencode(local.x)"#,
            r#"jsonencode({ a = upper("x") })"#,
            r#"base64encode("x")"#,
            r#"jsonencode(1, 2)"#,
        ] {
            assert_eq!(
                literal_call(&expr(other), &text(r#"{"a":"x"}"#)),
                None,
                "{other}"
            );
        }
    }

    #[test]
    fn a_symbolic_encoding_takes_the_order_of_its_source() {
        let sorted = DataSpec::Map(OrderedMap(vec![
            ("a".to_owned(), DataSpec::Scalar(Scalar::Int(1))),
            (
                "m".to_owned(),
                DataSpec::List(vec![DataSpec::Map(OrderedMap(vec![
                    ("x".to_owned(), DataSpec::Scalar(Scalar::Int(1))),
                    ("y".to_owned(), DataSpec::Scalar(Scalar::Int(2))),
                ]))]),
            ),
            ("z".to_owned(), DataSpec::Scalar(Scalar::Int(3))),
        ]));
        let e = expr("yamlencode({ z = var.z, m = [{ y = 2, x = 1 }], a = 1 })");
        let want = map(vec![
            ("z", scalar(Scalar::Int(3))),
            (
                "m",
                DataSpec::List(vec![map(vec![
                    ("y", scalar(Scalar::Int(2))),
                    ("x", scalar(Scalar::Int(1))),
                ])]),
            ),
            ("a", scalar(Scalar::Int(1))),
        ]);
        assert_eq!(
            in_source_order(DataSpec::Yaml(Box::new(sorted.clone())), &e),
            DataSpec::Yaml(Box::new(want))
        );
        // A source of another shape (another function, a local) leaves the order as it is.
        let e = expr("jsonencode(local.x)");
        assert_eq!(
            in_source_order(DataSpec::Yaml(Box::new(sorted.clone())), &e),
            DataSpec::Yaml(Box::new(sorted))
        );
    }
}
