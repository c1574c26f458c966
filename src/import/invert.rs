//! The inversion proper: what each object of the stack says in spec terms.
//!
//! Each part of the spec language has its recognizer here, reading the stack's normalized
//! values (`planeq`: locals evaluated, references to configured values resolved) and the
//! comments around the objects (from the hcl-edit source). A recognizer sets every spec
//! field it can read, defaults included — the defaults are found later by rendering
//! (`minimize`), so nothing here restates a convention — and claims the objects the field
//! reproduces. Nested blocks that form lists (containers, env, volumes, mounts) are
//! recognized as a prefix: what dlgen generates comes first in the rendered block, raw
//! HCL after it, so the first entry the spec cannot say ends the list. Whether the spec
//! reproduces the stack is decided afterwards by rendering it and comparing
//! (`residue`, `prove`); what does not is given up (`Limits`) and recognized again.

mod access;
pub mod around;
mod choice;

use hcl_edit::Span as _;
use hcl_edit::expr::Expression;

use super::draft::{Draft, Limits, Part, Slot};
use super::source::{self, Source, Step};
use super::value::{self as val, block, blocks, get, int, map, path, prim, string};
use crate::conventions as cv;
use crate::planeq::{self, Address, Value};
use crate::spec::{
    AdoptSpec, BackupKind, BackupSpec, ContainerSpec, DeploymentSpec, EnvSpec, ImportSpec,
    IntegrityCheckSpec, MovedSpec, NamespaceSpec, OrderedMap, ProbeSpec, ResourcesSpec, Scalar,
    ServiceSpec, Storage, Strategy, Tier, ValueSpec, VolumeSpec,
};

/// The settings of a pod (`$pod`) read into a Deployment or a job spec (`$to`), which
/// carry the same pod-settings fields.
macro_rules! pod_settings {
    ($pod:expr, $to:expr) => {{
        let pod: &Value = $pod;
        let u32_of = |k: &str| int(pod, k).and_then(|n| u32::try_from(n).ok());
        let flag = |k: &str| val::boolean(pod, k);
        $to.service_account_name = string(pod, "service_account_name").map(str::to_owned);
        $to.automount_service_account_token = flag("automount_service_account_token");
        $to.enable_service_links = flag("enable_service_links");
        $to.priority_class_name = string(pod, "priority_class_name").map(str::to_owned);
        $to.termination_grace_period_seconds = u32_of("termination_grace_period_seconds");
        $to.dns_policy = match string(pod, "dns_policy") {
            Some("ClusterFirst") => Some(crate::spec::DnsPolicy::ClusterFirst),
            Some("ClusterFirstWithHostNet") => {
                Some(crate::spec::DnsPolicy::ClusterFirstWithHostNet)
            }
            Some("Default") => Some(crate::spec::DnsPolicy::Default),
            Some("None") => Some(crate::spec::DnsPolicy::None),
            _ => None,
        };
        if let Some(ns) = get(pod, "node_selector").and_then(val::string_map) {
            $to.node_selector = OrderedMap(ns);
        }
        $to.image_pull_secrets = blocks(pod, "image_pull_secrets")
            .iter()
            .map_while(|s| string(s, "name").map(str::to_owned))
            .collect();
        $to.security_context = pod_security(pod);
        $to.tolerations = tolerations(pod);
        if let Some(dns) = block(pod, "dns_config") {
            let list = |k: &str| -> Vec<String> {
                match get(dns, k) {
                    Some(Value::List(items)) => items
                        .iter()
                        .map_while(|i| match i {
                            Value::String(s) => Some(s.clone()),
                            _ => None,
                        })
                        .collect(),
                    _ => Vec::new(),
                }
            };
            $to.dns_nameservers = list("nameservers");
            $to.dns_searches = list("searches");
        }
    }};
}
/// The `seccomp_profile` of a security context: `Some(None)` when it has none, `None`
/// when it has one the spec cannot say.
fn seccomp_profile(sc: &Value) -> Option<Option<crate::spec::SeccompProfile>> {
    use crate::spec::SeccompProfile;
    Some(match block(sc, "seccomp_profile") {
        None => None,
        Some(p) if val::other_keys(p, &["type"]).is_empty() => match string(p, "type") {
            Some("RuntimeDefault") => Some(SeccompProfile::RuntimeDefault),
            Some("Unconfined") => Some(SeccompProfile::Unconfined),
            Some("Localhost") => Some(SeccompProfile::Localhost),
            _ => return None,
        },
        Some(_) => return None,
    })
}

/// The pod's security context, when every setting in it is one the spec says.
fn pod_security(pod: &Value) -> Option<crate::spec::PodSecuritySpec> {
    use crate::spec::{FsGroupChangePolicy, PodSecuritySpec};
    let sc = block(pod, "security_context")?;
    let known = [
        "run_as_user",
        "run_as_group",
        "run_as_non_root",
        "fs_group",
        "fs_group_change_policy",
        "seccomp_profile",
        "sysctl",
    ];
    if !val::other_keys(sc, &known).is_empty() {
        return None;
    }
    let seccomp_profile = seccomp_profile(sc)?;
    let sysctls: Option<Vec<(String, String)>> = blocks(sc, "sysctl")
        .iter()
        .map(|s| Some((string(s, "name")?.to_owned(), prim(s, "value")?)))
        .collect();
    Some(PodSecuritySpec {
        run_as_user: int(sc, "run_as_user"),
        run_as_group: int(sc, "run_as_group"),
        run_as_non_root: val::boolean(sc, "run_as_non_root"),
        fs_group: int(sc, "fs_group"),
        fs_group_change_policy: match string(sc, "fs_group_change_policy") {
            None => None,
            Some("OnRootMismatch") => Some(FsGroupChangePolicy::OnRootMismatch),
            Some("Always") => Some(FsGroupChangePolicy::Always),
            Some(_) => return None,
        },
        seccomp_profile,
        sysctls: OrderedMap(sysctls?),
    })
}

/// The comments of the pod's settings at `pod_at` of the object at `address` that the spec
/// reads as lists of blocks: above the first `image_pull_secrets` block (its reason),
/// above each toleration it reads.
fn pod_comments(
    ctx: &Ctx,
    d: &mut Draft,
    (address, pod_at): (&str, &[Step]),
    pulls: (&[String], &mut Option<String>),
    tolerations: &mut [crate::spec::TolerationSpec],
) {
    let at = |name: &str, i: usize| {
        let mut at = pod_at.to_vec();
        at.push(b(name, i));
        at
    };
    let (names, why) = pulls;
    if !names.is_empty() {
        *why = text(ctx.above(d, address, &at("image_pull_secrets", 0)).take(d));
    }
    for (i, t) in tolerations.iter_mut().enumerate() {
        t.comment = text(ctx.above(d, address, &at("toleration", i)).take(d));
    }
}

/// The pod's tolerations, in order, until one the spec cannot say.
fn tolerations(pod: &Value) -> Vec<crate::spec::TolerationSpec> {
    use crate::spec::{TaintEffect, TolerationOperator, TolerationSpec};
    let mut out = Vec::new();
    for t in blocks(pod, "toleration") {
        let known = ["key", "operator", "value", "effect", "toleration_seconds"];
        if !val::other_keys(t, &known).is_empty() {
            break;
        }
        let operator = match string(t, "operator") {
            None => None,
            Some("Equal") => Some(TolerationOperator::Equal),
            Some("Exists") => Some(TolerationOperator::Exists),
            Some(_) => break,
        };
        let effect = match string(t, "effect") {
            None => None,
            Some("NoSchedule") => Some(TaintEffect::NoSchedule),
            Some("PreferNoSchedule") => Some(TaintEffect::PreferNoSchedule),
            Some("NoExecute") => Some(TaintEffect::NoExecute),
            Some(_) => break,
        };
        out.push(TolerationSpec {
            key: prim(t, "key"),
            operator,
            value: prim(t, "value"),
            effect,
            toleration_seconds: int(t, "toleration_seconds").and_then(|n| u32::try_from(n).ok()),
            comment: None,
        });
    }
    out
}

// Declared after `pod_settings!`, which they use (a macro is in scope below its definition).
mod encoded;
mod exposure;
pub use exposure::SERVICES;
mod jobs;
mod k8s_secrets;
mod limits;
mod manifests;
pub mod policies;
mod raw_first;
mod scheduling;
pub mod shapes;
pub mod traffic;
mod values;
mod variables;
mod versions;
mod volumes;
mod workloads;

/// The `option` entries of a pod's `dns_config` block (`name`, `value`), when each is
/// one the spec says.
fn dns_options(dns: &Value) -> Option<Vec<(String, String)>> {
    blocks(dns, "option")
        .iter()
        .map(|o| {
            val::other_keys(o, &["name", "value"])
                .is_empty()
                .then(|| Some((string(o, "name")?.to_owned(), prim(o, "value")?)))
                .flatten()
        })
        .collect()
}

/// The pod of a job resource of type `ty` (a CronJob's or a Job's), as steps.
pub fn job_pod(ty: &str) -> Vec<Step> {
    workloads::pod_steps(ty)
}

/// What every recognizer reads.
pub struct Ctx<'a> {
    pub src: &'a Source,
    pub input: &'a planeq::Stack,
    /// The stack name: its directory's name.
    pub name: String,
    pub snake: String,
    pub secret_name: String,
    /// The local module the stack's objects live in (a wrapping module the spec
    /// flattens with `adopt.from_module`), if any.
    pub scope: Option<String>,
}

/// The placeholder a `*_why` field gets when the stack gives no reason.
pub const NO_REASON: &str = "imported as it stands; the stack gives no reason (review: say why)";

/// The pod spec of a Deployment, as block names.
pub const POD: [&str; 3] = ["spec", "template", "spec"];

impl<'a> Ctx<'a> {
    pub fn new(
        src: &'a Source,
        input: &'a planeq::Stack,
        name: &str,
        scope: Option<String>,
    ) -> Self {
        Ctx {
            src,
            input,
            name: name.to_owned(),
            snake: crate::hcl::snake(name),
            secret_name: format!("{name}{}", cv::eso::SECRET_SUFFIX),
            scope,
        }
    }

    /// The stack's address of an object the recognizers name by its local address
    /// (inside the wrapping module when there is one).
    pub fn at(&self, local: &str) -> String {
        match &self.scope {
            Some(m) => format!("module.{m}.{local}"),
            None => local.to_owned(),
        }
    }

    /// The wrapping module whose objects the spec takes out of it.
    pub fn wrapping(&self) -> Option<&'a crate::import::source::LocalModule> {
        self.scope.as_ref().and_then(|m| self.src.module(m))
    }

    /// An address of the stack as the spec gives it: inside the wrapping module, the
    /// address the object has once at the root (`module.<m>.<a>` is `<a>`).
    pub fn unscoped<'s>(&self, address: &'s str) -> &'s str {
        self.scope
            .as_ref()
            .and_then(|m| {
                address
                    .strip_prefix("module.")?
                    .strip_prefix(m.as_str())?
                    .strip_prefix('.')
            })
            .unwrap_or(address)
    }

    /// `module.<name>.<output>` of a module call beside the stack's objects (in the
    /// wrapping module when there is one): the call's name.
    pub fn module_output<'v>(&self, v: &'v Value, output: &str) -> Option<&'v str> {
        let module: Vec<String> = self.scope.iter().cloned().collect();
        val::module_output(v, &module, output)
    }

    fn in_scope(&self, module: &[String]) -> bool {
        match &self.scope {
            Some(m) => module.len() == 1 && module[0] == *m,
            None => module.is_empty(),
        }
    }

    /// Root resources of type `ty`, with their names, in address order.
    fn resources(&self, ty: &str) -> Vec<(String, &'a Value)> {
        self.resources_and_instances(ty)
            .into_iter()
            .filter(|(name, _)| !name.contains('['))
            .collect()
    }

    /// The resources of type `ty` as [`Ctx::resources`], and the instances of those that
    /// set `count` or `for_each` over a collection the stack holds (labelled
    /// `jobs["daily"]`), which only the readers that can say them ask for.
    fn resources_and_instances(&self, ty: &str) -> Vec<(String, &'a Value)> {
        self.input
            .objects()
            .filter_map(|(a, v)| match a {
                Address::Object(addr)
                    if self.in_scope(&addr.module)
                        && addr.kind == planeq::Kind::Resource
                        && addr.ty == ty =>
                {
                    Some((addr.name.clone(), v))
                }
                _ => None,
            })
            .collect()
    }

    /// Root module calls of the repo's shared module `module`, with their names.
    fn modules(&self, module: &str) -> Vec<(String, &'a Value)> {
        let suffix = format!("/{module}");
        self.input
            .objects()
            .filter_map(|(a, v)| match a {
                Address::Object(addr)
                    if self.in_scope(&addr.module)
                        && addr.kind == planeq::Kind::Module
                        && string(v, "source").is_some_and(|s| s.ends_with(&suffix)) =>
                {
                    Some((addr.name.clone(), v))
                }
                _ => None,
            })
            .collect()
    }

    /// The comment lines directly above the node at `path` of the block at `address`
    /// (the block itself for an empty path). Lines that are the repo's conventions
    /// (markers, dlgen's own comments) are consumed and left out; the others are consumed
    /// when taken ([`Lines::take`]), and otherwise stay for the reviewer's notes.
    fn above(&self, d: &mut Draft, address: &str, path: &[Step]) -> Lines {
        let Some((file, start)) = self.node_start(address, path) else {
            return Lines::default();
        };
        let mut lines = Vec::new();
        for (line, text) in file.comment_above(start) {
            if is_convention(&text) {
                d.consumed.insert((file.name.clone(), line));
            } else {
                lines.push((line, text));
            }
        }
        Lines {
            file: file.name.clone(),
            lines,
        }
    }

    /// The comment after the node at `path`, on its last line, taken.
    fn after(&self, d: &mut Draft, address: &str, path: &[Step]) -> Option<String> {
        let top = self.src.top(&self.at(address))?;
        let node = source::find(&top.block.body, path)?;
        let (line, text) = top.file.comment_after(node.span()?.end)?;
        if is_convention(&text) {
            d.consumed.insert((top.file.name.clone(), line));
            return None;
        }
        d.consumed.insert((top.file.name.clone(), line));
        Some(text)
    }

    /// The reason of a `dlgen:allow <rule> <container>: <why>` line above the block at
    /// `address` (how a container's resource reasons are written), consumed.
    fn allow_reason(
        &self,
        d: &mut Draft,
        address: &str,
        rule: &str,
        container: &str,
    ) -> Option<String> {
        let (file, start) = self.node_start(address, &[])?;
        let prefix = format!("{container}: ");
        file.comment_above(start)
            .into_iter()
            .find_map(|(line, text)| {
                let (r, why) = allow(&text)?;
                let why = why.strip_prefix(&prefix)?.trim();
                (r == rule && !why.is_empty()).then(|| {
                    d.consumed.insert((file.name.clone(), line));
                    why.to_owned()
                })
            })
    }

    fn node_start(&self, address: &str, path: &[Step]) -> Option<(&'a source::File, usize)> {
        let top = self.src.top(&self.at(address))?;
        let start = if path.is_empty() {
            top.block.span()?.start
        } else {
            source::find(&top.block.body, path)?.span()?.start
        };
        Some((top.file, start))
    }

    /// The attribute at attribute path `path` of the block at `address` as the stack
    /// writes it, with its file.
    pub(crate) fn source_attribute(
        &self,
        address: &str,
        path: &[Step],
    ) -> Option<(&'a source::File, &'a hcl_edit::structure::Attribute)> {
        let top = self.src.top(&self.at(address))?;
        let attr = source::find(&top.block.body, path)?.as_attribute()?;
        Some((top.file, attr))
    }

    /// The keys of the object written at attribute path `path` of the block at `address`,
    /// in the order the stack writes them, when it is an object literal.
    fn source_keys(&self, address: &str, path: &[Step]) -> Option<Vec<String>> {
        let (_, attr) = self.source_attribute(address, path)?;
        let Expression::Object(obj) = &attr.value else {
            return None;
        };
        obj.iter().map(|(k, _)| around::key_text(k)).collect()
    }

    /// A string map (labels, annotations) in the order the stack writes it: the keys of
    /// the literal first, then any others (from a `merge` or a local) in key order; keys
    /// `skip` are left out. `None` when a value is not a known primitive.
    fn ordered(
        &self,
        address: &str,
        path: &[Step],
        value: &Value,
        skip: &[&str],
    ) -> Option<Vec<(String, String)>> {
        self.ordered_by(address, path, value, skip, |_, v| v.as_primitive_string())
    }

    /// As `ordered`, for annotations: a value may also be any value form (a variable, a
    /// reference, a template of text and references), and one no form says is its own
    /// expression as raw HCL (`{hcl: ...}`) when the stack writes it on one line.
    fn ordered_values(
        &self,
        address: &str,
        path: &[Step],
        value: &Value,
        skip: &[&str],
    ) -> Option<Vec<(String, ValueSpec)>> {
        self.ordered_by(address, path, value, skip, |k, v| {
            self.written_reference(address, path, Some(k))
                .or_else(|| val::value_spec(v, &self.secret_name))
                .or_else(|| self.entry_expression(address, path, k))
        })
    }

    /// The entries of the map `value` read by `read` (`None` when one cannot be), in the
    /// order the stack writes them.
    fn ordered_by<T>(
        &self,
        address: &str,
        path: &[Step],
        value: &Value,
        skip: &[&str],
        read: impl Fn(&str, &Value) -> Option<T>,
    ) -> Option<Vec<(String, T)>> {
        let mut entries: Vec<(String, T)> = map(value)?
            .iter()
            .filter(|(k, _)| !skip.contains(&k.as_str()))
            .map(|(k, v)| Some((k.clone(), read(k, v)?)))
            .collect::<Option<_>>()?;
        if let Some(keys) = self.source_keys(address, path) {
            entries.sort_by_key(|(k, _)| keys.iter().position(|s| s == k).unwrap_or(usize::MAX));
        }
        Some(entries)
    }

    /// The source text of entry `key` of the object the attribute at `path` holds, as a
    /// raw HCL value (see [`Ctx::expression`]).
    pub(crate) fn entry_expression(
        &self,
        address: &str,
        path: &[Step],
        key: &str,
    ) -> Option<ValueSpec> {
        let (file, attr) = self.source_attribute(address, path)?;
        let Expression::Object(obj) = &attr.value else {
            return None;
        };
        let (_, value) = obj
            .iter()
            .find(|(k, _)| around::key_text(k).as_deref() == Some(key))?;
        raw_value(&file.text[value.expr().span()?])
    }

    /// `{ref: ...}` where the stack writes a reference to one of its objects at `path`
    /// (with `key`, at that entry of the object written there): the value read holds what
    /// the reference evaluates to (`kubernetes_service.db.metadata[0].name` is `"db"`),
    /// and the spec keeps the reference, and with it the order Terraform creates the two
    /// objects in.
    pub(crate) fn written_reference(
        &self,
        address: &str,
        path: &[Step],
        key: Option<&str>,
    ) -> Option<ValueSpec> {
        let (_, attr) = self.source_attribute(address, path)?;
        let expr = match key {
            None => &attr.value,
            Some(key) => {
                let Expression::Object(obj) = &attr.value else {
                    return None;
                };
                obj.iter()
                    .find(|(k, _)| around::key_text(k).as_deref() == Some(key))?
                    .1
                    .expr()
            }
        };
        match shapes::reference(expr)? {
            crate::spec::DataSpec::Ref(r @ ValueSpec::Ref(_)) => Some(r),
            _ => None,
        }
    }

    /// The source text of the attribute at `path` as a raw HCL value (`{hcl: ...}`), for a
    /// value no other form says: when the stack writes it on one line (see [`raw_value`]).
    pub(crate) fn expression(&self, address: &str, path: &[Step]) -> Option<ValueSpec> {
        let (file, attr) = self.source_attribute(address, path)?;
        raw_value(&file.text[attr.value.span()?])
    }
}

