//! `keel-ignores`: a Deployment that Keel updates ignores the container image and the
//! update-time template annotation Keel stamps, each with its marker comment.
//!
//! Keel enrolment signal: the Deployment's `metadata.namespace` resolves to a
//! `kubernetes_namespace` of the same stack whose labels carry the Keel enrolment label
//! (`"true"`) — either by reference (`kubernetes_namespace.<x>.metadata[0].name`) or by a
//! literal name equal to the namespace resource's `metadata.name` — or the Deployment
//! itself carries a Keel policy annotation. A namespace given through a variable or
//! declared in another stack is not resolved, and the rule stays silent.

use super::model::{Kind, Kinds, Stack, Workload, path};
use super::{Check, Hit, Level, Rule};
use crate::conventions as cv;

pub(crate) const RULE: Rule = Rule {
    id: "keel-ignores",
    level: Level::Warning,
    summary: "a Deployment in a Keel-enrolled namespace must ignore container[0].image and Keel's update-time annotation, each with its marker comment",
    why: "Keel rolls the image forward and stamps its update-time annotation on the pod template; \
          without the ignores the next apply rolls the app back to the pinned image and strips \
          the annotation.",
    check: Check::Stack {
        needs: Kinds::of(&[Kind::Deployment, Kind::Namespace]),
        check,
    },
};

/// The entries a Keel-managed Deployment ignores: (path, marker, marker comment).
fn required() -> [(String, &'static str, &'static str); 2] {
    [
        (
            cv::ignore::container_image(0),
            cv::markers::KEEL_IMAGE,
            cv::markers::KEEL_IMAGE_COMMENT,
        ),
        (
            cv::ignore::template_annotation(cv::keel::UPDATE_TIME),
            cv::markers::KEEL_UPDATE_TIME,
            cv::markers::KEEL_UPDATE_TIME,
        ),
    ]
}

fn check(stack: &Stack<'_>, out: &mut Vec<Hit>) {
    for w in stack
        .workloads
        .iter()
        .filter(|w| w.kind == Kind::Deployment)
    {
        let Some(why) = enrolment(stack, w) else {
            continue;
        };
        for (required, marker, comment) in required() {
            let entry = w
                .ignores
                .as_ref()
                .filter(|i| !i.all)
                .map(|i| (i.at, i.covering(&path(&required))));
            let hit = match entry {
                None if w.ignores.as_ref().is_some_and(|i| i.all) => None,
                None => Some(Hit::new(
                    RULE.id,
                    w.file,
                    w.at,
                    format!(
                        "{} is updated by Keel ({why}) but does not ignore {required}",
                        w.addr
                    ),
                    format!("add `lifecycle {{ ignore_changes = [{required}, # {comment}] }}`"),
                )),
                Some((at, None)) => Some(Hit::new(
                    RULE.id,
                    w.file,
                    at,
                    format!(
                        "{} is updated by Keel ({why}) but does not ignore {required}",
                        w.addr
                    ),
                    format!("add `{required}, # {comment}` to ignore_changes"),
                )),
                Some((_, Some(e))) if !e.comments.contains(marker) => Some(Hit::new(
                    RULE.id,
                    w.file,
                    e.at,
                    format!(
                        "{} ignores {required} without the `# {marker}` marker",
                        w.addr
                    ),
                    format!("append `# {comment}` to this line"),
                )),
                Some((_, Some(_))) => None,
            };
            out.extend(hit.map(|h| h.in_block(w.at)));
        }
    }
}

