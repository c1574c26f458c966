//! References a value can make, and what they make the stack declare: shared variables,
//! plan-time Vault reads and plan-time reads of the stack's ExternalSecret.

use super::problems::Problems;
use super::types::{Address, Body, Entry, Expr, Object, Value, VaultSecret, entry};
use crate::conventions as cv;
use crate::hcl;
use crate::spec::{EsoRef, Scalar, ValueSpec, VaultRef};
use crate::validate;

/// What the values of a spec refer to, in order of first use.
#[derive(Default)]
pub(crate) struct Refs {
    /// Shared Terraform variables (`mail_host`, ...), declared one per line.
    pub vars: Vec<String>,
    /// Vault paths read at plan time.
    pub vault: Vec<String>,
    /// ExternalSecret keys read at plan time: (key, JSON-decoded).
    pub eso: Vec<(String, bool)>,
    /// Whether a container reads the ExternalSecret at run time (`secret:`).
    pub runtime_secrets: bool,
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
                    Address::data("vault_kv_secret_v2", &vault_address(path)),
                    Body::VaultSecret(VaultSecret {
                        mount: cv::eso::VAULT_MOUNT.to_owned(),
                        path: path.clone(),
                    }),
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
                let path = format!("{path}.var");
                if let Err(why) = variable_name(name) {
                    p.invalid(&path, "variable name", name, &why);
                    return Value::Str(String::new());
                }
                if name == cv::repo::TLS_SECRET_VARIABLE {
                    p.add(
                        &path,
                        "`tls_secret_name` is sensitive and only feeds the TLS and ingress modules",
                        Some("use another shared variable".to_owned()),
                    );
                }
                self.var(name);
                Value::Expr(Expr(format!("var.{name}")))
            }
            ValueSpec::Vault(VaultRef { path: vpath, key }) => {
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
                Value::Expr(Expr(format!(
                    "data.vault_kv_secret_v2.{}.data[{}]",
                    vault_address(vpath),
                    hcl::quote(key)
                )))
            }
            ValueSpec::Eso(EsoRef { key, path: keys }) => {
                let at = format!("{path}.eso");
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
                    None => self.eso.push((key.clone(), json)),
                }
                if json {
                    let index: String = keys
                        .iter()
                        .map(|k| format!("[{}]", hcl::quote(k)))
                        .collect();
                    Value::Expr(Expr(format!("local.{}{index}", identifier(key))))
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

/// The address of the data source reading `secret/<path>`.
fn vault_address(path: &str) -> String {
    identifier(&path.replace('/', "_"))
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

fn variable_name(name: &str) -> Result<(), String> {
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
