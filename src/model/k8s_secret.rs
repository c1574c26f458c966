//! Kubernetes Secrets the stack writes itself (`kubernetes_secrets:`): metadata, `type`,
//! the service account a token secret belongs to, `data` of references and files (a
//! literal secret value is refused: a stack never holds one), and the drift workaround
//! `ignore_changes` with its written reason.

use super::config::{DataScope, data_value};
use super::problems::Problems;
use super::refs::Refs;
use super::types::*;
use super::{Ctx, adopt};
use crate::conventions as cv;
use crate::hcl;
use crate::spec::{DataSpec, KubernetesSecretSpec, ValueSpec};
use crate::validate;

/// What a valid secret value is, for the errors that refuse another.
const VALID_VALUES: &str = "read it from Vault (`{vault: {path, key}}`), another object of the stack (`{ref: ...}`), a shared variable (`{var: ...}`) or a file beside the spec (`{file: NAME}`, `{templatefile: {file, vars}}`); structured data as `{jsonencode: ...}` / `{yamlencode: ...}` of such reads";

/// Whether a value reads anything (a reference, a file): otherwise all of it is
/// written in the spec, and so in the stack.
fn reads_something(d: &DataSpec) -> bool {
    match d {
        DataSpec::Scalar(_) | DataSpec::Ref(ValueSpec::Scalar(_)) => false,
        DataSpec::List(items) => items.iter().any(reads_something),
        DataSpec::Map(map) => map.0.iter().any(|(_, v)| reads_something(v)),
        DataSpec::Ref(ValueSpec::Template(parts)) => {
            parts.iter().any(|p| !matches!(p, ValueSpec::Scalar(_)))
        }
        DataSpec::Ref(_) | DataSpec::File(_) | DataSpec::TemplateFile(_) => true,
        DataSpec::Yaml(v) | DataSpec::Json(v) | DataSpec::JsonDecode(v) => reads_something(v),
    }
}

/// Why a secret's data value cannot be written, if it cannot.
pub(crate) fn refused(d: &DataSpec) -> Option<&'static str> {
    match d {
        DataSpec::List(_) | DataSpec::Map(_) => {
            Some("a secret value is one string; structured data is written encoded")
        }
        _ if !reads_something(d) => Some(
            "a literal secret value would be written into the stack, and a stack never holds one",
        ),
        _ => None,
    }
}

