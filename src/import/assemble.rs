//! One attempt at a spec: the draft rendered without raw HCL, the residue computed and
//! placed into raw fields with what it needs declared, the whole proved, shortened and
//! written as YAML.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, Traversal};
use hcl_edit::visit::{Visit, visit_traversal};

use super::draft::{Draft, Part, Slot};
use super::invert::{self, Ctx};
use super::prove::{self, Refused};
use super::residue::{self, Conflict, Piece};
use super::source;
use super::{Imported, emit, minimize, yaml_out};
use crate::error::Error;
use crate::render::Renderer;

/// What an attempt ended in.
pub enum Attempt {
    Done(Box<Imported>),
    /// The spec does not reproduce the stack: what differs, each with the part to give up.
    GiveUp(Vec<Conflict>),
}

pub fn attempt(ctx: &Ctx, mut draft: Draft, renderer: &Renderer) -> Result<Attempt, Error> {
    let moved = invert::moved_blocks(ctx.src, ctx.scope.as_deref());
    let generated: Vec<String> = draft
        .claims
        .iter()
        .filter(|c| !c.rendered.starts_with("data."))
        .map(|c| c.rendered.clone())
        .collect();
    let moved_left = invert::adopt(&mut draft, &moved, &generated);
    invert::moved_comments(ctx.src, ctx.scope.as_deref(), &mut draft);
    let imports = invert::import_blocks(ctx.src);
    let imports_left = invert::adopt_imports(&mut draft, &imports, &generated);

    // The spec without raw HCL, compared node by node with the stack. A spec without
    // containers or jobs holds its workload in `raw.stack`, found only by this comparison:
    // a stand-in takes its place meanwhile (the comparison passes over it).
    // Raw HCL without which the spec is incomplete is there from the start.
    let mut first = draft.raw_first.clone();
    in_root_terms(ctx, &mut first);
    let mut bare_draft = draft.clone();
    place(ctx, &mut bare_draft, &first);
    // The objects the spec refers to and does not hold are raw HCL: their blocks are
    // there from the start, so that what refers to them is read (not given up with
    // them), and the comparison passes over them.
    let referred = referred_unclaimed(ctx, &draft, &yaml(&bare_draft, &[]));
    let mut stand_ins: Vec<String> = referred.iter().map(|(_, text)| text.clone()).collect();
    draft.stand_ins = referred.into_iter().map(|(address, _)| address).collect();
    // The locals that raw HCL values read are the stack's, there from the start.
    let value_declarations = hcl_declarations(ctx, &draft);
    stand_ins.extend(value_declarations.iter().map(|p| format!("{}\n", p.text)));
    if draft.spec.containers.is_empty() && draft.spec.jobs.is_empty() {
        stand_ins.push(format!(
            "resource \"{}\" \"{}\" {{}}\n",
            residue::STAND_IN.0,
            residue::STAND_IN.1
        ));
    }
    if !stand_ins.is_empty() {
        let raw = bare_draft.spec.raw.get_or_insert_with(Default::default);
        let mut text = raw.stack.take().unwrap_or_default();
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&stand_ins.join("\n"));
        raw.stack = Some(text);
    }
    let bare_text = yaml(&bare_draft, &[]);
    let bare = match prove::render(renderer, &bare_text, &ctx.src.dir) {
        Ok(r) => r,
        Err(refused) => return Ok(Attempt::GiveUp(refusal(&draft, refused))),
    };
    let residue = residue::residue(ctx, &draft, &bare.stack);
    if !residue.conflicts.is_empty() {
        return Ok(Attempt::GiveUp(residue.conflicts));
    }
    let mut pieces = residue.pieces;
    draft.raw_moved = residue.moved;
    in_root_terms(ctx, &mut pieces);
    pieces.extend(first);
    // `moved` blocks the spec cannot say stay as they are.
    let moved_tops: Vec<_> = ctx
        .src
        .tops()
        .filter(|t| t.block.ident.as_str() == "moved")
        .collect();
    draft.unwrapped = unwrapped(ctx, &draft, &moved);
    for i in moved_left {
        if draft.unwrapped.contains(&moved[i]) {
            continue;
        }
        if let Some(top) = moved_tops.get(i)
            && let Some(span) = top.block.span()
        {
            pieces.push(Piece::new(Slot::Stack, top.file, span, "moved".to_owned()));
        }
    }
    // So do the `import` blocks it cannot say.
    let import_tops: Vec<_> = ctx
        .src
        .tops()
        .filter(|t| t.block.ident.as_str() == "import")
        .collect();
    for i in imports_left {
        if let Some(top) = import_tops.get(i)
            && let Some(span) = top.block.span()
        {
            pieces.push(Piece::new(Slot::Stack, top.file, span, "import".to_owned()));
        }
    }
    let main_tf = bare
        .files
        .iter()
        .find(|f| f.name == "main.tf")
        .map_or("", |f| f.contents.as_str());
    // Declared for the bare render already (so left out by `declarations`), and kept.
    pieces.extend(value_declarations);
    declarations(ctx, main_tf, &mut pieces);
    let mut constructs: Vec<String> = pieces.iter().map(|p| p.construct.clone()).collect();
    constructs.extend(
        hcl_values(&draft.spec)
            .iter()
            .map(|text| value_construct(text)),
    );
    place(ctx, &mut draft, &pieces);

    // The whole spec, proved.
    let text = yaml(&draft, &[]);
    let full = match prove::render(renderer, &text, &ctx.src.dir) {
        Ok(r) => r,
        Err(refused) => return Ok(Attempt::GiveUp(refusal(&draft, refused))),
    };
    let mut expected_moved = draft.moved.clone();
    for m in draft
        .moves()
        .into_iter()
        .chain(draft.raw_moved.iter().cloned())
    {
        if !expected_moved.contains(&m) {
            expected_moved.push(m);
        }
    }
    for (i, (f, t)) in moved.iter().enumerate() {
        if !draft.moved.contains(&(f.clone(), t.clone()))
            && !draft.unwrapped.contains(&(f.clone(), t.clone()))
            && moved_tops.get(i).is_some()
        {
            expected_moved.push((f.clone(), t.clone()));
        }
    }
    // The `moved` blocks of the stack's local modules stay: with the module, or out of
    // the wrapping module with its objects (their addresses still inside the module:
    // history the state may not have caught up with).
    for (f, t) in ctx.input.moved() {
        let pair = (f.to_string(), t.to_string());
        if !f.module.is_empty() && !expected_moved.contains(&pair) {
            expected_moved.push(pair);
        }
    }
    let differences = prove::compare(&full.stack, ctx.input, &expected_moved);
    if !differences.is_empty() {
        return Ok(Attempt::GiveUp(
            differences.iter().map(|d| difference(&draft, d)).collect(),
        ));
    }

    // The stack's comments that no field holds, anchored where they sit. Comments change
    // no plan: a render shows each placed, and what cannot be placed stays a note.
    let full = anchor_comments(ctx, &mut draft, &pieces, renderer, full);

    // Shortest: drop what renders the same without it.
    let entries = emit::spec(&draft.spec);
    let entries = minimize::minimize(renderer, entries, &full.files);
    let left_out = left_out(ctx, &full.files);
    let header = header(ctx, &draft, &pieces, &left_out, &full.files);
    let yaml = yaml_out::document(&header, &entries);
    // The text written is the text proved.
    match prove::render_files(renderer, &yaml) {
        Ok(files) if same_files(&files, &full.files) => {}
        _ => {
            return Err(Error::Message(format!(
                "error: {}: the shortened spec no longer renders the proved stack (a bug in dlgen import, please report it)",
                ctx.src.dir.display()
            )));
        }
    }
    let raw_lines = raw_lines(&draft);
    // What the lint gate of `dlgen render` will say about the stack as it stands.
    let dir = std::path::Path::new("stacks").join(&ctx.name);
    let sources: Vec<crate::lint::SourceFile> = full
        .files
        .iter()
        .filter(|f| f.name.ends_with(".tf"))
        .map(|f| crate::lint::SourceFile::new(dir.join(&f.name), f.contents.clone()))
        .collect();
    let lint_errors: Vec<String> =
        crate::lint::lint_files(&sources, &crate::lint::LintConfig::all())
            .iter()
            .filter(|f| f.is_error())
            .map(ToString::to_string)
            .collect();
    let mut reasons = draft.reasons.clone();
    reasons.sort();
    reasons.dedup();
    Ok(Attempt::Done(Box::new(Imported {
        name: ctx.name.clone(),
        spec_lines: yaml.lines().count(),
        yaml,
        raw_lines,
        stack_lines: ctx.src.lines(),
        raw_constructs: constructs,
        reasons,
        other_files: ctx
            .src
            .files
            .iter()
            .map(|f| f.name.clone())
            .filter(|n| n != "main.tf")
            .collect(),
        flattened: ctx.wrapping().map(|l| l.dir.clone()),
        lint_errors,
        left_out: left_out.unused,
        files: invert::shapes::files_beside(&draft.spec, &ctx.src.dir),
        var_files: ctx.src.var_files.clone(),
    })))
}

