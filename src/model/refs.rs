//! References a value can make, and what they make the stack declare: shared variables,
//! plan-time Vault reads and plan-time reads of the stack's ExternalSecret.

use super::problems::Problems;
use super::types::{Address, BlockKind, Body, Entry, Expr, Object, Value, VaultSecret, entry};
use crate::conventions as cv;
use crate::hcl;
use crate::spec::{EsoRef, Scalar, ValueSpec, VaultRef};
use crate::validate;

/// What the values of a spec refer to, in order of first use.
#[derive(Default)]
pub(crate) struct Refs {
    /// Shared Terraform variables (`mail_host`, ...), declared one per line.
    pub vars: Vec<String>,
    /// The variables among `vars` used as booleans (a CronJob's `suspend` flag): declared
    /// `bool` when the spec gives no default.
    pub flags: Vec<String>,
    /// Vault paths read at plan time.
    pub vault: Vec<String>,
    /// ExternalSecret keys read at plan time: (key, JSON-decoded).
    pub eso: Vec<(String, bool)>,
    /// The Secret the stack's own ExternalSecret writes (what `{eso}` reads by default).
    pub own_secret: String,
    /// Other Kubernetes Secrets read at plan time, in order of first use: (name, its
    /// namespace when not the stack's).
    pub other_secrets: Vec<(String, Option<String>)>,
    /// Vault keys holding JSON read at plan time: (path, key), each decoded in a local
    /// named after the key.
    pub vault_json: Vec<(String, String)>,
    /// Whether a container reads the ExternalSecret at run time (`secret:`).
    pub runtime_secrets: bool,
    /// References to objects of the stack (`{ref: ...}`), checked once every object is
    /// known: (spec path, the referenced object, e.g. `random_password.key`).
    pub objects: Vec<(String, String)>,
    /// How Vault data sources are labelled (see [`VaultLabels`]).
    pub vault_labels: VaultLabels,
    /// Whether the values being resolved are a manifest's (`manifests:`, `middlewares:`),
    /// which may name the TLS secret by its variable, as the ingress module is given it
    /// (an `IngressRoute`'s `tls.secretName`).
    pub in_manifest: bool,
}

/// The repo's labels of `data "vault_kv_secret_v2"` sources: the stack's own path is
/// `secrets`, and so is the platform path when the stack does not read its own (then it
/// is `platform`); any other path is labelled by its snake case.
#[derive(Default, Clone)]
pub(crate) struct VaultLabels {
    /// The stack's own Vault path.
    pub own: String,
    /// Whether the stack reads its own path too (the platform path is then `platform`).
    pub own_read: bool,
}

impl VaultLabels {
    pub fn label(&self, path: &str) -> String {
        let plain = identifier(&path.replace('/', "_"));
        if path == self.own || (path == cv::vault::PLATFORM_PATH && !self.own_read) {
            cv::vault::OWN_LABEL.to_owned()
        } else if plain == cv::vault::OWN_LABEL {
            // A path that is neither but would take the label.
            format!("vault_{plain}")
        } else {
            plain
        }
    }
}

impl Refs {
    pub fn var(&mut self, name: &str) {
        if !self.vars.iter().any(|v| v == name) {
            self.vars.push(name.to_owned());
        }
    }

    /// One `data "vault_kv_secret_v2"` object per Vault path read, in order of first use.
    pub fn vault_reads(&self) -> Vec<Object> {
        self.vault
            .iter()
            .map(|path| {
                Object::new(
                    Address::data("vault_kv_secret_v2", &self.vault_labels.label(path)),
                    Body::VaultSecret(VaultSecret {
                        mount: cv::eso::VAULT_MOUNT.to_owned(),
                        path: path.clone(),
                    }),
                )
            })
            .collect()
    }

    /// `<key> = jsondecode(data.vault_kv_secret_v2.<label>.data["<key>"])` for every JSON
    /// key read from Vault.
    pub fn vault_locals(&self) -> Vec<Entry> {
        self.vault_json
            .iter()
            .map(|(vpath, key)| {
                entry(
                    &identifier(key),
                    Expr(format!(
                        "jsondecode(data.vault_kv_secret_v2.{}.data[{}])",
                        self.vault_labels.label(vpath),
                        hcl::quote(key)
                    )),
                )
            })
            .collect()
    }

