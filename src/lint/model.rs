//! The structure the convention rules read: the Kubernetes resources of one stack
//! (namespaces, PVCs, workloads), pulled out of the hcl-edit syntax tree with the byte
//! offsets a finding points at. Only the top-level blocks some enabled rule reads are
//! parsed at all (see `scan`).

use std::cell::OnceCell;
use std::fmt;
use std::path::{Component, Path};

use hcl_edit::Span;
use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{Attribute, Block, Body};

use super::scan;
use super::source::{LineIndex, SourceFile, trailing_comment};
use crate::conventions as cv;

/// The kinds of resource the rules know about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Namespace,
    Pvc,
    Deployment,
    StatefulSet,
    CronJob,
    DaemonSet,
    Job,
    Pod,
    /// A `module` call (read for the arguments a local module's variables receive).
    Module,
}

impl Kind {
    pub(crate) fn of(rtype: &str) -> Option<Kind> {
        Some(match rtype {
            "kubernetes_namespace" | "kubernetes_namespace_v1" => Kind::Namespace,
            "kubernetes_persistent_volume_claim" | "kubernetes_persistent_volume_claim_v1" => {
                Kind::Pvc
            }
            "kubernetes_deployment" | "kubernetes_deployment_v1" => Kind::Deployment,
            "kubernetes_stateful_set" | "kubernetes_stateful_set_v1" => Kind::StatefulSet,
            "kubernetes_cron_job" | "kubernetes_cron_job_v1" => Kind::CronJob,
            "kubernetes_daemonset" | "kubernetes_daemon_set_v1" => Kind::DaemonSet,
            "kubernetes_job" | "kubernetes_job_v1" => Kind::Job,
            "kubernetes_pod" | "kubernetes_pod_v1" => Kind::Pod,
            _ => return None,
        })
    }

    const fn bit(self) -> u16 {
        1 << self as u16
    }

    /// The human name used in messages.
    pub(crate) fn noun(self) -> &'static str {
        match self {
            Kind::Namespace => "Namespace",
            Kind::Pvc => "PersistentVolumeClaim",
            Kind::Deployment => "Deployment",
            Kind::StatefulSet => "StatefulSet",
            Kind::CronJob => "CronJob",
            Kind::DaemonSet => "DaemonSet",
            Kind::Job => "Job",
            Kind::Pod => "Pod",
            Kind::Module => "module",
        }
    }
}

/// A set of [`Kind`]s: what a rule needs parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Kinds(u16);

impl Kinds {
    pub(crate) const NONE: Kinds = Kinds(0);
    pub(crate) const WORKLOADS: Kinds = Kinds::of(&[
        Kind::Deployment,
        Kind::StatefulSet,
        Kind::CronJob,
        Kind::DaemonSet,
        Kind::Job,
        Kind::Pod,
    ]);

    pub(crate) const fn of(kinds: &[Kind]) -> Kinds {
        let mut bits = 0;
        let mut i = 0;
        while i < kinds.len() {
            bits |= kinds[i].bit();
            i += 1;
        }
        Kinds(bits)
    }

    pub(crate) const fn union(self, other: Kinds) -> Kinds {
        Kinds(self.0 | other.0)
    }

    pub(crate) const fn without(self, kind: Kind) -> Kinds {
        Kinds(self.0 & !kind.bit())
    }

    pub(crate) fn contains(self, kind: Kind) -> bool {
        self.0 & kind.bit() != 0
    }

    pub(crate) fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// A resource address, `type.name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Addr {
    pub rtype: String,
    pub name: String,
}

impl fmt::Display for Addr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.rtype, self.name)
    }
}

/// One step of an attribute path such as `spec[0].resources[0].requests["storage"]`.
/// `x.name` and `x["name"]` are the same step, as are `x[0]` and the legacy `x.0`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    Name(String),
    Index(u64),
    /// A splat or a computed index: equal to nothing.
    Other,
}

impl Seg {
    fn matches(&self, other: &Seg) -> bool {
        match (self, other) {
            (Seg::Name(a), Seg::Name(b)) => a == b,
            (Seg::Index(a), Seg::Index(b)) => a == b,
            _ => false,
        }
    }
}

/// Parses a constant path written the way `ignore_changes` entries are written:
/// `name`, `.name`, `[0]` and `["quoted.key"]` steps.
pub(crate) fn path(text: &str) -> Vec<Seg> {
    let mut segs = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(inner) = rest.strip_prefix("[\"") {
            let end = inner.find("\"]").unwrap_or(inner.len());
            segs.push(Seg::Name(inner[..end].to_owned()));
            rest = inner.get(end + 2..).unwrap_or("");
        } else if let Some(inner) = rest.strip_prefix('[') {
            let end = inner.find(']').unwrap_or(inner.len());
            segs.push(index_or_name(&inner[..end]));
            rest = inner.get(end + 1..).unwrap_or("");
        } else {
            let name = rest.strip_prefix('.').unwrap_or(rest);
            let end = name.find(['.', '[']).unwrap_or(name.len());
            segs.push(index_or_name(&name[..end]));
            rest = &name[end..];
        }
    }
    segs
}

