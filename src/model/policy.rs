//! The stack's NetworkPolicies: the pods each covers (the app's unless told), the
//! directions it isolates, and its ingress and egress rules.

use super::problems::Problems;
use super::types::*;
use super::workload::AppLabels;
use super::{Ctx, adopt};
use crate::conventions as cv;
use crate::hcl;
use crate::spec::{
    LabelOperator, NetworkPolicySpec, PeerSpec, PolicyPortSpec, PolicyType, Protocol, Scalar,
    SelectorSpec,
};
use crate::validate;

/// The NetworkPolicy objects of the spec, in order.
pub(crate) fn network_policies(
    p: &mut Problems,
    ctx: &Ctx,
    specs: &[NetworkPolicySpec],
    app: &AppLabels,
) -> Vec<Object> {
    let mut out: Vec<Object> = Vec::new();
    let mut seen: Vec<(String, String)> = Vec::new();
    for (i, n) in specs.iter().enumerate() {
        let at = |f: &str| format!("network_policies[{i}].{f}");
        let name = match &n.name {
            Some(name) => {
                p.check(
                    &at("name"),
                    "NetworkPolicy name",
                    name,
                    super::secrets::object_name(name),
                );
                name.clone()
            }
            None => app.name.clone(),
        };
        let address = adopt::address(p, &at("address"), &n.address, || hcl::snake(&name));
        if n.address.is_none() {
            p.check(
                &at("name"),
                "NetworkPolicy name",
                &name,
                super::starts_with_letter(&name),
            );
        }
        if seen.iter().any(|(other, _)| *other == name) {
            p.add(
                at("name"),
                format!("the NetworkPolicy `{name}` is declared twice"),
                Some("give each policy its own `name`".to_owned()),
            );
        } else if seen.iter().any(|(_, other)| *other == address) {
            p.add(
                at("address"),
                format!("two NetworkPolicies have the address `{address}`"),
                Some("pin another `address`".to_owned()),
            );
        }
        seen.push((name.clone(), address.clone()));
        let pod_selector = match &n.pod_selector {
            Some(s) => selector(p, &at("pod_selector"), s),
            None => Selector {
                match_labels: Some(app.selector()),
                match_expressions: Vec::new(),
            },
        };
        let policy_types = match &n.policy_types {
            Some(types) => {
                if types.is_empty() {
                    p.add(
                        at("policy_types"),
                        "a policy isolates at least one direction",
                        Some("say `[Ingress]`, `[Egress]` or both, or leave it out".to_owned()),
                    );
                }
                for (j, t) in types.iter().enumerate() {
                    if types[..j].contains(t) {
                        p.add(
                            format!("network_policies[{i}].policy_types[{j}]"),
                            format!("`{}` is listed twice", type_name(*t)),
                            None,
                        );
                    }
                }
                types.clone()
            }
            None => {
                let mut types = Vec::new();
                if !n.ingress.is_empty() {
                    types.push(PolicyType::Ingress);
                }
                if !n.egress.is_empty() {
                    types.push(PolicyType::Egress);
                }
                if types.is_empty() {
                    p.missing(
                        &at("ingress"),
                        "the rules of the policy (`ingress`, `egress`), or `policy_types: [Ingress]` to admit nothing in",
                    );
                }
                types
            }
        };
        let ingress = n
            .ingress
            .iter()
            .enumerate()
            .map(|(j, r)| rule(p, &at(&format!("ingress[{j}]")), "from", &r.from, &r.ports))
            .collect();
        let egress = n
            .egress
            .iter()
            .enumerate()
            .map(|(j, r)| rule(p, &at(&format!("egress[{j}]")), "to", &r.to, &r.ports))
            .collect();
        let ty = super::workload::resource_type(
            p,
            &at("resource_type"),
            &n.resource_type,
            &cv::network_policy::TYPES,
        );
        let mut object = Object::new(
            Address::resource(&ty, &address),
            Body::NetworkPolicy(NetworkPolicy {
                name,
                namespace: ctx.ns_ref.clone().into(),
                pod_selector,
                policy_types: policy_types
                    .iter()
                    .map(|t| type_name(*t).to_owned())
                    .collect(),
                ingress,
                egress,
            }),
        );
        object.comment = n.comment.clone();
        object.raw = adopt::raw(p, &at("raw"), &n.raw);
        out.push(object);
    }
    out
}

fn type_name(t: PolicyType) -> &'static str {
    match t {
        PolicyType::Ingress => "Ingress",
        PolicyType::Egress => "Egress",
    }
}

/// A rule: its peers (`from` or `to`, as `peers_field` names them) and ports.
fn rule(
    p: &mut Problems,
    at: &str,
    peers_field: &str,
    peers: &[PeerSpec],
    ports: &[PolicyPortSpec],
) -> PolicyRule {
    PolicyRule {
        peers: peers
            .iter()
            .enumerate()
            .map(|(k, peer)| self::peer(p, &format!("{at}.{peers_field}[{k}]"), peer))
            .collect(),
        ports: ports
            .iter()
            .enumerate()
            .map(|(k, port)| self::port(p, &format!("{at}.ports[{k}]"), port))
            .collect(),
    }
}

