//! The Keel rules: a Deployment that Keel updates ignores what Keel changes.
//!
//! - `keel-ignores` (warning): the image of every container and init container is in
//!   `ignore_changes`, and the first container's entry carries the Keel image marker — the
//!   repo's written form ("Deployment image is `ignore_changes`/<marker> so the SHA sticks
//!   vs `terragrunt apply`").
//! - `keel-update-time` (info): the pod-template annotation Keel stamps on every roll is
//!   ignored too, with its marker comment. A habit of the repo, not a written rule.
//! - `keel-image-marker` (info): the extra image entries (containers after the first, init
//!   containers) carry the Keel image marker. A habit, not a written rule.
//!
//! Keel manages a Deployment when its own Keel policy annotation names a policy other than
//! the opt-out, or — without that annotation — when its namespace (a namespace resource of
//! the same stack, by reference or literal name) carries the Keel enrolment label. A
//! Deployment that opts out, one whose policy is an expression, and one labelled as managed
//! by Helm or an operator are not Keel's; a namespace given through a variable or declared
//! in another stack is not resolved, and the rules stay silent.

use super::fix;
use super::model::{IgnoreEntry, Kind, Kinds, Stack, Workload, path};
use super::{Check, Hit, Level, Rule};
use crate::conventions as cv;

pub(crate) const RULE: Rule = Rule {
    id: "keel-ignores",
    level: Level::Warning,
    summary: "a Deployment Keel updates must ignore_changes the image of every container and init container, the first one tagged with the Keel image marker",
    why: "Keel rolls images forward on the cluster; without the ignores the next apply rolls \
          the app back to the image in the stack. The marker comment is how operators grep \
          every site.",
    check: Check::Stack {
        needs: Kinds::of(&[Kind::Deployment, Kind::Namespace]),
        check,
    },
};

pub(crate) const UPDATE_TIME_RULE: Rule = Rule {
    id: "keel-update-time",
    level: Level::Info,
    summary: "a Deployment Keel updates ignores the update-time annotation Keel stamps on its pod template, with the Keel lifecycle marker (a repo habit, not a written rule)",
    why: "Keel stamps an update-time annotation on the pod template when it rolls; without the \
          ignore the next plan shows it as drift (and an apply removes it). The repo's stacks \
          ignore it by habit.",
    check: Check::Stack {
        needs: Kinds::of(&[Kind::Deployment, Kind::Namespace]),
        check: check_update_time,
    },
};

pub(crate) const EXTRA_MARKER_RULE: Rule = Rule {
    id: "keel-image-marker",
    level: Level::Info,
    summary: "the ignore_changes entries of extra container and init container images carry the Keel image marker (a repo habit, not a written rule)",
    why: "The marker is how operators find every image Keel owns; the written rule shows it on \
          the first container's entry, and some stacks repeat it on the others.",
    check: Check::Stack {
        needs: Kinds::of(&[Kind::Deployment, Kind::Namespace]),
        check: check_extra_markers,
    },
};

/// The image entry of each container of `w`: `(path, is the first container)`.
fn image_paths(w: &Workload) -> Vec<(String, bool)> {
    w.containers
        .iter()
        .map(|c| {
            if c.init {
                (cv::ignore::init_container_image(c.index), false)
            } else {
                (cv::ignore::container_image(c.index), c.index == 0)
            }
        })
        .collect()
}

/// The Keel-managed Deployments of the stack, with why each counts as managed.
fn managed<'s>(stack: &'s Stack<'_>) -> impl Iterator<Item = (&'s Workload, String)> {
    stack
        .workloads
        .iter()
        .filter(|w| w.kind == Kind::Deployment)
        .filter(|w| !w.ignores.as_ref().is_some_and(|i| i.all))
        .filter_map(|w| enrolment(stack, w).map(|why| (w, why)))
}

