//! Recognizers of what the app may do in the cluster and how much of it the namespace
//! holds: service accounts with the Role / ClusterRole and the binding that give them
//! their rights (`service_accounts:`), and the namespace's own ResourceQuota
//! (`namespace.quota`).
//!
//! A service account is read when its metadata is the spec's (name and namespace); its
//! binding is the first one of the stack whose only subject is that account and whose
//! role is one the spec says — an existing ClusterRole (`role`), or a Role / ClusterRole
//! of the stack with rules the spec says (`rules`). A binding or role the spec cannot say
//! stays whole in raw HCL, and the account is read alone.

use std::collections::BTreeSet;

use super::{Ctx, b, text, versions};
use crate::conventions as cv;
use crate::import::draft::{Draft, Limits, Part};
use crate::import::value::{self as val, block, blocks, get, string};
use crate::planeq::Value;
use crate::spec::{BindingSpec, OrderedMap, QuotaSpec, RbacScope, RuleSpec, ServiceAccountSpec};

/// `service_accounts:`, a list whose entries the inversion reads one by one (entry `i`
/// gives up as `Part::Items(SERVICE_ACCOUNTS, i)`); an entry has no raw HCL of its own.
pub const SERVICE_ACCOUNTS: &str = "service_accounts";

/// The resources of the types `types` in the order the stack writes them (file, offset;
/// objects without a known position after, by address): `(address, label, body)`.
pub(super) fn in_source_order<'a>(
    ctx: &Ctx<'a>,
    types: &[&str],
) -> Vec<(String, String, &'a Value)> {
    // (where the stack writes it: file and offset, its address, its label, its body)
    type Found<'v> = (Option<(String, usize)>, String, String, &'v Value);
    let mut found: Vec<Found> = Vec::new();
    for ty in types {
        for (label, v) in ctx.resources(ty) {
            let address = format!("{ty}.{label}");
            let at = ctx
                .node_start(&address, &[])
                .map(|(file, start)| (file.name.clone(), start));
            found.push((at, address, label, v));
        }
    }
    found.sort_by(|a, b| match (&a.0, &b.0) {
        (Some(x), Some(y)) => x.cmp(y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.1.cmp(&b.1),
    });
    found
        .into_iter()
        .map(|(_, address, label, v)| (address, label, v))
        .collect()
}

/// The resource type of `address`, one of `types`, as the spec's `resource_type`.
fn non_default(address: &str, types: &[&'static str]) -> Option<String> {
    versions::split(address, types).and_then(|(ty, _)| versions::non_default(ty, types))
}

/// An object's `metadata`: its name, and whether it names a namespace; `None` when the
/// object or its metadata carries anything else.
fn metadata<'a>(v: &'a Value, other: &[&str]) -> Option<(&'a str, bool)> {
    let mut known = vec!["metadata"];
    known.extend_from_slice(other);
    let meta = block(v, "metadata")?;
    if !val::other_keys(v, &known).is_empty()
        || !val::other_keys(meta, &["name", "namespace"]).is_empty()
    {
        return None;
    }
    Some((string(meta, "name")?, get(meta, "namespace").is_some()))
}

/// A list of strings (a list or a set).
fn strings(v: Option<&Value>) -> Option<Vec<String>> {
    match v? {
        Value::List(items) | Value::Set(items) => val::strings(items),
        _ => None,
    }
}

/// The rules of a Role / ClusterRole, when each is one the spec says: `api_groups`,
/// `resources` and `verbs` written, `resource_names` when not empty, nothing else; or
/// `non_resource_urls` and `verbs` (`api_groups` and `resources` with them when written).
fn rules(v: &Value) -> Option<Vec<RuleSpec>> {
    let all = blocks(v, "rule");
    if all.is_empty() {
        return None;
    }
    all.iter()
        .map(|r| {
            let known = [
                "api_groups",
                "resources",
                "resource_names",
                "non_resource_urls",
                "verbs",
            ];
            if !val::other_keys(r, &known).is_empty() {
                return None;
            }
            let non_empty = |k: &str| match get(r, k) {
                None => Some(Vec::new()),
                Some(items) => strings(Some(items)).filter(|l| !l.is_empty()),
            };
            let non_resource_urls = non_empty("non_resource_urls")?;
            let (api_groups, resources) = if non_resource_urls.is_empty() {
                (
                    strings(get(r, "api_groups"))?,
                    strings(get(r, "resources")).filter(|l| !l.is_empty())?,
                )
            } else {
                // Beside URLs, the model writes the API groups only when there are some.
                (non_empty("api_groups")?, non_empty("resources")?)
            };
            Some(RuleSpec {
                api_groups,
                resources,
                resource_names: non_empty("resource_names")?,
                non_resource_urls,
                verbs: strings(get(r, "verbs")).filter(|l| !l.is_empty())?,
            })
        })
        .collect()
}

