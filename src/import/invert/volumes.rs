//! Recognizers of the pod's volume sources beyond the storage of the stack: an NFS
//! export mounted inline (`nfs { server, path }`), a secret volume of the stack's TLS
//! secret, and — for a source the spec has no form for — the source block itself as raw
//! HCL of that one volume (`volumes[k].raw`, a job's `jobs[i].volumes[k].raw`), so the
//! volumes after it are still read.

use hcl_edit::Span as _;

use super::{Ctx, pod_path};
use crate::conventions as cv;
use crate::import::draft::{Draft, Slot};
use crate::import::residue::Piece;
use crate::import::source::{self, Step};
use crate::import::value::{self as val, get, string};
use crate::planeq::Value;
use crate::spec::{NfsVolumeSpec, Scalar, ValueSpec, VolumeSpec};

/// The body of an inline `nfs` volume source, when the spec says all of it.
pub(super) fn inline_nfs(body: &Value) -> Option<NfsVolumeSpec> {
    if !val::other_keys(body, &["server", "path", "read_only"]).is_empty() {
        return None;
    }
    let server = get(body, "server")?;
    let server = match (val::var(server), server) {
        (Some(var), _) => ValueSpec::Var(var.to_owned()),
        (None, Value::String(s)) => ValueSpec::Scalar(Scalar::Str(s.clone())),
        _ => return None,
    };
    let read_only = match get(body, "read_only") {
        None => None,
        Some(b) => Some(val::as_bool(b)?),
    };
    Some(NfsVolumeSpec {
        server: Some(server),
        path: Some(string(body, "path")?.to_owned()),
        read_only,
    })
}

/// Whether a secret volume's `secret_name` is the stack's TLS secret (the variable the
/// TLS module and the ingress take).
pub(super) fn tls_secret(secret_name: Option<&Value>) -> bool {
    secret_name.and_then(val::var) == Some(cv::repo::TLS_SECRET_VARIABLE)
}

/// Pod volume `k` of the Deployment at `address` (spec volume `index`), whose source the
/// spec cannot say: the volume by name, its source as raw HCL at the volume. `None` when
/// the stack writes the pod's volumes with `dynamic` blocks (the block is not found by
/// its index then) or the volume has no literal name.
pub(super) fn raw_source(
    ctx: &Ctx,
    d: &mut Draft,
    address: &str,
    (k, index): (usize, usize),
    vol: &Value,
) -> Option<VolumeSpec> {
    raw_source_at(ctx, d, (address, &pod_path()), k, Slot::Volume(index), vol)
}

/// Pod volume `k` of the workload at `address` whose pod is at `pod_at`, its source as
/// raw HCL at `slot` (see [`raw_source`]).
pub(super) fn raw_source_at(
    ctx: &Ctx,
    d: &mut Draft,
    (address, pod_at): (&str, &[Step]),
    k: usize,
    slot: Slot,
    vol: &Value,
) -> Option<VolumeSpec> {
    let name = string(vol, "name")?;
    let top = ctx.src.top(&ctx.at(address))?;
    let pod = source::find_body(&top.block.body, pod_at)?;
    let dynamic = pod.blocks().any(|b| {
        b.ident.as_str() == "dynamic" && b.labels.first().is_some_and(|l| l.as_str() == "volume")
    });
    if dynamic {
        return None;
    }
    let mut at = pod_at.to_vec();
    at.push(Step::Block("volume".to_owned(), k));
    let body = source::find_body(&top.block.body, &at)?;
    let mut construct = address.split('.').next().unwrap_or(address).to_owned();
    for step in &at {
        if let Step::Block(ident, _) = step {
            construct.push_str(" > ");
            construct.push_str(ident);
        }
    }
    let mut pieces = Vec::new();
    for item in body.iter() {
        let (ident, span) = match (item.as_attribute(), item.as_block()) {
            (Some(a), _) if a.key.as_str() == "name" => continue,
            (Some(a), _) => (a.key.as_str().to_owned(), a.span()),
            (_, Some(b)) => (b.ident.as_str().to_owned(), b.span()),
            _ => continue,
        };
        let construct = format!("{construct} > {ident}");
        pieces.push(Piece::new(slot, top.file, span?, construct));
    }
    if pieces.is_empty() {
        return None;
    }
    d.raw_first.extend(pieces);
    Some(VolumeSpec {
        name: Some(name.to_owned()),
        ..VolumeSpec::default()
    })
}
