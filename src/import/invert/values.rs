//! Values the stack writes as function calls of literals, read back as the spec's call
//! forms rather than as their result: an env `value = jsonencode([...])` is
//! `{jsonencode: [...]}` in the order written, not the JSON text it evaluates to. (Calls
//! with references inside stay symbolic and are read by the value reader itself.)

use super::Ctx;
use crate::import::source::Step;
use crate::planeq::Value;
use crate::spec::{DataSpec, ValueSpec};

/// The attribute at `at` (an attribute path inside the block at `address`) written as
/// `jsonencode(<literal>)` whose text is `evaluated`: `{jsonencode: ...}`, keys in the
/// order written. `None` for any other value.
pub(super) fn literal_json(
    ctx: &Ctx,
    address: &str,
    at: &[Step],
    evaluated: &Value,
) -> Option<ValueSpec> {
    let (_, attr) = ctx.source_attribute(address, at)?;
    match super::encoded::literal_call(&attr.value, evaluated)? {
        DataSpec::Json(d) => Some(ValueSpec::Json(d)),
        _ => None,
    }
}
