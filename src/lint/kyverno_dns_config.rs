//! `kyverno-dns-config`: every Deployment, StatefulSet and CronJob ignores the pod
//! `dns_config` that Kyverno injects, and tags the entry with the Kyverno marker comment.
//!
//! The marker counts where the repo's written form puts it: after the list's closing `]`
//! (`ignore_changes = [ … ] # <marker>`), trailing the entry, or in the comment lines above
//! the entry, the `ignore_changes` line or the `lifecycle` block. A pod that sets its own
//! `ndots` DNS option gets nothing injected (the policy skips it), so it needs no ignore.

use super::fix;
use super::model::{Kind, Kinds, Stack, Workload, path};
use super::{Check, Hit, Level, Rule};
use crate::conventions as cv;

pub(crate) const RULE: Rule = Rule {
    id: "kyverno-dns-config",
    level: Level::Warning,
    summary: "Deployments, StatefulSets and CronJobs must ignore_changes the pod dns_config, tagged with the Kyverno marker comment",
    why: "A Kyverno policy injects `dns_config` (ndots=2) into every pod; without the ignore \
          every plan shows drift and every apply fights the policy. The marker comment is how \
          operators grep every site.",
    check: Check::Stack {
        needs: Kinds::of(&[Kind::Deployment, Kind::StatefulSet, Kind::CronJob]),
        check,
    },
};

pub(crate) const MARKER: &str = cv::markers::KYVERNO;
const POD_PATH: &str = cv::ignore::POD_DNS_CONFIG;
const CRON_PATH: &str = cv::ignore::CRON_DNS_CONFIG;

fn check(stack: &Stack<'_>, out: &mut Vec<Hit>) {
    for w in &stack.workloads {
        let required = match w.kind {
            Kind::Deployment | Kind::StatefulSet => POD_PATH,
            Kind::CronJob => CRON_PATH,
            _ => continue,
        };
        if w.sets_ndots {
            continue;
        }
        if let Some(hit) = check_one(stack, w, required) {
            out.push(hit.in_block(w.at));
        }
    }
}

