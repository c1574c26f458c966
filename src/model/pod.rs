//! The pod of a workload: its containers and init containers, pod settings and the
//! volume sources other than the stack's storage. Shared by the Deployment and the jobs.

use super::problems::Problems;
use super::refs::Refs;
use super::types::*;
use super::{Ctx, adopt};
use crate::conventions as cv;
use crate::spec::{
    AffinityRule, ContainerSpec, DnsPolicy, EnvSpec, FsGroupChangePolicy, HostPathType,
    NodeExpressionSpec, NodeOperator, OrderedMap, PodSettings, Protocol, PullPolicy, Scalar,
    SeccompProfile, TaintEffect, TolerationOperator, ValueSpec, VolumeSpec, WhenUnsatisfiable,
};
use crate::validate;

/// What a pod is built from, besides its pod settings.
pub(crate) struct PodInput<'a> {
    /// Where the containers are in the spec (`containers`, `jobs[0].containers`).
    pub containers_at: String,
    pub containers: &'a [ContainerSpec],
    pub init_at: String,
    pub init_containers: &'a [ContainerSpec],
    /// Where the pod settings are (`deployment`, `jobs[0]`).
    pub settings_at: String,
    pub settings: PodSettings<'a>,
    pub dns_options: &'a OrderedMap<String>,
    /// The name of the first container when it has none.
    pub default_name: String,
    /// The pod's volumes and the app container's mounts (the volumes' `mount`).
    pub volumes: Vec<Volume>,
    pub app_mounts: Vec<Mount>,
    /// The labels that select the app's pods, for affinity and spread.
    pub app_labels: Obj,
    /// Keel updates these containers' images (the Deployment's).
    pub keel: bool,
    /// The Deployment opts out of Keel by its policy: an image it does not ignore needs
    /// no reason.
    pub keel_opted_out: bool,
    /// Whether a container without `resources` is refused (the Deployment's app).
    pub app_needs_resources: bool,
}

/// A resolved pod and the suppressions its choices need on the workload.
pub(crate) struct BuiltPod {
    pub pod: Pod,
    pub allow: Vec<Allow>,
}

