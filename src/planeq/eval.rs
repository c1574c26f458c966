//! Partial evaluation of a stack's expressions into [`Value`]s: everything known from the
//! configuration is computed (literals, locals, templates, pure functions, references to
//! configured attributes of the stack's own objects, inlined local modules), everything
//! else stays symbolic.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

use hcl_edit::Number;
use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{Block, Body, Structure};
use hcl_edit::template::{Directive, Element, Template};

use super::funcs::{self, invalid, is_invalid};
use super::load::{Files, Loaded, ParsedFile, display_path, normalize};
use super::ops::{apply, binary, concat_parts, deref, items, truth, unary};
use super::value::{Addr, Kind, Root, Step, Sym, Value, path_text};
use crate::error::Error;

/// Iterator variables in scope (`for` expressions, `dynamic` blocks, `templatefile`).
/// An isolated scope (a `templatefile` template) sees only its own variables.
#[derive(Debug, Clone, Default)]
struct Scope {
    vars: Vec<(String, Value)>,
    isolated: bool,
}

impl Scope {
    fn get(&self, name: &str) -> Option<&Value> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    fn with(&self, name: &str, value: Value) -> Scope {
        let mut s = self.clone();
        s.vars.push((name.to_owned(), value));
        s
    }
}

/// One module instance: the root, an inlined local module, or the Terragrunt file.
#[derive(Debug, Default)]
pub(crate) struct Inst<'a> {
    pub path: Vec<String>,
    /// `path.module`, relative to the stack directory.
    pub dir: String,
    /// The calling instance and the `module` block that calls this one.
    pub parent: Option<(usize, &'a Block)>,
    pub locals: HashMap<&'a str, &'a Expression>,
    pub vars: BTreeMap<&'a str, &'a Block>,
    pub resources: BTreeMap<(&'a str, &'a str), &'a Block>,
    pub data: BTreeMap<(&'a str, &'a str), &'a Block>,
    /// Module calls, with the instance index when inlined.
    pub calls: BTreeMap<&'a str, (&'a Block, Option<usize>)>,
    pub outputs: BTreeMap<&'a str, &'a Block>,
    pub moved: Vec<&'a Block>,
    /// `import` blocks: no object of a plan, kept to be compared as a set by who needs it.
    pub imports: Vec<&'a Block>,
    pub providers: Vec<&'a Block>,
    /// Top-level blocks of other types, in file order.
    pub others: Vec<&'a Block>,
    /// Top-level attributes (only Terragrunt files have them).
    pub attrs: Vec<(&'a str, &'a Expression)>,
    /// This is `terragrunt.hcl`: its references (`dependency.x.outputs.y`,
    /// `include.root.locals`) name Terragrunt blocks, not resources.
    pub terragrunt: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Object(usize, Kind, String, String),
    Local(usize, String),
    Var(usize, String),
    Output(usize, String),
}

/// The evaluator of one stack.
pub(crate) struct Eval<'a> {
    files: &'a Files,
    pub insts: Vec<Inst<'a>>,
    memo: HashMap<Key, Value>,
    busy: HashSet<Key>,
    pub notes: BTreeSet<String>,
}

/// How many references (objects, locals, outputs) may be under evaluation at once.
const MAX_CHAIN: usize = 64;

