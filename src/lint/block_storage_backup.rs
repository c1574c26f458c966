//! `block-storage-backup`: every app with Proxmox block storage has a backup CronJob in
//! its stack that writes to NFS.
//!
//! The written rule: "Every proxmox-lvm app MUST add a backup CronJob writing to NFS". An
//! *app* is the workload (Deployment, StatefulSet, DaemonSet, Pod) that mounts block-storage
//! volumes — PVCs of a block class, or a StatefulSet's `volume_claim_template` of one; the
//! block volumes no workload of the stack mounts count as one app. One finding per app,
//! at its first volume; a suppression at any of its volumes or at the workload applies.
//!
//! A CronJob *writes to NFS* when one of its containers mounts an NFS volume (an `nfs`
//! volume, an `nfs_volume` module's `claim_name`, or a PVC of an NFS class) without
//! `read_only = true`. It backs the app up when it writes to NFS and either mounts one of
//! the app's volumes (a file copy), or mounts no block volume of the stack and is a backup
//! by name or by what it runs (a database dump over the network; the names and the dump
//! commands are conventions, listed with them). Such a network backup counts for every
//! app of the stack.

use super::model::{ClaimTemplate, Kind, Kinds, Pvc, Ref, Stack, VolumeSource, Workload};
use super::{Check, Hit, Level, Rule};
use crate::conventions as cv;

pub(crate) const RULE: Rule = Rule {
    id: "block-storage-backup",
    level: Level::Warning,
    summary: "an app with proxmox-lvm(-encrypted) volumes needs a backup CronJob in its stack that writes to NFS",
    why: "Block volumes live on one Proxmox thin pool; the repo requires every such app to \
          back its data up to NFS (a copy of the volume, or a dump over the network), from \
          where it reaches the offsite backups.",
    check: Check::Stack {
        needs: Kinds::WORKLOADS.union(Kinds::of(&[Kind::Pvc])),
        check,
    },
};

const FIX: &str = "add a `kubernetes_cron_job_v1` named `<stack>-backup` that writes to an NFS backup target: a copy of the mounted volume into dated directories with a retention (the vaultwarden pattern), or a dump of the database over the network";

/// A block-storage volume of an app.
enum Volume<'s> {
    Pvc(&'s Pvc),
    /// A claim template of a StatefulSet, with the prefix of its PVCs' names.
    Template(&'s Workload, &'s ClaimTemplate, String),
}

impl Volume<'_> {
    fn file(&self) -> usize {
        match self {
            Volume::Pvc(p) => p.file,
            Volume::Template(sts, ..) => sts.file,
        }
    }

    fn at(&self) -> usize {
        match self {
            Volume::Pvc(p) => p.at,
            Volume::Template(_, t, _) => t.at,
        }
    }

    fn block_at(&self) -> usize {
        match self {
            Volume::Pvc(p) => p.at,
            Volume::Template(sts, ..) => sts.at,
        }
    }

    fn describe(&self) -> String {
        match self {
            Volume::Pvc(p) => format!(
                "{} PVC {}",
                p.storage_class.as_deref().unwrap_or_default(),
                p.describe()
            ),
            Volume::Template(sts, t, prefix) => format!(
                "{} volume_claim_template of {} (PVCs {prefix}N)",
                t.storage_class.as_deref().unwrap_or_default(),
                sts.addr
            ),
        }
    }

    /// Whether `job` mounts this volume.
    fn mounted_by(&self, stack: &Stack<'_>, job: &Workload) -> bool {
        claims(job).any(|claim| match self {
            Volume::Pvc(pvc) => stack.pvc_of(claim).is_some_and(|p| p.addr == pvc.addr),
            Volume::Template(_, _, prefix) => match claim {
                Ref::Literal(name) => name.strip_prefix(prefix.as_str()).is_some_and(|ordinal| {
                    !ordinal.is_empty() && ordinal.bytes().all(|b| b.is_ascii_digit())
                }),
                _ => false,
            },
        })
    }
}

/// An app: the workload that mounts block volumes (none for the unmounted ones).
struct App<'s> {
    owner: Option<&'s Workload>,
    volumes: Vec<Volume<'s>>,
}