/// A Role / ClusterRole of the stack's own.
struct OwnRole {
    address: String,
    label: String,
    name: String,
    rules: Vec<RuleSpec>,
}

/// A binding read: what it binds the account to.
struct Binding {
    address: String,
    label: String,
    name: String,
    cluster: bool,
    /// The stack's role with its rules (`None`: an existing ClusterRole by name).
    role: Option<OwnRole>,
    /// The existing ClusterRole's name.
    existing: Option<String>,
}

/// The binding of the account named `account` (the first, in source order, not taken
/// yet), when the spec says it and its role.
fn binding(
    ctx: &Ctx,
    account: &str,
    taken: &BTreeSet<String>,
    roles: &[(String, String, &Value)],
) -> Option<Binding> {
    let bindings = in_source_order(
        ctx,
        &[cv::rbac::BINDING_TYPES, cv::rbac::CLUSTER_BINDING_TYPES].concat(),
    );
    let (address, label, v) = bindings.into_iter().find(|(address, _, v)| {
        !taken.contains(address)
            && matches!(blocks(v, "subject"), [s]
                if string(s, "kind") == Some("ServiceAccount")
                    && string(s, "name") == Some(account))
    })?;
    let cluster = versions::split(&address, &cv::rbac::CLUSTER_BINDING_TYPES).is_some();
    let (name, namespaced) = metadata(v, &["role_ref", "subject"])?;
    let subject = &blocks(v, "subject")[0];
    let role_ref = block(v, "role_ref")?;
    if namespaced == cluster
        || !val::other_keys(subject, &["kind", "name", "namespace"]).is_empty()
        || get(subject, "namespace").is_none()
        || !val::other_keys(role_ref, &["api_group", "kind", "name"]).is_empty()
        || string(role_ref, "api_group") != Some(cv::rbac::API_GROUP)
    {
        return None;
    }
    let kind = string(role_ref, "kind")?;
    let role_name = string(role_ref, "name")?;
    // A role of the stack's own of the binding's scope: a Role for a RoleBinding, a
    // ClusterRole for a ClusterRoleBinding.
    let own_types = if cluster {
        cv::rbac::CLUSTER_ROLE_TYPES
    } else {
        cv::rbac::ROLE_TYPES
    };
    let own = roles.iter().find(|(a, _, v)| {
        versions::split(a, &own_types).is_some()
            && !taken.contains(a)
            && metadata(v, &["rule"]).is_some_and(|(n, _)| n == role_name)
    });
    let (role, existing) = match (kind, own) {
        ("Role", Some(_)) if cluster => return None,
        ("Role" | "ClusterRole", Some((a, l, v))) => {
            if (kind == "ClusterRole") != cluster {
                return None;
            }
            let (_, namespaced) = metadata(v, &["rule"])?;
            if namespaced == cluster {
                return None;
            }
            let role = OwnRole {
                address: a.clone(),
                label: l.clone(),
                name: role_name.to_owned(),
                rules: rules(v)?,
            };
            (Some(role), None)
        }
        ("ClusterRole", None) => (None, Some(role_name.to_owned())),
        _ => return None,
    };
    Some(Binding {
        address,
        label,
        name: name.to_owned(),
        cluster,
        role,
        existing,
    })
}

/// The stack's service accounts, as `service_accounts:` in the order the stack writes
/// them, each with its binding and role when the spec says them, until one the spec
/// cannot say (or one given up): that one and the ones after it stay whole in raw HCL.
pub fn service_accounts(ctx: &Ctx, d: &mut Draft, limits: &Limits) {
    let cap = limits.items(SERVICE_ACCOUNTS);
    let roles = in_source_order(
        ctx,
        &[cv::rbac::ROLE_TYPES, cv::rbac::CLUSTER_ROLE_TYPES].concat(),
    );
    let mut taken = BTreeSet::new();
    for (address, label, v) in in_source_order(ctx, &cv::rbac::ACCOUNT_TYPES) {
        let i = d.spec.service_accounts.len();
        if i >= cap {
            break;
        }
        let Some((name, true)) = metadata(v, &[]) else {
            break;
        };
        let part = Some(Part::Items(SERVICE_ACCOUNTS, i));
        let mut spec = ServiceAccountSpec {
            name: Some(name.to_owned()),
            address: Some(label.clone()),
            resource_type: non_default(&address, &cv::rbac::ACCOUNT_TYPES),
            comment: text(ctx.above(d, &address, &[]).take(d)),
            ..ServiceAccountSpec::default()
        };
        d.claim(&ctx.at(&address), &address, part.clone(), None);
        // Every binding of the account: the first is its own, the others `bindings`.
        let mut bindings = Vec::new();
        while let Some(bound) = binding(ctx, name, &taken, &roles) {
            let scope = if bound.cluster {
                RbacScope::Cluster
            } else {
                RbacScope::Namespace
            };
            let binding_types = if bound.cluster {
                cv::rbac::CLUSTER_BINDING_TYPES
            } else {
                cv::rbac::BINDING_TYPES
            };
            let mut b = BindingSpec {
                scope: Some(scope),
                binding_resource_type: non_default(&bound.address, &binding_types),
                binding_name: Some(bound.name),
                binding_address: Some(bound.label),
                role: bound.existing,
                ..BindingSpec::default()
            };
            if let Some(role) = bound.role {
                let role_types = if bound.cluster {
                    cv::rbac::CLUSTER_ROLE_TYPES
                } else {
                    cv::rbac::ROLE_TYPES
                };
                b.role_resource_type = non_default(&role.address, &role_types);
                b.role_name = Some(role.name);
                b.role_address = Some(role.label);
                b.rules = role.rules;
                d.claim(&ctx.at(&role.address), &role.address, part.clone(), None);
                taken.insert(role.address);
            }
            d.claim(&ctx.at(&bound.address), &bound.address, part.clone(), None);
            taken.insert(bound.address);
            bindings.push(b);
        }
        let mut bindings = bindings.into_iter();
        if let Some(own) = bindings.next() {
            spec.role = own.role;
            spec.rules = own.rules;
            spec.scope = own.scope;
            spec.role_name = own.role_name;
            spec.role_address = own.role_address;
            spec.role_resource_type = own.role_resource_type;
            spec.binding_name = own.binding_name;
            spec.binding_address = own.binding_address;
            spec.binding_resource_type = own.binding_resource_type;
        }
        spec.bindings = bindings.collect();
        d.spec.service_accounts.push(spec);
    }
}

