//! The Deployment and its containers.

use super::problems::Problems;
use super::refs::Refs;
use super::storage::Volumes;
use super::types::*;
use super::{Ctx, adopt};
use crate::conventions as cv;
use crate::spec::{
    ContainerSpec, OrderedMap, ProbeSpec, Spec, Strategy as SpecStrategy, ValueSpec,
};
use crate::validate;

/// Labels (values checked as label values) or annotations (free text), in order.
pub(crate) fn labels(
    p: &mut Problems,
    path: &str,
    map: &OrderedMap<String>,
    are_labels: bool,
) -> Vec<Entry> {
    map.0
        .iter()
        .map(|(key, value)| {
            let at = crate::de::path_key(path, key);
            p.check(&at, "key", key, validate::qualified_name(key));
            if are_labels {
                p.check(&at, "label value", value, validate::label_value(value));
            }
            entry(key, value.as_str())
        })
        .collect()
}

/// The Deployment object of the stack, running the spec's containers.
pub(crate) fn deployment(
    p: &mut Problems,
    ctx: &Ctx,
    spec: &Spec,
    volumes: &Volumes,
    refs: &mut Refs,
) -> Object {
    let d = spec.deployment.clone().unwrap_or_default();
    let raw = spec.raw.clone().unwrap_or_default();
    if spec.containers.is_empty() {
        p.missing(
            "containers",
            "the app container, e.g. `containers: [{image: ghcr.io/owner/app:latest, port: 80, resources: {cpu: 25m, memory: 256Mi}}]`",
        );
    }
    let mut containers = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for (ci, c) in spec.containers.iter().enumerate() {
        let mut container = container(p, ctx, ci, c, refs);
        if seen.contains(&container.name) {
            p.add(
                format!("containers[{ci}].name"),
                format!("duplicate container name `{}`", container.name),
                None,
            );
        }
        seen.push(container.name.clone());
        if ci == 0 {
            // The app container: it mounts the stack's volumes, Keel rolls its image, and
            // `raw.container` attaches to it.
            container.mounts = volumes.mounts.clone();
            container.keel_image = ctx.keel;
            let slot = adopt::raw(p, "raw.container", &raw.container);
            if slot.is_some() && container.raw.is_some() {
                p.add(
                    "raw.container",
                    "raw HCL is given for the first container twice: as `raw.container` and as `containers[0].raw`",
                    Some("keep `containers[0].raw`".to_owned()),
                );
            }
            container.raw = container.raw.or(slot);
        }
        containers.push(container);
    }

    let block_storage = !volumes.block.is_empty();
    let strategy = match (spec.strategy, block_storage) {
        (Some(SpecStrategy::RollingUpdate), true) => {
            p.add(
                "strategy",
                "a Deployment with a block-storage volume must use `Recreate`",
                Some("proxmox-lvm volumes are ReadWriteOnce: a rolling update would start a second pod that cannot mount it".to_owned()),
            );
            None
        }
        (Some(SpecStrategy::RollingUpdate), false) | (None, false) => None,
        (Some(SpecStrategy::Recreate), _) | (None, true) => Some(Strategy {
            kind: "Recreate".to_owned(),
            comment: spec.strategy_why.clone(),
        }),
    };
    if strategy.is_none() && spec.strategy_why.is_some() {
        p.add(
            "strategy_why",
            "`strategy_why` explains a Recreate strategy, but the Deployment has none",
            Some("add `strategy: Recreate`, or remove `strategy_why`".to_owned()),
        );
    }

    let cluster_service = d.cluster_service_label.unwrap_or(true);
    let mut labels = vec![entry("app", ctx.name.as_str())];
    if cluster_service {
        labels.push(entry(cv::labels::CLUSTER_SERVICE, "true"));
    }
    labels.push(entry("tier", ctx.tier_expr.clone()));
    if ctx.scale_to_zero {
        labels.push(entry(cv::sablier::ENABLE, "true"));
        labels.push(entry(cv::sablier::GROUP, ctx.sablier_group.as_str()));
        labels.push(entry(
            cv::sablier::READY_AFTER,
            cv::sablier::READY_AFTER_DEFAULT,
        ));
    }
    let mut pod_labels = vec![entry("app", ctx.name.as_str())];
    if cluster_service {
        pod_labels.push(entry(cv::labels::CLUSTER_SERVICE, "true"));
    }

    let mut annotations = labels_of(p, "deployment.annotations", &d.annotations);
    let mut policy_set = annotations.iter().any(|a| a.key == cv::keel::POLICY);
    if let Some(policy) = &spec.keel_policy {
        const POLICIES: [&str; 6] = cv::keel::POLICIES;
        let known = POLICIES.contains(&policy.as_str()) || policy.starts_with("glob:");
        if !known {
            p.add(
                "keel_policy",
                format!("unknown Keel policy `{policy}`"),
                Some(format!(
                    "use one of {}, or `glob:<pattern>`{}",
                    POLICIES.join(", "),
                    crate::diag::did_you_mean(policy, POLICIES)
                        .map(|m| format!("; did you mean `{m}`?"))
                        .unwrap_or_default()
                )),
            );
        }
        if policy_set {
            p.add(
                "keel_policy",
                "the Keel policy is set twice: by `keel_policy` and by a `keel.sh/policy` annotation",
                Some("keep `keel_policy`".to_owned()),
            );
        }
        if !ctx.keel {
            p.add(
                "keel_policy",
                "`keel_policy` has no effect with `keel: false`",
                Some("remove one of them".to_owned()),
            );
        }
        annotations.push(entry(cv::keel::POLICY, policy.as_str()));
        policy_set = true;
    }

    let dns_options = d
        .dns_options
        .0
        .iter()
        .map(|(k, v)| {
            let at = crate::de::path_key("deployment.dns_options", k);
            p.check(&at, "DNS option", k, validate::qualified_name(k));
            entry(k, v.as_str())
        })
        .collect::<Vec<_>>();

    let pod = Pod {
        affinity: None,
        init_containers: Vec::new(),
        app_container: containers.first().map(|c| c.name.clone()),
        containers,
        volumes: volumes.pod_volumes.clone(),
        dns_config: (!dns_options.is_empty()).then_some(DnsConfig {
            options: dns_options,
        }),
        raw: adopt::raw(p, "raw.pod", &raw.pod),
    };
    let lifecycle = deployment_lifecycle(ctx, policy_set, &pod);

    let address = adopt::address(p, "deployment.address", &d.address, || ctx.snake.clone());
    let mut object = Object::new(
        Address::resource("kubernetes_deployment", &address),
        Body::Deployment(Deployment {
            metadata: Metadata {
                name: ctx.name.clone(),
                namespace: ctx.ns_ref.clone().into(),
                labels: Some(Obj::lines(labels)),
                annotations: Obj::lines(annotations).non_empty(),
            },
            replicas: Value::Int(1),
            strategy,
            selector: Obj::lines(vec![entry("app", ctx.name.as_str())]),
            pod_labels: Obj::lines(pod_labels),
            pod_annotations: Obj::lines(labels_of(
                p,
                "deployment.pod_annotations",
                &d.pod_annotations,
            ))
            .non_empty(),
            pod,
            lifecycle: Some(lifecycle),
            depends_on: if refs.runtime_secrets {
                vec![Expr::new(format!(
                    "kubernetes_manifest.{}",
                    cv::eso::ADDRESS
                ))]
            } else {
                Vec::new()
            },
        }),
    );
    object.raw = adopt::raw(p, "raw.deployment", &raw.deployment);
    object
}

