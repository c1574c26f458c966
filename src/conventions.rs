//! The infra repo's conventions, in one place.
//!
//! Every default, derived name, label and annotation key, lifecycle `ignore_changes` entry
//! and marker comment that dlgen writes, and that `dlgen lint` checks, is spelled here and
//! nowhere else: the spec → model resolver takes its defaults from this module, the lint
//! rules read the same constants, and templates receive them through the model. A
//! convention that changes in the repo changes here once.

/// Marker comments on `ignore_changes` entries: how operators grep every site that works
/// around a controller writing to a resource.
pub mod markers {
    /// Kyverno mutates a resource (pod `dns_config`, the namespace goldilocks label).
    pub const KYVERNO: &str = "KYVERNO_LIFECYCLE_V1";
    /// Kyverno stamps Keel's poll schedule on Deployments.
    pub const KYVERNO_POLL: &str = "KYVERNO_LIFECYCLE_V2";
    /// Keel rolls the container image forward.
    pub const KEEL_IMAGE: &str = "KEEL_IGNORE_IMAGE";
    /// What separates the marker of the Keel image entry's comment from its words, and
    /// the words by default.
    pub const KEEL_IMAGE_SEPARATOR: &str = " — ";
    pub const KEEL_IMAGE_WORDS: &str = "Keel manages tag updates";

    /// The trailing comment of a Keel image entry: the marker, then `words`.
    pub fn keel_image_comment(words: &str) -> String {
        format!("{KEEL_IMAGE}{KEEL_IMAGE_SEPARATOR}{words}")
    }
    /// Keel stamps `keel.sh/update-time` on the pod template.
    pub const KEEL_UPDATE_TIME: &str = "KEEL_LIFECYCLE_V1";
    /// Sablier owns the replica count of a scale-to-zero Deployment.
    pub const SABLIER_REPLICAS: &str = "SABLIER_MANAGED_REPLICAS";
    /// The trailing comment of the sablier replicas entry.
    pub const SABLIER_REPLICAS_COMMENT: &str =
        "SABLIER_MANAGED_REPLICAS — sablier scales 0<->1 (ADR-0022)";
    /// Every marker a lint rule or a controller's convention reads.
    pub const ALL: [&str; 5] = [
        KYVERNO,
        KYVERNO_POLL,
        KEEL_IMAGE,
        KEEL_UPDATE_TIME,
        SABLIER_REPLICAS,
    ];
    /// The first marker `text` holds: one of [`ALL`], or any lifecycle marker word.
    pub fn find_in(text: &str) -> Option<&str> {
        ALL.iter().copied().find(|m| text.contains(m)).or_else(|| {
            text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .find(|w| is_lifecycle_marker(w))
        })
    }

    /// A marker word of the repo's lifecycle conventions: `<WHO>_LIFECYCLE_V<n>`, also those
    /// dlgen does not write itself (`METALLB_LIFECYCLE_V1`, a controller of another stack).
    pub fn is_lifecycle_marker(w: &str) -> bool {
        w.split_once("_LIFECYCLE_V").is_some_and(|(who, n)| {
            !who.is_empty()
                && who
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                && !n.is_empty()
                && n.chars().all(|c| c.is_ascii_digit())
        })
    }

    /// Above the `moved` blocks of an adoption.
    pub const ADOPTION_MOVED_COMMENT: &str = "Adoption: these resources exist already under other addresses; `moved` makes the plan\nmove them instead of destroying and re-creating them.";
}

/// Keel: enrolment, the annotations it (through Kyverno) writes, and the policies it knows.
pub mod keel {
    /// Namespace label that enrols every Deployment of the namespace.
    pub const ENROLLED_LABEL: &str = "keel.sh/enrolled";
    pub const POLICY: &str = "keel.sh/policy";
    pub const TRIGGER: &str = "keel.sh/trigger";
    pub const POLL_SCHEDULE: &str = "keel.sh/pollSchedule";
    pub const MATCH_TAG: &str = "keel.sh/match-tag";
    /// Pod-template annotation Keel stamps on every roll.
    pub const UPDATE_TIME: &str = "keel.sh/update-time";
    /// Policies Keel accepts (plus `glob:<pattern>`).
    pub const POLICIES: [&str; 6] = ["all", "major", "minor", "patch", "force", "glob"];
    /// The policy value by which a Deployment opts out of Keel in an enrolled namespace.
    pub const OPT_OUT: &str = "never";
}

