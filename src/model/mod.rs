//! The model: a validated, fully resolved stack.
//!
//! Every default of the spec, every name, resource address, reference expression, volume,
//! lifecycle entry and comment is decided here, so templates only lay the model out.
//! Values are plain data: strings reach the templates unescaped and become HCL literals
//! there (see `render`); only [`Expr`] values — references dlgen builds itself — pass through
//! as raw HCL. Every problem of a spec is collected, each at its YAML path.
//!
//! One file per part of the stack: `workload` (containers, Deployment), `storage` (volumes,
//! backup CronJobs), `exposure` (Service, ingress), `refs` (variables, Vault and ESO reads a
//! value refers to), `adopt` (pinned addresses, `moved` blocks, raw HCL).

mod adopt;
mod exposure;
mod problems;
mod refs;
mod storage;
mod types;
mod workload;

pub use problems::Problem;
pub use types::*;

use crate::hcl;
use crate::spec::{Spec, Tier};
use crate::validate;

use problems::Problems;
use refs::Refs;

/// Where the repo's shared modules live, relative to a stack directory.
pub const MODULES: &str = "../../modules/kubernetes";
/// The domain under which ingress host labels live.
pub const DOMAIN: &str = "viktorbarzin.me";

/// What every part of the resolution needs to know about the stack.
pub(crate) struct Ctx {
    pub name: String,
    pub snake: String,
    pub ns_ref: Expr,
    pub tier_expr: Expr,
    pub keel: bool,
    pub scale_to_zero: bool,
    pub secret_name: String,
}

fn tier_name(tier: Tier) -> &'static str {
    match tier {
        Tier::Core => "core",
        Tier::Cluster => "cluster",
        Tier::Gpu => "gpu",
        Tier::Edge => "edge",
        Tier::Aux => "aux",
    }
}

/// Names that become Terraform addresses must start with a letter (a DNS-1123 label may
/// start with a digit, a Terraform name may not).
pub(crate) fn starts_with_letter(name: &str) -> Result<(), String> {
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        Err("starts with a digit, but it also names Terraform resources, whose names start with a letter".to_owned())
    } else {
        Ok(())
    }
}

