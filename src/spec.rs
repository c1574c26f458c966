//! The spec: the short YAML a user writes, as typed serde structures.
//!
//! Conventions are defaults, so most fields are optional here; the `model` stage decides
//! every default and validates every value. A field that is required is still an `Option`
//! here so that a missing one is reported by `model` together with every other problem of
//! the spec (with its position), instead of aborting deserialization at the first one.
//!
//! Free-text `comment` fields become the explanatory comments of the generated stack;
//! `*_why` fields give the reason for one particular choice (and are mandatory where the
//! repo's conventions demand a written reason, e.g. `auth: app`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

mod pod;
use pod::with_pod_settings;
pub use pod::*;
mod around;
pub use around::*;
mod k8s_secret;
pub use k8s_secret::*;
mod traffic;
pub use traffic::*;
mod manifests;
pub use manifests::*;
mod variables;
pub use variables::*;
mod policy;
pub use policy::*;

/// A whole spec file.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Stack name: directory under the stacks root, namespace, `app` label, secret and
    /// Vault key defaults. DNS-1123 label.
    pub name: Option<String>,
    /// What the stack is, written as the comment above the namespace.
    pub comment: Option<String>,
    /// The comment block that opens `main.tf` on its own (below dlgen's header, apart from
    /// any block): what the operators say about the whole stack.
    pub header_comment: Option<String>,
    /// The comment block that closes `main.tf`, after its last block (e.g. a dated apply
    /// trigger).
    pub footer_comment: Option<String>,
    /// Priority tier (`core`, `cluster`, `gpu`, `edge`, `aux`); default `aux`.
    pub tier: Option<Tier>,
    /// The Terragrunt dependency stack; default `platform`.
    pub dependency: Option<String>,
    /// Keel auto-upgrade enrolment; default on.
    pub keel: Option<bool>,
    /// Why Keel is off; required with `keel: false`.
    pub keel_why: Option<String>,
    /// Keel policy set by the stack itself (Keel's policy annotation on the Deployment, e.g.
    /// `minor`); drops the matching `ignore_changes` entry.
    pub keel_policy: Option<String>,
    pub namespace: Option<NamespaceSpec>,
    pub secrets: Option<SecretsSpec>,
    /// The pod's containers; the first one is the app.
    #[serde(default)]
    pub containers: Vec<ContainerSpec>,
    pub deployment: Option<DeploymentSpec>,
    /// Deployment strategy; default `Recreate` when a block-storage volume is mounted.
    pub strategy: Option<Strategy>,
    /// Why this strategy (e.g. a single-writer database).
    pub strategy_why: Option<String>,
    #[serde(default)]
    pub volumes: Vec<VolumeSpec>,
    pub service: Option<ServiceSpec>,
    pub backup: Option<BackupSpec>,
    pub ingress: Option<IngressSpec>,
    /// Enrol in sablier scale-to-zero (ADR-0022).
    pub scale_to_zero: Option<bool>,
    /// Taking over an existing stack without a destroy: pinned addresses are on the
    /// resources themselves (`address:`); this declares renames and a wrapping module.
    pub adopt: Option<AdoptSpec>,
    /// Raw HCL for what the spec language does not cover yet. Prefer a spec field.
    pub raw: Option<RawSpec>,
    // --- pods and workloads (see `spec::pod`) ---
    /// The stack's own image, tagged by the tag variable that CI sets; containers
    /// without an `image` run it.
    pub image: Option<OwnImageSpec>,
    /// The Deployment's init containers, run in order before its containers.
    #[serde(default)]
    pub init_containers: Vec<ContainerSpec>,
    /// The limits of a `RollingUpdate` strategy (`max_surge`, `max_unavailable`); with
    /// `strategy: none`, the limits alone in a `strategy` block without a `type`.
    pub rolling_update: Option<RollingUpdateSpec>,
    /// Keel annotations the stack sets and owns: written on the Deployment and not
    /// ignored. Keys `policy`, `trigger`, `pollSchedule`, `match-tag`.
    #[serde(default)]
    pub keel_owns: OrderedMap<String>,
    /// Keel annotations the stack only seeds: written on the Deployment and still ignored
    /// (Kyverno's Keel policy owns them). Keys as for `keel_owns`.
    #[serde(default)]
    pub keel_seeds: OrderedMap<String>,
    /// The stack's jobs: CronJobs (with a `schedule`) and one-shot Jobs.
    #[serde(default)]
    pub jobs: Vec<JobSpec>,

    // --- around the pod ------------------------------------------------------------
    /// More Services beside the app's (`service:`), each with its own name.
    #[serde(default)]
    pub services: Vec<ServiceSpec>,
    /// More `ingress_factory` calls beside the main one (`ingress:`), each with a
    /// `purpose` (module `ingress_<purpose>`, name `<main name>-<purpose>`), or a
    /// carve-out (`carve_out: true`), a `.lan` twin (`lan: true`).
    #[serde(default)]
    pub ingresses: Vec<IngressSpec>,
    /// More ExternalSecrets beside the stack's own (`secrets:`): other Vault paths or
    /// stores, rotating database credentials (`database: postgres`), other namespaces.
    #[serde(default)]
    pub external_secrets: Vec<SecretsSpec>,
    /// `random_password`, `random_string` and `random_id` resources.
    #[serde(default)]
    pub random: Vec<RandomSpec>,
    /// Config maps.
    #[serde(default)]
    pub config_maps: Vec<ConfigMapSpec>,
    /// Service accounts, with their Role or ClusterRole bindings.
    #[serde(default)]
    pub service_accounts: Vec<ServiceAccountSpec>,
    /// Kubernetes Secrets the stack writes itself (not from External Secrets): Vault
    /// reads or files, service-account tokens, registry credentials, TLS pairs.
    #[serde(default)]
    pub kubernetes_secrets: Vec<KubernetesSecretSpec>,
    /// The TLS module; default on.
    pub tls: Option<TlsSpec>,
    /// The Terragrunt dependencies, in order (`[platform, vault, external-secrets]`);
    /// `[]` writes an include-only `terragrunt.hcl`. Not together with `dependency`.
    pub dependencies: Option<Vec<String>>,
    /// The `include "root"` block of `terragrunt.hcl`; default on. `false` writes none: a
    /// stack that includes the root another way (another label, `expose`, another path)
    /// says its own include in `raw.terragrunt`.
    pub root_include: Option<bool>,
    /// Terragrunt `inputs`, in order (`image_tag: latest`).
    #[serde(default)]
    pub inputs: OrderedMap<DataSpec>,
    /// Traefik `Middleware` objects of the stack's namespace.
    #[serde(default)]
    pub middlewares: Vec<MiddlewareSpec>,
    /// The app's PodDisruptionBudget.
    pub disruption_budget: Option<DisruptionBudgetSpec>,
    /// Any other Kubernetes object the stack applies with `kubernetes_manifest`
    /// (`IngressRoute`, `IngressRouteTCP`, ...).
    #[serde(default)]
    pub manifests: Vec<ManifestSpec>,
    /// How the variables the spec refers to are declared, by name, when not as the
    /// one-line `{ type = string }`: a default (the type follows it), a description,
    /// `sensitive`. Each is declared even when nothing refers to it.
    #[serde(default)]
    pub variables: OrderedMap<VariableSpec>,
    /// NetworkPolicies of the stack's namespace: the pods each covers and the traffic
    /// it admits.
    #[serde(default)]
    pub network_policies: Vec<NetworkPolicySpec>,
    /// Comments at any place of the generated stack that no other field writes: each
    /// anchored to a block, an attribute or a key of a mapping by its address and path
    /// (`kubernetes_persistent_volume_claim.data.lifecycle`,
    /// `kubernetes_namespace.app.metadata.labels["keel.sh/enrolled"]`,
    /// `module.ingress.dns_type`), above it or trailing its last line.
    #[serde(default)]
    pub comments: Vec<CommentSpec>,
}