/// Resolves the pod of a workload.
pub(crate) fn pod(
    p: &mut Problems,
    ctx: &Ctx,
    refs: &mut Refs,
    own_image: Option<&Expr>,
    input: PodInput<'_>,
) -> BuiltPod {
    let s = input.settings;
    let sat = |field: &str| format!("{}.{field}", input.settings_at);
    let mut allow = Vec::new();

    // --- which container is the app ---------------------------------------------------
    let names: Vec<String> = input
        .containers
        .iter()
        .enumerate()
        .map(|(i, c)| match (&c.name, i) {
            (Some(n), _) => n.clone(),
            (None, 0) => input.default_name.clone(),
            (None, _) => format!("container{i}"),
        })
        .collect();
    let app = match s.app_container {
        Some(name) => {
            if !names.contains(name) {
                p.add(
                    sat("app_container"),
                    format!("`{name}` is not a container of this pod"),
                    Some(format!(
                        "name one of the containers: {}",
                        quoted_list(names.iter().map(String::as_str))
                    )),
                );
            }
            Some(name.clone())
        }
        None => names.first().cloned(),
    };
    let volume_names: Vec<&str> = input.volumes.iter().map(|v| v.name.as_str()).collect();

    // --- containers ---------------------------------------------------------------------
    let mut containers = Vec::new();
    for (i, c) in input.containers.iter().enumerate() {
        let at = format!("{}[{i}]", input.containers_at);
        let is_app = app.as_deref() == Some(names[i].as_str());
        let default_name = (i == 0).then_some(input.default_name.as_str());
        let mut container = container(
            p,
            ctx,
            refs,
            &mut allow,
            ContainerInput {
                at: &at,
                spec: c,
                default_name,
                own_image,
                needs_resources: is_app && input.app_needs_resources,
                volumes: &volume_names,
                keel: input.keel,
                keel_opted_out: input.keel_opted_out,
            },
        );
        let skip = if is_app {
            let own = std::mem::take(&mut container.mounts);
            container.mounts = input.app_mounts.clone();
            container.mounts.extend(own);
            input.app_mounts.len()
        } else {
            0
        };
        check_mount_paths(p, &at, &container, skip);
        containers.push(container);
    }
    let mut seen: Vec<&str> = Vec::new();
    for (i, c) in containers.iter().enumerate() {
        if seen.contains(&c.name.as_str()) {
            p.add(
                format!("{}[{i}].name", input.containers_at),
                format!("duplicate container name `{}`", c.name),
                None,
            );
        }
        seen.push(&c.name);
    }
    let mut init_containers = Vec::new();
    for (i, c) in input.init_containers.iter().enumerate() {
        let at = format!("{}[{i}]", input.init_at);
        if c.name.is_none() {
            p.missing(
                &format!("{at}.name"),
                "a name for every init container (`alembic-migrate`, `fix-perms`)",
            );
        }
        let container = container(
            p,
            ctx,
            refs,
            &mut allow,
            ContainerInput {
                at: &at,
                spec: c,
                default_name: None,
                own_image,
                needs_resources: false,
                volumes: &volume_names,
                keel: input.keel,
                keel_opted_out: input.keel_opted_out,
            },
        );
        if seen.contains(&container.name.as_str()) {
            p.add(
                format!("{at}.name"),
                format!("duplicate container name `{}`", container.name),
                Some("containers and init containers of a pod need distinct names".to_owned()),
            );
        }
        init_containers.push(container);
    }
    let mut seen_init: Vec<String> = Vec::new();
    for c in &init_containers {
        if seen_init.contains(&c.name) {
            p.add(
                input.init_at.clone(),
                format!("duplicate init container name `{}`", c.name),
                None,
            );
        }
        seen_init.push(c.name.clone());
    }

    // --- the GPU preset -----------------------------------------------------------------
    let mut node_selector = Vec::new();
    let mut tolerations = Vec::new();
    if let Some(gpu) = s.gpu {
        node_selector.push(entry(cv::gpu::NODE_LABEL, cv::gpu::NODE_LABEL_VALUE));
        tolerations.push(Toleration {
            comment: None,
            key: Some(cv::gpu::TAINT_KEY.to_owned()),
            operator: Some(cv::gpu::TAINT_OPERATOR.to_owned()),
            value: Some(cv::gpu::TAINT_VALUE.to_owned()),
            effect: Some(cv::gpu::TAINT_EFFECT.to_owned()),
            toleration_seconds: None,
        });
        let count = gpu.count.unwrap_or(1);
        if count == 0 {
            p.add(sat("gpu.count"), "a GPU preset of 0 GPUs", None);
        }
        let mut limits = vec![entry(cv::gpu::RESOURCE, count.to_string())];
        if let Some(mib) = gpu.memory_mib {
            limits.push(entry(cv::gpu::MEMORY_RESOURCE, mib.to_string()));
        }
        match containers
            .iter_mut()
            .find(|c| Some(&c.name) == app.as_ref())
        {
            Some(c) => add_limits(p, &sat("gpu"), c, limits),
            None => p.add(sat("gpu"), "the GPU preset needs an app container", None),
        }
    }

    // --- pod settings -------------------------------------------------------------------
    for (key, value) in &s.node_selector.0 {
        let at = crate::de::path_key(&sat("node_selector"), key);
        p.check(&at, "node label", key, validate::qualified_name(key));
        p.check(&at, "label value", value, validate::label_value(value));
        if node_selector.iter().any(|e: &Entry| &e.key == key) {
            p.add(
                at,
                format!("`{key}` is set by the GPU preset"),
                Some("remove it here".to_owned()),
            );
            continue;
        }
        node_selector.push(entry(key, value.as_str()));
    }
    for (i, t) in s.tolerations.iter().enumerate() {
        let at = format!("{}[{i}]", sat("tolerations"));
        if let Some(key) = &t.key {
            p.check(
                &format!("{at}.key"),
                "taint key",
                key,
                validate::qualified_name(key),
            );
        }
        if t.key.is_none() && t.operator != Some(TolerationOperator::Exists) {
            p.add(
                &at,
                "a toleration without a `key` must use `operator: Exists` (it tolerates every taint)",
                None,
            );
        }
        if t.value.is_some() && t.operator == Some(TolerationOperator::Exists) {
            p.add(
                format!("{at}.value"),
                "`operator: Exists` takes no `value`",
                None,
            );
        }
        tolerations.push(Toleration {
            comment: t.comment.clone(),
            key: t.key.clone(),
            operator: t.operator.map(|o| {
                match o {
                    TolerationOperator::Equal => "Equal",
                    TolerationOperator::Exists => "Exists",
                }
                .to_owned()
            }),
            value: t.value.clone(),
            effect: t.effect.map(|e| {
                match e {
                    TaintEffect::NoSchedule => "NoSchedule",
                    TaintEffect::PreferNoSchedule => "PreferNoSchedule",
                    TaintEffect::NoExecute => "NoExecute",
                }
                .to_owned()
            }),
            toleration_seconds: t.toleration_seconds,
        });
    }
    let term = |p: &mut Problems, field: &str, rule: &Option<AffinityRule>| {
        rule.map(|rule| PodAffinityTerm {
            preferred_weight: match rule {
                AffinityRule::Required => None,
                AffinityRule::Preferred(w) => {
                    check_weight(p, &sat(&format!("{field}.preferred")), w);
                    Some(w)
                }
            },
            match_labels: input.app_labels.clone(),
            topology_key: cv::scheduling::HOSTNAME_KEY.to_owned(),
        })
    };
    let pod_affinity = term(p, "pod_affinity", s.pod_affinity);
    let pod_anti_affinity = term(p, "anti_affinity", s.anti_affinity);
    let node_affinity = s.node_affinity.as_ref().map(|na| {
        if na.required.is_empty() && na.preferred.is_empty() {
            p.add(
                sat("node_affinity"),
                "node affinity needs `required` or `preferred` expressions",
                None,
            );
        }
        NodeAffinity {
            required: expressions(p, &sat("node_affinity.required"), &na.required),
            preferred: na
                .preferred
                .iter()
                .enumerate()
                .map(|(i, pref)| {
                    let at = format!("{}[{i}]", sat("node_affinity.preferred"));
                    let weight = match pref.weight {
                        Some(w) => {
                            check_weight(p, &format!("{at}.weight"), w);
                            w
                        }
                        None => {
                            p.missing(&format!("{at}.weight"), "the preference's weight (1–100)");
                            1
                        }
                    };
                    if pref.expressions.is_empty() {
                        p.missing(
                            &format!("{at}.expressions"),
                            "the node-label expressions of the preference",
                        );
                    }
                    NodePreference {
                        weight,
                        expressions: expressions(
                            p,
                            &format!("{at}.expressions"),
                            &pref.expressions,
                        ),
                    }
                })
                .collect(),
        }
    });
    let affinity =
        (node_affinity.is_some() || pod_affinity.is_some() || pod_anti_affinity.is_some())
            .then_some(Affinity {
                node_affinity,
                pod_affinity,
                pod_anti_affinity,
            });
    let topology_spread = s
        .topology_spread
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let at = format!("{}[{i}]", sat("topology_spread"));
            if t.max_skew == Some(0) {
                p.add(
                    format!("{at}.max_skew"),
                    "`max_skew` must be at least 1",
                    None,
                );
            }
            if let Some(key) = &t.topology_key {
                p.check(
                    &format!("{at}.topology_key"),
                    "node label",
                    key,
                    validate::qualified_name(key),
                );
            }
            TopologySpread {
                max_skew: t.max_skew.unwrap_or(cv::scheduling::MAX_SKEW),
                topology_key: t
                    .topology_key
                    .clone()
                    .unwrap_or_else(|| cv::scheduling::HOSTNAME_KEY.to_owned()),
                when_unsatisfiable: match t.when_unsatisfiable {
                    Some(WhenUnsatisfiable::ScheduleAnyway) => "ScheduleAnyway".to_owned(),
                    Some(WhenUnsatisfiable::DoNotSchedule) => "DoNotSchedule".to_owned(),
                    None => cv::scheduling::WHEN_UNSATISFIABLE.to_owned(),
                },
                match_labels: input.app_labels.clone(),
            }
        })
        .collect();
    let security_context = s.security_context.as_ref().map(|sc| {
        let mut sysctls = Vec::new();
        for (name, value) in &sc.sysctls.0 {
            let at = crate::de::path_key(&sat("security_context.sysctls"), name);
            p.check(&at, "kernel parameter", name, sysctl_name(name));
            sysctls.push(entry(name, value.as_str()));
        }
        PodSecurityContext {
            run_as_user: sc.run_as_user,
            run_as_group: sc.run_as_group,
            run_as_non_root: sc.run_as_non_root,
            fs_group: sc.fs_group,
            fs_group_change_policy: sc.fs_group_change_policy.map(|f| {
                match f {
                    FsGroupChangePolicy::OnRootMismatch => "OnRootMismatch",
                    FsGroupChangePolicy::Always => "Always",
                }
                .to_owned()
            }),
            seccomp_profile: sc.seccomp_profile.map(seccomp_type),
            sysctls,
        }
    });
    for (i, name) in s.image_pull_secrets.iter().enumerate() {
        p.check(
            &format!("{}[{i}]", sat("image_pull_secrets")),
            "secret name",
            name,
            object_name(name),
        );
    }
    if s.image_pull_secrets.is_empty() && s.image_pull_secrets_why.is_some() {
        p.add(
            sat("image_pull_secrets_why"),
            "`image_pull_secrets_why` explains `image_pull_secrets`, which is empty",
            None,
        );
    }
    if let Some(name) = s.service_account_name {
        p.check(
            &sat("service_account_name"),
            "service account name",
            name,
            object_name(name),
        );
    }
    if let Some(name) = s.priority_class_name {
        p.check(
            &sat("priority_class_name"),
            "priority class name",
            name,
            object_name(name),
        );
    }
    for (field, list) in [
        ("dns_nameservers", s.dns_nameservers),
        ("dns_searches", s.dns_searches),
    ] {
        for (i, host) in list.iter().enumerate() {
            p.check(
                &format!("{}[{i}]", sat(field)),
                "DNS name",
                host,
                validate::host(host),
            );
        }
    }
    let dns_options = input
        .dns_options
        .0
        .iter()
        .map(|(k, v)| {
            let at = crate::de::path_key(&sat("dns_options"), k);
            p.check(&at, "DNS option", k, validate::qualified_name(k));
            entry(k, v.as_str())
        })
        .collect::<Vec<_>>();
    let dns_config =
        (!dns_options.is_empty() || !s.dns_nameservers.is_empty() || !s.dns_searches.is_empty())
            .then(|| DnsConfig {
                nameservers: s.dns_nameservers.to_vec(),
                searches: s.dns_searches.to_vec(),
                options: dns_options,
            });
    if let Some(seconds) = s.termination_grace_period_seconds
        && seconds > 86_400
    {
        p.add(
            sat("termination_grace_period_seconds"),
            format!("{seconds} seconds is more than a day"),
            None,
        );
    }
    let _ = ctx;
    BuiltPod {
        pod: Pod {
            service_account_name: s.service_account_name.clone().map(Value::Str),
            automount_service_account_token: s.automount_service_account_token,
            enable_service_links: s.enable_service_links,
            restart_policy: None,
            priority_class_name: s.priority_class_name.clone(),
            termination_grace_period_seconds: s.termination_grace_period_seconds,
            dns_policy: s.dns_policy.map(|d| {
                match d {
                    DnsPolicy::ClusterFirst => "ClusterFirst",
                    DnsPolicy::ClusterFirstWithHostNet => "ClusterFirstWithHostNet",
                    DnsPolicy::Default => "Default",
                    DnsPolicy::None => "None",
                }
                .to_owned()
            }),
            node_selector: Obj::lines(node_selector).non_empty(),
            security_context,
            image_pull_secrets: s.image_pull_secrets.to_vec(),
            image_pull_secrets_comment: s.image_pull_secrets_why.clone(),
            affinity,
            tolerations,
            topology_spread,
            init_containers,
            containers,
            app_container: app,
            volumes: input.volumes,
            dns_config,
            raw: None,
        },
        allow,
    }
}

