//! Spec types of the stack's NetworkPolicies (which pods a policy covers, and the
//! traffic it admits in and out: peers by namespace label, pod label or CIDR, and ports)
//! and of the namespace's LimitRange.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{OrderedMap, Protocol, Scalar};

/// A NetworkPolicy of the stack's namespace (`kubernetes_network_policy_v1`, or the
/// older `kubernetes_network_policy`).
///
/// ```yaml
/// network_policies:
///   - ingress:
///       - from: [{namespace_selector: {match_labels: {team: web}}}]
///         ports: [{port: 9222, protocol: TCP}]
///     egress:
///       - to: [{ip_block: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}]
/// ```
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkPolicySpec {
    /// The policy's name; default the Deployment's name.
    pub name: Option<String>,
    /// Pinned resource address; default the name in snake case.
    pub address: Option<String>,
    /// The resource type: `kubernetes_network_policy_v1` (the default) or the older
    /// `kubernetes_network_policy`.
    pub resource_type: Option<String>,
    /// The pods the policy covers; default the app's pods (the Deployment's selector).
    /// `{}` covers every pod of the namespace.
    pub pod_selector: Option<SelectorSpec>,
    /// The directions the policy isolates, in order; default `Ingress` when it has
    /// `ingress` rules and `Egress` when it has `egress` rules. Say it to deny a direction
    /// outright (`[Ingress]` without rules admits nothing in).
    pub policy_types: Option<Vec<PolicyType>>,
    /// What may reach the pods: each rule admits traffic from any of its peers to any of
    /// its ports (no peers: from anywhere; no ports: to every port).
    #[serde(default)]
    pub ingress: Vec<IngressRuleSpec>,
    /// Where the pods may connect: each rule admits traffic to any of its peers on any of
    /// its ports.
    #[serde(default)]
    pub egress: Vec<EgressRuleSpec>,
    /// What the policy is for; written above it.
    pub comment: Option<String>,
    /// Raw HCL inside the resource.
    pub raw: Option<String>,
}

/// A direction of traffic a NetworkPolicy isolates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum PolicyType {
    Ingress,
    Egress,
}

/// An ingress rule: traffic from any of `from` to any of `ports`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IngressRuleSpec {
    /// The sources admitted; none: every source.
    #[serde(default)]
    pub from: Vec<PeerSpec>,
    /// The pods' ports admitted; none: every port.
    #[serde(default)]
    pub ports: Vec<PolicyPortSpec>,
}

/// An egress rule: traffic to any of `to` on any of `ports`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EgressRuleSpec {
    /// The destinations admitted; none: every destination.
    #[serde(default)]
    pub to: Vec<PeerSpec>,
    /// The destination ports admitted; none: every port.
    #[serde(default)]
    pub ports: Vec<PolicyPortSpec>,
}

/// A peer of a rule: pods chosen by namespace and/or pod labels, or addresses by CIDR.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PeerSpec {
    /// The namespaces whose pods are admitted (`{}`: every namespace).
    pub namespace_selector: Option<SelectorSpec>,
    /// The pods admitted (of the policy's namespace, or of the namespaces
    /// `namespace_selector` chooses; `{}`: every pod).
    pub pod_selector: Option<SelectorSpec>,
    /// Addresses by CIDR (not together with the selectors).
    pub ip_block: Option<IpBlockSpec>,
}

/// A label selector: labels that must match, and expressions.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SelectorSpec {
    /// Labels and the values they must have, in order.
    #[serde(default)]
    pub match_labels: OrderedMap<String>,
    /// Expressions on labels, in order.
    #[serde(default)]
    pub match_expressions: Vec<LabelExpressionSpec>,
}

/// A label expression (`match_expressions`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LabelExpressionSpec {
    /// The label.
    pub key: Option<String>,
    /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
    pub operator: Option<LabelOperator>,
    /// The values (none for `Exists` and `DoesNotExist`).
    #[serde(default)]
    pub values: Vec<String>,
}

/// A label-selector operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum LabelOperator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

/// Addresses by CIDR, with the ranges inside it that are left out.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IpBlockSpec {
    /// The range (`0.0.0.0/0`, `10.0.20.0/24`).
    pub cidr: Option<String>,
    /// Ranges inside `cidr` that are not admitted (`[10.0.0.0/8, 192.168.0.0/16]`).
    #[serde(default)]
    pub except: Vec<String>,
}

/// A port of a rule.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyPortSpec {
    /// A port number or a named port of the pod, written as given (`9222` a number,
    /// `"9222"` or `http` a string); none: every port of the protocol.
    pub port: Option<Scalar>,
    /// The last port of a range that starts at `port`.
    pub end_port: Option<u32>,
    /// `TCP`, `UDP` or `SCTP`; left out: the provider's default (TCP).
    pub protocol: Option<Protocol>,
}

/// A namespace's LimitRange of its own (the namespace then carries the custom-limitrange
/// label that exempts it from the tier's default limits).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitRangeSpec {
    /// The LimitRange's name; default `<namespace>-limits`.
    pub name: Option<String>,
    /// Pinned resource address; default the namespace's address.
    pub address: Option<String>,
    /// The resource type, when the stack uses another version
    /// (`kubernetes_limit_range_v1`); default `kubernetes_limit_range`.
    pub resource_type: Option<String>,
    /// The limits, one per kind of object, in order.
    #[serde(default)]
    pub limits: Vec<LimitSpec>,
}

/// The limits of one kind of object (`limit { type = "Container", ... }`); each map is
/// resources in order (`cpu: 500m`, `memory: 512Mi`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitSpec {
    /// `Container`, `Pod` or `PersistentVolumeClaim`.
    #[serde(rename = "type")]
    pub kind: Option<LimitKind>,
    /// The limits a container gets when it states none.
    #[serde(default)]
    pub default: OrderedMap<String>,
    /// The requests a container gets when it states none.
    #[serde(default)]
    pub default_request: OrderedMap<String>,
    /// The most an object may ask for.
    #[serde(default)]
    pub max: OrderedMap<String>,
    /// The least an object may ask for.
    #[serde(default)]
    pub min: OrderedMap<String>,
    /// The largest limit-to-request ratio.
    #[serde(default)]
    pub max_limit_request_ratio: OrderedMap<String>,
}

/// The kind of object a LimitRange entry limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum LimitKind {
    Container,
    Pod,
    PersistentVolumeClaim,
}
