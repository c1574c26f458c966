//! Recognizers of the objects around the pod: ExternalSecrets (the stack's own and the
//! others, with per-key `data`, the database store's credentials and templates) and
//! config maps with the checksums the app's pod carries of them, and the stack's
//! `random_*` resources.
//!
//! Each reads an object only when every key it writes is one the spec says; an object
//! it cannot read stays whole in raw HCL. Fields are set with their defaults included
//! (`minimize` finds the defaults by rendering).

use hcl_edit::expr::{Expression, ObjectKey};

use super::{Ctx, text};
use crate::conventions as cv;
use crate::import::draft::{Draft, Limits, Part, Slot};
use crate::import::source::{self, Step};
use crate::import::value::{self as val, get, string};
use crate::planeq::{Sym, Value};
use crate::spec::{
    ChecksumSpec, ConfigMapSpec, DataSpec, DbKind, HashFunction, OrderedMap, RandomKind,
    RandomSpec, SecretKeySpec, SecretsSpec, Spec,
};

/// The lists of spec objects around the pod whose entries the inversion reads one by one:
/// each entry `i` gives up as `Part::Items(list, i)` and holds raw HCL at
/// `Slot::Item(list, i)`.
pub const EXTERNAL_SECRETS: &str = "external_secrets";
pub const CONFIG_MAPS: &str = "config_maps";
/// `random:` entries have no raw HCL of their own: one the spec cannot say stays whole.
pub const RANDOM: &str = "random";

/// The list names `Part::Items` and `Slot::Item` take, as the spec spells them.
pub const ITEM_LISTS: [&str; 10] = [
    EXTERNAL_SECRETS,
    CONFIG_MAPS,
    RANDOM,
    super::access::SERVICE_ACCOUNTS,
    super::exposure::INGRESSES,
    super::exposure::SERVICES,
    super::k8s_secrets::KUBERNETES_SECRETS,
    super::traffic::MIDDLEWARES,
    super::policies::NETWORK_POLICIES,
    super::manifests::MANIFESTS,
];

/// Sets the raw HCL of entry `i` of the list `list`; false when the spec has no such
/// entry.
pub fn set_item_raw(spec: &mut Spec, list: &str, i: usize, raw: Option<String>) -> bool {
    match list {
        EXTERNAL_SECRETS => match spec.external_secrets.get_mut(i) {
            Some(s) => {
                s.raw = raw;
                true
            }
            None => false,
        },
        CONFIG_MAPS => match spec.config_maps.get_mut(i) {
            Some(c) => {
                c.raw = raw;
                true
            }
            None => false,
        },
        super::exposure::INGRESSES => match spec.ingresses.get_mut(i) {
            Some(ing) => {
                ing.raw = raw;
                true
            }
            None => false,
        },
        super::exposure::SERVICES => match spec.services.get_mut(i) {
            Some(svc) => {
                svc.raw = raw;
                true
            }
            None => false,
        },
        super::k8s_secrets::KUBERNETES_SECRETS => match spec.kubernetes_secrets.get_mut(i) {
            Some(s) => {
                s.raw = raw;
                true
            }
            None => false,
        },
        super::traffic::MIDDLEWARES => match spec.middlewares.get_mut(i) {
            Some(m) => {
                m.raw = raw;
                true
            }
            None => false,
        },
        super::policies::NETWORK_POLICIES => match spec.network_policies.get_mut(i) {
            Some(n) => {
                n.raw = raw;
                true
            }
            None => false,
        },
        super::manifests::MANIFESTS => match spec.manifests.get_mut(i) {
            Some(m) => {
                m.raw = raw;
                true
            }
            None => false,
        },
        _ => false,
    }
}

/// The part of a spec path under one of the item lists (`external_secrets[2].data`).
pub fn item_part(head: &str, index: Option<usize>) -> Option<Part> {
    let list = ITEM_LISTS.iter().find(|l| **l == head)?;
    Some(Part::Items(list, index.unwrap_or(0)))
}

// --- ExternalSecrets ------------------------------------------------------------------

/// The ExternalSecret manifests of the stack, with their labels, in address order.
fn external_secrets<'a>(ctx: &Ctx<'a>) -> Vec<(String, &'a Value)> {
    ctx.resources("kubernetes_manifest")
        .into_iter()
        .filter(|(_, v)| {
            get(v, "manifest").and_then(|m| string(m, "kind")) == Some("ExternalSecret")
        })
        .collect()
}

