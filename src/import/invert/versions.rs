//! Kinds of object a stack may declare with either of two resource types
//! (`kubernetes_namespace` or `kubernetes_namespace_v1`, `kubernetes_config_map` or
//! `kubernetes_config_map_v1`): the recognizers read both, and the spec's `resource_type`
//! says which one the stack uses.

use super::Ctx;
use crate::conventions as cv;
use crate::planeq::Value;

/// One object of a versioned kind: its resource type, its name, its value.
pub(super) struct Versioned<'a> {
    pub ty: &'static str,
    pub label: String,
    pub value: &'a Value,
}

impl Versioned<'_> {
    /// Its local address, `<type>.<name>`.
    pub fn address(&self) -> String {
        format!("{}.{}", self.ty, self.label)
    }

    /// Its resource type as the spec's `resource_type` (see [`non_default`]).
    pub fn non_default(&self, types: &[&str]) -> Option<String> {
        non_default(self.ty, types)
    }
}

/// A resource type `ty` as the spec's `resource_type`: none when it is the default, the
/// first of `types`.
pub(super) fn non_default(ty: &str, types: &[&str]) -> Option<String> {
    (types.first() != Some(&ty)).then(|| ty.to_owned())
}

/// The root resources of any of `types`, each type's in address order, the types in the
/// order given (the default first).
pub(super) fn resources<'a>(ctx: &Ctx<'a>, types: &[&'static str]) -> Vec<Versioned<'a>> {
    types
        .iter()
        .flat_map(|ty| {
            ctx.resources(ty)
                .into_iter()
                .map(move |(label, value)| Versioned { ty, label, value })
        })
        .collect()
}

/// The stack's Deployments, of either type.
pub(super) fn deployments<'a>(ctx: &Ctx<'a>) -> Vec<Versioned<'a>> {
    resources(ctx, &cv::workload::DEPLOYMENT_TYPES)
}

/// The resource type of a reference to an object of one of `types`
/// (`kubernetes_namespace_v1.x`, `kubernetes_config_map.x.data["k"]`) and the rest after
/// it (`x`, `x.data["k"]`).
pub(super) fn split<'t>(
    reference: &'t str,
    types: &[&'static str],
) -> Option<(&'static str, &'t str)> {
    let (ty, rest) = reference.split_once('.')?;
    let ty = types.iter().find(|t| **t == ty)?;
    Some((ty, rest))
}
