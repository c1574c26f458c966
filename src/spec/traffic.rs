//! Spec types of what shapes the traffic to the app and its availability: the stack's
//! Traefik `Middleware` objects and the app's PodDisruptionBudget.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{DataSpec, OrderedMap, Scalar};

/// A Traefik `Middleware` of the stack's namespace (a `kubernetes_manifest`); an ingress
/// uses it as `<namespace>-<name>@kubernetescrd` in `extra_middlewares`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MiddlewareSpec {
    /// The Middleware's name (required).
    pub name: Option<String>,
    /// Pinned resource address; default the name in snake case.
    pub address: Option<String>,
    /// The Middleware's `spec`, in order: structured data as Traefik reads it
    /// (`{stripPrefix: {prefixes: [/api]}}`, `{headers: {customRequestHeaders: {...}}}`),
    /// whose values may be references (`{var}`, `{vault}`, `{ref}`, ...) and
    /// `{jsondecode: {vault: {path, key}}}` of a Vault value holding JSON.
    #[serde(default)]
    pub spec: OrderedMap<DataSpec>,
    /// `field_manager { force_conflicts = true }`; default off.
    pub force_conflicts: Option<bool>,
    /// Whether it depends on the stack's namespace; default no.
    pub depends_on_namespace: Option<bool>,
    /// What it does; written above it.
    pub comment: Option<String>,
    /// Raw HCL inside the resource.
    pub raw: Option<String>,
}

/// The app's PodDisruptionBudget (`kubernetes_pod_disruption_budget_v1`): exactly one of
/// `max_unavailable` and `min_available`, written as given (`"1"` a string, `2` a
/// number).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DisruptionBudgetSpec {
    /// The budget's name; default the Deployment's name.
    pub name: Option<String>,
    /// Pinned resource address; default the name in snake case.
    pub address: Option<String>,
    /// How many of the pods may be down at once (a number, a string, or a percentage).
    pub max_unavailable: Option<Scalar>,
    /// How many of the pods must stay up (a number, a string, or a percentage).
    pub min_available: Option<Scalar>,
    /// The pods it covers, in order; default the Deployment's selector.
    pub selector: Option<OrderedMap<String>>,
    /// Why the app has a budget; written above it.
    pub comment: Option<String>,
}
