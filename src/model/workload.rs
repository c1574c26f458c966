//! The Deployment: its labels, annotations, Keel settings, strategy and lifecycle, and the
//! pod it runs (`pod`).

use super::link::DependsRequest;
use super::pod::{self, PodInput};
use super::problems::Problems;
use super::refs::Refs;
use super::storage::Volumes;
use super::types::*;
use super::{Ctx, adopt};
use crate::conventions as cv;
use crate::spec::{
    DeploymentSpec, IgnoreChangesSpec, OrderedMap, Reloader, Scalar, Spec,
    Strategy as SpecStrategy, ValueSpec,
};
use crate::validate;

/// Labels, in order: keys and values checked.
pub(crate) fn labels(p: &mut Problems, path: &str, map: &OrderedMap<String>) -> Vec<Entry> {
    map.0
        .iter()
        .map(|(key, value)| {
            let at = crate::de::path_key(path, key);
            p.check(&at, "key", key, validate::qualified_name(key));
            p.check(&at, "label value", value, validate::label_value(value));
            entry(key, value.as_str())
        })
        .collect()
}

/// Appends `extra` to `entries`, refusing a key that is there already (one dlgen writes).
pub(crate) fn extend_unique(
    p: &mut Problems,
    path: &str,
    entries: &mut Vec<Entry>,
    extra: Vec<Entry>,
) {
    for e in extra {
        if entries.iter().any(|x| x.key == e.key) {
            p.add(
                crate::de::path_key(path, &e.key),
                format!("`{}` is written by dlgen already", e.key),
                Some("remove it here; a spec field sets it".to_owned()),
            );
            continue;
        }
        entries.push(e);
    }
}

/// The Deployment's name and the labels that select its pods, as the pod's containers,
/// the Service and the jobs' affinities use them.
pub(crate) struct AppLabels {
    pub name: String,
    pub key: String,
}

impl AppLabels {
    pub fn of(p: &mut Problems, ctx: &Ctx, d: &DeploymentSpec) -> AppLabels {
        let name = match &d.name {
            Some(n) => {
                p.check(
                    "deployment.name",
                    "Deployment name",
                    n,
                    validate::dns_label(n),
                );
                n.clone()
            }
            None => ctx.name.clone(),
        };
        let key = match &d.label_key {
            Some(k) => {
                p.check(
                    "deployment.label_key",
                    "label key",
                    k,
                    validate::qualified_name(k),
                );
                k.clone()
            }
            None => cv::workload::APP_LABEL.to_owned(),
        };
        AppLabels { name, key }
    }

    /// `{ <key> = <name> }`.
    pub fn selector(&self) -> Obj {
        Obj::lines(vec![entry(&self.key, self.name.as_str())])
    }
}

/// Whether raw HCL declares a workload dlgen does not write: a `resource` or `module`
/// block.
fn declares_workload(text: &str) -> bool {
    ::hcl::parse(text).is_ok_and(|body| {
        body.blocks()
            .any(|b| matches!(b.identifier(), "resource" | "module"))
    })
}