/// The repo's tiers: the keys of `local.tiers` (from the tiers file Terragrunt
/// generates) and the values of the namespace `tier` label they stand for.
pub mod tiers {
    /// The namespace (and workload) label that carries the tier.
    pub const LABEL: &str = "tier";
    /// `local.<LOCALS>.<key>` names a tier.
    pub const LOCALS: &str = "tiers";
    /// `(key, label value)` of every tier.
    pub const ALL: [(&str, &str); 5] = [
        ("core", "0-core"),
        ("cluster", "1-cluster"),
        ("gpu", "2-gpu"),
        ("edge", "3-edge"),
        ("aux", "4-aux"),
    ];
    /// Tiers whose LimitRange runs pods with Burstable QoS (memory request < limit).
    pub const BURSTABLE: [&str; 2] = ["edge", "aux"];

    /// The key of a tier given by its key.
    pub fn by_key(key: &str) -> Option<&'static str> {
        ALL.iter().find(|(k, _)| *k == key).map(|(k, _)| *k)
    }

    /// The key of a tier given by its label value (`"4-aux"`).
    pub fn by_label(value: &str) -> Option<&'static str> {
        ALL.iter().find(|(_, v)| *v == value).map(|(k, _)| *k)
    }

    /// The label value of a tier key.
    pub fn label(key: &str) -> Option<&'static str> {
        ALL.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }
}

/// Kyverno's DNS policy: what it injects into pods.
pub mod kyverno {
    /// The resolver option the policy injects; a pod that sets it itself is skipped.
    pub const NDOTS_OPTION: &str = "ndots";
}

/// Storage classes.
pub mod storage {
    /// Proxmox block storage: RWO, autoresized, and backed up by the app to NFS.
    pub const BLOCK_CLASSES: [&str; 2] = ["proxmox-lvm", "proxmox-lvm-encrypted"];
    /// A storage class whose name contains this is NFS.
    pub const NFS_CLASS_MARK: &str = "nfs";
    /// The module whose `claim_name` output is an NFS-backed claim.
    pub const NFS_MODULE: &str = "nfs_volume";
}

/// What makes a CronJob a backup (besides copying a mounted volume): its name, or the
/// tools it runs to dump an app's data over the network.
pub mod backup {
    /// A CronJob whose address or name contains one of these is a backup or an export.
    pub const NAME_MARKS: [&str; 3] = ["backup", "dump", "export"];
    /// What the script of a CronJob that dumps a database or service over the network
    /// contains: dump tools (`pg_dump` also matches `pg_dumpall`), `redis-cli`'s RDB
    /// transfer flag, and the `snapshot save` of etcd and of Vault's raft storage.
    pub const DUMP_COMMANDS: [&str; 7] = [
        "mysqldump",
        "mariadb-dump",
        "pg_dump",
        "pg_basebackup",
        "mongodump",
        "--rdb",
        "snapshot save",
    ];
}

/// Lifecycle `ignore_changes` paths.
pub mod ignore {
    /// The pod `dns_config` of a Deployment (or StatefulSet, Job) that Kyverno injects.
    pub const POD_DNS_CONFIG: &str = "spec[0].template[0].spec[0].dns_config";
    /// The pod `dns_config` of a CronJob.
    pub const CRON_DNS_CONFIG: &str =
        "spec[0].job_template[0].spec[0].template[0].spec[0].dns_config";
    /// Deployment metadata annotations Kubernetes itself writes.
    pub const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";
    pub const REVISION: &str = "deployment.kubernetes.io/revision";
    /// A PVC's storage request, which the autoresizer grows.
    pub const PVC_REQUESTS: &str = "spec[0].resources[0].requests";
    /// The replica count (sablier scale-to-zero).
    pub const REPLICAS: &str = "spec[0].replicas";

    /// `metadata[0].annotations["<key>"]`.
    pub fn metadata_annotation(key: &str) -> String {
        format!("metadata[0].annotations[\"{key}\"]")
    }

    /// `spec[0].template[0].metadata[0].annotations["<key>"]`.
    pub fn template_annotation(key: &str) -> String {
        format!("spec[0].template[0].metadata[0].annotations[\"{key}\"]")
    }

    /// `metadata[0].labels["<key>"]`.
    pub fn metadata_label(key: &str) -> String {
        format!("metadata[0].labels[\"{key}\"]")
    }

