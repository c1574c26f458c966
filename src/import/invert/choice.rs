//! Which of several objects of a kind is the app's: its Deployment, its Service and its
//! main ingress call. A stack says it by names, selectors and what its routes reach, never
//! by the order it writes them in or the order of their addresses:
//!
//! - the main ingress call is the one labelled `ingress`, else the one named like the
//!   stack, else the only one that routes the whole host (no `ingress_path`), else the
//!   first the stack writes;
//! - the app's Deployment is the only one, else the one named like the stack, else the one
//!   whose pods the Service the main ingress reaches selects (an `IngressRoute`'s Service
//!   when no call reaches one), else the one at the stack's own address; with none of
//!   these, none is (the Deployments stay raw HCL);
//! - the app's Service selects the app's pods (by the stack's name or the Deployment's),
//!   and among several it is the one the main ingress reaches, then the one named like the
//!   Deployment or the stack, then the one at their address, then one whose port targets
//!   the app container's port, then a plain one (not a LoadBalancer or NodePort), then the
//!   first written.

use super::Ctx;
use crate::conventions as cv;
use crate::import::value::{self as val, block, blocks, get, int, path, string};
use crate::planeq::Value;

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

/// The app's Deployment: its label and value.
pub(super) fn app_deployment<'a>(ctx: &Ctx<'a>) -> Option<(String, &'a Value)> {
    let mut all = ctx.resources("kubernetes_deployment");
    if all.len() <= 1 {
        return all.pop();
    }
    let only = |all: &mut Vec<(String, &'a Value)>, keep: &dyn Fn(&str, &Value) -> bool| {
        let found: Vec<usize> = (0..all.len())
            .filter(|&i| keep(&all[i].0, all[i].1))
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
    let services = ctx.resources("kubernetes_service");
    let (main, routes) = route_targets(ctx);
    for target in main.iter().chain(&routes) {
        let Some((_, svc)) = services.iter().find(|(_, s)| name_of(s) == Some(target)) else {
            continue;
        };
        if let Some(found) = only(&mut all, &|_, v| selects(svc, v)) {
            return Some(found);
        }
    }
    only(&mut all, &|label, _| label == ctx.snake)
}

/// The app's Service among those that select the app's pods: its label and value.
pub(super) fn app_service<'a>(ctx: &Ctx<'a>) -> Option<(String, &'a Value)> {
    let app = app_deployment(ctx);
    let app_name = app.as_ref().and_then(|(_, v)| name_of(v));
    let app_label = app.as_ref().map(|(l, _)| l.as_str());
    // The app container's first port, by number and name.
    let first_port = app
        .as_ref()
        .and_then(|(_, v)| path(v, &super::POD))
        .and_then(|pod| blocks(pod, "container").first())
        .and_then(|c| blocks(c, "port").first());
    let app_port = (
        first_port.and_then(|p| int(p, "container_port")),
        first_port.and_then(|p| string(p, "name")),
    );
    let deployments: Vec<&str> = ctx
        .resources("kubernetes_deployment")
        .into_iter()
        .filter_map(|(_, v)| name_of(v))
        .collect();
    let (main, _) = route_targets(ctx);
    let all: Vec<(String, &Value)> = ctx
        .resources("kubernetes_service")
        .into_iter()
        .filter(|(_, v)| match selector(v).as_slice() {
            // The app's pods: by the stack name, or by the name of the app's Deployment
            // (of any Deployment when none is the app's), whatever the label's key.
            [(_, name)] => {
                *name == ctx.name
                    || match app_name {
                        Some(app) => name == app,
                        None => deployments.contains(&name.as_str()),
                    }
            }
            _ => false,
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
    all.into_iter().min_by_key(|(label, v)| {
        let name = name_of(v);
        let kind = block(v, "spec").and_then(|s| string(s, "type"));
        (
            main.is_none() || name != main.as_deref(),
            name != Some(&ctx.name) && (app_name.is_none() || name != app_name),
            *label != ctx.snake && Some(label.as_str()) != app_label,
            !targets_app(v),
            matches!(kind, Some("LoadBalancer" | "NodePort")),
            written_at(ctx, &format!("kubernetes_service.{label}")),
        )
    })
}