fn check(stack: &Stack<'_>, out: &mut Vec<Hit>) {
    let apps = apps(stack);
    if apps.is_empty() {
        return;
    }
    let jobs: Vec<&Workload> = stack
        .workloads
        .iter()
        .filter(|w| w.kind == Kind::CronJob)
        .collect();
    let all_volumes: Vec<&Volume<'_>> = apps.iter().flat_map(|a| &a.volumes).collect();
    for app in &apps {
        let mounting: Vec<&Workload> = jobs
            .iter()
            .copied()
            .filter(|job| app.volumes.iter().any(|v| v.mounted_by(stack, job)))
            .collect();
        let backed_up = jobs.iter().any(|job| {
            writes_to_nfs(stack, job)
                && (mounting.iter().any(|m| std::ptr::eq(*m, *job))
                    || (!all_volumes.iter().any(|v| v.mounted_by(stack, job))
                        && is_backup(stack, job)))
        });
        if backed_up {
            continue;
        }
        let Some(first) = app.volumes.first() else {
            continue;
        };
        let what: Vec<String> = app.volumes.iter().map(Volume::describe).collect();
        let whose = match app.owner {
            Some(w) => format!(" of {}", w.addr),
            None => String::new(),
        };
        let message = match mounting.as_slice() {
            [] => format!(
                "{}{whose} {} no backup CronJob in this stack that writes to NFS",
                what.join(", "),
                if what.len() == 1 { "has" } else { "have" }
            ),
            jobs => {
                let names: Vec<String> = jobs.iter().map(|j| j.addr.to_string()).collect();
                format!(
                    "{}{whose} {} mounted by {}, which {} to no NFS volume, and no other CronJob backs {} up to NFS",
                    what.join(", "),
                    if what.len() == 1 { "is" } else { "are" },
                    names.join(", "),
                    if names.len() == 1 { "writes" } else { "write" },
                    if what.len() == 1 { "it" } else { "them" },
                )
            }
        };
        let mut hit =
            Hit::new(RULE.id, first.file(), first.at(), message, FIX).in_block(first.block_at());
        for v in &app.volumes[1..] {
            hit = hit.also_at(v.file(), v.block_at());
        }
        if let Some(owner) = app.owner {
            hit = hit.also_at(owner.file, owner.at);
        }
        out.push(hit);
    }
}

/// The apps of the stack: block volumes grouped by the first workload (not a Job or a
/// CronJob) that mounts them.
fn apps<'s>(stack: &'s Stack<'_>) -> Vec<App<'s>> {
    let owners: Vec<&Workload> = stack
        .workloads
        .iter()
        .filter(|w| !matches!(w.kind, Kind::CronJob | Kind::Job))
        .collect();
    let mut apps: Vec<App<'s>> = Vec::new();
    let mut add = |owner: Option<&'s Workload>, volume: Volume<'s>| {
        let same = |a: &App<'s>| match (a.owner, owner) {
            (Some(x), Some(y)) => std::ptr::eq(x, y),
            (None, None) => true,
            _ => false,
        };
        match apps.iter_mut().find(|a| same(a)) {
            Some(app) => app.volumes.push(volume),
            None => apps.push(App {
                owner,
                volumes: vec![volume],
            }),
        }
    };
    for pvc in stack.pvcs.iter().filter(|p| p.is_block_storage()) {
        let volume = Volume::Pvc(pvc);
        let owner = owners.iter().copied().find(|w| volume.mounted_by(stack, w));
        add(owner, volume);
    }
    for sts in stack
        .workloads
        .iter()
        .filter(|w| w.kind == Kind::StatefulSet)
    {
        let Some(sts_name) = &sts.name else {
            continue;
        };
        for template in &sts.claim_templates {
            let block = template
                .storage_class
                .as_deref()
                .is_some_and(super::model::is_block_storage);
            let Some(name) = template.name.as_ref().filter(|_| block) else {
                continue;
            };
            add(
                Some(sts),
                Volume::Template(sts, template, format!("{name}-{sts_name}-")),
            );
        }
    }
    apps
}

fn claims(job: &Workload) -> impl Iterator<Item = &Ref> {
    job.volumes.iter().filter_map(|v| match &v.source {
        VolumeSource::Claim(claim) => Some(claim),
        _ => None,
    })
}

/// Whether a container of the job mounts an NFS volume writable (or the job has an NFS
/// volume and no container mount of it can be read).
fn writes_to_nfs(stack: &Stack<'_>, job: &Workload) -> bool {
    let nfs: Vec<Option<&str>> = job
        .volumes
        .iter()
        .filter(|v| match &v.source {
            VolumeSource::Nfs | VolumeSource::Claim(Ref::Module(_)) => true,
            VolumeSource::Claim(claim) => stack
                .pvc_of(claim)
                .and_then(|p| p.storage_class.as_deref())
                .is_some_and(|class| class.contains(cv::storage::NFS_CLASS_MARK)),
            VolumeSource::Other => false,
        })
        .map(|v| v.name.as_deref())
        .collect();
    if nfs.is_empty() {
        return false;
    }
    let mounts: Vec<_> = job
        .containers
        .iter()
        .flat_map(|c| &c.mounts)
        .filter(|m| m.volume.is_some() && nfs.contains(&m.volume.as_deref()))
        .collect();
    mounts.is_empty() || mounts.iter().any(|m| m.read_only != Some(true))
}

