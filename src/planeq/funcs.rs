//! Terraform's pure functions, evaluated where every argument they need is known.
//!
//! A function that is not implemented here, or whose arguments are not known, stays a
//! symbolic call with its evaluated arguments: two such calls compare equal exactly when
//! their names and arguments do, which is what a plan needs for functions without side
//! effects (hashes such as `sha256(local.config)` included). File functions read through
//! the stack's [`Files`](super::load::Files) and never leave the stack directory.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use hcl_edit::Number;
use unicode_segmentation::UnicodeSegmentation;

use super::value::{Sym, Value, number_text};

/// The result of a call that cannot be computed here: a symbolic call.
pub fn symbolic(name: &str, args: Vec<Value>) -> Value {
    Value::unknown(Sym::Call {
        name: name.to_owned(),
        args,
    })
}

/// An invalid call or operation (Terraform would fail the plan): kept as a marked
/// symbolic value so that it never equals a real value.
pub fn invalid(msg: impl Into<String>) -> Value {
    Value::unknown(Sym::Text(format!("<invalid: {}>", msg.into())))
}

pub fn is_invalid(v: &Value) -> bool {
    matches!(v, Value::Unknown(s) if matches!(&**s, Sym::Text(t) if t.starts_with("<invalid:")))
}

/// Calls a pure function that needs no file access (file functions and `try`/`can` are
/// handled by the evaluator): its value when it is computed here, a symbolic call
/// otherwise.
pub fn call(name: &str, args: Vec<Value>) -> Value {
    let Some(result) = known_call(name, &args) else {
        return symbolic(name, args);
    };
    result
}

