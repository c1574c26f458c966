//! The value tree a stack is normalized into, and its two printed forms: the canonical
//! key that decides equality (Terraform's primitive conversions applied) and the readable
//! form that difference reports show.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

use hcl_edit::Number;

/// A normalized value: what an attribute, a block body or an object evaluates to, with
/// everything that is not known from the configuration kept as a symbolic [`Sym`].
#[derive(Debug, Clone)]
pub enum Value {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    /// A list or tuple: order matters.
    List(Vec<Value>),
    /// A set: order does not matter and duplicates collapse.
    Set(Vec<Value>),
    /// An object or map, and the body of a block.
    Object(BTreeMap<String, Value>),
    /// The nested blocks of one type inside a body, in source order (the provider reads
    /// them as a list).
    Blocks(Vec<Value>),
    /// A value that is not known from the configuration.
    Unknown(Box<Sym>),
}

/// A symbolic value: an expression whose value Terraform only knows at plan or apply time
/// (a variable, a module output, a data source, a computed attribute), or that this module
/// does not evaluate. Two symbolic values are equal when their canonical forms are.
#[derive(Debug, Clone)]
pub enum Sym {
    /// A reference: `var.x`, `local.x`, `module.m.out`, `random_string.x.result`, …
    Ref { root: Root, steps: Vec<Step> },
    /// A function call whose result is not computed here (arguments evaluated).
    Call { name: String, args: Vec<Value> },
    /// A unary or binary operation on a symbolic operand.
    Op { op: &'static str, args: Vec<Value> },
    /// A conditional whose condition is symbolic.
    Cond(Value, Value, Value),
    /// A string template with symbolic parts: the parts are concatenated.
    Template(Vec<Value>),
    /// Steps applied to a symbolic value that is not a reference (`jsondecode(…)["k"]`).
    Get { base: Value, steps: Vec<Step> },
    /// An attribute path relative to the object (an `ignore_changes` entry) or another
    /// expression kept as its whitespace-free source text.
    Text(String),
}

/// What a reference starts from.
#[derive(Debug, Clone)]
pub enum Root {
    /// `var.NAME` of the stack's root module.
    Var(String),
    /// `local.NAME` that the stack does not define (Terragrunt's generated `local.tiers`).
    Local(String),
    /// A managed resource or a module call, by address.
    Object(Addr),
    /// A data source, identified by its type and configuration rather than its label.
    Data { ty: String, config: Value },
    /// Anything else (`count`, `each`, `self`, `terraform`, an unknown name).
    Other(String),
}

/// One step of a traversal: `.name` and `["name"]` are the same step, as are `[0]` and
/// the legacy `.0`.
#[derive(Debug, Clone)]
pub enum Step {
    Attr(String),
    Index(Value),
    Splat,
}

/// What kind of Terraform object an address names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Resource,
    Data,
    Module,
}

/// The address of a resource, data source or module call, inside nested module calls.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Addr {
    /// Names of the enclosing module calls, outermost first.
    pub module: Vec<String>,
    pub kind: Kind,
    /// The resource or data type; empty for a module call.
    pub ty: String,
    pub name: String,
}

impl Addr {
    pub fn resource(module: &[String], ty: &str, name: &str) -> Addr {
        Addr {
            module: module.to_vec(),
            kind: Kind::Resource,
            ty: ty.to_owned(),
            name: name.to_owned(),
        }
    }

    pub fn data(module: &[String], ty: &str, name: &str) -> Addr {
        Addr {
            kind: Kind::Data,
            ..Addr::resource(module, ty, name)
        }
    }

    pub fn module(module: &[String], name: &str) -> Addr {
        Addr {
            kind: Kind::Module,
            ..Addr::resource(module, "", name)
        }
    }

    /// The module path this address stands for when it names a module call
    /// (`module.a.module.b` → `[a, b]`).
    pub fn as_module_path(&self) -> Option<Vec<String>> {
        (self.kind == Kind::Module).then(|| {
            let mut path = self.module.clone();
            path.push(self.name.clone());
            path
        })
    }
}

