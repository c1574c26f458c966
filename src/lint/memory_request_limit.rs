//! `memory-request-limit`: outside the Burstable tiers, a container's memory request
//! equals its memory limit.
//!
//! The written rule is "Set explicit `requests=limits`", except that the edge and aux
//! tiers "now use Burstable QoS (request < limit)". The tier is the workload's namespace's
//! `tier` label (`local.tiers.<key>` or the literal label value), else the workload's own
//! `tier` label; a `var.<x>` in a local module is resolved through the stack's `module`
//! calls of it.
//! Where the tier is a Burstable one, or cannot be resolved, the rule does not apply.
//!
//! Quantities are compared by value (`512Mi` equals `0.5Gi`); expressions that are not
//! literals are compared as written, and two different non-literal expressions are not
//! judged. A request without a limit fires; a limit without a request does not
//! (Kubernetes then sets the request to the limit).

use super::model::{Kind, Kinds, Stack, Value};
use super::{Check, Hit, Level, Rule};
use crate::conventions as cv;

pub(crate) const RULE: Rule = Rule {
    id: "memory-request-limit",
    level: Level::Warning,
    summary: "outside the Burstable tiers (edge, aux), a container's memory request must equal its memory limit",
    why: "Memory is not compressible: a pod that uses more than it requested is the first to \
          be OOM-killed or evicted when the node is short. The repo sizes request = limit from \
          observed usage, except in the edge and aux tiers, which run Burstable on purpose.",
    check: Check::Stack {
        needs: Kinds::WORKLOADS.union(Kinds::of(&[Kind::Namespace, Kind::Module])),
        check,
    },
};

fn check(stack: &Stack<'_>, out: &mut Vec<Hit>) {
    for w in &stack.workloads {
        if !w.containers.iter().any(|c| c.memory_request.is_some()) {
            continue;
        }
        let Some(tier) = stack.tier_of(w) else {
            continue;
        };
        if cv::tiers::BURSTABLE.contains(&tier.key) {
            continue;
        }
        let tier_label = cv::tiers::label(tier.key).unwrap_or(tier.key);
        for c in &w.containers {
            let (request, limit) = match (&c.memory_request, &c.memory_limit) {
                (Some(r), Some(l)) => (r, Some(l)),
                (Some(r), None) => (r, None),
                _ => continue,
            };
            let (message, at, fix) = match limit {
                None => (
                    format!(
                        "{} of {} (tier {tier_label}, from {}) requests {} of memory but sets no memory limit",
                        c.describe(),
                        w.addr,
                        tier.via,
                        request.text
                    ),
                    request.at,
                    format!("add `memory = {}` to `limits`", request.text),
                ),
                Some(limit) => match same(request, limit) {
                    Some(false) => (
                        format!(
                            "{} of {} (tier {tier_label}, from {}) requests {} of memory but is limited to {}",
                            c.describe(),
                            w.addr,
                            tier.via,
                            request.text,
                            limit.text
                        ),
                        limit.at,
                        "set the memory request and limit to the same value, sized from observed usage"
                            .to_owned(),
                    ),
                    _ => continue,
                },
            };
            out.push(Hit::new(RULE.id, w.file, at, message, fix).in_block(w.at));
        }
    }
}

/// Whether two memory values are equal; `None` when that cannot be told.
fn same(a: &Value, b: &Value) -> Option<bool> {
    match (
        a.literal.as_deref().and_then(bytes),
        b.literal.as_deref().and_then(bytes),
    ) {
        (Some(x), Some(y)) => Some(x == y),
        _ if a.text == b.text => Some(true),
        _ => None,
    }
}

/// A Kubernetes quantity in bytes: `512Mi`, `1G`, `0.5Gi`, `1e9`, `1048576`.
fn bytes(quantity: &str) -> Option<f64> {
    let q = quantity.trim();
    let split = q
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(q.len());
    let (number, suffix) = q.split_at(split);
    let number: f64 = number.parse().ok()?;
    let factor = match suffix {
        "" => 1.0,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        exp => 10f64.powi(exp.strip_prefix(['e', 'E'])?.parse().ok()?),
    };
    Some(number * factor)
}

#[cfg(test)]
mod tests {
    use super::bytes;
    use crate::lint::testing::{lines, lint_many, lint_one};

    const ID: &str = "memory-request-limit";

    /// A Deployment with a `tier` label on the Deployment itself (line 1..=6 before the
    /// resources; the first resources line is 11).
    fn deployment(tier: &str, resources: &str) -> String {
        format!(
            "resource \"kubernetes_deployment\" \"x\" {{\n  metadata {{\n    labels = {{ tier = {tier} }}\n  }}\n  spec {{\n    template {{\n      spec {{\n        container {{\n          resources {{\n{resources}          }}\n        }}\n      }}\n    }}\n  }}\n}}\n"
        )
    }

    const CORE: &str = "local.tiers.core";
    const BURSTABLE: &str = "            requests = { memory = \"256Mi\" }\n            limits   = { memory = \"1Gi\" }\n";

