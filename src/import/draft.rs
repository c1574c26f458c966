//! A spec being inverted from a stack, with what each part of it reproduces: which object
//! of the stack, where that object's raw HCL goes, and what to give up (`Part`) when the
//! proof shows the part does not reproduce the stack.

use std::collections::BTreeSet;

use crate::spec::Spec;

/// Where raw HCL found in an object (or one of its nodes) goes in the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Slot {
    Namespace,
    Deployment,
    Pod,
    Container(usize),
    Service,
    Ingress,
    /// The Anubis module of the main ingress (`None`) or of `ingresses[i]`.
    Anubis(Option<usize>),
    TlsSecret,
    Volume(usize),
    Secrets,
    Backup,
    Integrity,
    /// `jobs[i].raw`: inside the job's resource.
    Job(usize),
    /// `jobs[i].pod_raw`: inside the job's pod spec.
    JobPod(usize),
    /// `jobs[i].containers[j].raw`.
    JobContainer(usize, usize),
    /// `jobs[i].volumes[k].raw`: the source of a job's pod volume.
    JobVolume(usize, usize),
    /// `raw.stack`: whole blocks of `main.tf`.
    Stack,
    /// `raw.terragrunt`.
    Terragrunt,
    /// Entry `i` of a list of spec objects (`external_secrets[i].raw`, `ingresses[i].raw`).
    Item(&'static str, usize),
    /// `service.spec_raw`: inside the app Service's `spec` block.
    ServiceSpec,
    /// `<list>[i].spec_raw`: inside the `spec` block of entry `i` (`services[i]`).
    ItemSpec(&'static str, usize),
}

impl Slot {
    /// The spec field, as a path.
    pub fn field(self) -> String {
        match self {
            Slot::Namespace => "raw.namespace".to_owned(),
            Slot::Deployment => "raw.deployment".to_owned(),
            Slot::Pod => "raw.pod".to_owned(),
            Slot::Container(i) => format!("containers[{i}].raw"),
            Slot::Service => "raw.service".to_owned(),
            Slot::Ingress => "raw.ingress".to_owned(),
            Slot::Anubis(None) => "ingress.anubis.raw".to_owned(),
            Slot::Anubis(Some(i)) => format!("ingresses[{i}].anubis.raw"),
            Slot::TlsSecret => "raw.tls_secret".to_owned(),
            Slot::Volume(i) => format!("volumes[{i}].raw"),
            Slot::Secrets => "secrets.raw".to_owned(),
            Slot::Backup => "backup.raw".to_owned(),
            Slot::Integrity => "backup.integrity_check.raw".to_owned(),
            Slot::Job(i) => format!("jobs[{i}].raw"),
            Slot::JobPod(i) => format!("jobs[{i}].pod_raw"),
            Slot::JobContainer(i, j) => format!("jobs[{i}].containers[{j}].raw"),
            Slot::JobVolume(i, k) => format!("jobs[{i}].volumes[{k}].raw"),
            Slot::Stack => "raw.stack".to_owned(),
            Slot::Terragrunt => "raw.terragrunt".to_owned(),
            Slot::Item(list, i) => format!("{list}[{i}].raw"),
            Slot::ServiceSpec => "service.spec_raw".to_owned(),
            Slot::ItemSpec(list, i) => format!("{list}[{i}].spec_raw"),
        }
    }
}

/// What the inversion gives up when it does not reproduce the stack: the spec then leaves
/// that part to raw HCL (an optional object as whole blocks, the rest of a list of nested
/// blocks at its node).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Part {
    /// The stack's ExternalSecret, and the `secret:` values read from it.
    Secrets,
    /// The Service (and with it the app container's port and the ingress).
    Service,
    Ingress,
    Backup,
    /// Spec volumes after the first `n`.
    Volumes(usize),
    /// The storage object of pod volume `k` (its PVC or NFS module call): it stays whole in
    /// raw HCL, and the volume names its claim (or keeps its source raw).
    VolumeStorage(usize),
    /// The app container's mounts after the first `n`.
    Mounts(usize),
    /// Spec containers after the first `n`.
    Containers(usize),
    /// Environment variables of container `c` after the first `n`.
    Env(usize, usize),
    /// A field of container `c`: `port`, `resources`, `command`, `args` or a probe.
    Field(usize, &'static str),
    /// The pod's DNS options.
    DnsOptions,
    /// The pod's init containers (all of them).
    InitContainers,
    /// An app CronJob or Job, by its address in the stack (left whole to raw HCL).
    Job(String),
    /// Entries of a list of spec objects (`external_secrets`, `ingresses` with their
    /// Anubis modules, `services`, …) after the first `n`.
    Items(&'static str, usize),
    /// The namespace's own ResourceQuota.
    Quota,
    /// The namespace's own LimitRange.
    LimitRange,
    /// The app's PodDisruptionBudget.
    DisruptionBudget,
    /// One object of a list of spec objects (an ExternalSecret, a config map, a
    /// Kubernetes secret), by its address in the stack: it stays whole in raw HCL and the
    /// entries after it are still read (separate objects: their order plans nothing).
    Object(String),
    /// The `include "root"` block dlgen writes in `terragrunt.hcl` (the stack includes
    /// the root another way, or not at all: its own blocks stay in `raw.terragrunt`).
    RootInclude,
    /// The stack's namespace resource as a whole (it stays whole in `raw.stack`, the spec
    /// deploying into it as into an existing one): the last resort for what differs in
    /// it, such as a namespace without the conventions' lifecycle.
    Namespace,
    /// The Deployment as a whole (it stays whole in `raw.stack`, as a workload that is
    /// not dlgen's does): the last resort for what differs in it and no narrower part
    /// gives up, such as a pod-template annotation no spec field says.
    Deployment,
}

impl Part {
    /// Given up only when nothing narrower makes progress.
    pub fn last_resort(&self) -> bool {
        matches!(self, Part::Deployment | Part::Namespace)
    }
}

/// Everything given up so far.
#[derive(Debug, Clone, Default)]
pub struct Limits(pub BTreeSet<Part>);

impl Limits {
    pub fn has(&self, part: &Part) -> bool {
        self.0.contains(part)
    }

    fn min(&self, f: impl Fn(&Part) -> Option<usize>) -> usize {
        self.0.iter().filter_map(f).min().unwrap_or(usize::MAX)
    }

    pub fn volumes(&self) -> usize {
        self.min(|p| match p {
            Part::Volumes(n) => Some(*n),
            _ => None,
        })
    }

    pub fn mounts(&self) -> usize {
        self.min(|p| match p {
            Part::Mounts(n) => Some(*n),
            _ => None,
        })
    }

    pub fn containers(&self) -> usize {
        self.min(|p| match p {
            Part::Containers(n) => Some(*n),
            _ => None,
        })
    }

    pub fn env(&self, c: usize) -> usize {
        self.min(|p| match p {
            Part::Env(ci, n) if *ci == c => Some(*n),
            _ => None,
        })
    }

    pub fn items(&self, list: &str) -> usize {
        self.min(|p| match p {
            Part::Items(l, n) if *l == list => Some(*n),
            _ => None,
        })
    }

    pub fn field(&self, c: usize, field: &str) -> bool {
        self.0
            .iter()
            .any(|p| matches!(p, Part::Field(ci, f) if *ci == c && *f == field))
    }

    /// Adds `part`; false when it was there already (no progress).
    pub fn add(&mut self, part: Part) -> bool {
        self.0.insert(part)
    }
}

/// An object of the stack that the spec reproduces.
#[derive(Debug, Clone)]
pub struct Claim {
    /// Its address in the stack.
    pub input: String,
    /// Its address in the rendered spec (the same, unless no spec field pins it).
    pub rendered: String,
    /// What to give up when it differs; `None` when the spec cannot do without it.
    pub part: Option<Part>,
    /// Where raw HCL inside it goes (`None`: nowhere, the spec has no raw field there).
    pub slot: Option<Slot>,
}

/// A comment of the stack that no spec field holds: kept for the reviewer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub file: String,
    pub line: usize,
    pub address: String,
    pub text: String,
}

/// A spec under construction.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub spec: Spec,
    pub claims: Vec<Claim>,
    /// `moved` blocks of the stack the spec reproduces: `(from, to)`.
    pub moved: Vec<(String, String)>,
    /// `moved` blocks the rendered stack holds besides these (raw HCL of objects taken
    /// out of a wrapping module): `(from, to)`.
    pub raw_moved: Vec<(String, String)>,
    /// `moved` blocks of the stack into its wrapping module that the flattened render
    /// undoes, left out: `(from, to)`.
    pub unwrapped: Vec<(String, String)>,
    /// Lines of comments already held by a spec field or written by convention: `(file,
    /// line)`.
    pub consumed: BTreeSet<(String, usize)>,
    /// Reasons the stack does not give and the spec needs (`*_why` fields written with a
    /// placeholder), by field.
    pub reasons: Vec<String>,
    /// Terragrunt: the blocks the spec reproduces (`include.root`, `dependency.x`).
    pub terragrunt: Vec<String>,
    /// Raw HCL the spec needs before it can be rendered at all (the app container's
    /// `resources` that no spec field reads): placed before the comparison, not found by it.
    pub raw_first: Vec<super::residue::Piece>,
    /// Objects of the stack the spec refers to (`{ref: ...}`, `depends_on`) and does not
    /// hold: they go into `raw.stack`, and an empty block stands in for each while the
    /// spec without raw HCL is rendered (the comparison passes over them).
    pub stand_ins: Vec<String>,
}

