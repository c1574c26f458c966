//! The stack's jobs: CronJobs and one-shot Jobs on the general pod model. App jobs come
//! from the spec's `jobs`; the backup and integrity-check CronJobs of block storage are
//! presets of the same parts (`storage`).

use super::link::DependsRequest;
use super::pod::{self, PodInput};
use super::problems::Problems;
use super::refs::Refs;
use super::types::*;
use super::workload::{annotations, apply_ignores, dedupe_allow, labels, resource_type};
use super::{Ctx, adopt};
use crate::conventions as cv;
use crate::hcl;
use crate::spec::{ConcurrencyPolicy, JobSpec, RestartPolicy, Spec};
use crate::validate;

/// What a job object is made of, resolved.
pub(crate) struct JobParts {
    pub address: String,
    pub resource_type: String,
    pub comment: Option<String>,
    /// `count = var.<flag> ? 1 : 0`, when the job is created only with the flag.
    pub count: Option<Expr>,
    pub metadata: Metadata,
    /// A CronJob's schedule and settings; a one-shot Job without.
    pub cron: Option<CronParts>,
    pub job: JobTemplate,
    pub wait_for_completion: Option<bool>,
    pub timeouts: Vec<Entry>,
    pub lifecycle: Option<Lifecycle>,
    pub allow: Vec<Allow>,
    pub raw: Option<Raw>,
}

/// The settings of a CronJob.
pub(crate) struct CronParts {
    pub schedule: Value,
    pub concurrency_policy: Option<String>,
    pub failed_jobs_history_limit: Option<u32>,
    pub starting_deadline_seconds: Option<u32>,
    pub successful_jobs_history_limit: Option<u32>,
    pub suspend: Option<Expr>,
    pub suspend_comment: Option<String>,
    pub timezone: Option<String>,
}

/// The object of a job.
pub(crate) fn object(parts: JobParts) -> Object {
    let body = match parts.cron {
        Some(cron) => Body::CronJob(CronJob {
            count: parts.count,
            metadata: parts.metadata,
            concurrency_policy: cron.concurrency_policy,
            failed_jobs_history_limit: cron.failed_jobs_history_limit,
            schedule: cron.schedule,
            starting_deadline_seconds: cron.starting_deadline_seconds,
            successful_jobs_history_limit: cron.successful_jobs_history_limit,
            suspend: cron.suspend,
            suspend_comment: cron.suspend_comment,
            timezone: cron.timezone,
            job: parts.job,
            lifecycle: parts.lifecycle,
            depends_on: Vec::new(),
            depends_on_comment: None,
        }),
        None => Body::Job(Job {
            count: parts.count,
            metadata: parts.metadata,
            wait_for_completion: parts.wait_for_completion,
            job: parts.job,
            timeouts: parts.timeouts,
            lifecycle: parts.lifecycle,
            depends_on: Vec::new(),
            depends_on_comment: None,
        }),
    };
    let mut object = Object::new(
        Address::resource(&parts.resource_type, &parts.address),
        body,
    );
    object.comment = parts.comment;
    object.allow = parts.allow;
    object.raw = parts.raw;
    object
}

/// The conventions' `ignore_changes` of a job: Kyverno's `dns_config`, with its comment.
pub(crate) fn job_ignores(cron: bool) -> (Vec<Ignore>, &'static str) {
    if cron {
        (
            vec![ignore(cv::ignore::CRON_DNS_CONFIG, None)],
            cv::lifecycle_comments::CRON_DNS_CONFIG,
        )
    } else {
        (
            vec![ignore(cv::ignore::POD_DNS_CONFIG, None)],
            cv::lifecycle_comments::JOB_DNS_CONFIG,
        )
    }
}