fn secret_name(v: &Value) -> Option<&str> {
    get(v, "manifest")
        .and_then(|m| get(m, "metadata"))
        .and_then(|m| string(m, "name"))
}

/// The stack's own ExternalSecret, with its label: named `<stack>-secrets`, or else the
/// one at the conventions' address, whatever its name (`<namespace>-secrets` when the
/// namespace is not named after the stack).
fn own<'a>(ctx: &Ctx<'a>) -> Option<(String, &'a Value)> {
    let all = external_secrets(ctx);
    let at = |(label, _): &&(String, &Value)| label == cv::eso::ADDRESS;
    all.iter()
        .find(|(_, v)| secret_name(v) == Some(&ctx.secret_name))
        .or_else(|| all.iter().find(at))
        .cloned()
}

/// The name of the secret the stack's own ExternalSecret writes, when the stack has one
/// and names it literally: what a `secret_key_ref`, an `env_from` or a
/// `data "kubernetes_secret"` of the stack's own secrets names.
pub fn own_secret_name(ctx: &Ctx) -> Option<String> {
    own(ctx).and_then(|(_, v)| secret_name(v).map(str::to_owned))
}

/// The stack's own ExternalSecret (`<stack>-secrets`), as `secrets:`; returns whether
/// the spec holds it.
pub fn own_external_secret(ctx: &Ctx, d: &mut Draft, limits: &Limits) -> bool {
    if limits.has(&Part::Secrets) {
        return false;
    }
    let Some((label, v)) = own(ctx) else {
        return false;
    };
    let address = format!("kubernetes_manifest.{label}");
    let Some(mut spec) = read_external_secret(ctx, &address, v, true) else {
        return false;
    };
    spec.address = Some(label.clone());
    spec.comment = text(ctx.above(d, &address, &[]).take(d));
    if let Some(depends_on) = plan_time_read(ctx, spec.name.as_deref(), &address) {
        // Written even when no value reads it; the shortest spec leaves `read` out when
        // a value does (stack-patterns v2 section 5.10).
        spec.read = Some(true);
        spec.read_depends_on = Some(depends_on);
    }
    d.claim(
        &ctx.at(&address),
        &address,
        Some(Part::Secrets),
        Some(Slot::Secrets),
    );
    d.spec.secrets = Some(spec);
    true
}

/// The stack's plan-time read of its own secret (`data "kubernetes_secret"` of the
/// secret's name, nothing else in it): whether it depends on the ExternalSecret at
/// `address`. `None` when there is no such read, or one the spec cannot say.
fn plan_time_read(ctx: &Ctx, name: Option<&str>, address: &str) -> Option<bool> {
    let name = name?;
    let (_, v) = ctx.input.objects().find(|(a, v)| match a {
        crate::planeq::Address::Object(addr) => {
            ctx.in_scope(&addr.module)
                && addr.kind == crate::planeq::Kind::Data
                && addr.ty == "kubernetes_secret"
                && val::block(v, "metadata").and_then(|m| string(m, "name")) == Some(name)
        }
        _ => false,
    })?;
    let meta = val::block(v, "metadata")?;
    if !val::other_keys(v, &["metadata", "depends_on"]).is_empty()
        || !val::other_keys(meta, &["name", "namespace"]).is_empty()
    {
        return None;
    }
    match depends_on(ctx, v)?.as_slice() {
        [] => Some(false),
        [one] if one == address => Some(true),
        _ => None,
    }
}

/// The ExternalSecrets beside the stack's own, as `external_secrets:`, in address order;
/// one the spec cannot say (or one given up) stays whole in raw HCL, and the others are
/// still read.
pub fn other_external_secrets(ctx: &Ctx, d: &mut Draft, limits: &Limits) {
    let cap = limits.items(EXTERNAL_SECRETS);
    let own = d
        .claims
        .iter()
        .find_map(|c| (c.part == Some(Part::Secrets)).then(|| c.rendered.clone()));
    for (label, v) in external_secrets(ctx) {
        if secret_name(v) == Some(&ctx.secret_name)
            || own.as_deref() == Some(&format!("kubernetes_manifest.{label}"))
        {
            continue;
        }
        let i = d.spec.external_secrets.len();
        if i >= cap {
            break;
        }
        let address = format!("kubernetes_manifest.{label}");
        let part = Part::Object(address.clone());
        if limits.has(&part) {
            continue;
        }
        // One the spec cannot say stays whole in raw HCL; the others are still read.
        let Some(mut spec) = read_external_secret(ctx, &address, v, false) else {
            continue;
        };
        spec.address = Some(label.clone());
        spec.comment = text(ctx.above(d, &address, &[]).take(d));
        d.claim(
            &ctx.at(&address),
            &address,
            Some(part),
            Some(Slot::Item(EXTERNAL_SECRETS, i)),
        );
        d.spec.external_secrets.push(spec);
    }
}