/// A reference to a namespace or a claim: by resource address, by literal name, or
/// something this linter does not resolve (a variable, a local, a function call).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ref {
    Resource { rtype: String, name: String },
    Literal(String),
    Module(String),
    Unknown,
}

/// An expression reduced to what the rules compare: its literal string value (if any)
/// and its source text without whitespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Value {
    pub literal: Option<String>,
    pub text: String,
    pub at: usize,
}

/// `lifecycle { ignore_changes = … }` of a resource.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ignores {
    /// `ignore_changes = all`.
    pub all: bool,
    pub entries: Vec<IgnoreEntry>,
    /// Offset of the `ignore_changes` attribute.
    pub at: usize,
}

#[derive(Debug, Clone)]
pub(crate) struct IgnoreEntry {
    pub path: Vec<Seg>,
    pub at: usize,
    /// Comment text around the entry: the comment trailing its line, the comment runs
    /// directly above its line, above the `ignore_changes` line and above the `lifecycle`
    /// line, and the comment trailing the list's closing `]` (the repo's one-line form
    /// `ignore_changes = [ … ] # <marker>` puts it there).
    pub comments: String,
    /// 0-based line of the entry.
    pub line: usize,
    /// Whether the entry's line holds another entry too (a marker appended to the line
    /// would then be ambiguous).
    pub shares_line: bool,
}

impl Ignores {
    /// The entry that makes Terraform ignore `required` (the entry itself or a parent).
    pub(crate) fn covering(&self, required: &[Seg]) -> Option<&IgnoreEntry> {
        self.entries.iter().find(|e| {
            !e.path.is_empty()
                && e.path.len() <= required.len()
                && e.path.iter().zip(required).all(|(a, b)| a.matches(b))
        })
    }
}

/// The value of a `tier` label, as far as this linter resolves it: a tier of the repo
/// (by its `local.tiers.<key>` key), a variable of a local module (resolved through the
/// module's callers), or something else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TierRef {
    Known(&'static str),
    Var(String),
    Unknown(String),
}

