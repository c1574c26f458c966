//! `pvc-wait-until-bound`: a Proxmox block-storage PVC sets `wait_until_bound = false`.

use super::model::{Kind, Kinds, Stack};
use super::{Check, Hit, Level, Rule};

pub(crate) const RULE: Rule = Rule {
    id: "pvc-wait-until-bound",
    level: Level::Warning,
    summary: "a proxmox-lvm(-encrypted) PVC must set wait_until_bound = false",
    why: "The Proxmox storage classes bind on first consumer (WaitForFirstConsumer): a PVC \
          stays Pending until a pod uses it, so an apply that waits for binding hangs until \
          it times out.",
    check: Check::Stack {
        needs: Kinds::of(&[Kind::Pvc]),
        check,
    },
};

fn check(stack: &Stack<'_>, out: &mut Vec<Hit>) {
    for pvc in stack.pvcs.iter().filter(|p| p.is_block_storage()) {
        let class = pvc.storage_class.as_deref().unwrap_or_default();
        let hit = match pvc.wait_until_bound {
            Some((Some(false), _)) => continue,
            Some((_, at)) => Hit::new(
                RULE.id,
                pvc.file,
                at,
                format!(
                    "{} ({class}) must not wait to be bound: the class binds on first consumer",
                    pvc.addr
                ),
                "set `wait_until_bound = false`",
            ),
            None => Hit::new(
                RULE.id,
                pvc.file,
                pvc.at,
                format!(
                    "{} ({class}) lacks `wait_until_bound = false`: the apply waits for a bind that only happens once a pod uses it",
                    pvc.addr
                ),
                "add `wait_until_bound = false` as the first attribute of the resource",
            ),
        };
        out.push(hit.in_block(pvc.at));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{lines, lint_one};

    const ID: &str = "pvc-wait-until-bound";

    fn pvc(first: &str, class: &str) -> String {
        format!(
            "resource \"kubernetes_persistent_volume_claim\" \"data\" {{\n{first}\n  spec {{\n    storage_class_name = \"{class}\"\n  }}\n}}\n"
        )
    }

    #[test]
    fn block_storage_pvcs_need_it() {
        assert_eq!(
            lines(&lint_one(
                ID,
                &pvc("  wait_until_bound = false", "proxmox-lvm")
            )),
            vec![]
        );
        assert_eq!(
            lines(&lint_one(ID, &pvc("", "proxmox-lvm-encrypted"))),
            vec![(1, ID)]
        );
        assert_eq!(
            lines(&lint_one(
                ID,
                &pvc("  wait_until_bound = true", "proxmox-lvm")
            )),
            vec![(2, ID)]
        );
    }

    #[test]
    fn other_classes_are_not_checked() {
        assert_eq!(lines(&lint_one(ID, &pvc("", "nfs-truenas"))), vec![]);
        let variable = "resource \"kubernetes_persistent_volume_claim_v1\" \"d\" {\n  spec {\n    storage_class_name = var.class\n  }\n}\n";
        assert_eq!(lines(&lint_one(ID, variable)), vec![]);
    }
}
