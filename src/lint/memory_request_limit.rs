//! `memory-request-limit`: a container's memory request equals its memory limit.
//!
//! Quantities are compared by value (`512Mi` equals `0.5Gi`); expressions that are not
//! literals are compared as written, and two different non-literal expressions are not
//! judged. A request without a limit fires; a limit without a request does not
//! (Kubernetes then sets the request to the limit).

use super::model::{Kinds, Stack, Value};
use super::{Check, Hit, Level, Rule};

pub(crate) const RULE: Rule = Rule {
    id: "memory-request-limit",
    level: Level::Warning,
    summary: "a container's memory request must equal its memory limit",
    why: "Memory is not compressible: a pod that uses more than it requested is the first to \
          be OOM-killed or evicted when the node is short. The repo sizes request = limit from \
          observed usage.",
    check: Check::Stack {
        needs: Kinds::WORKLOADS,
        check,
    },
};

fn check(stack: &Stack<'_>, out: &mut Vec<Hit>) {
    for w in &stack.workloads {
        for c in &w.containers {
            let (request, limit) = match (&c.memory_request, &c.memory_limit) {
                (Some(r), Some(l)) => (r, Some(l)),
                (Some(r), None) => (r, None),
                _ => continue,
            };
            let (message, at, fix) = match limit {
                None => (
                    format!(
                        "{} of {} requests {} of memory but sets no memory limit",
                        c.describe(),
                        w.addr,
                        request.text
                    ),
                    request.at,
                    format!("add `memory = {}` to `limits`", request.text),
                ),
                Some(limit) => match same(request, limit) {
                    Some(false) => (
                        format!(
                            "{} of {} requests {} of memory but is limited to {}",
                            c.describe(),
                            w.addr,
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
    use crate::lint::testing::{lines, lint_one};

    const ID: &str = "memory-request-limit";

    fn deployment(resources: &str) -> String {
        format!(
            "resource \"kubernetes_deployment\" \"x\" {{\n  spec {{\n    template {{\n      spec {{\n        container {{\n          resources {{\n{resources}          }}\n        }}\n      }}\n    }}\n  }}\n}}\n"
        )
    }

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
                lines(&lint_one(ID, &deployment(resources))),
                vec![],
                "{resources}"
            );
        }
    }

    #[test]
    fn different_or_missing_limits_fire() {
        let burstable = "            requests = { memory = \"256Mi\" }\n            limits   = { memory = \"1Gi\" }\n";
        let findings = lint_one(ID, &deployment(burstable));
        assert_eq!(lines(&findings), vec![(8, ID)]);
        assert!(
            findings[0]
                .message
                .contains("requests \"256Mi\" of memory but is limited to \"1Gi\"")
        );
        let no_limit = "            requests = { memory = \"256Mi\" }\n";
        let findings = lint_one(ID, &deployment(no_limit));
        assert_eq!(lines(&findings), vec![(7, ID)]);
        assert!(findings[0].fix.contains("memory = \"256Mi\""));
    }
}