/// The computed result, or `None` to keep the call symbolic.
fn known_call(name: &str, args: &[Value]) -> Option<Value> {
    // Identity functions first: marking a value sensitive does not change it.
    if matches!(name, "sensitive" | "nonsensitive")
        && let [v] = args
    {
        return Some(v.clone());
    }
    // Collection functions work on known structure even when leaves are unknown; the
    // others need fully known arguments.
    match name {
        "merge" => return merge(args),
        "concat" => return concat(args),
        "length" => return length(args),
        "keys" => return keys(args),
        "values" => return values(args),
        "lookup" => return lookup(args),
        "element" => return element(args),
        "one" => return one(args),
        "tolist" => return tolist(args),
        "tomap" => return tomap(args),
        "zipmap" => return zipmap(args),
        "coalesce" => return coalesce(args),
        _ => {}
    }
    if !args.iter().all(Value::is_known) {
        return None;
    }
    match name {
        "tostring" => match args {
            [Value::Null] => Some(Value::Null),
            [v] => v.as_primitive_string().map(Value::String),
            _ => None,
        },
        "tonumber" => match args {
            [Value::Null] => Some(Value::Null),
            [v] => v
                .as_primitive_string()
                .and_then(|s| parse_number(&s))
                .map(Value::Number),
            _ => None,
        },
        "tobool" => match args {
            [Value::Null] => Some(Value::Null),
            [v] => match v.as_primitive_string().as_deref() {
                Some("true") => Some(Value::Bool(true)),
                Some("false") => Some(Value::Bool(false)),
                _ => None,
            },
            _ => None,
        },
        "toset" => match args {
            [Value::List(items) | Value::Set(items) | Value::Blocks(items)] => {
                Some(Value::Set(items.clone()))
            }
            _ => None,
        },
        "flatten" => match args {
            [v] => {
                let mut out = Vec::new();
                flatten_into(v, &mut out).then_some(Value::List(out))
            }
            _ => None,
        },
        "distinct" => match args {
            [Value::List(items)] => {
                let mut seen = std::collections::HashSet::new();
                Some(Value::List(
                    items
                        .iter()
                        .filter(|v| seen.insert(v.canon()))
                        .cloned()
                        .collect(),
                ))
            }
            _ => None,
        },
        "compact" => match args {
            [Value::List(items) | Value::Set(items)] => Some(Value::List(
                items
                    .iter()
                    .filter(|v| {
                        !matches!(v, Value::Null) && !matches!(v, Value::String(s) if s.is_empty())
                    })
                    .cloned()
                    .collect(),
            )),
            _ => None,
        },
        "contains" => match args {
            [Value::List(items) | Value::Set(items), v] => {
                let key = v.canon();
                Some(Value::Bool(items.iter().any(|i| i.canon() == key)))
            }
            _ => None,
        },
        "join" => match args {
            [sep, lists @ ..] if !lists.is_empty() => {
                let sep = sep.as_primitive_string()?;
                let mut parts = Vec::new();
                for list in lists {
                    let (Value::List(items) | Value::Set(items)) = list else {
                        return None;
                    };
                    for item in items {
                        parts.push(item.as_primitive_string()?);
                    }
                }
                Some(Value::String(parts.join(&sep)))
            }
            _ => None,
        },
        "split" => {
            let [sep, s] = strings(args)?.try_into().ok()?;
            Some(Value::List(if s.is_empty() {
                vec![Value::String(String::new())]
            } else {
                s.split(sep.as_str())
                    .map(|p| Value::String(p.to_owned()))
                    .collect()
            }))
        }
        "replace" => {
            let [s, from, to] = strings(args)?.try_into().ok()?;
            // `/…/` is a regular expression: not evaluated here.
            if from.len() >= 2 && from.starts_with('/') && from.ends_with('/') {
                return None;
            }
            Some(Value::String(s.replace(from.as_str(), &to)))
        }
        "lower" => one_string(args).map(|s| Value::String(s.to_lowercase())),
        "upper" => one_string(args).map(|s| Value::String(s.to_uppercase())),
        "trimspace" => one_string(args).map(|s| Value::String(s.trim().to_owned())),
        "chomp" => {
            one_string(args).map(|s| Value::String(s.trim_end_matches(['\n', '\r']).to_owned()))
        }
        "trim" => {
            let [s, cut] = strings(args)?.try_into().ok()?;
            Some(Value::String(
                s.trim_matches(|c| cut.contains(c)).to_owned(),
            ))
        }
        "trimprefix" => {
            let [s, p] = strings(args)?.try_into().ok()?;
            Some(Value::String(
                s.strip_prefix(p.as_str()).unwrap_or(&s).to_owned(),
            ))
        }
        "trimsuffix" => {
            let [s, p] = strings(args)?.try_into().ok()?;
            Some(Value::String(
                s.strip_suffix(p.as_str()).unwrap_or(&s).to_owned(),
            ))
        }
        "startswith" => {
            let [s, p] = strings(args)?.try_into().ok()?;
            Some(Value::Bool(s.starts_with(p.as_str())))
        }
        "endswith" => {
            let [s, p] = strings(args)?.try_into().ok()?;
            Some(Value::Bool(s.ends_with(p.as_str())))
        }
        "strcontains" => {
            let [s, p] = strings(args)?.try_into().ok()?;
            Some(Value::Bool(s.contains(p.as_str())))
        }
        "indent" => {
            let [n, s] = strings(args)?.try_into().ok()?;
            let n: usize = n.parse().ok()?;
            let pad = " ".repeat(n);
            Some(Value::String(s.replace('\n', &format!("\n{pad}"))))
        }
        "substr" => {
            let [s, off, len] = strings(args)?.try_into().ok()?;
            let (off, len): (i64, i64) = (off.parse().ok()?, len.parse().ok()?);
            let chars: Vec<&str> = s.graphemes(true).collect();
            let start = if off < 0 {
                chars.len().checked_sub(off.unsigned_abs() as usize)?
            } else {
                usize::try_from(off).ok()?
            };
            if start > chars.len() {
                return None;
            }
            let end = if len < 0 {
                chars.len()
            } else {
                start
                    .saturating_add(usize::try_from(len).ok()?)
                    .min(chars.len())
            };
            Some(Value::String(chars[start..end].concat()))
        }
        "format" => format(args),
        "jsonencode" => match args {
            [v] => {
                let mut out = String::new();
                json_encode(&mut out, v).then_some(Value::String(out))
            }
            _ => None,
        },
        "jsondecode" => match args {
            [Value::String(s)] => json_decode(s),
            _ => None,
        },
        "yamlencode" => match args {
            [v] => yaml_encode(v).map(Value::String),
            _ => None,
        },
        "base64encode" => one_string(args).map(|s| Value::String(base64_encode(s.as_bytes()))),
        "base64decode" => one_string(args)
            .and_then(|s| base64_decode(&s))
            .and_then(|b| String::from_utf8(b).ok())
            .map(Value::String),
        "abs" | "ceil" | "floor" => {
            let [n] = numbers(args)?.try_into().ok()?;
            let r = match name {
                "abs" => n.abs(),
                "ceil" => n.ceil(),
                _ => n.floor(),
            };
            float_value(r)
        }
        "max" | "min" if !args.is_empty() => {
            let ns = numbers(args)?;
            let r = if name == "max" {
                ns.iter().copied().fold(f64::NEG_INFINITY, f64::max)
            } else {
                ns.iter().copied().fold(f64::INFINITY, f64::min)
            };
            float_value(r)
        }
        _ => None,
    }
}

