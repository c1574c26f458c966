//! `pvc-ignore-requests`: a Proxmox block-storage PVC ignores changes to its storage
//! request, which the autoresizer grows.

use super::model::{Kind, Kinds, Stack, path};
use super::{Check, Hit, Level, Rule};

pub(crate) const RULE: Rule = Rule {
    id: "pvc-ignore-requests",
    level: Level::Warning,
    summary: "a proxmox-lvm(-encrypted) PVC must ignore_changes spec[0].resources[0].requests",
    why: "The autoresizer grows `requests.storage`; Terraform would then try to shrink it back, \
          which Kubernetes rejects, and the apply fails.",
    check: Check::Stack {
        needs: Kinds::of(&[Kind::Pvc]),
        check,
    },
};

const REQUESTS: &str = "spec[0].resources[0].requests[\"storage\"]";

fn check(stack: &Stack<'_>, out: &mut Vec<Hit>) {
    let required = path(REQUESTS);
    for pvc in stack.pvcs.iter().filter(|p| p.is_block_storage()) {
        let at = match &pvc.ignores {
            Some(i) if i.all || i.covering(&required).is_some() => continue,
            Some(i) => i.at,
            None => pvc.at,
        };
        out.push(
            Hit::new(
                RULE.id,
                pvc.file,
                at,
                format!(
                    "{} ({}) does not ignore its storage request: once the autoresizer grows it, the next apply tries to shrink it and fails",
                    pvc.addr,
                    pvc.storage_class.as_deref().unwrap_or_default()
                ),
                "add `lifecycle { ignore_changes = [spec[0].resources[0].requests] }` with a comment saying the autoresizer owns the size",
            )
            .in_block(pvc.at),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{lines, lint_one};

    const ID: &str = "pvc-ignore-requests";

    fn pvc(lifecycle: &str) -> String {
        format!(
            "resource \"kubernetes_persistent_volume_claim\" \"data\" {{\n  spec {{\n    storage_class_name = \"proxmox-lvm\"\n  }}\n{lifecycle}}}\n"
        )
    }

    #[test]
    fn ignoring_the_requests_or_a_parent_passes() {
        for entry in [
            "spec[0].resources[0].requests",
            "spec[0].resources[0].requests[\"storage\"]",
            "spec[0].resources",
        ] {
            let text = pvc(&format!(
                "  lifecycle {{\n    ignore_changes = [{entry}]\n  }}\n"
            ));
            assert_eq!(lines(&lint_one(ID, &text)), vec![], "{entry}");
        }
    }

    #[test]
    fn no_or_other_ignores_fire() {
        assert_eq!(lines(&lint_one(ID, &pvc(""))), vec![(1, ID)]);
        let other = pvc("  lifecycle {\n    ignore_changes = [metadata[0].labels]\n  }\n");
        assert_eq!(lines(&lint_one(ID, &other)), vec![(6, ID)]);
        let limits =
            pvc("  lifecycle {\n    ignore_changes = [spec[0].resources[0].limits]\n  }\n");
        assert_eq!(lines(&lint_one(ID, &limits)), vec![(6, ID)]);
    }
}
