//! Shapes of the stack's CronJobs beside what `workloads` reads: a CronJob turned on by
//! a flag, `suspend = !var.<flag>` (`suspend_unless:`).

use crate::import::value as val;
use crate::planeq::{Sym, Value};

/// The flag of `!var.<flag>`; `None` for any other value.
pub(super) fn not_var(v: &Value) -> Option<&str> {
    let Value::Unknown(sym) = v else {
        return None;
    };
    match sym.as_ref() {
        Sym::Op { op: "!", args } => match args.as_slice() {
            [operand] => val::var(operand),
            _ => None,
        },
        _ => None,
    }
}
