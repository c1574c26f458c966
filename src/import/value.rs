//! Reading the normalized values of a stack (`planeq`'s value trees: locals evaluated,
//! references to configured values resolved) and turning a value back into what a spec
//! says: a scalar, `{var}`, `{vault}`, `{eso}`, `{ref}` or `{template}`.

use std::collections::BTreeMap;

use crate::conventions as cv;
use crate::planeq::{Kind, Root, Step, Sym, Value};
use crate::spec::{EsoRef, Scalar, ValueSpec, VaultRef};

/// The body of a block or an object value.
pub fn map(v: &Value) -> Option<&BTreeMap<String, Value>> {
    match v {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

/// The value of `key` in a body.
pub fn get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    map(v)?.get(key)
}

/// The blocks of type `key` in a body (empty when there are none).
pub fn blocks<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    match get(v, key) {
        Some(Value::Blocks(items)) => items,
        _ => &[],
    }
}

/// The single block of type `key` in a body.
pub fn block<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    match blocks(v, key) {
        [one] => Some(one),
        _ => None,
    }
}

/// A chain of single blocks: `path(v, &["spec", "template", "spec"])`.
pub fn path<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a Value> {
    keys.iter().try_fold(v, |v, k| block(v, k))
}

/// A string attribute.
pub fn string<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    match get(v, key) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

/// A primitive attribute as the string Terraform converts it to.
pub fn prim(v: &Value, key: &str) -> Option<String> {
    get(v, key).and_then(Value::as_primitive_string)
}

/// A whole number attribute (a number, or a string of digits).
pub fn int(v: &Value, key: &str) -> Option<i64> {
    prim(v, key)?.parse().ok()
}

/// A bool as Terraform converts a primitive to one for a bool attribute: `true`, or the
/// string `"true"` (hand-written stacks quote flags now and then; the plan is the same).
pub fn as_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s == "true" => Some(true),
        Value::String(s) if s == "false" => Some(false),
        _ => None,
    }
}

/// A bool attribute (`true` or `"true"`).
pub fn boolean(v: &Value, key: &str) -> Option<bool> {
    get(v, key).and_then(as_bool)
}

/// The keys of a body other than `known`.
pub fn other_keys<'a>(v: &'a Value, known: &[&str]) -> Vec<&'a str> {
    map(v).map_or_else(Vec::new, |m| {
        m.keys()
            .map(String::as_str)
            .filter(|k| !known.contains(k))
            .collect()
    })
}

