//! The spec of pods and workloads: what a container, a pod, the Deployment and the stack's
//! jobs can say beyond the short form. Short where the repo's convention holds (`port:
//! 8080`, `resources: {cpu, memory}`, a volume's `mount`), general where it does not (any
//! number of containers and ports, every probe kind, every volume source, every pod and
//! workload setting the repo's stacks write).
//!
//! The pod settings are the same for the Deployment and every job: [`with_pod_settings`]
//! adds them to both spec structs, so they read `deployment.security_context` and
//! `jobs[i].security_context`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ContainerSpec, OrderedMap, Scalar, ValueSpec, VolumeSpec, Why, present};

/// Declares a spec struct whose own fields are followed by the settings of the pod it runs
/// (identical for the Deployment and every job), and [`PodSettings`], a view of them.
macro_rules! with_pod_settings {
    (
        $(#[$attr:meta])*
        pub struct $name:ident {
            $($(#[$fattr:meta])* pub $field:ident: $ty:ty,)*
        }
    ) => {
        $(#[$attr])*
        pub struct $name {
            $($(#[$fattr])* pub $field: $ty,)*
            /// The container that is the app (what the Service targets, what the volumes'
            /// short `mount`s and the GPU preset go to), by name; default the first container.
            pub app_container: Option<String>,
            /// The service account the pod runs as (by name; a reference when the stack
            /// declares a service account of that name).
            pub service_account_name: Option<String>,
            /// `automount_service_account_token`, written when set.
            pub automount_service_account_token: Option<bool>,
            /// `enable_service_links`, written when set.
            pub enable_service_links: Option<bool>,
            /// The pod's priority class (`gpu-workload`, `tier-1-cluster`, ...).
            pub priority_class_name: Option<String>,
            /// Seconds the pod gets to stop before it is killed.
            pub termination_grace_period_seconds: Option<u32>,
            /// `dns_policy` (`ClusterFirst`, `Default`, `None`, `ClusterFirstWithHostNet`).
            pub dns_policy: Option<DnsPolicy>,
            /// Name servers of the pod's `dns_config` (with `dns_policy: None`).
            #[serde(default)]
            pub dns_nameservers: Vec<String>,
            /// Search domains of the pod's `dns_config`.
            #[serde(default)]
            pub dns_searches: Vec<String>,
            /// Node labels the pod must be scheduled on, in order.
            #[serde(default)]
            pub node_selector: OrderedMap<String>,
            /// Taints the pod tolerates, in order.
            #[serde(default)]
            pub tolerations: Vec<TolerationSpec>,
            /// Schedule next to the app's pods (the app label, per node): `required`, or
            /// `{preferred: <weight>}`.
            pub pod_affinity: Option<AffinityRule>,
            /// Keep the app's pods on different nodes (the app label, per node):
            /// `required`, or `{preferred: <weight>}`.
            pub anti_affinity: Option<AffinityRule>,
            /// Node affinity: required and preferred node-label expressions.
            pub node_affinity: Option<NodeAffinitySpec>,
            /// Topology spread constraints over the app label.
            #[serde(default)]
            pub topology_spread: Vec<TopologySpreadSpec>,
            /// The pod's security context.
            pub security_context: Option<PodSecuritySpec>,
            /// Pull secrets by name (`registry-credentials`, `ghcr-credentials`), in order.
            #[serde(default)]
            pub image_pull_secrets: Vec<String>,
            /// Why the pod pulls with these secrets; written above them.
            pub image_pull_secrets_why: Option<String>,
            /// The GPU preset: the GPU node selector and toleration, the GPU tier (unless
            /// `tier` says otherwise) and the GPU limits of the app container.
            pub gpu: Option<GpuSpec>,
        }

        impl $name {
            /// The pod settings, as one view.
            pub fn pod_settings(&self) -> PodSettings<'_> {
                PodSettings {
                    app_container: &self.app_container,
                    service_account_name: &self.service_account_name,
                    automount_service_account_token: self.automount_service_account_token,
                    enable_service_links: self.enable_service_links,
                    priority_class_name: &self.priority_class_name,
                    termination_grace_period_seconds: self.termination_grace_period_seconds,
                    dns_policy: self.dns_policy,
                    dns_nameservers: &self.dns_nameservers,
                    dns_searches: &self.dns_searches,
                    node_selector: &self.node_selector,
                    tolerations: &self.tolerations,
                    pod_affinity: &self.pod_affinity,
                    anti_affinity: &self.anti_affinity,
                    node_affinity: &self.node_affinity,
                    topology_spread: &self.topology_spread,
                    security_context: &self.security_context,
                    image_pull_secrets: &self.image_pull_secrets,
                    image_pull_secrets_why: &self.image_pull_secrets_why,
                    gpu: &self.gpu,
                }
            }
        }
    };
}

pub(crate) use with_pod_settings;

/// The pod settings of a Deployment or a job (see [`with_pod_settings`]).
#[derive(Debug, Clone, Copy)]
pub struct PodSettings<'a> {
    pub app_container: &'a Option<String>,
    pub service_account_name: &'a Option<String>,
    pub automount_service_account_token: Option<bool>,
    pub enable_service_links: Option<bool>,
    pub priority_class_name: &'a Option<String>,
    pub termination_grace_period_seconds: Option<u32>,
    pub dns_policy: Option<DnsPolicy>,
    pub dns_nameservers: &'a [String],
    pub dns_searches: &'a [String],
    pub node_selector: &'a OrderedMap<String>,
    pub tolerations: &'a [TolerationSpec],
    pub pod_affinity: &'a Option<AffinityRule>,
    pub anti_affinity: &'a Option<AffinityRule>,
    pub node_affinity: &'a Option<NodeAffinitySpec>,
    pub topology_spread: &'a [TopologySpreadSpec],
    pub security_context: &'a Option<PodSecuritySpec>,
    pub image_pull_secrets: &'a [String],
    pub image_pull_secrets_why: &'a Option<String>,
    pub gpu: &'a Option<GpuSpec>,
}

/// The stack's own image, tagged by a variable that CI sets (the in-house family):
/// the tag variable with its default and description, and a local. Containers
/// without an `image` run it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OwnImageSpec {
    /// The repository without a tag (`ghcr.io/viktorbarzin/ledger-sync`).
    pub repository: Option<String>,
    /// The variable's default tag; default `latest`.
    pub tag: Option<String>,
    /// The variable's description; default the repo's wording for the stack. `''`
    /// declares none.
    pub description: Option<String>,
    /// The variable holding the tag (what CI sets); default `image_tag`.
    pub variable: Option<String>,
}

impl OwnImageSpec {
    /// The variable holding the tag: `variable`, or the conventions' `image_tag`.
    pub fn variable(&self) -> &str {
        self.variable
            .as_deref()
            .unwrap_or(crate::conventions::own_image::VARIABLE)
    }
}

/// `image_pull_policy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum PullPolicy {
    Always,
    IfNotPresent,
    Never,
}

/// A pod's `dns_policy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum DnsPolicy {
    ClusterFirst,
    ClusterFirstWithHostNet,
    Default,
    None,
}

/// One container port, written as it is.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PortSpec {
    /// The port number (`container_port`).
    pub port: Option<u16>,
    /// The port's name (`http`); not written when absent.
    pub name: Option<String>,
    /// `TCP`, `UDP` or `SCTP`; not written when absent.
    pub protocol: Option<Protocol>,
}

