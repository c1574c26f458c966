//! ExternalSecrets (the stack's own and any other) and `random_*` resources.

use super::problems::Problems;
use super::refs::Refs;
use super::types::*;
use super::{Ctx, adopt};
use crate::conventions as cv;
use crate::hcl;
use crate::spec::{DbKind, RandomKind, RandomSpec, SecretsSpec};
use crate::validate;

/// Which ExternalSecret of the spec: the stack's own (`secrets:`) or another one.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Which {
    Own,
    Other(usize),
}

/// A refresh interval: a number and `s`, `m` or `h`, possibly repeated (`1h30m`).
fn duration(s: &str) -> Result<(), String> {
    let mut digits = false;
    let mut units = 0;
    for c in s.chars() {
        match c {
            '0'..='9' => digits = true,
            's' | 'm' | 'h' if digits => {
                digits = false;
                units += 1;
            }
            _ => {
                return Err(
                    "is not a duration (a number and `s`, `m` or `h`, e.g. `15m`)".to_owned(),
                );
            }
        }
    }
    if digits || units == 0 {
        return Err("is not a duration (a number and `s`, `m` or `h`, e.g. `15m`)".to_owned());
    }
    Ok(())
}

/// A Kubernetes object name: DNS labels joined by dots, at most 253 characters.
pub(crate) fn object_name(s: &str) -> Result<(), String> {
    if s.len() <= 253 && s.split('.').all(|l| validate::dns_label(l).is_ok()) {
        Ok(())
    } else {
        Err("is not a Kubernetes object name (lower-case letters, digits, `-` and `.`, e.g. `app-secrets`)".to_owned())
    }
}

