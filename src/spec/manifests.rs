//! Spec type of any Kubernetes object the stack applies with `kubernetes_manifest`
//! (`manifests:`): a Traefik `IngressRoute` whose routes need `match` expressions, an
//! `IngressRouteTCP`, a `ServersTransport`, a `PrometheusRule`, a `ClusterSecretStore`.
//! ExternalSecrets (`secrets:`, `external_secrets:`) and Traefik Middlewares
//! (`middlewares:`) keep their own shorter forms; a Middleware is a manifest of one kind.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{DataSpec, OrderedMap, ValueSpec, Why};

/// A `kubernetes_manifest`: `apiVersion`, `kind`, `metadata` (name, namespace, labels,
/// annotations) and the rest of the object as structured data.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManifestSpec {
    /// The object's `apiVersion` (required), e.g. `traefik.io/v1alpha1`.
    pub api_version: Option<String>,
    /// The object's `kind` (required), e.g. `IngressRoute`.
    pub kind: Option<String>,
    /// The object's name (required).
    pub name: Option<String>,
    /// Pinned resource address; default the name in snake case.
    pub address: Option<String>,
    /// Its namespace; default the stack's (by reference when the stack creates it).
    pub namespace: Option<String>,
    /// A cluster-scoped object (`ClusterSecretStore`, a metallb pool of the cluster): no
    /// namespace in its metadata. Not together with `namespace`.
    pub cluster_scoped: Option<bool>,
    /// Labels, in order.
    #[serde(default)]
    pub labels: OrderedMap<String>,
    /// Annotations, in order; a value is text or any value form.
    #[serde(default)]
    pub annotations: OrderedMap<ValueSpec>,
    /// The object's `spec`, in order: structured data whose values may be references
    /// (`{var}`, `{vault}`, `{ref}`, ...) and `{jsondecode: ...}` of one. `{}` writes an
    /// empty `spec`; left out, none is written.
    pub spec: Option<OrderedMap<DataSpec>>,
    /// Other top-level keys of the object (`data`, `stringData`, `type`), in order,
    /// written after `spec`; values as in `spec`.
    #[serde(default)]
    pub fields: OrderedMap<DataSpec>,
    /// `field_manager { force_conflicts = true }`; default off.
    pub force_conflicts: Option<bool>,
    /// Objects to create first (addresses such as `kubernetes_namespace.app` or
    /// `kubernetes_manifest.strip_api`).
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// Attribute paths whose drift is ignored (`manifest.spec.routes`): the repo's rules
    /// ask for a written reason, `ignore_changes_why`.
    #[serde(default)]
    pub ignore_changes: Vec<String>,
    /// Why the drift is ignored; required with `ignore_changes`, written above the list
    /// after the repo's drift-workaround marker.
    pub ignore_changes_why: Why,
    /// What the object is for; written above it.
    pub comment: Option<String>,
    /// Raw HCL inside the resource.
    pub raw: Option<String>,
}
