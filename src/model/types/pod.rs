//! The workloads of a stack and the pod they run: Deployment, CronJob and Job, the pod
//! spec, its containers and volumes.
//!
//! Model snapshots show these structs with the fields the spec left empty (an absent
//! setting, an empty list) left out, so a snapshot reads like the stack it becomes.

use serde::Serialize;

use super::{Entry, Expr, Lifecycle, Metadata, Obj, Raw, Value};

/// Whether a field holds something a model snapshot shows.
pub(crate) trait Shown {
    fn shown(&self) -> bool;
}

impl<T> Shown for Option<T> {
    fn shown(&self) -> bool {
        self.is_some()
    }
}

impl<T> Shown for Vec<T> {
    fn shown(&self) -> bool {
        !self.is_empty()
    }
}

/// `Debug` for a struct: the fields of the first list always, then those of the second
/// list that are set (see [`Shown`]). Every field must be listed (the destructuring
/// pattern is exhaustive).
macro_rules! debug_set_fields {
    ($ty:ident { $($field:ident),* $(,)? } $(, if set { $($opt:ident),* $(,)? })?) => {
        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                let $ty { $($field,)* $($($opt,)*)? } = self;
                let mut d = f.debug_struct(stringify!($ty));
                $(d.field(stringify!($field), $field);)*
                $($(if Shown::shown($opt) {
                    d.field(stringify!($opt), $opt);
                })*)?
                d.finish()
            }
        }
    };
}

#[derive(Clone, Serialize)]
pub struct Deployment {
    pub metadata: Metadata,
    /// `wait_for_rollout`, when written.
    pub wait_for_rollout: Option<bool>,
    /// Why, written above `wait_for_rollout`.
    pub wait_for_rollout_comment: Option<String>,
    /// `replicas`, when written.
    pub replicas: Option<Value>,
    /// Why this number of pods, written above `replicas`.
    pub replicas_comment: Option<String>,
    pub revision_history_limit: Option<u32>,
    pub progress_deadline_seconds: Option<u32>,
    pub strategy: Option<Strategy>,
    pub selector: Obj,
    pub pod_labels: Obj,
    pub pod_annotations: Option<Obj>,
    pub pod: Pod,
    pub lifecycle: Option<Lifecycle>,
    pub depends_on: Vec<Expr>,
    /// Why a default `depends_on` entry is left out, written above the list.
    pub depends_on_comment: Option<String>,
}

debug_set_fields!(
    Deployment {
        metadata,
        strategy,
        selector,
        pod_labels,
        pod_annotations,
        pod,
        lifecycle,
        depends_on,
    },
    if set {
        wait_for_rollout,
        wait_for_rollout_comment,
        replicas,
        replicas_comment,
        revision_history_limit,
        progress_deadline_seconds,
        depends_on_comment,
    }
);

#[derive(Clone, Serialize)]
pub struct Strategy {
    /// `type`, when written (a block of only `rolling_update` leaves it to Kubernetes).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Why this strategy, written above the block.
    pub comment: Option<String>,
    /// The limits of a rolling update, when written.
    pub rolling_update: Option<RollingUpdate>,
}

debug_set_fields!(
    Strategy { kind, comment },
    if set {
        rolling_update
    }
);

/// `rolling_update { max_surge, max_unavailable }`: numbers or percentages, as written.
#[derive(Debug, Clone, Serialize)]
pub struct RollingUpdate {
    pub max_surge: Option<Value>,
    pub max_unavailable: Option<Value>,
}

/// A `kubernetes_cron_job_v1`: the schedule, and the job it starts.
#[derive(Clone, Serialize)]
pub struct CronJob {
    /// `count = var.<flag> ? 1 : 0`, when the job is created only with the flag.
    pub count: Option<Expr>,
    pub metadata: Metadata,
    pub concurrency_policy: Option<String>,
    pub failed_jobs_history_limit: Option<u32>,
    pub schedule: Value,
    pub starting_deadline_seconds: Option<u32>,
    pub successful_jobs_history_limit: Option<u32>,
    /// `suspend`, when written (`true`, `false`, `!var.<flag>`), with the reason written
    /// above it.
    pub suspend: Option<Expr>,
    pub suspend_comment: Option<String>,
    pub timezone: Option<String>,
    pub job: JobTemplate,
    pub lifecycle: Option<Lifecycle>,
    pub depends_on: Vec<Expr>,
    pub depends_on_comment: Option<String>,
}

