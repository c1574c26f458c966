//! A spec as a YAML tree, keys in the order of the spec structs. Every struct is taken
//! apart field by field without `..`, so a field added to the spec language does not
//! compile here until it is written out too: an imported spec never silently drops one.

use super::yaml_out::{Entry, Node};
use crate::spec::{
    AdoptSpec, Auth, BackupKind, BackupSpec, ContainerSpec, DeploymentSpec, DnsType, EnvSpec,
    HomepageSpec, IngressSpec, IntegrityCheckSpec, MovedSpec, NamespaceSpec, OrderedMap, ProbeSpec,
    RawSpec, ResourcesSpec, Scalar, SecretsSpec, ServiceSpec, Spec, Storage, Strategy, Tier,
    ValueSpec, VolumeSpec,
};

/// Mapping entries in order; absent fields are left out.
#[derive(Default)]
struct Map(Vec<Entry>);

impl Map {
    fn put(&mut self, key: &str, value: Option<Node>) {
        if let Some(value) = value {
            self.0.push(Entry::new(key, value));
        }
    }

    /// A nested mapping, left out when it is empty.
    fn section(&mut self, key: &str, value: Option<Map>) {
        if let Some(m) = value {
            self.0.push(Entry::new(key, Node::Map(m.0)));
        }
    }

    fn list(&mut self, key: &str, items: Vec<Node>) {
        if !items.is_empty() {
            self.0.push(Entry::new(key, Node::Seq(items)));
        }
    }

    fn node(self) -> Node {
        Node::Map(self.0)
    }
}

fn s(v: &Option<String>) -> Option<Node> {
    v.as_ref().map(|v| Node::str(v.as_str()))
}

fn b(v: Option<bool>) -> Option<Node> {
    v.map(Node::Bool)
}

fn n<T: Into<i64> + Copy>(v: Option<T>) -> Option<Node> {
    v.map(|v| Node::Int(v.into()))
}

fn strings(v: &[String]) -> Vec<Node> {
    v.iter().map(|s| Node::str(s.as_str())).collect()
}

fn ordered(m: &OrderedMap<String>) -> Option<Node> {
    (!m.0.is_empty()).then(|| {
        Node::Map(
            m.0.iter()
                .map(|(k, v)| Entry::new(k, Node::str(v.as_str())))
                .collect(),
        )
    })
}

fn scalar(v: &Scalar) -> Node {
    match v {
        Scalar::Bool(b) => Node::Bool(*b),
        Scalar::Int(i) => Node::Int(*i),
        Scalar::Float(f) => Node::Float(*f),
        Scalar::Str(s) => Node::str(s.as_str()),
    }
}

/// A value: a scalar, or a one-key mapping naming the kind of reference.
pub fn value(v: &ValueSpec) -> Node {
    let one = |key: &str, node: Node| Node::Map(vec![Entry::new(key, node)]);
    match v {
        ValueSpec::Scalar(x) => scalar(x),
        ValueSpec::Var(name) => one("var", Node::str(name.as_str())),
        ValueSpec::Vault(r) => {
            let crate::spec::VaultRef { path, key } = r;
            let mut m = Map::default();
            m.put("path", s(path));
            m.put("key", s(key));
            one("vault", m.node())
        }
        ValueSpec::Eso(r) => {
            let crate::spec::EsoRef { key, path } = r;
            let mut m = Map::default();
            m.put("key", s(key));
            m.list("path", strings(path));
            one("eso", m.node())
        }
        ValueSpec::Ref(text) => one("ref", Node::str(text.as_str())),
        ValueSpec::Template(parts) => one("template", Node::Seq(parts.iter().map(value).collect())),
    }
}

fn tier(t: Tier) -> &'static str {
    match t {
        Tier::Core => "core",
        Tier::Cluster => "cluster",
        Tier::Gpu => "gpu",
        Tier::Edge => "edge",
        Tier::Aux => "aux",
    }
}

