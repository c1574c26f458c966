//! Nodes of the stack that the spec must hold as raw HCL before it can be rendered at all.
//!
//! The app container always says its resources. When no spec field can read the stack's
//! `resources` block (its `requests` / `limits` written as nested blocks, values that are
//! expressions, ...), the block itself goes into the container's `raw`, which then says
//! them; the model accepts an app container without `resources` exactly then (or with
//! `resources_why`, when the stack declares none). The block
//! is kept as written, never rewritten into the attribute form dlgen writes: the provider
//! reads `requests { }` and `requests = { }` by different schemas, so the two do not plan
//! the same.

use hcl_edit::Span as _;

use super::{Ctx, NO_REASON, attr, text};
use crate::import::draft::{Draft, Slot};
use crate::import::residue::Piece;
use crate::import::source::{self, Step};
use crate::spec::ContainerSpec;

/// The app container's (container 0 of the Deployment at `address`, found at `at`)
/// `resources` block as raw HCL of the container, when the spec reads none from it. A
/// container that declares no `resources` at all is said with `resources_why`: the
/// comment above the container's `name` (where dlgen writes it), else the placeholder
/// reason, listed for review.
pub(super) fn app_resources(
    ctx: &Ctx,
    d: &mut Draft,
    address: &str,
    at: &[Step],
    spec: &mut ContainerSpec,
) {
    let Some(top) = ctx.src.top(&ctx.at(address)) else {
        return;
    };
    let mut path = at.to_vec();
    path.push(Step::Block("resources".to_owned(), 0));
    let found = source::find(&top.block.body, &path).and_then(|s| s.span());
    if let Some(span) = found {
        let construct =
            "kubernetes_deployment > spec > template > spec > container > resources".to_owned();
        d.raw_first
            .push(Piece::new(Slot::Container(0), top.file, span, construct));
        return;
    }
    let mut name = at.to_vec();
    name.push(attr("name"));
    spec.resources_why = text(ctx.above(d, address, &name).take(d));
    if spec.resources_why.is_none() {
        d.reasons.push("containers[0].resources_why".to_owned());
        spec.resources_why = Some(NO_REASON.to_owned());
    }
}