fn quoted_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_weight(p: &mut Problems, at: &str, weight: u32) {
    if !(1..=100).contains(&weight) {
        p.add(
            at,
            format!("weight {weight} is out of range"),
            Some("a weight is from 1 to 100".to_owned()),
        );
    }
}

fn expressions(p: &mut Problems, at: &str, list: &[NodeExpressionSpec]) -> Vec<NodeExpression> {
    list.iter()
        .enumerate()
        .map(|(i, e)| {
            let eat = format!("{at}[{i}]");
            let key = match &e.key {
                Some(k) => {
                    p.check(
                        &format!("{eat}.key"),
                        "node label",
                        k,
                        validate::qualified_name(k),
                    );
                    k.clone()
                }
                None => {
                    p.missing(&format!("{eat}.key"), "the node label the expression tests");
                    String::new()
                }
            };
            let operator = match e.operator {
                Some(o) => o,
                None => {
                    p.missing(
                        &format!("{eat}.operator"),
                        "one of `In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt`, `Lt`",
                    );
                    NodeOperator::In
                }
            };
            let takes_values =
                !matches!(operator, NodeOperator::Exists | NodeOperator::DoesNotExist);
            if takes_values == e.values.is_empty() {
                p.add(
                    format!("{eat}.values"),
                    if takes_values {
                        "this operator needs `values`"
                    } else {
                        "`Exists` and `DoesNotExist` take no `values`"
                    },
                    None,
                );
            }
            NodeExpression {
                key,
                operator: match operator {
                    NodeOperator::In => "In",
                    NodeOperator::NotIn => "NotIn",
                    NodeOperator::Exists => "Exists",
                    NodeOperator::DoesNotExist => "DoesNotExist",
                    NodeOperator::Gt => "Gt",
                    NodeOperator::Lt => "Lt",
                }
                .to_owned(),
                values: e.values.clone(),
            }
        })
        .collect()
}

/// A Kubernetes object name (a DNS-1123 subdomain): secrets, config maps, service
/// accounts, priority classes.
pub(crate) fn object_name(s: &str) -> Result<(), String> {
    let ok = !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| validate::dns_label(label).is_ok());
    if ok {
        Ok(())
    } else {
        Err("is not a Kubernetes object name: lower-case letters, digits, `-` and `.`, starting and ending with a letter or digit".to_owned())
    }
}

fn sysctl_name(s: &str) -> Result<(), String> {
    let ok = !s.is_empty()
        && s.split(['.', '/']).all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
        });
    if ok {
        Ok(())
    } else {
        Err("is not a kernel parameter name (e.g. `net.ipv4.ip_forward`)".to_owned())
    }
}

/// A file mode as the provider takes it: an octal string (`"0755"`).
fn file_mode(s: &str) -> Result<(), String> {
    let ok = (3..=4).contains(&s.len()) && s.bytes().all(|b| (b'0'..=b'7').contains(&b));
    if ok {
        Ok(())
    } else {
        Err("is not a file mode: an octal number written as a string, e.g. `\"0755\"`".to_owned())
    }
}

/// The container's own mounts (after the first `skip`, the volumes' `mount`s, which are
/// checked across volumes): each at a path of its own.
fn check_mount_paths(p: &mut Problems, at: &str, c: &Container, skip: usize) {
    for (i, m) in c.mounts.iter().enumerate().skip(skip) {
        if c.mounts[..i].iter().any(|e| e.mount_path == m.mount_path) {
            p.add(
                format!("{at}.mounts[{}].path", i - skip),
                format!(
                    "mount path `{}` is used twice in container `{}`",
                    m.mount_path, c.name
                ),
                Some("every mount of a container needs its own path".to_owned()),
            );
        }
    }
}

/// Appends limits, refusing a key the container sets already.
fn add_limits(p: &mut Problems, at: &str, c: &mut Container, extra: Vec<Entry>) {
    let resources = c.resources.get_or_insert(Resources {
        requests: None,
        limits: None,
    });
    let limits = resources
        .limits
        .get_or_insert_with(|| Obj::lines(Vec::new()));
    for e in extra {
        if limits.entries.iter().any(|l| l.key == e.key) {
            p.add(
                at,
                format!(
                    "the limit `{}` is set twice: by the preset and by the container's `resources`",
                    e.key
                ),
                Some("remove it from `resources.limits`".to_owned()),
            );
            continue;
        }
        limits.entries.push(e);
    }
}

/// A spec's list of strings as an HCL list; an element with a line break is a heredoc
/// (a script).
pub(crate) fn command_list(list: &[String]) -> Value {
    Value::List(
        list.iter()
            .map(|s| {
                if s.contains('\n') {
                    Value::Heredoc(s.clone())
                } else {
                    Value::Str(s.clone())
                }
            })
            .collect(),
    )
}

