//! The model: a validated, fully resolved stack.
//!
//! Every default of the spec, every name, resource address, reference expression, volume,
//! lifecycle entry and comment is decided here, so templates only lay the model out.
//! Values are plain data: strings reach the templates unescaped and become HCL literals
//! there (see `render`); only [`Expr`] values — references dlgen builds itself — pass through
//! as raw HCL.

use serde::{Serialize, Serializer};

use crate::hcl;
use crate::spec::{self, Auth, DnsType, Scalar, Spec, Storage, Strategy, Tier};
use crate::validate;

/// The domain under which ingress host labels live.
pub const DOMAIN: &str = "viktorbarzin.me";
/// Where the repo's shared modules live, relative to a stack directory.
pub const MODULES: &str = "../../modules/kubernetes";

/// A problem found while resolving a spec: the YAML path of the offending node, what is
/// wrong, and what would be valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub message: String,
    pub help: Option<String>,
}

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

fn entry(key: &str, value: impl Into<Val>) -> Entry {
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

fn ignore(path: &str, comment: Option<&str>) -> Ignore {
    Ignore {
        path: Expr(path.to_owned()),
        comment: comment.map(str::to_owned),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Stack {
    /// Stack directory name.
    pub name: String,
    pub variables: Vec<Variable>,
    pub namespace: Namespace,
    pub external_secret: Option<ExternalSecret>,
    pub tls: TlsSecret,
    pub pvcs: Vec<Pvc>,
    pub nfs_volumes: Vec<NfsVolume>,
    pub deployment: Deployment,
    pub service: Option<Service>,
    pub backup: Option<Backup>,
    pub ingress: Option<Ingress>,
    pub terragrunt: Terragrunt,
}

#[derive(Debug, Clone, Serialize)]
pub struct Variable {
    pub name: String,
    pub sensitive: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Namespace {
    pub address: String,
    pub name: String,
    pub comment: Option<String>,
    pub labels: Vec<Entry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExternalSecret {
    pub secret_name: String,
    pub namespace: String,
    pub vault_key: String,
    pub depends_on: Vec<Expr>,
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
    pub nfs_server: Expr,
    pub nfs_path: String,
    pub storage: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Deployment {
    pub address: String,
    pub name: String,
    pub namespace: Expr,
    pub labels: Vec<Entry>,
    pub replicas: u32,
    pub strategy: Option<StrategyModel>,
    pub selector: Vec<Entry>,
    pub template_labels: Vec<Entry>,
    pub containers: Vec<Container>,
    pub volumes: Vec<PodVolume>,
    pub ignore_changes: Vec<Ignore>,
    pub depends_on: Vec<Expr>,
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
    pub env: Vec<Env>,
    pub mounts: Vec<Mount>,
    pub port: Option<u16>,
    pub cpu: Option<String>,
    pub memory: Option<String>,
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
    pub target_port: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Backup {
    pub comment: Option<String>,
    pub target: NfsVolume,
    pub address: String,
    pub name: String,
    pub namespace: Expr,
    pub schedule: String,
    pub starting_deadline_seconds: u32,
    pub successful_jobs_history_limit: u32,
    pub app: String,
    /// Required co-scheduling with the app pod (RWO volume), or preferred when the app is
    /// usually scaled to zero.
    pub affinity_preferred: bool,
    pub image: String,
    pub retention_days: u32,
    pub pushgateway_job: String,
    pub data_claim: Expr,
    pub backup_claim: Expr,
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
}

#[derive(Debug, Clone, Serialize)]
pub struct Terragrunt {
    pub dependency: String,
}

fn tier_name(tier: Tier) -> &'static str {
    match tier {
        Tier::Core => "core",
        Tier::Cluster => "cluster",
        Tier::Gpu => "gpu",
        Tier::Edge => "edge",
        Tier::Aux => "aux",
    }
}

fn auth_name(auth: Auth) -> &'static str {
    match auth {
        Auth::Required => "required",
        Auth::App => "app",
        Auth::Public => "public",
        Auth::None => "none",
    }
}

fn dns_type_name(dns: DnsType) -> &'static str {
    match dns {
        DnsType::Proxied => "proxied",
        DnsType::NonProxied => "non-proxied",
        DnsType::Internal => "internal",
        DnsType::None => "none",
    }
}

/// Collects problems while resolving.
#[derive(Default)]
struct Problems(Vec<Problem>);

impl Problems {
    fn add(&mut self, path: impl Into<String>, message: impl Into<String>, help: Option<String>) {
        self.0.push(Problem {
            path: path.into(),
            message: message.into(),
            help,
        });
    }

    /// Runs a value check and records its failure as "invalid <what> `value`", with the
    /// reason and what would be valid as help.
    fn check(&mut self, path: &str, what: &str, value: &str, result: Result<(), String>) {
        if let Err(why) = result {
            self.invalid(path, what, value, &why);
        }
    }

    fn invalid(&mut self, path: &str, what: &str, value: &str, why: &str) {
        self.add(
            path,
            format!("invalid {what} `{value}`"),
            Some(format!("`{value}` {why}")),
        );
    }

    fn missing(&mut self, path: &str, what: &str) {
        self.add(
            path,
            format!("missing required field `{}`", last_segment(path)),
            Some(what.to_owned()),
        );
    }
}

fn last_segment(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// A block-storage volume resolved from the spec.
struct BlockVolume {
    name: String,
    claim: Expr,
}

/// Resolves a spec into a stack, or returns every problem found.
pub fn build(spec: &Spec) -> Result<Stack, Vec<Problem>> {
    let mut p = Problems::default();

    // --- identity -------------------------------------------------------------------
    let name = match &spec.name {
        Some(n) => {
            p.check("name", "stack name", n, validate::dns_label(n));
            n.clone()
        }
        None => {
            p.missing(
                "name",
                "the stack name, e.g. `name: drone-logbook` (a DNS-1123 label)",
            );
            String::from("stack")
        }
    };
    let snake = hcl::snake(&name);
    let tier = tier_name(spec.tier.unwrap_or(Tier::Aux));
    let tier_expr = Expr(format!("local.tiers.{tier}"));
    let keel = spec.keel.unwrap_or(true);
    let scale_to_zero = spec.scale_to_zero.unwrap_or(false);
    let dependency = match &spec.dependency {
        Some(d) => {
            p.check("dependency", "dependency", d, validate::dns_label(d));
            d.clone()
        }
        None => "platform".to_owned(),
    };

    // --- namespace ------------------------------------------------------------------
    let ns_name = match spec.namespace.as_ref().and_then(|n| n.name.as_ref()) {
        Some(n) => {
            p.check("namespace.name", "namespace", n, validate::dns_label(n));
            n.clone()
        }
        None => name.clone(),
    };
    let ns_address = hcl::snake(&ns_name);
    let ns_ref = Expr(format!(
        "kubernetes_namespace.{ns_address}.metadata[0].name"
    ));
    let mut ns_labels = vec![entry("tier", tier_expr.clone())];
    if keel {
        ns_labels.push(entry("keel.sh/enrolled", "true"));
    }
    let namespace = Namespace {
        address: ns_address.clone(),
        name: ns_name.clone(),
        comment: spec.comment.clone(),
        labels: ns_labels,
    };

    // --- secrets --------------------------------------------------------------------
    let secret_name = format!("{name}-secrets");
    let uses_secrets = spec
        .containers
        .iter()
        .any(|c| c.env.iter().any(|e| e.secret.is_some()));
    let external_secret = if uses_secrets || spec.secrets.is_some() {
        let vault_key = match spec.secrets.as_ref().and_then(|s| s.vault_key.as_ref()) {
            Some(k) => {
                p.check("secrets.vault_key", "Vault key", k, validate::vault_key(k));
                k.clone()
            }
            None => name.clone(),
        };
        Some(ExternalSecret {
            secret_name: secret_name.clone(),
            namespace: ns_name.clone(),
            vault_key,
            depends_on: vec![Expr(format!("kubernetes_namespace.{ns_address}"))],
        })
    } else {
        None
    };

    // --- volumes --------------------------------------------------------------------
    let mut pvcs = Vec::new();
    let mut nfs_volumes = Vec::new();
    let mut pod_volumes = Vec::new();
    let mut mounts = Vec::new();
    let mut block_volumes: Vec<BlockVolume> = Vec::new();
    let mut seen_volumes: Vec<&str> = Vec::new();
    let mut seen_mounts: Vec<&str> = Vec::new();
    for (i, v) in spec.volumes.iter().enumerate() {
        let at = |field: &str| format!("volumes[{i}].{field}");
        let vname = match &v.name {
            Some(n) => {
                p.check(&at("name"), "volume name", n, validate::dns_label(n));
                if seen_volumes.contains(&n.as_str()) {
                    p.add(
                        at("name"),
                        format!("duplicate volume name `{n}`"),
                        Some("every volume needs its own name".to_owned()),
                    );
                }
                seen_volumes.push(n);
                n.clone()
            }
            None => {
                p.missing(
                    &at("name"),
                    "the volume's name in the pod, e.g. `name: data`",
                );
                format!("volume{i}")
            }
        };
        let comment = v.comment.clone();
        if let Some(m) = &v.mount {
            p.check(&at("mount"), "mount path", m, validate::absolute_path(m));
            if seen_mounts.contains(&m.as_str()) {
                p.add(
                    at("mount"),
                    format!("mount path `{m}` is used by two volumes"),
                    Some("every volume needs its own mount path".to_owned()),
                );
            }
            seen_mounts.push(m);
            mounts.push(Mount {
                name: vname.clone(),
                mount_path: m.clone(),
                read_only: v.read_only,
            });
        }
        let size = v.size.as_ref().map(|s| {
            let q = validate::quantity(s);
            if let Err(why) = &q {
                p.invalid(&at("size"), "size", s, why);
            }
            (s.clone(), q.ok())
        });
        let Some(storage) = v.storage else {
            p.missing(
                &at("storage"),
                "one of `proxmox-lvm-encrypted` (sensitive data), `proxmox-lvm`, `nfs`",
            );
            continue;
        };
        match storage {
            Storage::ProxmoxLvmEncrypted | Storage::ProxmoxLvm => {
                let (class, suffix) = if storage == Storage::ProxmoxLvm {
                    ("proxmox-lvm", "proxmox")
                } else {
                    ("proxmox-lvm-encrypted", "encrypted")
                };
                if v.path.is_some() {
                    p.add(
                        at("path"),
                        "`path` applies to NFS volumes only",
                        Some(format!(
                            "remove it, or use `storage: nfs`; a `{class}` volume is a PVC"
                        )),
                    );
                }
                let (size, size_q) =
                    size.unwrap_or_else(|| ("1Gi".to_owned(), validate::quantity("1Gi").ok()));
                let max = match &v.max_size {
                    Some(m) => match validate::quantity(m) {
                        Ok(max_q) => {
                            if size_q.is_some_and(|s| max_q < s) {
                                p.add(at("max_size"), format!("autoresize ceiling `{m}` is below the requested size `{size}`"), Some("the ceiling must be at least the size".to_owned()));
                            }
                            m.clone()
                        }
                        Err(why) => {
                            p.invalid(&at("max_size"), "max_size", m, &why);
                            m.clone()
                        }
                    },
                    None => "5Gi".to_owned(),
                };
                let address = hcl::snake(&vname);
                let claim = Expr(format!(
                    "kubernetes_persistent_volume_claim.{address}.metadata[0].name"
                ));
                pvcs.push(Pvc {
                    address,
                    comment,
                    name: format!("{name}-{vname}-{suffix}"),
                    namespace: ns_ref.clone(),
                    annotations: vec![
                        entry("resize.topolvm.io/threshold", "10%"),
                        entry("resize.topolvm.io/increase", "100%"),
                        entry("resize.topolvm.io/storage_limit", max),
                    ],
                    storage_class: class.to_owned(),
                    size,
                });
                pod_volumes.push(PodVolume {
                    name: vname.clone(),
                    claim_name: claim.clone(),
                });
                block_volumes.push(BlockVolume { name: vname, claim });
            }
            Storage::Nfs => {
                if v.max_size.is_some() {
                    p.add(
                        at("max_size"),
                        "`max_size` applies to block storage only",
                        Some("NFS volumes do not autoresize; remove it".to_owned()),
                    );
                }
                let path = match &v.path {
                    Some(path) => {
                        p.check(&at("path"), "NFS path", path, validate::absolute_path(path));
                        if !(path.starts_with("/srv/nfs/") || path.starts_with("/srv/nfs-ssd/")) {
                            p.add(at("path"), format!("NFS path `{path}` is outside the exports"), Some("the NFS server exports /srv/nfs/ (HDD) and /srv/nfs-ssd/ (SSD)".to_owned()));
                        }
                        path.clone()
                    }
                    None => format!("/srv/nfs/{name}/{vname}"),
                };
                let address = format!("nfs_{}", hcl::snake(&vname));
                pod_volumes.push(PodVolume {
                    name: vname.clone(),
                    claim_name: Expr(format!("module.{address}.claim_name")),
                });
                nfs_volumes.push(NfsVolume {
                    address,
                    comment,
                    source: format!("{MODULES}/nfs_volume"),
                    name: format!("{name}-{vname}"),
                    namespace: ns_ref.clone(),
                    nfs_server: Expr("var.nfs_server".to_owned()),
                    nfs_path: path,
                    storage: size.map(|(s, _)| s),
                });
            }
        }
    }

    // --- containers -----------------------------------------------------------------
    if spec.containers.is_empty() {
        p.missing("containers", "the app container, e.g. `containers: [{image: ghcr.io/owner/app:latest, port: 80, resources: {cpu: 25m, memory: 256Mi}}]`");
    }
    let mut containers = Vec::new();
    let mut seen_containers: Vec<String> = Vec::new();
    for (ci, c) in spec.containers.iter().enumerate() {
        let at = |field: &str| format!("containers[{ci}].{field}");
        let cname = match &c.name {
            Some(n) => {
                p.check(&at("name"), "container name", n, validate::dns_label(n));
                n.clone()
            }
            None if ci == 0 => name.clone(),
            None => {
                p.missing(&at("name"), "a name for every container after the first");
                format!("container{ci}")
            }
        };
        if seen_containers.contains(&cname) {
            p.add(
                at("name"),
                format!("duplicate container name `{cname}`"),
                None,
            );
        }
        seen_containers.push(cname.clone());
        let image = match &c.image {
            Some(img) => {
                p.check(&at("image"), "image", img, validate::image(img));
                img.clone()
            }
            None => {
                p.missing(
                    &at("image"),
                    "the image reference, e.g. `image: ghcr.io/owner/app:latest`",
                );
                String::new()
            }
        };
        if c.port == Some(0) {
            p.add(
                at("port"),
                "port 0 is not a valid container port",
                Some("use a port from 1 to 65535".to_owned()),
            );
        }
        let mut env = Vec::new();
        let mut seen_env: Vec<&str> = Vec::new();
        for (ei, e) in c.env.iter().enumerate() {
            let eat = |field: &str| format!("containers[{ci}].env[{ei}].{field}");
            let ename = match &e.name {
                Some(n) => {
                    p.check(
                        &eat("name"),
                        "environment variable",
                        n,
                        validate::env_name(n),
                    );
                    if seen_env.contains(&n.as_str()) {
                        p.add(
                            eat("name"),
                            format!("duplicate environment variable `{n}`"),
                            Some("each variable may be set once per container".to_owned()),
                        );
                    }
                    seen_env.push(n);
                    n.clone()
                }
                None => {
                    p.missing(&eat("name"), "the variable's name");
                    String::new()
                }
            };
            let (value, secret) = match (&e.value, &e.secret) {
                (Some(_), Some(_)) => {
                    p.add(format!("containers[{ci}].env[{ei}]"), format!("`{ename}` has both `value` and `secret`"), Some("keep one: `value` for a plain value, `secret` for a key of the stack's ExternalSecret".to_owned()));
                    (None, None)
                }
                (None, None) => {
                    p.add(format!("containers[{ci}].env[{ei}]"), format!("`{ename}` has neither `value` nor `secret`"), Some("add `value: ...`, or `secret: <key>` to read it from Vault through the stack's ExternalSecret".to_owned()));
                    (None, None)
                }
                (Some(v), None) => {
                    if validate::looks_secret(&ename) {
                        p.add(eat("value"), format!("`{ename}` looks like a secret but has a plaintext value"), Some(format!("store it in Vault at secret/{name} and write `secret: <key>` instead of `value:`; a stack never carries secret values")));
                    }
                    let val = match v {
                        Scalar::Str(s) => Val::Str(s.clone()),
                        Scalar::Int(n) => Val::Int(*n),
                        Scalar::Float(f) => Val::Float(*f),
                        Scalar::Bool(b) => Val::Bool(*b),
                    };
                    (Some(val), None)
                }
                (None, Some(key)) => {
                    p.check(&eat("secret"), "secret key", key, validate::secret_key(key));
                    (
                        None,
                        Some(SecretRef {
                            name: secret_name.clone(),
                            key: key.clone(),
                        }),
                    )
                }
            };
            env.push(Env {
                name: ename,
                comment: e.comment.clone(),
                value,
                secret,
            });
        }
        let (cpu, memory) = match &c.resources {
            Some(r) => {
                for (field, v) in [("cpu", &r.cpu), ("memory", &r.memory)] {
                    if let Some(v) = v
                        && let Err(why) = validate::quantity(v)
                    {
                        p.invalid(&at(&format!("resources.{field}")), field, v, &why);
                    }
                }
                (r.cpu.clone(), r.memory.clone())
            }
            None if ci == 0 => {
                p.missing(&at("resources"), "explicit resources, e.g. `resources: {cpu: 25m, memory: 256Mi}` (cpu request only; memory request = limit)");
                (None, None)
            }
            None => (None, None),
        };
        containers.push(Container {
            name: cname,
            image,
            env,
            mounts: if ci == 0 {
                std::mem::take(&mut mounts)
            } else {
                Vec::new()
            },
            port: c.port,
            cpu,
            memory,
        });
    }
    let app_port = containers.first().and_then(|c| c.port);

    // --- deployment -----------------------------------------------------------------
    let strategy = match (spec.strategy, block_volumes.is_empty()) {
        (Some(Strategy::RollingUpdate), false) => {
            p.add("strategy", "a Deployment with a block-storage volume must use `Recreate`", Some("proxmox-lvm volumes are ReadWriteOnce: a rolling update would start a second pod that cannot mount it".to_owned()));
            None
        }
        (Some(Strategy::RollingUpdate), true) | (None, true) => None,
        (Some(Strategy::Recreate), _) | (None, false) => Some(StrategyModel {
            kind: "Recreate",
            comment: spec.strategy_why.clone(),
        }),
    };
    if strategy.is_none()
        && spec.strategy_why.is_some()
        && spec.strategy != Some(Strategy::RollingUpdate)
    {
        p.add(
            "strategy_why",
            "`strategy_why` explains a strategy, but none is set",
            Some("add `strategy: Recreate` or remove `strategy_why`".to_owned()),
        );
    }
    let mut labels = vec![
        entry("app", name.as_str()),
        entry("kubernetes.io/cluster-service", "true"),
        entry("tier", tier_expr.clone()),
    ];
    if scale_to_zero {
        labels.push(entry("sablier.enable", "true"));
        labels.push(entry("sablier.group", name.as_str()));
        labels.push(entry("sablier.ready-after", "5s"));
    }
    let mut ignore_changes = vec![ignore(
        "spec[0].template[0].spec[0].dns_config",
        Some("KYVERNO_LIFECYCLE_V1"),
    )];
    if keel {
        ignore_changes.extend([
            ignore("metadata[0].annotations[\"keel.sh/policy\"]", None),
            ignore("metadata[0].annotations[\"keel.sh/trigger\"]", None),
            ignore(
                "metadata[0].annotations[\"keel.sh/pollSchedule\"]",
                Some("KYVERNO_LIFECYCLE_V2"),
            ),
            ignore("metadata[0].annotations[\"keel.sh/match-tag\"]", None),
            ignore(
                "spec[0].template[0].spec[0].container[0].image",
                Some("KEEL_IGNORE_IMAGE — Keel manages tag updates"),
            ),
        ]);
    }
    ignore_changes.extend([
        ignore(
            "metadata[0].annotations[\"kubernetes.io/change-cause\"]",
            None,
        ),
        ignore(
            "metadata[0].annotations[\"deployment.kubernetes.io/revision\"]",
            None,
        ),
    ]);
    if keel {
        ignore_changes.push(ignore(
            "spec[0].template[0].metadata[0].annotations[\"keel.sh/update-time\"]",
            Some("KEEL_LIFECYCLE_V1"),
        ));
    }
    if scale_to_zero {
        ignore_changes.push(ignore(
            "spec[0].replicas",
            Some("SABLIER_MANAGED_REPLICAS — sablier scales 0<->1 (ADR-0022)"),
        ));
    }
    let deployment = Deployment {
        address: snake.clone(),
        name: name.clone(),
        namespace: ns_ref.clone(),
        labels,
        replicas: 1,
        strategy,
        selector: vec![entry("app", name.as_str())],
        template_labels: vec![
            entry("app", name.as_str()),
            entry("kubernetes.io/cluster-service", "true"),
        ],
        containers,
        volumes: pod_volumes,
        ignore_changes,
        depends_on: if external_secret.is_some() {
            vec![Expr("kubernetes_manifest.external_secret".to_owned())]
        } else {
            Vec::new()
        },
    };

    // --- service --------------------------------------------------------------------
    let service = match (app_port, &spec.service) {
        (Some(port), svc) => {
            let svc_port = svc.as_ref().and_then(|s| s.port).unwrap_or(80);
            if svc_port == 0 {
                p.add(
                    "service.port",
                    "port 0 is not a valid service port",
                    Some("use a port from 1 to 65535".to_owned()),
                );
            }
            Some(Service {
                address: snake.clone(),
                name: name.clone(),
                namespace: ns_ref.clone(),
                app: name.clone(),
                port: svc_port.to_string(),
                target_port: port.to_string(),
            })
        }
        (None, Some(_)) => {
            p.add(
                "service",
                "a service needs the app container's `port`",
                Some("add `port:` to containers[0]".to_owned()),
            );
            None
        }
        (None, None) => None,
    };

    // --- backup ---------------------------------------------------------------------
    let backup = build_backup(spec, &mut p, &name, &ns_ref, &block_volumes, scale_to_zero);

    // --- ingress --------------------------------------------------------------------
    let ingress = spec.ingress.as_ref().map(|ing| {
        let host = match &ing.name {
            Some(h) => {
                p.check("ingress.name", "host label", h, validate::dns_label(h));
                h.clone()
            }
            None => name.clone(),
        };
        if service.is_none() {
            p.add("ingress", "an ingress needs a service, and a service needs the app container's `port`", Some("add `port:` to containers[0]".to_owned()));
        }
        let auth = ing.auth.unwrap_or(Auth::Required);
        let why = ing.auth_why.as_deref().map(hcl::one_line).filter(|w| !w.is_empty());
        let (auth_comment, auth_trailing) = match auth {
            Auth::App | Auth::None => {
                let tier = auth_name(auth);
                match &why {
                    Some(w) => (Some(format!("auth = \"{tier}\": {w}")), None),
                    None => {
                        let gate = if auth == Auth::App {
                            "what gates the app (its own login, API tokens, ...)"
                        } else {
                            "why the endpoint is intentionally public"
                        };
                        p.add("ingress.auth_why", format!("`auth: {tier}` needs a written reason"), Some(format!("add `auth_why:` saying {gate}; the repo refuses to plan a stack whose auth = \"{tier}\" line has no reason comment")));
                        (None, None)
                    }
                }
            }
            Auth::Required | Auth::Public => (None, why),
        };
        let mut extra_annotations = Vec::new();
        if let Some(hp) = &ing.homepage {
            extra_annotations.push(entry("gethomepage.dev/enabled", "true"));
            for (field, key, value) in [
                ("name", "gethomepage.dev/name", &hp.name),
                ("description", "gethomepage.dev/description", &hp.description),
                ("icon", "gethomepage.dev/icon", &hp.icon),
                ("group", "gethomepage.dev/group", &hp.group),
            ] {
                match value {
                    Some(v) => extra_annotations.push(entry(key, v.as_str())),
                    None => p.missing(&format!("ingress.homepage.{field}"), "the homepage tile's name, description, icon and group"),
                }
            }
            extra_annotations.push(entry("gethomepage.dev/pod-selector", ""));
        }
        Ingress {
            url: format!("https://{host}.{DOMAIN}"),
            source: format!("{MODULES}/ingress_factory"),
            auth: auth_name(auth),
            auth_comment,
            auth_trailing,
            dns_type: dns_type_name(ing.dns_type.unwrap_or(DnsType::Proxied)),
            namespace: ns_ref.clone(),
            service_name: (host != name).then(|| name.clone()),
            name: host,
            sablier_group: scale_to_zero.then(|| name.clone()),
            extra_annotations,
        }
    });
    if scale_to_zero && ingress.is_none() {
        p.add(
            "scale_to_zero",
            "scale-to-zero needs an ingress",
            Some("sablier wakes the app through its ingress; add an `ingress:` section".to_owned()),
        );
    }

    // --- variables ------------------------------------------------------------------
    let mut variables = vec![Variable {
        name: "tls_secret_name".to_owned(),
        sensitive: true,
    }];
    if !nfs_volumes.is_empty() || backup.is_some() {
        variables.push(Variable {
            name: "nfs_server".to_owned(),
            sensitive: false,
        });
    }

    if !p.0.is_empty() {
        return Err(p.0);
    }
    Ok(Stack {
        name,
        variables,
        namespace,
        external_secret,
        tls: TlsSecret {
            source: format!("{MODULES}/setup_tls_secret"),
            namespace: ns_ref,
        },
        pvcs,
        nfs_volumes,
        deployment,
        service,
        backup,
        ingress,
        terragrunt: Terragrunt { dependency },
    })
}

fn build_backup(
    spec: &Spec,
    p: &mut Problems,
    name: &str,
    ns_ref: &Expr,
    block_volumes: &[BlockVolume],
    scale_to_zero: bool,
) -> Option<Backup> {
    let default = spec::BackupSpec::default();
    let b = spec.backup.as_ref().unwrap_or(&default);
    let volume = match block_volumes {
        [] => {
            if spec.backup.is_some() {
                p.add(
                    "backup",
                    "a backup CronJob copies a block-storage volume, and this stack has none",
                    Some("remove `backup:`; NFS volumes are backed up on the NFS host".to_owned()),
                );
            }
            return None;
        }
        [one] => one,
        [first, ..] => {
            p.add(
                "volumes",
                format!(
                    "the backup CronJob copies one block-storage volume, but {} are declared",
                    block_volumes.len()
                ),
                Some(format!(
                    "keep one block-storage volume (now `{}` is backed up)",
                    first.name
                )),
            );
            first
        }
    };
    let schedule = match &b.schedule {
        Some(s) => {
            p.check("backup.schedule", "schedule", s, validate::cron_schedule(s));
            s.clone()
        }
        None => {
            p.missing("backup.schedule", "when the backup runs, e.g. `schedule: \"30 1 * * *\"` (pick a quiet time for the app)");
            String::new()
        }
    };
    let retention_days = b.retention_days.unwrap_or(30);
    if retention_days == 0 {
        p.add(
            "backup.retention_days",
            "retention of 0 days would delete every backup as it is made",
            Some("use at least 1 day".to_owned()),
        );
    }
    let target_address = "nfs_backup".to_owned();
    Some(Backup {
        comment: b.comment.clone(),
        target: NfsVolume {
            address: target_address.clone(),
            comment: None,
            source: format!("{MODULES}/nfs_volume"),
            name: format!("{name}-backup-host"),
            namespace: ns_ref.clone(),
            nfs_server: Expr("var.nfs_server".to_owned()),
            nfs_path: format!("/srv/nfs/{name}-backup"),
            storage: None,
        },
        address: "backup".to_owned(),
        name: format!("{name}-backup"),
        namespace: ns_ref.clone(),
        schedule,
        starting_deadline_seconds: b.starting_deadline_seconds.unwrap_or(300),
        successful_jobs_history_limit: b.successful_jobs_history.unwrap_or(3),
        app: name.to_owned(),
        affinity_preferred: scale_to_zero,
        image: "docker.io/library/alpine".to_owned(),
        retention_days,
        pushgateway_job: format!("{name}-backup"),
        data_claim: volume.claim.clone(),
        backup_claim: Expr(format!("module.{target_address}.claim_name")),
    })
}
