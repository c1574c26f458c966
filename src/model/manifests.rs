//! Kubernetes objects the stack applies with `kubernetes_manifest` (`manifests:`): an
//! `IngressRoute` whose routes need `match` expressions, an `IngressRouteTCP`, any custom
//! resource. Every manifest of the spec but the ExternalSecrets is built here: a Traefik
//! Middleware (`middlewares:`) is a manifest of one kind, which `traffic` turns into a
//! [`ManifestSpec`] and builds with [`manifest`].

use super::config::{DataScope, data_value};
use super::problems::Problems;
use super::refs::Refs;
use super::types::*;
use super::{Ctx, adopt};
use crate::conventions as cv;
use crate::spec::{DataSpec, ManifestSpec};
use crate::validate;

/// The `manifests:` of the spec, in order.
pub(crate) fn manifests(
    p: &mut Problems,
    ctx: &Ctx,
    specs: &[ManifestSpec],
    refs: &mut Refs,
) -> Vec<Object> {
    let mut out = Vec::new();
    for (i, m) in specs.iter().enumerate() {
        let at = format!("manifests[{i}]");
        let Some(object) = manifest(p, ctx, &at, "object", m, refs) else {
            continue;
        };
        let same = |o: &ManifestSpec| {
            o.kind == m.kind
                && o.name == m.name
                && o.namespace == m.namespace
                && o.cluster_scoped == m.cluster_scoped
        };
        if specs[..i].iter().any(same) {
            p.add(
                format!("{at}.name"),
                format!(
                    "the {} `{}` is declared twice",
                    m.kind.as_deref().unwrap_or_default(),
                    m.name.as_deref().unwrap_or_default()
                ),
                None,
            );
        }
        out.push(object);
    }
    out
}

/// One manifest at spec path `at` (`manifests[2]`, `middlewares[0]`); `what` names the
/// object in messages (`Middleware`). `None` when it lacks what every manifest needs.
pub(crate) fn manifest(
    p: &mut Problems,
    ctx: &Ctx,
    at: &str,
    what: &str,
    m: &ManifestSpec,
    refs: &mut Refs,
) -> Option<Object> {
    let field = |f: &str| format!("{at}.{f}");
    let api_version = required(
        p,
        &field("api_version"),
        &m.api_version,
        "the object's `apiVersion`, e.g. `traefik.io/v1alpha1`",
    );
    let kind = required(
        p,
        &field("kind"),
        &m.kind,
        "the object's `kind`, e.g. `IngressRoute`",
    );
    let name = required(p, &field("name"), &m.name, &format!("the {what}'s name"));
    if let Some(v) = &api_version {
        p.check(&field("api_version"), "apiVersion", v, api_version_text(v));
    }
    if let Some(k) = &kind {
        p.check(&field("kind"), "kind", k, kind_text(k));
    }
    let (api_version, kind, name) = (api_version?, kind?, name?);
    p.check(
        &field("name"),
        &format!("{what} name"),
        &name,
        super::secrets::object_name(&name),
    );
    let address = adopt::address(p, &field("address"), &m.address, || {
        cv::manifest::address(&name)
    });
    if m.address.is_none() {
        p.check(
            &field("name"),
            &format!("{what} name"),
            &name,
            super::starts_with_letter(&name),
        );
    }
    let namespace = match (m.cluster_scoped, &m.namespace) {
        (Some(true), Some(_)) => {
            p.add(
                field("namespace"),
                "a cluster-scoped object has no namespace",
                Some("remove `namespace` or `cluster_scoped`".to_owned()),
            );
            None
        }
        (Some(true), None) => None,
        (_, ns) => Some(super::config::namespace(p, ctx, &field("namespace"), ns)),
    };
    let labels = super::workload::labels(p, &field("labels"), &m.labels);
    let annotations = super::workload::annotations(p, refs, &field("annotations"), &m.annotations);
    // A manifest may name the TLS secret by its variable (an `IngressRoute`'s
    // `tls.secretName`), as the ingress module is given it.
    refs.in_manifest = true;
    let mut scope = DataScope {
        refs: Some(&mut *refs),
        files: None,
    };
    let mut fields = Vec::new();
    if let Some(spec) = &m.spec {
        let value = data_value(
            p,
            &field("spec"),
            &DataSpec::Map(spec.clone()),
            false,
            &mut scope,
        );
        fields.push(entry("spec", value));
    }
    for (key, value) in &m.fields.0 {
        let kat = crate::de::path_key(&field("fields"), key);
        if RESERVED.contains(&key.as_str()) {
            p.add(
                &kat,
                format!("`{key}` is written from the {what}'s own fields"),
                Some(format!(
                    "set `{}` instead",
                    match key.as_str() {
                        "apiVersion" => "api_version",
                        "metadata" => "name`, `namespace`, `labels` or `annotations",
                        other => other,
                    }
                )),
            );
            continue;
        }
        p.check(&kat, "key", key, validate::qualified_name(key));
        fields.push(entry(key, data_value(p, &kat, value, false, &mut scope)));
    }
    refs.in_manifest = false;
    let depends_on = super::refs::depends_on(
        p,
        refs,
        &field("depends_on"),
        &m.depends_on,
        "kubernetes_namespace.app",
    );
    let lifecycle =
        super::k8s_secret::drift_lifecycle(p, at, &m.ignore_changes, &m.ignore_changes_why);
    let mut object = Object::new(
        Address::resource(cv::manifest::RESOURCE_TYPE, &address),
        Body::Manifest(Manifest {
            api_version,
            manifest_kind: kind,
            name,
            namespace,
            labels: Obj::lines(labels).non_empty(),
            annotations: Obj::lines(annotations).non_empty(),
            fields,
            force_conflicts: m.force_conflicts.unwrap_or(cv::manifest::FORCE_CONFLICTS),
            depends_on,
            lifecycle,
        }),
    );
    object.comment = m.comment.clone();
    object.raw = adopt::raw(p, &field("raw"), &m.raw);
    Some(object)
}

/// The top-level keys of a manifest that its own fields write.
const RESERVED: [&str; 4] = ["apiVersion", "kind", "metadata", "spec"];

fn required(p: &mut Problems, at: &str, v: &Option<String>, what: &str) -> Option<String> {
    if v.is_none() {
        p.missing(at, what);
    }
    v.clone()
}

/// `group/version` or `version`: letters, digits, `.`, `-`, one `/` at most.
fn api_version_text(v: &str) -> Result<(), String> {
    let ok = !v.is_empty()
        && v.matches('/').count() <= 1
        && !v.starts_with('/')
        && !v.ends_with('/')
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'/'));
    if ok {
        Ok(())
    } else {
        Err(
            "is not an apiVersion (`<group>/<version>` or `<version>`, e.g. `traefik.io/v1alpha1`)"
                .to_owned(),
        )
    }
}

/// A kind: a letter, then letters and digits (`IngressRoute`).
fn kind_text(k: &str) -> Result<(), String> {
    let ok = k.starts_with(|c: char| c.is_ascii_alphabetic())
        && k.bytes().all(|b| b.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err("is not a kind (letters and digits, e.g. `IngressRoute`)".to_owned())
    }
}
