//! How the stack declares the variables it uses: a default, a description or
//! `sensitive = true` beyond the one-line `{ type = string }` is `variables:`.
//!
//! A variable the spec refers to is declared by the rendered stack; without its default
//! the plan would differ (a flag, a schedule, a size with a default). A variable that
//! nothing uses is left out of the spec as before.

use hcl_edit::expr::{Expression, UnaryOperator};

use super::Ctx;
use crate::conventions as cv;
use crate::import::draft::Draft;
use crate::spec::{Scalar, VariableSpec};

/// Reads the declarations of the variables the stack uses that say more than their
/// type, except those the conventions declare (the TLS secret name, the own image's tag).
pub fn variables(ctx: &Ctx, d: &mut Draft) {
    for top in ctx.src.tops() {
        let [label] = top.block.labels.as_slice() else {
            continue;
        };
        let name = label.as_str();
        if top.block.ident.as_str() == "variable" && name == cv::repo::TLS_SECRET_VARIABLE {
            // The conventions declare it sensitive; a stack that does not says so.
            if declaration(&top.block.body)
                .map(|s| with_module_declaration(ctx, name, s))
                .is_some_and(|s| {
                    s.sensitive.is_none() && s.default.is_none() && s.description.is_none()
                })
            {
                let spec = VariableSpec {
                    sensitive: Some(false),
                    ..VariableSpec::default()
                };
                d.spec.variables.0.push((name.to_owned(), spec));
            }
            continue;
        }
        if top.block.ident.as_str() != "variable"
            || name == cv::repo::TLS_SECRET_VARIABLE
            || d.spec.image.as_ref().is_some_and(|i| name == i.variable())
            || !used(ctx, name)
        {
            continue;
        }
        let Some(spec) = declaration(&top.block.body) else {
            continue;
        };
        let spec = with_module_declaration(ctx, name, spec);
        if spec.default.is_some() || spec.description.is_some() || spec.sensitive.is_some() {
            d.spec.variables.0.push((name.to_owned(), spec));
        }
    }
}

/// The root variable `name`'s declaration `spec` with what the wrapping module's
/// declaration of the variable it is passed to adds (`x = var.name`): its sensitivity,
/// and its description when the root gives none. The module's declarations go with it
/// once its objects are the root's.
fn with_module_declaration(ctx: &Ctx, name: &str, mut spec: VariableSpec) -> VariableSpec {
    let Some((module, call)) = ctx
        .wrapping()
        .and_then(|m| Some((m, ctx.src.module_call(&m.name)?)))
    else {
        return spec;
    };
    let reference = format!("var.{name}");
    for attr in call.block.body.attributes() {
        if attr.value.to_string().trim() != reference {
            continue;
        }
        let inner = module.files.iter().flat_map(|f| f.body.blocks()).find(|b| {
            b.ident.as_str() == "variable"
                && b.labels
                    .first()
                    .is_some_and(|l| l.as_str() == attr.key.as_str())
        });
        let Some(inner) = inner else {
            continue;
        };
        if inner
            .body
            .get_attribute("sensitive")
            .is_some_and(|a| matches!(&a.value, Expression::Bool(b) if *b.value()))
        {
            spec.sensitive = Some(true);
        }
        if spec.description.is_none()
            && let Some(Expression::String(d)) =
                inner.body.get_attribute("description").map(|a| &a.value)
        {
            spec.description = Some(d.value().clone());
        }
    }
    spec
}

/// The declaration as the spec says it: `None` when it holds anything but `type`, a
/// literal `default`, a `description` and `sensitive` (a validation, `nullable`, a
/// structured default).
fn declaration(body: &hcl_edit::structure::Body) -> Option<VariableSpec> {
    let mut out = VariableSpec::default();
    for structure in body.iter() {
        let attr = structure.as_attribute()?;
        match (attr.key.as_str(), &attr.value) {
            ("type", _) => {}
            ("default", value) => out.default = Some(scalar(value)?),
            ("description", Expression::String(s)) => out.description = Some(s.value().clone()),
            ("sensitive", Expression::Bool(b)) => out.sensitive = Some(*b.value()).filter(|b| *b),
            _ => return None,
        }
    }
    Some(out)
}

fn scalar(value: &Expression) -> Option<Scalar> {
    Some(match value {
        Expression::Bool(b) => Scalar::Bool(*b.value()),
        Expression::String(s) => Scalar::Str(s.value().clone()),
        Expression::Number(n) => number(n.value(), false)?,
        Expression::UnaryOp(op) if op.operator.value() == &UnaryOperator::Neg => {
            let Expression::Number(n) = &op.expr else {
                return None;
            };
            number(n.value(), true)?
        }
        _ => return None,
    })
}

fn number(n: &hcl_edit::Number, negative: bool) -> Option<Scalar> {
    if let Some(i) = n.as_i64() {
        return Some(Scalar::Int(if negative { -i } else { i }));
    }
    n.as_f64()
        .map(|f| Scalar::Float(if negative { -f } else { f }))
}

/// Whether a file of the stack refers to `var.<name>`.
fn used(ctx: &Ctx, name: &str) -> bool {
    let reference = format!("var.{name}");
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    ctx.src.files.iter().any(|f| {
        f.text.match_indices(&reference).any(|(i, _)| {
            let before = f.text[..i].chars().next_back();
            let after = f.text[i + reference.len()..].chars().next();
            !before.is_some_and(|c| ident(c) || c == '.') && !after.is_some_and(ident)
        })
    })
}