/// Whether the job is a backup by its name or by the dump it runs.
fn is_backup(stack: &Stack<'_>, job: &Workload) -> bool {
    let named = |s: &str| {
        let s = s.to_ascii_lowercase();
        cv::backup::NAME_MARKS.iter().any(|m| s.contains(m))
    };
    if named(&job.addr.name) || job.name.as_deref().is_some_and(named) {
        return true;
    }
    let text = stack.files[job.file]
        .text
        .get(job.at..job.end)
        .unwrap_or_default();
    cv::backup::DUMP_COMMANDS.iter().any(|c| text.contains(c))
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{lines, lint_many, lint_one};

    const ID: &str = "block-storage-backup";

    const PVC: &str = r#"resource "kubernetes_persistent_volume_claim" "data" {
  wait_until_bound = false
  metadata {
    name = "app-data-encrypted"
  }
  spec {
    access_modes       = ["ReadWriteOnce"]
    storage_class_name = "proxmox-lvm-encrypted"
  }
}
"#;

    /// A CronJob whose pod has `pod` (containers and volumes).
    fn cron(name: &str, pod: &str) -> String {
        format!(
            r#"resource "kubernetes_cron_job_v1" "{name}" {{
  metadata {{
    name = "{name}"
  }}
  spec {{
    job_template {{
      metadata {{}}
      spec {{
        template {{
          metadata {{}}
          spec {{
{pod}          }}
        }}
      }}
    }}
  }}
}}
"#
        )
    }

    /// A container mounting `mounts` (`(volume, read_only)`), running `script`.
    fn container(script: &str, mounts: &[(&str, bool)]) -> String {
        let mut out = format!(
            "            container {{\n              name    = \"job\"\n              command = [\"/bin/sh\", \"-c\", <<-EOT\n                {script}\n              EOT\n              ]\n"
        );
        for (volume, ro) in mounts {
            out.push_str(&format!(
                "              volume_mount {{\n                name       = \"{volume}\"\n                mount_path = \"/{volume}\"\n                read_only  = {ro}\n              }}\n"
            ));
        }
        out.push_str("            }\n");
        out
    }

    const DATA_BY_REF: &str = "            volume {\n              name = \"data\"\n              persistent_volume_claim {\n                claim_name = kubernetes_persistent_volume_claim.data.metadata[0].name\n              }\n            }\n";
    const DATA_BY_NAME: &str = "            volume {\n              name = \"data\"\n              persistent_volume_claim {\n                claim_name = \"app-data-encrypted\"\n              }\n            }\n";
    const NFS_MODULE: &str = "            volume {\n              name = \"backup\"\n              persistent_volume_claim {\n                claim_name = module.nfs_backup.claim_name\n              }\n            }\n";
    const NFS_INLINE: &str = "            volume {\n              name = \"backup\"\n              nfs {\n                server = \"192.168.1.127\"\n                path   = \"/srv/nfs/app-backup\"\n              }\n            }\n";

    fn copy_job(name: &str, data: &str) -> String {
        let pod = format!(
            "{}{data}{NFS_MODULE}",
            container(
                "cp -a /data/. /backup/",
                &[("data", true), ("backup", false)]
            )
        );
        cron(name, &pod)
    }

    #[test]
    fn a_cron_job_copying_the_volume_to_nfs_passes() {
        let by_ref = format!("{PVC}{}", copy_job("backup", DATA_BY_REF));
        assert_eq!(lines(&lint_one(ID, &by_ref)), vec![]);
        // Another file of the stack, a literal claim name, and a name without `backup`:
        // what it writes to NFS makes it one.
        let findings = lint_many(
            ID,
            &[
                ("main.tf", PVC),
                ("cron.tf", &copy_job("nightly-copy", DATA_BY_NAME)),
            ],
        );
        assert_eq!(lines(&findings), vec![]);
    }

    #[test]
    fn a_network_dump_to_nfs_passes_without_mounting_the_volume() {
        for script in [
            "mysqldump -h mysql.dbaas --all-databases | gzip > /backup/all.sql.gz",
            "pg_dumpall -h postgresql.dbaas -U root > /backup/all.sql",
            "redis-cli -h redis-master.redis --rdb /backup/dump.rdb",
        ] {
            let pod = format!("{}{NFS_INLINE}", container(script, &[("backup", false)]));
            let text = format!("{PVC}{}", cron("nightly", &pod));
            assert_eq!(lines(&lint_one(ID, &text)), vec![], "{script}");
        }
        // An export named as such, through the nfs_volume module.
        let pod = format!(
            "{}{NFS_MODULE}",
            container(
                "curl -s http://app/api/export -o /backup/export.json",
                &[("backup", false)]
            )
        );
        let text = format!("{PVC}{}", cron("app-export", &pod));
        assert_eq!(lines(&lint_one(ID, &text)), vec![]);
    }

    #[test]
    fn no_cron_job_fires_at_the_pvc() {
        let findings = lint_one(ID, PVC);
        assert_eq!(lines(&findings), vec![(1, ID)]);
        assert!(
            findings[0]
                .message
                .contains("proxmox-lvm-encrypted PVC app-data-encrypted has no backup CronJob"),
            "{}",
            findings[0].message
        );
    }

    #[test]
    fn a_cron_job_that_writes_no_nfs_or_is_no_backup_does_not_count() {
        // Mounts the volume but writes nowhere on NFS.
        let pod = format!("{}{DATA_BY_REF}", container("reindex", &[("data", false)]));
        let findings = lint_one(ID, &format!("{PVC}{}", cron("reindex", &pod)));
        assert_eq!(lines(&findings), vec![(1, ID)]);
        assert!(
            findings[0].message.contains(
                "mounted by kubernetes_cron_job_v1.reindex, which writes to no NFS volume"
            )
        );
        // Mounts NFS read-only.
        let pod = format!(
            "{}{DATA_BY_REF}{NFS_MODULE}",
            container("cp", &[("data", true), ("backup", true)])
        );
        assert_eq!(
            lines(&lint_one(ID, &format!("{PVC}{}", cron("backup", &pod)))),
            vec![(1, ID)]
        );
        // Writes to NFS without touching the app, and neither named nor dumping.
        let pod = format!(
            "{}{NFS_MODULE}",
            container("python3 /scripts/sync.py", &[("backup", false)])
        );
        assert_eq!(
            lines(&lint_one(ID, &format!("{PVC}{}", cron("sync", &pod)))),
            vec![(1, ID)]
        );
    }

    #[test]
    fn one_finding_per_app_and_a_suppression_at_any_of_its_volumes_applies() {
        let second = PVC
            .replace("\"data\"", "\"cache\"")
            .replace("app-data-encrypted", "app-cache-encrypted");
        let app = r#"resource "kubernetes_deployment" "app" {
  spec {
    template {
      spec {
        volume {
          name = "data"
          persistent_volume_claim {
            claim_name = kubernetes_persistent_volume_claim.data.metadata[0].name
          }
        }
        volume {
          name = "cache"
          persistent_volume_claim {
            claim_name = kubernetes_persistent_volume_claim.cache.metadata[0].name
          }
        }
      }
    }
  }
}
"#;
        let text = format!("{PVC}{second}{app}");
        let findings = lint_one(ID, &text);
        assert_eq!(lines(&findings), vec![(1, ID)]);
        assert!(findings[0].message.contains("app-data-encrypted, proxmox-lvm-encrypted PVC app-cache-encrypted of kubernetes_deployment.app have"), "{}", findings[0].message);
        let suppressed = format!(
            "{PVC}# dlgen:allow block-storage-backup derived data, rebuilt on start\n{second}{app}"
        );
        assert_eq!(lines(&lint_one(ID, &suppressed)), vec![]);
    }

    #[test]
    fn stateful_set_claim_templates_need_a_backup_too() {
        let sts = r#"resource "kubernetes_stateful_set_v1" "mysql" {
  metadata {
    name = "mysql-standalone"
  }
  spec {
    volume_claim_template {
      metadata {
        name = "data"
      }
      spec {
        storage_class_name = "proxmox-lvm-encrypted"
      }
    }
  }
}
"#;
        assert_eq!(lines(&lint_one(ID, sts)), vec![(6, ID)]);
        let vol = "            volume {\n              name = \"data\"\n              persistent_volume_claim {\n                claim_name = \"data-mysql-standalone-0\"\n              }\n            }\n";
        let with_backup = format!("{sts}{}", copy_job("mysql-backup", vol));
        assert_eq!(lines(&lint_one(ID, &with_backup)), vec![]);
    }

    #[test]
    fn nfs_pvcs_need_no_backup_job() {
        let text = PVC.replace("proxmox-lvm-encrypted", "nfs-truenas");
        assert_eq!(lines(&lint_one(ID, &text)), vec![]);
    }
}
