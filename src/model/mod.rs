//! The model: a validated, fully resolved stack — an ordered list of objects.
//!
//! The spec language is sugar over it: every default of the spec, every name, resource
//! address, reference expression, volume, lifecycle entry and comment is decided here
//! (from [`crate::conventions`]), so templates only lay the objects out. Values are plain
//! data: strings reach the templates unescaped and become HCL literals there (see
//! `render`); only [`Expr`] values — references dlgen builds itself — pass through as HCL.
//! Every problem of a spec is collected, each at its YAML path.
//!
//! One file per part of the stack: `workload` (containers, Deployment), `storage` (volumes,
//! the backup CronJobs), `exposure` (Service, ingress), `refs` (variables, Vault and ESO
//! reads a value refers to), `adopt` (pinned addresses, `moved` blocks, raw HCL),
//! `scripts` (the jobs' shell scripts).

mod adopt;
mod config;
mod exposure;
mod governance;
mod jobs;
mod k8s_secret;
mod link;
mod manifests;
mod pod;
mod policy;
mod problems;
mod rbac;
mod refs;
mod scripts;
mod secrets;
mod storage;
mod traffic;
mod types;
mod workload;

pub(crate) use config::companion_name;
pub(crate) use k8s_secret::refused as refused_secret_value;
pub(crate) use pod::image_form;
pub(crate) use refs::object_ref;
pub(crate) use workload::keel_opted_out;

pub use problems::Problem;
pub use types::*;

use crate::conventions as cv;
use crate::hcl;
use crate::spec::{Scalar, Spec, Tier};
use crate::validate;

pub use scripts::SCRIPTS;

use problems::Problems;
use refs::Refs;

/// What every part of the resolution needs to know about the stack.
pub(crate) struct Ctx {
    pub name: String,
    pub snake: String,
    pub ns_ref: Expr,
    /// The tier's key (`aux`) and the expression of its label value.
    pub tier: &'static str,
    pub tier_expr: Expr,
    pub keel: bool,
    pub scale_to_zero: bool,
    pub secret_name: String,
    /// The namespace's name, and its resource as a reference (`<type>.<address>`; none
    /// when the stack creates no namespace: `ns_ref` is then the name as a literal).
    pub ns_name: String,
    pub ns_resource: Option<String>,
    /// The sablier group of a scale-to-zero Deployment.
    pub sablier_group: String,
    /// The spec has no `containers`: the stack's workload is not dlgen's (jobs, or whole
    /// blocks in `raw.stack`), and an ingress routes to a Service it does not write.
    pub foreign_workload: bool,
    /// The Traefik Middlewares the spec declares, as `(namespace, name)`: an ingress
    /// names them with `{middleware: <name>}`.
    pub middlewares: Vec<(String, String)>,
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
    // Vault data sources are labelled by whether the stack reads its own path, which is
    // known once every value is resolved: resolve again in the rare case that it does
    // and reads the platform path too (which then keeps its own label).
    let (built, read) = build_with(spec, false);
    if read.own_read {
        return build_with(spec, true).0;
    }
    built
}

