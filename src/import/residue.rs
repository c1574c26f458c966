//! What the spec does not say: the stack's objects compared with what the spec renders,
//! node by node, in `planeq`'s normalized values. What the stack has and the rendered
//! stack does not becomes raw HCL at the node where it is found (taken from the stack's
//! source text, comments and all) when the spec has a raw field there; anything else
//! that differs is a conflict, which gives up a part of the spec (see `draft::Part`) or,
//! when nothing can be given up, makes the stack impossible to reproduce.
//!
//! Repeated blocks of one type are a list: the spec's entries come first, raw ones after
//! them, so the rendered blocks must be a prefix of the stack's.

use std::collections::BTreeMap;

use hcl_edit::Span as _;

use super::draft::{Claim, Draft, Part, Slot};
use super::invert::{Ctx, POD};
use super::source::{self, Step};
use crate::planeq::{self, Address, Kind, Root, Sym, Value};

/// A piece of the stack's text that goes into a raw field.
#[derive(Debug, Clone)]
pub struct Piece {
    pub slot: Slot,
    /// Where it comes from, for ordering: file and byte offset.
    pub file: String,
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// What it is, for `--stats`: `kubernetes_deployment > spec > … > security_context`.
    pub construct: String,
    /// The lines of its file it covers, its comments included.
    pub lines: (usize, usize),
}

impl Piece {
    /// The item spanning `span` of `file`, with the comments directly above it.
    pub fn new(
        slot: Slot,
        file: &source::File,
        span: std::ops::Range<usize>,
        construct: String,
    ) -> Piece {
        let first = file
            .comment_above(span.start)
            .first()
            .map_or_else(|| file.line_of(span.start), |(l, _)| *l);
        Piece {
            slot,
            file: file.name.clone(),
            start: span.start,
            end: span.end,
            lines: (first, file.line_of(span.end)),
            text: file.snippet(span),
            construct,
        }
    }
}

/// Something the spec renders differently from the stack.
#[derive(Debug, Clone)]
pub struct Conflict {
    /// The address (as the stack has it) and the path of the node.
    pub address: String,
    pub path: String,
    /// What the spec renders and what the stack has there.
    pub rendered: String,
    pub stack: String,
    /// What to give up for it, when anything can be.
    pub part: Option<Part>,
    pub construct: String,
}

impl Conflict {
    pub fn line(&self) -> String {
        if self.path.is_empty() {
            format!("{}: {} ≠ {}", self.address, self.rendered, self.stack)
        } else {
            format!(
                "{}: {}: {} ≠ {}",
                self.address, self.path, self.rendered, self.stack
            )
        }
    }
}

const ABSENT: &str = "(absent)";

/// The block that stands in for a workload kept in `raw.stack` while the spec without raw
/// HCL is rendered (a spec needs a workload): type and name. The comparison passes over it.
pub const STAND_IN: (&str, &str) = ("terraform_data", "dlgen_import_workload_stand_in");
const SHOWN: usize = 100;