    /// `spec[0].template[0].spec[0].container[<index>].image`.
    pub fn container_image(index: usize) -> String {
        format!("spec[0].template[0].spec[0].container[{index}].image")
    }

    /// `spec[0].template[0].spec[0].init_container[<index>].image`.
    pub fn init_container_image(index: usize) -> String {
        format!("spec[0].template[0].spec[0].init_container[{index}].image")
    }

    /// The container whose image entry `path` is (spaces ignored): whether it is an init
    /// container, and its index. The reverse of [`container_image`] and
    /// [`init_container_image`].
    pub fn image_entry(path: &str) -> Option<(bool, usize)> {
        let n: String = path.chars().filter(|c| !c.is_whitespace()).collect();
        let index = |list: &str| -> Option<usize> {
            n.strip_prefix(&format!("spec[0].template[0].spec[0].{list}["))?
                .strip_suffix("].image")?
                .parse()
                .ok()
        };
        index("container")
            .map(|i| (false, i))
            .or_else(|| index("init_container").map(|i| (true, i)))
    }
}

/// Labels dlgen writes or reads.
pub mod labels {
    /// Namespace label a Kyverno ClusterPolicy stamps (hence the namespace's ignore).
    pub const GOLDILOCKS_VPA_UPDATE_MODE: &str = "goldilocks.fairwinds.com/vpa-update-mode";
    pub const CLUSTER_SERVICE: &str = "kubernetes.io/cluster-service";
    /// The label of a workload that a Helm release or an operator created and manages.
    pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
    /// The `MANAGED_BY` value that means Terraform itself.
    pub const MANAGED_BY_TERRAFORM: &str = "terraform";
}

/// The topolvm pvc-autoresizer: the annotations of every block-storage PVC.
pub mod autoresize {
    pub const THRESHOLD: &str = "resize.topolvm.io/threshold";
    pub const INCREASE: &str = "resize.topolvm.io/increase";
    pub const STORAGE_LIMIT: &str = "resize.topolvm.io/storage_limit";
    /// Default threshold and increase.
    pub const THRESHOLD_DEFAULT: &str = "10%";
    pub const INCREASE_DEFAULT: &str = "100%";
}

/// Lifecycle comments written above an `ignore_changes` list, each naming its marker.
pub mod lifecycle_comments {
    /// The namespace: Kyverno stamps the goldilocks label.
    pub const NAMESPACE_GOLDILOCKS: &str = "KYVERNO_LIFECYCLE_V1: a Kyverno ClusterPolicy stamps the goldilocks vpa-update-mode label on every namespace.";
    /// A CronJob: Kyverno mutates the pod's `dns_config`.
    pub const CRON_DNS_CONFIG: &str =
        "KYVERNO_LIFECYCLE_V1: Kyverno mutates dns_config (ndots=2) on every pod.";
    /// A one-shot Job: Kyverno mutates the pod's `dns_config`, and a Job's template is
    /// immutable.
    pub const JOB_DNS_CONFIG: &str = "KYVERNO_LIFECYCLE_V1: Kyverno mutates dns_config (ndots=2) on every pod; a Job's template is\nimmutable, so the drift would replace the Job and run it again.";
    /// A block-storage PVC: the autoresizer grows its request.
    pub const PVC_AUTORESIZE: &str = "pvc-autoresizer grows requests.storage up to storage_limit, and a PVC cannot shrink:\nignore the drift so that an apply never tries to shrink it back.";
}