    /// `<key> = jsondecode(data.kubernetes_secret.<read>.data["<key>"])` for every JSON key
    /// of the ExternalSecret read at plan time.
    pub fn eso_locals(&self) -> Vec<Entry> {
        self.eso
            .iter()
            .filter(|(_, json)| *json)
            .map(|(key, _)| {
                entry(
                    &identifier(key),
                    Expr(format!(
                        "jsondecode(data.kubernetes_secret.{}.data[{}])",
                        cv::eso::DATA_ADDRESS,
                        hcl::quote(key)
                    )),
                )
            })
            .collect()
    }

    /// Resolves a spec value at `path` into an HCL value, declaring what it refers to.
    pub fn value(&mut self, p: &mut Problems, path: &str, value: &ValueSpec) -> Value {
        match value {
            ValueSpec::Scalar(s) => match s {
                Scalar::Str(s) => Value::Str(s.clone()),
                Scalar::Int(n) => Value::Int(*n),
                Scalar::Float(f) => Value::Float(*f),
                Scalar::Bool(b) => Value::Bool(*b),
            },
            ValueSpec::Var(name) => {
                if !self.use_var(p, &format!("{path}.var"), name) {
                    return Value::Str(String::new());
                }
                Value::Expr(Expr(format!("var.{name}")))
            }
            ValueSpec::Vault(VaultRef {
                path: vpath,
                key,
                json,
                optional,
            }) => {
                let at = format!("{path}.vault");
                let (Some(vpath), Some(key)) = (vpath, key) else {
                    p.add(
                        &at,
                        "a Vault reference needs `path` and `key`",
                        Some("e.g. `{vault: {path: platform, key: smtp_password}}` reads secret/platform".to_owned()),
                    );
                    return Value::Str(String::new());
                };
                let ok_path = validate::vault_key(vpath);
                let ok_key = validate::secret_key(key);
                p.check(&format!("{at}.path"), "Vault path", vpath, ok_path.clone());
                p.check(&format!("{at}.key"), "Vault key", key, ok_key.clone());
                if ok_path.is_err() || ok_key.is_err() {
                    return Value::Str(String::new());
                }
                if !self.vault.contains(vpath) {
                    self.vault.push(vpath.clone());
                }
                if !optional_has_path(p, &at, "json", json, *optional) {
                    return Value::Str(String::new());
                }
                if !json.is_empty() {
                    let local = identifier(key);
                    let taken = self
                        .vault_json
                        .iter()
                        .any(|(p, k)| identifier(k) == local && (p != vpath || k != key))
                        || self.eso.iter().any(|(k, j)| *j && identifier(k) == local);
                    if taken {
                        p.add(
                            &at,
                            format!("the local `{local}` already decodes another secret's key"),
                            Some("read the JSON key from one place only".to_owned()),
                        );
                    } else if !self.vault_json.iter().any(|(p, k)| p == vpath && k == key) {
                        self.vault_json.push((vpath.clone(), key.clone()));
                    }
                    return Value::Expr(Expr(json_read(&local, json, *optional)));
                }
                Value::Expr(Expr(format!(
                    "data.vault_kv_secret_v2.{}.data[{}]",
                    self.vault_labels.label(vpath),
                    hcl::quote(key)
                )))
            }
            ValueSpec::Ref(text) => {
                let at = format!("{path}.ref");
                match object_ref(text) {
                    Ok(root) => {
                        self.objects.push((at, root));
                        Value::Expr(Expr(text.clone()))
                    }
                    Err(why) => {
                        p.invalid(&at, "reference", text, &why);
                        Value::Str(String::new())
                    }
                }
            }
            ValueSpec::Template(parts) => {
                let at = format!("{path}.template");
                if parts.is_empty() {
                    p.add(
                        &at,
                        "a template needs at least one part",
                        Some(
                            "e.g. `{template: [\"base64:\", {ref: random_id.key.b64_std}]}`"
                                .to_owned(),
                        ),
                    );
                    return Value::Str(String::new());
                }
                let mut pieces = Vec::new();
                for (i, part) in parts.iter().enumerate() {
                    let part_at = format!("{at}[{i}]");
                    match part {
                        ValueSpec::Scalar(s) => {
                            pieces.push(hcl::TemplatePart::Text(scalar_text(s)));
                        }
                        ValueSpec::Template(_) => p.add(
                            &part_at,
                            "a template cannot hold another template",
                            Some("write its parts into this one".to_owned()),
                        ),
                        ValueSpec::Json(_)
                        | ValueSpec::Base64(_)
                        | ValueSpec::ToString(_)
                        | ValueSpec::Coalesce(_)
                        | ValueSpec::IfSet(_) => p.add(
                            &part_at,
                            "a template part is text or a reference",
                            Some("write the function around the whole value".to_owned()),
                        ),
                        reference => {
                            if let Value::Expr(e) = self.value(p, &part_at, reference) {
                                pieces.push(hcl::TemplatePart::Interpolation(e.0));
                            }
                        }
                    }
                }
                let text = hcl::template(&pieces);
                Value::Expr(Expr(text))
            }
            ValueSpec::Json(d) => {
                let mut scope = super::config::DataScope {
                    refs: Some(self),
                    files: None,
                };
                let arg = super::config::data_value(
                    p,
                    &format!("{path}.jsonencode"),
                    d,
                    false,
                    &mut scope,
                );
                Value::Call(super::types::Call {
                    function: "jsonencode",
                    args: vec![arg],
                })
            }
            ValueSpec::Base64(v) => Value::Call(super::types::Call {
                function: "base64encode",
                args: vec![self.value(p, &format!("{path}.base64encode"), v)],
            }),
            ValueSpec::ToString(v) => Value::Call(super::types::Call {
                function: "tostring",
                args: vec![self.value(p, &format!("{path}.tostring"), v)],
            }),
            ValueSpec::Coalesce(items) => Value::Call(super::types::Call {
                function: "coalesce",
                args: items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| self.value(p, &format!("{path}.coalesce[{i}]"), v))
                    .collect(),
            }),
            ValueSpec::IfSet(items) => {
                let at = format!("{path}.if_set");
                let texts: Vec<Option<String>> = items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| match self.value(p, &format!("{at}[{i}]"), v) {
                        Value::Expr(e) => Some(e.0),
                        Value::Str(s) if i == 1 => Some(hcl::quote(&s)),
                        _ => {
                            p.add(
                                format!("{at}[{i}]"),
                                if i == 0 {
                                    "the value used when set is a reference (`{var: …}`, `{vault: …}`, …)"
                                } else {
                                    "the fallback is a reference or text"
                                },
                                None,
                            );
                            None
                        }
                    })
                    .collect();
                match texts.as_slice() {
                    [Some(a), Some(b)] => Value::Expr(Expr(format!("{a} != \"\" ? {a} : {b}"))),
                    _ => Value::Str(String::new()),
                }
            }
            ValueSpec::Hcl(text) => self.raw_expression(p, &format!("{path}.hcl"), text),
            ValueSpec::Eso(EsoRef {
                key,
                path: keys,
                secret: Some(secret),
                namespace,
                optional,
            }) if *secret != self.own_secret || namespace.is_some() => {
                let at = format!("{path}.eso");
                if !optional_has_path(p, &at, "path", keys, *optional) {
                    return Value::Str(String::new());
                }
                self.other_secret(p, &at, key, keys, secret, namespace)
            }
            ValueSpec::Eso(EsoRef {
                key,
                path: keys,
                optional,
                ..
            }) => {
                let at = format!("{path}.eso");
                if !optional_has_path(p, &at, "path", keys, *optional) {
                    return Value::Str(String::new());
                }
                let Some(key) = key else {
                    p.missing(
                        &format!("{at}.key"),
                        "the key of the stack's ExternalSecret to read at plan time",
                    );
                    return Value::Str(String::new());
                };
                if let Err(why) = validate::secret_key(key) {
                    p.invalid(&format!("{at}.key"), "secret key", key, &why);
                    return Value::Str(String::new());
                }
                let json = !keys.is_empty();
                match self.eso.iter().find(|(k, _)| k == key) {
                    Some((_, was_json)) if *was_json != json => p.add(
                        &at,
                        format!("`{key}` is read both as JSON (with `path`) and as a plain string"),
                        Some("use `path` on every reference to a JSON key, or on none".to_owned()),
                    ),
                    Some(_) => {}
                    None if json
                        && self
                            .vault_json
                            .iter()
                            .any(|(_, k)| identifier(k) == identifier(key)) =>
                    {
                        p.add(
                            &at,
                            format!(
                                "the local `{}` already decodes a Vault key",
                                identifier(key)
                            ),
                            Some("read the JSON key from one place only".to_owned()),
                        );
                    }
                    None => self.eso.push((key.clone(), json)),
                }
                if json {
                    Value::Expr(Expr(json_read(&identifier(key), keys, *optional)))
                } else {
                    Value::Expr(Expr(format!(
                        "data.kubernetes_secret.{}.data[{}]",
                        cv::eso::DATA_ADDRESS,
                        hcl::quote(key)
                    )))
                }
            }
        }
    }
}