fn one_string(args: &[Value]) -> Option<String> {
    match args {
        [v] => v.as_primitive_string(),
        _ => None,
    }
}

fn strings(args: &[Value]) -> Option<Vec<String>> {
    args.iter().map(Value::as_primitive_string).collect()
}

fn numbers(args: &[Value]) -> Option<Vec<f64>> {
    args.iter()
        .map(|v| {
            v.as_primitive_string()
                .and_then(|s| parse_number(&s))
                .and_then(|n| n.as_f64())
        })
        .collect()
}

/// A number from its text, as Terraform converts a string to a number.
pub fn parse_number(s: &str) -> Option<Number> {
    let s = s.trim();
    if let Ok(i) = s.parse::<i64>() {
        return Some(Number::from(i));
    }
    if let Ok(u) = s.parse::<u64>() {
        return Some(Number::from(u));
    }
    s.parse::<f64>().ok().and_then(Number::from_f64)
}

/// A number value from an `f64` result, an integer when it is one.
pub fn float_value(f: f64) -> Option<Value> {
    if !f.is_finite() {
        return None;
    }
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        return Some(Value::Number(Number::from(f as i64)));
    }
    Number::from_f64(f).map(Value::Number)
}

fn merge(args: &[Value]) -> Option<Value> {
    let mut out = BTreeMap::new();
    for arg in args {
        match arg {
            Value::Null => {}
            Value::Object(map) => out.extend(map.iter().map(|(k, v)| (k.clone(), v.clone()))),
            _ => return None,
        }
    }
    Some(Value::Object(out))
}

fn concat(args: &[Value]) -> Option<Value> {
    let mut out = Vec::new();
    for arg in args {
        match arg {
            Value::List(items) | Value::Blocks(items) => out.extend(items.iter().cloned()),
            _ => return None,
        }
    }
    Some(Value::List(out))
}

fn length(args: &[Value]) -> Option<Value> {
    let n = match args {
        [Value::List(items) | Value::Set(items) | Value::Blocks(items)] => {
            if let Value::Set(_) = &args[0]
                && !args[0].is_known()
            {
                return None;
            }
            items.len()
        }
        [Value::Object(map)] => map.len(),
        [Value::String(s)] => s.graphemes(true).count(),
        _ => return None,
    };
    Some(Value::Number(Number::from(n as u64)))
}

fn keys(args: &[Value]) -> Option<Value> {
    match args {
        [Value::Object(map)] => Some(Value::List(
            map.keys().map(|k| Value::String(k.clone())).collect(),
        )),
        _ => None,
    }
}

fn values(args: &[Value]) -> Option<Value> {
    match args {
        [Value::Object(map)] => Some(Value::List(map.values().cloned().collect())),
        _ => None,
    }
}