impl Spec {
    /// The sablier group the main ingress names for the Deployment, when it does: its
    /// `sablier.group`, unless it says (`why`) that it wakes another Deployment's. A
    /// scale-to-zero Deployment is otherwise in the group of the stack's name.
    pub fn main_sablier_group(&self) -> Option<&str> {
        self.ingress
            .as_ref()
            .and_then(|i| i.sablier.as_ref())
            .filter(|s| s.why.is_none())
            .and_then(|s| s.group.as_deref())
    }
}

/// A comment anchored to a place of the generated stack.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentSpec {
    /// Where: an address (`TYPE.NAME`, `data.TYPE.NAME`, `module.NAME`, `var.NAME`,
    /// `local.NAME`), then nested blocks and attributes by name (`.spec.template`; the
    /// n-th block of a name `.env[2]`, the first by default) and keys of a mapping
    /// (`.labels["app"]`).
    pub at: Option<String>,
    /// The comment, without `#`; several lines above, one line trailing.
    pub text: Option<String>,
    /// `above` the place (default: above the comment lines dlgen writes there, a reason or
    /// a marker, which stay directly above the place), `directly_above` it (below dlgen's
    /// lines) or `trailing` its last line.
    pub place: Option<CommentPlace>,
}

/// Where an anchored comment goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CommentPlace {
    Above,
    #[serde(rename = "directly_above")]
    DirectlyAbove,
    Trailing,
}

/// Adoption of an existing, hand-written stack: `moved` blocks so that `terraform plan`
/// shows moves, not destroy-and-create.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdoptSpec {
    /// The resources live inside `module.<name>` today: one `moved` block per generated
    /// resource and module, `from = module.<name>.<address>`.
    pub from_module: Option<String>,
    /// Renames: `moved { from = <from>, to = <to> }`; `to` must be a generated address, or
    /// one inside `from_module` (`module.<name>.<generated address>`): a step of the
    /// history that the module's `moved` block chains on.
    #[serde(default)]
    pub moved: Vec<MovedSpec>,
    /// Objects that exist in the cluster but not yet in the state: `import { to = <to>,
    /// id = "<id>" }`; `to` must be a generated resource. A no-op once applied.
    #[serde(default)]
    pub imports: Vec<ImportSpec>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MovedSpec {
    pub from: Option<String>,
    pub to: Option<String>,
    /// Why the resource moved (e.g. the stack was renamed); written above the block.
    pub comment: Option<String>,
}

/// One `import` block.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportSpec {
    /// The generated resource it imports to, e.g. `kubernetes_namespace.tasks`.
    pub to: Option<String>,
    /// The provider's import ID, e.g. `tasks` for a namespace, `<namespace>/<name>` for
    /// most namespaced objects, `apiVersion=…,kind=…,namespace=…,name=…` for a
    /// `kubernetes_manifest`.
    pub id: Option<String>,
}

/// Raw HCL attached to generated resources (inside their body, after the generated
/// attributes and blocks) or to the stack (whole extra blocks at the end of `main.tf`).
/// Each snippet must parse on its own as an HCL body.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSpec {
    pub namespace: Option<String>,
    pub deployment: Option<String>,
    /// Inside the app container block (the first container unless `deployment.app_container`
    /// names another; the same as its `containers[i].raw`).
    pub container: Option<String>,
    /// Inside the pod spec of the Deployment.
    pub pod: Option<String>,
    pub service: Option<String>,
    pub ingress: Option<String>,
    /// Inside the `tls_secret` module call.
    pub tls_secret: Option<String>,
    /// Whole blocks appended to `main.tf`.
    pub stack: Option<String>,
    /// Whole blocks (or attributes such as `inputs`) appended to `terragrunt.hcl`.
    pub terragrunt: Option<String>,
}