/// A command or its arguments: text as written (a script with line breaks as a heredoc),
/// or value forms resolved like any value of the spec.
fn value_list(p: &mut Problems, refs: &mut Refs, at: &str, list: &[ValueSpec]) -> Value {
    Value::List(
        list.iter()
            .enumerate()
            .map(|(i, v)| match v {
                ValueSpec::Scalar(Scalar::Str(s)) if s.contains('\n') => Value::Heredoc(s.clone()),
                ValueSpec::Scalar(s) => Value::Str(super::refs::scalar_text(s)),
                form => refs.value(p, &format!("{at}[{i}]"), form),
            })
            .collect(),
    )
}

/// Whether an image's form is text and variables only: an image is never read from a
/// secret or another object.
pub(crate) fn image_form(form: &ValueSpec) -> bool {
    match form {
        ValueSpec::Scalar(Scalar::Str(_)) | ValueSpec::Var(_) => true,
        ValueSpec::Template(parts) => !parts.is_empty() && parts.iter().all(image_form),
        _ => false,
    }
}

/// What one container is built from.
pub(crate) struct ContainerInput<'a> {
    pub at: &'a str,
    pub spec: &'a ContainerSpec,
    pub default_name: Option<&'a str>,
    pub own_image: Option<&'a Expr>,
    pub needs_resources: bool,
    pub volumes: &'a [&'a str],
    pub keel: bool,
    pub keel_opted_out: bool,
}