/// [`build`], with the Vault labels decided by `own_read`. Also says whether the stack
/// reads both its own Vault path and the platform path.
fn build_with(spec: &Spec, own_read: bool) -> (Result<Stack, Vec<Problem>>, refs::VaultLabels) {
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
    let gpu = spec.deployment.as_ref().is_some_and(|d| d.gpu.is_some());
    let tier = match spec.tier {
        Some(t) => tier_name(t),
        None if gpu => cv::gpu::TIER,
        None => tier_name(Tier::Aux),
    };
    // Keel updates the Deployment: a stack of jobs only has none to enrol.
    let keel = spec.keel.unwrap_or(!spec.containers.is_empty());
    if spec.keel == Some(false) && Problems::why(&spec.keel_why).is_none() {
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
        None => cv::repo::DEPENDENCY.to_owned(),
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
    let create_ns = ns_spec.create != Some(false);
    let ns_type = workload::resource_type(
        &mut p,
        "namespace.resource_type",
        &ns_spec.resource_type,
        &cv::namespace::TYPES,
    );
    if !create_ns {
        for (field, set) in [
            ("address", ns_spec.address.is_some()),
            ("resource_type", ns_spec.resource_type.is_some()),
            ("labels", !ns_spec.labels.0.is_empty()),
        ] {
            if set {
                p.add(
                    format!("namespace.{field}"),
                    "the stack creates no namespace (`create: false`)",
                    Some(format!("remove `{field}`")),
                );
            }
        }
        if ns_spec.name.is_none() {
            p.missing(
                "namespace.name",
                "the existing namespace the stack deploys into (`create: false`)",
            );
        }
    }
    let own_secret = spec.secrets.clone().unwrap_or_default();
    let secret_name = match &own_secret.name {
        Some(n) => n.clone(),
        None => format!("{name}{}", cv::eso::SECRET_SUFFIX),
    };
    let sablier_group = spec
        .main_sablier_group()
        .map_or_else(|| name.clone(), str::to_owned);
    if let Some(group) = spec
        .ingress
        .as_ref()
        .and_then(|i| i.sablier.as_ref())
        .and_then(|s| s.group.as_ref())
    {
        p.check(
            "ingress.sablier.group",
            "sablier group",
            group,
            validate::label_value(group),
        );
    }
    let ctx = Ctx {
        snake: hcl::snake(&name),
        ns_ref: if create_ns {
            Expr(format!("{ns_type}.{ns_address}.metadata[0].name"))
        } else {
            Expr(hcl::quote(&ns_name))
        },
        tier,
        tier_expr: Expr(format!("{}.{tier}", cv::repo::TIER_LOCAL)),
        keel,
        scale_to_zero: spec.scale_to_zero.unwrap_or(false),
        secret_name,
        ns_name: ns_name.clone(),
        ns_resource: create_ns.then(|| format!("{ns_type}.{ns_address}")),
        sablier_group,
        foreign_workload: spec.containers.is_empty(),
        middlewares: traffic::declared_middlewares(spec, &ns_name),
        name,
    };
    let mut ns_labels = vec![entry("tier", ctx.tier_expr.clone())];
    let enrolled = ns_spec.keel_enrolled.unwrap_or(keel);
    if enrolled && !keel {
        p.add(
            "namespace.keel_enrolled",
            "the namespace cannot be enrolled in Keel with `keel: false`",
            Some("remove one of them".to_owned()),
        );
    }
    if enrolled && keel {
        ns_labels.push(entry(crate::conventions::keel::ENROLLED_LABEL, "true"));
    }
    let own_labels = workload::labels(&mut p, "namespace.labels", &ns_spec.labels);
    workload::extend_unique(&mut p, "namespace.labels", &mut ns_labels, own_labels);
    let quota = ns_spec.quota.as_ref().map(|q| {
        let own = governance::Own {
            field: "namespace.quota",
            what: "quota name",
            label: cv::quota::CUSTOM_QUOTA_LABEL,
            suffix: cv::quota::NAME_SUFFIX,
        };
        let (quota_name, address) = own.name_and_address(
            &mut p,
            (create_ns, &mut ns_labels),
            (&ns_name, &ns_address),
            (&q.name, &q.address),
        );
        if q.hard.0.is_empty() {
            p.missing(
                "namespace.quota.hard",
                "the hard limits, e.g. `hard: {requests.cpu: \"1\", requests.memory: 1Gi, pods: \"10\"}`",
            );
        }
        let hard = q
            .hard
            .0
            .iter()
            .map(|(k, v)| {
                let at = crate::de::path_key("namespace.quota.hard", k);
                p.check(&at, "resource", k, validate::qualified_name(k));
                entry(k, v.as_str())
            })
            .collect();
        let ty = workload::resource_type(
            &mut p,
            "namespace.quota.resource_type",
            &q.resource_type,
            &cv::quota::TYPES,
        );
        Object::new(
            Address::resource(&ty, &address),
            Body::ResourceQuota(ResourceQuota {
                name: quota_name,
                namespace: ctx.ns_ref.clone().into(),
                hard: Obj::lines(hard),
            }),
        )
    });
    let limit_range = ns_spec.limit_range.as_ref().map(|l| {
        governance::limit_range(
            &mut p,
            &ctx,
            l,
            (create_ns, &mut ns_labels),
            (&ns_name, &ns_address),
        )
    });
    let mut ns_comment = spec.comment.clone();
    if let (false, Some(why)) = (keel, Problems::why(&spec.keel_why)) {
        let line = format!("Keel auto-upgrade is off: {why}");
        ns_comment = Some(match ns_comment {
            Some(c) => format!("{}\n{line}", c.trim_end()),
            None => line,
        });
    }
    let raw = spec.raw.clone().unwrap_or_default();
    let mut namespace = Object::new(
        Address::resource(&ns_type, &ns_address),
        Body::Namespace(Namespace {
            name: ns_name.clone(),
            labels: Obj::lines(ns_labels),
            lifecycle: match ns_spec.goldilocks_ignore {
                Some(false) => Lifecycle {
                    comment: None,
                    ignore_changes: Vec::new(),
                    multiline: false,
                },
                _ => Lifecycle {
                    comment: Some(cv::lifecycle_comments::NAMESPACE_GOLDILOCKS.to_owned()),
                    ignore_changes: vec![ignore(
                        &cv::ignore::metadata_label(cv::labels::GOLDILOCKS_VPA_UPDATE_MODE),
                        None,
                    )],
                    multiline: false,
                },
            },
        }),
    );
    namespace.comment = ns_comment;
    namespace.raw = adopt::raw(&mut p, "raw.namespace", &raw.namespace);

    // --- the parts ------------------------------------------------------------------
    let mut refs = Refs {
        vault_labels: refs::VaultLabels {
            own: own_secret
                .vault_key
                .clone()
                .unwrap_or_else(|| ctx.name.clone()),
            own_read,
        },
        own_secret: ctx.secret_name.clone(),
        ..Refs::default()
    };
    let own_image = own_image(&mut p, &ctx, spec);
    let own_image_ref = own_image
        .as_ref()
        .map(|_| Expr(format!("local.{}", cv::own_image::LOCAL)));
    let app = workload::AppLabels::of(&mut p, &ctx, &spec.deployment.clone().unwrap_or_default());
    let mut volumes = storage::volumes(&mut p, &ctx, spec, &mut refs);
    let mut depends = Vec::new();
    let mut deployment = workload::deployment(
        &mut p,
        &ctx,
        spec,
        &app,
        &volumes,
        &mut refs,
        own_image_ref.as_ref(),
    )
    .map(|(object, request)| {
        depends.push(request);
        object
    });
    let (services, service_infos) = {
        let app = deployment.as_ref().and_then(exposure::app_of);
        exposure::services(&mut p, &ctx, spec, app.as_ref(), &mut refs)
    };
    let tls_spec = spec.tls.clone().unwrap_or_default();
    let has_ingress = spec.ingress.is_some() || !spec.ingresses.is_empty();
    let no_tls = match (tls_spec.enabled, Problems::why(&tls_spec.why)) {
        (Some(false), Some(why)) => Some(why),
        (Some(false), None) => {
            if has_ingress {
                p.add(
                    "tls.enabled",
                    "an ingress without the TLS module relies on Kyverno cloning the wildcard secret; say so",
                    Some("add `why:` under `tls:` (e.g. Kyverno's sync-tls-secret policy clones the wildcard secret into every namespace)".to_owned()),
                );
            }
            None
        }
        (_, Some(_)) => {
            p.add(
                "tls.why",
                "`why` explains `enabled: false`, which is not set",
                None,
            );
            None
        }
        (_, None) => None,
    };
    let ingresses = exposure::ingresses(
        &mut p,
        &ctx,
        spec,
        &service_infos,
        &mut refs,
        has_ingress.then(|| no_tls.clone()).flatten(),
    );
    let middlewares = traffic::middlewares(&mut p, &ctx, &spec.middlewares, &mut refs);
    let manifests = manifests::manifests(&mut p, &ctx, &spec.manifests, &mut refs);
    let disruption_budget = spec
        .disruption_budget
        .as_ref()
        .map(|b| traffic::disruption_budget(&mut p, &ctx, b, &app));
    let network_policies = policy::network_policies(&mut p, &ctx, &spec.network_policies, &app);
    let backup = storage::backup(&mut p, &ctx, spec, &mut volumes, &app.selector());
    let app_selector = deployment.as_ref().map(|_| app.selector());
    let app_jobs = jobs::app_jobs(
        &mut p,
        &ctx,
        spec,
        &mut refs,
        own_image_ref.as_ref(),
        app_selector.as_ref(),
    );
    let mut files = Vec::new();
    let mut config_maps = Vec::new();
    for (i, c) in spec.config_maps.iter().enumerate() {
        let (object, checksums) = config::config_map(&mut p, &ctx, i, c, &mut refs, &mut files);
        if !checksums.is_empty() {
            match deployment.as_mut().map(|d| &mut d.body) {
                Some(Body::Deployment(d)) => {
                    let mut annotations = d.pod_annotations.take().unwrap_or_default();
                    annotations.multiline = true;
                    for e in checksums {
                        if annotations.entries.iter().any(|a| a.key == e.key) {
                            p.add(
                                format!("config_maps[{i}].checksums"),
                                format!("the pod template's annotation `{}` is set twice", e.key),
                                None,
                            );
                        }
                        annotations.entries.push(e);
                    }
                    d.pod_annotations = Some(annotations);
                }
                _ => p.add(
                    format!("config_maps[{i}].checksums"),
                    "there is no Deployment whose pods the checksum would roll",
                    None,
                ),
            }
        }
        config_maps.push(object);
    }
    let service_accounts: Vec<Object> = spec
        .service_accounts
        .iter()
        .enumerate()
        .flat_map(|(i, sa)| rbac::service_account(&mut p, &ctx, i, sa))
        .collect();
    let random = secrets::random(&mut p, &spec.random);
    let kubernetes_secrets: Vec<Object> = spec
        .kubernetes_secrets
        .iter()
        .enumerate()
        .map(|(i, s)| k8s_secret::kubernetes_secret(&mut p, &ctx, i, s, &mut refs, &mut files))
        .collect();

    // --- secrets --------------------------------------------------------------------
    let mut secrets = Vec::new();
    let own_address = match &own_secret.address {
        Some(a) => a.clone(),
        None => cv::eso::ADDRESS.to_owned(),
    };
    // A Secret the stack writes itself under the stack's secret name is what its pods
    // read by that name: it is not synced from Vault, so no ExternalSecret is made for it.
    let written_under_own_name = spec.kubernetes_secrets.iter().position(|s| {
        s.name.as_deref() == Some(ctx.secret_name.as_str())
            && s.namespace.as_deref().is_none_or(|n| n == ctx.ns_name)
    });
    if let (Some(i), Some(_)) = (written_under_own_name, &spec.secrets) {
        p.add(
            format!("kubernetes_secrets[{i}].name"),
            format!(
                "`{}` is the secret `secrets:` syncs from Vault; two objects cannot write one secret",
                ctx.secret_name
            ),
            Some("give this secret another name, or remove `secrets:`".to_owned()),
        );
    }
    let runtime_from_vault = refs.runtime_secrets && written_under_own_name.is_none();
    if runtime_from_vault || !refs.eso.is_empty() || spec.secrets.is_some() {
        secrets.push(secrets::external_secret(
            &mut p,
            &ctx,
            secrets::Which::Own,
            &own_secret,
            &mut refs,
        ));
    }
    for (i, s) in spec.external_secrets.iter().enumerate() {
        let es = secrets::external_secret(&mut p, &ctx, secrets::Which::Other(i), s, &mut refs);
        if secrets.iter().any(|o: &Object| o.address == es.address) {
            p.add(
                format!("external_secrets[{i}].address"),
                format!(
                    "`{}` is the address of another ExternalSecret",
                    es.address.reference()
                ),
                Some("pin another `address:`".to_owned()),
            );
        }
        secrets.push(es);
    }
    let read_always = own_secret.read == Some(true);
    if own_secret.read == Some(false) && !refs.eso.is_empty() {
        p.add(
            "secrets.read",
            "`read: false` but an `{eso: ...}` value reads the secret at plan time",
            Some("leave `read` out".to_owned()),
        );
    }
    if !refs.eso.is_empty() || read_always {
        let depends_on = match own_secret.read_depends_on {
            Some(false) => Vec::new(),
            _ => vec![Expr(format!("kubernetes_manifest.{own_address}"))],
        };
        let mut read = Object::new(
            Address::data("kubernetes_secret", cv::eso::DATA_ADDRESS),
            Body::SecretData(SecretData {
                name: ctx.secret_name.clone(),
                namespace: ctx.ns_ref.clone().into(),
                depends_on,
            }),
        );
        read.comment = Some(cv::eso::DATA_COMMENT.to_owned());
        secrets.push(read);
        let locals = refs.eso_locals();
        if !locals.is_empty() {
            secrets.push(Object::new(
                Address::unnamed(BlockKind::Locals),
                Body::Locals(Locals { entries: locals }),
            ));
        }
    }
    for (secret, namespace) in &refs.other_secrets {
        secrets.push(Object::new(
            Address::data("kubernetes_secret", &refs::secret_read_label(secret)),
            Body::SecretData(SecretData {
                name: secret.clone(),
                namespace: match namespace {
                    Some(ns) => Value::Str(ns.clone()),
                    None => ctx.ns_ref.clone().into(),
                },
                depends_on: Vec::new(),
            }),
        ));
    }

    // --- variables ------------------------------------------------------------------
    let variable = |name: &str, sensitive: bool, flag: bool| {
        let declared = spec
            .variables
            .0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v);
        let (kind, default) = match declared.and_then(|v| v.default.as_ref()) {
            None if flag => ("bool", None),
            None => ("string", None),
            Some(Scalar::Bool(b)) => ("bool", Some(Value::Bool(*b))),
            Some(Scalar::Int(n)) => ("number", Some(Value::Int(*n))),
            Some(Scalar::Float(f)) => ("number", Some(Value::Float(*f))),
            Some(Scalar::Str(t)) => ("string", Some(Value::Str(t.clone()))),
        };
        Object::new(
            Address {
                block: BlockKind::Variable,
                kind: None,
                name: name.to_owned(),
            },
            Body::Variable(Variable {
                kind: Expr::new(kind),
                sensitive: declared.and_then(|v| v.sensitive).unwrap_or(sensitive),
                default,
                description: declared.and_then(|v| v.description.clone()),
            }),
        )
    };
    for (name, declared) in &spec.variables.0 {
        let path = format!("variables.{name}");
        if name == cv::repo::TLS_SECRET_VARIABLE {
            let only_not_sensitive = declared.sensitive == Some(false)
                && declared.default.is_none()
                && declared.description.is_none();
            if !only_not_sensitive {
                p.invalid(
                    &path,
                    "variable",
                    name,
                    "is declared by the stack's conventions (`sensitive = true`); only `sensitive: false` can be said of it",
                );
            }
        } else if spec.image.as_ref().is_some_and(|i| name == i.variable()) {
            p.invalid(
                &path,
                "variable",
                name,
                "is declared by the stack's conventions; leave it out of `variables`",
            );
        } else if !hcl::is_identifier(name) {
            p.invalid(
                &path,
                "variable name",
                name,
                "is not an identifier (letters, digits and `_`, not starting with a digit)",
            );
        } else {
            refs.var(name);
        }
    }
    let mut objects = Vec::new();
    let own_image_locals = own_image.map(|(var, locals)| {
        objects.push(var);
        locals
    });
    objects.push(variable(cv::repo::TLS_SECRET_VARIABLE, true, false));
    if volumes.nfs_var {
        refs.var(cv::repo::NFS_SERVER_VARIABLE);
    }
    for var in &refs.vars {
        let own =
            own_image_locals.is_some() && spec.image.as_ref().is_some_and(|i| var == i.variable());
        if var != cv::repo::TLS_SECRET_VARIABLE && !own {
            objects.push(variable(var, false, refs.flags.contains(var)));
        }
    }
    objects.extend(own_image_locals);

    // --- main.tf, in file order -----------------------------------------------------
    objects.extend(refs.vault_reads());
    let vault_locals = refs.vault_locals();
    if !vault_locals.is_empty() {
        objects.push(Object::new(
            Address::unnamed(BlockKind::Locals),
            Body::Locals(Locals {
                entries: vault_locals,
            }),
        ));
    }
    if let (Some(why), false) = (&no_tls, has_ingress) {
        let line = format!("{}: {why}", cv::ingress::NO_TLS_COMMENT);
        namespace.comment = Some(match namespace.comment.take() {
            Some(c) => format!("{}\n{line}", c.trim_end()),
            None => line,
        });
    }
    if create_ns {
        objects.push(namespace);
    }
    objects.extend(quota);
    objects.extend(limit_range);
    objects.extend(secrets);
    objects.extend(random);
    objects.extend(config_maps);
    objects.extend(kubernetes_secrets);
    objects.extend(service_accounts);
    if tls_spec.enabled != Some(false) {
        let mut tls = Object::new(
            Address::module("tls_secret"),
            Body::ModuleCall(ModuleCall {
                source: format!("{}/{}", cv::repo::MODULES, cv::repo::TLS_MODULE),
                args: vec![
                    arg("namespace", ctx.ns_ref.clone()),
                    arg(
                        cv::repo::TLS_SECRET_VARIABLE,
                        Expr(format!("var.{}", cv::repo::TLS_SECRET_VARIABLE)),
                    ),
                ],
            }),
        );
        tls.raw = adopt::raw(&mut p, "raw.tls_secret", &raw.tls_secret);
        objects.push(tls);
    } else if raw.tls_secret.is_some() {
        p.add(
            "raw.tls_secret",
            "there is no TLS module to attach raw HCL to (`tls: {enabled: false}`)",
            None,
        );
    }
    objects.extend(volumes.pvcs);
    objects.extend(volumes.nfs);
    // One-shot Jobs (a database to create first) before the Deployment, CronJobs after
    // the Service and the backups, as the repo's files read.
    let (one_shot, cron): (Vec<_>, Vec<_>) = app_jobs
        .into_iter()
        .enumerate()
        .partition(|(_, (object, _))| matches!(object.body, Body::Job(_)));
    let mut app_job =
        |objects: &mut Vec<Object>,
         (i, (object, request)): (usize, (Object, link::DependsRequest))| {
            let reference = object.address.reference();
            if objects.iter().any(|o| o.address.reference() == reference) {
                p.add(
                    format!("jobs[{i}].address"),
                    format!("`{reference}` is the address of another object of the stack"),
                    Some("give the job another `name` or `address`".to_owned()),
                );
            }
            objects.push(object);
            depends.push(request);
        };
    for job in one_shot {
        app_job(&mut objects, job);
    }
    objects.extend(deployment);
    objects.extend(disruption_budget);
    objects.extend(services);
    objects.extend(backup.into_iter().flatten());
    for job in cron {
        app_job(&mut objects, job);
    }
    objects.extend(middlewares);
    objects.extend(manifests);
    objects.extend(ingresses);
    objects.extend(network_policies);
    let mut moved = adopt::moved(&mut p, spec, &objects);
    if let Some(first) = moved.first_mut() {
        // The note on the adoption first, then what the block's own comment says.
        let note = cv::markers::ADOPTION_MOVED_COMMENT;
        first.comment = Some(match first.comment.take() {
            Some(c) => format!("{note}\n{}", c.trim_end()),
            None => note.to_owned(),
        });
    }
    objects.extend(moved);
    let imports = adopt::imports(&mut p, spec, &objects);
    objects.extend(imports);
    // What raw blocks may not redeclare is checked on the rendered file (`structure`).
    if let Some(raw_stack) = adopt::raw(&mut p, "raw.stack", &raw.stack) {
        objects.push(Object::new(
            Address::unnamed(BlockKind::Raw),
            Body::RawBlocks(RawBlocks { raw: raw_stack }),
        ));
    }

    if let Some(job) = spec.backup.as_ref().and_then(|b| b.job.as_ref()) {
        refs.objects.push(("backup.job".to_owned(), job.clone()));
    }
    refs::check_object_refs(&mut p, &refs.objects, &objects);
    link::link(
        &mut p,
        &mut objects,
        &depends,
        &link::PodNamespace {
            name: &ns_name,
            reference: &ctx.ns_ref,
        },
    );
    duplicate_addresses(&mut p, &objects);

    // --- terragrunt.hcl -------------------------------------------------------------
    if let Some(list) = &spec.dependencies {
        if spec.dependency.is_some() {
            p.add(
                "dependencies",
                "`dependency` and `dependencies` both set the Terragrunt dependencies",
                Some("list them all in `dependencies`".to_owned()),
            );
        }
        let mut seen: Vec<&str> = Vec::new();
        for (i, d) in list.iter().enumerate() {
            let at = format!("dependencies[{i}]");
            p.check(&at, "dependency", d, validate::dns_label(d));
            if seen.contains(&d.as_str()) {
                p.add(at, format!("`{d}` is listed twice"), None);
            }
            seen.push(d);
        }
    }
    let dependencies = match &spec.dependencies {
        Some(list) => list.clone(),
        None => vec![dependency],
    };
    let inputs = spec
        .inputs
        .0
        .iter()
        .map(|(k, v)| {
            let at = crate::de::path_key("inputs", k);
            if !hcl::is_identifier(k) {
                p.invalid(&at, "input", k, "is not a Terraform variable name");
            }
            let mut scope = config::DataScope {
                refs: None,
                files: None,
            };
            entry(k, config::data_value(&mut p, &at, v, false, &mut scope))
        })
        .collect::<Vec<_>>();

    let stack = Stack {
        name: ctx.name.clone(),
        header_comment: spec.header_comment.clone(),
        footer_comment: spec.footer_comment.clone(),
        objects,
        terragrunt: Terragrunt {
            includes: if spec.root_include.unwrap_or(cv::repo::ROOT_INCLUDE_ON) {
                vec![Include {
                    name: cv::repo::ROOT_INCLUDE.to_owned(),
                    path: Expr::new(cv::repo::ROOT_INCLUDE_PATH),
                }]
            } else {
                Vec::new()
            },
            dependencies: dependencies
                .into_iter()
                .map(|d| Dependency {
                    config_path: format!("../{d}"),
                    name: d,
                    skip_outputs: true,
                })
                .collect(),
            inputs: Obj::lines(inputs).non_empty(),
            raw: adopt::raw(&mut p, "raw.terragrunt", &raw.terragrunt),
        },
        files,
        comments: anchored_comments(&mut p, &spec.comments),
    };
    let mut labels = refs.vault_labels.clone();
    labels.own_read = !own_read
        && labels.own != cv::vault::PLATFORM_PATH
        && refs.vault.contains(&labels.own)
        && refs.vault.iter().any(|v| v == cv::vault::PLATFORM_PATH);
    (p.into_result(stack), labels)
}