with_pod_settings! {
    /// Deployment-level settings, and the settings of its pod.
    #[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct DeploymentSpec {
        /// Pinned resource address (adoption); default the stack name in snake case.
        pub address: Option<String>,
        /// Annotations on the Deployment, in order; a value is a string or any value
        /// form (`{var: ...}`, `{template: [...]}`, `{ref: ...}`, ...).
        #[serde(default)]
        pub annotations: OrderedMap<ValueSpec>,
        /// Annotations on the pod template, in order; values as for `annotations`
        /// (`"diun.include_tags": {template: ["^", {var: tag}, "$"]}`).
        #[serde(default)]
        pub pod_annotations: OrderedMap<ValueSpec>,
        /// The `"kubernetes.io/cluster-service" = "true"` labels; default on.
        pub cluster_service_label: Option<bool>,
        /// Pod DNS options written into the pod's `dns_config` (e.g. `ndots: "2"`).
        #[serde(default)]
        pub dns_options: OrderedMap<String>,
        // --- pods and workloads (see `spec::pod`) ---
        /// The Deployment's name (and the value of its app label); default the stack name.
        pub name: Option<String>,
        /// The resource type, when the stack uses another version
        /// (`kubernetes_deployment_v1`); default `kubernetes_deployment`.
        pub resource_type: Option<String>,
        /// The number of pods; default 1. `0` parks the app and needs `replicas_why`;
        /// `null` writes no `replicas` (Kubernetes then runs one pod).
        #[serde(default, deserialize_with = "present")]
        pub replicas: Option<Option<u32>>,
        /// Why this number of pods; written above `replicas`.
        pub replicas_why: Why,
        /// `wait_for_rollout`, written when set (`false`: apply does not wait for the pods).
        pub wait_for_rollout: Option<bool>,
        /// Why apply does (not) wait for the pods; written above `wait_for_rollout`.
        pub wait_for_rollout_why: Why,
        /// `revision_history_limit`, written when set.
        pub revision_history_limit: Option<u32>,
        /// `progress_deadline_seconds`, written when set.
        pub progress_deadline_seconds: Option<u32>,
        /// The key of the app label in the labels and the selector: `app` (default) or `run`.
        pub label_key: Option<String>,
        /// The Deployment's `tier` label; default on.
        pub tier_label: Option<bool>,
        /// The tier the Deployment's `tier` label names; default the stack's (`tier`).
        /// Many of the repo's Deployments name `aux` whatever their namespace's tier; the
        /// namespace's tier is the one that counts (quotas, QoS, lint).
        pub tier: Option<Tier>,
        /// More labels of the Deployment, after the generated ones, in order.
        #[serde(default)]
        pub labels: OrderedMap<String>,
        /// More labels of the pod template, after the app label, in order.
        #[serde(default)]
        pub pod_labels: OrderedMap<String>,
        /// Reloader restarts the pods when their secrets or config maps change: `auto` or
        /// `search` (a Deployment annotation).
        pub reloader: Option<Reloader>,
        /// diun image-update notifications (pod template annotations).
        pub diun: Option<DiunSpec>,
        /// Services the pod waits for before it starts (`postgresql.dbaas:5432`): Kyverno
        /// injects one wait per entry (a pod template annotation).
        #[serde(default)]
        pub wait_for: Vec<String>,
        /// Prometheus scrapes the pods (pod template annotations).
        pub prometheus: Option<PrometheusSpec>,
        /// `depends_on`: the ExternalSecrets whose secrets the pod reads, plus or minus.
        pub depends_on: Option<DependsOnSpec>,
        /// `ignore_changes`: the conventions' entries (Kyverno, Keel, Kubernetes, sablier),
        /// plus or minus.
        pub ignore_changes: Option<IgnoreChangesSpec>,
    }
}

/// A YAML mapping read with its key order kept (for labels and annotations, whose order
/// the generated file follows).
#[derive(Debug, Clone, PartialEq)]
pub struct OrderedMap<V>(pub Vec<(String, V)>);

impl OrderedMap<ValueSpec> {
    /// Entries of text values (labels or annotations read as strings).
    pub fn of_texts(entries: Vec<(String, String)>) -> Self {
        OrderedMap(
            entries
                .into_iter()
                .map(|(k, v)| (k, ValueSpec::Scalar(Scalar::Str(v))))
                .collect(),
        )
    }
}

impl<V> Default for OrderedMap<V> {
    fn default() -> Self {
        OrderedMap(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<V> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<V>(std::marker::PhantomData<V>);

        impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for MapVisitor<V> {
            type Value = OrderedMap<V>;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a mapping")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<OrderedMap<V>, A::Error> {
                let mut entries = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, V>()? {
                    entries.push((key, value));
                }
                Ok(OrderedMap(entries))
            }
        }

        deserializer.deserialize_map(MapVisitor(std::marker::PhantomData))
    }
}

