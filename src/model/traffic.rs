//! What shapes the traffic to the app and its availability: the stack's Traefik
//! `Middleware` objects and the app's PodDisruptionBudget.

use super::problems::Problems;
use super::refs::Refs;
use super::types::*;
use super::workload::AppLabels;
use super::{Ctx, adopt};
use crate::conventions as cv;
use crate::hcl;
use crate::spec::{DisruptionBudgetSpec, ManifestSpec, MiddlewareSpec, Scalar};

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
            let text = match other {
                Scalar::Str(t) => t.clone(),
                Scalar::Int(n) => n.to_string(),
                Scalar::Float(f) => f.to_string(),
                Scalar::Bool(b) => b.to_string(),
            };
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
            Obj::lines(super::workload::labels(p, &at("selector"), map, true))
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
