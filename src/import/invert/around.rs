//! Recognizers of the objects around the pod: ExternalSecrets (the stack's own and the
//! others, with per-key `data`, the database store's credentials and templates).
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
use crate::planeq::Value;
use crate::spec::{DbKind, OrderedMap, SecretKeySpec, SecretsSpec, Spec};

/// The lists of spec objects around the pod whose entries the inversion reads one by one:
/// each entry `i` gives up as `Part::Items(list, i)` and holds raw HCL at
/// `Slot::Item(list, i)`.
pub const EXTERNAL_SECRETS: &str = "external_secrets";

/// The list names `Part::Items` and `Slot::Item` take, as the spec spells them.
pub const ITEM_LISTS: [&str; 1] = [EXTERNAL_SECRETS];

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

/// The stack's own ExternalSecret (`<stack>-secrets`), as `secrets:`; returns whether
/// the spec holds it.
pub fn own_external_secret(ctx: &Ctx, d: &mut Draft, limits: &Limits) -> bool {
    if limits.has(&Part::Secrets) {
        return false;
    }
    let found = external_secrets(ctx)
        .into_iter()
        .find(|(_, v)| secret_name(v) == Some(&ctx.secret_name));
    let Some((label, v)) = found else {
        return false;
    };
    let address = format!("kubernetes_manifest.{label}");
    let Some(mut spec) = read_external_secret(ctx, &address, v, true) else {
        return false;
    };
    spec.address = Some(label.clone());
    spec.comment = text(ctx.above(d, &address, &[]).take(d));
    d.claim(
        &ctx.at(&address),
        &address,
        Some(Part::Secrets),
        Some(Slot::Secrets),
    );
    d.spec.secrets = Some(spec);
    true
}

/// The ExternalSecrets beside the stack's own, as `external_secrets:`, in address order
/// until one the spec cannot say (or one given up).
pub fn other_external_secrets(ctx: &Ctx, d: &mut Draft, limits: &Limits) {
    let cap = limits.items(EXTERNAL_SECRETS);
    for (label, v) in external_secrets(ctx) {
        if secret_name(v) == Some(&ctx.secret_name) {
            continue;
        }
        let i = d.spec.external_secrets.len();
        if i >= cap {
            break;
        }
        let address = format!("kubernetes_manifest.{label}");
        let Some(mut spec) = read_external_secret(ctx, &address, v, false) else {
            break;
        };
        spec.address = Some(label.clone());
        spec.comment = text(ctx.above(d, &address, &[]).take(d));
        d.claim(
            &ctx.at(&address),
            &address,
            Some(Part::Items(EXTERNAL_SECRETS, i)),
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
    // `depends_on` the namespace, and nothing else the spec could write there.
    let depends: Vec<String> = match get(v, "depends_on") {
        None => Vec::new(),
        Some(Value::List(items) | Value::Set(items)) => {
            items.iter().map(val::object_ref).collect::<Option<_>>()?
        }
        Some(_) => return None,
    };
    let on_namespace = depends
        .iter()
        .filter(|a| a.starts_with("kubernetes_namespace."))
        .count();
    if depends.len() != on_namespace || on_namespace > 1 {
        return None;
    }
    out.depends_on_namespace = Some(on_namespace == 1);
    Some(out)
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

fn key_text(k: &ObjectKey) -> Option<String> {
    match k {
        ObjectKey::Ident(id) => Some(id.as_str().to_owned()),
        ObjectKey::Expression(Expression::String(s)) => Some(s.value().to_string()),
        _ => None,
    }
}