/// Where things live in the repo, relative to a stack directory, and its domain.
pub mod repo {
    /// The symlink every stack carries to the repo's secrets directory.
    pub const SECRETS_LINK: &str = "secrets";
    /// The repo's shared Kubernetes modules.
    pub const MODULES: &str = "../../modules/kubernetes";
    /// The module that copies the wildcard TLS secret into a namespace.
    pub const TLS_MODULE: &str = "setup_tls_secret";
    /// The module that declares an NFS PV and its claim.
    pub const NFS_MODULE: &str = "nfs_volume";
    /// The module that writes an ingress (with DNS, auth and homepage annotations).
    pub const INGRESS_MODULE: &str = "ingress_factory";
    /// The domain under which ingress host labels live.
    pub const DOMAIN: &str = "viktorbarzin.me";
    /// The Terraform variable holding the wildcard TLS secret's name.
    pub const TLS_SECRET_VARIABLE: &str = "tls_secret_name";
    /// The Terraform variable holding the NFS server's address.
    pub const NFS_SERVER_VARIABLE: &str = "nfs_server";
    /// Where NFS exports live on the NFS server.
    pub const NFS_ROOT: &str = "/srv/nfs";
    /// The exports the NFS server has (HDD and SSD).
    pub const NFS_EXPORTS: [&str; 2] = ["/srv/nfs/", "/srv/nfs-ssd/"];
    /// The Terragrunt dependency of a stack, and how `terragrunt.hcl` includes the root.
    pub const DEPENDENCY: &str = "platform";
    pub const ROOT_INCLUDE: &str = "root";
    pub const ROOT_INCLUDE_PATH: &str = "find_in_parent_folders()";
    /// Whether `terragrunt.hcl` includes the root as above (the spec's `root_include`).
    pub const ROOT_INCLUDE_ON: bool = true;
    /// `local.tiers.<tier>`: the priority-class tiers the repo's root module defines.
    pub const TIER_LOCAL: &str = "local.tiers";
}

/// External Secrets: how a stack's secrets come from Vault.
pub mod eso {
    pub const API_VERSION: &str = "external-secrets.io/v1";
    pub const STORE_NAME: &str = "vault-kv";
    pub const STORE_KIND: &str = "ClusterSecretStore";
    pub const REFRESH_INTERVAL: &str = "15m";
    /// The secret a stack's ExternalSecret writes: `<stack><suffix>`.
    pub const SECRET_SUFFIX: &str = "-secrets";
    /// The address of the ExternalSecret, of its plan-time read, and the read's comment.
    pub const ADDRESS: &str = "external_secret";
    pub const DATA_ADDRESS: &str = "eso_secrets";
    pub const DATA_COMMENT: &str = "Plan-time read of the ExternalSecret (first apply: target kubernetes_manifest.external_secret first).";
    /// The Vault KV mount plan-time reads use.
    pub const VAULT_MOUNT: &str = "secret";
    /// An ExternalSecret takes its fields over from other managers
    /// (`field_manager { force_conflicts = true }`).
    pub const FORCE_CONFLICTS: bool = true;
}

/// CronJob defaults of the repo's jobs.
pub mod cron {
    pub const CONCURRENCY_POLICY: &str = "Replace";
    pub const FAILED_JOBS_HISTORY_LIMIT: u32 = 5;
    pub const TTL_SECONDS_AFTER_FINISHED: u32 = 10;
    /// The image of the backup and integrity-check jobs.
    pub const TOOLS_IMAGE: &str = "docker.io/library/alpine";
    /// Co-scheduling a job with the app pod: on the same node.
    pub const TOPOLOGY_KEY: &str = "kubernetes.io/hostname";
    /// The weight of a preferred co-scheduling (when the app is usually scaled to zero).
    pub const PREFERRED_WEIGHT: u32 = 100;
    /// The Prometheus Pushgateway the jobs push their metrics to.
    pub const PUSHGATEWAY: &str = "http://prometheus-prometheus-pushgateway.monitoring:9091";
}

/// Sablier scale-to-zero (ADR-0022): the Deployment labels that enrol an app.
pub mod sablier {
    pub const ENABLE: &str = "sablier.enable";
    pub const GROUP: &str = "sablier.group";
    pub const READY_AFTER: &str = "sablier.ready-after";
    pub const READY_AFTER_DEFAULT: &str = "5s";
}

/// The homepage dashboard annotations an ingress carries.
pub mod homepage {
    pub const ENABLED: &str = "gethomepage.dev/enabled";
    pub const NAME: &str = "gethomepage.dev/name";
    pub const DESCRIPTION: &str = "gethomepage.dev/description";
    pub const ICON: &str = "gethomepage.dev/icon";
    pub const GROUP: &str = "gethomepage.dev/group";
    pub const POD_SELECTOR: &str = "gethomepage.dev/pod-selector";
    /// `gethomepage.dev/widget.<key>`.
    pub const WIDGET_PREFIX: &str = "gethomepage.dev/widget.";
}