/// A port protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum Protocol {
    #[serde(rename = "TCP")]
    Tcp,
    #[serde(rename = "UDP")]
    Udp,
    #[serde(rename = "SCTP")]
    Sctp,
}

/// All the keys of a secret or config map as environment variables: exactly one of
/// `secret` and `config_map`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvFromSpec {
    /// A secret's name (a reference when the stack declares a secret of that name).
    pub secret: Option<String>,
    /// A config map's name (a reference when the stack declares one of that name).
    pub config_map: Option<String>,
    /// The pod starts even when it does not exist.
    pub optional: Option<bool>,
}

/// One `volume_mount` of a container.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MountSpec {
    /// The pod volume's name.
    pub volume: Option<String>,
    /// Where it is mounted in the container (`mount_path`).
    pub path: Option<String>,
    /// A file or directory inside the volume, mounted instead of the whole volume.
    pub sub_path: Option<String>,
    /// Mounted read-only.
    #[serde(default)]
    pub read_only: bool,
}

/// A container's security context.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContainerSecuritySpec {
    /// `run_as_user`.
    pub run_as_user: Option<i64>,
    /// `run_as_group`.
    pub run_as_group: Option<i64>,
    /// `run_as_non_root`.
    pub run_as_non_root: Option<bool>,
    /// `privileged`.
    pub privileged: Option<bool>,
    /// `allow_privilege_escalation`.
    pub allow_privilege_escalation: Option<bool>,
    /// `read_only_root_filesystem`.
    pub read_only_root_filesystem: Option<bool>,
    /// Linux capabilities added and dropped.
    pub capabilities: Option<CapabilitiesSpec>,
    /// The seccomp profile type of the container (`RuntimeDefault`, `Unconfined`,
    /// `Localhost`), where the pod sets none or another.
    pub seccomp_profile: Option<SeccompProfile>,
}

