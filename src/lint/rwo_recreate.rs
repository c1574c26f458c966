//! `rwo-recreate`: a Deployment whose pod uses a ReadWriteOnce volume uses the `Recreate`
//! strategy.
//!
//! The volume must be a PVC of the same stack (by reference or literal name) whose
//! `access_modes` include `ReadWriteOnce` or `ReadWriteOncePod`; claims this linter cannot
//! resolve are not judged.

use super::model::{Kind, Kinds, Stack, VolumeSource};
use super::{Check, Hit, Level, Rule};

pub(crate) const RULE: Rule = Rule {
    id: "rwo-recreate",
    level: Level::Warning,
    summary: "a Deployment that mounts a ReadWriteOnce volume must use strategy Recreate",
    why: "A rolling update starts the new pod before stopping the old one; the new pod cannot \
          attach the RWO volume the old pod holds (or, on the same node, two writers share a \
          single-writer database), so the rollout hangs or corrupts data.",
    check: Check::Stack {
        needs: Kinds::of(&[Kind::Deployment, Kind::Pvc]),
        check,
    },
};

fn check(stack: &Stack<'_>, out: &mut Vec<Hit>) {
    for w in stack
        .workloads
        .iter()
        .filter(|w| w.kind == Kind::Deployment)
    {
        let rwo: Vec<String> = w
            .volumes
            .iter()
            .filter_map(|v| match &v.source {
                VolumeSource::Claim(claim) => stack.pvc_of(claim),
                _ => None,
            })
            .filter(|pvc| {
                pvc.access_modes
                    .iter()
                    .any(|m| m == "ReadWriteOnce" || m == "ReadWriteOncePod")
            })
            .map(|pvc| pvc.name.clone().unwrap_or_else(|| pvc.addr.to_string()))
            .collect();
        if rwo.is_empty() {
            continue;
        }
        let (current, at) = match &w.strategy {
            Some((Some(t), _)) if t == "Recreate" => continue,
            Some((Some(t), at)) => (format!("strategy {t}"), *at),
            Some((None, at)) => ("a strategy that is not Recreate".to_owned(), *at),
            None => ("the default RollingUpdate strategy".to_owned(), w.at),
        };
        out.push(
            Hit::new(
                RULE.id,
                w.file,
                at,
                format!(
                    "{} mounts the ReadWriteOnce volume {} but uses {current}: a rollout cannot attach it",
                    w.addr,
                    rwo.join(", ")
                ),
                "set `strategy { type = \"Recreate\" }` in the Deployment spec",
            )
            .in_block(w.at),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{lines, lint_many};

    const ID: &str = "rwo-recreate";

    const PVC: &str = r#"resource "kubernetes_persistent_volume_claim" "data" {
  metadata {
    name = "app-data-proxmox"
  }
  spec {
    access_modes = ["ReadWriteOnce"]
  }
}
"#;

    fn deployment(strategy: &str, claim: &str) -> String {
        format!(
            r#"resource "kubernetes_deployment" "app" {{
  spec {{
{strategy}    template {{
      spec {{
        volume {{
          name = "data"
          persistent_volume_claim {{
            claim_name = {claim}
          }}
        }}
      }}
    }}
  }}
}}
"#
        )
    }

    const BY_REF: &str = "kubernetes_persistent_volume_claim.data.metadata[0].name";
    const RECREATE: &str = "    strategy {\n      type = \"Recreate\"\n    }\n";

    #[test]
    fn recreate_passes() {
        let findings = lint_many(
            ID,
            &[("pvc.tf", PVC), ("app.tf", &deployment(RECREATE, BY_REF))],
        );
        assert_eq!(lines(&findings), vec![]);
    }

    #[test]
    fn default_or_rolling_strategy_fires() {
        let findings = lint_many(ID, &[("pvc.tf", PVC), ("app.tf", &deployment("", BY_REF))]);
        assert_eq!(lines(&findings), vec![(1, ID)]);
        assert!(findings[0].message.contains("default RollingUpdate"));
        let rolling = RECREATE.replace("Recreate", "RollingUpdate");
        let findings = lint_many(
            ID,
            &[
                ("pvc.tf", PVC),
                ("app.tf", &deployment(&rolling, "\"app-data-proxmox\"")),
            ],
        );
        assert_eq!(lines(&findings), vec![(4, ID)]);
    }

    #[test]
    fn rwx_and_unresolved_claims_do_not_fire() {
        let rwx = PVC.replace("ReadWriteOnce", "ReadWriteMany");
        assert_eq!(
            lines(&lint_many(
                ID,
                &[("pvc.tf", &rwx), ("app.tf", &deployment("", BY_REF))]
            )),
            vec![]
        );
        assert_eq!(
            lines(&lint_many(
                ID,
                &[("app.tf", &deployment("", "module.nfs_data.claim_name"))]
            )),
            vec![]
        );
        assert_eq!(
            lines(&lint_many(
                ID,
                &[
                    ("pvc.tf", PVC),
                    ("app.tf", &deployment("", "\"elsewhere\""))
                ]
            )),
            vec![]
        );
    }
}
