//! Spec types of everything around the pod: Services, ingresses and their sugar (carve-outs,
//! `.lan` twins, Anubis, scale-to-zero), ExternalSecrets, `random_*` resources, config maps,
//! service accounts with RBAC, the TLS module, the namespace's quota, and structured data
//! values (`yamlencode`, `jsonencode`, `file`, `templatefile`).
//!
//! Short where the convention holds: every field is optional, and what is left out is the
//! repo's convention (from `crate::conventions`). General where it does not: any number of
//! each object, each with its own name and address.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{OrderedMap, Scalar, ValueSpec, Why, present};

/// A Kubernetes Service: the app's (`service:`) or another one (`services:`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    /// `false` generates no Service for the app (only for `service:`).
    pub enabled: Option<bool>,
    /// The Service's name; default the stack name (`service:`). Required in `services:`.
    pub name: Option<String>,
    /// Pinned resource address (adoption); default the name in snake case.
    pub address: Option<String>,
    /// The resource type, when the stack uses another version (`kubernetes_service_v1`);
    /// default `kubernetes_service`. Every reference to the Service names it.
    pub resource_type: Option<String>,
    /// `ClusterIP`, `NodePort` or `LoadBalancer`, written as `type`; default none written
    /// (Kubernetes then uses `ClusterIP`).
    #[serde(rename = "type")]
    pub kind: Option<ServiceType>,
    /// A MetalLB LoadBalancer (implies `type: LoadBalancer`): the IP annotations, the
    /// traffic policy and MetalLB's `ignore_changes` entry.
    pub load_balancer: Option<LoadBalancerSpec>,
    /// `cluster_ip`: `None` makes the Service headless (no virtual IP; its DNS name
    /// resolves to the pods' own IPs), an IP address asks for that one; default none
    /// written (Kubernetes allocates one).
    pub cluster_ip: Option<String>,
    /// Labels, in order; default the workload's selector (`"app" = <name>`). `{}` writes
    /// none.
    pub labels: Option<OrderedMap<String>>,
    /// The pods it selects, in order; default the workload's selector.
    pub selector: Option<OrderedMap<String>>,
    /// Annotations, in order (after MetalLB's); a value is text or any value form.
    #[serde(default)]
    pub annotations: OrderedMap<ValueSpec>,
    /// Short form, one port: the Service port; default 80, written as a string.
    pub port: Option<u16>,
    /// Short form: the port's name (e.g. `http`); default none.
    pub port_name: Option<String>,
    /// Short form: the port's protocol (e.g. `TCP`); default none (Kubernetes uses TCP).
    pub protocol: Option<String>,
    /// Short form: the target port; default the app container's port, written as a string.
    /// `null` leaves it out (Kubernetes then uses `port`).
    #[serde(default, deserialize_with = "present")]
    pub target_port: Option<Option<u16>>,
    /// General form: every port, written as given (numbers as numbers, strings as
    /// strings). Not together with the short form's fields.
    pub ports: Option<Vec<ServicePortSpec>>,
    /// What the Service is for; written above it.
    pub comment: Option<String>,
    /// Raw HCL inside the Service (`raw.service` is the app Service's too).
    pub raw: Option<String>,
    /// Raw HCL inside the Service's `spec` block, after its ports: what the spec says no
    /// other way there (a `dynamic "port"` range, `session_affinity`).
    pub spec_raw: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum ServiceType {
    ClusterIP,
    NodePort,
    LoadBalancer,
}

/// One port of a Service, in the general form.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServicePortSpec {
    /// Port name (e.g. `http`, `metrics`).
    pub name: Option<String>,
    /// The Service port: a number (`80`) or a string (`"80"`), written as given.
    pub port: Option<Scalar>,
    /// The container port: a number, a string, or a container port's name; not written
    /// when left out.
    pub target_port: Option<Scalar>,
    /// `TCP`, `UDP` or `SCTP`; not written when left out.
    pub protocol: Option<String>,
    /// The node port of a `NodePort` Service.
    pub node_port: Option<Scalar>,
}