/// The Deployment object of the stack, running the spec's containers; `None` for a stack
/// of jobs only or of a workload in `raw.stack`.
pub(crate) fn deployment(
    p: &mut Problems,
    ctx: &Ctx,
    spec: &Spec,
    app: &AppLabels,
    volumes: &Volumes,
    refs: &mut Refs,
    own_image: Option<&Expr>,
) -> Option<(Object, DependsRequest)> {
    let d = spec.deployment.clone().unwrap_or_default();
    let raw = spec.raw.clone().unwrap_or_default();
    if spec.containers.is_empty() {
        // A stack whose workload dlgen does not write (a Helm release, a StatefulSet, local
        // modules) holds it whole in `raw.stack`: the spec says what is around it.
        let raw_workload = raw.stack.as_deref().is_some_and(declares_workload);
        if spec.jobs.is_empty() && !raw_workload {
            p.missing(
                "containers",
                "the app container, e.g. `containers: [{image: ghcr.io/owner/app:latest, port: 80, resources: {cpu: 25m, memory: 256Mi}}]` (or `jobs:`, or a workload dlgen does not write as whole blocks in `raw.stack`)",
            );
        } else {
            for (field, set) in [
                ("deployment", spec.deployment.is_some()),
                ("init_containers", !spec.init_containers.is_empty()),
                ("strategy", spec.strategy.is_some()),
                ("rolling_update", spec.rolling_update.is_some()),
                ("keel_owns", !spec.keel_owns.0.is_empty()),
                ("keel_seeds", !spec.keel_seeds.0.is_empty()),
                ("keel_policy", spec.keel_policy.is_some()),
                ("raw.container", raw.container.is_some()),
                ("raw.pod", raw.pod.is_some()),
                ("raw.deployment", raw.deployment.is_some()),
            ] {
                if set {
                    p.add(
                        field,
                        format!("`{field}` applies to the Deployment, and this stack has no `containers`"),
                        Some("a stack without `containers` has no Deployment; remove it".to_owned()),
                    );
                }
            }
            if let Some(i) = spec.volumes.iter().position(|v| v.mount.is_some()) {
                p.add(
                    format!("volumes[{i}].mount"),
                    "`mount` mounts a volume into the Deployment's app container, and this stack has no `containers`",
                    Some("mount the stack's volumes in a job with `claim:`".to_owned()),
                );
            }
            return None;
        }
    }
    let built = pod::pod(
        p,
        ctx,
        refs,
        own_image,
        PodInput {
            containers_at: "containers".to_owned(),
            containers: &spec.containers,
            init_at: "init_containers".to_owned(),
            init_containers: &spec.init_containers,
            settings_at: "deployment".to_owned(),
            settings: d.pod_settings(),
            dns_options: &d.dns_options,
            default_name: app.name.clone(),
            volumes: volumes.pod_volumes.clone(),
            app_mounts: volumes.mounts.clone(),
            app_labels: app.selector(),
            keel: ctx.keel,
            keel_opted_out: keel_opted_out(spec),
            app_needs_resources: true,
        },
    );
    let mut pod = built.pod;
    let mut allow = built.allow;
    // `raw.container` attaches to the app container.
    if let Some(slot) = adopt::raw(p, "raw.container", &raw.container)
        && let Some(i) = pod
            .containers
            .iter()
            .position(|c| Some(&c.name) == pod.app_container.as_ref())
    {
        if pod.containers[i].raw.is_some() {
            p.add(
                "raw.container",
                format!(
                    "raw HCL is given for the {} container twice: as `raw.container` and as `containers[{i}].raw`",
                    if i == 0 { "first" } else { "app" }
                ),
                Some(format!("keep `containers[{i}].raw`")),
            );
        } else {
            pod.containers[i].raw = Some(slot);
        }
    }
    pod.raw = adopt::raw(p, "raw.pod", &raw.pod);

    // --- strategy -------------------------------------------------------------------------
    let block_storage = !volumes.block.is_empty();
    let why = Problems::why(&spec.strategy_why);
    let rolls = matches!(
        spec.strategy,
        Some(SpecStrategy::RollingUpdate | SpecStrategy::Unset)
    );
    if block_storage && rolls {
        match &why {
            Some(w) => allow.push(Allow {
                rule: "rwo-recreate",
                why: w.clone(),
            }),
            None => p.add(
                "strategy",
                "a Deployment with a block-storage volume must use `Recreate`",
                Some("proxmox-lvm volumes are ReadWriteOnce: a rolling update would start a second pod that cannot mount it (or say why it may in `strategy_why`)".to_owned()),
            ),
        }
    }
    // `strategy: none` with `rolling_update`: the limits alone, no `type` (Kubernetes
    // rolls by default).
    let untyped = spec.strategy == Some(SpecStrategy::Unset) && spec.rolling_update.is_some();
    let strategy = match (spec.strategy, block_storage) {
        (Some(SpecStrategy::Unset), _) if !untyped => None,
        (None, false) => None,
        (Some(SpecStrategy::RollingUpdate | SpecStrategy::Unset), _) => Some(Strategy {
            kind: (!untyped).then(|| "RollingUpdate".to_owned()),
            comment: spec.strategy_why.clone(),
            rolling_update: spec.rolling_update.as_ref().map(|ru| {
                if ru.max_surge.is_none() && ru.max_unavailable.is_none() {
                    p.add(
                        "rolling_update",
                        "`rolling_update` sets neither `max_surge` nor `max_unavailable`",
                        None,
                    );
                }
                RollingUpdate {
                    max_surge: ru
                        .max_surge
                        .as_ref()
                        .map(|v| int_or_percent(p, "rolling_update.max_surge", v)),
                    max_unavailable: ru
                        .max_unavailable
                        .as_ref()
                        .map(|v| int_or_percent(p, "rolling_update.max_unavailable", v)),
                }
            }),
        }),
        (Some(SpecStrategy::Recreate), _) | (None, true) => Some(Strategy {
            kind: Some("Recreate".to_owned()),
            comment: spec.strategy_why.clone(),
            rolling_update: None,
        }),
    };
    if spec.rolling_update.is_some()
        && !untyped
        && spec.strategy != Some(SpecStrategy::RollingUpdate)
    {
        p.add(
            "rolling_update",
            "`rolling_update` sets the limits of a `RollingUpdate` strategy",
            Some("add `strategy: RollingUpdate` (or `strategy: none` for the limits without a `type`)".to_owned()),
        );
    }
    if strategy.is_none() && spec.strategy_why.is_some() && !(block_storage && rolls) {
        p.add(
            "strategy_why",
            "`strategy_why` explains a Recreate strategy, but the Deployment has none",
            Some("add `strategy: Recreate`, or remove `strategy_why`".to_owned()),
        );
    }

    // --- labels -----------------------------------------------------------------------------
    let cluster_service = d.cluster_service_label.unwrap_or(true);
    let mut labels = vec![entry(&app.key, app.name.as_str())];
    if cluster_service {
        labels.push(entry(cv::labels::CLUSTER_SERVICE, "true"));
    }
    if d.tier_label.unwrap_or(true) {
        let tier = cv::workload::label_tier(d.tier.map(super::tier_name), ctx.tier);
        let expr = if tier == ctx.tier {
            ctx.tier_expr.clone()
        } else {
            Expr(format!("{}.{tier}", cv::repo::TIER_LOCAL))
        };
        labels.push(entry(cv::workload::TIER_LABEL, expr));
    } else if d.tier.is_some() {
        p.add(
            "deployment.tier",
            "`deployment.tier` names the tier of the Deployment's `tier` label, which `tier_label: false` leaves out",
            Some("remove one of them".to_owned()),
        );
    }
    if ctx.scale_to_zero {
        labels.push(entry(cv::sablier::ENABLE, "true"));
        labels.push(entry(cv::sablier::GROUP, ctx.sablier_group.as_str()));
        labels.push(entry(
            cv::sablier::READY_AFTER,
            cv::sablier::READY_AFTER_DEFAULT,
        ));
    }
    let extra = self::labels(p, "deployment.labels", &d.labels);
    extend_unique(p, "deployment.labels", &mut labels, extra);
    let mut pod_labels = vec![entry(&app.key, app.name.as_str())];
    if cluster_service {
        pod_labels.push(entry(cv::labels::CLUSTER_SERVICE, "true"));
    }
    let extra = self::labels(p, "deployment.pod_labels", &d.pod_labels);
    extend_unique(p, "deployment.pod_labels", &mut pod_labels, extra);

    // --- annotations ----------------------------------------------------------------------
    let mut deployment_annotations = Vec::new();
    if let Some(r) = d.reloader {
        let key = match r {
            Reloader::Auto => cv::workload::RELOADER_AUTO,
            Reloader::Search => cv::workload::RELOADER_SEARCH,
        };
        deployment_annotations.push(entry(key, "true"));
    }
    let user = annotations(p, refs, "deployment.annotations", &d.annotations);
    for e in &user {
        if cv::keel_keys::ALL.iter().any(|(_, key, _)| *key == e.key) {
            p.add(
                crate::de::path_key("deployment.annotations", &e.key),
                format!(
                    "`{}` is a Keel annotation: say whether the stack owns it or only seeds it",
                    e.key
                ),
                Some(
                    "move it to `keel_owns` (not ignored) or `keel_seeds` (still ignored)"
                        .to_owned(),
                ),
            );
        }
    }
    extend_unique(
        p,
        "deployment.annotations",
        &mut deployment_annotations,
        user,
    );
    let owned = keel_annotations(p, ctx, spec, &mut deployment_annotations);

    let mut pod_annotations = Vec::new();
    if let Some(diun) = &d.diun {
        pod_annotations.push(entry(
            cv::workload::DIUN_ENABLE,
            if diun.enable.unwrap_or(true) {
                "true"
            } else {
                "false"
            },
        ));
        if let Some(tags) = &diun.include_tags {
            pod_annotations.push(entry(cv::workload::DIUN_INCLUDE_TAGS, tags.as_str()));
        }
    }
    if !d.wait_for.is_empty() {
        for (i, target) in d.wait_for.iter().enumerate() {
            let ok = target.rsplit_once(':').is_some_and(|(host, port)| {
                validate::host(host).is_ok() && port.parse::<u16>().is_ok_and(|n| n > 0)
            });
            if !ok {
                p.invalid(
                    &format!("deployment.wait_for[{i}]"),
                    "service address",
                    target,
                    "is not `<service>.<namespace>:<port>` (e.g. `postgresql.dbaas:5432`)",
                );
            }
        }
        pod_annotations.push(entry(cv::workload::KYVERNO_WAIT_FOR, d.wait_for.join(",")));
    }
    if let Some(prom) = &d.prometheus {
        pod_annotations.push(entry(cv::workload::PROMETHEUS_SCRAPE, "true"));
        match prom.port {
            Some(port) if port > 0 => {
                pod_annotations.push(entry(cv::workload::PROMETHEUS_PORT, port.to_string()));
            }
            _ => p.missing("deployment.prometheus.port", "the metrics port"),
        }
        if let Some(path) = &prom.path {
            pod_annotations.push(entry(cv::workload::PROMETHEUS_PATH, path.as_str()));
        }
    }
    let user = annotations(p, refs, "deployment.pod_annotations", &d.pod_annotations);
    extend_unique(p, "deployment.pod_annotations", &mut pod_annotations, user);

    // --- replicas ---------------------------------------------------------------------------
    let replicas = d.replicas.unwrap_or(Some(cv::workload::REPLICAS));
    let replicas_comment = Problems::why(&d.replicas_why).and(d.replicas_why.clone());
    if replicas == Some(0) && replicas_comment.is_none() {
        p.add(
            "deployment.replicas",
            "`replicas: 0` parks the app and needs a written reason",
            Some("add `replicas_why:` (e.g. `Disabled - upstream crash-loops; scale back once fixed`), written above it".to_owned()),
        );
    }
    let wait_for_rollout_comment =
        Problems::why(&d.wait_for_rollout_why).and(d.wait_for_rollout_why.clone());
    if d.wait_for_rollout.is_none() && wait_for_rollout_comment.is_some() {
        p.add(
            "deployment.wait_for_rollout_why",
            "`wait_for_rollout_why` explains `wait_for_rollout`, which is not set",
            None,
        );
    }

    // --- lifecycle ------------------------------------------------------------------------
    let defaults = deployment_ignores(ctx, &owned, &pod);
    let (lifecycle, lifecycle_allow) = apply_ignores(
        p,
        "deployment.ignore_changes",
        &d.ignore_changes,
        defaults,
        None,
        true,
    );
    allow.extend(lifecycle_allow);

    let resource_type = resource_type(
        p,
        "deployment.resource_type",
        &d.resource_type,
        &cv::workload::DEPLOYMENT_TYPES,
    );
    let address = adopt::address(p, "deployment.address", &d.address, || ctx.snake.clone());
    let mut object = Object::new(
        Address::resource(&resource_type, &address),
        Body::Deployment(Deployment {
            metadata: Metadata {
                name: app.name.clone(),
                namespace: ctx.ns_ref.clone().into(),
                labels: Some(Obj::lines(labels)),
                annotations: Obj::lines(deployment_annotations).non_empty(),
            },
            wait_for_rollout: d.wait_for_rollout,
            wait_for_rollout_comment,
            replicas: replicas.map(|r| Value::Int(i64::from(r))),
            replicas_comment,
            revision_history_limit: d.revision_history_limit,
            progress_deadline_seconds: d.progress_deadline_seconds,
            strategy,
            selector: app.selector(),
            pod_labels: Obj::lines(pod_labels),
            pod_annotations: Obj::lines(pod_annotations).non_empty(),
            pod,
            lifecycle,
            depends_on: Vec::new(),
            depends_on_comment: None,
        }),
    );
    dedupe_allow(&mut allow);
    object.allow = allow;
    object.raw = adopt::raw(p, "raw.deployment", &raw.deployment);
    let request = DependsRequest {
        reference: object.address.reference(),
        at: "deployment.depends_on".to_owned(),
        spec: d.depends_on.clone(),
    };
    Some((object, request))
}

