//! Volumes (block-storage PVCs and NFS modules) and the backup CronJobs of block storage.

use super::jobs::{self, CronParts, JobParts};
use super::pod;
use super::problems::Problems;
use super::refs::Refs;
use super::types::*;
use super::{Ctx, adopt, scripts};
use crate::conventions as cv;
use crate::hcl;
use crate::spec::{BackupKind, Scalar, Spec, Storage, ValueSpec, VolumeSpec};
use crate::validate;

/// The volumes of a stack, resolved.
pub(crate) struct Volumes {
    /// The PVC objects, in spec order.
    pub pvcs: Vec<Object>,
    /// The NFS volume module calls, in spec order.
    pub nfs: Vec<Object>,
    /// Pod `volume` blocks, in spec order.
    pub pod_volumes: Vec<Volume>,
    /// `volume_mount` blocks of the first container, in spec order.
    pub mounts: Vec<Mount>,
    /// The block-storage volumes (pod volume name and claim reference).
    pub block: Vec<(String, Expr)>,
    /// Whether an NFS module reads `var.nfs_server`.
    pub nfs_var: bool,
}

/// `var.nfs_server`.
fn nfs_server_var() -> Value {
    Value::Expr(Expr(format!("var.{}", cv::repo::NFS_SERVER_VARIABLE)))
}

/// A call of the repo's `nfs_volume` module: a PV and its claim for an NFS export.
fn nfs_module(
    ctx: &Ctx,
    address: &str,
    name: String,
    server: Value,
    path: String,
    storage: Option<String>,
    access_modes: Option<Vec<String>>,
) -> Object {
    let mut args = vec![
        arg("name", name),
        arg("namespace", ctx.ns_ref.clone()),
        arg("nfs_server", server),
        arg("nfs_path", path),
    ];
    if let Some(storage) = storage {
        args.push(arg("storage", storage));
    }
    if let Some(modes) = access_modes {
        args.push(arg(
            "access_modes",
            Value::List(modes.into_iter().map(Value::Str).collect()),
        ));
    }
    Object::new(
        Address::module(address),
        Body::ModuleCall(ModuleCall {
            source: format!("{}/{}", cv::repo::MODULES, cv::repo::NFS_MODULE),
            args,
        }),
    )
}

/// The short `mount` of a volume (with `read_only` and `sub_path`): a mount of the app
/// container. `seen` holds the mount paths so far, each used once.
pub(crate) fn short_mount(
    p: &mut Problems,
    at: &str,
    vol: &VolumeSpec,
    name: &str,
    mounts: &mut Vec<Mount>,
    seen: &mut Vec<String>,
) {
    let at = |field: &str| format!("{at}.{field}");
    if let Some(m) = &vol.mount {
        p.check(&at("mount"), "mount path", m, validate::absolute_path(m));
        if seen.contains(m) {
            p.add(
                at("mount"),
                format!("mount path `{m}` is used by two volumes"),
                Some("every volume needs its own mount path".to_owned()),
            );
        }
        seen.push(m.clone());
        if let Some(sub) = &vol.sub_path {
            p.check(
                &at("sub_path"),
                "sub path",
                sub,
                validate::relative_path(sub),
            );
        }
        mounts.push(Mount {
            name: name.to_owned(),
            mount_path: m.clone(),
            sub_path: vol.sub_path.clone(),
            read_only: vol.read_only,
        });
    } else {
        if vol.read_only {
            p.add(
                at("read_only"),
                "`read_only` applies to a mount, and this volume has no `mount`",
                Some("add `mount: /path`, or remove `read_only`".to_owned()),
            );
        }
        if vol.sub_path.is_some() {
            p.add(
                at("sub_path"),
                "`sub_path` applies to a mount, and this volume has no `mount`",
                Some("add `mount: /path`, or remove `sub_path`".to_owned()),
            );
        }
    }
}

/// Access modes a claim can ask for.
const ACCESS_MODES: [&str; 4] = [
    "ReadWriteOnce",
    "ReadOnlyMany",
    "ReadWriteMany",
    "ReadWriteOncePod",
];

