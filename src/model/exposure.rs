//! The Service and the `ingress_factory` module.

use super::problems::Problems;
use super::refs::Refs;
use super::types::*;
use super::{Ctx, adopt};
use crate::conventions as cv;
use crate::hcl;
use crate::spec::{Auth, DnsType, Spec};
use crate::validate;

fn auth_name(auth: Auth) -> &'static str {
    match auth {
        Auth::Required => "required",
        Auth::App => "app",
        Auth::Public => "public",
        Auth::None => "none",
    }
}

fn dns_type_name(dns: DnsType) -> &'static str {
    match dns {
        DnsType::Proxied => "proxied",
        DnsType::NonProxied => "non-proxied",
        DnsType::Internal => "internal",
        DnsType::None => "none",
    }
}

/// The Service of the app: it selects the Deployment's pods (`selector`, also its labels).
pub(crate) fn service(
    p: &mut Problems,
    ctx: &Ctx,
    spec: &Spec,
    pod: &Pod,
    selector: &Obj,
) -> Option<Object> {
    // The Service targets the app container's first port.
    let app_port = pod
        .app()
        .and_then(|c| c.ports.first())
        .map(|port| port.container_port);
    let raw = spec.raw.clone().unwrap_or_default();
    let Some(container_port) = app_port else {
        if spec.service.is_some() {
            p.add(
                "service",
                "a service needs the app container's `port`",
                Some("add `port:` to containers[0]".to_owned()),
            );
        }
        if raw.service.is_some() {
            p.add(
                "raw.service",
                "there is no service to attach raw HCL to",
                None,
            );
        }
        return None;
    };
    let svc = spec.service.clone().unwrap_or_default();
    let port = svc.port.unwrap_or(80);
    if port == 0 {
        p.add(
            "service.port",
            "port 0 is not a valid service port",
            Some("use a port from 1 to 65535".to_owned()),
        );
    }
    if let Some(name) = &svc.port_name {
        p.check(
            "service.port_name",
            "port name",
            name,
            validate::port_name(name),
        );
    }
    if let Some(protocol) = &svc.protocol
        && !matches!(protocol.as_str(), "TCP" | "UDP" | "SCTP")
    {
        p.add(
            "service.protocol",
            format!("unknown protocol `{protocol}`"),
            Some("use `TCP`, `UDP` or `SCTP`".to_owned()),
        );
    }
    let target_port = match svc.target_port {
        None => Some(container_port),
        Some(None) => None,
        Some(Some(0)) => {
            p.add(
                "service.target_port",
                "port 0 is not a valid target port",
                None,
            );
            None
        }
        Some(Some(n)) => Some(n),
    };
    let mut object = Object::new(
        Address::resource("kubernetes_service", &ctx.snake),
        Body::Service(Service {
            metadata: Metadata {
                name: ctx.name.clone(),
                namespace: ctx.ns_ref.clone().into(),
                labels: Some(Obj::lines(
                    selector
                        .entries
                        .iter()
                        .map(|e| quoted_entry(&e.key, e.value.clone()))
                        .collect(),
                )),
                annotations: None,
            },
            selector: selector.clone(),
            ports: vec![ServicePort {
                name: svc.port_name.clone(),
                port: Value::Str(port.to_string()),
                target_port: target_port.map(|n| Value::Str(n.to_string())),
                protocol: svc.protocol.clone(),
            }],
        }),
    );
    object.raw = adopt::raw(p, "raw.service", &raw.service);
    Some(object)
}

