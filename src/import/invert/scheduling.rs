//! Where a pod is scheduled: its `affinity` block (node affinity, pod affinity and
//! anti-affinity to the app's pods) and its `topology_spread_constraint` blocks, read into
//! the pod settings of the Deployment or of a job (`node_affinity`, `pod_affinity`,
//! `anti_affinity`, `topology_spread`; the tolerations are read with the other pod
//! settings).
//!
//! The `affinity` block is one block: it is read whole or not at all (the spec renders it
//! as one block, so half of it cannot stay raw beside the other half). The spread
//! constraints form a list and are read as a prefix. A pod (anti-)affinity and a spread
//! constraint are relative to the app's pods: they are read only when their label selector
//! is exactly the Deployment's selector, which is what the spec renders.

use super::*;
use crate::spec::{
    AffinityRule, NodeAffinitySpec, NodeExpressionSpec, NodeOperator, NodePreferenceSpec,
    TopologySpreadSpec, WhenUnsatisfiable,
};

const REQUIRED: &str = "required_during_scheduling_ignored_during_execution";
const PREFERRED: &str = "preferred_during_scheduling_ignored_during_execution";

/// The scheduling settings of one pod, as the spec says them.
#[derive(Default)]
pub(super) struct Scheduling {
    pub node_affinity: Option<NodeAffinitySpec>,
    pub pod_affinity: Option<AffinityRule>,
    pub anti_affinity: Option<AffinityRule>,
    pub topology_spread: Vec<TopologySpreadSpec>,
}

/// The match labels of a Deployment's selector: the labels of the app's pods.
pub(super) fn selector(deployment: &Value) -> Option<&Value> {
    get(path(deployment, &["spec", "selector"])?, "match_labels")
}

/// The match labels of the stack's Deployment as recognized so far (for its jobs).
pub(super) fn app_labels<'a>(ctx: &Ctx<'a>, d: &Draft) -> Option<&'a Value> {
    selector(ctx.input.get(&ctx.at(&d.deployment_address()?))?)
}

/// Reads the scheduling of `pod`; `app` is the match labels of the app's pods (none in a
/// stack of jobs only).
pub(super) fn read(pod: &Value, app: Option<&Value>) -> Scheduling {
    let mut s = Scheduling::default();
    if let [af] = blocks(pod, "affinity")
        && let Some((node, with, against)) = affinity(af, app)
    {
        s.node_affinity = node;
        s.pod_affinity = with;
        s.anti_affinity = against;
    }
    s.topology_spread = spread(pod, app);
    s
}

type Affinity = (
    Option<NodeAffinitySpec>,
    Option<AffinityRule>,
    Option<AffinityRule>,
);

/// The `affinity` block, when every part of it is one the spec says.
fn affinity(af: &Value, app: Option<&Value>) -> Option<Affinity> {
    if !val::other_keys(af, &["node_affinity", "pod_affinity", "pod_anti_affinity"]).is_empty() {
        return None;
    }
    let node = match blocks(af, "node_affinity") {
        [] => None,
        [one] => Some(node_affinity(one)?),
        _ => return None,
    };
    let mut terms = [None, None];
    for (k, key) in ["pod_affinity", "pod_anti_affinity"].iter().enumerate() {
        terms[k] = match blocks(af, key) {
            [] => None,
            [one] => Some(pod_term(one, app?)?),
            _ => return None,
        };
    }
    let [with, against] = terms;
    (node.is_some() || with.is_some() || against.is_some()).then_some((node, with, against))
}

