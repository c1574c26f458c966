//! Workloads beside the Deployment: the stack's app CronJobs and one-shot Jobs, read into
//! `jobs:`. A job is recognized whole or given up whole (`Part::Job`): what the spec
//! cannot say of one job leaves that job to raw HCL as a block of its own, at its
//! address, while the others stay spec. Inside a recognized job, attributes the spec does
//! not generate go to `jobs[i].raw` (the resource's body) or `jobs[i].containers[j].raw`.

use super::*;
use crate::spec::{
    ConcurrencyPolicy, DependsOnSpec, IgnoreChangesSpec, IgnoreEntrySpec, JobSpec, MountSpec,
    RestartPolicy, TimeoutsSpec,
};

/// The pod of a job resource, as block names: a CronJob's and a Job's.
const CRON_POD: [&str; 5] = ["spec", "job_template", "spec", "template", "spec"];
const JOB_POD: [&str; 3] = ["spec", "template", "spec"];

/// The path of the pod of a job resource of type `ty`, as steps.
pub(crate) fn pod_steps(ty: &str) -> Vec<Step> {
    let names: &[&str] = if cv::jobs::CRON_TYPES.contains(&ty) {
        &CRON_POD
    } else {
        &JOB_POD
    };
    names.iter().map(|n| b(n, 0)).collect()
}

/// The stack's job resources no other recognizer claimed, in the order of the stack's
/// files: `(local address, type, value)`.
fn candidates<'a>(ctx: &Ctx<'a>, d: &Draft) -> Vec<(String, &'static str, &'a Value)> {
    let mut out = Vec::new();
    for ty in cv::jobs::CRON_TYPES.iter().chain(&cv::jobs::JOB_TYPES) {
        for (label, v) in ctx.resources(ty) {
            let address = format!("{ty}.{label}");
            if !d.claimed(&ctx.at(&address)) {
                out.push((address, *ty, v));
            }
        }
    }
    let place = |address: &str| {
        ctx.src.top(&ctx.at(address)).map(|t| {
            let file = ctx
                .src
                .files
                .iter()
                .position(|f| f.name == t.file.name)
                .unwrap_or(usize::MAX);
            (file, t.block.span().map_or(0, |s| s.start))
        })
    };
    out.sort_by_key(|(a, _, _)| place(a));
    out
}

/// Reads every app CronJob and Job of the stack into `jobs:`, except those given up.
pub(super) fn jobs(ctx: &Ctx, d: &mut Draft, limits: &Limits) {
    for (address, ty, v) in candidates(ctx, d) {
        let part = Part::Job(ctx.at(&address));
        if limits.has(&part) {
            continue;
        }
        let i = d.spec.jobs.len();
        // What a job that is not recognized took stays the stack's.
        let (reasons, consumed) = (d.reasons.clone(), d.consumed.clone());
        let raw_first = d.raw_first.len();
        let Some(job) = job(ctx, d, i, &address, ty, v) else {
            d.reasons = reasons;
            d.consumed = consumed;
            d.raw_first.truncate(raw_first);
            continue;
        };
        d.claim(&ctx.at(&address), &address, Some(part), Some(Slot::Job(i)));
        d.spec.jobs.push(job);
    }
}

