//! Exposure: the stack's `ingress_factory` calls (the main one, `ingress:`, and every other
//! one, `ingresses:`), the Anubis module in front of an ingress, and the Services beside the
//! app's (`services:`).
//!
//! Every input of a call is read as it stands, defaults included (`minimize` removes what
//! the conventions say anyway). The sugar of a secondary ingress is recognized by its shape
//! so the spec says it in one word and renders the same text: a path carve-out (same host as
//! the main ingress, `auth = "none"`, anti-AI and the external monitor written, no tile), a
//! `.lan` twin (the local root domain, local access only, no SSL redirect), Anubis (the
//! ingress routes to the outputs of an `anubis_instance` call). Where the stack writes the
//! sugar's values without its comments, the values are stated, so the text stays the
//! stack's.

use super::{Ctx, Draft, Limits, NO_REASON, Part, Slot, attr, attr_text, service_of, source, text};
use crate::conventions as cv;
use crate::import::value::{self as val, get, map, prim, string};
use crate::planeq::Value;
use crate::spec::{
    AnubisSpec, Auth, DnsType, HomepageSpec, IngressSpec, OrderedMap, SablierSpec, SablierStrategy,
    ValueSpec,
};

/// The spec lists of the ingresses after the main one and of the Services beside the
/// app's: each entry gives up as `Part::Items(list, i)` and holds raw HCL at
/// `Slot::Item(list, i)`, like the objects around the pod.
pub const INGRESSES: &str = "ingresses";
pub const SERVICES: &str = "services";

/// Which ingress of the spec a call becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// `ingress:`.
    Main,
    /// `ingresses[i]`.
    Extra(usize),
}

impl Role {
    fn part(self) -> Part {
        match self {
            Role::Main => Part::Ingress,
            Role::Extra(i) => Part::Items(INGRESSES, i),
        }
    }

    fn slot(self) -> Slot {
        match self {
            Role::Main => Slot::Ingress,
            Role::Extra(i) => Slot::Item(INGRESSES, i),
        }
    }

    fn anubis_slot(self) -> Slot {
        match self {
            Role::Main => Slot::Anubis(None),
            Role::Extra(i) => Slot::Anubis(Some(i)),
        }
    }

    fn field(self, f: &str) -> String {
        match self {
            Role::Main => format!("ingress.{f}"),
            Role::Extra(i) => format!("ingresses[{i}].{f}"),
        }
    }
}

/// The label of the main ingress call (see `choice`).
fn main_label(ctx: &Ctx) -> Option<String> {
    super::choice::main_ingress(ctx)
}

/// The main ingress (`ingress:`).
pub(super) fn ingress(ctx: &Ctx, d: &mut Draft) {
    let Some(label) = main_label(ctx) else {
        return;
    };
    let all = ctx.modules(cv::repo::INGRESS_MODULE);
    let Some((_, v)) = all.iter().find(|(l, _)| *l == label) else {
        return;
    };
    if let Some(spec) = ingress_call(ctx, d, &label, v, Role::Main) {
        d.spec.ingress = Some(spec);
    }
}

/// Every other `ingress_factory` call (`ingresses:`) the spec can say, in the order the
/// stack writes them, up to the first one given up.
pub(super) fn ingresses(ctx: &Ctx, d: &mut Draft, limits: &Limits) {
    let main = main_label(ctx);
    let mut others: Vec<(String, &Value)> = ctx
        .modules(cv::repo::INGRESS_MODULE)
        .into_iter()
        .filter(|(label, _)| Some(label) != main.as_ref())
        .collect();
    others.sort_by_key(|(label, _)| source_position(ctx, &format!("module.{label}")));
    for (label, v) in others {
        let i = d.spec.ingresses.len();
        if i >= limits.items(INGRESSES) {
            break;
        }
        // A call the spec cannot say stays raw HCL; the others are still read.
        if let Some(spec) = ingress_call(ctx, d, &label, v, Role::Extra(i)) {
            d.spec.ingresses.push(spec);
        }
    }
}