/// `{hcl: text}` for one line of HCL that reads no data source of a type dlgen writes
/// itself (a Vault read, a Secret's): the spec says those with `{vault}` / `{eso}`, and a
/// raw copy of one beside dlgen's would be declared twice.
fn raw_value(text: &str) -> Option<ValueSpec> {
    let text = text.trim();
    let own_data = ["data.vault_kv_secret_v2.", "data.kubernetes_secret."]
        .iter()
        .any(|d| text.contains(d));
    // `each.` / `count.` mean something only in the block that repeats: an instance the
    // spec writes as an object of its own has no such names.
    let repeated = ["each.", "count.index"].iter().any(|r| text.contains(r));
    (!text.is_empty() && !text.contains('\n') && !own_data && !repeated)
        .then(|| ValueSpec::Hcl(text.to_owned()))
}

/// The text of a literal annotation value (a string, number or boolean), as the presets
/// and Keel's keys read it; `None` for a value form.
fn literal_text(v: &ValueSpec) -> Option<String> {
    match v {
        ValueSpec::Scalar(Scalar::Str(s)) => Some(s.clone()),
        ValueSpec::Scalar(Scalar::Int(n)) => Some(n.to_string()),
        ValueSpec::Scalar(Scalar::Bool(b)) => Some(b.to_string()),
        _ => None,
    }
}

/// Comment lines of one file, with their line numbers.
#[derive(Debug, Default)]
struct Lines {
    file: String,
    lines: Vec<(usize, String)>,
}

impl Lines {
    /// The lines, consumed: a spec field holds them now.
    fn take(self, d: &mut Draft) -> Vec<String> {
        self.lines
            .into_iter()
            .map(|(line, text)| {
                d.consumed.insert((self.file.clone(), line));
                text
            })
            .collect()
    }
}

/// Whether a comment line is one of the repo's conventions rather than an explanation: a
/// lifecycle marker, a comment dlgen writes itself, dlgen's header.
pub fn is_convention(line: &str) -> bool {
    use cv::markers as m;
    let own = [
        cv::lifecycle_comments::NAMESPACE_GOLDILOCKS,
        cv::lifecycle_comments::CRON_DNS_CONFIG,
        cv::lifecycle_comments::PVC_AUTORESIZE,
        cv::metallb::LIFECYCLE_COMMENT,
        m::ADOPTION_MOVED_COMMENT,
        cv::eso::DATA_COMMENT,
    ];
    let t = line.trim();
    t.is_empty()
        || m::find_in(t).is_some()
        || own.iter().any(|c| c.lines().any(|l| l.trim() == t))
        || t.starts_with(crate::generated::HEADER_MARK)
        || t.starts_with("change the spec and run `dlgen render")
}

/// The lines of the run of full-line comments around line `n` (one that holds a
/// convention) that are the convention's words: the lines that are conventions
/// themselves, and those that carry on the sentence of one (a line that does not end with
/// `.`, `!` or `?` reads on, e.g. `<marker>: a Kyverno ClusterPolicy` / `stamps this
/// label.`). The rest of the run is the stack's own words beside the
/// marker (`Removing it caused a perpetual diff (INC-42).`): a comment like any other.
pub fn convention_words(file: &source::File, n: usize) -> Vec<usize> {
    let (a, b) = file.comment_run_around(n);
    let mut out = Vec::new();
    let mut reads_on = false;
    for line in a..=b {
        let text = file.comment_line_text(line);
        let t = text.trim();
        if is_convention(t) || reads_on {
            out.push(line);
            // A bare marker word is a sentence of its own.
            let bare = cv::markers::find_in(t) == Some(t);
            reads_on = !t.is_empty() && !bare && !t.ends_with(['.', '!', '?']);
        }
    }
    out
}

/// A `dlgen:allow <rule> <why>` suppression line: `(rule, why)`.
fn allow(line: &str) -> Option<(&str, &str)> {
    let rest = line.trim().strip_prefix("dlgen:allow ")?;
    let (rule, why) = rest.split_once(' ').unwrap_or((rest, ""));
    Some((rule, why.trim()))
}

/// Comment lines as a spec's free text, `None` when there are none: one line as it is,
/// several as a block of lines (ending with a line break, as a YAML `|` block does).
fn text(lines: Vec<String>) -> Option<String> {
    match lines.len() {
        0 => None,
        1 => lines.into_iter().next(),
        _ => Some(lines.join("\n") + "\n"),
    }
}

fn b(name: &str, i: usize) -> Step {
    Step::Block(name.to_owned(), i)
}

fn attr(name: &str) -> Step {
    Step::Attr(name.to_owned())
}

fn pod_path() -> Vec<Step> {
    POD.iter().map(|n| b(n, 0)).collect()
}

/// Something every spec generates that the stack does not have: no spec reproduces it.
#[derive(Debug, Clone)]
pub struct Blocker {
    /// What is missing, for `--stats`.
    pub construct: String,
    pub line: String,
    /// What to give up so that the stack can be inverted again without it, when a part
    /// of the spec is responsible (the Deployment whose pod the spec cannot read).
    pub part: Option<Part>,
}

fn blocker(construct: &str, line: String) -> Blocker {
    Blocker {
        construct: construct.to_owned(),
        line,
        part: None,
    }
}

/// Inverts the stack into a draft spec within `limits`; `Err` names what makes a spec
/// impossible (a part every spec generates that the stack does not have).
pub fn invert(ctx: &Ctx, limits: &Limits) -> Result<Draft, Vec<Blocker>> {
    let mut d = Draft::default();
    d.spec.name = Some(ctx.name.clone());
    let mut blockers = Vec::new();
    namespace(ctx, &mut d, limits);
    file_comments(ctx, &mut d);
    access::quota(ctx, &mut d, limits);
    self::limits::limit_range(ctx, &mut d, limits);
    let eso = around::own_external_secret(ctx, &mut d, limits);
    around::other_external_secrets(ctx, &mut d, limits);
    around::config_maps(ctx, &mut d, limits);
    k8s_secrets::kubernetes_secrets(ctx, &mut d, limits);
    around::random(ctx, &mut d, limits);
    access::service_accounts(ctx, &mut d, limits);
    traffic::middlewares(ctx, &mut d, limits);
    manifests::manifests(ctx, &mut d, limits);
    let service = if limits.has(&Part::Service) {
        None
    } else {
        choice::app_service(ctx)
    };
    let pvc_backup_why = deployment(ctx, &mut d, limits, eso, service.is_some(), &mut blockers);
    let app_port = d
        .spec
        .containers
        .first()
        .and_then(|c| c.port.or_else(|| c.ports.first().and_then(|p| p.port)));
    // A container that declares no port leaves the Service's ports to say all of theirs
    // (no target port defaults to the container's).
    let has_service = match &service {
        Some(found) if !d.spec.containers.is_empty() => {
            service_spec(ctx, &mut d, found, app_port.unwrap_or(0));
            true
        }
        _ => false,
    };
    // Without a Deployment of dlgen's, the main ingress routes to the workload's own
    // Service (raw HCL, or none the spec writes).
    if (has_service || d.spec.containers.is_empty()) && !limits.has(&Part::Ingress) {
        exposure::ingress(ctx, &mut d);
    }
    if has_service {
        exposure::services(ctx, &mut d, limits, app_port);
    }
    exposure::ingresses(ctx, &mut d, limits);
    backup(ctx, &mut d, limits, pvc_backup_why);
    access::nfs_outside_pod(ctx, &mut d, limits);
    workloads::jobs(ctx, &mut d, limits);
    traffic::disruption_budget(ctx, &mut d, limits);
    policies::network_policies(ctx, &mut d, limits);
    // No Deployment of dlgen's and no job the spec can say: the stack's workload (a Helm
    // release, a StatefulSet, local modules, …) stays whole in `raw.stack`, and the spec
    // says what is around it.
    tls(ctx, &mut d, limits);
    terragrunt(ctx, &mut d, limits, &mut blockers);
    deployment_ignores(ctx, &mut d);
    workloads::depends_on(ctx, &mut d);
    variables::variables(ctx, &mut d);
    namespace_not_written(&mut d);
    if blockers.is_empty() {
        Ok(d)
    } else {
        Err(blockers)
    }
}

/// The comment blocks that open and close `main.tf` apart from any block: the spec's
/// `header_comment` and `footer_comment`. dlgen's own header lines are not the stack's.
fn file_comments(ctx: &Ctx, d: &mut Draft) {
    let Some(file) = ctx
        .src
        .files
        .iter()
        .find(|f| f.name == crate::generated::FILES_OWNER)
    else {
        return;
    };
    let mut take = |lines: Vec<(usize, String)>| {
        let mut out = Vec::new();
        for (line, text) in lines {
            d.consumed.insert((file.name.clone(), line));
            if !is_convention(&text) && !text.starts_with(crate::generated::FILES_MARK) {
                out.push(text);
            }
        }
        text(out)
    };
    let header = take(file.leading_comment());
    let footer = take(file.closing_comment());
    d.spec.header_comment = header;
    d.spec.footer_comment = footer;
}

/// A namespace the spec does not write (one given up into `raw.stack`) is nothing the
/// spec's objects can depend on: their `depends_on` on it stays in their raw HCL instead.
fn namespace_not_written(d: &mut Draft) {
    if d.spec.namespace.as_ref().and_then(|n| n.create) != Some(false) {
        return;
    }
    let spec = &mut d.spec;
    for s in spec
        .secrets
        .iter_mut()
        .chain(spec.external_secrets.iter_mut())
    {
        if s.depends_on_namespace == Some(true) {
            s.depends_on_namespace = Some(false);
        }
    }
    for m in &mut spec.middlewares {
        if m.depends_on_namespace == Some(true) {
            m.depends_on_namespace = Some(false);
        }
    }
}

/// The Deployment's `ignore_changes` against the conventions': the conventions' entries
/// are read from the model built from the spec as recognized so far (never restated
/// here); what the stack ignores beyond them is `add`, what it leaves out is `drop`.
fn deployment_ignores(ctx: &Ctx, d: &mut Draft) {
    let Some(address) = d.deployment_address() else {
        return;
    };
    let Some(input) = ctx.input.get(&ctx.at(&address)) else {
        return;
    };
    let Ok(stack) = crate::model::build(&crate::import::assemble::buildable(ctx, d)) else {
        return;
    };
    let conventions: Vec<String> = stack
        .objects
        .iter()
        .find_map(|o| match &o.body {
            crate::model::Body::Deployment(dep) => Some(
                dep.lifecycle
                    .as_ref()
                    .map(|l| l.ignore_changes.iter().map(|i| i.path.0.clone()).collect())
                    .unwrap_or_default(),
            ),
            _ => None,
        })
        .unwrap_or_default();
    let norm = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let conventions_n: Vec<String> = conventions.iter().map(|c| norm(c)).collect();
    let stack_entries = ignore_entries(input);
    let stack_n: Vec<String> = stack_entries.iter().map(|e| norm(e)).collect();
    // The entries as the stack writes them (`labels["tier"]`), with their comments.
    let written = ignore_written(ctx, &address);
    let aligned = written.len() == stack_entries.len();
    if aligned {
        keel_comments(d, &written);
    }
    let mut add = Vec::new();
    for (i, (e, n)) in stack_entries.iter().zip(&stack_n).enumerate() {
        let (path, reason) = match written.get(i) {
            Some((text, reason)) if aligned => (text.clone(), reason.clone()),
            _ => (e.clone(), None),
        };
        if conventions_n.contains(n) || conventions_n.contains(&norm(&path)) {
            continue;
        }
        let why = match reason {
            Some(why) => why,
            None => {
                d.reasons
                    .push(format!("deployment.ignore_changes.add[{}].why", add.len()));
                NO_REASON.to_owned()
            }
        };
        add.push(crate::spec::IgnoreEntrySpec {
            path: Some(path),
            why: Some(why),
        });
    }
    let mut drop: Vec<String> = conventions
        .iter()
        .zip(&conventions_n)
        .filter(|(_, n)| !stack_n.contains(n))
        .map(|(c, _)| c.clone())
        .collect();
    // Keel's entry for a container's image follows the container: one the stack does not
    // ignore is a container Keel must not update (which needs no reason when the
    // Deployment opts out of Keel altogether).
    let opted_out = crate::model::keel_opted_out(&d.spec);
    drop.retain(|entry| match image_container(d, entry) {
        Some((field, c)) => {
            c.keel = Some(false);
            if !opted_out {
                c.keel_why = Some(NO_REASON.to_owned());
                d.reasons.push(format!("{field}.keel_why"));
            }
            false
        }
        None => true,
    });
    if add.is_empty() && drop.is_empty() {
        return;
    }
    // The reason for what is dropped: the comment above `ignore_changes`.
    let drop_why = if drop.is_empty() {
        None
    } else {
        let above = ctx.above(d, &address, &[b("lifecycle", 0), attr("ignore_changes")]);
        Some(text(above.take(d)).unwrap_or_else(|| {
            d.reasons
                .push("deployment.ignore_changes.drop_why".to_owned());
            NO_REASON.to_owned()
        }))
    };
    if let Some(dep) = d.spec.deployment.as_mut() {
        dep.ignore_changes = Some(crate::spec::IgnoreChangesSpec {
            add,
            drop,
            drop_why,
        });
    }
}

/// The trailing comments of an object's `ignore_changes` entries that are not markers of
/// the conventions: `(entry without blanks, comment)`.
fn ignore_reasons(ctx: &Ctx, address: &str) -> Vec<(String, String)> {
    ignore_written(ctx, address)
        .into_iter()
        .filter_map(|(entry, comment)| {
            let entry = entry.chars().filter(|c| !c.is_whitespace()).collect();
            Some((entry, comment?))
        })
        .collect()
}