fn job(ctx: &Ctx, d: &mut Draft, i: usize, address: &str, ty: &str, v: &Value) -> Option<JobSpec> {
    let cron = cv::jobs::CRON_TYPES.contains(&ty);
    let label = address.split_once('.').map_or(address, |(_, l)| l);
    let meta = path(v, &["metadata"])?;
    if !val::other_keys(meta, &["name", "namespace", "labels"]).is_empty() {
        return None;
    }
    let name = string(meta, "name")?.to_owned();
    let mut job = JobSpec {
        name: Some(name),
        address: Some(label.to_owned()),
        resource_type: Some(ty.to_owned()),
        comment: text(ctx.above(d, address, &[]).take(d)),
        ..JobSpec::default()
    };
    if let Some(count) = get(v, "count") {
        job.created_if = Some(super::jobs::count_gate(count)?.to_owned());
    }
    if let Some(labels) = get(meta, "labels") {
        job.labels =
            OrderedMap(ctx.ordered(address, &[b("metadata", 0), attr("labels")], labels, &[])?);
    }
    let spec = block(v, "spec")?;
    let u32_of = |v: &Value, k: &str| int(v, k).and_then(|n| u32::try_from(n).ok());
    // A setting the conventions default: `Some(None)` when the stack leaves it out.
    let present = |v: &Value, k: &str| Some(u32_of(v, k));
    let job_spec = if cron {
        // A schedule from a variable (stack-patterns v2 section 4: `var.schedule` with a
        // default) is a value form; one no form says, raw at the value.
        job.schedule = Some(
            val::value_spec(get(spec, "schedule")?, &ctx.secret_name)
                .or_else(|| ctx.expression(address, &[b("spec", 0), attr("schedule")]))?,
        );
        job.timezone = string(spec, "timezone").map(str::to_owned);
        job.concurrency_policy = Some(match string(spec, "concurrency_policy") {
            None => None,
            Some("Allow") => Some(ConcurrencyPolicy::Allow),
            Some("Forbid") => Some(ConcurrencyPolicy::Forbid),
            Some("Replace") => Some(ConcurrencyPolicy::Replace),
            Some(_) => return None,
        });
        job.successful_jobs_history_limit = present(spec, "successful_jobs_history_limit");
        job.failed_jobs_history_limit = present(spec, "failed_jobs_history_limit");
        job.starting_deadline_seconds = u32_of(spec, "starting_deadline_seconds");
        match get(spec, "suspend") {
            None => {}
            Some(other) => match val::as_bool(other) {
                Some(s) => job.suspend = Some(s),
                None => job.suspend_unless = Some(super::jobs::not_var(other)?.to_owned()),
            },
        }
        if job.suspend.is_some() || job.suspend_unless.is_some() {
            job.suspend_why = text(
                ctx.above(d, address, &[b("spec", 0), attr("suspend")])
                    .take(d),
            );
            if job.suspend == Some(true) && job.suspend_why.is_none() {
                d.reasons.push(format!("jobs[{i}].suspend_why"));
                job.suspend_why = Some(NO_REASON.to_owned());
            }
        }
        let template = block(spec, "job_template")?;
        if let Some(labels) = block(template, "metadata").and_then(|m| get(m, "labels")) {
            let at = [
                b("spec", 0),
                b("job_template", 0),
                b("metadata", 0),
                attr("labels"),
            ];
            job.job_labels = OrderedMap(ctx.ordered(address, &at, labels, &[])?);
        }
        block(template, "spec")?
    } else {
        job.wait_for_completion = Some(match get(v, "wait_for_completion") {
            None => None,
            Some(w) => Some(val::as_bool(w)?),
        });
        if let Some(t) = block(v, "timeouts") {
            job.timeouts = Some(TimeoutsSpec {
                create: string(t, "create").map(str::to_owned),
                update: string(t, "update").map(str::to_owned),
                delete: string(t, "delete").map(str::to_owned),
            });
        }
        spec
    };
    job.backoff_limit = present(job_spec, "backoff_limit");
    job.ttl_seconds_after_finished = u32_of(job_spec, "ttl_seconds_after_finished");
    job.active_deadline_seconds = u32_of(job_spec, "active_deadline_seconds");
    let template = block(job_spec, "template")?;
    let pod_at = pod_steps(ty);
    let template_at = &pod_at[..pod_at.len() - 1];
    if let Some(tm) = block(template, "metadata") {
        let mut at = template_at.to_vec();
        at.push(b("metadata", 0));
        if let Some(value) = get(tm, "labels") {
            let mut at = at.clone();
            at.push(attr("labels"));
            job.pod_labels = OrderedMap(ctx.ordered(address, &at, value, &[])?);
        }
        if let Some(value) = get(tm, "annotations") {
            let mut at = at.clone();
            at.push(attr("annotations"));
            job.pod_annotations = OrderedMap(ctx.ordered_values(address, &at, value, &[])?);
        }
    }
    let pod = block(template, "spec")?;
    job.restart_policy = Some(match string(pod, "restart_policy") {
        None => None,
        Some("OnFailure") => Some(RestartPolicy::OnFailure),
        Some("Never") => Some(RestartPolicy::Never),
        Some(_) => return None,
    });
    if let Some(dns) = block(pod, "dns_config")
        && val::other_keys(dns, &["option", "nameservers", "searches"]).is_empty()
    {
        job.dns_options = OrderedMap(dns_options(dns)?);
    }
    pod_settings!(pod, job);
    super::pod_comments(
        ctx,
        d,
        (address, &pod_at),
        (&job.image_pull_secrets, &mut job.image_pull_secrets_why),
        &mut job.tolerations,
    );
    let s = super::scheduling::read(pod, super::scheduling::app_labels(ctx, d));
    (job.node_affinity, job.pod_affinity, job.anti_affinity) =
        (s.node_affinity, s.pod_affinity, s.anti_affinity);
    job.topology_spread = s.topology_spread;
    // Volumes: every one the spec can say, one whose source it cannot with that source
    // raw at the volume; a volume of neither leaves the job raw.
    let mut names = Vec::new();
    for (k, vol) in blocks(pod, "volume").iter().enumerate() {
        let mut spec = pod_volume(vol)
            .or_else(|| claim_volume(ctx, vol))
            .or_else(|| {
                let slot = Slot::JobVolume(i, k);
                super::volumes::raw_source_at(ctx, d, (address, &pod_at), k, slot, vol)
            })?;
        let mut at = pod_at.clone();
        at.push(b("volume", k));
        spec.comment = text(ctx.above(d, address, &at).take(d));
        names.push(spec.name.clone().unwrap_or_default());
        job.volumes.push(spec);
    }
    let pc = PodCtx {
        address,
        limits: &Limits::default(),
        eso: d.spec.secrets.is_some(),
        service: false,
        volumes: &names,
        burstable: cv::tiers::BURSTABLE.contains(&tier_key(d.spec.tier, false)),
    };
    for (kind, list) in [("container", false), ("init_container", true)] {
        for (j, c) in blocks(pod, kind).iter().enumerate() {
            let mut at = pod_at.clone();
            at.push(b(kind, j));
            let field = if list {
                format!("jobs[{i}].init_containers[{j}]")
            } else {
                format!("jobs[{i}].containers[{j}]")
            };
            let first = !list && j == 0;
            let spec = container(
                ctx,
                d,
                &pc,
                &at,
                &field,
                c,
                first.then_some(&mut job.volumes),
            )?;
            if list {
                job.init_containers.push(spec);
            } else {
                job.containers.push(spec);
            }
        }
    }
    job.ignore_changes = ignores(ctx, d, address, v, cron, i)?;
    Some(job)
}