/// The Services beside the app's (`services:`), in the order the stack writes them, up to
/// the first one given up. `app_port`: the app container's first port, as for the app's
/// Service (the short form's default target).
pub(super) fn services(ctx: &Ctx, d: &mut Draft, limits: &Limits, app_port: Option<u16>) {
    let mut others: Vec<_> = super::versions::resources(ctx, &cv::service::TYPES)
        .into_iter()
        .filter(|s| !d.claimed(&ctx.at(&s.address())))
        .collect();
    others.sort_by_key(|s| source_position(ctx, &s.address()));
    for found in others {
        let i = d.spec.services.len();
        if i >= limits.items(SERVICES) {
            break;
        }
        let address = found.address();
        let raw_first = d.raw_first.len();
        let svc = service_of(
            ctx,
            d,
            &found,
            app_port.unwrap_or(0),
            Slot::ItemSpec(SERVICES, i),
        );
        if svc.name.is_none() {
            d.raw_first.truncate(raw_first);
            continue;
        }
        d.claim(
            &ctx.at(&address),
            &address,
            Some(Part::Items(SERVICES, i)),
            Some(Slot::Item(SERVICES, i)),
        );
        d.spec.services.push(svc);
    }
}

/// Where the block at `address` starts: its file and byte offset (the stack's order).
fn source_position(ctx: &Ctx, address: &str) -> (String, usize) {
    use hcl_edit::Span as _;
    ctx.src
        .top(&ctx.at(address))
        .map(|t| {
            (
                t.file.name.clone(),
                t.block.span().map_or(usize::MAX, |s| s.start),
            )
        })
        .unwrap_or((String::new(), usize::MAX))
}

/// The comment after attribute `key` of the block at `address`, without taking it: its
/// file, line and text.
fn trailing(ctx: &Ctx, address: &str, key: &str) -> Option<(String, usize, String)> {
    use hcl_edit::Span as _;
    let top = ctx.src.top(&ctx.at(address))?;
    let node = source::find(&top.block.body, &[attr(key)])?;
    let (line, text) = top.file.comment_after(node.span()?.end)?;
    Some((top.file.name.clone(), line, text))
}