/// `local.<local>` indexed by `keys`; with `optional`, the last key read with
/// `lookup(…, null)` (a field that may be missing).
fn json_read(local: &str, keys: &[String], optional: Option<bool>) -> String {
    let index =
        |ks: &[String]| -> String { ks.iter().map(|k| format!("[{}]", hcl::quote(k))).collect() };
    match keys.split_last() {
        Some((last, init)) if optional == Some(true) => format!(
            "lookup(local.{local}{}, {}, null)",
            index(init),
            hcl::quote(last)
        ),
        _ => format!("local.{local}{}", index(keys)),
    }
}

/// `optional: true` reads the last field of a JSON path: `false` (reported) without one.
fn optional_has_path(
    p: &mut Problems,
    at: &str,
    field: &str,
    keys: &[String],
    optional: Option<bool>,
) -> bool {
    if optional == Some(true) && keys.is_empty() {
        p.add(
            format!("{at}.optional"),
            format!("`optional` lets the last field of `{field}` be missing, and there is no `{field}`"),
            Some(format!("add the JSON fields to read, e.g. `{field}: [viktor, budget_id]`, or leave `optional` out")),
        );
        return false;
    }
    true
}

impl Refs {
    /// A variable a value reads (`{var}`, or inside `{hcl}`): its name checked, the TLS
    /// secret's kept to the modules and manifests, declared. `false` for a bad name.
    fn use_var(&mut self, p: &mut Problems, at: &str, name: &str) -> bool {
        if let Err(why) = variable_name(name) {
            p.invalid(at, "variable name", name, &why);
            return false;
        }
        if name == cv::repo::TLS_SECRET_VARIABLE && !self.in_manifest {
            p.add(
                at,
                "`tls_secret_name` is sensitive and only feeds the TLS and ingress modules (and a manifest such as an `IngressRoute`)",
                Some("use another shared variable".to_owned()),
            );
        }
        self.var(name);
        true
    }

