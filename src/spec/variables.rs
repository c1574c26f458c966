//! Spec types of how the stack declares the Terraform variables its values refer to.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Scalar;

/// The declaration of one variable a value of the spec refers to (`{var: NAME}`), when
/// it is not the one-line `variable "NAME" { type = string }`. Of `tls_secret_name`,
/// which the conventions declare `sensitive = true`, only `sensitive: false` can be said
/// (a stack that declares it `{ type = string }`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VariableSpec {
    /// Its default (`4`, `true`, `"0 6 * * *"`); the type follows the value (`number`,
    /// `bool`, `string`).
    pub default: Option<Scalar>,
    /// Its description.
    pub description: Option<String>,
    /// Declared `sensitive = true`; `false` declares `tls_secret_name` without it.
    pub sensitive: Option<bool>,
}