impl TierRef {
    fn of(cx: &Cx<'_, '_>, expr: &Expression) -> TierRef {
        if let Some(literal) = literal(expr) {
            return match cv::tiers::by_label(&literal) {
                Some(key) => TierRef::Known(key),
                None => TierRef::Unknown(literal),
            };
        }
        match traversal_path(expr).as_deref() {
            Some([Seg::Name(root), Seg::Name(locals), Seg::Name(key)])
                if root == "local" && locals == cv::tiers::LOCALS =>
            {
                match cv::tiers::by_key(key) {
                    Some(key) => TierRef::Known(key),
                    None => TierRef::Unknown(cx.value(expr).text),
                }
            }
            Some([Seg::Name(root), Seg::Name(name)]) if root == "var" => TierRef::Var(name.clone()),
            _ => TierRef::Unknown(cx.value(expr).text),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Namespace {
    pub addr: Addr,
    pub file: usize,
    pub name: Option<String>,
    pub keel_enrolled: bool,
    /// The namespace's `tier` label, if it has one.
    pub tier: Option<TierRef>,
}

/// A `module` block: where it loads the module from and the arguments it passes.
#[derive(Debug, Clone)]
pub(crate) struct ModuleCall {
    pub file: usize,
    pub source: Option<String>,
    pub args: Vec<(String, TierRef)>,
}

#[derive(Debug, Clone)]
pub(crate) struct Pvc {
    pub addr: Addr,
    pub file: usize,
    pub at: usize,
    pub name: Option<String>,
    pub storage_class: Option<String>,
    pub access_modes: Vec<String>,
    /// `wait_until_bound`: its literal value (if it is one) and offset.
    pub wait_until_bound: Option<(Option<bool>, usize)>,
    pub annotations: Vec<String>,
    /// Offset of `metadata.annotations`, or of `metadata`, when present.
    pub annotations_at: Option<usize>,
    pub ignores: Option<Ignores>,
}

impl Pvc {
    pub(crate) fn is_block_storage(&self) -> bool {
        self.storage_class.as_deref().is_some_and(is_block_storage)
    }

    /// How messages name the PVC.
    pub(crate) fn describe(&self) -> String {
        self.name.clone().unwrap_or_else(|| self.addr.to_string())
    }
}

/// The storage classes backed by Proxmox block devices (RWO, autoresized, needing a backup).
pub(crate) fn is_block_storage(class: &str) -> bool {
    cv::storage::BLOCK_CLASSES.contains(&class)
}

#[derive(Debug, Clone)]
pub(crate) struct Workload {
    pub kind: Kind,
    pub addr: Addr,
    pub file: usize,
    pub at: usize,
    /// Offset just past the block's closing brace.
    pub end: usize,
    pub name: Option<String>,
    pub namespace: Ref,
    /// Metadata annotations: key and literal value (if it is one).
    pub annotations: Vec<(String, Option<String>)>,
    /// Metadata labels: key and literal value (if it is one).
    pub labels: Vec<(String, Option<String>)>,
    /// The `tier` label of the workload or its pod template.
    pub tier: Option<TierRef>,
    /// `spec.strategy.type` of a Deployment: literal value (if any) and offset; `None`
    /// when there is no strategy at all.
    pub strategy: Option<(Option<String>, usize)>,
    pub containers: Vec<Container>,
    /// The pod's volumes.
    pub volumes: Vec<Volume>,
    /// Whether the pod spec sets its own `ndots` DNS option.
    pub sets_ndots: bool,
    pub claim_templates: Vec<ClaimTemplate>,
    pub ignores: Option<Ignores>,
}

impl Workload {
    /// The literal value of a metadata annotation.
    pub(crate) fn annotation(&self, key: &str) -> Option<Option<&str>> {
        self.annotations
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_deref())
    }

    /// The literal value of a metadata label.
    pub(crate) fn label(&self, key: &str) -> Option<Option<&str>> {
        self.labels
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_deref())
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Container {
    pub name: Option<String>,
    pub init: bool,
    /// Index among the pod's containers of the same kind (`container[i]`,
    /// `init_container[i]`), in source order.
    pub index: usize,
    pub at: usize,
    pub cpu_limit: Option<Value>,
    pub memory_request: Option<Value>,
    pub memory_limit: Option<Value>,
    pub mounts: Vec<Mount>,
}

impl Container {
    pub(crate) fn describe(&self) -> String {
        let what = if self.init {
            "init container"
        } else {
            "container"
        };
        match &self.name {
            Some(name) => format!("{what} \"{name}\""),
            None => format!("{what} [{}]", self.index),
        }
    }
}

/// A container's `volume_mount`.
#[derive(Debug, Clone)]
pub(crate) struct Mount {
    pub volume: Option<String>,
    /// `read_only`: its literal value, `None` when it is an expression.
    pub read_only: Option<bool>,
}

/// A pod `volume`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Volume {
    pub name: Option<String>,
    pub source: VolumeSource,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum VolumeSource {
    Claim(Ref),
    Nfs,
    Other,
}

/// A StatefulSet `volume_claim_template`.
#[derive(Debug, Clone)]
pub(crate) struct ClaimTemplate {
    pub name: Option<String>,
    pub storage_class: Option<String>,
    pub at: usize,
}

/// A `.tf` file that could not be parsed (structural rules skip it).
#[derive(Debug, Clone)]
pub(crate) struct ParseFailure {
    pub file: usize,
    pub at: usize,
    pub message: String,
}

/// Everything the structural rules know about one stack.
#[derive(Debug)]
pub(crate) struct Stack<'a> {
    pub files: &'a [SourceFile],
    lines: Vec<OnceCell<LineIndex<'a>>>,
    pub namespaces: Vec<Namespace>,
    pub pvcs: Vec<Pvc>,
    pub workloads: Vec<Workload>,
    pub modules: Vec<ModuleCall>,
    pub parse_failures: Vec<ParseFailure>,
}

impl<'a> Stack<'a> {
    /// Reads the resources of the kinds in `needs` from every file of the stack.
    #[cfg(test)]
    pub(crate) fn build(files: &'a [SourceFile], needs: Kinds) -> Stack<'a> {
        Stack::build_parsed(files, &[], needs)
    }

    /// [`Stack::build`], reading `parsed[i]`, when there is one, instead of parsing
    /// `files[i]`: it must be the syntax tree of exactly that text (offsets are read from
    /// it).
    pub(crate) fn build_parsed(
        files: &'a [SourceFile],
        parsed: &[Option<&Body>],
        needs: Kinds,
    ) -> Stack<'a> {
        let tree = |file: usize| parsed.get(file).copied().flatten();
        let mut stack = Stack {
            files,
            lines: files.iter().map(|_| OnceCell::new()).collect(),
            namespaces: Vec::new(),
            pvcs: Vec::new(),
            workloads: Vec::new(),
            modules: Vec::new(),
            parse_failures: Vec::new(),
        };
        if needs.is_empty() {
            return stack;
        }
        // Every resource the rules read is a `kubernetes_*` one.
        let resources = needs.without(Kind::Module);
        for (file, source) in files.iter().enumerate() {
            if source.text.contains("\"kubernetes_") {
                match tree(file) {
                    Some(body) => stack.read_body(file, 0, body, resources),
                    None => stack.read_file(file, resources),
                }
            }
        }
        // Module calls matter only to resolve a tier a local module receives as a
        // variable; most stacks have none, and their module calls are never parsed.
        let var_tier = |t: &Option<TierRef>| matches!(t, Some(TierRef::Var(_)));
        let needs_calls = needs.contains(Kind::Module)
            && (stack.namespaces.iter().any(|ns| var_tier(&ns.tier))
                || stack.workloads.iter().any(|w| var_tier(&w.tier)));
        if needs_calls {
            for (file, source) in files.iter().enumerate() {
                let failed = stack.parse_failures.iter().any(|f| f.file == file);
                if !failed && source.text.contains("module") {
                    let calls = Kinds::of(&[Kind::Module]);
                    match tree(file) {
                        Some(body) => stack.read_body(file, 0, body, calls),
                        None => stack.read_file(file, calls),
                    }
                }
            }
        }
        stack
    }

    /// The line index of a file, built on first use.
    pub(crate) fn lines(&self, file: usize) -> &LineIndex<'a> {
        let files = self.files;
        self.lines[file].get_or_init(|| LineIndex::new(&files[file].text))
    }

    fn read_file(&mut self, file: usize, needs: Kinds) {
        let text = self.files[file].text.as_str();
        if let Some(scan) = scan::scan(text) {
            let mut parsed = Vec::new();
            let mut all_parsed = true;
            for top in &scan.blocks {
                let kind = match top.resource_labels() {
                    Some((rtype, _)) => Kind::of(rtype),
                    None => top.module_label().map(|_| Kind::Module),
                };
                if !kind.is_some_and(|k| needs.contains(k)) {
                    continue;
                }
                match hcl_edit::parser::parse_body(&scan.blanked(text, top.start..top.end)) {
                    Ok(body) => parsed.push((top.start, body)),
                    Err(_) => {
                        all_parsed = false;
                        break;
                    }
                }
            }
            if all_parsed {
                for (base, body) in &parsed {
                    self.read_body(file, *base, body, needs);
                }
                return;
            }
        }
        // The scanner could not split the file, or a block did not parse on its own:
        // parse the whole file, which also yields the precise error if there is one.
        match hcl_edit::parser::parse_body(text) {
            Ok(body) => self.read_body(file, 0, &body, needs),
            Err(err) => {
                let loc = err.location();
                self.parse_failures.push(ParseFailure {
                    file,
                    at: loc.offset(),
                    message: err.message().to_owned(),
                });
            }
        }
    }

    fn read_body(&mut self, file: usize, base: usize, body: &Body, needs: Kinds) {
        let cx = Cx {
            text: &self.files[file].text,
            base,
            lines: self.lines(file),
        };
        let mut modules = Vec::new();
        let mut namespaces = Vec::new();
        let mut pvcs = Vec::new();
        let mut workloads = Vec::new();
        if needs.contains(Kind::Module) {
            modules.extend(body.get_blocks("module").map(|b| read_module(&cx, file, b)));
        }
        for block in body.get_blocks("resource") {
            let [rtype, name] = block.labels.as_slice() else {
                continue;
            };
            let Some(kind) = Kind::of(rtype.as_str()).filter(|&k| needs.contains(k)) else {
                continue;
            };
            let addr = Addr {
                rtype: rtype.as_str().to_owned(),
                name: name.as_str().to_owned(),
            };
            let at = cx.at(block);
            match kind {
                Kind::Namespace => namespaces.push(read_namespace(&cx, addr, file, block)),
                Kind::Pvc => pvcs.push(read_pvc(&cx, addr, file, at, block)),
                _ => workloads.push(read_workload(&cx, kind, addr, file, at, block)),
            }
        }
        self.modules.extend(modules);
        self.namespaces.extend(namespaces);
        self.pvcs.extend(pvcs);
        self.workloads.extend(workloads);
    }

    /// The namespace resource a workload's `metadata.namespace` points at, if this stack
    /// declares it.
    pub(crate) fn namespace_of(&self, workload: &Workload) -> Option<&Namespace> {
        match &workload.namespace {
            Ref::Resource { rtype, name } => self
                .namespaces
                .iter()
                .find(|ns| &ns.addr.rtype == rtype && &ns.addr.name == name),
            Ref::Literal(literal) => self
                .namespaces
                .iter()
                .find(|ns| ns.name.as_deref() == Some(literal)),
            Ref::Module(_) | Ref::Unknown => None,
        }
    }

    /// The PVC resource a claim reference points at, if this stack declares it.
    pub(crate) fn pvc_of(&self, claim: &Ref) -> Option<&Pvc> {
        match claim {
            Ref::Resource { rtype, name } => self
                .pvcs
                .iter()
                .find(|pvc| &pvc.addr.rtype == rtype && &pvc.addr.name == name),
            Ref::Literal(literal) => self
                .pvcs
                .iter()
                .find(|pvc| pvc.name.as_deref() == Some(literal)),
            Ref::Module(_) | Ref::Unknown => None,
        }
    }

    /// The tier of a workload: its namespace's `tier` label, else its own (Kyverno copies
    /// the namespace's label onto workloads), resolving `var.<x>` in a local module
    /// through the `module` blocks of the stack that call it. `None` when unknown.
    pub(crate) fn tier_of(&self, w: &Workload) -> Option<Resolved> {
        let from_ns = self.namespace_of(w).and_then(|ns| {
            let tier = ns.tier.as_ref()?;
            Some((self.resolve_tier(ns.file, tier, 0)?, ns.addr.to_string()))
        });
        if let Some((key, via)) = from_ns {
            return Some(Resolved {
                key,
                via: format!("namespace {via}"),
            });
        }
        let tier = w.tier.as_ref()?;
        let key = self.resolve_tier(w.file, tier, 0)?;
        Some(Resolved {
            key,
            via: format!("the tier label of {}", w.addr),
        })
    }

    fn resolve_tier(&self, file: usize, tier: &TierRef, depth: usize) -> Option<&'static str> {
        match tier {
            TierRef::Known(key) => Some(key),
            TierRef::Unknown(_) => None,
            TierRef::Var(var) if depth < 4 => {
                let dir = self.files[file].path.parent()?;
                let mut found: Option<&'static str> = None;
                for call in &self.modules {
                    let Some(source) = &call.source else {
                        continue;
                    };
                    let Some(caller_dir) = self.files[call.file].path.parent() else {
                        continue;
                    };
                    if !same_dir(&caller_dir.join(source), dir) {
                        continue;
                    }
                    let arg = call.args.iter().find(|(k, _)| k == var).map(|(_, v)| v)?;
                    let key = self.resolve_tier(call.file, arg, depth + 1)?;
                    // Callers that disagree leave the tier unknown.
                    if found.is_some_and(|f| f != key) {
                        return None;
                    }
                    found = Some(key);
                }
                found
            }
            TierRef::Var(_) => None,
        }
    }
}