/// The app jobs of the spec, each with its `depends_on` request.
pub(crate) fn app_jobs(
    p: &mut Problems,
    ctx: &Ctx,
    spec: &Spec,
    refs: &mut Refs,
    own_image: Option<&Expr>,
    app_labels: Option<&Obj>,
) -> Vec<(Object, DependsRequest)> {
    let mut out = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for (i, j) in spec.jobs.iter().enumerate() {
        let at = format!("jobs[{i}]");
        let name = match &j.name {
            Some(n) => {
                p.check(&format!("{at}.name"), "job name", n, validate::dns_label(n));
                n.clone()
            }
            None => ctx.name.clone(),
        };
        if names.contains(&name) {
            p.add(
                format!("{at}.name"),
                format!("duplicate job name `{name}`"),
                Some("every job needs its own `name`".to_owned()),
            );
        }
        names.push(name.clone());
        if j.address.is_none() {
            p.check(
                &format!("{at}.name"),
                "job name",
                &name,
                super::starts_with_letter(&name),
            );
        }
        let parts = app_job(p, ctx, &at, j, name, refs, own_image, app_labels);
        let object = object(parts);
        let request = DependsRequest {
            reference: object.address.reference(),
            at: format!("{at}.depends_on"),
            spec: j.depends_on.clone(),
        };
        out.push((object, request));
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn app_job(
    p: &mut Problems,
    ctx: &Ctx,
    at: &str,
    j: &JobSpec,
    name: String,
    refs: &mut Refs,
    own_image: Option<&Expr>,
    app_labels: Option<&Obj>,
) -> JobParts {
    let jat = |field: &str| format!("{at}.{field}");
    let cron = j.schedule.is_some();
    if cron {
        for (field, set) in [
            ("wait_for_completion", j.wait_for_completion.is_some()),
            ("timeouts", j.timeouts.is_some()),
        ] {
            if set {
                p.add(
                    jat(field),
                    format!("`{field}` applies to a one-shot Job (a job without `schedule`)"),
                    None,
                );
            }
        }
    } else {
        for (field, set) in [
            ("timezone", j.timezone.is_some()),
            ("concurrency_policy", j.concurrency_policy.is_some()),
            ("suspend", j.suspend.is_some()),
            ("suspend_unless", j.suspend_unless.is_some()),
            (
                "successful_jobs_history_limit",
                j.successful_jobs_history_limit.is_some(),
            ),
            (
                "failed_jobs_history_limit",
                j.failed_jobs_history_limit.is_some(),
            ),
            (
                "starting_deadline_seconds",
                j.starting_deadline_seconds.is_some(),
            ),
            ("job_labels", !j.job_labels.0.is_empty()),
        ] {
            if set {
                p.add(
                    jat(field),
                    format!("`{field}` applies to a CronJob (a job with a `schedule`)"),
                    Some("add `schedule:`, or remove it".to_owned()),
                );
            }
        }
    }
    if j.containers.is_empty() {
        p.missing(
            &jat("containers"),
            "the job's container, e.g. `containers: [{image: docker.io/library/python:3.12-alpine, command: [python3, /scripts/job.py]}]`",
        );
    }

    // --- volumes --------------------------------------------------------------------------
    let mut volumes = Vec::new();
    let mut mounts = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    let mut seen_mounts: Vec<String> = Vec::new();
    for (vi, vol) in j.volumes.iter().enumerate() {
        let vat = format!("{at}.volumes[{vi}]");
        let vname = match &vol.name {
            Some(n) => {
                p.check(
                    &format!("{vat}.name"),
                    "volume name",
                    n,
                    validate::dns_label(n),
                );
                if seen.contains(&n.as_str()) {
                    p.add(
                        format!("{vat}.name"),
                        format!("duplicate volume name `{n}`"),
                        None,
                    );
                }
                seen.push(n);
                n.clone()
            }
            None => {
                p.missing(&format!("{vat}.name"), "the volume's name in the pod");
                String::new()
            }
        };
        if vol.storage.is_some() {
            p.add(
                format!("{vat}.storage"),
                "a job does not declare storage: the stack's volumes are declared at the top level",
                Some("mount one with `claim: <its claim name>`".to_owned()),
            );
            continue;
        }
        if let Some(source) = pod::volume_source(p, ctx, refs, &vat, vol) {
            volumes.push(Volume {
                name: vname.clone(),
                source,
                comment: vol.comment.clone(),
            });
        }
        super::storage::short_mount(p, &vat, vol, &vname, &mut mounts, &mut seen_mounts);
    }

    // --- pod --------------------------------------------------------------------------------
    let settings = j.pod_settings();
    if app_labels.is_none() {
        for (field, set) in [
            ("pod_affinity", settings.pod_affinity.is_some()),
            ("anti_affinity", settings.anti_affinity.is_some()),
            ("topology_spread", !settings.topology_spread.is_empty()),
        ] {
            if set {
                p.add(
                    jat(field),
                    format!(
                        "`{field}` is relative to the app's pods, and this stack has no Deployment"
                    ),
                    None,
                );
            }
        }
    }
    let built = pod::pod(
        p,
        ctx,
        refs,
        own_image,
        PodInput {
            containers_at: jat("containers"),
            containers: &j.containers,
            init_at: jat("init_containers"),
            init_containers: &j.init_containers,
            settings_at: at.to_owned(),
            settings,
            dns_options: &j.dns_options,
            default_name: name.clone(),
            volumes,
            app_mounts: mounts,
            app_labels: app_labels.cloned().unwrap_or_default(),
            keel: false,
            keel_opted_out: false,
            app_needs_resources: false,
        },
    );
    let mut pod = built.pod;
    pod.raw = adopt::raw(p, &jat("pod_raw"), &j.pod_raw);
    let mut allow = built.allow;
    let (default_backoff, default_restart) = if cron {
        (cv::jobs::CRON_BACKOFF_LIMIT, cv::jobs::CRON_RESTART_POLICY)
    } else {
        (cv::jobs::JOB_BACKOFF_LIMIT, cv::jobs::JOB_RESTART_POLICY)
    };
    pod.restart_policy = match j.restart_policy {
        None => Some(default_restart.to_owned()),
        Some(None) => None,
        Some(Some(RestartPolicy::OnFailure)) => Some("OnFailure".to_owned()),
        Some(Some(RestartPolicy::Never)) => Some("Never".to_owned()),
    };

    // --- the job ----------------------------------------------------------------------------
    let job = JobTemplate {
        labels: Obj::lines(labels(p, &jat("job_labels"), &j.job_labels)).non_empty(),
        active_deadline_seconds: j.active_deadline_seconds,
        backoff_limit: j.backoff_limit.unwrap_or(Some(default_backoff)),
        ttl_seconds_after_finished: j.ttl_seconds_after_finished,
        pod_labels: Obj::lines(labels(p, &jat("pod_labels"), &j.pod_labels)).non_empty(),
        pod_annotations: Obj::lines(annotations(
            p,
            refs,
            &jat("pod_annotations"),
            &j.pod_annotations,
        ))
        .non_empty(),
        pod,
    };
    let cron_parts = j.schedule.as_ref().map(|schedule| {
        // Text is checked as a schedule; another form is the stack's to hold one.
        let schedule = match schedule {
            crate::spec::ValueSpec::Scalar(s) => {
                let text = super::refs::scalar_text(s);
                p.check(
                    &jat("schedule"),
                    "schedule",
                    &text,
                    validate::cron_schedule(&text),
                );
                Value::Str(text)
            }
            form => refs.value(p, &jat("schedule"), form),
        };
        if let Some(tz) = &j.timezone {
            let ok = !tz.is_empty()
                && tz
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-' | b'+'));
            if !ok {
                p.invalid(
                    &jat("timezone"),
                    "time zone",
                    tz,
                    "is not a time zone name (e.g. `Europe/London`)",
                );
            }
        }
        let suspend = match (j.suspend, &j.suspend_unless) {
            (Some(_), Some(_)) => {
                p.add(
                    jat("suspend_unless"),
                    "`suspend_unless` and `suspend` both set `suspend`",
                    Some("keep one of them".to_owned()),
                );
                None
            }
            (Some(s), None) => Some(Expr::new(s.to_string())),
            (None, Some(flag)) => {
                flag_var(p, refs, &jat("suspend_unless"), flag).map(|var| Expr(format!("!{var}")))
            }
            (None, None) => None,
        };
        let suspend_comment = match (suspend.is_some(), Problems::why(&j.suspend_why)) {
            (true, None) if j.suspend == Some(true) => {
                p.add(
                    jat("suspend"),
                    "a suspended CronJob needs a written reason",
                    Some("add `suspend_why:`, written above it".to_owned()),
                );
                None
            }
            (true, Some(_)) => j.suspend_why.clone(),
            (false, Some(_)) => {
                p.add(
                    jat("suspend_why"),
                    "`suspend_why` explains `suspend`, which is not set",
                    None,
                );
                None
            }
            (_, None) => None,
        };
        CronParts {
            schedule: schedule.clone(),
            concurrency_policy: match j.concurrency_policy {
                None => Some(cv::jobs::CONCURRENCY_POLICY.to_owned()),
                Some(None) => None,
                Some(Some(c)) => Some(
                    match c {
                        ConcurrencyPolicy::Allow => "Allow",
                        ConcurrencyPolicy::Forbid => "Forbid",
                        ConcurrencyPolicy::Replace => "Replace",
                    }
                    .to_owned(),
                ),
            },
            failed_jobs_history_limit: j
                .failed_jobs_history_limit
                .unwrap_or(Some(cv::jobs::FAILED_JOBS_HISTORY_LIMIT)),
            starting_deadline_seconds: j.starting_deadline_seconds,
            successful_jobs_history_limit: j
                .successful_jobs_history_limit
                .unwrap_or(Some(cv::jobs::SUCCESSFUL_JOBS_HISTORY_LIMIT)),
            suspend,
            suspend_comment,
            timezone: j.timezone.clone(),
        }
    });
    let timeouts = j.timeouts.as_ref().map_or_else(Vec::new, |t| {
        let mut entries = Vec::new();
        for (field, value) in [
            ("create", &t.create),
            ("update", &t.update),
            ("delete", &t.delete),
        ] {
            if let Some(v) = value {
                let ok = !v.is_empty()
                    && v.trim_end_matches(['h', 'm', 's'])
                        .bytes()
                        .all(|b| b.is_ascii_digit() || b == b'.')
                    && v.ends_with(['h', 'm', 's']);
                if !ok {
                    p.invalid(
                        &jat(&format!("timeouts.{field}")),
                        "duration",
                        v,
                        "is not a duration (e.g. `2m`, `90s`, `1h`)",
                    );
                }
                entries.push(entry(field, v.as_str()));
            }
        }
        if entries.is_empty() {
            p.add(
                jat("timeouts"),
                "`timeouts` sets none of `create`, `update`, `delete`",
                None,
            );
        }
        entries
    });
    let (entries, comment) = job_ignores(cron);
    let (lifecycle, lifecycle_allow) = apply_ignores(
        p,
        &jat("ignore_changes"),
        &j.ignore_changes,
        entries,
        Some(comment),
        false,
    );
    allow.extend(lifecycle_allow);
    dedupe_allow(&mut allow);
    let types: &[&str] = if cron {
        &cv::jobs::CRON_TYPES
    } else {
        &cv::jobs::JOB_TYPES
    };
    let resource_type = resource_type(p, &jat("resource_type"), &j.resource_type, types);
    let count = j
        .created_if
        .as_ref()
        .and_then(|flag| flag_var(p, refs, &jat("created_if"), flag))
        .map(|var| Expr(format!("{var} ? 1 : 0")));
    JobParts {
        address: adopt::address(p, &jat("address"), &j.address, || hcl::snake(&name)),
        resource_type,
        comment: j.comment.clone(),
        count,
        metadata: Metadata {
            name,
            namespace: ctx.ns_ref.clone().into(),
            labels: Obj::lines(labels(p, &jat("labels"), &j.labels)).non_empty(),
            annotations: None,
        },
        cron: cron_parts,
        job,
        wait_for_completion: if cron {
            None
        } else {
            j.wait_for_completion
                .unwrap_or(Some(cv::jobs::JOB_WAIT_FOR_COMPLETION))
        },
        timeouts,
        lifecycle,
        allow,
        raw: adopt::raw(p, &jat("raw"), &j.raw),
    }
}

/// `var.<flag>` of a boolean variable the job uses (`suspend_unless`, `created_if` at
/// spec path `at`), declared `bool` unless `variables:` gives its default; `None` when
/// the name is not a variable's.
fn flag_var(p: &mut Problems, refs: &mut Refs, at: &str, flag: &str) -> Option<String> {
    if let Err(why) = super::refs::variable_name(flag) {
        p.invalid(at, "variable name", flag, &why);
        return None;
    }
    refs.var(flag);
    if !refs.flags.iter().any(|f| f == flag) {
        refs.flags.push(flag.to_owned());
    }
    Some(format!("var.{flag}"))
}
