//! `dlgen import`: a hand-written stack into the shortest spec that renders it, losing
//! nothing.
//!
//! # How
//!
//! 1. **Read** the stack (`source`): its hand-written `.tf` files and `terragrunt.hcl`
//!    with hcl-edit, comments and spans kept, and its normalized form (`planeq`).
//! 2. **Invert** (`invert`): every spec field that a recognizer can read from the stack
//!    is set, defaults included, and the objects it reproduces are claimed. Comments that
//!    explain an object or a choice become `comment` / `*_why` fields; markers and
//!    dlgen's own comments are the conventions they stand for, not comments.
//! 3. **Compare node by node** (`residue`): the spec without raw HCL is rendered in
//!    memory and each claimed object is compared with the stack in normalized values.
//!    What the stack has beyond the rendered object becomes raw HCL at that node (the
//!    object's body, the pod, a container) when the spec has a raw field there; blocks
//!    no spec object holds go whole into `raw.stack` / `raw.terragrunt`, with the
//!    variables, locals and data sources they need. What differs otherwise gives up the
//!    part of the spec responsible (an optional object becomes raw blocks as a whole, a
//!    list of nested blocks ends earlier) and the stack is inverted again; when nothing
//!    can be given up, the stack cannot be reproduced.
//! 4. **Prove** (`prove`): the whole spec, raw HCL included, is written as YAML, read
//!    back by dlgen's own reader, rendered and compared with the stack plan-semantically
//!    (`planeq::compare`), `moved` blocks as a set besides. Only an equal stack is
//!    accepted.
//! 5. **Shorten** (`minimize`): every field whose removal leaves the rendered stack
//!    byte for byte the same is a default and is removed, so the spec says only what
//!    differs from the conventions, and no default is restated here.
//!
//! Addresses the spec can pin are pinned (no move in the plan); an object whose address
//! no spec field pins (the Service, the ingress and TLS module calls, the
//! ExternalSecret) gets an `adopt.moved` rename.

pub mod draft;
pub mod emit;
pub mod invert;
pub mod residue;
pub mod source;
pub mod value;
pub mod yaml_out;

mod assemble;
mod flatten;
mod minimize;
mod prove;
pub mod run;
mod unkept;

use std::path::Path;

use crate::error::Error;
use crate::render::Renderer;
use draft::Part;

pub use prove::Rendered;

/// A stack imported losslessly.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The stack's name (its directory).
    pub name: String,
    /// The spec, as YAML.
    pub yaml: String,
    /// Lines of raw HCL in the spec.
    pub raw_lines: usize,
    pub spec_lines: usize,
    /// Lines of the stack's files.
    pub stack_lines: usize,
    /// What ended up as raw HCL, one construct per piece (see `--stats`).
    pub raw_constructs: Vec<String>,
    /// Fields written with a placeholder reason, for the reviewer.
    pub reasons: Vec<String>,
    /// Hand-written `.tf` files other than `main.tf`, whose blocks the spec now holds:
    /// delete them once the stack is rendered.
    pub other_files: Vec<String>,
    /// The directory of the wrapping local module the spec flattens
    /// (`adopt.from_module`): delete it once the stack is rendered.
    pub flattened: Option<String>,
    /// What `dlgen render` will refuse in the rendered stack until it is fixed (lint
    /// findings at error level, found in the stack as it stands).
    pub lint_errors: Vec<String>,
    /// Declarations of the stack that no object uses and the rendered stack does not
    /// make (`variable nfs_server`, `local unused_map`): they change no plan, and are
    /// named for the reviewer rather than carried as raw HCL.
    pub left_out: Vec<String>,
    /// The files the spec reads beside it (`{file: NAME}`, `{templatefile: ...}`), as
    /// `(NAME, text)`: they go into the directory named after the spec
    /// (`specs/<stack>/NAME`).
    pub files: Vec<(String, Vec<u8>)>,
    /// The variable files Terraform reads in the stack's directory (`terraform.tfvars`,
    /// `*.auto.tfvars`): neither read nor written by dlgen, they stay and set the
    /// variables of the rendered stack as they did.
    pub var_files: Vec<String>,
}

/// Why a stack was not imported.
#[derive(Debug)]
pub enum Failure {
    /// The stack cannot be read (exit 2).
    Error(Error),
    /// No spec reproduces it (exit 1): one line per differing address and attribute, and
    /// the constructs responsible.
    NotReproducible {
        lines: Vec<String>,
        constructs: Vec<String>,
    },
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Error(e)
    }
}

/// How many times the inversion may give up a part before it stops.
const MAX_ROUNDS: usize = 64;