/// A resolved tier and where it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resolved {
    /// The `local.tiers.<key>` key.
    pub key: &'static str,
    pub via: String,
}

/// Whether two paths name the same directory, comparing their normal forms (`.` and `..`
/// steps resolved lexically; nothing on disk is read).
fn same_dir(a: &Path, b: &Path) -> bool {
    normal(a) == normal(b)
}

fn normal(path: &Path) -> Vec<std::ffi::OsString> {
    let mut parts: Vec<std::ffi::OsString> = Vec::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                if parts.last().is_some_and(|p| p != "..") {
                    parts.pop();
                } else {
                    parts.push("..".into());
                }
            }
            other => parts.push(other.as_os_str().to_owned()),
        }
    }
    parts
}

/// Where a block's offsets live: the file text, and the offset of the parsed chunk in it.
struct Cx<'c, 'a> {
    text: &'c str,
    base: usize,
    lines: &'c LineIndex<'a>,
}

impl Cx<'_, '_> {
    fn at(&self, node: &impl Span) -> usize {
        self.base + node.span().map_or(0, |s| s.start)
    }

    fn end(&self, node: &impl Span) -> usize {
        self.base + node.span().map_or(0, |s| s.end)
    }

    fn source(&self, node: &impl Span) -> &str {
        node.span()
            .and_then(|s| self.text.get(self.base + s.start..self.base + s.end))
            .unwrap_or("")
    }

