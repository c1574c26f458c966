//! Service accounts and what they may do: a binding to an existing ClusterRole, or a Role
//! (ClusterRole) of their own with its rules and binding.

use super::problems::Problems;
use super::types::*;
use super::{Ctx, adopt};
use crate::conventions as cv;
use crate::hcl;
use crate::spec::{BindingSpec, RbacScope, ServiceAccountSpec};
use crate::validate;

/// The objects of one service account of the spec, in file order: the account, its role
/// (when it has rules), the binding.
pub(crate) fn service_account(
    p: &mut Problems,
    ctx: &Ctx,
    i: usize,
    sa: &ServiceAccountSpec,
) -> Vec<Object> {
    let at = |f: &str| format!("service_accounts[{i}].{f}");
    let name = match &sa.name {
        Some(n) => {
            p.check(
                &at("name"),
                "service account name",
                n,
                super::secrets::object_name(n),
            );
            n.clone()
        }
        None => ctx.name.clone(),
    };
    let address = adopt::address(p, &at("address"), &sa.address, || hcl::snake(&name));
    if sa.address.is_none() {
        p.check(
            &at("name"),
            "service account name",
            &name,
            super::starts_with_letter(&name),
        );
    }
    let account_type = super::workload::resource_type(
        p,
        &at("resource_type"),
        &sa.resource_type,
        &cv::rbac::ACCOUNT_TYPES,
    );
    let mut account = Object::new(
        Address::resource(&account_type, &address),
        Body::ServiceAccount(ServiceAccount {
            name: name.clone(),
            namespace: ctx.ns_ref.clone().into(),
        }),
    );
    account.comment = sa.comment.clone();
    let mut out = vec![account];
    let account = Account {
        name: &name,
        address: &address,
        reference: Expr(format!("{account_type}.{address}.metadata[0].name")),
    };
    let prefix = format!("service_accounts[{i}]");
    out.extend(binding(p, ctx, &prefix, &sa.own_binding(), &account, true));
    for (j, b) in sa.bindings.iter().enumerate() {
        let prefix = format!("{prefix}.bindings[{j}]");
        out.extend(binding(p, ctx, &prefix, b, &account, false));
    }
    out
}

/// The service account a binding binds.
struct Account<'a> {
    name: &'a str,
    address: &'a str,
    /// The reference to the account's name.
    reference: Expr,
}