/// The ExternalSecret `s` of the spec.
pub(crate) fn external_secret(
    p: &mut Problems,
    ctx: &Ctx,
    which: Which,
    s: &SecretsSpec,
    refs: &mut Refs,
) -> Object {
    let at = match which {
        Which::Own => "secrets".to_owned(),
        Which::Other(i) => format!("external_secrets[{i}]"),
    };
    let field = |f: &str| format!("{at}.{f}");
    if which == Which::Own && s.database.is_some() {
        p.add(
            field("database"),
            "the stack's own secret reads its Vault path; database credentials are another ExternalSecret",
            Some("list it under `external_secrets:`".to_owned()),
        );
    }
    if which != Which::Own {
        for (name, given) in [
            ("read", s.read.is_some()),
            ("read_depends_on", s.read_depends_on.is_some()),
        ] {
            if given {
                p.add(
                    field(name),
                    "only the stack's own secret (`secrets:`) is read at plan time",
                    Some(format!("move `{name}` to `secrets:`")),
                );
            }
        }
    }
    if s.role.is_some() && s.database.is_none() {
        p.add(
            field("role"),
            "`role` names the database role of `database:` credentials",
            Some("add `database: postgres` (or `mysql`), or remove `role`".to_owned()),
        );
    }
    if s.database.is_some() && s.vault_key.is_some() {
        p.add(
            field("vault_key"),
            "database credentials come from the database store, not a Vault key",
            Some("remove `vault_key`".to_owned()),
        );
    }
    let name = match (&s.name, which, s.database) {
        (Some(n), _, _) => {
            p.check(&field("name"), "secret name", n, object_name(n));
            n.clone()
        }
        (None, Which::Own, _) => ctx.secret_name.clone(),
        (None, _, Some(_)) => format!("{}{}", ctx.name, cv::db_creds::SECRET_SUFFIX),
        (None, _, None) => {
            p.missing(
                &field("name"),
                "the secret's name (or `database: postgres` for the stack's database credentials)",
            );
            String::new()
        }
    };
    let address = adopt::address(p, &field("address"), &s.address, || {
        match (which, s.database, &s.name) {
            (Which::Own, _, _) => cv::eso::ADDRESS.to_owned(),
            (_, Some(_), None) => cv::db_creds::ADDRESS.to_owned(),
            _ => hcl::snake(&name),
        }
    });
    let in_stack_namespace = match &s.namespace {
        Some(ns) => {
            p.check(
                &field("namespace"),
                "namespace",
                ns,
                validate::dns_label(ns),
            );
            *ns == ctx.ns_name
        }
        None => true,
    };
    let namespace = Value::Str(s.namespace.clone().unwrap_or_else(|| ctx.ns_name.clone()));
    let depends = s
        .depends_on_namespace
        .unwrap_or(in_stack_namespace && ctx.ns_resource.is_some());
    let depends_on = match (&ctx.ns_resource, depends) {
        (Some(ns), true) => vec![Expr(ns.clone())],
        (None, true) => {
            p.add(
                field("depends_on_namespace"),
                "the stack creates no namespace to depend on",
                None,
            );
            Vec::new()
        }
        (_, false) => Vec::new(),
    };
    let store = match (&s.store, s.database) {
        (Some(store), _) => {
            p.check(&field("store"), "store", store, validate::dns_label(store));
            store.clone()
        }
        (None, Some(_)) => cv::db_creds::STORE_NAME.to_owned(),
        (None, None) => cv::eso::STORE_NAME.to_owned(),
    };
    let refresh = match &s.refresh_interval {
        Some(r) => {
            p.check(
                &field("refresh_interval"),
                "refresh interval",
                r,
                duration(r),
            );
            r.clone()
        }
        None => cv::eso::REFRESH_INTERVAL.to_owned(),
    };
    let own_path = s.vault_key.clone().unwrap_or_else(|| ctx.name.clone());
    if let Some(k) = &s.vault_key {
        p.check(&field("vault_key"), "Vault key", k, validate::vault_key(k));
    }
    let mut data = Vec::new();
    for (di, d) in s.data.iter().enumerate() {
        let dat = |f: &str| format!("{at}.data[{di}].{f}");
        let key = match &d.key {
            Some(k) => {
                p.check(&dat("key"), "secret key", k, validate::secret_key(k));
                if data.iter().any(|x: &SecretKeyData| &x.secret_key == k) {
                    p.add(dat("key"), format!("the key `{k}` is read twice"), None);
                }
                k.clone()
            }
            None => {
                p.missing(
                    &dat("key"),
                    "the key in the Kubernetes secret (`secretKey`)",
                );
                String::new()
            }
        };
        let from = match &d.from {
            Some(f) => {
                p.check(&dat("from"), "Vault path", f, validate::vault_key(f));
                f.clone()
            }
            None if s.database.is_some() || (s.store.is_some() && s.vault_key.is_none()) => {
                p.missing(&dat("from"), "the path it is read from (`remoteRef.key`)");
                String::new()
            }
            None => own_path.clone(),
        };
        let property = match &d.property {
            Some(prop) => {
                p.check(
                    &dat("property"),
                    "property",
                    prop,
                    validate::secret_key(prop),
                );
                prop.clone()
            }
            None => key.to_lowercase(),
        };
        data.push(SecretKeyData {
            secret_key: key,
            remote_key: from,
            property,
        });
    }
    if let (Some(db), true) = (s.database, data.is_empty()) {
        let role = match &s.role {
            Some(r) => {
                p.check(&field("role"), "database role", r, validate::vault_key(r));
                r.clone()
            }
            None => ctx.name.clone(),
        };
        let prefix = match db {
            DbKind::Postgres => cv::db_creds::POSTGRES_PREFIX,
            DbKind::Mysql => cv::db_creds::MYSQL_PREFIX,
        };
        data.push(SecretKeyData {
            secret_key: cv::db_creds::PASSWORD_KEY.to_owned(),
            remote_key: format!("{prefix}{role}"),
            property: cv::db_creds::PASSWORD_KEY.to_owned(),
        });
    }
    let extract_key = match (&s.vault_key, data.is_empty(), s.database) {
        (Some(k), _, _) => Some(k.clone()),
        (None, true, None) => Some(ctx.name.clone()),
        _ => None,
    };
    let mut template_data = Vec::new();
    for (key, value) in &s.template.0 {
        let tat = crate::de::path_key(&field("template"), key);
        p.check(&tat, "secret key", key, validate::secret_key(key));
        let value = refs.value(p, &tat, value);
        template_data.push(entry(key, value));
    }
    let annotations = (s.reloader_match == Some(true))
        .then(|| Obj::lines(vec![entry(cv::reloader::MATCH, "true")]));
    let template = (!template_data.is_empty()
        || annotations.is_some()
        || s.engine_version.is_some())
    .then(|| SecretTemplate {
        engine_version: s.engine_version.clone(),
        annotations,
        data: Obj::lines(template_data).non_empty(),
    });
    if let Some(policy) = &s.creation_policy
        && !matches!(policy.as_str(), "Owner" | "Orphan" | "Merge" | "None")
    {
        p.add(
            field("creation_policy"),
            format!("unknown creation policy `{policy}`"),
            Some("use `Owner`, `Orphan`, `Merge` or `None`".to_owned()),
        );
    }
    let mut object = Object::new(
        Address::resource("kubernetes_manifest", &address),
        Body::ExternalSecret(ExternalSecret {
            api_version: cv::eso::API_VERSION.to_owned(),
            name: name.clone(),
            namespace,
            refresh_interval: refresh,
            store_name: store,
            store_kind: cv::eso::STORE_KIND.to_owned(),
            target_name: name,
            creation_policy: s.creation_policy.clone(),
            template,
            extract_key,
            data,
            depends_on,
            force_conflicts: s.force_conflicts.unwrap_or(cv::eso::FORCE_CONFLICTS),
        }),
    );
    object.comment = s.comment.clone();
    object.raw = adopt::raw(p, &field("raw"), &s.raw);
    object
}

