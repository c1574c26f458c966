//! Config maps, and the structured data values (`yamlencode`, `jsonencode`, `file`,
//! `templatefile`) that config maps and Terragrunt inputs hold.

use super::problems::Problems;
use super::refs::Refs;
use super::types::*;
use super::{Ctx, adopt};
use crate::conventions as cv;
use crate::hcl;
use crate::spec::{ConfigMapSpec, DataSpec, HashFunction, Scalar, TemplateFileSpec};
use crate::validate;

pub(crate) use crate::generated::companion_name;

/// What a structured value may use where it is written.
pub(crate) struct DataScope<'a> {
    /// References to variables, Vault, the ExternalSecret and objects (not in
    /// `terragrunt.hcl`, which has none of them).
    pub refs: Option<&'a mut Refs>,
    /// Files beside the spec read with `file()` / `templatefile()` (collected here).
    pub files: Option<&'a mut Vec<SpecFile>>,
}

/// `"${path.module}/<name>"`.
fn module_path(name: &str) -> Expr {
    Expr(format!("\"${{path.module}}/{}\"", hcl::template_text(name)))
}

/// `"${path.module}/NAME"` of a file beside the spec, collected into the scope's files;
/// `binary` when the stack reads it with `filebase64()` only (a file that is also read
/// as text must be text).
fn file_ref(
    p: &mut Problems,
    at: &str,
    name: &str,
    scope: &mut DataScope<'_>,
    binary: bool,
) -> Option<Expr> {
    let Some(files) = scope.files.as_deref_mut() else {
        p.add(
            at,
            "a file beside the spec cannot be read here",
            Some("write the value itself".to_owned()),
        );
        return None;
    };
    if let Err(why) = companion_name(name) {
        p.invalid(at, "file name", name, &why);
        return None;
    }
    match files.iter_mut().find(|f| f.name == name) {
        Some(f) => f.binary &= binary,
        None => files.push(SpecFile {
            name: name.to_owned(),
            field: at.to_owned(),
            binary,
        }),
    }
    Some(module_path(name))
}

/// A structured value at `at`. `top` is a config map's data value: text with several
/// lines is written as a heredoc there.
pub(crate) fn data_value(
    p: &mut Problems,
    at: &str,
    d: &DataSpec,
    top: bool,
    scope: &mut DataScope<'_>,
) -> Value {
    match d {
        DataSpec::Scalar(Scalar::Str(s)) if top && s.contains('\n') => Value::Heredoc(s.clone()),
        DataSpec::Scalar(Scalar::Str(s)) => Value::Str(s.clone()),
        DataSpec::Scalar(Scalar::Int(n)) => Value::Int(*n),
        DataSpec::Scalar(Scalar::Float(f)) => {
            if !f.is_finite() {
                p.add(at, "a number must be finite", None);
            }
            Value::Float(*f)
        }
        DataSpec::Scalar(Scalar::Bool(b)) => Value::Bool(*b),
        DataSpec::List(items) => Value::List(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| data_value(p, &format!("{at}[{i}]"), item, false, scope))
                .collect(),
        ),
        DataSpec::Map(map) => Value::Object(Obj::lines(
            map.0
                .iter()
                .map(|(k, v)| {
                    let kat = crate::de::path_key(at, k);
                    entry(k, data_value(p, &kat, v, false, scope))
                })
                .collect(),
        )),
        DataSpec::Ref(v) => match scope.refs.as_deref_mut() {
            Some(refs) => refs.value(p, at, v),
            None => {
                p.add(
                    at,
                    "a reference cannot be used here",
                    Some("terragrunt.hcl has no variables, Vault reads or objects of the stack; write the value itself".to_owned()),
                );
                Value::Str(String::new())
            }
        },
        DataSpec::File(name) => match file_ref(p, &format!("{at}.file"), name, scope, false) {
            Some(path) => Value::Call(Call {
                function: "file",
                args: vec![Value::Expr(path)],
            }),
            None => Value::Str(String::new()),
        },
        DataSpec::TemplateFile(TemplateFileSpec { file, vars }) => {
            let tat = format!("{at}.templatefile");
            let Some(name) = file else {
                p.missing(&format!("{tat}.file"), "the template file beside the spec");
                return Value::Str(String::new());
            };
            let Some(path) = file_ref(p, &format!("{tat}.file"), name, scope, false) else {
                return Value::Str(String::new());
            };
            let vars = vars
                .0
                .iter()
                .map(|(k, v)| {
                    let vat = crate::de::path_key(&format!("{tat}.vars"), k);
                    if !hcl::is_identifier(k) {
                        p.invalid(
                            &vat,
                            "template variable",
                            k,
                            "is not a name a template can use (letters, digits and `_`)",
                        );
                    }
                    entry(k, data_value(p, &vat, v, false, scope))
                })
                .collect();
            Value::Call(Call {
                function: "templatefile",
                args: vec![
                    Value::Expr(path),
                    Value::Object(Obj {
                        entries: vars,
                        multiline: false,
                    }),
                ],
            })
        }
        DataSpec::Yaml(v) => Value::Call(Call {
            function: "yamlencode",
            args: vec![data_value(p, &format!("{at}.yamlencode"), v, false, scope)],
        }),
        DataSpec::Json(v) => Value::Call(Call {
            function: "jsonencode",
            args: vec![data_value(p, &format!("{at}.jsonencode"), v, false, scope)],
        }),
        DataSpec::JsonDecode(v) => Value::Call(Call {
            function: "jsondecode",
            args: vec![data_value(p, &format!("{at}.jsondecode"), v, false, scope)],
        }),
    }
}

