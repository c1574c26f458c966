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
    /// The trailing comment of the Keel image entry.
    pub const KEEL_IMAGE_COMMENT: &str = "KEEL_IGNORE_IMAGE — Keel manages tag updates";
    /// Keel stamps `keel.sh/update-time` on the pod template.
    pub const KEEL_UPDATE_TIME: &str = "KEEL_LIFECYCLE_V1";
    /// Sablier owns the replica count of a scale-to-zero Deployment.
    pub const SABLIER_REPLICAS: &str = "SABLIER_MANAGED_REPLICAS";
    /// The trailing comment of the sablier replicas entry.
    pub const SABLIER_REPLICAS_COMMENT: &str =
        "SABLIER_MANAGED_REPLICAS — sablier scales 0<->1 (ADR-0022)";
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
}

/// Labels dlgen writes or reads.
pub mod labels {
    /// Namespace label a Kyverno ClusterPolicy stamps (hence the namespace's ignore).
    pub const GOLDILOCKS_VPA_UPDATE_MODE: &str = "goldilocks.fairwinds.com/vpa-update-mode";
    pub const CLUSTER_SERVICE: &str = "kubernetes.io/cluster-service";
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

/// Container images.
pub mod images {
    /// Where the repo's own images are published (`<registry>/<name>`); the image a new
    /// spec starts with unless told.
    pub const OWNED_REGISTRY: &str = "ghcr.io/viktorbarzin";
}
