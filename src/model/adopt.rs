//! Taking over existing stacks and going beyond the spec language: pinned resource
//! addresses, `moved` blocks (renames and a wrapping module), and raw HCL snippets.

use super::problems::Problems;
use super::types::{Address, BlockKind, Body, Expr, Import, Moved, Object, Raw};
use crate::spec::Spec;

/// A resource address: the pinned one when the spec gives it (checked to be a Terraform
/// name), the default otherwise.
pub(crate) fn address(
    p: &mut Problems,
    path: &str,
    pinned: &Option<String>,
    default: impl FnOnce() -> String,
) -> String {
    match pinned {
        Some(a) => {
            p.check(path, "address", a, terraform_name(a));
            a.clone()
        }
        None => default(),
    }
}

/// A Terraform resource or module name: a letter or `_`, then letters, digits, `_`, `-`.
pub(crate) fn terraform_name(s: &str) -> Result<(), String> {
    let ok = s
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(
            "is not a Terraform name (a letter or `_`, then letters, digits, `_` and `-`)"
                .to_owned(),
        )
    }
}

/// A raw HCL snippet, checked to parse on its own as an HCL body. A snippet that parses
/// alone is balanced, so it cannot close the block it is put into or open another.
pub(crate) fn raw(p: &mut Problems, path: &str, text: &Option<String>) -> Option<Raw> {
    snippet(p, path, text).map(|text| Raw {
        text,
        field: path.to_owned(),
    })
}

/// Whether the raw HCL snippet `text` holds a block `ident` at its top level (a snippet
/// that does not parse holds none; [`raw`] reports it).
pub(crate) fn raw_has_block(text: &Option<String>, ident: &str) -> bool {
    text.as_deref()
        .and_then(|t| hcl::parse(t).ok())
        .is_some_and(|body| body.blocks().any(|b| b.identifier() == ident))
}

fn snippet(p: &mut Problems, path: &str, text: &Option<String>) -> Option<String> {
    let text = text.as_ref()?;
    if text.trim().is_empty() {
        p.add(
            path,
            "the raw HCL snippet is empty",
            Some("remove it".to_owned()),
        );
        return None;
    }
    match hcl::parse(text) {
        Ok(_) => Some(text.trim_end().to_owned()),
        Err(err) => {
            let (line, message) = match &err {
                hcl::Error::Parse(e) => (
                    e.location().line(),
                    format!(
                        "raw HCL does not parse (snippet line {}, column {}): {}",
                        e.location().line(),
                        e.location().column(),
                        e.message()
                    ),
                ),
                other => (1, format!("raw HCL does not parse: {other}")),
            };
            p.add_at_line(
                path,
                line,
                message,
                Some("a snippet is attributes and blocks, as written inside the resource (or whole blocks for `raw.stack`)".to_owned()),
            );
            None
        }
    }
}

/// The `moved` blocks of an adoption: one per generated resource and module when they lived
/// in a wrapping module, then the declared renames.
///
/// `objects` are the stack's objects in file order; every address comes from them.
pub(crate) fn moved(p: &mut Problems, spec: &Spec, objects: &[Object]) -> Vec<Object> {
    let Some(adopt) = &spec.adopt else {
        return Vec::new();
    };
    let generated: Vec<String> = objects
        .iter()
        .filter(|o| o.address.is_managed())
        .map(|o| o.address.reference())
        .collect();
    let mut out = Vec::new();
    if let Some(module) = &adopt.from_module {
        match terraform_name(module) {
            Ok(()) => out.extend(generated.iter().map(|a| {
                let moved = Moved {
                    from: Expr(format!("module.{module}.{a}")),
                    to: Expr(a.clone()),
                };
                (moved, None)
            })),
            Err(why) => p.invalid("adopt.from_module", "module name", module, &why),
        }
    }
    for (i, m) in adopt.moved.iter().enumerate() {
        let at = |f: &str| format!("adopt.moved[{i}].{f}");
        let (Some(from), Some(to)) = (&m.from, &m.to) else {
            if m.from.is_none() {
                p.missing(
                    &at("from"),
                    "the address the resource has today, e.g. `kubernetes_namespace.immich`",
                );
            }
            if m.to.is_none() {
                p.missing(&at("to"), "the generated address it moves to");
            }
            continue;
        };
        if let Err(why) = resource_address(from) {
            p.invalid(&at("from"), "address", from, &why);
            continue;
        }
        // Into the module the objects leave (`adopt.from_module`): a step of the history
        // that the module's own `moved` block chains on to the generated address.
        let through_module = adopt
            .from_module
            .as_ref()
            .and_then(|m| to.strip_prefix(&format!("module.{m}.")))
            .is_some_and(|inner| generated.iter().any(|g| g == inner));
        if !generated.contains(to) && !through_module {
            let near = crate::diag::did_you_mean(to, generated.iter().map(String::as_str));
            p.add(
                at("to"),
                format!("`{to}` is not an address this stack generates"),
                Some(match near {
                    Some(n) => format!(
                        "did you mean `{n}`? the stack generates {}",
                        generated.join(", ")
                    ),
                    None => format!("the stack generates {}", generated.join(", ")),
                }),
            );
            continue;
        }
        if generated.contains(from) {
            p.add(
                at("from"),
                format!("`{from}` is generated by this stack too, so it cannot move away"),
                Some("pin the old address on the resource (`address:`) instead".to_owned()),
            );
            continue;
        }
        if out.iter().any(|(o, _): &(Moved, _)| o.from.0 == *from) {
            p.add(at("from"), format!("`{from}` is moved twice"), None);
            continue;
        }
        let moved = Moved {
            from: Expr(from.clone()),
            to: Expr(to.clone()),
        };
        out.push((moved, m.comment.clone()));
    }
    out.into_iter()
        .map(|(m, comment)| {
            let mut object = Object::new(Address::unnamed(BlockKind::Moved), Body::Moved(m));
            object.comment = comment;
            object
        })
        .collect()
}

