//! The Service and the `ingress_factory` module.

use super::problems::Problems;
use super::refs::Refs;
use super::types::*;
use super::{Ctx, DOMAIN, MODULES, adopt};
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

pub(crate) fn service(
    p: &mut Problems,
    ctx: &Ctx,
    spec: &Spec,
    deployment: &Deployment,
) -> Option<Service> {
    let app_port = deployment
        .containers
        .first()
        .and_then(|c| c.port.as_ref())
        .map(|port| port.number);
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
    Some(Service {
        address: ctx.snake.clone(),
        name: ctx.name.clone(),
        namespace: ctx.ns_ref.clone(),
        app: ctx.name.clone(),
        port: port.to_string(),
        port_name: svc.port_name.clone(),
        protocol: svc.protocol.clone(),
        target_port: target_port.map(|n| n.to_string()),
        raw: adopt::snippet(p, "raw.service", &raw.service),
    })
}

pub(crate) fn ingress(
    p: &mut Problems,
    ctx: &Ctx,
    spec: &Spec,
    has_service: bool,
    refs: &mut Refs,
) -> Option<Ingress> {
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
        extra_annotations.push(entry("gethomepage.dev/enabled", "true"));
        for (field, key, value) in [
            ("name", "gethomepage.dev/name", &hp.name),
            (
                "description",
                "gethomepage.dev/description",
                &hp.description,
            ),
            ("icon", "gethomepage.dev/icon", &hp.icon),
            ("group", "gethomepage.dev/group", &hp.group),
        ] {
            match value {
                Some(v) => extra_annotations.push(entry(key, v.as_str())),
                None => p.missing(
                    &format!("ingress.homepage.{field}"),
                    "the homepage tile's name, description, icon and group",
                ),
            }
        }
        extra_annotations.push(entry("gethomepage.dev/pod-selector", ""));
        for (key, value) in &hp.widget.0 {
            let at = crate::de::path_key("ingress.homepage.widget", key);
            let annotation = format!("gethomepage.dev/widget.{key}");
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
    Some(Ingress {
        url: format!("https://{host}.{DOMAIN}"),
        source: format!("{MODULES}/ingress_factory"),
        auth: auth_name(auth),
        auth_comment,
        auth_trailing,
        dns_type: dns_type_name(ing.dns_type.unwrap_or(DnsType::Proxied)),
        namespace: ctx.ns_ref.clone(),
        service_name: (host != ctx.name).then(|| ctx.name.clone()),
        name: host,
        sablier_group: ctx.scale_to_zero.then(|| ctx.name.clone()),
        extra_annotations,
        raw: adopt::snippet(p, "raw.ingress", &raw.ingress),
    })
}