/// Block-storage PVC conventions.
pub mod pvc {
    /// The resource types a PVC may be declared with; the first is the default.
    pub const TYPES: [&str; 2] = [
        "kubernetes_persistent_volume_claim",
        "kubernetes_persistent_volume_claim_v1",
    ];
    pub const ACCESS_MODE: &str = "ReadWriteOnce";
    pub const ENCRYPTED_CLASS: &str = "proxmox-lvm-encrypted";
    pub const PLAIN_CLASS: &str = "proxmox-lvm";
    pub const DEFAULT_SIZE: &str = "1Gi";
    pub const DEFAULT_MAX_SIZE: &str = "5Gi";
}

/// The pod DNS option Kyverno injects (and jobs write themselves).
pub mod dns {
    pub const NDOTS: &str = "ndots";
    pub const NDOTS_VALUE: &str = "2";
}

// --- pods and workloads ----------------------------------------------------------------

/// Keel's Deployment annotations a stack may own or seed, by the key the spec uses, with
/// the marker of their `ignore_changes` entry.
pub mod keel_keys {
    use super::{keel, markers};

    /// `(spec key, annotation, marker of the ignore entry)`, in the order of the list.
    pub const ALL: [(&str, &str, Option<&str>); 4] = [
        ("policy", keel::POLICY, None),
        ("trigger", keel::TRIGGER, None),
        (
            "pollSchedule",
            keel::POLL_SCHEDULE,
            Some(markers::KYVERNO_POLL),
        ),
        ("match-tag", keel::MATCH_TAG, None),
    ];
    /// Keel's triggers.
    pub const TRIGGERS: [&str; 2] = ["default", "poll"];
}

/// The in-house family's own image: a tag variable that CI sets and a local.
pub mod own_image {
    /// The variable holding the tag.
    pub const VARIABLE: &str = "image_tag";
    /// The local holding the image reference.
    pub const LOCAL: &str = "image";
    /// The variable's default.
    pub const DEFAULT_TAG: &str = "latest";

    /// The variable's description, as the repo words it.
    pub fn description(stack: &str) -> String {
        format!("{stack} image tag. Use 8-char git SHA in CI; :latest only for local trials.")
    }
}

/// A container's short `port`: its default name and protocol.
pub mod ports {
    pub const NAME: &str = "http";
    pub const PROTOCOL: &str = "TCP";
}

/// Workload labels and annotations.
pub mod workload {
    /// The default key of the app label (some stacks use `run`).
    pub const APP_LABEL: &str = "app";
    /// The Deployment label that carries the tier.
    pub const TIER_LABEL: &str = "tier";

    /// The tier a Deployment's tier label names (a key of `local.tiers`): its own when the
    /// spec gives one, the stack's otherwise.
    pub fn label_tier<'a>(own: Option<&'a str>, stack: &'a str) -> &'a str {
        own.unwrap_or(stack)
    }
    /// Reloader: restart on any change, or on those marked for it.
    pub const RELOADER_AUTO: &str = "reloader.stakater.com/auto";
    pub const RELOADER_SEARCH: &str = "reloader.stakater.com/search";
    /// diun image-update notifications.
    pub const DIUN_ENABLE: &str = "diun.enable";
    pub const DIUN_INCLUDE_TAGS: &str = "diun.include_tags";
    /// Kyverno injects a wait per `host:port` of this pod annotation.
    pub const KYVERNO_WAIT_FOR: &str = "dependency.kyverno.io/wait-for";
    /// Prometheus scraping.
    pub const PROMETHEUS_SCRAPE: &str = "prometheus.io/scrape";
    pub const PROMETHEUS_PORT: &str = "prometheus.io/port";
    pub const PROMETHEUS_PATH: &str = "prometheus.io/path";
    /// The resource types a Deployment may be declared with.
    pub const DEPLOYMENT_TYPES: [&str; 2] = ["kubernetes_deployment", "kubernetes_deployment_v1"];
    /// Default replicas.
    pub const REPLICAS: u32 = 1;
}

/// Scheduling defaults.
pub mod scheduling {
    /// The node label of (anti-)affinity and spread domains: one per node.
    pub const HOSTNAME_KEY: &str = "kubernetes.io/hostname";
    /// A topology spread's default skew and policy.
    pub const MAX_SKEW: u32 = 1;
    pub const WHEN_UNSATISFIABLE: &str = "DoNotSchedule";
}