/// Compares every object the draft claims with what the spec renders, and collects the
/// pieces of the stack no object of the spec holds (whole blocks for `raw.stack` and
/// `raw.terragrunt`).
pub fn residue(ctx: &Ctx, draft: &Draft, rendered: &planeq::Stack) -> Residue {
    let mut out = Out::default();
    for claim in &draft.claims {
        object(ctx, draft, claim, rendered, &mut out);
    }
    // Objects of the rendered stack that nothing of the stack claims.
    let claimed_rendered: Vec<&str> = draft.claims.iter().map(|c| c.rendered.as_str()).collect();
    let input_data = data_sources(ctx.input, ctx.scope.as_deref());
    let rendered_data = data_sources(rendered, None);
    for (address, _) in rendered.objects() {
        let Address::Object(addr) = address else {
            continue;
        };
        let text = addr.to_string();
        if addr.kind == Kind::Data {
            if !input_data
                .values()
                .any(|id| Some(id) == rendered_data.get(&text))
            {
                out.conflicts.push(Conflict {
                    address: text.clone(),
                    path: String::new(),
                    rendered: "(generated)".to_owned(),
                    stack: ABSENT.to_owned(),
                    part: None,
                    construct: format!("data {}", addr.ty),
                });
            }
            continue;
        }
        if addr.module.is_empty()
            && ((addr.ty.as_str(), addr.name.as_str()) == STAND_IN
                || draft.stand_ins.contains(&text))
        {
            continue;
        }
        if !claimed_rendered.contains(&text.as_str()) {
            out.conflicts.push(Conflict {
                address: text.clone(),
                path: String::new(),
                rendered: "(generated)".to_owned(),
                stack: ABSENT.to_owned(),
                part: part_of_unclaimed(&text),
                construct: construct_of(&text),
            });
        }
    }
    // Blocks of the stack that no spec object holds go whole into `raw.stack`; those of a
    // wrapping module the spec flattens come out of it, with a `moved` block each.
    let root = ctx.src.tops().map(|t| (String::new(), t));
    let wrapped = ctx.scope.iter().flat_map(|m| {
        ctx.src
            .module_tops(m)
            .map(move |t| (format!("module.{m}."), t))
    });
    for (prefix, top) in root.chain(wrapped) {
        let ident = top.block.ident.as_str();
        if matches!(ident, "variable" | "locals" | "moved" | "output") && !prefix.is_empty() {
            continue;
        }
        // `moved` and `import` blocks are said (or kept raw) by `assemble`.
        if matches!(ident, "variable" | "locals" | "moved" | "import") {
            continue;
        }
        let local = source::address_of(top.block);
        if prefix.is_empty()
            && let (Some(m), Some(a)) = (&ctx.scope, &local)
            && *a == format!("module.{m}")
        {
            continue;
        }
        let address = local.as_ref().map(|a| format!("{prefix}{a}"));
        if let Some(a) = &address {
            if draft.claimed(a) {
                continue;
            }
            if let (Some(id), true) = (input_data.get(a), a.starts_with(&format!("{prefix}data.")))
                && rendered_data.values().any(|r| r == id)
            {
                continue;
            }
        }
        let construct = match (&address, ident) {
            (Some(a), "module") => format!(
                "module {}",
                ctx.input
                    .get(a)
                    .and_then(|v| super::value::string(v, "source"))
                    .map_or("?", |s| s.rsplit('/').next().unwrap_or(s))
            ),
            (Some(_), _) => {
                let ty = top.block.labels.first().map_or("", |l| l.as_str());
                format!("{ident} {ty}")
            }
            (None, other) => other.to_owned(),
        };
        out.piece(Slot::Stack, top.file, top.block.span(), construct);
        if let (Some(a), Some(l)) = (&address, &local)
            && !prefix.is_empty()
            && matches!(ident, "resource" | "module")
            && let Some(span) = top.block.span()
        {
            out.moved.push((a.clone(), l.clone()));
            out.pieces.push(Piece {
                slot: Slot::Stack,
                file: top.file.name.clone(),
                start: span.start,
                end: span.start,
                text: format!("moved {{\n  from = {a}\n  to   = {l}\n}}"),
                construct: "moved".to_owned(),
                lines: (0, 0),
            });
        }
    }
    terragrunt(ctx, draft, rendered, &mut out);
    Residue {
        pieces: out.pieces,
        conflicts: out.conflicts,
        moved: out.moved,
    }
}

#[derive(Default)]
struct Out {
    pieces: Vec<Piece>,
    conflicts: Vec<Conflict>,
    /// `moved` blocks of objects taken out of a wrapping module: `(from, to)`.
    moved: Vec<(String, String)>,
}

/// What the spec leaves to raw HCL, what differs, and the `moved` blocks of the raw
/// objects a wrapping module gives up.
pub struct Residue {
    pub pieces: Vec<Piece>,
    pub conflicts: Vec<Conflict>,
    pub moved: Vec<(String, String)>,
}

