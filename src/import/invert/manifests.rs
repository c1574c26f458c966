//! Recognizer of the Kubernetes objects a stack applies with `kubernetes_manifest` that
//! no shorter form reads (`manifests:`): an `IngressRoute` with its `match` expressions
//! and middlewares, an `IngressRouteTCP`, any custom resource. It runs after the
//! ExternalSecrets and the Traefik Middlewares are read, on the manifests they left.
//!
//! A manifest is read when its metadata holds a name and at most a namespace, labels and
//! annotations (strings), every other top-level key of the object is structured data
//! (scalars, lists, mappings, the references a spec says and `jsondecode` of one), and
//! the resource beside `manifest` holds at most `field_manager { force_conflicts = true }`,
//! `depends_on` on objects of the stack and a `lifecycle` with only `ignore_changes`
//! (the reason after the repo's drift-workaround marker). What it carries beyond that
//! (`computed_fields`, `wait`, `timeouts`, a field manager's name) is left to the proof:
//! the manifest stays whole in raw HCL.

use hcl_edit::expr::Expression;

use super::{Ctx, text};
use crate::import::draft::{Draft, Limits, Part, Slot};
use crate::import::value::{self as val, block, get, string};
use crate::planeq::Value;
use crate::spec::{DataSpec, ManifestSpec, OrderedMap, Scalar, ValueSpec};

/// `manifests:`, a list whose entries the inversion reads one by one (entry `i` gives up
/// as `Part::Items(MANIFESTS, i)` and holds raw HCL at `Slot::Item(MANIFESTS, i)`).
pub const MANIFESTS: &str = "manifests";

/// The manifests of the stack that nothing read before, in the order the stack writes
/// them; one the spec cannot say stays whole in raw HCL, and the ones after it are still
/// read.
pub fn manifests(ctx: &Ctx, d: &mut Draft, limits: &Limits) {
    let cap = limits.items(MANIFESTS);
    let ty = crate::conventions::manifest::RESOURCE_TYPE;
    for (address, label, v) in super::access::in_source_order(ctx, &[ty]) {
        let i = d.spec.manifests.len();
        if i >= cap {
            break;
        }
        if d.claimed(&ctx.at(&address)) {
            continue;
        }
        let Some(mut spec) = read(ctx, d, i, &address, v) else {
            continue;
        };
        spec.address = Some(label);
        spec.comment = text(ctx.above(d, &address, &[]).take(d));
        d.claim(
            &ctx.at(&address),
            &address,
            Some(Part::Items(MANIFESTS, i)),
            Some(Slot::Item(MANIFESTS, i)),
        );
        d.spec.manifests.push(spec);
    }
}

/// The expression the stack writes at `key` of the manifest (for the order of its keys).
pub(super) fn key_expression<'a>(
    ctx: &'a Ctx,
    address: &str,
    key: &str,
) -> Option<&'a hcl_edit::expr::Expression> {
    super::encoded::entry(ctx, address, "manifest", key)
}

/// The structured value at `key` of the manifest, its mappings in the order the stack
/// writes them.
fn structured_at(ctx: &Ctx, address: &str, manifest: &Value, key: &str) -> Option<DataSpec> {
    let d = structured(ctx, get(manifest, key)?)?;
    Some(match key_expression(ctx, address, key) {
        Some(expr) => super::encoded::in_source_order(d, expr),
        None => d,
    })
}

/// Structured data of a manifest, as [`super::around::structured`] reads it, and the TLS
/// secret's variable, which a manifest may name (an `IngressRoute`'s `tls.secretName`).
fn structured(ctx: &Ctx, v: &Value) -> Option<DataSpec> {
    use crate::planeq::{Root, Sym};
    use crate::spec::ValueSpec;
    let tls = crate::conventions::repo::TLS_SECRET_VARIABLE;
    super::around::structured_with(ctx, v, &|v| match v {
        Value::Unknown(sym) if matches!(sym.as_ref(), Sym::Ref { root: Root::Var(name), steps } if steps.is_empty() && name == tls) => {
            Some(DataSpec::Ref(ValueSpec::Var(tls.to_owned())))
        }
        _ => None,
    })
}