/// A volume of a claim: `claim:` the PVC's name or the NFS module's claim name.
fn claim_volume(ctx: &Ctx, vol: &Value) -> Option<VolumeSpec> {
    if !val::other_keys(vol, &["name", "persistent_volume_claim"]).is_empty() {
        return None;
    }
    let name = string(vol, "name")?;
    let pvc = block(vol, "persistent_volume_claim")?;
    if !val::other_keys(pvc, &["claim_name"]).is_empty() {
        return None;
    }
    let claim = match get(pvc, "claim_name")? {
        Value::String(s) => s.clone(),
        other => {
            let module = ctx.module_output(other, "claim_name")?;
            let call = ctx.input.get(&ctx.at(&format!("module.{module}")))?;
            string(call, "name")?.to_owned()
        }
    };
    Some(VolumeSpec {
        name: Some(name.to_owned()),
        claim: Some(claim),
        ..VolumeSpec::default()
    })
}

/// One container of a job, whole or `None`. The first container's mounts of the job's
/// volumes, in volume order, are the volumes' `mount`s (written first by the model); the
/// rest are its `mounts`.
fn container(
    ctx: &Ctx,
    d: &mut Draft,
    pc: &PodCtx,
    at: &[Step],
    field: &str,
    c: &Value,
    volumes: Option<&mut Vec<VolumeSpec>>,
) -> Option<ContainerSpec> {
    let image = container_image(ctx, d, pc.address, at, c)?;
    let mut spec = ContainerSpec {
        name: Some(string(c, "name")?.to_owned()),
        image,
        command: string_list(c, "command", &ctx.secret_name),
        args: string_list(c, "args", &ctx.secret_name),
        ..ContainerSpec::default()
    };
    if get(c, "command").is_some() && spec.command.is_none()
        || get(c, "args").is_some() && spec.args.is_none()
    {
        return None;
    }
    spec.comment = text(ctx.above(d, pc.address, at).take(d));
    let before = d.reasons.len();
    env(ctx, d, pc, at, (field, usize::MAX), c, &mut spec);
    if spec.env.len() != blocks(c, "env").len() {
        d.reasons.truncate(before);
        return None;
    }
    port(c, &mut spec);
    container_settings(c, &mut spec);
    spec.resources = resources(c, pc.burstable);
    resource_reasons(ctx, d, pc.address, field, &mut spec);
    for kind in ["liveness_probe", "readiness_probe", "startup_probe"] {
        let probe = match block(c, kind) {
            Some(p) => Some(probe(p)?),
            None => None,
        };
        match kind {
            "liveness_probe" => spec.liveness_probe = probe,
            "readiness_probe" => spec.readiness_probe = probe,
            _ => spec.startup_probe = probe,
        }
    }
    let all = blocks(c, "volume_mount");
    let mut own = 0;
    if let Some(volumes) = volumes {
        let mut next = 0;
        for m in all {
            let Some(mount) = mount(m) else {
                break;
            };
            let Some(k) = volumes
                .iter()
                .position(|v| v.name == mount.volume)
                .filter(|k| *k >= next)
            else {
                break;
            };
            next = k + 1;
            volumes[k].mount = mount.path;
            volumes[k].read_only = mount.read_only;
            volumes[k].sub_path = mount.sub_path;
            own += 1;
        }
    }
    for m in all.iter().skip(own) {
        let mount = mount(m)?;
        if !pc.volumes.iter().any(|v| Some(v) == mount.volume.as_ref()) {
            return None;
        }
        spec.mounts.push(mount);
    }
    Some(spec)
}