    fn value(&self, expr: &Expression) -> Value {
        Value {
            literal: literal(expr),
            text: self
                .source(expr)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect(),
            at: self.at(expr),
        }
    }
}

fn first_block<'b>(body: &'b Body, ident: &str) -> Option<&'b Block> {
    body.blocks().find(|b| b.has_ident(ident))
}

fn attr<'b>(body: &'b Body, key: &str) -> Option<&'b Attribute> {
    body.get_attribute(key)
}

/// Follows a chain of nested blocks, `spec` → `template` → `spec`.
fn nested<'b>(body: &'b Body, idents: &[&str]) -> Option<&'b Body> {
    idents
        .iter()
        .try_fold(body, |b, ident| first_block(b, ident).map(|blk| &blk.body))
}

/// A string value: a plain string literal (not a template), or a bool/number written bare.
fn literal(expr: &Expression) -> Option<String> {
    match expr {
        Expression::String(s) => Some(s.value().clone()),
        Expression::Bool(b) => Some(b.value().to_string()),
        Expression::Number(n) => Some(n.value().to_string()),
        _ => None,
    }
}

fn str_attr(body: &Body, key: &str) -> Option<String> {
    attr(body, key).and_then(|a| literal(&a.value))
}

/// An entry of a map written either as an attribute (`labels = { … }`) or as a block
/// (`limits { … }`, older provider style).
struct Entry<'b> {
    key: String,
    value: &'b Expression,
    /// The node whose offset the entry reports (its key).
    key_span: Option<std::ops::Range<usize>>,
}