    /// `{hcl: ...}`: one expression on one line, parsed. The variables it reads are
    /// declared like `{var}`'s, and the objects it names (`local.x`, `data.t.n`, `t.n`,
    /// `module.n`) are checked with the other references once every object is known.
    fn raw_expression(&mut self, p: &mut Problems, at: &str, text: &str) -> Value {
        let expr = text.trim();
        if expr.is_empty() {
            p.invalid(
                at,
                "HCL expression",
                text,
                "is empty: write one HCL expression",
            );
            return Value::Str(String::new());
        }
        if expr.contains('\n') {
            p.invalid(
                at,
                "HCL expression",
                text,
                "is not one expression on one line (a longer one is a local in `raw.stack`, referred to as `{ref: local.<name>}`)",
            );
            return Value::Str(String::new());
        }
        let parsed = match hcl_edit::parser::parse_expr(expr) {
            Ok(parsed) => parsed,
            Err(e) => {
                p.invalid(
                    at,
                    "HCL expression",
                    text,
                    &format!(
                        "does not parse as one HCL expression: {} at column {}",
                        e.message(),
                        e.location().column()
                    ),
                );
                return Value::Str(String::new());
            }
        };
        let mut names = ExpressionNames::default();
        hcl_edit::visit::Visit::visit_expr(&mut names, &parsed);
        for why in names.refused {
            p.invalid(at, "HCL expression", text, &why);
        }
        for var in names.vars {
            self.use_var(p, at, &var);
        }
        for root in names.objects {
            self.objects.push((at.to_owned(), root));
        }
        Value::Expr(Expr(expr.to_owned()))
    }