/// MetalLB settings of a LoadBalancer Service.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancerSpec {
    /// The address (MetalLB's load-balancer IPs annotation); default the shared IP of the
    /// conventions.
    pub ip: Option<String>,
    /// The sharing key (MetalLB's allow-shared-ip annotation); default the conventional key
    /// on the shared IP, none on another address. `null` writes none.
    #[serde(default, deserialize_with = "present")]
    pub shared: Option<Option<String>>,
    /// `Cluster` or `Local`; default `Cluster` on a shared IP, `Local` on a dedicated one
    /// (MetalLB forbids mixed policies on a shared IP). `null` writes none.
    #[serde(default, deserialize_with = "present")]
    pub external_traffic_policy: Option<Option<TrafficPolicy>>,
    /// Write MetalLB's older annotation prefix instead of the current one.
    pub legacy_annotations: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum TrafficPolicy {
    Cluster,
    Local,
}

/// Scale-to-zero on an ingress: sablier's group and strategy.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SablierSpec {
    /// The sablier group; default the stack name.
    pub group: Option<String>,
    /// `dynamic` (a waiting page) or `blocking` (hold the request); default none written
    /// (the module's `dynamic`).
    pub strategy: Option<SablierStrategy>,
    /// Why this ingress wakes a group the spec's Deployment is not enrolled in (one of
    /// another stack, one dlgen does not write, or enrolled by labels of its own);
    /// written above the `sablier` argument. Without it the group must be the
    /// Deployment's, and the Deployment enrolled (`scale_to_zero: true`).
    pub why: Why,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SablierStrategy {
    Dynamic,
    Blocking,
}

/// Anubis in front of an ingress: the repo's Anubis module, whose Service the ingress
/// targets, with the x402 middleware, anti-AI off and `auth = "none"` with its reason.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnubisSpec {
    /// The instance's name (its Service is `anubis-<name>`); default the ingress's name.
    pub name: Option<String>,
    /// Pinned module address; default `anubis` (`anubis_<purpose>` for another ingress).
    pub address: Option<String>,
    /// The Redis database of the shared challenge store (a number unique per instance);
    /// sets `shared_store_url` on the shared Redis.
    pub redis_db: Option<u32>,
    /// The whole `shared_store_url` instead of `redis_db`.
    pub store_url: Option<String>,
    /// The Service Anubis forwards to; default the ingress's Service.
    pub target: Option<String>,
    /// `policy_rules_yaml`: the policy's rule list items, written as a heredoc.
    pub policy_rules: Option<String>,
    /// Written above the module call; default a line saying what Anubis does.
    pub comment: Option<String>,
    /// Raw HCL inside the module call.
    pub raw: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DbKind {
    Postgres,
    Mysql,
}

/// One key of an ExternalSecret's `data` list: `secretKey` from Vault's `remoteRef`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretKeySpec {
    /// The key in the Kubernetes secret (`secretKey`), e.g. an environment variable name.
    pub key: Option<String>,
    /// The Vault path it is read from (`remoteRef.key`); default the secret's `vault_key`
    /// (the stack's own path).
    pub from: Option<String>,
    /// The property at that path (`remoteRef.property`); default the key in lower case.
    pub property: Option<String>,
}

/// A `random_password`, `random_string` or `random_id`, referable as
/// `{ref: random_<kind>.<name>.<attribute>}`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RandomSpec {
    /// The resource name (`random_<kind>.<name>`).
    pub name: Option<String>,
    /// `password`, `string` or `id`.
    pub kind: Option<RandomKind>,
    /// Length in characters (`password`, `string`).
    pub length: Option<u32>,
    /// Length in bytes (`id`).
    pub byte_length: Option<u32>,
    /// Include special characters.
    pub special: Option<bool>,
    /// The special characters to use.
    pub override_special: Option<String>,
    /// Include upper-case letters.
    pub upper: Option<bool>,
    /// Include lower-case letters.
    pub lower: Option<bool>,
    /// Include digits.
    pub numeric: Option<bool>,
    /// At least this many upper-case letters.
    pub min_upper: Option<u32>,
    /// At least this many lower-case letters.
    pub min_lower: Option<u32>,
    /// At least this many digits.
    pub min_numeric: Option<u32>,
    /// At least this many special characters.
    pub min_special: Option<u32>,
    /// What it is for; written above it.
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RandomKind {
    Password,
    String,
    Id,
}