impl<'a> Eval<'a> {
    /// Indexes the blocks of every module of `loaded`. Two declarations of one address
    /// (resource, data source, module call, variable, local, output) are an error, as they
    /// are for Terraform.
    pub fn new(files: &'a Files, loaded: &'a Loaded) -> Result<Eval<'a>, Error> {
        let mut insts = Vec::with_capacity(loaded.modules.len() + 1);
        for m in &loaded.modules {
            let mut inst = Inst {
                path: m.path.clone(),
                dir: m.dir.display().to_string(),
                ..Inst::default()
            };
            for &fi in &m.files {
                index_file(&mut inst, &loaded.files[fi])?;
            }
            insts.push(inst);
        }
        // Link each inlined module to its call, and each call to its instance.
        for (ci, m) in loaded.modules.iter().enumerate() {
            if let Some((pi, name)) = &m.parent {
                let call = insts[*pi].calls.get_mut(name.as_str()).map(|c| {
                    c.1 = Some(ci);
                    c.0
                });
                insts[ci].parent = call.map(|b| (*pi, b));
            }
        }
        if let Some(tg) = &loaded.terragrunt {
            let mut inst = Inst {
                dir: ".".to_owned(),
                terragrunt: true,
                ..Inst::default()
            };
            for structure in tg.body.iter() {
                match structure {
                    Structure::Attribute(a) => inst.attrs.push((a.key.as_str(), &a.value)),
                    Structure::Block(b) if b.ident.as_str() == "locals" => {
                        for a in b.body.attributes() {
                            if inst.locals.insert(a.key.as_str(), &a.value).is_some() {
                                return Err(duplicate(tg, b, &format!("local.{}", a.key.as_str())));
                            }
                        }
                    }
                    Structure::Block(b) => inst.others.push(b),
                }
            }
            insts.push(inst);
        }
        Ok(Eval {
            files,
            insts,
            memo: HashMap::new(),
            busy: HashSet::new(),
            notes: BTreeSet::new(),
        })
    }

    /// A top-level block's body (an output, a provider, a Terragrunt block), with
    /// `depends_on` as a set of addresses.
    pub fn block_value(&mut self, mi: usize, body: &Body) -> Value {
        self.object_body(mi, &Kind::Resource, body)
    }

    /// An expression's value in module instance `mi`.
    pub fn expr_value(&mut self, mi: usize, expr: &Expression) -> Value {
        self.eval(mi, &Scope::default(), expr)
    }

    /// Whether the chain of references being evaluated (object → local → object …) is
    /// too long to follow further: the value then stays unresolved, with a note, instead of
    /// exhausting the stack on a hostile input.
    fn too_deep(&mut self) -> bool {
        if self.busy.len() < MAX_CHAIN {
            return false;
        }
        self.note(format!(
            "references nest deeper than {MAX_CHAIN}: the rest is compared unresolved"
        ));
        true
    }

    fn note(&mut self, text: String) {
        self.notes.insert(text);
    }

    // ---- objects -------------------------------------------------------------------

    fn block_of(&self, mi: usize, kind: &Kind, ty: &str, name: &str) -> Option<&'a Block> {
        let inst = &self.insts[mi];
        match kind {
            Kind::Resource => inst.resources.get(&(ty, name)).copied(),
            Kind::Data => inst.data.get(&(ty, name)).copied(),
            Kind::Module => inst.calls.get(name).map(|c| c.0),
        }
    }

    /// The normalized configuration of a resource, data source or module call; `None`
    /// when it is not declared or is being evaluated (a reference cycle).
    pub fn object(&mut self, mi: usize, kind: Kind, ty: &str, name: &str) -> Option<Value> {
        let key = Key::Object(mi, kind.clone(), ty.to_owned(), name.to_owned());
        if let Some(v) = self.memo.get(&key) {
            return Some(v.clone());
        }
        let block = self.block_of(mi, &kind, ty, name)?;
        if self.too_deep() {
            return None;
        }
        if !self.busy.insert(key.clone()) {
            let addr = Addr {
                module: self.insts[mi].path.clone(),
                kind,
                ty: ty.to_owned(),
                name: name.to_owned(),
            };
            self.note(format!("{addr}: its configuration refers to itself"));
            return None;
        }
        let value = self.object_body(mi, &kind, &block.body);
        self.busy.remove(&key);
        self.memo.insert(key, value.clone());
        Some(value)
    }

    /// The instances of a resource or data source that sets `count` or `for_each` over a
    /// collection known from the configuration: `(key, configuration)` each, the key as an
    /// address writes it (`["daily"]`, `[0]`), with `each` / `count.index` bound and the
    /// meta-argument itself left out (an instance's plan does not hold it). `None` when the
    /// block sets neither, or the collection is not known (a variable, a data source):
    /// the block is then compared as one object, as it is written.
    pub fn instances(
        &mut self,
        mi: usize,
        kind: Kind,
        ty: &str,
        name: &str,
    ) -> Option<Vec<(String, Value)>> {
        let block = self.block_of(mi, &kind, ty, name)?;
        let scope = Scope::default();
        let mut out = Vec::new();
        if let Some(a) = block.body.get_attribute("for_each") {
            let each: Vec<(String, Value)> = match self.eval(mi, &scope, &a.value) {
                Value::Object(map) => map.into_iter().collect(),
                set @ Value::Set(_) => items(&set)?
                    .into_iter()
                    .map(|(k, v)| match k {
                        Value::String(k) => Some((k, v)),
                        _ => None,
                    })
                    .collect::<Option<_>>()?,
                _ => return None,
            };
            for (key, value) in each {
                let it = Value::Object(BTreeMap::from([
                    ("key".to_owned(), Value::String(key.clone())),
                    ("value".to_owned(), value),
                ]));
                let body = self.object_body_in(mi, &kind, &block.body, &scope.with("each", it));
                out.push((format!("[{}]", crate::hcl::quote(&key)), body));
            }
        } else if let Some(a) = block.body.get_attribute("count") {
            let Value::Number(n) = self.eval(mi, &scope, &a.value) else {
                return None;
            };
            let n = n.as_u64()?;
            // A count no stack writes by hand; compared as written rather than expanded.
            if n > 1000 {
                return None;
            }
            for i in 0..n {
                let index = Value::Object(BTreeMap::from([(
                    "index".to_owned(),
                    Value::Number(i.into()),
                )]));
                let body = self.object_body_in(mi, &kind, &block.body, &scope.with("count", index));
                out.push((format!("[{i}]"), body));
            }
        } else {
            return None;
        }
        Some(out)
    }

    fn object_body(&mut self, mi: usize, kind: &Kind, body: &Body) -> Value {
        self.object_body_in(mi, kind, body, &Scope::default())
    }

    fn object_body_in(&mut self, mi: usize, kind: &Kind, body: &Body, scope: &Scope) -> Value {
        let expanded = !scope.vars.is_empty();
        let mut map = BTreeMap::new();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(a) => {
                    let key = a.key.as_str();
                    if expanded && matches!(key, "for_each" | "count") {
                        continue;
                    }
                    let value = match key {
                        "depends_on" => self.address_set(mi, &a.value),
                        "provider" | "providers" => Value::text(compact(&a.value)),
                        "source" if *kind == Kind::Module => self.module_source(mi, &a.value),
                        _ => self.eval(mi, scope, &a.value),
                    };
                    if !matches!(value, Value::Null) {
                        map.insert(key.to_owned(), value);
                    }
                }
                Structure::Block(b) if b.ident.as_str() == "lifecycle" => {
                    let value = self.lifecycle(mi, &b.body);
                    push_block_value(&mut map, "lifecycle", value);
                }
                Structure::Block(b) => self.push_block(mi, scope, b, &mut map),
            }
        }
        drop_empty_blocks(&mut map);
        Value::Object(map)
    }

    /// A module `source`: a relative path is resolved against the calling module's
    /// directory and written relative to the stack (`modules/app/../../../../modules/x` →
    /// `../../modules/x`), so the same module called from a flat stack and from a local
    /// module compares equal.
    fn module_source(&mut self, mi: usize, expr: &Expression) -> Value {
        match expr.as_str() {
            Some(s) if s.starts_with("./") || s.starts_with("../") => {
                let joined = Path::new(&self.insts[mi].dir).join(s);
                match normalize(&joined) {
                    Some(p) => Value::String(p.display().to_string()),
                    None => Value::String(s.to_owned()),
                }
            }
            _ => self.eval(mi, &Scope::default(), expr),
        }
    }

    /// `lifecycle`: `ignore_changes` and `replace_triggered_by` are sets of paths or
    /// addresses; the rest is evaluated as usual.
    fn lifecycle(&mut self, mi: usize, body: &Body) -> Value {
        let mut map = BTreeMap::new();
        let scope = Scope::default();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(a) => {
                    let value = match a.key.as_str() {
                        "ignore_changes" => ignore_changes(&a.value),
                        "replace_triggered_by" => self.address_set(mi, &a.value),
                        _ => self.eval(mi, &scope, &a.value),
                    };
                    if !matches!(value, Value::Null) {
                        map.insert(a.key.as_str().to_owned(), value);
                    }
                }
                Structure::Block(b) => self.push_block(mi, &scope, b, &mut map),
            }
        }
        drop_empty_blocks(&mut map);
        Value::Object(map)
    }

    /// `depends_on`-style lists of object references, as a set.
    fn address_set(&mut self, mi: usize, expr: &Expression) -> Value {
        match expr {
            Expression::Array(arr) => {
                Value::Set(arr.iter().map(|e| self.address_ref(mi, e)).collect())
            }
            other => Value::text(compact(other)),
        }
    }

    /// A reference to an object as a whole (`kubernetes_namespace.x`, `module.m`,
    /// `data.t.n`), without resolving it to its configuration.
    fn address_ref(&mut self, mi: usize, expr: &Expression) -> Value {
        let (name, ops): (&str, &[_]) = match expr {
            Expression::Traversal(t) => match &t.expr {
                Expression::Variable(v) => (v.as_str(), &t.operators),
                _ => return Value::text(compact(expr)),
            },
            _ => return Value::text(compact(expr)),
        };
        let scope = Scope::default();
        let steps = self.steps(mi, &scope, ops);
        let path = self.insts[mi].path.clone();
        let (root, rest) = match (name, steps.as_slice()) {
            ("module", [Step::Attr(m), rest @ ..]) => (Root::Object(Addr::module(&path, m)), rest),
            ("data", [Step::Attr(ty), Step::Attr(n), rest @ ..]) => {
                let root = match self.object(mi, Kind::Data, ty, n) {
                    Some(config) => Root::Data {
                        ty: ty.clone(),
                        config,
                    },
                    None => Root::Object(Addr::data(&path, ty, n)),
                };
                (root, rest)
            }
            (ty, [Step::Attr(n), rest @ ..]) => (Root::Object(Addr::resource(&path, ty, n)), rest),
            _ => return Value::text(compact(expr)),
        };
        Value::unknown(Sym::Ref {
            root,
            steps: rest.to_vec(),
        })
    }

    /// Evaluates a block body (not a resource's top level).
    fn body(&mut self, mi: usize, scope: &Scope, body: &Body) -> Value {
        let mut map = BTreeMap::new();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(a) => {
                    let value = self.eval(mi, scope, &a.value);
                    if !matches!(value, Value::Null) {
                        map.insert(a.key.as_str().to_owned(), value);
                    }
                }
                Structure::Block(b) => self.push_block(mi, scope, b, &mut map),
            }
        }
        drop_empty_blocks(&mut map);
        Value::Object(map)
    }

    /// Appends a nested block (or the blocks a `dynamic` block expands to) to the list of
    /// its type. A labelled nested block keeps its labels under the key `#labels`.
    fn push_block(
        &mut self,
        mi: usize,
        scope: &Scope,
        block: &Block,
        map: &mut BTreeMap<String, Value>,
    ) {
        if block.ident.as_str() != "dynamic" {
            let mut value = self.body(mi, scope, &block.body);
            if !block.labels.is_empty()
                && let Value::Object(obj) = &mut value
            {
                obj.insert(
                    "#labels".to_owned(),
                    Value::List(
                        block
                            .labels
                            .iter()
                            .map(|l| Value::String(l.as_str().to_owned()))
                            .collect(),
                    ),
                );
            }
            push_block_value(map, block.ident.as_str(), value);
            return;
        }
        let Some(ty) = block.labels.first().map(|l| l.as_str().to_owned()) else {
            return;
        };
        let for_each = block
            .body
            .get_attribute("for_each")
            .map_or(Value::Null, |a| self.eval(mi, scope, &a.value));
        let iterator = block
            .body
            .get_attribute("iterator")
            .and_then(|a| a.value.as_variable().map(|v| v.as_str().to_owned()))
            .unwrap_or_else(|| ty.clone());
        let Some(content) = block.body.get_blocks("content").next() else {
            return;
        };
        match items(&for_each) {
            Some(items) => {
                for (k, v) in items {
                    let it = Value::Object(BTreeMap::from([
                        ("key".to_owned(), k),
                        ("value".to_owned(), v),
                    ]));
                    let inner = scope.with(&iterator, it);
                    let value = self.body(mi, &inner, &content.body);
                    push_block_value(map, &ty, value);
                }
                // An empty expansion still says "this block type": no blocks.
                map.entry(ty).or_insert_with(|| Value::Blocks(Vec::new()));
            }
            None => {
                let text = format!(
                    "dynamic {ty} for_each {} {}",
                    for_each.canon(),
                    compact(&content.body)
                );
                push_block_value(map, &ty, Value::text(text));
            }
        }
    }

    // ---- expressions ---------------------------------------------------------------

    fn eval(&mut self, mi: usize, scope: &Scope, expr: &Expression) -> Value {
        match expr {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(*b.value()),
            Expression::Number(n) => Value::Number(*n.value()),
            Expression::String(s) => Value::String(s.value().clone()),
            Expression::Array(arr) => {
                Value::List(arr.iter().map(|e| self.eval(mi, scope, e)).collect())
            }
            Expression::Object(obj) => {
                let mut map = BTreeMap::new();
                for (k, v) in obj.iter() {
                    let key = match k {
                        ObjectKey::Ident(id) => id.as_str().to_owned(),
                        ObjectKey::Expression(e) => {
                            let kv = self.eval(mi, scope, e);
                            match kv.as_primitive_string() {
                                Some(s) => s,
                                None => format!("({})", kv.canon()),
                            }
                        }
                    };
                    let value = self.eval(mi, scope, v.expr());
                    map.insert(key, value);
                }
                Value::Object(map)
            }
            Expression::StringTemplate(t) => self.template(mi, scope, t, false, false),
            Expression::HeredocTemplate(h) => self.template(mi, scope, &h.template, false, false),
            Expression::Parenthesis(p) => self.eval(mi, scope, p.inner()),
            Expression::Variable(v) => match scope.get(v.as_str()) {
                Some(value) => value.clone(),
                None => Value::unknown(Sym::Ref {
                    root: Root::Other(v.as_str().to_owned()),
                    steps: Vec::new(),
                }),
            },
            Expression::Traversal(t) => self.traversal(mi, scope, &t.expr, &t.operators),
            Expression::FuncCall(call) => self.call(mi, scope, call),
            Expression::Conditional(c) => {
                let cond = self.eval(mi, scope, &c.cond_expr);
                match truth(&cond) {
                    Some(true) => self.eval(mi, scope, &c.true_expr),
                    Some(false) => self.eval(mi, scope, &c.false_expr),
                    None => {
                        let a = self.eval(mi, scope, &c.true_expr);
                        let b = self.eval(mi, scope, &c.false_expr);
                        Value::unknown(Sym::Cond(cond, a, b))
                    }
                }
            }
            Expression::UnaryOp(op) => {
                let v = self.eval(mi, scope, &op.expr);
                unary(*op.operator.value(), v)
            }
            Expression::BinaryOp(op) => {
                let a = self.eval(mi, scope, &op.lhs_expr);
                let b = self.eval(mi, scope, &op.rhs_expr);
                binary(*op.operator.value(), a, b)
            }
            Expression::ForExpr(f) => self
                .for_expr(mi, scope, f)
                .unwrap_or_else(|| Value::text(compact(expr))),
        }
    }

    fn steps(
        &mut self,
        mi: usize,
        scope: &Scope,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
    ) -> Vec<Step> {
        ops.iter()
            .map(|op| match op.value() {
                TraversalOperator::GetAttr(id) => Step::Attr(id.as_str().to_owned()),
                TraversalOperator::LegacyIndex(n) => {
                    Step::Index(Value::Number(Number::from(*n.value())))
                }
                TraversalOperator::Index(e) => match self.eval(mi, scope, e) {
                    Value::String(s) => Step::Attr(s),
                    other => Step::Index(other),
                },
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => Step::Splat,
            })
            .collect()
    }

    fn traversal(
        &mut self,
        mi: usize,
        scope: &Scope,
        base: &Expression,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
    ) -> Value {
        let Expression::Variable(v) = base else {
            let value = self.eval(mi, scope, base);
            let steps = self.steps(mi, scope, ops);
            return apply(value, &steps);
        };
        let name = v.as_str();
        let steps = self.steps(mi, scope, ops);
        if let Some(value) = scope.get(name) {
            return apply(value.clone(), &steps);
        }
        if scope.isolated {
            return invalid(format!(
                "{name} is not available in a templatefile template"
            ));
        }
        if self.insts[mi].terragrunt && name != "local" {
            return Value::unknown(Sym::Ref {
                root: Root::Other(name.to_owned()),
                steps,
            });
        }
        match (name, steps.as_slice()) {
            ("var", [Step::Attr(x), rest @ ..]) => {
                let value = self.var(mi, x);
                apply(value, rest)
            }
            ("local", [Step::Attr(x), rest @ ..]) => {
                let value = self.local(mi, x);
                apply(value, rest)
            }
            ("path", [Step::Attr(x), rest @ ..]) if x == "module" || x == "root" => {
                let dir = if x == "module" {
                    self.insts[mi].dir.clone()
                } else {
                    ".".to_owned()
                };
                apply(Value::String(dir), rest)
            }
            ("module", [Step::Attr(call), rest @ ..]) => self.module_ref(mi, call, rest),
            ("data", [Step::Attr(ty), Step::Attr(n), rest @ ..]) => {
                self.object_ref(mi, Kind::Data, ty, n, rest)
            }
            (
                "count" | "each" | "self" | "terraform" | "path" | "var" | "local" | "module"
                | "data",
                _,
            ) => Value::unknown(Sym::Ref {
                root: Root::Other(name.to_owned()),
                steps,
            }),
            (ty, [Step::Attr(n), rest @ ..]) => self.object_ref(mi, Kind::Resource, ty, n, rest),
            _ => Value::unknown(Sym::Ref {
                root: Root::Other(name.to_owned()),
                steps,
            }),
        }
    }

    /// A reference into a resource or data source of the same module: the configured
    /// value when the path exists in the configuration and ends at an attribute, a
    /// symbolic reference otherwise.
    fn object_ref(&mut self, mi: usize, kind: Kind, ty: &str, name: &str, steps: &[Step]) -> Value {
        let path = self.insts[mi].path.clone();
        let addr = Addr {
            module: path,
            kind: kind.clone(),
            ty: ty.to_owned(),
            name: name.to_owned(),
        };
        let Some(block) = self.block_of(mi, &kind, ty, name) else {
            self.note(format!("{addr}: referenced but not declared in the stack"));
            return Value::unknown(Sym::Ref {
                root: Root::Object(addr),
                steps: steps.to_vec(),
            });
        };
        let counted = block.body.has_attribute("count") || block.body.has_attribute("for_each");
        let config = self.object(mi, kind.clone(), ty, name);
        if !counted
            && let Some(config) = &config
            && let Some(value) = deref(config, steps)
        {
            return value;
        }
        let root = match (kind, config) {
            (Kind::Data, Some(config)) => Root::Data {
                ty: ty.to_owned(),
                config,
            },
            _ => Root::Object(addr),
        };
        Value::unknown(Sym::Ref {
            root,
            steps: steps.to_vec(),
        })
    }

    /// `module.NAME.OUTPUT…`: the output's value when the module is inlined.
    fn module_ref(&mut self, mi: usize, call: &str, steps: &[Step]) -> Value {
        let path = self.insts[mi].path.clone();
        let inlined = self.insts[mi].calls.get(call).and_then(|c| c.1);
        if let (Some(ci), [Step::Attr(out), rest @ ..]) = (inlined, steps) {
            let key = Key::Output(ci, out.clone());
            let value = if let Some(v) = self.memo.get(&key) {
                v.clone()
            } else if let Some(block) = self.insts[ci].outputs.get(out.as_str()).copied() {
                if self.too_deep() {
                    return invalid("references nest too deep");
                }
                if self.busy.insert(key.clone()) {
                    let v = block
                        .body
                        .get_attribute("value")
                        .map_or(Value::Null, |a| self.eval(ci, &Scope::default(), &a.value));
                    self.busy.remove(&key);
                    self.memo.insert(key, v.clone());
                    v
                } else {
                    self.note(format!(
                        "{}module.{call}.{out}: refers to itself",
                        display_path(&path)
                    ));
                    return invalid("cycle");
                }
            } else {
                self.note(format!(
                    "{}module.{call}: the local module has no output {out}",
                    display_path(&path)
                ));
                return invalid(format!("no output {out}"));
            };
            return apply(value, rest);
        }
        if !self.insts[mi].calls.contains_key(call) {
            self.note(format!(
                "{}module.{call}: referenced but not declared in the stack",
                display_path(&path)
            ));
        }
        Value::unknown(Sym::Ref {
            root: Root::Object(Addr::module(&path, call)),
            steps: steps.to_vec(),
        })
    }

    /// `var.NAME`: symbolic in the root module; in an inlined module, the value the call
    /// passes (evaluated where the call is), else the variable's default.
    fn var(&mut self, mi: usize, name: &str) -> Value {
        let Some((pi, call)) = self.insts[mi].parent else {
            return Value::unknown(Sym::Ref {
                root: Root::Var(name.to_owned()),
                steps: Vec::new(),
            });
        };
        let key = Key::Var(mi, name.to_owned());
        if let Some(v) = self.memo.get(&key) {
            return v.clone();
        }
        let declared = self.insts[mi].vars.get(name).copied();
        let default = declared.and_then(|b| b.body.get_attribute("default"));
        // `nullable = false`: a `null` passed gives the default.
        let not_nullable = declared
            .and_then(|b| b.body.get_attribute("nullable"))
            .is_some_and(|a| matches!(&a.value, Expression::Bool(b) if !*b.value()));
        let passed = call
            .body
            .get_attribute(name)
            .map(|attr| self.eval(pi, &Scope::default(), &attr.value))
            .filter(|v| !(not_nullable && default.is_some() && matches!(v, Value::Null)));
        let value = if let Some(passed) = passed {
            passed
        } else if let Some(default) = default {
            self.eval(mi, &Scope::default(), &default.value)
        } else {
            let at = display_path(&self.insts[mi].path);
            self.note(format!("{at}var.{name}: no value passed and no default"));
            Value::unknown(Sym::Ref {
                root: Root::Other(format!("{at}var")),
                steps: vec![Step::Attr(name.to_owned())],
            })
        };
        self.memo.insert(key, value.clone());
        value
    }

    fn local(&mut self, mi: usize, name: &str) -> Value {
        let key = Key::Local(mi, name.to_owned());
        if let Some(v) = self.memo.get(&key) {
            return v.clone();
        }
        let Some(expr) = self.insts[mi].locals.get(name).copied() else {
            let at = display_path(&self.insts[mi].path);
            self.note(format!(
                "{at}local.{name}: not defined in the stack (Terragrunt generates some locals at plan time): compared as written"
            ));
            return Value::unknown(Sym::Ref {
                root: Root::Local(name.to_owned()),
                steps: Vec::new(),
            });
        };
        if self.too_deep() {
            return invalid("references nest too deep");
        }
        if !self.busy.insert(key.clone()) {
            self.note(format!("local.{name}: refers to itself"));
            return invalid("cycle");
        }
        let value = self.eval(mi, &Scope::default(), expr);
        self.busy.remove(&key);
        self.memo.insert(key, value.clone());
        value
    }

    fn call(&mut self, mi: usize, scope: &Scope, call: &hcl_edit::expr::FuncCall) -> Value {
        let mut name = String::new();
        for ns in &call.name.namespace {
            name.push_str(ns.as_str());
            name.push_str("::");
        }
        name.push_str(call.name.name.as_str());
        match name.as_str() {
            "try" => {
                for arg in call.args.iter() {
                    let v = self.eval(mi, scope, arg);
                    if !is_invalid(&v) {
                        return v;
                    }
                }
                return invalid("no argument of try succeeded");
            }
            "can" => {
                let Some(arg) = call.args.iter().next() else {
                    return invalid("can needs an argument");
                };
                let v = self.eval(mi, scope, arg);
                return if is_invalid(&v) {
                    Value::Bool(false)
                } else if v.is_known() {
                    Value::Bool(true)
                } else {
                    funcs::symbolic("can", vec![v])
                };
            }
            _ => {}
        }
        let mut args: Vec<Value> = call.args.iter().map(|a| self.eval(mi, scope, a)).collect();
        if call.args.expand_final()
            && let Some(Value::List(last)) = args.last().cloned()
        {
            args.pop();
            args.extend(last);
        }
        match (name.as_str(), args.as_slice()) {
            ("file", [Value::String(p)]) => match self.files.read(p) {
                Some(text) => Value::String(text),
                None => self.unreadable(&name, args),
            },
            ("filebase64", [Value::String(p)]) => match self.files.read(p) {
                Some(text) => Value::String(funcs::base64_encode(text.as_bytes())),
                None => self.unreadable(&name, args),
            },
            ("fileexists", [Value::String(p)]) => Value::Bool(self.files.read(p).is_some()),
            ("templatefile", [Value::String(p), vars]) => {
                let (Some(text), Value::Object(vars)) = (self.files.read(p), vars) else {
                    return self.unreadable(&name, args);
                };
                let Ok(template) = hcl_edit::parser::parse_template(&text) else {
                    self.note(format!("templatefile({p:?}): the template does not parse"));
                    return invalid("templatefile does not parse");
                };
                // The template sees only the variables passed to it.
                let inner = Scope {
                    vars: vars.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                    isolated: true,
                };
                self.template(mi, &inner, &template, false, false)
            }
            _ => funcs::call(&name, args),
        }
    }

    fn unreadable(&mut self, name: &str, args: Vec<Value>) -> Value {
        let shown = args
            .iter()
            .map(|a| a.show(80))
            .collect::<Vec<_>>()
            .join(", ");
        self.note(format!(
            "{name}({shown}): not readable inside the stack directory: compared by its arguments"
        ));
        funcs::symbolic(name, args)
    }

    fn for_expr(&mut self, mi: usize, scope: &Scope, f: &hcl_edit::expr::ForExpr) -> Option<Value> {
        let coll = self.eval(mi, scope, &f.intro.collection_expr);
        let items = items(&coll)?;
        let key_var = f.intro.key_var.as_ref().map(|k| k.as_str());
        let value_var = f.intro.value_var.as_str();
        let mut list = Vec::new();
        let mut map: BTreeMap<String, Value> = BTreeMap::new();
        for (k, v) in items {
            let mut inner = scope.with(value_var, v);
            if let Some(kv) = key_var {
                inner = inner.with(kv, k);
            }
            if let Some(cond) = &f.cond {
                match truth(&self.eval(mi, &inner, &cond.expr))? {
                    true => {}
                    false => continue,
                }
            }
            let value = self.eval(mi, &inner, &f.value_expr);
            match &f.key_expr {
                Some(key_expr) => {
                    let key = self.eval(mi, &inner, key_expr).as_primitive_string()?;
                    if f.grouping {
                        match map.entry(key).or_insert_with(|| Value::List(Vec::new())) {
                            Value::List(group) => group.push(value),
                            _ => return None,
                        }
                    } else {
                        map.insert(key, value);
                    }
                }
                None => list.push(value),
            }
        }
        Some(if f.key_expr.is_some() {
            Value::Object(map)
        } else {
            Value::List(list)
        })
    }

    /// A template's value. `trim_first` / `trim_last` strip the whitespace that a `~`
    /// on the enclosing directive removes from this template's edges.
    fn template(
        &mut self,
        mi: usize,
        scope: &Scope,
        t: &Template,
        trim_first: bool,
        trim_last: bool,
    ) -> Value {
        let elements: Vec<&Element> = t.iter().collect();
        if let [Element::Interpolation(i)] = elements.as_slice() {
            return self.eval(mi, scope, &i.expr);
        }
        let mut parts = Vec::new();
        for (i, el) in elements.iter().enumerate() {
            match el {
                Element::Literal(lit) => {
                    let mut s: &str = lit.as_str();
                    let strip_before = i == 0 && trim_first || i > 0 && strip_end(elements[i - 1]);
                    let strip_after = i + 1 == elements.len() && trim_last
                        || elements.get(i + 1).is_some_and(|e| strip_start(e));
                    if strip_before {
                        s = s.trim_start();
                    }
                    if strip_after {
                        s = s.trim_end();
                    }
                    parts.push(Value::String(s.to_owned()));
                }
                Element::Interpolation(interp) => parts.push(self.eval(mi, scope, &interp.expr)),
                Element::Directive(d) => match &**d {
                    Directive::If(d) => {
                        let cond = self.eval(mi, scope, &d.if_expr.cond_expr);
                        let then_trim = (
                            d.if_expr.strip.strip_end(),
                            d.else_expr
                                .as_ref()
                                .map_or(d.endif_expr.strip.strip_start(), |e| {
                                    e.strip.strip_start()
                                }),
                        );
                        let else_trim = d
                            .else_expr
                            .as_ref()
                            .map(|e| (e.strip.strip_end(), d.endif_expr.strip.strip_start()));
                        let then = |me: &mut Self| {
                            me.template(mi, scope, &d.if_expr.template, then_trim.0, then_trim.1)
                        };
                        let otherwise = |me: &mut Self| match (&d.else_expr, else_trim) {
                            (Some(e), Some((a, b))) => me.template(mi, scope, &e.template, a, b),
                            _ => Value::String(String::new()),
                        };
                        match truth(&cond) {
                            Some(true) => parts.push(then(self)),
                            Some(false) => parts.push(otherwise(self)),
                            None => {
                                let a = then(self);
                                let b = otherwise(self);
                                parts.push(Value::unknown(Sym::Cond(cond, a, b)));
                            }
                        }
                    }
                    Directive::For(d) => {
                        let coll = self.eval(mi, scope, &d.for_expr.collection_expr);
                        match items(&coll) {
                            Some(items) => {
                                let kv = d.for_expr.key_var.as_ref().map(|k| k.as_str());
                                for (k, v) in items {
                                    let mut inner = scope.with(d.for_expr.value_var.as_str(), v);
                                    if let Some(kv) = kv {
                                        inner = inner.with(kv, k);
                                    }
                                    parts.push(self.template(
                                        mi,
                                        &inner,
                                        &d.for_expr.template,
                                        d.for_expr.strip.strip_end(),
                                        d.endfor_expr.strip.strip_start(),
                                    ));
                                }
                            }
                            None => {
                                parts.push(Value::text(format!("%{{for}} over {}", coll.canon())))
                            }
                        }
                    }
                },
            }
        }
        concat_parts(parts)
    }
}

