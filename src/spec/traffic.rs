//! Spec types of what shapes the traffic to the app and its availability: the stack's
//! Traefik `Middleware` objects and the app's PodDisruptionBudget.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{DataSpec, OrderedMap, Scalar};

/// A Traefik `Middleware` of the stack's namespace (a `kubernetes_manifest`); an ingress
/// uses it as `<namespace>-<name>@kubernetescrd` in `extra_middlewares`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MiddlewareSpec {
    /// The Middleware's name (required).
    pub name: Option<String>,
    /// Pinned resource address; default the name in snake case.
    pub address: Option<String>,
    /// The Middleware's `spec`, in order: structured data as Traefik reads it
    /// (`{stripPrefix: {prefixes: [/api]}}`, `{headers: {customRequestHeaders: {...}}}`),
    /// whose values may be references (`{var}`, `{vault}`, `{ref}`, ...) and
    /// `{jsondecode: {vault: {path, key}}}` of a Vault value holding JSON.
    #[serde(default)]
    pub spec: OrderedMap<DataSpec>,
    /// `field_manager { force_conflicts = true }`; default off.
    pub force_conflicts: Option<bool>,
    /// Whether it depends on the stack's namespace; default no.
    pub depends_on_namespace: Option<bool>,
    /// What it does; written above it.
    pub comment: Option<String>,
    /// Raw HCL inside the resource.
    pub raw: Option<String>,
}

/// The app's PodDisruptionBudget (`kubernetes_pod_disruption_budget_v1`): exactly one of
/// `max_unavailable` and `min_available`, written as given (`"1"` a string, `2` a
/// number).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DisruptionBudgetSpec {
    /// The budget's name; default the Deployment's name.
    pub name: Option<String>,
    /// Pinned resource address; default the name in snake case.
    pub address: Option<String>,
    /// How many of the pods may be down at once (a number, a string, or a percentage).
    pub max_unavailable: Option<Scalar>,
    /// How many of the pods must stay up (a number, a string, or a percentage).
    pub min_available: Option<Scalar>,
    /// The pods it covers, in order; default the Deployment's selector.
    pub selector: Option<OrderedMap<String>>,
    /// Why the app has a budget; written above it.
    pub comment: Option<String>,
}

/// One entry of an ingress's `extra_middlewares`: a Traefik middleware reference as the
/// chain names it (`traefik-x402@kubernetescrd`, a Middleware of another stack), or
/// `{middleware: <name>}`, a Middleware the spec declares (`middlewares:`, or a
/// `manifests:` entry of kind `Middleware`), checked and written as
/// `<namespace>-<name>@kubernetescrd`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(untagged, deny_unknown_fields)]
pub enum MiddlewareRefSpec {
    Text(String),
    Declared {
        /// The name of a Middleware of the spec.
        middleware: String,
    },
}

impl<'de> Deserialize<'de> for MiddlewareRefSpec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RefVisitor;

        impl<'de> serde::de::Visitor<'de> for RefVisitor {
            type Value = MiddlewareRefSpec;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a middleware reference (`<name>@kubernetescrd`) or `{middleware: <name>}` of a Middleware of the spec",
                )
            }

            fn visit_str<E>(self, v: &str) -> Result<MiddlewareRefSpec, E> {
                Ok(MiddlewareRefSpec::Text(v.to_owned()))
            }

            // A scalar is its text, as in any other string field.
            fn visit_i64<E>(self, v: i64) -> Result<MiddlewareRefSpec, E> {
                Ok(MiddlewareRefSpec::Text(v.to_string()))
            }

            fn visit_u64<E>(self, v: u64) -> Result<MiddlewareRefSpec, E> {
                Ok(MiddlewareRefSpec::Text(v.to_string()))
            }

            fn visit_f64<E>(self, v: f64) -> Result<MiddlewareRefSpec, E> {
                Ok(MiddlewareRefSpec::Text(v.to_string()))
            }

            fn visit_bool<E>(self, v: bool) -> Result<MiddlewareRefSpec, E> {
                Ok(MiddlewareRefSpec::Text(v.to_string()))
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<MiddlewareRefSpec, A::Error> {
                use serde::de::Error;
                match map.next_key::<String>()?.as_deref() {
                    Some("middleware") => {}
                    Some(other) => {
                        return Err(A::Error::unknown_field(other, &["middleware"]));
                    }
                    None => return Err(A::Error::missing_field("middleware")),
                }
                let name: String = map.next_value()?;
                if let Some(other) = map.next_key::<String>()? {
                    return Err(A::Error::unknown_field(&other, &["middleware"]));
                }
                Ok(MiddlewareRefSpec::Declared { middleware: name })
            }
        }

        deserializer.deserialize_any(RefVisitor)
    }
}