/// One `ingress_factory` call as an ingress of the spec; `None` when the spec cannot say
/// it (it then stays raw HCL).
fn ingress_call(
    ctx: &Ctx,
    d: &mut Draft,
    label: &str,
    v: &Value,
    role: Role,
) -> Option<IngressSpec> {
    let address = format!("module.{label}");
    // An argument the spec does not say (`backend_protocol`) stays raw HCL
    // in the call, which the spec still says; one that changes the call's addresses
    // (`count`, `for_each`) or its providers leaves the whole call raw.
    if ["count", "for_each", "providers"]
        .iter()
        .any(|k| get(v, k).is_some())
    {
        return None;
    }
    let auth = match string(v, "auth") {
        Some("required") => Auth::Required,
        Some("app") => Auth::App,
        Some("public") => Auth::Public,
        Some("none") => Auth::None,
        _ => return None,
    };
    let dns_type = match string(v, "dns_type") {
        Some("proxied") => Some(DnsType::Proxied),
        Some("non-proxied") => Some(DnsType::NonProxied),
        Some("internal") => Some(DnsType::Internal),
        Some("none") => Some(DnsType::None),
        None if get(v, "dns_type").is_none() => None,
        _ => return None,
    };
    let host = string(v, "name")?.to_owned();
    let (homepage, extra_annotations) = match get(v, "extra_annotations") {
        Some(ann) => annotations(ctx, &address, ann)?,
        None => (None, OrderedMap::default()),
    };
    let sablier = match get(v, "sablier") {
        None => None,
        Some(s) => {
            if !val::other_keys(s, &["group", "strategy"]).is_empty() {
                return None;
            }
            let strategy = match string(s, "strategy") {
                None if get(s, "strategy").is_none() => None,
                Some("dynamic") => Some(SablierStrategy::Dynamic),
                Some("blocking") => Some(SablierStrategy::Blocking),
                _ => return None,
            };
            let group = string(s, "group")?.to_owned();
            // The group of the Deployment the spec enrols, as the model derives it (the
            // main ingress is read first).
            let enrolled = d.spec.scale_to_zero == Some(true)
                && match role {
                    Role::Main => true,
                    Role::Extra(_) => d.spec.main_sablier_group().unwrap_or(&ctx.name) == group,
                };
            // Waking a group the spec does not enrol (another Deployment's, or one
            // labelled its own way) is a choice: the comment above says why.
            let why = if enrolled {
                None
            } else {
                text(ctx.above(d, &address, &[attr("sablier")]).take(d)).or_else(|| {
                    d.reasons.push(role.field("sablier.why"));
                    Some(NO_REASON.to_owned())
                })
            };
            Some(SablierSpec {
                group: Some(group),
                strategy,
                why,
            })
        }
    };
    let strings = |k: &str| -> Option<Option<Vec<String>>> {
        match get(v, k) {
            None => Some(None),
            Some(Value::List(items)) => val::strings(items).map(Some),
            Some(_) => None,
        }
    };
    let flag = |k: &str| val::boolean(v, k);
    let paths = strings("ingress_path")?;
    let allowed_groups = strings("allowed_groups")?;
    let mut extra_middlewares = strings("extra_middlewares")?;

    // Anubis in front: the ingress routes to the outputs of an `anubis_instance` call.
    let anubis_label = attr_text(ctx, &address, "service_name").and_then(|t| {
        let label = t
            .trim()
            .strip_prefix("module.")?
            .strip_suffix(&format!(".{}", cv::anubis::SERVICE_NAME_OUTPUT))?
            .to_owned();
        ctx.modules(cv::anubis::MODULE)
            .iter()
            .any(|(l, _)| *l == label)
            .then_some(label)
    });
    let (mut service, mut service_ref, mut port) = (None, None, None);
    if let Some(anubis) = &anubis_label {
        let expected = format!("module.{anubis}.{}", cv::anubis::SERVICE_PORT_OUTPUT);
        if attr_text(ctx, &address, "port").map(|t| t.trim().to_owned()) != Some(expected) {
            return None;
        }
    } else {
        if let Some(p) = get(v, "port") {
            port = Some(val::value_spec(p, &ctx.secret_name)?);
        }
        // The Service: a reference to the stack's Service, or a name other than the
        // ingress's.
        if let Some(target) = string(v, "service_name") {
            let text = attr_text(ctx, &address, "service_name").unwrap_or_default();
            if super::versions::split(text.trim_start(), &cv::service::TYPES).is_some() {
                service_ref = Some(true);
                if Some(target) != d.spec.service.as_ref().and_then(|s| s.name.as_deref()) {
                    service = Some(target.to_owned());
                }
            } else {
                // Written literally: the spec states it (the model writes a stated name
                // even when it is the ingress's own).
                service = Some(target.to_owned());
            }
        } else if get(v, "service_name").is_some() {
            return None;
        }
    }
    let anubis = match &anubis_label {
        Some(l) => Some(anubis_call(ctx, d, l)?),
        None => None,
    };
    d.claim(
        &ctx.at(&address),
        &address,
        Some(role.part()),
        Some(role.slot()),
    );
    if let Some(a) = &anubis {
        let at = format!("module.{}", a.address.as_deref().unwrap_or_default());
        d.claim(
            &ctx.at(&at),
            &at,
            Some(role.part()),
            Some(role.anubis_slot()),
        );
    }
    // The auth reason: `# auth = "<tier>": <why>` above `auth`, or its trailing comment.
    let tier = string(v, "auth").unwrap_or_default().to_owned();
    let prefix = format!("auth = \"{tier}\":");
    let mut above = ctx.above(d, &address, &[attr("auth")]);
    let mut auth_why = None;
    if let Some(i) = above.lines.iter().position(|(_, l)| l.starts_with(&prefix)) {
        above.lines.drain(..i);
        let lines = above.take(d);
        auth_why = Some(lines.join(" ")[prefix.len()..].trim().to_owned());
    }
    if auth_why.is_none() {
        auth_why = ctx.after(d, &address, &[attr("auth")]);
    }
    if auth_why.is_none() && matches!(auth, Auth::App | Auth::None) {
        d.reasons.push(role.field("auth_why"));
        auth_why = Some(NO_REASON.to_owned());
    }
    // Anubis's middleware, with the note dlgen writes above it, is the preset's.
    if anubis.is_some()
        && extra_middlewares.as_deref() == Some(&[cv::anubis::X402_MIDDLEWARE.to_owned()])
    {
        let mut note = ctx.above(d, &address, &[attr("extra_middlewares")]);
        if note
            .lines
            .iter()
            .any(|(_, l)| l.trim() == cv::anubis::MIDDLEWARE_COMMENT)
        {
            note.lines
                .retain(|(_, l)| l.trim() == cv::anubis::MIDDLEWARE_COMMENT);
            note.take(d);
            extra_middlewares = None;
        }
    }
    // dlgen writes the main ingress's URL above it: a convention, not a comment.
    let url = format!(
        "https://{}.{}",
        string(v, "host").unwrap_or(&host),
        string(v, "root_domain").unwrap_or(cv::repo::DOMAIN)
    );
    let full_url = string(v, "full_host").map(|f| format!("https://{f}"));
    let is_url =
        |l: &str| role == Role::Main && (l.trim() == url || Some(l.trim()) == full_url.as_deref());
    let mut module_comment = ctx.above(d, &address, &[]);
    module_comment.lines.retain(|(_, l)| is_url(l));
    module_comment.take(d);
    // What is left above the call is its comment, less what dlgen writes there itself:
    // the URL, and the reason the stack has no TLS module (`tls.why`, read by `tls`).
    let mut lines = ctx.above(d, &address, &[]).take(d);
    lines.retain(|l| !is_url(l));
    if let Some(i) = lines
        .iter()
        .position(|l| l.starts_with(cv::ingress::NO_TLS_COMMENT))
    {
        lines.drain(i..);
    }
    let mut spec = IngressSpec {
        name: Some(host.clone()),
        auth: Some(auth),
        auth_why,
        dns_type: Some(dns_type),
        homepage,
        address: Some(label.to_owned()),
        comment: text(lines),
        host: prim(v, "host"),
        full_host: prim(v, "full_host"),
        root_domain: prim(v, "root_domain"),
        paths,
        service,
        service_ref,
        port,
        allowed_groups,
        allow_local_access_only: flag("allow_local_access_only"),
        ssl_redirect: flag("ssl_redirect"),
        anti_ai_scraping: flag("anti_ai_scraping"),
        custom_csp: prim(v, "custom_content_security_policy"),
        extra_middlewares: extra_middlewares.map(|l| super::traffic::middleware_refs(ctx, d, l)),
        skip_default_rate_limit: flag("skip_default_rate_limit"),
        max_body_size: prim(v, "max_body_size"),
        external_monitor: flag("external_monitor"),
        external_monitor_name: prim(v, "external_monitor_name"),
        homepage_enabled: flag("homepage_enabled"),
        extra_annotations,
        sablier,
        anubis,
        // One entry that is no object's address leaves them all to the proof (raw HCL).
        depends_on: super::around::depends_on(ctx, v).unwrap_or_default(),
        ..IngressSpec::default()
    };
    if let Role::Extra(_) = role {
        secondary(ctx, d, &address, &mut spec);
    }
    Some(spec)
}