/// An ExternalSecret manifest as a spec's secret, when every key it writes is one the
/// spec says. `own`: the stack's own secret, which reads Vault's KV paths only.
fn read_external_secret(ctx: &Ctx, address: &str, v: &Value, own: bool) -> Option<SecretsSpec> {
    let none_else = |v: &Value, known: &[&str]| val::other_keys(v, known).is_empty();
    let manifest = get(v, "manifest")?;
    if !none_else(manifest, &["apiVersion", "kind", "metadata", "spec"])
        || string(manifest, "apiVersion") != Some(cv::eso::API_VERSION)
    {
        return None;
    }
    let meta = get(manifest, "metadata")?;
    let spec = get(manifest, "spec")?;
    let store = get(spec, "secretStoreRef")?;
    let target = get(spec, "target")?;
    if !none_else(meta, &["name", "namespace"])
        || !none_else(
            spec,
            &[
                "refreshInterval",
                "secretStoreRef",
                "target",
                "data",
                "dataFrom",
            ],
        )
        || !none_else(store, &["name", "kind"])
        || string(store, "kind") != Some(cv::eso::STORE_KIND)
        || !none_else(target, &["name", "creationPolicy", "template"])
    {
        return None;
    }
    let name = string(meta, "name")?;
    if string(target, "name") != Some(name) {
        return None;
    }
    let mut out = SecretsSpec {
        name: Some(name.to_owned()),
        namespace: Some(string(meta, "namespace")?.to_owned()),
        store: Some(string(store, "name")?.to_owned()),
        refresh_interval: Some(string(spec, "refreshInterval")?.to_owned()),
        creation_policy: match get(target, "creationPolicy") {
            None => None,
            Some(_) => Some(string(target, "creationPolicy")?.to_owned()),
        },
        ..SecretsSpec::default()
    };
    if let Some(t) = get(target, "template") {
        template(ctx, address, t, &mut out)?;
    }
    match get(spec, "dataFrom") {
        None => {}
        Some(Value::List(items)) => {
            let [entry] = items.as_slice() else {
                return None;
            };
            let extract = get(entry, "extract")?;
            if !none_else(entry, &["extract"]) || !none_else(extract, &["key"]) {
                return None;
            }
            out.vault_key = Some(string(extract, "key")?.to_owned());
        }
        Some(_) => return None,
    }
    match get(spec, "data") {
        None => {}
        Some(Value::List(items)) => {
            for item in items {
                let remote = get(item, "remoteRef")?;
                if !none_else(item, &["secretKey", "remoteRef"])
                    || !none_else(remote, &["key", "property"])
                {
                    return None;
                }
                out.data.push(SecretKeySpec {
                    key: Some(string(item, "secretKey")?.to_owned()),
                    from: Some(string(remote, "key")?.to_owned()),
                    property: Some(string(remote, "property")?.to_owned()),
                });
            }
        }
        Some(_) => return None,
    }
    if out.vault_key.is_none() && out.data.is_empty() {
        // The spec reads the stack's path whole when it names no key.
        return None;
    }
    if !own {
        database(&mut out);
    }
    out.depends_on_namespace = Some(depends_on_namespace(ctx, v)?);
    // `field_manager { force_conflicts = true }` or none (stack-patterns v2 section 5.1).
    out.force_conflicts = Some(match get(v, "field_manager") {
        None => false,
        Some(_) => {
            let fm = val::block(v, "field_manager")?;
            if !val::other_keys(fm, &["force_conflicts"]).is_empty()
                || val::boolean(fm, "force_conflicts") != Some(true)
            {
                return None;
            }
            true
        }
    });
    Some(out)
}