/// A resource type among those a kind of object may be declared with.
/// The resource type an object is declared with: the spec's `resource_type` when it is one
/// of `types` (else a problem at `at`), or the default, the first of `types`.
pub(crate) fn resource_type(
    p: &mut Problems,
    at: &str,
    chosen: &Option<String>,
    types: &[&str],
) -> String {
    let Some(t) = chosen else {
        return types[0].to_owned();
    };
    if !types.contains(&t.as_str()) {
        p.add(
            at,
            format!("`{t}` is not a resource type of this object"),
            Some(format!(
                "use one of {}",
                types
                    .iter()
                    .map(|t| format!("`{t}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        );
    }
    t.clone()
}

/// One suppression per rule: the reasons of one rule are joined.
pub(crate) fn dedupe_allow(allow: &mut Vec<Allow>) {
    let mut out: Vec<Allow> = Vec::new();
    for a in allow.drain(..) {
        match out.iter_mut().find(|o| o.rule == a.rule) {
            Some(o) => {
                if !o.why.contains(&a.why) {
                    o.why = format!("{}; {}", o.why, a.why);
                }
            }
            None => out.push(a),
        }
    }
    *allow = out;
}

/// A rolling update limit: a number of pods, or a percentage as a string.
fn int_or_percent(p: &mut Problems, at: &str, v: &Scalar) -> Value {
    match v {
        Scalar::Int(n) if *n >= 0 => Value::Int(*n),
        Scalar::Str(s) if s.strip_suffix('%').unwrap_or(s).parse::<u32>().is_ok() => {
            Value::Str(s.clone())
        }
        _ => {
            p.add(
                at,
                "a rolling update limit is a number of pods (`1`) or a percentage (`\"25%\"`)",
                None,
            );
            Value::Int(0)
        }
    }
}

/// Keel's annotations the stack sets (`keel_owns`, `keel_seeds`, `keel_policy`), written
/// in Keel's key order; returns the annotations the stack owns (not ignored).
fn keel_annotations(
    p: &mut Problems,
    ctx: &Ctx,
    spec: &Spec,
    annotations: &mut Vec<Entry>,
) -> Vec<&'static str> {
    let mut set: Vec<(&'static str, String, bool)> = Vec::new(); // (annotation, value, owned)
    for (field, map, owned) in [
        ("keel_owns", &spec.keel_owns, true),
        ("keel_seeds", &spec.keel_seeds, false),
    ] {
        for (key, value) in &map.0 {
            let at = crate::de::path_key(field, key);
            let Some((_, annotation, _)) = cv::keel_keys::ALL.iter().find(|(k, _, _)| k == key)
            else {
                let keys: Vec<&str> = cv::keel_keys::ALL.iter().map(|(k, _, _)| *k).collect();
                p.add(
                    &at,
                    format!("unknown Keel annotation `{key}`"),
                    Some(format!(
                        "use one of {}{}",
                        keys.iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", "),
                        crate::diag::did_you_mean(key, keys.iter().copied())
                            .map(|m| format!("; did you mean `{m}`?"))
                            .unwrap_or_default()
                    )),
                );
                continue;
            };
            if set.iter().any(|(a, _, _)| a == annotation) {
                p.add(
                    &at,
                    format!("the Keel annotation `{key}` is set twice"),
                    Some("a key is either owned or seeded, once".to_owned()),
                );
                continue;
            }
            check_keel_value(p, &at, key, value);
            set.push((annotation, value.clone(), owned));
        }
    }
    if let Some(policy) = &spec.keel_policy {
        check_keel_value(p, "keel_policy", "policy", policy);
        if set.iter().any(|(a, _, _)| *a == cv::keel::POLICY) {
            p.add(
                "keel_policy",
                "the Keel policy is set twice: by `keel_policy` and by `keel_owns` or `keel_seeds`",
                Some("keep `keel_policy`".to_owned()),
            );
        } else {
            set.push((cv::keel::POLICY, policy.clone(), true));
        }
    }
    if !ctx.keel && !set.is_empty() {
        for (field, given) in [
            ("keel_policy", spec.keel_policy.is_some()),
            ("keel_owns", !spec.keel_owns.0.is_empty()),
            ("keel_seeds", !spec.keel_seeds.0.is_empty()),
        ] {
            if given {
                p.add(
                    field,
                    format!("`{field}` has no effect with `keel: false`"),
                    Some("remove one of them".to_owned()),
                );
            }
        }
    }
    let mut owned = Vec::new();
    for (_, annotation, _) in cv::keel_keys::ALL {
        if let Some((_, value, own)) = set.iter().find(|(a, _, _)| *a == annotation) {
            annotations.push(entry(annotation, value.as_str()));
            if *own {
                owned.push(annotation);
            }
        }
    }
    owned
}

/// Whether the Deployment opts out of Keel by its policy annotation (`never`, owned or
/// seeded): Keel then updates none of its images, so an image left out of the ignores
/// breaks no convention.
pub(crate) fn keel_opted_out(spec: &crate::spec::Spec) -> bool {
    let never = |map: &crate::spec::OrderedMap<String>| {
        map.0
            .iter()
            .any(|(k, v)| k == "policy" && v == cv::keel::OPT_OUT)
    };
    spec.keel_policy.as_deref() == Some(cv::keel::OPT_OUT)
        || never(&spec.keel_owns)
        || never(&spec.keel_seeds)
}

fn check_keel_value(p: &mut Problems, at: &str, key: &str, value: &str) {
    let (known, valid): (&[&str], bool) = match key {
        "policy" => (
            &cv::keel::POLICIES,
            cv::keel::POLICIES.contains(&value)
                || value == cv::keel::OPT_OUT
                || value.starts_with("glob:"),
        ),
        "trigger" => (
            &cv::keel_keys::TRIGGERS,
            cv::keel_keys::TRIGGERS.contains(&value),
        ),
        "match-tag" => (&["true", "false"], matches!(value, "true" | "false")),
        _ => (&[], true),
    };
    if !valid {
        let what = if key == "policy" {
            "Keel policy".to_owned()
        } else {
            format!("Keel {key}")
        };
        let mut listed: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
        if key == "policy" {
            listed.push(format!("`{}` (opt out)", cv::keel::OPT_OUT));
            listed.push("`glob:<pattern>`".to_owned());
        }
        p.add(
            at,
            format!("unknown {what} `{value}`"),
            Some(format!(
                "use one of {}{}",
                listed.join(", "),
                crate::diag::did_you_mean(value, known.iter().copied())
                    .map(|m| format!("; did you mean `{m}`?"))
                    .unwrap_or_default()
            )),
        );
    }
}

/// The Deployment's `ignore_changes` by convention: what Kyverno, Keel (the annotations
/// the stack does not own, every container image it updates), Kubernetes and sablier
/// write, with their markers.
fn deployment_ignores(ctx: &Ctx, owned: &[&str], pod: &Pod) -> Vec<Ignore> {
    let mut ignore_changes = vec![ignore(
        cv::ignore::POD_DNS_CONFIG,
        Some(cv::markers::KYVERNO),
    )];
    if ctx.keel {
        for (_, annotation, marker) in cv::keel_keys::ALL {
            if !owned.contains(&annotation) {
                ignore_changes.push(ignore(&cv::ignore::metadata_annotation(annotation), marker));
            }
        }
    }
    // Every image entry carries the Keel marker, so dlgen's own lint (its `info` rule on
    // the marker of extra entries) has nothing to say about what dlgen writes; most
    // hand-written stacks mark only the first, which plans the same.
    let image_entry = |path: String, c: &Container| Ignore {
        path: Expr(path),
        comment: Some(cv::markers::keel_image_comment(
            c.keel_comment
                .as_deref()
                .unwrap_or(cv::markers::KEEL_IMAGE_WORDS),
        )),
    };
    for (i, c) in pod.containers.iter().enumerate() {
        if c.keel_image {
            ignore_changes.push(image_entry(cv::ignore::container_image(i), c));
        }
    }
    for (i, c) in pod.init_containers.iter().enumerate() {
        if c.keel_image {
            ignore_changes.push(image_entry(cv::ignore::init_container_image(i), c));
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
    ignore_changes
}

/// The lint rule that a dropped conventional `ignore_changes` entry breaks, if any.
fn rule_of_ignore(path: &str) -> Option<&'static str> {
    if path == cv::ignore::POD_DNS_CONFIG || path == cv::ignore::CRON_DNS_CONFIG {
        Some("kyverno-dns-config")
    } else if path == cv::ignore::template_annotation(cv::keel::UPDATE_TIME) {
        Some("keel-update-time")
    } else {
        None
    }
}

/// A workload's lifecycle: the conventions' `ignore_changes` entries with the spec's
/// additions and minus its drops. A drop's reason becomes a suppression of the lint rule
/// the entry answers, or else the comment above the list. `comment` is the conventions'
/// comment above the list; `multiline` the layout.
pub(crate) fn apply_ignores(
    p: &mut Problems,
    at: &str,
    spec: &Option<IgnoreChangesSpec>,
    mut entries: Vec<Ignore>,
    comment: Option<&str>,
    multiline: bool,
) -> (Option<Lifecycle>, Vec<Allow>) {
    let mut allow = Vec::new();
    let mut comment = comment.map(str::to_owned);
    if let Some(s) = spec {
        let why = Problems::why(&s.drop_why);
        match (s.drop.is_empty(), &why) {
            (false, None) => p.add(
                format!("{at}.drop"),
                "leaving out an `ignore_changes` entry of the conventions needs a written reason",
                Some(format!("add `drop_why:` under `{at}`")),
            ),
            (true, Some(_)) => p.add(
                format!("{at}.drop_why"),
                "`drop_why` explains `drop`, which is empty",
                None,
            ),
            _ => {}
        }
        let mut comment_dropped = false;
        for (i, path) in s.drop.iter().enumerate() {
            let dat = format!("{at}.drop[{i}]");
            if path.contains("].image") && path.contains("container[") {
                p.add(
                    &dat,
                    "Keel's image entries follow the containers",
                    Some("set the container's `keel: false` (with `keel_why`) instead".to_owned()),
                );
                continue;
            }
            let Some(pos) = entries.iter().position(|e| e.path.0 == *path) else {
                p.add(
                    &dat,
                    format!("`{path}` is not an `ignore_changes` entry of this workload"),
                    Some(format!(
                        "the entries are {}",
                        entries
                            .iter()
                            .map(|e| format!("`{}`", e.path.0))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                );
                continue;
            };
            let dropped = entries.remove(pos);
            if pos == 0 && comment.is_some() {
                // The conventions' comment explains the first entry (the only one of a
                // job's list).
                comment_dropped = true;
            }
            if let (Some(rule), Some(w)) = (rule_of_ignore(&dropped.path.0), &why) {
                allow.push(Allow {
                    rule,
                    why: w.clone(),
                });
            }
        }
        if comment_dropped {
            comment = None;
        }
        for (i, add) in s.add.iter().enumerate() {
            let aat = format!("{at}.add[{i}]");
            let Some(path) = &add.path else {
                p.missing(
                    &format!("{aat}.path"),
                    "the attribute path, e.g. `metadata[0].labels[\"tier\"]`",
                );
                continue;
            };
            if let Err(why) = ignore_path(path) {
                p.invalid(&format!("{aat}.path"), "attribute path", path, &why);
                continue;
            }
            if entries.iter().any(|e| e.path.0 == *path) {
                p.add(
                    format!("{aat}.path"),
                    format!("`{path}` is ignored by convention already"),
                    Some("remove it".to_owned()),
                );
                continue;
            }
            let Some(reason) = Problems::why(&add.why) else {
                p.missing(
                    &format!("{aat}.why"),
                    "who changes this attribute, written after the entry",
                );
                continue;
            };
            entries.push(Ignore {
                path: Expr(path.clone()),
                comment: Some(reason),
            });
        }
        if let Some(w) = why
            && !allow.iter().any(|a| a.why == w)
        {
            comment = Some(match comment {
                Some(c) => format!("{c}\n{w}"),
                None => w,
            });
        }
    }
    if entries.is_empty() {
        return (None, allow);
    }
    // An entry's reason is its trailing comment, which only a list one per line holds.
    let multiline = multiline || entries.iter().any(|e| e.comment.is_some());
    (
        Some(Lifecycle {
            comment,
            ignore_changes: entries,
            multiline,
        }),
        allow,
    )
}

/// An attribute path of `ignore_changes`: names, `[n]` indexes and `["key"]` keys, from
/// a name (`spec[0].replicas`, `metadata[0].labels["tier"]`).
pub(crate) fn ignore_path(s: &str) -> Result<(), String> {
    const SHAPE: &str = "is not an attribute path: names joined by `.`, with `[0]` indexes and `[\"key\"]` keys (e.g. `metadata[0].labels[\"tier\"]`)";
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut expect_name = true;
    while i < bytes.len() {
        if expect_name {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            if i == start || !bytes[start].is_ascii_alphabetic() {
                return Err(SHAPE.to_owned());
            }
            expect_name = false;
            continue;
        }
        match bytes[i] {
            b'.' => {
                i += 1;
                expect_name = true;
            }
            b'[' => {
                let close = s[i..]
                    .find(']')
                    .map(|c| i + c)
                    .ok_or_else(|| SHAPE.to_owned())?;
                let inner = &s[i + 1..close];
                let ok = (!inner.is_empty() && inner.bytes().all(|b| b.is_ascii_digit()))
                    || (inner.len() >= 3
                        && inner.starts_with('"')
                        && inner.ends_with('"')
                        && validate::qualified_name(&inner[1..inner.len() - 1]).is_ok());
                if !ok {
                    return Err(SHAPE.to_owned());
                }
                i = close + 1;
            }
            _ => return Err(SHAPE.to_owned()),
        }
    }
    if expect_name {
        return Err(SHAPE.to_owned());
    }
    Ok(())
}

/// Annotations: keys checked, values free text.
/// Annotations of the spec, in order: keys checked, each value a string or any value form
/// (a variable, a reference, a template of text and references). A literal number or
/// boolean is written as the string it is (an annotation's value is text).
pub(crate) fn annotations(
    p: &mut Problems,
    refs: &mut Refs,
    path: &str,
    map: &OrderedMap<ValueSpec>,
) -> Vec<Entry> {
    map.0
        .iter()
        .map(|(key, value)| {
            let at = crate::de::path_key(path, key);
            p.check(&at, "key", key, validate::qualified_name(key));
            let value = match value {
                ValueSpec::Scalar(s) => Value::Str(super::refs::scalar_text(s)),
                form => refs.value(p, &at, form),
            };
            entry(key, value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::ignore_path;

    #[test]
    fn ignore_paths() {
        for ok in [
            "spec[0].replicas",
            "metadata[0].labels[\"tier\"]",
            "spec[0].template[0].spec[0].container[0].image_pull_policy",
            "metadata[0].annotations[\"keel.sh/policy\"]",
        ] {
            assert!(ignore_path(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "spec[0].",
            "spec[0]..x",
            "spec[x]",
            "metadata[0].labels[\"a\\\"b\"]",
            "spec[0] # x",
            "0spec",
            "spec[0]${x}",
            "[0]",
        ] {
            assert!(ignore_path(bad).is_err(), "{bad:?} must be rejected");
        }
    }
}