    /// `{eso: {secret, namespace, key}}`: a key of another Secret, read by a data source
    /// of its own.
    fn other_secret(
        &mut self,
        p: &mut Problems,
        at: &str,
        key: &Option<String>,
        json: &[String],
        secret: &str,
        namespace: &Option<String>,
    ) -> Value {
        let Some(key) = key else {
            p.missing(
                &format!("{at}.key"),
                "the key of the Secret to read at plan time",
            );
            return Value::Str(String::new());
        };
        let mut ok = true;
        for (field, what, value, check) in [
            ("key", "secret key", key.as_str(), validate::secret_key(key)),
            (
                "secret",
                "Secret name",
                secret,
                validate::dns_subdomain(secret),
            ),
        ] {
            if let Err(why) = check {
                p.invalid(&format!("{at}.{field}"), what, value, &why);
                ok = false;
            }
        }
        if let Some(ns) = namespace
            && let Err(why) = validate::dns_label(ns)
        {
            p.invalid(&format!("{at}.namespace"), "namespace", ns, &why);
            ok = false;
        }
        if !json.is_empty() {
            p.add(
                format!("{at}.path"),
                "`path` decodes a JSON key of the stack's own secret only",
                Some("leave `secret` out, or read the whole key".to_owned()),
            );
            ok = false;
        }
        if !ok {
            return Value::Str(String::new());
        }
        let label = secret_read_label(secret);
        if label == cv::eso::DATA_ADDRESS {
            p.add(
                format!("{at}.secret"),
                format!("`{secret}` would be read as `data.kubernetes_secret.{label}`, the address of the stack's own read"),
                None,
            );
            return Value::Str(String::new());
        }
        match self
            .other_secrets
            .iter()
            .find(|(s, _)| secret_read_label(s) == label)
        {
            Some((s, ns)) if s != secret || ns != namespace => {
                p.add(
                    at,
                    format!("`{secret}` would be read as `data.kubernetes_secret.{label}`, which reads `{s}`{}", ns.as_deref().map(|n| format!(" of `{n}`")).unwrap_or_default()),
                    Some("read one Secret of each name".to_owned()),
                );
                return Value::Str(String::new());
            }
            Some(_) => {}
            None => self
                .other_secrets
                .push((secret.to_owned(), namespace.clone())),
        }
        Value::Expr(Expr(format!(
            "data.kubernetes_secret.{label}.data[{}]",
            hcl::quote(key)
        )))
    }
}

/// The label of the plan-time read of another Secret: its name without the ESO suffix,
/// as an identifier (`calibre-secrets` → `calibre`).
pub(crate) fn secret_read_label(secret: &str) -> String {
    identifier(
        secret
            .strip_suffix(cv::eso::SECRET_SUFFIX)
            .filter(|s| !s.is_empty())
            .unwrap_or(secret),
    )
}