impl Out {
    fn piece(
        &mut self,
        slot: Slot,
        file: &source::File,
        span: Option<std::ops::Range<usize>>,
        construct: String,
    ) {
        if let Some(span) = span {
            self.pieces.push(Piece::new(slot, file, span, construct));
        }
    }
}

/// The data sources of a stack by address, identified by type and configuration (what
/// `planeq` matches them by).
/// The data sources of a stack, by address: their identity (type and configuration). A
/// data source holds no state, so one read inside the wrapping module `scope` is the one
/// the spec reads at the root: its references to the module's objects are read as the
/// root's.
fn data_sources(stack: &planeq::Stack, scope: Option<&str>) -> BTreeMap<String, String> {
    stack
        .objects()
        .filter_map(|(a, v)| match a {
            Address::Object(addr) if addr.kind == Kind::Data => {
                let mut v = v.clone();
                if let Some(m) = scope {
                    unscoped(&mut v, m);
                }
                Some((addr.to_string(), format!("{}\u{0}{}", addr.ty, v.canon())))
            }
            _ => None,
        })
        .collect()
}

/// Rewrites the references to objects of the module call `scope` as references to the
/// same objects at the root.
fn unscoped(value: &mut Value, scope: &str) {
    value.map_syms(&mut |sym| {
        if let Sym::Ref {
            root: Root::Object(addr),
            ..
        } = sym
            && addr.module.first().is_some_and(|m| m == scope)
        {
            addr.module.remove(0);
        }
    });
}

/// What gives up an object the spec renders and the stack does not have.
fn part_of_unclaimed(address: &str) -> Option<Part> {
    if address.starts_with("kubernetes_manifest.") {
        Some(Part::Secrets)
    } else if crate::conventions::service::TYPES
        .iter()
        .any(|ty| address.starts_with(&format!("{ty}.")))
    {
        Some(Part::Service)
    } else if address == "module.ingress" {
        Some(Part::Ingress)
    } else if address.starts_with("kubernetes_cron_job_v1.") {
        Some(Part::Backup)
    } else {
        None
    }
}

/// `kubernetes_deployment`, `module` — the kind of an address, for `--stats`.
fn construct_of(address: &str) -> String {
    if address.starts_with("module.") {
        "module".to_owned()
    } else {
        address
            .strip_prefix("data.")
            .unwrap_or(address)
            .split('.')
            .next()
            .unwrap_or(address)
            .to_owned()
    }
}

/// One claimed object: its rendered value against its value in the stack.
fn object(ctx: &Ctx, draft: &Draft, claim: &Claim, rendered: &planeq::Stack, out: &mut Out) {
    let Some(input) = ctx.input.get(&claim.input) else {
        return;
    };
    let mut input = input.clone();
    renamed(&mut input, &draft.moves());
    let ty = construct_of(&claim.input);
    let Some(generated) = rendered.get(&claim.rendered) else {
        out.conflicts.push(Conflict {
            address: claim.input.clone(),
            path: String::new(),
            rendered: ABSENT.to_owned(),
            stack: "(declared)".to_owned(),
            part: claim.part.clone(),
            construct: ty,
        });
        return;
    };
    let Some(top) = ctx.src.top(&claim.input) else {
        return;
    };
    let walk = Walk {
        claim,
        file: top.file,
        body: &top.block.body,
        ty,
    };
    walk.body(&mut Vec::new(), generated, &input, out);
}

struct Walk<'a> {
    claim: &'a Claim,
    file: &'a source::File,
    body: &'a hcl_edit::structure::Body,
    ty: String,
}

