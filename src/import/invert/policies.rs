//! Recognizers of the stack's NetworkPolicies (`network_policies:`), of either resource
//! type (`kubernetes_network_policy_v1` or the older `kubernetes_network_policy`).
//!
//! A policy is read when its metadata is a name and the spec's namespace, and its spec
//! holds what the spec says: a pod selector, the policy types, and ingress / egress
//! rules whose peers are label selectors (`match_labels`, `match_expressions`) or an
//! `ip_block`, and whose ports are a port (number or name, kept as written), an
//! `end_port` and a protocol. Every field is set as read — the pod selector that is the
//! app's, the default name, address, type and policy types are found by rendering and
//! left out. A policy the spec cannot say stays whole in raw HCL, and the ones after it
//! are still read.

use super::{Ctx, Step, attr, b, text};
use crate::conventions as cv;
use crate::import::draft::{Draft, Limits, Part, Slot};
use crate::import::value::{self as val, block, blocks, get, string};
use crate::planeq::Value;
use crate::spec::{
    EgressRuleSpec, IngressRuleSpec, IpBlockSpec, LabelExpressionSpec, LabelOperator,
    NetworkPolicySpec, OrderedMap, PeerSpec, PolicyPortSpec, PolicyType, Protocol, SelectorSpec,
};

/// `network_policies:`, a list whose entries the inversion reads one by one (entry `i`
/// gives up as `Part::Items(NETWORK_POLICIES, i)` and holds raw HCL at
/// `Slot::Item(NETWORK_POLICIES, i)`).
pub const NETWORK_POLICIES: &str = "network_policies";

/// The stack's NetworkPolicies of the spec's namespace, in the order the stack writes
/// them.
pub fn network_policies(ctx: &Ctx, d: &mut Draft, limits: &Limits) {
    let cap = limits.items(NETWORK_POLICIES);
    let namespace = super::traffic::namespace_name(ctx, d).to_owned();
    for (address, label, v) in super::access::in_source_order(ctx, &cv::network_policy::TYPES) {
        let i = d.spec.network_policies.len();
        if i >= cap {
            break;
        }
        if d.claimed(&ctx.at(&address)) {
            continue;
        }
        let Some(mut spec) = read_policy(ctx, &address, v, &namespace) else {
            continue;
        };
        spec.resource_type = address.split_once('.').map(|(ty, _)| ty.to_owned());
        spec.address = Some(label);
        spec.comment = text(ctx.above(d, &address, &[]).take(d));
        d.claim(
            &ctx.at(&address),
            &address,
            Some(Part::Items(NETWORK_POLICIES, i)),
            Some(Slot::Item(NETWORK_POLICIES, i)),
        );
        d.spec.network_policies.push(spec);
    }
}

