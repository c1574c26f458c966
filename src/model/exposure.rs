//! The Services and the `ingress_factory` calls (with Anubis in front where asked).

use super::problems::Problems;
use super::refs::Refs;
use super::types::*;
use super::{Ctx, adopt};
use crate::conventions as cv;
use crate::hcl;
use crate::spec::{
    Auth, DnsType, IngressSpec, LoadBalancerSpec, Scalar, ServicePortSpec, ServiceSpec,
    ServiceType, Spec, TrafficPolicy,
};
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

/// What an ingress needs to know of a Service of the stack.
#[derive(Debug, Clone)]
pub(crate) struct ServiceInfo {
    pub name: String,
    /// Its resource type (`kubernetes_service` or `_v1`) and name.
    pub ty: String,
    pub address: String,
    /// The number of its first port, when it is one.
    pub port: Option<i64>,
}

impl ServiceInfo {
    fn reference(&self) -> Expr {
        Expr(format!("{}.{}.metadata[0].name", self.ty, self.address))
    }
}

/// What the Services see of the workload: its selector and the app container's first port.
pub(crate) struct App<'a> {
    pub selector: &'a Obj,
    pub port: Option<u16>,
}

/// The workload a Service selects by default: the Deployment's selector and its app
/// container's first port.
pub(crate) fn app_of(deployment: &Object) -> Option<App<'_>> {
    let Body::Deployment(d) = &deployment.body else {
        return None;
    };
    let port = d
        .pod
        .app()
        .and_then(|c| c.ports.first())
        .map(|port| port.container_port);
    Some(App {
        selector: &d.selector,
        port,
    })
}

/// The stack's Services: the app's (`service:`), then `services:`. Returns the objects and
/// what ingresses need of them, the app's first.
pub(crate) fn services(
    p: &mut Problems,
    ctx: &Ctx,
    spec: &Spec,
    app: Option<&App<'_>>,
    refs: &mut Refs,
) -> (Vec<Object>, Vec<ServiceInfo>) {
    let raw = spec.raw.clone().unwrap_or_default();
    let mut objects = Vec::new();
    let mut infos = Vec::new();
    let main = spec.service.clone().unwrap_or_default();
    let app_port = app.and_then(|a| a.port);
    let wanted = main.enabled != Some(false);
    if main.enabled == Some(false) {
        let set = main.name.is_some()
            || main.address.is_some()
            || main.resource_type.is_some()
            || main.kind.is_some()
            || main.load_balancer.is_some()
            || main.ports.is_some()
            || main.port.is_some()
            || main.raw.is_some()
            || raw.service.is_some();
        if set {
            p.add(
                "service.enabled",
                "the app's Service is switched off, but other Service fields are set",
                Some("remove them, or `enabled: false`".to_owned()),
            );
        }
    }
    // A container that declares no port has a Service when the spec gives its port
    // (short form: `port`, with `target_port` or Kubernetes' default, the port itself).
    let port_given = main.ports.is_some() || main.port.is_some() || main.target_port.is_some();
    if wanted && (app_port.is_some() || port_given) {
        if main.raw.is_some() && raw.service.is_some() {
            p.add(
                "raw.service",
                "raw HCL is given for the app's Service twice: as `raw.service` and as `service.raw`",
                Some("keep `service.raw`".to_owned()),
            );
        }
        let raw_field = if main.raw.is_some() {
            ("service.raw", &main.raw)
        } else {
            ("raw.service", &raw.service)
        };
        let (object, info) = service(p, ctx, refs, "service", &main, app, raw_field, true);
        objects.push(object);
        infos.push(info);
    } else if wanted {
        if spec.service.is_some() {
            p.add(
                "service",
                "a service needs the app container's `port`",
                Some(
                    "add `port:` to containers[0], or give the Service's `port:` or `ports:`"
                        .to_owned(),
                ),
            );
        }
        if raw.service.is_some() {
            p.add(
                "raw.service",
                "there is no service to attach raw HCL to",
                None,
            );
        }
    }
    for (i, svc) in spec.services.iter().enumerate() {
        let at = format!("services[{i}]");
        if svc.enabled.is_some() {
            p.add(
                format!("{at}.enabled"),
                "`enabled` switches off the app's Service (`service:`); a Service of `services:` is there because it is listed",
                Some("remove it".to_owned()),
            );
        }
        if svc.name.is_none() {
            p.missing(
                &format!("{at}.name"),
                "the Service's name (the app's Service is `service:`)",
            );
        }
        let raw_field = (format!("{at}.raw"), &svc.raw);
        let (object, info) = service(
            p,
            ctx,
            refs,
            &at,
            svc,
            app,
            (&raw_field.0, raw_field.1),
            false,
        );
        if infos.iter().any(|s: &ServiceInfo| s.name == info.name) {
            p.add(
                format!("{at}.name"),
                format!("two Services are named `{}`", info.name),
                None,
            );
        }
        if infos
            .iter()
            .any(|s: &ServiceInfo| s.ty == info.ty && s.address == info.address)
        {
            p.add(
                format!("{at}.address"),
                format!(
                    "two Services have the address `{}.{}`",
                    info.ty, info.address
                ),
                Some("pin another `address:`".to_owned()),
            );
        }
        objects.push(object);
        infos.push(info);
    }
    (objects, infos)
}