/// A `kubernetes_config_map`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigMapSpec {
    /// The config map's name; default `<stack>-config`.
    pub name: Option<String>,
    /// Pinned resource address; default the name in snake case.
    pub address: Option<String>,
    /// The resource type, when the stack uses another version
    /// (`kubernetes_config_map_v1`); default `kubernetes_config_map`. The checksum
    /// annotations and the pods' references to the config map name it.
    pub resource_type: Option<String>,
    /// Its namespace; default the stack's (e.g. `monitoring` for a Grafana datasource).
    pub namespace: Option<String>,
    /// Labels, in order.
    #[serde(default)]
    pub labels: OrderedMap<String>,
    /// Annotations, in order; a value is text or any value form.
    #[serde(default)]
    pub annotations: OrderedMap<ValueSpec>,
    /// Adds the reloader's match annotation, so a Deployment with reloader `search`
    /// restarts when the data changes.
    pub reloader_match: Option<bool>,
    /// The data, in order: text (a heredoc when it has several lines), `{file: NAME}` (a
    /// file beside the spec, written into the stack), `{templatefile: {file, vars}}`,
    /// `{yamlencode: ...}`, `{jsonencode: ...}`, or a reference (`{var}`, `{ref}`, ...).
    #[serde(default)]
    pub data: OrderedMap<DataSpec>,
    /// `immutable`, written when set: `true` and Kubernetes refuses changes to the data
    /// (a change of it replaces the config map).
    pub immutable: Option<bool>,
    /// Binary data, in order: each value a file beside the spec, `{file: NAME}` (copied
    /// into the stack as for `data`, of any bytes), read with `filebase64()`.
    #[serde(default)]
    pub binary_data: OrderedMap<BinaryDataSpec>,
    /// Checksum annotations on the app's pod template, so a change of the data rolls the
    /// pods.
    #[serde(default)]
    pub checksums: Vec<ChecksumSpec>,
    /// Objects to create first (references such as `kubernetes_manifest.grafana_db`).
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// Attribute paths whose drift is ignored (`data`, a controller rewrites it): the
    /// repo's rules ask for a written reason, `ignore_changes_why`.
    #[serde(default)]
    pub ignore_changes: Vec<String>,
    /// Why the drift is ignored; required with `ignore_changes`, written above the list
    /// after the repo's drift-workaround marker.
    pub ignore_changes_why: Why,
    /// What it holds; written above it.
    pub comment: Option<String>,
    /// Raw HCL inside the resource.
    pub raw: Option<String>,
}

/// A binary data value of a config map: a file beside the spec.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BinaryDataSpec {
    /// The file beside the spec (as for `{file: ...}` in `data`), read with
    /// `filebase64("${path.module}/NAME")`.
    pub file: Option<String>,
}

/// A hash of one data key, as an annotation of the app's pod template.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChecksumSpec {
    /// The data key hashed.
    pub key: Option<String>,
    /// The annotation; default the conventional checksum prefix and the key.
    pub annotation: Option<String>,
    /// `sha256` (default), `sha1` or `md5`.
    pub hash: Option<HashFunction>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum HashFunction {
    Sha256,
    Sha1,
    Md5,
}