impl Walk<'_> {
    /// The raw field of the node at `path`, if the spec has one there.
    fn slot(&self, path: &[Step]) -> Option<Slot> {
        if path.is_empty() {
            return self.claim.slot;
        }
        if let Some(Slot::Job(i)) = self.claim.slot {
            let ty = self.ty.as_str();
            let pod = super::invert::job_pod(ty);
            if path == pod.as_slice() {
                return Some(Slot::JobPod(i));
            }
            return match path.split_last() {
                Some((Step::Block(ident, j), parent)) if ident == "container" && parent == pod => {
                    Some(Slot::JobContainer(i, *j))
                }
                _ => None,
            };
        }
        // Inside a Service's `spec` block.
        if path == [Step::Block("spec".to_owned(), 0)] {
            match self.claim.slot {
                Some(Slot::Service) => return Some(Slot::ServiceSpec),
                Some(Slot::Item(list, i)) if list == super::invert::SERVICES => {
                    return Some(Slot::ItemSpec(list, i));
                }
                _ => {}
            }
        }
        if self.claim.slot != Some(Slot::Deployment) {
            return None;
        }
        let pod: Vec<Step> = POD
            .iter()
            .map(|n| Step::Block((*n).to_owned(), 0))
            .collect();
        if path == pod.as_slice() {
            return Some(Slot::Pod);
        }
        match path.split_last() {
            Some((Step::Block(ident, i), parent)) if ident == "container" && parent == pod => {
                Some(Slot::Container(*i))
            }
            _ => None,
        }
    }

    fn construct(&self, path: &[Step], key: &str) -> String {
        let key = key.split('[').next().unwrap_or(key);
        let mut c = self.ty.clone();
        for s in path {
            if let Step::Block(ident, _) = s {
                c.push_str(" > ");
                c.push_str(ident);
            }
        }
        c.push_str(" > ");
        c.push_str(key);
        c
    }

    fn conflict(&self, out: &mut Out, path: &[Step], key: &str, g: String, i: String) {
        out.conflicts.push(Conflict {
            address: self.claim.input.clone(),
            path: show_path(path, key),
            rendered: g,
            stack: i,
            part: attribute(self.claim, path, key),
            construct: self.construct(path, key),
        });
    }

    /// Compares the body `g` (rendered) with `i` (the stack) at `path`.
    fn body(&self, path: &mut Vec<Step>, g: &Value, i: &Value, out: &mut Out) {
        let (Value::Object(gm), Value::Object(im)) = (g, i) else {
            if g.canon() != i.canon() {
                self.conflict(out, path, "", g.show(SHOWN), i.show(SHOWN));
            }
            return;
        };
        let keys: std::collections::BTreeSet<&String> = gm.keys().chain(im.keys()).collect();
        for key in keys {
            match (gm.get(key), im.get(key)) {
                (Some(gv), Some(iv)) if gv.canon() == iv.canon() => {}
                (Some(Value::Blocks(gb)), Some(Value::Blocks(ib))) => {
                    if gb.len() > ib.len() || self.has_dynamic(path, key) {
                        self.conflict(
                            out,
                            path,
                            key,
                            format!("{} blocks", gb.len()),
                            format!("{} blocks", ib.len()),
                        );
                        continue;
                    }
                    for (j, (gv, iv)) in gb.iter().zip(ib).enumerate() {
                        if gv.canon() != iv.canon() {
                            path.push(Step::Block(key.clone(), j));
                            self.body(path, gv, iv, out);
                            path.pop();
                        }
                    }
                    for j in gb.len()..ib.len() {
                        self.extra(path, Step::Block(key.clone(), j), key, out);
                    }
                }
                (Some(gv), Some(iv)) => {
                    self.conflict(out, path, key, gv.show(SHOWN), iv.show(SHOWN))
                }
                (Some(gv), None) => {
                    self.conflict(out, path, key, gv.show(SHOWN), ABSENT.to_owned())
                }
                (None, Some(Value::Blocks(ib))) => {
                    if self.has_dynamic(path, key) {
                        self.extra_dynamic(path, key, out);
                    } else {
                        for j in 0..ib.len() {
                            self.extra(path, Step::Block(key.clone(), j), key, out);
                        }
                    }
                }
                (None, Some(_)) => self.extra(path, Step::Attr(key.clone()), key, out),
                (None, None) => {}
            }
        }
    }

    fn has_dynamic(&self, path: &[Step], key: &str) -> bool {
        source::find_body(self.body, path).is_some_and(|b| {
            b.blocks().any(|blk| {
                blk.ident.as_str() == "dynamic"
                    && blk.labels.first().is_some_and(|l| l.as_str() == key)
            })
        })
    }

    /// A node the stack has and the rendered stack does not: raw HCL where the spec has a
    /// raw field, a conflict elsewhere.
    fn extra(&self, path: &[Step], step: Step, key: &str, out: &mut Out) {
        let Some(slot) = self.slot(path) else {
            let mut full = path.to_vec();
            full.push(step.clone());
            let shown = source::find(self.body, &full)
                .and_then(|s| s.span())
                .map(|s| one_line(&self.file.text[s]))
                .unwrap_or_else(|| "(present)".to_owned());
            let key_shown = match &step {
                Step::Block(k, j) => format!("{k}[{j}]"),
                Step::Attr(k) => k.clone(),
            };
            self.conflict(out, path, &key_shown, ABSENT.to_owned(), shown);
            return;
        };
        let mut full = path.to_vec();
        full.push(step);
        let span = source::find(self.body, &full).and_then(|s| s.span());
        out.piece(slot, self.file, span, self.construct(path, key));
    }

    /// Every `key` block and `dynamic "key"` block of the body at `path`, as raw HCL.
    fn extra_dynamic(&self, path: &[Step], key: &str, out: &mut Out) {
        let Some(slot) = self.slot(path) else {
            self.conflict(
                out,
                path,
                key,
                ABSENT.to_owned(),
                "(dynamic blocks)".to_owned(),
            );
            return;
        };
        let Some(body) = source::find_body(self.body, path) else {
            return;
        };
        for blk in body.blocks() {
            let dynamic = blk.ident.as_str() == "dynamic"
                && blk.labels.first().is_some_and(|l| l.as_str() == key);
            if dynamic || blk.ident.as_str() == key {
                out.piece(slot, self.file, blk.span(), self.construct(path, key));
            }
        }
    }
}

