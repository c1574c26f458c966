//! What `terraform validate` checks of a file's structure before it needs any provider,
//! checked on the rendered text: no attribute set twice in one body, no second block
//! where only one is allowed (`lifecycle`, `metadata`, `spec`, …), and no address
//! declared twice (`resource`, `data`, `module`, `variable`, `output`, a `locals` key, a
//! `moved` source; in `terragrunt.hcl`, an `include` or `dependency` name).
//!
//! Whatever breaks one of these rules comes from raw HCL of the spec (the generated part
//! is valid by construction), so each conflict is traced to the raw snippet ([`Site`])
//! that adds the colliding item, and reported at that snippet's line in the spec.
//!
//! Which nested blocks may appear once and which repeat is data: [`SINGLETON_BLOCKS`] and
//! [`REPEATED_BLOCKS`]. A block in neither list is not checked (the provider's schema
//! decides, and dlgen does not hold the schemas).

use hcl_edit::Span as _;
use hcl_edit::structure::{Block, Body, Structure};

/// Blocks that may appear at most once in the body that holds them (the Kubernetes
/// provider's `max_items = 1` blocks and Terraform's own `lifecycle`).
pub const SINGLETON_BLOCKS: &[&str] = &[
    "lifecycle",
    "connection",
    "timeouts",
    "metadata",
    "spec",
    "template",
    "job_template",
    "strategy",
    "rolling_update",
    "selector",
    "resources",
    "affinity",
    "pod_affinity",
    "pod_anti_affinity",
    "node_affinity",
    "label_selector",
    "security_context",
    "capabilities",
    "seccomp_profile",
    "se_linux_options",
    "dns_config",
    "liveness_probe",
    "readiness_probe",
    "startup_probe",
    "http_get",
    "tcp_socket",
    "exec",
    "grpc",
    "value_from",
    "secret_key_ref",
    "config_map_key_ref",
    "field_ref",
    "resource_field_ref",
    "persistent_volume_claim",
    "config_map",
    "secret",
    "empty_dir",
    "host_path",
    "nfs",
    "projected",
    "field_manager",
    "wait",
    "post_start",
    "pre_stop",
    "session_affinity_config",
    "preference",
    "pod_affinity_term",
    "secret_ref",
    "config_map_ref",
    "role_ref",
    "pod_selector",
    "namespace_selector",
    "ip_block",
];

/// Blocks that repeat: one per item (listed so that the table says what is known).
pub const REPEATED_BLOCKS: &[&str] = &[
    "container",
    "init_container",
    "volume",
    "volume_mount",
    "volume_device",
    "env",
    "env_from",
    "port",
    "toleration",
    "option",
    "image_pull_secrets",
    "host_aliases",
    "topology_spread_constraint",
    "required_during_scheduling_ignored_during_execution",
    "preferred_during_scheduling_ignored_during_execution",
    "match_expressions",
    "node_selector_term",
    "items",
    "sources",
    "sysctl",
    "http_header",
    "rule",
    "subject",
    "ingress",
    "egress",
    "limit",
    "from",
    "to",
    "ports",
    "dynamic",
    "provisioner",
];

/// A raw HCL snippet of the spec and where it was put: inside the block at `path` of
/// the top-level object `object` (`None`: at the top level of `file`).
#[derive(Debug, Clone)]
pub struct Site<'a> {
    pub file: &'a str,
    /// The top-level block, as [`declared_address`] names it (`kubernetes_deployment.app`).
    pub object: Option<String>,
    /// Nested blocks, each as `<name>[<index among blocks of that name>]`.
    pub path: Vec<String>,
    pub text: &'a str,
    /// The spec field it came from (`raw.pod`, `containers[1].raw`).
    pub field: &'a str,
}

/// One structural error of a rendered file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub file: String,
    /// Where: the top-level block and the nested blocks (`kubernetes_deployment.app >
    /// spec > template > spec`), or the file.
    pub location: String,
    /// The attribute, block or address declared twice.
    pub key: String,
    pub what: What,
    /// The raw snippet that adds it: its spec field and the line inside the snippet.
    pub origin: Option<(String, usize)>,
    /// The raw snippet holds every occurrence itself (it repeats the key on its own).
    pub within_raw: bool,
    /// The top-level block's type (`kubernetes_deployment`), for hints.
    pub object_type: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    Attribute,
    Block,
    Declaration,
}

/// The address a top-level block declares: `T.N` for a resource, `data.T.N`,
/// `module.N`, `var.N`, `output.N`; `None` for other blocks.
pub fn declared_address(block: &Block) -> Option<String> {
    let labels: Vec<&str> = block.labels.iter().map(|l| l.as_str()).collect();
    match (block.ident.as_str(), labels.as_slice()) {
        ("resource", [kind, name]) => Some(format!("{kind}.{name}")),
        ("data", [kind, name]) => Some(format!("data.{kind}.{name}")),
        ("module", [name]) => Some(format!("module.{name}")),
        ("variable", [name]) => Some(format!("var.{name}")),
        ("output", [name]) => Some(format!("output.{name}")),
        _ => None,
    }
}