/// The container of the spec whose image an ignore entry names, with its field path
/// (`init_containers[0]`).
fn image_container<'d>(
    d: &'d mut Draft,
    entry: &str,
) -> Option<(String, &'d mut crate::spec::ContainerSpec)> {
    let (init, i) = cv::ignore::image_entry(entry)?;
    let (list, containers) = if init {
        ("init_containers", &mut d.spec.init_containers)
    } else {
        ("containers", &mut d.spec.containers)
    };
    containers.get_mut(i).map(|c| (format!("{list}[{i}]"), c))
}

/// The stack's own words on the ignore entry of a container's image (`# Keel manages
/// ghcr:latest digest`, `# CI_SETS_IMAGE — CI sets it`): the container's `keel_comment`,
/// written after Keel's marker. The conventions' words, with or without the marker, and
/// words holding another marker say nothing of their own.
fn keel_comments(d: &mut Draft, written: &[(String, Option<String>)]) {
    let marker = cv::markers::KEEL_IMAGE;
    for (entry, words) in written {
        let Some(words) = words else { continue };
        let Some((_, c)) = image_container(d, entry).filter(|(_, c)| c.keel != Some(false)) else {
            continue;
        };
        let own = words
            .strip_prefix(marker)
            .unwrap_or(words)
            .trim_start_matches(|c: char| c.is_whitespace() || "—-:".contains(c))
            .trim();
        if own.is_empty()
            || own == cv::markers::KEEL_IMAGE_WORDS
            || cv::markers::find_in(own).is_some()
        {
            continue;
        }
        c.keel_comment = Some(own.to_owned());
    }
}

/// An object's `ignore_changes` entries as the stack writes them, each with its comment:
/// the comment lines right above the entry and its trailing comment, as one text (the
/// reason the spec's `why` renders as the entry's trailing comment). A marker in it is
/// kept: for an entry the conventions do not write, the marker is the stack's own.
fn ignore_written(ctx: &Ctx, address: &str) -> Vec<(String, Option<String>)> {
    let Some(top) = ctx.src.top(&ctx.at(address)) else {
        return Vec::new();
    };
    let path = [b("lifecycle", 0), attr("ignore_changes")];
    let Some(array) = source::find(&top.block.body, &path)
        .and_then(|s| s.as_attribute())
        .map(|a| &a.value)
    else {
        return Vec::new();
    };
    let (Expression::Array(items), Some(open)) = (array, array.span()) else {
        return Vec::new();
    };
    let text = &top.file.text;
    let mut out = Vec::new();
    let mut before = open.start + 1;
    for item in items.iter() {
        let Some(span) = item.span() else {
            continue;
        };
        let mut words = comment_lines_above(&text[before..span.start]);
        before = span.end;
        let entry = text[span.clone()].trim().to_owned();
        let eol = text[span.end..]
            .find('\n')
            .map_or(text.len(), |i| span.end + i);
        let rest = text[span.end..eol].trim_start_matches([',', ' ', '\t']);
        if let Some(trailing) = rest.strip_prefix('#').map(str::trim) {
            words.push(trailing.to_owned());
        }
        words.retain(|w| !w.is_empty());
        out.push((entry, (!words.is_empty()).then(|| words.join(" "))));
    }
    out
}

/// The comment lines of `between` (the text from the end of a list's previous item, or
/// its `[`, to the next item) that stand on their own lines right above the item: those
/// after the previous item's line, up to the item, not cut off by a blank line.
fn comment_lines_above(between: &str) -> Vec<String> {
    let Some((_, own_lines)) = between.split_once('\n') else {
        return Vec::new();
    };
    // The last piece is the item's own line, up to the item.
    let whole_lines = own_lines.rsplit_once('\n').map_or("", |(lines, _)| lines);
    let mut out = Vec::new();
    for line in whole_lines.lines() {
        let line = line.trim();
        if line.is_empty() {
            out.clear();
        } else if let Some(c) = line.strip_prefix('#').or_else(|| line.strip_prefix("//")) {
            out.push(c.trim().to_owned());
        }
    }
    out
}

// --- namespace ------------------------------------------------------------------------

fn namespace(ctx: &Ctx, d: &mut Draft, limits: &Limits) {
    let all = versions::resources(ctx, &cv::namespace::TYPES);
    let chosen = all
        .iter()
        .find(|n| path(n.value, &["metadata"]).and_then(|m| string(m, "name")) == Some(&ctx.name))
        .or_else(|| (all.len() == 1).then(|| &all[0]));
    // A namespace given up stays whole in `raw.stack`: the spec deploys into it as into
    // an existing one.
    let given_up = limits.has(&Part::Namespace);
    let Some(chosen) = chosen.filter(|_| !given_up) else {
        // No namespace of its own: the stack deploys into an existing one, which its
        // objects name as a literal. When none does (a variable, another stack's output),
        // the stack's name stands for it: the objects that name it otherwise differ from
        // what the spec renders and are given up to raw HCL.
        let name = chosen
            .and_then(|n| path(n.value, &["metadata"]).and_then(|m| string(m, "name")))
            .map(str::to_owned)
            .or_else(|| shapes::existing_namespace(ctx))
            .unwrap_or_else(|| ctx.name.clone());
        // The tier is then the Deployment's label's (the app's first).
        if let Some(tier) = choice::app_deployment(ctx)
            .into_iter()
            .chain(versions::deployments(ctx))
            .find_map(|d| {
                path(d.value, &["metadata"])
                    .and_then(|m| get(m, "labels"))
                    .and_then(map)
                    .and_then(|l| l.get(cv::tiers::LABEL))
                    .and_then(val::tier)
            })
        {
            d.spec.tier = Some(tier_of(tier));
        }
        d.spec.namespace = Some(NamespaceSpec {
            name: Some(name),
            create: Some(false),
            ..NamespaceSpec::default()
        });
        // Keel is on when the Deployment leaves its images to Keel (ignores them); without
        // a Deployment there is nothing for it to update (off by default).
        let deployments = versions::deployments(ctx);
        if deployments.is_empty() {
            return;
        }
        let keel = deployments.iter().any(|d| {
            ignore_entries(d.value)
                .iter()
                .any(|e| e.contains("container[") && e.ends_with(".image"))
        });
        d.spec.keel = Some(keel);
        if !keel {
            d.reasons.push("keel_why".to_owned());
            d.spec.keel_why = Some(NO_REASON.to_owned());
        }
        return;
    };
    let (address, v) = (chosen.address(), chosen.value);
    d.claim(
        &ctx.at(&address),
        &address,
        Some(Part::Namespace),
        Some(Slot::Namespace),
    );
    let meta = path(v, &["metadata"]);
    let mut ns = NamespaceSpec {
        name: meta.and_then(|m| string(m, "name")).map(str::to_owned),
        address: Some(chosen.label.clone()),
        resource_type: Some(chosen.ty.to_owned()),
        labels: OrderedMap::default(),
        ..NamespaceSpec::default()
    };
    if get(v, "lifecycle").is_none() {
        // No ignore of the label Kyverno stamps (stack-patterns v2 section 6).
        ns.goldilocks_ignore = Some(false);
    }
    let mut keel = false;
    if let Some(labels) = meta.and_then(|m| get(m, "labels")) {
        if let Some(tier) = map(labels)
            .and_then(|m| m.get(cv::tiers::LABEL))
            .and_then(val::tier)
        {
            d.spec.tier = Some(tier_of(tier));
        }
        let mut rest = Vec::new();
        if let Some(m) = map(labels) {
            for (k, v) in m {
                if k == cv::tiers::LABEL && val::tier(v).is_some() {
                    continue;
                }
                if k == cv::keel::ENROLLED_LABEL
                    && v.as_primitive_string().as_deref() == Some("true")
                {
                    keel = true;
                    continue;
                }
                rest.push(k.clone());
            }
        }
        let skip: Vec<&str> = map(labels)
            .map(|m| {
                m.keys()
                    .map(String::as_str)
                    .filter(|k| !rest.iter().any(|r| r == k))
                    .collect()
            })
            .unwrap_or_default();
        if let Some(ordered) =
            ctx.ordered(&address, &[b("metadata", 0), attr("labels")], labels, &skip)
        {
            ns.labels = OrderedMap(ordered);
        }
    }
    let mut comment = ctx.above(d, &address, &[]).take(d);
    // A stack without the TLS module and without an ingress: dlgen writes the reason as
    // the namespace comment's last line.
    let no_tls = format!("{}: ", cv::ingress::NO_TLS_COMMENT);
    if ctx.modules(cv::repo::TLS_MODULE).is_empty()
        && ctx.modules(cv::repo::INGRESS_MODULE).is_empty()
        && let Some(i) = comment.iter().position(|l| l.starts_with(&no_tls))
    {
        let why = comment.drain(i..).collect::<Vec<_>>().join(" ");
        d.spec.tls = Some(crate::spec::TlsSpec {
            enabled: Some(false),
            why: Some(why[no_tls.len()..].trim().to_owned()),
        });
    }
    // A namespace without the enrolment label whose Deployment carries Keel's own
    // annotations, or that leaves its images to Keel (ignores them), keeps Keel on.
    let deployments = versions::deployments(ctx);
    let keel_annotations = deployments.iter().any(|d| {
        path(d.value, &["metadata"])
            .and_then(|m| get(m, "annotations"))
            .and_then(map)
            .is_some_and(|a| {
                cv::keel_keys::ALL
                    .iter()
                    .any(|(_, key, _)| a.contains_key(*key))
            })
            || ignore_entries(d.value)
                .iter()
                .any(|e| e.contains("container[") && e.ends_with(".image"))
    });
    if !keel && keel_annotations {
        ns.keel_enrolled = Some(false);
        d.spec.keel = Some(true);
    } else if keel {
        d.spec.keel = Some(true);
    } else if deployments.is_empty() {
        // No Deployment for Keel to update: off by default, nothing to explain.
    } else {
        d.spec.keel = Some(false);
        // dlgen writes the reason as the namespace comment's last line.
        let prefix = "Keel auto-upgrade is off: ";
        let why = comment
            .iter()
            .position(|l| l.starts_with(prefix))
            .map(|i| comment.drain(i..).collect::<Vec<_>>().join(" "));
        d.spec.keel_why = Some(match why {
            Some(w) => w[prefix.len()..].to_owned(),
            None => {
                d.reasons.push("keel_why".to_owned());
                NO_REASON.to_owned()
            }
        });
    }
    d.spec.comment = text(comment);
    d.spec.namespace = Some(ns);
}

/// The tier a spec's `tier` stands for, with the model's default when it has none.
fn tier_key(tier: Option<Tier>, gpu: bool) -> &'static str {
    match tier {
        Some(Tier::Core) => "core",
        Some(Tier::Cluster) => "cluster",
        Some(Tier::Gpu) => "gpu",
        Some(Tier::Edge) => "edge",
        Some(Tier::Aux) => "aux",
        None if gpu => cv::gpu::TIER,
        None => "aux",
    }
}

fn tier_of(key: &str) -> Tier {
    match key {
        "core" => Tier::Core,
        "cluster" => Tier::Cluster,
        "gpu" => Tier::Gpu,
        "edge" => Tier::Edge,
        _ => Tier::Aux,
    }
}

// --- the Deployment -------------------------------------------------------------------

/// The Deployment and its pod. Returns the reason a PVC gives for having no backup
/// (`# dlgen:allow block-storage-backup <why>`), if any.
fn deployment(
    ctx: &Ctx,
    d: &mut Draft,
    limits: &Limits,
    eso: bool,
    service: bool,
    blockers: &mut Vec<Blocker>,
) -> Option<String> {
    let chosen = choice::app_deployment(ctx);
    let Some(chosen) = chosen.filter(|_| !limits.has(&Part::Deployment)) else {
        // No Deployment the spec describes (none, several none of which is the app's, or
        // one given up): a spec of jobs only, or one whose workload stays whole in
        // `raw.stack`.
        return None;
    };
    let (label, v) = (&chosen.label, chosen.value);
    let address = chosen.address();
    d.claim(
        &ctx.at(&address),
        &address,
        Some(Part::Deployment),
        Some(Slot::Deployment),
    );
    let mut dep = DeploymentSpec {
        address: Some(label.clone()),
        resource_type: chosen.non_default(&cv::workload::DEPLOYMENT_TYPES),
        ..DeploymentSpec::default()
    };
    let meta = path(v, &["metadata"]);
    let labels = meta.and_then(|m| get(m, "labels")).and_then(map);
    // The preset labels both the Deployment and its pods; a stack that labels only one
    // of them keeps that label as an extra label there.
    let pod_labels = path(v, &["spec", "template", "metadata"])
        .and_then(|m| get(m, "labels"))
        .and_then(map);
    dep.cluster_service_label = Some(
        [labels, pod_labels]
            .iter()
            .all(|l| l.is_some_and(|l| l.contains_key(cv::labels::CLUSTER_SERVICE))),
    );
    // Scale-to-zero is the main ingress's too: with the ingress given up (or the Service
    // it routes to), the sablier labels and the replicas ignore are read as any others.
    if labels
        .and_then(|l| l.get(cv::sablier::ENABLE))
        .and_then(Value::as_primitive_string)
        .as_deref()
        == Some("true")
        && !limits.has(&Part::Ingress)
        && !limits.has(&Part::Service)
    {
        d.spec.scale_to_zero = Some(true);
    }
    workload_settings(ctx, d, &address, v, &mut dep);
    if let Some(ann) = meta.and_then(|m| get(m, "annotations"))
        && let Some(entries) =
            ctx.ordered_values(&address, &[b("metadata", 0), attr("annotations")], ann, &[])
        // Keel's keys are literals (a value form there is left for the prover to report).
        && entries.iter().all(|(k, v)| {
            !cv::keel_keys::ALL.iter().any(|(_, key, _)| key == k) || literal_text(v).is_some()
        })
    {
        // Keel's annotations: seeded when the stack still ignores them (Kyverno's Keel
        // policy owns them), owned otherwise.
        let ignored = ignore_entries(v);
        let mut rest = Vec::new();
        for (k, value) in entries {
            let keel = cv::keel_keys::ALL.iter().find(|(_, key, _)| *key == k);
            match keel {
                Some((spec_key, key, _)) => {
                    let seeded = ignored
                        .iter()
                        .any(|e| e.contains(&format!("annotations[\"{key}\"]")));
                    let to = if seeded && d.spec.keel != Some(false) {
                        &mut d.spec.keel_seeds
                    } else {
                        &mut d.spec.keel_owns
                    };
                    to.0.push((
                        (*spec_key).to_owned(),
                        literal_text(&value).unwrap_or_default(),
                    ));
                }
                None => rest.push((k, value)),
            }
        }
        dep.annotations = OrderedMap(rest);
    }
    let spec = block(v, "spec");
    let strategy_block = spec.and_then(|s| block(s, "strategy"));
    let strategy = strategy_block.and_then(|s| string(s, "type"));
    match strategy {
        Some("Recreate") => {
            d.spec.strategy = Some(Strategy::Recreate);
            let at = [b("spec", 0), b("strategy", 0)];
            // Above the block, after a one-line block (`strategy { type = "Recreate" }
            // # RWO volume`), or after its `type` (`type = "Recreate" # RWO volume`).
            let ty = [b("spec", 0), b("strategy", 0), attr("type")];
            d.spec.strategy_why = text(ctx.above(d, &address, &at).take(d))
                .or_else(|| ctx.after(d, &address, &at))
                .or_else(|| ctx.after(d, &address, &ty));
        }
        Some("RollingUpdate") => {
            d.spec.strategy = Some(Strategy::RollingUpdate);
            if let Some(ru) = strategy_block.and_then(|s| block(s, "rolling_update")) {
                d.spec.rolling_update = Some(crate::spec::RollingUpdateSpec {
                    max_surge: get(ru, "max_surge").and_then(val::scalar),
                    max_unavailable: get(ru, "max_unavailable").and_then(val::scalar),
                });
            }
        }
        _ if strategy_block.is_none() => d.spec.strategy = Some(Strategy::Unset),
        // The limits alone, without a `type` (wireguard, xray).
        None => {
            if let Some(ru) = strategy_block.and_then(|s| block(s, "rolling_update")) {
                d.spec.strategy = Some(Strategy::Unset);
                d.spec.rolling_update = Some(crate::spec::RollingUpdateSpec {
                    max_surge: get(ru, "max_surge").and_then(val::scalar),
                    max_unavailable: get(ru, "max_unavailable").and_then(val::scalar),
                });
            }
        }
        _ => {}
    }
    let template_meta = spec
        .and_then(|s| block(s, "template"))
        .and_then(|t| block(t, "metadata"));
    if let Some(ann) = template_meta.and_then(|m| get(m, "annotations")) {
        let at = [
            b("spec", 0),
            b("template", 0),
            b("metadata", 0),
            attr("annotations"),
        ];
        let sums = around::checksum_annotations(d);
        let sums: Vec<&str> = sums.iter().map(String::as_str).collect();
        if let Some(mut entries) = ctx.ordered_values(&address, &at, ann, &sums) {
            dep.diun = diun(&mut entries);
            dep.wait_for = wait_for(&mut entries);
            dep.prometheus = prometheus(&mut entries);
            dep.pod_annotations = OrderedMap(entries);
        }
    }
    let Some(pod) = path(v, &POD) else {
        blockers.push(Blocker {
            part: Some(Part::Deployment),
            ..blocker(
                "kubernetes_deployment > spec > template > spec (none)",
                format!("{address}: no pod spec (`spec.template.spec`)"),
            )
        });
        return None;
    };
    if !limits.has(&Part::DnsOptions)
        && let Some(dns) = block(pod, "dns_config")
        && val::other_keys(dns, &["option", "nameservers", "searches"]).is_empty()
        && let Some(options) = dns_options(dns)
    {
        dep.dns_options = OrderedMap(options);
    }
    pod_settings!(pod, dep);
    pod_comments(
        ctx,
        d,
        (&address, &pod_path()),
        (&dep.image_pull_secrets, &mut dep.image_pull_secrets_why),
        &mut dep.tolerations,
    );
    let s = scheduling::read(pod, scheduling::selector(v));
    (dep.node_affinity, dep.pod_affinity, dep.anti_affinity) =
        (s.node_affinity, s.pod_affinity, s.anti_affinity);
    dep.topology_spread = s.topology_spread;
    let (volumes, why) = volumes(ctx, d, limits, pod, &address);
    workloads::rolling_block_storage(ctx, d, &address);
    let pc = PodCtx {
        address: &address,
        limits,
        eso,
        service,
        volumes: &volumes,
        burstable: cv::tiers::BURSTABLE.contains(&tier_key(d.spec.tier, dep.gpu.is_some())),
    };
    own_image(ctx, d);
    containers(ctx, d, &pc, pod, blockers);
    init_containers(ctx, d, &pc, pod);
    gpu_preset(d, &mut dep);
    d.spec.deployment = Some(dep);
    why
}