/// Resolves one container or init container.
pub(crate) fn container(
    p: &mut Problems,
    ctx: &Ctx,
    refs: &mut Refs,
    allow: &mut Vec<Allow>,
    input: ContainerInput<'_>,
) -> Container {
    let c = input.spec;
    let at = |field: &str| format!("{}.{field}", input.at);
    let name = match &c.name {
        Some(n) => {
            p.check(&at("name"), "container name", n, validate::dns_label(n));
            n.clone()
        }
        None => match input.default_name {
            Some(d) => d.to_owned(),
            None => {
                if !input.at.contains("init_containers") {
                    p.missing(&at("name"), "a name for every container after the first");
                }
                String::new()
            }
        },
    };
    let image = match (&c.image, input.own_image) {
        (Some(ValueSpec::Scalar(Scalar::Str(img))), _) => {
            p.check(&at("image"), "image", img, validate::image(img));
            Value::Str(img.clone())
        }
        (Some(form @ (ValueSpec::Var(_) | ValueSpec::Template(_))), _) if image_form(form) => {
            refs.value(p, &at("image"), form)
        }
        (Some(_), _) => {
            p.add(
                at("image"),
                "an image is its reference, or a template of text and variables",
                Some("e.g. `image: ghcr.io/owner/app:1.2.3` or `image: {template: [ghcr.io/owner/app:, {var: image_tag}]}`".to_owned()),
            );
            Value::Str(String::new())
        }
        (None, Some(own)) => Value::Expr(own.clone()),
        (None, None) => {
            p.missing(
                &at("image"),
                "the image reference, e.g. `image: ghcr.io/owner/app:latest`",
            );
            Value::Str(String::new())
        }
    };

    // --- ports ------------------------------------------------------------------------
    if c.port == Some(0) {
        p.add(
            at("port"),
            "port 0 is not a valid container port",
            Some("use a port from 1 to 65535".to_owned()),
        );
    }
    let port_name = match &c.port_name {
        None => Some(cv::ports::NAME.to_owned()),
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
    let mut ports: Vec<Port> = c
        .port
        .map(|number| Port {
            protocol: port_name.as_ref().map(|_| cv::ports::PROTOCOL.to_owned()),
            name: port_name,
            container_port: number,
        })
        .into_iter()
        .collect();
    if c.port.is_some() && !c.ports.is_empty() {
        p.add(
            at("ports"),
            "the container has both `port` and `ports`",
            Some("list every port under `ports`, or keep the one `port`".to_owned()),
        );
    }
    for (i, port) in c.ports.iter().enumerate() {
        let pat = format!("{}[{i}]", at("ports"));
        let number = match port.port {
            Some(0) => {
                p.add(
                    format!("{pat}.port"),
                    "port 0 is not a valid container port",
                    None,
                );
                0
            }
            Some(n) => n,
            None => {
                p.missing(&format!("{pat}.port"), "the port number, e.g. `port: 8080`");
                0
            }
        };
        if let Some(n) = &port.name {
            p.check(
                &format!("{pat}.name"),
                "port name",
                n,
                validate::port_name(n),
            );
            if ports.iter().any(|q| q.name.as_ref() == Some(n)) {
                p.add(
                    format!("{pat}.name"),
                    format!("duplicate port name `{n}`"),
                    None,
                );
            }
        }
        ports.push(Port {
            name: port.name.clone(),
            container_port: number,
            protocol: port.protocol.map(|pr| {
                match pr {
                    Protocol::Tcp => "TCP",
                    Protocol::Udp => "UDP",
                    Protocol::Sctp => "SCTP",
                }
                .to_owned()
            }),
        });
    }

    // --- environment --------------------------------------------------------------------
    let mut env = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (ei, e) in c.env.iter().enumerate() {
        let eat = format!("{}.env[{ei}]", input.at);
        if let Some(n) = &e.name {
            if seen.contains(&n.as_str()) {
                p.add(
                    format!("{eat}.name"),
                    format!("duplicate environment variable `{n}`"),
                    Some("each variable may be set once per container".to_owned()),
                );
            }
            seen.push(n);
        }
        env.push(env_var(p, ctx, refs, &eat, e));
    }
    let env_from = c
        .env_from
        .iter()
        .enumerate()
        .filter_map(|(i, ef)| {
            let eat = format!("{}[{i}]", at("env_from"));
            let (kind, name) = match (&ef.secret, &ef.config_map) {
                (Some(s), None) => ("secret_ref", s),
                (None, Some(cm)) => ("config_map_ref", cm),
                _ => {
                    p.add(
                        eat,
                        "`env_from` names exactly one of `secret` and `config_map`",
                        None,
                    );
                    return None;
                }
            };
            p.check(&eat, "object name", name, object_name(name));
            if kind == "secret_ref" && *name == ctx.secret_name {
                refs.runtime_secrets = true;
            }
            Some(EnvFrom {
                kind,
                name: Value::Str(name.clone()),
                optional: ef.optional,
            })
        })
        .collect();

    // --- mounts -------------------------------------------------------------------------
    let mounts = c
        .mounts
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let mat = format!("{}[{i}]", at("mounts"));
            let volume = match &m.volume {
                Some(v) => {
                    if !input.volumes.contains(&v.as_str()) {
                        let near = crate::diag::did_you_mean(v, input.volumes.iter().copied());
                        p.add(
                            format!("{mat}.volume"),
                            format!("`{v}` is not a volume of this pod"),
                            Some(format!(
                                "the pod's volumes are {}{}",
                                if input.volumes.is_empty() {
                                    "none".to_owned()
                                } else {
                                    quoted_list(input.volumes.iter().copied())
                                },
                                near.map(|n| format!("; did you mean `{n}`?"))
                                    .unwrap_or_default()
                            )),
                        );
                    }
                    v.clone()
                }
                None => {
                    p.missing(
                        &format!("{mat}.volume"),
                        "the name of the pod volume to mount",
                    );
                    String::new()
                }
            };
            let path = match &m.path {
                Some(path) => {
                    p.check(
                        &format!("{mat}.path"),
                        "mount path",
                        path,
                        validate::absolute_path(path),
                    );
                    path.clone()
                }
                None => {
                    p.missing(
                        &format!("{mat}.path"),
                        "where the volume is mounted, e.g. `path: /data`",
                    );
                    String::new()
                }
            };
            if let Some(sub) = &m.sub_path {
                p.check(
                    &format!("{mat}.sub_path"),
                    "sub path",
                    sub,
                    validate::relative_path(sub),
                );
            }
            Mount {
                name: volume,
                mount_path: path,
                sub_path: m.sub_path.clone(),
                read_only: m.read_only,
            }
        })
        .collect();

    // --- resources ----------------------------------------------------------------------
    // Raw HCL that holds the container's `resources` block says them itself.
    let raw_resources = super::adopt::raw_has_block(&c.raw, "resources");
    let resources_comment = Problems::why(&c.resources_why);
    if resources_comment.is_some() && (c.resources.is_some() || raw_resources) {
        p.add(
            at("resources_why"),
            "`resources_why` explains why the container sets no `resources`, but it sets them",
            Some("remove `resources_why`, or the container's `resources`".to_owned()),
        );
    }
    let resources = resources(
        p,
        ctx,
        allow,
        input.at,
        &name,
        c,
        input.needs_resources && !raw_resources && resources_comment.is_none(),
    );

    // --- probes -------------------------------------------------------------------------
    let mut probes = Vec::new();
    for (kind, probe) in [
        ("liveness_probe", &c.liveness_probe),
        ("readiness_probe", &c.readiness_probe),
        ("startup_probe", &c.startup_probe),
    ] {
        if let Some(probe) = probe {
            probes.push(resolve_probe(p, &at(kind), kind, probe, &ports));
        }
    }

    // --- the rest -----------------------------------------------------------------------
    if let Some(dir) = &c.working_dir {
        p.check(
            &at("working_dir"),
            "working directory",
            dir,
            validate::absolute_path(dir),
        );
    }
    let security_context = c.security_context.as_ref().map(|sc| {
        let capabilities = sc.capabilities.as_ref().map(|caps| {
            for (field, list) in [("add", &caps.add), ("drop", &caps.drop)] {
                for (i, cap) in list.iter().enumerate() {
                    p.check(
                        &format!("{}.{field}[{i}]", at("security_context.capabilities")),
                        "capability",
                        cap,
                        capability(cap),
                    );
                }
            }
            Capabilities {
                add: caps.add.clone(),
                drop: caps.drop.clone(),
            }
        });
        ContainerSecurityContext {
            run_as_user: sc.run_as_user,
            run_as_group: sc.run_as_group,
            run_as_non_root: sc.run_as_non_root,
            privileged: sc.privileged,
            allow_privilege_escalation: sc.allow_privilege_escalation,
            read_only_root_filesystem: sc.read_only_root_filesystem,
            capabilities,
            seccomp_profile: sc.seccomp_profile.map(seccomp_type),
        }
    });
    let lifecycle = c.lifecycle.as_ref().map(|hooks| {
        for (field, cmd) in [
            ("post_start", &hooks.post_start),
            ("pre_stop", &hooks.pre_stop),
        ] {
            if cmd.as_ref().is_some_and(|c| c.is_empty()) {
                p.add(at(&format!("lifecycle.{field}")), "an empty command", None);
            }
        }
        if hooks.post_start.is_none() && hooks.pre_stop.is_none() {
            p.add(
                at("lifecycle"),
                "a lifecycle needs `post_start` or `pre_stop`",
                None,
            );
        }
        Hooks {
            post_start: hooks.post_start.as_deref().map(command_list),
            pre_stop: hooks.pre_stop.as_deref().map(command_list),
        }
    });
    let keel_image = match (c.keel, Problems::why(&c.keel_why)) {
        (Some(false), why) if input.keel && input.keel_opted_out => {
            if why.is_some() {
                p.add(
                    at("keel_why"),
                    "the Deployment opts out of Keel (`keel.sh/policy: never`): an image left out of Keel's ignores needs no reason",
                    Some("remove it".to_owned()),
                );
            }
            false
        }
        (Some(false), Some(why)) => {
            allow.push(Allow {
                rule: "keel-ignores",
                why,
            });
            false
        }
        (Some(false), None) => {
            p.add(
                at("keel"),
                "leaving a container's image out of Keel's ignores breaks a convention and needs a written reason",
                Some("add `keel_why:` (the next apply would undo Keel's update of this image)".to_owned()),
            );
            false
        }
        (_, why) => {
            if c.keel.is_some() && !input.keel {
                p.add(
                    at("keel"),
                    "Keel updates the Deployment's containers only (and Keel is on for them unless `keel: false`)",
                    Some("remove it".to_owned()),
                );
            }
            if why.is_some() {
                p.add(
                    at("keel_why"),
                    "`keel_why` explains `keel: false`, which is not set",
                    None,
                );
            }
            input.keel
        }
    };
    let keel_comment = c.keel_comment.as_deref().and_then(|words| {
        let problem = if !keel_image {
            Some((
                "`keel_comment` is the comment of the image's entry in Keel's ignores, which this container has not".to_owned(),
                "remove it".to_owned(),
            ))
        } else if words.trim().is_empty() || words.contains('\n') {
            Some((
                "`keel_comment` is one line of words".to_owned(),
                "write one line".to_owned(),
            ))
        } else {
            super::refused_comment_words(words)
        };
        match problem {
            Some((message, help)) => {
                p.add(at("keel_comment"), message, Some(help));
                None
            }
            None => Some(words.trim().to_owned()),
        }
    });
    for (field, cmd) in [("command", &c.command), ("args", &c.args)] {
        if cmd.as_ref().is_some_and(|c| c.is_empty()) {
            p.add(
                at(field),
                format!("`{field}` is empty"),
                Some("remove it".to_owned()),
            );
        }
    }
    Container {
        name,
        comment: c.comment.clone(),
        image,
        image_pull_policy: c.image_pull_policy.map(|pp| {
            match pp {
                PullPolicy::Always => "Always",
                PullPolicy::IfNotPresent => "IfNotPresent",
                PullPolicy::Never => "Never",
            }
            .to_owned()
        }),
        command: c
            .command
            .as_deref()
            .map(|list| value_list(p, refs, &at("command"), list)),
        args: c
            .args
            .as_deref()
            .map(|list| value_list(p, refs, &at("args"), list)),
        working_dir: c.working_dir.clone(),
        stdin: c.stdin,
        tty: c.tty,
        env,
        env_from,
        mounts,
        ports,
        resources,
        resources_comment,
        probes,
        security_context,
        lifecycle,
        keel_image,
        keel_comment,
        raw: adopt::raw(p, &at("raw"), &c.raw),
    }
}