fn check(stack: &Stack<'_>, out: &mut Vec<Hit>) {
    for (w, why) in managed(stack) {
        for (required, first) in image_paths(w) {
            let entry = w
                .ignores
                .as_ref()
                .map(|i| (i.at, i.covering(&path(&required))));
            let hit = match entry {
                None => Some(Hit::new(
                    RULE.id,
                    w.file,
                    w.at,
                    format!(
                        "{} is updated by Keel ({why}) but does not ignore {required}",
                        w.addr
                    ),
                    format!(
                        "add `lifecycle {{ ignore_changes = [{required}, # {}] }}`",
                        cv::markers::keel_image_comment(cv::markers::KEEL_IMAGE_WORDS)
                    ),
                )),
                Some((at, None)) => Some(Hit::new(
                    RULE.id,
                    w.file,
                    at,
                    format!(
                        "{} is updated by Keel ({why}) but does not ignore {required}",
                        w.addr
                    ),
                    format!(
                        "add `{required},{}` to ignore_changes",
                        if first {
                            format!(
                                " # {}",
                                cv::markers::keel_image_comment(cv::markers::KEEL_IMAGE_WORDS)
                            )
                        } else {
                            String::new()
                        }
                    ),
                )),
                Some((_, Some(e))) if first && !e.comments.contains(cv::markers::KEEL_IMAGE) => {
                    Some(missing_marker(
                        stack,
                        w,
                        e,
                        RULE.id,
                        &required,
                        cv::markers::KEEL_IMAGE,
                        &cv::markers::keel_image_comment(cv::markers::KEEL_IMAGE_WORDS),
                    ))
                }
                Some((_, Some(_))) => None,
            };
            out.extend(hit.map(|h| h.in_block(w.at)));
        }
    }
}

fn check_update_time(stack: &Stack<'_>, out: &mut Vec<Hit>) {
    let required = cv::ignore::template_annotation(cv::keel::UPDATE_TIME);
    let marker = cv::markers::KEEL_UPDATE_TIME;
    for (w, why) in managed(stack) {
        let hit = match w
            .ignores
            .as_ref()
            .map(|i| (i.at, i.covering(&path(&required))))
        {
            None => Hit::new(
                UPDATE_TIME_RULE.id,
                w.file,
                w.at,
                format!(
                    "{} is updated by Keel ({why}) but does not ignore {required}",
                    w.addr
                ),
                format!("add `lifecycle {{ ignore_changes = [{required}, # {marker}] }}`"),
            ),
            Some((at, None)) => Hit::new(
                UPDATE_TIME_RULE.id,
                w.file,
                at,
                format!(
                    "{} is updated by Keel ({why}) but does not ignore {required}",
                    w.addr
                ),
                format!("add `{required}, # {marker}` to ignore_changes"),
            ),
            Some((_, Some(e))) if !e.comments.contains(marker) => {
                missing_marker(stack, w, e, UPDATE_TIME_RULE.id, &required, marker, marker)
            }
            Some((_, Some(_))) => continue,
        };
        out.push(hit.in_block(w.at));
    }
}

fn check_extra_markers(stack: &Stack<'_>, out: &mut Vec<Hit>) {
    for (w, _) in managed(stack) {
        let Some(ignores) = &w.ignores else {
            continue;
        };
        for (required, first) in image_paths(w) {
            if first {
                continue;
            }
            let Some(e) = ignores.covering(&path(&required)) else {
                continue;
            };
            if !e.comments.contains(cv::markers::KEEL_IMAGE) {
                out.push(
                    missing_marker(
                        stack,
                        w,
                        e,
                        EXTRA_MARKER_RULE.id,
                        &required,
                        cv::markers::KEEL_IMAGE,
                        &cv::markers::keel_image_comment(cv::markers::KEEL_IMAGE_WORDS),
                    )
                    .in_block(w.at),
                );
            }
        }
    }
}

/// The finding for an entry that lacks its marker comment, with the edit that adds it.
fn missing_marker(
    stack: &Stack<'_>,
    w: &Workload,
    entry: &IgnoreEntry,
    rule: &'static str,
    required: &str,
    marker: &str,
    comment: &str,
) -> Hit {
    Hit::new(
        rule,
        w.file,
        entry.at,
        format!(
            "{} ignores {required} without the `# {marker}` marker",
            w.addr
        ),
        format!("append `# {comment}` to this line"),
    )
    .with_edit(fix::append_comment(stack, w.file, entry, comment))
}