fn one_line(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.chars().count() > SHOWN {
        let cut: String = joined.chars().take(SHOWN - 1).collect();
        format!("{cut}…")
    } else {
        joined
    }
}

fn show_path(path: &[Step], key: &str) -> String {
    let mut out = String::new();
    for s in path {
        if !out.is_empty() {
            out.push('.');
        }
        match s {
            Step::Block(ident, i) => out.push_str(&format!("{ident}[{i}]")),
            Step::Attr(a) => out.push_str(a),
        }
    }
    if !key.is_empty() {
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(key);
    }
    out
}

/// What to give up for a difference at `path`/`key` of a claimed object.
fn attribute(claim: &Claim, path: &[Step], key: &str) -> Option<Part> {
    if claim.slot != Some(Slot::Deployment) {
        return claim.part.clone();
    }
    if path.is_empty() && key == "depends_on" {
        return Some(Part::Secrets);
    }
    Some(pod_attribute(path, key).unwrap_or(Part::Deployment))
}

/// The part below the pod a difference at `path`/`key` of the Deployment is about.
fn pod_attribute(path: &[Step], key: &str) -> Option<Part> {
    let pod: Vec<Step> = POD
        .iter()
        .map(|n| Step::Block((*n).to_owned(), 0))
        .collect();
    let rest = path.strip_prefix(pod.as_slice())?;
    // The first step below the pod: from the path, or the key itself (`volume[2]`).
    let (ident, index, inner): (&str, usize, &[Step]) = match rest.split_first() {
        Some((Step::Block(ident, j), inner)) => (ident, *j, inner),
        Some((Step::Attr(a), inner)) => (a, 0, inner),
        None => {
            let (ident, j) = split_index(key);
            (ident, j.unwrap_or(0), &[])
        }
    };
    match ident {
        "volume" => Some(Part::Volumes(index)),
        "dns_config" => Some(Part::DnsOptions),
        "init_container" => Some(Part::InitContainers),
        "container" if rest.is_empty() => Some(Part::Containers(index.max(1))),
        "container" => {
            let i = index;
            let (field, j) = match inner.first() {
                Some(Step::Block(f, j)) => (f.as_str(), Some(*j)),
                Some(Step::Attr(f)) => (f.as_str(), None),
                None => split_index(key),
            };
            match field {
                "env" => Some(Part::Env(i, j.unwrap_or(0))),
                "volume_mount" if i == 0 => Some(Part::Mounts(j.unwrap_or(0))),
                "volume_mount" => Some(Part::Field(i, "mounts")),
                "image_pull_policy" | "working_dir" | "stdin" | "tty" | "env_from"
                | "security_context" | "lifecycle" => Some(Part::Field(i, "settings")),
                "port" if i == 0 => Some(Part::Service),
                "port" => Some(Part::Field(i, "port")),
                "resources" => Some(Part::Field(i, "resources")),
                "command" => Some(Part::Field(i, "command")),
                "args" => Some(Part::Field(i, "args")),
                "liveness_probe" => Some(Part::Field(i, "liveness_probe")),
                "readiness_probe" => Some(Part::Field(i, "readiness_probe")),
                "startup_probe" => Some(Part::Field(i, "startup_probe")),
                _ if i > 0 => Some(Part::Containers(i)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `name[3]` → (`name`, 3).
fn split_index(key: &str) -> (&str, Option<usize>) {
    match key.split_once('[') {
        Some((name, rest)) => (name, rest.strip_suffix(']').and_then(|n| n.parse().ok())),
        None => (key, None),
    }
}

/// Renames references to objects the spec moves (the stack's value is compared at the
/// address the spec gives the object).
pub fn renamed(value: &mut Value, renames: &[(String, String)]) {
    if renames.is_empty() {
        return;
    }
    value.map_syms(&mut |sym| {
        if let Sym::Ref {
            root: Root::Object(addr),
            ..
        } = sym
        {
            let text = addr.to_string();
            if let Some((_, to)) = renames.iter().find(|(from, _)| *from == text)
                && let Some(new) = parse_addr(to)
            {
                *addr = new;
            }
        }
    });
}

fn parse_addr(text: &str) -> Option<planeq::Addr> {
    let (head, name) = text.split_once('.')?;
    Some(if head == "module" {
        planeq::Addr::module(&[], name)
    } else {
        planeq::Addr::resource(&[], head, name)
    })
}

/// `terragrunt.hcl`: the blocks the spec generates are compared; every other block and
/// attribute goes whole into `raw.terragrunt`.
fn terragrunt(ctx: &Ctx, draft: &Draft, rendered: &planeq::Stack, out: &mut Out) {
    for (address, generated) in rendered.objects() {
        let Address::Terragrunt(name) = address else {
            continue;
        };
        // The root include dlgen writes, absent or written another way in the stack, is
        // given up: the stack's own blocks then stay raw.
        let part = (*name == format!("include.{}", crate::conventions::repo::ROOT_INCLUDE))
            .then_some(Part::RootInclude);
        let Some(input) = ctx.input.get(&address.to_string()) else {
            out.conflicts.push(Conflict {
                address: name.clone(),
                path: String::new(),
                rendered: "(generated)".to_owned(),
                stack: ABSENT.to_owned(),
                part,
                construct: format!("terragrunt {}", name.split('.').next().unwrap_or(name)),
            });
            continue;
        };
        if generated.canon() != input.canon() {
            out.conflicts.push(Conflict {
                address: name.clone(),
                path: String::new(),
                rendered: generated.show(SHOWN),
                stack: input.show(SHOWN),
                part,
                construct: format!("terragrunt {}", name.split('.').next().unwrap_or(name)),
            });
        }
    }
    let Some(file) = &ctx.src.terragrunt else {
        return;
    };
    for s in file.body.iter() {
        let name = match s {
            hcl_edit::structure::Structure::Block(blk) => {
                let mut n = blk.ident.as_str().to_owned();
                for l in &blk.labels {
                    n.push('.');
                    n.push_str(l.as_str());
                }
                n
            }
            hcl_edit::structure::Structure::Attribute(a) => a.key.as_str().to_owned(),
        };
        if draft.terragrunt.contains(&name) {
            continue;
        }
        let construct = format!("terragrunt {}", name.split('.').next().unwrap_or(&name));
        out.piece(Slot::Terragrunt, file, s.span(), construct);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment() -> Claim {
        Claim {
            input: "kubernetes_deployment.app".into(),
            rendered: "kubernetes_deployment.app".into(),
            part: None,
            slot: Some(Slot::Deployment),
        }
    }

    fn b(name: &str, i: usize) -> Step {
        Step::Block(name.into(), i)
    }

    #[test]
    fn a_conflict_names_the_address_the_attribute_and_both_values() {
        let c = Conflict {
            address: "module.tls_secret".into(),
            path: "namespace".into(),
            rendered: "\"app\"".into(),
            stack: "\"elsewhere\"".into(),
            part: None,
            construct: "module".into(),
        };
        assert_eq!(
            c.line(),
            "module.tls_secret: namespace: \"app\" ≠ \"elsewhere\""
        );
        let whole = Conflict {
            path: String::new(),
            ..c
        };
        assert_eq!(whole.line(), "module.tls_secret: \"app\" ≠ \"elsewhere\"");
    }

    #[test]
    fn a_difference_gives_up_what_generates_it() {
        let pod = vec![b("spec", 0), b("template", 0), b("spec", 0)];
        let at = |extra: &[Step]| {
            let mut p = pod.clone();
            p.extend_from_slice(extra);
            p
        };
        let d = deployment();
        assert_eq!(
            attribute(&d, &at(&[b("container", 0)]), "env[2]"),
            Some(Part::Env(0, 2))
        );
        assert_eq!(
            attribute(&d, &at(&[b("container", 0), b("env", 1)]), "value"),
            Some(Part::Env(0, 1))
        );
        assert_eq!(
            attribute(&d, &at(&[b("container", 1)]), "image"),
            Some(Part::Containers(1))
        );
        assert_eq!(
            attribute(&d, &at(&[b("container", 0)]), "image"),
            Some(Part::Deployment)
        );
        assert_eq!(attribute(&d, &pod, "volume[2]"), Some(Part::Volumes(2)));
        assert_eq!(attribute(&d, &pod, "container"), Some(Part::Containers(1)));
        assert_eq!(attribute(&d, &[], "depends_on"), Some(Part::Secrets));
        assert_eq!(
            attribute(&d, &[b("spec", 0)], "replicas"),
            Some(Part::Deployment)
        );
        let service = Claim {
            part: Some(Part::Service),
            slot: Some(Slot::Service),
            ..deployment()
        };
        assert_eq!(
            attribute(&service, &[b("spec", 0)], "type"),
            Some(Part::Service)
        );
    }

    #[test]
    fn only_the_pod_and_its_containers_take_raw_hcl_inside_a_deployment() {
        let d = deployment();
        let file = source::File {
            name: "main.tf".into(),
            text: String::new(),
            body: hcl_edit::structure::Body::new(),
        };
        let w = Walk {
            claim: &d,
            file: &file,
            body: &file.body,
            ty: "kubernetes_deployment".into(),
        };
        let pod = vec![b("spec", 0), b("template", 0), b("spec", 0)];
        assert_eq!(w.slot(&[]), Some(Slot::Deployment));
        assert_eq!(w.slot(&pod), Some(Slot::Pod));
        let mut c = pod.clone();
        c.push(b("container", 2));
        assert_eq!(w.slot(&c), Some(Slot::Container(2)));
        assert_eq!(w.slot(&[b("spec", 0)]), None);
        c.push(b("env", 0));
        assert_eq!(w.slot(&c), None);
    }
}