/// Every item a string (a list of names, verbs, values), or `None`.
pub fn strings(items: &[Value]) -> Option<Vec<String>> {
    items
        .iter()
        .map(|i| match i {
            Value::String(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

/// An object of strings (labels, annotations), in key order; `None` when a value is not
/// a known primitive.
pub fn string_map(v: &Value) -> Option<Vec<(String, String)>> {
    map(v)?
        .iter()
        .map(|(k, v)| Some((k.clone(), v.as_primitive_string()?)))
        .collect()
}

/// `local.tiers.<key>`: the tier a label or a priority refers to.
pub fn tier(v: &Value) -> Option<&str> {
    match v {
        Value::Unknown(sym) => match sym.as_ref() {
            Sym::Ref {
                root: Root::Local(name),
                steps,
            } if name == cv::tiers::LOCALS => match steps.as_slice() {
                [Step::Attr(key)] => cv::tiers::by_key(key),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

/// `var.<name>`.
pub fn var(v: &Value) -> Option<&str> {
    match v {
        Value::Unknown(sym) => match sym.as_ref() {
            Sym::Ref {
                root: Root::Var(name),
                steps,
            } if steps.is_empty() => Some(name),
            _ => None,
        },
        _ => None,
    }
}

/// `module.<name>.<output>` of a module call made in `module` (the root's: empty), the
/// call's name.
pub fn module_output<'a>(v: &'a Value, module: &[String], output: &str) -> Option<&'a str> {
    let Value::Unknown(sym) = v else {
        return None;
    };
    match sym.as_ref() {
        Sym::Ref {
            root: Root::Object(addr),
            steps,
        } if addr.kind == Kind::Module
            && addr.module == module
            && matches!(steps.as_slice(), [Step::Attr(o)] if o == output) =>
        {
            Some(&addr.name)
        }
        _ => None,
    }
}

/// A reference to a whole object (a `depends_on` entry): its address.
pub fn object_ref(v: &Value) -> Option<String> {
    let Value::Unknown(sym) = v else {
        return None;
    };
    match sym.as_ref() {
        Sym::Ref {
            root: Root::Object(addr),
            steps,
        } if steps.is_empty() => Some(addr.to_string()),
        _ => None,
    }
}

/// A value as a spec scalar, when it is a known primitive.
pub fn scalar(v: &Value) -> Option<Scalar> {
    match v {
        Value::String(s) => Some(Scalar::Str(s.clone())),
        Value::Bool(b) => Some(Scalar::Bool(*b)),
        Value::Number(n) => Some(match n.as_i64() {
            Some(i) => Scalar::Int(i),
            None => Scalar::Float(n.as_f64()?),
        }),
        _ => None,
    }
}

/// Plain data (scalars, lists, maps) as a spec's structured value; `None` for anything
/// that is not plain data.
pub fn data_spec(v: &Value) -> Option<crate::spec::DataSpec> {
    use crate::spec::DataSpec;
    Some(match v {
        Value::List(items) => DataSpec::List(items.iter().map(data_spec).collect::<Option<_>>()?),
        Value::Object(m) => DataSpec::Map(crate::spec::OrderedMap(
            m.iter()
                .map(|(k, v)| data_spec(v).map(|d| (k.clone(), d)))
                .collect::<Option<_>>()?,
        )),
        other => DataSpec::Scalar(scalar(other)?),
    })
}

/// What a value says in a spec, when a spec can say it: a scalar, a shared variable, a
/// plan-time Vault or ExternalSecret read, a reference to an object of the stack, or a
/// template of text and such references. `secret_name` is the stack's ExternalSecret
/// target (what `{eso}` reads).
pub fn value_spec(v: &Value, secret_name: &str) -> Option<ValueSpec> {
    if let Some(s) = scalar(v) {
        return Some(ValueSpec::Scalar(s));
    }
    let Value::Unknown(sym) = v else {
        return None;
    };
    reference(sym, secret_name).or_else(|| match sym.as_ref() {
        Sym::Template(parts) => {
            let parts: Option<Vec<ValueSpec>> = parts
                .iter()
                .map(|p| match p {
                    Value::Unknown(s) => reference(s, secret_name),
                    other => scalar(other).map(ValueSpec::Scalar),
                })
                .collect();
            Some(ValueSpec::Template(parts?))
        }
        Sym::Call { name, args } => call(name, args, secret_name),
        Sym::Cond(cond, yes, no) => if_set(cond, yes, no, secret_name),
        _ => None,
    })
}

/// `a != "" ? a : b`: `{if_set: [a, b]}`, `a` a reference.
fn if_set(cond: &Value, yes: &Value, no: &Value, secret_name: &str) -> Option<ValueSpec> {
    let Value::Unknown(sym) = cond else {
        return None;
    };
    let Sym::Op { op: "!=", args } = sym.as_ref() else {
        return None;
    };
    let [tested, Value::String(empty)] = args.as_slice() else {
        return None;
    };
    if !empty.is_empty() || tested.canon() != yes.canon() {
        return None;
    }
    let set = match value_spec(yes, secret_name)? {
        ValueSpec::Scalar(_) => return None,
        v => v,
    };
    let fallback = value_spec(no, secret_name)?;
    Some(ValueSpec::IfSet(vec![set, fallback]))
}

/// A function call a spec writes as a value: `jsonencode(...)` of structured data with
/// references inside, `base64encode(...)` / `tostring(...)` of a reference (of a known
/// value, the call was evaluated to its result already).
fn call(name: &str, args: &[Value], secret_name: &str) -> Option<ValueSpec> {
    if name == "lookup" {
        return optional_field(args, secret_name);
    }
    if name == "coalesce" && args.len() >= 2 {
        let items: Option<Vec<ValueSpec>> =
            args.iter().map(|a| value_spec(a, secret_name)).collect();
        return Some(ValueSpec::Coalesce(items?));
    }
    let [arg] = args else {
        return None;
    };
    let inner = || match value_spec(arg, secret_name)? {
        ValueSpec::Scalar(_) => None,
        v => Some(Box::new(v)),
    };
    match name {
        "jsonencode" => Some(ValueSpec::Json(Box::new(structured(arg, secret_name)?))),
        "base64encode" => Some(ValueSpec::Base64(inner()?)),
        "tostring" => Some(ValueSpec::ToString(inner()?)),
        _ => None,
    }
}

/// `lookup(<a decoded JSON key>[...], "<field>", null)`: a field of a Vault or ESO JSON
/// key that may be missing, `{eso: {key, path, optional: true}}` (or `{vault: …}`).
fn optional_field(args: &[Value], secret_name: &str) -> Option<ValueSpec> {
    let [Value::Unknown(base), Value::String(field), Value::Null] = args else {
        return None;
    };
    let step = Step::Index(Value::String(field.clone()));
    let read = match base.as_ref() {
        Sym::Get { base, steps } => Sym::Get {
            base: base.clone(),
            steps: steps.iter().cloned().chain([step]).collect(),
        },
        Sym::Call { name, .. } if name == "jsondecode" => Sym::Get {
            base: Value::Unknown(base.clone()),
            steps: vec![step],
        },
        _ => return None,
    };
    match reference(&read, secret_name)? {
        ValueSpec::Eso(eso) => Some(ValueSpec::Eso(EsoRef {
            optional: Some(true),
            ..eso
        })),
        ValueSpec::Vault(vault) => Some(ValueSpec::Vault(VaultRef {
            optional: Some(true),
            ..vault
        })),
        _ => None,
    }
}

/// Structured data: lists and maps of scalars and what [`value_spec`] reads.
pub fn structured(v: &Value, secret_name: &str) -> Option<crate::spec::DataSpec> {
    use crate::spec::DataSpec;
    Some(match v {
        Value::List(items) => DataSpec::List(
            items
                .iter()
                .map(|i| structured(i, secret_name))
                .collect::<Option<_>>()?,
        ),
        Value::Object(m) => DataSpec::Map(crate::spec::OrderedMap(
            m.iter()
                .map(|(k, v)| structured(v, secret_name).map(|d| (k.clone(), d)))
                .collect::<Option<_>>()?,
        )),
        other => match value_spec(other, secret_name)? {
            ValueSpec::Scalar(s) => DataSpec::Scalar(s),
            r => DataSpec::Ref(r),
        },
    })
}

fn reference(sym: &Sym, secret_name: &str) -> Option<ValueSpec> {
    match sym {
        Sym::Ref {
            root: Root::Var(name),
            steps,
        } if steps.is_empty() && name != cv::repo::TLS_SECRET_VARIABLE => {
            Some(ValueSpec::Var(name.clone()))
        }
        Sym::Ref {
            root: Root::Data { ty, config },
            steps,
        } => {
            let key = match steps.as_slice() {
                [
                    Step::Attr(data),
                    Step::Attr(key) | Step::Index(Value::String(key)),
                ] if data == "data" => key,
                _ => return None,
            };
            match ty.as_str() {
                "vault_kv_secret_v2" if string(config, "mount") == Some(cv::eso::VAULT_MOUNT) => {
                    Some(ValueSpec::Vault(VaultRef {
                        path: Some(string(config, "name")?.to_owned()),
                        key: Some(key.clone()),
                        json: Vec::new(),
                        optional: None,
                    }))
                }
                "kubernetes_secret" if eso_read(config, secret_name) => {
                    Some(ValueSpec::Eso(EsoRef {
                        key: Some(key.clone()),
                        ..EsoRef::default()
                    }))
                }
                // Another Secret, named with its namespace and nothing else.
                "kubernetes_secret" => {
                    let Value::Object(top) = config else {
                        return None;
                    };
                    let metadata = block(config, "metadata")?;
                    let Value::Object(fields) = metadata else {
                        return None;
                    };
                    if top.len() != 1 || fields.len() != 2 {
                        return None;
                    }
                    Some(ValueSpec::Eso(EsoRef {
                        key: Some(key.clone()),
                        secret: Some(string(metadata, "name")?.to_owned()),
                        namespace: Some(string(metadata, "namespace")?.to_owned()),
                        ..EsoRef::default()
                    }))
                }
                _ => None,
            }
        }
        Sym::Get { base, steps } => {
            let Value::Unknown(inner) = base else {
                return None;
            };
            let Sym::Call { name, args } = inner.as_ref() else {
                return None;
            };
            let [Value::Unknown(arg)] = args.as_slice() else {
                return None;
            };
            if name != "jsondecode" {
                return None;
            }
            let read = reference(arg, secret_name)?;
            let path: Option<Vec<String>> = steps
                .iter()
                .map(|s| match s {
                    Step::Attr(k) | Step::Index(Value::String(k)) => Some(k.clone()),
                    _ => None,
                })
                .collect();
            match read {
                ValueSpec::Eso(EsoRef {
                    key, secret: None, ..
                }) => Some(ValueSpec::Eso(EsoRef {
                    key,
                    path: path?,
                    ..EsoRef::default()
                })),
                ValueSpec::Vault(VaultRef {
                    path: vpath, key, ..
                }) => {
                    let json = path?;
                    (!json.is_empty()).then_some(ValueSpec::Vault(VaultRef {
                        path: vpath,
                        key,
                        json,
                        optional: None,
                    }))
                }
                _ => None,
            }
        }
        // An object beside the one read: at the root, or inside the wrapping module whose
        // objects the spec holds at the root (the reference as it is once there).
        Sym::Ref {
            root: Root::Object(addr),
            steps,
        } if addr.module.len() <= 1 && !steps.is_empty() => {
            let mut at_root = sym.clone();
            if let Sym::Ref {
                root: Root::Object(a),
                ..
            } = &mut at_root
            {
                a.module.clear();
            }
            Some(ValueSpec::Ref(at_root.to_string()))
        }
        _ => None,
    }
}

/// Whether a `data "kubernetes_secret"` configuration reads the stack's ExternalSecret.
fn eso_read(config: &Value, secret_name: &str) -> bool {
    block(config, "metadata").and_then(|m| string(m, "name")) == Some(secret_name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn objects(tf: &str) -> crate::planeq::Stack {
        crate::planeq::Stack::from_memory("t", None, [(PathBuf::from("main.tf"), tf.to_owned())])
            .expect("reads")
    }

    fn env_value(tf: &str) -> Option<ValueSpec> {
        let s = objects(tf);
        let v = s.get("terraform_data.x").expect("object");
        value_spec(get(v, "input").expect("input"), "app-secrets")
    }

    #[test]
    fn values_become_what_a_spec_says() {
        let cases = [
            (
                "\"info\"",
                Some(ValueSpec::Scalar(Scalar::Str("info".into()))),
            ),
            ("80", Some(ValueSpec::Scalar(Scalar::Int(80)))),
            ("true", Some(ValueSpec::Scalar(Scalar::Bool(true)))),
            ("var.mail_host", Some(ValueSpec::Var("mail_host".into()))),
            (
                "random_password.k.result",
                Some(ValueSpec::Ref("random_password.k.result".into())),
            ),
            (
                "\"base64:${random_id.k.b64_std}\"",
                Some(ValueSpec::Template(vec![
                    ValueSpec::Scalar(Scalar::Str("base64:".into())),
                    ValueSpec::Ref("random_id.k.b64_std".into()),
                ])),
            ),
            ("var.tls_secret_name", None),
            ("upper(var.x)", None),
            (
                "base64encode(random_password.k.result)",
                Some(ValueSpec::Base64(Box::new(ValueSpec::Ref(
                    "random_password.k.result".into(),
                )))),
            ),
            (
                "tostring(var.x)",
                Some(ValueSpec::ToString(Box::new(ValueSpec::Var("x".into())))),
            ),
            (
                "jsonencode([var.x, \"a\"])",
                Some(ValueSpec::Json(Box::new(crate::spec::DataSpec::List(
                    vec![
                        crate::spec::DataSpec::Ref(ValueSpec::Var("x".into())),
                        crate::spec::DataSpec::Scalar(Scalar::Str("a".into())),
                    ],
                )))),
            ),
            // Of a literal, the call is its result.
            (
                "tostring(80)",
                Some(ValueSpec::Scalar(Scalar::Str("80".into()))),
            ),
            ("base64encode(upper(var.x))", None),
        ];
        for (expr, want) in cases {
            let tf = format!(
                "variable \"mail_host\" {{}}\nvariable \"x\" {{}}\nresource \"terraform_data\" \"x\" {{\n  input = {expr}\n}}\n"
            );
            assert_eq!(env_value(&tf), want, "{expr}");
        }
    }

    #[test]
    fn plan_time_reads_become_vault_and_eso_references() {
        let tf = r#"
data "vault_kv_secret_v2" "platform" {
  mount = "secret"
  name  = "platform"
}
data "kubernetes_secret" "eso_secrets" {
  metadata {
    name      = "app-secrets"
    namespace = "app"
  }
}
data "kubernetes_secret" "calibre" {
  metadata {
    name      = "calibre-secrets"
    namespace = "books"
  }
}
data "kubernetes_secret" "labelled" {
  metadata {
    name      = "other-secrets"
    namespace = "books"
    labels    = { a = "b" }
  }
}
locals {
  creds = jsondecode(data.kubernetes_secret.eso_secrets.data["creds"])
  hp    = jsondecode(data.vault_kv_secret_v2.platform.data["hp"])
}
resource "terraform_data" "x" {
  input = [
    data.vault_kv_secret_v2.platform.data["smtp"],
    data.kubernetes_secret.eso_secrets.data["plain"],
    local.creds["app"]["user"],
    local.hp.app.user,
    data.kubernetes_secret.calibre.data["password"],
    data.kubernetes_secret.labelled.data["password"],
  ]
}
"#;
        let s = objects(tf);
        let v = s.get("terraform_data.x").expect("object");
        let Some(Value::List(items)) = get(v, "input") else {
            panic!("{v:?}");
        };
        let got: Vec<Option<ValueSpec>> =
            items.iter().map(|i| value_spec(i, "app-secrets")).collect();
        assert_eq!(
            got,
            [
                Some(ValueSpec::Vault(VaultRef {
                    path: Some("platform".into()),
                    key: Some("smtp".into()),
                    json: vec![],
                    optional: None,
                })),
                Some(ValueSpec::Eso(EsoRef {
                    key: Some("plain".into()),
                    ..EsoRef::default()
                })),
                Some(ValueSpec::Eso(EsoRef {
                    key: Some("creds".into()),
                    path: vec!["app".into(), "user".into()],
                    ..EsoRef::default()
                })),
                Some(ValueSpec::Vault(VaultRef {
                    path: Some("platform".into()),
                    key: Some("hp".into()),
                    json: vec!["app".into(), "user".into()],
                    optional: None,
                })),
                // Another Secret, named with its namespace.
                Some(ValueSpec::Eso(EsoRef {
                    key: Some("password".into()),
                    secret: Some("calibre-secrets".into()),
                    namespace: Some("books".into()),
                    ..EsoRef::default()
                })),
                // A read that says more than that: no spec form.
                None,
            ]
        );
    }
}
