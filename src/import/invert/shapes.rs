//! Shapes of stacks beyond one Deployment in a namespace of the stack's own: a stack that
//! creates no namespace deploys into one its objects name.

use std::collections::BTreeMap;

use super::Ctx;
use crate::import::value::{path, string};
use crate::planeq::{self, Address};

/// The namespace a stack that creates none deploys into, as its objects name it by a
/// literal: its Deployment's, else the one its namespaced objects (resources with
/// `metadata.namespace`, module calls with `namespace`) name most, the stack's own name
/// first on a tie. `None` when no object names one.
pub(super) fn existing_namespace(ctx: &Ctx) -> Option<String> {
    if let Some(ns) = ctx
        .resources("kubernetes_deployment")
        .into_iter()
        .find_map(|(_, v)| path(v, &["metadata"]).and_then(|m| string(m, "namespace")))
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
