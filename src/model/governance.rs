//! The namespace's own resource governance: a ResourceQuota and a LimitRange of its
//! own. Each is named after the namespace and sits at the namespace's address unless
//! told, and puts on the namespace the label that exempts it from the tier's defaults.

use super::problems::Problems;
use super::types::*;
use super::{Ctx, adopt, secrets};
use crate::conventions as cv;
use crate::spec::{LimitKind, LimitRangeSpec};
use crate::validate;

/// What a governance object of the namespace shares with the other: its spec field, its
/// exempting label and its default name's suffix.
pub(crate) struct Own {
    pub field: &'static str,
    pub what: &'static str,
    pub label: &'static str,
    pub suffix: &'static str,
}

impl Own {
    /// The object's name and address; puts the exempting label on the namespace the
    /// stack creates (once).
    pub fn name_and_address(
        &self,
        p: &mut Problems,
        (create_ns, ns_labels): (bool, &mut Vec<Entry>),
        (ns_name, ns_address): (&str, &str),
        (name, address): (&Option<String>, &Option<String>),
    ) -> (String, String) {
        if create_ns && !ns_labels.iter().any(|l| l.key == self.label) {
            ns_labels.push(entry(self.label, "true"));
        }
        let name = match name {
            Some(n) => {
                p.check(
                    &format!("{}.name", self.field),
                    self.what,
                    n,
                    secrets::object_name(n),
                );
                n.clone()
            }
            None => format!("{ns_name}{}", self.suffix),
        };
        let address = adopt::address(p, &format!("{}.address", self.field), address, || {
            ns_address.to_owned()
        });
        (name, address)
    }
}

/// The namespace's LimitRange.
pub(crate) fn limit_range(
    p: &mut Problems,
    ctx: &Ctx,
    l: &LimitRangeSpec,
    ns_labels: (bool, &mut Vec<Entry>),
    ns: (&str, &str),
) -> Object {
    let own = Own {
        field: "namespace.limit_range",
        what: "LimitRange name",
        label: cv::limit_range::CUSTOM_LIMIT_RANGE_LABEL,
        suffix: cv::limit_range::NAME_SUFFIX,
    };
    let (name, address) = own.name_and_address(p, ns_labels, ns, (&l.name, &l.address));
    if l.limits.is_empty() {
        p.missing(
            "namespace.limit_range.limits",
            "the limits, e.g. `limits: [{type: Container, default: {memory: 512Mi}, default_request: {cpu: 50m, memory: 128Mi}}]`",
        );
    }
    let limits = l
        .limits
        .iter()
        .enumerate()
        .map(|(i, limit)| {
            let at = format!("namespace.limit_range.limits[{i}]");
            let kind_of = match limit.kind {
                Some(LimitKind::Container) => "Container",
                Some(LimitKind::Pod) => "Pod",
                Some(LimitKind::PersistentVolumeClaim) => "PersistentVolumeClaim",
                None => {
                    p.missing(
                        &format!("{at}.type"),
                        "one of `Container`, `Pod`, `PersistentVolumeClaim`",
                    );
                    ""
                }
            };
            let mut maps = Vec::new();
            for (field, map) in [
                ("default", &limit.default),
                ("default_request", &limit.default_request),
                ("max", &limit.max),
                ("min", &limit.min),
                ("max_limit_request_ratio", &limit.max_limit_request_ratio),
            ] {
                if map.0.is_empty() {
                    continue;
                }
                let entries = map
                    .0
                    .iter()
                    .map(|(k, v)| {
                        let key_at = crate::de::path_key(&format!("{at}.{field}"), k);
                        p.check(&key_at, "resource", k, validate::qualified_name(k));
                        if let Err(e) = validate::quantity(v) {
                            p.invalid(&key_at, "quantity", v, &e);
                        }
                        entry(k, v.as_str())
                    })
                    .collect();
                maps.push(entry(field, Value::Object(Obj::lines(entries))));
            }
            if maps.is_empty() {
                p.missing(
                    &format!("{at}.default"),
                    "at least one of `default`, `default_request`, `max`, `min`, `max_limit_request_ratio`",
                );
            }
            Limit {
                kind_of: kind_of.to_owned(),
                maps,
            }
        })
        .collect();
    let ty = super::workload::resource_type(
        p,
        "namespace.limit_range.resource_type",
        &l.resource_type,
        &cv::limit_range::TYPES,
    );
    Object::new(
        Address::resource(&ty, &address),
        Body::LimitRange(LimitRange {
            name,
            namespace: ctx.ns_ref.clone().into(),
            limits,
        }),
    )
}
