//! The resolved stack: an ordered list of objects, each with its address, an optional
//! comment, `# dlgen:allow` suppressions and raw HCL, and a kind-specific body; plus the
//! `terragrunt.hcl`. Plain data that the templates lay out, one template per object kind
//! (`templates/objects/<kind>.tf`) and shared parts for the pod, containers, probes,
//! volumes and lifecycles (`templates/parts/`).
//!
//! Values are [`Value`]s: strings reach the templates unescaped and become HCL literals
//! there (see `render`); only [`Expr`] values — references dlgen builds itself — and
//! heredocs built by [`crate::hcl::heredoc`] pass through as HCL text.

use std::sync::Arc;

use serde::{Serialize, Serializer};

mod pod;
pub use pod::*;

/// A Terraform expression built by dlgen (a reference such as
/// `kubernetes_namespace.x.metadata[0].name`). It is the only kind of value that reaches a
/// stack without quoting; nothing from a spec is ever wrapped in it unvalidated.
#[derive(Clone, PartialEq, Eq)]
pub struct Expr(pub String);

/// Shown as the expression itself (model snapshots read like the HCL they become).
impl std::fmt::Debug for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Expr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        minijinja::Value::from_safe_string(self.0.clone()).serialize(serializer)
    }
}

impl Expr {
    pub fn new(text: impl Into<String>) -> Self {
        Expr(text.into())
    }
}

/// A value of an attribute, object item or list element, as the stack writes it.
#[derive(Clone, PartialEq)]
pub enum Value {
    Str(String),
    /// A number written as an integer.
    Int(i64),
    /// A number written with a fraction or exponent.
    Float(f64),
    Bool(bool),
    Null,
    /// A reference or expression built by dlgen, printed as it is.
    Expr(Expr),
    List(Vec<Value>),
    Object(Obj),
    /// Text printed as a `<<-EOT` heredoc when that yields the text exactly (a quoted
    /// string otherwise); in a list, the closing bracket goes on the next line.
    Heredoc(String),
    /// A call of a Terraform function dlgen writes (`yamlencode({...})`,
    /// `templatefile(path, {...})`), its arguments values like any other.
    Call(Call),
}

/// Shown on one line, close to its HCL: `"text"`, `80`, `var.x`, `[...]`, `{ k = v }`.
impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Str(s) => write!(f, "{s:?}"),
            Value::Int(n) => write!(f, "{n}"),
            Value::Float(x) => write!(f, "{x:?}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Null => f.write_str("null"),
            Value::Expr(e) => f.write_str(&e.0),
            Value::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item:?}")?;
                }
                f.write_str("]")
            }
            Value::Object(o) => write!(f, "{o:?}"),
            Value::Heredoc(text) => write!(f, "heredoc {text:?}"),
            Value::Call(c) => write!(f, "{c:?}"),
        }
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Str(s) => serializer.serialize_str(s),
            Value::Int(n) => serializer.serialize_i64(*n),
            Value::Float(f) => serializer.serialize_f64(*f),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Null => serializer.serialize_none(),
            Value::Expr(e) => e.serialize(serializer),
            Value::List(items) => items.serialize(serializer),
            Value::Object(o) => o.serialize(serializer),
            Value::Heredoc(text) => {
                minijinja::Value::from_safe_string(crate::hcl::heredoc(text)).serialize(serializer)
            }
            Value::Call(c) => c.serialize(serializer),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}

impl From<Expr> for Value {
    fn from(e: Expr) -> Self {
        Value::Expr(e)
    }
}

impl From<Obj> for Value {
    fn from(o: Obj) -> Self {
        Value::Object(o)
    }
}

/// An HCL object (`{ key = value, ... }`) with its items in output order, laid out one
/// item per line (`multiline`) or inline.
#[derive(Clone, PartialEq, Default)]
pub struct Obj {
    pub entries: Vec<Entry>,
    pub multiline: bool,
}