/// The secret `i` of `kubernetes_secrets:`.
pub(crate) fn kubernetes_secret(
    p: &mut Problems,
    ctx: &Ctx,
    i: usize,
    s: &KubernetesSecretSpec,
    refs: &mut Refs,
    files: &mut Vec<SpecFile>,
) -> Object {
    let at = |f: &str| format!("kubernetes_secrets[{i}].{f}");
    let name = match &s.name {
        Some(n) => {
            p.check(
                &at("name"),
                "secret name",
                n,
                super::secrets::object_name(n),
            );
            n.clone()
        }
        None => {
            p.missing(&at("name"), "the secret's name, e.g. `name: app-ssh-key`");
            String::from("secret")
        }
    };
    let address = adopt::address(p, &at("address"), &s.address, || hcl::snake(&name));
    if s.address.is_none() {
        p.check(
            &at("name"),
            "secret name",
            &name,
            super::starts_with_letter(&name),
        );
    }
    let resource_type = super::workload::resource_type(
        p,
        &at("resource_type"),
        &s.resource_type,
        &cv::kubernetes_secret::TYPES,
    );
    let namespace = super::config::namespace(p, ctx, &at("namespace"), &s.namespace);
    let labels = super::workload::labels(p, &at("labels"), &s.labels);
    let mut annotations = Vec::new();
    if let Some(account) = &s.service_account {
        p.check(
            &at("service_account"),
            "service account name",
            account,
            validate::dns_label(account),
        );
        // A name here; `link` makes it a reference when the stack declares the account.
        annotations.push(entry(
            cv::kubernetes_secret::SERVICE_ACCOUNT_ANNOTATION,
            account.as_str(),
        ));
    }
    for a in super::workload::annotations(p, refs, &at("annotations"), &s.annotations) {
        if a.key == cv::kubernetes_secret::SERVICE_ACCOUNT_ANNOTATION && s.service_account.is_some()
        {
            p.add(
                at("annotations"),
                "the service account's annotation is also set by `service_account`",
                Some("keep `service_account`".to_owned()),
            );
        }
        annotations.push(a);
    }
    let kind = match (&s.kind, &s.service_account) {
        (Some(t), _) => {
            if t.is_empty() || t.chars().any(|c| c.is_whitespace() || c.is_control()) {
                p.invalid(
                    &at("type"),
                    "secret type",
                    t,
                    "is not a secret type (e.g. `Opaque`, `kubernetes.io/tls`)",
                );
            }
            Some(t.clone())
        }
        (None, Some(_)) => Some(cv::kubernetes_secret::SERVICE_ACCOUNT_TOKEN_TYPE.to_owned()),
        (None, None) => None,
    };
    let wait_for_service_account_token = s.wait_for_service_account_token.or_else(|| {
        s.service_account
            .as_ref()
            .map(|_| cv::kubernetes_secret::WAIT_FOR_TOKEN)
    });
    let mut data = Vec::new();
    for (key, value) in &s.data.0 {
        let dat = crate::de::path_key(&at("data"), key);
        p.check(&dat, "key", key, super::config::data_key(key, "secret"));
        if let Some(why) = refused(value) {
            p.add(&dat, why, Some(VALID_VALUES.to_owned()));
            continue;
        }
        let mut scope = DataScope {
            refs: Some(&mut *refs),
            files: Some(&mut *files),
        };
        data.push(entry(key, data_value(p, &dat, value, false, &mut scope)));
    }
    let data_keys: Vec<&str> = s.data.0.iter().map(|(k, _)| k.as_str()).collect();
    let binary_data = super::config::binary_data(
        p,
        &at("binary_data"),
        "secret",
        &s.binary_data,
        &data_keys,
        files,
    );
    let lifecycle = drift_lifecycle(
        p,
        &format!("kubernetes_secrets[{i}]"),
        &s.ignore_changes,
        &s.ignore_changes_why,
    );
    let depends_on = super::refs::depends_on(
        p,
        refs,
        &format!("kubernetes_secrets[{i}].depends_on"),
        &s.depends_on,
        "kubernetes_service_account.app",
    );
    let mut object = Object::new(
        Address::resource(&resource_type, &address),
        Body::Secret(Secret {
            metadata: Metadata {
                name,
                namespace,
                labels: Obj::lines(labels).non_empty(),
                annotations: Obj::lines(annotations).non_empty(),
            },
            kind,
            wait_for_service_account_token,
            data: Obj::lines(data).non_empty(),
            binary_data: Obj::lines(binary_data).non_empty(),
            depends_on,
            lifecycle,
        }),
    );
    object.comment = s.comment.clone();
    object.raw = adopt::raw(p, &at("raw"), &s.raw);
    object
}

/// The `lifecycle` of an object whose drift is ignored (at spec path `at`, e.g.
/// `kubernetes_secrets[0]`): `paths` checked, with the written reason the repo's rules
/// ask for after the drift-workaround marker; `None` without paths.
pub(crate) fn drift_lifecycle(
    p: &mut Problems,
    at: &str,
    paths: &[String],
    why: &crate::spec::Why,
) -> Option<Lifecycle> {
    let why = Problems::why(why);
    match (paths.is_empty(), why) {
        (true, None) => None,
        (true, Some(_)) => {
            p.add(
                format!("{at}.ignore_changes_why"),
                "`ignore_changes_why` explains `ignore_changes`, which is empty",
                None,
            );
            None
        }
        (false, why) => {
            if why.is_none() {
                p.add(
                    format!("{at}.ignore_changes"),
                    "ignoring drift needs a written reason (the repo's drift-workaround marker and why)",
                    Some(format!(
                        "add `ignore_changes_why:` under `{at}`"
                    )),
                );
            }
            let mut entries = Vec::new();
            for (j, path) in paths.iter().enumerate() {
                match super::workload::ignore_path(path) {
                    Ok(()) => entries.push(ignore(path, None)),
                    Err(why) => p.invalid(
                        &format!("{at}.ignore_changes[{j}]"),
                        "attribute path",
                        path,
                        &why,
                    ),
                }
            }
            Some(Lifecycle {
                comment: why.map(|w| format!("{}: {w}", cv::kubernetes_secret::DRIFT_WORKAROUND)),
                ignore_changes: entries,
                multiline: false,
            })
        }
    }
}