/// A key of a config map's or a secret's data (`what`): letters, digits, `-`, `_`, `.`.
pub(crate) fn data_key(key: &str, what: &str) -> Result<(), String> {
    let ok = !key.is_empty()
        && key.len() <= 253
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "is not a {what} key (letters, digits, `-`, `_` and `.`)"
        ))
    }
}

/// The `binary_data` of a config map or a secret (spec path `at`): each value a file
/// beside the spec read with `filebase64()`, collected into `files`; a key also in the
/// object's `data` (`data_keys`) is refused.
pub(crate) fn binary_data(
    p: &mut Problems,
    at: &str,
    what: &str,
    binary: &crate::spec::OrderedMap<crate::spec::BinaryDataSpec>,
    data_keys: &[&str],
    files: &mut Vec<SpecFile>,
) -> Vec<Entry> {
    let mut out = Vec::new();
    for (key, value) in &binary.0 {
        let bat = crate::de::path_key(at, key);
        p.check(&bat, "key", key, data_key(key, what));
        if data_keys.contains(&key.as_str()) {
            p.add(
                &bat,
                format!("`{key}` is also a key of `data`"),
                Some("a key is in `data` or in `binary_data`, not both".to_owned()),
            );
        }
        let Some(name) = &value.file else {
            p.missing(&format!("{bat}.file"), "the file beside the spec");
            continue;
        };
        let mut scope = DataScope {
            refs: None,
            files: Some(&mut *files),
        };
        if let Some(path) = file_ref(p, &format!("{bat}.file"), name, &mut scope, true) {
            out.push(entry(
                key,
                Value::Call(Call {
                    function: "filebase64",
                    args: vec![Value::Expr(path)],
                }),
            ));
        }
    }
    out
}

/// The namespace of an object around the pod (spec path `path`): the stack's namespace
/// by reference, when the spec names none or names it; another one as a literal.
pub(crate) fn namespace(p: &mut Problems, ctx: &Ctx, path: &str, ns: &Option<String>) -> Value {
    match ns {
        Some(ns) => {
            p.check(path, "namespace", ns, validate::dns_label(ns));
            if *ns == ctx.ns_name {
                ctx.ns_ref.clone().into()
            } else {
                Value::Str(ns.clone())
            }
        }
        None => ctx.ns_ref.clone().into(),
    }
}