/// The claim's own name, when the spec gives one: checked to be a DNS-1123 subdomain-like
/// name (a DNS label per dot-separated part).
fn claim_name(p: &mut Problems, at: &str, name: &Option<String>) -> Option<String> {
    let name = name.as_ref()?;
    let ok = name.len() <= 253 && name.split('.').all(|l| validate::dns_label(l).is_ok());
    if !ok {
        p.invalid(
            at,
            "claim name",
            name,
            "is not a Kubernetes object name (lower-case letters, digits, `-` and `.`, e.g. `app-data`)",
        );
    }
    Some(name.clone())
}

pub(crate) fn volumes(p: &mut Problems, ctx: &Ctx, spec: &Spec, refs: &mut Refs) -> Volumes {
    let mut v = Volumes {
        pvcs: Vec::new(),
        nfs: Vec::new(),
        pod_volumes: Vec::new(),
        mounts: Vec::new(),
        block: Vec::new(),
        nfs_var: false,
    };
    let mut seen_names: Vec<&str> = Vec::new();
    let mut seen_mounts: Vec<String> = Vec::new();
    for (i, vol) in spec.volumes.iter().enumerate() {
        let at = |field: &str| format!("volumes[{i}].{field}");
        let vname = match &vol.name {
            Some(n) => {
                p.check(&at("name"), "volume name", n, validate::dns_label(n));
                if seen_names.contains(&n.as_str()) {
                    p.add(
                        at("name"),
                        format!("duplicate volume name `{n}`"),
                        Some("every volume needs its own name".to_owned()),
                    );
                }
                seen_names.push(n);
                n.clone()
            }
            None => {
                p.missing(
                    &at("name"),
                    "the volume's name in the pod, e.g. `name: data`",
                );
                format!("volume{i}")
            }
        };
        short_mount(
            p,
            &format!("volumes[{i}]"),
            vol,
            &vname,
            &mut v.mounts,
            &mut seen_mounts,
        );
        let size = vol.size.as_ref().map(|s| {
            let q = validate::quantity(s);
            if let Err(why) = &q {
                p.invalid(&at("size"), "size", s, why);
            }
            (s.clone(), q.ok())
        });
        let in_pod = vol.pod.unwrap_or(cv::nfs::IN_POD);
        if vol.pod.is_some() && vol.storage != Some(Storage::Nfs) {
            p.add(
                at("pod"),
                "`pod` applies to NFS volumes only",
                Some("a volume of any other storage or source is a volume of the pod".to_owned()),
            );
        } else if !in_pod && vol.mount.is_some() {
            p.add(
                at("mount"),
                "a volume with `pod: false` is not a volume of the Deployment's pod, and cannot be mounted there",
                Some("remove `mount`, or `pod: false`".to_owned()),
            );
        }
        let Some(storage) = vol.storage else {
            if let Some(source) = pod::volume_source(p, ctx, refs, &format!("volumes[{i}]"), vol) {
                v.pod_volumes.push(Volume {
                    name: vname,
                    source,
                    comment: vol.comment.clone(),
                });
            }
            continue;
        };
        for (field, set) in [
            ("empty_dir", vol.empty_dir.is_some()),
            ("config_map", vol.config_map.is_some()),
            ("secret", vol.secret.is_some()),
            ("host_path", vol.host_path.is_some()),
            ("claim", vol.claim.is_some()),
            ("nfs", vol.nfs.is_some()),
        ] {
            if set {
                p.add(
                    at(field),
                    format!("a volume has one source, and this one has `storage` and `{field}`"),
                    Some("declare two volumes".to_owned()),
                );
            }
        }
        match storage {
            Storage::ProxmoxLvmEncrypted | Storage::ProxmoxLvm => {
                let (class, suffix) = if storage == Storage::ProxmoxLvm {
                    (cv::pvc::PLAIN_CLASS, "proxmox")
                } else {
                    (cv::pvc::ENCRYPTED_CLASS, "encrypted")
                };
                for (field, set) in [
                    ("path", vol.path.is_some()),
                    ("server", vol.server.is_some()),
                    ("access_modes", vol.access_modes.is_some()),
                ] {
                    if set {
                        p.add(
                            at(field),
                            format!("`{field}` applies to NFS volumes only"),
                            Some(format!(
                                "remove it, or use `storage: nfs`; a `{class}` volume is a ReadWriteOnce PVC"
                            )),
                        );
                    }
                }
                let (size, size_q) = size.unwrap_or_else(|| {
                    let q = validate::quantity(cv::pvc::DEFAULT_SIZE).ok();
                    (cv::pvc::DEFAULT_SIZE.to_owned(), q)
                });
                // The size from a shared variable: no quantity to check the ceiling by.
                let (size_value, size_q) = match &vol.size_var {
                    None => (Value::Str(size.clone()), size_q),
                    Some(var) => {
                        if vol.size.is_some() {
                            p.add(
                                at("size_var"),
                                "the size is `size` or `size_var`, not both",
                                Some("remove one".to_owned()),
                            );
                        }
                        if !hcl::is_identifier(var) {
                            p.invalid(
                                &at("size_var"),
                                "variable name",
                                var,
                                "is not an identifier (letters, digits and `_`, not starting with a digit)",
                            );
                        }
                        refs.var(var);
                        (Value::Expr(Expr(format!("var.{var}"))), None)
                    }
                };
                let max = match &vol.max_size {
                    Some(m) => {
                        match validate::quantity(m) {
                            Ok(max_q) if size_q.is_some_and(|s| max_q < s) => p.add(
                                at("max_size"),
                                format!(
                                    "autoresize ceiling `{m}` is below the requested size `{size}`"
                                ),
                                Some("the ceiling must be at least the size".to_owned()),
                            ),
                            Ok(_) => {}
                            Err(why) => p.invalid(&at("max_size"), "max_size", m, &why),
                        }
                        m.clone()
                    }
                    None => cv::pvc::DEFAULT_MAX_SIZE.to_owned(),
                };
                let mut allow = Vec::new();
                let wait_until_bound = vol.wait_until_bound.unwrap_or(false);
                match (wait_until_bound, Problems::why(&vol.wait_until_bound_why)) {
                    (true, Some(why)) => allow.push(Allow {
                        rule: "pvc-wait-until-bound",
                        why,
                    }),
                    (true, None) => p.add(
                        at("wait_until_bound"),
                        "leaving out `wait_until_bound = false` breaks a convention and needs a written reason",
                        Some("add `wait_until_bound_why:`".to_owned()),
                    ),
                    (false, _) if vol.wait_until_bound_why.is_some() => p.add(
                        at("wait_until_bound_why"),
                        "`wait_until_bound_why` explains `wait_until_bound: true`, which is not set",
                        None,
                    ),
                    _ => {}
                }
                if vol.address.is_none() {
                    p.check(
                        &at("name"),
                        "volume name",
                        &vname,
                        super::starts_with_letter(&vname),
                    );
                }
                let address =
                    adopt::address(p, &at("address"), &vol.address, || hcl::snake(&vname));
                let ty = super::workload::resource_type(
                    p,
                    &at("resource_type"),
                    &vol.resource_type,
                    &cv::pvc::TYPES,
                );
                let claim = Expr(format!("{ty}.{address}.metadata[0].name"));
                let autoresize = vol.autoresize.unwrap_or(true);
                let ignore_requests = vol.ignore_requests.unwrap_or(autoresize);
                match (autoresize, Problems::why(&vol.autoresize_why)) {
                    (false, Some(why)) => {
                        if vol.max_size.is_some() {
                            p.add(
                                at("max_size"),
                                "`max_size` is the autoresizer's ceiling, and the autoresizer is off",
                                Some("remove `max_size`, or `autoresize: false`".to_owned()),
                            );
                        }
                        allow.push(Allow {
                            rule: "pvc-autoresize-annotations",
                            why,
                        });
                    }
                    (false, None) => p.add(
                        at("autoresize"),
                        "leaving out the autoresizer breaks a convention and needs a written reason",
                        Some("add `autoresize_why:`".to_owned()),
                    ),
                    (true, _) if vol.autoresize_why.is_some() => p.add(
                        at("autoresize_why"),
                        "`autoresize_why` explains `autoresize: false`, which is not set",
                        None,
                    ),
                    _ => {}
                }
                // The requests are ignored unless the spec says why not (without the
                // autoresizer, its reason says it too).
                let ignore_why = Problems::why(&vol.ignore_requests_why).or_else(|| {
                    (!autoresize)
                        .then(|| Problems::why(&vol.autoresize_why))
                        .flatten()
                });
                match (ignore_requests, ignore_why) {
                    (false, Some(why)) => allow.push(Allow {
                        rule: "pvc-ignore-requests",
                        why,
                    }),
                    (false, None) if autoresize => p.add(
                        at("ignore_requests"),
                        "leaving out the `ignore_changes` of the requests the autoresizer grows breaks a convention and needs a written reason",
                        Some("add `ignore_requests_why:`".to_owned()),
                    ),
                    (true, _) if vol.ignore_requests_why.is_some() => p.add(
                        at("ignore_requests_why"),
                        "`ignore_requests_why` explains `ignore_requests: false`, which is not set",
                        None,
                    ),
                    _ => {}
                }
                // How the autoresizer grows it: the conventions' defaults, or the spec's.
                let mut resize = |field: &str, value: &Option<String>, default: &str| match value {
                    Some(v) if !autoresize => {
                        p.add(
                            at(field),
                            format!("`{field}` sets the autoresizer, which is off"),
                            Some(format!("remove `{field}`, or `autoresize: false`")),
                        );
                        v.clone()
                    }
                    Some(v) => {
                        p.check(
                            &at(field),
                            "autoresizer setting",
                            v,
                            validate::percent_or_quantity(v),
                        );
                        v.clone()
                    }
                    None => default.to_owned(),
                };
                let threshold = resize(
                    "resize_threshold",
                    &vol.resize_threshold,
                    cv::autoresize::THRESHOLD_DEFAULT,
                );
                let increase = resize(
                    "resize_increase",
                    &vol.resize_increase,
                    cv::autoresize::INCREASE_DEFAULT,
                );
                let name = claim_name(p, &at("claim_name"), &vol.claim_name)
                    .unwrap_or_else(|| format!("{}-{vname}-{suffix}", ctx.name));
                let mut pvc = Object::new(
                    Address::resource(&ty, &address),
                    Body::Pvc(Pvc {
                        wait_until_bound: (!wait_until_bound).then_some(false),
                        name,
                        namespace: ctx.ns_ref.clone().into(),
                        annotations: autoresize.then(|| {
                            Obj::lines(vec![
                                entry(cv::autoresize::THRESHOLD, threshold),
                                entry(cv::autoresize::INCREASE, increase),
                                entry(cv::autoresize::STORAGE_LIMIT, max),
                            ])
                        }),
                        access_modes: vec![cv::pvc::ACCESS_MODE.to_owned()],
                        storage_class: class.to_owned(),
                        requests: Obj::lines(vec![entry("storage", size_value)]),
                        lifecycle: ignore_requests.then(|| Lifecycle {
                            comment: Some(cv::lifecycle_comments::PVC_AUTORESIZE.to_owned()),
                            ignore_changes: vec![ignore(cv::ignore::PVC_REQUESTS, None)],
                            multiline: false,
                        }),
                    }),
                );
                pvc.comment = vol.comment.clone();
                pvc.allow = allow;
                pvc.raw = adopt::raw(p, &at("raw"), &vol.raw);
                v.pvcs.push(pvc);
                v.pod_volumes.push(Volume {
                    name: vname.clone(),
                    source: VolumeSource::Pvc {
                        claim_name: claim.clone().into(),
                    },
                    comment: None,
                });
                v.block.push((vname, claim));
            }
            Storage::Nfs => {
                if vol.max_size.is_some() {
                    p.add(
                        at("max_size"),
                        "`max_size` applies to block storage only",
                        Some("NFS volumes do not autoresize; remove it".to_owned()),
                    );
                }
                if vol.wait_until_bound.is_some() || vol.wait_until_bound_why.is_some() {
                    p.add(
                        at("wait_until_bound"),
                        "`wait_until_bound` applies to block storage only",
                        None,
                    );
                }
                if vol.size_var.is_some() {
                    p.add(
                        at("size_var"),
                        "`size_var` applies to block storage only",
                        Some("write the NFS volume's `size`".to_owned()),
                    );
                }
                for (field, set) in pvc_settings(vol) {
                    if set {
                        p.add(
                            at(field),
                            format!("`{field}` applies to block storage only"),
                            None,
                        );
                    }
                }
                // The cluster's NFS server: `var.nfs_server` (the default) or its address.
                let (server, cluster_server) = match &vol.server {
                    None => {
                        v.nfs_var = true;
                        (nfs_server_var(), true)
                    }
                    Some(ValueSpec::Scalar(Scalar::Str(host))) => {
                        p.check(&at("server"), "NFS server", host, validate::host(host));
                        (Value::Str(host.clone()), host == cv::nfs::SERVER)
                    }
                    Some(ValueSpec::Var(var)) => {
                        let value = refs.value(p, &at("server"), &ValueSpec::Var(var.clone()));
                        (value, var == cv::repo::NFS_SERVER_VARIABLE)
                    }
                    Some(_) => {
                        p.add(
                            at("server"),
                            "an NFS server is a host name or address, or a variable",
                            Some(
                                "e.g. `server: 192.168.1.13` or `server: {var: nfs_server}`"
                                    .to_owned(),
                            ),
                        );
                        (Value::Str(String::new()), false)
                    }
                };
                let path = match &vol.path {
                    Some(path) => {
                        p.check(&at("path"), "NFS path", path, validate::absolute_path(path));
                        if cluster_server
                            && !cv::repo::NFS_EXPORTS.iter().any(|e| path.starts_with(e))
                        {
                            p.add(
                                at("path"),
                                format!("NFS path `{path}` is outside the exports of the cluster's NFS server"),
                                Some("it exports /srv/nfs/ (HDD) and /srv/nfs-ssd/ (SSD); an export of another server (a NAS) needs its `server:`".to_owned()),
                            );
                        }
                        path.clone()
                    }
                    None => format!("{}/{}/{vname}", cv::repo::NFS_ROOT, ctx.name),
                };
                if let Some(modes) = &vol.access_modes {
                    for (mi, mode) in modes.iter().enumerate() {
                        if !ACCESS_MODES.contains(&mode.as_str()) {
                            p.add(
                                format!("volumes[{i}].access_modes[{mi}]"),
                                format!("unknown access mode `{mode}`"),
                                Some(format!("use one of {}", ACCESS_MODES.join(", "))),
                            );
                        }
                    }
                }
                let address = adopt::address(p, &at("address"), &vol.address, || {
                    format!("nfs_{}", hcl::snake(&vname))
                });
                if in_pod {
                    v.pod_volumes.push(Volume {
                        name: vname.clone(),
                        source: VolumeSource::NfsModule {
                            claim_name: Expr(format!("module.{address}.claim_name")),
                        },
                        comment: None,
                    });
                }
                let name = claim_name(p, &at("claim_name"), &vol.claim_name)
                    .unwrap_or_else(|| format!("{}-{vname}", ctx.name));
                let mut module = nfs_module(
                    ctx,
                    &address,
                    name,
                    server,
                    path,
                    size.map(|(s, _)| s),
                    vol.access_modes.clone(),
                );
                module.comment = vol.comment.clone();
                module.raw = adopt::raw(p, &at("raw"), &vol.raw);
                v.nfs.push(module);
            }
        }
    }
    v
}

