//! Volumes (block-storage PVCs and NFS modules) and the backup CronJobs of block storage.

use super::problems::Problems;
use super::types::*;
use super::{Ctx, MODULES, adopt};
use crate::conventions as cv;
use crate::hcl;
use crate::spec::{BackupKind, Spec, Storage};
use crate::validate;

/// The volumes of a stack, resolved.
pub(crate) struct Volumes {
    pub pvcs: Vec<Pvc>,
    pub nfs: Vec<NfsVolume>,
    /// Pod `volume` blocks, in spec order.
    pub pod_volumes: Vec<PodVolume>,
    /// `volume_mount` blocks of the first container, in spec order.
    pub mounts: Vec<Mount>,
    /// The block-storage volumes (pod volume name and claim reference).
    pub block: Vec<(String, Expr)>,
}

pub(crate) fn volumes(p: &mut Problems, ctx: &Ctx, spec: &Spec) -> Volumes {
    let mut v = Volumes {
        pvcs: Vec::new(),
        nfs: Vec::new(),
        pod_volumes: Vec::new(),
        mounts: Vec::new(),
        block: Vec::new(),
    };
    let mut seen_names: Vec<&str> = Vec::new();
    let mut seen_mounts: Vec<&str> = Vec::new();
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
        if let Some(m) = &vol.mount {
            p.check(&at("mount"), "mount path", m, validate::absolute_path(m));
            if seen_mounts.contains(&m.as_str()) {
                p.add(
                    at("mount"),
                    format!("mount path `{m}` is used by two volumes"),
                    Some("every volume needs its own mount path".to_owned()),
                );
            }
            seen_mounts.push(m);
            v.mounts.push(Mount {
                name: vname.clone(),
                mount_path: m.clone(),
                read_only: vol.read_only,
            });
        } else if vol.read_only {
            p.add(
                at("read_only"),
                "`read_only` applies to a mount, and this volume has no `mount`",
                Some("add `mount: /path`, or remove `read_only`".to_owned()),
            );
        }
        let size = vol.size.as_ref().map(|s| {
            let q = validate::quantity(s);
            if let Err(why) = &q {
                p.invalid(&at("size"), "size", s, why);
            }
            (s.clone(), q.ok())
        });
        let Some(storage) = vol.storage else {
            p.missing(
                &at("storage"),
                "one of `proxmox-lvm-encrypted` (sensitive data), `proxmox-lvm`, `nfs`",
            );
            continue;
        };
        match storage {
            Storage::ProxmoxLvmEncrypted | Storage::ProxmoxLvm => {
                let (class, suffix) = if storage == Storage::ProxmoxLvm {
                    ("proxmox-lvm", "proxmox")
                } else {
                    ("proxmox-lvm-encrypted", "encrypted")
                };
                if vol.path.is_some() {
                    p.add(
                        at("path"),
                        "`path` applies to NFS volumes only",
                        Some(format!(
                            "remove it, or use `storage: nfs`; a `{class}` volume is a PVC"
                        )),
                    );
                }
                let (size, size_q) = size.unwrap_or_else(|| ("1Gi".to_owned(), Some(1073741824.0)));
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
                    None => "5Gi".to_owned(),
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
                let claim = Expr(format!(
                    "kubernetes_persistent_volume_claim.{address}.metadata[0].name"
                ));
                v.pvcs.push(Pvc {
                    address,
                    comment: vol.comment.clone(),
                    allow,
                    wait_until_bound,
                    name: format!("{}-{vname}-{suffix}", ctx.name),
                    namespace: ctx.ns_ref.clone(),
                    annotations: vec![
                        entry(cv::autoresize::THRESHOLD, cv::autoresize::THRESHOLD_DEFAULT),
                        entry(cv::autoresize::INCREASE, cv::autoresize::INCREASE_DEFAULT),
                        entry(cv::autoresize::STORAGE_LIMIT, max),
                    ],
                    storage_class: class.to_owned(),
                    size,
                });
                v.pod_volumes.push(PodVolume {
                    name: vname.clone(),
                    claim_name: claim.clone(),
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
                let path = match &vol.path {
                    Some(path) => {
                        p.check(&at("path"), "NFS path", path, validate::absolute_path(path));
                        if !(path.starts_with("/srv/nfs/") || path.starts_with("/srv/nfs-ssd/")) {
                            p.add(
                                at("path"),
                                format!("NFS path `{path}` is outside the exports"),
                                Some("the NFS server exports /srv/nfs/ (HDD) and /srv/nfs-ssd/ (SSD)".to_owned()),
                            );
                        }
                        path.clone()
                    }
                    None => format!("/srv/nfs/{}/{vname}", ctx.name),
                };
                let address = adopt::address(p, &at("address"), &vol.address, || {
                    format!("nfs_{}", hcl::snake(&vname))
                });
                v.pod_volumes.push(PodVolume {
                    name: vname.clone(),
                    claim_name: Expr(format!("module.{address}.claim_name")),
                });
                v.nfs.push(NfsVolume {
                    address,
                    comment: vol.comment.clone(),
                    source: format!("{MODULES}/nfs_volume"),
                    name: format!("{}-{vname}", ctx.name),
                    namespace: ctx.ns_ref.clone(),
                    nfs_server: Val::Expr(Expr("var.nfs_server".to_owned())),
                    nfs_path: path,
                    storage: size.map(|(s, _)| s),
                });
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
) -> Option<Backup> {
    let b = spec.backup.clone().unwrap_or_default();
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
            Val::Str(server.clone())
        }
        None => Val::Expr(Expr("var.nfs_server".to_owned())),
    };
    let target_address = adopt::address(p, "backup.target_address", &b.target_address, || {
        "nfs_backup".to_owned()
    });
    let address = adopt::address(p, "backup.address", &b.address, || "backup".to_owned());
    let integrity_check = match (&b.integrity_check, &database) {
        (Some(ic), Some(db)) => {
            let job = CronJob {
                address: adopt::address(p, "backup.integrity_check.address", &ic.address, || {
                    "integrity_check".to_owned()
                }),
                comment: ic.comment.clone(),
                name: format!("{}-integrity-check", ctx.name),
                namespace: ctx.ns_ref.clone(),
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
                image: "docker.io/library/alpine".to_owned(),
                app: ctx.name.clone(),
                affinity_preferred: ctx.scale_to_zero,
                data_claim: data_claim.clone(),
                backup_claim: None,
            };
            if job.address == address {
                p.add(
                    "backup.integrity_check.address",
                    format!("address `{address}` is the backup CronJob's"),
                    None,
                );
            }
            Some(IntegrityCheck {
                job,
                database: db.clone(),
                metric: format!("{}_sqlite_integrity_ok", ctx.snake),
                pushgateway_job: format!("{}-integrity", ctx.name),
                instance: ctx.name.clone(),
            })
        }
        (Some(_), None) => {
            p.add(
                "backup.integrity_check",
                "the integrity check reads a SQLite database: it needs `kind: sqlite` and `database`",
                None,
            );
            None
        }
        (None, _) => None,
    };
    Some(Backup {
        comment: b.comment.clone(),
        target: NfsVolume {
            address: target_address.clone(),
            comment: None,
            source: format!("{MODULES}/nfs_volume"),
            name: format!("{}-backup-host", ctx.name),
            namespace: ctx.ns_ref.clone(),
            nfs_server,
            nfs_path: format!("/srv/nfs/{}-backup", ctx.name),
            storage: None,
        },
        job: CronJob {
            address,
            comment: None,
            name: format!("{}-backup", ctx.name),
            namespace: ctx.ns_ref.clone(),
            schedule: backup_schedule,
            starting_deadline_seconds: b.starting_deadline_seconds.unwrap_or(300),
            successful_jobs_history_limit: b.successful_jobs_history.unwrap_or(3),
            backoff_limit: 3,
            container: format!("{}-backup", ctx.name),
            image: "docker.io/library/alpine".to_owned(),
            app: ctx.name.clone(),
            affinity_preferred: ctx.scale_to_zero,
            data_claim,
            backup_claim: Some(Expr(format!("module.{target_address}.claim_name"))),
        },
        kind: match kind {
            BackupKind::Copy => "copy",
            BackupKind::Sqlite => "sqlite",
        },
        retention_days,
        pushgateway_job: format!("{}-backup", ctx.name),
        database,
        extra_files: b.extra_files.clone(),
        integrity_check,
    })
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