fn map_entries<'b>(body: &'b Body, key: &str) -> Vec<Entry<'b>> {
    if let Some(Expression::Object(object)) = attr(body, key).map(|a| &a.value) {
        return object
            .iter()
            .filter_map(|(k, v)| {
                let name = match k {
                    ObjectKey::Ident(ident) => ident.as_str().to_owned(),
                    ObjectKey::Expression(expr) => literal(expr)?,
                };
                Some(Entry {
                    key: name,
                    value: v.expr(),
                    key_span: k.span(),
                })
            })
            .collect();
    }
    if let Some(block) = first_block(body, key) {
        return block
            .body
            .attributes()
            .map(|a| Entry {
                key: a.key.as_str().to_owned(),
                value: &a.value,
                key_span: a.key.span(),
            })
            .collect();
    }
    Vec::new()
}

/// `key = literal value` pairs of a map attribute or block.
fn literal_map(body: Option<&Body>, key: &str) -> Vec<(String, Option<String>)> {
    body.map(|b| {
        map_entries(b, key)
            .into_iter()
            .map(|e| (e.key, literal(e.value)))
            .collect()
    })
    .unwrap_or_default()
}

/// The steps of a traversal expression such as `kubernetes_namespace.x.metadata[0].name`.
fn traversal_path(expr: &Expression) -> Option<Vec<Seg>> {
    match expr {
        Expression::Variable(ident) => Some(vec![Seg::Name(ident.as_str().to_owned())]),
        Expression::Traversal(traversal) => {
            let mut segs = traversal_path(&traversal.expr)?;
            segs.extend(traversal.operators.iter().map(|op| match op.value() {
                TraversalOperator::GetAttr(ident) => index_or_name(ident.as_str()),
                TraversalOperator::LegacyIndex(n) => Seg::Index(*n.value()),
                TraversalOperator::Index(Expression::Number(n)) => {
                    n.value().as_u64().map_or(Seg::Other, Seg::Index)
                }
                TraversalOperator::Index(Expression::String(s)) => Seg::Name(s.value().clone()),
                _ => Seg::Other,
            }));
            Some(segs)
        }
        _ => None,
    }
}

fn index_or_name(s: &str) -> Seg {
    s.parse::<u64>()
        .map_or_else(|_| Seg::Name(s.to_owned()), Seg::Index)
}

fn reference(expr: &Expression) -> Ref {
    if let Expression::String(s) = expr {
        return Ref::Literal(s.value().clone());
    }
    match traversal_path(expr).as_deref() {
        Some([Seg::Name(root), Seg::Name(name), ..]) if root == "module" => {
            Ref::Module(name.clone())
        }
        Some([Seg::Name(rtype), Seg::Name(name), ..]) if rtype.starts_with("kubernetes_") => {
            Ref::Resource {
                rtype: rtype.clone(),
                name: name.clone(),
            }
        }
        _ => Ref::Unknown,
    }
}

fn read_ignores(cx: &Cx<'_, '_>, body: &Body) -> Option<Ignores> {
    let lifecycle = first_block(body, "lifecycle")?;
    let attr = attr(&lifecycle.body, "ignore_changes")?;
    let at = cx.at(attr);
    let attr_line = cx.lines.line_of(at);
    let lifecycle_line = cx.lines.line_of(cx.at(lifecycle));
    let mut ignores = Ignores {
        at,
        ..Ignores::default()
    };
    let elements: Vec<&Expression> = match &attr.value {
        Expression::Variable(v) if v.as_str() == "all" => {
            ignores.all = true;
            Vec::new()
        }
        Expression::Array(array) => array.iter().collect(),
        other => vec![other],
    };
    // The comment trailing the closing `]` belongs to the whole list.
    let close_line = cx.lines.line_of(cx.end(&attr.value).saturating_sub(1));
    let lines: Vec<usize> = elements
        .iter()
        .map(|e| cx.lines.line_of(cx.at(*e)))
        .collect();
    for (element, &line) in elements.iter().zip(&lines) {
        let Some(path) = traversal_path(element) else {
            continue;
        };
        let at = cx.at(*element);
        let mut comments = String::new();
        let mut seen = Vec::new();
        let mut add_run = |l: usize| {
            if seen.contains(&l) {
                return;
            }
            seen.push(l);
            for above in cx.lines.comment_run_above(l) {
                comments.push_str(cx.lines.line(above));
                comments.push('\n');
            }
        };
        add_run(line);
        add_run(attr_line);
        add_run(lifecycle_line);
        let mut trailing_of = |l: usize| {
            if let Some(trailing) = trailing_comment(cx.lines.line(l)) {
                comments.push_str(trailing);
                comments.push('\n');
            }
        };
        trailing_of(line);
        if close_line != line {
            trailing_of(close_line);
        }
        let shares_line = lines.iter().filter(|&&l| l == line).count() > 1;
        ignores.entries.push(IgnoreEntry {
            path,
            at,
            comments,
            line,
            shares_line,
        });
    }
    Some(ignores)
}