/// A `node_affinity` block: one required node selector term and any preferred terms.
fn node_affinity(na: &Value) -> Option<NodeAffinitySpec> {
    if !val::other_keys(na, &[REQUIRED, PREFERRED]).is_empty() {
        return None;
    }
    let required = match blocks(na, REQUIRED) {
        [] => Vec::new(),
        [req] => {
            if !val::other_keys(req, &["node_selector_term"]).is_empty() {
                return None;
            }
            let [term] = blocks(req, "node_selector_term") else {
                return None;
            };
            let required = expressions(term)?;
            if required.is_empty() {
                return None;
            }
            required
        }
        _ => return None,
    };
    let preferred = blocks(na, PREFERRED)
        .iter()
        .map(|pref| {
            if !val::other_keys(pref, &["weight", "preference"]).is_empty() {
                return None;
            }
            let expressions = expressions(block(pref, "preference")?)?;
            (!expressions.is_empty()).then_some(NodePreferenceSpec {
                weight: Some(weight(pref)?),
                expressions,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    (!required.is_empty() || !preferred.is_empty()).then_some(NodeAffinitySpec {
        required,
        preferred,
    })
}

/// The `match_expressions` of a node selector term or preference (no `match_fields`).
fn expressions(term: &Value) -> Option<Vec<NodeExpressionSpec>> {
    if !val::other_keys(term, &["match_expressions"]).is_empty() {
        return None;
    }
    blocks(term, "match_expressions")
        .iter()
        .map(|e| {
            if !val::other_keys(e, &["key", "operator", "values"]).is_empty() {
                return None;
            }
            let operator = match string(e, "operator")? {
                "In" => NodeOperator::In,
                "NotIn" => NodeOperator::NotIn,
                "Exists" => NodeOperator::Exists,
                "DoesNotExist" => NodeOperator::DoesNotExist,
                "Gt" => NodeOperator::Gt,
                "Lt" => NodeOperator::Lt,
                _ => return None,
            };
            let values = match get(e, "values") {
                None => Vec::new(),
                Some(Value::List(items)) => val::strings(items)?,
                Some(_) => return None,
            };
            // What the spec validates: the operators that compare take values, the others none.
            let takes_values =
                !matches!(operator, NodeOperator::Exists | NodeOperator::DoesNotExist);
            (takes_values != values.is_empty()).then(|| NodeExpressionSpec {
                key: string(e, "key").map(str::to_owned),
                operator: Some(operator),
                values,
            })
        })
        .collect::<Option<Vec<_>>>()
        .filter(|list| list.iter().all(|e| e.key.is_some()))
}

/// A weight from 1 to 100.
fn weight(v: &Value) -> Option<u32> {
    int(v, "weight")
        .and_then(|w| u32::try_from(w).ok())
        .filter(|w| (1..=100).contains(w))
}

/// A `pod_affinity` / `pod_anti_affinity` block: one term, required or preferred, over
/// the app's pods per node.
fn pod_term(block_: &Value, app: &Value) -> Option<AffinityRule> {
    match (blocks(block_, REQUIRED), blocks(block_, PREFERRED)) {
        ([term], []) if val::other_keys(block_, &[REQUIRED]).is_empty() => {
            app_term(term, app).then_some(AffinityRule::Required)
        }
        ([], [pref]) if val::other_keys(block_, &[PREFERRED]).is_empty() => {
            if !val::other_keys(pref, &["weight", "pod_affinity_term"]).is_empty() {
                return None;
            }
            let w = weight(pref)?;
            app_term(block(pref, "pod_affinity_term")?, app).then_some(AffinityRule::Preferred(w))
        }
        _ => None,
    }
}

/// Whether a pod affinity term selects exactly the app's pods, one domain per node.
fn app_term(term: &Value, app: &Value) -> bool {
    val::other_keys(term, &["label_selector", "topology_key"]).is_empty()
        && string(term, "topology_key") == Some(cv::scheduling::HOSTNAME_KEY)
        && selects_app(term, app)
}

/// Whether the `label_selector` of a term is exactly `match_labels = <app labels>`.
fn selects_app(term: &Value, app: &Value) -> bool {
    let [sel] = blocks(term, "label_selector") else {
        return false;
    };
    val::other_keys(sel, &["match_labels"]).is_empty()
        && get(sel, "match_labels")
            .and_then(val::string_map)
            .is_some_and(|labels| !labels.is_empty() && Some(labels) == val::string_map(app))
}

/// The spread constraints over the app's pods, in order, until one the spec cannot say.
fn spread(pod: &Value, app: Option<&Value>) -> Vec<TopologySpreadSpec> {
    let Some(app) = app else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for t in blocks(pod, "topology_spread_constraint") {
        let known = [
            "max_skew",
            "topology_key",
            "when_unsatisfiable",
            "label_selector",
        ];
        if !val::other_keys(t, &known).is_empty() || !selects_app(t, app) {
            break;
        }
        let when_unsatisfiable = match string(t, "when_unsatisfiable") {
            Some("DoNotSchedule") => WhenUnsatisfiable::DoNotSchedule,
            Some("ScheduleAnyway") => WhenUnsatisfiable::ScheduleAnyway,
            _ => break,
        };
        let (Some(max_skew), Some(topology_key)) = (
            int(t, "max_skew")
                .and_then(|n| u32::try_from(n).ok())
                .filter(|n| *n >= 1),
            string(t, "topology_key"),
        ) else {
            break;
        };
        out.push(TopologySpreadSpec {
            max_skew: Some(max_skew),
            topology_key: Some(topology_key.to_owned()),
            when_unsatisfiable: Some(when_unsatisfiable),
        });
    }
    out
}