/// `d` (read from `expr`) with the references to objects of the stack that the stack
/// writes (`kubernetes_service.x.metadata[0].name`) kept as `{ref: ...}` where the read
/// value holds what they evaluate to: the spec writes the reference, and the object it
/// names is created first.
pub(super) fn keep_references(d: DataSpec, expr: &Expression) -> DataSpec {
    use crate::spec::ValueSpec;
    match (d, expr) {
        (DataSpec::Map(OrderedMap(entries)), Expression::Object(obj)) => DataSpec::Map(OrderedMap(
            entries
                .into_iter()
                .map(|(k, v)| {
                    let written = obj
                        .iter()
                        .find(|(key, _)| super::around::key_text(key).as_deref() == Some(&k))
                        .map(|(_, e)| e.expr());
                    let v = match written {
                        Some(e) => keep_references(v, e),
                        None => v,
                    };
                    (k, v)
                })
                .collect(),
        )),
        (DataSpec::List(items), Expression::Array(arr)) if items.len() == arr.len() => {
            DataSpec::List(
                items
                    .into_iter()
                    .zip(arr.iter())
                    .map(|(v, e)| keep_references(v, e))
                    .collect(),
            )
        }
        (DataSpec::Scalar(s), e) => match super::shapes::reference(e) {
            Some(r @ DataSpec::Ref(ValueSpec::Ref(_))) => r,
            _ => DataSpec::Scalar(s),
        },
        (d, _) => d,
    }
}

/// [`structured_at`] with the references the stack writes kept.
fn body_at(ctx: &Ctx, address: &str, manifest: &Value, key: &str) -> Option<DataSpec> {
    let d = structured_at(ctx, address, manifest, key)?;
    Some(match key_expression(ctx, address, key) {
        Some(expr) => keep_references(d, expr),
        None => d,
    })
}

/// A manifest as the spec's (entry `i`), when the spec says every part of it.
fn read(ctx: &Ctx, d: &mut Draft, i: usize, address: &str, v: &Value) -> Option<ManifestSpec> {
    if !val::other_keys(v, &["manifest", "field_manager", "depends_on", "lifecycle"]).is_empty() {
        return None;
    }
    let manifest = get(v, "manifest")?;
    let meta = get(manifest, "metadata")?;
    if !val::other_keys(meta, &["name", "namespace", "labels", "annotations"]).is_empty() {
        return None;
    }
    let mut out = ManifestSpec {
        api_version: Some(string(manifest, "apiVersion")?.to_owned()),
        kind: Some(string(manifest, "kind")?.to_owned()),
        name: Some(string(meta, "name")?.to_owned()),
        ..ManifestSpec::default()
    };
    match get(meta, "namespace") {
        None => out.cluster_scoped = Some(true),
        Some(_) => out.namespace = Some(string(meta, "namespace")?.to_owned()),
    }
    // Labels (strings) and annotations (strings or value forms), in the order the stack
    // writes them.
    let metadata = match structured_at(ctx, address, manifest, "metadata")? {
        DataSpec::Map(m) => m,
        _ => return None,
    };
    for (key, value) in metadata.0 {
        if !matches!(key.as_str(), "labels" | "annotations") {
            continue;
        }
        let DataSpec::Map(entries) = value else {
            return None;
        };
        if key == "labels" {
            for (k, v) in entries.0 {
                let DataSpec::Scalar(Scalar::Str(s)) = v else {
                    return None;
                };
                out.labels.0.push((k, s));
            }
        } else {
            for (k, v) in entries.0 {
                let value = match v {
                    DataSpec::Scalar(s) => ValueSpec::Scalar(s),
                    DataSpec::Ref(form) => form,
                    _ => return None,
                };
                out.annotations.0.push((k, value));
            }
        }
    }
    let Value::Object(top) = manifest else {
        return None;
    };
    let order = ctx
        .source_keys(address, &[super::attr("manifest")])
        .unwrap_or_default();
    let mut keys: Vec<&String> = top
        .keys()
        .filter(|k| !["apiVersion", "kind", "metadata", "spec"].contains(&k.as_str()))
        .collect();
    keys.sort_by_key(|k| order.iter().position(|o| o == *k).unwrap_or(usize::MAX));
    for key in keys {
        let value = body_at(ctx, address, manifest, key)?;
        out.fields.0.push((key.clone(), value));
    }
    if get(manifest, "spec").is_some() {
        let DataSpec::Map(spec) = body_at(ctx, address, manifest, "spec")? else {
            return None;
        };
        out.spec = Some(spec);
    }
    // `field_manager { force_conflicts = true }` or none.
    out.force_conflicts = Some(match get(v, "field_manager") {
        None => false,
        Some(_) => {
            let fm = block(v, "field_manager")?;
            if !val::other_keys(fm, &["force_conflicts"]).is_empty()
                || val::boolean(fm, "force_conflicts") != Some(true)
            {
                return None;
            }
            true
        }
    });
    out.depends_on = super::around::depends_on(ctx, v)?;
    if let Some((ignore, why)) =
        super::k8s_secrets::drift_workaround(ctx, d, v, MANIFESTS, i, address)?
    {
        out.ignore_changes = ignore;
        out.ignore_changes_why = Some(why);
    }
    Some(out)
}