/// The value of a port written as the spec wrote it: a number or a string.
pub(super) fn port_value(p: &mut Problems, at: &str, value: &Scalar, names_allowed: bool) -> Value {
    match value {
        Scalar::Int(n) if (1..=65535).contains(n) => Value::Int(*n),
        // `u16` parsing takes a leading `+`, which no port is written with.
        Scalar::Str(s) if !s.starts_with('+') && s.parse::<u16>().is_ok_and(|n| n > 0) => {
            Value::Str(s.clone())
        }
        Scalar::Str(s) if names_allowed && validate::port_name(s).is_ok() => Value::Str(s.clone()),
        other => {
            p.invalid(
                at,
                "port",
                &super::refs::scalar_text(other),
                if names_allowed {
                    "is not a port: a number from 1 to 65535 (`8080` or `\"8080\"`) or a container port's name (`http`)"
                } else {
                    "is not a port: a number from 1 to 65535, written as a number (`80`) or a string (`\"80\"`)"
                },
            );
            Value::Int(0)
        }
    }
}

fn protocol(p: &mut Problems, at: &str, protocol: &Option<String>) {
    if let Some(protocol) = protocol
        && !matches!(protocol.as_str(), "TCP" | "UDP" | "SCTP")
    {
        p.add(
            at,
            format!("unknown protocol `{protocol}`"),
            Some("use `TCP`, `UDP` or `SCTP`".to_owned()),
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn service(
    p: &mut Problems,
    ctx: &Ctx,
    refs: &mut Refs,
    at: &str,
    svc: &ServiceSpec,
    app: Option<&App<'_>>,
    raw: (&str, &Option<String>),
    is_app: bool,
) -> (Object, ServiceInfo) {
    let field = |f: &str| format!("{at}.{f}");
    let name = match &svc.name {
        Some(n) => {
            p.check(&field("name"), "Service name", n, validate::dns_label(n));
            n.clone()
        }
        None => ctx.name.clone(),
    };
    if svc.address.is_none() && svc.name.is_some() {
        p.check(
            &field("name"),
            "Service name",
            &name,
            super::starts_with_letter(&name),
        );
    }
    let address = adopt::address(p, &field("address"), &svc.address, || {
        if is_app && svc.name.is_none() {
            ctx.snake.clone()
        } else {
            hcl::snake(&name)
        }
    });
    let app_port = app.and_then(|a| a.port);

    // --- ports
    let short = svc.port.is_some()
        || svc.port_name.is_some()
        || svc.protocol.is_some()
        || svc.target_port.is_some();
    let mut first_port = None;
    let ports = match &svc.ports {
        Some(list) => {
            if short {
                p.add(
                    field("ports"),
                    "`ports` lists every port; `port`, `port_name`, `protocol` and `target_port` are the one-port short form",
                    Some("use one form".to_owned()),
                );
            }
            // Ports in `spec_raw` (a `dynamic "port"` range) may be all it has.
            if list.is_empty()
                && !adopt::raw_has_block(&svc.spec_raw, "dynamic")
                && !adopt::raw_has_block(&svc.spec_raw, "port")
            {
                p.add(field("ports"), "a Service needs at least one port", None);
            }
            let mut seen: Vec<String> = Vec::new();
            list.iter()
                .enumerate()
                .map(|(pi, sp)| {
                    let pat = format!("{at}.ports[{pi}]");
                    let port = service_port(p, &pat, sp);
                    if let Some(n) = &sp.name {
                        if seen.contains(n) {
                            p.add(
                                format!("{pat}.name"),
                                format!("two ports are named `{n}`"),
                                None,
                            );
                        }
                        seen.push(n.clone());
                    }
                    if pi == 0 {
                        first_port = match &port.port {
                            Value::Int(n) => Some(*n),
                            Value::Str(s) => s.parse().ok(),
                            _ => None,
                        };
                    }
                    port
                })
                .collect()
        }
        None => {
            let port = svc.port.unwrap_or(80);
            if port == 0 {
                p.add(
                    field("port"),
                    "port 0 is not a valid service port",
                    Some("use a port from 1 to 65535".to_owned()),
                );
            }
            if let Some(name) = &svc.port_name {
                p.check(
                    &field("port_name"),
                    "port name",
                    name,
                    validate::port_name(name),
                );
            }
            protocol(p, &field("protocol"), &svc.protocol);
            let target_port = match svc.target_port {
                None => app_port,
                Some(None) => None,
                Some(Some(0)) => {
                    p.add(
                        field("target_port"),
                        "port 0 is not a valid target port",
                        None,
                    );
                    None
                }
                Some(Some(n)) => Some(n),
            };
            first_port = Some(i64::from(port));
            vec![ServicePort {
                name: svc.port_name.clone(),
                port: Value::Str(port.to_string()),
                target_port: target_port.map(|n| Value::Str(n.to_string())),
                protocol: svc.protocol.clone(),
                node_port: None,
            }]
        }
    };

    // --- type and MetalLB
    let kind = match (svc.kind, &svc.load_balancer) {
        (Some(ServiceType::LoadBalancer) | None, Some(_)) => Some(ServiceType::LoadBalancer),
        (Some(other), Some(_)) => {
            p.add(
                field("load_balancer"),
                "`load_balancer` configures a LoadBalancer Service",
                Some("set `type: LoadBalancer`, or remove `load_balancer`".to_owned()),
            );
            Some(other)
        }
        (kind, None) => kind,
    };
    if kind != Some(ServiceType::NodePort)
        && let Some(pi) = svc
            .ports
            .iter()
            .flatten()
            .position(|port| port.node_port.is_some())
    {
        p.add(
            format!("{at}.ports[{pi}].node_port"),
            "`node_port` applies to a `type: NodePort` Service",
            None,
        );
    }
    if let Some(ip) = &svc.cluster_ip {
        p.check(&field("cluster_ip"), "cluster IP", ip, cluster_ip(ip));
    }
    let mut annotations = Vec::new();
    let mut traffic_policy = None;
    let mut lifecycle = None;
    if kind == Some(ServiceType::LoadBalancer) {
        let lb = svc.load_balancer.clone().unwrap_or_default();
        let (lb_annotations, policy) = load_balancer(p, &field("load_balancer"), &lb);
        annotations.extend(lb_annotations);
        traffic_policy = policy;
        lifecycle = Some(Lifecycle {
            comment: Some(cv::metallb::LIFECYCLE_COMMENT.to_owned()),
            ignore_changes: vec![ignore(
                &cv::ignore::metadata_annotation(cv::metallb::ALLOCATED_FROM_POOL),
                None,
            )],
            multiline: false,
        });
    }
    for e in super::workload::annotations(p, refs, &field("annotations"), &svc.annotations) {
        if annotations.iter().any(|a: &Entry| a.key == e.key) {
            p.add(
                crate::de::path_key(&field("annotations"), &e.key),
                format!("`{}` is written by `load_balancer`", e.key),
                Some("set it there".to_owned()),
            );
        }
        annotations.push(e);
    }

    // --- labels and selector: the workload's unless given
    let default_selector = || match app {
        Some(a) => a.selector.clone(),
        None => Obj::lines(vec![entry("app", ctx.name.as_str())]),
    };
    let labels = match &svc.labels {
        Some(map) => Obj::lines(super::workload::labels(p, &field("labels"), map)),
        None => Obj::lines(
            default_selector()
                .entries
                .into_iter()
                .map(|e| quoted_entry(&e.key, e.value))
                .collect(),
        ),
    };
    let selector = match &svc.selector {
        Some(map) => {
            if map.0.is_empty() {
                p.add(
                    field("selector"),
                    "an empty selector selects no pods",
                    Some("leave `selector` out to select the app's pods".to_owned()),
                );
            }
            Obj::lines(super::workload::labels(p, &field("selector"), map))
        }
        None => default_selector(),
    };

    let ty = super::workload::resource_type(
        p,
        &field("resource_type"),
        &svc.resource_type,
        &cv::service::TYPES,
    );
    let mut object = Object::new(
        Address::resource(&ty, &address),
        Body::Service(Service {
            metadata: Metadata {
                name: name.clone(),
                namespace: ctx.ns_ref.clone().into(),
                labels: labels.non_empty(),
                annotations: Obj::lines(annotations).non_empty(),
            },
            kind: kind.map(|k| {
                match k {
                    ServiceType::ClusterIP => "ClusterIP",
                    ServiceType::NodePort => "NodePort",
                    ServiceType::LoadBalancer => "LoadBalancer",
                }
                .to_owned()
            }),
            external_traffic_policy: traffic_policy,
            cluster_ip: svc.cluster_ip.clone(),
            selector,
            ports,
            spec_raw: adopt::raw(p, &field("spec_raw"), &svc.spec_raw),
            lifecycle,
        }),
    );
    object.comment = svc.comment.clone();
    object.raw = adopt::raw(p, raw.0, raw.1);
    (
        object,
        ServiceInfo {
            name,
            ty,
            address,
            port: first_port,
        },
    )
}

/// `None` (headless) or an IP address.
fn cluster_ip(s: &str) -> Result<(), String> {
    if s == "None" || s.parse::<std::net::IpAddr>().is_ok() {
        Ok(())
    } else {
        Err("is not `None` (a headless Service) or an IP address".to_owned())
    }
}

fn service_port(p: &mut Problems, at: &str, sp: &ServicePortSpec) -> ServicePort {
    if let Some(name) = &sp.name {
        p.check(
            &format!("{at}.name"),
            "port name",
            name,
            validate::port_name(name),
        );
    }
    protocol(p, &format!("{at}.protocol"), &sp.protocol);
    let port = match &sp.port {
        Some(v) => port_value(p, &format!("{at}.port"), v, false),
        None => {
            p.missing(&format!("{at}.port"), "the Service port, e.g. `port: 80`");
            Value::Int(0)
        }
    };
    ServicePort {
        name: sp.name.clone(),
        port,
        target_port: sp
            .target_port
            .as_ref()
            .map(|v| port_value(p, &format!("{at}.target_port"), v, true)),
        protocol: sp.protocol.clone(),
        node_port: sp
            .node_port
            .as_ref()
            .map(|v| port_value(p, &format!("{at}.node_port"), v, false)),
    }
}

/// MetalLB's annotations and the traffic policy of a LoadBalancer Service.
fn load_balancer(
    p: &mut Problems,
    at: &str,
    lb: &LoadBalancerSpec,
) -> (Vec<Entry>, Option<String>) {
    let ip = match &lb.ip {
        Some(ip) => {
            let ok = ip.split(',').all(|a| {
                let a = a.trim();
                a.parse::<std::net::IpAddr>().is_ok()
            });
            if !ok {
                p.invalid(
                    &format!("{at}.ip"),
                    "address",
                    ip,
                    "is not an IP address (e.g. `10.0.20.202`)",
                );
            }
            ip.clone()
        }
        None => cv::metallb::SHARED_IP.to_owned(),
    };
    let on_shared_ip = ip == cv::metallb::SHARED_IP;
    let shared = match &lb.shared {
        Some(key) => key.clone(),
        None => on_shared_ip.then(|| cv::metallb::SHARED_KEY.to_owned()),
    };
    let policy = match lb.external_traffic_policy {
        Some(policy) => policy,
        None => Some(if shared.is_some() {
            TrafficPolicy::Cluster
        } else {
            TrafficPolicy::Local
        }),
    };
    if shared.is_some() && policy == Some(TrafficPolicy::Local) {
        p.add(
            format!("{at}.external_traffic_policy"),
            "a shared address needs `Cluster`: MetalLB refuses mixed traffic policies on one IP",
            Some("use `Cluster`, or a dedicated `ip` with `shared: null`".to_owned()),
        );
    }
    let prefix = if lb.legacy_annotations == Some(true) {
        cv::metallb::LEGACY_PREFIX
    } else {
        cv::metallb::PREFIX
    };
    let mut annotations = vec![entry(&format!("{prefix}{}", cv::metallb::IPS), ip)];
    if let Some(key) = shared {
        p.check(
            &format!("{at}.shared"),
            "sharing key",
            &key,
            validate::label_value(&key),
        );
        annotations.push(entry(
            &format!("{prefix}{}", cv::metallb::ALLOW_SHARED_IP),
            key,
        ));
    }
    let policy = policy.map(|p| {
        match p {
            TrafficPolicy::Cluster => "Cluster",
            TrafficPolicy::Local => "Local",
        }
        .to_owned()
    });
    (annotations, policy)
}

/// One ingress of the spec: where it is, and which sugar shapes it.
enum Role {
    Main,
    Extra(usize),
}

/// What the extra ingresses take from the main one.
struct Main {
    name: String,
    host: Option<String>,
    full_host: Option<String>,
}

/// The stack's `ingress_factory` calls (and the Anubis modules in front of them), in file
/// order: the main one, then `ingresses:`. `no_tls` is the reason the stack has no TLS
/// module, written above the first ingress.
pub(crate) fn ingresses(
    p: &mut Problems,
    ctx: &Ctx,
    spec: &Spec,
    services: &[ServiceInfo],
    refs: &mut Refs,
    no_tls: Option<String>,
) -> Vec<Object> {
    let raw = spec.raw.clone().unwrap_or_default();
    let mut out = Vec::new();
    let mut main = None;
    let mut sablier_used = false;
    match &spec.ingress {
        None => {
            if raw.ingress.is_some() {
                p.add(
                    "raw.ingress",
                    "there is no ingress to attach raw HCL to",
                    None,
                );
            }
        }
        Some(ing) => {
            let mut ing = ing.clone();
            if ing.raw.is_some() && raw.ingress.is_some() {
                p.add(
                    "raw.ingress",
                    "raw HCL is given for the main ingress twice: as `raw.ingress` and as `ingress.raw`",
                    Some("keep `ingress.raw`".to_owned()),
                );
            }
            let raw_field = if ing.raw.is_some() {
                "ingress.raw"
            } else {
                ing.raw = raw.ingress.clone();
                "raw.ingress"
            };
            let (objects, m, sablier) =
                ingress(p, ctx, &ing, Role::Main, None, services, refs, raw_field);
            sablier_used |= sablier;
            out.extend(objects);
            main = Some(m);
        }
    }
    for (i, ing) in spec.ingresses.iter().enumerate() {
        let raw_field = format!("ingresses[{i}].raw");
        let (objects, _, sablier) = ingress(
            p,
            ctx,
            ing,
            Role::Extra(i),
            main.as_ref(),
            services,
            refs,
            &raw_field,
        );
        sablier_used |= sablier;
        for o in &objects {
            if out.iter().any(|x: &Object| x.address == o.address) {
                p.add(
                    format!("ingresses[{i}].address"),
                    format!(
                        "`{}` is the address of another module call",
                        o.address.reference()
                    ),
                    Some("give this ingress another `purpose` or `address`".to_owned()),
                );
            }
        }
        out.extend(objects);
    }
    if ctx.scale_to_zero && spec.ingress.is_none() {
        p.add(
            "scale_to_zero",
            "scale-to-zero needs an ingress",
            Some("sablier wakes the app through its ingress; add an `ingress:` section".to_owned()),
        );
    }
    if sablier_used && !ctx.scale_to_zero {
        p.add(
            "scale_to_zero",
            "an ingress wakes the app through sablier, but the Deployment is not enrolled",
            Some("set `scale_to_zero: true` (it labels the Deployment with the sablier group and hands its replicas to sablier), or say with the ingress's `sablier.why` which Deployment it wakes".to_owned()),
        );
    }
    if let (Some(why), Some(first)) = (no_tls, out.iter_mut().find(|o| is_ingress(o))) {
        let line = format!("{}: {why}", cv::ingress::NO_TLS_COMMENT);
        first.comment = Some(match first.comment.take() {
            Some(c) => format!("{line}\n{}", c.trim_end()),
            None => line,
        });
    }
    out
}

fn is_ingress(o: &Object) -> bool {
    matches!(&o.body, Body::ModuleCall(m) if m.source.ends_with(cv::repo::INGRESS_MODULE))
}

#[allow(clippy::too_many_arguments)]
fn ingress(
    p: &mut Problems,
    ctx: &Ctx,
    ing: &IngressSpec,
    role: Role,
    main: Option<&Main>,
    services: &[ServiceInfo],
    refs: &mut Refs,
    raw_field: &str,
) -> (Vec<Object>, Main, bool) {
    let at = match role {
        Role::Main => "ingress".to_owned(),
        Role::Extra(i) => format!("ingresses[{i}]"),
    };
    let field = |f: &str| format!("{at}.{f}");
    let is_main = matches!(role, Role::Main);
    let carve_out = ing.carve_out == Some(true);
    let lan = ing.lan == Some(true);
    if is_main {
        for (f, set) in [
            ("purpose", ing.purpose.is_some()),
            ("carve_out", ing.carve_out.is_some()),
            ("lan", ing.lan.is_some()),
        ] {
            if set {
                p.add(
                    field(f),
                    format!("`{f}` describes a secondary ingress, relative to the main one"),
                    Some("list it under `ingresses:`".to_owned()),
                );
            }
        }
    } else if (carve_out || lan) && main.is_none() {
        p.add(
            field(if carve_out { "carve_out" } else { "lan" }),
            "a carve-out or a `.lan` twin is relative to the main ingress, and there is none",
            Some("add the main `ingress:`".to_owned()),
        );
    }
    if carve_out && lan {
        p.add(
            field("lan"),
            "an ingress is a carve-out or a `.lan` twin, not both",
            None,
        );
    }
    if carve_out && ing.anubis.is_some() {
        p.add(
            field("anubis"),
            "a carve-out routes to the app's Service directly, past Anubis",
            Some("remove `anubis`, or `carve_out`".to_owned()),
        );
    }

    // --- name, purpose, address
    let purpose = match (&ing.purpose, lan) {
        (Some(purpose), _) => {
            p.check(
                &field("purpose"),
                "purpose",
                purpose,
                validate::dns_label(purpose),
            );
            Some(purpose.clone())
        }
        (None, true) => Some(cv::ingress::LAN_SUFFIX.to_owned()),
        (None, false) => None,
    };
    let main_name = main.map(|m| m.name.as_str()).unwrap_or(ctx.name.as_str());
    let name = match (&ing.name, &purpose) {
        (Some(n), _) => {
            p.check(&field("name"), "ingress name", n, validate::dns_label(n));
            n.clone()
        }
        (None, _) if is_main => ctx.name.clone(),
        (None, Some(purpose)) => format!("{main_name}-{purpose}"),
        (None, None) => {
            p.missing(
                &field("purpose"),
                "what this ingress is for (`purpose: api` makes module `ingress_api` named `<main name>-api`), or its `name`",
            );
            format!("{main_name}-ingress")
        }
    };
    let address = adopt::address(p, &field("address"), &ing.address, || {
        if is_main {
            cv::ingress::ADDRESS.to_owned()
        } else {
            let suffix = purpose.as_deref().unwrap_or(&name);
            format!("{}{}", cv::ingress::SECONDARY_PREFIX, hcl::snake(suffix))
        }
    });

    // --- host
    for (f, value) in [
        ("full_host", &ing.full_host),
        ("root_domain", &ing.root_domain),
    ] {
        if let Some(v) = value {
            p.check(&field(f), "host name", v, validate::host(v));
        }
    }
    if let Some(h) = &ing.host {
        p.check(&field("host"), "host label", h, validate::dns_label(h));
    }
    if ing.full_host.is_some() && (ing.host.is_some() || ing.root_domain.is_some()) {
        p.add(
            field("full_host"),
            "`full_host` is the whole host name: `host` and `root_domain` have no effect beside it",
            Some("keep `full_host`, or `host`/`root_domain`".to_owned()),
        );
    }
    let (mut host, mut full_host) = (ing.host.clone(), ing.full_host.clone());
    if carve_out
        && host.is_none()
        && full_host.is_none()
        && let Some(m) = main
    {
        // Same host as the main ingress.
        match &m.full_host {
            Some(f) => full_host = Some(f.clone()),
            None => host = Some(m.host.clone().unwrap_or_else(|| m.name.clone())),
        }
    }
    let root_domain = ing
        .root_domain
        .clone()
        .or_else(|| lan.then(|| cv::ingress::LAN_ROOT_DOMAIN.to_owned()));
    if let Some(paths) = &ing.paths {
        if paths.is_empty() {
            p.add(field("paths"), "an ingress needs at least one path", None);
        }
        for (pi, path) in paths.iter().enumerate() {
            if !path.starts_with('/') || path.chars().any(|c| c.is_whitespace() || c.is_control()) {
                p.add(
                    format!("{at}.paths[{pi}]"),
                    format!("invalid HTTP path `{path}`"),
                    Some("an HTTP path starts with `/` and has no spaces".to_owned()),
                );
            }
        }
    } else if carve_out {
        p.missing(
            &field("paths"),
            "the paths the carve-out exposes, e.g. `paths: [/api/]`",
        );
    }

    // --- auth
    let sugar_why = if ing.anubis.is_some() {
        Some(cv::anubis::AUTH_WHY)
    } else if lan {
        Some(cv::ingress::LAN_AUTH_WHY)
    } else {
        None
    };
    let auth = ing
        .auth
        .unwrap_or(if carve_out || lan || ing.anubis.is_some() {
            Auth::None
        } else {
            Auth::Required
        });
    let why = Problems::why(&ing.auth_why);
    let (auth_comment, auth_trailing) = match auth {
        Auth::App | Auth::None => {
            let tier = auth_name(auth);
            match why.or_else(|| sugar_why.map(str::to_owned)) {
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
                        field("auth_why"),
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
    if ing.allowed_groups.is_some() && auth != Auth::Required {
        p.add(
            field("allowed_groups"),
            "`allowed_groups` is what Authentik lets through with `auth: required`",
            Some("remove it, or use `auth: required`".to_owned()),
        );
    }

    // --- the Service it routes to
    let default_target = services.first();
    // Without a Service of dlgen's to route to, the module's own default: the Service
    // named like the ingress (the workload's, in raw HCL).
    let target_name = ing
        .service
        .clone()
        .or_else(|| default_target.map(|s| s.name.clone()))
        .or_else(|| ctx.foreign_workload.then(|| name.clone()));
    if let Some(s) = &ing.service {
        p.check(&field("service"), "Service name", s, validate::dns_label(s));
    }
    let target = target_name
        .as_ref()
        .and_then(|n| services.iter().find(|s| &s.name == n));
    if target_name.is_none() && ing.anubis.is_none() {
        p.add(
            at.clone(),
            "an ingress needs a service, and a service needs the app container's `port`",
            Some("add `port:` to containers[0], or name the Service with `service:`".to_owned()),
        );
    }
    let service_ref = ing.service_ref.unwrap_or(carve_out);
    if service_ref && target.is_none() {
        p.add(
            field("service_ref"),
            format!(
                "`service_ref` refers to a Service of the stack, and `{}` is not one",
                target_name.as_deref().unwrap_or_default()
            ),
            Some(format!(
                "the stack's Services: {}",
                services
                    .iter()
                    .map(|s| format!("`{}`", s.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        );
    }

    // --- Anubis
    let mut objects = Vec::new();
    let anubis = ing.anubis.as_ref().map(|a| {
        let aat = field("anubis");
        let address = adopt::address(
            p,
            &format!("{aat}.address"),
            &a.address,
            || match &purpose {
                Some(purpose) if !is_main => {
                    format!("{}_{}", cv::anubis::ADDRESS, hcl::snake(purpose))
                }
                _ => cv::anubis::ADDRESS.to_owned(),
            },
        );
        let instance = match &a.name {
            Some(n) => {
                p.check(
                    &format!("{aat}.name"),
                    "Anubis name",
                    n,
                    validate::dns_label(n),
                );
                n.clone()
            }
            None => name.clone(),
        };
        let upstream_name = a.target.clone().or_else(|| target_name.clone());
        let upstream = upstream_name
            .as_ref()
            .and_then(|n| services.iter().find(|s| &s.name == n));
        let mut url = String::from("\"http://");
        match (upstream, &upstream_name) {
            (Some(s), _) => hcl::push_interpolation(&mut url, &s.reference().0),
            (None, Some(n)) => url.push_str(&hcl::template_text(n)),
            (None, None) => p.missing(&format!("{aat}.target"), "the Service Anubis forwards to"),
        }
        url.push('.');
        match &ctx.ns_resource {
            Some(_) => hcl::push_interpolation(&mut url, &ctx.ns_ref.0),
            None => url.push_str(&hcl::template_text(&ctx.ns_name)),
        }
        url.push_str(".svc.cluster.local");
        if let Some(port) = upstream.and_then(|s| s.port).filter(|p| *p != 80) {
            url.push_str(&format!(":{port}"));
        }
        url.push('"');
        let mut args = vec![
            arg("name", instance.as_str()),
            arg("namespace", ctx.ns_ref.clone()),
            arg("target_url", Expr(url)),
        ];
        match (a.redis_db, &a.store_url) {
            (Some(_), Some(_)) => p.add(
                format!("{aat}.store_url"),
                "`redis_db` and `store_url` both set the shared store",
                Some("keep one".to_owned()),
            ),
            (Some(db), None) => args.push(arg(
                "shared_store_url",
                format!("{}{db}", cv::anubis::STORE_PREFIX),
            )),
            (None, Some(url)) => {
                if !url.starts_with("redis://") {
                    p.invalid(
                        &format!("{aat}.store_url"),
                        "store URL",
                        url,
                        "is not a Redis URL (`redis://host:port/<db>`)",
                    );
                }
                args.push(arg("shared_store_url", url.as_str()));
            }
            (None, None) => {}
        }
        if let Some(rules) = &a.policy_rules {
            args.push(arg("policy_rules_yaml", Value::Heredoc(rules.clone())));
        }
        let mut object = Object::new(
            Address::module(&address),
            Body::ModuleCall(ModuleCall {
                source: format!("{}/{}", cv::repo::MODULES, cv::anubis::MODULE),
                args,
            }),
        );
        object.comment = Some(
            a.comment
                .clone()
                .unwrap_or_else(|| cv::anubis::COMMENT.to_owned()),
        );
        object.raw = adopt::raw(p, &format!("{aat}.raw"), &a.raw);
        objects.push(object);
        address
    });

    // --- homepage annotations
    let mut extra_annotations = Vec::new();
    let homepage_enabled = ing
        .homepage_enabled
        .or((carve_out && ing.homepage.is_none()).then_some(false));
    let homepage = match (&ing.homepage, lan) {
        (Some(hp), _) => Some(hp.clone()),
        (None, true) => Some(crate::spec::HomepageSpec {
            enabled: Some(false),
            ..Default::default()
        }),
        (None, false) => None,
    };
    if let Some(hp) = &homepage {
        let hat = field("homepage");
        if homepage_enabled == Some(false) && ing.homepage.is_some() {
            p.add(
                hat.clone(),
                "`homepage_enabled: false` switches the tile off, so its annotations have no use",
                Some("remove `homepage`, or `homepage_enabled`".to_owned()),
            );
        }
        let full = hp.name.is_some();
        if hp.enabled == Some(false) {
            let set = hp.name.is_some()
                || hp.description.is_some()
                || hp.icon.is_some()
                || hp.group.is_some()
                || hp.pod_selector.is_some()
                || !hp.widget.0.is_empty();
            if set {
                p.add(
                    format!("{hat}.enabled"),
                    format!(
                        "a hidden tile carries only `\"{}\" = \"false\"`",
                        cv::homepage::ENABLED
                    ),
                    Some("remove the other homepage fields, or `enabled: false`".to_owned()),
                );
            }
            extra_annotations.push(entry(cv::homepage::ENABLED, "false"));
        } else {
            if full || hp.enabled == Some(true) {
                extra_annotations.push(entry(cv::homepage::ENABLED, "true"));
            }
            for (f, key, value) in [
                ("name", cv::homepage::NAME, &hp.name),
                ("description", cv::homepage::DESCRIPTION, &hp.description),
                ("icon", cv::homepage::ICON, &hp.icon),
                ("group", cv::homepage::GROUP, &hp.group),
            ] {
                match value {
                    Some(v) => extra_annotations.push(entry(key, v.as_str())),
                    None if full => p.missing(
                        &format!("{hat}.{f}"),
                        "the homepage tile's name, description, icon and group (a tile without `name` writes only what it is given)",
                    ),
                    None => {}
                }
            }
            if !full && hp.description.is_none() {
                p.missing(
                    &format!("{hat}.description"),
                    "the tile's description (the repo's checker refuses an ingress whose tile has none)",
                );
            }
            match (&hp.pod_selector, full) {
                (Some(s), _) => {
                    extra_annotations.push(entry(cv::homepage::POD_SELECTOR, s.as_str()))
                }
                (None, true) => extra_annotations.push(entry(cv::homepage::POD_SELECTOR, "")),
                (None, false) => {}
            }
            for (key, value) in &hp.widget.0 {
                let wat = crate::de::path_key(&format!("{hat}.widget"), key);
                let annotation = format!("{}{key}", cv::homepage::WIDGET_PREFIX);
                p.check(
                    &wat,
                    "widget key",
                    key,
                    validate::qualified_name(&annotation),
                );
                let value = refs.value(p, &wat, value);
                extra_annotations.push(entry(&annotation, value));
            }
        }
    }
    for (key, value) in &ing.extra_annotations.0 {
        let eat = crate::de::path_key(&field("extra_annotations"), key);
        p.check(&eat, "annotation key", key, validate::qualified_name(key));
        if extra_annotations.iter().any(|e: &Entry| &e.key == key) {
            p.add(
                eat.clone(),
                format!("`{key}` is written by `homepage`"),
                Some("set it there".to_owned()),
            );
        }
        let value = refs.value(p, &eat, value);
        extra_annotations.push(entry(key, value));
    }

    // --- the arguments, in the module's order of use
    let mut args = vec![Arg {
        name: "auth".to_owned(),
        value: Value::from(auth_name(auth)),
        comment: auth_comment,
        trailing: auth_trailing,
    }];
    let dns_type = match ing.dns_type {
        Some(d) => d,
        None if carve_out || lan => None,
        None => Some(DnsType::Proxied),
    };
    if let Some(dns) = dns_type {
        args.push(arg("dns_type", dns_type_name(dns)));
    }
    args.push(arg("namespace", ctx.ns_ref.clone()));
    args.push(arg("name", name.as_str()));
    if let Some(h) = &host {
        args.push(arg("host", h.as_str()));
    }
    if let Some(f) = &full_host {
        args.push(arg("full_host", f.as_str()));
    }
    if let Some(r) = &root_domain {
        args.push(arg("root_domain", r.as_str()));
    }
    match &anubis {
        Some(anubis) => {
            if ing.service.is_some() || ing.service_ref.is_some() {
                p.add(
                    field("service"),
                    "an Anubis-fronted ingress routes to Anubis; the Service it protects is `anubis.target`",
                    Some("move it to `anubis.target`".to_owned()),
                );
            }
            args.push(arg(
                "service_name",
                Expr(format!(
                    "module.{anubis}.{}",
                    cv::anubis::SERVICE_NAME_OUTPUT
                )),
            ));
        }
        None => match (service_ref, target, &target_name) {
            (true, Some(t), _) => args.push(arg("service_name", t.reference())),
            // Named in the spec: written as stated, even when it is the module's default
            // (`name`), as most stacks that route to their Service write it.
            (false, _, Some(t)) if *t != name || ing.service.is_some() => {
                args.push(arg("service_name", t.as_str()));
            }
            _ => {}
        },
    }
    let port = match (&ing.port, &anubis) {
        (Some(v), _) => Some(refs.value(p, &field("port"), v)),
        (None, Some(anubis)) => Some(Value::Expr(Expr(format!(
            "module.{anubis}.{}",
            cv::anubis::SERVICE_PORT_OUTPUT
        )))),
        (None, None) => target
            .and_then(|t| t.port)
            .filter(|n| *n != 80)
            .map(Value::Int),
    };
    if let Some(port) = port {
        args.push(arg("port", port));
    }
    if let Some(paths) = &ing.paths {
        args.push(arg(
            "ingress_path",
            Value::List(paths.iter().map(|s| Value::Str(s.clone())).collect()),
        ));
    }
    args.push(arg(
        cv::repo::TLS_SECRET_VARIABLE,
        Expr(format!("var.{}", cv::repo::TLS_SECRET_VARIABLE)),
    ));
    let strings = |l: &Vec<String>| Value::List(l.iter().map(|s| Value::Str(s.clone())).collect());
    if let Some(groups) = &ing.allowed_groups {
        args.push(arg("allowed_groups", strings(groups)));
    }
    let allow_local = ing.allow_local_access_only.or(lan.then_some(true));
    if let Some(b) = allow_local {
        args.push(arg("allow_local_access_only", Value::Bool(b)));
    }
    let ssl_redirect = ing.ssl_redirect.or(lan.then_some(false));
    if let Some(b) = ssl_redirect {
        args.push(arg("ssl_redirect", Value::Bool(b)));
    }
    let middlewares = match (&ing.extra_middlewares, &anubis) {
        (Some(list), _) => Some((
            super::traffic::middleware_chain(p, ctx, &field("extra_middlewares"), list),
            None,
        )),
        (None, Some(_)) => Some((
            vec![cv::anubis::X402_MIDDLEWARE.to_owned()],
            Some(cv::anubis::MIDDLEWARE_COMMENT.to_owned()),
        )),
        (None, None) => None,
    };
    if let Some((list, comment)) = middlewares {
        for (mi, m) in list.iter().enumerate() {
            if m.is_empty() || m.chars().any(|c| c.is_whitespace() || c == ',') {
                p.invalid(
                    &format!("{at}.extra_middlewares[{mi}]"),
                    "middleware",
                    m,
                    "is not a Traefik middleware reference (`<name>@kubernetescrd`)",
                );
            }
        }
        args.push(Arg {
            comment,
            ..arg("extra_middlewares", strings(&list))
        });
    }
    let anti_ai = ing
        .anti_ai_scraping
        .or((carve_out || ing.anubis.is_some()).then_some(false));
    if let Some(b) = anti_ai {
        args.push(arg("anti_ai_scraping", Value::Bool(b)));
    }
    if let Some(csp) = &ing.custom_csp {
        args.push(arg("custom_content_security_policy", csp.as_str()));
    }
    if let Some(b) = ing.skip_default_rate_limit {
        args.push(arg("skip_default_rate_limit", Value::Bool(b)));
    }
    if let Some(size) = &ing.max_body_size {
        let ok = size
            .strip_suffix(['k', 'm', 'g', 'K', 'M', 'G'])
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if !ok {
            p.invalid(
                &field("max_body_size"),
                "size",
                size,
                "is not a body size the module reads (a number and `k`, `m` or `g`, e.g. `500m`)",
            );
        }
        args.push(arg("max_body_size", size.as_str()));
    }
    let external_monitor = ing.external_monitor.or(carve_out.then_some(false));
    if let Some(b) = external_monitor {
        args.push(arg("external_monitor", Value::Bool(b)));
    }
    if let Some(n) = &ing.external_monitor_name {
        args.push(arg("external_monitor_name", n.as_str()));
    }
    if let Some(b) = homepage_enabled {
        let trailing = (carve_out && ing.homepage_enabled.is_none())
            .then(|| cv::ingress::SECONDARY_HOMEPAGE_COMMENT.to_owned());
        args.push(Arg {
            trailing,
            ..arg("homepage_enabled", Value::Bool(b))
        });
    }
    let sablier = match (&ing.sablier, is_main && ctx.scale_to_zero) {
        (Some(s), _) => Some((s.group.clone(), s.strategy)),
        (None, true) => Some((None, None)),
        (None, false) => None,
    };
    // A group the Deployment is not enrolled in is a choice that needs its reason.
    let sablier_why = ing.sablier.as_ref().and_then(|s| Problems::why(&s.why));
    if let Some((group, strategy)) = &sablier {
        let group = group.clone().unwrap_or_else(|| ctx.sablier_group.clone());
        let enrolled = ctx.scale_to_zero && group == ctx.sablier_group;
        if sablier_why.is_some() && enrolled {
            p.add(
                field("sablier.why"),
                format!(
                    "`sablier.why` explains an ingress that wakes a group the Deployment is not enrolled in, and the Deployment is enrolled in `{group}`"
                ),
                Some("remove `why`".to_owned()),
            );
        } else if sablier_why.is_none() && group != ctx.sablier_group {
            p.add(
                field("sablier.group"),
                format!(
                    "the Deployment is in sablier group `{}`, so this ingress would wake nothing",
                    ctx.sablier_group
                ),
                Some("leave `group` out, set it on the main ingress (the Deployment's group follows it), or say with `sablier.why` which Deployment it wakes".to_owned()),
            );
        }
        let mut entries = vec![entry("group", group)];
        if let Some(strategy) = strategy {
            entries.push(entry(
                "strategy",
                match strategy {
                    crate::spec::SablierStrategy::Dynamic => "dynamic",
                    crate::spec::SablierStrategy::Blocking => "blocking",
                },
            ));
        }
        args.push(Arg {
            comment: sablier_why.clone(),
            ..arg("sablier", Obj::lines(entries))
        });
    }
    if !extra_annotations.is_empty() {
        args.push(arg("extra_annotations", Obj::lines(extra_annotations)));
    }
    let depends_on = super::refs::depends_on(
        p,
        refs,
        &field("depends_on"),
        &ing.depends_on,
        "kubernetes_manifest.bearer_auth",
    );
    if !depends_on.is_empty() {
        let list = depends_on.into_iter().map(Value::Expr).collect();
        args.push(arg("depends_on", Value::List(list)));
    }

    let mut object = Object::new(
        Address::module(&address),
        Body::ModuleCall(ModuleCall {
            source: format!("{}/{}", cv::repo::MODULES, cv::repo::INGRESS_MODULE),
            args,
        }),
    );
    object.comment = match (&ing.comment, is_main) {
        (Some(c), _) => Some(c.clone()),
        (None, true) => Some(match (&full_host, &host, &root_domain) {
            (Some(f), _, _) => format!("https://{f}"),
            (None, h, r) => format!(
                "https://{}.{}",
                h.as_deref().unwrap_or(&name),
                r.as_deref().unwrap_or(cv::repo::DOMAIN)
            ),
        }),
        (None, false) => None,
    };
    object.raw = adopt::raw(p, raw_field, &ing.raw);
    objects.push(object);
    (
        objects,
        Main {
            name,
            host,
            full_host,
        },
        // An ingress with a reason wakes a group of another Deployment.
        sablier.is_some() && sablier_why.is_none(),
    )
}