/// A policy as the spec's, when it is one the spec says.
fn read_policy(ctx: &Ctx, address: &str, v: &Value, namespace: &str) -> Option<NetworkPolicySpec> {
    let meta = block(v, "metadata")?;
    let spec = block(v, "spec")?;
    if !val::other_keys(v, &["metadata", "spec"]).is_empty()
        || !val::other_keys(meta, &["name", "namespace"]).is_empty()
        || string(meta, "namespace") != Some(namespace)
        || !val::other_keys(spec, &["pod_selector", "policy_types", "ingress", "egress"]).is_empty()
    {
        return None;
    }
    let at = |steps: &[Step]| -> Vec<Step> {
        let mut path = vec![b("spec", 0)];
        path.extend_from_slice(steps);
        path
    };
    let pod_selector = selector(
        ctx,
        address,
        block(spec, "pod_selector")?,
        &at(&[b("pod_selector", 0)]),
    )?;
    let policy_types = match get(spec, "policy_types")? {
        Value::List(items) | Value::Set(items) => items
            .iter()
            .map(|t| match t {
                Value::String(s) if s == "Ingress" => Some(PolicyType::Ingress),
                Value::String(s) if s == "Egress" => Some(PolicyType::Egress),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()?,
        _ => return None,
    };
    let ingress = blocks(spec, "ingress")
        .iter()
        .enumerate()
        .map(|(j, r)| {
            let (from, ports) = rule(ctx, address, r, "from", &at(&[b("ingress", j)]))?;
            Some(IngressRuleSpec { from, ports })
        })
        .collect::<Option<Vec<_>>>()?;
    let egress = blocks(spec, "egress")
        .iter()
        .enumerate()
        .map(|(j, r)| {
            let (to, ports) = rule(ctx, address, r, "to", &at(&[b("egress", j)]))?;
            Some(EgressRuleSpec { to, ports })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(NetworkPolicySpec {
        name: Some(string(meta, "name")?.to_owned()),
        pod_selector: Some(pod_selector),
        policy_types: Some(policy_types),
        ingress,
        egress,
        ..NetworkPolicySpec::default()
    })
}

/// A rule's peers (the `peers` blocks: `from` or `to`) and ports.
fn rule(
    ctx: &Ctx,
    address: &str,
    r: &Value,
    peers: &str,
    path: &[Step],
) -> Option<(Vec<PeerSpec>, Vec<PolicyPortSpec>)> {
    if !val::other_keys(r, &[peers, "ports"]).is_empty() {
        return None;
    }
    let within = |steps: &[Step]| -> Vec<Step> {
        let mut p = path.to_vec();
        p.extend_from_slice(steps);
        p
    };
    let found = blocks(r, peers)
        .iter()
        .enumerate()
        .map(|(k, peer)| {
            if !val::other_keys(peer, &["namespace_selector", "pod_selector", "ip_block"])
                .is_empty()
            {
                return None;
            }
            let sel = |name: &str| -> Option<Option<SelectorSpec>> {
                match get(peer, name) {
                    None => Some(None),
                    Some(_) => selector(
                        ctx,
                        address,
                        block(peer, name)?,
                        &within(&[b(peers, k), b(name, 0)]),
                    )
                    .map(Some),
                }
            };
            let ip_block = match get(peer, "ip_block") {
                None => None,
                Some(_) => {
                    let ip = block(peer, "ip_block")?;
                    if !val::other_keys(ip, &["cidr", "except"]).is_empty() {
                        return None;
                    }
                    let except = match get(ip, "except") {
                        None => Vec::new(),
                        Some(Value::List(items) | Value::Set(items)) => val::strings(items)?,
                        Some(_) => return None,
                    };
                    Some(IpBlockSpec {
                        cidr: Some(string(ip, "cidr")?.to_owned()),
                        except,
                    })
                }
            };
            Some(PeerSpec {
                namespace_selector: sel("namespace_selector")?,
                pod_selector: sel("pod_selector")?,
                ip_block,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let ports = blocks(r, "ports")
        .iter()
        .map(|p| {
            if !val::other_keys(p, &["port", "end_port", "protocol"]).is_empty() {
                return None;
            }
            let port = match get(p, "port") {
                None => None,
                Some(v) => match val::scalar(v)? {
                    s @ (crate::spec::Scalar::Int(_) | crate::spec::Scalar::Str(_)) => Some(s),
                    _ => return None,
                },
            };
            let end_port = match get(p, "end_port") {
                None => None,
                Some(Value::Number(n)) => Some(u32::try_from(n.as_i64()?).ok()?),
                Some(_) => return None,
            };
            let protocol = match get(p, "protocol") {
                None => None,
                Some(Value::String(s)) => Some(match s.as_str() {
                    "TCP" => Protocol::Tcp,
                    "UDP" => Protocol::Udp,
                    "SCTP" => Protocol::Sctp,
                    _ => return None,
                }),
                Some(_) => return None,
            };
            Some(PolicyPortSpec {
                port,
                end_port,
                protocol,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some((found, ports))
}

/// A label selector block at `path` of the resource, when it holds labels and
/// expressions the spec says.
fn selector(ctx: &Ctx, address: &str, s: &Value, path: &[Step]) -> Option<SelectorSpec> {
    if !val::other_keys(s, &["match_labels", "match_expressions"]).is_empty() {
        return None;
    }
    let match_labels = match get(s, "match_labels") {
        None => Vec::new(),
        Some(labels) => {
            let mut at = path.to_vec();
            at.push(attr("match_labels"));
            ctx.ordered(address, &at, labels, &[])?
        }
    };
    let match_expressions = blocks(s, "match_expressions")
        .iter()
        .map(|e| {
            if !val::other_keys(e, &["key", "operator", "values"]).is_empty() {
                return None;
            }
            let operator = match string(e, "operator")? {
                "In" => LabelOperator::In,
                "NotIn" => LabelOperator::NotIn,
                "Exists" => LabelOperator::Exists,
                "DoesNotExist" => LabelOperator::DoesNotExist,
                _ => return None,
            };
            let values = match get(e, "values") {
                None => Vec::new(),
                Some(Value::List(items) | Value::Set(items)) => val::strings(items)?,
                Some(_) => return None,
            };
            Some(LabelExpressionSpec {
                key: Some(string(e, "key")?.to_owned()),
                operator: Some(operator),
                values,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(SelectorSpec {
        match_labels: OrderedMap(match_labels),
        match_expressions,
    })
}