/// The entries of an object's `ignore_changes`, as text.
fn ignore_entries(v: &Value) -> Vec<String> {
    match block(v, "lifecycle").and_then(|l| get(l, "ignore_changes")) {
        Some(Value::List(items) | Value::Set(items)) => {
            items.iter().map(ToString::to_string).collect()
        }
        _ => Vec::new(),
    }
}

/// The Deployment's own settings: its name and app label, replicas, rollout settings and
/// the labels beyond the generated ones.
fn workload_settings(ctx: &Ctx, d: &mut Draft, address: &str, v: &Value, dep: &mut DeploymentSpec) {
    let meta = path(v, &["metadata"]);
    let spec = block(v, "spec");
    dep.wait_for_rollout = val::boolean(v, "wait_for_rollout");
    if dep.wait_for_rollout.is_some() {
        dep.wait_for_rollout_why = text(ctx.above(d, address, &[attr("wait_for_rollout")]).take(d));
    }
    let u32_of = |v: Option<&Value>, k: &str| {
        v.and_then(|v| int(v, k))
            .and_then(|n| u32::try_from(n).ok())
    };
    // A Deployment that does not say its replicas: `null` (none written).
    let written = spec.and_then(|s| get(s, "replicas")).is_some();
    dep.replicas = match (u32_of(spec, "replicas"), written) {
        (Some(n), _) => Some(Some(n)),
        (None, false) if spec.is_some() => Some(None),
        (None, _) => None,
    };
    if dep.replicas.is_some_and(|r| r.is_some()) {
        dep.replicas_why = text(
            ctx.above(d, address, &[b("spec", 0), attr("replicas")])
                .take(d),
        );
    }
    if dep.replicas == Some(Some(0)) && dep.replicas_why.is_none() {
        d.reasons.push("deployment.replicas_why".to_owned());
        dep.replicas_why = Some(NO_REASON.to_owned());
    }
    dep.revision_history_limit = u32_of(spec, "revision_history_limit");
    dep.progress_deadline_seconds = u32_of(spec, "progress_deadline_seconds");
    // The app label: the selector's one label, whose value is the Deployment's name.
    let selector = spec
        .and_then(|s| block(s, "selector"))
        .and_then(|s| get(s, "match_labels"))
        .and_then(val::string_map);
    let name = meta.and_then(|m| string(m, "name"));
    dep.name = name.map(str::to_owned);
    if let Some([(key, value)]) = selector.as_deref()
        && name == Some(value.as_str())
    {
        dep.label_key = Some(key.clone());
    }
    let key = dep
        .label_key
        .clone()
        .unwrap_or_else(|| cv::workload::APP_LABEL.to_owned());
    let sablier = d.spec.scale_to_zero == Some(true);
    let cluster_service = dep.cluster_service_label != Some(false);
    let generated = |k: &str| {
        k == key
            || cluster_service && k == cv::labels::CLUSTER_SERVICE
            || sablier
                && (k == cv::sablier::ENABLE
                    || k == cv::sablier::GROUP
                    || k == cv::sablier::READY_AFTER)
    };
    if let Some(labels) = meta.and_then(|m| get(m, "labels")) {
        let own_tier = map(labels)
            .and_then(|m| m.get(cv::workload::TIER_LABEL))
            .and_then(val::tier);
        let tier = own_tier.is_some();
        // The tier label is a reference (`local.tiers.<t>`), not a string: read the others
        // without it.
        let skip: &[&str] = if tier {
            &[cv::workload::TIER_LABEL]
        } else {
            &[]
        };
        let entries = ctx
            .ordered(address, &[b("metadata", 0), attr("labels")], labels, skip)
            .unwrap_or_default();
        dep.tier_label = Some(tier);
        // The tier the label names, which may not be the namespace's.
        dep.tier = own_tier.map(tier_of);
        dep.labels = OrderedMap(
            entries
                .into_iter()
                .filter(|(k, _)| !(generated(k) || tier && k == cv::workload::TIER_LABEL))
                .collect(),
        );
    }
    let template_labels = spec
        .and_then(|s| block(s, "template"))
        .and_then(|t| block(t, "metadata"))
        .and_then(|m| get(m, "labels"));
    if let Some(labels) = template_labels {
        let at = [
            b("spec", 0),
            b("template", 0),
            b("metadata", 0),
            attr("labels"),
        ];
        let entries = ctx.ordered(address, &at, labels, &[]).unwrap_or_default();
        dep.pod_labels = OrderedMap(entries.into_iter().filter(|(k, _)| !generated(k)).collect());
    }
}

/// The pod's volumes, in order: each the spec can say, and one whose source it cannot
/// say with that source as raw HCL at the volume; until the first of neither.
fn volumes(
    ctx: &Ctx,
    d: &mut Draft,
    limits: &Limits,
    pod: &Value,
    address: &str,
) -> (Vec<String>, Option<String>) {
    let mut names = Vec::new();
    let mut backup_why = None;
    for (k, vol) in blocks(pod, "volume")
        .iter()
        .enumerate()
        .take(limits.volumes())
    {
        let spec =
            pod_volume(vol).or_else(|| claim_volume(ctx, d, limits, k, vol, &mut backup_why));
        let index = d.spec.volumes.len();
        let Some(mut spec) = spec.or_else(|| volumes::raw_source(ctx, d, address, (k, index), vol))
        else {
            break;
        };
        // A volume of the pod alone says the comment above its block (a storage volume's
        // is the one above its PVC or NFS module call).
        if spec.storage.is_none() {
            let mut at = pod_path();
            at.push(b("volume", k));
            spec.comment = text(ctx.above(d, address, &at).take(d));
        }
        d.spec.volumes.push(spec);
        names.push(string(vol, "name").unwrap_or_default().to_owned());
    }
    (names, backup_why)
}

/// Pod volume `k` when it is a claim the spec says: a PVC of the stack, the NFS module's,
/// or one named that the stack does not declare.
fn claim_volume(
    ctx: &Ctx,
    d: &mut Draft,
    limits: &Limits,
    k: usize,
    vol: &Value,
    backup_why: &mut Option<String>,
) -> Option<VolumeSpec> {
    if !val::other_keys(vol, &["name", "persistent_volume_claim"]).is_empty() {
        return None;
    }
    let vname = string(vol, "name")?;
    let claim = block(vol, "persistent_volume_claim")?;
    if !val::other_keys(claim, &["claim_name"]).is_empty() {
        return None;
    }
    let claim_name = get(claim, "claim_name")?;
    let storage_given_up = limits.has(&Part::VolumeStorage(k));
    let declared = |name: &str| {
        versions::resources(ctx, &cv::pvc::TYPES)
            .iter()
            .any(|c| path(c.value, &["metadata"]).and_then(|m| string(m, "name")) == Some(name))
    };
    match claim_name {
        Value::String(pvc_name) if !declared(pvc_name) => Some(VolumeSpec {
            name: Some(vname.to_owned()),
            claim: Some(pvc_name.clone()),
            ..VolumeSpec::default()
        }),
        // A PVC of the stack the spec cannot say (or gives up) stays whole in raw HCL; the
        // volume still names it.
        Value::String(pvc_name) => (!storage_given_up)
            .then(|| pvc(ctx, d, k, vname, pvc_name, backup_why))
            .flatten()
            .or_else(|| {
                Some(VolumeSpec {
                    name: Some(vname.to_owned()),
                    claim: Some(pvc_name.clone()),
                    ..VolumeSpec::default()
                })
            }),
        other => ctx
            .module_output(other, "claim_name")
            .filter(|_| !storage_given_up)
            .and_then(|m| nfs(ctx, d, (k, Part::VolumeStorage(k)), vname, m)),
    }
}

/// A volume of the pod alone (scratch, config map, secret, node path), as written.
fn pod_volume(vol: &Value) -> Option<VolumeSpec> {
    use crate::spec::{
        EmptyDirMedium, EmptyDirSpec, HostPathSpec, HostPathType, KeyPathSpec, KeysVolumeSpec,
    };
    let name = string(vol, "name")?.to_owned();
    let keys = val::other_keys(vol, &["name"]);
    let [source] = keys.as_slice() else {
        return None;
    };
    let body = block(vol, source)?;
    let flag = |k: &str| val::boolean(body, k);
    let items = || -> Option<Vec<KeyPathSpec>> {
        blocks(body, "items")
            .iter()
            .map(|i| {
                val::other_keys(i, &["key", "path", "mode"])
                    .is_empty()
                    .then(|| KeyPathSpec {
                        key: prim(i, "key"),
                        path: prim(i, "path"),
                        mode: prim(i, "mode"),
                    })
            })
            .collect()
    };
    let mut spec = VolumeSpec {
        name: Some(name),
        ..VolumeSpec::default()
    };
    match *source {
        "empty_dir" => {
            if !val::other_keys(body, &["medium", "size_limit"]).is_empty() {
                return None;
            }
            spec.empty_dir = Some(EmptyDirSpec {
                medium: match string(body, "medium") {
                    None => None,
                    Some("Memory") => Some(EmptyDirMedium::Memory),
                    Some(_) => return None,
                },
                size_limit: prim(body, "size_limit"),
            });
        }
        "config_map" => {
            if !val::other_keys(body, &["name", "default_mode", "optional", "items"]).is_empty() {
                return None;
            }
            spec.config_map = Some(KeysVolumeSpec {
                name: Some(string(body, "name")?.to_owned()),
                default_mode: prim(body, "default_mode"),
                optional: flag("optional"),
                items: items()?,
                tls: None,
            });
        }
        "secret" => {
            if !val::other_keys(body, &["secret_name", "default_mode", "optional", "items"])
                .is_empty()
            {
                return None;
            }
            let tls = volumes::tls_secret(get(body, "secret_name"));
            spec.secret = Some(KeysVolumeSpec {
                name: if tls {
                    None
                } else {
                    Some(string(body, "secret_name")?.to_owned())
                },
                default_mode: prim(body, "default_mode"),
                optional: flag("optional"),
                items: items()?,
                tls: tls.then_some(true),
            });
        }
        "host_path" => {
            if !val::other_keys(body, &["path", "type"]).is_empty() {
                return None;
            }
            let kind = match string(body, "type") {
                None => None,
                Some("DirectoryOrCreate") => Some(HostPathType::DirectoryOrCreate),
                Some("Directory") => Some(HostPathType::Directory),
                Some("FileOrCreate") => Some(HostPathType::FileOrCreate),
                Some("File") => Some(HostPathType::File),
                Some("Socket") => Some(HostPathType::Socket),
                Some("CharDevice") => Some(HostPathType::CharDevice),
                Some("BlockDevice") => Some(HostPathType::BlockDevice),
                Some(_) => return None,
            };
            spec.host_path = Some(HostPathSpec {
                path: Some(string(body, "path")?.to_owned()),
                kind,
            });
        }
        "nfs" => spec.nfs = Some(volumes::inline_nfs(body)?),
        _ => return None,
    }
    Some(spec)
}

fn pvc(
    ctx: &Ctx,
    d: &mut Draft,
    k: usize,
    vname: &str,
    pvc_name: &str,
    backup_why: &mut Option<String>,
) -> Option<VolumeSpec> {
    let found = versions::resources(ctx, &cv::pvc::TYPES)
        .into_iter()
        .find(|c| path(c.value, &["metadata"]).and_then(|m| string(m, "name")) == Some(pvc_name))?;
    let address = found.address();
    let (label, v) = (found.label.clone(), found.value);
    if d.claimed(&ctx.at(&address)) {
        return None;
    }
    let spec = block(v, "spec")?;
    let storage = match prim(spec, "storage_class_name")?.as_str() {
        cv::pvc::ENCRYPTED_CLASS => Storage::ProxmoxLvmEncrypted,
        cv::pvc::PLAIN_CLASS => Storage::ProxmoxLvm,
        _ => return None,
    };
    let request = block(spec, "resources")
        .and_then(|r| get(r, "requests"))
        .and_then(|r| get(r, "storage"));
    let size = request.and_then(|r| r.as_primitive_string());
    // A size from a variable (stack-patterns v2 section 5.8).
    let size_var = request.and_then(val::var).map(str::to_owned);
    let annotation = |key: &str| {
        path(v, &["metadata"])
            .and_then(|m| get(m, "annotations"))
            .and_then(|a| prim(a, key))
    };
    let max_size = annotation(cv::autoresize::STORAGE_LIMIT);
    let resize_threshold = annotation(cv::autoresize::THRESHOLD)
        .filter(|t| max_size.is_some() && t != cv::autoresize::THRESHOLD_DEFAULT);
    let resize_increase = annotation(cv::autoresize::INCREASE)
        .filter(|i| max_size.is_some() && i != cv::autoresize::INCREASE_DEFAULT);
    let mut comment = Vec::new();
    let (mut wait_why, mut autoresize_why, mut ignore_why) = (None, None, None);
    for line in ctx.above(d, &address, &[]).take(d) {
        match allow(&line) {
            Some(("pvc-wait-until-bound", why)) => wait_why = Some(why.to_owned()),
            Some(("pvc-autoresize-annotations", why)) => autoresize_why = Some(why.to_owned()),
            Some(("pvc-ignore-requests", why)) => ignore_why = Some(why.to_owned()),
            Some(("block-storage-backup", why)) => *backup_why = Some(why.to_owned()),
            _ => comment.push(line),
        }
    }
    let waits = val::boolean(v, "wait_until_bound") != Some(false);
    let mut no_reason = |field: &str, why: &mut Option<String>| {
        if why.is_none() {
            d.reasons.push(format!("volumes[{k}].{field}"));
            *why = Some(NO_REASON.to_owned());
        }
    };
    if waits {
        no_reason("wait_until_bound_why", &mut wait_why);
    }
    // The autoresizer's annotations (its ceiling among them) and the `ignore_changes` of
    // the requests it grows: each a convention, each left out only with a reason.
    let autoresize = max_size.is_some();
    let ignore_requests = ignore_entries(v)
        .iter()
        .any(|e| e == cv::ignore::PVC_REQUESTS);
    if !autoresize {
        no_reason("autoresize_why", &mut autoresize_why);
    }
    if !ignore_requests && (autoresize || ignore_why.is_some()) {
        no_reason("ignore_requests_why", &mut ignore_why);
    }
    d.claim(
        &ctx.at(&address),
        &address,
        Some(Part::VolumeStorage(k)),
        Some(Slot::Volume(k)),
    );
    Some(VolumeSpec {
        name: Some(vname.to_owned()),
        storage: Some(storage),
        size,
        size_var,
        max_size,
        resize_threshold,
        resize_increase,
        comment: text(comment),
        address: Some(label),
        resource_type: found.non_default(&cv::pvc::TYPES),
        claim_name: Some(pvc_name.to_owned()),
        wait_until_bound: Some(waits),
        wait_until_bound_why: if waits { wait_why } else { None },
        autoresize: (!autoresize).then_some(false),
        autoresize_why: if autoresize { None } else { autoresize_why },
        ignore_requests: (ignore_requests != autoresize).then_some(ignore_requests),
        ignore_requests_why: if ignore_requests { None } else { ignore_why },
        ..VolumeSpec::default()
    })
}

