//! Once every object of the stack is built: the names a pod uses become references to the
//! objects of the stack that carry them (a config map, a secret, a service account, a
//! claim), and each workload's `depends_on` is derived from the ExternalSecrets whose
//! secrets its pod reads. Both go by name and kind, so objects of any part of the stack
//! (and of any number) are found without more code.

use super::problems::Problems;
use super::types::*;
use crate::conventions as cv;
use crate::spec::DependsOnSpec;

/// A workload's `depends_on` request: its address, where the spec's `depends_on` is, and
/// what it adds and drops.
pub(crate) struct DependsRequest {
    pub reference: String,
    pub at: String,
    pub spec: Option<DependsOnSpec>,
}

/// The namespace the stack's pods run in: its name and the reference to it.
pub(crate) struct PodNamespace<'a> {
    pub name: &'a str,
    pub reference: &'a Expr,
}

impl PodNamespace<'_> {
    fn holds(&self, namespace: &Value) -> bool {
        match namespace {
            Value::Str(s) => s == self.name,
            Value::Expr(e) => e == self.reference,
            _ => false,
        }
    }
}

/// A named object a pod can refer to: what kind it is, its name, and the reference.
struct Named {
    kind: Kind,
    name: String,
    reference: Expr,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    ConfigMap,
    Secret,
    ServiceAccount,
    Claim,
}

/// The kind of a resource type a pod refers to by name.
fn kind_of(resource_type: &str) -> Option<Kind> {
    let base = resource_type.strip_suffix("_v1").unwrap_or(resource_type);
    match base {
        "kubernetes_config_map" => Some(Kind::ConfigMap),
        "kubernetes_secret" => Some(Kind::Secret),
        "kubernetes_service_account" => Some(Kind::ServiceAccount),
        "kubernetes_persistent_volume_claim" => Some(Kind::Claim),
        _ => None,
    }
}

/// Every object of the stack a pod may name, in the pods' namespace.
fn named(objects: &[Object], ns: &PodNamespace<'_>) -> Vec<Named> {
    let mut out = Vec::new();
    for o in objects {
        if let Body::ModuleCall(call) = &o.body
            && call.source.ends_with(&format!("/{}", cv::repo::NFS_MODULE))
        {
            let arg = |name: &str| call.args.iter().find(|a| a.name == name).map(|a| &a.value);
            if let (Some(Value::Str(claim)), Some(namespace)) = (arg("name"), arg("namespace"))
                && ns.holds(namespace)
            {
                out.push(Named {
                    kind: Kind::Claim,
                    name: claim.clone(),
                    reference: Expr(format!("{}.claim_name", o.address.reference())),
                });
            }
            continue;
        }
        if o.address.block != BlockKind::Resource {
            continue;
        }
        let Some(kind) = o.address.kind.as_deref().and_then(kind_of) else {
            continue;
        };
        let Some((name, namespace)) = o.kubernetes_name() else {
            continue;
        };
        if ns.holds(namespace) {
            out.push(Named {
                kind,
                name: name.to_owned(),
                reference: Expr(format!("{}.metadata[0].name", o.address.reference())),
            });
        }
    }
    out
}

/// Replaces a name by the reference to the object of `kind` that carries it, if any.
fn link_name(value: &mut Value, kind: Kind, named: &[Named]) {
    if let Value::Str(name) = value
        && let Some(n) = named.iter().find(|n| n.kind == kind && n.name == *name)
    {
        *value = Value::Expr(n.reference.clone());
    }
}