/// Every `{ref: ...}` must name an object of the stack: one dlgen generates, a generated
/// local, or a block of the spec's raw HCL.
pub(crate) fn check_object_refs(p: &mut Problems, refs: &[(String, String)], objects: &[Object]) {
    if refs.is_empty() {
        return;
    }
    let mut known: Vec<String> = Vec::new();
    for o in objects {
        match (&o.address.block, &o.body) {
            (BlockKind::Resource | BlockKind::Data | BlockKind::Module, _) => {
                known.push(o.address.reference());
            }
            (BlockKind::Locals, Body::Locals(locals)) => {
                known.extend(locals.entries.iter().map(|e| format!("local.{}", e.key)));
            }
            (BlockKind::Raw, Body::RawBlocks(rb)) => known.extend(raw_declarations(&rb.raw.text)),
            _ => {}
        }
    }
    for (at, root) in refs {
        if known.contains(root) {
            continue;
        }
        let suggestion = crate::diag::did_you_mean(root, known.iter().map(String::as_str))
            .map(|m| format!("; did you mean `{m}`?"))
            .unwrap_or_default();
        p.add(
            at,
            format!("`{root}` is not an object of this stack"),
            Some(format!(
                "refer to an object the stack declares: {}{suggestion}",
                known
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        );
    }
}

/// What raw top-level blocks declare, as references (`TYPE.NAME`, `data.TYPE.NAME`,
/// `module.NAME`, `local.NAME`).
fn raw_declarations(text: &str) -> Vec<String> {
    let Ok(body) = hcl_edit::parser::parse_body(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for block in body.blocks() {
        let labels: Vec<&str> = block.labels.iter().map(|l| l.as_str()).collect();
        match (block.ident.as_str(), labels.as_slice()) {
            ("resource", [kind, name]) => out.push(format!("{kind}.{name}")),
            ("data", [kind, name]) => out.push(format!("data.{kind}.{name}")),
            ("module", [name]) => out.push(format!("module.{name}")),
            ("locals", []) => out.extend(
                block
                    .body
                    .attributes()
                    .map(|a| format!("local.{}", a.key.as_str())),
            ),
            _ => {}
        }
    }
    out
}

/// A scalar as text in a template: strings as they are, numbers and booleans as written.
pub(crate) fn scalar_text(s: &Scalar) -> String {
    match s {
        Scalar::Str(s) => s.clone(),
        Scalar::Int(n) => n.to_string(),
        Scalar::Float(f) => f.to_string(),
        Scalar::Bool(b) => b.to_string(),
    }
}

/// An object's `depends_on` (at spec path `at`, e.g. `config_maps[0].depends_on`):
/// addresses of objects of this stack (checked once every object is known), else a
/// problem each, with `example` as a valid one.
pub(crate) fn depends_on(
    p: &mut Problems,
    refs: &mut Refs,
    at: &str,
    list: &[String],
    example: &str,
) -> Vec<Expr> {
    let mut out = Vec::new();
    for (i, d) in list.iter().enumerate() {
        let path = format!("{at}[{i}]");
        match object_ref(&format!("{d}.id")) {
            Ok(root) if root == *d => {
                refs.objects.push((path, root));
                out.push(Expr(d.clone()));
            }
            _ => p.invalid(
                &path,
                "dependency",
                d,
                &format!("is not the address of an object of this stack (e.g. `{example}`)"),
            ),
        }
    }
    out
}

/// Checks the shape of a reference to an object's attribute and returns the object it
/// refers to: `TYPE.NAME.attr...` (a resource), `data.TYPE.NAME.attr...`,
/// `module.NAME.output...` or `local.NAME...`; attributes are names, `[n]` indexes or
/// `["key"]` keys. Whether the object exists is checked once the stack is built.
pub(crate) fn object_ref(text: &str) -> Result<String, String> {
    const SHAPE: &str = "a reference is `<type>.<name>.<attribute>...` of an object of this stack, e.g. `random_password.secret_key.result` or `kubernetes_service.app.metadata[0].name`";
    let mut names: Vec<(String, bool)> = Vec::new(); // (name, followed by an index)
    let bytes = text.as_bytes();
    let mut i = 0;
    loop {
        let start = i;
        while i < bytes.len()
            && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'-')
        {
            i += 1;
        }
        let name = &text[start..i];
        if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            return Err(SHAPE.to_owned());
        }
        let mut indexed = false;
        while i < bytes.len() && bytes[i] == b'[' {
            let close = text[i..]
                .find(']')
                .map(|c| i + c)
                .ok_or_else(|| SHAPE.to_owned())?;
            let inner = &text[i + 1..close];
            let ok = (!inner.is_empty() && inner.bytes().all(|b| b.is_ascii_digit()))
                || (inner.len() >= 3
                    && inner.starts_with('"')
                    && inner.ends_with('"')
                    && validate::qualified_name(&inner[1..inner.len() - 1]).is_ok());
            if !ok {
                return Err(format!(
                    "{SHAPE}; an index is a number (`[0]`) or a quoted key (`[\"name\"]`)"
                ));
            }
            indexed = true;
            i = close + 1;
        }
        names.push((name.to_owned(), indexed));
        if i == bytes.len() {
            break;
        }
        if bytes[i] != b'.' {
            return Err(SHAPE.to_owned());
        }
        i += 1;
    }
    let plain = |k: usize| names.get(k).is_some_and(|(_, indexed)| !indexed);
    let (root_len, needs_attribute) = match names[0].0.as_str() {
        "var" => return Err("a variable is written `{var: <name>}`".to_owned()),
        "path" | "terraform" | "count" | "each" | "self" => return Err(SHAPE.to_owned()),
        "data" => (3, true),
        "module" => (2, true),
        "local" => (2, false),
        _ => (2, true),
    };
    if names.len() < root_len + usize::from(needs_attribute) || !(0..root_len - 1).all(plain) {
        return Err(SHAPE.to_owned());
    }
    if names[root_len - 1].1 {
        return Err(format!(
            "{SHAPE}; objects with `count` or `for_each` are not referred to"
        ));
    }
    Ok(names[..root_len]
        .iter()
        .map(|(n, _)| n.as_str())
        .collect::<Vec<_>>()
        .join("."))
}

/// What a raw HCL expression names: variables, objects of the stack (as references of
/// their roots), and what a value of a stack may not name.
#[derive(Default)]
struct ExpressionNames {
    vars: Vec<String>,
    objects: Vec<String>,
    refused: Vec<String>,
    /// The variables of `for` expressions, named freely inside them.
    bound: Vec<String>,
}

impl hcl_edit::visit::Visit for ExpressionNames {
    fn visit_for_expr(&mut self, node: &hcl_edit::expr::ForExpr) {
        let intro = &node.intro;
        self.bound.push(intro.value_var.as_str().to_owned());
        if let Some(key) = &intro.key_var {
            self.bound.push(key.as_str().to_owned());
        }
        hcl_edit::visit::visit_for_expr(self, node);
    }

    fn visit_expr(&mut self, node: &hcl_edit::expr::Expression) {
        // A variable outside a traversal: only a `for` expression's own are values.
        if let hcl_edit::expr::Expression::Variable(var) = node {
            let name = var.as_str();
            if !self.bound.iter().any(|b| b == name) {
                self.refused.push(format!(
                    "names `{name}` alone: a reference is `var.<name>`, `local.<name>` or an attribute of an object of the stack"
                ));
            }
            return;
        }
        hcl_edit::visit::visit_expr(self, node);
    }

    fn visit_traversal(&mut self, node: &hcl_edit::expr::Traversal) {
        use hcl_edit::expr::{Expression, TraversalOperator};
        let Expression::Variable(root) = &node.expr else {
            hcl_edit::visit::visit_traversal(self, node);
            return;
        };
        let root = root.as_str();
        let names = hcl::leading_attributes(node);
        // Index expressions may name things too (`local.ports[var.name]`).
        for op in &node.operators {
            if let TraversalOperator::Index(e) = op.value() {
                hcl_edit::visit::Visit::visit_expr(self, e);
            }
        }
        if self.bound.iter().any(|b| b == root) {
            return;
        }
        let object = |n: usize| -> Option<String> {
            (names.len() >= n).then(|| {
                std::iter::once(root)
                    .chain(names[..n].iter().copied())
                    .collect::<Vec<_>>()
                    .join(".")
            })
        };
        let found = match root {
            "var" => match names.first() {
                Some(name) => {
                    if !self.vars.iter().any(|v| v == name) {
                        self.vars.push((*name).to_owned());
                    }
                    return;
                }
                None => None,
            },
            "path" if names.first() == Some(&"module") => return,
            "path" | "each" | "count" | "self" | "terraform" => {
                self.refused.push(format!(
                    "names `{root}.`: a value of the stack may read `path.module`, variables, locals and objects of the stack only"
                ));
                return;
            }
            "data" => object(2),
            _ => object(1),
        };
        match found {
            Some(o) => {
                if !self.objects.contains(&o) {
                    self.objects.push(o);
                }
            }
            None => self.refused.push(format!(
                "names `{root}` without the object's name (`{root}.<name>...`)"
            )),
        }
    }
}

/// A Terraform identifier for a validated key (letters, digits, `-`, `_`, `.`): snake case,
/// with a leading `_` when it would start with a digit.
fn identifier(key: &str) -> String {
    let snake = hcl::snake(key);
    if snake.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{snake}")
    } else {
        snake
    }
}

pub(crate) fn variable_name(name: &str) -> Result<(), String> {
    let ok = name.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err("is not a Terraform variable name of the repo (lower-case letters, digits and `_`, e.g. `mail_host`)".to_owned())
    }
}