fn check_one(stack: &Stack<'_>, w: &Workload, required: &str) -> Option<Hit> {
    let fix_add =
        format!("add `{required}, # {MARKER}` to `lifecycle {{ ignore_changes = [...] }}`");
    let Some(ignores) = &w.ignores else {
        return Some(Hit::new(
            RULE.id,
            w.file,
            w.at,
            format!(
                "{} {} has no lifecycle ignore for the dns_config Kyverno injects: every plan shows drift",
                w.kind.noun(),
                w.addr
            ),
            format!("add `lifecycle {{ ignore_changes = [{required}] # {MARKER} }}`"),
        ));
    };
    if ignores.all {
        return None;
    }
    match ignores.covering(&path(required)) {
        Some(entry) if entry.comments.contains(MARKER) => None,
        Some(entry) => Some(
            Hit::new(
                RULE.id,
                w.file,
                entry.at,
                format!(
                    "{} ignores dns_config without the `# {MARKER}` marker",
                    w.addr
                ),
                format!("append `# {MARKER}` to this line"),
            )
            .with_edit(fix::append_comment(stack, w.file, entry, MARKER)),
        ),
        None => {
            let wrong = (w.kind == Kind::CronJob)
                .then(|| ignores.covering(&path(POD_PATH)))
                .flatten();
            let message = match wrong {
                Some(_) => format!(
                    "CronJob {} ignores {POD_PATH}, which is not where a CronJob's pod spec lives",
                    w.addr
                ),
                None => format!(
                    "{} {} does not ignore the dns_config Kyverno injects: every plan shows drift",
                    w.kind.noun(),
                    w.addr
                ),
            };
            let fix = match wrong {
                Some(_) => format!("replace this entry with `{required}, # {MARKER}`"),
                None => fix_add,
            };
            Some(Hit::new(
                RULE.id,
                w.file,
                wrong.map_or(ignores.at, |e| e.at),
                message,
                fix,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{lines, lint_one};

    const ID: &str = "kyverno-dns-config";

    #[test]
    fn tagged_ignores_pass_for_each_kind() {
        let text = r#"
resource "kubernetes_deployment" "app" {
  lifecycle {
    ignore_changes = [
      spec[0].template[0].spec[0].dns_config, # KYVERNO_LIFECYCLE_V1
      spec[0].template[0].spec[0].container[0].image,
    ]
  }
}
resource "kubernetes_stateful_set_v1" "db" {
  lifecycle {
    ignore_changes = [spec.0.template.0.spec.0.dns_config] # KYVERNO_LIFECYCLE_V1
  }
}
resource "kubernetes_cron_job_v1" "backup" {
  lifecycle {
    # KYVERNO_LIFECYCLE_V1: Kyverno mutates dns_config (ndots=2) on every pod.
    ignore_changes = [spec[0].job_template[0].spec[0].template[0].spec[0].dns_config]
  }
}
resource "kubernetes_deployment" "everything" {
  lifecycle {
    ignore_changes = all
  }
}
"#;
        assert_eq!(lines(&lint_one(ID, text)), vec![]);
    }

    #[test]
    fn missing_lifecycle_fires_at_the_resource() {
        let text = "resource \"kubernetes_deployment\" \"app\" {\n  spec {}\n}\n";
        let findings = lint_one(ID, text);
        assert_eq!(lines(&findings), vec![(1, ID)]);
        assert!(findings[0].fix.contains(&format!("# {}", super::MARKER)));
    }

    #[test]
    fn untagged_ignore_fires_at_the_entry() {
        let text = r#"resource "kubernetes_stateful_set" "db" {
  lifecycle {
    ignore_changes = [
      spec[0].replicas, # KYVERNO_LIFECYCLE_V1
      spec[0].template[0].spec[0].dns_config,
    ]
  }
}
"#;
        let findings = lint_one(ID, text);
        assert_eq!(lines(&findings), vec![(5, ID)]);
        assert!(findings[0].message.contains("without the"));
    }

    #[test]
    fn cron_job_with_the_deployment_path_fires() {
        let text = r#"resource "kubernetes_cron_job_v1" "backup" {
  lifecycle {
    ignore_changes = [spec[0].template[0].spec[0].dns_config] # KYVERNO_LIFECYCLE_V1
  }
}
"#;
        let findings = lint_one(ID, text);
        assert_eq!(lines(&findings), vec![(3, ID)]);
        assert!(findings[0].message.contains("not where a CronJob"));
    }

    #[test]
    fn other_resources_are_not_checked() {
        let text = "resource \"kubernetes_service\" \"s\" {}\nresource \"kubernetes_daemonset\" \"d\" {}\nresource \"helm_release\" \"h\" {}\n";
        assert_eq!(lines(&lint_one(ID, text)), vec![]);
    }

    #[test]
    fn a_marker_after_the_closing_bracket_counts_for_the_list() {
        let text = r#"resource "kubernetes_deployment" "app" {
  lifecycle {
    ignore_changes = [
      spec[0].template[0].spec[0].dns_config,
      spec[0].template[0].spec[0].container[0].image,
    ] # KYVERNO_LIFECYCLE_V1
  }
}
resource "kubernetes_cron_job_v1" "backup" {
  # KYVERNO_LIFECYCLE_V1: Kyverno mutates dns_config (ndots=2) on every pod.
  lifecycle {
    ignore_changes = [spec[0].job_template[0].spec[0].template[0].spec[0].dns_config]
  }
}
"#;
        assert_eq!(lines(&lint_one(ID, text)), vec![]);
    }

    #[test]
    fn a_pod_that_sets_its_own_ndots_needs_no_ignore() {
        let text = r#"resource "kubernetes_deployment" "app" {
  spec {
    template {
      spec {
        dns_config {
          option {
            name  = "ndots"
            value = "2"
          }
        }
      }
    }
  }
}
"#;
        assert_eq!(lines(&lint_one(ID, text)), vec![]);
        let other_option = text.replace("\"ndots\"", "\"timeout\"");
        assert_eq!(lines(&lint_one(ID, &other_option)), vec![(1, ID)]);
    }

    #[test]
    fn a_missing_marker_has_a_fix_that_appends_it() {
        let text = "resource \"kubernetes_deployment\" \"app\" {\n  lifecycle {\n    ignore_changes = [\n      spec[0].template[0].spec[0].dns_config,\n    ]\n  }\n}\n";
        let findings = lint_one(ID, text);
        let edit = findings[0].edit.as_ref().expect("fixable");
        let mut fixed = text.to_owned();
        fixed.replace_range(edit.start..edit.end, &edit.text);
        assert!(
            fixed
                .contains("      spec[0].template[0].spec[0].dns_config, # KYVERNO_LIFECYCLE_V1\n")
        );
        assert_eq!(lines(&lint_one(ID, &fixed)), vec![]);
        // Not when another entry shares the line, or a comment is already there.
        for line in [
            "ignore_changes = [spec[0].replicas, spec[0].template[0].spec[0].dns_config]",
            "ignore_changes = [spec[0].template[0].spec[0].dns_config] # Kyverno",
        ] {
            let text = format!(
                "resource \"kubernetes_deployment\" \"app\" {{\n  lifecycle {{\n    {line}\n  }}\n}}\n"
            );
            let findings = lint_one(ID, &text);
            assert_eq!(findings.len(), 1, "{line}");
            assert_eq!(findings[0].edit, None, "{line}");
        }
    }
}