/// Links the names of every pod of the stack, then sets each workload's `depends_on`.
pub(crate) fn link(
    p: &mut Problems,
    objects: &mut [Object],
    requests: &[DependsRequest],
    ns: &PodNamespace<'_>,
) {
    let named = named(objects, ns);
    for o in objects.iter_mut() {
        // A service-account token names its account.
        if let Body::Secret(s) = &mut o.body
            && let Some(annotations) = &mut s.metadata.annotations
        {
            for a in &mut annotations.entries {
                if a.key == cv::kubernetes_secret::SERVICE_ACCOUNT_ANNOTATION {
                    link_name(&mut a.value, Kind::ServiceAccount, &named);
                }
            }
        }
        let Some(pod) = o.body.pod_mut() else {
            continue;
        };
        if let Some(sa) = &mut pod.service_account_name {
            link_name(sa, Kind::ServiceAccount, &named);
        }
        for v in &mut pod.volumes {
            match &mut v.source {
                VolumeSource::Pvc { claim_name } => link_name(claim_name, Kind::Claim, &named),
                VolumeSource::ConfigMap { name, .. } => link_name(name, Kind::ConfigMap, &named),
                VolumeSource::Secret { secret_name, .. } => {
                    link_name(secret_name, Kind::Secret, &named);
                }
                _ => {}
            }
        }
        for c in pod
            .containers
            .iter_mut()
            .chain(pod.init_containers.iter_mut())
        {
            for e in &mut c.env {
                if let Some(secret) = &mut e.secret {
                    link_name(&mut secret.name, Kind::Secret, &named);
                }
            }
            for ef in &mut c.env_from {
                let kind = if ef.kind == "secret_ref" {
                    Kind::Secret
                } else {
                    Kind::ConfigMap
                };
                link_name(&mut ef.name, kind, &named);
            }
        }
    }

    // --- depends_on -----------------------------------------------------------------------
    let external_secrets: Vec<(String, String)> = objects
        .iter()
        .filter_map(|o| match &o.body {
            Body::ExternalSecret(es) if ns.holds(&es.namespace) => {
                Some((es.target_name.clone(), o.address.reference()))
            }
            _ => None,
        })
        .collect();
    let managed: Vec<String> = objects
        .iter()
        .filter(|o| o.address.is_managed())
        .map(|o| o.address.reference())
        .collect();
    for request in requests {
        let Some(o) = objects
            .iter_mut()
            .find(|o| o.address.reference() == request.reference)
        else {
            continue;
        };
        let read = o
            .body
            .pod()
            .map(|(_, pod)| secrets_read(pod))
            .unwrap_or_default();
        let mut depends: Vec<String> = external_secrets
            .iter()
            .filter(|(target, _)| read.contains(target))
            .map(|(_, address)| address.clone())
            .collect();
        let mut comment = None;
        if let Some(spec) = &request.spec {
            let why = Problems::why(&spec.drop_why);
            match (spec.drop.is_empty(), &why) {
                (false, None) => p.add(
                    format!("{}.drop", request.at),
                    "leaving out a `depends_on` entry needs a written reason",
                    Some(format!("add `drop_why:` under `{}`", request.at)),
                ),
                (true, Some(_)) => p.add(
                    format!("{}.drop_why", request.at),
                    "`drop_why` explains `drop`, which is empty",
                    None,
                ),
                _ => {}
            }
            for (i, address) in spec.drop.iter().enumerate() {
                match depends.iter().position(|d| d == address) {
                    Some(pos) => {
                        depends.remove(pos);
                    }
                    None => p.add(
                        format!("{}.drop[{i}]", request.at),
                        format!("`{address}` is not a default `depends_on` entry of this workload"),
                        Some(if depends.is_empty() {
                            "it has none (the ExternalSecrets whose secrets the pod reads)"
                                .to_owned()
                        } else {
                            format!(
                                "its entries are {}",
                                depends
                                    .iter()
                                    .map(|d| format!("`{d}`"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        }),
                    ),
                }
            }
            for (i, address) in spec.add.iter().enumerate() {
                let at = format!("{}.add[{i}]", request.at);
                if !managed.contains(address) {
                    let near =
                        crate::diag::did_you_mean(address, managed.iter().map(String::as_str));
                    p.add(
                        &at,
                        format!("`{address}` is not a resource or module of this stack"),
                        Some(format!(
                            "the stack declares {}{}",
                            managed
                                .iter()
                                .map(|m| format!("`{m}`"))
                                .collect::<Vec<_>>()
                                .join(", "),
                            near.map(|n| format!("; did you mean `{n}`?"))
                                .unwrap_or_default()
                        )),
                    );
                    continue;
                }
                if *address == request.reference {
                    p.add(&at, "a workload cannot depend on itself", None);
                    continue;
                }
                if depends.contains(address) {
                    p.add(
                        &at,
                        format!("`{address}` is a `depends_on` entry already"),
                        None,
                    );
                    continue;
                }
                depends.push(address.clone());
            }
            comment = why.map(|w| format!("depends_on: {w}"));
        }
        let depends: Vec<Expr> = depends.into_iter().map(Expr).collect();
        match &mut o.body {
            Body::Deployment(d) => {
                d.depends_on = depends;
                d.depends_on_comment = comment;
            }
            Body::CronJob(c) => {
                c.depends_on = depends;
                c.depends_on_comment = comment;
            }
            Body::Job(j) => {
                j.depends_on = depends;
                j.depends_on_comment = comment;
            }
            _ => {}
        }
    }
}

/// The secrets a pod reads by name (those not linked to an object of the stack): env
/// keys, `env_from` and secret volumes.
fn secrets_read(pod: &Pod) -> Vec<String> {
    let mut names = Vec::new();
    let mut add = |v: &Value| {
        if let Value::Str(s) = v
            && !names.contains(s)
        {
            names.push(s.clone());
        }
    };
    for c in pod.containers.iter().chain(&pod.init_containers) {
        for e in &c.env {
            if let Some(secret) = &e.secret {
                add(&secret.name);
            }
        }
        for ef in &c.env_from {
            if ef.kind == "secret_ref" {
                add(&ef.name);
            }
        }
    }
    for v in &pod.volumes {
        if let VolumeSource::Secret { secret_name, .. } = &v.source {
            add(secret_name);
        }
    }
    names
}