/// The spec's top-level entries.
pub fn spec(spec: &Spec) -> Vec<Entry> {
    let Spec {
        name,
        comment,
        tier: spec_tier,
        dependency,
        keel,
        keel_why,
        keel_policy,
        namespace,
        secrets,
        containers,
        deployment,
        strategy,
        strategy_why,
        volumes,
        service,
        backup,
        ingress,
        scale_to_zero,
        adopt,
        raw,
    } = spec;
    let mut m = Map::default();
    m.put("name", s(name));
    m.put("comment", s(comment));
    m.put("tier", spec_tier.map(|t| Node::str(tier(t))));
    m.put("dependency", s(dependency));
    m.put("keel", b(*keel));
    m.put("keel_why", s(keel_why));
    m.put("keel_policy", s(keel_policy));
    m.section("namespace", namespace.as_ref().map(namespace_spec));
    m.section("secrets", secrets.as_ref().map(secrets_spec));
    m.list("containers", containers.iter().map(container).collect());
    m.section("deployment", deployment.as_ref().map(deployment_spec));
    m.put(
        "strategy",
        strategy.map(|st| {
            Node::str(match st {
                Strategy::Recreate => "Recreate",
                Strategy::RollingUpdate => "RollingUpdate",
            })
        }),
    );
    m.put("strategy_why", s(strategy_why));
    m.list("volumes", volumes.iter().map(volume).collect());
    m.section("service", service.as_ref().map(service_spec));
    m.section("backup", backup.as_ref().map(backup_spec));
    m.section("ingress", ingress.as_ref().map(ingress_spec));
    m.put("scale_to_zero", b(*scale_to_zero));
    m.section("adopt", adopt.as_ref().map(adopt_spec));
    m.section("raw", raw.as_ref().map(raw_spec));
    m.0
}

fn namespace_spec(ns: &NamespaceSpec) -> Map {
    let NamespaceSpec {
        name,
        address,
        labels,
    } = ns;
    let mut m = Map::default();
    m.put("name", s(name));
    m.put("address", s(address));
    m.put("labels", ordered(labels));
    m
}

fn secrets_spec(sec: &SecretsSpec) -> Map {
    let SecretsSpec { vault_key, raw } = sec;
    let mut m = Map::default();
    m.put("vault_key", s(vault_key));
    m.put("raw", s(raw));
    m
}

fn container(c: &ContainerSpec) -> Node {
    let ContainerSpec {
        name,
        image,
        port,
        port_name,
        command,
        args,
        env,
        resources,
        liveness_probe,
        readiness_probe,
        startup_probe,
        raw,
    } = c;
    let mut m = Map::default();
    m.put("name", s(name));
    m.put("image", s(image));
    m.put("port", n(*port));
    m.put(
        "port_name",
        port_name
            .as_ref()
            .map(|p| p.as_ref().map_or(Node::Null, |p| Node::str(p.as_str()))),
    );
    m.put("command", command.as_ref().map(|c| Node::Seq(strings(c))));
    m.put("args", args.as_ref().map(|a| Node::Seq(strings(a))));
    m.list("env", env.iter().map(env_spec).collect());
    m.put("resources", resources.as_ref().map(resources_spec));
    m.section("liveness_probe", liveness_probe.as_ref().map(probe));
    m.section("readiness_probe", readiness_probe.as_ref().map(probe));
    m.section("startup_probe", startup_probe.as_ref().map(probe));
    m.put("raw", s(raw));
    m.node()
}

fn env_spec(e: &EnvSpec) -> Node {
    let EnvSpec {
        name,
        value: v,
        secret,
        plain_why,
        comment,
    } = e;
    let mut m = Map::default();
    m.put("name", s(name));
    m.put("value", v.as_ref().map(value));
    m.put("secret", s(secret));
    m.put("plain_why", s(plain_why));
    m.put("comment", s(comment));
    m.node()
}

fn resources_spec(r: &ResourcesSpec) -> Node {
    let ResourcesSpec { cpu, memory } = r;
    let mut m = Map::default();
    m.put("cpu", s(cpu));
    m.put("memory", s(memory));
    m.node()
}

fn probe(p: &ProbeSpec) -> Map {
    let ProbeSpec {
        path,
        port,
        initial_delay_seconds,
        period_seconds,
        timeout_seconds,
        failure_threshold,
    } = p;
    let mut m = Map::default();
    m.put("path", s(path));
    m.put("port", n(*port));
    m.put("initial_delay_seconds", n(*initial_delay_seconds));
    m.put("period_seconds", n(*period_seconds));
    m.put("timeout_seconds", n(*timeout_seconds));
    m.put("failure_threshold", n(*failure_threshold));
    m
}