fn strip_start(el: &Element) -> bool {
    match el {
        Element::Interpolation(i) => i.strip.strip_start(),
        Element::Directive(d) => match &**d {
            Directive::If(d) => d.if_expr.strip.strip_start(),
            Directive::For(d) => d.for_expr.strip.strip_start(),
        },
        Element::Literal(_) => false,
    }
}

fn strip_end(el: &Element) -> bool {
    match el {
        Element::Interpolation(i) => i.strip.strip_end(),
        Element::Directive(d) => match &**d {
            Directive::If(d) => d.endif_expr.strip.strip_end(),
            Directive::For(d) => d.endfor_expr.strip.strip_end(),
        },
        Element::Literal(_) => false,
    }
}

/// `ignore_changes`: `all`, or a set of attribute paths written in one canonical form
/// (`spec.0.x`, `spec[0].x` and `spec[0]["x"]` alike).
fn ignore_changes(expr: &Expression) -> Value {
    match expr {
        Expression::Variable(v) if v.as_str() == "all" => Value::text("all"),
        Expression::String(s) if s.value() == "all" => Value::text("all"),
        Expression::Array(arr) => Value::Set(arr.iter().map(attribute_path).collect()),
        other => Value::text(compact(other)),
    }
}

/// An attribute path relative to the object, as a canonical text value.
fn attribute_path(expr: &Expression) -> Value {
    let steps = match expr {
        Expression::Variable(v) => vec![Step::Attr(v.as_str().to_owned())],
        Expression::Traversal(t) => {
            let Expression::Variable(base) = &t.expr else {
                return Value::text(compact(expr));
            };
            let mut steps = vec![Step::Attr(base.as_str().to_owned())];
            for op in &t.operators {
                steps.push(match op.value() {
                    TraversalOperator::GetAttr(id) => Step::Attr(id.as_str().to_owned()),
                    TraversalOperator::LegacyIndex(n) => {
                        Step::Index(Value::Number(Number::from(*n.value())))
                    }
                    TraversalOperator::Index(Expression::Number(n)) => {
                        Step::Index(Value::Number(*n.value()))
                    }
                    TraversalOperator::Index(Expression::String(s)) => {
                        Step::Attr(s.value().clone())
                    }
                    _ => return Value::text(compact(expr)),
                });
            }
            steps
        }
        // The legacy string form `"spec.0.replicas"`.
        Expression::String(s) => parse_path(s.value()),
        other => return Value::text(compact(other)),
    };
    Value::text(path_text(&steps))
}