fn mount(m: &Value) -> Option<MountSpec> {
    if !val::other_keys(m, &["name", "mount_path", "read_only", "sub_path"]).is_empty() {
        return None;
    }
    let read_only = match get(m, "read_only") {
        None => false,
        Some(ro) => val::as_bool(ro)?,
    };
    Some(MountSpec {
        volume: Some(string(m, "name")?.to_owned()),
        path: Some(string(m, "mount_path")?.to_owned()),
        sub_path: string(m, "sub_path").map(str::to_owned),
        read_only,
    })
}

/// The job's `ignore_changes` against the conventions' one entry (Kyverno's
/// `dns_config`): what the stack ignores beyond it is `add`, the entry left out `drop`.
fn ignores(
    ctx: &Ctx,
    d: &mut Draft,
    address: &str,
    v: &Value,
    cron: bool,
    i: usize,
) -> Option<Option<IgnoreChangesSpec>> {
    let norm = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let convention = if cron {
        cv::ignore::CRON_DNS_CONFIG
    } else {
        cv::ignore::POD_DNS_CONFIG
    };
    if let Some(lc) = block(v, "lifecycle")
        && !val::other_keys(lc, &["ignore_changes"]).is_empty()
    {
        return None;
    }
    let entries = ignore_entries(v);
    let reasons = ignore_reasons(ctx, address);
    let mut spec = IgnoreChangesSpec::default();
    for e in &entries {
        let n = norm(e);
        if n == norm(convention) {
            continue;
        }
        let why = match reasons.iter().find(|(p, _)| *p == n) {
            Some((_, why)) => why.clone(),
            None => {
                d.reasons.push(format!(
                    "jobs[{i}].ignore_changes.add[{}].why",
                    spec.add.len()
                ));
                NO_REASON.to_owned()
            }
        };
        spec.add.push(IgnoreEntrySpec {
            path: Some(e.clone()),
            why: Some(why),
        });
    }
    if !entries.iter().any(|e| norm(e) == norm(convention)) {
        spec.drop.push(convention.to_owned());
        let above = ctx.above(d, address, &[b("lifecycle", 0), attr("ignore_changes")]);
        spec.drop_why = Some(text(above.take(d)).unwrap_or_else(|| {
            d.reasons.push(format!("jobs[{i}].ignore_changes.drop_why"));
            NO_REASON.to_owned()
        }));
    }
    Some((!spec.add.is_empty() || !spec.drop.is_empty()).then_some(spec))
}