/// The stack's `moved` blocks into its wrapping module that flattening undoes: each moved
/// an object to where the rendered stack moves it back from (`x` → `module.m.x`, and the
/// spec renders `x`). Kept, they would make a cycle; without them an object still at `x`
/// stays there and one at `module.m.x` moves back.
fn unwrapped(ctx: &Ctx, draft: &Draft, moved: &[(String, String)]) -> Vec<(String, String)> {
    let Some(scope) = &ctx.scope else {
        return Vec::new();
    };
    let prefix = format!("module.{scope}.");
    moved
        .iter()
        .filter(|(from, to)| {
            let Some(inner) = to.strip_prefix(&prefix) else {
                return false;
            };
            let back = draft
                .claims
                .iter()
                .find(|c| c.input == *to)
                .map(|c| c.rendered.as_str())
                .or_else(|| {
                    draft
                        .raw_moved
                        .iter()
                        .find(|(f, _)| f == to)
                        .map(|(_, t)| t.as_str())
                })
                .unwrap_or(inner);
            back == from
        })
        .cloned()
        .collect()
}

/// Text taken out of a wrapping module says in the root's terms what it said there.
fn in_root_terms(ctx: &Ctx, pieces: &mut [Piece]) {
    if let Some(module) = ctx.wrapping() {
        for p in pieces.iter_mut() {
            if module.files.iter().any(|f| f.name == p.file) {
                p.text = super::flatten::rewrite(ctx.src, module, &p.text);
            }
        }
    }
}

fn same_files(a: &[crate::render::RenderedFile], b: &[crate::render::RenderedFile]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.name == y.name && x.contents == y.contents)
}

fn yaml(draft: &Draft, header: &[String]) -> String {
    yaml_out::document(header, &emit::spec(&draft.spec))
}

/// The resources of the stack (outside a wrapping module) that the spec's text refers to
/// by address and that no spec object holds or renders: their addresses and blocks.
fn referred_unclaimed(ctx: &Ctx, draft: &Draft, text: &str) -> Vec<(String, String)> {
    if ctx.scope.is_some() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for top in ctx.src.tops() {
        if top.block.ident.as_str() != "resource" {
            continue;
        }
        let Some(address) = source::address_of(top.block) else {
            continue;
        };
        if draft.claimed(&address)
            || draft.claims.iter().any(|c| c.rendered == address)
            || out.iter().any(|(a, _)| *a == address)
        {
            continue;
        }
        let Some(span) = top.block.span() else {
            continue;
        };
        let referred = text.match_indices(&address).any(|(at, _)| {
            let before = text[..at].chars().next_back();
            let after = text[at + address.len()..].chars().next();
            let ident =
                |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-');
            !ident(before) && !ident(after)
        });
        if referred {
            let mut block = top.file.snippet(span);
            block.push('\n');
            out.push((address, block));
        }
    }
    out
}

/// The model's refusal as conflicts, each with the part of the spec it is about.
fn refusal(draft: &Draft, refused: Refused) -> Vec<Conflict> {
    match refused {
        Refused::Problems(problems) => problems
            .into_iter()
            .map(|p| Conflict {
                address: format!("spec `{}`", p.path),
                path: String::new(),
                rendered: p.message,
                stack: String::new(),
                part: job_part(draft, &p.path)
                    .or_else(|| outside_part(draft, &p.path))
                    .or_else(|| spec_part(&p.path)),
                construct: p.path,
            })
            .collect(),
        Refused::Other(message) => vec![Conflict {
            address: "spec".to_owned(),
            path: String::new(),
            rendered: message,
            stack: String::new(),
            part: None,
            construct: "spec".to_owned(),
        }],
    }
}

/// The index `i` of a spec path `<list>[i]…`.
fn index_in(path: &str, list: &str) -> Option<usize> {
    path.strip_prefix(list)?
        .strip_prefix('[')?
        .split(']')
        .next()?
        .parse()
        .ok()
}

/// The job a spec path `jobs[i]…` is about, given up by its address in the stack.
fn job_part(draft: &Draft, path: &str) -> Option<Part> {
    let i = index_in(path, "jobs")?;
    let job = draft.spec.jobs.get(i)?;
    let rendered = format!(
        "{}.{}",
        job.resource_type.as_deref()?,
        job.address.as_deref()?
    );
    draft.claim_of_rendered(&rendered)?.part.clone()
}

/// The part a volume outside the pod (`volumes[k]` with `pod: false`) is given up by:
/// its module call's.
fn outside_part(draft: &Draft, path: &str) -> Option<Part> {
    let k = index_in(path, "volumes")?;
    let volume = draft.spec.volumes.get(k).filter(|v| v.pod == Some(false))?;
    let module = format!("module.{}", volume.address.as_deref()?);
    draft.claim_of_rendered(&module)?.part.clone()
}

/// The part of the spec a spec path belongs to.
fn spec_part(path: &str) -> Option<Part> {
    let mut segs = path.split('.');
    let first = segs.next()?;
    let second = segs.next().unwrap_or("");
    let index = |s: &str| -> Option<usize> {
        s.split_once('[')
            .and_then(|(_, r)| r.strip_suffix(']'))
            .and_then(|n| n.parse().ok())
    };
    let head = first.split('[').next().unwrap_or(first);
    match head {
        "containers" => {
            let i = index(first)?;
            let field = second.split('[').next().unwrap_or(second);
            match field {
                "env" => Some(Part::Env(i, index(second).unwrap_or(0))),
                "port" | "port_name" | "ports" if i == 0 => Some(Part::Service),
                "port" | "port_name" | "ports" => Some(Part::Field(i, "port")),
                "mounts" => Some(Part::Field(i, "mounts")),
                "image_pull_policy" | "working_dir" | "stdin" | "tty" | "env_from"
                | "security_context" | "lifecycle" => Some(Part::Field(i, "settings")),
                "resources" => Some(Part::Field(i, "resources")),
                "command" => Some(Part::Field(i, "command")),
                "args" => Some(Part::Field(i, "args")),
                "liveness_probe" => Some(Part::Field(i, "liveness_probe")),
                "readiness_probe" => Some(Part::Field(i, "readiness_probe")),
                "startup_probe" => Some(Part::Field(i, "startup_probe")),
                _ if i > 0 => Some(Part::Containers(i)),
                // The app container's own (its name): the Deployment, as a last resort.
                _ => Some(Part::Deployment),
            }
        }
        "volumes" => match index(first) {
            Some(k) => Some(Part::Volumes(k)),
            None => Some(Part::Backup),
        },
        "service" => Some(Part::Service),
        "init_containers" => Some(Part::InitContainers),
        "ingress" | "scale_to_zero" => Some(Part::Ingress),
        "backup" => Some(Part::Backup),
        "secrets" => Some(Part::Secrets),
        "deployment" if second == "dns_options" => Some(Part::DnsOptions),
        "namespace" if second == "quota" => Some(Part::Quota),
        "namespace" if second == "limit_range" => Some(Part::LimitRange),
        "disruption_budget" => Some(Part::DisruptionBudget),
        // What the model refuses in the Deployment or the namespace, when nothing
        // narrower says it: the object whole, as a last resort.
        "deployment" => Some(Part::Deployment),
        "namespace" => Some(Part::Namespace),
        _ => super::invert::around::item_part(head, index(first)),
    }
}

/// A difference the proof found, as a conflict with the part responsible.
fn difference(draft: &Draft, d: &crate::planeq::Difference) -> Conflict {
    use crate::planeq::{Difference, Side};
    match d {
        Difference::OnlyIn { address, side } => Conflict {
            address: address.clone(),
            path: String::new(),
            rendered: if *side == Side::A {
                "(generated)".to_owned()
            } else {
                "(absent)".to_owned()
            },
            stack: if *side == Side::B {
                "(declared)".to_owned()
            } else {
                "(absent)".to_owned()
            },
            part: draft
                .claim_of_rendered(address)
                .and_then(|c| c.part.clone()),
            construct: address.split('.').next().unwrap_or(address).to_owned(),
        },
        Difference::Value {
            address,
            path,
            a,
            b,
        } => Conflict {
            address: address.clone(),
            path: path.clone(),
            rendered: a.clone(),
            stack: b.clone(),
            part: draft.claim_of_rendered(address).and_then(|c| {
                if c.slot == Some(Slot::Deployment) {
                    Some(deployment_part(path).unwrap_or(Part::Deployment))
                } else {
                    c.part.clone()
                }
            }),
            construct: address.split('.').next().unwrap_or(address).to_owned(),
        },
    }
}