/// A config map, and the checksum annotations it asks of the app's pod template.
pub(crate) fn config_map(
    p: &mut Problems,
    ctx: &Ctx,
    i: usize,
    c: &ConfigMapSpec,
    refs: &mut Refs,
    files: &mut Vec<SpecFile>,
) -> (Object, Vec<Entry>) {
    let at = |f: &str| format!("config_maps[{i}].{f}");
    let name = match &c.name {
        Some(n) => {
            p.check(
                &at("name"),
                "config map name",
                n,
                super::secrets::object_name(n),
            );
            n.clone()
        }
        None => format!("{}{}", ctx.name, cv::config_map::NAME_SUFFIX),
    };
    let address = adopt::address(p, &at("address"), &c.address, || hcl::snake(&name));
    let resource_type = super::workload::resource_type(
        p,
        &at("resource_type"),
        &c.resource_type,
        &cv::config_map::TYPES,
    );
    if c.address.is_none() {
        p.check(
            &at("name"),
            "config map name",
            &name,
            super::starts_with_letter(&name),
        );
    }
    let namespace = namespace(p, ctx, &at("namespace"), &c.namespace);
    let labels = super::workload::labels(p, &at("labels"), &c.labels);
    let mut annotations = super::workload::annotations(p, refs, &at("annotations"), &c.annotations);
    if c.reloader_match == Some(true) {
        if annotations.iter().any(|a| a.key == cv::reloader::MATCH) {
            p.add(
                at("reloader_match"),
                "the reloader's match annotation is also in `annotations`",
                Some("keep `reloader_match`".to_owned()),
            );
        }
        annotations.push(entry(cv::reloader::MATCH, "true"));
    }
    if c.data.0.is_empty() && c.binary_data.0.is_empty() {
        p.missing(
            &at("data"),
            "the config map's data, e.g. `data: {app.conf: ...}`",
        );
    }
    let mut data = Vec::new();
    for (key, value) in &c.data.0 {
        let dat = crate::de::path_key(&at("data"), key);
        p.check(&dat, "key", key, data_key(key, "config map"));
        let mut scope = DataScope {
            refs: Some(&mut *refs),
            files: Some(&mut *files),
        };
        data.push(entry(key, data_value(p, &dat, value, true, &mut scope)));
    }
    let data_keys: Vec<&str> = c.data.0.iter().map(|(k, _)| k.as_str()).collect();
    let binary_data = binary_data(
        p,
        &at("binary_data"),
        "config map",
        &c.binary_data,
        &data_keys,
        files,
    );
    let mut checksums = Vec::new();
    for (ci, sum) in c.checksums.iter().enumerate() {
        let cat = |f: &str| format!("config_maps[{i}].checksums[{ci}].{f}");
        let Some(key) = &sum.key else {
            p.missing(&cat("key"), "the data key to hash");
            continue;
        };
        if !c.data.0.iter().any(|(k, _)| k == key) {
            p.add(
                cat("key"),
                format!("`{key}` is not a key of this config map's data"),
                Some(format!(
                    "use one of {}",
                    c.data
                        .0
                        .iter()
                        .map(|(k, _)| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            );
        }
        let annotation = sum
            .annotation
            .clone()
            .unwrap_or_else(|| format!("{}{key}", cv::config_map::CHECKSUM_PREFIX));
        p.check(
            &cat("annotation"),
            "annotation key",
            &annotation,
            validate::qualified_name(&annotation),
        );
        let function = match sum.hash.unwrap_or(HashFunction::Sha256) {
            HashFunction::Sha256 => "sha256",
            HashFunction::Sha1 => "sha1",
            HashFunction::Md5 => "md5",
        };
        checksums.push(entry(
            &annotation,
            Value::Expr(Expr(format!(
                "{function}({resource_type}.{address}.data[{}])",
                hcl::quote(key)
            ))),
        ));
    }
    let depends_on = super::refs::depends_on(
        p,
        refs,
        &format!("config_maps[{i}].depends_on"),
        &c.depends_on,
        "kubernetes_manifest.grafana_db",
    );
    let lifecycle = super::k8s_secret::drift_lifecycle(
        p,
        &format!("config_maps[{i}]"),
        &c.ignore_changes,
        &c.ignore_changes_why,
    );
    let mut object = Object::new(
        Address::resource(&resource_type, &address),
        Body::ConfigMap(ConfigMap {
            metadata: Metadata {
                name,
                namespace,
                labels: Obj::lines(labels).non_empty(),
                annotations: Obj::lines(annotations).non_empty(),
            },
            immutable: c.immutable,
            data: Obj::lines(data),
            binary_data: Obj::lines(binary_data),
            depends_on,
            lifecycle,
        }),
    );
    object.comment = c.comment.clone();
    object.raw = adopt::raw(p, &at("raw"), &c.raw);
    (object, checksums)
}