debug_set_fields!(
    CronJob {
        metadata,
        concurrency_policy,
        failed_jobs_history_limit,
        schedule,
        starting_deadline_seconds,
        successful_jobs_history_limit,
        job,
        lifecycle,
    },
    if set {
        count,
        suspend,
        suspend_comment,
        timezone,
        depends_on,
        depends_on_comment,
    }
);

/// A one-shot `kubernetes_job`.
#[derive(Clone, Serialize)]
pub struct Job {
    /// `count = var.<flag> ? 1 : 0`, when the job is created only with the flag.
    pub count: Option<Expr>,
    pub metadata: Metadata,
    pub wait_for_completion: Option<bool>,
    pub job: JobTemplate,
    /// `timeouts { create, update, delete }`, the ones written.
    pub timeouts: Vec<Entry>,
    pub lifecycle: Option<Lifecycle>,
    pub depends_on: Vec<Expr>,
    pub depends_on_comment: Option<String>,
}

debug_set_fields!(
    Job {
        metadata,
        wait_for_completion,
        job,
        lifecycle,
    },
    if set {
        count,
        timeouts,
        depends_on,
        depends_on_comment,
    }
);

/// The spec of a job (a Job's `spec`, a CronJob's `job_template`): its settings and pod.
#[derive(Clone, Serialize)]
pub struct JobTemplate {
    /// A CronJob's `job_template.metadata.labels`.
    pub labels: Option<Obj>,
    pub active_deadline_seconds: Option<u32>,
    pub backoff_limit: Option<u32>,
    pub ttl_seconds_after_finished: Option<u32>,
    pub pod_labels: Option<Obj>,
    pub pod_annotations: Option<Obj>,
    pub pod: Pod,
}

debug_set_fields!(
    JobTemplate {
        backoff_limit,
        ttl_seconds_after_finished,
        pod,
    },
    if set {
        labels,
        active_deadline_seconds,
        pod_labels,
        pod_annotations,
    }
);

/// A pod spec: what every workload kind runs.
#[derive(Clone, Serialize)]
pub struct Pod {
    /// A reference when the stack declares the service account, its name otherwise.
    pub service_account_name: Option<Value>,
    pub automount_service_account_token: Option<bool>,
    pub enable_service_links: Option<bool>,
    pub restart_policy: Option<String>,
    pub priority_class_name: Option<String>,
    pub termination_grace_period_seconds: Option<u32>,
    pub dns_policy: Option<String>,
    pub node_selector: Option<Obj>,
    pub security_context: Option<PodSecurityContext>,
    pub image_pull_secrets: Vec<String>,
    /// Why these pull secrets, written above them.
    pub image_pull_secrets_comment: Option<String>,
    pub affinity: Option<Affinity>,
    pub tolerations: Vec<Toleration>,
    pub topology_spread: Vec<TopologySpread>,
    pub init_containers: Vec<Container>,
    pub containers: Vec<Container>,
    /// The name of the app container (what a Service targets and a probe defaults to),
    /// when the pod has one.
    pub app_container: Option<String>,
    pub volumes: Vec<Volume>,
    pub dns_config: Option<DnsConfig>,
    /// Raw HCL inside the pod spec, after what dlgen generates.
    pub raw: Option<Raw>,
}

debug_set_fields!(
    Pod {
        affinity,
        init_containers,
        containers,
        app_container,
        volumes,
        dns_config,
        raw,
    },
    if set {
        service_account_name,
        automount_service_account_token,
        enable_service_links,
        restart_policy,
        priority_class_name,
        termination_grace_period_seconds,
        dns_policy,
        node_selector,
        security_context,
        image_pull_secrets,
        image_pull_secrets_comment,
        tolerations,
        topology_spread,
    }
);