/// The Deployment's `ignore_changes`: what Kyverno, Keel, Kubernetes and sablier write,
/// with their markers. Keel's image entry is derived per container from the pod.
fn deployment_lifecycle(ctx: &Ctx, policy_set: bool, pod: &Pod) -> Lifecycle {
    let mut ignore_changes = vec![ignore(
        cv::ignore::POD_DNS_CONFIG,
        Some(cv::markers::KYVERNO),
    )];
    if ctx.keel {
        if !policy_set {
            ignore_changes.push(ignore(
                &cv::ignore::metadata_annotation(cv::keel::POLICY),
                None,
            ));
        }
        ignore_changes.extend([
            ignore(&cv::ignore::metadata_annotation(cv::keel::TRIGGER), None),
            ignore(
                &cv::ignore::metadata_annotation(cv::keel::POLL_SCHEDULE),
                Some(cv::markers::KYVERNO_POLL),
            ),
            ignore(&cv::ignore::metadata_annotation(cv::keel::MATCH_TAG), None),
        ]);
    }
    for (i, c) in pod.containers.iter().enumerate() {
        if c.keel_image {
            ignore_changes.push(ignore(
                &cv::ignore::container_image(i),
                Some(cv::markers::KEEL_IMAGE_COMMENT),
            ));
        }
    }
    ignore_changes.extend([
        ignore(
            &cv::ignore::metadata_annotation(cv::ignore::CHANGE_CAUSE),
            None,
        ),
        ignore(&cv::ignore::metadata_annotation(cv::ignore::REVISION), None),
    ]);
    if ctx.keel {
        ignore_changes.push(ignore(
            &cv::ignore::template_annotation(cv::keel::UPDATE_TIME),
            Some(cv::markers::KEEL_UPDATE_TIME),
        ));
    }
    if ctx.scale_to_zero {
        ignore_changes.push(ignore(
            cv::ignore::REPLICAS,
            Some(cv::markers::SABLIER_REPLICAS_COMMENT),
        ));
    }
    Lifecycle {
        comment: None,
        ignore_changes,
        multiline: true,
    }
}