/// The spec's anchored comments (`comments:`), checked: an anchor that parses, a text
/// that says something, one line when trailing, and no marker or suppression (those come
/// from the fields whose convention or reason they stand for). Where each anchor leads is
/// checked when the stack is rendered.
fn anchored_comments(
    p: &mut Problems,
    list: &[crate::spec::CommentSpec],
) -> Vec<crate::anchor::Comment> {
    let mut out = Vec::new();
    for (i, c) in list.iter().enumerate() {
        let field = format!("comments[{i}]");
        let Some(at) = &c.at else {
            p.missing(
                &format!("{field}.at"),
                "where the comment goes, e.g. `kubernetes_namespace.app.metadata.labels[\"tier\"]`",
            );
            continue;
        };
        let anchor = match crate::anchor::parse(at) {
            Ok(a) => a,
            Err(why) => {
                p.add(
                    format!("{field}.at"),
                    format!("`{at}` is not an anchor: {why}"),
                    Some("an address, then `.name`, `.name[n]` and `[\"key\"]` steps, e.g. `kubernetes_deployment.app.spec.template`".to_owned()),
                );
                continue;
            }
        };
        let text = c.text.as_deref().unwrap_or("");
        if text.trim().is_empty() {
            p.missing(&format!("{field}.text"), "the comment, without `#`");
            continue;
        }
        let placement = placement(c.place);
        if placement == crate::anchor::Placement::Trailing && text.trim().contains('\n') {
            p.add(
                format!("{field}.text"),
                "a trailing comment is one line",
                Some("place it `above`, or write one line".to_owned()),
            );
            continue;
        }
        if let Some((message, help)) = refused_comment_words(text) {
            p.add(format!("{field}.text"), message, Some(help));
            continue;
        }
        out.push(crate::anchor::Comment {
            field,
            anchor,
            text: text.trim_end().to_owned(),
            placement,
        });
    }
    out
}

