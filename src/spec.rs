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
use serde::Deserialize;

/// A whole spec file.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Stack name: directory under the stacks root, namespace, `app` label, secret and
    /// Vault key defaults. DNS-1123 label.
    pub name: Option<String>,
    /// What the stack is, written as the comment above the namespace.
    pub comment: Option<String>,
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
}

/// Adoption of an existing, hand-written stack: `moved` blocks so that `terraform plan`
/// shows moves, not destroy-and-create.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdoptSpec {
    /// The resources live inside `module.<name>` today: one `moved` block per generated
    /// resource and module, `from = module.<name>.<address>`.
    pub from_module: Option<String>,
    /// Renames: `moved { from = <from>, to = <to> }`; `to` must be a generated address.
    #[serde(default)]
    pub moved: Vec<MovedSpec>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MovedSpec {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Raw HCL attached to generated resources (inside their body, after the generated
/// attributes and blocks) or to the stack (whole extra blocks at the end of `main.tf`).
/// Each snippet must parse on its own as an HCL body.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSpec {
    pub namespace: Option<String>,
    pub deployment: Option<String>,
    /// Inside the first container block (the same as `containers[0].raw`).
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

/// Deployment-level settings.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeploymentSpec {
    /// Pinned resource address (adoption); default the stack name in snake case.
    pub address: Option<String>,
    /// Annotations on the Deployment, in order.
    #[serde(default)]
    pub annotations: OrderedMap<String>,
    /// Annotations on the pod template, in order.
    #[serde(default)]
    pub pod_annotations: OrderedMap<String>,
    /// The `"kubernetes.io/cluster-service" = "true"` labels; default on.
    pub cluster_service_label: Option<bool>,
    /// Pod DNS options written into the pod's `dns_config` (e.g. `ndots: "2"`).
    #[serde(default)]
    pub dns_options: OrderedMap<String>,
}

/// A YAML mapping read with its key order kept (for labels and annotations, whose order
/// the generated file follows).
#[derive(Debug, Clone, PartialEq)]
pub struct OrderedMap<V>(pub Vec<(String, V)>);

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
/// value: {eso: {key: creds, path: [app, user]}} # plan-time read of the ExternalSecret
/// value: {ref: random_password.key.result}      # an attribute of an object of this stack
/// value: {template: ["base64:", {ref: random_id.key.b64_std}]}  # text and references
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum ValueSpec {
    Scalar(Scalar),
    /// A shared Terraform variable (`mail_host`, `postgresql_host`, ...).
    Var(String),
    /// `data "vault_kv_secret_v2"` of `secret/<path>`, key `<key>`.
    Vault(VaultRef),
    /// `data "kubernetes_secret" "eso_secrets"` of the stack's ExternalSecret, key `<key>`;
    /// with a `path`, the key holds JSON and the value is `local.<key>[path...]`.
    Eso(EsoRef),
    /// An attribute of another object this stack generates, e.g.
    /// `random_password.secret_key.result` or `kubernetes_service.app.metadata[0].name`:
    /// checked against the stack's own objects, never free HCL.
    Ref(String),
    /// A string built from parts: plain text (scalars, written as they are) and
    /// references (`{var}`, `{vault}`, `{eso}`, `{ref}`), interpolated in order.
    Template(Vec<ValueSpec>),
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VaultRef {
    pub path: Option<String>,
    pub key: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EsoRef {
    pub key: Option<String>,
    #[serde(default)]
    pub path: Vec<String>,
}

/// The keys of a value that is a mapping, in the order the schema lists them.
pub(crate) const VALUE_FORMS: &[&str] = &["var", "vault", "eso", "ref", "template"];

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
                    "template" => ValueSpec::Template(map.next_value()?),
                    other => return Err(A::Error::unknown_variant(other, VALUE_FORMS)),
                };
                if map.next_key::<String>()?.is_some() {
                    return Err(A::Error::custom(
                        "a reference has exactly one key: `var`, `vault`, `eso`, `ref` or `template`",
                    ));
                }
                Ok(value)
            }
        }

        deserializer.deserialize_any(ValueVisitor)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    Core,
    Cluster,
    Gpu,
    Edge,
    Aux,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NamespaceSpec {
    /// Namespace name; default the stack name.
    pub name: Option<String>,
    /// Pinned resource address (adoption); default the namespace name in snake case.
    pub address: Option<String>,
    /// Labels after `tier` and the Keel enrolment label, in order.
    #[serde(default)]
    pub labels: OrderedMap<String>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretsSpec {
    /// Key under Vault's `secret/` mount; default the stack name.
    pub vault_key: Option<String>,
    /// Raw HCL inside the ExternalSecret's `kubernetes_manifest`.
    pub raw: Option<String>,
}

/// Why a convention is switched off; becomes a `# dlgen:allow <rule> <why>` suppression
/// in the stack, so `dlgen lint` knows the break is deliberate.
pub type Why = Option<String>;

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContainerSpec {
    /// Container name; default the stack name for the first container.
    pub name: Option<String>,
    /// Image reference (`registry/repo:tag`).
    pub image: Option<String>,
    /// The HTTP port the container listens on.
    pub port: Option<u16>,
    /// The port's name; default `http` (with protocol `TCP`). `null` writes the bare
    /// `container_port` only.
    #[serde(default, deserialize_with = "present")]
    pub port_name: Option<Option<String>>,
    pub command: Option<Vec<String>>,
    pub args: Option<Vec<String>>,
    #[serde(default)]
    pub env: Vec<EnvSpec>,
    pub resources: Option<ResourcesSpec>,
    pub liveness_probe: Option<ProbeSpec>,
    pub readiness_probe: Option<ProbeSpec>,
    pub startup_probe: Option<ProbeSpec>,
    /// Raw HCL inside this container's block.
    pub raw: Option<String>,
}

/// An HTTP probe.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProbeSpec {
    /// HTTP path (`/alive`).
    pub path: Option<String>,
    /// Port; default the container's port.
    pub port: Option<u16>,
    pub initial_delay_seconds: Option<u32>,
    pub period_seconds: Option<u32>,
    pub timeout_seconds: Option<u32>,
    pub failure_threshold: Option<u32>,
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

/// One environment variable: exactly one of `value` and `secret`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvSpec {
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

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourcesSpec {
    /// CPU request (`25m`); there is never a CPU limit.
    pub cpu: Option<String>,
    /// Memory request and limit (`512Mi`): they are always equal.
    pub memory: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum Strategy {
    Recreate,
    RollingUpdate,
}

/// A volume mounted into the first container.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VolumeSpec {
    /// Volume name in the pod (`data`, `sync-logs`).
    pub name: Option<String>,
    /// `proxmox-lvm-encrypted`, `proxmox-lvm` or `nfs`.
    pub storage: Option<Storage>,
    /// Requested size (`2Gi`); for NFS the module's `storage` argument (module default 10Gi).
    pub size: Option<String>,
    /// Autoresizer ceiling for block storage (`10Gi`).
    pub max_size: Option<String>,
    /// NFS export path; default `/srv/nfs/<stack>/<volume>`.
    pub path: Option<String>,
    /// Mount path in the container.
    pub mount: Option<String>,
    #[serde(default)]
    pub read_only: bool,
    /// What lives on the volume and why this storage; written above the volume resource.
    pub comment: Option<String>,
    /// Pinned resource address (adoption); default the volume name in snake case (PVC) or
    /// `nfs_<name>` (NFS module).
    pub address: Option<String>,
    /// Block storage: leave out `wait_until_bound = false` (a convention break; needs
    /// `wait_until_bound_why`).
    pub wait_until_bound: Option<bool>,
    pub wait_until_bound_why: Why,
    /// Raw HCL inside the volume's PVC resource or NFS module call.
    pub raw: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Storage {
    ProxmoxLvmEncrypted,
    ProxmoxLvm,
    Nfs,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    /// Service port; default 80.
    pub port: Option<u16>,
    /// Port name (e.g. `http`); default none.
    pub port_name: Option<String>,
    /// Port protocol (e.g. `TCP`); default none (Kubernetes uses TCP).
    pub protocol: Option<String>,
    /// Target port; default the container's port. `null` leaves it out (Kubernetes then
    /// uses `port`).
    #[serde(default, deserialize_with = "present")]
    pub target_port: Option<Option<u16>>,
}

/// The backup CronJob of a block-storage volume ("vaultwarden pattern").
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupSpec {
    /// `false` opts out of the backup CronJob; needs `why`.
    pub enabled: Option<bool>,
    /// Why there is no backup (with `enabled: false`).
    pub why: Why,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum BackupKind {
    Copy,
    Sqlite,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
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

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IngressSpec {
    /// Host label (`dronelog` → dronelog.viktorbarzin.me); default the stack name.
    pub name: Option<String>,
    pub auth: Option<Auth>,
    /// Why this auth tier; mandatory for `app` and `none`.
    pub auth_why: Option<String>,
    pub dns_type: Option<DnsType>,
    pub homepage: Option<HomepageSpec>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Auth {
    Required,
    App,
    Public,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DnsType {
    Proxied,
    NonProxied,
    Internal,
    None,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HomepageSpec {
    pub name: Option<String>,
    pub description: Option<String>,
    pub icon: Option<String>,
    pub group: Option<String>,
    /// Widget settings, in order: one homepage widget annotation per key. Values may be references
    /// (credentials via `{eso: ...}`).
    #[serde(default)]
    pub widget: OrderedMap<ValueSpec>,
}