fn read_namespace(cx: &Cx<'_, '_>, addr: Addr, file: usize, block: &Block) -> Namespace {
    let metadata = nested(&block.body, &["metadata"]);
    let name = metadata.and_then(|m| str_attr(m, "name"));
    let labels = metadata
        .map(|m| map_entries(m, "labels"))
        .unwrap_or_default();
    let keel_enrolled = labels
        .iter()
        .any(|e| e.key == cv::keel::ENROLLED_LABEL && literal(e.value).as_deref() == Some("true"));
    let tier = labels
        .iter()
        .find(|e| e.key == cv::tiers::LABEL)
        .map(|e| TierRef::of(cx, e.value));
    Namespace {
        addr,
        file,
        name,
        keel_enrolled,
        tier,
    }
}

fn read_module(cx: &Cx<'_, '_>, file: usize, block: &Block) -> ModuleCall {
    let body = &block.body;
    ModuleCall {
        file,
        source: str_attr(body, "source"),
        args: body
            .attributes()
            .map(|a| (a.key.as_str().to_owned(), TierRef::of(cx, &a.value)))
            .collect(),
    }
}

fn read_pvc(cx: &Cx<'_, '_>, addr: Addr, file: usize, at: usize, block: &Block) -> Pvc {
    let body = &block.body;
    let metadata = first_block(body, "metadata");
    let spec = nested(body, &["spec"]);
    let annotations_at = metadata.map(|m| {
        attr(&m.body, "annotations")
            .map(|a| cx.at(a))
            .or_else(|| first_block(&m.body, "annotations").map(|b| cx.at(b)))
            .unwrap_or_else(|| cx.at(m))
    });
    Pvc {
        addr,
        file,
        at,
        name: metadata.and_then(|m| str_attr(&m.body, "name")),
        storage_class: spec.and_then(|s| str_attr(s, "storage_class_name")),
        access_modes: spec.map(access_modes).unwrap_or_default(),
        wait_until_bound: attr(body, "wait_until_bound").map(|a| {
            let value = match &a.value {
                Expression::Bool(b) => Some(*b.value()),
                _ => None,
            };
            (value, cx.at(a))
        }),
        annotations: metadata
            .map(|m| {
                map_entries(&m.body, "annotations")
                    .into_iter()
                    .map(|e| e.key)
                    .collect()
            })
            .unwrap_or_default(),
        annotations_at,
        ignores: read_ignores(cx, body),
    }
}

fn access_modes(spec: &Body) -> Vec<String> {
    match attr(spec, "access_modes").map(|a| &a.value) {
        Some(Expression::Array(array)) => array.iter().filter_map(literal).collect(),
        _ => Vec::new(),
    }
}

fn read_workload(
    cx: &Cx<'_, '_>,
    kind: Kind,
    addr: Addr,
    file: usize,
    at: usize,
    block: &Block,
) -> Workload {
    let body = &block.body;
    let metadata = nested(body, &["metadata"]);
    let (pod_path, template_path): (&[&str], &[&str]) = match kind {
        Kind::Pod => (&["spec"], &["metadata"]),
        Kind::CronJob => (
            &["spec", "job_template", "spec", "template", "spec"],
            &["spec", "job_template", "spec", "template", "metadata"],
        ),
        _ => (
            &["spec", "template", "spec"],
            &["spec", "template", "metadata"],
        ),
    };
    let pod = nested(body, pod_path);
    let spec = nested(body, &["spec"]);
    let strategy = match (kind, spec.and_then(|s| first_block(s, "strategy"))) {
        (Kind::Deployment, Some(strategy)) => Some(match attr(&strategy.body, "type") {
            Some(t) => (literal(&t.value), cx.at(t)),
            None => (None, cx.at(strategy)),
        }),
        _ => None,
    };
    let mut containers = Vec::new();
    let mut volumes = Vec::new();
    let mut sets_ndots = false;
    if let Some(pod) = pod {
        for (ident, init) in [("init_container", true), ("container", false)] {
            containers.extend(
                pod.get_blocks(ident)
                    .enumerate()
                    .map(|(index, c)| read_container(cx, &c.body, init, index, cx.at(c))),
            );
        }
        containers.sort_by_key(|c| c.at);
        volumes = pod.get_blocks("volume").map(read_volume).collect();
        sets_ndots = pod.get_blocks("dns_config").any(|dns| {
            dns.body
                .get_blocks("option")
                .any(|o| str_attr(&o.body, "name").as_deref() == Some(cv::kyverno::NDOTS_OPTION))
        });
    }
    let claim_templates = match (kind, spec) {
        (Kind::StatefulSet, Some(spec)) => spec
            .get_blocks("volume_claim_template")
            .map(|t| ClaimTemplate {
                name: nested(&t.body, &["metadata"]).and_then(|m| str_attr(m, "name")),
                storage_class: nested(&t.body, &["spec"])
                    .and_then(|s| str_attr(s, "storage_class_name")),
                at: cx.at(t),
            })
            .collect(),
        _ => Vec::new(),
    };
    let template_meta = nested(body, template_path);
    let tier = [metadata, template_meta]
        .into_iter()
        .flatten()
        .find_map(|m| {
            map_entries(m, "labels")
                .into_iter()
                .find(|e| e.key == cv::tiers::LABEL)
                .map(|e| TierRef::of(cx, e.value))
        });
    Workload {
        kind,
        addr,
        file,
        at,
        end: cx.end(block),
        name: metadata.and_then(|m| str_attr(m, "name")),
        namespace: metadata
            .and_then(|m| attr(m, "namespace"))
            .map_or(Ref::Unknown, |a| reference(&a.value)),
        annotations: literal_map(metadata, "annotations"),
        labels: literal_map(metadata, "labels"),
        tier,
        strategy,
        containers,
        volumes,
        sets_ndots,
        claim_templates,
        ignores: read_ignores(cx, body),
    }
}