fn lookup(args: &[Value]) -> Option<Value> {
    let (Value::Object(map), key, default) = (args.first()?, args.get(1)?, args.get(2)) else {
        return None;
    };
    let key = key.as_primitive_string()?;
    match map.get(&key) {
        Some(v) => Some(v.clone()),
        None => default.cloned(),
    }
}

fn element(args: &[Value]) -> Option<Value> {
    let [Value::List(items) | Value::Blocks(items), idx] = args else {
        return None;
    };
    let i: usize = idx.as_primitive_string()?.parse().ok()?;
    if items.is_empty() {
        return None;
    }
    items.get(i % items.len()).cloned()
}

fn one(args: &[Value]) -> Option<Value> {
    match args {
        [Value::List(items) | Value::Blocks(items)] => match items.as_slice() {
            [] => Some(Value::Null),
            [v] => Some(v.clone()),
            _ => None,
        },
        _ => None,
    }
}

fn tolist(args: &[Value]) -> Option<Value> {
    match args {
        [Value::List(items) | Value::Blocks(items)] => Some(Value::List(items.clone())),
        [Value::Set(items)] if args[0].is_known() => {
            let mut items = items.clone();
            items.sort_by_key(Value::canon);
            items.dedup_by_key(|v| v.canon());
            Some(Value::List(items))
        }
        _ => None,
    }
}

fn tomap(args: &[Value]) -> Option<Value> {
    match args {
        [v @ Value::Object(_)] => Some(v.clone()),
        _ => None,
    }
}

fn zipmap(args: &[Value]) -> Option<Value> {
    let [Value::List(ks), Value::List(vs)] = args else {
        return None;
    };
    if ks.len() != vs.len() {
        return None;
    }
    let mut out = BTreeMap::new();
    for (k, v) in ks.iter().zip(vs) {
        out.insert(k.as_primitive_string()?, v.clone());
    }
    Some(Value::Object(out))
}

fn coalesce(args: &[Value]) -> Option<Value> {
    for arg in args {
        match arg {
            Value::Null => continue,
            Value::String(s) if s.is_empty() => continue,
            Value::Unknown(_) => return None,
            v => return Some(v.clone()),
        }
    }
    None
}

fn flatten_into(v: &Value, out: &mut Vec<Value>) -> bool {
    match v {
        Value::List(items) | Value::Set(items) | Value::Blocks(items) => {
            items.iter().all(|i| match i {
                Value::List(_) | Value::Set(_) | Value::Blocks(_) => flatten_into(i, out),
                other => {
                    out.push(other.clone());
                    true
                }
            })
        }
        _ => false,
    }
}

/// `format` with the verbs the stacks use: `%s`, `%d`, `%v` and `%%`.
fn format(args: &[Value]) -> Option<Value> {
    let (spec, rest) = args.split_first()?;
    let spec = spec.as_primitive_string()?;
    let mut out = String::new();
    let mut rest = rest.iter();
    let mut chars = spec.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '%' => out.push('%'),
            's' | 'v' => out.push_str(&rest.next()?.as_primitive_string()?),
            'd' => {
                let n = parse_number(&rest.next()?.as_primitive_string()?)?;
                n.as_i64()?;
                out.push_str(&number_text(&n));
            }
            _ => return None,
        }
    }
    if rest.next().is_some() {
        return None;
    }
    Some(Value::String(out))
}

/// Terraform's `jsonencode`: compact, object keys sorted, `<`, `>`, `&`, U+2028 and U+2029
/// escaped as Terraform documents. `false` when the value is not fully known or holds a
/// control character whose escape differs between Terraform versions.
pub fn json_encode(out: &mut String, v: &Value) -> bool {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number_text(n)),
        Value::String(s) => return json_string(out, s),
        Value::List(items) | Value::Blocks(items) | Value::Set(items) => {
            let mut items: Vec<&Value> = items.iter().collect();
            if let Value::Set(_) = v {
                items.sort_by_key(|i| i.canon());
            }
            out.push('[');
            for (i, item) in items.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if !json_encode(out, item) {
                    return false;
                }
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if !json_string(out, k) {
                    return false;
                }
                out.push(':');
                if !json_encode(out, item) {
                    return false;
                }
            }
            out.push('}');
        }
        Value::Unknown(_) => return false,
    }
    true
}

