//! What shapes the traffic to the app and its availability: the stack's Traefik
//! `Middleware` objects and the app's PodDisruptionBudget.

use super::problems::Problems;
use super::refs::Refs;
use super::types::*;
use super::workload::AppLabels;
use super::{Ctx, adopt};
use crate::conventions as cv;
use crate::hcl;
use crate::spec::{
    DisruptionBudgetSpec, ManifestSpec, MiddlewareRefSpec, MiddlewareSpec, Scalar, Spec,
};

/// The Middleware objects of the spec, in order: each a manifest of one kind (Traefik's
/// `Middleware` in the stack's namespace), built by [`super::manifests::manifest`].
pub(crate) fn middlewares(
    p: &mut Problems,
    ctx: &Ctx,
    specs: &[MiddlewareSpec],
    refs: &mut Refs,
) -> Vec<Object> {
    let mut out: Vec<Object> = Vec::new();
    for (i, m) in specs.iter().enumerate() {
        let at = |f: &str| format!("middlewares[{i}].{f}");
        let Some(name) = &m.name else {
            p.missing(
                &at("name"),
                "the Middleware's name (an ingress uses it as `{middleware: <name>}` in `extra_middlewares`)",
            );
            continue;
        };
        if specs[..i].iter().any(|o| o.name.as_deref() == Some(name)) {
            p.add(
                at("name"),
                format!("the Middleware `{name}` is declared twice"),
                None,
            );
        }
        if m.spec.0.is_empty() {
            p.missing(
                &at("spec"),
                "what the Middleware does, e.g. `spec: {stripPrefix: {prefixes: [/api]}}`",
            );
        }
        let depends = m
            .depends_on_namespace
            .unwrap_or(cv::traefik::DEPENDS_ON_NAMESPACE);
        let depends_on = match (&ctx.ns_resource, depends) {
            (Some(ns), true) => vec![ns.clone()],
            (None, true) => {
                p.add(
                    at("depends_on_namespace"),
                    "the stack creates no namespace to depend on",
                    None,
                );
                Vec::new()
            }
            (_, false) => Vec::new(),
        };
        let manifest = ManifestSpec {
            api_version: Some(cv::traefik::API_VERSION.to_owned()),
            kind: Some(cv::traefik::KIND.to_owned()),
            name: Some(name.clone()),
            address: m.address.clone(),
            spec: Some(m.spec.clone()),
            force_conflicts: Some(m.force_conflicts.unwrap_or(cv::traefik::FORCE_CONFLICTS)),
            depends_on,
            comment: m.comment.clone(),
            raw: m.raw.clone(),
            ..ManifestSpec::default()
        };
        let at = format!("middlewares[{i}]");
        out.extend(super::manifests::manifest(
            p,
            ctx,
            &at,
            cv::traefik::KIND,
            &manifest,
            refs,
        ));
    }
    out
}

/// The Traefik Middlewares of `spec`, as `(namespace, name)`: its `middlewares:` (in the
/// stack's namespace `namespace`) and its `manifests:` of kind `Middleware`.
pub(crate) fn declared_middlewares(spec: &Spec, namespace: &str) -> Vec<(String, String)> {
    let own = spec
        .middlewares
        .iter()
        .filter_map(|m| Some((namespace.to_owned(), m.name.clone()?)));
    let manifests = spec.manifests.iter().filter_map(|m| {
        let is_middleware = m.api_version.as_deref() == Some(cv::traefik::API_VERSION)
            && m.kind.as_deref() == Some(cv::traefik::KIND)
            && m.cluster_scoped != Some(true);
        is_middleware.then(|| {
            let ns = m.namespace.clone().unwrap_or_else(|| namespace.to_owned());
            Some((ns, m.name.clone()?))
        })?
    });
    own.chain(manifests).collect()
}