/// A service account, and what it may do: a binding to an existing ClusterRole, or a
/// Role (or ClusterRole) of its own with rules, and the binding.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceAccountSpec {
    /// The service account's name; default the stack name.
    pub name: Option<String>,
    /// Pinned resource address; default the name in snake case.
    pub address: Option<String>,
    /// The account's resource type, when the stack uses another version
    /// (`kubernetes_service_account_v1`); default `kubernetes_service_account`.
    pub resource_type: Option<String>,
    /// An existing ClusterRole to bind (e.g. `edit`, `view`).
    pub role: Option<String>,
    /// Rules of a role of its own (a Role, or a ClusterRole with `scope: cluster`).
    #[serde(default)]
    pub rules: Vec<RuleSpec>,
    /// `namespace` (a RoleBinding, default) or `cluster` (a ClusterRoleBinding).
    pub scope: Option<RbacScope>,
    /// The role's name (rules only); default the service account's name.
    pub role_name: Option<String>,
    /// The role's address (rules only); default the service account's address.
    pub role_address: Option<String>,
    /// The role's resource type (rules only), of its scope: `kubernetes_role_v1` or
    /// `kubernetes_cluster_role_v1`; default `kubernetes_role` / `kubernetes_cluster_role`.
    pub role_resource_type: Option<String>,
    /// The binding's name; default `<account>-<role>` (`role`) or the account's name.
    pub binding_name: Option<String>,
    /// The binding's address; default the binding's name in snake case.
    pub binding_address: Option<String>,
    /// The binding's resource type, of its scope: `kubernetes_role_binding_v1` or
    /// `kubernetes_cluster_role_binding_v1`; default the type without `_v1`.
    pub binding_resource_type: Option<String>,
    /// What the account is for; written above it.
    pub comment: Option<String>,
    /// Further bindings of the account, each with a role of its own (`rules`) or an
    /// existing ClusterRole (`role`), of either scope: a Role in the namespace beside a
    /// ClusterRole. Each takes the fields of the account's own binding.
    #[serde(default)]
    pub bindings: Vec<BindingSpec>,
}

impl ServiceAccountSpec {
    /// The account's own binding, as its fields give it.
    pub fn own_binding(&self) -> BindingSpec {
        BindingSpec {
            role: self.role.clone(),
            rules: self.rules.clone(),
            scope: self.scope,
            role_name: self.role_name.clone(),
            role_address: self.role_address.clone(),
            role_resource_type: self.role_resource_type.clone(),
            binding_name: self.binding_name.clone(),
            binding_address: self.binding_address.clone(),
            binding_resource_type: self.binding_resource_type.clone(),
        }
    }
}

/// A binding of a service account: to an existing ClusterRole, or to a Role (or
/// ClusterRole) of its own with rules.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BindingSpec {
    /// An existing ClusterRole to bind (e.g. `edit`, `view`).
    pub role: Option<String>,
    /// Rules of a role of its own (a Role, or a ClusterRole with `scope: cluster`).
    #[serde(default)]
    pub rules: Vec<RuleSpec>,
    /// `namespace` (a RoleBinding, default) or `cluster` (a ClusterRoleBinding).
    pub scope: Option<RbacScope>,
    /// The role's name (rules only); default the service account's name.
    pub role_name: Option<String>,
    /// The role's address (rules only); default the service account's address.
    pub role_address: Option<String>,
    /// The role's resource type (rules only), of its scope: `kubernetes_role_v1` or
    /// `kubernetes_cluster_role_v1`; default `kubernetes_role` / `kubernetes_cluster_role`.
    pub role_resource_type: Option<String>,
    /// The binding's name; default `<account>-<role>` (`role`) or the account's name.
    pub binding_name: Option<String>,
    /// The binding's address; default the binding's name in snake case.
    pub binding_address: Option<String>,
    /// The binding's resource type, of its scope: `kubernetes_role_binding_v1` or
    /// `kubernetes_cluster_role_binding_v1`; default the type without `_v1`.
    pub binding_resource_type: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RbacScope {
    Namespace,
    Cluster,
}