/// The Deployment's and each job's `depends_on` against what the model derives (the
/// ExternalSecrets whose secrets the pod reads): what the stack lists beyond it is `add`,
/// what it leaves out `drop` — most of the repo's Deployments list nothing although their
/// pods read an ExternalSecret's secret. An entry the spec would add must be an object
/// the spec renders; else the list stays raw HCL. Read last, once every object the
/// derived lists name is in the spec.
pub(super) fn depends_on(ctx: &Ctx, d: &mut Draft) {
    let Ok(stack) = crate::model::build(&crate::import::assemble::buildable(ctx, d)) else {
        return;
    };
    let managed: Vec<String> = stack
        .objects
        .iter()
        .filter(|o| o.address.is_managed())
        .map(|o| o.address.reference())
        .collect();
    let derived = |address: &str| -> Vec<String> {
        stack
            .objects
            .iter()
            .find(|o| o.address.reference() == address)
            .map(|o| match &o.body {
                crate::model::Body::CronJob(c) => {
                    c.depends_on.iter().map(|x| x.0.clone()).collect()
                }
                crate::model::Body::Job(j) => j.depends_on.iter().map(|x| x.0.clone()).collect(),
                crate::model::Body::Deployment(dep) => {
                    dep.depends_on.iter().map(|x| x.0.clone()).collect()
                }
                _ => Vec::new(),
            })
            .unwrap_or_default()
    };
    // Comments and reasons are gathered apart while the spec is borrowed.
    let mut scratch = Draft::default();
    for (i, job) in d.spec.jobs.iter_mut().enumerate() {
        let (Some(ty), Some(label)) = (&job.resource_type, &job.address) else {
            continue;
        };
        let address = format!("{ty}.{label}");
        let field = format!("jobs[{i}].depends_on");
        let from = derived(&address);
        if let Some(spec) = depends_diff(ctx, &mut scratch, &address, &field, &from, &managed) {
            job.depends_on = spec;
        }
    }
    if let Some(address) = d.deployment_address()
        && let Some(dep) = d.spec.deployment.as_mut()
    {
        let from = derived(&address);
        let field = "deployment.depends_on";
        if let Some(spec) = depends_diff(ctx, &mut scratch, &address, field, &from, &managed) {
            dep.depends_on = spec;
        }
    }
    d.reasons.append(&mut scratch.reasons);
    d.consumed.append(&mut scratch.consumed);
}