fn json_string(out: &mut String, s: &str) -> bool {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            // `\b` and `\f` are written differently by different Go versions.
            '\u{8}' | '\u{c}' => return false,
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    true
}

/// `jsondecode` of a known string: JSON objects become objects, arrays lists.
pub fn json_decode(s: &str) -> Option<Value> {
    let mut p = JsonParser {
        s: s.as_bytes(),
        i: 0,
    };
    let v = p.value()?;
    p.ws();
    (p.i == p.s.len()).then_some(v)
}

struct JsonParser<'a> {
    s: &'a [u8],
    i: usize,
}

impl JsonParser<'_> {
    fn ws(&mut self) {
        while self.s.get(self.i).is_some_and(|c| c.is_ascii_whitespace()) {
            self.i += 1;
        }
    }

    fn eat(&mut self, lit: &str) -> bool {
        if self.s[self.i..].starts_with(lit.as_bytes()) {
            self.i += lit.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self) -> Option<Value> {
        self.ws();
        match *self.s.get(self.i)? {
            b'n' if self.eat("null") => Some(Value::Null),
            b't' if self.eat("true") => Some(Value::Bool(true)),
            b'f' if self.eat("false") => Some(Value::Bool(false)),
            b'"' => self.string().map(Value::String),
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.eat("]") {
                    return Some(Value::List(items));
                }
                loop {
                    items.push(self.value()?);
                    self.ws();
                    if self.eat("]") {
                        return Some(Value::List(items));
                    }
                    if !self.eat(",") {
                        return None;
                    }
                }
            }
            b'{' => {
                self.i += 1;
                let mut map = BTreeMap::new();
                self.ws();
                if self.eat("}") {
                    return Some(Value::Object(map));
                }
                loop {
                    self.ws();
                    let key = self.string()?;
                    self.ws();
                    if !self.eat(":") {
                        return None;
                    }
                    map.insert(key, self.value()?);
                    self.ws();
                    if self.eat("}") {
                        return Some(Value::Object(map));
                    }
                    if !self.eat(",") {
                        return None;
                    }
                }
            }
            _ => {
                let start = self.i;
                while self
                    .s
                    .get(self.i)
                    .is_some_and(|c| c.is_ascii_digit() || b"+-.eE".contains(c))
                {
                    self.i += 1;
                }
                let text = std::str::from_utf8(&self.s[start..self.i]).ok()?;
                parse_number(text).map(Value::Number)
            }
        }
    }

    fn string(&mut self) -> Option<String> {
        if !self.eat("\"") {
            return None;
        }
        let mut out = Vec::new();
        loop {
            let c = *self.s.get(self.i)?;
            self.i += 1;
            match c {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let e = *self.s.get(self.i)?;
                    self.i += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hex = std::str::from_utf8(self.s.get(self.i..self.i + 4)?).ok()?;
                            self.i += 4;
                            let mut code = u32::from_str_radix(hex, 16).ok()?;
                            if (0xD800..0xDC00).contains(&code) && self.eat("\\u") {
                                let hex =
                                    std::str::from_utf8(self.s.get(self.i..self.i + 4)?).ok()?;
                                self.i += 4;
                                let low = u32::from_str_radix(hex, 16).ok()?;
                                code = 0x10000
                                    + ((code - 0xD800) << 10)
                                    + (low.checked_sub(0xDC00)?);
                            }
                            char::from_u32(code)?
                        }
                        _ => return None,
                    };
                    let mut buf = [0; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                c => out.push(c),
            }
        }
    }
}