/// Where the spec's `place` puts an anchored comment.
pub(crate) fn placement(place: Option<crate::spec::CommentPlace>) -> crate::anchor::Placement {
    use crate::anchor::Placement;
    use crate::spec::CommentPlace;
    match place {
        None | Some(CommentPlace::Above) => Placement::Above,
        Some(CommentPlace::DirectlyAbove) => Placement::DirectlyAbove,
        Some(CommentPlace::Trailing) => Placement::Trailing,
    }
}

/// Why words the spec gives for a comment cannot be written, with what to do, if they
/// cannot: a comment never suppresses a lint rule, and never holds a marker, which dlgen
/// writes itself where its convention holds.
pub(crate) fn refused_comment_words(text: &str) -> Option<(String, String)> {
    if text.contains(crate::lint::suppress::DIRECTIVE) {
        return Some((
            "a comment cannot suppress a lint rule".to_owned(),
            "a suppression comes from the `*_why` field of the choice it explains".to_owned(),
        ));
    }
    cv::markers::find_in(text).map(|marker| {
        (
            format!("`{marker}` is a marker dlgen writes where its convention holds"),
            "leave the marker out".to_owned(),
        )
    })
}

/// Two objects of the spec at one address: reported instead of a file Terraform refuses.
fn duplicate_addresses(p: &mut Problems, objects: &[Object]) {
    let mut seen: Vec<String> = Vec::new();
    for o in objects {
        if !matches!(
            o.address.block,
            BlockKind::Resource | BlockKind::Data | BlockKind::Module
        ) {
            continue;
        }
        let reference = o.address.reference();
        if seen.contains(&reference) {
            p.add(
                "",
                format!("the stack would declare `{reference}` twice"),
                Some("two objects of the spec take the same address: pin another `address:` (or name) on one of them".to_owned()),
            );
        }
        seen.push(reference);
    }
}