/// The `import` blocks of an adoption (`adopt.imports`): each imports to a resource the
/// stack generates, once.
pub(crate) fn imports(p: &mut Problems, spec: &Spec, objects: &[Object]) -> Vec<Object> {
    let Some(adopt) = &spec.adopt else {
        return Vec::new();
    };
    let resources: Vec<String> = objects
        .iter()
        .filter(|o| o.address.block == BlockKind::Resource)
        .map(|o| o.address.reference())
        .collect();
    let mut out: Vec<Import> = Vec::new();
    for (i, import) in adopt.imports.iter().enumerate() {
        let at = |f: &str| format!("adopt.imports[{i}].{f}");
        let (Some(to), Some(id)) = (&import.to, &import.id) else {
            if import.to.is_none() {
                p.missing(
                    &at("to"),
                    "the generated resource it imports to, e.g. `kubernetes_namespace.tasks`",
                );
            }
            if import.id.is_none() {
                p.missing(
                    &at("id"),
                    "the provider's import ID, e.g. `tasks` or `<namespace>/<name>`",
                );
            }
            continue;
        };
        if !resources.contains(to) {
            let near = crate::diag::did_you_mean(to, resources.iter().map(String::as_str));
            p.add(
                at("to"),
                format!("`{to}` is not a resource this stack generates"),
                Some(match near {
                    Some(n) => format!(
                        "did you mean `{n}`? the stack generates {}",
                        resources.join(", ")
                    ),
                    None => format!("the stack generates {}", resources.join(", ")),
                }),
            );
            continue;
        }
        if id.trim().is_empty() {
            p.add(
                at("id"),
                "the import ID is empty",
                Some(
                    "the ID the provider imports the object by, e.g. `<namespace>/<name>`"
                        .to_owned(),
                ),
            );
            continue;
        }
        if out.iter().any(|o| o.to.0 == *to) {
            p.add(at("to"), format!("`{to}` is imported twice"), None);
            continue;
        }
        out.push(Import {
            to: Expr(to.clone()),
            id: id.clone(),
        });
    }
    out.into_iter()
        .map(|m| Object::new(Address::unnamed(BlockKind::Import), Body::Import(m)))
        .collect()
}

/// `[module.<name>.]*<type>.<name>` or `[module.<name>.]*module.<name>`; a resource may
/// name one instance of a block that repeats, `<type>.<name>["<key>"]` or `[<n>]` (the
/// key plain text: letters, digits and `-_.:/@+`).
fn resource_address(s: &str) -> Result<(), String> {
    if let Some((base, index)) = s.split_once('[') {
        let key = index.strip_suffix(']').unwrap_or("");
        let key_ok = match key.strip_prefix('"').and_then(|k| k.strip_suffix('"')) {
            Some(text) => {
                !text.is_empty()
                    && text
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_.:/@+".contains(c))
            }
            None => !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit()),
        };
        // `module.<name>[...]` would index a module call.
        let resource = base.split('.').rev().nth(1) != Some("module");
        return match (key_ok, resource, resource_address(base)) {
            (true, true, Ok(())) => Ok(()),
            _ => Err("is not a resource instance address like `kubernetes_cron_job_v1.jobs[\"daily\"]` or `kubernetes_secret.x[0]` (one index, on a resource; a key of letters, digits and `-_.:/@+`)".to_owned()),
        };
    }
    let parts: Vec<&str> = s.split('.').collect();
    let mut i = 0;
    while i + 1 < parts.len() && parts[i] == "module" {
        terraform_name(parts[i + 1])?;
        i += 2;
    }
    let rest = &parts[i..];
    let ok = match rest {
        [] => i > 0,
        [kind, name] => {
            kind.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                && !kind.is_empty()
                && terraform_name(name).is_ok()
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err("is not a resource address like `kubernetes_namespace.immich` or `module.app.module.ingress`".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_addresses() {
        for ok in [
            "kubernetes_namespace.immich",
            "module.vaultwarden.kubernetes_cron_job_v1.vaultwarden-backup",
            "module.ingress",
            "module.a.module.b",
            "kubernetes_namespace.x[0]",
            "kubernetes_cron_job_v1.jobs[\"sync-flights\"]",
            "module.m.kubernetes_cron_job_v1.jobs[\"a.b\"]",
        ] {
            assert!(resource_address(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "x",
            "a.b.c",
            "module",
            "module.a[0]",
            "module.a.module.b[\"k\"]",
            "kubernetes_namespace.x[\"\"]",
            "kubernetes_namespace.x[\"a\\\"b\"]",
            "kubernetes_namespace.x[\"${x}\"]",
            "kubernetes_namespace.x[0][1]",
            "kubernetes_namespace.x[-1]",
            "kubernetes_namespace.x[0",
            "module.a.",
            "Bad.x",
            "x.1y",
        ] {
            assert!(resource_address(bad).is_err(), "{bad:?} must be rejected");
        }
    }
}