/// The part of the Deployment a difference at `path` (as `planeq` prints it) is about.
fn deployment_part(path: &str) -> Option<Part> {
    let rest = path.strip_prefix("spec[0].template[0].spec[0].")?;
    let mut segs = rest.split('.');
    let first = segs.next()?;
    let second = segs.next().unwrap_or("");
    let index = |s: &str| -> Option<usize> {
        s.split_once('[')
            .and_then(|(_, r)| r.split(']').next())
            .and_then(|n| n.parse().ok())
    };
    let head = first.split('[').next().unwrap_or(first);
    match head {
        "volume" => Some(Part::Volumes(index(first).unwrap_or(0))),
        "dns_config" => Some(Part::DnsOptions),
        "container" => {
            let i = index(first)?;
            match second.split('[').next().unwrap_or(second) {
                "env" => Some(Part::Env(i, index(second).unwrap_or(0))),
                "volume_mount" if i == 0 => Some(Part::Mounts(index(second).unwrap_or(0))),
                "port" if i == 0 => Some(Part::Service),
                f @ ("port" | "resources" | "command" | "args" | "liveness_probe"
                | "readiness_probe" | "startup_probe") => Some(Part::Field(i, field_name(f))),
                _ if i > 0 => Some(Part::Containers(i)),
                _ => None,
            }
        }
        _ => None,
    }
}

fn field_name(f: &str) -> &'static str {
    match f {
        "port" => "port",
        "resources" => "resources",
        "command" => "command",
        "args" => "args",
        "liveness_probe" => "liveness_probe",
        "readiness_probe" => "readiness_probe",
        _ => "startup_probe",
    }
}

// --- what raw HCL refers to -----------------------------------------------------------

/// A reference in HCL text: `var.x`, `local.x`, `data.t.n`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Ref {
    Var(String),
    Local(String),
    Data(String),
}

#[derive(Default)]
struct Refs(BTreeSet<Ref>);

impl Visit for Refs {
    fn visit_traversal(&mut self, node: &Traversal) {
        if let Expression::Variable(root) = &node.expr {
            let names = crate::hcl::leading_attributes(node);
            match (root.as_str(), names.as_slice()) {
                ("var", [name, ..]) => {
                    self.0.insert(Ref::Var((*name).to_owned()));
                }
                ("local", [name, ..]) => {
                    self.0.insert(Ref::Local((*name).to_owned()));
                }
                ("data", [ty, name, ..]) => {
                    self.0.insert(Ref::Data(format!("data.{ty}.{name}")));
                }
                _ => {}
            }
        }
        visit_traversal(self, node);
    }
}

fn refs_of(text: &str) -> BTreeSet<Ref> {
    let mut refs = Refs::default();
    if let Ok(body) = hcl_edit::parser::parse_body(text) {
        refs.visit_body(&body);
    }
    refs.0
}

/// Adds to `raw.stack` the variables, locals and data sources that raw HCL refers to and
/// the rendered stack does not declare, taken from the stack (and what they refer to in
/// turn).
fn declarations(ctx: &Ctx, rendered_main: &str, pieces: &mut Vec<Piece>) {
    let declared = refs_declared(rendered_main);
    let mut done: BTreeSet<Ref> = BTreeSet::new();
    for p in pieces.iter() {
        if p.slot == Slot::Stack
            && let Ok(body) = hcl_edit::parser::parse_body(&p.text)
        {
            for b in body.blocks() {
                if let Some(a) = super::source::address_of(b)
                    && a.starts_with("data.")
                {
                    done.insert(Ref::Data(a));
                }
            }
        }
    }
    let seeds = pieces.iter().map(|p| p.text.clone()).collect();
    let needed = needed(ctx, seeds, done, |r| !declared.contains(r));
    pieces.extend(needed);
}

/// The stack's declarations that the HCL texts `work` refer to, and those these refer to
/// in turn (`keep` chooses which references to follow; those in `done` are not): whole
/// `variable` and `data` blocks, and one `locals` block of the entries.
fn needed(
    ctx: &Ctx,
    mut work: Vec<String>,
    mut done: BTreeSet<Ref>,
    keep: impl Fn(&Ref) -> bool,
) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut locals: Vec<(usize, Piece)> = Vec::new();
    while let Some(text) = work.pop() {
        for r in refs_of(&text) {
            if !keep(&r) || !done.insert(r.clone()) {
                continue;
            }
            let found = match &r {
                Ref::Var(name) => ctx.src.tops().find_map(|t| {
                    (t.block.ident.as_str() == "variable"
                        && t.block.labels.first().is_some_and(|l| l.as_str() == name))
                    .then(|| (t.file, t.block.span(), "variable".to_owned()))
                }),
                Ref::Data(address) => scoped_top(ctx, address).map(|t| {
                    let ty = address.split('.').nth(1).unwrap_or_default();
                    (t.file, t.block.span(), format!("data {ty}"))
                }),
                Ref::Local(name) => {
                    if let Some(mut entry) = local_entry(ctx, name) {
                        in_root_terms(ctx, std::slice::from_mut(&mut entry.1));
                        work.push(entry.1.text.clone());
                        locals.push(entry);
                    }
                    continue;
                }
            };
            if let Some((file, Some(span), construct)) = found {
                let mut piece = Piece::new(Slot::Stack, file, span, construct);
                in_root_terms(ctx, std::slice::from_mut(&mut piece));
                work.push(piece.text.clone());
                out.push(piece);
            }
        }
    }
    out.extend(locals_block(locals));
    out
}

/// The block at a root address (`data.t.x`): at the stack's root, else inside the
/// wrapping module whose objects the spec holds at the root.
fn scoped_top<'a>(ctx: &Ctx<'a>, address: &str) -> Option<source::Top<'a>> {
    ctx.src.top(address).or_else(|| {
        let m = ctx.scope.as_ref()?;
        ctx.src.top(&format!("module.{m}.{address}"))
    })
}

/// The entry `name` of the stack's `locals` (at the root, else in the wrapping module),
/// with the position of its file for ordering.
fn local_entry(ctx: &Ctx, name: &str) -> Option<(usize, Piece)> {
    fn entry<'a>(t: source::Top<'a>, name: &str) -> Option<(&'a source::File, Range<usize>)> {
        if t.block.ident.as_str() != "locals" {
            return None;
        }
        let a = t.block.body.get_attribute(name)?;
        Some((t.file, a.span()?))
    }
    let (file, span) = ctx.src.tops().find_map(|t| entry(t, name)).or_else(|| {
        let m = ctx.scope.as_ref()?;
        ctx.src.module_tops(m).find_map(|t| entry(t, name))
    })?;
    let order = ctx
        .src
        .files
        .iter()
        .position(|f| f.name == file.name)
        .unwrap_or(0);
    Some((
        order,
        Piece::new(Slot::Stack, file, span, "locals".to_owned()),
    ))
}

/// One `locals` block of entries, in the order of the stack's files.
fn locals_block(mut locals: Vec<(usize, Piece)>) -> Option<Piece> {
    if locals.is_empty() {
        return None;
    }
    locals.sort_by_key(|(order, p)| (*order, p.start));
    let body: Vec<String> = locals.iter().map(|(_, p)| p.text.clone()).collect();
    let mut block = locals[0].1.clone();
    block.text = format!("locals {{\n{}\n}}", body.join("\n"));
    Some(block)
}