/// The 1-based line of `text` where a parsed item starts.
pub fn line_of(text: &str, item: &impl hcl_edit::Span) -> usize {
    let start = item.span().map_or(0, |r| r.start).min(text.len());
    text.as_bytes()[..start]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Checks `body`, the parsed text of `file`, and traces each conflict to the site that
/// causes it. `terragrunt` selects the rules of `terragrunt.hcl` for the top level.
pub fn check(file: &str, body: &Body, sites: &[Site<'_>], terragrunt: bool) -> Vec<Conflict> {
    let parsed: Vec<(&Site<'_>, Option<Body>)> = sites
        .iter()
        .filter(|s| s.file == file)
        .map(|s| (s, hcl_edit::parser::parse_body(s.text).ok()))
        .collect();
    let mut out = Vec::new();
    top_level(file, body, &parsed, terragrunt, &mut out);
    for block in body.blocks() {
        if matches!(block.ident.as_str(), "resource" | "data" | "module") {
            let Some(object) = declared_address(block) else {
                continue;
            };
            let object_type = (block.ident.as_str() != "module")
                .then(|| block.labels.first().map(|l| l.as_str().to_owned()))
                .flatten();
            let mut walk = Walk {
                file,
                object: &object,
                object_type,
                sites: &parsed,
                out: &mut out,
            };
            walk.body(&block.body, &mut Vec::new());
        }
    }
    out
}

/// The key a top-level item declares, for duplicate detection.
fn top_key(item: &Structure, terragrunt: bool) -> Option<(String, What)> {
    match item {
        Structure::Attribute(a) => Some((a.key.as_str().to_owned(), What::Attribute)),
        Structure::Block(b) => {
            if let Some(address) = declared_address(b) {
                return Some((address, What::Declaration));
            }
            match b.ident.as_str() {
                "moved" => b.body.get_attribute("from").map(|a| {
                    (
                        format!("moved from {}", a.value.to_string().trim()),
                        What::Declaration,
                    )
                }),
                // Two `import` blocks to one address are an error in Terraform.
                "import" if !terragrunt => b.body.get_attribute("to").map(|a| {
                    (
                        format!("import to {}", a.value.to_string().trim()),
                        What::Declaration,
                    )
                }),
                // terragrunt.hcl: a labelled block (`include "root"`, `dependency "x"`,
                // `generate "provider"`) is declared once per label, an unlabelled one
                // (`terraform`, `remote_state`) once.
                ident if terragrunt && ident != "locals" => {
                    let mut key = ident.to_owned();
                    for label in &b.labels {
                        key.push_str(&format!(" \"{}\"", label.as_str()));
                    }
                    let what = if b.labels.is_empty() {
                        What::Block
                    } else {
                        What::Declaration
                    };
                    Some((key, what))
                }
                _ => None,
            }
        }
    }
}

/// Every key a body's top level declares, with `locals` keys flattened in.
fn top_keys(body: &Body, terragrunt: bool) -> Vec<(String, What, Option<std::ops::Range<usize>>)> {
    let mut keys = Vec::new();
    for item in body.iter() {
        if let Structure::Block(b) = item
            && b.ident.as_str() == "locals"
        {
            for a in b.body.attributes() {
                keys.push((
                    format!("local.{}", a.key.as_str()),
                    What::Declaration,
                    a.span(),
                ));
            }
            continue;
        }
        if let Some((key, what)) = top_key(item, terragrunt) {
            keys.push((key, what, item.span()));
        }
    }
    keys
}

fn top_level(
    file: &str,
    body: &Body,
    sites: &[(&Site<'_>, Option<Body>)],
    terragrunt: bool,
    out: &mut Vec<Conflict>,
) {
    let keys = top_keys(body, terragrunt);
    let mut reported: Vec<&str> = Vec::new();
    for (key, what, _) in &keys {
        let count = keys.iter().filter(|(k, _, _)| k == key).count();
        let top_attribute_in_tf = !terragrunt && *what == What::Attribute;
        if (count < 2 && !top_attribute_in_tf) || reported.contains(&key.as_str()) {
            continue;
        }
        reported.push(key);
        let mut origin = None;
        let mut within_raw = false;
        for (site, parsed) in sites {
            if site.object.is_some() {
                continue;
            }
            let Some(parsed) = parsed else { continue };
            let mine: Vec<_> = top_keys(parsed, terragrunt)
                .into_iter()
                .filter(|(k, _, _)| k == key)
                .collect();
            if let Some((_, _, span)) = mine.first() {
                let line = span.as_ref().map_or(1, |r| line_at(site.text, r.start));
                origin = Some((site.field.to_owned(), line));
                within_raw = mine.len() >= count;
                break;
            }
        }
        out.push(Conflict {
            file: file.to_owned(),
            location: file.to_owned(),
            key: key.clone(),
            what: if top_attribute_in_tf && count < 2 {
                What::Attribute
            } else {
                *what
            },
            origin,
            within_raw,
            object_type: None,
        });
    }
}

fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

struct Walk<'a, 'b> {
    file: &'a str,
    object: &'a str,
    object_type: Option<String>,
    sites: &'a [(&'a Site<'b>, Option<Body>)],
    out: &'a mut Vec<Conflict>,
}

impl<'t> Walk<'_, '_> {
    /// Checks `body` and the blocks below it; `path` is the nested blocks so far, as
    /// (name, index among blocks of that name), turned into text only for a conflict.
    fn body(&mut self, body: &'t Body, path: &mut Vec<(&'t str, usize)>) {
        let items: Vec<(&str, bool)> = body
            .iter()
            .map(|item| match item {
                Structure::Attribute(a) => (a.key.as_str(), true),
                Structure::Block(b) => (b.ident.as_str(), false),
            })
            .collect();
        for (i, &(key, is_attr)) in items.iter().enumerate() {
            let earlier = &items[..i];
            let repeated = if is_attr {
                // An attribute set twice, or an attribute and a block of one name.
                earlier.iter().any(|&(k, _)| k == key)
            } else {
                earlier.iter().any(|&(k, a)| k == key && a)
                    || (SINGLETON_BLOCKS.contains(&key)
                        && earlier.iter().any(|&(k, a)| k == key && !a))
            };
            // Report each key once: at its second occurrence.
            let first_repeat = repeated && earlier.iter().filter(|&&(k, _)| k == key).count() == 1;
            if first_repeat {
                let what = if is_attr || earlier.iter().any(|&(k, a)| k == key && a) {
                    What::Attribute
                } else {
                    What::Block
                };
                let path: Vec<String> = path.iter().map(|(n, i)| format!("{n}[{i}]")).collect();
                self.conflict(&path, key, what);
            }
        }
        for (index, block) in body.blocks().enumerate() {
            let ident = block.ident.as_str();
            let nth = body
                .blocks()
                .take(index)
                .filter(|b| b.ident.as_str() == ident)
                .count();
            path.push((ident, nth));
            self.body(&block.body, path);
            path.pop();
        }
    }

    fn conflict(&mut self, path: &[String], key: &str, what: What) {
        let total = |body: &Body| {
            body.iter()
                .filter(|item| match item {
                    Structure::Attribute(a) => a.key.as_str() == key,
                    Structure::Block(b) => b.ident.as_str() == key,
                })
                .count()
        };
        let mut origin = None;
        let mut within_raw = false;
        for (site, parsed) in self.sites {
            if site.object.as_deref() != Some(self.object) || site.path != path {
                continue;
            }
            let Some(parsed) = parsed else { continue };
            let first = parsed.iter().find(|item| match item {
                Structure::Attribute(a) => a.key.as_str() == key,
                Structure::Block(b) => b.ident.as_str() == key,
            });
            if let Some(item) = first {
                origin = Some((site.field.to_owned(), line_of(site.text, item)));
                within_raw = total(parsed) > 1;
                break;
            }
        }
        let mut location = self.object.to_owned();
        for p in path {
            location.push_str(" > ");
            location.push_str(p.strip_suffix("[0]").unwrap_or(p));
        }
        self.out.push(Conflict {
            file: self.file.to_owned(),
            location,
            key: key.to_owned(),
            what,
            origin,
            within_raw,
            object_type: self.object_type.clone(),
        });
    }
}

/// Raw attributes that repeat an attribute (or name a block) that dlgen generates at the
/// same place, and raw singleton blocks beside a generated one. An HCL parser refuses a redefined attribute outright, so a rendered file
/// with one does not parse: this compares each site's snippet with `generated`, the
/// parsed file rendered without any raw HCL.
pub fn attribute_collisions(file: &str, generated: &Body, sites: &[Site<'_>]) -> Vec<Conflict> {
    let mut out = Vec::new();
    for site in sites.iter().filter(|s| s.file == file) {
        let Ok(snippet) = hcl_edit::parser::parse_body(site.text) else {
            continue;
        };
        let (body, object_type) = match &site.object {
            None => (Some(generated), None),
            Some(object) => {
                let top = generated
                    .blocks()
                    .find(|b| declared_address(b).as_deref() == Some(object.as_str()));
                let object_type = top
                    .filter(|b| b.ident.as_str() != "module")
                    .and_then(|b| b.labels.first().map(|l| l.as_str().to_owned()));
                (top.and_then(|b| descend(&b.body, &site.path)), object_type)
            }
        };
        let Some(body) = body else { continue };
        for item in snippet.iter() {
            let (key, what) = match item {
                Structure::Attribute(a) => (a.key.as_str(), What::Attribute),
                Structure::Block(b) => (b.ident.as_str(), What::Block),
            };
            let collides = match what {
                What::Attribute => body.has_attribute(key) || body.has_blocks(key),
                _ => {
                    body.has_attribute(key)
                        || (SINGLETON_BLOCKS.contains(&key) && body.has_blocks(key))
                }
            };
            // Top-level attributes are only valid in terragrunt.hcl (`inputs`).
            if collides && (site.object.is_some() || file == "terragrunt.hcl") {
                let mut location = site.object.clone().unwrap_or_else(|| file.to_owned());
                for p in &site.path {
                    location.push_str(" > ");
                    location.push_str(p.strip_suffix("[0]").unwrap_or(p));
                }
                out.push(Conflict {
                    file: file.to_owned(),
                    location,
                    key: key.to_owned(),
                    what,
                    origin: Some((site.field.to_owned(), line_of(site.text, item))),
                    within_raw: false,
                    object_type: object_type.clone(),
                });
            }
        }
    }
    out
}

/// The body at `path` (`name[index]` steps) below `body`.
fn descend<'a>(body: &'a Body, path: &[String]) -> Option<&'a Body> {
    let mut body = body;
    for step in path {
        let (name, index) = step
            .strip_suffix(']')
            .and_then(|s| s.split_once('['))
            .and_then(|(n, i)| Some((n, i.parse::<usize>().ok()?)))?;
        body = &body
            .blocks()
            .filter(|b| b.ident.as_str() == name)
            .nth(index)?
            .body;
    }
    Some(body)
}

/// Which spec fields control a generated item, for the refusal's help: by the object's
/// type (or `*`) and the key. Types are named without a version suffix
/// (`kubernetes_cron_job` for `kubernetes_cron_job_v1` too).
const HINTS: &[(&str, &str, &str)] = &[
    (
        "kubernetes_deployment",
        "lifecycle",
        "set `keel`, `keel_policy` or `scale_to_zero` instead (they decide its `ignore_changes`, with `keel_owns`, `keel_seeds` and `deployment.ignore_changes`)",
    ),
    (
        "kubernetes_deployment",
        "metadata",
        "set `deployment.name`, `deployment.labels`, `deployment.annotations` (or `reloader`) or `deployment.address` instead",
    ),
    (
        "kubernetes_deployment",
        "depends_on",
        "it follows the secrets the pod reads; set `deployment.depends_on` (`add`, `drop`) instead",
    ),
    (
        "kubernetes_deployment",
        "strategy",
        "set `strategy`, `rolling_update` and `strategy_why` instead",
    ),
    (
        "kubernetes_deployment",
        "replicas",
        "set `deployment.replicas` (`scale_to_zero` hands the replica count to sablier)",
    ),
    (
        "kubernetes_deployment",
        "wait_for_rollout",
        "set `deployment.wait_for_rollout` instead",
    ),
    (
        "kubernetes_deployment",
        "revision_history_limit",
        "set `deployment.revision_history_limit` instead",
    ),
    (
        "kubernetes_deployment",
        "progress_deadline_seconds",
        "set `deployment.progress_deadline_seconds` instead",
    ),
    (
        "kubernetes_deployment",
        "selector",
        "set `deployment.name` or `deployment.label_key` instead",
    ),
    (
        "kubernetes_namespace",
        "lifecycle",
        "the namespace's `ignore_changes` is a convention of the repo; set `namespace.labels` for labels",
    ),
    (
        "kubernetes_namespace",
        "metadata",
        "set `namespace.name` or `namespace.labels` instead",
    ),
    (
        "kubernetes_persistent_volume_claim",
        "lifecycle",
        "the autoresizer's `ignore_changes` is a convention of the repo",
    ),
    (
        "kubernetes_persistent_volume_claim",
        "wait_until_bound",
        "set the volume's `wait_until_bound` and `wait_until_bound_why` instead",
    ),
    (
        "kubernetes_persistent_volume_claim",
        "metadata",
        "set the volume's `name`, `max_size` or `address` instead",
    ),
    (
        "kubernetes_persistent_volume_claim",
        "spec",
        "set the volume's `storage` and `size` instead",
    ),
    (
        "kubernetes_cron_job",
        "lifecycle",
        "the job's `ignore_changes` is a convention of the repo; set the job's `ignore_changes` (`add`, `drop`) instead",
    ),
    (
        "kubernetes_cron_job",
        "schedule",
        "set `schedule` under `backup`, or the job's `schedule`, instead",
    ),
    (
        "kubernetes_cron_job",
        "depends_on",
        "it follows the secrets the pod reads; set the job's `depends_on` (`add`, `drop`) instead",
    ),
    (
        "kubernetes_job",
        "lifecycle",
        "the job's `ignore_changes` is a convention of the repo; set the job's `ignore_changes` (`add`, `drop`) instead",
    ),
    (
        "kubernetes_job",
        "depends_on",
        "it follows the secrets the pod reads; set the job's `depends_on` (`add`, `drop`) instead",
    ),
    (
        "kubernetes_job",
        "wait_for_completion",
        "set the job's `wait_for_completion` instead",
    ),
    (
        "kubernetes_job",
        "timeouts",
        "set the job's `timeouts` instead",
    ),
    (
        "kubernetes_service",
        "spec",
        "set `service.port`, `service.port_name`, `service.protocol` or `service.target_port` instead",
    ),
    // --- around the pod
    (
        "kubernetes_service",
        "metadata",
        "set the Service's `name`, `labels`, `annotations` or `load_balancer` instead",
    ),
    (
        "kubernetes_service",
        "type",
        "set the Service's `type` (or `load_balancer`) instead",
    ),
    (
        "kubernetes_service",
        "external_traffic_policy",
        "set `load_balancer.external_traffic_policy` instead",
    ),
    (
        "kubernetes_service",
        "cluster_ip",
        "set the Service's `cluster_ip` instead",
    ),
    (
        "kubernetes_service",
        "selector",
        "set the Service's `selector` instead (default: the workload's)",
    ),
    (
        "kubernetes_service",
        "port",
        "set the Service's `ports` instead",
    ),
    (
        "kubernetes_service",
        "lifecycle",
        "MetalLB's `ignore_changes` comes with `load_balancer`; it is a convention of the repo",
    ),
    (
        "kubernetes_manifest",
        "manifest",
        "set the ExternalSecret's fields instead (`name`, `store`, `vault_key`, `data`, `template`, `refresh_interval`, ...), the Middleware's `spec`, or the manifest's (`api_version`, `kind`, `name`, `labels`, `spec`, `fields`, ...)",
    ),
    (
        "kubernetes_manifest",
        "depends_on",
        "set the ExternalSecret's (or the Middleware's) `depends_on_namespace`, or the manifest's `depends_on`, instead",
    ),
    (
        "kubernetes_manifest",
        "field_manager",
        "set the ExternalSecret's, the Middleware's or the manifest's `force_conflicts` instead",
    ),
    (
        "kubernetes_manifest",
        "lifecycle",
        "set the manifest's `ignore_changes` (with `ignore_changes_why`) instead",
    ),
    (
        "kubernetes_config_map",
        "data",
        "set the config map's `data` instead",
    ),
    (
        "kubernetes_config_map",
        "metadata",
        "set the config map's `name`, `namespace`, `labels`, `annotations` or `reloader_match` instead",
    ),
    (
        "kubernetes_config_map",
        "depends_on",
        "set the config map's `depends_on` instead",
    ),
    (
        "kubernetes_resource_quota",
        "spec",
        "set `namespace.quota.hard` instead",
    ),
    (
        "kubernetes_pod_disruption_budget_v1",
        "spec",
        "set `disruption_budget` (`max_unavailable`, `min_available`, `selector`) instead",
    ),
    (
        "kubernetes_limit_range",
        "spec",
        "set `namespace.limit_range.limits` instead",
    ),
    (
        "kubernetes_network_policy",
        "spec",
        "set the policy's `pod_selector`, `policy_types`, `ingress` and `egress` in `network_policies` instead",
    ),
    (
        "kubernetes_role_binding",
        "role_ref",
        "set the service account's `role` or `rules` instead",
    ),
    (
        "kubernetes_cluster_role_binding",
        "role_ref",
        "set the service account's `role` or `rules` (with `scope: cluster`) instead",
    ),
    (
        "kubernetes_role_binding",
        "subject",
        "the binding's subject is its service account",
    ),
    ("*", "rule", "set the service account's `rules` instead"),
    ("*", "length", "set the `random` entry's `length` instead"),
    (
        "*",
        "byte_length",
        "set the `random` entry's `byte_length` instead",
    ),
    ("*", "host", "set the ingress's `host` instead"),
    ("*", "full_host", "set the ingress's `full_host` instead"),
    (
        "*",
        "root_domain",
        "set the ingress's `root_domain` instead",
    ),
    ("*", "ingress_path", "set the ingress's `paths` instead"),
    (
        "*",
        "service_name",
        "set the ingress's `service` (or `service_ref`, `anubis`) instead",
    ),
    ("*", "port", "set the ingress's `port` instead"),
    (
        "*",
        "extra_middlewares",
        "set the ingress's `extra_middlewares` (or `anubis`) instead",
    ),
    (
        "*",
        "anti_ai_scraping",
        "set the ingress's `anti_ai_scraping` instead",
    ),
    (
        "*",
        "homepage_enabled",
        "set the ingress's `homepage_enabled` instead",
    ),
    (
        "*",
        "external_monitor",
        "set the ingress's `external_monitor` instead",
    ),
    (
        "*",
        "allowed_groups",
        "set the ingress's `allowed_groups` instead",
    ),
    (
        "*",
        "allow_local_access_only",
        "set the ingress's `allow_local_access_only` (or `lan`) instead",
    ),
    ("*", "target_url", "set `anubis.target` instead"),
    (
        "*",
        "shared_store_url",
        "set `anubis.redis_db` or `anubis.store_url` instead",
    ),
    ("*", "nfs_server", "set the volume's `server` instead"),
    ("*", "nfs_path", "set the volume's `path` instead"),
    ("*", "storage", "set the volume's `size` instead"),
    (
        "*",
        "access_modes",
        "set the volume's `access_modes` instead",
    ),
    (
        "*",
        "auth",
        "set `ingress.auth` and `ingress.auth_why` instead",
    ),
    ("*", "dns_type", "set `ingress.dns_type` instead"),
    (
        "*",
        "name",
        "set the spec's `name` (or `ingress.name`) instead",
    ),
    (
        "*",
        "extra_annotations",
        "set the ingress's `homepage` or `extra_annotations` instead",
    ),
    ("*", "sablier", "set `scale_to_zero` instead"),
    (
        "*",
        "metadata",
        "set the spec field that names the object instead",
    ),
    ("*", "lifecycle", "it is a convention of the repo"),
];

/// What controls a generated item of a container or init container, by key.
const CONTAINER_HINTS: &[(&str, &str)] = &[
    ("name", "set the container's `name` instead"),
    ("image", "set the container's `image` instead"),
    (
        "image_pull_policy",
        "set the container's `image_pull_policy` instead",
    ),
    ("command", "set the container's `command` instead"),
    ("args", "set the container's `args` instead"),
    ("working_dir", "set the container's `working_dir` instead"),
    ("stdin", "set the container's `stdin` instead"),
    ("tty", "set the container's `tty` instead"),
    ("resources", "set the container's `resources` instead"),
    ("requests", "set the container's `resources` instead"),
    ("limits", "set the container's `resources` instead"),
    (
        "liveness_probe",
        "set the container's `liveness_probe` instead",
    ),
    (
        "readiness_probe",
        "set the container's `readiness_probe` instead",
    ),
    (
        "startup_probe",
        "set the container's `startup_probe` instead",
    ),
    ("http_get", "set the probe's `path` and `port` instead"),
    ("tcp_socket", "set the probe's `tcp` and `port` instead"),
    (
        "exec",
        "set the probe's `exec` (or the hook's command) instead",
    ),
    (
        "value_from",
        "set the variable's `secret`, `secret_name` or `field_ref` instead",
    ),
    (
        "secret_key_ref",
        "set the variable's `secret`, `secret_name` and `optional` instead",
    ),
    ("field_ref", "set the variable's `field_ref` instead"),
    ("value", "set the variable's `value` instead"),
    ("secret_ref", "set the container's `env_from` instead"),
    ("config_map_ref", "set the container's `env_from` instead"),
    (
        "security_context",
        "set the container's `security_context` instead",
    ),
    (
        "capabilities",
        "set `security_context.capabilities` instead",
    ),
    ("lifecycle", "set the container's `lifecycle` hooks instead"),
    (
        "post_start",
        "set the container's `lifecycle.post_start` instead",
    ),
    (
        "pre_stop",
        "set the container's `lifecycle.pre_stop` instead",
    ),
    (
        "mount_path",
        "set the mount's `path` (or the volume's `mount`) instead",
    ),
    ("sub_path", "set the mount's `sub_path` instead"),
    ("read_only", "set the mount's `read_only` instead"),
    (
        "container_port",
        "set the container's `port` or `ports` instead",
    ),
    ("protocol", "set the port's `protocol` instead"),
];

/// What controls a generated item of a workload's pod spec (outside its containers), by
/// key.
const POD_HINTS: &[(&str, &str)] = &[
    (
        "dns_config",
        "set `deployment.dns_options` instead (or the job's; with `dns_nameservers`, `dns_searches`)",
    ),
    ("option", "set `dns_options` instead"),
    ("nameservers", "set `dns_nameservers` instead"),
    ("searches", "set `dns_searches` instead"),
    ("dns_policy", "set `dns_policy` instead"),
    ("service_account_name", "set `service_account_name` instead"),
    (
        "automount_service_account_token",
        "set `automount_service_account_token` instead",
    ),
    ("enable_service_links", "set `enable_service_links` instead"),
    ("restart_policy", "set the job's `restart_policy` instead"),
    ("priority_class_name", "set `priority_class_name` instead"),
    (
        "termination_grace_period_seconds",
        "set `termination_grace_period_seconds` instead",
    ),
    (
        "node_selector",
        "set `node_selector` (or the `gpu` preset) instead",
    ),
    (
        "security_context",
        "set the pod's `security_context` instead",
    ),
    (
        "seccomp_profile",
        "set `security_context.seccomp_profile` instead",
    ),
    (
        "affinity",
        "set `pod_affinity`, `anti_affinity` or `node_affinity` instead",
    ),
    ("node_affinity", "set `node_affinity` instead"),
    ("pod_affinity", "set `pod_affinity` instead"),
    ("pod_anti_affinity", "set `anti_affinity` instead"),
    (
        "claim_name",
        "set the volume's `storage` or `claim` instead",
    ),
    (
        "persistent_volume_claim",
        "set the volume's `storage` or `claim` instead",
    ),
    ("config_map", "set the volume's `config_map` instead"),
    ("secret", "set the volume's `secret` instead"),
    ("empty_dir", "set the volume's `empty_dir` instead"),
    ("host_path", "set the volume's `host_path` instead"),
    ("default_mode", "set the volume's `default_mode` instead"),
    ("optional", "set the volume's `optional` instead"),
    ("medium", "set `empty_dir.medium` instead"),
    ("size_limit", "set `empty_dir.size_limit` instead"),
];

/// The resource type without a version suffix.
fn base_type(ty: &str) -> &str {
    ty.strip_suffix("_v1").unwrap_or(ty)
}

/// The help for a conflict: the spec field that controls what dlgen generates there.
pub fn hint(conflict: &Conflict) -> &'static str {
    let key = conflict.key.as_str();
    if key.starts_with("dependency ") {
        return "set the spec's `dependency` instead (or list them all in `dependencies`)";
    }
    if key == "inputs" {
        return "set the spec's `inputs` instead";
    }
    if key.starts_with("include ") {
        return "the root include is how every stack reads the repo's root configuration";
    }
    if key.starts_with("var.") {
        return "the raw HCL can use the variable dlgen declares as it is; remove this declaration";
    }
    if key.starts_with("local.") {
        return "the raw HCL can read the generated local as it is";
    }
    if key.starts_with("moved ") {
        return "set `adopt.moved` or `adopt.from_module` instead";
    }
    let ty = base_type(conflict.object_type.as_deref().unwrap_or("*"));
    let workload = matches!(
        ty,
        "kubernetes_deployment" | "kubernetes_cron_job" | "kubernetes_job"
    );
    if workload {
        let steps: Vec<&str> = conflict.location.split(" > ").skip(1).collect();
        let in_container = steps
            .iter()
            .any(|s| s.starts_with("container") || s.starts_with("init_container"));
        let in_pod = steps.iter().filter(|s| s.starts_with("spec")).count()
            >= if ty == "kubernetes_cron_job" { 3 } else { 2 };
        let table = if in_container {
            Some(CONTAINER_HINTS)
        } else if in_pod {
            Some(POD_HINTS)
        } else {
            None
        };
        if let Some((_, h)) = table.and_then(|t| t.iter().find(|(k, _)| *k == key)) {
            return h;
        }
    }
    HINTS
        .iter()
        .find(|(t, k, _)| *t == ty && *k == conflict.key)
        .or_else(|| {
            HINTS
                .iter()
                .find(|(t, k, _)| *t == "*" && *k == conflict.key)
        })
        .map_or(
            match conflict.what {
                What::Declaration => {
                    "attach to the generated object with its `raw`, or rename the block"
                }
                _ => "change the spec field that sets it, or leave it out of the raw HCL",
            },
            |(_, _, h)| h,
        )
}

/// The refusal's message for a conflict.
pub fn message(conflict: &Conflict) -> String {
    let kind = match conflict.what {
        What::Attribute => "attribute",
        What::Block => "block",
        What::Declaration => "declaration",
    };
    if conflict.within_raw {
        return format!(
            "raw HCL sets `{}` twice in `{}`; a second {kind} is not valid Terraform",
            conflict.key, conflict.location
        );
    }
    if let Some(from) = conflict.key.strip_prefix("moved from ") {
        return format!(
            "raw HCL moves `{from}` again: dlgen writes a `moved` block from it already"
        );
    }
    if let Some(to) = conflict.key.strip_prefix("import to ") {
        return format!(
            "`{to}` is imported twice (`adopt.imports` and raw HCL); Terraform allows one `import` block per address"
        );
    }
    match conflict.what {
        What::Declaration => format!(
            "raw HCL declares `{}`, which the stack already generates",
            conflict.key
        ),
        What::Attribute
            if conflict.location == conflict.file && conflict.file != "terragrunt.hcl" =>
        {
            format!(
                "raw HCL puts the attribute `{}` at the top level of {}, which is not valid Terraform",
                conflict.key, conflict.file
            )
        }
        _ => format!(
            "`{}` is generated by dlgen here (in `{}`); a second {kind} is not valid Terraform",
            conflict.key, conflict.location
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conflicts(text: &str, sites: &[Site<'_>]) -> Vec<Conflict> {
        let body = hcl_edit::parser::parse_body(text).unwrap();
        check("main.tf", &body, sites, false)
    }

    #[test]
    fn a_second_singleton_block_is_found_and_traced() {
        let text =
            "resource \"t\" \"a\" {\n  lifecycle {}\n  port {}\n  port {}\n  lifecycle {}\n}\n";
        let found = conflicts(text, &[]);
        let keys: Vec<_> = found.iter().map(|c| (c.key.as_str(), c.what)).collect();
        assert_eq!(keys, [("lifecycle", What::Block)]);
        assert_eq!(found[0].origin, None);
        let site = Site {
            file: "main.tf",
            object: Some("t.a".to_owned()),
            path: Vec::new(),
            text: "\nlifecycle {}\n",
            field: "raw.deployment",
        };
        let found = conflicts(text, &[site]);
        assert_eq!(found[0].origin, Some(("raw.deployment".to_owned(), 2)));
    }

    #[test]
    fn a_raw_attribute_repeating_a_generated_one_is_traced() {
        let generated = "resource \"t\" \"a\" {\n  spec {\n    container {\n      image = \"a\"\n    }\n    container {\n      name = \"b\"\n    }\n  }\n}\n";
        let body = hcl_edit::parser::parse_body(generated).unwrap();
        let site = |i: usize| Site {
            file: "main.tf",
            object: Some("t.a".to_owned()),
            path: vec!["spec[0]".to_owned(), format!("container[{i}]")],
            text: "# note\nimage = \"b\"\n",
            field: "raw.container",
        };
        let found = attribute_collisions("main.tf", &body, &[site(0)]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].origin, Some(("raw.container".to_owned(), 2)));
        assert_eq!(found[0].location, "t.a > spec > container");
        assert!(attribute_collisions("main.tf", &body, &[site(1)]).is_empty());
    }

    #[test]
    fn duplicate_declarations_are_found() {
        let text = "variable \"a\" {}\nlocals {\n  x = 1\n}\nlocals {\n  x = 2\n}\nvariable \"a\" {}\nmoved {\n  from = a.b\n  to = c.d\n}\nmoved {\n  from = a.b\n  to = e.f\n}\nimport {\n  to = c.d\n  id = \"x\"\n}\nimport {\n  to = c.d\n  id = \"y\"\n}\nimport {\n  to = e.f\n  id = \"x\"\n}\n";
        let keys: Vec<_> = conflicts(text, &[]).into_iter().map(|c| c.key).collect();
        assert_eq!(
            keys,
            ["var.a", "local.x", "moved from a.b", "import to c.d"]
        );
    }

    #[test]
    fn terragrunt_blocks_are_declared_once_per_label() {
        let text = "include \"root\" {}\ngenerate \"a\" {}\ngenerate \"b\" {}\ndependency \"x\" {}\ndependency \"x\" {}\ninputs = {}\ninputs = {}\n";
        // The parser refuses the attribute itself; the blocks are this check's.
        assert!(hcl_edit::parser::parse_body(text).is_err());
        let text = text.replace("inputs = {}\ninputs = {}\n", "terraform {}\nterraform {}\n");
        let body = hcl_edit::parser::parse_body(&text).unwrap();
        let keys: Vec<_> = check("terragrunt.hcl", &body, &[], true)
            .into_iter()
            .map(|c| c.key)
            .collect();
        assert_eq!(keys, ["dependency \"x\"", "terraform"]);
    }

    #[test]
    fn hints_follow_the_place_of_the_conflict() {
        let conflict = |object_type: &str, location: &str, key: &str| Conflict {
            file: "main.tf".to_owned(),
            location: location.to_owned(),
            key: key.to_owned(),
            what: What::Block,
            origin: None,
            within_raw: false,
            object_type: Some(object_type.to_owned()),
        };
        let d = "kubernetes_deployment";
        let pod = "kubernetes_deployment.app > spec > template > spec";
        assert!(hint(&conflict(d, "kubernetes_deployment.app", "lifecycle")).contains("keel_owns"));
        assert!(
            hint(&conflict(d, &format!("{pod} > container[1]"), "lifecycle"))
                .contains("container's `lifecycle` hooks")
        );
        assert!(hint(&conflict(d, pod, "security_context")).contains("pod's"));
        assert!(
            hint(&conflict(
                d,
                &format!("{pod} > init_container"),
                "security_context"
            ))
            .contains("container's")
        );
        let cron = "kubernetes_cron_job_v1.x > spec > job_template > spec > template > spec";
        assert!(
            hint(&conflict("kubernetes_cron_job_v1", cron, "restart_policy")).contains("job's")
        );
        assert!(
            hint(&conflict(
                "kubernetes_cron_job_v1",
                "kubernetes_cron_job_v1.x",
                "lifecycle"
            ))
            .contains("job's `ignore_changes`")
        );
        assert!(
            hint(&conflict(
                "kubernetes_job_v1",
                "kubernetes_job_v1.x",
                "timeouts"
            ))
            .contains("job's `timeouts`")
        );
        assert!(
            hint(&conflict(
                "kubernetes_deployment_v1",
                "kubernetes_deployment_v1.x > spec",
                "strategy"
            ))
            .contains("rolling_update")
        );
    }

    #[test]
    fn repeated_blocks_and_distinct_addresses_pass() {
        let text = "resource \"t\" \"a\" {\n  env {}\n  env {}\n}\nresource \"t\" \"b\" {}\nmodule \"m\" {}\n";
        assert!(conflicts(text, &[]).is_empty());
    }
}