/// The GPU preset: where GPU pods run and what they may use.
pub mod gpu {
    /// The node label of GPU nodes and its value.
    pub const NODE_LABEL: &str = "nvidia.com/gpu.present";
    pub const NODE_LABEL_VALUE: &str = "true";
    /// The taint of GPU nodes that GPU pods tolerate.
    pub const TAINT_KEY: &str = "nvidia.com/gpu";
    pub const TAINT_OPERATOR: &str = "Equal";
    pub const TAINT_VALUE: &str = "true";
    pub const TAINT_EFFECT: &str = "NoSchedule";
    /// The extended resources of the limits: GPUs and GPU memory (MiB).
    pub const RESOURCE: &str = "nvidia.com/gpu";
    pub const MEMORY_RESOURCE: &str = "viktorbarzin.me/gpumem";
    /// The tier of a GPU stack.
    pub const TIER: &str = "gpu";
}

/// App jobs: the defaults of a CronJob and of a one-shot Job. (The backup CronJob is a
/// preset of its own: `cron`.)
pub mod jobs {
    pub const CRON_TYPES: [&str; 2] = ["kubernetes_cron_job_v1", "kubernetes_cron_job"];
    pub const JOB_TYPES: [&str; 2] = ["kubernetes_job", "kubernetes_job_v1"];
    pub const CONCURRENCY_POLICY: &str = "Forbid";
    pub const SUCCESSFUL_JOBS_HISTORY_LIMIT: u32 = 3;
    pub const FAILED_JOBS_HISTORY_LIMIT: u32 = 3;
    pub const CRON_BACKOFF_LIMIT: u32 = 1;
    pub const CRON_RESTART_POLICY: &str = "OnFailure";
    pub const JOB_BACKOFF_LIMIT: u32 = 3;
    pub const JOB_RESTART_POLICY: &str = "Never";
    pub const JOB_WAIT_FOR_COMPLETION: bool = true;
}

// --- around the pod -------------------------------------------------------------------

/// Services.
pub mod service {
    /// The resource types a Service may be declared with; the first is the default.
    pub const TYPES: [&str; 2] = ["kubernetes_service", "kubernetes_service_v1"];
}

/// MetalLB: how a LoadBalancer Service asks for its address, and what its controller
/// writes back.
pub mod metallb {
    /// The address most LoadBalancer Services share (with the sharing key below).
    pub const SHARED_IP: &str = "10.0.20.200";
    /// The allow-shared-ip key of the shared address.
    pub const SHARED_KEY: &str = "shared";
    /// The annotation prefixes: current, and the older one some stacks still write.
    pub const PREFIX: &str = "metallb.io/";
    pub const LEGACY_PREFIX: &str = "metallb.universe.tf/";
    /// `<prefix>loadBalancerIPs` and `<prefix>allow-shared-ip`.
    pub const IPS: &str = "loadBalancerIPs";
    pub const ALLOW_SHARED_IP: &str = "allow-shared-ip";
    /// The annotation MetalLB's controller writes after assigning the address.
    pub const ALLOCATED_FROM_POOL: &str = "metallb.io/ip-allocated-from-pool";
    /// The marker comment above that `ignore_changes` entry.
    pub const LIFECYCLE_COMMENT: &str = "METALLB_LIFECYCLE_V1: MetalLB's controller writes this annotation after it\nassigns the address; ignoring it keeps the plan clean.";
}

/// `ingress_factory` calls: module addresses, the `.lan` twin, carve-outs.
pub mod ingress {
    /// The main ingress's module address, and the prefix of the others'
    /// (`ingress_<purpose>`).
    pub const ADDRESS: &str = "ingress";
    pub const SECONDARY_PREFIX: &str = "ingress_";
    /// The root domain of local-only `.lan` ingresses, and the suffix of their name.
    pub const LAN_ROOT_DOMAIN: &str = "viktorbarzin.lan";
    pub const LAN_SUFFIX: &str = "lan";
    /// Why a `.lan` twin is `auth = "none"` when the spec does not say.
    pub const LAN_AUTH_WHY: &str = "reachable from the local networks only (allow_local_access_only); devices and integrations on the LAN poll it";
    /// The trailing comment of a carve-out's `homepage_enabled = false`.
    pub const SECONDARY_HOMEPAGE_COMMENT: &str = "secondary/non-UI ingress: no homepage tile";
    /// The comment above the first ingress of a stack without the TLS module.
    pub const NO_TLS_COMMENT: &str = "No setup_tls_secret module";
    /// Words by which a comment set apart between blocks is the reason a stack has no TLS
    /// module: the module's name as stacks call it, and the Kyverno policy that clones
    /// the wildcard secret into every namespace instead.
    pub const NO_TLS_WORDS: [&str; 2] = ["tls_secret", "sync-tls-secret"];
}