/// The `nfs_volume` call `module` as volume `k` of the spec, named `vname`, given up as
/// `part` when the spec cannot say it.
fn nfs(
    ctx: &Ctx,
    d: &mut Draft,
    (k, part): (usize, Part),
    vname: &str,
    module: &str,
) -> Option<VolumeSpec> {
    let address = format!("module.{module}");
    if d.claimed(&ctx.at(&address)) {
        return None;
    }
    let (_, v) = ctx
        .modules(cv::repo::NFS_MODULE)
        .into_iter()
        .find(|(name, _)| name == module)?;
    let known = [
        "source",
        "name",
        "namespace",
        "nfs_server",
        "nfs_path",
        "storage",
        "access_modes",
    ];
    if !val::other_keys(v, &known).is_empty() {
        return None;
    }
    // The server: the conventions' variable (the default), another variable, or a literal.
    let server = get(v, "nfs_server")?;
    let server = match (val::var(server), server) {
        (Some(var), _) if var == cv::repo::NFS_SERVER_VARIABLE => None,
        (Some(var), _) => Some(ValueSpec::Var(var.to_owned())),
        (None, Value::String(s)) => Some(ValueSpec::Scalar(Scalar::Str(s.clone()))),
        _ => return None,
    };
    let access_modes = match get(v, "access_modes") {
        None => None,
        Some(Value::List(items)) => Some(val::strings(items)?),
        Some(_) => return None,
    };
    let comment = ctx.above(d, &address, &[]).take(d);
    d.claim(
        &ctx.at(&address),
        &address,
        Some(part),
        Some(Slot::Volume(k)),
    );
    Some(VolumeSpec {
        name: Some(vname.to_owned()),
        storage: Some(Storage::Nfs),
        size: prim(v, "storage"),
        path: prim(v, "nfs_path"),
        comment: text(comment),
        address: Some(module.to_owned()),
        claim_name: prim(v, "name"),
        server,
        access_modes,
        ..VolumeSpec::default()
    })
}

/// What the container recognizers know about the pod they read.
struct PodCtx<'a> {
    /// The Deployment's address.
    address: &'a str,
    limits: &'a Limits,
    /// The stack's ExternalSecret is in the spec, so `secret:` values can be said.
    eso: bool,
    /// A Service is in the spec, so the app container's port can be said.
    service: bool,
    /// The spec's volumes, in order.
    volumes: &'a [String],
    /// The tier lets a memory limit differ from the request.
    burstable: bool,
}

fn containers(ctx: &Ctx, d: &mut Draft, pc: &PodCtx, pod: &Value, blockers: &mut Vec<Blocker>) {
    let (limits, address) = (pc.limits, pc.address);
    let pod_at = pod_path();
    for (i, c) in blocks(pod, "container")
        .iter()
        .enumerate()
        .take(limits.containers())
    {
        let mut at = pod_at.clone();
        at.push(b("container", i));
        let image = container_image(ctx, d, address, &at, c);
        let (Some(name), Some(image)) = (string(c, "name"), image) else {
            if i == 0 {
                blockers.push(Blocker {
                    part: Some(Part::Deployment),
                    ..blocker(
                        "kubernetes_deployment > spec > template > spec > container > image (not a literal string)",
                        format!("{address}: the first container's name and image are not literal strings"),
                    )
                });
            }
            break;
        };
        let mut spec = ContainerSpec {
            name: Some(name.to_owned()),
            comment: text(ctx.above(d, address, &at).take(d)),
            image,
            ..ContainerSpec::default()
        };
        let strings = |key: &str| -> Option<Vec<ValueSpec>> {
            match get(c, key) {
                Some(Value::List(items)) => items
                    .iter()
                    .map(|s| match s {
                        Value::String(s) => Some(ValueSpec::Scalar(Scalar::Str(s.clone()))),
                        _ => None,
                    })
                    .collect(),
                _ => None,
            }
        };
        if !limits.field(i, "command") {
            spec.command = strings("command");
        }
        if !limits.field(i, "args") {
            spec.args = strings("args");
        }
        let field = format!("containers[{i}]");
        env(ctx, d, pc, &at, (&field, limits.env(i)), c, &mut spec);
        if !(limits.field(i, "port") || i == 0 && !pc.service) {
            port(c, &mut spec);
        }
        if !limits.field(i, "settings") {
            container_settings(c, &mut spec);
        }
        spec.resources = if limits.field(i, "resources") {
            None
        } else {
            resources(c, pc.burstable)
        };
        resource_reasons(ctx, d, address, &format!("containers[{i}]"), &mut spec);
        if i == 0 && spec.resources.is_none() {
            // The app container must say its resources: what the spec cannot read stays
            // raw HCL at the container, which says them.
            raw_first::app_resources(ctx, d, address, &at, &mut spec);
        }
        for kind in ["liveness_probe", "readiness_probe", "startup_probe"] {
            if limits.field(i, kind) {
                continue;
            }
            let probe = block(c, kind).and_then(probe);
            match kind {
                "liveness_probe" => spec.liveness_probe = probe,
                "readiness_probe" => spec.readiness_probe = probe,
                _ => spec.startup_probe = probe,
            }
        }
        let own = if i == 0 {
            mounts(d, limits, c, pc.volumes)
        } else {
            0
        };
        if !limits.field(i, "mounts") {
            let cap = if i == 0 { limits.mounts() } else { usize::MAX };
            other_mounts(c, own, cap, pc.volumes, &mut spec);
        }
        d.spec.containers.push(spec);
    }
}

/// The diun preset, read back from the pod annotations it writes (notifications on or
/// off, and the tags to watch right after), which are then taken out of `entries`.
fn diun(entries: &mut Vec<(String, ValueSpec)>) -> Option<crate::spec::DiunSpec> {
    use cv::workload::{DIUN_ENABLE, DIUN_INCLUDE_TAGS};
    let at = entries.iter().position(|(k, _)| k == DIUN_ENABLE)?;
    let enable = match literal_text(&entries[at].1).as_deref() {
        Some("true") => None,
        Some("false") => Some(false),
        _ => return None,
    };
    let tags_at = entries.iter().position(|(k, _)| k == DIUN_INCLUDE_TAGS);
    // The tags pattern next to the flag, a literal (one built from a variable stays an
    // annotation of its own).
    let tags = tags_at.map(|i| (i == at + 1).then(|| literal_text(&entries[i].1)).flatten());
    if tags.as_ref().is_some_and(Option::is_none) {
        return None;
    }
    let include_tags = tags.flatten();
    if let Some(i) = tags_at {
        entries.remove(i);
    }
    entries.remove(at);
    Some(crate::spec::DiunSpec {
        enable,
        include_tags,
    })
}

/// The services Kyverno waits for, read back from the pod annotation they write (every
/// entry a `<service>.<namespace>:<port>`), which is then taken out of `entries`.
fn wait_for(entries: &mut Vec<(String, ValueSpec)>) -> Vec<String> {
    let Some((at, text)) = entries
        .iter()
        .enumerate()
        .find(|(_, (k, _))| k == cv::workload::KYVERNO_WAIT_FOR)
        .and_then(|(i, (_, v))| Some((i, literal_text(v)?)))
    else {
        return Vec::new();
    };
    let targets: Vec<String> = text.split(',').map(str::to_owned).collect();
    let valid = targets.iter().all(|target| {
        target.rsplit_once(':').is_some_and(|(host, port)| {
            crate::validate::host(host).is_ok() && port.parse::<u16>().is_ok_and(|n| n > 0)
        })
    });
    if !valid {
        return Vec::new();
    }
    entries.remove(at);
    targets
}

/// The Prometheus scrape preset, read back from the pod annotations it writes (scraping
/// on, the port, and the path when there is one), which are then taken out of `entries`.
fn prometheus(entries: &mut Vec<(String, ValueSpec)>) -> Option<crate::spec::PrometheusSpec> {
    use cv::workload::{PROMETHEUS_PATH, PROMETHEUS_PORT, PROMETHEUS_SCRAPE};
    let find = |key: &str| entries.iter().position(|(k, _)| k == key);
    let scrape = find(PROMETHEUS_SCRAPE)?;
    let port_at = find(PROMETHEUS_PORT)?;
    if literal_text(&entries[scrape].1).as_deref() != Some("true") || port_at != scrape + 1 {
        return None;
    }
    let port = literal_text(&entries[port_at].1)?
        .parse::<u16>()
        .ok()
        .filter(|p| *p > 0)?;
    let path_at = find(PROMETHEUS_PATH).filter(|i| *i == port_at + 1);
    let path = match path_at {
        Some(i) => Some(literal_text(&entries[i].1)?),
        None => None,
    };
    if let Some(i) = path_at {
        entries.remove(i);
    }
    entries.drain(scrape..=port_at);
    Some(crate::spec::PrometheusSpec {
        port: Some(port),
        path,
    })
}

/// The reasons of a container's memory and CPU limits: the suppressions written above
/// the Deployment (`<container>: <why>`), or the placeholder that asks the reviewer.
fn resource_reasons(
    ctx: &Ctx,
    d: &mut Draft,
    address: &str,
    field: &str,
    spec: &mut ContainerSpec,
) {
    let name = spec.name.clone().unwrap_or_default();
    let Some(r) = spec.resources.as_mut() else {
        return;
    };
    for (rule, why_field, why) in [
        (
            "memory-request-limit",
            "memory_limit_why",
            &mut r.memory_limit_why,
        ),
        ("cpu-limit", "cpu_limit_why", &mut r.cpu_limit_why),
    ] {
        if why.is_none() {
            continue;
        }
        match ctx.allow_reason(d, address, rule, &name) {
            Some(found) => *why = Some(found),
            None => d.reasons.push(format!("{field}.resources.{why_field}")),
        }
    }
}

/// The GPU preset, read back from what it writes: the GPU node label first among the
/// node selector, the GPU toleration first among the tolerations, and the GPU limits
/// last among the app container's limits. Recognized whole or not at all (then those
/// stay the plain fields they were read as); the GPU tier is then the preset's.
fn gpu_preset(d: &mut Draft, dep: &mut DeploymentSpec) {
    use crate::spec::{GpuSpec, TaintEffect, TolerationOperator};
    let g = (
        cv::gpu::TAINT_OPERATOR,
        cv::gpu::TAINT_EFFECT,
        cv::gpu::NODE_LABEL,
        cv::gpu::NODE_LABEL_VALUE,
    );
    let selector = dep
        .node_selector
        .0
        .first()
        .map(|(k, v)| (k.as_str(), v.as_str()));
    if dep.gpu.is_some() || selector != Some((g.2, g.3)) {
        return;
    }
    let toleration = dep.tolerations.first().is_some_and(|t| {
        let operator = match t.operator {
            Some(TolerationOperator::Equal) => "Equal",
            Some(TolerationOperator::Exists) => "Exists",
            None => "",
        };
        let effect = match t.effect {
            Some(TaintEffect::NoSchedule) => "NoSchedule",
            Some(TaintEffect::PreferNoSchedule) => "PreferNoSchedule",
            Some(TaintEffect::NoExecute) => "NoExecute",
            None => "",
        };
        t.key.as_deref() == Some(cv::gpu::TAINT_KEY)
            && operator == g.0
            && t.value.as_deref() == Some(cv::gpu::TAINT_VALUE)
            && effect == g.1
            && t.toleration_seconds.is_none()
    });
    let Some(limits) = d
        .spec
        .containers
        .first_mut()
        .and_then(|c| c.resources.as_mut())
        .map(|r| &mut r.limits.0)
    else {
        return;
    };
    if !toleration {
        return;
    }
    let n = limits.len();
    let (count_at, memory) = match limits.last() {
        Some((k, v)) if k == cv::gpu::MEMORY_RESOURCE => (n.checked_sub(2), v.parse::<u32>().ok()),
        _ => (n.checked_sub(1), None),
    };
    let count = count_at.and_then(|i| {
        let (k, v) = &limits[i];
        (k == cv::gpu::RESOURCE)
            .then(|| v.parse::<u32>().ok())
            .flatten()
    });
    let (Some(i), Some(count)) = (count_at, count) else {
        return;
    };
    if count == 0
        || (limits
            .last()
            .is_some_and(|(k, _)| k == cv::gpu::MEMORY_RESOURCE)
            && memory.is_none())
    {
        return;
    }
    limits.truncate(i);
    dep.node_selector.0.remove(0);
    dep.tolerations.remove(0);
    dep.gpu = Some(GpuSpec {
        count: (count != 1).then_some(count),
        memory_mib: memory,
    });
    if d.spec.tier == Some(Tier::Gpu) {
        d.spec.tier = None;
    }
}

/// A container's image as the spec says it: `Some(Some(literal))`, `Some(None)` for the
/// stack's own image (the spec's `image:` recognized, the container reading its local),
/// `None` when the spec cannot say it.
fn container_image(
    ctx: &Ctx,
    d: &Draft,
    address: &str,
    at: &[Step],
    c: &Value,
) -> Option<Option<ValueSpec>> {
    if let Some(image) = string(c, "image") {
        return Some(Some(ValueSpec::Scalar(Scalar::Str(image.to_owned()))));
    }
    if let Some(own) = d.spec.image.as_ref() {
        // However the stack spells it (`"${local.image}:${local.image_tag}"`, the tag
        // variable inline), an image whose value is the own image's runs it.
        if let Some((repository, var)) = get(c, "image").and_then(own_image_repository)
            && own.repository.as_deref() == Some(repository.as_str())
            && var == own.variable()
        {
            return Some(None);
        }
        let mut path = at.to_vec();
        path.push(attr("image"));
        if let Some((_, expr)) = ctx.source_attribute(address, &path)
            && expr.value.to_string().trim() == format!("local.{}", cv::own_image::LOCAL)
        {
            return Some(None);
        }
    }
    // Another image tagged by a variable (a backend built with the frontend).
    get(c, "image")
        .and_then(|v| val::value_spec(v, &ctx.secret_name))
        .filter(crate::model::image_form)
        .map(Some)
}

/// The stack's own image (the in-house family): the tag variable and the local holding
/// the image reference with that tag, as the spec's `image:` renders them; only the
/// repository and what differs from the conventions (the default tag, the description,
/// the variable's name `image_tag`) are written. The variable is the one the local holding
/// the image is tagged with, or else the one variable every own image is tagged with.
/// Left unrecognized (raw HCL) when either is written another way.
fn own_image(ctx: &Ctx, d: &mut Draft) {
    let tops: Vec<_> = ctx.src.tops().collect();
    // The local holding the image (other locals of its block are the residue's to keep
    // or to drop, as for any locals block), or else the one repository the workloads'
    // images are tagged with a variable (`"${local.image}:${local.image_tag}"` over a
    // local of the bare repository, `"<repository>:${var.image_tag}"` inline): locals
    // are evaluated, so the spec's `local.image` renders the same images. Inside a
    // wrapping module, the images say it (in the root's variables).
    let from_local = tops.iter().filter(|_| ctx.scope.is_none()).find_map(|t| {
        if t.block.ident.as_str() != "locals" {
            return None;
        }
        let local = t.block.body.get_attribute(cv::own_image::LOCAL)?;
        let Expression::StringTemplate(template) = &local.value else {
            return None;
        };
        let text = local.value.to_string();
        let (head, tail) = text
            .trim()
            .strip_prefix('"')?
            .strip_suffix("}\"")?
            .rsplit_once(":${var.")?;
        (template.iter().count() == 2 && plain_repository(head) && crate::hcl::is_identifier(tail))
            .then(|| (head.to_owned(), tail.to_owned()))
    });
    let Some((repository, variable)) = from_local.or_else(|| {
        let mut found = std::collections::BTreeSet::new();
        for (a, v) in ctx.input.objects() {
            if matches!(a, Address::Object(addr) if ctx.in_scope(&addr.module)) {
                images(v, &mut found);
            }
        }
        let mut found = found.into_iter();
        match (found.next(), found.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    }) else {
        return;
    };
    if variable == cv::repo::TLS_SECRET_VARIABLE {
        return;
    }
    let label_is = |t: &source::Top, ident: &str, label: &str| {
        t.block.ident.as_str() == ident
            && t.block.labels.len() == 1
            && t.block.labels[0].as_str() == label
    };
    let Some(var) = tops.iter().find(|t| label_is(t, "variable", &variable)) else {
        return;
    };
    let attr_str = |body: &hcl_edit::structure::Body, key: &str| {
        body.get_attribute(key).map(|a| match &a.value {
            Expression::String(s) => Some(s.value().to_string()),
            _ => None,
        })
    };
    let known = ["type", "default", "description"];
    if var.block.body.iter().any(|s| {
        s.as_attribute()
            .is_none_or(|a| !known.contains(&a.key.as_str()))
    }) || var
        .block
        .body
        .get_attribute("type")
        .is_none_or(|a| a.value.to_string().trim() != "string")
    {
        return;
    }
    let Some(Some(tag)) = attr_str(&var.block.body, "default") else {
        return;
    };
    // No description is the empty one.
    let description = match attr_str(&var.block.body, "description") {
        None => String::new(),
        Some(Some(text)) if !text.is_empty() => text,
        Some(_) => return,
    };
    d.spec.image = Some(crate::spec::OwnImageSpec {
        repository: Some(repository),
        tag: (tag != cv::own_image::DEFAULT_TAG).then_some(tag),
        description: (description != cv::own_image::description(&ctx.name)).then_some(description),
        variable: (variable != cv::own_image::VARIABLE).then_some(variable),
    });
}

/// A repository the spec can write before `:${var.<tag>}`.
fn plain_repository(repository: &str) -> bool {
    !repository.is_empty()
        && !repository.contains(['$', '%', '\\', '"', ' '])
        && !repository.ends_with(':')
}

/// The repository and the tag variable of an image whose value is
/// `"<repository>:${var.<tag>}"`, however the stack wrote it (locals are evaluated).
fn own_image_repository(v: &Value) -> Option<(String, String)> {
    let Value::Unknown(sym) = v else {
        return None;
    };
    let planeq::Sym::Template(parts) = sym.as_ref() else {
        return None;
    };
    let (last, head) = parts.split_last()?;
    let Value::Unknown(last) = last else {
        return None;
    };
    let planeq::Sym::Ref {
        root: planeq::Root::Var(variable),
        steps,
    } = last.as_ref()
    else {
        return None;
    };
    if !steps.is_empty() {
        return None;
    }
    let mut text = String::new();
    for part in head {
        let Value::String(s) = part else {
            return None;
        };
        text.push_str(s);
    }
    let repository = text.strip_suffix(':')?;
    plain_repository(repository).then(|| (repository.to_owned(), variable.clone()))
}

/// The own-image repositories of every `image` attribute in a value tree.
fn images(v: &Value, found: &mut std::collections::BTreeSet<(String, String)>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                if k == "image"
                    && let Some(r) = own_image_repository(v)
                {
                    found.insert(r);
                }
                images(v, found);
            }
        }
        Value::List(items) | Value::Set(items) | Value::Blocks(items) => {
            for v in items {
                images(v, found);
            }
        }
        _ => {}
    }
}