/// One RBAC rule.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// API groups (`""` is the core group).
    #[serde(default)]
    pub api_groups: Vec<String>,
    /// Resources (`pods`, `deployments`, `pods/log`).
    #[serde(default)]
    pub resources: Vec<String>,
    /// Names of the resources the rule is limited to.
    #[serde(default)]
    pub resource_names: Vec<String>,
    /// URLs that are no resource (`/version`, `/healthz`, `/metrics`): a rule of a
    /// ClusterRole (`scope: cluster`), instead of `resources`.
    #[serde(default)]
    pub non_resource_urls: Vec<String>,
    /// Verbs (`get`, `list`, `watch`, `patch`, ...).
    #[serde(default)]
    pub verbs: Vec<String>,
}

/// The `setup_tls_secret` module that copies the wildcard certificate into the namespace.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TlsSpec {
    /// `false` leaves the module out (Kyverno's sync policy clones the wildcard secret
    /// into the namespace); needs `why` when the stack has an ingress.
    pub enabled: Option<bool>,
    /// Why there is no TLS module; written as a comment above the first ingress.
    pub why: Why,
}

/// A namespace's ResourceQuota of its own (the namespace then carries the custom-quota
/// label that exempts it from the tier's default quota).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuotaSpec {
    /// The quota's name; default `<namespace>-quota`.
    pub name: Option<String>,
    /// Pinned resource address; default the namespace's address.
    pub address: Option<String>,
    /// The resource type, when the stack uses another version
    /// (`kubernetes_resource_quota_v1`); default `kubernetes_resource_quota`.
    pub resource_type: Option<String>,
    /// The hard limits, in order (`requests.cpu: "1"`, `pods: "10"`).
    #[serde(default)]
    pub hard: OrderedMap<String>,
}

/// A structured value: a scalar, a list, a mapping (in order), a reference (`{var}`,
/// `{vault}`, `{eso}`, `{ref}`, `{template}`), or a function dlgen writes for you:
///
/// ```yaml
/// {file: Caddyfile}                                  # file("${path.module}/Caddyfile")
/// {templatefile: {file: index.html.tpl, vars: {title: Home}}}
/// {yamlencode: {apiVersion: 1, datasources: [...]}}  # also jsonencode
/// {jsondecode: {vault: {path: app, key: tokens}}}    # the JSON a Vault value holds
/// ```
///
/// A mapping with a key that names one of these forms is that form, and has that one key;
/// any other mapping is structured data.
#[derive(Debug, Clone, PartialEq)]
pub enum DataSpec {
    Scalar(Scalar),
    List(Vec<DataSpec>),
    Map(OrderedMap<DataSpec>),
    Ref(ValueSpec),
    /// A file beside the spec, in the directory named after the spec (`specs/<stack>/`),
    /// written into the stack directory and read with `file()`.
    File(String),
    /// A template file beside the spec, rendered by Terraform's `templatefile()`.
    TemplateFile(TemplateFileSpec),
    Yaml(Box<DataSpec>),
    Json(Box<DataSpec>),
    /// `jsondecode(...)` of a value holding JSON text (a reference, e.g. `{vault}`).
    JsonDecode(Box<DataSpec>),
}

/// `{templatefile: {file, vars}}`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateFileSpec {
    /// The template file beside the spec (as for `{file: ...}`).
    pub file: Option<String>,
    /// The template's variables, in order.
    #[serde(default)]
    pub vars: OrderedMap<DataSpec>,
}

/// The keys that make a mapping one of the forms of a [`DataSpec`].
pub const DATA_FORMS: &[&str] = &[
    "var",
    "vault",
    "eso",
    "ref",
    "template",
    "file",
    "templatefile",
    "yamlencode",
    "jsonencode",
    "base64encode",
    "tostring",
    "coalesce",
    "if_set",
    "jsondecode",
];

