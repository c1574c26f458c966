//! The namespace's own LimitRange (`namespace.limit_range`), read as its quota is: the
//! one `kubernetes_limit_range` of the stack, in the spec's namespace, when its metadata
//! is a name and the namespace, and each `limit` block a type and resource maps the spec
//! says. One the spec cannot say stays whole in raw HCL.

use super::{Ctx, attr, b};
use crate::conventions as cv;
use crate::import::draft::{Draft, Limits, Part};
use crate::import::value::{self as val, block, blocks, get, string};
use crate::planeq::Value;
use crate::spec::{LimitKind, LimitRangeSpec, LimitSpec, OrderedMap};

/// The resource maps of a `limit` block, as the spec names them.
const MAPS: [&str; 5] = [
    "default",
    "default_request",
    "max",
    "min",
    "max_limit_request_ratio",
];

pub fn limit_range(ctx: &Ctx, d: &mut Draft, limits: &Limits) {
    if limits.has(&Part::LimitRange) || d.spec.namespace.is_none() {
        return;
    }
    let found = super::versions::resources(ctx, &cv::limit_range::TYPES);
    let [found] = found.as_slice() else {
        return;
    };
    let namespace = super::traffic::namespace_name(ctx, d).to_owned();
    let address = found.address();
    let Some(mut spec) = read(ctx, &address, found.value, &namespace) else {
        return;
    };
    spec.address = Some(found.label.clone());
    spec.resource_type = found.non_default(&cv::limit_range::TYPES);
    d.claim(&ctx.at(&address), &address, Some(Part::LimitRange), None);
    if let Some(ns) = d.spec.namespace.as_mut() {
        ns.limit_range = Some(spec);
    }
}

fn read(ctx: &Ctx, address: &str, v: &Value, namespace: &str) -> Option<LimitRangeSpec> {
    let meta = block(v, "metadata")?;
    let spec = block(v, "spec")?;
    if !val::other_keys(v, &["metadata", "spec"]).is_empty()
        || !val::other_keys(meta, &["name", "namespace"]).is_empty()
        || string(meta, "namespace") != Some(namespace)
        || !val::other_keys(spec, &["limit"]).is_empty()
    {
        return None;
    }
    let mut known = vec!["type"];
    known.extend_from_slice(&MAPS);
    let limits = blocks(spec, "limit")
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if !val::other_keys(l, &known).is_empty() {
                return None;
            }
            let kind = match string(l, "type")? {
                "Container" => LimitKind::Container,
                "Pod" => LimitKind::Pod,
                "PersistentVolumeClaim" => LimitKind::PersistentVolumeClaim,
                _ => return None,
            };
            let map = |field: &str| -> Option<OrderedMap<String>> {
                let Some(m) = get(l, field) else {
                    return Some(OrderedMap::default());
                };
                let at = [b("spec", 0), b("limit", i), attr(field)];
                let entries = ctx.ordered(address, &at, m, &[])?;
                // An empty map written out is not one the spec writes.
                (!entries.is_empty()).then_some(OrderedMap(entries))
            };
            Some(LimitSpec {
                kind: Some(kind),
                default: map("default")?,
                default_request: map("default_request")?,
                max: map("max")?,
                min: map("min")?,
                max_limit_request_ratio: map("max_limit_request_ratio")?,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    if limits.is_empty() {
        return None;
    }
    Some(LimitRangeSpec {
        name: Some(string(meta, "name")?.to_owned()),
        address: None,
        resource_type: None,
        limits,
    })
}