/// Anubis, the proof-of-work challenge in front of public sites.
pub mod anubis {
    /// The module, and the default address of its call.
    pub const MODULE: &str = "anubis_instance";
    pub const ADDRESS: &str = "anubis";
    /// The shared Redis store of in-flight challenges: `<prefix><db>`.
    pub const STORE_PREFIX: &str = "redis://redis-master.redis.svc.cluster.local:6379/";
    /// The module's outputs the ingress routes to.
    pub const SERVICE_NAME_OUTPUT: &str = "service_name";
    pub const SERVICE_PORT_OUTPUT: &str = "service_port";
    /// The middleware every Anubis-fronted ingress adds, and the note above it.
    pub const X402_MIDDLEWARE: &str = "traefik-x402@kubernetescrd";
    pub const MIDDLEWARE_COMMENT: &str =
        "traefik-real-ip is attached automatically for anubis- services.";
    /// Why an Anubis-fronted ingress is `auth = "none"` when the spec does not say.
    pub const AUTH_WHY: &str = "Anubis-fronted; PoW challenge gates bots, no Authentik";
    /// Above the module call when the spec gives no comment.
    pub const COMMENT: &str =
        "Proof-of-work challenge in front of the site: scrapers pay, browsers barely notice.";
}

/// Config maps.
pub mod config_map {
    /// The resource types a config map may be declared with; the first is the default.
    pub const TYPES: [&str; 2] = ["kubernetes_config_map", "kubernetes_config_map_v1"];
    /// A config map's default name: `<stack><suffix>`.
    pub const NAME_SUFFIX: &str = "-config";
    /// A checksum annotation's default key: `<prefix><data key>`.
    pub const CHECKSUM_PREFIX: &str = "checksum/";
}

/// Kubernetes Secrets a stack writes itself (`kubernetes_secrets:`).
pub mod kubernetes_secret {
    /// The resource types a secret may be declared with; the first is the default.
    pub const TYPES: [&str; 2] = ["kubernetes_secret", "kubernetes_secret_v1"];
    /// The type of a secret that holds a service account's token.
    pub const SERVICE_ACCOUNT_TOKEN_TYPE: &str = "kubernetes.io/service-account-token";
    /// The annotation naming the account whose token the secret holds.
    pub const SERVICE_ACCOUNT_ANNOTATION: &str = "kubernetes.io/service-account.name";
    /// `wait_for_service_account_token` of a service-account token secret.
    pub const WAIT_FOR_TOKEN: bool = true;
    /// The marker of an `ignore_changes` list that works around drift, with its reason
    /// after it (`# <marker>: <why>`), as the repo's rules ask.
    pub const DRIFT_WORKAROUND: &str = "DRIFT_WORKAROUND";
}

/// The reloader: restarts a Deployment (annotated `search`) when a matching secret or
/// config map changes.
pub mod reloader {
    pub const MATCH: &str = "reloader.stakater.com/match";
}

/// Rotating database credentials from Vault's database engine, through External Secrets.
pub mod db_creds {
    /// The ClusterSecretStore of Vault's database engine.
    pub const STORE_NAME: &str = "vault-database";
    /// The secret's name `<stack><suffix>` and the ExternalSecret's address.
    pub const SECRET_SUFFIX: &str = "-db-creds";
    pub const ADDRESS: &str = "db_external_secret";
    /// The Vault paths of a role's static credentials: `<prefix><role>`.
    pub const POSTGRES_PREFIX: &str = "static-creds/pg-";
    pub const MYSQL_PREFIX: &str = "static-creds/mysql-";
    /// The key (and property) holding the password.
    pub const PASSWORD_KEY: &str = "password";
}

/// Plan-time Vault reads: the label of the data source of the stack's own path, and the
/// platform path (labelled the same way when the stack does not read its own).
pub mod vault {
    pub const OWN_LABEL: &str = "secrets";
    pub const PLATFORM_PATH: &str = "platform";
}