impl Pod {
    /// A pod of these containers, with nothing else set.
    pub(crate) fn of(containers: Vec<Container>) -> Pod {
        Pod {
            service_account_name: None,
            automount_service_account_token: None,
            enable_service_links: None,
            restart_policy: None,
            priority_class_name: None,
            termination_grace_period_seconds: None,
            dns_policy: None,
            node_selector: None,
            security_context: None,
            image_pull_secrets: Vec::new(),
            image_pull_secrets_comment: None,
            affinity: None,
            tolerations: Vec::new(),
            topology_spread: Vec::new(),
            init_containers: Vec::new(),
            app_container: containers.first().map(|c| c.name.clone()),
            containers,
            volumes: Vec::new(),
            dns_config: None,
            raw: None,
        }
    }

    /// The app container, when the pod has one.
    pub fn app(&self) -> Option<&Container> {
        let name = self.app_container.as_ref()?;
        self.containers.iter().find(|c| &c.name == name)
    }
}

/// The pod's `affinity` block.
#[derive(Clone, Serialize)]
pub struct Affinity {
    pub node_affinity: Option<NodeAffinity>,
    pub pod_affinity: Option<PodAffinityTerm>,
    pub pod_anti_affinity: Option<PodAffinityTerm>,
}

debug_set_fields!(
    Affinity {},
    if set {
        node_affinity,
        pod_affinity,
        pod_anti_affinity,
    }
);

/// A pod (anti-)affinity to the pods carrying `match_labels`: required, or preferred with
/// a weight.
#[derive(Debug, Clone, Serialize)]
pub struct PodAffinityTerm {
    pub preferred_weight: Option<u32>,
    pub match_labels: Obj,
    pub topology_key: String,
}

/// Node affinity: the expressions of the required term, and the preferred terms.
#[derive(Debug, Clone, Serialize)]
pub struct NodeAffinity {
    pub required: Vec<NodeExpression>,
    pub preferred: Vec<NodePreference>,
}

