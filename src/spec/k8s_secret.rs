//! Spec type of a Kubernetes Secret the stack writes itself (`kubernetes_secrets:`), apart
//! from the ExternalSecrets (`secrets:`, `external_secrets:`) that External Secrets turns
//! into Secrets: Opaque secrets of Vault reads or files, service-account tokens, SSH keys,
//! registry credentials, TLS pairs.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{BinaryDataSpec, DataSpec, OrderedMap, ValueSpec, Why};

/// A `kubernetes_secret` (or `kubernetes_secret_v1`). Its values never are literals in
/// the spec: they come from Vault (`{vault: {path, key}}`), another object of the stack
/// (`{ref: ...}`), a shared variable (`{var: ...}`), a file beside the spec (`{file:
/// ...}`, `{templatefile: ...}`), or an encoding of structured data that reads one of
/// them (`{jsonencode: ...}`, `{yamlencode: ...}`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KubernetesSecretSpec {
    /// The secret's name (required).
    pub name: Option<String>,
    /// Pinned resource address; default the name in snake case.
    pub address: Option<String>,
    /// The resource type, when the stack uses another version (`kubernetes_secret_v1`);
    /// default `kubernetes_secret`. The pods' references to the secret name it.
    pub resource_type: Option<String>,
    /// Its namespace; default the stack's.
    pub namespace: Option<String>,
    /// The secret's `type`, written as given (`Opaque`, `kubernetes.io/tls`,
    /// `kubernetes.io/dockerconfigjson`, ...); default none written (Kubernetes then uses
    /// `Opaque`), or the service-account token type with `service_account`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// A service-account token: the account whose token the secret holds (its annotation,
    /// a reference when the stack declares the account).
    pub service_account: Option<String>,
    /// `wait_for_service_account_token`; default `true` for a service-account token, not
    /// written otherwise.
    pub wait_for_service_account_token: Option<bool>,
    /// Labels, in order.
    #[serde(default)]
    pub labels: OrderedMap<String>,
    /// Annotations, in order (after the service account's); a value is text or any value
    /// form.
    #[serde(default)]
    pub annotations: OrderedMap<ValueSpec>,
    /// The data, in order, as Kubernetes stores it after the provider's base64 encoding:
    /// each value a reference, a file beside the spec, or an encoding that reads one —
    /// never a literal.
    #[serde(default)]
    pub data: OrderedMap<DataSpec>,
    /// Binary data, in order: each value a file beside the spec, `{file: NAME}` (copied
    /// into the stack, of any bytes), read with `filebase64()`.
    #[serde(default)]
    pub binary_data: OrderedMap<BinaryDataSpec>,
    /// Attribute paths whose drift is ignored (`data`): the repo's rules ask for a written
    /// reason, `ignore_changes_why`.
    #[serde(default)]
    pub ignore_changes: Vec<String>,
    /// Why the drift is ignored; required with `ignore_changes`, written above the list
    /// after the repo's drift-workaround marker.
    pub ignore_changes_why: Why,
    /// Objects to create first (references such as `kubernetes_service_account.app`).
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// What it holds; written above it.
    pub comment: Option<String>,
    /// Raw HCL inside the resource.
    pub raw: Option<String>,
}
