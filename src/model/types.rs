//! The resolved stack: plain data the templates lay out.

use serde::{Serialize, Serializer};

/// A Terraform expression built by dlgen (a reference such as
/// `kubernetes_namespace.x.metadata[0].name`). It is the only kind of value that reaches a
/// stack without quoting; nothing from a spec is ever wrapped in it unvalidated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expr(pub String);

impl Serialize for Expr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        minijinja::Value::from_safe_string(self.0.clone()).serialize(serializer)
    }
}

/// An attribute or object-item value.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Expr(Expr),
}

impl Serialize for Val {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Val::Str(s) => serializer.serialize_str(s),
            Val::Int(n) => serializer.serialize_i64(*n),
            Val::Float(f) => serializer.serialize_f64(*f),
            Val::Bool(b) => serializer.serialize_bool(*b),
            Val::Expr(e) => e.serialize(serializer),
        }
    }
}

impl From<&str> for Val {
    fn from(s: &str) -> Self {
        Val::Str(s.to_owned())
    }
}

impl From<String> for Val {
    fn from(s: String) -> Self {
        Val::Str(s)
    }
}

impl From<Expr> for Val {
    fn from(e: Expr) -> Self {
        Val::Expr(e)
    }
}

/// One `key = value` item of a map, in output order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub key: String,
    pub value: Val,
}

pub(crate) fn entry(key: &str, value: impl Into<Val>) -> Entry {
    Entry {
        key: key.to_owned(),
        value: value.into(),
    }
}

/// One `ignore_changes` entry with its marker comment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ignore {
    pub path: Expr,
    pub comment: Option<String>,
}

pub(crate) fn ignore(path: &str, comment: Option<&str>) -> Ignore {
    Ignore {
        path: Expr(path.to_owned()),
        comment: comment.map(str::to_owned),
    }
}

/// A `# dlgen:allow <rule> <why>` suppression written above a resource: a convention the
/// spec switched off on purpose, with its reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Allow {
    pub rule: &'static str,
    pub why: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Stack {
    /// Stack directory name.
    pub name: String,
    pub variables: Vec<Variable>,
    pub vault_reads: Vec<VaultRead>,
    pub namespace: Namespace,
    pub external_secret: Option<ExternalSecret>,
    pub eso_data: Option<EsoData>,
    pub tls: TlsSecret,
    pub pvcs: Vec<Pvc>,
    pub nfs_volumes: Vec<NfsVolume>,
    pub deployment: Deployment,
    pub service: Option<Service>,
    pub ingress: Option<Ingress>,
    pub backup: Option<Backup>,
    pub moved: Vec<Moved>,
    /// Raw blocks appended to `main.tf`.
    pub raw: Option<String>,
    pub terragrunt: Terragrunt,
}

#[derive(Debug, Clone, Serialize)]
pub struct Variable {
    pub name: String,
    pub sensitive: bool,
}

