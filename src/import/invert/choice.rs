//! Which of several objects of a kind is the app's: its Deployment, its Service and its
//! main ingress call. A stack says it by names, selectors and what its routes reach, never
//! by the order it writes them in or the order of their addresses:
//!
//! - the main ingress call is the one labelled `ingress`, else the one named like the
//!   stack, else the only one that routes the whole host (no `ingress_path`), else the
//!   first the stack writes;
//! - the app's Deployment is the only one, else the one named like the stack, else the one
//!   whose pods the Service the main ingress reaches selects (through the Anubis instance
//!   in front of it, if any; an `IngressRoute`'s Service when no call reaches one), else
//!   the one at the stack's own address; with none of these, none is (the Deployments
//!   stay raw HCL);
//! - the app's Service selects the app's pods (by the stack's name or the Deployment's),
//!   and among several it is the one the main ingress reaches, then the one named like the
//!   Deployment or the stack, then the one at their address, then one whose port targets
//!   the app container's port, then a plain one (not a LoadBalancer or NodePort), then the
//!   first written.

use super::Ctx;
use super::versions::{self, Versioned};
use crate::conventions as cv;
use crate::import::value::{self as val, block, blocks, get, int, path, string};
use crate::planeq::{Kind, Root, Sym, Value};

/// Where the block at `address` starts: its file (in the stack's file order) and byte
/// offset.
pub(super) fn written_at(ctx: &Ctx, address: &str) -> (usize, usize) {
    use hcl_edit::Span as _;
    ctx.src
        .top(&ctx.at(address))
        .map(|t| {
            (
                ctx.src
                    .files
                    .iter()
                    .position(|f| f.name == t.file.name)
                    .unwrap_or(usize::MAX),
                t.block.span().map_or(usize::MAX, |s| s.start),
            )
        })
        .unwrap_or((usize::MAX, usize::MAX))
}

/// The label of the main `ingress_factory` call.
pub(super) fn main_ingress(ctx: &Ctx) -> Option<String> {
    let calls = ctx.modules(cv::repo::INGRESS_MODULE);
    if let [(label, _)] = calls.as_slice() {
        return Some(label.clone());
    }
    if let Some((label, _)) = calls.iter().find(|(l, _)| l == cv::ingress::ADDRESS) {
        return Some(label.clone());
    }
    if let [(label, _)] = calls
        .iter()
        .filter(|(_, v)| string(v, "name") == Some(&ctx.name))
        .collect::<Vec<_>>()
        .as_slice()
    {
        return Some(label.clone());
    }
    if let [(label, _)] = calls
        .iter()
        .filter(|(_, v)| get(v, "ingress_path").is_none())
        .collect::<Vec<_>>()
        .as_slice()
    {
        return Some(label.clone());
    }
    calls
        .into_iter()
        .min_by_key(|(label, _)| written_at(ctx, &format!("module.{label}")))
        .map(|(label, _)| label)
}

/// The names of the Services the stack's routes reach, the main ingress call's first (its
/// `service_name`, else its `name`, the module's default), then those of the
/// `IngressRoute` manifests.
fn route_targets(ctx: &Ctx) -> (Option<String>, Vec<String>) {
    let main = main_ingress(ctx).and_then(|label| {
        let (_, v) = ctx
            .modules(cv::repo::INGRESS_MODULE)
            .into_iter()
            .find(|(l, _)| *l == label)?;
        match get(v, "service_name") {
            Some(Value::String(s)) => Some(s.clone()),
            // An Anubis instance in front (`module.<anubis>.service_name`): the Service
            // it forwards to.
            Some(Value::Unknown(sym)) => {
                let Sym::Ref {
                    root: Root::Object(addr),
                    ..
                } = sym.as_ref()
                else {
                    return None;
                };
                let anubis = ctx.modules(cv::anubis::MODULE);
                let (_, call) = anubis
                    .iter()
                    .find(|(l, _)| addr.kind == Kind::Module && *l == addr.name)?;
                anubis_target(call)
            }
            Some(_) => None,
            None => string(v, "name").map(str::to_owned),
        }
    });
    let mut routes = Vec::new();
    for (_, v) in ctx.resources("kubernetes_manifest") {
        let Some(manifest) = get(v, "manifest") else {
            continue;
        };
        if string(manifest, "kind") != Some("IngressRoute") {
            continue;
        }
        let route_list = get(manifest, "spec")
            .and_then(|s| get(s, "routes"))
            .map(list)
            .unwrap_or_default();
        for route in route_list {
            for svc in get(route, "services").map(list).unwrap_or_default() {
                if let Some(name) = string(svc, "name") {
                    routes.push(name.to_owned());
                }
            }
        }
    }
    (main, routes)
}

/// The Service an Anubis instance forwards to, from its
/// `target_url = "http://<service>.<namespace>.svc.cluster.local[:port]"`.
pub(super) fn anubis_target(call: &Value) -> Option<String> {
    Some(
        string(call, "target_url")?
            .strip_prefix("http://")?
            .split('.')
            .next()?
            .to_owned(),
    )
}