/// An ingress's `extra_middlewares` (at spec path `at`) as the chain names them: a
/// reference written out is kept, `{middleware: <name>}` becomes the reference of the
/// spec's Middleware of that name, or a problem naming the declared ones.
pub(crate) fn middleware_chain(
    p: &mut Problems,
    ctx: &Ctx,
    at: &str,
    list: &[MiddlewareRefSpec],
) -> Vec<String> {
    let mut out = Vec::new();
    for (i, m) in list.iter().enumerate() {
        match m {
            MiddlewareRefSpec::Text(text) => out.push(text.clone()),
            MiddlewareRefSpec::Declared { middleware } => {
                let found: Vec<&(String, String)> = ctx
                    .middlewares
                    .iter()
                    .filter(|(_, name)| name == middleware)
                    .collect();
                match found.as_slice() {
                    [(namespace, name)] => out.push(cv::traefik::middleware_ref(namespace, name)),
                    _ => {
                        let declared: Vec<String> = ctx
                            .middlewares
                            .iter()
                            .map(|(_, name)| format!("`{name}`"))
                            .collect();
                        let what = if found.is_empty() {
                            "declares no Middleware"
                        } else {
                            "declares more than one Middleware"
                        };
                        p.add(
                            format!("{at}[{i}].middleware"),
                            format!("the spec {what} named `{middleware}`"),
                            Some(if declared.is_empty() {
                                "declare it under `middlewares:`, or write the chain's reference (`<namespace>-<name>@kubernetescrd`) of a Middleware of another stack".to_owned()
                            } else {
                                format!(
                                    "the spec's Middlewares are {}; a Middleware of another stack is written as its reference (`<namespace>-<name>@kubernetescrd`)",
                                    declared.join(", ")
                                )
                            }),
                        );
                        // Not written: the problem stops the render.
                        out.push(cv::traefik::middleware_ref(&ctx.ns_name, middleware));
                    }
                }
            }
        }
    }
    out
}

/// A budget's count: a whole number, or a string of digits or a percentage.
fn count(p: &mut Problems, at: &str, s: &Scalar) -> Value {
    match s {
        Scalar::Int(n) if *n >= 0 => Value::Int(*n),
        Scalar::Str(t)
            if t.strip_suffix('%')
                .unwrap_or(t)
                .parse::<u32>()
                .is_ok_and(|_| !t.starts_with('+')) =>
        {
            Value::Str(t.clone())
        }
        other => {
            let text = super::refs::scalar_text(other);
            p.invalid(
                at,
                "pod count",
                &text,
                "is not a number of pods (`1`, `\"1\"`) or a percentage (`\"50%\"`)",
            );
            Value::Str(String::new())
        }
    }
}

/// The app's PodDisruptionBudget, covering the Deployment's pods unless told otherwise.
pub(crate) fn disruption_budget(
    p: &mut Problems,
    ctx: &Ctx,
    b: &DisruptionBudgetSpec,
    app: &AppLabels,
) -> Object {
    let at = |f: &str| format!("disruption_budget.{f}");
    let name = match &b.name {
        Some(n) => {
            p.check(
                &at("name"),
                "budget name",
                n,
                super::secrets::object_name(n),
            );
            n.clone()
        }
        None => app.name.clone(),
    };
    let address = adopt::address(p, &at("address"), &b.address, || hcl::snake(&name));
    let max_unavailable = b
        .max_unavailable
        .as_ref()
        .map(|s| count(p, &at("max_unavailable"), s));
    let min_available = b
        .min_available
        .as_ref()
        .map(|s| count(p, &at("min_available"), s));
    match (&max_unavailable, &min_available) {
        (None, None) => p.missing(
            &at("max_unavailable"),
            "how many pods may be down (`max_unavailable: \"1\"`) or must stay up (`min_available: 2`)",
        ),
        (Some(_), Some(_)) => p.add(
            at("min_available"),
            "a budget sets `max_unavailable` or `min_available`, not both",
            Some("remove one of them".to_owned()),
        ),
        _ => {}
    }
    let selector = match &b.selector {
        Some(map) => {
            if map.0.is_empty() {
                p.add(
                    at("selector"),
                    "an empty selector covers no pods",
                    Some("leave `selector` out to cover the app's pods".to_owned()),
                );
            }
            Obj::lines(super::workload::labels(p, &at("selector"), map))
        }
        None => app.selector(),
    };
    let mut object = Object::new(
        Address::resource(cv::disruption_budget::RESOURCE_TYPE, &address),
        Body::DisruptionBudget(DisruptionBudget {
            name,
            namespace: ctx.ns_ref.clone().into(),
            max_unavailable,
            min_available,
            selector,
        }),
    );
    object.comment = b.comment.clone();
    object
}