/// The objects of one binding of an account (`prefix` its place in the spec): its role
/// (when it has rules) and the binding; none when the account's `own` fields bind it to
/// nothing.
fn binding(
    p: &mut Problems,
    ctx: &Ctx,
    prefix: &str,
    sa: &BindingSpec,
    account: &Account,
    own: bool,
) -> Vec<Object> {
    let at = |f: &str| format!("{prefix}.{f}");
    let (name, address) = (account.name, account.address);
    let mut out = Vec::new();
    let cluster = sa.scope == Some(RbacScope::Cluster);
    let namespace = (!cluster).then(|| Value::from(ctx.ns_ref.clone()));

    let own_rules = !sa.rules.is_empty();
    if sa.role.is_some() && own_rules {
        p.add(
            at("rules"),
            "a service account is bound to an existing ClusterRole (`role`) or to a role of its own (`rules`), not both",
            Some("keep one; a second binding (`bindings`) can hold the other".to_owned()),
        );
    }
    if !own_rules {
        for (f, set) in [
            ("role_name", sa.role_name.is_some()),
            ("role_address", sa.role_address.is_some()),
            ("role_resource_type", sa.role_resource_type.is_some()),
        ] {
            if set {
                p.add(
                    at(f),
                    format!("`{f}` names the role of `rules`, and there are none"),
                    None,
                );
            }
        }
    }
    let (role_kind, role_name) = if own_rules {
        let role_name = match &sa.role_name {
            Some(n) => {
                p.check(
                    &at("role_name"),
                    "role name",
                    n,
                    super::secrets::object_name(n),
                );
                n.clone()
            }
            None => name.to_owned(),
        };
        let role_address = adopt::address(p, &at("role_address"), &sa.role_address, || {
            address.to_owned()
        });
        let role_type = super::workload::resource_type(
            p,
            &at("role_resource_type"),
            &sa.role_resource_type,
            if cluster {
                &cv::rbac::CLUSTER_ROLE_TYPES
            } else {
                &cv::rbac::ROLE_TYPES
            },
        );
        let mut rules = Vec::new();
        for (ri, r) in sa.rules.iter().enumerate() {
            let rat = |f: &str| format!("{prefix}.rules[{ri}].{f}");
            if r.verbs.is_empty() {
                p.missing(
                    &rat("verbs"),
                    "what the rule allows, e.g. `verbs: [get, list, watch]`",
                );
            }
            let by_url = !r.non_resource_urls.is_empty();
            if r.resources.is_empty() && !by_url {
                p.missing(
                    &rat("resources"),
                    "the resources the rule covers, e.g. `resources: [pods]` (or the URLs of a ClusterRole's rule, `non_resource_urls: [/version]`)",
                );
            }
            if by_url && !cluster {
                p.add(
                    rat("non_resource_urls"),
                    "a rule of URLs that are no resource belongs to a ClusterRole; a Role's rules name resources",
                    Some(format!("add `scope: cluster` under `{prefix}`")),
                );
            }
            for (ui, url) in r.non_resource_urls.iter().enumerate() {
                if !url.starts_with('/') {
                    p.invalid(
                        &rat(&format!("non_resource_urls[{ui}]")),
                        "URL path",
                        url,
                        "a path from the API server's root, such as `/version` or `/healthz/*`",
                    );
                }
            }
            let list =
                |l: &Vec<String>| Value::List(l.iter().map(|s| Value::Str(s.clone())).collect());
            // A rule of URLs writes its API groups only when it names some.
            let mut attributes = Vec::new();
            if !by_url || !r.api_groups.is_empty() {
                attributes.push(entry("api_groups", list(&r.api_groups)));
            }
            if !r.resources.is_empty() || !by_url {
                attributes.push(entry("resources", list(&r.resources)));
            }
            if !r.resource_names.is_empty() {
                attributes.push(entry("resource_names", list(&r.resource_names)));
            }
            if by_url {
                attributes.push(entry("non_resource_urls", list(&r.non_resource_urls)));
            }
            attributes.push(entry("verbs", list(&r.verbs)));
            rules.push(Rule { attributes });
        }
        out.push(Object::new(
            Address::resource(&role_type, &role_address),
            Body::Role(Role {
                name: role_name,
                namespace: namespace.clone(),
                rules,
            }),
        ));
        (
            if cluster { "ClusterRole" } else { "Role" },
            Value::Expr(Expr(format!("{role_type}.{role_address}.metadata[0].name"))),
        )
    } else if let Some(role) = &sa.role {
        p.check(
            &at("role"),
            "ClusterRole name",
            role,
            validate::qualified_name(role),
        );
        ("ClusterRole", Value::Str(role.clone()))
    } else if !own {
        p.missing(
            &at("role"),
            "what the binding binds the account to: `role` (an existing ClusterRole) or `rules` (a role of its own)",
        );
        return out;
    } else {
        for (f, set) in [
            ("binding_name", sa.binding_name.is_some()),
            ("binding_address", sa.binding_address.is_some()),
            ("binding_resource_type", sa.binding_resource_type.is_some()),
            ("scope", sa.scope.is_some()),
        ] {
            if set {
                p.add(
                    at(f),
                    format!("`{f}` describes the account's binding, and it has none"),
                    Some("add `role` (an existing ClusterRole) or `rules`".to_owned()),
                );
            }
        }
        return out;
    };
    let binding_name = match &sa.binding_name {
        Some(n) => {
            p.check(
                &at("binding_name"),
                "binding name",
                n,
                super::secrets::object_name(n),
            );
            n.clone()
        }
        None => match &sa.role {
            Some(role) if !own_rules => format!("{name}-{role}"),
            _ => name.to_owned(),
        },
    };
    let binding_address = adopt::address(p, &at("binding_address"), &sa.binding_address, || {
        hcl::snake(&binding_name)
    });
    let binding_type = super::workload::resource_type(
        p,
        &at("binding_resource_type"),
        &sa.binding_resource_type,
        if cluster {
            &cv::rbac::CLUSTER_BINDING_TYPES
        } else {
            &cv::rbac::BINDING_TYPES
        },
    );
    out.push(Object::new(
        Address::resource(&binding_type, &binding_address),
        Body::RoleBinding(RoleBinding {
            name: binding_name,
            namespace,
            api_group: cv::rbac::API_GROUP.to_owned(),
            role_kind: role_kind.to_owned(),
            role_name,
            subjects: vec![Subject {
                kind: "ServiceAccount".to_owned(),
                name: account.reference.clone().into(),
                namespace: ctx.ns_ref.clone().into(),
            }],
        }),
    ));
    out
}