/// Linux capabilities of a container (`NET_ADMIN`, `ALL`, ...).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CapabilitiesSpec {
    /// Capabilities added.
    #[serde(default)]
    pub add: Vec<String>,
    /// Capabilities dropped.
    #[serde(default)]
    pub drop: Vec<String>,
}

/// A pod's security context.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PodSecuritySpec {
    /// `run_as_user`.
    pub run_as_user: Option<i64>,
    /// `run_as_group`.
    pub run_as_group: Option<i64>,
    /// `run_as_non_root`.
    pub run_as_non_root: Option<bool>,
    /// `fs_group`.
    pub fs_group: Option<i64>,
    /// `fs_group_change_policy` (`OnRootMismatch` or `Always`).
    pub fs_group_change_policy: Option<FsGroupChangePolicy>,
    /// The seccomp profile type (`RuntimeDefault`, `Unconfined`, `Localhost`).
    pub seccomp_profile: Option<SeccompProfile>,
    /// Kernel parameters (`net.ipv4.ip_forward: "1"`), in order.
    #[serde(default)]
    pub sysctls: OrderedMap<String>,
}

/// `fs_group_change_policy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum FsGroupChangePolicy {
    OnRootMismatch,
    Always,
}

/// A seccomp profile type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum SeccompProfile {
    RuntimeDefault,
    Unconfined,
    Localhost,
}

/// A container's lifecycle hooks, each a command run in the container.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HooksSpec {
    /// Run right after the container starts (`post_start { exec { command } }`).
    pub post_start: Option<Vec<String>>,
    /// Run before the container is stopped (`pre_stop { exec { command } }`).
    pub pre_stop: Option<Vec<String>>,
}