/// Parses a path written as text: `a.b`, `a.0`, `a[0]`, `a["k"]`.
pub(crate) fn parse_path(text: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(inner) = rest.strip_prefix("[\"") {
            let end = inner.find("\"]").unwrap_or(inner.len());
            steps.push(Step::Attr(inner[..end].to_owned()));
            rest = inner.get(end + 2..).unwrap_or("");
        } else if let Some(inner) = rest.strip_prefix('[') {
            let end = inner.find(']').unwrap_or(inner.len());
            steps.push(index_or_attr(&inner[..end]));
            rest = inner.get(end + 1..).unwrap_or("");
        } else {
            let name = rest.strip_prefix('.').unwrap_or(rest);
            let end = name.find(['.', '[']).unwrap_or(name.len());
            steps.push(index_or_attr(&name[..end]));
            rest = &name[end..];
        }
    }
    steps
}

fn index_or_attr(s: &str) -> Step {
    match s.parse::<u64>() {
        Ok(n) => Step::Index(Value::Number(Number::from(n))),
        Err(_) => Step::Attr(s.to_owned()),
    }
}

fn push_block_value(map: &mut BTreeMap<String, Value>, key: &str, value: Value) {
    match map.get_mut(key) {
        Some(Value::Blocks(list)) => list.push(value),
        _ => {
            map.insert(key.to_owned(), Value::Blocks(vec![value]));
        }
    }
}