/// Why the Deployment counts as Keel-managed, if it does.
fn enrolment(stack: &Stack<'_>, w: &Workload) -> Option<String> {
    match w.annotation(cv::keel::POLICY) {
        Some(Some(policy)) if policy == cv::keel::OPT_OUT => return None,
        Some(Some(policy)) => {
            return Some(format!(
                "its {} annotation is \"{policy}\"",
                cv::keel::POLICY
            ));
        }
        // A policy computed by an expression may be the opt-out: not judged.
        Some(None) => return None,
        None => {}
    }
    if let Some(manager) = w.label(cv::labels::MANAGED_BY) {
        let terraform =
            manager.is_some_and(|m| m.eq_ignore_ascii_case(cv::labels::MANAGED_BY_TERRAFORM));
        if !terraform {
            return None;
        }
    }
    stack
        .namespace_of(w)
        .filter(|ns| ns.keel_enrolled)
        .map(|ns| format!("namespace {} is {}", ns.addr, cv::keel::ENROLLED_LABEL))
}

#[cfg(test)]
mod tests {
    use crate::conventions as cv;
    use crate::lint::testing::{lines, lint_many, lint_one};

    const ID: &str = "keel-ignores";
    const UPDATE_TIME: &str = "keel-update-time";
    const EXTRA: &str = "keel-image-marker";

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