impl<'de> Deserialize<'de> for DataSpec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DataVisitor;

        impl<'de> serde::de::Visitor<'de> for DataVisitor {
            type Value = DataSpec;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string, number, boolean, list or mapping, or one of {file: ...}, {templatefile: {file, vars}}, {yamlencode: ...}, {jsonencode: ...}, {jsondecode: ...}, {var: ...}, {ref: ...}, {template: [...]}")
            }

            fn visit_bool<E>(self, v: bool) -> Result<DataSpec, E> {
                Ok(DataSpec::Scalar(Scalar::Bool(v)))
            }

            fn visit_i64<E>(self, v: i64) -> Result<DataSpec, E> {
                Ok(DataSpec::Scalar(Scalar::Int(v)))
            }

            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<DataSpec, E> {
                i64::try_from(v)
                    .map(|v| DataSpec::Scalar(Scalar::Int(v)))
                    .map_err(|_| E::custom(format_args!("{v} is too large for a number")))
            }

            fn visit_f64<E>(self, v: f64) -> Result<DataSpec, E> {
                Ok(DataSpec::Scalar(Scalar::Float(v)))
            }

            fn visit_str<E>(self, v: &str) -> Result<DataSpec, E> {
                Ok(DataSpec::Scalar(Scalar::Str(v.to_owned())))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<DataSpec, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<DataSpec>()? {
                    items.push(item);
                }
                Ok(DataSpec::List(items))
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<DataSpec, A::Error> {
                use serde::de::Error;
                let Some(first) = map.next_key::<String>()? else {
                    return Ok(DataSpec::Map(OrderedMap::default()));
                };
                let form = match first.as_str() {
                    "var" => Some(DataSpec::Ref(ValueSpec::Var(map.next_value()?))),
                    "vault" => Some(DataSpec::Ref(ValueSpec::Vault(map.next_value()?))),
                    "eso" => Some(DataSpec::Ref(ValueSpec::Eso(map.next_value()?))),
                    "ref" => Some(DataSpec::Ref(ValueSpec::Ref(map.next_value()?))),
                    "template" => {
                        let parts: Vec<ValueSpec> = map.next_value()?;
                        if parts.is_empty() {
                            return Err(A::Error::custom(
                                "a template needs at least one part, e.g. `{template: [{var: postgresql_host}, \":5432\"]}`",
                            ));
                        }
                        Some(DataSpec::Ref(ValueSpec::Template(parts)))
                    }
                    "file" => Some(DataSpec::File(map.next_value()?)),
                    "templatefile" => Some(DataSpec::TemplateFile(map.next_value()?)),
                    "yamlencode" => Some(DataSpec::Yaml(Box::new(map.next_value()?))),
                    "jsonencode" => Some(DataSpec::Json(Box::new(map.next_value()?))),
                    "base64encode" => Some(DataSpec::Ref(ValueSpec::Base64(Box::new(
                        map.next_value()?,
                    )))),
                    "tostring" => Some(DataSpec::Ref(ValueSpec::ToString(Box::new(
                        map.next_value()?,
                    )))),
                    "coalesce" | "if_set" => Some(DataSpec::Ref(
                        crate::spec::fallback_form(&first, map.next_value()?)
                            .map_err(A::Error::custom)?,
                    )),
                    "jsondecode" => Some(DataSpec::JsonDecode(Box::new(map.next_value()?))),
                    _ => None,
                };
                if let Some(form) = form {
                    if let Some(extra) = map.next_key::<String>()? {
                        return Err(A::Error::custom(format!(
                            "`{first}` makes this mapping a {first} form, which has exactly one key; `{extra}` does not belong here (one of {})",
                            DATA_FORMS.join(", ")
                        )));
                    }
                    return Ok(form);
                }
                let mut entries = vec![(first, map.next_value::<DataSpec>()?)];
                while let Some(key) = map.next_key::<String>()? {
                    if DATA_FORMS.contains(&key.as_str()) {
                        return Err(A::Error::custom(format!(
                            "`{key}` makes a mapping a {key} form, which has exactly one key; structured data cannot have a key named `{key}`"
                        )));
                    }
                    entries.push((key, map.next_value::<DataSpec>()?));
                }
                Ok(DataSpec::Map(OrderedMap(entries)))
            }
        }

        deserializer.deserialize_any(DataVisitor)
    }
}