impl fmt::Display for Addr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for m in &self.module {
            write!(f, "module.{m}.")?;
        }
        match self.kind {
            Kind::Resource => write!(f, "{}.{}", self.ty, self.name),
            Kind::Data => write!(f, "data.{}.{}", self.ty, self.name),
            Kind::Module => write!(f, "module.{}", self.name),
        }
    }
}

/// The canonical text of a number: integers without a fraction, other numbers in their
/// shortest form (`80`, `80.0` → `80`; `0.5`).
pub fn number_text(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    let f = n.as_f64().unwrap_or(f64::NAN);
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

impl Value {
    pub fn unknown(sym: Sym) -> Value {
        Value::Unknown(Box::new(sym))
    }

    pub fn text(s: impl Into<String>) -> Value {
        Value::unknown(Sym::Text(s.into()))
    }

    /// True when no symbolic value occurs anywhere in this value.
    pub fn is_known(&self) -> bool {
        match self {
            Value::Unknown(_) => false,
            Value::List(items) | Value::Set(items) | Value::Blocks(items) => {
                items.iter().all(Value::is_known)
            }
            Value::Object(map) => map.values().all(Value::is_known),
            _ => true,
        }
    }

    /// The string Terraform converts a primitive to (`80` → `"80"`, `true` → `"true"`).
    pub fn as_primitive_string(&self) -> Option<String> {
        match self {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(number_text(n)),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// The canonical key: two values are equal for a plan exactly when their keys are.
    /// Primitives are keyed by their string conversion, lists and blocks alike, sets and
    /// object keys sorted.
    pub fn canon(&self) -> String {
        let mut out = String::new();
        write_value(&mut out, self, Mode::Canon);
        out
    }

    /// A short readable form for reports, cut at `max` characters.
    pub fn show(&self, max: usize) -> String {
        let mut out = String::new();
        write_value(&mut out, self, Mode::Show);
        truncate(&out, max)
    }

    /// Visits every symbolic value, depth first.
    pub fn visit_syms<'a>(&'a self, f: &mut dyn FnMut(&'a Sym)) {
        match self {
            Value::Unknown(sym) => {
                f(sym);
                sym.visit_values(&mut |v| v.visit_syms(f));
            }
            Value::List(items) | Value::Set(items) | Value::Blocks(items) => {
                items.iter().for_each(|v| v.visit_syms(f));
            }
            Value::Object(map) => map.values().for_each(|v| v.visit_syms(f)),
            _ => {}
        }
    }

    /// Rewrites every symbolic value in place, depth first (inner values first).
    pub fn map_syms(&mut self, f: &mut dyn FnMut(&mut Sym)) {
        match self {
            Value::Unknown(sym) => {
                sym.values_mut(&mut |v| v.map_syms(f));
                f(sym);
            }
            Value::List(items) | Value::Set(items) | Value::Blocks(items) => {
                items.iter_mut().for_each(|v| v.map_syms(f));
            }
            Value::Object(map) => map.values_mut().for_each(|v| v.map_syms(f)),
            _ => {}
        }
    }
}

impl Sym {
    fn visit_values<'a>(&'a self, f: &mut dyn FnMut(&'a Value)) {
        match self {
            Sym::Ref { root, steps } => {
                if let Root::Data { config, .. } = root {
                    f(config);
                }
                steps_values(steps, f);
            }
            Sym::Call { args, .. } | Sym::Op { args, .. } | Sym::Template(args) => {
                args.iter().for_each(f);
            }
            Sym::Cond(a, b, c) => {
                f(a);
                f(b);
                f(c);
            }
            Sym::Get { base, steps } => {
                f(base);
                steps_values(steps, f);
            }
            Sym::Text(_) => {}
        }
    }

    fn values_mut(&mut self, f: &mut dyn FnMut(&mut Value)) {
        let steps_mut = |steps: &mut Vec<Step>, f: &mut dyn FnMut(&mut Value)| {
            for step in steps {
                if let Step::Index(v) = step {
                    f(v);
                }
            }
        };
        match self {
            Sym::Ref { root, steps } => {
                if let Root::Data { config, .. } = root {
                    f(config);
                }
                steps_mut(steps, f);
            }
            Sym::Call { args, .. } | Sym::Op { args, .. } | Sym::Template(args) => {
                args.iter_mut().for_each(f);
            }
            Sym::Cond(a, b, c) => {
                f(a);
                f(b);
                f(c);
            }
            Sym::Get { base, steps } => {
                f(base);
                steps_mut(steps, f);
            }
            Sym::Text(_) => {}
        }
    }
}

fn steps_values<'a>(steps: &'a [Step], f: &mut dyn FnMut(&'a Value)) {
    for step in steps {
        if let Step::Index(v) = step {
            f(v);
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        write_value(&mut out, self, Mode::Show);
        f.write_str(&out)
    }
}

impl fmt::Display for Sym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        write_sym(&mut out, self, Mode::Show);
        f.write_str(&out)
    }
}

/// Which printed form: `Canon` converts primitives to strings and sorts sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Canon,
    Show,
}

fn write_value(out: &mut String, v: &Value, mode: Mode) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) if mode == Mode::Canon => write_quoted(out, &b.to_string()),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) if mode == Mode::Canon => write_quoted(out, &number_text(n)),
        Value::Number(n) => out.push_str(&number_text(n)),
        Value::String(s) => write_quoted(out, s),
        Value::List(items) | Value::Blocks(items) => write_list(out, items, mode),
        Value::Set(items) => {
            out.push_str("toset(");
            let mut keys: Vec<String> = items
                .iter()
                .map(|v| {
                    let mut s = String::new();
                    write_value(&mut s, v, mode);
                    s
                })
                .collect();
            if mode == Mode::Canon {
                keys.sort();
                keys.dedup();
            }
            out.push('[');
            out.push_str(&keys.join(", "));
            out.push_str("])");
        }
        Value::Object(map) => {
            if map.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push_str("{ ");
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_key(out, k);
                out.push_str(" = ");
                write_value(out, v, mode);
            }
            out.push_str(" }");
        }
        Value::Unknown(sym) => write_sym(out, sym, mode),
    }
}