/// The `depends_on` field of the object at `address` (`None` when the stack's list is
/// not one the spec can say), given what the model derives.
fn depends_diff(
    ctx: &Ctx,
    scratch: &mut Draft,
    address: &str,
    field: &str,
    derived: &[String],
    managed: &[String],
) -> Option<Option<DependsOnSpec>> {
    let v = ctx.input.get(&ctx.at(address))?;
    let listed: Vec<String> = match get(v, "depends_on") {
        Some(Value::List(items) | Value::Set(items)) => items
            .iter()
            .map(|i| ctx.unscoped(&i.to_string()).to_owned())
            .collect(),
        _ => Vec::new(),
    };
    let add: Vec<String> = listed
        .iter()
        .filter(|l| !derived.contains(l))
        .cloned()
        .collect();
    if add.iter().any(|a| !managed.contains(a) || a == address) {
        return None;
    }
    let drop: Vec<String> = derived
        .iter()
        .filter(|l| !listed.contains(l))
        .cloned()
        .collect();
    if add.is_empty() && drop.is_empty() {
        return Some(None);
    }
    let drop_why = if drop.is_empty() {
        None
    } else {
        let above = ctx.above(scratch, address, &[attr("depends_on")]);
        let why = text(above.take(scratch)).or_else(|| depends_on_comment(ctx, scratch, address));
        Some(why.unwrap_or_else(|| {
            scratch.reasons.push(format!("{field}.drop_why"));
            NO_REASON.to_owned()
        }))
    };
    Some(Some(DependsOnSpec {
        add,
        drop,
        drop_why,
    }))
}

/// The reason dlgen writes for a `depends_on` it empties: a `# depends_on: <why>` comment
/// at the end of the object's body (there is no `depends_on` to write it above), taken.
fn depends_on_comment(ctx: &Ctx, d: &mut Draft, address: &str) -> Option<String> {
    use hcl_edit::Span as _;
    let top = ctx.src.top(&ctx.at(address))?;
    let span = top.block.span()?;
    let file = top.file;
    let first = file.line_of(span.start);
    let lines: Vec<&str> = file.text[span].lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim_start().starts_with("# depends_on: "))?;
    let mut why = Vec::new();
    for (i, line) in lines.iter().enumerate().skip(start) {
        let Some(t) = line.trim().strip_prefix('#') else {
            break;
        };
        d.consumed.insert((file.name.clone(), first + i));
        why.push(t.trim().to_owned());
    }
    let joined = why.join(" ");
    Some(joined.strip_prefix("depends_on: ")?.trim().to_owned())
}

/// A Deployment with block storage that does not use `Recreate` (the stack rolls it, or
/// writes no strategy): a deviation from the repo's rule the spec states with
/// `strategy_why`. Its reason is the `# dlgen:allow rwo-recreate <why>` line above the
/// Deployment, or the comment above its `strategy` block; else the reviewer is asked.
pub(super) fn rolling_block_storage(ctx: &Ctx, d: &mut Draft, address: &str) {
    use crate::spec::Storage as S;
    let rolls = matches!(
        d.spec.strategy,
        Some(Strategy::RollingUpdate | Strategy::Unset)
    );
    let block = d
        .spec
        .volumes
        .iter()
        .any(|v| matches!(v.storage, Some(S::ProxmoxLvm | S::ProxmoxLvmEncrypted)));
    if !rolls || !block || d.spec.strategy_why.is_some() {
        return;
    }
    let allowed = ctx.node_start(address, &[]).and_then(|(file, start)| {
        file.comment_above(start)
            .into_iter()
            .find_map(|(line, text)| {
                let (rule, why) = allow(&text)?;
                (rule == "rwo-recreate" && !why.is_empty()).then(|| {
                    d.consumed.insert((file.name.clone(), line));
                    why.to_owned()
                })
            })
    });
    let rolling = d.spec.strategy == Some(Strategy::RollingUpdate);
    let why = match allowed {
        Some(w) => Some(w),
        None if rolling => {
            let lines = ctx.above(d, address, &[b("spec", 0), b("strategy", 0)]);
            text(lines.take(d))
        }
        None => None,
    };
    d.spec.strategy_why = Some(why.unwrap_or_else(|| {
        d.reasons.push("strategy_why".to_owned());
        NO_REASON.to_owned()
    }));
}