/// RBAC objects.
pub mod rbac {
    pub const API_GROUP: &str = "rbac.authorization.k8s.io";
    /// The resource types of a service account, of a role and of a binding (namespaced
    /// and cluster-wide) may be declared with; the first of each is the default.
    pub const ACCOUNT_TYPES: [&str; 2] = [
        "kubernetes_service_account",
        "kubernetes_service_account_v1",
    ];
    pub const ROLE_TYPES: [&str; 2] = ["kubernetes_role", "kubernetes_role_v1"];
    pub const CLUSTER_ROLE_TYPES: [&str; 2] =
        ["kubernetes_cluster_role", "kubernetes_cluster_role_v1"];
    pub const BINDING_TYPES: [&str; 2] = ["kubernetes_role_binding", "kubernetes_role_binding_v1"];
    pub const CLUSTER_BINDING_TYPES: [&str; 2] = [
        "kubernetes_cluster_role_binding",
        "kubernetes_cluster_role_binding_v1",
    ];
}

/// The stack's namespace.
pub mod namespace {
    /// The resource types a namespace may be declared with; the first is the default.
    pub const TYPES: [&str; 2] = ["kubernetes_namespace", "kubernetes_namespace_v1"];
}

/// A namespace's own ResourceQuota.
pub mod quota {
    /// The resource types a quota may be declared with; the first is the default.
    pub const TYPES: [&str; 2] = ["kubernetes_resource_quota", "kubernetes_resource_quota_v1"];
    /// The namespace label that exempts it from the tier's default quota.
    pub const CUSTOM_QUOTA_LABEL: &str = "resource-governance/custom-quota";
    /// The quota's default name: `<namespace><suffix>`.
    pub const NAME_SUFFIX: &str = "-quota";
}

/// A namespace's own LimitRange, built as its own quota is.
pub mod limit_range {
    /// The namespace label that exempts it from the tier's default limits.
    pub const CUSTOM_LIMIT_RANGE_LABEL: &str = "resource-governance/custom-limitrange";
    /// The LimitRange's default name: `<namespace><suffix>` (the stacks pin theirs).
    pub const NAME_SUFFIX: &str = "-limits";
    /// The resource types a LimitRange may be declared with; the first is the default
    /// (the stacks write it).
    pub const TYPES: [&str; 2] = ["kubernetes_limit_range", "kubernetes_limit_range_v1"];
}

/// The NFS server of the cluster (what `var.nfs_server` holds).
pub mod nfs {
    pub const SERVER: &str = "192.168.1.127";
    /// Whether a volume of the spec is a volume of the Deployment's pod (`pod:`).
    pub const IN_POD: bool = true;
}

/// Container images.
pub mod images {
    /// Where the repo's own images are published (`<registry>/<name>`); the image a new
    /// spec starts with unless told.
    pub const OWNED_REGISTRY: &str = "ghcr.io/viktorbarzin";
}

/// The app's PodDisruptionBudget (`disruption_budget:`).
pub mod disruption_budget {
    /// The resource type every stack writes it with.
    pub const RESOURCE_TYPE: &str = "kubernetes_pod_disruption_budget_v1";
}

/// The stack's NetworkPolicies (`network_policies:`).
pub mod network_policy {
    /// The resource types a policy may be declared with; the first is the default.
    pub const TYPES: [&str; 2] = ["kubernetes_network_policy_v1", "kubernetes_network_policy"];
}

/// Traefik `Middleware` objects of the stack (`middlewares:`).
pub mod traefik {
    pub const API_VERSION: &str = "traefik.io/v1alpha1";
    pub const KIND: &str = "Middleware";
    /// Whether a Middleware forces field-manager conflicts, and depends on the namespace,
    /// unless the spec says.
    pub const FORCE_CONFLICTS: bool = false;
    pub const DEPENDS_ON_NAMESPACE: bool = false;
    /// How an ingress's middleware chain names a Middleware of a namespace (Traefik's
    /// Kubernetes CRD provider): `<namespace>-<name>@kubernetescrd`.
    pub fn middleware_ref(namespace: &str, name: &str) -> String {
        format!("{namespace}-{name}@kubernetescrd")
    }
}

/// Kubernetes objects the stack applies with `kubernetes_manifest` (`manifests:`, and the
/// Traefik Middlewares).
pub mod manifest {
    pub const RESOURCE_TYPE: &str = "kubernetes_manifest";
    /// Whether a manifest forces field-manager conflicts unless the spec says.
    pub const FORCE_CONFLICTS: bool = false;
    /// The resource address of a manifest the spec does not pin: its name in snake case.
    pub fn address(name: &str) -> String {
        crate::hcl::snake(name)
    }
}
