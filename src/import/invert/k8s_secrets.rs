//! Recognizer of the Kubernetes Secrets a stack writes itself (`kubernetes_secrets:`):
//! `kubernetes_secret` and `kubernetes_secret_v1` with their metadata, `type`, the service
//! account a token secret belongs to, `wait_for_service_account_token`, `data` read from
//! Vault, objects of the stack, variables or files of the stack directory, `depends_on`,
//! and a drift workaround's `ignore_changes` with the reason its marker comment gives.
//!
//! `binary_data` is read when each value is a file of the stack read with `filebase64()`
//! (as for config maps).
//!
//! A secret is read only when the spec can say all of it: one with a literal value (the
//! spec never holds one), other `binary_data`, or a `lifecycle` beyond `ignore_changes`
//! stays whole in raw HCL at its address, where the stack already had it.

use super::{Ctx, NO_REASON, attr, b, text};
use crate::conventions as cv;
use crate::import::draft::{Draft, Limits, Part, Slot};
use crate::import::value::{self as val, block, get, string};
use crate::planeq::Value;
use crate::spec::{KubernetesSecretSpec, OrderedMap};

/// `kubernetes_secrets:`, a list whose entries the inversion reads one by one (entry `i`
/// gives up as `Part::Object(<its address>)` and holds raw HCL at
/// `Slot::Item(KUBERNETES_SECRETS, i)`).
pub const KUBERNETES_SECRETS: &str = "kubernetes_secrets";

/// The secrets of the stack, as `kubernetes_secrets:`, in the order the stack writes
/// them; one the spec cannot say (or one given up) stays whole in raw HCL and the others
/// are still read.
pub fn kubernetes_secrets(ctx: &Ctx, d: &mut Draft, limits: &Limits) {
    let cap = limits.items(KUBERNETES_SECRETS);
    let types = cv::kubernetes_secret::TYPES;
    for (address, label, v) in super::access::in_source_order(ctx, &types) {
        let i = d.spec.kubernetes_secrets.len();
        if i >= cap {
            break;
        }
        let part = Part::Object(address.clone());
        if limits.has(&part) {
            continue;
        }
        let Some(mut spec) = read(ctx, d, i, &address, v) else {
            continue;
        };
        spec.address = Some(label);
        spec.resource_type = address.split_once('.').map(|(ty, _)| ty.to_owned());
        spec.comment = text(ctx.above(d, &address, &[]).take(d));
        d.claim(
            &ctx.at(&address),
            &address,
            Some(part),
            Some(Slot::Item(KUBERNETES_SECRETS, i)),
        );
        d.spec.kubernetes_secrets.push(spec);
    }
}