fn deployment_spec(d: &DeploymentSpec) -> Map {
    let DeploymentSpec {
        address,
        annotations,
        pod_annotations,
        cluster_service_label,
        dns_options,
    } = d;
    let mut m = Map::default();
    m.put("address", s(address));
    m.put("annotations", ordered(annotations));
    m.put("pod_annotations", ordered(pod_annotations));
    m.put("cluster_service_label", b(*cluster_service_label));
    m.put("dns_options", ordered(dns_options));
    m
}

fn volume(v: &VolumeSpec) -> Node {
    let VolumeSpec {
        name,
        storage,
        size,
        max_size,
        path,
        mount,
        read_only,
        comment,
        address,
        wait_until_bound,
        wait_until_bound_why,
        raw,
    } = v;
    let mut m = Map::default();
    m.put("name", s(name));
    m.put(
        "storage",
        storage.map(|st| {
            Node::str(match st {
                Storage::ProxmoxLvmEncrypted => "proxmox-lvm-encrypted",
                Storage::ProxmoxLvm => "proxmox-lvm",
                Storage::Nfs => "nfs",
            })
        }),
    );
    m.put("size", s(size));
    m.put("max_size", s(max_size));
    m.put("path", s(path));
    m.put("mount", s(mount));
    m.put("read_only", read_only.then_some(Node::Bool(true)));
    m.put("comment", s(comment));
    m.put("address", s(address));
    m.put("wait_until_bound", b(*wait_until_bound));
    m.put("wait_until_bound_why", s(wait_until_bound_why));
    m.put("raw", s(raw));
    m.node()
}

fn service_spec(svc: &ServiceSpec) -> Map {
    let ServiceSpec {
        port,
        port_name,
        protocol,
        target_port,
    } = svc;
    let mut m = Map::default();
    m.put("port", n(*port));
    m.put("port_name", s(port_name));
    m.put("protocol", s(protocol));
    m.put(
        "target_port",
        target_port
            .as_ref()
            .map(|t| t.map_or(Node::Null, |t| Node::Int(t.into()))),
    );
    m
}

fn backup_spec(bk: &BackupSpec) -> Map {
    let BackupSpec {
        enabled,
        why,
        kind,
        database,
        extra_files,
        schedule,
        comment,
        retention_days,
        starting_deadline_seconds,
        successful_jobs_history,
        address,
        target_address,
        nfs_server,
        integrity_check,
        raw,
    } = bk;
    let mut m = Map::default();
    m.put("enabled", b(*enabled));
    m.put("why", s(why));
    m.put(
        "kind",
        kind.map(|k| {
            Node::str(match k {
                BackupKind::Copy => "copy",
                BackupKind::Sqlite => "sqlite",
            })
        }),
    );
    m.put("database", s(database));
    m.list("extra_files", strings(extra_files));
    m.put("schedule", s(schedule));
    m.put("comment", s(comment));
    m.put("retention_days", n(*retention_days));
    m.put("starting_deadline_seconds", n(*starting_deadline_seconds));
    m.put("successful_jobs_history", n(*successful_jobs_history));
    m.put("address", s(address));
    m.put("target_address", s(target_address));
    m.put("nfs_server", s(nfs_server));
    m.section("integrity_check", integrity_check.as_ref().map(integrity));
    m.put("raw", s(raw));
    m
}

fn integrity(ic: &IntegrityCheckSpec) -> Map {
    let IntegrityCheckSpec {
        schedule,
        starting_deadline_seconds,
        successful_jobs_history,
        address,
        comment,
        raw,
    } = ic;
    let mut m = Map::default();
    m.put("schedule", s(schedule));
    m.put("starting_deadline_seconds", n(*starting_deadline_seconds));
    m.put("successful_jobs_history", n(*successful_jobs_history));
    m.put("address", s(address));
    m.put("comment", s(comment));
    m.put("raw", s(raw));
    m
}

fn ingress_spec(ing: &IngressSpec) -> Map {
    let IngressSpec {
        name,
        auth,
        auth_why,
        dns_type,
        homepage,
    } = ing;
    let mut m = Map::default();
    m.put("name", s(name));
    m.put(
        "auth",
        auth.map(|a| {
            Node::str(match a {
                Auth::Required => "required",
                Auth::App => "app",
                Auth::Public => "public",
                Auth::None => "none",
            })
        }),
    );
    m.put("auth_why", s(auth_why));
    m.put(
        "dns_type",
        dns_type.map(|d| {
            Node::str(match d {
                DnsType::Proxied => "proxied",
                DnsType::NonProxied => "non-proxied",
                DnsType::Internal => "internal",
                DnsType::None => "none",
            })
        }),
    );
    m.section("homepage", homepage.as_ref().map(homepage_spec));
    m
}