/// The purpose, carve-out and `.lan` sugar of a secondary ingress, when its shape is the
/// sugar's; the values read stay stated (`minimize` removes those the sugar implies).
fn secondary(ctx: &Ctx, d: &mut Draft, address: &str, spec: &mut IngressSpec) {
    let Some(main) = d.spec.ingress.clone() else {
        return;
    };
    let main_name = main.name.clone().unwrap_or_else(|| ctx.name.clone());
    // `ingress_<purpose>` named `<main name>-<purpose>`.
    if let (Some(suffix), Some(name)) = (
        address
            .strip_prefix("module.")
            .and_then(|l| l.strip_prefix(cv::ingress::SECONDARY_PREFIX)),
        spec.name.as_deref(),
    ) && let Some(purpose) = name.strip_prefix(&format!("{main_name}-"))
        && crate::hcl::snake(purpose) == suffix
        && crate::validate::dns_label(purpose).is_ok()
    {
        spec.purpose = Some(purpose.to_owned());
    }
    let none = spec.auth == Some(Auth::None) && spec.anubis.is_none();
    // A carve-out: same host as the main ingress, some paths, the checks off as written.
    let same_host = match (&main.full_host, &spec.full_host, &spec.host) {
        (Some(m), Some(f), None) => m == f,
        (None, None, Some(h)) => {
            *h == main.host.clone().unwrap_or(main_name.clone())
                && spec.root_domain == main.root_domain
        }
        _ => false,
    };
    let tile = spec.homepage_enabled == Some(false)
        || (spec.homepage_enabled.is_none() && spec.homepage.is_some());
    if none
        && same_host
        && spec.paths.is_some()
        && spec.anti_ai_scraping.is_some()
        && spec.external_monitor.is_some()
        && tile
        && (spec.service.is_some() || spec.service_ref.is_some())
    {
        spec.carve_out = Some(true);
        // A literal Service name stays literal (the carve-out's default is a reference).
        spec.service_ref = Some(spec.service_ref == Some(true));
        // `homepage_enabled = false` with dlgen's note after it is the carve-out's.
        if spec.homepage_enabled == Some(false)
            && let Some((file, line, text)) = trailing(ctx, address, "homepage_enabled")
            && text.trim() == cv::ingress::SECONDARY_HOMEPAGE_COMMENT
        {
            d.consumed.insert((file, line));
            spec.homepage_enabled = None;
        }
        return;
    }
    // A `.lan` twin: the local root domain, local access only, no SSL redirect.
    if none
        && spec.root_domain.as_deref() == Some(cv::ingress::LAN_ROOT_DOMAIN)
        && spec.allow_local_access_only == Some(true)
        && spec.ssl_redirect == Some(false)
        && spec.dns_type == Some(None)
        && spec.homepage.is_some()
    {
        spec.lan = Some(true);
        if spec.purpose.is_none()
            && spec.name.as_deref() == Some(&format!("{main_name}-{}", cv::ingress::LAN_SUFFIX))
        {
            spec.purpose = Some(cv::ingress::LAN_SUFFIX.to_owned());
        }
    }
}

