//! Taking objects out of a wrapping local module: the text of a block written inside
//! `modules/<m>/` says the same at the stack's root once the module's variables are
//! replaced by what the module call passes (or their defaults) and the sources of the
//! modules it calls are made relative to the root.

use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, Traversal, TraversalOperator};
use hcl_edit::visit::{Visit, visit_traversal};

use super::source::{LocalModule, Source};

/// `text` (blocks or a body taken from `module`'s files) in the root's terms.
pub fn rewrite(src: &Source, module: &LocalModule, text: &str) -> String {
    let Ok(body) = hcl_edit::parser::parse_body(text) else {
        return text.to_owned();
    };
    let call = src.module_call(&module.name);
    let mut vars = Vars::default();
    vars.visit_body(&body);
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    for (span, name) in vars.0 {
        let declared = module.files.iter().find_map(|f| {
            let b = f.body.blocks().find(|b| {
                b.ident.as_str() == "variable"
                    && b.labels.first().is_some_and(|l| l.as_str() == name)
            })?;
            Some((f, b))
        });
        let default = declared.and_then(|(f, b)| {
            let attr = b.body.get_attribute("default")?;
            let text = f.text.get(attr.value.span()?)?;
            Some(parenthesized(&attr.value, text))
        });
        // `nullable = false`: a `null` passed gives the default.
        let not_nullable = declared
            .and_then(|(_, b)| b.body.get_attribute("nullable"))
            .is_some_and(|a| matches!(&a.value, Expression::Bool(b) if !*b.value()));
        let passed = call.and_then(|c| {
            let attr = c.block.body.get_attribute(&name)?;
            if not_nullable && default.is_some() && matches!(attr.value, Expression::Null(_)) {
                return None;
            }
            let text = c.file.text.get(attr.value.span()?)?;
            Some(parenthesized(&attr.value, text))
        });
        if let Some(replacement) = passed.or(default) {
            edits.push((span, replacement));
        }
    }
    for block in body.blocks() {
        if block.ident.as_str() != "module" {
            continue;
        }
        if let Some(attr) = block.body.get_attribute("source")
            && let Some(source) = attr.value.as_str()
            && (source.starts_with("../") || source.starts_with("./"))
            && let Some(span) = attr.value.span()
            && let Some(rooted) = rooted(&module.dir, source)
        {
            edits.push((span, crate::hcl::quote(&rooted)));
        }
    }
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    let mut out = text.to_owned();
    let mut last = usize::MAX;
    for (range, replacement) in edits {
        // Nested edits (a variable inside another's span) cannot happen; be safe anyway.
        if range.end > last || !out.is_char_boundary(range.start) || range.end > out.len() {
            continue;
        }
        last = range.start;
        out.replace_range(range, &replacement);
    }
    out
}

/// Expression text that can stand where a variable stood: in parentheses unless it is a
/// single term.
fn parenthesized(expr: &Expression, text: &str) -> String {
    match expr {
        Expression::BinaryOp(_) | Expression::UnaryOp(_) | Expression::Conditional(_) => {
            format!("({})", text.trim())
        }
        _ => text.trim().to_owned(),
    }
}

/// A module source relative to the module's directory, made relative to the stack's.
fn rooted(module_dir: &str, source: &str) -> Option<String> {
    let joined = Path::new(module_dir).join(source);
    let mut parts: Vec<Component> = Vec::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match parts.last() {
                Some(Component::Normal(_)) => {
                    parts.pop();
                }
                _ => parts.push(c),
            },
            Component::Normal(_) => parts.push(c),
            _ => return None,
        }
    }
    let path: PathBuf = parts.iter().collect();
    let text = path.to_str()?.replace('\\', "/");
    Some(if text.starts_with("..") {
        text
    } else {
        format!("./{text}")
    })
}

/// Where the text says `var.<name>`: the span of those two steps, and the name.
#[derive(Default)]
struct Vars(Vec<(Range<usize>, String)>);

impl Visit for Vars {
    fn visit_traversal(&mut self, node: &Traversal) {
        if let Expression::Variable(root) = &node.expr
            && root.as_str() == "var"
            && let Some(first) = node.operators.first()
            && let TraversalOperator::GetAttr(name) = first.value()
            && let (Some(a), Some(b)) = (node.expr.span(), first.span())
        {
            self.0.push((a.start..b.end, name.as_str().to_owned()));
        }
        visit_traversal(self, node);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_sources_are_made_relative_to_the_stack() {
        assert_eq!(
            rooted(
                "modules/vaultwarden",
                "../../../../modules/kubernetes/setup_tls_secret"
            )
            .as_deref(),
            Some("../../modules/kubernetes/setup_tls_secret")
        );
        assert_eq!(
            rooted("modules/app", "../shared").as_deref(),
            Some("./modules/shared")
        );
    }
}