/// Whether an object's `depends_on` names the namespace: `None` when it names anything
/// else, which the spec's `depends_on_namespace` cannot write.
pub fn depends_on_namespace(ctx: &Ctx, v: &Value) -> Option<bool> {
    let depends = depends_on(ctx, v)?;
    let on_namespace = depends
        .iter()
        .filter(|a| super::versions::split(a, &cv::namespace::TYPES).is_some())
        .count();
    if depends.len() != on_namespace || on_namespace > 1 {
        return None;
    }
    Some(on_namespace == 1)
}

/// `target.template`: engine version, the reloader's match annotation, and the keys
/// built from the secret's values.
fn template(ctx: &Ctx, address: &str, t: &Value, out: &mut SecretsSpec) -> Option<()> {
    if !val::other_keys(t, &["engineVersion", "metadata", "data"]).is_empty() {
        return None;
    }
    if get(t, "engineVersion").is_some() {
        out.engine_version = Some(string(t, "engineVersion")?.to_owned());
    }
    if let Some(m) = get(t, "metadata") {
        let ann = get(m, "annotations")?;
        if !val::other_keys(m, &["annotations"]).is_empty()
            || !val::other_keys(ann, &[cv::reloader::MATCH]).is_empty()
            || string(ann, cv::reloader::MATCH) != Some("true")
        {
            return None;
        }
        out.reloader_match = Some(true);
    }
    if let Some(data) = get(t, "data") {
        let entries = val::map(data)?;
        let order = object_keys(
            ctx,
            address,
            "manifest",
            &["spec", "target", "template", "data"],
        )
        .unwrap_or_default();
        let mut keys: Vec<&String> = entries.keys().collect();
        keys.sort_by_key(|k| order.iter().position(|o| o == *k).unwrap_or(usize::MAX));
        let mut template = Vec::new();
        for k in keys {
            template.push((k.clone(), val::value_spec(&entries[k], &ctx.secret_name)?));
        }
        out.template = OrderedMap(template);
    }
    Some(())
}

/// The database store's credentials of a role (`static-creds/pg-<role>`, key
/// `password`), as `database:` and `role:`.
fn database(out: &mut SecretsSpec) {
    if out.store.as_deref() != Some(cv::db_creds::STORE_NAME) || out.vault_key.is_some() {
        return;
    }
    let [entry] = out.data.as_slice() else {
        return;
    };
    let key = cv::db_creds::PASSWORD_KEY;
    if entry.key.as_deref() != Some(key) || entry.property.as_deref() != Some(key) {
        return;
    }
    let from = entry.from.as_deref().unwrap_or_default();
    let found = [
        (cv::db_creds::POSTGRES_PREFIX, DbKind::Postgres),
        (cv::db_creds::MYSQL_PREFIX, DbKind::Mysql),
    ]
    .into_iter()
    .find_map(|(prefix, kind)| Some((from.strip_prefix(prefix)?, kind)));
    if let Some((role, kind)) = found {
        out.database = Some(kind);
        out.role = Some(role.to_owned());
        out.data.clear();
    }
}

// --- config maps ----------------------------------------------------------------------

/// The app's Deployment, as the Deployment's recognizer chooses it.
fn app_deployment<'a>(ctx: &Ctx<'a>) -> Option<super::versions::Versioned<'a>> {
    super::choice::app_deployment(ctx)
}