/// The backup CronJob of the stack's block-storage volume (and its optional SQLite
/// integrity check), or the suppressions that record why there is none.
pub(crate) fn backup(
    p: &mut Problems,
    ctx: &Ctx,
    spec: &Spec,
    volumes: &mut Volumes,
    app_labels: &Obj,
) -> Option<Vec<Object>> {
    let b = spec.backup.clone().unwrap_or_default();
    if let Some(job) = &b.job {
        // The stack's own job is the backup (that it names an object of the stack is
        // checked with every reference; that it backs the volume up, by the lint gate).
        if b.enabled.is_some() || b.why.is_some() {
            p.add(
                "backup.job",
                "`job` names the stack's own backup, which needs no switch and no reason",
                Some("remove `enabled` and `why`, or `job`".to_owned()),
            );
        }
        if volumes.block.is_empty() {
            p.add(
                "backup.job",
                format!("there is no block-storage volume for `{job}` to back up"),
                Some("remove `backup:`".to_owned()),
            );
        }
        return None;
    }
    if b.enabled == Some(false) {
        let why = Problems::why(&b.why);
        match why {
            Some(why) => {
                for pvc in &mut volumes.pvcs {
                    pvc.allow.push(Allow {
                        rule: "block-storage-backup",
                        why: why.clone(),
                    });
                }
            }
            None => p.add(
                "backup.enabled",
                "switching off the backup of block storage needs a written reason",
                Some("add `why:` under `backup:`; every proxmox-lvm volume needs a backup CronJob unless there is a reason".to_owned()),
            ),
        }
        if volumes.block.is_empty() {
            p.add(
                "backup",
                "there is no block-storage volume, so there is no backup to switch off",
                Some("remove `backup:`".to_owned()),
            );
        }
        return None;
    }
    if b.why.is_some() {
        p.add(
            "backup.why",
            "`why` explains `enabled: false`, which is not set",
            None,
        );
    }
    if spec.backup.is_none()
        && let Some(i) = spec.volumes.iter().position(|v| {
            matches!(
                v.storage,
                Some(Storage::ProxmoxLvm | Storage::ProxmoxLvmEncrypted)
            )
        })
    {
        p.add(
            format!("volumes[{i}].storage"),
            "a block-storage volume needs a backup CronJob, and the spec has no `backup:`",
            Some("add `backup: {schedule: \"30 1 * * *\"}` (a quiet time for the app), or opt out with `backup: {enabled: false, why: ...}`".to_owned()),
        );
        return None;
    }
    let data_claim = match volumes.block.as_slice() {
        [] => {
            if spec.backup.is_some() {
                p.add(
                    "backup",
                    "a backup CronJob copies a block-storage volume, and this stack has none",
                    Some("remove `backup:`; NFS volumes are backed up on the NFS host".to_owned()),
                );
            }
            return None;
        }
        [(_, claim)] => claim.clone(),
        [first, ..] => {
            p.add(
                "volumes",
                format!(
                    "the backup CronJob copies one block-storage volume, but {} are declared",
                    volumes.block.len()
                ),
                Some(format!(
                    "keep one block-storage volume (now `{}` is backed up)",
                    first.0
                )),
            );
            first.1.clone()
        }
    };
    let backup_schedule = schedule(
        p,
        "backup.schedule",
        &b.schedule,
        "when the backup runs, e.g. `schedule: \"30 1 * * *\"` (pick a quiet time for the app)",
    );
    let retention_days = b.retention_days.unwrap_or(30);
    if retention_days == 0 {
        p.add(
            "backup.retention_days",
            "retention of 0 days would delete every backup as it is made",
            Some("use at least 1 day".to_owned()),
        );
    }
    let kind = b.kind.unwrap_or(BackupKind::Copy);
    let database = match (kind, &b.database) {
        (BackupKind::Sqlite, Some(db)) => {
            p.check(
                "backup.database",
                "database file",
                db,
                validate::relative_path(db),
            );
            Some(db.clone())
        }
        (BackupKind::Sqlite, None) => {
            p.missing(
                "backup.database",
                "the SQLite file, relative to the volume, e.g. `database: db.sqlite3`",
            );
            Some(String::new())
        }
        (BackupKind::Copy, Some(_)) => {
            p.add(
                "backup.database",
                "`database` applies to `kind: sqlite`",
                Some("remove it, or set `kind: sqlite`".to_owned()),
            );
            None
        }
        (BackupKind::Copy, None) => None,
    };
    if kind == BackupKind::Copy && !b.extra_files.is_empty() {
        p.add(
            "backup.extra_files",
            "`extra_files` applies to `kind: sqlite` (a copy takes the whole volume)",
            None,
        );
    }
    for (i, f) in b.extra_files.iter().enumerate() {
        p.check(
            &format!("backup.extra_files[{i}]"),
            "file",
            f,
            validate::relative_path(f),
        );
    }
    let nfs_server = match &b.nfs_server {
        Some(server) => {
            p.check(
                "backup.nfs_server",
                "NFS server",
                server,
                validate::host(server),
            );
            Value::Str(server.clone())
        }
        None => {
            volumes.nfs_var = true;
            nfs_server_var()
        }
    };
    let target_address = adopt::address(p, "backup.target_address", &b.target_address, || {
        "nfs_backup".to_owned()
    });
    let address = adopt::address(p, "backup.address", &b.address, || "backup".to_owned());
    let kind_name = match kind {
        BackupKind::Copy => "copy",
        BackupKind::Sqlite => "sqlite",
    };
    let pushgateway_job = format!("{}-backup", ctx.name);
    let script = scripts::render(
        &format!("backup-{kind_name}"),
        "b",
        scripts::BackupScript {
            retention_days,
            pushgateway: cv::cron::PUSHGATEWAY,
            pushgateway_job: &pushgateway_job,
            database: database.as_deref(),
            extra_files: &b.extra_files,
        },
    );
    let script = script_or_problem(p, "backup", script);

    let mut out = Vec::new();
    let mut target = nfs_module(
        ctx,
        &target_address,
        format!("{}-backup-host", ctx.name),
        nfs_server,
        format!("{}/{}-backup", cv::repo::NFS_ROOT, ctx.name),
        None,
        None,
    );
    target.comment = b.comment.clone();
    out.push(target);
    let raw = adopt::raw(p, "backup.raw", &b.raw);
    let job = cron_job(
        ctx,
        app_labels,
        &address,
        VolumeJob {
            name: format!("{}-backup", ctx.name),
            schedule: backup_schedule,
            starting_deadline_seconds: b.starting_deadline_seconds.unwrap_or(300),
            successful_jobs_history_limit: b.successful_jobs_history.unwrap_or(3),
            backoff_limit: 3,
            container: format!("{}-backup", ctx.name),
            data_claim: data_claim.clone(),
            backup_claim: Some(Expr(format!("module.{target_address}.claim_name"))),
            script,
            comment: None,
            raw,
        },
    );
    out.push(job);

    match (&b.integrity_check, &database) {
        (Some(ic), Some(db)) => {
            let ic_address =
                adopt::address(p, "backup.integrity_check.address", &ic.address, || {
                    "integrity_check".to_owned()
                });
            if ic_address == address {
                p.add(
                    "backup.integrity_check.address",
                    format!("address `{address}` is the backup CronJob's"),
                    None,
                );
            }
            let metric = format!("{}_sqlite_integrity_ok", ctx.snake);
            let script = scripts::render(
                "integrity-check",
                "ic",
                scripts::IntegrityScript {
                    database: db,
                    metric: &metric,
                    pushgateway: cv::cron::PUSHGATEWAY,
                    pushgateway_job: &format!("{}-integrity", ctx.name),
                    instance: &ctx.name,
                },
            );
            let script = script_or_problem(p, "backup.integrity_check", script);
            let raw = adopt::raw(p, "backup.integrity_check.raw", &ic.raw);
            let job = cron_job(
                ctx,
                app_labels,
                &ic_address,
                VolumeJob {
                    name: format!("{}-integrity-check", ctx.name),
                    schedule: schedule(
                        p,
                        "backup.integrity_check.schedule",
                        &ic.schedule,
                        "when the check runs, e.g. `schedule: \"30 * * * *\"`",
                    ),
                    starting_deadline_seconds: ic.starting_deadline_seconds.unwrap_or(10),
                    successful_jobs_history_limit: ic.successful_jobs_history.unwrap_or(3),
                    backoff_limit: 1,
                    container: "integrity-check".to_owned(),
                    data_claim,
                    backup_claim: None,
                    script,
                    comment: ic.comment.clone(),
                    raw,
                },
            );
            out.push(job);
        }
        (Some(_), None) => {
            p.add(
                "backup.integrity_check",
                "the integrity check reads a SQLite database: it needs `kind: sqlite` and `database`",
                None,
            );
        }
        (None, _) => {}
    }
    Some(out)
}