impl Obj {
    /// A multi-line object.
    pub fn lines(entries: Vec<Entry>) -> Self {
        Obj {
            entries,
            multiline: true,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `Some(self)` when it has items.
    pub fn non_empty(self) -> Option<Obj> {
        (!self.is_empty()).then_some(self)
    }
}

/// Shown on one line: `{ key = value, "quoted" = value }`, prefixed `inline` when it is
/// written on one line.
impl std::fmt::Debug for Obj {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.multiline {
            f.write_str("inline ")?;
        }
        f.write_str("{")?;
        for (i, e) in self.entries.iter().enumerate() {
            f.write_str(if i > 0 { ", " } else { " " })?;
            if e.quoted {
                write!(f, "{:?}", e.key)?;
            } else {
                f.write_str(&e.key)?;
            }
            write!(f, " = {:?}", e.value)?;
        }
        f.write_str(if self.entries.is_empty() { "}" } else { " }" })
    }
}

impl Serialize for Obj {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        minijinja::Value::from_object(self.clone()).serialize(serializer)
    }
}

/// Templates see an object as an opaque value that the HCL formatter of `render` prints
/// (its items are not meant to be picked apart in a template).
impl minijinja::value::Object for Obj {
    fn is_true(self: &Arc<Self>) -> bool {
        !self.entries.is_empty()
    }
}

/// A function call dlgen writes: the function (a name dlgen chose, never from a spec)
/// and its arguments.
#[derive(Clone, PartialEq)]
pub struct Call {
    pub function: &'static str,
    pub args: Vec<Value>,
}

/// Shown as `function(arg, ...)`.
impl std::fmt::Debug for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}(", self.function)?;
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{a:?}")?;
        }
        f.write_str(")")
    }
}

impl Serialize for Call {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        minijinja::Value::from_object(self.clone()).serialize(serializer)
    }
}

/// Templates see a call as an opaque value that the HCL formatter of `render` prints.
impl minijinja::value::Object for Call {}

/// One `key = value` item of an object, in output order. The key is written bare when it
/// is an identifier and quoted otherwise, or always quoted when `quoted` (as some of the
/// repo's stacks write `"app" = ...`).
#[derive(Clone, PartialEq, Serialize)]
pub struct Entry {
    pub key: String,
    pub quoted: bool,
    pub value: Value,
}

/// Shown as `key = value`.
impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.quoted {
            write!(f, "{:?} = {:?}", self.key, self.value)
        } else {
            write!(f, "{} = {:?}", self.key, self.value)
        }
    }
}

pub(crate) fn entry(key: &str, value: impl Into<Value>) -> Entry {
    Entry {
        key: key.to_owned(),
        quoted: false,
        value: value.into(),
    }
}

pub(crate) fn quoted_entry(key: &str, value: impl Into<Value>) -> Entry {
    Entry {
        key: key.to_owned(),
        quoted: true,
        value: value.into(),
    }
}

/// A lifecycle block: `ignore_changes` entries with their marker comments, an optional
/// comment above the list, and its layout (one entry per line with trailing markers, or
/// inline).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lifecycle {
    pub comment: Option<String>,
    pub ignore_changes: Vec<Ignore>,
    pub multiline: bool,
}

/// One `ignore_changes` entry with its trailing marker comment.
#[derive(Clone, PartialEq, Serialize)]
pub struct Ignore {
    pub path: Expr,
    pub comment: Option<String>,
}

/// Shown as `path # comment`.
impl std::fmt::Debug for Ignore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.path.0)?;
        match &self.comment {
            Some(c) => write!(f, " # {c}"),
            None => Ok(()),
        }
    }
}

pub(crate) fn ignore(path: &str, comment: Option<&str>) -> Ignore {
    Ignore {
        path: Expr(path.to_owned()),
        comment: comment.map(str::to_owned),
    }
}

/// A `# dlgen:allow <rule> <why>` suppression written above an object: a convention the
/// spec switched off on purpose, with its reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Allow {
    pub rule: &'static str,
    pub why: String,
}