/// Resolves a spec into a stack, or returns every problem found.
pub fn build(spec: &Spec) -> Result<Stack, Vec<Problem>> {
    let mut p = Problems::default();

    // --- identity -------------------------------------------------------------------
    let name = match &spec.name {
        Some(n) => {
            p.check("name", "stack name", n, validate::dns_label(n));
            p.check("name", "stack name", n, starts_with_letter(n));
            n.clone()
        }
        None => {
            p.missing(
                "name",
                "the stack name, e.g. `name: drone-logbook` (a DNS-1123 label)",
            );
            String::from("stack")
        }
    };
    let tier = tier_name(spec.tier.unwrap_or(Tier::Aux));
    let keel = spec.keel.unwrap_or(true);
    if !keel && Problems::why(&spec.keel_why).is_none() {
        p.add(
            "keel",
            "`keel: false` switches off a convention and needs a written reason",
            Some("add `keel_why:` saying why this app must not be auto-upgraded".to_owned()),
        );
    }
    let dependency = match &spec.dependency {
        Some(d) => {
            p.check("dependency", "dependency", d, validate::dns_label(d));
            d.clone()
        }
        None => "platform".to_owned(),
    };

    // --- namespace ------------------------------------------------------------------
    let ns_spec = spec.namespace.clone().unwrap_or_default();
    let ns_name = match &ns_spec.name {
        Some(n) => {
            p.check("namespace.name", "namespace", n, validate::dns_label(n));
            n.clone()
        }
        None => name.clone(),
    };
    if ns_spec.name.is_some() && ns_spec.address.is_none() {
        p.check(
            "namespace.name",
            "namespace",
            &ns_name,
            starts_with_letter(&ns_name),
        );
    }
    let ns_address = adopt::address(&mut p, "namespace.address", &ns_spec.address, || {
        hcl::snake(&ns_name)
    });
    let ctx = Ctx {
        snake: hcl::snake(&name),
        ns_ref: Expr(format!(
            "kubernetes_namespace.{ns_address}.metadata[0].name"
        )),
        tier_expr: Expr(format!("local.tiers.{tier}")),
        keel,
        scale_to_zero: spec.scale_to_zero.unwrap_or(false),
        secret_name: format!("{name}-secrets"),
        name,
    };
    let mut ns_labels = vec![entry("tier", ctx.tier_expr.clone())];
    if keel {
        ns_labels.push(entry(crate::conventions::keel::ENROLLED_LABEL, "true"));
    }
    ns_labels.extend(workload::labels(
        &mut p,
        "namespace.labels",
        &ns_spec.labels,
        true,
    ));
    let mut ns_comment = spec.comment.clone();
    if let (false, Some(why)) = (keel, Problems::why(&spec.keel_why)) {
        let line = format!("Keel auto-upgrade is off: {why}");
        ns_comment = Some(match ns_comment {
            Some(c) => format!("{}\n{line}", c.trim_end()),
            None => line,
        });
    }
    let raw = spec.raw.clone().unwrap_or_default();
    let namespace = Namespace {
        address: ns_address.clone(),
        name: ns_name.clone(),
        comment: ns_comment,
        labels: ns_labels,
        raw: adopt::snippet(&mut p, "raw.namespace", &raw.namespace),
    };

    // --- the parts ------------------------------------------------------------------
    let mut refs = Refs::default();
    let mut volumes = storage::volumes(&mut p, &ctx, spec);
    let deployment = workload::deployment(&mut p, &ctx, spec, &volumes, &mut refs);
    let service = exposure::service(&mut p, &ctx, spec, &deployment);
    let ingress = exposure::ingress(&mut p, &ctx, spec, service.is_some(), &mut refs);
    let backup = storage::backup(&mut p, &ctx, spec, &mut volumes);

    // --- secrets --------------------------------------------------------------------
    let external_secret = if refs.runtime_secrets || !refs.eso.is_empty() || spec.secrets.is_some()
    {
        let vault_key = match spec.secrets.as_ref().and_then(|s| s.vault_key.as_ref()) {
            Some(k) => {
                p.check("secrets.vault_key", "Vault key", k, validate::vault_key(k));
                k.clone()
            }
            None => ctx.name.clone(),
        };
        Some(ExternalSecret {
            secret_name: ctx.secret_name.clone(),
            namespace: ns_name.clone(),
            vault_key,
            depends_on: vec![Expr(format!("kubernetes_namespace.{ns_address}"))],
        })
    } else {
        None
    };
    let eso_data = (!refs.eso.is_empty()).then(|| EsoData {
        secret_name: ctx.secret_name.clone(),
        namespace: ctx.ns_ref.clone(),
        locals: refs.eso_locals(),
    });

    // --- variables ------------------------------------------------------------------
    let mut variables = vec![Variable {
        name: "tls_secret_name".to_owned(),
        sensitive: true,
    }];
    let nfs_used = !volumes.nfs.is_empty()
        || backup
            .as_ref()
            .is_some_and(|b| matches!(b.target.nfs_server, Val::Expr(_)));
    if nfs_used {
        refs.var("nfs_server");
    }
    for var in &refs.vars {
        if var != "tls_secret_name" {
            variables.push(Variable {
                name: var.clone(),
                sensitive: false,
            });
        }
    }

    let mut stack = Stack {
        variables,
        vault_reads: refs.vault_reads(),
        namespace,
        external_secret,
        eso_data,
        tls: TlsSecret {
            source: format!("{MODULES}/setup_tls_secret"),
            namespace: ctx.ns_ref.clone(),
        },
        pvcs: volumes.pvcs,
        nfs_volumes: volumes.nfs,
        deployment,
        service,
        ingress,
        backup,
        moved: Vec::new(),
        raw: adopt::snippet(&mut p, "raw.stack", &raw.stack),
        terragrunt: Terragrunt { dependency },
        name: ctx.name.clone(),
    };
    stack.moved = adopt::moved(&mut p, spec, &stack);
    adopt::check_raw_stack(&mut p, &stack);
    p.into_result(stack)
}