impl Draft {
    pub fn claim(&mut self, input: &str, rendered: &str, part: Option<Part>, slot: Option<Slot>) {
        self.claims.push(Claim {
            input: input.to_owned(),
            rendered: rendered.to_owned(),
            part,
            slot,
        });
    }

    /// Whether a spec object holds the object at `input`: a block that repeats is held
    /// when its instances are (they are claimed together, or not at all).
    pub fn claimed(&self, input: &str) -> bool {
        self.claims.iter().any(|c| {
            c.input == input
                || c.input
                    .strip_prefix(input)
                    .is_some_and(|key| key.starts_with('['))
        })
    }

    /// The objects whose address the spec changes (no field pins it, or they leave a
    /// wrapping module): `(the stack's address, the spec's)`.
    pub fn moves(&self) -> Vec<(String, String)> {
        self.claims
            .iter()
            .filter(|c| c.input != c.rendered && !c.rendered.starts_with("data."))
            .map(|c| (c.input.clone(), c.rendered.clone()))
            .collect()
    }

    /// The spec as the model must see it while the inversion still runs: with the raw
    /// HCL it cannot be rendered without (`raw_first`).
    pub fn buildable_spec(&self) -> Spec {
        let mut spec = self.spec.clone();
        for piece in &self.raw_first {
            if let Slot::Container(i) = piece.slot
                && let Some(c) = spec.containers.get_mut(i)
                && c.raw.is_none()
            {
                c.raw = Some(piece.text.clone());
            }
        }
        spec
    }

    /// The address of the Deployment the spec describes (`<type>.<label>`), once read.
    pub fn deployment_address(&self) -> Option<String> {
        let dep = self.spec.deployment.as_ref()?;
        let ty = dep
            .resource_type
            .as_deref()
            .unwrap_or(crate::conventions::workload::DEPLOYMENT_TYPES[0]);
        Some(format!("{ty}.{}", dep.address.as_ref()?))
    }

    pub fn claim_of_rendered(&self, rendered: &str) -> Option<&Claim> {
        self.claims.iter().find(|c| c.rendered == rendered)
    }
}