/// Terraform's `yamlencode` for the shapes whose output is certain: block-style maps with
/// double-quoted keys in sorted order, block sequences (not indented under a map key),
/// double-quoted single-line ASCII strings, integers, booleans and `null`, `{}` and
/// `[]` for empty collections, and a final newline. A multi-line or non-ASCII string, a
/// line longer than 80 columns (the YAML emitter may fold it) or an unknown value makes it
/// `None`: the call then stays symbolic.
pub fn yaml_encode(v: &Value) -> Option<String> {
    let mut out = String::new();
    match v {
        Value::Object(map) if !map.is_empty() => yaml_map(&mut out, map, 0)?,
        Value::List(items) | Value::Blocks(items) if !items.is_empty() => {
            yaml_seq(&mut out, items, 0)?
        }
        scalar => {
            out.push_str(&yaml_scalar(scalar)?);
            out.push('\n');
        }
    }
    out.lines()
        .all(|line| line.chars().count() <= 80)
        .then_some(out)
}

fn yaml_scalar(v: &Value) -> Option<String> {
    Some(match v {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        // Integers only: a float's YAML form is not certain.
        Value::Number(n) if n.as_i64().is_some_and(|i| i.unsigned_abs() < 1 << 53) => {
            number_text(n)
        }
        Value::Number(_) => return None,
        Value::String(s) => yaml_quoted(s)?,
        Value::Object(map) if map.is_empty() => "{}".to_owned(),
        Value::List(items) | Value::Blocks(items) if items.is_empty() => "[]".to_owned(),
        _ => return None,
    })
}

fn yaml_quoted(s: &str) -> Option<String> {
    if s.chars().any(|c| !(' '..='~').contains(&c)) {
        return None;
    }
    Some(format!(
        "\"{}\"",
        s.replace('\\', "\\\\").replace('"', "\\\"")
    ))
}

fn is_nonempty_collection(v: &Value) -> bool {
    match v {
        Value::Object(map) => !map.is_empty(),
        Value::List(items) | Value::Blocks(items) => !items.is_empty(),
        _ => false,
    }
}

fn yaml_map(out: &mut String, map: &BTreeMap<String, Value>, indent: usize) -> Option<()> {
    let pad = " ".repeat(indent);
    for (i, (k, v)) in map.iter().enumerate() {
        // The first key of a map inside a sequence item follows the `- ` on its line.
        if i > 0 || !out.ends_with("- ") {
            out.push_str(&pad);
        }
        out.push_str(&yaml_quoted(k)?);
        out.push(':');
        match v {
            Value::Object(m) if is_nonempty_collection(v) => {
                out.push('\n');
                yaml_map(out, m, indent + 2)?;
            }
            Value::List(items) | Value::Blocks(items) if is_nonempty_collection(v) => {
                out.push('\n');
                yaml_seq(out, items, indent)?;
            }
            scalar => {
                out.push(' ');
                out.push_str(&yaml_scalar(scalar)?);
                out.push('\n');
            }
        }
    }
    Some(())
}