fn peer(p: &mut Problems, at: &str, peer: &PeerSpec) -> PolicyPeer {
    let has_selector = peer.namespace_selector.is_some() || peer.pod_selector.is_some();
    match (&peer.ip_block, has_selector) {
        (None, false) => p.missing(
            at,
            "whom the rule admits: `namespace_selector`, `pod_selector` or `ip_block`",
        ),
        (Some(_), true) => p.add(
            format!("{at}.ip_block"),
            "a peer is chosen by CIDR or by selectors, not both",
            Some("write a second peer for the CIDR".to_owned()),
        ),
        _ => {}
    }
    let ip_block = peer.ip_block.as_ref().map(|b| {
        let range = match &b.cidr {
            Some(c) => {
                p.check(&format!("{at}.ip_block.cidr"), "CIDR", c, cidr(c));
                c.clone()
            }
            None => {
                p.missing(
                    &format!("{at}.ip_block.cidr"),
                    "the range, e.g. `0.0.0.0/0`",
                );
                String::new()
            }
        };
        for (k, e) in b.except.iter().enumerate() {
            p.check(&format!("{at}.ip_block.except[{k}]"), "CIDR", e, cidr(e));
        }
        IpBlock {
            cidr: range,
            except: b.except.clone(),
        }
    });
    PolicyPeer {
        namespace_selector: peer
            .namespace_selector
            .as_ref()
            .map(|s| selector(p, &format!("{at}.namespace_selector"), s)),
        pod_selector: peer
            .pod_selector
            .as_ref()
            .map(|s| selector(p, &format!("{at}.pod_selector"), s)),
        ip_block,
    }
}

fn port(p: &mut Problems, at: &str, port: &PolicyPortSpec) -> PolicyPort {
    let value = port
        .port
        .as_ref()
        .map(|s| super::exposure::port_value(p, &format!("{at}.port"), s, true));
    if let Some(end) = port.end_port {
        match &port.port {
            Some(Scalar::Int(start)) if i64::from(end) >= *start && end <= 65535 => {}
            Some(Scalar::Str(t)) if t.parse::<u32>().is_ok_and(|s| end >= s && end <= 65535) => {}
            _ => p.add(
                format!("{at}.end_port"),
                format!("`end_port: {end}` needs a numeric `port` at or below it (at most 65535)"),
                None,
            ),
        }
    }
    PolicyPort {
        port: value,
        end_port: port.end_port,
        protocol: port.protocol.map(|pr| {
            match pr {
                Protocol::Tcp => "TCP",
                Protocol::Udp => "UDP",
                Protocol::Sctp => "SCTP",
            }
            .to_owned()
        }),
    }
}

/// A label selector as written; empty, it selects everything.
fn selector(p: &mut Problems, at: &str, s: &SelectorSpec) -> Selector {
    let labels = super::workload::labels(p, &format!("{at}.match_labels"), &s.match_labels);
    let match_expressions = s
        .match_expressions
        .iter()
        .enumerate()
        .map(|(k, e)| {
            let eat = format!("{at}.match_expressions[{k}]");
            let key = match &e.key {
                Some(key) => {
                    p.check(
                        &format!("{eat}.key"),
                        "label",
                        key,
                        validate::qualified_name(key),
                    );
                    key.clone()
                }
                None => {
                    p.missing(&format!("{eat}.key"), "the label the expression tests");
                    String::new()
                }
            };
            let operator = match e.operator {
                Some(o) => o,
                None => {
                    p.missing(
                        &format!("{eat}.operator"),
                        "one of `In`, `NotIn`, `Exists`, `DoesNotExist`",
                    );
                    LabelOperator::In
                }
            };
            let takes_values = !matches!(
                operator,
                LabelOperator::Exists | LabelOperator::DoesNotExist
            );
            if takes_values == e.values.is_empty() {
                p.add(
                    format!("{eat}.values"),
                    if takes_values {
                        "`In` and `NotIn` need `values`"
                    } else {
                        "`Exists` and `DoesNotExist` take no `values`"
                    },
                    None,
                );
            }
            LabelExpression {
                key,
                operator: match operator {
                    LabelOperator::In => "In",
                    LabelOperator::NotIn => "NotIn",
                    LabelOperator::Exists => "Exists",
                    LabelOperator::DoesNotExist => "DoesNotExist",
                }
                .to_owned(),
                values: e.values.clone(),
            }
        })
        .collect();
    Selector {
        match_labels: Obj::lines(labels).non_empty(),
        match_expressions,
    }
}

/// An IPv4 or IPv6 range in CIDR notation (`10.0.0.0/8`).
fn cidr(s: &str) -> Result<(), String> {
    let bad = || {
        Err("is not a CIDR range (an address, `/` and a prefix length: `10.0.0.0/8`)".to_owned())
    };
    let Some((addr, len)) = s.split_once('/') else {
        return bad();
    };
    let Ok(ip) = addr.parse::<std::net::IpAddr>() else {
        return bad();
    };
    let max = if ip.is_ipv4() { 32 } else { 128 };
    match len.parse::<u8>() {
        Ok(n) if n <= max && !len.starts_with('+') => Ok(()),
        _ => bad(),
    }
}

#[cfg(test)]
mod tests {
    use super::cidr;

    #[test]
    fn cidr_ranges() {
        for ok in [
            "0.0.0.0/0",
            "10.0.0.0/8",
            "192.168.1.0/24",
            "fd00::/8",
            "10.0.20.5/32",
        ] {
            assert!(cidr(ok).is_ok(), "{ok}");
        }
        for bad in [
            "10.0.0.0",
            "10.0.0.0/33",
            "10.0.0/8",
            "/8",
            "10.0.0.0/+8",
            "x/1",
            "",
        ] {
            assert!(cidr(bad).is_err(), "{bad}");
        }
    }
}