/// A secret as the spec's (entry `i`), when the spec says every part of it.
fn read(
    ctx: &Ctx,
    d: &mut Draft,
    i: usize,
    address: &str,
    v: &Value,
) -> Option<KubernetesSecretSpec> {
    let meta = super::around::metadata(ctx, address, v)?;
    let mut out = KubernetesSecretSpec {
        name: Some(meta.name),
        namespace: Some(meta.namespace),
        labels: meta.labels,
        ..KubernetesSecretSpec::default()
    };
    out.kind = match get(v, "type") {
        None => None,
        Some(_) => Some(string(v, "type")?.to_owned()),
    };
    out.wait_for_service_account_token = match get(v, "wait_for_service_account_token") {
        None => None,
        Some(b) => Some(val::as_bool(b)?),
    };
    // `service_account` writes the token type and the wait with the annotation: a secret
    // that does not write both keeps the annotation as one.
    let token = out.kind.as_deref() == Some(cv::kubernetes_secret::SERVICE_ACCOUNT_TOKEN_TYPE)
        && out.wait_for_service_account_token.is_some();
    if let Some(entries) = meta.annotations {
        let (account, rest): (Vec<_>, Vec<_>) = entries
            .into_iter()
            .partition(|(k, _)| token && k == cv::kubernetes_secret::SERVICE_ACCOUNT_ANNOTATION);
        // The account is a name: the model writes the reference to the account of that
        // name, so a reference the stack writes is read as the name it evaluates to.
        out.service_account = match account.into_iter().next() {
            Some((_, name)) => Some(match super::literal_text(&name) {
                Some(text) => text,
                None => block(v, "metadata")
                    .and_then(|m| get(m, "annotations"))
                    .and_then(|a| get(a, cv::kubernetes_secret::SERVICE_ACCOUNT_ANNOTATION))
                    .and_then(Value::as_primitive_string)?,
            }),
            None => None,
        };
        out.annotations = OrderedMap(rest);
    }
    if let Some(data) = get(v, "data") {
        let data = val::map(data)?;
        let order = ctx
            .source_keys(address, &[attr("data")])
            .unwrap_or_default();
        let mut keys: Vec<&String> = data.keys().collect();
        keys.sort_by_key(|k| order.iter().position(|o| o == *k).unwrap_or(usize::MAX));
        for key in keys {
            let value = match super::shapes::data_file(ctx, address, key) {
                Some(file) => file,
                None => super::around::data_value(
                    ctx,
                    &data[key],
                    super::encoded::entry(ctx, address, "data", key),
                )?,
            };
            // A literal stays in the stack, never in a spec.
            if crate::model::refused_secret_value(&value).is_some() {
                return None;
            }
            out.data.0.push((key.clone(), value));
        }
    }
    // Binary data: each value a file of the stack read with `filebase64()`.
    if let Some(binary) = get(v, "binary_data") {
        out.binary_data.0 = super::shapes::binary_data(ctx, address, binary)?;
    }
    out.depends_on = super::around::depends_on(ctx, v)?;
    if let Some((ignore, why)) = drift_workaround(ctx, d, v, KUBERNETES_SECRETS, i, address)? {
        out.ignore_changes = ignore;
        out.ignore_changes_why = Some(why);
    }
    Some(out)
}

/// The drift workaround of `v`, entry `i` of the spec's list `list`: its
/// `lifecycle { ignore_changes }` entries and their reason. `Some(None)` when `v` has no
/// `lifecycle`; `None` when its `lifecycle` says anything else (the spec cannot say it).
pub(super) fn drift_workaround(
    ctx: &Ctx,
    d: &mut Draft,
    v: &Value,
    list: &str,
    i: usize,
    address: &str,
) -> Option<Option<(Vec<String>, String)>> {
    if get(v, "lifecycle").is_none() {
        return Some(None);
    }
    let lc = block(v, "lifecycle")?;
    if !val::other_keys(lc, &["ignore_changes"]).is_empty() {
        return None;
    }
    let ignore = super::ignore_entries(v);
    if ignore.is_empty() {
        return None;
    }
    Some(Some((ignore, drift_why(ctx, d, list, i, address))))
}

/// The reason of a drift workaround of entry `i` of the spec's list `list`: the comment
/// above `ignore_changes` (or above the `lifecycle` block), after the repo's marker; the
/// placeholder when there is none.
fn drift_why(ctx: &Ctx, d: &mut Draft, list: &str, i: usize, address: &str) -> String {
    let mut lines = ctx
        .above(d, address, &[b("lifecycle", 0), attr("ignore_changes")])
        .take(d);
    if lines.is_empty() {
        lines = ctx.above(d, address, &[b("lifecycle", 0)]).take(d);
    }
    let marker = format!("{}:", cv::kubernetes_secret::DRIFT_WORKAROUND);
    if let Some(first) = lines.first_mut()
        && let Some(rest) = first.trim().strip_prefix(&marker)
    {
        *first = rest.trim().to_owned();
    }
    lines.retain(|l| !l.trim().is_empty());
    match text(lines) {
        Some(why) => why,
        None => {
            d.reasons.push(format!("{list}[{i}].ignore_changes_why"));
            NO_REASON.to_owned()
        }
    }
}