pub(crate) fn ingress(
    p: &mut Problems,
    ctx: &Ctx,
    spec: &Spec,
    has_service: bool,
    refs: &mut Refs,
) -> Option<Object> {
    let raw = spec.raw.clone().unwrap_or_default();
    let Some(ing) = &spec.ingress else {
        if ctx.scale_to_zero {
            p.add(
                "scale_to_zero",
                "scale-to-zero needs an ingress",
                Some(
                    "sablier wakes the app through its ingress; add an `ingress:` section"
                        .to_owned(),
                ),
            );
        }
        if raw.ingress.is_some() {
            p.add(
                "raw.ingress",
                "there is no ingress to attach raw HCL to",
                None,
            );
        }
        return None;
    };
    let host = match &ing.name {
        Some(h) => {
            p.check("ingress.name", "host label", h, validate::dns_label(h));
            h.clone()
        }
        None => ctx.name.clone(),
    };
    if !has_service {
        p.add(
            "ingress",
            "an ingress needs a service, and a service needs the app container's `port`",
            Some("add `port:` to containers[0]".to_owned()),
        );
    }
    let auth = ing.auth.unwrap_or(Auth::Required);
    let why = Problems::why(&ing.auth_why);
    let (auth_comment, auth_trailing) = match auth {
        Auth::App | Auth::None => {
            let tier = auth_name(auth);
            match &why {
                Some(w) => (
                    Some(hcl::wrap(&format!("auth = \"{tier}\": {w}"), 96)),
                    None,
                ),
                None => {
                    let gate = if auth == Auth::App {
                        "what gates the app (its own login, API tokens, ...)"
                    } else {
                        "why the endpoint is intentionally public"
                    };
                    p.add(
                        "ingress.auth_why",
                        format!("`auth: {tier}` needs a written reason"),
                        Some(format!(
                            "add `auth_why:` saying {gate}; the repo refuses to plan a stack whose auth = \"{tier}\" line has no reason comment"
                        )),
                    );
                    (None, None)
                }
            }
        }
        Auth::Required | Auth::Public => (None, why),
    };
    let mut extra_annotations = Vec::new();
    if let Some(hp) = &ing.homepage {
        extra_annotations.push(entry(cv::homepage::ENABLED, "true"));
        for (field, key, value) in [
            ("name", cv::homepage::NAME, &hp.name),
            ("description", cv::homepage::DESCRIPTION, &hp.description),
            ("icon", cv::homepage::ICON, &hp.icon),
            ("group", cv::homepage::GROUP, &hp.group),
        ] {
            match value {
                Some(v) => extra_annotations.push(entry(key, v.as_str())),
                None => p.missing(
                    &format!("ingress.homepage.{field}"),
                    "the homepage tile's name, description, icon and group",
                ),
            }
        }
        extra_annotations.push(entry(cv::homepage::POD_SELECTOR, ""));
        for (key, value) in &hp.widget.0 {
            let at = crate::de::path_key("ingress.homepage.widget", key);
            let annotation = format!("{}{key}", cv::homepage::WIDGET_PREFIX);
            p.check(
                &at,
                "widget key",
                key,
                validate::qualified_name(&annotation),
            );
            let value = refs.value(p, &at, value);
            extra_annotations.push(entry(&annotation, value));
        }
    }
    let mut args = vec![Arg {
        name: "auth".to_owned(),
        value: Value::from(auth_name(auth)),
        comment: auth_comment,
        trailing: auth_trailing,
    }];
    args.push(arg(
        "dns_type",
        dns_type_name(ing.dns_type.unwrap_or(DnsType::Proxied)),
    ));
    args.push(arg("namespace", ctx.ns_ref.clone()));
    args.push(arg("name", host.as_str()));
    if host != ctx.name {
        args.push(arg("service_name", ctx.name.as_str()));
    }
    args.push(arg(
        cv::repo::TLS_SECRET_VARIABLE,
        Expr(format!("var.{}", cv::repo::TLS_SECRET_VARIABLE)),
    ));
    if ctx.scale_to_zero {
        args.push(arg(
            "sablier",
            Obj::lines(vec![entry("group", ctx.name.as_str())]),
        ));
    }
    if !extra_annotations.is_empty() {
        args.push(arg("extra_annotations", Obj::lines(extra_annotations)));
    }
    let mut object = Object::new(
        Address::module("ingress"),
        Body::ModuleCall(ModuleCall {
            source: format!("{}/{}", cv::repo::MODULES, cv::repo::INGRESS_MODULE),
            args,
        }),
    );
    object.comment = Some(format!("https://{host}.{}", cv::repo::DOMAIN));
    object.raw = adopt::raw(p, "raw.ingress", &raw.ingress);
    Some(object)
}