/// The checksum annotations of the app's pod template: `(annotation, hash, config map
/// address, key)` for each `sha256(<config map type>.<name>.data["<key>"])`. The
/// normalized value holds the data itself, so the config map and key are read from the
/// source.
fn pod_checksums(ctx: &Ctx) -> Vec<(String, HashFunction, String, String)> {
    let Some(dep) = app_deployment(ctx) else {
        return Vec::new();
    };
    let Some(ann) = val::path(dep.value, &["spec", "template", "metadata"])
        .and_then(|m| get(m, "annotations"))
        .and_then(val::map)
    else {
        return Vec::new();
    };
    let address = dep.address();
    let Some(top) = ctx.src.top(&ctx.at(&address)) else {
        return Vec::new();
    };
    let at = [
        Step::Block("spec".to_owned(), 0),
        Step::Block("template".to_owned(), 0),
        Step::Block("metadata".to_owned(), 0),
        Step::Attr("annotations".to_owned()),
    ];
    let Some(Expression::Object(obj)) = source::find(&top.block.body, &at)
        .and_then(|s| s.as_attribute())
        .map(|a| &a.value)
    else {
        return Vec::new();
    };
    // In the order the stack writes them (the rendered annotations follow the spec's).
    let mut entries: Vec<(&String, &Value)> = ann.iter().collect();
    entries.sort_by_key(|(k, _)| {
        obj.iter()
            .position(|(key, _)| key_text(key).as_deref() == Some(k.as_str()))
            .unwrap_or(usize::MAX)
    });
    entries
        .into_iter()
        .filter_map(|(k, v)| {
            let Value::Unknown(sym) = v else {
                return None;
            };
            let Sym::Call { name, args } = sym.as_ref() else {
                return None;
            };
            let expr = obj
                .iter()
                .find(|(key, _)| key_text(key).as_deref() == Some(k))
                .map(|(_, e)| e.expr())?;
            let (hash, address, key) =
                checksum_of(name, &expr.to_string()).or_else(|| hashed_data(ctx, name, args))?;
            Some((k.clone(), hash, address, key))
        })
        .collect()
}

/// A hash written over the value itself rather than over the config map's key
/// (`sha256(local.<cfg>)`, `nonsensitive(sha256(local.<cfg>))`,
/// `sha1(file("${path.module}/<f>"))`): the hash, the config map's address and the key
/// whose data is that same value, the first in address order. Hashing the key instead
/// plans the same.
fn hashed_data(
    ctx: &Ctx,
    function: &str,
    args: &[Value],
) -> Option<(HashFunction, String, String)> {
    let hash = hash_function(function)?;
    let [hashed] = args else {
        return None;
    };
    let wanted = hashed.canon();
    super::versions::resources(ctx, &cv::config_map::TYPES)
        .into_iter()
        .find_map(|found| {
            let data = get(found.value, "data").and_then(val::map)?;
            let key = data.iter().find(|(_, v)| v.canon() == wanted)?.0;
            Some((hash, found.address(), key.clone()))
        })
}

fn hash_function(function: &str) -> Option<HashFunction> {
    match function {
        "sha256" => Some(HashFunction::Sha256),
        "sha1" => Some(HashFunction::Sha1),
        "md5" => Some(HashFunction::Md5),
        _ => None,
    }
}

/// `sha256(<config map type>.<name>.data["<key>"])` as written, `function` the call's
/// name: the hash, the config map's address (`<type>.<name>`) and the key.
fn checksum_of(function: &str, text: &str) -> Option<(HashFunction, String, String)> {
    let hash = hash_function(function)?;
    let inner = text
        .trim()
        .strip_prefix(function)?
        .strip_prefix('(')?
        .strip_suffix(')')?
        .trim();
    let (ty, rest) = super::versions::split(inner, &cv::config_map::TYPES)?;
    let (label, key) = rest.split_once(".data[\"")?;
    let key = key.strip_suffix("\"]")?;
    let plain = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    (plain(label) && plain(key)).then(|| (hash, format!("{ty}.{label}"), key.to_owned()))
}

/// The annotations of the app's pod template that are checksums of a config map the
/// spec holds: the Deployment's recognizer leaves them out of `pod_annotations`.
pub fn checksum_annotations(d: &Draft) -> Vec<String> {
    d.spec
        .config_maps
        .iter()
        .flat_map(|c| c.checksums.iter().filter_map(|s| s.annotation.clone()))
        .collect()
}

/// The config maps of the stack, as `config_maps:`, in address order until one given up,
/// with the checksums the app's pod carries of them. One the spec cannot say (such as
/// `immutable`) stays whole in raw HCL at its address, and the others are still read:
/// each is an object of its own.
pub fn config_maps(ctx: &Ctx, d: &mut Draft, limits: &Limits) {
    let cap = limits.items(CONFIG_MAPS);
    // A Deployment given up keeps its checksum annotations in its raw HCL.
    let sums = if limits.has(&Part::Deployment) {
        Vec::new()
    } else {
        pod_checksums(ctx)
    };
    for found in super::versions::resources(ctx, &cv::config_map::TYPES) {
        let i = d.spec.config_maps.len();
        if i >= cap {
            break;
        }
        let address = found.address();
        let part = Part::Object(address.clone());
        if limits.has(&part) {
            continue;
        }
        let Some(mut spec) = read_config_map(ctx, d, i, &address, found.value) else {
            continue;
        };
        spec.address = Some(found.label.clone());
        spec.resource_type = Some(found.ty.to_owned());
        spec.checksums = sums
            .iter()
            .filter(|(_, _, a, key)| *a == address && spec.data.0.iter().any(|(k, _)| k == key))
            .map(|(annotation, hash, _, key)| ChecksumSpec {
                key: Some(key.clone()),
                annotation: Some(annotation.clone()),
                hash: Some(*hash),
            })
            .collect();
        spec.comment = text(ctx.above(d, &address, &[]).take(d));
        d.claim(
            &ctx.at(&address),
            &address,
            Some(part),
            Some(Slot::Item(CONFIG_MAPS, i)),
        );
        d.spec.config_maps.push(spec);
    }
}