/// One toleration, written as it is.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TolerationSpec {
    /// The taint's key.
    pub key: Option<String>,
    /// `Equal` or `Exists`; not written when absent.
    pub operator: Option<TolerationOperator>,
    /// The taint's value.
    pub value: Option<String>,
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`; every effect when absent.
    pub effect: Option<TaintEffect>,
    /// How long a `NoExecute` taint is tolerated.
    pub toleration_seconds: Option<u32>,
    /// Why the pod tolerates it; written above the toleration.
    pub comment: Option<String>,
}

/// A toleration's operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum TolerationOperator {
    Equal,
    Exists,
}

/// A taint effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum TaintEffect {
    NoSchedule,
    PreferNoSchedule,
    NoExecute,
}

/// A pod (anti-)affinity to the app's pods: a hard rule, or a preference with its weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum AffinityRule {
    /// `required_during_scheduling_ignored_during_execution`.
    #[serde(rename = "required")]
    Required,
    /// `preferred_during_scheduling_ignored_during_execution` with this weight (1–100).
    #[serde(rename = "preferred")]
    Preferred(u32),
}

/// Node affinity: node-label expressions the pod requires, and those it prefers.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeAffinitySpec {
    /// The expressions of the one required node selector term, in order.
    #[serde(default)]
    pub required: Vec<NodeExpressionSpec>,
    /// Preferred terms, each with its weight.
    #[serde(default)]
    pub preferred: Vec<NodePreferenceSpec>,
}

/// A node-label expression (`match_expressions`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeExpressionSpec {
    /// The node label.
    pub key: Option<String>,
    /// `In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt` or `Lt`.
    pub operator: Option<NodeOperator>,
    /// The values (none for `Exists` and `DoesNotExist`).
    #[serde(default)]
    pub values: Vec<String>,
}

/// A node-selector operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum NodeOperator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
    Gt,
    Lt,
}

/// A preferred node-affinity term.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NodePreferenceSpec {
    /// The term's weight (1–100).
    pub weight: Option<u32>,
    /// Its expressions, in order.
    #[serde(default)]
    pub expressions: Vec<NodeExpressionSpec>,
}

/// A topology spread constraint over the app label.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TopologySpreadSpec {
    /// `max_skew`; default 1.
    pub max_skew: Option<u32>,
    /// The node label that defines the domains; default the node's host name.
    pub topology_key: Option<String>,
    /// `DoNotSchedule` (default) or `ScheduleAnyway`.
    pub when_unsatisfiable: Option<WhenUnsatisfiable>,
}

/// What the scheduler does with a pod that would break a spread constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum WhenUnsatisfiable {
    DoNotSchedule,
    ScheduleAnyway,
}

/// The GPU preset of a pod.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GpuSpec {
    /// GPUs of the app container (its GPU limit); default 1.
    pub count: Option<u32>,
    /// GPU memory in MiB the app container may use (the repo's GPU-memory limit); not
    /// written when absent.
    pub memory_mib: Option<u32>,
}

/// A config map or secret volume: its keys as files.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeysVolumeSpec {
    /// The config map's or secret's name (a reference when the stack declares one of that
    /// name).
    pub name: Option<String>,
    /// File mode of the files, as an octal string (`"0755"` for scripts, `"0400"` for
    /// secrets).
    pub default_mode: Option<String>,
    /// The pod starts even when it does not exist.
    pub optional: Option<bool>,
    /// Only these keys, at these paths.
    #[serde(default)]
    pub items: Vec<KeyPathSpec>,
    /// A secret volume only: `true` mounts the stack's TLS secret (the wildcard
    /// certificate the TLS module writes, named by the TLS secret variable), instead of
    /// `name`.
    pub tls: Option<bool>,
}

/// An NFS export mounted by the pod directly, without a claim.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NfsVolumeSpec {
    /// The server: a literal (`192.168.1.127`) or a variable (`{var: nfs_server}`).
    pub server: Option<ValueSpec>,
    /// The exported path (`/srv/nfs/<stack>`).
    pub path: Option<String>,
    /// The export is mounted read-only (the volume's own `read_only`).
    pub read_only: Option<bool>,
}

/// One key of a config map or secret and the file it becomes.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyPathSpec {
    /// The key.
    pub key: Option<String>,
    /// The file's path, relative to the mount.
    pub path: Option<String>,
    /// The file's mode, as an octal string.
    pub mode: Option<String>,
}

/// An `empty_dir` volume.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EmptyDirSpec {
    /// `Memory` for a tmpfs (`/dev/shm`); the node's disk when absent.
    pub medium: Option<EmptyDirMedium>,
    /// The most it may hold (`1Gi`).
    pub size_limit: Option<String>,
}

/// Where an `empty_dir` lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum EmptyDirMedium {
    Memory,
}

/// A `host_path` volume: a file or directory of the node.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HostPathSpec {
    /// The path on the node (`/dev/kvm`).
    pub path: Option<String>,
    /// What must be there (`Directory`, `CharDevice`, ...); not checked when absent.
    #[serde(rename = "type")]
    pub kind: Option<HostPathType>,
}

/// A `host_path` type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum HostPathType {
    DirectoryOrCreate,
    Directory,
    FileOrCreate,
    File,
    Socket,
    CharDevice,
    BlockDevice,
}

/// A rolling update's limits: a number of pods or a percentage (`25%`), as written.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RollingUpdateSpec {
    /// Pods above the desired count during the update.
    pub max_surge: Option<Scalar>,
    /// Pods below the desired count during the update.
    pub max_unavailable: Option<Scalar>,
}

/// Reloader: restart the pods when their secrets or config maps change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Reloader {
    /// Every secret and config map the pods use.
    Auto,
    /// Those marked for it (with the match annotation).
    Search,
}

/// diun image-update notifications (pod template annotations).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiunSpec {
    /// Notify; default true (`false` writes the annotation off).
    pub enable: Option<bool>,
    /// A regular expression of the tags to watch (`^\d+\.\d+\.\d+$`).
    pub include_tags: Option<String>,
}

/// Prometheus scraping of the pods (pod template annotations).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PrometheusSpec {
    /// The metrics port.
    pub port: Option<u16>,
    /// The metrics path; not written when absent (`/metrics` is the default).
    pub path: Option<String>,
}

/// `depends_on` of a workload: by default the ExternalSecrets whose secrets the pod reads;
/// this adds others and drops some (with the reason).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DependsOnSpec {
    /// More addresses (`kubernetes_job.db_init`), each an object of the stack.
    #[serde(default)]
    pub add: Vec<String>,
    /// Default entries left out.
    #[serde(default)]
    pub drop: Vec<String>,
    /// Why they are left out; required with `drop`, written above `depends_on`.
    pub drop_why: Why,
}

/// `lifecycle.ignore_changes` of a workload: the conventions' entries, plus or minus these.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IgnoreChangesSpec {
    /// More entries, each with the reason it is ignored (written after it).
    #[serde(default)]
    pub add: Vec<IgnoreEntrySpec>,
    /// Entries of the conventions left out, as their paths.
    #[serde(default)]
    pub drop: Vec<String>,
    /// Why they are left out; required with `drop`, written above the list.
    pub drop_why: Why,
}

/// An `ignore_changes` entry added by the stack.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IgnoreEntrySpec {
    /// The attribute path (`metadata[0].labels["tier"]`).
    pub path: Option<String>,
    /// Who changes it, written after the entry.
    pub why: Why,
}

/// A CronJob's concurrency policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum ConcurrencyPolicy {
    Allow,
    Forbid,
    Replace,
}

/// A job pod's restart policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum RestartPolicy {
    OnFailure,
    Never,
}

/// How long Terraform waits for a Job (`timeouts`), as durations (`2m`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeoutsSpec {
    /// Waiting for the Job to complete when it is created.
    pub create: Option<String>,
    /// When it is updated.
    pub update: Option<String>,
    /// When it is deleted.
    pub delete: Option<String>,
}

with_pod_settings! {
    /// A job of the stack: a CronJob when it has a `schedule`, a one-shot Job otherwise.
    #[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct JobSpec {
        /// The job's name; default the stack name.
        pub name: Option<String>,
        /// Pinned resource address (adoption); default the name in snake case.
        pub address: Option<String>,
        /// The resource type, when the stack uses another version (`kubernetes_job_v1`,
        /// `kubernetes_cron_job`); default `kubernetes_cron_job_v1` or `kubernetes_job`.
        pub resource_type: Option<String>,
        /// What the job does; written above it.
        pub comment: Option<String>,
        /// Created only when the boolean variable of this name is true: `count =
        /// var.NAME ? 1 : 0` (its instance is then `<address>[0]`); the variable is
        /// declared `bool` (its default under `variables:`).
        pub created_if: Option<String>,
        /// Cron schedule (5 fields, or `@daily` and the like): a CronJob. Text, or any
        /// value form (`{var: schedule}`: from a variable, its default under
        /// `variables:`).
        pub schedule: Option<ValueSpec>,
        /// The schedule's time zone (`Europe/London`).
        pub timezone: Option<String>,
        /// `Forbid` (default), `Replace` or `Allow`; `null` leaves it out.
        #[serde(default, deserialize_with = "present")]
        pub concurrency_policy: Option<Option<ConcurrencyPolicy>>,
        /// A suspended CronJob does not run; needs `suspend_why`.
        pub suspend: Option<bool>,
        /// Why it is suspended; written above `suspend`.
        pub suspend_why: Why,
        /// Suspended unless the boolean variable of this name is true: `suspend =
        /// !var.NAME` (a flag that turns the CronJob on), instead of `suspend`; the
        /// variable is declared `bool` (its default under `variables:`).
        pub suspend_unless: Option<String>,
        /// Finished jobs kept; default 3, `null` leaves it out.
        #[serde(default, deserialize_with = "present")]
        pub successful_jobs_history_limit: Option<Option<u32>>,
        /// Failed jobs kept; default 3, `null` leaves it out.
        #[serde(default, deserialize_with = "present")]
        pub failed_jobs_history_limit: Option<Option<u32>>,
        /// Seconds a missed run may still start; not written when absent.
        pub starting_deadline_seconds: Option<u32>,
        /// Retries; default 1 for a CronJob and 3 for a Job, `null` leaves it out.
        #[serde(default, deserialize_with = "present")]
        pub backoff_limit: Option<Option<u32>>,
        /// Seconds a finished job is kept; not written when absent.
        pub ttl_seconds_after_finished: Option<u32>,
        /// Seconds a run may take; not written when absent.
        pub active_deadline_seconds: Option<u32>,
        /// `OnFailure` (CronJob default) or `Never` (Job default); `null` leaves it out.
        #[serde(default, deserialize_with = "present")]
        pub restart_policy: Option<Option<RestartPolicy>>,
        /// A Job: Terraform waits for it to complete; default true, `null` leaves it out.
        #[serde(default, deserialize_with = "present")]
        pub wait_for_completion: Option<Option<bool>>,
        /// A Job: how long Terraform waits.
        pub timeouts: Option<TimeoutsSpec>,
        /// Labels of the CronJob or Job, in order.
        #[serde(default)]
        pub labels: OrderedMap<String>,
        /// A CronJob: labels of each job it creates (`job_template.metadata`), in order.
        #[serde(default)]
        pub job_labels: OrderedMap<String>,
        /// Labels of the pod template, in order.
        #[serde(default)]
        pub pod_labels: OrderedMap<String>,
        /// Annotations of the pod template, in order; a value is a string or any value
        /// form (`{var: ...}`, `{template: [...]}`, `{ref: ...}`, ...).
        #[serde(default)]
        pub pod_annotations: OrderedMap<ValueSpec>,
        /// The job's containers (the first is the job; a container without a name is
        /// named after the job).
        #[serde(default)]
        pub containers: Vec<ContainerSpec>,
        /// Init containers, run in order before the containers.
        #[serde(default)]
        pub init_containers: Vec<ContainerSpec>,
        /// Pod volumes (every source but `storage`: the stack's own volumes are mounted
        /// with `claim: <name>`).
        #[serde(default)]
        pub volumes: Vec<VolumeSpec>,
        /// Pod DNS options written into the pod's `dns_config` (`ndots: "2"`).
        #[serde(default)]
        pub dns_options: OrderedMap<String>,
        /// `depends_on`: the ExternalSecrets whose secrets the pod reads, plus or minus.
        pub depends_on: Option<DependsOnSpec>,
        /// `ignore_changes`: the Kyverno `dns_config` entry, plus or minus.
        pub ignore_changes: Option<IgnoreChangesSpec>,
        /// Raw HCL inside the job's resource.
        pub raw: Option<String>,
        /// Raw HCL inside the job's pod spec, after what dlgen writes there (a pod setting
        /// no field says, such as `share_process_namespace`).
        pub pod_raw: Option<String>,
    }
}