fn script_or_problem(p: &mut Problems, path: &str, script: Result<String, String>) -> String {
    script.unwrap_or_else(|e| {
        p.add(
            path,
            format!("could not write the job's script (a bug in dlgen, please report it): {e}"),
            None,
        );
        String::new()
    })
}

/// What differs between the repo's volume jobs (the backup and the integrity check).
struct VolumeJob {
    name: String,
    schedule: String,
    starting_deadline_seconds: u32,
    successful_jobs_history_limit: u32,
    backoff_limit: u32,
    container: String,
    data_claim: Expr,
    /// The NFS target, for a job that writes backups.
    backup_claim: Option<Expr>,
    script: String,
    comment: Option<String>,
    raw: Option<Raw>,
}

/// The volume-job preset of a CronJob: it reads the app's RWO volume at `/data`
/// (co-scheduled with the app pod: required, or preferred when the app is usually scaled
/// to zero) and, for a backup, writes to the NFS target at `/backup`, with the tools image
/// and the job settings of the conventions.
fn cron_job(ctx: &Ctx, app_labels: &Obj, address: &str, job: VolumeJob) -> Object {
    let mut mounts = vec![Mount {
        name: "data".to_owned(),
        mount_path: "/data".to_owned(),
        sub_path: None,
        read_only: true,
    }];
    let mut volumes = vec![Volume {
        name: "data".to_owned(),
        source: VolumeSource::Pvc {
            claim_name: job.data_claim.into(),
        },
        comment: None,
    }];
    if let Some(claim) = job.backup_claim {
        mounts.push(Mount {
            name: "backup".to_owned(),
            mount_path: "/backup".to_owned(),
            sub_path: None,
            read_only: false,
        });
        volumes.push(Volume {
            name: "backup".to_owned(),
            source: VolumeSource::NfsModule { claim_name: claim },
            comment: None,
        });
    }
    let mut container = Container::new(job.container, Value::from(cv::cron::TOOLS_IMAGE));
    container.command = Some(Value::List(vec![
        Value::from("/bin/sh"),
        Value::from("-c"),
        Value::Heredoc(job.script),
    ]));
    container.mounts = mounts;
    let mut pod = Pod::of(vec![container]);
    pod.affinity = Some(Affinity {
        node_affinity: None,
        pod_affinity: Some(PodAffinityTerm {
            preferred_weight: ctx.scale_to_zero.then_some(cv::cron::PREFERRED_WEIGHT),
            match_labels: app_labels.clone(),
            topology_key: cv::cron::TOPOLOGY_KEY.to_owned(),
        }),
        pod_anti_affinity: None,
    });
    pod.volumes = volumes;
    pod.dns_config = Some(DnsConfig {
        nameservers: Vec::new(),
        searches: Vec::new(),
        options: vec![entry(cv::dns::NDOTS, cv::dns::NDOTS_VALUE)],
    });
    let (ignore_changes, comment) = jobs::job_ignores(true);
    jobs::object(JobParts {
        address: address.to_owned(),
        resource_type: cv::jobs::CRON_TYPES[0].to_owned(),
        comment: job.comment,
        count: None,
        metadata: Metadata {
            name: job.name,
            namespace: ctx.ns_ref.clone().into(),
            labels: None,
            annotations: None,
        },
        cron: Some(CronParts {
            schedule: Value::Str(job.schedule),
            concurrency_policy: Some(cv::cron::CONCURRENCY_POLICY.to_owned()),
            failed_jobs_history_limit: Some(cv::cron::FAILED_JOBS_HISTORY_LIMIT),
            starting_deadline_seconds: Some(job.starting_deadline_seconds),
            successful_jobs_history_limit: Some(job.successful_jobs_history_limit),
            suspend: None,
            suspend_comment: None,
            timezone: None,
        }),
        job: JobTemplate {
            labels: None,
            active_deadline_seconds: None,
            backoff_limit: Some(job.backoff_limit),
            ttl_seconds_after_finished: Some(cv::cron::TTL_SECONDS_AFTER_FINISHED),
            pod_labels: None,
            pod_annotations: None,
            pod,
        },
        wait_for_completion: None,
        timeouts: Vec::new(),
        lifecycle: Some(Lifecycle {
            comment: Some(comment.to_owned()),
            ignore_changes,
            multiline: false,
        }),
        allow: Vec::new(),
        raw: job.raw,
    })
}

/// The settings of a volume's PVC (its autoresizer, its requests ignore, its type), and
/// whether the spec sets each: no other storage or source has them.
pub(crate) fn pvc_settings(vol: &VolumeSpec) -> [(&'static str, bool); 5] {
    [
        (
            "autoresize",
            vol.autoresize.is_some() || vol.autoresize_why.is_some(),
        ),
        (
            "ignore_requests",
            vol.ignore_requests.is_some() || vol.ignore_requests_why.is_some(),
        ),
        ("resize_threshold", vol.resize_threshold.is_some()),
        ("resize_increase", vol.resize_increase.is_some()),
        ("resource_type", vol.resource_type.is_some()),
    ]
}

fn schedule(p: &mut Problems, path: &str, value: &Option<String>, what: &str) -> String {
    match value {
        Some(s) => {
            p.check(path, "schedule", s, validate::cron_schedule(s));
            s.clone()
        }
        None => {
            p.missing(path, what);
            String::new()
        }
    }
}