/// The metadata of an object around the pod (a config map, a secret): name and
/// namespace (strings), labels and annotations in the order the stack writes them
/// (annotations `None` when it writes none); `None` when it sets anything else.
pub struct Metadata {
    pub name: String,
    pub namespace: String,
    pub labels: OrderedMap<String>,
    /// With value forms (`{var}`, `{ref}`, `{hcl}`, ...) where the stack writes them.
    pub annotations: Option<Vec<(String, crate::spec::ValueSpec)>>,
}

pub fn metadata(ctx: &Ctx, address: &str, v: &Value) -> Option<Metadata> {
    let meta = val::block(v, "metadata")?;
    if !val::other_keys(meta, &["name", "namespace", "labels", "annotations"]).is_empty() {
        return None;
    }
    let mut out = Metadata {
        name: string(meta, "name")?.to_owned(),
        namespace: string(meta, "namespace")?.to_owned(),
        labels: OrderedMap::default(),
        annotations: None,
    };
    if let Some(labels) = get(meta, "labels") {
        let at = [super::b("metadata", 0), super::attr("labels")];
        out.labels = OrderedMap(ctx.ordered(address, &at, labels, &[])?);
    }
    if let Some(ann) = get(meta, "annotations") {
        let at = [super::b("metadata", 0), super::attr("annotations")];
        out.annotations = Some(ctx.ordered_values(address, &at, ann, &[])?);
    }
    Some(out)
}

/// A config map as the spec's (entry `i` of `config_maps:`), when its metadata, every data
/// value and its drift workaround are ones the spec says.
fn read_config_map(
    ctx: &Ctx,
    d: &mut Draft,
    i: usize,
    address: &str,
    v: &Value,
) -> Option<ConfigMapSpec> {
    let meta = metadata(ctx, address, v)?;
    let mut out = ConfigMapSpec {
        name: Some(meta.name),
        namespace: Some(meta.namespace),
        labels: meta.labels,
        ..ConfigMapSpec::default()
    };
    if let Some(entries) = meta.annotations {
        let (matches, rest): (Vec<_>, Vec<_>) = entries.into_iter().partition(|(k, value)| {
            k == cv::reloader::MATCH && super::literal_text(value).as_deref() == Some("true")
        });
        out.reloader_match = Some(!matches.is_empty());
        out.annotations = OrderedMap(rest);
    }
    out.immutable = match get(v, "immutable") {
        None => None,
        Some(b) => Some(val::as_bool(b)?),
    };
    let empty = std::collections::BTreeMap::new();
    let data = match get(v, "data") {
        Some(d) => val::map(d)?,
        None => &empty,
    };
    if data.is_empty() && get(v, "binary_data").is_none() {
        return None;
    }
    let order = ctx
        .source_keys(address, &[super::attr("data")])
        .unwrap_or_default();
    let mut keys: Vec<&String> = data.keys().collect();
    keys.sort_by_key(|k| order.iter().position(|o| o == *k).unwrap_or(usize::MAX));
    for key in keys {
        // A value read from a file of the stack directory as dlgen reads one is a file
        // beside the spec; otherwise its content (a file read another way is text).
        let value = match super::shapes::data_file(ctx, address, key) {
            Some(file) => file,
            None => data_value(
                ctx,
                &data[key],
                super::encoded::entry(ctx, address, "data", key),
            )?,
        };
        out.data.0.push((key.clone(), value));
    }
    // Binary data: each value a file of the stack read with `filebase64()`.
    if let Some(binary) = get(v, "binary_data") {
        out.binary_data.0 = super::shapes::binary_data(ctx, address, binary)?;
    }
    out.depends_on = depends_on(ctx, v)?;
    if let Some((ignore, why)) =
        super::k8s_secrets::drift_workaround(ctx, d, v, CONFIG_MAPS, i, address)?
    {
        out.ignore_changes = ignore;
        out.ignore_changes_why = Some(why);
    }
    Some(out)
}

