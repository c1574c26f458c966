//! Nodes of the stack that the spec must hold as raw HCL before it can be rendered at all.
//!
//! The app container always says its resources. When no spec field can read the stack's
//! `resources` block (its `requests` / `limits` written as nested blocks, values that are
//! expressions, ...), the block itself goes into the container's `raw`, which then says
//! them; the model accepts an app container without `resources` exactly then. The block
//! is kept as written, never rewritten into the attribute form dlgen writes: the provider
//! reads `requests { }` and `requests = { }` by different schemas, so the two do not plan
//! the same.

use hcl_edit::Span as _;

use super::{Blocker, Ctx, blocker};
use crate::import::draft::{Draft, Slot};
use crate::import::residue::Piece;
use crate::import::source::{self, Step};

/// The app container's (container 0 of the Deployment at `address`, found at `at`)
/// `resources` block as raw HCL of the container, when the spec reads none from it. A
/// container that declares no `resources` at all cannot be said: a blocker names where
/// and what the spec expects.
pub(super) fn app_resources(
    ctx: &Ctx,
    d: &mut Draft,
    address: &str,
    at: &[Step],
    name: &str,
    blockers: &mut Vec<Blocker>,
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
    let line = source::find(&top.block.body, at)
        .and_then(|s| s.span())
        .map_or_else(
            || top.file.line_of(top.block.span().map_or(0, |s| s.start)),
            |s| top.file.line_of(s.start),
        );
    blockers.push(blocker(
        "kubernetes_deployment > spec > template > spec > container > resources (none)",
        format!(
            "{}:{line}: {address}: the app container `{name}` declares no `resources`; a spec's app container always says them (`resources {{ requests = {{ cpu = \"25m\", memory = \"256Mi\" }} limits = {{ memory = \"256Mi\" }} }}` in the stack, or `resources: {{cpu: 25m, memory: 256Mi}}` in the spec)",
            top.file.name
        ),
    ));
}
