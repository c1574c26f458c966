//! Recognizers of what shapes the traffic to the app and its availability: the stack's
//! Traefik `Middleware` manifests (`middlewares:`) and the app's PodDisruptionBudget
//! (`disruption_budget:`).
//!
//! A Middleware is read when its manifest is one of the stack's namespace with nothing
//! but a name beside it in `metadata`, and a `spec` of structured data: scalars, lists,
//! mappings, the references a spec says (`{var}`, `{vault}`, `{ref}`, ...) and
//! `jsondecode` of one. A budget is read when it sets one of `max_unavailable` /
//! `min_available` (as the stack writes it: a number stays a number) and selects pods by
//! labels only. What either carries beyond that is left to the proof: an object the spec
//! cannot say stays whole in raw HCL.

use super::{Ctx, attr, b, text};
use crate::conventions as cv;
use crate::import::draft::{Draft, Limits, Part, Slot};
use crate::import::value::{self as val, block, get, string};
use crate::planeq::Value;
use crate::spec::{DataSpec, DisruptionBudgetSpec, MiddlewareRefSpec, MiddlewareSpec, OrderedMap};

/// `middlewares:`, a list whose entries the inversion reads one by one (entry `i` gives up
/// as `Part::Items(MIDDLEWARES, i)` and holds raw HCL at `Slot::Item(MIDDLEWARES, i)`).
pub const MIDDLEWARES: &str = "middlewares";

/// The namespace the spec's objects live in.
pub(super) fn namespace_name<'d>(ctx: &'d Ctx, d: &'d Draft) -> &'d str {
    d.spec
        .namespace
        .as_ref()
        .and_then(|n| n.name.as_deref())
        .unwrap_or(&ctx.name)
}

/// The stack's Traefik Middlewares, in the order the stack writes them; one the spec
/// cannot say stays whole in raw HCL, and the ones after it are still read.
pub fn middlewares(ctx: &Ctx, d: &mut Draft, limits: &Limits) {
    let cap = limits.items(MIDDLEWARES);
    let namespace = namespace_name(ctx, d).to_owned();
    for (address, label, v) in super::access::in_source_order(ctx, &["kubernetes_manifest"]) {
        let i = d.spec.middlewares.len();
        if i >= cap {
            break;
        }
        if d.claimed(&ctx.at(&address)) {
            continue;
        }
        let Some(mut spec) = read_middleware(ctx, &address, v, &namespace) else {
            continue;
        };
        spec.address = Some(label);
        spec.comment = text(ctx.above(d, &address, &[]).take(d));
        d.claim(
            &ctx.at(&address),
            &address,
            Some(Part::Items(MIDDLEWARES, i)),
            Some(Slot::Item(MIDDLEWARES, i)),
        );
        d.spec.middlewares.push(spec);
    }
}

/// A Middleware manifest as the spec's, when it is one the spec says.
fn read_middleware(ctx: &Ctx, address: &str, v: &Value, namespace: &str) -> Option<MiddlewareSpec> {
    let manifest = get(v, "manifest")?;
    if !val::other_keys(manifest, &["apiVersion", "kind", "metadata", "spec"]).is_empty()
        || string(manifest, "apiVersion") != Some(cv::traefik::API_VERSION)
        || string(manifest, "kind") != Some(cv::traefik::KIND)
    {
        return None;
    }
    let meta = get(manifest, "metadata")?;
    if !val::other_keys(meta, &["name", "namespace"]).is_empty()
        || string(meta, "namespace") != Some(namespace)
    {
        return None;
    }
    let name = string(meta, "name")?;
    let DataSpec::Map(spec) = super::around::structured(ctx, get(manifest, "spec")?)? else {
        return None;
    };
    if spec.0.is_empty() {
        return None;
    }
    // In the stack's order, with the references it writes to its own objects kept (a
    // basicAuth `secret` naming the htpasswd Secret is created after it).
    let spec = match super::manifests::key_expression(ctx, address, "spec") {
        Some(expr) => {
            let ordered = super::encoded::in_source_order(DataSpec::Map(spec.clone()), expr);
            match super::manifests::keep_references(ordered, expr) {
                DataSpec::Map(kept) => kept,
                _ => spec,
            }
        }
        None => spec,
    };
    // `field_manager { force_conflicts = true }` or none.
    let force_conflicts = match get(v, "field_manager") {
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
    };
    // `depends_on` the namespace, and nothing else the spec could write there.
    let on_namespace = super::around::depends_on_namespace(ctx, v)?;
    Some(MiddlewareSpec {
        name: Some(name.to_owned()),
        spec,
        force_conflicts: Some(force_conflicts),
        depends_on_namespace: Some(on_namespace),
        ..MiddlewareSpec::default()
    })
}