/// A container's `command` or `args`: strings, or value forms (a script interpolating a
/// variable or a Vault read is a template).
fn string_list(c: &Value, key: &str, secret_name: &str) -> Option<Vec<ValueSpec>> {
    match get(c, key) {
        Some(Value::List(items)) => items
            .iter()
            .map(|s| match s {
                Value::String(s) => Some(ValueSpec::Scalar(Scalar::Str(s.clone()))),
                Value::Unknown(_) => val::value_spec(s, secret_name),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// The pod's init containers, all of them or none (then they stay raw HCL in the pod).
fn init_containers(ctx: &Ctx, d: &mut Draft, pc: &PodCtx, pod: &Value) {
    if pc.limits.has(&Part::InitContainers) {
        return;
    }
    let mut out = Vec::new();
    for (k, c) in blocks(pod, "init_container").iter().enumerate() {
        let mut at = pod_path();
        at.push(b("init_container", k));
        let image = container_image(ctx, d, pc.address, &at, c);
        let (Some(name), Some(image)) = (string(c, "name"), image) else {
            return;
        };
        let mut spec = ContainerSpec {
            name: Some(name.to_owned()),
            comment: text(ctx.above(d, pc.address, &at).take(d)),
            image,
            command: string_list(c, "command", &ctx.secret_name),
            args: string_list(c, "args", &ctx.secret_name),
            ..ContainerSpec::default()
        };
        let field = format!("init_containers[{k}]");
        env(ctx, d, pc, &at, (&field, usize::MAX), c, &mut spec);
        container_settings(c, &mut spec);
        spec.resources = resources(c, pc.burstable);
        resource_reasons(ctx, d, pc.address, &field, &mut spec);
        other_mounts(c, 0, usize::MAX, pc.volumes, &mut spec);
        out.push(spec);
    }
    d.spec.init_containers = out;
}

/// The container's env, read into `spec`; `(field, limit)`: the container's spec path
/// (`containers[0]`) and how many variables the inversion may still read.
fn env(
    ctx: &Ctx,
    d: &mut Draft,
    pc: &PodCtx,
    at: &[Step],
    (field, limit): (&str, usize),
    c: &Value,
    spec: &mut ContainerSpec,
) {
    for (j, e) in blocks(c, "env").iter().enumerate().take(limit) {
        let Some(name) = string(e, "name") else {
            break;
        };
        let mut entry = EnvSpec {
            name: Some(name.to_owned()),
            ..EnvSpec::default()
        };
        let keys = val::other_keys(e, &["name"]);
        match keys.as_slice() {
            ["value"] => {
                let mut value_at = at.to_vec();
                value_at.extend([b("env", j), attr("value")]);
                let Some(value) = get(e, "value").and_then(|v| {
                    values::literal_json(ctx, pc.address, &value_at, v)
                        .or_else(|| ctx.written_reference(pc.address, &value_at, None))
                        .or_else(|| val::value_spec(v, &ctx.secret_name))
                        .or_else(|| ctx.expression(pc.address, &value_at))
                }) else {
                    break;
                };
                if matches!(value, ValueSpec::Scalar(_)) && crate::validate::looks_secret(name) {
                    d.reasons.push(format!("{field}.env[{j}].plain_why"));
                    entry.plain_why = Some(
                        "imported as it stands: the stack sets this value in plain text (review: move it to Vault)"
                            .to_owned(),
                    );
                }
                entry.value = Some(value);
            }
            ["value_from"] => {
                let from = block(e, "value_from");
                if let Some(field) = from
                    .filter(|f| val::other_keys(f, &["field_ref"]).is_empty())
                    .and_then(|f| block(f, "field_ref"))
                    .filter(|r| val::other_keys(r, &["field_path"]).is_empty())
                    .and_then(|r| string(r, "field_path"))
                {
                    entry.field_ref = Some(field.to_owned());
                } else {
                    let Some(r) = from
                        .filter(|f| val::other_keys(f, &["secret_key_ref"]).is_empty())
                        .and_then(|f| block(f, "secret_key_ref"))
                        .filter(|r| val::other_keys(r, &["name", "key", "optional"]).is_empty())
                    else {
                        break;
                    };
                    let (Some(secret), Some(key)) = (string(r, "name"), string(r, "key")) else {
                        break;
                    };
                    if secret != ctx.secret_name {
                        entry.secret_name = Some(secret.to_owned());
                    } else if !pc.eso {
                        break;
                    }
                    entry.optional = match get(r, "optional") {
                        None => None,
                        Some(b) => match val::as_bool(b) {
                            Some(b) => Some(b),
                            None => break,
                        },
                    };
                    entry.secret = Some(key.to_owned());
                }
            }
            _ => break,
        }
        let mut env_at = at.to_vec();
        env_at.push(b("env", j));
        entry.comment = text(ctx.above(d, pc.address, &env_at).take(d));
        spec.env.push(entry);
    }
}

/// A container's settings written as they are: pull policy, working directory, stdin
/// and terminal, env_from, security context, lifecycle hooks.
fn container_settings(c: &Value, spec: &mut ContainerSpec) {
    use crate::spec::{
        CapabilitiesSpec, ContainerSecuritySpec, EnvFromSpec, HooksSpec, PullPolicy,
    };
    let flag = |v: &Value, k: &str| val::boolean(v, k);
    spec.image_pull_policy = match string(c, "image_pull_policy") {
        Some("Always") => Some(PullPolicy::Always),
        Some("IfNotPresent") => Some(PullPolicy::IfNotPresent),
        Some("Never") => Some(PullPolicy::Never),
        _ => None,
    };
    spec.working_dir = string(c, "working_dir").map(str::to_owned);
    spec.stdin = flag(c, "stdin");
    spec.tty = flag(c, "tty");
    for ef in blocks(c, "env_from") {
        let (secret, config_map) = (block(ef, "secret_ref"), block(ef, "config_map_ref"));
        let Some(r) = secret.or(config_map) else {
            break;
        };
        if !val::other_keys(ef, &["secret_ref", "config_map_ref"]).is_empty()
            || !val::other_keys(r, &["name", "optional"]).is_empty()
        {
            break;
        }
        let Some(name) = string(r, "name").map(str::to_owned) else {
            break;
        };
        spec.env_from.push(EnvFromSpec {
            secret: secret.is_some().then(|| name.clone()),
            config_map: secret.is_none().then_some(name),
            optional: flag(r, "optional"),
        });
    }
    if let Some(sc) = block(c, "security_context") {
        let known = [
            "run_as_user",
            "run_as_group",
            "run_as_non_root",
            "privileged",
            "allow_privilege_escalation",
            "read_only_root_filesystem",
            "capabilities",
            "seccomp_profile",
        ];
        if val::other_keys(sc, &known).is_empty()
            && let Some(seccomp_profile) = seccomp_profile(sc)
        {
            let list = |v: &Value, k: &str| -> Option<Vec<String>> {
                match get(v, k) {
                    None => Some(Vec::new()),
                    Some(Value::List(items) | Value::Set(items)) => val::strings(items),
                    Some(_) => None,
                }
            };
            let capabilities = match block(sc, "capabilities") {
                None => Some(None),
                Some(cap) => list(cap, "add")
                    .zip(list(cap, "drop"))
                    .map(|(add, drop)| Some(CapabilitiesSpec { add, drop })),
            };
            if let Some(capabilities) = capabilities {
                spec.security_context = Some(ContainerSecuritySpec {
                    run_as_user: int(sc, "run_as_user"),
                    run_as_group: int(sc, "run_as_group"),
                    run_as_non_root: flag(sc, "run_as_non_root"),
                    privileged: flag(sc, "privileged"),
                    allow_privilege_escalation: flag(sc, "allow_privilege_escalation"),
                    read_only_root_filesystem: flag(sc, "read_only_root_filesystem"),
                    capabilities,
                    seccomp_profile,
                });
            }
        }
    }
    if let Some(lc) = block(c, "lifecycle")
        && val::other_keys(lc, &["post_start", "pre_stop"]).is_empty()
    {
        let hook = |k: &str| -> Option<Option<Vec<String>>> {
            let Some(h) = block(lc, k) else {
                return Some(None);
            };
            let exec = block(h, "exec").filter(|_| val::other_keys(h, &["exec"]).is_empty())?;
            match get(exec, "command") {
                Some(Value::List(items)) => val::strings(items).map(Some),
                _ => None,
            }
        };
        if let (Some(post_start), Some(pre_stop)) = (hook("post_start"), hook("pre_stop")) {
            spec.lifecycle = Some(HooksSpec {
                post_start,
                pre_stop,
            });
        }
    }
}

fn port(c: &Value, spec: &mut ContainerSpec) {
    let all = blocks(c, "port");
    let Some(first) = all.first() else {
        return;
    };
    // The short form (`port`, `port_name`) says a named TCP port or a bare one.
    let short = all.len() == 1
        && matches!(
            (string(first, "name"), prim(first, "protocol").as_deref()),
            (Some(_), Some("TCP")) | (None, None)
        );
    if !short {
        // The general form: every port as written.
        let ports: Option<Vec<crate::spec::PortSpec>> = all
            .iter()
            .map(|p| {
                if !val::other_keys(p, &["container_port", "name", "protocol"]).is_empty() {
                    return None;
                }
                Some(crate::spec::PortSpec {
                    port: int(p, "container_port").and_then(|n| u16::try_from(n).ok()),
                    name: string(p, "name").map(str::to_owned),
                    protocol: match string(p, "protocol") {
                        None => None,
                        Some("TCP") => Some(crate::spec::Protocol::Tcp),
                        Some("UDP") => Some(crate::spec::Protocol::Udp),
                        Some("SCTP") => Some(crate::spec::Protocol::Sctp),
                        Some(_) => return None,
                    },
                })
            })
            .collect();
        if let Some(ports) = ports {
            spec.ports = ports;
        }
        return;
    }
    if !val::other_keys(first, &["container_port", "name", "protocol"]).is_empty() {
        return;
    }
    let Some(number) = int(first, "container_port").and_then(|n| u16::try_from(n).ok()) else {
        return;
    };
    let name = string(first, "name");
    let protocol = prim(first, "protocol");
    spec.port_name = match (name, protocol.as_deref()) {
        (Some(n), Some("TCP")) => Some(Some(n.to_owned())),
        (None, None) => Some(None),
        _ => return,
    };
    spec.port = Some(number);
}

/// The container's requests and limits: `cpu`/`memory` and their limits, other
/// resources in `requests`/`limits` in the order written. `burstable`: the tier lets a
/// memory limit differ from the request without a reason.
fn resources(c: &Value, burstable: bool) -> Option<ResourcesSpec> {
    let r = block(c, "resources")?;
    if !val::other_keys(r, &["requests", "limits"]).is_empty() {
        return None;
    }
    let entries = |key: &str| -> Option<Vec<(String, String)>> {
        match get(r, key) {
            None => Some(Vec::new()),
            Some(Value::Object(m)) => m
                .iter()
                .map(|(k, v)| v.as_primitive_string().map(|v| (k.clone(), v)))
                .collect(),
            Some(_) => None,
        }
    };
    let mut spec = ResourcesSpec::default();
    for (k, v) in entries("requests")? {
        match k.as_str() {
            "cpu" => spec.cpu = Some(v),
            "memory" => spec.memory = Some(v),
            _ => spec.requests.0.push((k, v)),
        }
    }
    let mut memory_limit = None;
    for (k, v) in entries("limits")? {
        match k.as_str() {
            "cpu" => spec.cpu_limit = Some(v),
            "memory" => memory_limit = Some(v),
            _ => spec.limits.0.push((k, v)),
        }
    }
    if memory_limit != spec.memory {
        let quantity =
            |q: &Option<String>| q.as_deref().and_then(|q| crate::validate::quantity(q).ok());
        let differs = quantity(&memory_limit) != quantity(&spec.memory) || memory_limit.is_none();
        spec.memory_limit = Some(memory_limit);
        if spec.memory.is_some() && differs && !burstable {
            spec.memory_limit_why = Some(NO_REASON.to_owned());
        }
    }
    if spec.cpu_limit.is_some() {
        spec.cpu_limit_why = Some(NO_REASON.to_owned());
    }
    Some(spec)
}

fn probe(p: &Value) -> Option<ProbeSpec> {
    let timings = [
        "initial_delay_seconds",
        "period_seconds",
        "timeout_seconds",
        "failure_threshold",
        "success_threshold",
    ];
    let mut known = vec!["http_get", "tcp_socket", "exec"];
    known.extend(timings);
    if !val::other_keys(p, &known).is_empty() {
        return None;
    }
    let number = |k: &str| -> Option<Option<u32>> {
        match get(p, k) {
            None => Some(None),
            Some(v) => v
                .as_primitive_string()
                .and_then(|s| s.parse().ok())
                .map(Some),
        }
    };
    // A port by number or by name; a number written as a string (`"80"`) is the number
    // (the provider's port is a string either way).
    let port_of = |v: &Value| -> Option<Scalar> {
        match get(v, "port")? {
            Value::String(s) => Some(match s.parse::<u16>() {
                Ok(n) if n.to_string() == *s => Scalar::Int(n.into()),
                _ => Scalar::Str(s.clone()),
            }),
            other => val::scalar(other),
        }
    };
    let mut spec = ProbeSpec {
        initial_delay_seconds: number("initial_delay_seconds")?,
        period_seconds: number("period_seconds")?,
        timeout_seconds: number("timeout_seconds")?,
        failure_threshold: number("failure_threshold")?,
        success_threshold: number("success_threshold")?,
        ..ProbeSpec::default()
    };
    if let Some(http) = block(p, "http_get") {
        if !val::other_keys(http, &["path", "port"]).is_empty() {
            return None;
        }
        spec.path = Some(string(http, "path")?.to_owned());
        spec.port = Some(port_of(http)?);
    } else if let Some(tcp) = block(p, "tcp_socket") {
        if !val::other_keys(tcp, &["port"]).is_empty() {
            return None;
        }
        spec.tcp = Some(true);
        spec.port = Some(port_of(tcp)?);
    } else {
        let exec = block(p, "exec")?;
        let Some(Value::List(items)) = get(exec, "command") else {
            return None;
        };
        spec.exec = Some(val::strings(items)?);
    }
    Some(spec)
}

/// The app container's mounts of spec volumes: generated in volume order before any raw
/// mount, so they are read in order until one cannot be a spec volume's `mount`.
fn mounts(d: &mut Draft, limits: &Limits, c: &Value, volumes: &[String]) -> usize {
    let mut next = 0;
    let mut taken = 0;
    for m in blocks(c, "volume_mount").iter().take(limits.mounts()) {
        if !val::other_keys(m, &["name", "mount_path", "read_only", "sub_path"]).is_empty() {
            break;
        }
        let read_only = match get(m, "read_only") {
            None => false,
            Some(ro) => match val::as_bool(ro) {
                Some(ro) => ro,
                None => break,
            },
        };
        let (Some(name), Some(mount_path)) = (string(m, "name"), string(m, "mount_path")) else {
            break;
        };
        let Some(k) = volumes
            .iter()
            .position(|v| v == name)
            .filter(|k| *k >= next)
        else {
            break;
        };
        next = k + 1;
        d.spec.volumes[k].mount = Some(mount_path.to_owned());
        d.spec.volumes[k].read_only = read_only;
        d.spec.volumes[k].sub_path = string(m, "sub_path").map(str::to_owned);
        taken += 1;
    }
    taken
}

/// The container's mounts after the volumes' own (`skip` of them), as written.
fn other_mounts(c: &Value, skip: usize, cap: usize, volumes: &[String], spec: &mut ContainerSpec) {
    for m in blocks(c, "volume_mount").iter().take(cap).skip(skip) {
        if !val::other_keys(m, &["name", "mount_path", "read_only", "sub_path"]).is_empty() {
            break;
        }
        let read_only = match get(m, "read_only") {
            None => false,
            Some(ro) => match val::as_bool(ro) {
                Some(ro) => ro,
                None => break,
            },
        };
        let (Some(name), Some(mount_path)) = (string(m, "name"), string(m, "mount_path")) else {
            break;
        };
        if !volumes.iter().any(|v| v == name) {
            // A mount of a volume the spec does not hold stays raw, with its volume.
            break;
        }
        spec.mounts.push(crate::spec::MountSpec {
            volume: Some(name.to_owned()),
            path: Some(mount_path.to_owned()),
            sub_path: string(m, "sub_path").map(str::to_owned),
            read_only,
        });
    }
}

// --- Service and ingress --------------------------------------------------------------

/// A Service's one port in the short form (`port`, `port_name`, `protocol`,
/// `target_port`), when the short form writes it as the stack does: the port and the
/// target port strings of their numbers, a valid name and protocol. The target port is
/// left to its default, `container_port` (the app's port), when it is that.
type ShortPort = (
    Option<u16>,
    Option<String>,
    Option<String>,
    Option<Option<u16>>,
);

fn short_port(p: &Value, container_port: u16) -> Option<ShortPort> {
    let number = |k: &str| -> Option<Option<u16>> {
        match get(p, k) {
            None => Some(None),
            Some(Value::String(s)) => {
                let n: u16 = s.parse().ok()?;
                (n != 0 && n.to_string() == *s).then_some(Some(n))
            }
            Some(_) => None,
        }
    };
    let port = Some(number("port")??);
    let target_port = match number("target_port")? {
        None => Some(None),
        Some(n) if n == container_port => None,
        Some(n) => Some(Some(n)),
    };
    let name = match get(p, "name") {
        None => None,
        Some(Value::String(n)) if crate::validate::port_name(n).is_ok() => Some(n.clone()),
        Some(_) => return None,
    };
    let protocol = match get(p, "protocol") {
        None => None,
        Some(Value::String(s)) if matches!(s.as_str(), "TCP" | "UDP" | "SCTP") => Some(s.clone()),
        Some(_) => return None,
    };
    Some((port, name, protocol, target_port))
}

/// The app's Service. `port`: the app container's first port (the short form's default
/// target), 0 when it declares none.
fn service_spec(ctx: &Ctx, d: &mut Draft, found: &versions::Versioned, port: u16) {
    let address = found.address();
    d.claim(
        &ctx.at(&address),
        &address,
        Some(Part::Service),
        Some(Slot::Service),
    );
    let svc = service_of(ctx, d, found, port, Slot::ServiceSpec);
    d.spec.service = Some(svc);
}

/// A Service as the spec says it (the app's or another); `port` as for `service_spec`;
/// `spec_slot`: its `spec_raw`.
fn service_of(
    ctx: &Ctx,
    d: &mut Draft,
    found: &versions::Versioned,
    port: u16,
    spec_slot: Slot,
) -> ServiceSpec {
    let (label, v) = (found.label.as_str(), found.value);
    let address = found.address();
    let container_port = port;
    let meta = path(v, &["metadata"]);
    let spec = block(v, "spec");
    let mut svc = ServiceSpec {
        name: meta.and_then(|m| string(m, "name")).map(str::to_owned),
        address: Some(label.to_owned()),
        resource_type: found.non_default(&cv::service::TYPES),
        ..ServiceSpec::default()
    };
    svc.kind = match spec.and_then(|s| string(s, "type")) {
        Some("ClusterIP") => Some(crate::spec::ServiceType::ClusterIP),
        Some("NodePort") => Some(crate::spec::ServiceType::NodePort),
        Some("LoadBalancer") => Some(crate::spec::ServiceType::LoadBalancer),
        _ => None,
    };
    svc.cluster_ip = spec
        .and_then(|s| string(s, "cluster_ip"))
        .map(str::to_owned);
    svc.labels = Some(OrderedMap(
        meta.and_then(|m| get(m, "labels"))
            .and_then(|l| ctx.ordered(&address, &[b("metadata", 0), attr("labels")], l, &[]))
            .unwrap_or_default(),
    ));
    if let Some(sel) = spec.and_then(|s| get(s, "selector")) {
        svc.selector = ctx
            .ordered(&address, &[b("spec", 0), attr("selector")], sel, &[])
            .map(OrderedMap);
    }
    let values = meta
        .and_then(|m| get(m, "annotations"))
        .and_then(|ann| {
            ctx.ordered_values(&address, &[b("metadata", 0), attr("annotations")], ann, &[])
        })
        .unwrap_or_default();
    // MetalLB's preset is read from literal annotations; with any other value form the
    // annotations are the Service's own, as written.
    let texts: Option<Vec<(String, String)>> = values
        .iter()
        .map(|(k, v)| Some((k.clone(), literal_text(v)?)))
        .collect();
    match texts {
        Some(mut annotations) => {
            if svc.kind == Some(crate::spec::ServiceType::LoadBalancer) {
                // `type: LoadBalancer` alone is the preset with every default.
                svc.load_balancer = load_balancer(spec, &mut annotations).filter(|lb| {
                    lb.ip.is_some()
                        || lb.shared.is_some()
                        || lb.external_traffic_policy.is_some()
                        || lb.legacy_annotations.is_some()
                });
                if svc.load_balancer.is_some() {
                    svc.kind = None;
                }
            }
            svc.annotations = OrderedMap::of_texts(annotations);
        }
        None => svc.annotations = OrderedMap(values),
    }
    let mut ports = spec.map(|s| blocks(s, "port")).unwrap_or_default();
    // `dynamic "port"` blocks stay raw HCL in `spec` (`spec_raw`), there from the start
    // (a Service of a range only has no port the spec says): the ports are the ones
    // written before the first of them.
    if let Some(n) = static_ports(ctx, d, &address, spec_slot) {
        ports = &ports[..n.min(ports.len())];
        if ports.is_empty() {
            svc.ports = Some(Vec::new());
        }
    }
    // One port the short form writes as it stands: the port and its target as strings
    // (how the short form writes them), the target the app's port unless written.
    let short_form = match ports {
        [p] if val::other_keys(p, &["name", "port", "target_port", "protocol"]).is_empty() => {
            short_port(p, container_port)
        }
        _ => None,
    };
    match short_form {
        Some((port, port_name, protocol, target_port)) => {
            svc.port = port;
            svc.port_name = port_name;
            svc.protocol = protocol;
            svc.target_port = target_port;
        }
        None => {
            let general: Option<Vec<crate::spec::ServicePortSpec>> = ports
                .iter()
                .map(|p| {
                    val::other_keys(p, &["name", "port", "target_port", "protocol", "node_port"])
                        .is_empty()
                        .then(|| crate::spec::ServicePortSpec {
                            name: prim(p, "name"),
                            port: get(p, "port").and_then(val::scalar),
                            target_port: get(p, "target_port").and_then(val::scalar),
                            protocol: prim(p, "protocol"),
                            node_port: get(p, "node_port").and_then(val::scalar),
                        })
                })
                .collect();
            svc.ports = general;
        }
    }
    // The defaults are the workload's selector; set only what differs, so the stack's
    // own spelling of the default stays dlgen's.
    let workload_selector = d.spec.deployment.as_ref().map(|dep| {
        vec![(
            dep.label_key
                .clone()
                .unwrap_or_else(|| cv::workload::APP_LABEL.to_owned()),
            dep.name.clone().unwrap_or_else(|| ctx.name.clone()),
        )]
    });
    // The model's default for both is the workload's selector, whatever selector the
    // Service is given.
    if svc.selector.as_ref().map(|s| &s.0) == workload_selector.as_ref() {
        svc.selector = None;
    }
    if svc.labels.as_ref().map(|l| &l.0) == workload_selector.as_ref() {
        svc.labels = None;
    }
    svc.comment = text(ctx.above(d, &address, &[]).take(d));
    svc
}

/// How many `port` blocks the Service at `address` writes before its first `dynamic
/// "port"` block, that one and the port blocks after it going into raw HCL at `slot`;
/// `None` when it has none.
fn static_ports(ctx: &Ctx, d: &mut Draft, address: &str, slot: Slot) -> Option<usize> {
    use hcl_edit::Span as _;
    let top = ctx.src.top(&ctx.at(address))?;
    let spec = source::find_body(&top.block.body, &[b("spec", 0)])?;
    let mut first = None;
    let mut n = 0;
    for blk in spec.blocks() {
        let dynamic = blk.ident.as_str() == "dynamic"
            && blk.labels.first().is_some_and(|l| l.as_str() == "port");
        if first.is_none() && blk.ident.as_str() == "port" {
            n += 1;
        } else if dynamic || blk.ident.as_str() == "port" {
            first.get_or_insert(n);
            if let Some(span) = blk.span() {
                d.raw_first.push(super::residue::Piece::new(
                    slot,
                    top.file,
                    span,
                    "kubernetes_service > spec > port".to_owned(),
                ));
            }
        }
    }
    first
}

/// The MetalLB preset of a LoadBalancer Service, read back from what it writes: the
/// address and sharing-key annotations anywhere among the annotations (current or older
/// prefix, then taken out of `annotations`; the spec writes them first), and the traffic
/// policy; only what differs from the conventions' defaults is set. `None` when the
/// annotations are not the preset's (the Service then stays raw HCL as it was).
fn load_balancer(
    spec: Option<&Value>,
    annotations: &mut Vec<(String, String)>,
) -> Option<crate::spec::LoadBalancerSpec> {
    use crate::spec::TrafficPolicy;
    use cv::metallb as m;
    // The address annotation and its sharing key, wherever the stack writes them among
    // the annotations (a map: their order is not the plan's).
    let (at, prefix, legacy) = annotations.iter().enumerate().find_map(|(i, (k, _))| {
        [(m::PREFIX, false), (m::LEGACY_PREFIX, true)]
            .into_iter()
            .find(|(prefix, _)| *k == format!("{prefix}{}", m::IPS))
            .map(|(prefix, legacy)| (i, prefix, legacy))
    })?;
    let ip = annotations[at].1.clone();
    let shared_key = format!("{prefix}{}", m::ALLOW_SHARED_IP);
    let shared_at = annotations.iter().position(|(k, _)| *k == shared_key);
    let shared = shared_at.map(|i| annotations[i].1.clone());
    let on_shared_ip = ip == m::SHARED_IP;
    let default_shared = on_shared_ip.then(|| m::SHARED_KEY.to_owned());
    let policy = match spec.and_then(|s| string(s, "external_traffic_policy")) {
        None if spec
            .and_then(|s| get(s, "external_traffic_policy"))
            .is_some() =>
        {
            return None;
        }
        None => None,
        Some("Cluster") => Some(TrafficPolicy::Cluster),
        Some("Local") => Some(TrafficPolicy::Local),
        Some(_) => return None,
    };
    let default_policy = Some(if shared.is_some() {
        TrafficPolicy::Cluster
    } else {
        TrafficPolicy::Local
    });
    let mut i = 0;
    annotations.retain(|_| {
        let keep = i != at && Some(i) != shared_at;
        i += 1;
        keep
    });
    Some(crate::spec::LoadBalancerSpec {
        ip: (!on_shared_ip).then_some(ip),
        shared: (shared != default_shared).then_some(shared),
        external_traffic_policy: (policy != default_policy).then_some(policy),
        legacy_annotations: legacy.then_some(true),
    })
}

/// The source text of attribute `key` of the object at `address`.
fn attr_text(ctx: &Ctx, address: &str, key: &str) -> Option<String> {
    let (file, attr) = ctx.source_attribute(address, &[attr(key)])?;
    Some(file.text[attr.value.span()?].to_owned())
}

// --- backup ---------------------------------------------------------------------------

fn backup(ctx: &Ctx, d: &mut Draft, limits: &Limits, pvc_why: Option<String>) {
    let block_volumes = d
        .spec
        .volumes
        .iter()
        .filter(|v| {
            matches!(
                v.storage,
                Some(Storage::ProxmoxLvm | Storage::ProxmoxLvmEncrypted)
            )
        })
        .count();
    if block_volumes == 0 {
        return;
    }
    if !limits.has(&Part::Backup)
        && let Some(spec) = backup_job(ctx, d)
    {
        d.spec.backup = Some(spec);
        return;
    }
    // A backup job of the stack's own, which dlgen's backup does not reproduce, stays as
    // it is (a job of the spec, or raw HCL), named as the backup.
    let own = ["kubernetes_cron_job_v1", "kubernetes_cron_job"]
        .iter()
        .flat_map(|ty| {
            ctx.resources(ty)
                .into_iter()
                .map(move |(label, v)| (format!("{ty}.{label}"), v))
        })
        .find(|(address, v)| {
            let name = path(v, &["metadata"])
                .and_then(|m| string(m, "name"))
                .unwrap_or("");
            cv::backup::NAME_MARKS
                .iter()
                .any(|m| address.contains(m) || name.contains(m))
        })
        .map(|(address, _)| address);
    let off = |why: String| BackupSpec {
        enabled: Some(false),
        why: Some(why),
        ..BackupSpec::default()
    };
    d.spec.backup = Some(match (pvc_why, own) {
        (Some(why), _) => off(why),
        // It is the backup: no reason, and no suppression for a finding there is not.
        (None, Some(job)) => BackupSpec {
            job: Some(job),
            ..BackupSpec::default()
        },
        (None, None) => {
            d.reasons.push("backup.why".to_owned());
            off(NO_REASON.to_owned())
        }
    });
}

/// dlgen's backup CronJob (and integrity check) of the stack's block-storage volume.
fn backup_job(ctx: &Ctx, d: &mut Draft) -> Option<BackupSpec> {
    let job_name = format!("{}-backup", ctx.name);
    let (label, job) = ctx
        .resources("kubernetes_cron_job_v1")
        .into_iter()
        .find(|(_, v)| path(v, &["metadata"]).and_then(|m| string(m, "name")) == Some(&job_name))?;
    let spec = block(job, "spec")?;
    let pod = path(spec, &["job_template", "spec", "template", "spec"])?;
    let target = blocks(pod, "volume")
        .iter()
        .find(|v| string(v, "name") == Some("backup"))
        .and_then(|v| block(v, "persistent_volume_claim"))
        .and_then(|c| get(c, "claim_name"))
        .and_then(|c| ctx.module_output(c, "claim_name"))?
        .to_owned();
    let (_, target_v) = ctx
        .modules(cv::repo::NFS_MODULE)
        .into_iter()
        .find(|(n, _)| *n == target)?;
    let nfs_server = match get(target_v, "nfs_server") {
        Some(v) if val::var(v) == Some(cv::repo::NFS_SERVER_VARIABLE) => None,
        Some(Value::String(s)) => Some(s.clone()),
        _ => return None,
    };
    let script = match get(blocks(pod, "container").first()?, "command") {
        Some(Value::List(items)) => items.last()?.as_primitive_string()?,
        _ => return None,
    };
    let script = Script::parse(&script);
    let address = format!("kubernetes_cron_job_v1.{label}");
    let target_address = format!("module.{target}");
    let comment = text(ctx.above(d, &target_address, &[]).take(d));
    d.claim(
        &ctx.at(&target_address),
        &target_address,
        Some(Part::Backup),
        None,
    );
    d.claim(
        &ctx.at(&address),
        &address,
        Some(Part::Backup),
        Some(Slot::Backup),
    );
    let mut out = BackupSpec {
        enabled: Some(true),
        kind: Some(script.kind),
        database: script.database.clone(),
        extra_files: script.extra_files,
        schedule: prim(spec, "schedule"),
        comment,
        retention_days: script.retention_days,
        starting_deadline_seconds: int(spec, "starting_deadline_seconds")
            .and_then(|n| u32::try_from(n).ok()),
        successful_jobs_history: int(spec, "successful_jobs_history_limit")
            .and_then(|n| u32::try_from(n).ok()),
        address: Some(label),
        target_address: Some(target),
        nfs_server,
        ..BackupSpec::default()
    };
    let ic_name = format!("{}-integrity-check", ctx.name);
    if script.database.is_some()
        && let Some((ic_label, ic)) = ctx
            .resources("kubernetes_cron_job_v1")
            .into_iter()
            .find(|(_, v)| path(v, &["metadata"]).and_then(|m| string(m, "name")) == Some(&ic_name))
        && let Some(ic_spec) = block(ic, "spec")
    {
        let ic_address = format!("kubernetes_cron_job_v1.{ic_label}");
        let comment = text(ctx.above(d, &ic_address, &[]).take(d));
        d.claim(
            &ctx.at(&ic_address),
            &ic_address,
            Some(Part::Backup),
            Some(Slot::Integrity),
        );
        out.integrity_check = Some(IntegrityCheckSpec {
            schedule: prim(ic_spec, "schedule"),
            starting_deadline_seconds: int(ic_spec, "starting_deadline_seconds")
                .and_then(|n| u32::try_from(n).ok()),
            successful_jobs_history: int(ic_spec, "successful_jobs_history_limit")
                .and_then(|n| u32::try_from(n).ok()),
            address: Some(ic_label),
            comment,
            raw: None,
        });
    }
    Some(out)
}

/// What the backup script of dlgen's backup CronJob was rendered from.
struct Script {
    kind: BackupKind,
    database: Option<String>,
    extra_files: Vec<String>,
    retention_days: Option<u32>,
}

impl Script {
    fn parse(script: &str) -> Script {
        let mut s = Script {
            kind: BackupKind::Copy,
            database: None,
            extra_files: Vec::new(),
            retention_days: None,
        };
        for line in script.lines().map(str::trim) {
            if let Some(db) = line.strip_prefix("db=/data/") {
                s.kind = BackupKind::Sqlite;
                s.database = shell_words(db).into_iter().next();
            } else if let Some(files) = line
                .strip_prefix("for f in ")
                .and_then(|l| l.strip_suffix("; do"))
            {
                s.extra_files = shell_words(files);
            } else if let Some(i) = line.find("-mtime +") {
                let digits: String = line[i + 8..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                s.retention_days = digits.parse().ok();
            }
        }
        s
    }
}

/// Single-quoted shell words (`'a' 'it'\''s'`), unquoted.
fn shell_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_quote = false;
    let mut any = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_quote = !in_quote;
                any = true;
            }
            '\\' if !in_quote => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            ' ' if !in_quote => {
                if any {
                    words.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        words.push(cur);
    }
    words
}

// --- the TLS module and Terragrunt ----------------------------------------------------

fn tls(ctx: &Ctx, d: &mut Draft, limits: &Limits) {
    let mut all = ctx.modules(cv::repo::TLS_MODULE);
    all.sort_by_key(|(label, _)| label != "tls_secret");
    // A call the spec's TLS module does not reproduce (its namespace a variable the
    // spec cannot name) is given up: it stays whole in `raw.stack`, and the spec writes
    // no TLS module of its own.
    let given_up = |label: &String| limits.has(&Part::Object(ctx.at(&format!("module.{label}"))));
    if all.first().is_some_and(|(label, _)| given_up(label)) {
        d.reasons.push("tls.why".to_owned());
        d.spec.tls = Some(crate::spec::TlsSpec {
            enabled: Some(false),
            why: Some(NO_REASON.to_owned()),
        });
        return;
    }
    let Some((label, _)) = all.into_iter().next() else {
        // No TLS module: an ingress then relies on the wildcard secret being cloned into
        // the namespace, which the spec says in `tls.why`.
        let ingresses = ctx.modules(cv::repo::INGRESS_MODULE);
        let why = if ingresses.is_empty() {
            // Read with the namespace's comment, when the stack gives it.
            d.spec
                .tls
                .take()
                .and_then(|t| t.why)
                .or_else(|| set_apart_tls_reason(ctx, d))
        } else {
            // dlgen writes the reason above the first ingress.
            let prefix = format!("{}: ", cv::ingress::NO_TLS_COMMENT);
            let written = ingresses.iter().find_map(|(label, _)| {
                let lines: Vec<String> = ctx
                    .above(d, &format!("module.{label}"), &[])
                    .lines
                    .into_iter()
                    .map(|(_, l)| l)
                    .collect();
                let i = lines.iter().position(|l| l.starts_with(&prefix))?;
                let url = lines[i + 1..]
                    .iter()
                    .position(|l| l.starts_with("https://"))
                    .map_or(lines.len(), |j| i + 1 + j);
                Some(lines[i..url].join(" ")[prefix.len()..].trim().to_owned())
            });
            written
                .or_else(|| set_apart_tls_reason(ctx, d))
                .or_else(|| {
                    d.reasons.push("tls.why".to_owned());
                    Some(NO_REASON.to_owned())
                })
        };
        d.spec.tls = Some(crate::spec::TlsSpec {
            enabled: Some(false),
            why,
        });
        return;
    };
    let address = format!("module.{label}");
    let rendered = "module.tls_secret".to_owned();
    let input = ctx.at(&address);
    d.claim(
        &input,
        &rendered,
        Some(Part::Object(input.clone())),
        Some(Slot::TlsSecret),
    );
}

/// The reason a stack has no TLS module when it gives it apart from any block: the first
/// run of comment lines between blocks that names the module or the Kyverno policy
/// cloning the wildcard secret (`# No tls_secret module: Kyverno's sync-tls-secret
/// ClusterPolicy clones …`), less a leading `No … module:` that dlgen writes itself.
fn set_apart_tls_reason(ctx: &Ctx, d: &mut Draft) -> Option<String> {
    for file in &ctx.src.files {
        let free: Vec<(usize, String)> = file
            .comments_between()
            .into_iter()
            .filter(|(line, _)| !d.consumed.contains(&(file.name.clone(), *line)))
            .collect();
        // Runs of consecutive lines.
        let mut runs: Vec<Vec<(usize, String)>> = Vec::new();
        for (line, text) in free {
            match runs.last_mut() {
                Some(run) if run.last().is_some_and(|(l, _)| l + 1 == line) => {
                    run.push((line, text))
                }
                _ => runs.push(vec![(line, text)]),
            }
        }
        let Some(run) = runs.into_iter().find(|run| {
            run.iter()
                .any(|(_, t)| cv::ingress::NO_TLS_WORDS.iter().any(|w| t.contains(w)))
        }) else {
            continue;
        };
        let words: Vec<&str> = run.iter().map(|(_, t)| t.trim()).collect();
        let text = words.join(" ");
        let why = match text.split_once(": ") {
            Some((head, rest))
                if head.starts_with("No ") && head.ends_with(" module") && !rest.is_empty() =>
            {
                rest.to_owned()
            }
            _ => text,
        };
        for (line, _) in run {
            d.consumed.insert((file.name.clone(), line));
        }
        return Some(why);
    }
    None
}

fn terragrunt(ctx: &Ctx, d: &mut Draft, limits: &Limits, blockers: &mut Vec<Blocker>) {
    // A directory without terragrunt.hcl is not a Terragrunt unit; every spec writes one.
    if ctx.src.terragrunt.is_none() {
        blockers.push(blocker(
            "terragrunt.hcl (none)",
            "the stack has no terragrunt.hcl: every spec generates terragrunt.hcl".to_owned(),
        ));
        return;
    }
    let tg: Vec<(String, &Value)> = ctx
        .input
        .objects()
        .filter_map(|(a, v)| match a {
            Address::Terragrunt(name) => Some((name.clone(), v)),
            _ => None,
        })
        .collect();
    // The root included as dlgen writes it; any other include (another label, `expose`,
    // another path, none) stays in `raw.terragrunt` with the include dlgen writes off.
    let root = format!("include.{}", cv::repo::ROOT_INCLUDE);
    if limits.has(&Part::RootInclude) || !tg.iter().any(|(n, _)| *n == root) {
        d.spec.root_include = Some(false);
    } else {
        d.terragrunt.push(root);
    }
    let mut deps: Vec<&str> = tg
        .iter()
        .filter_map(|(n, v)| {
            let dep = n.strip_prefix("dependency.")?;
            (prim(v, "config_path") == Some(format!("../{dep}"))
                && prim(v, "skip_outputs").as_deref() == Some("true")
                && val::other_keys(v, &["config_path", "skip_outputs"]).is_empty())
            .then_some(dep)
        })
        .collect();
    // Every dependency of the form dlgen writes, in the order written.
    let order = |dep: &str| {
        ctx.src
            .terragrunt
            .as_ref()
            .and_then(|f| f.text.find(&format!("dependency \"{dep}\"")))
            .unwrap_or(usize::MAX)
    };
    deps.sort_by_key(|dep| order(dep));
    for dep in &deps {
        d.terragrunt.push(format!("dependency.{dep}"));
    }
    match deps.as_slice() {
        [dep] => d.spec.dependency = Some((*dep).to_owned()),
        _ => d.spec.dependencies = Some(deps.iter().map(|d| (*d).to_owned()).collect()),
    }
    if let Some((_, v)) = tg.iter().find(|(n, _)| n == "inputs")
        && let Value::Object(m) = v
        && let Some(inputs) = encoded::inputs(ctx, m)
    {
        d.spec.inputs = OrderedMap(inputs);
        d.terragrunt.push("inputs".to_owned());
    }
}

// --- moved blocks ---------------------------------------------------------------------

/// The stack's `moved` blocks, each with its `from` and `to` as written.
fn moved_tops(
    src: &Source,
) -> impl Iterator<Item = (crate::import::source::Top<'_>, String, String)> {
    src.tops().filter_map(|top| {
        let (from, to) = moved_pair(&top)?;
        Some((top, from, to))
    })
}

/// A `moved` block's `from` and `to` as written.
pub(crate) fn moved_pair(top: &crate::import::source::Top) -> Option<(String, String)> {
    if top.block.ident.as_str() != "moved" {
        return None;
    }
    let text = |k: &str| {
        top.block
            .body
            .get_attribute(k)
            .and_then(|a| a.value.span())
            .map(|s| top.file.text[s].trim().to_owned())
    };
    Some((text("from")?, text("to")?))
}

/// The stack's `moved` blocks: `(from, to)` as written; then those of the wrapping module
/// `scope`, in the root's terms (`module.<scope>.<address>`).
pub fn moved_blocks(src: &Source, scope: Option<&str>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = moved_tops(src).map(|(_, from, to)| (from, to)).collect();
    if let Some(m) = scope {
        for top in src.module_tops(m) {
            if let Some((from, to)) = moved_pair(&top) {
                out.push((format!("module.{m}.{from}"), format!("module.{m}.{to}")));
            }
        }
    }
    out
}

/// The comments above the stack's `moved` blocks that the spec says (`adopt.moved`),
/// into their `comment`, consumed.
pub fn moved_comments(src: &Source, scope: Option<&str>, d: &mut Draft) {
    let Some(adopt) = d.spec.adopt.as_mut() else {
        return;
    };
    // The wrapping module's, in the root's terms, as `moved_blocks` reads them.
    let scoped = scope.into_iter().flat_map(|m| {
        src.module_tops(m).filter_map(move |top| {
            let (from, to) = moved_pair(&top)?;
            Some((
                top,
                format!("module.{m}.{from}"),
                format!("module.{m}.{to}"),
            ))
        })
    });
    for (top, from, to) in moved_tops(src).chain(scoped) {
        let Some(spec) = adopt.moved.iter_mut().find(|m| {
            m.from.as_deref() == Some(from.as_str())
                && m.to.as_deref() == Some(to.as_str())
                && m.comment.is_none()
        }) else {
            continue;
        };
        let Some(start) = top.block.span().map(|s| s.start) else {
            continue;
        };
        let mut lines = Vec::new();
        for (line, comment) in top.file.comment_above(start) {
            if !is_convention(&comment) {
                lines.push(comment);
            }
            d.consumed.insert((top.file.name.clone(), line));
        }
        spec.comment = text(lines);
    }
}

/// The stack's root `import` blocks, in file order: `to` as written, and the `id` when it
/// is a plain string literal and the block sets nothing else (`for_each`, `provider`,
/// `identity` keep the block raw).
pub fn import_blocks(src: &Source) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    for top in src.tops() {
        if top.block.ident.as_str() != "import" {
            continue;
        }
        let body = &top.block.body;
        let to = body
            .get_attribute("to")
            .and_then(|a| a.value.span())
            .map(|s| top.file.text[s].trim().to_owned())
            .unwrap_or_default();
        let plain = body.blocks().next().is_none()
            && body
                .attributes()
                .all(|a| matches!(a.key.as_str(), "to" | "id"));
        let id = body
            .get_attribute("id")
            .and_then(|a| match &a.value {
                hcl_edit::expr::Expression::String(s) => Some(s.value().to_string()),
                _ => None,
            })
            .filter(|_| plain);
        out.push((to, id));
    }
    out
}

/// Says in the spec the `import` blocks whose `to` is a resource the spec generates
/// (`adopt.imports`). Returns the others, left to raw HCL, by index.
pub fn adopt_imports(
    d: &mut Draft,
    imports: &[(String, Option<String>)],
    generated: &[String],
) -> Vec<usize> {
    let mut left = Vec::new();
    let mut said: Vec<&str> = Vec::new();
    for (i, (to, id)) in imports.iter().enumerate() {
        let resource = !to.starts_with("module.") && generated.contains(to);
        match id {
            Some(id) if resource && !said.contains(&to.as_str()) => {
                said.push(to);
                d.spec
                    .adopt
                    .get_or_insert_with(AdoptSpec::default)
                    .imports
                    .push(ImportSpec {
                        to: Some(to.clone()),
                        id: Some(id.clone()),
                    });
            }
            _ => left.push(i),
        }
    }
    left
}

/// Says in the spec the `moved` blocks the plan needs: the stack's own (renames to
/// addresses the spec generates) and the spec's (objects whose address no field pins, or
/// that leave a wrapping module). When every generated address moves out of one module
/// `m` the same way, that is `adopt.from_module: m`, and the stack's moves into `m` to an
/// object the spec takes out of it (a wrapped stack's history) chain on through it.
/// Returns the stack's `moved` blocks left to raw HCL, by index.
pub fn adopt(d: &mut Draft, moved: &[(String, String)], generated: &[String]) -> Vec<usize> {
    let own = d.moves();
    let mut pairs: Vec<(String, String)> = moved
        .iter()
        .filter(|(_, to)| generated.contains(to))
        .cloned()
        .collect();
    for m in &own {
        if !pairs.contains(m) {
            pairs.push(m.clone());
        }
    }
    let mut spec = AdoptSpec::default();
    let candidates: Vec<String> = pairs
        .iter()
        .filter_map(|(from, to)| {
            from.strip_suffix(&format!(".{to}"))
                .and_then(|m| m.strip_prefix("module."))
                .filter(|m| !m.contains('.'))
                .map(str::to_owned)
        })
        .collect();
    for m in candidates {
        let covered = |a: &String| pairs.contains(&(format!("module.{m}.{a}"), a.clone()));
        if !generated.is_empty() && generated.iter().all(covered) {
            pairs.retain(|(f, t)| !(generated.contains(t) && *f == format!("module.{m}.{t}")));
            spec.from_module = Some(m);
            break;
        }
    }
    // A move into the module from an address the spec generates is not one: the object
    // moves back out of it (a cycle), and `assemble` leaves it out.
    let from_module = spec.from_module.clone();
    let through = |(from, to): &(String, String)| {
        !generated.contains(from)
            && from_module
                .as_ref()
                .and_then(|m| to.strip_prefix(&format!("module.{m}.")))
                .is_some_and(|inner| generated.iter().any(|g| g == inner))
    };
    let said = |pair: &(String, String)| generated.contains(&pair.1) || through(pair);
    pairs.extend(moved.iter().filter(|p| through(p)).cloned());
    for (from, to) in &pairs {
        spec.moved.push(MovedSpec {
            from: Some(from.clone()),
            to: Some(to.clone()),
            comment: None,
        });
    }
    if spec.from_module.is_some() || !spec.moved.is_empty() {
        d.spec.adopt = Some(spec);
    }
    d.moved = moved.iter().filter(|p| said(p)).cloned().collect();
    (0..moved.len()).filter(|&i| !said(&moved[i])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_unquote() {
        assert_eq!(shell_words("'a' 'b c' 'it'\\''s'"), ["a", "b c", "it's"]);
    }

    #[test]
    fn conventions_are_not_comments() {
        assert!(is_convention(&format!(
            "{}: a Kyverno ClusterPolicy stamps this label",
            cv::markers::KYVERNO
        )));
        assert!(is_convention(&cv::markers::keel_image_comment(
            cv::markers::KEEL_IMAGE_WORDS
        )));
        assert!(!is_convention("DuckDB is single-writer"));
        assert_eq!(
            allow("dlgen:allow pvc-wait-until-bound adopted"),
            Some(("pvc-wait-until-bound", "adopted"))
        );
    }
}