/// Imports the stack directory `dir`; `spec_label` is how generated headers would name
/// the spec (only used while proving).
pub fn import(dir: &Path, renderer: &Renderer) -> Result<Imported, Failure> {
    let src = source::Source::read(dir)?;
    let input = crate::planeq::Stack::read(dir)?;
    let name = dir
        .canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .or_else(|| dir.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    if let Err(why) = crate::validate::dns_label(&name) {
        return Err(Failure::NotReproducible {
            lines: vec![format!(
                "the stack directory's name `{name}` {why}: a spec's name is its stack directory"
            )],
            constructs: vec!["stack name".to_owned()],
        });
    }
    let scope = wrapping_module(&src, &input);
    let mut ctx = invert::Ctx::new(&src, &input, &name, scope);
    // The stack's own secrets keep their name when it is not `<stack>-secrets`: every
    // reader of a value that reads them (`{eso: …}`, `secret:`) compares with it.
    if let Some(own) = invert::around::own_secret_name(&ctx) {
        ctx.secret_name = own;
    }
    let mut limits = draft::Limits::default();
    let mut last = Vec::new();
    for _ in 0..MAX_ROUNDS {
        let draft = match invert::invert(&ctx, &limits) {
            Ok(d) => d,
            Err(blockers) => {
                // A part of the spec that cannot be read at all (a Deployment whose pod
                // it cannot say) is given up whole, as one that differs would be.
                let parts: Option<Vec<&Part>> = blockers.iter().map(|b| b.part.as_ref()).collect();
                if let Some(parts) = parts
                    && parts
                        .into_iter()
                        .fold(false, |p, part| limits.add(part.clone()) | p)
                {
                    continue;
                }
                return Err(Failure::NotReproducible {
                    constructs: blockers.iter().map(|b| b.construct.clone()).collect(),
                    lines: blockers.into_iter().map(|b| b.line).collect(),
                });
            }
        };
        match assemble::attempt(&ctx, draft, renderer)? {
            assemble::Attempt::Done(imported) => return Ok(*imported),
            assemble::Attempt::GiveUp(conflicts) => {
                // Narrow parts first; the last resort (the whole Deployment) only when
                // nothing narrower is left to give up.
                let mut progress = false;
                for c in &conflicts {
                    if let Some(part) = c.part.as_ref().filter(|p| !p.last_resort()) {
                        progress |= limits.add(part.clone());
                    }
                }
                if !progress {
                    for c in &conflicts {
                        if let Some(part) = &c.part {
                            progress |= limits.add(part.clone());
                        }
                    }
                }
                if !progress {
                    return Err(not_reproducible(&conflicts));
                }
                last = conflicts;
            }
        }
    }
    Err(not_reproducible(&last))
}

fn not_reproducible(conflicts: &[residue::Conflict]) -> Failure {
    let mut lines: Vec<String> = conflicts
        .iter()
        .filter(|c| c.part.is_none())
        .map(residue::Conflict::line)
        .collect();
    if lines.is_empty() {
        lines = conflicts.iter().map(residue::Conflict::line).collect();
    }
    lines.sort();
    lines.dedup();
    let mut constructs: Vec<String> = conflicts
        .iter()
        .filter(|c| c.part.is_none())
        .map(|c| c.construct.clone())
        .collect();
    constructs.sort();
    constructs.dedup();
    Failure::NotReproducible { lines, constructs }
}

/// The local module a stack wraps its objects in (its workload lives in it — the
/// Deployment, or the jobs of a stack without one — and none at the root), when the
/// spec can flatten it: the module's text does not depend on where it lives
/// (`path.module`, local modules of its own) and the root reads nothing from it.
fn wrapping_module(src: &source::Source, input: &crate::planeq::Stack) -> Option<String> {
    use crate::conventions::workload as w;
    use crate::planeq::{Address, Kind};
    let workload_in = |module: &[String]| {
        input.objects().any(|(a, _)| {
            matches!(a, Address::Object(addr)
                if addr.kind == Kind::Resource
                    && w::DEPLOYMENT_TYPES
                        .iter()
                        .chain(&crate::conventions::jobs::CRON_TYPES)
                        .chain(&crate::conventions::jobs::JOB_TYPES)
                        .any(|t| *t == addr.ty)
                    && addr.module == module)
        })
    };
    if workload_in(&[]) {
        return None;
    }
    let candidates: Vec<&source::LocalModule> = src
        .modules
        .iter()
        .filter(|m| workload_in(std::slice::from_ref(&m.name)))
        .collect();
    let [module] = candidates.as_slice() else {
        return None;
    };
    let own_text = module.files.iter().any(|f| {
        f.text.contains("path.module")
            || f.body.blocks().any(|b| {
                !matches!(
                    b.ident.as_str(),
                    "resource" | "data" | "module" | "variable" | "locals" | "output" | "moved"
                ) || (b.ident.as_str() == "module"
                    && b.body
                        .get_attribute("source")
                        .and_then(|a| a.value.as_str())
                        .is_some_and(|s| s.starts_with("./")))
            })
    });
    // A root `moved` block into the module is the history of the wrapping, which
    // flattening undoes; anything else of the root that reads the module keeps it.
    let prefix = format!("module.{}.", module.name);
    let read_from_root = src.tops().any(|t| {
        use hcl_edit::Span as _;
        let text = t.block.span().map_or("", |s| &t.file.text[s]);
        text.contains(&prefix) && !into_module(&t, &prefix)
    });
    // The call's meta-arguments say something of every object in the module (when it
    // is applied, which provider applies it) that the objects at the root would not.
    let meta = src.module_call(&module.name).is_some_and(|t| {
        t.block.body.attributes().any(|a| match a.key.as_str() {
            "depends_on" | "count" | "for_each" => true,
            "providers" => !same_providers(&a.value),
            _ => false,
        })
    });
    (!own_text && !read_from_root && !meta).then(|| module.name.clone())
}

/// Whether `top` is a `moved` block from a root address into the module `prefix` names.
fn into_module(top: &source::Top, prefix: &str) -> bool {
    invert::moved_pair(top)
        .is_some_and(|(from, to)| to.starts_with(prefix) && !from.starts_with("module."))
}

/// Whether a module call's `providers` passes each provider as itself
/// (`{ kubernetes = kubernetes }`), which is what the objects at the root get anyway.
fn same_providers(value: &hcl_edit::expr::Expression) -> bool {
    let hcl_edit::expr::Expression::Object(object) = value else {
        return false;
    };
    object.iter().all(|(key, v)| {
        let key = match key {
            hcl_edit::expr::ObjectKey::Ident(i) => i.as_str().to_owned(),
            hcl_edit::expr::ObjectKey::Expression(e) => e.to_string().trim().to_owned(),
        };
        v.expr().to_string().trim() == key
    })
}