fn read_container(cx: &Cx<'_, '_>, body: &Body, init: bool, index: usize, at: usize) -> Container {
    let resources = nested(body, &["resources"]);
    let find = |map: &str, key: &str| -> Option<Value> {
        let entries = map_entries(resources?, map);
        let entry = entries.into_iter().find(|e| e.key == key)?;
        if matches!(entry.value, Expression::Null(_)) {
            return None;
        }
        let mut value = cx.value(entry.value);
        if let Some(span) = entry.key_span {
            value.at = cx.base + span.start;
        }
        Some(value)
    };
    Container {
        name: str_attr(body, "name"),
        init,
        index,
        at,
        cpu_limit: find("limits", "cpu"),
        memory_request: find("requests", "memory"),
        memory_limit: find("limits", "memory"),
        mounts: body
            .get_blocks("volume_mount")
            .map(|m| Mount {
                volume: str_attr(&m.body, "name"),
                read_only: match attr(&m.body, "read_only").map(|a| &a.value) {
                    None => Some(false),
                    Some(Expression::Bool(b)) => Some(*b.value()),
                    Some(_) => None,
                },
            })
            .collect(),
    }
}

fn read_volume(volume: &Block) -> Volume {
    let body = &volume.body;
    let source = if let Some(claim) = first_block(body, "persistent_volume_claim") {
        VolumeSource::Claim(
            attr(&claim.body, "claim_name").map_or(Ref::Unknown, |a| reference(&a.value)),
        )
    } else if first_block(body, "nfs").is_some() {
        VolumeSource::Nfs
    } else {
        VolumeSource::Other
    };
    Volume {
        name: str_attr(body, "name"),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack_of(text: &str) -> (Vec<SourceFile>, Kinds) {
        (
            vec![SourceFile::new("main.tf", text)],
            Kinds::WORKLOADS.union(Kinds::of(&[Kind::Namespace, Kind::Pvc])),
        )
    }

    #[test]
    fn constant_paths_parse_into_steps() {
        assert_eq!(
            path(r#"spec[0].template[0].metadata[0].annotations["keel.sh/update-time"]"#),
            vec![
                Seg::Name("spec".into()),
                Seg::Index(0),
                Seg::Name("template".into()),
                Seg::Index(0),
                Seg::Name("metadata".into()),
                Seg::Index(0),
                Seg::Name("annotations".into()),
                Seg::Name("keel.sh/update-time".into()),
            ]
        );
    }

    #[test]
    fn legacy_index_and_bracket_forms_compare_equal() {
        let text = r#"
resource "kubernetes_persistent_volume_claim" "data" {
  lifecycle {
    ignore_changes = [spec.0.resources.0.requests["storage"]]
  }
}
"#;
        let (files, needs) = stack_of(text);
        let stack = Stack::build(&files, needs);
        let ignores = stack.pvcs[0].ignores.as_ref().expect("ignores");
        assert!(
            ignores
                .covering(&path("spec[0].resources[0].requests.storage"))
                .is_some()
        );
        assert!(ignores.covering(&path("spec[0].resources[0]")).is_none());
    }

    #[test]
    fn offsets_are_absolute_in_the_file() {
        let text = "variable \"x\" {}\n\nresource \"kubernetes_persistent_volume_claim\" \"d\" {\n  metadata {\n    name = \"d\"\n  }\n  wait_until_bound = false\n}\n";
        let (files, needs) = stack_of(text);
        let stack = Stack::build(&files, needs);
        let pvc = &stack.pvcs[0];
        assert_eq!(stack.lines(0).position(pvc.at), (3, 1));
        let (value, at) = pvc.wait_until_bound.expect("attribute");
        assert_eq!((value, stack.lines(0).position(at)), (Some(false), (7, 3)));
        assert_eq!(pvc.name.as_deref(), Some("d"));
    }

    #[test]
    fn unsplittable_files_are_parsed_whole_and_failures_recorded() {
        let (files, needs) = stack_of("resource \"kubernetes_namespace\" \"ns\" {\n  metadata {\n");
        let stack = Stack::build(&files, needs);
        assert!(stack.namespaces.is_empty());
        assert_eq!(stack.parse_failures.len(), 1);
    }
}