fn capability(s: &str) -> Result<(), String> {
    let ok = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err("is not a Linux capability (upper-case, e.g. `NET_ADMIN`, or `ALL`)".to_owned())
    }
}

/// One environment variable: exactly one of `value`, `secret` and `field_ref`.
fn env_var(p: &mut Problems, ctx: &Ctx, refs: &mut Refs, at: &str, e: &EnvSpec) -> Env {
    let eat = |field: &str| format!("{at}.{field}");
    let ename = match &e.name {
        Some(n) => {
            p.check(
                &eat("name"),
                "environment variable",
                n,
                validate::env_name(n),
            );
            n.clone()
        }
        None => {
            p.missing(&eat("name"), "the variable's name");
            String::new()
        }
    };
    let forms = [e.value.is_some(), e.secret.is_some(), e.field_ref.is_some()]
        .iter()
        .filter(|&&b| b)
        .count();
    if forms > 1 {
        p.add(
            at,
            format!("`{ename}` has more than one of `value`, `secret` and `field_ref`"),
            Some("keep one: `value` for a plain value or a reference, `secret` for a key of a secret, `field_ref` for a field of the pod".to_owned()),
        );
    }
    if e.secret.is_none() {
        for (field, set) in [
            ("secret_name", e.secret_name.is_some()),
            ("optional", e.optional.is_some()),
        ] {
            if set {
                p.add(
                    eat(field),
                    format!("`{field}` applies to a `secret` value"),
                    None,
                );
            }
        }
    }
    let mut out = Env {
        name: ename.clone(),
        comment: e.comment.clone(),
        value: None,
        secret: None,
        field_ref: None,
    };
    if forms > 1 {
        return out;
    }
    match (&e.value, &e.secret, &e.field_ref) {
        (Some(v), _, _) => {
            let plaintext = matches!(v, ValueSpec::Scalar(_));
            let plain_why = Problems::why(&e.plain_why);
            if plaintext && validate::looks_secret(&ename) && plain_why.is_none() {
                p.add(eat("value"), format!("`{ename}` looks like a secret but has a plaintext value"), Some(format!("store it in Vault at secret/{} and write `secret: <key>` instead of `value:` (a stack never carries secret values); if it is not a secret, say why in `plain_why:`", ctx.name)));
            }
            // A location of a secret (`VAULT_TOKEN_FILE`) may say why it is none.
            if e.plain_why.is_some() && !(plaintext && validate::names_a_secret(&ename)) {
                p.add(eat("plain_why"), "`plain_why` explains a plaintext value whose name looks secret; this one does not need it", None);
            }
            out.value = Some(refs.value(p, &eat("value"), v));
        }
        (None, Some(key), _) => {
            p.check(&eat("secret"), "secret key", key, validate::secret_key(key));
            let name = match &e.secret_name {
                Some(n) => {
                    p.check(&eat("secret_name"), "secret name", n, object_name(n));
                    n.clone()
                }
                None => ctx.secret_name.clone(),
            };
            if name == ctx.secret_name {
                refs.runtime_secrets = true;
            }
            out.secret = Some(SecretKeyRef {
                name: Value::Str(name),
                key: key.clone(),
                optional: e.optional,
            });
        }
        (None, None, Some(field)) => {
            let ok = !field.is_empty()
                && field.bytes().all(|b| {
                    b.is_ascii_alphanumeric()
                        || matches!(b, b'.' | b'[' | b']' | b'\'' | b'/' | b'-' | b'_')
                });
            if !ok {
                p.invalid(
                    &eat("field_ref"),
                    "field path",
                    field,
                    "is not a field of the pod (e.g. `metadata.namespace`, `status.podIP`)",
                );
            }
            out.field_ref = Some(field.clone());
        }
        (None, None, None) => {
            p.add(at, format!("`{ename}` has neither `value` nor `secret`"), Some("add `value: ...`, or `secret: <key>` to read it from Vault through the stack's ExternalSecret (or `field_ref:` for a field of the pod)".to_owned()));
        }
    }
    out
}

/// The container's `resources`: requests and limits, with the reasons a broken resource
/// rule needs.
fn resources(
    p: &mut Problems,
    ctx: &Ctx,
    allow: &mut Vec<Allow>,
    container_at: &str,
    name: &str,
    c: &ContainerSpec,
    needs: bool,
) -> Option<Resources> {
    let at = |field: &str| format!("{container_at}.resources.{field}");
    let Some(r) = &c.resources else {
        if needs {
            p.missing(
                &format!("{container_at}.resources"),
                "explicit resources, e.g. `resources: {cpu: 25m, memory: 256Mi}` (cpu request only; memory request = limit), or a `resources` block in the container's `raw`, or `resources_why:` saying why it sets none",
            );
        }
        return None;
    };
    let mut quantity = |field: &str, v: &str| match validate::quantity(v) {
        Ok(q) => Some(q),
        Err(why) => {
            p.invalid(&at(field), field, v, &why);
            None
        }
    };
    let cpu_q = r.cpu.as_deref().and_then(|v| quantity("cpu", v));
    let memory_q = r.memory.as_deref().and_then(|v| quantity("memory", v));
    let limit = match &r.memory_limit {
        None => r.memory.clone(),
        Some(l) => l.clone(),
    };
    let limit_q = match &r.memory_limit {
        Some(Some(l)) => quantity("memory_limit", l),
        _ => memory_q,
    };
    let cpu_limit_q = r
        .cpu_limit
        .as_deref()
        .and_then(|v| quantity("cpu_limit", v));
    if let (Some(req), Some(lim)) = (memory_q, limit_q)
        && lim < req
    {
        p.add(
            at("memory_limit"),
            "the memory limit is below the request",
            Some("Kubernetes refuses a limit below the request".to_owned()),
        );
    }
    if let (Some(req), Some(lim)) = (cpu_q, cpu_limit_q)
        && lim < req
    {
        p.add(at("cpu_limit"), "the CPU limit is below the request", None);
    }
    // Outside the Burstable tiers a memory limit other than the request breaks a rule.
    let burstable = cv::tiers::BURSTABLE.contains(&ctx.tier);
    let differs = r.memory.is_some() && (limit_q != memory_q || limit.is_none());
    match (differs && !burstable, Problems::why(&r.memory_limit_why)) {
        (true, Some(why)) => allow.push(Allow {
            rule: "memory-request-limit",
            why: format!("{name}: {why}"),
        }),
        (true, None) => p.add(
            at("memory_limit"),
            format!("outside the Burstable tiers (edge, aux) a container's memory limit equals its request, and the tier is `{}`", ctx.tier),
            Some("add `memory_limit_why:` saying why this container needs room above its request (written as a lint suppression)".to_owned()),
        ),
        (false, Some(_)) => p.add(
            at("memory_limit_why"),
            "`memory_limit_why` explains a memory limit other than the request outside the Burstable tiers; this one needs none",
            None,
        ),
        (false, None) => {}
    }
    match (&r.cpu_limit, Problems::why(&r.cpu_limit_why)) {
        (Some(_), Some(why)) => allow.push(Allow {
            rule: "cpu-limit",
            why: format!("{name}: {why}"),
        }),
        (Some(_), None) => p.add(
            at("cpu_limit"),
            "the cluster runs without CPU limits (CFS throttling): a CPU limit needs a written reason",
            Some("add `cpu_limit_why:`, or remove the limit and size the CPU request".to_owned()),
        ),
        (None, Some(_)) => p.add(at("cpu_limit_why"), "`cpu_limit_why` explains `cpu_limit`, which is not set", None),
        (None, None) => {}
    }
    let mut requests = Vec::new();
    if let Some(cpu) = &r.cpu {
        requests.push(entry("cpu", cpu.as_str()));
    }
    if let Some(memory) = &r.memory {
        requests.push(entry("memory", memory.as_str()));
    }
    let mut limits = Vec::new();
    if let Some(cpu) = &r.cpu_limit {
        limits.push(entry("cpu", cpu.as_str()));
    }
    if let Some(memory) = limit {
        limits.push(entry("memory", memory));
    }
    for (field, map, list) in [
        ("requests", &r.requests, &mut requests),
        ("limits", &r.limits, &mut limits),
    ] {
        for (key, value) in &map.0 {
            let kat = crate::de::path_key(&at(field), key);
            p.check(&kat, "resource name", key, validate::qualified_name(key));
            if matches!(key.as_str(), "cpu" | "memory") {
                p.add(
                    &kat,
                    format!(
                        "`{key}` is set with `{key}`{} instead",
                        if field == "limits" { "_limit" } else { "" }
                    ),
                    None,
                );
                continue;
            }
            if let Err(why) = validate::quantity(value) {
                p.invalid(&kat, "quantity", value, &why);
            }
            list.push(entry(key, value.as_str()));
        }
    }
    if requests.is_empty() && limits.is_empty() {
        p.add(
            format!("{container_at}.resources"),
            "`resources` sets neither a request nor a limit",
            Some("remove it, or set `cpu` and `memory`".to_owned()),
        );
    }
    Some(Resources {
        requests: Obj::lines(requests).non_empty(),
        limits: Obj::lines(limits).non_empty(),
    })
}