fn homepage_spec(hp: &HomepageSpec) -> Map {
    let HomepageSpec {
        name,
        description,
        icon,
        group,
        widget,
    } = hp;
    let mut m = Map::default();
    m.put("name", s(name));
    m.put("description", s(description));
    m.put("icon", s(icon));
    m.put("group", s(group));
    if !widget.0.is_empty() {
        m.put(
            "widget",
            Some(Node::Map(
                widget
                    .0
                    .iter()
                    .map(|(k, v)| Entry::new(k, value(v)))
                    .collect(),
            )),
        );
    }
    m
}

fn adopt_spec(a: &AdoptSpec) -> Map {
    let AdoptSpec { from_module, moved } = a;
    let mut m = Map::default();
    m.put("from_module", s(from_module));
    m.list(
        "moved",
        moved
            .iter()
            .map(|mv| {
                let MovedSpec { from, to } = mv;
                let mut e = Map::default();
                e.put("from", s(from));
                e.put("to", s(to));
                e.node()
            })
            .collect(),
    );
    m
}

fn raw_spec(r: &RawSpec) -> Map {
    let RawSpec {
        namespace,
        deployment,
        container,
        pod,
        service,
        ingress,
        tls_secret,
        stack,
        terragrunt,
    } = r;
    let mut m = Map::default();
    m.put("namespace", s(namespace));
    m.put("deployment", s(deployment));
    m.put("container", s(container));
    m.put("pod", s(pod));
    m.put("service", s(service));
    m.put("ingress", s(ingress));
    m.put("tls_secret", s(tls_secret));
    m.put("stack", s(stack));
    m.put("terragrunt", s(terragrunt));
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys of each spec struct, in the order `src/spec.rs` declares them.
    fn declared_fields() -> std::collections::BTreeMap<String, Vec<String>> {
        let src = include_str!("../spec.rs");
        let mut out = std::collections::BTreeMap::new();
        let mut current: Option<String> = None;
        for line in src.lines() {
            let t = line.trim();
            if let Some(rest) = t.strip_prefix("pub struct ") {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                current = rest.contains('{').then_some(name);
                continue;
            }
            if t == "}" {
                current = None;
                continue;
            }
            if let (Some(st), Some(field)) = (&current, t.strip_prefix("pub ")) {
                let name: String = field
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                out.entry(st.clone()).or_insert_with(Vec::new).push(name);
            }
        }
        out
    }

    fn keys(node: &Node) -> Vec<String> {
        match node {
            Node::Map(entries) => entries.iter().map(|e| e.key.clone()).collect(),
            _ => Vec::new(),
        }
    }

    /// Every field of a struct is written, and in the declared order.
    fn check(declared: &std::collections::BTreeMap<String, Vec<String>>, st: &str, node: &Node) {
        let want = &declared[st];
        assert_eq!(&keys(node), want, "{st}");
    }

    #[test]
    fn keys_follow_the_order_of_the_spec_structs() {
        let declared = declared_fields();
        let some = || Some("x".to_owned());
        let full = Spec {
            name: some(),
            comment: some(),
            tier: Some(Tier::Gpu),
            dependency: some(),
            keel: Some(false),
            keel_why: some(),
            keel_policy: some(),
            namespace: Some(NamespaceSpec {
                name: some(),
                address: some(),
                labels: OrderedMap(vec![("a".into(), "b".into())]),
            }),
            secrets: Some(SecretsSpec {
                vault_key: some(),
                raw: some(),
            }),
            containers: vec![ContainerSpec {
                name: some(),
                image: some(),
                port: Some(80),
                port_name: Some(None),
                command: Some(vec!["a".into()]),
                args: Some(vec!["b".into()]),
                env: vec![EnvSpec {
                    name: some(),
                    value: Some(ValueSpec::Var("v".into())),
                    secret: some(),
                    plain_why: some(),
                    comment: some(),
                }],
                resources: Some(ResourcesSpec {
                    cpu: some(),
                    memory: some(),
                }),
                liveness_probe: Some(ProbeSpec {
                    path: some(),
                    port: Some(1),
                    initial_delay_seconds: Some(1),
                    period_seconds: Some(1),
                    timeout_seconds: Some(1),
                    failure_threshold: Some(1),
                }),
                readiness_probe: Some(ProbeSpec::default()),
                startup_probe: Some(ProbeSpec::default()),
                raw: some(),
            }],
            deployment: Some(DeploymentSpec {
                address: some(),
                annotations: OrderedMap(vec![("a".into(), "b".into())]),
                pod_annotations: OrderedMap(vec![("a".into(), "b".into())]),
                cluster_service_label: Some(false),
                dns_options: OrderedMap(vec![("a".into(), "b".into())]),
            }),
            strategy: Some(Strategy::Recreate),
            strategy_why: some(),
            volumes: vec![VolumeSpec {
                name: some(),
                storage: Some(Storage::Nfs),
                size: some(),
                max_size: some(),
                path: some(),
                mount: some(),
                read_only: true,
                comment: some(),
                address: some(),
                wait_until_bound: Some(true),
                wait_until_bound_why: some(),
                raw: some(),
            }],
            service: Some(ServiceSpec {
                port: Some(1),
                port_name: some(),
                protocol: some(),
                target_port: Some(None),
            }),
            backup: Some(BackupSpec {
                enabled: Some(true),
                why: some(),
                kind: Some(BackupKind::Sqlite),
                database: some(),
                extra_files: vec!["a".into()],
                schedule: some(),
                comment: some(),
                retention_days: Some(1),
                starting_deadline_seconds: Some(1),
                successful_jobs_history: Some(1),
                address: some(),
                target_address: some(),
                nfs_server: some(),
                integrity_check: Some(IntegrityCheckSpec {
                    schedule: some(),
                    starting_deadline_seconds: Some(1),
                    successful_jobs_history: Some(1),
                    address: some(),
                    comment: some(),
                    raw: some(),
                }),
                raw: some(),
            }),
            ingress: Some(IngressSpec {
                name: some(),
                auth: Some(Auth::App),
                auth_why: some(),
                dns_type: Some(DnsType::Internal),
                homepage: Some(HomepageSpec {
                    name: some(),
                    description: some(),
                    icon: some(),
                    group: some(),
                    widget: OrderedMap(vec![("a".into(), ValueSpec::Var("v".into()))]),
                }),
            }),
            scale_to_zero: Some(true),
            adopt: Some(AdoptSpec {
                from_module: some(),
                moved: vec![MovedSpec {
                    from: some(),
                    to: some(),
                }],
            }),
            raw: Some(RawSpec {
                namespace: some(),
                deployment: some(),
                container: some(),
                pod: some(),
                service: some(),
                ingress: some(),
                tls_secret: some(),
                stack: some(),
                terragrunt: some(),
            }),
        };
        let root = Node::Map(spec(&full));
        check(&declared, "Spec", &root);
        let at = |n: &Node, k: &str| -> Node {
            match n {
                Node::Map(e) => e
                    .iter()
                    .find(|e| e.key == k)
                    .map(|e| e.value.clone())
                    .unwrap_or(Node::Null),
                _ => Node::Null,
            }
        };
        let first = |n: Node| match n {
            Node::Seq(mut items) => items.remove(0),
            other => other,
        };
        check(&declared, "NamespaceSpec", &at(&root, "namespace"));
        check(&declared, "SecretsSpec", &at(&root, "secrets"));
        let c = first(at(&root, "containers"));
        check(&declared, "ContainerSpec", &c);
        check(&declared, "EnvSpec", &first(at(&c, "env")));
        check(&declared, "ResourcesSpec", &at(&c, "resources"));
        check(&declared, "ProbeSpec", &at(&c, "liveness_probe"));
        check(&declared, "DeploymentSpec", &at(&root, "deployment"));
        check(&declared, "VolumeSpec", &first(at(&root, "volumes")));
        check(&declared, "ServiceSpec", &at(&root, "service"));
        let bk = at(&root, "backup");
        check(&declared, "BackupSpec", &bk);
        check(&declared, "IntegrityCheckSpec", &at(&bk, "integrity_check"));
        let ing = at(&root, "ingress");
        check(&declared, "IngressSpec", &ing);
        check(&declared, "HomepageSpec", &at(&ing, "homepage"));
        let ad = at(&root, "adopt");
        check(&declared, "AdoptSpec", &ad);
        check(&declared, "MovedSpec", &first(at(&ad, "moved")));
        check(&declared, "RawSpec", &at(&root, "raw"));
    }
}