/// The `anubis_instance` call `label` in front of an ingress.
fn anubis_call(ctx: &Ctx, d: &mut Draft, label: &str) -> Option<AnubisSpec> {
    let all = ctx.modules(cv::anubis::MODULE);
    let (_, v) = all.iter().find(|(l, _)| l == label)?;
    let name = string(v, "name")?.to_owned();
    let target = super::choice::anubis_target(v)?;
    let (mut redis_db, mut store_url) = (None, None);
    match string(v, "shared_store_url") {
        None if get(v, "shared_store_url").is_some() => return None,
        None => {}
        Some(url) => match url
            .strip_prefix(cv::anubis::STORE_PREFIX)
            .and_then(|db| db.parse::<u32>().ok())
        {
            Some(db) => redis_db = Some(db),
            None => store_url = Some(url.to_owned()),
        },
    }
    let policy_rules = match get(v, "policy_rules_yaml") {
        None => None,
        Some(_) => Some(string(v, "policy_rules_yaml")?.to_owned()),
    };
    let address = format!("module.{label}");
    let comment = text(ctx.above(d, &address, &[]).take(d));
    Some(AnubisSpec {
        name: Some(name),
        address: Some(label.to_owned()),
        redis_db,
        store_url,
        target: Some(target),
        policy_rules,
        comment,
        raw: None,
    })
}