/// The app's PodDisruptionBudget: the stack's one `kubernetes_pod_disruption_budget_v1`
/// in the spec's namespace.
pub fn disruption_budget(ctx: &Ctx, d: &mut Draft, limits: &Limits) {
    if limits.has(&Part::DisruptionBudget) {
        return;
    }
    let ty = cv::disruption_budget::RESOURCE_TYPE;
    let budgets = ctx.resources(ty);
    let [(label, v)] = budgets.as_slice() else {
        return;
    };
    let address = format!("{ty}.{label}");
    let namespace = namespace_name(ctx, d).to_owned();
    let Some(mut spec) = read_budget(ctx, &address, v, &namespace) else {
        return;
    };
    spec.address = Some(label.clone());
    spec.comment = text(ctx.above(d, &address, &[]).take(d));
    d.claim(
        &ctx.at(&address),
        &address,
        Some(Part::DisruptionBudget),
        None,
    );
    d.spec.disruption_budget = Some(spec);
}

fn read_budget(
    ctx: &Ctx,
    address: &str,
    v: &Value,
    namespace: &str,
) -> Option<DisruptionBudgetSpec> {
    let meta = block(v, "metadata")?;
    let spec = block(v, "spec")?;
    if !val::other_keys(v, &["metadata", "spec"]).is_empty()
        || !val::other_keys(meta, &["name", "namespace"]).is_empty()
        || string(meta, "namespace") != Some(namespace)
        || !val::other_keys(spec, &["max_unavailable", "min_available", "selector"]).is_empty()
    {
        return None;
    }
    let selector = block(spec, "selector")?;
    if !val::other_keys(selector, &["match_labels"]).is_empty() {
        return None;
    }
    let at = [b("spec", 0), b("selector", 0), attr("match_labels")];
    let labels = ctx.ordered(address, &at, get(selector, "match_labels")?, &[])?;
    if labels.is_empty() {
        return None;
    }
    let count = |k: &str| get(spec, k).map(val::scalar);
    let (max_unavailable, min_available) = match (count("max_unavailable"), count("min_available"))
    {
        (Some(Some(max)), None) => (Some(max), None),
        (None, Some(Some(min))) => (None, Some(min)),
        _ => return None,
    };
    Some(DisruptionBudgetSpec {
        name: Some(string(meta, "name")?.to_owned()),
        max_unavailable,
        min_available,
        selector: Some(OrderedMap(labels)),
        ..DisruptionBudgetSpec::default()
    })
}

/// An ingress's `extra_middlewares` as the spec writes them: a reference that names a
/// Middleware the spec declares (`<namespace>-<name>@kubernetescrd`, one of that name) is
/// `{middleware: <name>}`; any other stays as written.
pub fn middleware_refs(ctx: &Ctx, d: &Draft, list: Vec<String>) -> Vec<MiddlewareRefSpec> {
    let namespace = namespace_name(ctx, d);
    let mut declared: Vec<(&str, &str)> = d
        .spec
        .middlewares
        .iter()
        .filter_map(|m| Some((namespace, m.name.as_deref()?)))
        .collect();
    declared.extend(d.spec.manifests.iter().filter_map(|m| {
        let is_middleware = m.api_version.as_deref() == Some(cv::traefik::API_VERSION)
            && m.kind.as_deref() == Some(cv::traefik::KIND)
            && m.cluster_scoped != Some(true);
        is_middleware.then(|| {
            Some((
                m.namespace.as_deref().unwrap_or(namespace),
                m.name.as_deref()?,
            ))
        })?
    }));
    list.into_iter()
        .map(|text| {
            let (_, name) = match declared
                .iter()
                .find(|(ns, name)| cv::traefik::middleware_ref(ns, name) == text)
            {
                Some(found) => *found,
                None => return MiddlewareRefSpec::Text(text),
            };
            if declared.iter().filter(|(_, n)| *n == name).count() == 1 {
                MiddlewareRefSpec::Declared {
                    middleware: name.to_owned(),
                }
            } else {
                MiddlewareRefSpec::Text(text)
            }
        })
        .collect()
}