fn resolve_probe(
    p: &mut Problems,
    at: &str,
    kind: &'static str,
    probe: &crate::spec::ProbeSpec,
    ports: &[Port],
) -> Probe {
    let tcp = probe.tcp.unwrap_or(false);
    let forms = [probe.path.is_some(), tcp, probe.exec.is_some()]
        .iter()
        .filter(|&&b| b)
        .count();
    if forms > 1 {
        p.add(
            at,
            "a probe is one of an HTTP GET (`path`), a TCP connect (`tcp: true`) and a command (`exec`)",
            Some("keep one of them".to_owned()),
        );
    }
    let port = |p: &mut Problems| -> Value {
        match &probe.port {
            Some(Scalar::Int(n)) if (1..=65535).contains(n) => Value::Int(*n),
            Some(Scalar::Int(n)) => {
                p.add(
                    format!("{at}.port"),
                    format!("port {n} is out of range"),
                    Some("use a port from 1 to 65535".to_owned()),
                );
                Value::Int(0)
            }
            Some(Scalar::Str(name)) => {
                p.check(
                    &format!("{at}.port"),
                    "port name",
                    name,
                    validate::port_name(name),
                );
                if !ports.iter().any(|q| q.name.as_ref() == Some(name)) {
                    p.add(
                        format!("{at}.port"),
                        format!("the container has no port named `{name}`"),
                        Some("name one of the container's `ports`, or give the number".to_owned()),
                    );
                }
                Value::Str(name.clone())
            }
            Some(_) => {
                p.add(
                    format!("{at}.port"),
                    "a port is a number or a port name",
                    None,
                );
                Value::Int(0)
            }
            None => match ports.first() {
                Some(q) => Value::Int(i64::from(q.container_port)),
                None => {
                    p.missing(
                        &format!("{at}.port"),
                        "the port to probe (the container has no `port`)",
                    );
                    Value::Int(0)
                }
            },
        }
    };
    let action = if let Some(command) = &probe.exec {
        if command.is_empty() {
            p.add(format!("{at}.exec"), "an empty command", None);
        }
        if probe.port.is_some() {
            p.add(format!("{at}.port"), "a command probe has no port", None);
        }
        ProbeAction::Exec {
            command: command_list(command),
        }
    } else if tcp {
        ProbeAction::TcpSocket { port: port(p) }
    } else {
        let path = match &probe.path {
            Some(path) => {
                if !path.starts_with('/')
                    || path.chars().any(|c| c.is_whitespace() || c.is_control())
                {
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
                    "the HTTP path to probe, e.g. `path: /healthz` (or `tcp: true`, or `exec: [...]`)",
                );
                String::new()
            }
        };
        ProbeAction::HttpGet(HttpGet {
            path,
            port: port(p),
        })
    };
    if probe.tcp == Some(false) {
        p.add(
            format!("{at}.tcp"),
            "`tcp: false` says nothing",
            Some("remove it".to_owned()),
        );
    }
    let mut timings = Vec::new();
    for (name, value) in [
        ("initial_delay_seconds", probe.initial_delay_seconds),
        ("period_seconds", probe.period_seconds),
        ("timeout_seconds", probe.timeout_seconds),
        ("failure_threshold", probe.failure_threshold),
        ("success_threshold", probe.success_threshold),
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
        action,
        timings,
    }
}

