//! `pvc-autoresize-annotations`: a Proxmox block-storage PVC carries the three
//! topolvm annotations the pvc-autoresizer reads.

use super::model::{Kind, Kinds, Stack};
use super::{Check, Hit, Level, Rule};
use crate::conventions as cv;

pub(crate) const RULE: Rule = Rule {
    id: "pvc-autoresize-annotations",
    level: Level::Warning,
    summary: "a proxmox-lvm(-encrypted) PVC must carry the topolvm autoresizer's threshold, increase and storage_limit annotations",
    why: "Without them the autoresizer never grows the volume and the app fills its disk; the \
          storage_limit is the ceiling that keeps a runaway writer from eating the thin pool.",
    check: Check::Stack {
        needs: Kinds::of(&[Kind::Pvc]),
        check,
    },
};

const ANNOTATIONS: [(&str, &str); 3] = [
    (cv::autoresize::THRESHOLD, cv::autoresize::THRESHOLD_DEFAULT),
    (cv::autoresize::INCREASE, cv::autoresize::INCREASE_DEFAULT),
    (cv::autoresize::STORAGE_LIMIT, "<ceiling, e.g. 10Gi>"),
];

fn check(stack: &Stack<'_>, out: &mut Vec<Hit>) {
    for pvc in stack.pvcs.iter().filter(|p| p.is_block_storage()) {
        let missing: Vec<(&str, &str)> = ANNOTATIONS
            .into_iter()
            .filter(|(key, _)| !pvc.annotations.iter().any(|a| a == key))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let names: Vec<&str> = missing.iter().map(|(k, _)| *k).collect();
        let lines: Vec<String> = missing
            .iter()
            .map(|(k, v)| format!("\"{k}\" = \"{v}\""))
            .collect();
        out.push(
            Hit::new(
                RULE.id,
                pvc.file,
                pvc.annotations_at.unwrap_or(pvc.at),
                format!(
                    "{} ({}) lacks the autoresizer annotation{} {}",
                    pvc.addr,
                    pvc.storage_class.as_deref().unwrap_or_default(),
                    if names.len() == 1 { "" } else { "s" },
                    names.join(", ")
                ),
                format!("add to metadata.annotations: {}", lines.join(", ")),
            )
            .in_block(pvc.at),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{lines, lint_one};

    const ID: &str = "pvc-autoresize-annotations";

    const FULL: &str = r#"resource "kubernetes_persistent_volume_claim" "data" {
  wait_until_bound = false
  metadata {
    name = "app-data-proxmox"
    annotations = {
      "resize.topolvm.io/threshold"     = "10%"
      "resize.topolvm.io/increase"      = "100%"
      "resize.topolvm.io/storage_limit" = "5Gi"
    }
  }
  spec {
    access_modes       = ["ReadWriteOnce"]
    storage_class_name = "proxmox-lvm"
  }
}
"#;

    #[test]
    fn all_three_annotations_pass() {
        assert_eq!(lines(&lint_one(ID, FULL)), vec![]);
    }

    #[test]
    fn a_missing_ceiling_fires_at_the_annotations() {
        let text = FULL.replace("      \"resize.topolvm.io/storage_limit\" = \"5Gi\"\n", "");
        let findings = lint_one(ID, &text);
        assert_eq!(lines(&findings), vec![(5, ID)]);
        assert!(
            findings[0]
                .message
                .ends_with("annotation resize.topolvm.io/storage_limit")
        );
    }

    #[test]
    fn no_annotations_at_all_fires_at_the_metadata() {
        let text = "resource \"kubernetes_persistent_volume_claim\" \"data\" {\n  metadata {\n    name = \"x\"\n  }\n  spec {\n    storage_class_name = \"proxmox-lvm-encrypted\"\n  }\n}\n";
        let findings = lint_one(ID, text);
        assert_eq!(lines(&findings), vec![(2, ID)]);
        assert!(
            findings[0]
                .fix
                .contains("\"resize.topolvm.io/threshold\" = \"10%\"")
        );
    }

    #[test]
    fn nfs_pvcs_are_not_checked() {
        let text = FULL
            .replace("\"proxmox-lvm\"", "\"nfs-truenas\"")
            .replace("      \"resize.topolvm.io/threshold\"     = \"10%\"\n", "");
        assert_eq!(lines(&lint_one(ID, &text)), vec![]);
    }
}