    #[test]
    fn quantities_compare_by_value() {
        assert_eq!(bytes("512Mi"), bytes("0.5Gi"));
        assert_eq!(bytes("1G"), bytes("1e9"));
        assert_eq!(bytes("1Ki"), Some(1024.0));
        assert_ne!(bytes("512Mi"), bytes("512M"));
        assert_eq!(bytes("lots"), None);
    }

    #[test]
    fn equal_request_and_limit_pass() {
        for resources in [
            "            requests = { cpu = \"25m\", memory = \"512Mi\" }\n            limits   = { memory = \"512Mi\" }\n",
            "            requests = { memory = \"0.5Gi\" }\n            limits   = { memory = \"512Mi\" }\n",
            "            requests = { memory = var.memory }\n            limits   = { memory = var.memory }\n",
            "            limits   = { memory = \"1Gi\" }\n",
            "            requests = { cpu = \"10m\" }\n",
            "            requests = { memory = var.a }\n            limits   = { memory = var.b }\n",
        ] {
            assert_eq!(
                lines(&lint_one(ID, &deployment(CORE, resources))),
                vec![],
                "{resources}"
            );
        }
    }

    #[test]
    fn different_or_missing_limits_fire_outside_the_burstable_tiers() {
        for tier in [
            CORE,
            "local.tiers.cluster",
            "local.tiers.gpu",
            "\"1-cluster\"",
        ] {
            let findings = lint_one(ID, &deployment(tier, BURSTABLE));
            assert_eq!(lines(&findings), vec![(11, ID)], "{tier}");
            assert!(
                findings[0]
                    .message
                    .contains("requests \"256Mi\" of memory but is limited to \"1Gi\""),
                "{}",
                findings[0].message
            );
        }
        let no_limit = "            requests = { memory = \"256Mi\" }\n";
        let findings = lint_one(ID, &deployment(CORE, no_limit));
        assert_eq!(lines(&findings), vec![(10, ID)]);
        assert!(findings[0].fix.contains("memory = \"256Mi\""));
        assert!(findings[0].message.contains("tier 0-core"));
    }

    #[test]
    fn edge_and_aux_tiers_run_burstable_and_unknown_tiers_are_not_judged() {
        for tier in [
            "local.tiers.aux",
            "local.tiers.edge",
            "\"4-aux\"",
            "\"3-edge\"",
            "var.tier",
            "local.my_tier",
        ] {
            assert_eq!(
                lines(&lint_one(ID, &deployment(tier, BURSTABLE))),
                vec![],
                "{tier}"
            );
        }
        let untiered =
            deployment(CORE, BURSTABLE).replace("    labels = { tier = local.tiers.core }\n", "");
        assert_eq!(lines(&lint_one(ID, &untiered)), vec![]);
    }

    #[test]
    fn the_namespace_tier_decides_over_the_workload_label() {
        let ns = "resource \"kubernetes_namespace\" \"db\" {\n  metadata {\n    name   = \"db\"\n    labels = { tier = local.tiers.aux }\n  }\n}\n";
        let app = deployment(CORE, BURSTABLE).replace(
            "    labels = { tier = local.tiers.core }\n",
            "    labels    = { tier = local.tiers.core }\n    namespace = kubernetes_namespace.db.metadata[0].name\n",
        );
        assert_eq!(
            lines(&lint_many(ID, &[("ns.tf", ns), ("app.tf", &app)])),
            vec![]
        );
        let core_ns = ns.replace("aux", "core");
        assert_eq!(
            lines(&lint_many(
                ID,
                &[
                    ("ns.tf", &core_ns),
                    ("app.tf", &app.replace("tiers.core", "tiers.aux"))
                ]
            )),
            vec![(12, ID)]
        );
    }

    #[test]
    fn a_module_variable_tier_is_resolved_through_the_call() {
        let caller =
            "module \"db\" {\n  source = \"./modules/db\"\n  tier   = local.tiers.cluster\n}\n";
        let module = deployment("var.tier", BURSTABLE);
        let files = [
            ("stack/main.tf", caller),
            ("stack/modules/db/main.tf", module.as_str()),
        ];
        assert_eq!(lines(&lint_many(ID, &files)), vec![(11, ID)]);
        let aux = caller.replace("cluster", "aux");
        let files = [
            ("stack/main.tf", aux.as_str()),
            ("stack/modules/db/main.tf", module.as_str()),
        ];
        assert_eq!(lines(&lint_many(ID, &files)), vec![]);
        // A call of another module does not count.
        let other = caller.replace("./modules/db", "./modules/other");
        let files = [
            ("stack/main.tf", other.as_str()),
            ("stack/modules/db/main.tf", module.as_str()),
        ];
        assert_eq!(lines(&lint_many(ID, &files)), vec![]);
    }

    #[test]
    fn init_containers_and_cron_jobs_are_checked_too() {
        let text = "resource \"kubernetes_cron_job_v1\" \"x\" {\n  metadata {\n    labels = { tier = local.tiers.core }\n  }\n  spec {\n    job_template {\n      spec {\n        template {\n          spec {\n            init_container {\n              resources {\n                requests = { memory = \"32Mi\" }\n                limits   = { memory = \"64Mi\" }\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n}\n";
        let findings = lint_one(ID, text);
        assert_eq!(lines(&findings), vec![(13, ID)]);
        assert!(findings[0].message.starts_with("init container [0]"));
    }
}