fn yaml_seq(out: &mut String, items: &[Value], indent: usize) -> Option<()> {
    let pad = " ".repeat(indent);
    for item in items {
        if !out.ends_with("- ") {
            out.push_str(&pad);
        }
        out.push_str("- ");
        match item {
            Value::Object(m) if is_nonempty_collection(item) => yaml_map(out, m, indent + 2)?,
            Value::List(inner) | Value::Blocks(inner) if is_nonempty_collection(item) => {
                yaml_seq(out, inner, indent + 2)?
            }
            scalar => {
                out.push_str(&yaml_scalar(scalar)?);
                out.push('\n');
            }
        }
    }
    Some(())
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(B64[((n >> shift) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = B64.iter().position(|&b| b == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::String(x.to_owned())
    }

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn merge_later_wins_and_keeps_unknown_leaves() {
        let tier = Value::text("local.tiers.aux");
        let merged = call(
            "merge",
            vec![
                obj(&[("app", s("x")), ("tier", s("old"))]),
                obj(&[("tier", tier)]),
            ],
        );
        assert_eq!(merged.show(200), "{ app = \"x\", tier = local.tiers.aux }");
        // An unknown argument keeps the whole call symbolic.
        let sym = call("merge", vec![Value::text("var.labels"), obj(&[])]);
        assert_eq!(sym.show(200), "merge(var.labels, {})");
    }

    #[test]
    fn jsonencode_matches_terraform() {
        let v = obj(&[
            (
                "b",
                Value::List(vec![Value::Number(Number::from(1)), Value::Bool(true)]),
            ),
            ("a", s("<x & \"y\">\n")),
        ]);
        assert_eq!(
            call("jsonencode", vec![v]).show(200),
            r#""{\"a\":\"\\u003cx \\u0026 \\\"y\\\"\\u003e\\n\",\"b\":[1,true]}""#
        );
    }

    #[test]
    fn jsondecode_round_trips_jsonencode() {
        let v = obj(&[("k", Value::List(vec![s("a\u{e9}"), Value::Null]))]);
        let mut text = String::new();
        assert!(json_encode(&mut text, &v));
        assert_eq!(json_decode(&text).map(|d| d.canon()), Some(v.canon()));
        assert!(json_decode("{\"a\":").is_none());
    }

    #[test]
    fn yamlencode_writes_terraform_shapes_and_refuses_the_uncertain() {
        let v = obj(&[
            (
                "foo",
                Value::List(vec![
                    Value::Number(Number::from(1)),
                    obj(&[("a", s("b")), ("c", s("d"))]),
                    Value::Number(Number::from(3)),
                ]),
            ),
            ("bar", s("baz")),
        ]);
        assert_eq!(
            yaml_encode(&v).as_deref(),
            Some("\"bar\": \"baz\"\n\"foo\":\n- 1\n- \"a\": \"b\"\n  \"c\": \"d\"\n- 3\n")
        );
        let nested = obj(&[("a", obj(&[("b", Value::Bool(true))]))]);
        assert_eq!(
            yaml_encode(&nested).as_deref(),
            Some("\"a\":\n  \"b\": true\n")
        );
        assert_eq!(yaml_encode(&s("two\nlines")), None);
        assert_eq!(yaml_encode(&s(&"x".repeat(90))), None);
        assert_eq!(yaml_encode(&obj(&[("a", Value::text("var.x"))])), None);
    }

    #[test]
    fn string_functions() {
        assert_eq!(
            call("join", vec![s(","), Value::List(vec![s("a"), s("b")])]).show(80),
            "\"a,b\""
        );
        assert_eq!(
            call("split", vec![s(","), s("a,b")]).show(80),
            "[\"a\", \"b\"]"
        );
        assert_eq!(
            call("replace", vec![s("a-b"), s("-"), s("_")]).show(80),
            "\"a_b\""
        );
        assert_eq!(
            call("replace", vec![s("a-b"), s("/-/"), s("_")]).show(80),
            "replace(\"a-b\", \"/-/\", \"_\")"
        );
        assert_eq!(
            call(
                "format",
                vec![s("%s:%d%%"), s("a"), Value::Number(Number::from(5))]
            )
            .show(80),
            "\"a:5%\""
        );
        assert_eq!(
            call("tostring", vec![Value::Number(Number::from(80))]).show(80),
            "\"80\""
        );
        assert_eq!(
            call("base64encode", vec![s("hello")]).show(80),
            "\"aGVsbG8=\""
        );
        assert_eq!(
            call("base64decode", vec![s("aGVsbG8=")]).show(80),
            "\"hello\""
        );
        assert_eq!(
            call(
                "substr",
                vec![
                    s("hello"),
                    Value::Number(Number::from(1)),
                    Value::Number(Number::from(3))
                ]
            )
            .show(80),
            "\"ell\""
        );
    }

    #[test]
    fn unknown_arguments_keep_a_call_symbolic() {
        assert_eq!(call("sha256", vec![s("x")]).show(80), "sha256(\"x\")");
        assert_eq!(
            call("upper", vec![Value::text("var.x")]).show(80),
            "upper(var.x)"
        );
    }
}