/// The stack's own image (the in-house family): the tag variable with its default and
/// description, and a local of the image reference with that tag.
fn own_image(p: &mut Problems, ctx: &Ctx, spec: &Spec) -> Option<(Object, Object)> {
    let image = spec.image.as_ref()?;
    let repository = match &image.repository {
        Some(r) => {
            let tagged =
                r.rsplit('/').next().is_some_and(|last| last.contains(':')) || r.contains('@');
            if tagged {
                p.add(
                    "image.repository",
                    format!(
                        "`{r}` carries a tag or digest; the tag comes from the `{}` variable",
                        image.variable()
                    ),
                    Some("write the repository alone, and the default tag as `tag:`".to_owned()),
                );
            } else {
                p.check("image.repository", "image", r, validate::image(r));
            }
            r.clone()
        }
        None => {
            p.missing(
                "image.repository",
                "the repository without a tag, e.g. `repository: ghcr.io/viktorbarzin/app`",
            );
            String::new()
        }
    };
    let tag = image
        .tag
        .clone()
        .unwrap_or_else(|| cv::own_image::DEFAULT_TAG.to_owned());
    p.check(
        "image.tag",
        "image tag",
        &tag,
        validate::image(&format!("{repository}:{tag}")),
    );
    let name = image.variable();
    if let Some(v) = &image.variable
        && (!hcl::is_identifier(v) || v == cv::repo::TLS_SECRET_VARIABLE)
    {
        p.invalid(
            "image.variable",
            "variable name",
            v,
            "is not a Terraform variable name of its own (letters, digits and `_`, not starting with a digit; not `tls_secret_name`)",
        );
    }
    let description = match &image.description {
        Some(d) if d.is_empty() => None,
        Some(d) => Some(d.clone()),
        None => Some(cv::own_image::description(&ctx.name)),
    };
    let variable = Object::new(
        Address {
            block: BlockKind::Variable,
            kind: None,
            name: name.to_owned(),
        },
        Body::Variable(Variable {
            kind: Expr::new("string"),
            sensitive: false,
            default: Some(Value::Str(tag)),
            description,
        }),
    );
    let mut text = format!("\"{}", hcl::template_text(&repository));
    text.push(':');
    hcl::push_interpolation(&mut text, &format!("var.{name}"));
    text.push('"');
    let locals = Object::new(
        Address::unnamed(BlockKind::Locals),
        Body::Locals(Locals {
            entries: vec![entry(cv::own_image::LOCAL, Expr(text))],
        }),
    );
    Some((variable, locals))
}