/// An object's `depends_on`, as the addresses the spec gives the objects (inside a
/// wrapping module, as at the root); empty when it has none, `None` when an entry is not
/// an object's address.
pub fn depends_on(ctx: &Ctx, v: &Value) -> Option<Vec<String>> {
    match get(v, "depends_on") {
        None => Some(Vec::new()),
        Some(Value::List(items) | Value::Set(items)) => items
            .iter()
            .map(|i| val::object_ref(i).map(|a| ctx.unscoped(&a).to_owned()))
            .collect::<Option<_>>(),
        Some(_) => None,
    }
}

/// A data value as the spec says it: text, structured data in `yamlencode` /
/// `jsonencode` (in the order `expr`, the expression the stack writes, has it), or a
/// reference.
pub(super) fn data_value(ctx: &Ctx, v: &Value, expr: Option<&Expression>) -> Option<DataSpec> {
    use super::encoded;
    if let Some(d) = expr.and_then(|e| encoded::literal_call(e, v)) {
        return Some(d);
    }
    if let Value::Unknown(sym) = v
        && let Sym::Call { name, args } = sym.as_ref()
        && let [arg] = args.as_slice()
    {
        let d = match name.as_str() {
            "yamlencode" => Some(DataSpec::Yaml(Box::new(structured(ctx, arg)?))),
            "jsonencode" => Some(DataSpec::Json(Box::new(structured(ctx, arg)?))),
            _ => None,
        };
        if let Some(d) = d {
            return Some(match expr {
                Some(e) => encoded::in_source_order(d, e),
                None => d,
            });
        }
    }
    match val::value_spec(v, &ctx.secret_name)? {
        crate::spec::ValueSpec::Scalar(s) => Some(DataSpec::Scalar(s)),
        other => Some(DataSpec::Ref(other)),
    }
}

/// Structured data: lists and maps of scalars, references and `jsondecode` of a
/// reference.
pub fn structured(ctx: &Ctx, v: &Value) -> Option<DataSpec> {
    structured_with(ctx, v, &|_| None)
}

/// [`structured`], where `leaf` reads the values it knows first (a value another reader
/// allows and this one does not), at any depth.
pub fn structured_with(
    ctx: &Ctx,
    v: &Value,
    leaf: &dyn Fn(&Value) -> Option<DataSpec>,
) -> Option<DataSpec> {
    if let Some(d) = leaf(v) {
        return Some(d);
    }
    Some(match v {
        Value::List(items) => DataSpec::List(
            items
                .iter()
                .map(|i| structured_with(ctx, i, leaf))
                .collect::<Option<_>>()?,
        ),
        Value::Object(m) => DataSpec::Map(OrderedMap(
            m.iter()
                .map(|(k, v)| structured_with(ctx, v, leaf).map(|d| (k.clone(), d)))
                .collect::<Option<_>>()?,
        )),
        Value::Unknown(sym) if matches!(sym.as_ref(), Sym::Call { name, args } if name == "jsondecode" && args.len() == 1) =>
        {
            let Sym::Call { args, .. } = sym.as_ref() else {
                return None;
            };
            match val::value_spec(&args[0], &ctx.secret_name)? {
                crate::spec::ValueSpec::Scalar(_) => return None,
                r => DataSpec::JsonDecode(Box::new(DataSpec::Ref(r))),
            }
        }
        other => match val::value_spec(other, &ctx.secret_name)? {
            crate::spec::ValueSpec::Scalar(s) => DataSpec::Scalar(s),
            r => DataSpec::Ref(r),
        },
    })
}