/// Raw HCL from the spec: attributes and blocks inside a generated block, or whole blocks
/// of a file. It parsed on its own as an HCL body; `field` is the spec path it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Raw {
    pub text: String,
    pub field: String,
}

// --- the stack ------------------------------------------------------------------------

#[derive(Clone, Serialize)]
pub struct Stack {
    /// Stack directory name.
    pub name: String,
    /// The comment block that opens `main.tf`, below dlgen's header.
    pub header_comment: Option<String>,
    /// The comment block that closes `main.tf`.
    pub footer_comment: Option<String>,
    /// The blocks of `main.tf`, in file order.
    pub objects: Vec<Object>,
    pub terragrunt: Terragrunt,
    /// Files beside the spec that the stack reads (`file()`, `templatefile()`): copied
    /// into the stack directory under the same name.
    pub files: Vec<SpecFile>,
    /// Comments anchored to places of the stack (`comments:`), placed once the templates
    /// have written them.
    #[serde(skip)]
    pub comments: Vec<crate::anchor::Comment>,
}

/// A file beside the spec that the stack reads: its name (in the spec's directory
/// `<spec>/` and in the stack directory), and the spec field that names it first.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct SpecFile {
    pub name: String,
    pub field: String,
    /// Read only with `filebase64()`: any bytes, not only UTF-8 text.
    pub binary: bool,
}

/// Shown field by field; `binary` only when it is.
impl std::fmt::Debug for SpecFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("SpecFile");
        d.field("name", &self.name).field("field", &self.field);
        if self.binary {
            d.field("binary", &self.binary);
        }
        d.finish()
    }
}

/// Shown field by field; the files beside the spec only when there are any.
impl std::fmt::Debug for Stack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("Stack");
        d.field("name", &self.name)
            .field("objects", &self.objects)
            .field("terragrunt", &self.terragrunt);
        if !self.files.is_empty() {
            d.field("files", &self.files);
        }
        d.finish()
    }
}

/// The kind of a top-level block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    Resource,
    Data,
    Module,
    Variable,
    Locals,
    Moved,
    Import,
    /// Raw blocks of the spec (`raw.stack`): whatever they declare.
    Raw,
}

/// Where an object lives: its block kind, resource or data source type (as data, so
/// `kubernetes_deployment_v1` and the like are kept), and name.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Address {
    pub block: BlockKind,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub name: String,
}

/// Shown as the block header: `resource "t" "n"`, `module "n"`, `locals`.
impl std::fmt::Debug for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let block = match self.block {
            BlockKind::Resource => "resource",
            BlockKind::Data => "data",
            BlockKind::Module => "module",
            BlockKind::Variable => "variable",
            BlockKind::Locals => return f.write_str("locals"),
            BlockKind::Moved => return f.write_str("moved"),
            BlockKind::Import => return f.write_str("import"),
            BlockKind::Raw => return f.write_str("raw blocks"),
        };
        f.write_str(block)?;
        if let Some(kind) = &self.kind {
            write!(f, " {kind:?}")?;
        }
        write!(f, " {:?}", self.name)
    }
}

impl Address {
    pub fn resource(kind: &str, name: &str) -> Self {
        Address {
            block: BlockKind::Resource,
            kind: Some(kind.to_owned()),
            name: name.to_owned(),
        }
    }

    pub fn data(kind: &str, name: &str) -> Self {
        Address {
            block: BlockKind::Data,
            kind: Some(kind.to_owned()),
            name: name.to_owned(),
        }
    }

    pub fn module(name: &str) -> Self {
        Address {
            block: BlockKind::Module,
            kind: None,
            name: name.to_owned(),
        }
    }

    pub fn unnamed(block: BlockKind) -> Self {
        Address {
            block,
            kind: None,
            name: String::new(),
        }
    }

