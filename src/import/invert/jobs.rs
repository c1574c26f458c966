//! Shapes of the stack's jobs beside what `workloads` reads: a CronJob turned on by a
//! flag, `suspend = !var.<flag>` (`suspend_unless:`), and a job created only with a flag,
//! `count = var.<flag> ? 1 : 0` (`created_if:`).

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

/// The flag of a count gate, `var.<flag> ? 1 : 0`; `None` for any other value.
pub(super) fn count_gate(v: &Value) -> Option<&str> {
    let Value::Unknown(sym) = v else {
        return None;
    };
    let Sym::Cond(flag, yes, no) = sym.as_ref() else {
        return None;
    };
    let number = |v: &Value, want: &str| {
        matches!(v, Value::Number(_)) && v.as_primitive_string().as_deref() == Some(want)
    };
    (number(yes, "1") && number(no, "0"))
        .then(|| val::var(flag))
        .flatten()
}
