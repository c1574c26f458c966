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

use serde::Deserialize;

/// A whole spec file.
#[derive(Debug, Clone, Default, Deserialize)]
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
    pub namespace: Option<NamespaceSpec>,
    pub secrets: Option<SecretsSpec>,
    /// The pod's containers; the first one is the app.
    #[serde(default)]
    pub containers: Vec<ContainerSpec>,
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    Core,
    Cluster,
    Gpu,
    Edge,
    Aux,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamespaceSpec {
    /// Namespace name; default the stack name.
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretsSpec {
    /// Key under Vault's `secret/` mount; default the stack name.
    pub vault_key: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContainerSpec {
    /// Container name; default the stack name for the first container.
    pub name: Option<String>,
    /// Image reference (`registry/repo:tag`).
    pub image: Option<String>,
    /// The HTTP port the container listens on.
    pub port: Option<u16>,
    #[serde(default)]
    pub env: Vec<EnvSpec>,
    pub resources: Option<ResourcesSpec>,
}

/// One environment variable: exactly one of `value` and `secret`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvSpec {
    pub name: Option<String>,
    /// A plain value, written as the YAML scalar was (string, number or boolean).
    pub value: Option<Scalar>,
    /// A key of the stack's ExternalSecret (`<stack>-secrets`), synced from Vault.
    pub secret: Option<String>,
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

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourcesSpec {
    /// CPU request (`25m`); there is never a CPU limit.
    pub cpu: Option<String>,
    /// Memory request and limit (`512Mi`): they are always equal.
    pub memory: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Strategy {
    Recreate,
    RollingUpdate,
}

/// A volume mounted into the first container.
#[derive(Debug, Clone, Default, Deserialize)]
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Storage {
    ProxmoxLvmEncrypted,
    ProxmoxLvm,
    Nfs,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    /// Service port; default 80.
    pub port: Option<u16>,
}

/// The backup CronJob of a block-storage volume ("vaultwarden pattern").
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupSpec {
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
}

#[derive(Debug, Clone, Default, Deserialize)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Auth {
    Required,
    App,
    Public,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DnsType {
    Proxied,
    NonProxied,
    Internal,
    None,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HomepageSpec {
    pub name: Option<String>,
    pub description: Option<String>,
    pub icon: Option<String>,
    pub group: Option<String>,
}
