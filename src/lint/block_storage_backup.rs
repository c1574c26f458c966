//! `block-storage-backup`: every Proxmox block-storage volume has a backup CronJob in the
//! same stack that mounts it.
//!
//! "Mounts it": a CronJob pod volume whose `persistent_volume_claim.claim_name` is a
//! reference to the PVC resource or its literal name (for a StatefulSet
//! `volume_claim_template`, a literal `<template>-<statefulset>-<ordinal>`). "Backup": the
//! CronJob's address or name contains `backup`, or it also mounts an NFS volume (an `nfs`
//! volume source, an `nfs_volume` module's `claim_name`, or an NFS-class PVC) — backups go
//! to NFS.

use super::model::{ClaimTemplate, Kind, Kinds, Pvc, Ref, Stack, VolumeSource, Workload};
use super::{Check, Hit, Level, Rule};

pub(crate) const RULE: Rule = Rule {
    id: "block-storage-backup",
    level: Level::Warning,
    summary: "a proxmox-lvm(-encrypted) volume needs a backup CronJob in the stack that mounts it",
    why: "Block volumes live on one Proxmox thin pool; the repo requires every such app to copy \
          its data to NFS (dated directories, retention, Pushgateway metrics), from where it \
          reaches the offsite backups.",
    check: Check::Stack {
        needs: Kinds::of(&[Kind::Pvc, Kind::CronJob, Kind::StatefulSet]),
        check,
    },
};

const FIX: &str = "add a `kubernetes_cron_job_v1` named `<stack>-backup` that mounts this volume read-only next to an NFS backup target and copies it into dated directories with a retention (the vaultwarden pattern)";

fn check(stack: &Stack<'_>, out: &mut Vec<Hit>) {
    let cron_jobs: Vec<&Workload> = stack
        .workloads
        .iter()
        .filter(|w| w.kind == Kind::CronJob)
        .collect();
    for pvc in stack.pvcs.iter().filter(|p| p.is_block_storage()) {
        let mounting: Vec<&Workload> = cron_jobs
            .iter()
            .copied()
            .filter(|job| mounts_pvc(stack, job, pvc))
            .collect();
        if mounting.iter().any(|job| is_backup(stack, job)) {
            continue;
        }
        let what = format!(
            "{} PVC {}",
            pvc.storage_class.as_deref().unwrap_or_default(),
            pvc.name.as_deref().unwrap_or(&pvc.addr.name)
        );
        out.push(
            Hit::new(RULE.id, pvc.file, pvc.at, message(&what, &mounting), FIX).in_block(pvc.at),
        );
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
            if !template
                .storage_class
                .as_deref()
                .is_some_and(super::model::is_block_storage)
            {
                continue;
            }
            let Some(prefix) = template.name.as_ref().map(|t| format!("{t}-{sts_name}-")) else {
                continue;
            };
            let mounting: Vec<&Workload> = cron_jobs
                .iter()
                .copied()
                .filter(|job| mounts_template(job, &prefix))
                .collect();
            if mounting.iter().any(|job| is_backup(stack, job)) {
                continue;
            }
            let what = describe_template(sts, template, &prefix);
            out.push(
                Hit::new(
                    RULE.id,
                    sts.file,
                    template.at,
                    message(&what, &mounting),
                    FIX,
                )
                .in_block(sts.at),
            );
        }
    }
}

fn message(what: &str, mounting: &[&Workload]) -> String {
    match mounting {
        [] => format!("{what} has no backup CronJob in this stack that mounts it"),
        jobs => {
            let names: Vec<String> = jobs.iter().map(|j| j.addr.to_string()).collect();
            format!(
                "{what} is mounted by {} but by no backup CronJob (none has `backup` in its name or an NFS target)",
                names.join(", ")
            )
        }
    }
}

fn describe_template(sts: &Workload, template: &ClaimTemplate, prefix: &str) -> String {
    format!(
        "{} volume_claim_template of {} (PVCs {prefix}N)",
        template.storage_class.as_deref().unwrap_or_default(),
        sts.addr
    )
}