/// An ingress's `extra_annotations`: the homepage tile dlgen writes (a full tile, a tile
/// of some keys with a description, a hidden one) and the other annotations after it.
/// `None` when a value is one the spec cannot say.
fn annotations(
    ctx: &Ctx,
    address: &str,
    ann: &Value,
) -> Option<(Option<HomepageSpec>, OrderedMap<ValueSpec>)> {
    use cv::homepage as h;
    let m = map(ann)?;
    let order = ctx
        .source_keys(address, &[attr("extra_annotations")])
        .unwrap_or_default();
    let position = |k: &str| order.iter().position(|o| o == k).unwrap_or(usize::MAX);
    let all = || -> Option<OrderedMap<ValueSpec>> {
        let mut entries: Vec<(String, ValueSpec)> = m
            .iter()
            .map(|(k, v)| {
                let value = val::value_spec(v, &ctx.secret_name)
                    .or_else(|| ctx.entry_expression(address, &[attr("extra_annotations")], k))?;
                Some((k.clone(), value))
            })
            .collect::<Option<_>>()?;
        entries.sort_by_key(|(k, _)| position(k));
        Some(OrderedMap(entries))
    };
    let tile = |k: &str| m.get(k).and_then(Value::as_primitive_string);
    let keys = [
        h::ENABLED,
        h::NAME,
        h::DESCRIPTION,
        h::ICON,
        h::GROUP,
        h::POD_SELECTOR,
    ];
    let mut hp = HomepageSpec {
        name: tile(h::NAME),
        description: tile(h::DESCRIPTION),
        icon: tile(h::ICON),
        group: tile(h::GROUP),
        pod_selector: tile(h::POD_SELECTOR),
        ..HomepageSpec::default()
    };
    let enabled = tile(h::ENABLED);
    let widget_keys: Vec<&String> = m
        .keys()
        .filter(|k| k.starts_with(h::WIDGET_PREFIX))
        .collect();
    let any_tile = keys.iter().any(|k| m.contains_key(*k)) || !widget_keys.is_empty();
    let shape = if !any_tile {
        None
    } else if enabled.as_deref() == Some("false") {
        // Hidden: the flag alone.
        (keys.iter().filter(|k| m.contains_key(**k)).count() == 1 && widget_keys.is_empty()).then(
            || {
                hp = HomepageSpec {
                    enabled: Some(false),
                    ..HomepageSpec::default()
                };
            },
        )
    } else if hp.name.is_some() {
        // Full: the flag, every field and a pod selector.
        (enabled.as_deref() == Some("true")
            && hp.description.is_some()
            && hp.icon.is_some()
            && hp.group.is_some()
            && hp.pod_selector.is_some())
        .then(|| {
            if hp.pod_selector.as_deref() == Some("") {
                hp.pod_selector = None;
            }
        })
    } else {
        // Some keys: a description at least, the flag `true` or none.
        (hp.description.is_some() && matches!(enabled.as_deref(), None | Some("true"))).then(|| {
            hp.enabled = enabled.is_some().then_some(true);
        })
    };
    if shape.is_none() {
        return Some((None, all()?));
    }
    let mut widget = Vec::new();
    let mut rest = Vec::new();
    for (k, v) in m {
        if keys.contains(&k.as_str()) {
            continue;
        }
        let value = val::value_spec(v, &ctx.secret_name)?;
        match k.strip_prefix(h::WIDGET_PREFIX) {
            Some(key) => widget.push((key.to_owned(), value, k.clone())),
            None => rest.push((k.clone(), value)),
        }
    }
    widget.sort_by_key(|(_, _, k)| position(k));
    rest.sort_by_key(|(k, _)| position(k));
    hp.widget = OrderedMap(widget.into_iter().map(|(k, v, _)| (k, v)).collect());
    Some((Some(hp), OrderedMap(rest)))
}