/// `data "vault_kv_secret_v2" "<address>" { mount = "secret", name = "<path>" }`.
#[derive(Debug, Clone, Serialize)]
pub struct VaultRead {
    pub address: String,
    pub path: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Namespace {
    pub address: String,
    pub name: String,
    pub comment: Option<String>,
    pub labels: Vec<Entry>,
    pub raw: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExternalSecret {
    pub secret_name: String,
    pub namespace: String,
    pub vault_key: String,
    pub depends_on: Vec<Expr>,
}

/// The plan-time read of the stack's ExternalSecret: `data "kubernetes_secret"
/// "eso_secrets"` and one local per JSON key.
#[derive(Debug, Clone, Serialize)]
pub struct EsoData {
    pub secret_name: String,
    pub namespace: Expr,
    pub locals: Vec<EsoLocal>,
}

/// `<name> = jsondecode(data.kubernetes_secret.eso_secrets.data["<key>"])`.
#[derive(Debug, Clone, Serialize)]
pub struct EsoLocal {
    pub name: String,
    pub key: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TlsSecret {
    pub source: String,
    pub namespace: Expr,
}

#[derive(Debug, Clone, Serialize)]
pub struct Pvc {
    pub address: String,
    pub comment: Option<String>,
    pub allow: Vec<Allow>,
    pub wait_until_bound: bool,
    pub name: String,
    pub namespace: Expr,
    pub annotations: Vec<Entry>,
    pub storage_class: String,
    pub size: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NfsVolume {
    pub address: String,
    pub comment: Option<String>,
    pub source: String,
    pub name: String,
    pub namespace: Expr,
    pub nfs_server: Val,
    pub nfs_path: String,
    pub storage: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Deployment {
    pub address: String,
    pub name: String,
    pub namespace: Expr,
    pub labels: Vec<Entry>,
    pub annotations: Vec<Entry>,
    pub replicas: u32,
    pub strategy: Option<StrategyModel>,
    pub selector: Vec<Entry>,
    pub template_labels: Vec<Entry>,
    pub template_annotations: Vec<Entry>,
    pub containers: Vec<Container>,
    pub volumes: Vec<PodVolume>,
    pub dns_options: Vec<Entry>,
    pub ignore_changes: Vec<Ignore>,
    pub depends_on: Vec<Expr>,
    pub raw: Option<String>,
    pub raw_pod: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StrategyModel {
    pub kind: &'static str,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Container {
    pub name: String,
    pub image: String,
    pub command: Option<Vec<String>>,
    pub args: Option<Vec<String>>,
    pub env: Vec<Env>,
    pub mounts: Vec<Mount>,
    pub port: Option<Port>,
    pub cpu: Option<String>,
    pub memory: Option<String>,
    pub probes: Vec<Probe>,
    pub raw: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Port {
    pub number: u16,
    /// `http` (with protocol TCP), or none for a bare `container_port`.
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Probe {
    /// `liveness_probe`, `readiness_probe` or `startup_probe`.
    pub kind: &'static str,
    pub path: String,
    pub port: u16,
    /// The timing fields that are set, in the order the provider documents them.
    pub timings: Vec<Entry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Env {
    pub name: String,
    pub comment: Option<String>,
    pub value: Option<Val>,
    pub secret: Option<SecretRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SecretRef {
    pub name: String,
    pub key: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Mount {
    pub name: String,
    pub mount_path: String,
    pub read_only: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PodVolume {
    pub name: String,
    pub claim_name: Expr,
}

#[derive(Debug, Clone, Serialize)]
pub struct Service {
    pub address: String,
    pub name: String,
    pub namespace: Expr,
    pub app: String,
    pub port: String,
    pub port_name: Option<String>,
    pub protocol: Option<String>,
    pub target_port: Option<String>,
    pub raw: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Backup {
    pub comment: Option<String>,
    pub target: NfsVolume,
    pub job: CronJob,
    /// `copy` or `sqlite`: which script the job runs.
    pub kind: &'static str,
    pub retention_days: u32,
    pub pushgateway_job: String,
    /// SQLite: the database file under `/data`, and the files copied beside it.
    pub database: Option<String>,
    pub extra_files: Vec<String>,
    pub integrity_check: Option<IntegrityCheck>,
}

/// The shape shared by the backup and the integrity-check CronJobs.
#[derive(Debug, Clone, Serialize)]
pub struct CronJob {
    pub address: String,
    pub comment: Option<String>,
    pub name: String,
    pub namespace: Expr,
    pub schedule: String,
    pub starting_deadline_seconds: u32,
    pub successful_jobs_history_limit: u32,
    pub backoff_limit: u32,
    pub container: String,
    pub image: String,
    pub app: String,
    /// Required co-scheduling with the app pod (RWO volume), or preferred when the app is
    /// usually scaled to zero.
    pub affinity_preferred: bool,
    pub data_claim: Expr,
    /// The NFS target, for a job that writes backups.
    pub backup_claim: Option<Expr>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IntegrityCheck {
    pub job: CronJob,
    pub database: String,
    pub metric: String,
    pub pushgateway_job: String,
    pub instance: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Ingress {
    pub url: String,
    pub source: String,
    pub auth: &'static str,
    /// The text of the `auth = "<tier>": <why>` comment above the auth line (app / none).
    pub auth_comment: Option<String>,
    /// A trailing reason on the auth line (required / public).
    pub auth_trailing: Option<String>,
    pub dns_type: &'static str,
    pub namespace: Expr,
    pub name: String,
    pub service_name: Option<String>,
    pub sablier_group: Option<String>,
    pub extra_annotations: Vec<Entry>,
    pub raw: Option<String>,
}

/// `moved { from = <from> to = <to> }`.
#[derive(Debug, Clone, Serialize)]
pub struct Moved {
    pub from: Expr,
    pub to: Expr,
}

#[derive(Debug, Clone, Serialize)]
pub struct Terragrunt {
    pub dependency: String,
}