fn claims(job: &Workload) -> impl Iterator<Item = &Ref> {
    job.volumes.iter().filter_map(|v| match v {
        VolumeSource::Claim(claim) => Some(claim),
        _ => None,
    })
}

fn mounts_pvc(stack: &Stack<'_>, job: &Workload, pvc: &Pvc) -> bool {
    claims(job).any(|claim| stack.pvc_of(claim).is_some_and(|p| p.addr == pvc.addr))
}

fn mounts_template(job: &Workload, prefix: &str) -> bool {
    claims(job).any(|claim| match claim {
        Ref::Literal(name) => name.strip_prefix(prefix).is_some_and(|ordinal| {
            !ordinal.is_empty() && ordinal.bytes().all(|b| b.is_ascii_digit())
        }),
        _ => false,
    })
}

fn is_backup(stack: &Stack<'_>, job: &Workload) -> bool {
    let named = |s: &str| s.to_ascii_lowercase().contains("backup");
    named(&job.addr.name)
        || job.name.as_deref().is_some_and(named)
        || job.volumes.iter().any(|v| match v {
            VolumeSource::Nfs | VolumeSource::Claim(Ref::Module(_)) => true,
            VolumeSource::Claim(claim) => stack
                .pvc_of(claim)
                .and_then(|p| p.storage_class.as_deref())
                .is_some_and(|class| class.contains("nfs")),
            VolumeSource::Other => false,
        })
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

    fn cron(name: &str, volumes: &str) -> String {
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
{volumes}          }}
        }}
      }}
    }}
  }}
}}
"#
        )
    }

    const DATA_BY_REF: &str = "            volume {\n              name = \"data\"\n              persistent_volume_claim {\n                claim_name = kubernetes_persistent_volume_claim.data.metadata[0].name\n              }\n            }\n";
    const DATA_BY_NAME: &str = "            volume {\n              name = \"data\"\n              persistent_volume_claim {\n                claim_name = \"app-data-encrypted\"\n              }\n            }\n";
    const NFS_MODULE: &str = "            volume {\n              name = \"backup\"\n              persistent_volume_claim {\n                claim_name = module.nfs_backup.claim_name\n              }\n            }\n";

    #[test]
    fn a_backup_cron_job_mounting_the_pvc_passes() {
        let by_ref = format!(
            "{PVC}{}",
            cron("backup", &format!("{DATA_BY_REF}{NFS_MODULE}"))
        );
        assert_eq!(lines(&lint_one(ID, &by_ref)), vec![]);
        // Another file of the stack, a literal claim name, and an NFS target as the signal.
        let findings = lint_many(
            ID,
            &[
                ("main.tf", PVC),
                (
                    "cron.tf",
                    &cron("nightly-copy", &format!("{DATA_BY_NAME}{NFS_MODULE}")),
                ),
            ],
        );
        assert_eq!(lines(&findings), vec![]);
    }

    #[test]
    fn no_cron_job_fires_at_the_pvc() {
        let findings = lint_one(ID, PVC);
        assert_eq!(lines(&findings), vec![(1, ID)]);
        assert!(
            findings[0]
                .message
                .contains("proxmox-lvm-encrypted PVC app-data-encrypted")
        );
    }

    #[test]
    fn a_cron_job_that_is_no_backup_or_mounts_another_volume_does_not_count() {
        let reindex = format!("{PVC}{}", cron("reindex", DATA_BY_REF));
        let findings = lint_one(ID, &reindex);
        assert_eq!(lines(&findings), vec![(1, ID)]);
        assert!(
            findings[0]
                .message
                .contains("mounted by kubernetes_cron_job_v1.reindex")
        );
        let other = format!("{PVC}{}", cron("backup", NFS_MODULE));
        assert_eq!(lines(&lint_one(ID, &other)), vec![(1, ID)]);
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
        let with_backup = format!("{sts}{}", cron("mysql-backup", vol));
        assert_eq!(lines(&lint_one(ID, &with_backup)), vec![]);
    }

    #[test]
    fn nfs_pvcs_need_no_backup_job() {
        let text = PVC.replace("proxmox-lvm-encrypted", "nfs-truenas");
        assert_eq!(lines(&lint_one(ID, &text)), vec![]);
    }
}