    /// A Deployment (16 lines before its ignore entries) with `containers` container
    /// blocks and `inits` init containers.
    fn deployment(
        namespace: &str,
        annotations: &str,
        containers: usize,
        inits: usize,
        ignores: &str,
    ) -> String {
        let mut pod = String::new();
        for i in 0..inits {
            pod.push_str(&format!(
                "        init_container {{\n          name = \"init{i}\"\n        }}\n"
            ));
        }
        for i in 0..containers {
            pod.push_str(&format!(
                "        container {{\n          name = \"c{i}\"\n        }}\n"
            ));
        }
        format!(
            r#"resource "kubernetes_deployment" "app" {{
  metadata {{
    name      = "app"
    namespace = {namespace}
    annotations = {{
{annotations}    }}
  }}
  spec {{
    template {{
      spec {{
{pod}      }}
    }}
  }}
  lifecycle {{
    ignore_changes = [
{ignores}    ]
  }}
}}
"#
        )
    }

    const BY_REF: &str = "kubernetes_namespace.app.metadata[0].name";

    /// The conventions' image entry comment, as dlgen writes it.
    fn image_comment() -> String {
        cv::markers::keel_image_comment(cv::markers::KEEL_IMAGE_WORDS)
    }

    /// The full ignore list of the first container, each entry with its marker.
    fn full() -> String {
        format!(
            r#"      spec[0].template[0].spec[0].dns_config, # KYVERNO_LIFECYCLE_V1
      spec[0].template[0].spec[0].container[0].image, # {}
      spec[0].template[0].metadata[0].annotations["keel.sh/update-time"], # KEEL_LIFECYCLE_V1
"#,
            image_comment()
        )
    }

    fn ids(text: &str) -> Vec<(usize, &'static str)> {
        let mut found = Vec::new();
        for rule in [ID, UPDATE_TIME, EXTRA] {
            found.extend(lines(&lint_one(rule, text)));
        }
        found.sort();
        found
    }

    #[test]
    fn enrolled_deployment_with_the_ignores_passes_by_reference_and_by_name() {
        for ns in [BY_REF, "\"app\""] {
            let text = format!("{NAMESPACE}{}", deployment(ns, "", 1, 0, &full()));
            assert_eq!(ids(&text), vec![], "{ns}");
        }
    }

    #[test]
    fn missing_image_ignore_fires_and_update_time_is_only_info() {
        let only_dns = format!(
            "      spec[0].template[0].spec[0].dns_config, # {}\n",
            crate::conventions::markers::KYVERNO
        );
        let text = format!("{NAMESPACE}{}", deployment(BY_REF, "", 1, 0, &only_dns));
        let findings = lint_one(ID, &text);
        assert_eq!(lines(&findings), vec![(27, ID)]);
        assert!(findings[0].message.contains("container[0].image"));
        assert_eq!(findings[0].level, crate::lint::Level::Warning);
        let info = lint_one(UPDATE_TIME, &text);
        assert_eq!(lines(&info), vec![(27, UPDATE_TIME)]);
        assert_eq!(info[0].level, crate::lint::Level::Info);
        assert!(info[0].message.contains("keel.sh/update-time"));
    }

    #[test]
    fn every_container_and_init_container_image_must_be_ignored() {
        // The case the first-container-only check missed: a second container.
        let text = format!("{NAMESPACE}{}", deployment(BY_REF, "", 2, 1, &full()));
        let findings = lint_one(ID, &text);
        assert_eq!(lines(&findings), vec![(33, ID), (33, ID)]);
        assert!(
            findings
                .iter()
                .any(|f| f.message.contains("init_container[0].image"))
        );
        assert!(
            findings
                .iter()
                .any(|f| f.message.contains("container[1].image"))
        );
        let with_extra = full()
            + &format!(
                "      spec[0].template[0].spec[0].container[1].image,\n      spec[0].template[0].spec[0].init_container[0].image, # {}\n",
                cv::markers::KEEL_IMAGE
            );
        let text = format!("{NAMESPACE}{}", deployment(BY_REF, "", 2, 1, &with_extra));
        assert_eq!(lines(&lint_one(ID, &text)), vec![]);
        // The marker on extra entries is a habit: an info, with a fix.
        let info = lint_one(EXTRA, &text);
        assert_eq!(lines(&info), vec![(37, EXTRA)]);
        assert!(info[0].edit.is_some());
    }

    #[test]
    fn the_first_image_entry_needs_its_marker_and_the_fix_appends_it() {
        let untagged = full().replace(&format!(" # {}", image_comment()), "");
        let findings = lint_many(
            ID,
            &[
                ("namespace.tf", NAMESPACE),
                ("app.tf", &deployment("\"app\"", "", 1, 0, &untagged)),
            ],
        );
        assert_eq!(lines(&findings), vec![(20, ID)]);
        assert_eq!(findings[0].path.to_str(), Some("app.tf"));
        assert!(findings[0].message.contains(&format!(
            "without the `# {}` marker",
            cv::markers::KEEL_IMAGE
        )));
        let edit = findings[0].edit.as_ref().expect("a fix");
        assert_eq!(edit.text, format!(" # {}", image_comment()));
    }

    #[test]
    fn a_keel_policy_annotation_enrols_and_never_opts_out() {
        let minor = "      \"keel.sh/policy\" = \"minor\"\n";
        let text = deployment("\"other\"", minor, 1, 0, "");
        assert_eq!(lines(&lint_one(ID, &text)), vec![(19, ID)]);
        // The repo's documented opt-out, in an enrolled namespace.
        let never = "      \"keel.sh/policy\" = \"never\"\n";
        let text = format!("{NAMESPACE}{}", deployment(BY_REF, never, 2, 0, ""));
        assert_eq!(ids(&text), vec![]);
        // A policy computed by an expression is not judged.
        let computed = "      \"keel.sh/policy\" = var.keel_policy\n";
        let text = format!("{NAMESPACE}{}", deployment(BY_REF, computed, 1, 0, ""));
        assert_eq!(ids(&text), vec![]);
    }

    #[test]
    fn helm_or_operator_managed_deployments_are_not_keel_enrolled() {
        let text = format!("{NAMESPACE}{}", deployment(BY_REF, "", 1, 0, "")).replace(
            "    name      = \"app\"\n    namespace",
            "    name      = \"app\"\n    labels = { \"app.kubernetes.io/managed-by\" = \"Helm\" }\n    namespace",
        );
        assert_eq!(ids(&text), vec![]);
        let terraform = text.replace("\"Helm\"", "\"Terraform\"");
        assert_eq!(lines(&lint_one(ID, &terraform)).len(), 1);
    }

    #[test]
    fn unenrolled_or_unresolvable_namespaces_do_not_fire() {
        let plain_ns = NAMESPACE.replace(
            "\"keel.sh/enrolled\" = \"true\"",
            "\"keel.sh/enrolled\" = \"false\"",
        );
        for text in [
            format!("{plain_ns}{}", deployment(BY_REF, "", 1, 0, "")),
            format!("{NAMESPACE}{}", deployment("var.namespace", "", 1, 0, "")),
            format!("{NAMESPACE}{}", deployment("\"other\"", "", 1, 0, "")),
            deployment("\"app\"", "", 1, 0, ""),
        ] {
            assert_eq!(ids(&text), vec![], "{text}");
        }
    }
}