/// The `random_*` resources of the spec.
pub(crate) fn random(p: &mut Problems, specs: &[RandomSpec]) -> Vec<Object> {
    let mut out: Vec<Object> = Vec::new();
    for (i, r) in specs.iter().enumerate() {
        let at = |f: &str| format!("random[{i}].{f}");
        let Some(kind) = r.kind else {
            p.missing(&at("kind"), "`password`, `string` or `id`");
            continue;
        };
        let name = match &r.name {
            Some(n) => {
                p.check(&at("name"), "name", n, adopt::terraform_name(n));
                n.clone()
            }
            None => {
                p.missing(&at("name"), "the resource name, e.g. `name: secret_key`");
                continue;
            }
        };
        let kind_name = match kind {
            RandomKind::Password => "random_password",
            RandomKind::String => "random_string",
            RandomKind::Id => "random_id",
        };
        let mut attributes = Vec::new();
        let int = |n: u32| Value::Int(i64::from(n));
        let chars = [
            ("special", r.special.map(Value::Bool)),
            (
                "override_special",
                r.override_special.clone().map(Value::Str),
            ),
            ("upper", r.upper.map(Value::Bool)),
            ("lower", r.lower.map(Value::Bool)),
            ("numeric", r.numeric.map(Value::Bool)),
            ("min_upper", r.min_upper.map(int)),
            ("min_lower", r.min_lower.map(int)),
            ("min_numeric", r.min_numeric.map(int)),
            ("min_special", r.min_special.map(int)),
        ];
        match kind {
            RandomKind::Id => {
                match r.byte_length {
                    Some(0) => p.add(at("byte_length"), "`byte_length` must be at least 1", None),
                    Some(n) => attributes.push(entry("byte_length", int(n))),
                    None => p.missing(
                        &at("byte_length"),
                        "the length in bytes, e.g. `byte_length: 32`",
                    ),
                }
                if r.length.is_some() {
                    p.add(
                        at("length"),
                        "a `random_id` has a `byte_length`, not a `length`",
                        None,
                    );
                }
                for (f, v) in &chars {
                    if v.is_some() {
                        p.add(
                            at(f),
                            format!("`{f}` applies to `password` and `string`"),
                            None,
                        );
                    }
                }
            }
            RandomKind::Password | RandomKind::String => {
                match r.length {
                    Some(0) => p.add(at("length"), "`length` must be at least 1", None),
                    Some(n) => attributes.push(entry("length", int(n))),
                    None => p.missing(&at("length"), "the length in characters, e.g. `length: 32`"),
                }
                if r.byte_length.is_some() {
                    p.add(
                        at("byte_length"),
                        "`byte_length` applies to `kind: id`",
                        None,
                    );
                }
                for (f, v) in chars {
                    if let Some(v) = v {
                        attributes.push(entry(f, v));
                    }
                }
            }
        }
        let address = Address::resource(kind_name, &name);
        if out.iter().any(|o| o.address == address) {
            p.add(
                at("name"),
                format!("`{kind_name}.{name}` is declared twice"),
                None,
            );
        }
        let mut object = Object::new(address, Body::Random(Random { attributes }));
        object.comment = r.comment.clone();
        out.push(object);
    }
    out
}