/// A `dynamic` block that expands to nothing is the same as no block at all.
fn drop_empty_blocks(map: &mut BTreeMap<String, Value>) {
    map.retain(|_, v| !matches!(v, Value::Blocks(list) if list.is_empty()));
}

/// The source text of an expression or body without whitespace and comments: the
/// canonical form of what is kept as text.
pub(crate) fn compact(node: &dyn std::fmt::Display) -> String {
    let text = node.to_string();
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                '\\' => {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                }
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '#' => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
            }
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

/// Adds the blocks of one file to a module instance.
fn index_file<'a>(inst: &mut Inst<'a>, file: &'a ParsedFile) -> Result<(), Error> {
    for structure in file.body.iter() {
        let block = match structure {
            Structure::Block(b) => b,
            Structure::Attribute(a) => {
                return Err(Error::Message(format!(
                    "error: {}: an attribute `{}` outside any block is not valid in a .tf file",
                    file.at(hcl_edit::Span::span(a).map_or(0, |s| s.start)),
                    a.key.as_str()
                )));
            }
        };
        let labels: Vec<&'a str> = block.labels.iter().map(|l| l.as_str()).collect();
        let prefix = display_path(&inst.path);
        let dup = |what: String| duplicate(file, block, &format!("{prefix}{what}"));
        match (block.ident.as_str(), labels.as_slice()) {
            ("resource", [ty, name]) => {
                if inst.resources.insert((ty, name), block).is_some() {
                    return Err(dup(format!("{ty}.{name}")));
                }
            }
            ("data", [ty, name]) => {
                if inst.data.insert((ty, name), block).is_some() {
                    return Err(dup(format!("data.{ty}.{name}")));
                }
            }
            ("module", [name]) => {
                if inst.calls.insert(name, (block, None)).is_some() {
                    return Err(dup(format!("module.{name}")));
                }
            }
            ("variable", [name]) => {
                if inst.vars.insert(name, block).is_some() {
                    return Err(dup(format!("var.{name}")));
                }
            }
            ("output", [name]) => {
                if inst.outputs.insert(name, block).is_some() {
                    return Err(dup(format!("output.{name}")));
                }
            }
            ("locals", []) => {
                for a in block.body.attributes() {
                    if inst.locals.insert(a.key.as_str(), &a.value).is_some() {
                        return Err(dup(format!("local.{}", a.key.as_str())));
                    }
                }
            }
            ("moved", _) => inst.moved.push(block),
            ("import", _) => inst.imports.push(block),
            ("provider", _) => inst.providers.push(block),
            // Settings, checks and `removed` do not add objects to a plan.
            ("terraform" | "check" | "removed", _) => {}
            _ => inst.others.push(block),
        }
    }
    Ok(())
}

fn duplicate(file: &ParsedFile, block: &Block, what: &str) -> Error {
    Error::Message(format!(
        "error: {}: {what} is declared twice",
        file.at_block(block)
    ))
}
