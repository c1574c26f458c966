//! Shapes of stacks beyond one Deployment in a namespace of the stack's own: a stack that
//! creates no namespace deploys into one its objects name; files of the stack directory
//! that its config maps read become files beside the spec.

use std::collections::BTreeMap;

use hcl_edit::Span as _;
use hcl_edit::expr::Expression;

use super::Ctx;
use crate::import::value::{path, string};
use crate::planeq::{self, Address};
use crate::spec::{BinaryDataSpec, DataSpec, OrderedMap, TemplateFileSpec, ValueSpec};

/// The namespace a stack that creates none deploys into, as its objects name it by a
/// literal: its Deployment's, else the one its namespaced objects (resources with
/// `metadata.namespace`, module calls with `namespace`) name most, the stack's own name
/// first on a tie. `None` when no object names one.
pub(super) fn existing_namespace(ctx: &Ctx) -> Option<String> {
    if let Some(ns) = super::choice::app_deployment(ctx)
        .into_iter()
        .chain(super::versions::deployments(ctx))
        .find_map(|d| path(d.value, &["metadata"]).and_then(|m| string(m, "namespace")))
    {
        return Some(ns.to_owned());
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (address, v) in ctx.input.objects() {
        let Address::Object(addr) = address else {
            continue;
        };
        if !ctx.in_scope(&addr.module) {
            continue;
        }
        let named = match addr.kind {
            planeq::Kind::Resource => path(v, &["metadata"]).and_then(|m| string(m, "namespace")),
            planeq::Kind::Module => string(v, "namespace"),
            _ => None,
        };
        if let Some(ns) = named {
            *counts.entry(ns).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by_key(|(ns, n)| (*n, *ns == ctx.name))
        .map(|(ns, _)| ns.to_owned())
}

/// A config map's data value (`data[key]` of the block at `address`) that the stack reads
/// from a file of its own directory, written as dlgen writes it:
/// `file("${path.module}/NAME")`, or `templatefile("${path.module}/NAME", { ... })` with
/// variables that are literals or references (a variable, an attribute of an object of
/// the stack). The spec's `{file: NAME}` / `{templatefile: {file, vars}}`; the file
/// is then written beside the spec (see [`files_beside`]). `None` for any other value.
pub(super) fn data_file(ctx: &Ctx, address: &str, key: &str) -> Option<DataSpec> {
    let top = ctx.src.top(&ctx.at(address))?;
    let value = super::encoded::entry(ctx, address, "data", key)?;
    let Expression::FuncCall(call) = value else {
        return None;
    };
    if !call.name.namespace.is_empty() {
        return None;
    }
    let args: Vec<&Expression> = call.args.iter().collect();
    let name = |arg: &Expression| module_file(&top.file.text, &ctx.src.dir, arg, false);
    match (call.name.name.as_str(), args.as_slice()) {
        ("file", [arg]) => Some(DataSpec::File(name(arg)?)),
        ("templatefile", [arg, Expression::Object(vars)]) => {
            let file = name(arg)?;
            let vars = vars
                .iter()
                .map(|(k, v)| {
                    let value =
                        super::encoded::literal(v.expr()).or_else(|| reference(v.expr()))?;
                    Some((super::around::key_text(k)?, value))
                })
                .collect::<Option<Vec<_>>>()?;
            Some(DataSpec::TemplateFile(TemplateFileSpec {
                file: Some(file),
                vars: OrderedMap(vars),
            }))
        }
        _ => None,
    }
}

/// The `binary_data` of the object at `address` (its value `binary`), each entry a file
/// of the stack read with `filebase64()`, in the order the stack writes the keys; `None`
/// when one entry is not such a file or the map is empty (the spec cannot say it).
pub(super) fn binary_data(
    ctx: &Ctx,
    address: &str,
    binary: &crate::planeq::Value,
) -> Option<Vec<(String, BinaryDataSpec)>> {
    let binary = crate::import::value::map(binary)?;
    if binary.is_empty() {
        return None;
    }
    let order = ctx
        .source_keys(address, &[super::attr("binary_data")])
        .unwrap_or_default();
    let mut keys: Vec<&String> = binary.keys().collect();
    keys.sort_by_key(|k| order.iter().position(|o| o == *k).unwrap_or(usize::MAX));
    keys.into_iter()
        .map(|key| Some((key.clone(), binary_file(ctx, address, key)?)))
        .collect()
}

/// A config map's or secret's binary data value (`binary_data[key]` of the block at
/// `address`) that the stack reads as dlgen writes it, `filebase64("${path.module}/NAME")`
/// of a file of its own directory (of any bytes): the spec's `{file: NAME}`, the file then
/// written beside the spec. `None` for any other value.
pub(super) fn binary_file(ctx: &Ctx, address: &str, key: &str) -> Option<BinaryDataSpec> {
    let top = ctx.src.top(&ctx.at(address))?;
    let Expression::FuncCall(call) = super::encoded::entry(ctx, address, "binary_data", key)?
    else {
        return None;
    };
    let args: Vec<&Expression> = call.args.iter().collect();
    match (
        call.name.namespace.is_empty(),
        call.name.name.as_str(),
        args.as_slice(),
    ) {
        (true, "filebase64", [arg]) => Some(BinaryDataSpec {
            file: Some(module_file(&top.file.text, &ctx.src.dir, arg, true)?),
        }),
        _ => None,
    }
}

/// NAME of the argument `arg` written `"${path.module}/NAME"` (in `text`, the file that
/// holds it), when NAME is a file beside the spec (see [`crate::model::companion_name`])
/// that the stack directory `dir` holds, of UTF-8 text unless `binary`.
fn module_file(
    text: &str,
    dir: &std::path::Path,
    arg: &Expression,
    binary: bool,
) -> Option<String> {
    let name = text
        .get(arg.span()?)?
        .strip_prefix("\"${path.module}/")?
        .strip_suffix('"')?
        .to_owned();
    crate::model::companion_name(&name).ok()?;
    // Only a file the stack holds (as text, unless read as bytes) is copied beside the
    // spec.
    let bytes = read_beside(dir, &name)?;
    (binary || std::str::from_utf8(&bytes).is_ok()).then_some(name)
}

/// A reference as a template's variable: `var.NAME` is `{var: NAME}`, an attribute of an
/// object of the stack (`kubernetes_namespace.x.metadata[0].name`,
/// `random_password.x.result`) is `{ref: ...}`. Locals, data sources, module outputs and
/// anything computed are not references the spec can write here.
pub(super) fn reference(e: &Expression) -> Option<DataSpec> {
    use hcl_edit::expr::TraversalOperator as Op;
    let Expression::Traversal(t) = e else {
        return None;
    };
    let Expression::Variable(root) = &t.expr else {
        return None;
    };
    let root = root.as_str();
    let mut text = root.to_owned();
    let mut names = Vec::new();
    for op in t.operators.iter() {
        match op.value() {
            Op::GetAttr(a) => {
                names.push(a.as_str());
                text.push('.');
                text.push_str(a.as_str());
            }
            Op::Index(Expression::Number(n)) => {
                text.push_str(&format!("[{}]", n.value().as_u64()?));
            }
            Op::LegacyIndex(n) => text.push_str(&format!("[{}]", n.value())),
            Op::Index(Expression::String(k)) => {
                text.push_str(&format!("[{}]", crate::hcl::quote(k.value())));
            }
            _ => return None,
        }
    }
    let var = |name: &str| {
        (name != crate::conventions::repo::TLS_SECRET_VARIABLE)
            .then(|| DataSpec::Ref(ValueSpec::Var(name.to_owned())))
    };
    match (root, names.as_slice()) {
        ("var", [name]) if t.operators.len() == 1 => var(name),
        (
            "var" | "local" | "data" | "module" | "path" | "terraform" | "count" | "each" | "self",
            _,
        ) => None,
        // `<type>.<name>.<attribute>...`: the model checks the object is one of the stack.
        (_, [_, _, ..])
            if matches!(t.operators.first().map(|o| o.value()), Some(Op::GetAttr(_))) =>
        {
            Some(DataSpec::Ref(ValueSpec::Ref(text)))
        }
        _ => None,
    }
}

/// The files beside the spec that the spec's config maps and secrets read (`{file}`,
/// `{templatefile}`, `binary_data`), in order, each once: `(name, contents)` from the
/// stack directory.
pub fn files_beside(spec: &crate::spec::Spec, dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    let data = spec
        .config_maps
        .iter()
        .map(|c| &c.data)
        .chain(spec.kubernetes_secrets.iter().map(|s| &s.data));
    let text = data.flat_map(|values| {
        values.0.iter().filter_map(|(_, v)| match v {
            DataSpec::File(n) => Some(n),
            DataSpec::TemplateFile(TemplateFileSpec { file: Some(n), .. }) => Some(n),
            _ => None,
        })
    });
    let binary = spec
        .config_maps
        .iter()
        .map(|cm| &cm.binary_data)
        .chain(spec.kubernetes_secrets.iter().map(|s| &s.binary_data))
        .flat_map(|b| b.0.iter().filter_map(|(_, b)| b.file.as_ref()));
    for name in text.chain(binary) {
        if out.iter().any(|(n, _)| n == name) {
            continue;
        }
        if let Some(bytes) = read_beside(dir, name) {
            out.push((name.clone(), bytes));
        }
    }
    out
}

/// The bytes of the file `name` (a path below the stack directory `dir`, see
/// [`crate::model::companion_name`]): a regular file reached through real directories
/// only, never through a symlink that could lead out of the stack.
fn read_beside(dir: &std::path::Path, name: &str) -> Option<Vec<u8>> {
    crate::generated::dirs_within(dir, name).ok()?;
    let path = dir.join(name);
    if !std::fs::symlink_metadata(&path).ok()?.is_file() {
        return None;
    }
    std::fs::read(path).ok()
}