fn write_list(out: &mut String, items: &[Value], mode: Mode) {
    out.push('[');
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_value(out, v, mode);
    }
    out.push(']');
}

fn write_sym(out: &mut String, sym: &Sym, mode: Mode) {
    match sym {
        Sym::Ref { root, steps } => {
            match root {
                Root::Var(name) => {
                    let _ = write!(out, "var.{name}");
                }
                Root::Local(name) => {
                    let _ = write!(out, "local.{name}");
                }
                Root::Object(addr) => {
                    let _ = write!(out, "{addr}");
                }
                Root::Data { ty, config } => {
                    let _ = write!(out, "data.{ty}");
                    out.push('(');
                    write_value(out, config, mode);
                    out.push(')');
                }
                Root::Other(name) => out.push_str(name),
            }
            write_steps(out, steps, mode);
        }
        Sym::Call { name, args } => {
            out.push_str(name);
            out.push('(');
            for (i, v) in args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, v, mode);
            }
            out.push(')');
        }
        Sym::Op { op, args } => {
            out.push('(');
            match args.as_slice() {
                [a] => {
                    out.push_str(op);
                    write_value(out, a, mode);
                }
                [a, b] => {
                    write_value(out, a, mode);
                    let _ = write!(out, " {op} ");
                    write_value(out, b, mode);
                }
                _ => out.push_str(op),
            }
            out.push(')');
        }
        Sym::Cond(c, a, b) => {
            out.push('(');
            write_value(out, c, mode);
            out.push_str(" ? ");
            write_value(out, a, mode);
            out.push_str(" : ");
            write_value(out, b, mode);
            out.push(')');
        }
        Sym::Template(parts) => {
            out.push('"');
            for part in parts {
                match part {
                    Value::String(s) => out.push_str(&escape(s)),
                    other => {
                        out.push_str("${");
                        write_value(out, other, mode);
                        out.push('}');
                    }
                }
            }
            out.push('"');
        }
        Sym::Get { base, steps } => {
            write_value(out, base, mode);
            write_steps(out, steps, mode);
        }
        Sym::Text(text) => out.push_str(text),
    }
}