/// One `match_expressions` block.
#[derive(Debug, Clone, Serialize)]
pub struct NodeExpression {
    pub key: String,
    pub operator: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NodePreference {
    pub weight: u32,
    pub expressions: Vec<NodeExpression>,
}

/// A `toleration` block, with the fields that are written.
#[derive(Clone, Serialize)]
pub struct Toleration {
    /// Why, written above the toleration.
    pub comment: Option<String>,
    pub key: Option<String>,
    pub operator: Option<String>,
    pub value: Option<String>,
    pub effect: Option<String>,
    pub toleration_seconds: Option<u32>,
}

debug_set_fields!(
    Toleration {},
    if set {
        comment,
        key,
        operator,
        value,
        effect,
        toleration_seconds,
    }
);

/// A `topology_spread_constraint` over the pods carrying `match_labels`.
#[derive(Debug, Clone, Serialize)]
pub struct TopologySpread {
    pub max_skew: u32,
    pub topology_key: String,
    pub when_unsatisfiable: String,
    pub match_labels: Obj,
}

/// The pod's `security_context`, with the fields that are written.
#[derive(Clone, Serialize)]
pub struct PodSecurityContext {
    pub run_as_user: Option<i64>,
    pub run_as_group: Option<i64>,
    pub run_as_non_root: Option<bool>,
    pub fs_group: Option<i64>,
    pub fs_group_change_policy: Option<String>,
    pub seccomp_profile: Option<String>,
    /// `sysctl { name, value }` blocks, in order.
    pub sysctls: Vec<Entry>,
}

debug_set_fields!(
    PodSecurityContext {},
    if set {
        run_as_user,
        run_as_group,
        run_as_non_root,
        fs_group,
        fs_group_change_policy,
        seccomp_profile,
        sysctls,
    }
);

#[derive(Clone, Serialize)]
pub struct Container {
    pub name: String,
    /// What the container is for, written above its block.
    pub comment: Option<String>,
    /// A literal reference, or the stack's own image (`local.image`).
    pub image: Value,
    pub image_pull_policy: Option<String>,
    pub command: Option<Value>,
    pub args: Option<Value>,
    pub working_dir: Option<String>,
    pub stdin: Option<bool>,
    pub tty: Option<bool>,
    pub env: Vec<Env>,
    pub env_from: Vec<EnvFrom>,
    pub mounts: Vec<Mount>,
    pub ports: Vec<Port>,
    pub resources: Option<Resources>,
    /// Why the container sets no `resources`, written above its name.
    pub resources_comment: Option<String>,
    pub probes: Vec<Probe>,
    pub security_context: Option<ContainerSecurityContext>,
    /// `lifecycle { post_start, pre_stop }` hooks, when written.
    pub lifecycle: Option<Hooks>,
    /// Keel rolls this container's image forward: its `image` is in `ignore_changes`.
    pub keel_image: bool,
    /// The words after Keel's marker on that entry; none: the conventions' words.
    pub keel_comment: Option<String>,
    pub raw: Option<Raw>,
}

debug_set_fields!(
    Container {
        name,
        image,
        command,
        args,
        env,
        mounts,
        ports,
        resources,
        probes,
        keel_image,
        raw,
    },
    if set {
        image_pull_policy,
        working_dir,
        stdin,
        tty,
        env_from,
        security_context,
        lifecycle,
        resources_comment,
        comment,
        keel_comment,
    }
);

impl Container {
    /// A container of `image` with nothing else set.
    pub(crate) fn new(name: String, image: Value) -> Container {
        Container {
            name,
            comment: None,
            image,
            image_pull_policy: None,
            command: None,
            args: None,
            working_dir: None,
            stdin: None,
            tty: None,
            env: Vec::new(),
            env_from: Vec::new(),
            mounts: Vec::new(),
            ports: Vec::new(),
            resources: None,
            resources_comment: None,
            probes: Vec::new(),
            security_context: None,
            lifecycle: None,
            keel_image: false,
            keel_comment: None,
            raw: None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Port {
    pub name: Option<String>,
    pub container_port: u16,
    pub protocol: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Resources {
    pub requests: Option<Obj>,
    pub limits: Option<Obj>,
}

#[derive(Clone, Serialize)]
pub struct Probe {
    /// `liveness_probe`, `readiness_probe` or `startup_probe`.
    pub kind: &'static str,
    pub action: ProbeAction,
    /// The timing fields that are set, in the order the provider documents them.
    pub timings: Vec<Entry>,
}

/// Shown with the action under its block name (`http_get: HttpGet { .. }`).
impl std::fmt::Debug for Probe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("Probe");
        d.field("kind", &self.kind);
        match &self.action {
            ProbeAction::HttpGet(h) => d.field("http_get", h),
            ProbeAction::TcpSocket { port } => d.field("tcp_socket", port),
            ProbeAction::Exec { command } => d.field("exec", command),
        };
        d.field("timings", &self.timings).finish()
    }
}

/// What a probe does.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ProbeAction {
    HttpGet(HttpGet),
    /// A TCP connect to a port (a number or a port name).
    TcpSocket {
        port: Value,
    },
    /// A command run in the container.
    Exec {
        command: Value,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct HttpGet {
    pub path: String,
    pub port: Value,
}

/// The container's `security_context`, with the fields that are written.
#[derive(Clone, Serialize)]
pub struct ContainerSecurityContext {
    pub run_as_user: Option<i64>,
    pub run_as_group: Option<i64>,
    pub run_as_non_root: Option<bool>,
    pub privileged: Option<bool>,
    pub allow_privilege_escalation: Option<bool>,
    pub read_only_root_filesystem: Option<bool>,
    pub capabilities: Option<Capabilities>,
    pub seccomp_profile: Option<String>,
}

debug_set_fields!(
    ContainerSecurityContext {},
    if set {
        run_as_user,
        run_as_group,
        run_as_non_root,
        privileged,
        allow_privilege_escalation,
        read_only_root_filesystem,
        capabilities,
        seccomp_profile,
    }
);

#[derive(Debug, Clone, Serialize)]
pub struct Capabilities {
    pub add: Vec<String>,
    pub drop: Vec<String>,
}

/// A container's lifecycle hooks: the commands of `post_start` and `pre_stop`.
#[derive(Debug, Clone, Serialize)]
pub struct Hooks {
    pub post_start: Option<Value>,
    pub pre_stop: Option<Value>,
}

#[derive(Clone, Serialize)]
pub struct Env {
    pub name: String,
    pub comment: Option<String>,
    pub value: Option<Value>,
    pub secret: Option<SecretKeyRef>,
    /// `value_from { field_ref { field_path } }`.
    pub field_ref: Option<String>,
}

debug_set_fields!(
    Env {
        name,
        comment,
        value,
        secret
    },
    if set {
        field_ref
    }
);

#[derive(Clone, Serialize)]
pub struct SecretKeyRef {
    /// A reference when the stack declares the secret, its name otherwise.
    pub name: Value,
    pub key: String,
    pub optional: Option<bool>,
}

debug_set_fields!(
    SecretKeyRef { name, key },
    if set {
        optional
    }
);

/// `env_from { secret_ref | config_map_ref { name, optional } }`.
#[derive(Debug, Clone, Serialize)]
pub struct EnvFrom {
    /// `secret_ref` or `config_map_ref`.
    pub kind: &'static str,
    /// A reference when the stack declares the object, its name otherwise.
    pub name: Value,
    pub optional: Option<bool>,
}

#[derive(Clone, Serialize)]
pub struct Mount {
    pub name: String,
    pub mount_path: String,
    pub sub_path: Option<String>,
    pub read_only: bool,
}

debug_set_fields!(
    Mount {
        name,
        mount_path,
        read_only
    },
    if set {
        sub_path
    }
);

#[derive(Clone, Serialize)]
pub struct Volume {
    pub name: String,
    pub source: VolumeSource,
    /// Written above the `volume` block (a volume of the pod alone; a storage volume's
    /// comment is above its PVC or NFS module call).
    pub comment: Option<String>,
}

debug_set_fields!(
    Volume { name, source },
    if set {
        comment
    }
);

/// Where a pod volume comes from.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum VolumeSource {
    /// A claim: a PVC of the stack (a reference), or one named.
    Pvc {
        claim_name: Value,
    },
    /// The claim of an `nfs_volume` module call.
    NfsModule {
        claim_name: Expr,
    },
    ConfigMap {
        /// A reference when the stack declares the config map, its name otherwise.
        name: Value,
        default_mode: Option<String>,
        optional: Option<bool>,
        items: Vec<KeyPath>,
    },
    Secret {
        /// A reference when the stack declares the secret, its name otherwise.
        secret_name: Value,
        default_mode: Option<String>,
        optional: Option<bool>,
        items: Vec<KeyPath>,
    },
    EmptyDir {
        medium: Option<String>,
        size_limit: Option<String>,
    },
    HostPath {
        path: String,
        kind: Option<String>,
    },
    /// An NFS export, mounted without a claim.
    Nfs {
        server: Value,
        path: String,
        read_only: Option<bool>,
    },
    /// A source the spec has no form for, as raw HCL inside the `volume` block (`None` in
    /// the stack without raw HCL).
    Raw {
        raw: Option<Raw>,
    },
}

/// One `items { key, path, mode }` block of a config map or secret volume.
#[derive(Debug, Clone, Serialize)]
pub struct KeyPath {
    pub key: String,
    pub path: String,
    pub mode: Option<String>,
}

#[derive(Clone, Serialize)]
pub struct DnsConfig {
    pub nameservers: Vec<String>,
    pub searches: Vec<String>,
    pub options: Vec<Entry>,
}

debug_set_fields!(DnsConfig { options }, if set { nameservers, searches });