/// The keys of the object literal at `keys` inside the attribute `attr` of the block at
/// `address`, in the order the stack writes them (`manifest = { spec = { ... } }`).
fn object_keys(ctx: &Ctx, address: &str, attr: &str, keys: &[&str]) -> Option<Vec<String>> {
    let top = ctx.src.top(&ctx.at(address))?;
    let found = source::find(&top.block.body, &[Step::Attr(attr.to_owned())])?;
    let mut expr = &found.as_attribute()?.value;
    for k in keys {
        let Expression::Object(obj) = expr else {
            return None;
        };
        expr = obj
            .iter()
            .find(|(key, _)| key_text(key).as_deref() == Some(*k))
            .map(|(_, v)| v.expr())?;
    }
    let Expression::Object(obj) = expr else {
        return None;
    };
    obj.iter().map(|(k, _)| key_text(k)).collect()
}

pub(super) fn key_text(k: &ObjectKey) -> Option<String> {
    match k {
        ObjectKey::Ident(id) => Some(id.as_str().to_owned()),
        ObjectKey::Expression(Expression::String(s)) => Some(s.value().to_string()),
        _ => None,
    }
}

// --- random_* -------------------------------------------------------------------------

/// The resource types of `random:`, with the kind each is.
const RANDOM_KINDS: [(&str, RandomKind); 3] = [
    ("random_password", RandomKind::Password),
    ("random_string", RandomKind::String),
    ("random_id", RandomKind::Id),
];

/// The stack's `random_password` / `random_string` / `random_id` resources, as `random:`
/// in the order the stack writes them, until one the spec cannot say (or one given up):
/// that one and the ones after it stay whole in raw HCL, at their addresses.
pub fn random(ctx: &Ctx, d: &mut Draft, limits: &Limits) {
    let cap = limits.items(RANDOM);
    // (where the stack writes it: file and offset, its address, its kind, its body)
    type Found<'v> = (Option<(String, usize)>, String, RandomKind, &'v Value);
    let mut found: Vec<Found> = Vec::new();
    for (ty, kind) in RANDOM_KINDS {
        for (label, v) in ctx.resources(ty) {
            let address = format!("{ty}.{label}");
            let at = ctx
                .node_start(&address, &[])
                .map(|(file, start)| (file.name.clone(), start));
            found.push((at, address, kind, v));
        }
    }
    // Source order (file, line); objects without a known position after, by address.
    found.sort_by(|a, b| match (&a.0, &b.0) {
        (Some(x), Some(y)) => x.cmp(y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.1.cmp(&b.1),
    });
    for (_, address, kind, v) in found {
        let i = d.spec.random.len();
        if i >= cap {
            break;
        }
        let Some(mut spec) = read_random(kind, v) else {
            break;
        };
        spec.name = address.split_once('.').map(|(_, n)| n.to_owned());
        spec.comment = text(ctx.above(d, &address, &[]).take(d));
        d.claim(
            &ctx.at(&address),
            &address,
            Some(Part::Items(RANDOM, i)),
            None,
        );
        d.spec.random.push(spec);
    }
}

/// A `random_*` resource as the spec's, when every attribute is one the spec says.
fn read_random(kind: RandomKind, v: &Value) -> Option<RandomSpec> {
    const BOOLS: [&str; 4] = ["special", "upper", "lower", "numeric"];
    const COUNTS: [&str; 6] = [
        "length",
        "byte_length",
        "min_upper",
        "min_lower",
        "min_numeric",
        "min_special",
    ];
    let known: Vec<&str> = BOOLS
        .iter()
        .chain(&COUNTS)
        .copied()
        .chain(["override_special"])
        .collect();
    if !val::other_keys(v, &known).is_empty() {
        return None;
    }
    let flag = |k: &str| -> Option<Option<bool>> {
        match get(v, k) {
            None => Some(None),
            Some(b) => val::as_bool(b).map(Some),
        }
    };
    let count = |k: &str| -> Option<Option<u32>> {
        match get(v, k) {
            None => Some(None),
            Some(_) => u32::try_from(val::int(v, k)?).ok().map(Some),
        }
    };
    let override_special = match get(v, "override_special") {
        None => None,
        Some(_) => Some(string(v, "override_special")?.to_owned()),
    };
    Some(RandomSpec {
        name: None,
        kind: Some(kind),
        length: count("length")?,
        byte_length: count("byte_length")?,
        special: flag("special")?,
        override_special,
        upper: flag("upper")?,
        lower: flag("lower")?,
        numeric: flag("numeric")?,
        min_upper: count("min_upper")?,
        min_lower: count("min_lower")?,
        min_numeric: count("min_numeric")?,
        min_special: count("min_special")?,
        comment: None,
    })
}