    /// The address as Terraform writes it in references and `moved` blocks:
    /// `kubernetes_namespace.x`, `module.x`, `data.t.x`, `var.x`.
    pub fn reference(&self) -> String {
        let kind = self.kind.as_deref().unwrap_or_default();
        match self.block {
            BlockKind::Resource => format!("{kind}.{}", self.name),
            BlockKind::Data => format!("data.{kind}.{}", self.name),
            BlockKind::Module => format!("module.{}", self.name),
            BlockKind::Variable => format!("var.{}", self.name),
            BlockKind::Locals => "locals".to_owned(),
            BlockKind::Moved => "moved".to_owned(),
            BlockKind::Import => "import".to_owned(),
            BlockKind::Raw => "raw".to_owned(),
        }
    }

    /// Whether the object lives in the state and can be moved (a resource or module call).
    pub fn is_managed(&self) -> bool {
        matches!(self.block, BlockKind::Resource | BlockKind::Module)
    }
}

/// One top-level block of `main.tf`.
#[derive(Debug, Clone, Serialize)]
pub struct Object {
    pub address: Address,
    /// Free text written as `#` lines above the block.
    pub comment: Option<String>,
    pub allow: Vec<Allow>,
    /// Raw HCL inside the block, after what dlgen generates.
    pub raw: Option<Raw>,
    pub body: Body,
}

impl Object {
    pub(crate) fn new(address: Address, body: Body) -> Self {
        Object {
            address,
            comment: None,
            allow: Vec::new(),
            raw: None,
            body,
        }
    }

    /// The name and namespace of the Kubernetes object a resource declares, for the
    /// object kinds that live in a namespace. Pods refer to config maps, secrets, service
    /// accounts and claims by this name (see `link`).
    pub fn kubernetes_name(&self) -> Option<(&str, &Value)> {
        match &self.body {
            Body::Pvc(pvc) => Some((&pvc.name, &pvc.namespace)),
            Body::ExternalSecret(es) => Some((&es.name, &es.namespace)),
            Body::Deployment(Deployment { metadata, .. })
            | Body::CronJob(CronJob { metadata, .. })
            | Body::Job(Job { metadata, .. })
            | Body::Service(Service { metadata, .. })
            | Body::ConfigMap(ConfigMap { metadata, .. })
            | Body::Secret(Secret { metadata, .. }) => Some((&metadata.name, &metadata.namespace)),
            Body::ServiceAccount(sa) => Some((&sa.name, &sa.namespace)),
            _ => None,
        }
    }
}

/// What an object is; each kind has its template `templates/objects/<kind>.tf`.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Body {
    Variable(Variable),
    /// `data "vault_kv_secret_v2"`: a plan-time Vault read.
    VaultSecret(VaultSecret),
    Namespace(Namespace),
    /// A `kubernetes_manifest` holding an ExternalSecret.
    ExternalSecret(ExternalSecret),
    /// `data "kubernetes_secret"`: a plan-time read of a secret.
    SecretData(SecretData),
    Locals(Locals),
    /// A module call (`setup_tls_secret`, `nfs_volume`, `ingress_factory`, any module).
    ModuleCall(ModuleCall),
    Pvc(Pvc),
    Deployment(Deployment),
    CronJob(CronJob),
    /// A one-shot Job.
    Job(Job),
    Service(Service),
    Moved(Moved),
    Import(Import),
    /// Whole blocks from the spec (`raw.stack`).
    RawBlocks(RawBlocks),
    // --- around the pod
    /// `kubernetes_config_map`.
    ConfigMap(ConfigMap),
    /// `kubernetes_secret` the stack writes itself.
    Secret(Secret),
    /// `random_password`, `random_string`, `random_id`: attributes only.
    Random(Random),
    ServiceAccount(ServiceAccount),
    /// `kubernetes_role` or `kubernetes_cluster_role`.
    Role(Role),
    /// `kubernetes_role_binding` or `kubernetes_cluster_role_binding`.
    RoleBinding(RoleBinding),
    ResourceQuota(ResourceQuota),
    /// A `kubernetes_manifest` of any other object (a Traefik Middleware, an
    /// `IngressRoute`, ...).
    Manifest(Manifest),
    /// `kubernetes_pod_disruption_budget_v1`.
    DisruptionBudget(DisruptionBudget),
    /// `kubernetes_network_policy_v1` or `kubernetes_network_policy`.
    NetworkPolicy(NetworkPolicy),
    /// `kubernetes_limit_range`.
    LimitRange(LimitRange),
}