/// A value: a plain scalar, or a reference resolved by Terraform.
///
/// ```yaml
/// value: info                                   # a string (or number, boolean)
/// value: {var: mail_host}                       # var.mail_host, declared automatically
/// value: {vault: {path: platform, key: smtp}}   # plan-time Vault read
/// value: {vault: {path: platform, key: creds, json: [app, user]}}  # of a JSON key
/// value: {eso: {key: creds, path: [app, user]}} # plan-time read of the ExternalSecret
/// value: {ref: random_password.key.result}      # an attribute of an object of this stack
/// value: {template: ["base64:", {ref: random_id.key.b64_std}]}  # text and references
/// value: {jsonencode: [{var: public_ip}, "10.0.0.1"]}  # jsonencode(...) of structured data
/// value: {base64encode: {ref: random_password.key.result}}  # base64encode(...)
/// value: {tostring: {var: port}}                # tostring(...) of a number or boolean
/// value: {coalesce: [{var: key}, {vault: {path: app, key: key}}]}  # the first set value
/// value: {if_set: [{var: key}, {vault: {path: app, key: key}}]}    # var.key != "" ? … : …
/// value: {hcl: "sha256(local.config)"}          # raw HCL: one expression, parsed and checked
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum ValueSpec {
    Scalar(Scalar),
    /// A shared Terraform variable (`mail_host`, `postgresql_host`, ...).
    Var(String),
    /// `data "vault_kv_secret_v2"` of `secret/<path>`, key `<key>`.
    Vault(VaultRef),
    /// `data "kubernetes_secret" "eso_secrets"` of the stack's ExternalSecret, key `<key>`;
    /// with a `path`, the key holds JSON and the value is `local.<key>[path...]`; with a
    /// `secret`, the key of another Secret.
    Eso(EsoRef),
    /// An attribute of another object this stack generates, e.g.
    /// `random_password.secret_key.result` or `kubernetes_service.app.metadata[0].name`:
    /// checked against the stack's own objects, never free HCL.
    Ref(String),
    /// A string built from parts: plain text (scalars, written as they are) and
    /// references (`{var}`, `{vault}`, `{eso}`, `{ref}`), interpolated in order.
    Template(Vec<ValueSpec>),
    /// `jsonencode(...)` of structured data (scalars, lists, mappings, references).
    Json(Box<crate::spec::DataSpec>),
    /// `base64encode(...)` of a value (a reference: a literal is written as its text).
    Base64(Box<ValueSpec>),
    /// `tostring(...)` of a value (a variable of a number or a boolean).
    ToString(Box<ValueSpec>),
    /// `coalesce(...)` of values: the first that is neither null nor empty (a per-app
    /// override variable that falls back to Vault).
    Coalesce(Vec<ValueSpec>),
    /// `a != "" ? a : b` of two values: the first when it is set, else the second (the
    /// same fallback, written as a conditional).
    IfSet(Vec<ValueSpec>),
    /// Raw HCL: one expression on one line, for a value no other form says (a function
    /// of a local, a conditional). It is parsed, the variables it reads are declared and
    /// the objects it names must be the stack's.
    Hcl(String),
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VaultRef {
    pub path: Option<String>,
    pub key: Option<String>,
    /// The key holds JSON: the value is `local.<key>[json...]`, the local
    /// `jsondecode(...)` of the key.
    #[serde(default)]
    pub json: Vec<String>,
    /// The last field of `json` may be missing: the value is null then,
    /// `lookup(local.<key>[...], "<last>", null)`.
    pub optional: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EsoRef {
    pub key: Option<String>,
    /// The key holds JSON: the value is `local.<key>[path...]` (the stack's own secret
    /// only).
    #[serde(default)]
    pub path: Vec<String>,
    /// The last field of `path` may be missing (a user without that credential): the
    /// value is null then, `lookup(local.<key>[...], "<last>", null)`.
    pub optional: Option<bool>,
    /// Another Kubernetes Secret to read at plan time than the stack's own (an
    /// ExternalSecret target of another stack, a secret a controller writes): read by its
    /// own `data "kubernetes_secret"`, labelled by its name without `-secrets`.
    pub secret: Option<String>,
    /// The namespace of that secret; default the stack's.
    pub namespace: Option<String>,
}

/// `{coalesce: [...]}` (two values or more) or `{if_set: [a, b]}` (two), checked; the
/// error says what the form takes.
pub(crate) fn fallback_form(form: &str, items: Vec<ValueSpec>) -> Result<ValueSpec, String> {
    match form {
        "coalesce" if items.len() >= 2 => Ok(ValueSpec::Coalesce(items)),
        "coalesce" => Err("`coalesce` takes two values or more, e.g. `{coalesce: [{var: api_key}, {vault: {path: app, key: api_key}}]}`".to_owned()),
        _ if items.len() == 2 => Ok(ValueSpec::IfSet(items)),
        _ => Err("`if_set` takes two values, the one used when set and the fallback, e.g. `{if_set: [{var: api_key}, {vault: {path: app, key: api_key}}]}`".to_owned()),
    }
}

/// The keys of a value that is a mapping, in the order the schema lists them.
pub(crate) const VALUE_FORMS: &[&str] = &[
    "var",
    "vault",
    "eso",
    "ref",
    "template",
    "jsonencode",
    "base64encode",
    "tostring",
    "coalesce",
    "if_set",
    "hcl",
];

impl<'de> Deserialize<'de> for ValueSpec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValueVisitor;

        impl<'de> serde::de::Visitor<'de> for ValueVisitor {
            type Value = ValueSpec;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string, number or boolean, or one of {var: ...}, {vault: {path, key}}, {eso: {key, path}}, {ref: ...}, {template: [...]}")
            }

            fn visit_bool<E>(self, v: bool) -> Result<ValueSpec, E> {
                Ok(ValueSpec::Scalar(Scalar::Bool(v)))
            }

            fn visit_i64<E>(self, v: i64) -> Result<ValueSpec, E> {
                Ok(ValueSpec::Scalar(Scalar::Int(v)))
            }

            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<ValueSpec, E> {
                i64::try_from(v)
                    .map(|v| ValueSpec::Scalar(Scalar::Int(v)))
                    .map_err(|_| E::custom(format_args!("{v} is too large for a number")))
            }

            fn visit_f64<E>(self, v: f64) -> Result<ValueSpec, E> {
                Ok(ValueSpec::Scalar(Scalar::Float(v)))
            }

            fn visit_str<E>(self, v: &str) -> Result<ValueSpec, E> {
                Ok(ValueSpec::Scalar(Scalar::Str(v.to_owned())))
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<ValueSpec, A::Error> {
                use serde::de::Error;
                let Some(form) = map.next_key::<String>()? else {
                    return Err(A::Error::custom(
                        "an empty mapping is not a value; write a scalar, or one of {var: ...}, {vault: {path, key}}, {eso: {key, path}}, {ref: ...}, {template: [...]}",
                    ));
                };
                let value = match form.as_str() {
                    "var" => ValueSpec::Var(map.next_value()?),
                    "vault" => ValueSpec::Vault(map.next_value()?),
                    "eso" => ValueSpec::Eso(map.next_value()?),
                    "ref" => ValueSpec::Ref(map.next_value()?),
                    "template" => {
                        let parts: Vec<ValueSpec> = map.next_value()?;
                        if parts.is_empty() {
                            return Err(A::Error::custom(
                                "a template needs at least one part, e.g. `{template: [\"base64:\", {ref: random_id.key.b64_std}]}`",
                            ));
                        }
                        ValueSpec::Template(parts)
                    }
                    "jsonencode" => ValueSpec::Json(Box::new(map.next_value()?)),
                    "base64encode" => ValueSpec::Base64(Box::new(map.next_value()?)),
                    "tostring" => ValueSpec::ToString(Box::new(map.next_value()?)),
                    "coalesce" | "if_set" => {
                        fallback_form(&form, map.next_value()?).map_err(A::Error::custom)?
                    }
                    "hcl" => ValueSpec::Hcl(map.next_value()?),
                    other => return Err(A::Error::unknown_variant(other, VALUE_FORMS)),
                };
                if map.next_key::<String>()?.is_some() {
                    return Err(A::Error::custom(format!(
                        "a reference or function has exactly one key: one of {}",
                        VALUE_FORMS.join(", ")
                    )));
                }
                Ok(value)
            }
        }

        deserializer.deserialize_any(ValueVisitor)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    Core,
    Cluster,
    Gpu,
    Edge,
    Aux,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NamespaceSpec {
    /// Namespace name; default the stack name.
    pub name: Option<String>,
    /// Pinned resource address (adoption); default the namespace name in snake case.
    pub address: Option<String>,
    /// The resource type, when the stack uses another version
    /// (`kubernetes_namespace_v1`); default `kubernetes_namespace`. Every reference to the
    /// namespace names it.
    pub resource_type: Option<String>,
    /// Labels after `tier` and the Keel enrolment label, in order.
    #[serde(default)]
    pub labels: OrderedMap<String>,
    /// The Keel enrolment label; default `keel`. `false` leaves it out while the
    /// Deployment's own Keel annotations (`keel_owns`, `keel_seeds`) keep Keel on.
    pub keel_enrolled: Option<bool>,
    /// `false`: the stack creates no namespace (it deploys into an existing one, named by
    /// `name`); objects name it as a literal.
    pub create: Option<bool>,
    /// A ResourceQuota of the namespace's own.
    pub quota: Option<QuotaSpec>,
    /// A LimitRange of the namespace's own.
    pub limit_range: Option<LimitRangeSpec>,
    /// The `ignore_changes` of the goldilocks label Kyverno stamps on every namespace;
    /// default on. `false` writes no `lifecycle` (a stack that lets the label drift).
    pub goldilocks_ignore: Option<bool>,
}

/// An ExternalSecret: the stack's own (`secrets:`), or another one (`external_secrets:`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretsSpec {
    /// Key under Vault's `secret/` mount whose every property becomes a key of the secret
    /// (`dataFrom.extract`); default the stack name when there is no `data` list.
    pub vault_key: Option<String>,
    /// Raw HCL inside the ExternalSecret's `kubernetes_manifest`.
    pub raw: Option<String>,
    /// The ExternalSecret's and its target secret's name; default the stack's secret
    /// (`secrets:`) or its database credentials (`database:`), named by the conventions.
    pub name: Option<String>,
    /// Pinned resource address; default the conventional addresses of the stack's secret
    /// and of its database credentials, or the name in snake case.
    pub address: Option<String>,
    /// The namespace the secret is created in; default the stack's.
    pub namespace: Option<String>,
    /// The ClusterSecretStore; default Vault's KV store (its database store with
    /// `database:`).
    pub store: Option<String>,
    /// `refreshInterval`; default the conventions' interval.
    pub refresh_interval: Option<String>,
    /// Keys read one by one (`data`), each renamed (`secretKey`) from a Vault path and
    /// property.
    #[serde(default)]
    pub data: Vec<SecretKeySpec>,
    /// Rotating database credentials from Vault's database store: the static credentials
    /// of the role (`postgres` or `mysql`), key `password`.
    pub database: Option<DbKind>,
    /// The database role (with `database:`); default the stack name.
    pub role: Option<String>,
    /// `target.template.data`, in order: keys built from the secret's values, e.g. a DSN
    /// `{template: ["postgresql://app:{{ .password }}@", {var: postgresql_host}, ":5432/app"]}`.
    #[serde(default)]
    pub template: OrderedMap<ValueSpec>,
    /// The reloader's match annotation on the target secret (pairs with reloader `search`
    /// on the Deployment).
    pub reloader_match: Option<bool>,
    /// `target.creationPolicy` (e.g. `Owner`).
    pub creation_policy: Option<String>,
    /// `target.template.engineVersion` (e.g. `v2`).
    pub engine_version: Option<String>,
    /// Whether it depends on the stack's namespace; default yes when it is created there.
    pub depends_on_namespace: Option<bool>,
    /// `field_manager { force_conflicts = true }`; default on (the conventions'). `false`
    /// writes no `field_manager` block.
    pub force_conflicts: Option<bool>,
    /// The stack's own secret: `true` writes its plan-time read
    /// (`data "kubernetes_secret"`) even when no `{eso: ...}` value reads it; default
    /// only when one does.
    pub read: Option<bool>,
    /// Whether the plan-time read `depends_on` the ExternalSecret; default yes.
    pub read_depends_on: Option<bool>,
    /// What the secret holds; written above it.
    pub comment: Option<String>,
}

/// Why a convention is switched off; becomes a `# dlgen:allow <rule> <why>` suppression
/// in the stack, so `dlgen lint` knows the break is deliberate.
pub type Why = Option<String>;

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContainerSpec {
    /// Container name; default the stack name for the first container.
    pub name: Option<String>,
    /// What the container is for; written above its block.
    pub comment: Option<String>,
    /// Image reference (`registry/repo:tag`), or a template of text and variables for
    /// an image tagged by a variable that is not the own image (`{template:
    /// [ghcr.io/owner/app-backend:, {var: image_tag}]}`, beside a frontend of the same tag).
    pub image: Option<ValueSpec>,
    /// The HTTP port the container listens on.
    pub port: Option<u16>,
    /// The port's name; default `http` (with protocol `TCP`). `null` writes the bare
    /// `container_port` only.
    #[serde(default, deserialize_with = "present")]
    pub port_name: Option<Option<String>>,
    /// The command (the image's entrypoint when absent): text, written as it is (an
    /// element with line breaks as a heredoc, a script), or a value form (`{var: ...}`,
    /// `{template: [...]}`, ...) for a script that reads the stack's variables or secrets.
    pub command: Option<Vec<ValueSpec>>,
    /// The command's arguments, as `command`.
    pub args: Option<Vec<ValueSpec>>,
    /// Environment variables, in order.
    #[serde(default)]
    pub env: Vec<EnvSpec>,
    /// Requests and limits; required for the Deployment's app container.
    pub resources: Option<ResourcesSpec>,
    /// Why the container sets no `resources` (the repo's rule is explicit resources; without
    /// them the namespace's LimitRange defaults apply). The Deployment's app container may
    /// leave `resources` out only with this reason, written as a comment above the
    /// container's name.
    pub resources_why: Why,
    /// Restarts the container when it fails.
    pub liveness_probe: Option<ProbeSpec>,
    /// Takes the pod out of its Service while it fails.
    pub readiness_probe: Option<ProbeSpec>,
    /// Holds the other probes back until it succeeds once.
    pub startup_probe: Option<ProbeSpec>,
    /// Raw HCL inside this container's block.
    pub raw: Option<String>,
    // --- pods and workloads (see `spec::pod`) ---
    /// `Always`, `IfNotPresent` or `Never`; not written when absent.
    pub image_pull_policy: Option<PullPolicy>,
    /// The working directory of the command.
    pub working_dir: Option<String>,
    /// Keep stdin open.
    pub stdin: Option<bool>,
    /// Allocate a terminal.
    pub tty: Option<bool>,
    /// Ports as written, any number (instead of `port` and `port_name`).
    #[serde(default)]
    pub ports: Vec<PortSpec>,
    /// Every key of a secret or config map as environment variables, in order.
    #[serde(default)]
    pub env_from: Vec<EnvFromSpec>,
    /// Volume mounts, after the volumes' own `mount` (the app container's), in order.
    #[serde(default)]
    pub mounts: Vec<MountSpec>,
    /// The container's security context.
    pub security_context: Option<ContainerSecuritySpec>,
    /// Commands run after start and before stop.
    pub lifecycle: Option<HooksSpec>,
    /// Keel updates this container's image (its `image` is in `ignore_changes`); default
    /// on with Keel. `false` needs `keel_why`.
    pub keel: Option<bool>,
    /// Why Keel must not update this container.
    pub keel_why: Why,
    /// The words after Keel's marker on this container's image entry in the Deployment's
    /// `ignore_changes` (one line); default the conventions' words.
    pub keel_comment: Option<String>,
}

/// A probe: an HTTP GET of `path` (the short form), a TCP connect (`tcp: true`) or a
/// command (`exec`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProbeSpec {
    /// HTTP path (`/alive`).
    pub path: Option<String>,
    /// Port, a number or a port name; default the container's port.
    pub port: Option<Scalar>,
    /// Seconds after the start before the first probe.
    pub initial_delay_seconds: Option<u32>,
    /// Seconds between probes.
    pub period_seconds: Option<u32>,
    /// Seconds a probe may take.
    pub timeout_seconds: Option<u32>,
    /// Failures in a row that count as failed.
    pub failure_threshold: Option<u32>,
    // --- pods and workloads (see `spec::pod`) ---
    /// Probe with a TCP connect to `port` instead of an HTTP GET.
    pub tcp: Option<bool>,
    /// Probe by running this command in the container.
    pub exec: Option<Vec<String>>,
    /// `success_threshold`, written when set.
    pub success_threshold: Option<u32>,
}