/// The expressions the spec holds as raw HCL values (`{hcl: ...}`), which import writes
/// for the values no other form says: annotations (of the Deployment, its pods, a job's
/// pods, an ingress, a Service, a config map, a Secret) and env values.
fn hcl_values(spec: &crate::spec::Spec) -> Vec<&str> {
    use crate::spec::ValueSpec;
    let deployment = spec
        .deployment
        .iter()
        .flat_map(|d| d.annotations.0.iter().chain(&d.pod_annotations.0));
    let jobs = spec.jobs.iter().flat_map(|j| &j.pod_annotations.0);
    let ingresses = spec
        .ingress
        .iter()
        .chain(&spec.ingresses)
        .flat_map(|i| &i.extra_annotations.0);
    let objects = spec
        .service
        .iter()
        .chain(&spec.services)
        .flat_map(|s| &s.annotations.0)
        .chain(spec.config_maps.iter().flat_map(|c| &c.annotations.0))
        .chain(
            spec.kubernetes_secrets
                .iter()
                .flat_map(|s| &s.annotations.0),
        );
    let annotations = deployment
        .chain(jobs)
        .chain(ingresses)
        .chain(objects)
        .map(|(_, v)| v);
    let containers = spec.containers.iter().chain(&spec.init_containers).chain(
        spec.jobs
            .iter()
            .flat_map(|j| j.containers.iter().chain(&j.init_containers)),
    );
    let env = containers
        .flat_map(|c| &c.env)
        .filter_map(|e| e.value.as_ref());
    annotations
        .chain(env)
        .filter_map(|v| match v {
            ValueSpec::Hcl(text) => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

/// What a raw HCL value is, for `--stats`: the function it calls (the value form to add
/// next), or the kind of expression.
fn value_construct(text: &str) -> String {
    use hcl_edit::expr::Expression as E;
    let shape = match hcl_edit::parser::parse_expr(text) {
        Ok(E::FuncCall(call)) => format!("{}(…)", call.name.name.as_str()),
        Ok(E::Conditional(_)) => "a conditional".to_owned(),
        Ok(E::ForExpr(_)) => "a `for` expression".to_owned(),
        Ok(E::BinaryOp(_) | E::UnaryOp(_)) => "an operation".to_owned(),
        Ok(E::StringTemplate(_) | E::HeredocTemplate(_)) => "a template".to_owned(),
        Ok(E::Traversal(_)) => "a reference".to_owned(),
        _ => "an expression".to_owned(),
    };
    format!("value {{hcl}}: {shape}")
}

/// The stack's locals and data sources that the raw HCL values and the raw HCL placed
/// from the start read, and those these read in turn: declared from the start (the values are checked against them) and kept in
/// `raw.stack`. Data sources of the types dlgen writes itself are not among them (the
/// values that read one are not raw values: see `invert::raw_value`).
fn hcl_declarations(ctx: &Ctx, draft: &Draft) -> Vec<Piece> {
    declared(ctx, draft).1
}

/// The spec as read so far with the declarations its raw HCL values read in `raw.stack`
/// (see [`hcl_declarations`]), as the assembled spec will hold them: the spec the model
/// builds for the readers that compare with what it derives (`depends_on`, the
/// Deployment's ignores) before the spec is assembled. Without them a value reading a
/// local (`{hcl: local.db_host}`) made the model refuse the spec, and those readers
/// gave their fields up.
///
/// The blocks of the stack that a `{ref: ...}` of the spec names and no field of the
/// spec holds are there too, with what they read: the assembled spec holds them whole in
/// `raw.stack`, and without them the model refused the reference (a Middleware naming
/// the hand-written Secret of its htpasswd).
pub(super) fn buildable(ctx: &Ctx, draft: &Draft) -> crate::spec::Spec {
    let (mut spec, pieces) = declared(ctx, draft);
    let data: Vec<&str> = pieces
        .iter()
        .filter(|p| p.construct.starts_with("data "))
        .map(|p| p.text.as_str())
        .collect();
    append_stack(&mut spec, &data);
    let referenced = referenced_blocks(ctx, draft);
    if referenced.is_empty() {
        return spec;
    }
    let texts: Vec<String> = referenced.iter().map(|p| p.text.clone()).collect();
    let done = refs_declared(
        spec.raw
            .as_ref()
            .and_then(|r| r.stack.as_deref())
            .unwrap_or(""),
    );
    let mut with = spec.clone();
    let needs = needed(ctx, texts, done, |r| !matches!(r, Ref::Var(_)));
    let needs = without_rendered_data(&with, needs);
    let all: Vec<&str> = referenced
        .iter()
        .chain(&needs)
        .map(|p| p.text.as_str())
        .collect();
    append_stack(&mut with, &all);
    with
}

/// The top-level blocks of the stack that the spec's `{ref: ...}` values name and that
/// no object of the draft claims, as pieces.
fn referenced_blocks(ctx: &Ctx, draft: &Draft) -> Vec<Piece> {
    let Ok(value) = serde_json::to_value(&draft.spec) else {
        return Vec::new();
    };
    let mut refs = Vec::new();
    collect_refs(&value, &mut refs);
    let mut out: Vec<Piece> = Vec::new();
    let mut seen = BTreeSet::new();
    for r in refs {
        // The object it names, as the model checks it; locals are the model's to declare.
        let Ok(address) = crate::model::object_ref(&r) else {
            continue;
        };
        if address.starts_with("local.") {
            continue;
        }
        if draft.claimed(&address) || !seen.insert(address.clone()) {
            continue;
        }
        let Some(top) = scoped_top(ctx, &address) else {
            continue;
        };
        let Some(span) = top.block.span() else {
            continue;
        };
        let mut piece = Piece::new(Slot::Stack, top.file, span, format!("{}", top.block.ident));
        in_root_terms(ctx, std::slice::from_mut(&mut piece));
        out.push(piece);
    }
    out
}

/// The texts of the `{ref: ...}` values in a serialized spec.
fn collect_refs(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            if let (1, Some(serde_json::Value::String(r))) = (map.len(), map.get("ref")) {
                out.push(r.clone());
            }
            for v in map.values() {
                collect_refs(v, out);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// The spec with the non-data declarations its raw HCL values read appended to
/// `raw.stack`, and the declarations to keep (data sources the model renders itself left
/// out).
fn declared(ctx: &Ctx, draft: &Draft) -> (crate::spec::Spec, Vec<Piece>) {
    // The raw HCL placed from the start (a `dynamic "port"` whose `for_each` reads
    // locals) reads them from the start too.
    let mut first = draft.raw_first.clone();
    in_root_terms(ctx, &mut first);
    let seeds = hcl_values(&draft.spec)
        .into_iter()
        .map(|t| format!("x = {t}\n"))
        .chain(first.into_iter().map(|p| p.text))
        .collect();
    // Variables are the model's to declare (as `{var}`'s are), and so are the data
    // sources the spec renders (the plan-time read of its secrets): the spec, with the
    // other declarations in `raw.stack`, says which.
    let pieces = needed(ctx, seeds, BTreeSet::new(), |r| !matches!(r, Ref::Var(_)));
    let is_data = |p: &Piece| p.construct.starts_with("data ");
    let mut spec = draft.buildable_spec();
    let others: Vec<&str> = pieces
        .iter()
        .filter(|p| !is_data(p))
        .map(|p| p.text.as_str())
        .collect();
    append_stack(&mut spec, &others);
    let pieces = without_rendered_data(&spec, pieces);
    (spec, pieces)
}

/// `pieces` without the data sources that `spec` renders itself (the plan-time read of
/// its secrets): those stay the model's.
fn without_rendered_data(spec: &crate::spec::Spec, pieces: Vec<Piece>) -> Vec<Piece> {
    let rendered: Vec<String> = crate::model::build(spec)
        .map(|stack| {
            stack
                .objects
                .iter()
                .map(|o| o.address.reference())
                .collect()
        })
        .unwrap_or_default();
    pieces
        .into_iter()
        .filter(|p| {
            !p.construct.starts_with("data ")
                || hcl_edit::parser::parse_body(&p.text).is_ok_and(|b| {
                    b.blocks()
                        .filter_map(source::address_of)
                        .all(|a| !rendered.contains(&a))
                })
        })
        .collect()
}

/// Appends HCL pieces to the spec's `raw.stack`.
fn append_stack(spec: &mut crate::spec::Spec, texts: &[&str]) {
    if texts.is_empty() {
        return;
    }
    let raw = spec.raw.get_or_insert_with(Default::default);
    let mut text = raw.stack.take().unwrap_or_default();
    text.push('\n');
    text.push_str(&texts.join("\n"));
    raw.stack = Some(text);
}

/// What a rendered `main.tf` declares: variables, locals and data sources.
fn refs_declared(main_tf: &str) -> BTreeSet<Ref> {
    let mut out = BTreeSet::new();
    let Ok(body) = hcl_edit::parser::parse_body(main_tf) else {
        return out;
    };
    for b in body.blocks() {
        let labels: Vec<&str> = b.labels.iter().map(|l| l.as_str()).collect();
        match (b.ident.as_str(), labels.as_slice()) {
            ("variable", [name]) => {
                out.insert(Ref::Var((*name).to_owned()));
            }
            ("data", [ty, name]) => {
                out.insert(Ref::Data(format!("data.{ty}.{name}")));
            }
            ("locals", []) => {
                for a in b.body.attributes() {
                    out.insert(Ref::Local(a.key.as_str().to_owned()));
                }
            }
            _ => {}
        }
    }
    out
}

// --- raw fields -----------------------------------------------------------------------

/// Puts the pieces into the spec's raw fields: per field in the order of the stack's
/// files, formatted, with references to renamed objects following them.
fn place(ctx: &Ctx, draft: &mut Draft, pieces: &[Piece]) {
    let order = |file: &str| {
        ctx.src
            .files
            .iter()
            .position(|f| f.name == file)
            .unwrap_or(usize::MAX)
    };
    let mut by_slot: BTreeMap<Slot, Vec<&Piece>> = BTreeMap::new();
    for p in pieces {
        by_slot.entry(p.slot).or_default().push(p);
    }
    for (slot, mut list) in by_slot {
        list.sort_by_key(|p| (order(&p.file), p.start));
        list.dedup_by_key(|p| (p.file.clone(), p.start, p.text.clone()));
        let sep = if matches!(slot, Slot::Stack | Slot::Terragrunt) {
            "\n\n"
        } else {
            "\n"
        };
        let text = list
            .iter()
            .map(|p| {
                let mut text = dedent(&p.text);
                // A `moved` block names addresses of the stack's history, as they were.
                if p.construct == "moved" {
                    return text;
                }
                for (from, to) in draft.moves() {
                    text = rename_refs(&text, &from, &to);
                    // Text taken from a wrapping module names its objects without the
                    // module.
                    if let Some(local) = ctx
                        .scope
                        .as_ref()
                        .and_then(|m| from.strip_prefix(&format!("module.{m}.")))
                    {
                        text = rename_refs(&text, local, &to);
                    }
                }
                text
            })
            .collect::<Vec<_>>()
            .join(sep);
        let text = crate::format::format_hcl(&text).unwrap_or(text);
        set_raw(draft, slot, text);
    }
}

/// Removes the indentation of the first line from every line that has it (a heredoc's
/// body keeps its own, which `<<-` strips anyway).
fn dedent(text: &str) -> String {
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let indent: String = first_line
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    if indent.is_empty() {
        return text.to_owned();
    }
    text.lines()
        .map(|l| l.strip_prefix(indent.as_str()).unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `text` with references to the object `from` (`kubernetes_service.x`) made to `to`.
fn rename_refs(text: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    while let Some(i) = rest.find(from) {
        let before_ok = rest[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !ident(c) && c != '.');
        let after = &rest[i + from.len()..];
        let after_ok = after.chars().next().is_none_or(|c| !ident(c));
        out.push_str(&rest[..i]);
        out.push_str(if before_ok && after_ok { to } else { from });
        rest = after;
    }
    out.push_str(rest);
    out
}

fn set_raw(draft: &mut Draft, slot: Slot, text: String) {
    let spec = &mut draft.spec;
    let raw = || Some(text.clone());
    match slot {
        Slot::Namespace => spec.raw.get_or_insert_with(Default::default).namespace = raw(),
        Slot::Deployment => spec.raw.get_or_insert_with(Default::default).deployment = raw(),
        Slot::Pod => spec.raw.get_or_insert_with(Default::default).pod = raw(),
        Slot::Service => spec.raw.get_or_insert_with(Default::default).service = raw(),
        Slot::Ingress => spec.raw.get_or_insert_with(Default::default).ingress = raw(),
        Slot::Anubis(i) => {
            let ingress = match i {
                None => spec.ingress.as_mut(),
                Some(i) => spec.ingresses.get_mut(i),
            };
            if let Some(a) = ingress.and_then(|ing| ing.anubis.as_mut()) {
                a.raw = raw();
            }
        }
        Slot::TlsSecret => spec.raw.get_or_insert_with(Default::default).tls_secret = raw(),
        Slot::Stack => spec.raw.get_or_insert_with(Default::default).stack = raw(),
        Slot::Terragrunt => spec.raw.get_or_insert_with(Default::default).terragrunt = raw(),
        Slot::Container(i) => {
            if let Some(c) = spec.containers.get_mut(i) {
                c.raw = raw();
            }
        }
        Slot::Volume(k) => {
            if let Some(v) = spec.volumes.get_mut(k) {
                v.raw = raw();
            }
        }
        Slot::Secrets => spec.secrets.get_or_insert_with(Default::default).raw = raw(),
        Slot::Item(list, i) => {
            super::invert::around::set_item_raw(spec, list, i, raw());
        }
        Slot::ServiceSpec => {
            if let Some(s) = &mut spec.service {
                s.spec_raw = raw();
            }
        }
        Slot::ItemSpec(list, i) => {
            if list == super::invert::SERVICES
                && let Some(s) = spec.services.get_mut(i)
            {
                s.spec_raw = raw();
            }
        }
        Slot::Backup => {
            if let Some(b) = &mut spec.backup {
                b.raw = raw();
            }
        }
        Slot::Job(i) => {
            if let Some(j) = spec.jobs.get_mut(i) {
                j.raw = raw();
            }
        }
        Slot::JobPod(i) => {
            if let Some(j) = spec.jobs.get_mut(i) {
                j.pod_raw = raw();
            }
        }
        Slot::JobContainer(i, k) => {
            if let Some(c) = spec.jobs.get_mut(i).and_then(|j| j.containers.get_mut(k)) {
                c.raw = raw();
            }
        }
        Slot::JobVolume(i, k) => {
            if let Some(v) = spec.jobs.get_mut(i).and_then(|j| j.volumes.get_mut(k)) {
                v.raw = raw();
            }
        }
        Slot::Integrity => {
            if let Some(ic) = spec
                .backup
                .as_mut()
                .and_then(|b| b.integrity_check.as_mut())
            {
                ic.raw = raw();
            }
        }
    }
}

/// Lines of raw HCL in the spec.
fn raw_lines(draft: &Draft) -> usize {
    let spec = &draft.spec;
    let mut texts: Vec<&Option<String>> = Vec::new();
    if let Some(r) = &spec.raw {
        texts.extend([
            &r.namespace,
            &r.deployment,
            &r.container,
            &r.pod,
            &r.service,
            &r.ingress,
            &r.tls_secret,
            &r.stack,
            &r.terragrunt,
        ]);
    }
    texts.extend(spec.containers.iter().map(|c| &c.raw));
    texts.extend(spec.volumes.iter().map(|v| &v.raw));
    texts.extend(spec.services.iter().map(|s| &s.raw));
    texts.extend(spec.services.iter().map(|s| &s.spec_raw));
    texts.extend(spec.service.iter().map(|s| &s.spec_raw));
    for ing in spec.ingress.iter().chain(&spec.ingresses) {
        texts.push(&ing.raw);
        if let Some(a) = &ing.anubis {
            texts.push(&a.raw);
        }
    }
    for j in &spec.jobs {
        texts.push(&j.raw);
        texts.push(&j.pod_raw);
        texts.extend(j.containers.iter().map(|c| &c.raw));
        texts.extend(j.volumes.iter().map(|v| &v.raw));
    }
    if let Some(s) = &spec.secrets {
        texts.push(&s.raw);
    }
    // Every entry of the item lists that holds raw HCL (`Slot::Item`).
    texts.extend(spec.external_secrets.iter().map(|s| &s.raw));
    texts.extend(spec.config_maps.iter().map(|c| &c.raw));
    texts.extend(spec.kubernetes_secrets.iter().map(|s| &s.raw));
    texts.extend(spec.middlewares.iter().map(|m| &m.raw));
    texts.extend(spec.manifests.iter().map(|m| &m.raw));
    if let Some(b) = &spec.backup {
        texts.push(&b.raw);
        if let Some(ic) = &b.integrity_check {
            texts.push(&ic.raw);
        }
    }
    let blocks: usize = texts.into_iter().flatten().map(|t| t.lines().count()).sum();
    // A raw HCL value is one line.
    blocks + hcl_values(spec).len()
}

// --- the header -----------------------------------------------------------------------

/// The comment lines at the top of the spec: where it comes from, what to review, and the
/// stack's comments that no field holds.
/// The root `variable` and `locals` declarations of the stack that the rendered stack
/// does not declare, `variable x` / `local x` in file order: those nothing uses, and
/// locals whose values the spec writes where the stack used them (the proof holds, so
/// either way no plan changes).
fn left_out(ctx: &Ctx, rendered: &[crate::render::RenderedFile]) -> LeftOut {
    let mut declared: BTreeSet<String> = BTreeSet::new();
    for f in rendered.iter().filter(|f| f.name.ends_with(".tf")) {
        let Ok(body) = ::hcl::parse(&f.contents) else {
            continue;
        };
        for b in body.blocks() {
            match (b.identifier(), b.labels()) {
                ("variable", [name]) => {
                    declared.insert(format!("variable {}", name.as_str()));
                }
                ("locals", []) => {
                    declared.extend(b.body().attributes().map(|a| format!("local {}", a.key())))
                }
                _ => {}
            }
        }
    }
    // The stack's text that uses declarations: without what the wrapping module's call
    // passes to a variable the module never reads.
    let texts: Vec<String> = ctx
        .src
        .files
        .iter()
        .map(|f| unread_passes_blanked(ctx, f))
        .collect();
    let mut out = LeftOut::default();
    for top in ctx.src.tops() {
        let labels: Vec<&str> = top.block.labels.iter().map(|l| l.as_str()).collect();
        let names: Vec<(String, String)> = match (top.block.ident.as_str(), labels.as_slice()) {
            ("variable", [name]) => vec![(format!("variable {name}"), format!("var.{name}"))],
            ("locals", []) => top
                .block
                .body
                .attributes()
                .map(|a| {
                    let k = a.key.as_str();
                    (format!("local {k}"), format!("local.{k}"))
                })
                .collect(),
            _ => Vec::new(),
        };
        for (name, reference) in names {
            if declared.contains(&name) {
                continue;
            }
            if texts.iter().any(|t| mentions(t, &reference)) {
                out.inlined.push(name);
            } else {
                out.unused.push(name);
            }
        }
    }
    out
}

/// `file`'s text with the arguments of the wrapping module's call blanked out whose
/// variable the module never reads: what they pass goes nowhere.
fn unread_passes_blanked(ctx: &Ctx, file: &source::File) -> String {
    let mut text = file.text.clone();
    let Some((module, call)) = ctx
        .wrapping()
        .and_then(|m| Some((m, ctx.src.module_call(&m.name)?)))
        .filter(|(_, call)| call.file.name == file.name)
    else {
        return text;
    };
    for attr in call.block.body.attributes() {
        let read = module
            .files
            .iter()
            .any(|f| mentions(&f.text, &format!("var.{}", attr.key.as_str())));
        if let Some(span) = attr.value.span().filter(|_| !read)
            && text.is_char_boundary(span.start)
            && text.is_char_boundary(span.end)
        {
            let blank = " ".repeat(span.len());
            text.replace_range(span, &blank);
        }
    }
    text
}

/// Declarations of the stack the rendered stack does not make.
#[derive(Debug, Default)]
pub struct LeftOut {
    /// Nothing uses them.
    pub unused: Vec<String>,
    /// Locals (or variables) the stack uses, whose values the spec writes where they
    /// are used.
    pub inlined: Vec<String>,
}

/// Whether `text` holds the reference `reference` (`local.x`, not `local.xy`).
fn mentions(text: &str, reference: &str) -> bool {
    first_mention(text, reference).is_some()
}

/// The offset in `text` of the first reference to `reference` (`local.lb_ip`, not
/// `local.lb_ip_pool`).
fn first_mention(text: &str, reference: &str) -> Option<usize> {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    text.match_indices(reference).map(|(i, _)| i).find(|&i| {
        let before = text[..i].chars().next_back();
        let after = text[i + reference.len()..].chars().next();
        !before.is_some_and(|c| ident(c) || c == '.') && !after.is_some_and(ident)
    })
}

fn header(
    ctx: &Ctx,
    draft: &Draft,
    pieces: &[Piece],
    left_out: &LeftOut,
    rendered: &[crate::render::RenderedFile],
) -> Vec<String> {
    let mut files: Vec<String> = ctx.src.files.iter().map(|f| f.name.clone()).collect();
    if ctx.src.terragrunt.is_some() {
        files.push("terragrunt.hcl".to_owned());
    }
    // The editor modeline every spec of the repo starts with (specs/ beside docs/).
    let mut out = vec![format!(
        "yaml-language-server: $schema=../{}",
        crate::schema::COMMITTED_PATH
    )];
    out.push(format!(
        "{}: imported by `dlgen import` from {} ({}).",
        ctx.name,
        ctx.src.dir.display(),
        files.join(", ")
    ));
    let raw = raw_lines(draft);
    if raw > 0 {
        let values = hcl_values(&draft.spec).len();
        let fields = match (raw - values, values) {
            (_, 0) => "the `raw` fields",
            (0, _) => "the `{hcl: ...}` values",
            _ => "the `raw` fields and `{hcl: ...}` values",
        };
        out.push(format!(
            "{raw} line{} of raw HCL: what the spec language cannot say yet ({fields}).",
            if raw == 1 { "" } else { "s" }
        ));
    }
    let mut reasons = draft.reasons.clone();
    reasons.sort();
    reasons.dedup();
    if !reasons.is_empty() {
        out.push(format!(
            "The stack gives no reason for: {}. Review them.",
            reasons.join(", ")
        ));
    }
    if !left_out.unused.is_empty() {
        out.push(format!(
            "Declarations of the stack that nothing uses, left out (no plan changes): {}.",
            left_out.unused.join(", ")
        ));
    }
    if !draft.unwrapped.is_empty() {
        let moves: Vec<String> = draft
            .unwrapped
            .iter()
            .map(|(f, t)| format!("{f} → {t}"))
            .collect();
        out.push(format!(
            "`moved` blocks of the stack's wrapping, undone by flattening it, left out: {}.",
            moves.join(", ")
        ));
    }
    if !left_out.inlined.is_empty() {
        out.push(format!(
            "Written out where the stack used them (the spec has no such field): {}.",
            left_out.inlined.join(", ")
        ));
    }
    let (mut notes, listed) = notes(ctx, draft, pieces);
    notes.extend(super::unkept::unkept(
        ctx.src,
        ctx.scope.as_deref(),
        rendered,
        &listed,
    ));
    if !notes.is_empty() {
        out.push("Comments of the stack that no spec field holds:".to_owned());
        out.extend(notes.into_iter().map(|n| format!("  {n}")));
    }
    out
}

/// A comment line of a claimed object that no field consumed, that is no convention and
/// that did not go into raw HCL with the node it sits on.
struct Loose<'a> {
    top: source::Top<'a>,
    /// The object's address in the stack and in the rendered spec.
    input: String,
    rendered: String,
    line: usize,
    text: String,
}

fn loose<'a>(ctx: &'a Ctx, draft: &'a Draft, pieces: &[Piece]) -> Vec<Loose<'a>> {
    let mut out = Vec::new();
    // The claimed objects, and the data sources the spec's values read (its Vault and
    // Secret reads), which keep their address.
    let mut objects: Vec<(String, String, source::Top<'a>)> = Vec::new();
    for c in &draft.claims {
        let Some(top) = ctx.src.top(&c.input) else {
            continue;
        };
        // The instances of a block that repeats share its comments: the first holds them.
        if objects
            .iter()
            .any(|(_, _, t)| std::ptr::eq(t.block, top.block))
        {
            continue;
        }
        objects.push((c.input.clone(), c.rendered.clone(), top));
    }
    // Those of a wrapping module come out of it with the module's objects.
    let scoped = ctx
        .scope
        .iter()
        .flat_map(|m| ctx.src.module_tops(m).map(move |t| (Some(m), t)));
    for (module, top) in ctx.src.tops().map(|t| (None, t)).chain(scoped) {
        // The variables of the root keep their name: a comment above one stays there when
        // the spec declares it (`var.NAME`), and is listed for the reviewer when not.
        if top.block.ident.as_str() == "variable"
            && module.is_none()
            && let [name] = top.block.labels.as_slice()
        {
            let address = format!("var.{}", name.as_str());
            objects.push((address.clone(), address, top));
            continue;
        }
        if top.block.ident.as_str() == "data"
            && let Some(rendered) = source::address_of(top.block)
        {
            let address = match module {
                Some(m) => format!("module.{m}.{rendered}"),
                None => rendered.clone(),
            };
            if !draft.claimed(&address) {
                objects.push((address, rendered, top));
            }
        }
    }
    for (input, rendered, top) in objects {
        let Some(span) = top.block.span() else {
            continue;
        };
        let mut lines = top.file.comment_above(span.start);
        lines.extend(top.file.comments_in(span));
        // A lifecycle block is the conventions' (what controllers write, with dlgen's
        // words for it and the reasons of the entries), except for an operator's own
        // explanation above its `ignore_changes` or after it (after the list's `]`).
        let mut lifecycles: Vec<(usize, usize)> = Vec::new();
        let mut explained: Vec<usize> = Vec::new();
        for b in top
            .block
            .body
            .blocks()
            .filter(|b| b.ident.as_str() == "lifecycle")
        {
            if let Some(s) = b.span() {
                lifecycles.push((top.file.line_of(s.start), top.file.line_of(s.end)));
            }
            for a in b.body.attributes() {
                if let Some(s) = a.span() {
                    explained.extend(top.file.comment_above(s.start).into_iter().map(|(l, _)| l));
                    explained.extend(top.file.comment_after(s.end).map(|(l, _)| l));
                }
            }
        }
        lines.retain(|(line, _)| {
            explained.contains(line) || !lifecycles.iter().any(|(a, b)| (*a..=*b).contains(line))
        });
        // The lines of a comment run that hold a convention (a marker, dlgen's own words)
        // and carry on its sentence are the convention's; other lines of the run are the
        // stack's own words. (A bare `#` line is no convention: it would make the comment
        // around it one.)
        let convention_words: Vec<usize> = lines
            .iter()
            .filter(|(line, text)| {
                !text.trim().is_empty()
                    && invert::is_convention(text)
                    && top.file.is_comment_line(*line)
            })
            .flat_map(|(line, _)| invert::convention_words(top.file, *line))
            .collect();
        for (line, text) in lines {
            if held_elsewhere(draft, pieces, top.file, line, &text)
                || convention_words.contains(&line)
            {
                continue;
            }
            out.push(Loose {
                top,
                input: input.clone(),
                rendered: rendered.clone(),
                line,
                text,
            });
        }
    }
    out
}

/// Whether comment line `line` of `file` (its text `text`) is held by something other
/// than a comment of the spec: a field that read it, a convention, or raw HCL.
fn held_elsewhere(
    draft: &Draft,
    pieces: &[Piece],
    file: &source::File,
    line: usize,
    text: &str,
) -> bool {
    draft.consumed.contains(&(file.name.clone(), line))
        || invert::is_convention(text)
        || pieces
            .iter()
            .any(|p| p.file == file.name && (p.lines.0..=p.lines.1).contains(&line))
}

/// The comments of claimed objects that no field holds, then those of no object (set
/// apart between blocks, or opening and closing a file other than `main.tf`), for the
/// spec's header; with the file and line of each.
fn notes(ctx: &Ctx, draft: &Draft, pieces: &[Piece]) -> (Vec<String>, Vec<(String, usize)>) {
    let mut out = Vec::new();
    let mut listed = Vec::new();
    for l in loose(ctx, draft, pieces) {
        out.push(format!(
            "{}:{} ({}): {}",
            l.top.file.name, l.line, l.input, l.text
        ));
        listed.push((l.top.file.name.clone(), l.line));
    }
    for file in &ctx.src.files {
        for (line, text) in file.comments_between() {
            if held_elsewhere(draft, pieces, file, line, &text)
                || text.starts_with(crate::generated::FILES_MARK)
            {
                continue;
            }
            out.push(format!("{}:{line}: {text}", file.name));
            listed.push((file.name.clone(), line));
        }
    }
    (out, listed)
}

/// Adds the anchored comments (see [`anchored`]) that the proved stack has a place for,
/// and returns the stack rendered with them; the stack as proved when none can be added.
fn anchor_comments(
    ctx: &Ctx,
    draft: &mut Draft,
    pieces: &[Piece],
    renderer: &Renderer,
    full: prove::Rendered,
) -> prove::Rendered {
    let mut candidates = anchored(ctx, draft, pieces);
    let Some(main) = full.files.iter().find(|f| f.name == "main.tf") else {
        return full;
    };
    let Ok(body) = hcl_edit::parser::parse_body(&main.contents) else {
        return full;
    };
    candidates.extend(local_comments(ctx, draft, pieces, &body));
    let kept: Vec<_> = candidates
        .into_iter()
        .filter(|(c, _)| {
            let Some(Ok(anchor)) = c.at.as_deref().map(crate::anchor::parse) else {
                return false;
            };
            let one = crate::anchor::Comment {
                field: String::new(),
                anchor,
                text: c.text.clone().unwrap_or_default(),
                placement: crate::model::placement(c.place),
            };
            crate::anchor::place(&main.contents, &body, &[one]).1 == [Some(Ok(()))]
        })
        .collect();
    if kept.is_empty() {
        return full;
    }
    let mut with = draft.clone();
    with.spec.comments = kept.iter().map(|(c, _)| c.clone()).collect();
    match prove::render(renderer, &yaml(&with, &[]), &ctx.src.dir) {
        Ok(rendered) => {
            *draft = with;
            for (_, lines) in kept {
                draft.consumed.extend(lines);
            }
            rendered
        }
        Err(_) => full,
    }
}

/// The comments above the stack's locals that are not kept (raw HCL holds none of them),
/// as anchored comments: at the local where the rendered stack (`rendered`, its
/// `main.tf`) declares it too, else above the first place of a claimed object that reads
/// it, where the spec writes its value out, else where a local that reads it goes. A
/// comment above a `locals` block goes with the block's first local, above the whole
/// object that reads it. Each comes with the lines it holds.
fn local_comments(
    ctx: &Ctx,
    draft: &Draft,
    pieces: &[Piece],
    rendered: &hcl_edit::structure::Body,
) -> Vec<(crate::spec::CommentSpec, Vec<(String, usize)>)> {
    // The claimed objects in the order of the stack's files, with their rendered address.
    let mut objects: Vec<(source::Top, &str)> = draft
        .claims
        .iter()
        .filter_map(|c| Some((ctx.src.top(&c.input)?, c.rendered.as_str())))
        .collect();
    objects.sort_by_key(|(t, _)| {
        let file = ctx.src.files.iter().position(|f| std::ptr::eq(f, t.file));
        (file, t.block.span().map(|s| s.start))
    });
    objects.dedup_by(|a, b| std::ptr::eq(a.0.block, b.0.block));
    let locals: Vec<(source::Top, &hcl_edit::structure::Attribute)> = ctx
        .src
        .tops()
        .filter(|t| t.block.ident.as_str() == "locals")
        .flat_map(|t| t.block.body.attributes().map(move |a| (t, a)))
        .collect();
    let places = Places {
        rendered,
        objects: &objects,
        locals: &locals,
    };
    let mut out = Vec::new();
    let mut comment = |file: &source::File, start: usize, name: &str, innermost: bool| {
        let lines: Vec<(usize, String)> = file
            .comment_above(start)
            .into_iter()
            .filter(|(line, text)| {
                !text.trim().is_empty() && !held_elsewhere(draft, pieces, file, *line, text)
            })
            .collect();
        if lines.is_empty() {
            return;
        }
        let Some(at) = places.of(name, innermost, &mut Vec::new()) else {
            return;
        };
        out.push((
            crate::spec::CommentSpec {
                at: Some(at.to_string()),
                text: Some(
                    lines
                        .iter()
                        .map(|(_, t)| t.as_str())
                        .collect::<Vec<_>>()
                        .join("\n"),
                ),
                place: None,
            },
            lines.iter().map(|(l, _)| (file.name.clone(), *l)).collect(),
        ));
    };
    for top in ctx
        .src
        .tops()
        .filter(|t| t.block.ident.as_str() == "locals")
    {
        if let (Some(span), Some(first)) = (top.block.span(), top.block.body.attributes().next()) {
            comment(top.file, span.start, first.key.as_str(), false);
        }
        for a in top.block.body.attributes() {
            if let Some(span) = a.span() {
                comment(top.file, span.start, a.key.as_str(), true);
            }
        }
    }
    out
}

/// Where the comment of a local goes (see [`local_comments`]).
struct Places<'a, 'b> {
    rendered: &'a hcl_edit::structure::Body,
    /// The claimed objects in the stack's order, with their rendered address.
    objects: &'a [(source::Top<'b>, &'b str)],
    /// Every local of the stack, in its order.
    locals: &'a [(source::Top<'b>, &'b hcl_edit::structure::Attribute)],
}

impl Places<'_, '_> {
    /// The place of local `name`: in an object that reads it, the innermost place that
    /// reads it or the whole object. `seen` holds the locals asked already, which a cycle
    /// of locals would ask again.
    fn of(
        &self,
        name: &str,
        innermost: bool,
        seen: &mut Vec<String>,
    ) -> Option<crate::anchor::Anchor> {
        use crate::anchor::{self, Target};
        if seen.iter().any(|s| s == name) {
            return None;
        }
        seen.push(name.to_owned());
        let reference = format!("local.{name}");
        let found = |a: &anchor::Anchor| matches!(anchor::find(self.rendered, a), Some(Ok(_)));
        if let Some(own) = anchor::parse(&reference).ok().filter(|own| found(own)) {
            return Some(own);
        }
        let in_object = self.objects.iter().find_map(|(t, address)| {
            let span = t.block.span()?;
            let used = first_mention(&t.file.text[span.clone()], &reference)? + span.start;
            let top_anchor = anchor::parse(address).ok()?;
            // The innermost place the rendered stack has too (the spec may write a
            // `dynamic` block out, or one block per instance).
            let mut sites = Vec::new();
            if innermost {
                use_sites(&t.block.body, used, &mut sites);
            }
            sites
                .into_iter()
                .rev()
                .filter_map(|site| anchor::anchor_in(&top_anchor, t.block, Target::Starts(site)))
                .chain([top_anchor.clone()])
                .find(|a| found(a))
        });
        in_object.or_else(|| {
            self.locals.iter().find_map(|(t, a)| {
                let span = a.value.span()?;
                first_mention(&t.file.text[span], &reference)?;
                self.of(a.key.as_str(), innermost, seen)
            })
        })
    }
}

/// The starts of the attributes, keys of a mapping and nested blocks of `body` that hold
/// the byte `at`, outermost first.
fn use_sites(body: &hcl_edit::structure::Body, at: usize, out: &mut Vec<usize>) {
    use hcl_edit::Span as _;
    for a in body.attributes() {
        let Some(span) = a.span() else { continue };
        if !span.contains(&at) {
            continue;
        }
        out.push(span.start);
        // The keys of the mapping that hold it, at any depth (as anchors name them).
        let mut value = &a.value;
        while let hcl_edit::expr::Expression::Object(obj) = value {
            let Some((k, v)) = obj.iter().find(|(k, v)| {
                matches!((k.span(), v.expr().span()), (Some(ks), Some(vs)) if (ks.start..vs.end).contains(&at))
            }) else {
                break;
            };
            out.push(k.span().map_or(span.start, |ks| ks.start));
            value = v.expr();
        }
        return;
    }
    for b in body.blocks() {
        let Some(span) = b.span() else { continue };
        if span.contains(&at) {
            out.push(span.start);
            use_sites(&b.body, at, out);
            return;
        }
    }
}

/// The loose comments (see [`loose`]) as anchored comments of the spec: a run of full-line
/// comments above the block, attribute or key of a mapping that follows it, a trailing
/// comment after the one it ends the line of, each anchored at the rendered address. Each
/// comes with the lines it holds. A comment with nothing below it (a blank line between)
/// or at a place no anchor names stays a note.
fn anchored(
    ctx: &Ctx,
    draft: &Draft,
    pieces: &[Piece],
) -> Vec<(crate::spec::CommentSpec, Vec<(String, usize)>)> {
    use crate::anchor::{self, Target};
    use crate::spec::{CommentPlace, CommentSpec};
    let loose = loose(ctx, draft, pieces);
    let mut out: Vec<(CommentSpec, Vec<(String, usize)>)> = Vec::new();
    let mut i = 0;
    while i < loose.len() {
        let l = &loose[i];
        let text = &l.top.file.text;
        let own = l.top.file.line_range(l.line);
        let full_line = l.top.file.is_comment_line(l.line);
        // The run: this line and the loose full-line comments right below it.
        let mut j = i + 1;
        if full_line {
            while j < loose.len()
                && loose[j].line == loose[j - 1].line + 1
                && loose[j].top.file.name == l.top.file.name
                && std::ptr::eq(loose[j].top.block, l.top.block)
            {
                j += 1;
            }
        }
        let run = &loose[i..j];
        i = j;
        let Some(last) = run.last() else { continue };
        // Comment lines that other fields hold (a reason, a marker) are rendered directly
        // above the place: the run goes above them (the default), or, when they come
        // before it, directly above the place.
        let mut placement = None;
        let target = if full_line {
            let mut below = last.line + 1;
            while l.top.file.is_comment_line(below) {
                below += 1;
            }
            if below == last.line + 1 && l.line > 1 && l.top.file.is_comment_line(l.line - 1) {
                placement = Some(CommentPlace::DirectlyAbove);
            }
            let next = l.top.file.line_range(below);
            let code = &text[next.clone()];
            if code.trim().is_empty() {
                continue;
            }
            Target::Starts(next.start + (code.len() - code.trim_start().len()))
        } else {
            placement = Some(CommentPlace::Trailing);
            let code_end = own.start + crate::import::source::code_len(&text[own.clone()]);
            Target::EndsOnLine(own.start..code_end)
        };
        let Ok(top_anchor) = anchor::parse(&l.rendered) else {
            continue;
        };
        let starts_block = matches!(&target, Target::Starts(at) if l.top.block.span().is_some_and(|s| s.start == *at));
        let Some(at) = (if starts_block {
            Some(top_anchor)
        } else {
            anchor::anchor_in(&top_anchor, l.top.block, target)
        }) else {
            continue;
        };
        out.push((
            CommentSpec {
                at: Some(at.to_string()),
                text: Some(
                    run.iter()
                        .map(|r| r.text.as_str())
                        .collect::<Vec<_>>()
                        .join("\n"),
                ),
                place: placement,
            },
            run.iter()
                .map(|r| (r.top.file.name.clone(), r.line))
                .collect(),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_problems_give_up_the_part_of_the_spec_they_are_about() {
        assert_eq!(
            spec_part("containers[0].env[3].value"),
            Some(Part::Env(0, 3))
        );
        assert_eq!(spec_part("containers[0].port_name"), Some(Part::Service));
        assert_eq!(
            spec_part("containers[1].port"),
            Some(Part::Field(1, "port"))
        );
        assert_eq!(spec_part("containers[1].image"), Some(Part::Containers(1)));
        assert_eq!(
            spec_part("containers[0].image"),
            Some(Part::Deployment),
            "the app container's own fields give up the Deployment, a last resort"
        );
        assert_eq!(spec_part("deployment.replicas"), Some(Part::Deployment));
        assert_eq!(spec_part("namespace.labels"), Some(Part::Namespace));
        assert_eq!(spec_part("namespace.quota.hard"), Some(Part::Quota));
        assert_eq!(spec_part("volumes[2].path"), Some(Part::Volumes(2)));
        assert_eq!(spec_part("volumes"), Some(Part::Backup));
        assert_eq!(spec_part("ingress.auth_why"), Some(Part::Ingress));
        assert_eq!(spec_part("deployment.dns_options"), Some(Part::DnsOptions));
        assert_eq!(spec_part("name"), None);
    }

    #[test]
    fn differences_in_the_deployment_give_up_the_node_they_are_at() {
        let pod = "spec[0].template[0].spec[0].";
        assert_eq!(
            deployment_part(&format!("{pod}container[0].env[2].value")),
            Some(Part::Env(0, 2))
        );
        assert_eq!(
            deployment_part(&format!("{pod}container[0].volume_mount[1]")),
            Some(Part::Mounts(1))
        );
        assert_eq!(
            deployment_part(&format!(
                "{pod}container[1].liveness_probe[0].http_get[0].port"
            )),
            Some(Part::Field(1, "liveness_probe"))
        );
        assert_eq!(
            deployment_part(&format!("{pod}volume[3].name")),
            Some(Part::Volumes(3))
        );
        assert_eq!(deployment_part("spec[0].replicas"), None);
        assert_eq!(deployment_part(&format!("{pod}container[0].image")), None);
    }

    #[test]
    fn references_follow_a_renamed_object_and_nothing_else() {
        let text = "a = kubernetes_service.x.metadata[0].name\nb = kubernetes_service.xy\nc = my_kubernetes_service.x\nd = [kubernetes_service.x]\n";
        assert_eq!(
            rename_refs(text, "kubernetes_service.x", "kubernetes_service.app"),
            "a = kubernetes_service.app.metadata[0].name\nb = kubernetes_service.xy\nc = my_kubernetes_service.x\nd = [kubernetes_service.app]\n"
        );
    }

    #[test]
    fn raw_text_loses_the_indentation_of_its_first_line() {
        assert_eq!(
            dedent("    env {\n      name = \"X\"\n    }"),
            "env {\n  name = \"X\"\n}"
        );
        assert_eq!(dedent("x = 1"), "x = 1");
    }

    #[test]
    fn references_in_raw_text_are_found() {
        let refs = refs_of(
            "a = var.x\nb = \"${local.y.z}\"\nc = data.t.n.attr\nd = kubernetes_namespace.n\n",
        );
        assert_eq!(
            refs.into_iter().collect::<Vec<_>>(),
            [
                Ref::Var("x".into()),
                Ref::Local("y".into()),
                Ref::Data("data.t.n".into())
            ]
        );
    }
}