impl Body {
    /// The path of the pod spec inside a workload's body, as block names, and the pod.
    pub fn pod(&self) -> Option<(&'static [&'static str], &Pod)> {
        match self {
            Body::Deployment(d) => Some((&["spec", "template", "spec"], &d.pod)),
            Body::CronJob(c) => Some((
                &["spec", "job_template", "spec", "template", "spec"],
                &c.job.pod,
            )),
            Body::Job(j) => Some((&["spec", "template", "spec"], &j.job.pod)),
            _ => None,
        }
    }

    /// The pod spec of a workload, to change.
    pub fn pod_mut(&mut self) -> Option<&mut Pod> {
        match self {
            Body::Deployment(d) => Some(&mut d.pod),
            Body::CronJob(c) => Some(&mut c.job.pod),
            Body::Job(j) => Some(&mut j.job.pod),
            _ => None,
        }
    }
}

#[derive(Clone, Serialize)]
pub struct Variable {
    #[serde(rename = "type")]
    pub kind: Expr,
    /// A sensitive variable is written as a block; others on one line unless they have a
    /// default or a description.
    pub sensitive: bool,
    pub default: Option<Value>,
    pub description: Option<String>,
}

/// Shown with the default and description only when they are set.
impl std::fmt::Debug for Variable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("Variable");
        d.field("kind", &self.kind)
            .field("sensitive", &self.sensitive);
        if let Some(default) = &self.default {
            d.field("default", default);
        }
        if let Some(description) = &self.description {
            d.field("description", description);
        }
        d.finish()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct VaultSecret {
    pub mount: String,
    /// The path under the mount.
    pub path: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Namespace {
    pub name: String,
    pub labels: Obj,
    pub lifecycle: Lifecycle,
}

/// `kubernetes_manifest` of an `external-secrets.io` ExternalSecret: a whole Vault key
/// extracted into a Kubernetes secret, and/or keys read one by one, optionally shaped by
/// a target template.
#[derive(Debug, Clone, Serialize)]
pub struct ExternalSecret {
    pub api_version: String,
    pub name: String,
    pub namespace: Value,
    pub refresh_interval: String,
    pub store_name: String,
    pub store_kind: String,
    pub target_name: String,
    /// `target.creationPolicy`.
    pub creation_policy: Option<String>,
    /// `target.template`, when set.
    pub template: Option<SecretTemplate>,
    /// The Vault key whose every property becomes a key of the secret (`dataFrom.extract`).
    pub extract_key: Option<String>,
    /// Keys read one by one (`data`), in order.
    pub data: Vec<SecretKeyData>,
    pub depends_on: Vec<Expr>,
    /// `field_manager { force_conflicts = true }`.
    pub force_conflicts: bool,
}

/// `target.template` of an ExternalSecret.
#[derive(Debug, Clone, Serialize)]
pub struct SecretTemplate {
    pub engine_version: Option<String>,
    /// Annotations of the target secret.
    pub annotations: Option<Obj>,
    /// Keys built from the secret's values.
    pub data: Option<Obj>,
}

/// One entry of an ExternalSecret's `data` list.
#[derive(Debug, Clone, Serialize)]
pub struct SecretKeyData {
    pub secret_key: String,
    pub remote_key: String,
    pub property: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SecretData {
    pub name: String,
    pub namespace: Value,
    pub depends_on: Vec<Expr>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Locals {
    pub entries: Vec<Entry>,
}

/// A module call: `source`, then the arguments in order.
#[derive(Debug, Clone, Serialize)]
pub struct ModuleCall {
    pub source: String,
    pub args: Vec<Arg>,
}

/// One argument of a module call, with comment lines above it and a trailing comment.
#[derive(Debug, Clone, Serialize)]
pub struct Arg {
    pub name: String,
    pub value: Value,
    pub comment: Option<String>,
    pub trailing: Option<String>,
}

pub(crate) fn arg(name: &str, value: impl Into<Value>) -> Arg {
    Arg {
        name: name.to_owned(),
        value: value.into(),
        comment: None,
        trailing: None,
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Pvc {
    /// `wait_until_bound` when it is written (the convention writes `false`).
    pub wait_until_bound: Option<bool>,
    pub name: String,
    pub namespace: Value,
    pub annotations: Option<Obj>,
    pub access_modes: Vec<String>,
    pub storage_class: String,
    pub requests: Obj,
    pub lifecycle: Option<Lifecycle>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Metadata {
    pub name: String,
    pub namespace: Value,
    pub labels: Option<Obj>,
    pub annotations: Option<Obj>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Service {
    pub metadata: Metadata,
    /// `type`, when written.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub external_traffic_policy: Option<String>,
    /// `cluster_ip`, when written (`None` for a headless Service).
    pub cluster_ip: Option<String>,
    pub selector: Obj,
    pub ports: Vec<ServicePort>,
    /// Raw HCL inside `spec`, after the ports.
    pub spec_raw: Option<Raw>,
    pub lifecycle: Option<Lifecycle>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServicePort {
    pub name: Option<String>,
    pub port: Value,
    pub target_port: Option<Value>,
    pub protocol: Option<String>,
    pub node_port: Option<Value>,
}

// --- around the pod ---------------------------------------------------------------

/// `kubernetes_config_map`: metadata, `data` and `binary_data` items in order.
#[derive(Clone, Serialize)]
pub struct ConfigMap {
    pub metadata: Metadata,
    pub immutable: Option<bool>,
    pub data: Obj,
    pub binary_data: Obj,
    pub depends_on: Vec<Expr>,
    /// The drift workaround's `ignore_changes`.
    pub lifecycle: Option<Lifecycle>,
}

/// Shown field by field; `binary_data` and `lifecycle` only when there are some.
impl std::fmt::Debug for ConfigMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("ConfigMap");
        d.field("metadata", &self.metadata);
        if let Some(immutable) = self.immutable {
            d.field("immutable", &immutable);
        }
        d.field("data", &self.data);
        if !self.binary_data.is_empty() {
            d.field("binary_data", &self.binary_data);
        }
        d.field("depends_on", &self.depends_on);
        if let Some(lifecycle) = &self.lifecycle {
            d.field("lifecycle", lifecycle);
        }
        d.finish()
    }
}

/// `kubernetes_secret`: metadata, `type`, the token wait, `data` and `binary_data` items
/// in order, and the drift workaround's `lifecycle`.
#[derive(Clone, Serialize)]
pub struct Secret {
    pub metadata: Metadata,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub wait_for_service_account_token: Option<bool>,
    pub data: Option<Obj>,
    pub binary_data: Option<Obj>,
    pub depends_on: Vec<Expr>,
    pub lifecycle: Option<Lifecycle>,
}

/// Shown field by field; `binary_data` only when there is some.
impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("Secret");
        d.field("metadata", &self.metadata)
            .field("kind", &self.kind)
            .field(
                "wait_for_service_account_token",
                &self.wait_for_service_account_token,
            )
            .field("data", &self.data);
        if self.binary_data.is_some() {
            d.field("binary_data", &self.binary_data);
        }
        d.field("depends_on", &self.depends_on)
            .field("lifecycle", &self.lifecycle)
            .finish()
    }
}

/// A `random_*` resource: its attributes in order.
#[derive(Debug, Clone, Serialize)]
pub struct Random {
    pub attributes: Vec<Entry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceAccount {
    pub name: String,
    pub namespace: Value,
}

/// A Role (with a namespace) or a ClusterRole (without).
#[derive(Debug, Clone, Serialize)]
pub struct Role {
    pub name: String,
    pub namespace: Option<Value>,
    pub rules: Vec<Rule>,
}

/// One `rule` block: its lists in order, those that are set.
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    pub attributes: Vec<Entry>,
}

/// A RoleBinding (with a namespace) or a ClusterRoleBinding (without).
#[derive(Debug, Clone, Serialize)]
pub struct RoleBinding {
    pub name: String,
    pub namespace: Option<Value>,
    pub api_group: String,
    pub role_kind: String,
    pub role_name: Value,
    pub subjects: Vec<Subject>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Subject {
    pub kind: String,
    pub name: Value,
    pub namespace: Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct ResourceQuota {
    pub name: String,
    pub namespace: Value,
    pub hard: Obj,
}

/// A `kubernetes_manifest`: any Kubernetes object the stack applies, a Traefik Middleware
/// among them.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    pub api_version: String,
    /// The manifest's `kind` (`kind` itself tags the body).
    pub manifest_kind: String,
    pub name: String,
    /// `None`: a cluster-scoped object.
    pub namespace: Option<Value>,
    pub labels: Option<Obj>,
    pub annotations: Option<Obj>,
    /// `spec` and the other top-level keys, in order.
    pub fields: Vec<Entry>,
    pub force_conflicts: bool,
    pub depends_on: Vec<Expr>,
    pub lifecycle: Option<Lifecycle>,
}

/// A PodDisruptionBudget: one of `max_unavailable` and `min_available`.
#[derive(Debug, Clone, Serialize)]
pub struct DisruptionBudget {
    pub name: String,
    pub namespace: Value,
    pub max_unavailable: Option<Value>,
    pub min_available: Option<Value>,
    pub selector: Obj,
}

/// A LimitRange: one `limit` block per kind of object.
#[derive(Debug, Clone, Serialize)]
pub struct LimitRange {
    pub name: String,
    pub namespace: Value,
    pub limits: Vec<Limit>,
}

/// One `limit` block: its type and resource maps (the empty ones are left out).
#[derive(Debug, Clone, Serialize)]
pub struct Limit {
    pub kind_of: String,
    pub maps: Vec<Entry>,
}

/// A NetworkPolicy: the pods it covers, the directions it isolates, its rules.
#[derive(Debug, Clone, Serialize)]
pub struct NetworkPolicy {
    pub name: String,
    pub namespace: Value,
    pub pod_selector: Selector,
    pub policy_types: Vec<String>,
    pub ingress: Vec<PolicyRule>,
    pub egress: Vec<PolicyRule>,
}

/// A label selector; empty, it selects everything (`pod_selector {}`).
#[derive(Debug, Clone, Serialize)]
pub struct Selector {
    pub match_labels: Option<Obj>,
    pub match_expressions: Vec<LabelExpression>,
}

/// One `match_expressions` block of a label selector.
#[derive(Debug, Clone, Serialize)]
pub struct LabelExpression {
    pub key: String,
    pub operator: String,
    pub values: Vec<String>,
}

/// An `ingress` (peers in `from`) or `egress` (peers in `to`) rule.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyRule {
    pub peers: Vec<PolicyPeer>,
    pub ports: Vec<PolicyPort>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PolicyPeer {
    pub namespace_selector: Option<Selector>,
    pub pod_selector: Option<Selector>,
    pub ip_block: Option<IpBlock>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IpBlock {
    pub cidr: String,
    pub except: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PolicyPort {
    pub port: Option<Value>,
    pub end_port: Option<u32>,
    pub protocol: Option<String>,
}

/// `moved { from = <from> to = <to> }`.
#[derive(Debug, Clone, Serialize)]
pub struct Moved {
    pub from: Expr,
    pub to: Expr,
}

/// `import { to = <to> id = "<id>" }`.
#[derive(Debug, Clone, Serialize)]
pub struct Import {
    pub to: Expr,
    pub id: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RawBlocks {
    pub raw: Raw,
}

/// `terragrunt.hcl`: includes, dependencies, inputs and raw blocks, in that order.
#[derive(Debug, Clone, Serialize)]
pub struct Terragrunt {
    pub includes: Vec<Include>,
    pub dependencies: Vec<Dependency>,
    pub inputs: Option<Obj>,
    pub raw: Option<Raw>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Include {
    pub name: String,
    pub path: Expr,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dependency {
    pub name: String,
    pub config_path: String,
    pub skip_outputs: bool,
}

impl Stack {
    /// Every resource and module address the stack declares, in file order: what `moved`
    /// blocks may point at.
    pub fn managed_addresses(&self) -> Vec<String> {
        self.objects
            .iter()
            .filter(|o| o.address.is_managed())
            .map(|o| o.address.reference())
            .collect()
    }

    /// The object at `reference` (`kubernetes_deployment.app`, `module.ingress`, ...).
    pub fn object(&self, reference: &str) -> Option<&Object> {
        self.objects
            .iter()
            .find(|o| o.address.reference() == reference)
    }
}

impl Stack {
    /// Every raw HCL snippet of the stack and where it sits: what the structural check
    /// traces a conflict back to.
    pub fn raw_sites(&self) -> Vec<crate::structure::Site<'_>> {
        use crate::structure::Site;
        let mut sites = Vec::new();
        fn site<'a>(
            file: &'a str,
            object: Option<String>,
            path: Vec<String>,
            raw: &'a Raw,
        ) -> crate::structure::Site<'a> {
            Site {
                file,
                object,
                path,
                text: raw.text.as_str(),
                field: raw.field.as_str(),
            }
        }
        for o in &self.objects {
            if let Body::RawBlocks(rb) = &o.body {
                sites.push(site("main.tf", None, Vec::new(), &rb.raw));
                continue;
            }
            let reference = o.address.reference();
            if let Some(raw) = &o.raw {
                sites.push(site("main.tf", Some(reference.clone()), Vec::new(), raw));
            }
            if let Body::Service(svc) = &o.body
                && let Some(raw) = &svc.spec_raw
            {
                let path = vec!["spec[0]".to_owned()];
                sites.push(site("main.tf", Some(reference.clone()), path, raw));
            }
            if let Some((path, pod)) = o.body.pod() {
                let pod_path: Vec<String> = path.iter().map(|p| format!("{p}[0]")).collect();
                if let Some(raw) = &pod.raw {
                    sites.push(site(
                        "main.tf",
                        Some(reference.clone()),
                        pod_path.clone(),
                        raw,
                    ));
                }
                for (i, v) in pod.volumes.iter().enumerate() {
                    if let VolumeSource::Raw { raw: Some(raw) } = &v.source {
                        let mut path = pod_path.clone();
                        path.push(format!("volume[{i}]"));
                        sites.push(site("main.tf", Some(reference.clone()), path, raw));
                    }
                }
                for (block, list) in [
                    ("init_container", &pod.init_containers),
                    ("container", &pod.containers),
                ] {
                    for (i, c) in list.iter().enumerate() {
                        if let Some(raw) = &c.raw {
                            let mut path = pod_path.clone();
                            path.push(format!("{block}[{i}]"));
                            sites.push(site("main.tf", Some(reference.clone()), path, raw));
                        }
                    }
                }
            }
        }
        if let Some(raw) = &self.terragrunt.raw {
            sites.push(site("terragrunt.hcl", None, Vec::new(), raw));
        }
        sites
    }
}

impl Stack {
    /// The stack without any raw HCL: what dlgen generates on its own.
    pub fn without_raw(&self) -> Stack {
        let mut bare = self.clone();
        bare.objects
            .retain(|o| !matches!(o.body, Body::RawBlocks(_)));
        for o in &mut bare.objects {
            o.raw = None;
            if let Body::Service(svc) = &mut o.body {
                svc.spec_raw = None;
            }
            let Some(pod) = o.body.pod_mut() else {
                continue;
            };
            pod.raw = None;
            for c in pod.containers.iter_mut().chain(&mut pod.init_containers) {
                c.raw = None;
            }
            for v in &mut pod.volumes {
                if let VolumeSource::Raw { raw } = &mut v.source {
                    *raw = None;
                }
            }
        }
        bare.terragrunt.raw = None;
        bare
    }
}