/// Why the Deployment counts as Keel-managed, if it does.
fn enrolment(stack: &Stack<'_>, w: &Workload) -> Option<String> {
    if w.annotations.iter().any(|a| a == cv::keel::POLICY) {
        return Some(format!("it has a {} annotation", cv::keel::POLICY));
    }
    stack
        .namespace_of(w)
        .filter(|ns| ns.keel_enrolled)
        .map(|ns| format!("namespace {} is {}", ns.addr, cv::keel::ENROLLED_LABEL))
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{lines, lint_many, lint_one};

    const ID: &str = "keel-ignores";

    const NAMESPACE: &str = r#"resource "kubernetes_namespace" "app" {
  metadata {
    name = "app"
    labels = {
      tier               = local.tiers.aux
      "keel.sh/enrolled" = "true"
    }
  }
}
"#;

    fn deployment(namespace: &str, ignores: &str) -> String {
        format!(
            r#"resource "kubernetes_deployment" "app" {{
  metadata {{
    name      = "app"
    namespace = {namespace}
  }}
  lifecycle {{
    ignore_changes = [
{ignores}    ]
  }}
}}
"#
        )
    }

    const FULL: &str = r#"      spec[0].template[0].spec[0].dns_config, # KYVERNO_LIFECYCLE_V1
      spec[0].template[0].spec[0].container[0].image, # KEEL_IGNORE_IMAGE — Keel manages tag updates
      spec[0].template[0].metadata[0].annotations["keel.sh/update-time"], # KEEL_LIFECYCLE_V1
"#;

    #[test]
    fn enrolled_deployment_with_both_ignores_passes() {
        let by_ref = deployment("kubernetes_namespace.app.metadata[0].name", FULL);
        let by_name = deployment("\"app\"", FULL);
        for d in [by_ref, by_name] {
            let text = format!("{NAMESPACE}{d}");
            assert_eq!(lines(&lint_one(ID, &text)), vec![]);
        }
    }

    #[test]
    fn enrolled_deployment_without_ignores_fires_once_per_missing_entry() {
        let only_dns = "      spec[0].template[0].spec[0].dns_config, # KYVERNO_LIFECYCLE_V1\n";
        let text = format!(
            "{NAMESPACE}{}",
            deployment("kubernetes_namespace.app.metadata[0].name", only_dns)
        );
        let findings = lint_one(ID, &text);
        assert_eq!(lines(&findings), vec![(16, ID), (16, ID)]);
        assert!(
            findings
                .iter()
                .any(|f| f.message.contains("container[0].image"))
        );
        assert!(
            findings
                .iter()
                .any(|f| f.message.contains("keel.sh/update-time"))
        );
    }

    #[test]
    fn namespace_in_another_file_of_the_stack_is_found_by_literal_name() {
        let untagged = FULL.replace("# KEEL_LIFECYCLE_V1", "");
        let findings = lint_many(
            ID,
            &[
                ("namespace.tf", NAMESPACE),
                ("app.tf", &deployment("\"app\"", &untagged)),
            ],
        );
        assert_eq!(lines(&findings), vec![(10, ID)]);
        assert_eq!(findings[0].path.to_str(), Some("app.tf"));
        assert!(
            findings[0]
                .message
                .contains("without the `# KEEL_LIFECYCLE_V1`")
        );
    }

    #[test]
    fn keel_policy_annotation_enrols_the_deployment_itself() {
        let text = r#"resource "kubernetes_deployment" "vaultwarden" {
  metadata {
    name = "vaultwarden"
    annotations = {
      "keel.sh/policy" = "minor"
    }
  }
}
"#;
        assert_eq!(lines(&lint_one(ID, text)), vec![(1, ID), (1, ID)]);
    }

    #[test]
    fn unenrolled_or_unresolvable_namespaces_do_not_fire() {
        let plain_ns = NAMESPACE.replace(
            "\"keel.sh/enrolled\" = \"true\"",
            "\"keel.sh/enrolled\" = \"false\"",
        );
        let empty = "";
        for text in [
            format!(
                "{plain_ns}{}",
                deployment("kubernetes_namespace.app.metadata[0].name", empty)
            ),
            format!("{NAMESPACE}{}", deployment("var.namespace", empty)),
            format!("{NAMESPACE}{}", deployment("\"other\"", empty)),
            deployment("\"app\"", empty),
        ] {
            assert_eq!(lines(&lint_one(ID, &text)), vec![], "{text}");
        }
    }
}