/// Annotations: keys checked, values free text.
fn labels_of(p: &mut Problems, path: &str, map: &OrderedMap<String>) -> Vec<Entry> {
    labels(p, path, map, false)
}

fn container(
    p: &mut Problems,
    ctx: &Ctx,
    ci: usize,
    c: &ContainerSpec,
    refs: &mut Refs,
) -> Container {
    let at = |field: &str| format!("containers[{ci}].{field}");
    let name = match &c.name {
        Some(n) => {
            p.check(&at("name"), "container name", n, validate::dns_label(n));
            n.clone()
        }
        None if ci == 0 => ctx.name.clone(),
        None => {
            p.missing(&at("name"), "a name for every container after the first");
            format!("container{ci}")
        }
    };
    let image = match &c.image {
        Some(img) => {
            p.check(&at("image"), "image", img, validate::image(img));
            img.clone()
        }
        None => {
            p.missing(
                &at("image"),
                "the image reference, e.g. `image: ghcr.io/owner/app:latest`",
            );
            String::new()
        }
    };
    if c.port == Some(0) {
        p.add(
            at("port"),
            "port 0 is not a valid container port",
            Some("use a port from 1 to 65535".to_owned()),
        );
    }
    let port_name = match &c.port_name {
        None => Some("http".to_owned()),
        Some(None) => None,
        Some(Some(n)) => {
            p.check(&at("port_name"), "port name", n, validate::port_name(n));
            Some(n.clone())
        }
    };
    if c.port.is_none() && c.port_name.is_some() {
        p.add(
            at("port_name"),
            "`port_name` names the container's `port`, which is not set",
            None,
        );
    }
    let ports: Vec<Port> = c
        .port
        .map(|number| Port {
            protocol: port_name.as_ref().map(|_| "TCP".to_owned()),
            name: port_name,
            container_port: number,
        })
        .into_iter()
        .collect();

    let mut env = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (ei, e) in c.env.iter().enumerate() {
        let eat = |field: &str| format!("containers[{ci}].env[{ei}].{field}");
        let ename = match &e.name {
            Some(n) => {
                p.check(
                    &eat("name"),
                    "environment variable",
                    n,
                    validate::env_name(n),
                );
                if seen.contains(&n.as_str()) {
                    p.add(
                        eat("name"),
                        format!("duplicate environment variable `{n}`"),
                        Some("each variable may be set once per container".to_owned()),
                    );
                }
                seen.push(n);
                n.clone()
            }
            None => {
                p.missing(&eat("name"), "the variable's name");
                String::new()
            }
        };
        let whole = format!("containers[{ci}].env[{ei}]");
        let (value, secret) = match (&e.value, &e.secret) {
            (Some(_), Some(_)) => {
                p.add(&whole, format!("`{ename}` has both `value` and `secret`"), Some("keep one: `value` for a plain value or a reference, `secret` for a key of the stack's ExternalSecret".to_owned()));
                (None, None)
            }
            (None, None) => {
                p.add(&whole, format!("`{ename}` has neither `value` nor `secret`"), Some("add `value: ...`, or `secret: <key>` to read it from Vault through the stack's ExternalSecret".to_owned()));
                (None, None)
            }
            (Some(v), None) => {
                let plaintext = matches!(v, ValueSpec::Scalar(_));
                let plain_why = Problems::why(&e.plain_why);
                if plaintext && validate::looks_secret(&ename) && plain_why.is_none() {
                    p.add(eat("value"), format!("`{ename}` looks like a secret but has a plaintext value"), Some(format!("store it in Vault at secret/{} and write `secret: <key>` instead of `value:` (a stack never carries secret values); if it is not a secret, say why in `plain_why:`", ctx.name)));
                }
                if e.plain_why.is_some() && !(plaintext && validate::looks_secret(&ename)) {
                    p.add(eat("plain_why"), "`plain_why` explains a plaintext value whose name looks secret; this one does not need it", None);
                }
                (Some(refs.value(p, &eat("value"), v)), None)
            }
            (None, Some(key)) => {
                p.check(&eat("secret"), "secret key", key, validate::secret_key(key));
                refs.runtime_secrets = true;
                (
                    None,
                    Some(SecretKeyRef {
                        name: ctx.secret_name.clone(),
                        key: key.clone(),
                    }),
                )
            }
        };
        env.push(Env {
            name: ename,
            comment: e.comment.clone(),
            value,
            secret,
        });
    }

    let (cpu, memory) = match &c.resources {
        Some(r) => {
            for (field, v) in [("cpu", &r.cpu), ("memory", &r.memory)] {
                if let Some(v) = v
                    && let Err(why) = validate::quantity(v)
                {
                    p.invalid(&at(&format!("resources.{field}")), field, v, &why);
                }
            }
            (r.cpu.clone(), r.memory.clone())
        }
        None if ci == 0 => {
            p.missing(&at("resources"), "explicit resources, e.g. `resources: {cpu: 25m, memory: 256Mi}` (cpu request only; memory request = limit)");
            (None, None)
        }
        None => (None, None),
    };

    let mut probes = Vec::new();
    for (kind, probe) in [
        ("liveness_probe", &c.liveness_probe),
        ("readiness_probe", &c.readiness_probe),
        ("startup_probe", &c.startup_probe),
    ] {
        if let Some(probe) = probe {
            probes.push(resolve_probe(p, &at(kind), kind, probe, c.port));
        }
    }

    let strings = |l: &Option<Vec<String>>| {
        l.as_ref()
            .map(|l| Value::List(l.iter().map(|s| Value::Str(s.clone())).collect()))
    };
    let mut requests = Vec::new();
    if let Some(cpu) = cpu {
        requests.push(entry("cpu", cpu));
    }
    let mut limits = Vec::new();
    if let Some(memory) = memory {
        requests.push(entry("memory", memory.as_str()));
        limits.push(entry("memory", memory));
    }
    let resources = (!requests.is_empty()).then(|| Resources {
        requests: Obj::lines(requests).non_empty(),
        limits: Obj::lines(limits).non_empty(),
    });
    Container {
        name,
        image,
        command: strings(&c.command),
        args: strings(&c.args),
        env,
        mounts: Vec::new(),
        ports,
        resources,
        probes,
        keel_image: false,
        raw: adopt::raw(p, &at("raw"), &c.raw),
    }
}