fn write_steps(out: &mut String, steps: &[Step], mode: Mode) {
    for step in steps {
        match step {
            Step::Attr(name) if is_identifier(name) => {
                out.push('.');
                out.push_str(name);
            }
            Step::Attr(name) => {
                out.push('[');
                write_quoted(out, name);
                out.push(']');
            }
            Step::Index(v) => {
                out.push('[');
                match v {
                    // An index is written as the number it is, in either form.
                    Value::Number(n) => out.push_str(&number_text(n)),
                    other => write_value(out, other, mode),
                }
                out.push(']');
            }
            Step::Splat => out.push_str("[*]"),
        }
    }
}

/// An attribute path relative to an object, as `ignore_changes` entries and reports
/// write it: `metadata[0].labels["app"]`.
pub fn path_text(steps: &[Step]) -> String {
    let mut out = String::new();
    write_steps(&mut out, steps, Mode::Show);
    match out.strip_prefix('.') {
        Some(rest) => rest.to_owned(),
        None => out,
    }
}

fn write_key(out: &mut String, key: &str) {
    if is_identifier(key) {
        out.push_str(key);
    } else {
        write_quoted(out, key);
    }
}

fn write_quoted(out: &mut String, s: &str) {
    out.push('"');
    out.push_str(&escape(s));
    out.push('"');
}

/// The body of an HCL quoted string for `s`: quotes, backslashes, control characters and
/// template sequences escaped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() || crate::hcl::is_invisible(c) => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// True when `s` can be written as a bare attribute name or traversal step.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// `s` cut to at most `max` characters, with `…` marking the cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn primitives_compare_after_conversion() {
        let n80 = Value::Number(Number::from(80));
        assert_eq!(n80.canon(), Value::String("80".into()).canon());
        assert_eq!(
            Value::Bool(true).canon(),
            Value::String("true".into()).canon()
        );
        assert_ne!(n80.canon(), Value::String("080".into()).canon());
        let float = Number::from_f64(80.0).expect("finite");
        assert_eq!(Value::Number(float).canon(), n80.canon());
        // The readable form keeps the type.
        assert_eq!(n80.show(80), "80");
        assert_eq!(Value::String("80".into()).show(80), "\"80\"");
    }

    #[test]
    fn sets_ignore_order_and_duplicates_lists_do_not() {
        let a = Value::Set(vec![Value::String("x".into()), Value::String("y".into())]);
        let b = Value::Set(vec![
            Value::String("y".into()),
            Value::String("x".into()),
            Value::String("x".into()),
        ]);
        assert_eq!(a.canon(), b.canon());
        let la = Value::List(vec![Value::String("x".into()), Value::String("y".into())]);
        let lb = Value::List(vec![Value::String("y".into()), Value::String("x".into())]);
        assert_ne!(la.canon(), lb.canon());
    }

    #[test]
    fn object_keys_are_sorted_and_quoted_only_when_needed() {
        let v = obj(&[
            ("tier", Value::String("aux".into())),
            ("app", Value::String("x".into())),
            ("keel.sh/enrolled", Value::Bool(true)),
        ]);
        assert_eq!(
            v.show(200),
            r#"{ app = "x", "keel.sh/enrolled" = true, tier = "aux" }"#
        );
    }

    #[test]
    fn references_print_as_terraform_writes_them() {
        let r = Value::unknown(Sym::Ref {
            root: Root::Object(Addr::resource(&["m".into()], "kubernetes_service", "x")),
            steps: vec![
                Step::Attr("metadata".into()),
                Step::Index(Value::Number(Number::from(0))),
                Step::Attr("labels".into()),
                Step::Attr("app.kubernetes.io/name".into()),
            ],
        });
        assert_eq!(
            r.show(200),
            r#"module.m.kubernetes_service.x.metadata[0].labels["app.kubernetes.io/name"]"#
        );
    }

    #[test]
    fn truncation_marks_the_cut() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
    }
}
