//! `cpu-limit`: no container sets a CPU limit.

use super::model::{Kinds, Stack};
use super::{Check, Hit, Level, Rule};

pub(crate) const RULE: Rule = Rule {
    id: "cpu-limit",
    level: Level::Warning,
    summary: "a container must not set a CPU limit (requests only)",
    why: "CPU limits were removed cluster-wide: CFS throttling stalls latency-sensitive apps \
          long before the node is busy. Set a CPU request sized from actual usage instead.",
    check: Check::Stack {
        needs: Kinds::WORKLOADS,
        check,
    },
};

fn check(stack: &Stack<'_>, out: &mut Vec<Hit>) {
    for w in &stack.workloads {
        for c in &w.containers {
            let Some(limit) = &c.cpu_limit else {
                continue;
            };
            out.push(
                Hit::new(
                    RULE.id,
                    w.file,
                    limit.at,
                    format!(
                        "{} of {} sets a CPU limit ({}): the cluster runs without CPU limits to avoid CFS throttling",
                        c.describe(),
                        w.addr,
                        limit.text
                    ),
                    "remove `cpu` from `limits` and keep a `cpu` request",
                )
                .in_block(w.at),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{lines, lint_one};

    const ID: &str = "cpu-limit";

    fn workload(rtype: &str, pod_path_open: &str, pod_path_close: &str, resources: &str) -> String {
        format!(
            "resource \"{rtype}\" \"x\" {{\n{pod_path_open}        container {{\n          name = \"app\"\n          resources {{\n{resources}          }}\n        }}\n{pod_path_close}}}\n"
        )
    }

    const TEMPLATE_OPEN: &str = "  spec {\n    template {\n      spec {\n";
    const TEMPLATE_CLOSE: &str = "      }\n    }\n  }\n";

    #[test]
    fn cpu_limits_fire_in_any_workload_and_either_syntax() {
        let attr = "            requests = { cpu = \"25m\", memory = \"64Mi\" }\n            limits   = { cpu = \"500m\", memory = \"64Mi\" }\n";
        let block = "            limits {\n              cpu    = \"1\"\n              memory = \"64Mi\"\n            }\n";
        for rtype in [
            "kubernetes_deployment",
            "kubernetes_stateful_set_v1",
            "kubernetes_daemonset",
        ] {
            let findings = lint_one(ID, &workload(rtype, TEMPLATE_OPEN, TEMPLATE_CLOSE, attr));
            assert_eq!(lines(&findings), vec![(9, ID)], "{rtype}");
            assert!(findings[0].message.contains("container \"app\""));
            assert!(findings[0].message.contains("(\"500m\")"));
        }
        let findings = lint_one(
            ID,
            &workload(
                "kubernetes_deployment_v1",
                TEMPLATE_OPEN,
                TEMPLATE_CLOSE,
                block,
            ),
        );
        assert_eq!(lines(&findings), vec![(9, ID)]);
        let cron_open =
            "  spec {\n    job_template {\n      spec {\n        template {\n          spec {\n";
        let cron_close = "          }\n        }\n      }\n    }\n  }\n";
        let findings = lint_one(
            ID,
            &workload("kubernetes_cron_job_v1", cron_open, cron_close, attr),
        );
        assert_eq!(lines(&findings), vec![(11, ID)]);
    }

    #[test]
    fn cpu_requests_memory_limits_and_null_do_not_fire() {
        let ok = "            requests = { cpu = \"25m\", memory = \"64Mi\" }\n            limits   = { memory = \"64Mi\", cpu = null }\n";
        let text = workload("kubernetes_deployment", TEMPLATE_OPEN, TEMPLATE_CLOSE, ok);
        assert_eq!(lines(&lint_one(ID, &text)), vec![]);
    }
}