fn resolve_probe(
    p: &mut Problems,
    at: &str,
    kind: &'static str,
    probe: &ProbeSpec,
    port: Option<u16>,
) -> Probe {
    let path = match &probe.path {
        Some(path) => {
            if !path.starts_with('/') || path.chars().any(|c| c.is_whitespace() || c.is_control()) {
                p.add(
                    format!("{at}.path"),
                    format!("invalid HTTP path `{path}`"),
                    Some("an HTTP path starts with `/` and has no spaces".to_owned()),
                );
            }
            path.clone()
        }
        None => {
            p.missing(
                &format!("{at}.path"),
                "the HTTP path to probe, e.g. `path: /healthz`",
            );
            String::new()
        }
    };
    let port = match (probe.port, port) {
        (Some(0), _) => {
            p.add(format!("{at}.port"), "port 0 is not a valid port", None);
            0
        }
        (Some(n), _) | (None, Some(n)) => n,
        (None, None) => {
            p.missing(
                &format!("{at}.port"),
                "the port to probe (the container has no `port`)",
            );
            0
        }
    };
    let mut timings = Vec::new();
    for (name, value) in [
        ("initial_delay_seconds", probe.initial_delay_seconds),
        ("period_seconds", probe.period_seconds),
        ("timeout_seconds", probe.timeout_seconds),
        ("failure_threshold", probe.failure_threshold),
    ] {
        if let Some(v) = value {
            if v == 0 && name != "initial_delay_seconds" {
                p.add(
                    format!("{at}.{name}"),
                    format!("`{name}` must be at least 1"),
                    None,
                );
            }
            timings.push(entry(name, Value::Int(i64::from(v))));
        }
    }
    Probe {
        kind,
        http_get: HttpGet {
            path,
            port: Value::Int(i64::from(port)),
        },
        timings,
    }
}