fn list(v: &Value) -> &[Value] {
    match v {
        Value::List(items) | Value::Set(items) => items,
        _ => &[],
    }
}

/// The labels of a Deployment's pods.
fn pod_labels(v: &Value) -> Vec<(String, String)> {
    path(v, &["spec", "template", "metadata"])
        .and_then(|m| get(m, "labels"))
        .and_then(val::string_map)
        .unwrap_or_default()
}

/// A Service's selector.
fn selector(v: &Value) -> Vec<(String, String)> {
    block(v, "spec")
        .and_then(|s| get(s, "selector"))
        .and_then(val::string_map)
        .unwrap_or_default()
}

/// Whether the Service `svc` selects the pods of the Deployment `dep`.
fn selects(svc: &Value, dep: &Value) -> bool {
    let sel = selector(svc);
    let labels = pod_labels(dep);
    !sel.is_empty() && sel.iter().all(|e| labels.contains(e))
}

fn name_of(v: &Value) -> Option<&str> {
    path(v, &["metadata"]).and_then(|m| string(m, "name"))
}

/// The app's Deployment: its resource type, label and value.
pub(super) fn app_deployment<'a>(ctx: &Ctx<'a>) -> Option<Versioned<'a>> {
    let mut all = versions::deployments(ctx);
    if all.len() <= 1 {
        return all.pop();
    }
    let only = |all: &mut Vec<Versioned<'a>>, keep: &dyn Fn(&str, &Value) -> bool| {
        let found: Vec<usize> = (0..all.len())
            .filter(|&i| keep(&all[i].label, all[i].value))
            .collect();
        match found.as_slice() {
            [i] => Some(all.swap_remove(*i)),
            _ => None,
        }
    };
    if let Some(found) = only(&mut all, &|_, v| name_of(v) == Some(&ctx.name)) {
        return Some(found);
    }
    // What the routes reach: the main ingress's Service first, then the IngressRoutes'.
    let services = versions::resources(ctx, &cv::service::TYPES);
    let (main, routes) = route_targets(ctx);
    for target in main.iter().chain(&routes) {
        let Some(svc) = services.iter().find(|s| name_of(s.value) == Some(target)) else {
            continue;
        };
        if let Some(found) = only(&mut all, &|_, v| selects(svc.value, v)) {
            return Some(found);
        }
    }
    only(&mut all, &|label, _| label == ctx.snake)
}

/// The app's Service among those that select the app's pods: its resource type, label and
/// value.
pub(super) fn app_service<'a>(ctx: &Ctx<'a>) -> Option<Versioned<'a>> {
    let app = app_deployment(ctx);
    let app_name = app.as_ref().and_then(|d| name_of(d.value));
    let app_label = app.as_ref().map(|d| d.label.as_str());
    // The app container's first port, by number and name.
    let first_port = app
        .as_ref()
        .and_then(|d| path(d.value, &super::POD))
        .and_then(|pod| blocks(pod, "container").first())
        .and_then(|c| blocks(c, "port").first());
    let app_port = (
        first_port.and_then(|p| int(p, "container_port")),
        first_port.and_then(|p| string(p, "name")),
    );
    let deployments: Vec<&str> = versions::deployments(ctx)
        .into_iter()
        .filter_map(|d| name_of(d.value))
        .collect();
    let (main, _) = route_targets(ctx);
    let all: Vec<Versioned<'a>> = versions::resources(ctx, &cv::service::TYPES)
        .into_iter()
        .filter(|s| {
            // The app's pods: by the stack name, or by the name of the app's Deployment
            // (of any Deployment when none is the app's), whatever the label's key; with
            // more labels (`local.labels`), all of them the app's pods'.
            let names_app = |name: &String| {
                *name == ctx.name
                    || match app_name {
                        Some(app) => name == app,
                        None => deployments.contains(&name.as_str()),
                    }
            };
            match selector(s.value).as_slice() {
                [] => false,
                [(_, name)] => names_app(name),
                more => {
                    more.iter().any(|(_, n)| names_app(n))
                        && app.as_ref().is_some_and(|d| selects(s.value, d.value))
                }
            }
        })
        .collect();
    let targets_app = |v: &Value| {
        block(v, "spec")
            .map(|s| blocks(s, "port"))
            .unwrap_or_default()
            .iter()
            .any(|p| match get(p, "target_port") {
                Some(t) => {
                    let t = t.as_primitive_string();
                    t.is_some()
                        && (t == app_port.0.map(|n| n.to_string()) || t.as_deref() == app_port.1)
                }
                None => false,
            })
    };
    all.into_iter().min_by_key(|s| {
        let name = name_of(s.value);
        let kind = block(s.value, "spec").and_then(|spec| string(spec, "type"));
        (
            main.is_none() || name != main.as_deref(),
            name != Some(&ctx.name) && (app_name.is_none() || name != app_name),
            s.label != ctx.snake && Some(s.label.as_str()) != app_label,
            !targets_app(s.value),
            matches!(kind, Some("LoadBalancer" | "NodePort")),
            written_at(ctx, &s.address()),
        )
    })
}
