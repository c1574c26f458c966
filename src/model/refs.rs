//! References a value can make, and what they make the stack declare: shared variables,
//! plan-time Vault reads and plan-time reads of the stack's ExternalSecret.

use super::problems::Problems;
use super::types::{EsoLocal, Expr, Val, VaultRead};
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

    pub fn vault_reads(&self) -> Vec<VaultRead> {
        self.vault
            .iter()
            .map(|path| VaultRead {
                address: vault_address(path),
                path: path.clone(),
            })
            .collect()
    }

    pub fn eso_locals(&self) -> Vec<EsoLocal> {
        self.eso
            .iter()
            .filter(|(_, json)| *json)
            .map(|(key, _)| EsoLocal {
                name: identifier(key),
                key: key.clone(),
            })
            .collect()
    }

    /// Resolves a spec value at `path` into an HCL value, declaring what it refers to.
    pub fn value(&mut self, p: &mut Problems, path: &str, value: &ValueSpec) -> Val {
        match value {
            ValueSpec::Scalar(s) => match s {
                Scalar::Str(s) => Val::Str(s.clone()),
                Scalar::Int(n) => Val::Int(*n),
                Scalar::Float(f) => Val::Float(*f),
                Scalar::Bool(b) => Val::Bool(*b),
            },
            ValueSpec::Var(name) => {
                let path = format!("{path}.var");
                if let Err(why) = variable_name(name) {
                    p.invalid(&path, "variable name", name, &why);
                    return Val::Str(String::new());
                }
                if name == "tls_secret_name" {
                    p.add(
                        &path,
                        "`tls_secret_name` is sensitive and only feeds the TLS and ingress modules",
                        Some("use another shared variable".to_owned()),
                    );
                }
                self.var(name);
                Val::Expr(Expr(format!("var.{name}")))
            }
            ValueSpec::Vault(VaultRef { path: vpath, key }) => {
                let at = format!("{path}.vault");
                let (Some(vpath), Some(key)) = (vpath, key) else {
                    p.add(
                        &at,
                        "a Vault reference needs `path` and `key`",
                        Some("e.g. `{vault: {path: platform, key: smtp_password}}` reads secret/platform".to_owned()),
                    );
                    return Val::Str(String::new());
                };
                let ok_path = validate::vault_key(vpath);
                let ok_key = validate::secret_key(key);
                p.check(&format!("{at}.path"), "Vault path", vpath, ok_path.clone());
                p.check(&format!("{at}.key"), "Vault key", key, ok_key.clone());
                if ok_path.is_err() || ok_key.is_err() {
                    return Val::Str(String::new());
                }
                if !self.vault.contains(vpath) {
                    self.vault.push(vpath.clone());
                }
                Val::Expr(Expr(format!(
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
                    return Val::Str(String::new());
                };
                if let Err(why) = validate::secret_key(key) {
                    p.invalid(&format!("{at}.key"), "secret key", key, &why);
                    return Val::Str(String::new());
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
                    Val::Expr(Expr(format!("local.{}{index}", identifier(key))))
                } else {
                    Val::Expr(Expr(format!(
                        "data.kubernetes_secret.eso_secrets.data[{}]",
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