// --- the namespace's quota ------------------------------------------------------------

/// The namespace's own ResourceQuota, as `namespace.quota`: the one quota of the stack
/// (in the namespace the spec creates or names), when its metadata and hard limits are
/// ones the spec says.
pub fn quota(ctx: &Ctx, d: &mut Draft, limits: &Limits) {
    if limits.has(&Part::Quota) || d.spec.namespace.is_none() {
        return;
    }
    let quotas = versions::resources(ctx, &cv::quota::TYPES);
    let [found] = quotas.as_slice() else {
        return;
    };
    let (label, v) = (&found.label, found.value);
    let Some((name, true)) = metadata(v, &["spec"]) else {
        return;
    };
    let Some(spec) = block(v, "spec") else {
        return;
    };
    if !val::other_keys(spec, &["hard"]).is_empty() {
        return;
    }
    let address = found.address();
    let Some(hard) = get(spec, "hard")
        .and_then(|h| ctx.ordered(&address, &[b("spec", 0), super::attr("hard")], h, &[]))
    else {
        return;
    };
    if hard.is_empty() {
        return;
    }
    let quota = QuotaSpec {
        name: Some(name.to_owned()),
        address: Some(label.clone()),
        resource_type: found.non_default(&cv::quota::TYPES),
        hard: OrderedMap(hard),
    };
    d.claim(&ctx.at(&address), &address, Some(Part::Quota), None);
    if let Some(ns) = d.spec.namespace.as_mut() {
        ns.quota = Some(quota);
    }
}

// --- NFS volumes outside the pod ------------------------------------------------------

/// The list of `volumes` with `pod: false`, as `Limits` gives them up.
pub const OUTSIDE_POD: &str = "volumes outside the pod";

/// The repo's `nfs_volume` calls the Deployment's pod does not mount (a backup target of
/// the stack's own jobs, or one nothing the spec says mounts), as volumes with `pod:
/// false` after the pod's own, in address order, until one the spec cannot say. In a
/// stack without a Deployment of dlgen's (a StatefulSet database, a Helm release) that is
/// every call: the backup target of its dump CronJob among them. They are given up apart
/// from the pod's volumes (`Part::Items(OUTSIDE_POD, j)`): a pod volume the spec cannot
/// say does not take the jobs' targets with it.
pub fn nfs_outside_pod(ctx: &Ctx, d: &mut Draft, limits: &Limits) {
    let cap = limits.items(OUTSIDE_POD);
    for (j, (label, _)) in ctx.modules(cv::repo::NFS_MODULE).into_iter().enumerate() {
        let address = format!("module.{label}");
        if d.claimed(&ctx.at(&address)) {
            continue;
        }
        let k = d.spec.volumes.len();
        if j >= cap {
            break;
        }
        let name = label
            .strip_prefix("nfs_")
            .unwrap_or(&label)
            .replace('_', "-");
        if d.spec
            .volumes
            .iter()
            .any(|v| v.name.as_deref() == Some(&name))
        {
            break;
        }
        let Some(mut spec) = super::nfs(ctx, d, (k, Part::Items(OUTSIDE_POD, j)), &name, &label)
        else {
            break;
        };
        spec.pod = Some(false);
        d.spec.volumes.push(spec);
    }
}