/// Reads a field that may be written as `null` on purpose: absent is `None`, `null` is
/// `Some(None)`.
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// One environment variable: exactly one of `value`, `secret` and `field_ref`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvSpec {
    /// The variable's name.
    pub name: Option<String>,
    /// A plain value, written as the YAML scalar was (string, number or boolean), or a
    /// reference (`{var: ...}`, `{vault: ...}`, `{eso: ...}`).
    pub value: Option<ValueSpec>,
    /// A key of the stack's ExternalSecret (`<stack>-secrets`), synced from Vault, read by
    /// the pod at run time.
    pub secret: Option<String>,
    /// Why a plaintext value whose name looks secret (`*PASS*`, `*TOKEN*`, ...) is not one.
    pub plain_why: Option<String>,
    /// Why this value; written above the `env` block.
    pub comment: Option<String>,
    // --- pods and workloads (see `spec::pod`) ---
    /// With `secret`: the secret the key is in, by name; default the stack's ExternalSecret
    /// target (`<stack>-secrets`).
    pub secret_name: Option<String>,
    /// With `secret`: the pod starts even when the key is missing.
    pub optional: Option<bool>,
    /// A field of the pod (`metadata.namespace`, `status.podIP`).
    pub field_ref: Option<String>,
}

/// A YAML scalar kept with its type, so `80` renders as a number and `"80"` as a string.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ScalarVisitor;

        impl serde::de::Visitor<'_> for ScalarVisitor {
            type Value = Scalar;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string, number or boolean")
            }

            fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar::Bool(v))
            }

            fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Int(v))
            }

            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Scalar, E> {
                i64::try_from(v)
                    .map(Scalar::Int)
                    .map_err(|_| E::custom(format_args!("{v} is too large for a number")))
            }

            fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar::Float(v))
            }

            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Str(v.to_owned()))
            }
        }

        deserializer.deserialize_any(ScalarVisitor)
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourcesSpec {
    /// CPU request (`25m`); there is never a CPU limit.
    pub cpu: Option<String>,
    /// Memory request and limit (`512Mi`): they are equal unless `memory_limit` says
    /// otherwise.
    pub memory: Option<String>,
    // --- pods and workloads (see `spec::pod`) ---
    /// A memory limit other than the request (`768Mi`); `null` writes none. Above the
    /// request outside the Burstable tiers (edge, aux) it needs `memory_limit_why`.
    #[serde(default, deserialize_with = "present")]
    pub memory_limit: Option<Option<String>>,
    /// Why the memory limit differs from the request outside the Burstable tiers.
    pub memory_limit_why: Why,
    /// A CPU limit (the cluster runs without them); needs `cpu_limit_why`.
    pub cpu_limit: Option<String>,
    /// Why this container has a CPU limit.
    pub cpu_limit_why: Why,
    /// More requests (`ephemeral-storage`), in order.
    #[serde(default)]
    pub requests: OrderedMap<String>,
    /// More limits (GPUs, `ephemeral-storage`), in order.
    #[serde(default)]
    pub limits: OrderedMap<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum Strategy {
    Recreate,
    RollingUpdate,
    /// No strategy `type` (Kubernetes then rolls): no `strategy` block, or, with
    /// `rolling_update`, a block of the limits alone.
    #[serde(rename = "none")]
    Unset,
}

/// A volume of the pod: storage of the stack (`storage`), or one of the other sources
/// (`empty_dir`, `config_map`, `secret`, `host_path`, `claim`); `mount` mounts it into the
/// app container.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VolumeSpec {
    /// Volume name in the pod (`data`, `sync-logs`).
    pub name: Option<String>,
    /// `proxmox-lvm-encrypted`, `proxmox-lvm` or `nfs`.
    pub storage: Option<Storage>,
    /// Requested size (`2Gi`); for NFS the module's `storage` argument (module default 10Gi).
    pub size: Option<String>,
    /// Block storage: the requested size from a shared variable (`var.<name>`, its
    /// default under `variables:`) instead of `size`.
    pub size_var: Option<String>,
    /// Autoresizer ceiling for block storage (`10Gi`).
    pub max_size: Option<String>,
    /// Block storage: the free space at which the autoresizer grows the volume (`20%` or a
    /// size); default `10%`.
    pub resize_threshold: Option<String>,
    /// Block storage: by how much the autoresizer grows it (`50%` or a size); default
    /// `100%`.
    pub resize_increase: Option<String>,
    /// NFS export path; default `/srv/nfs/<stack>/<volume>`.
    pub path: Option<String>,
    /// Mount path in the container.
    pub mount: Option<String>,
    /// With `mount`: mounted read-only.
    #[serde(default)]
    pub read_only: bool,
    /// What lives on the volume and why this storage; written above the volume resource
    /// (above the pod's `volume` block for a volume of the pod alone).
    pub comment: Option<String>,
    /// Pinned resource address (adoption); default the volume name in snake case (PVC) or
    /// `nfs_<name>` (NFS module).
    pub address: Option<String>,
    /// Block storage: the PVC's resource type, when the stack uses another version
    /// (`kubernetes_persistent_volume_claim_v1`); default
    /// `kubernetes_persistent_volume_claim`.
    pub resource_type: Option<String>,
    /// Block storage: leave out `wait_until_bound = false` (a convention break; needs
    /// `wait_until_bound_why`).
    pub wait_until_bound: Option<bool>,
    pub wait_until_bound_why: Why,
    /// Raw HCL inside the volume's PVC resource or NFS module call; for a volume of the
    /// pod without another source, the source itself as written inside the pod's `volume`
    /// block (a source the spec has no form for, e.g. `csi { … }`).
    pub raw: Option<String>,
    // --- pods and workloads (see `spec::pod`) ---
    /// With `mount`: the file or directory of the volume mounted there.
    pub sub_path: Option<String>,
    /// A scratch directory that lives as long as the pod.
    pub empty_dir: Option<EmptyDirSpec>,
    /// A config map's keys as files.
    pub config_map: Option<KeysVolumeSpec>,
    /// A secret's keys as files.
    pub secret: Option<KeysVolumeSpec>,
    /// A file or directory of the node.
    pub host_path: Option<HostPathSpec>,
    /// A claim by name: one the stack declares (a reference), or one that exists already.
    pub claim: Option<String>,
    /// An NFS export mounted directly (`server`, `path`), without the NFS module's claim.
    pub nfs: Option<NfsVolumeSpec>,
    /// The claim's own name: the PVC's `metadata.name` (default
    /// `<stack>-<volume>-encrypted` / `-proxmox`) or the NFS module's `name` (default
    /// `<stack>-<volume>`).
    pub claim_name: Option<String>,
    /// NFS: the server, a literal (`192.168.1.13`) or a variable (`{var: nfs_server}`, the
    /// default).
    pub server: Option<ValueSpec>,
    /// NFS: the module's `access_modes` (e.g. `[ReadWriteMany]`); default the module's.
    pub access_modes: Option<Vec<String>>,
    /// Block storage: `false` leaves out the autoresizer annotations and the requests
    /// `ignore_changes` (a convention break; needs `autoresize_why`).
    pub autoresize: Option<bool>,
    pub autoresize_why: Why,
    /// Block storage: the `ignore_changes` of the requests, which the autoresizer grows;
    /// default as `autoresize`. `false` with the autoresizer on is a convention break
    /// (needs `ignore_requests_why`): the next apply shrinks a grown volume back.
    pub ignore_requests: Option<bool>,
    pub ignore_requests_why: Why,
    /// NFS: `false` declares the volume for the stack's jobs only (they mount it with
    /// `claim: <claim_name>`), or for nothing the spec says: it is not a volume of the
    /// Deployment's pod, and has no `mount`. Default on.
    pub pod: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Storage {
    ProxmoxLvmEncrypted,
    ProxmoxLvm,
    Nfs,
}

/// The backup CronJob of a block-storage volume ("vaultwarden pattern").
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupSpec {
    /// `false` opts out of the backup CronJob; needs `why`.
    pub enabled: Option<bool>,
    /// Why there is no backup (with `enabled: false`).
    pub why: Why,
    /// The address of the stack's own backup CronJob (a `jobs:` entry or a block of raw
    /// HCL), e.g. `kubernetes_cron_job_v1.backup`: it backs the block storage up, so dlgen
    /// writes no backup CronJob and no suppression.
    pub job: Option<String>,
    /// `copy` (a file copy of the volume, default) or `sqlite` (an online SQLite backup with
    /// integrity checks before and after).
    pub kind: Option<BackupKind>,
    /// SQLite: the database file, relative to the volume (e.g. `db.sqlite3`).
    pub database: Option<String>,
    /// SQLite: files and directories copied next to the database when present.
    #[serde(default)]
    pub extra_files: Vec<String>,
    /// Cron schedule (5 fields).
    pub schedule: Option<String>,
    /// Why this schedule / how the job is placed; written above the CronJob.
    pub comment: Option<String>,
    /// Days of dated backup directories to keep; default 30.
    pub retention_days: Option<u32>,
    /// Default 300.
    pub starting_deadline_seconds: Option<u32>,
    /// Default 3.
    pub successful_jobs_history: Option<u32>,
    /// Pinned address of the CronJob (adoption); default `backup`.
    pub address: Option<String>,
    /// Pinned address of the NFS target module (adoption); default `nfs_backup`.
    pub target_address: Option<String>,
    /// NFS server of the target as a literal; default `var.nfs_server`.
    pub nfs_server: Option<String>,
    /// A separate CronJob that checks the SQLite database and pushes the result.
    pub integrity_check: Option<IntegrityCheckSpec>,
    /// Raw HCL inside the backup CronJob.
    pub raw: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum BackupKind {
    Copy,
    Sqlite,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IntegrityCheckSpec {
    /// Cron schedule (5 fields).
    pub schedule: Option<String>,
    /// Default 10.
    pub starting_deadline_seconds: Option<u32>,
    /// Default 3.
    pub successful_jobs_history: Option<u32>,
    /// Pinned address (adoption); default `integrity_check`.
    pub address: Option<String>,
    /// Why this schedule; written above the CronJob.
    pub comment: Option<String>,
    /// Raw HCL inside the integrity-check CronJob.
    pub raw: Option<String>,
}

/// An `ingress_factory` call: the main one (`ingress:`, module `ingress`) or another one
/// (`ingresses:`). Every module input can be set; what is left out is not written (the
/// module's default) unless the convention writes it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IngressSpec {
    /// The ingress name, and the host label when there is no `host` (`dronelog` →
    /// dronelog.viktorbarzin.me); default the stack name (`ingress:`) or
    /// `<main name>-<purpose>` (`ingresses:`).
    pub name: Option<String>,
    pub auth: Option<Auth>,
    /// Why this auth tier; mandatory for `app` and `none`.
    pub auth_why: Option<String>,
    /// `proxied` (default of `ingress:`), `non-proxied`, `internal`, `none`; `null` writes
    /// none (the module's `none`).
    #[serde(default, deserialize_with = "present")]
    pub dns_type: Option<Option<DnsType>>,
    pub homepage: Option<HomepageSpec>,
    /// What a secondary ingress is for: its module is `ingress_<purpose>`, its name
    /// `<main name>-<purpose>`.
    pub purpose: Option<String>,
    /// Pinned module address; default `ingress` / `ingress_<purpose>`.
    pub address: Option<String>,
    /// Written above the module call; default for `ingress:` the URL.
    pub comment: Option<String>,
    /// The host label when it differs from `name` (two ingresses on one host).
    pub host: Option<String>,
    /// The complete host name, instead of a label under the root domain.
    pub full_host: Option<String>,
    /// The domain under which the host label lives; default the module's.
    pub root_domain: Option<String>,
    /// `ingress_path`: the paths routed (default the module's `["/"]`).
    pub paths: Option<Vec<String>>,
    /// The Service the ingress routes to, by name; default the app's Service. Written as
    /// `service_name` when stated, else only when it differs from `name`.
    pub service: Option<String>,
    /// Write `service_name` as a reference to the stack's Service (always written), rather
    /// than as a literal written when it differs from `name`.
    pub service_ref: Option<bool>,
    /// The Service port; default the Service's first port, written when it is not the
    /// module's 80.
    pub port: Option<ValueSpec>,
    /// Authentik groups allowed through (`auth: required`); default the module's.
    pub allowed_groups: Option<Vec<String>>,
    /// Only the local networks may reach it.
    pub allow_local_access_only: Option<bool>,
    /// `ssl_redirect` (declared by the module, used by `.lan` ingresses).
    pub ssl_redirect: Option<bool>,
    /// The anti-AI middlewares; default the module's (on for `app` and `none`).
    pub anti_ai_scraping: Option<bool>,
    /// A Content-Security-Policy of its own instead of the default headers.
    pub custom_csp: Option<String>,
    /// More Traefik middlewares, appended to the chain: `<name>@kubernetescrd`, or
    /// `{middleware: <name>}` of a Middleware the spec declares.
    pub extra_middlewares: Option<Vec<MiddlewareRefSpec>>,
    /// Leaves out the default rate limit (with a limiter of its own in
    /// `extra_middlewares`).
    pub skip_default_rate_limit: Option<bool>,
    /// The largest request body (`500m`, `5g`).
    pub max_body_size: Option<String>,
    /// The external uptime monitor; default the module's (on for public DNS).
    pub external_monitor: Option<bool>,
    /// The external monitor's name.
    pub external_monitor_name: Option<String>,
    /// `homepage_enabled = false`: no homepage tile at all.
    pub homepage_enabled: Option<bool>,
    /// More ingress annotations, in order, after the homepage ones.
    #[serde(default)]
    pub extra_annotations: OrderedMap<ValueSpec>,
    /// Scale-to-zero through this ingress (`scale_to_zero: true` sets it on `ingress:`).
    pub sablier: Option<SablierSpec>,
    /// Anubis in front of this ingress.
    pub anubis: Option<AnubisSpec>,
    /// A path carve-out of the main ingress (`ingresses:` only): same host, the app's
    /// Service directly, `auth: none`, anti-AI and the external monitor off, no homepage
    /// tile, no DNS record. `paths` says which paths.
    pub carve_out: Option<bool>,
    /// A `.lan` local-only twin of the main ingress (`ingresses:` only): the local root
    /// domain, local access only, no SSL redirect, `auth: none`, no DNS record, the
    /// homepage tile hidden.
    pub lan: Option<bool>,
    /// `depends_on` of the module call: addresses of objects of this stack the ingress is
    /// created after (a Middleware it names, without which Traefik answers 404).
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// Raw HCL inside the module call (`raw.ingress` is the main ingress's too).
    pub raw: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Auth {
    Required,
    App,
    Public,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DnsType {
    Proxied,
    NonProxied,
    Internal,
    None,
}

/// The homepage tile (annotations of the ingress). With `name` it is a full tile: the
/// enabled flag, name, description, icon, group and pod selector. Without `name` only the
/// keys given are written (the module's defaults fill the rest). `enabled: false` hides
/// the tile with the enabled annotation alone.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HomepageSpec {
    /// `false` hides the tile (the homepage's `enabled` annotation set to `"false"`, no other
    /// key).
    pub enabled: Option<bool>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub icon: Option<String>,
    pub group: Option<String>,
    /// The pod selector of a full tile; default `""`.
    pub pod_selector: Option<String>,
    /// Widget settings, in order: one homepage widget annotation per key. Values may be references
    /// (credentials via `{eso: ...}`).
    #[serde(default)]
    pub widget: OrderedMap<ValueSpec>,
}
