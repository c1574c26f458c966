//! Reading specs through `de::from_str` with small test types: values, positions, and every
//! problem reported with its path.

use std::collections::BTreeMap;

use dlgen::de::{self, SpanIndex};
use dlgen::diag::{Diagnostic, Diagnostics, Span};
use serde::Deserialize;

/// Asserts a rendered text against a reviewed snapshot in the top-level `snapshots/` folder.
macro_rules! assert_rendered {
    ($name:expr, $text:expr) => {
        insta::with_settings!({
            snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!($name, $text);
        });
    };
}

#[derive(Debug, Deserialize, PartialEq)]
struct Spec {
    name: String,
    replicas: Option<u32>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    containers: Vec<Container>,
    service: Option<Service>,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Container {
    name: String,
    image: String,
    port: Option<u16>,
    #[serde(default)]
    env: Vec<EnvVar>,
    resources: Option<Resources>,
}

#[derive(Debug, Deserialize, PartialEq)]
struct EnvVar {
    name: String,
    value: String,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Resources {
    cpu: f64,
    memory: String,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Service {
    #[serde(rename = "type")]
    kind: ServiceType,
    port: u16,
}

#[derive(Debug, Deserialize, PartialEq)]
enum ServiceType {
    ClusterIP,
    NodePort,
    LoadBalancer,
}

fn read<T: serde::de::DeserializeOwned>(text: &str) -> (T, SpanIndex) {
    match de::from_str::<T>("app.yaml", text) {
        Ok(read) => read,
        Err(diags) => panic!("unexpected errors:\n{}", diags.render(text)),
    }
}

fn problems<T: serde::de::DeserializeOwned + std::fmt::Debug>(text: &str) -> Diagnostics {
    match de::from_str::<T>("app.yaml", text) {
        Ok((value, _)) => panic!("expected errors, read {value:?}"),
        Err(diags) => diags,
    }
}

/// `(line, col, path, message)` of each diagnostic, for compact assertions.
fn summary(diags: &Diagnostics) -> Vec<(usize, usize, String, String)> {
    diags
        .iter()
        .map(|d| {
            let (line, col) = d.span.map_or((0, 0), |s| (s.line, s.col));
            (line, col, d.path.clone(), d.message.clone())
        })
        .collect()
}

fn entry(line: usize, col: usize, path: &str, message: &str) -> (usize, usize, String, String) {
    (line, col, path.to_owned(), message.to_owned())
}

const GOOD: &str = "\
name: web
replicas: 2
labels:
  app.kubernetes.io/name: web
  tier: front
containers:
  - name: app
    image: ghcr.io/x/web:1.2
    port: 8080
    env:
      - name: DEBUG
        value: true
      - name: WORKERS
        value: 4
      - name: GREETING
        value: |
          hello
          world
    resources:
      cpu: 0.5
      memory: 256Mi
  - name: sidecar
    image: busybox
service:
  type: NodePort
  port: 80
";

#[test]
fn reads_a_valid_spec() {
    let (spec, _) = read::<Spec>(GOOD);
    assert_eq!(spec.name, "web");
    assert_eq!(spec.replicas, Some(2));
    assert_eq!(spec.labels["app.kubernetes.io/name"], "web");
    assert_eq!(spec.containers.len(), 2);
    let app = &spec.containers[0];
    assert_eq!(app.port, Some(8080));
    // String fields take the text as written, whatever YAML type it would resolve to.
    assert_eq!(app.env[0].value, "true");
    assert_eq!(app.env[1].value, "4");
    assert_eq!(app.env[2].value, "hello\nworld\n");
    assert_eq!(
        app.resources,
        Some(Resources {
            cpu: 0.5,
            memory: "256Mi".to_owned()
        })
    );
    let sidecar = &spec.containers[1];
    assert_eq!(sidecar.port, None);
    assert!(sidecar.env.is_empty());
    assert_eq!(
        spec.service,
        Some(Service {
            kind: ServiceType::NodePort,
            port: 80
        })
    );
}

#[test]
fn span_index_locates_values_and_keys_by_path() {
    let (_, spans) = read::<Spec>(GOOD);
    let at = |span: Option<Span>| span.map(|s| (s.line, s.col));
    assert_eq!(at(spans.value("containers[0].env[1].name")), Some((13, 15)));
    assert_eq!(at(spans.key("containers[0].env[1].name")), Some((13, 9)));
    assert_eq!(at(spans.value("containers[0].env[1]")), Some((13, 9)));
    assert_eq!(spans.key("containers[0].env[1]"), None);
    assert_eq!(
        at(spans.value("labels.\"app.kubernetes.io/name\"")),
        Some((4, 27))
    );
    assert_eq!(at(spans.value("service.type")), Some((25, 9)));
    // After the block scalar, positions are still right.
    assert_eq!(
        at(spans.value("containers[0].resources.cpu")),
        Some((20, 12))
    );
    assert_eq!(at(spans.value("")), Some((1, 1)));
    // A field the file leaves out points at its closest ancestor in the file.
    assert_eq!(at(spans.nearest("containers[1].port")), Some((22, 5)));
    assert_eq!(
        at(spans.nearest("containers[1].resources.cpu")),
        Some((22, 5))
    );
    assert_eq!(at(spans.nearest("service.port")), Some((26, 9)));
    assert_eq!(at(spans.nearest("nothing.here")), Some((1, 1)));
    assert_eq!(spans.value("containers[5]"), None);
    let offset = spans.value("containers[1].image").map(|s| s.offset);
    assert_eq!(offset, GOOD.find("busybox"));
}

#[test]
fn nested_paths_appear_in_messages() {
    let text = "\
name: web
containers:
  - name: app
    image: x
    env:
      - {name: A, value: a}
      - {name: B, value: b}
      - {name: C, value: c}
      - name: [not, a, string]
        value: d
";
    let diags = problems::<Spec>(text);
    assert_eq!(
        summary(&diags),
        [entry(
            9,
            15,
            "containers[0].env[3].name",
            "expected a string, found a list"
        )]
    );
    assert_eq!(
        diags.as_slice()[0].full_message(),
        "expected a string, found a list at `containers[0].env[3].name`"
    );
    assert!(diags.has_error_at_or_under("containers[0].env"));
    assert!(!diags.has_error_at_or_under("containers[0].image"));
}

#[test]
fn every_unknown_field_is_reported() {
    let text = "\
name: web
replicas: 1
replics: 2
containers:
  - name: app
    imge: x
    image: y
    ports: 80
  - name: b
    image: z
    resources: {cpu: 1, memory: 1Gi, gpu: 1}
volumes: []
";
    let diags = problems::<Spec>(text);
    assert_eq!(
        summary(&diags),
        [
            entry(
                3,
                1,
                "",
                "unknown field `replics` at the top level of the spec"
            ),
            entry(
                6,
                5,
                "containers[0]",
                "unknown field `imge` in `containers[0]`"
            ),
            entry(
                8,
                5,
                "containers[0]",
                "unknown field `ports` in `containers[0]`"
            ),
            entry(
                11,
                38,
                "containers[1].resources",
                "unknown field `gpu` in `containers[1].resources`"
            ),
            entry(
                12,
                1,
                "",
                "unknown field `volumes` at the top level of the spec"
            ),
        ]
    );
    let helps: Vec<Option<&str>> = diags.iter().map(|d| d.help.as_deref()).collect();
    assert_eq!(
        helps,
        [
            Some(
                "valid fields are `name`, `replicas`, `labels`, `containers`, `service`; did you mean `replicas`?"
            ),
            Some(
                "valid fields are `name`, `image`, `port`, `env`, `resources`; did you mean `image`?"
            ),
            Some(
                "valid fields are `name`, `image`, `port`, `env`, `resources`; did you mean `port`?"
            ),
            // A typo is indistinguishable from a different word one letter away.
            Some("valid fields are `cpu`, `memory`; did you mean `cpu`?"),
            Some("valid fields are `name`, `replicas`, `labels`, `containers`, `service`"),
        ]
    );
}

#[test]
fn field_names_are_case_sensitive() {
    let text = "name: web\nContainers: []\ncontainers: []\n";
    let diags = problems::<Spec>(text);
    assert_eq!(
        summary(&diags),
        [entry(
            2,
            1,
            "",
            "unknown field `Containers` at the top level of the spec"
        )]
    );
    assert!(
        diags.as_slice()[0]
            .help
            .as_deref()
            .is_some_and(|h| h.ends_with("did you mean `containers`?"))
    );
}

#[test]
fn unknown_enum_values_suggest_the_closest() {
    let text = "name: web\ncontainers: []\nservice:\n  type: clusterip\n  port: 80\n";
    let diags = problems::<Spec>(text);
    assert_eq!(
        summary(&diags),
        [entry(4, 9, "service.type", "unknown value `clusterip`")]
    );
    assert_eq!(
        diags.as_slice()[0].help.as_deref(),
        Some("valid values are `ClusterIP`, `NodePort`, `LoadBalancer`; did you mean `ClusterIP`?")
    );
    let text = "name: web\ncontainers: []\nservice:\n  type: Ingress\n  port: 80\n";
    let diags = problems::<Spec>(text);
    assert_eq!(
        diags.as_slice()[0].help.as_deref(),
        Some("valid values are `ClusterIP`, `NodePort`, `LoadBalancer`")
    );
}

#[test]
fn a_type_mismatch_does_not_hide_later_problems() {
    let text = "\
name: web
replicas: many
containers:
  - name: app
    image: {repo: x}
    port: 70000
    resourcs: {}
service:
  type: NodePort
  port: -1
  extra: true
";
    let diags = problems::<Spec>(text);
    assert_eq!(
        summary(&diags),
        [
            entry(
                2,
                11,
                "replicas",
                "expected an integer from 0 to 4294967295, found string `many`"
            ),
            entry(
                5,
                12,
                "containers[0].image",
                "expected a string, found a mapping"
            ),
            entry(
                6,
                11,
                "containers[0].port",
                "expected an integer from 0 to 65535, found integer `70000`"
            ),
            entry(
                7,
                5,
                "containers[0]",
                "unknown field `resourcs` in `containers[0]`"
            ),
            entry(
                10,
                9,
                "service.port",
                "expected an integer from 0 to 65535, found integer `-1`"
            ),
            entry(11, 3, "service", "unknown field `extra` in `service`"),
        ]
    );
}

#[test]
fn missing_required_fields_point_at_the_mapping() {
    // A mapping under a key: reported at the key.
    let text = "name: web\ncontainers: []\nservice:\n  type: NodePort\n";
    let diags = problems::<Spec>(text);
    assert_eq!(
        summary(&diags),
        [entry(
            3,
            1,
            "service",
            "missing required field `port` in `service`"
        )]
    );
    // A list item: at the item. The root: at the start of the document.
    let text = "name: web\ncontainers:\n  - name: app\n    port: 80\n";
    assert_eq!(
        summary(&problems::<Spec>(text)),
        [entry(
            3,
            5,
            "containers[0]",
            "missing required field `image` in `containers[0]`"
        )]
    );
    let text = "# leading comment\nname: web\n";
    assert_eq!(
        summary(&problems::<Spec>(text)),
        [entry(
            2,
            1,
            "",
            "missing required field `containers` at the top level of the spec"
        )]
    );
}

#[test]
fn reading_continues_after_a_missing_field() {
    let text = "\
name: web
containers:
  - name: a
  - name: b
    image: x
    imag: y
  - image: z
service: {type: NodePort}
bogus: 1
";
    let diags = problems::<Spec>(text);
    assert_eq!(
        summary(&diags),
        [
            entry(
                3,
                5,
                "containers[0]",
                "missing required field `image` in `containers[0]`"
            ),
            entry(
                6,
                5,
                "containers[1]",
                "unknown field `imag` in `containers[1]`"
            ),
            entry(
                7,
                5,
                "containers[2]",
                "missing required field `name` in `containers[2]`"
            ),
            entry(
                8,
                1,
                "service",
                "missing required field `port` in `service`"
            ),
            entry(
                9,
                1,
                "",
                "unknown field `bogus` at the top level of the spec"
            ),
        ]
    );
}

#[test]
fn a_mismatched_struct_does_not_also_report_its_missing_fields() {
    let text = "name: web\ncontainers: [just-a-string]\nservice: 80\n";
    let diags = problems::<Spec>(text);
    assert_eq!(
        summary(&diags),
        [
            entry(
                2,
                14,
                "containers[0]",
                "expected a mapping, found string `just-a-string`"
            ),
            entry(3, 10, "service", "expected a mapping, found integer `80`"),
        ]
    );
}

#[test]
fn the_root_must_be_a_mapping() {
    let diags = problems::<Spec>("- a\n- b\n");
    assert_eq!(
        summary(&diags),
        [entry(1, 1, "", "expected a mapping, found a list")]
    );
    let diags = problems::<Spec>("~\n");
    assert_eq!(
        summary(&diags),
        [entry(1, 1, "", "expected a mapping, found null `~`")]
    );
}

#[derive(Debug, Deserialize, PartialEq)]
struct Scalars {
    text: Option<String>,
    #[serde(default)]
    flag: bool,
    #[serde(default)]
    small: u8,
    #[serde(default)]
    signed: i16,
    #[serde(default)]
    big: u64,
    #[serde(default)]
    wide: i128,
    #[serde(default)]
    ratio: f32,
    #[serde(default)]
    letter: Option<char>,
    #[serde(default)]
    pair: Option<(String, u16)>,
    #[serde(default)]
    port: Option<Port>,
    #[serde(default)]
    nothing: (),
}

#[derive(Debug, Deserialize, PartialEq)]
struct Port(u16);

#[test]
fn scalars_of_every_width() {
    let text = "\
text: '~'
flag: TRUE
small: 0xff
signed: -32768
big: 18446744073709551615
wide: -170141183460469231731687303715884105728
ratio: 1.5e1
letter: é
pair: [a, 0o17]
port: 443
nothing:
";
    let (s, _) = read::<Scalars>(text);
    assert_eq!(
        s,
        Scalars {
            text: Some("~".to_owned()),
            flag: true,
            small: 255,
            signed: -32768,
            big: u64::MAX,
            wide: i128::MIN,
            ratio: 15.0,
            letter: Some('é'),
            pair: Some(("a".to_owned(), 15)),
            port: Some(Port(443)),
            nothing: (),
        }
    );
}

#[test]
fn options_are_none_for_null_only() {
    for (text, expected) in [
        ("text:\n", None),
        ("text: ~\n", None),
        ("text: null\n", None),
        ("text: NULL\n", None),
        ("{}\n", None),
        ("text: 'null'\n", Some("null")),
        ("text: \"\"\n", Some("")),
        ("text: false\n", Some("false")),
        ("text: 1.50\n", Some("1.50")),
        ("text: 0x1F\n", Some("0x1F")),
    ] {
        let (s, _) = read::<Scalars>(text);
        assert_eq!(s.text.as_deref(), expected, "for {text:?}");
    }
}

#[test]
fn scalar_mismatches_say_what_was_expected_and_found() {
    let text = "\
text: [a]
flag: yes
small: 256
signed: abc
big: -1
ratio: \"1.5\"
letter: ab
pair: [a, b, c]
port: \"80\"
nothing: 1
";
    let diags = problems::<Scalars>(text);
    assert_eq!(
        summary(&diags),
        [
            entry(1, 7, "text", "expected a string, found a list"),
            entry(
                2,
                7,
                "flag",
                "expected a boolean (`true` or `false`), found string `yes`"
            ),
            entry(
                3,
                8,
                "small",
                "expected an integer from 0 to 255, found integer `256`"
            ),
            entry(
                4,
                9,
                "signed",
                "expected an integer from -32768 to 32767, found string `abc`"
            ),
            entry(
                5,
                6,
                "big",
                "expected a non-negative integer, found integer `-1`"
            ),
            entry(
                6,
                8,
                "ratio",
                "expected a number, found quoted string `1.5`"
            ),
            entry(
                7,
                9,
                "letter",
                "expected a single character, found string `ab`"
            ),
            entry(8, 7, "pair", "expected a list of 2 items, found 3 items"),
            entry(
                9,
                7,
                "port",
                "expected an integer from 0 to 65535, found quoted string `80`"
            ),
            entry(
                10,
                10,
                "nothing",
                "expected an empty value, found integer `1`"
            ),
        ]
    );
    let helps: Vec<(&str, Option<&str>)> = diags
        .iter()
        .map(|d| (d.path.as_str(), d.help.as_deref()))
        .collect();
    assert_eq!(
        helps,
        [
            ("text", None),
            (
                "flag",
                Some("YAML 1.2 booleans are `true` and `false` only")
            ),
            ("small", None),
            ("signed", None),
            ("big", None),
            (
                "ratio",
                Some("remove the quotes: a quoted value is always a string")
            ),
            ("letter", None),
            ("pair", None),
            (
                "port",
                Some("remove the quotes: a quoted value is always a string")
            ),
            ("nothing", None),
        ]
    );
}

#[test]
fn strings_reject_null() {
    let diags = problems::<EnvVar>("name:\nvalue: ~\n");
    assert_eq!(
        summary(&diags),
        [
            entry(1, 6, "name", "expected a string, found an empty value"),
            entry(2, 8, "value", "expected a string, found null `~`"),
        ]
    );
    let helps: Vec<Option<&str>> = diags.iter().map(|d| d.help.as_deref()).collect();
    assert_eq!(
        helps,
        [
            Some("give a value, or write `\"\"` for an empty string"),
            Some("write `\"~\"` if you mean the text"),
        ]
    );
}

#[test]
fn long_and_multi_line_strings_are_shortened_in_messages() {
    let long = "x".repeat(60);
    let text = format!("small: {long}\nsigned: |\n  a\n  b\n");
    let diags = problems::<Scalars>(&text);
    let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            format!(
                "expected an integer from 0 to 255, found string `{}…`",
                "x".repeat(39)
            )
            .as_str(),
            "expected an integer from -32768 to 32767, found a multi-line string",
        ]
    );
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Source {
    Git {
        url: String,
        #[serde(default)]
        branch: Option<String>,
    },
    Image(String),
    Pair(String, u16),
    None,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Build {
    source: Source,
    #[serde(default)]
    others: Vec<Source>,
}

#[test]
fn enum_variants_with_content_are_single_key_mappings() {
    let text = "\
source:
  git:
    url: https://example.com/x.git
others:
  - image: ghcr.io/x/y
  - none
  - pair: [a, 1]
  - git: {url: u, branch: main}
";
    let (build, _) = read::<Build>(text);
    assert_eq!(
        build.source,
        Source::Git {
            url: "https://example.com/x.git".to_owned(),
            branch: None
        }
    );
    assert_eq!(
        build.others,
        [
            Source::Image("ghcr.io/x/y".to_owned()),
            Source::None,
            Source::Pair("a".to_owned(), 1),
            Source::Git {
                url: "u".to_owned(),
                branch: Some("main".to_owned())
            },
        ]
    );
}

#[test]
fn enum_problems_are_located() {
    let text = "\
source:
  git:
    url: u
    brnch: main
others:
  - imag: x
  - git
  - none: 5
  - {image: a, git: b}
  - none: ~
";
    let diags = problems::<Build>(text);
    assert_eq!(
        summary(&diags),
        [
            entry(4, 5, "source.git", "unknown field `brnch` in `source.git`"),
            entry(6, 5, "others[0]", "unknown value `imag`"),
            entry(7, 5, "others[1]", "`git` needs a mapping of fields"),
            entry(8, 11, "others[2].none", "`none` takes no value"),
            entry(
                9,
                5,
                "others[3]",
                "expected one of `git`, `image`, `pair`, `none`, found a mapping"
            ),
        ]
    );
    let helps: Vec<Option<&str>> = diags.iter().map(|d| d.help.as_deref()).collect();
    assert_eq!(
        helps,
        [
            Some("valid fields are `url`, `branch`; did you mean `branch`?"),
            Some("valid values are `git`, `image`, `pair`, `none`; did you mean `image`?"),
            Some("write it as `git: <value>`"),
            Some("write just `none`"),
            None,
        ]
    );
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(untagged)]
enum IntOrString {
    Int(i64),
    Str(String),
}

#[derive(Debug, Deserialize, PartialEq)]
struct Untagged {
    target: IntOrString,
    ports: BTreeMap<String, u16>,
}

#[test]
fn untagged_enums_see_resolved_types() {
    let (u, _) = read::<Untagged>("target: 8080\nports: {http: 80, https: 443}\n");
    assert_eq!(u.target, IntOrString::Int(8080));
    assert_eq!(u.ports["https"], 443);
    let (u, _) = read::<Untagged>("target: \"8080\"\nports: {}\n");
    assert_eq!(u.target, IntOrString::Str("8080".to_owned()));
    let diags = problems::<Untagged>("ports: {http: 80, \"a b\": x}\ntarget: [1]\n");
    assert_eq!(
        summary(&diags),
        [
            entry(
                1,
                26,
                "ports.\"a b\"",
                "expected an integer from 0 to 65535, found string `x`"
            ),
            entry(
                2,
                9,
                "target",
                "data did not match any variant of untagged enum IntOrString"
            ),
        ]
    );
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(try_from = "String")]
struct Quantity(u32);

impl TryFrom<String> for Quantity {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.strip_suffix("Mi")
            .and_then(|n| n.parse().ok())
            .map(Quantity)
            .ok_or_else(|| format!("invalid quantity `{text}`: expected a number of Mi"))
    }
}

#[derive(Debug, Deserialize, PartialEq)]
struct Limits {
    memory: Option<Quantity>,
    swap: Option<Quantity>,
    extra: Option<u8>,
}

#[test]
fn custom_errors_are_located_and_reading_continues() {
    let (limits, _) = read::<Limits>("memory: 256Mi\nswap: 0Mi\n");
    assert_eq!(limits.memory, Some(Quantity(256)));
    let diags = problems::<Limits>("memory: lots\nswap: 1Gi\nextra: 300\nmore: 1\n");
    assert_eq!(
        summary(&diags),
        [
            entry(
                1,
                9,
                "memory",
                "invalid quantity `lots`: expected a number of Mi"
            ),
            entry(
                2,
                7,
                "swap",
                "invalid quantity `1Gi`: expected a number of Mi"
            ),
            entry(
                3,
                8,
                "extra",
                "expected an integer from 0 to 255, found integer `300`"
            ),
            entry(
                4,
                1,
                "",
                "unknown field `more` at the top level of the spec"
            ),
        ]
    );
}

#[derive(Debug, Deserialize, PartialEq)]
struct RequiredLimits {
    extra: Option<u8>,
    memory: Quantity,
    swap: Quantity,
}

#[test]
fn a_required_field_that_rejects_every_value_does_not_stop_reading() {
    // Nothing can stand in for `memory` (the placeholder "" is not a quantity either), so it
    // is left out on the next pass; its siblings are still read before the derived code
    // notices it is missing, and that complaint is not reported.
    let diags = problems::<RequiredLimits>("extra: 300\nmemory: lots\nswap: 1Gi\nmore: 1\n");
    assert_eq!(
        summary(&diags),
        [
            entry(
                1,
                8,
                "extra",
                "expected an integer from 0 to 255, found integer `300`"
            ),
            entry(
                2,
                9,
                "memory",
                "invalid quantity `lots`: expected a number of Mi"
            ),
            entry(
                3,
                7,
                "swap",
                "invalid quantity `1Gi`: expected a number of Mi"
            ),
            entry(
                4,
                1,
                "",
                "unknown field `more` at the top level of the spec"
            ),
        ]
    );
}

#[derive(Debug, Deserialize)]
enum Never {}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct HasNever {
    first: Option<u8>,
    never: Never,
    after: u8,
}

#[test]
fn a_type_without_any_value_is_left_out_and_reading_continues() {
    let diags = problems::<HasNever>("first: x\nnever: a\nafter: y\n");
    assert_eq!(
        summary(&diags),
        [
            entry(
                1,
                8,
                "first",
                "expected an integer from 0 to 255, found string `x`"
            ),
            entry(2, 8, "never", "unknown value `a`"),
            entry(
                3,
                8,
                "after",
                "expected an integer from 0 to 255, found string `y`"
            ),
        ]
    );
}

#[test]
fn reading_stops_with_a_note_after_too_many_restarts() {
    let mut text = String::from("name: web\ncontainers:\n");
    for i in 0..(de::MAX_RESTARTS + 10) {
        text.push_str(&format!("  - name: c{i}\n"));
    }
    let diags = problems::<Spec>(&text);
    let first = &diags.as_slice()[0];
    assert_eq!(first.span, None);
    assert_eq!(
        first.message,
        format!(
            "too many problems: reading stopped after {} restarts; fix the problems reported and run again",
            de::MAX_RESTARTS
        )
    );
    // One missing field per pass, the last pass included.
    assert_eq!(diags.len(), 1 + de::MAX_RESTARTS + 1);
    assert!(
        diags
            .iter()
            .skip(1)
            .all(|d| d.message.starts_with("missing required field `image`"))
    );
}

#[test]
fn yaml_problems_come_back_as_diagnostics() {
    for (text, line, message) in [
        ("", 0, "spec is empty"),
        ("# nothing\n", 0, "spec is empty"),
        (
            "name: a\n---\nname: b\n",
            2,
            "a spec file must hold exactly one YAML document, but a second one starts here",
        ),
        (
            "name: a\nname: b\n",
            2,
            "duplicate key `name` at the top level: first defined at line 1, column 1",
        ),
        (
            "name: &n a\n",
            1,
            "anchors (`&name`) are not supported in specs",
        ),
        ("name: !env X\n", 1, "tag `!env` is not supported in specs"),
    ] {
        let diags = problems::<Spec>(text);
        assert_eq!(diags.len(), 1, "for {text:?}");
        let d: &Diagnostic = &diags.as_slice()[0];
        assert_eq!(d.message, message, "for {text:?}");
        assert_eq!(d.span.map_or(0, |s| s.line), line, "for {text:?}");
    }
}

#[test]
fn positions_after_block_scalars() {
    let text = "\
name: |
  a long
  description

containers:
  - name: >-
      folded
      text
    image: x
    port: high
";
    let diags = problems::<Spec>(text);
    assert_eq!(
        summary(&diags),
        [entry(
            10,
            11,
            "containers[0].port",
            "expected an integer from 0 to 65535, found string `high`"
        )]
    );
}

#[test]
fn rendered_report_of_a_spec_with_many_problems() {
    let text = "\
name: web
replicas: \"3\"
containers:
  - name: app
    imge: ghcr.io/x/y:latest
    env:
      - name: A
        value: a
      - name: B
      - name: [C]
        value: c
service:
  type: nodeport
  port: 80
";
    let diags = problems::<Spec>(text);
    assert_rendered!("de_many_problems", diags.render(text));
}

#[test]
fn rendered_unknown_field_matches_the_documented_shape() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Container {
        image: String,
        port: Option<u16>,
        env: Option<Vec<String>>,
        resources: Option<String>,
    }
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Top {
        container: Container,
    }
    let text = "container:\n    image: a\n    imge: ghcr.io/x/y:latest\n";
    let diags = problems::<Top>(text);
    assert_eq!(
        diags.render(text),
        "app.yaml:3:5: error: unknown field `imge` in `container`
  |
3 |     imge: ghcr.io/x/y:latest
  |     ^^^^
  = help: valid fields are `image`, `port`, `env`, `resources`; did you mean `image`?
"
    );
}