/// The pod volume of a volume that is not storage of the stack, or `None` (with a
/// problem) when it names no source or several.
pub(crate) fn volume_source(
    p: &mut Problems,
    ctx: &Ctx,
    refs: &mut Refs,
    at: &str,
    vol: &VolumeSpec,
) -> Option<VolumeSource> {
    let vat = |field: &str| format!("{at}.{field}");
    let sources = [
        vol.empty_dir.is_some(),
        vol.config_map.is_some(),
        vol.secret.is_some(),
        vol.host_path.is_some(),
        vol.claim.is_some(),
        vol.nfs.is_some(),
    ]
    .iter()
    .filter(|&&b| b)
    .count();
    if sources > 1 {
        p.add(
            at,
            "a volume has one source: one of `storage`, `empty_dir`, `config_map`, `secret`, `host_path`, `claim`, `nfs`, or `raw`",
            None,
        );
        return None;
    }
    if sources == 1 && vol.raw.is_some() {
        p.add(
            vat("raw"),
            "a volume has one source, and `raw` is the source of a volume without another one",
            Some("remove `raw`, or the other source".to_owned()),
        );
        return None;
    }
    let storage_only = [
        ("size", vol.size.is_some()),
        ("size_var", vol.size_var.is_some()),
        ("max_size", vol.max_size.is_some()),
        ("path", vol.path.is_some()),
        ("address", vol.address.is_some()),
        ("wait_until_bound", vol.wait_until_bound.is_some()),
        ("wait_until_bound_why", vol.wait_until_bound_why.is_some()),
    ];
    for (field, set) in storage_only
        .into_iter()
        .chain(super::storage::pvc_settings(vol))
    {
        if set {
            p.add(
                vat(field),
                format!("`{field}` applies to storage volumes (`storage:`)"),
                Some("remove it".to_owned()),
            );
        }
    }
    let mode = |p: &mut Problems, field: String, m: &Option<String>| {
        if let Some(m) = m {
            p.check(&field, "file mode", m, file_mode(m));
        }
        m.clone()
    };
    let items =
        |p: &mut Problems, field: String, list: &[crate::spec::KeyPathSpec]| -> Vec<KeyPath> {
            list.iter()
                .enumerate()
                .map(|(i, kp)| {
                    let iat = format!("{field}[{i}]");
                    let key = kp.key.clone().unwrap_or_else(|| {
                        p.missing(&format!("{iat}.key"), "the key to mount");
                        String::new()
                    });
                    let path = match &kp.path {
                        Some(path) => {
                            p.check(
                                &format!("{iat}.path"),
                                "path",
                                path,
                                validate::relative_path(path),
                            );
                            path.clone()
                        }
                        None => {
                            p.missing(
                                &format!("{iat}.path"),
                                "the file the key becomes, relative to the mount",
                            );
                            String::new()
                        }
                    };
                    if let Some(m) = &kp.mode {
                        p.check(&format!("{iat}.mode"), "file mode", m, file_mode(m));
                    }
                    KeyPath {
                        key,
                        path,
                        mode: kp.mode.clone(),
                    }
                })
                .collect()
        };
    let named = |p: &mut Problems, field: String, name: &Option<String>, what: &str| -> String {
        match name {
            Some(n) => {
                p.check(&field, what, n, object_name(n));
                n.clone()
            }
            None => {
                p.missing(&field, &format!("the {what}"));
                String::new()
            }
        }
    };
    if let Some(ed) = &vol.empty_dir {
        if let Some(size) = &ed.size_limit
            && let Err(why) = validate::quantity(size)
        {
            p.invalid(&vat("empty_dir.size_limit"), "size", size, &why);
        }
        return Some(VolumeSource::EmptyDir {
            medium: ed.medium.map(|_| "Memory".to_owned()),
            size_limit: ed.size_limit.clone(),
        });
    }
    if let Some(cm) = &vol.config_map {
        if cm.tls.is_some() {
            p.add(
                vat("config_map.tls"),
                "`tls` names the stack's TLS secret: it applies to `secret` volumes",
                Some("remove it".to_owned()),
            );
        }
        let name = named(p, vat("config_map.name"), &cm.name, "config map name");
        return Some(VolumeSource::ConfigMap {
            name: Value::Str(name),
            default_mode: mode(p, vat("config_map.default_mode"), &cm.default_mode),
            optional: cm.optional,
            items: items(p, vat("config_map.items"), &cm.items),
        });
    }
    if let Some(s) = &vol.secret {
        let secret_name = match s.tls {
            Some(true) => {
                if s.name.is_some() {
                    p.add(
                        vat("secret.name"),
                        "`tls: true` names the secret (the stack's TLS secret)",
                        Some("remove `name`, or `tls`".to_owned()),
                    );
                }
                Value::Expr(Expr(format!("var.{}", cv::repo::TLS_SECRET_VARIABLE)))
            }
            Some(false) => {
                p.add(
                    vat("secret.tls"),
                    "`tls: false` is the default: the secret is the one `name` names",
                    Some("remove it".to_owned()),
                );
                Value::Str(String::new())
            }
            None => {
                let name = named(p, vat("secret.name"), &s.name, "secret name");
                if name == ctx.secret_name {
                    refs.runtime_secrets = true;
                }
                Value::Str(name)
            }
        };
        return Some(VolumeSource::Secret {
            secret_name,
            default_mode: mode(p, vat("secret.default_mode"), &s.default_mode),
            optional: s.optional,
            items: items(p, vat("secret.items"), &s.items),
        });
    }
    if let Some(hp) = &vol.host_path {
        let path = absolute_path(
            p,
            &vat("host_path.path"),
            &hp.path,
            "the path on the node, e.g. `/dev/kvm`",
        );
        return Some(VolumeSource::HostPath {
            path,
            kind: hp.kind.map(|k| {
                match k {
                    HostPathType::DirectoryOrCreate => "DirectoryOrCreate",
                    HostPathType::Directory => "Directory",
                    HostPathType::FileOrCreate => "FileOrCreate",
                    HostPathType::File => "File",
                    HostPathType::Socket => "Socket",
                    HostPathType::CharDevice => "CharDevice",
                    HostPathType::BlockDevice => "BlockDevice",
                }
                .to_owned()
            }),
        });
    }
    if let Some(nfs) = &vol.nfs {
        let server = match &nfs.server {
            Some(server) => refs.value(p, &vat("nfs.server"), server),
            None => {
                p.missing(
                    &vat("nfs.server"),
                    "the NFS server, a literal or `{var: nfs_server}`",
                );
                Value::Str(String::new())
            }
        };
        let path = absolute_path(
            p,
            &vat("nfs.path"),
            &nfs.path,
            "the exported path, e.g. `/srv/nfs/<stack>`",
        );
        return Some(VolumeSource::Nfs {
            server,
            path,
            read_only: nfs.read_only,
        });
    }
    if let Some(claim) = &vol.claim {
        p.check(&vat("claim"), "claim name", claim, object_name(claim));
        return Some(VolumeSource::Pvc {
            claim_name: Value::Str(claim.clone()),
        });
    }
    if vol.raw.is_some() {
        return super::adopt::raw(p, &vat("raw"), &vol.raw)
            .map(|raw| VolumeSource::Raw { raw: Some(raw) });
    }
    p.missing(
        &vat("storage"),
        "the volume's source: `storage` (`proxmox-lvm-encrypted` for sensitive data, `proxmox-lvm`, `nfs`), or `empty_dir`, `config_map`, `secret`, `host_path`, `claim`, `nfs`, or `raw` (the source block as raw HCL)",
    );
    None
}

/// A path the spec must give (`what` says which, for the error) and give absolute.
fn absolute_path(p: &mut Problems, at: &str, path: &Option<String>, what: &str) -> String {
    match path {
        Some(path) => {
            p.check(at, "path", path, validate::absolute_path(path));
            path.clone()
        }
        None => {
            p.missing(at, what);
            String::new()
        }
    }
}

/// The `type` of a `seccomp_profile` block.
fn seccomp_type(profile: SeccompProfile) -> String {
    match profile {
        SeccompProfile::RuntimeDefault => "RuntimeDefault",
        SeccompProfile::Unconfined => "Unconfined",
        SeccompProfile::Localhost => "Localhost",
    }
    .to_owned()
}
