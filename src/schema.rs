//! `dlgen schema`: the JSON Schema (draft 2020-12) of a spec, for editors.
//!
//! The schema is derived (`schemars`) from the very types the deserializer reads a spec
//! into (`spec`), so it cannot drift from them: a spec type without the `JsonSchema`
//! derive does not compile, field doc comments become descriptions, and
//! `deny_unknown_fields` becomes `additionalProperties: false`. The types whose
//! `Deserialize` is written by hand get their schema written by hand here, next to
//! nothing else: [`OrderedMap`], [`ValueSpec`], [`DataSpec`] and [`Scalar`].
//!
//! One rule of the deserializer is applied to the whole schema: a string field takes any
//! non-null YAML scalar as the text written (`cpu: 1` reads as `"1"`), so every plain
//! string schema also admits numbers and booleans. Fields with a fixed set of values
//! (`tier`, `storage`, …) stay strings from that set.

use std::borrow::Cow;

use schemars::generate::SchemaSettings;
use schemars::transform::RecursiveTransform;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::Value;

use crate::spec::{
    DATA_FORMS, DataSpec, EsoRef, OrderedMap, Scalar, Spec, TemplateFileSpec, ValueSpec, VaultRef,
};

/// Where the committed copy of the schema lives, relative to the repository root; bundled
/// specs point their `yaml-language-server` modeline at it.
pub const COMMITTED_PATH: &str = "docs/spec.schema.json";

/// The schema of a spec file.
pub fn spec_schema() -> Schema {
    let mut schema = SchemaSettings::draft2020_12()
        .with_transform(RecursiveTransform(editor_friendly))
        .into_generator()
        .into_root_schema_for::<Spec>();
    schema.insert("title".to_owned(), Value::from("dlgen spec"));
    schema
}

/// The schema as `dlgen schema` prints it: pretty JSON and a final line break.
pub fn spec_schema_json() -> String {
    let mut text = serde_json::to_string_pretty(spec_schema().as_value())
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

/// The values a fixed-choice spec type takes (`Tier` → `core`, `cluster`, …), in the order
/// of the type; empty for a type that is not a choice.
pub fn choices(definition: &str) -> Vec<String> {
    let schema = spec_schema();
    schema
        .pointer(&format!("/$defs/{definition}/enum"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// `"type": "string"` (or `["string", "null"]`) without a fixed set of values becomes
/// `["string", "number", "boolean"]` (plus `"null"`): what the deserializer accepts. And
/// a description's paragraphs, wrapped in the source, become one line each.
fn editor_friendly(schema: &mut Schema) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    if let Some(Value::String(text)) = object.get_mut("description") {
        *text = text
            .split("\n\n")
            .map(|paragraph| paragraph.replace('\n', " "))
            .collect::<Vec<_>>()
            .join("\n\n");
    }
    if object.contains_key("enum") || object.contains_key("const") {
        return;
    }
    let nullable = match object.get("type") {
        Some(Value::String(t)) if t == "string" => false,
        Some(Value::Array(types))
            if types.len() == 2
                && types.contains(&Value::from("string"))
                && types.contains(&Value::from("null")) =>
        {
            true
        }
        _ => return,
    };
    let mut types = vec![
        Value::from("string"),
        Value::from("number"),
        Value::from("boolean"),
    ];
    if nullable {
        types.push(Value::from("null"));
    }
    object.insert("type".to_owned(), Value::Array(types));
}

impl JsonSchema for Scalar {
    fn schema_name() -> Cow<'static, str> {
        "Scalar".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A YAML scalar, kept with its type: a string, number or boolean.",
            "type": ["string", "number", "boolean"]
        })
    }
}

/// A mapping with exactly one key, `key`, holding `value`: the one-key forms of values.
fn one_key(key: &str, description: &str, value: Schema) -> Schema {
    json_schema!({
        "type": "object",
        "description": description,
        "properties": { key: value },
        "required": [key],
        "additionalProperties": false
    })
}

impl JsonSchema for ValueSpec {
    fn schema_name() -> Cow<'static, str> {
        "Value".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A value: a plain scalar, or a reference resolved by Terraform (`{var: ...}`, `{vault: {path, key}}`, `{eso: {key, path}}`, `{ref: ...}`), a `{template: [...]}` of text and references, or `{jsonencode: ...}`, `{base64encode: ...}`, `{tostring: ...}` of them, or raw HCL (`{hcl: ...}`).",
            "anyOf": [
                generator.subschema_for::<Scalar>(),
                one_key(
                    "var",
                    "A shared Terraform variable (`var.<name>`), declared automatically.",
                    generator.subschema_for::<String>(),
                ),
                one_key(
                    "vault",
                    "A plan-time read of Vault `secret/<path>`, key `<key>`.",
                    generator.subschema_for::<VaultRef>(),
                ),
                one_key(
                    "eso",
                    "A plan-time read of the stack's ExternalSecret, key `<key>`; with a `path`, the key holds JSON.",
                    generator.subschema_for::<EsoRef>(),
                ),
                one_key(
                    "ref",
                    "An attribute of another object of this stack, e.g. `random_password.key.result` or `kubernetes_service.app.metadata[0].name`.",
                    generator.subschema_for::<String>(),
                ),
                one_key(
                    "template",
                    "A string of parts in order: text (a scalar, escaped) and references (`{var}`, `{vault}`, `{eso}`, `{ref}`), interpolated.",
                    json_schema!({
                        "type": "array",
                        "minItems": 1,
                        "items": generator.subschema_for::<ValueSpec>()
                    }),
                ),
                one_key(
                    "jsonencode",
                    "Structured data (scalars, lists, mappings, references) written as `jsonencode(...)`.",
                    generator.subschema_for::<DataSpec>(),
                ),
                one_key(
                    "base64encode",
                    "A value written as `base64encode(...)`, e.g. `{base64encode: {ref: random_password.key.result}}`.",
                    generator.subschema_for::<ValueSpec>(),
                ),
                one_key(
                    "tostring",
                    "A value written as `tostring(...)`, e.g. `{tostring: {var: port}}`.",
                    generator.subschema_for::<ValueSpec>(),
                ),
                one_key(
                    "coalesce",
                    "The first of two values or more that is neither null nor empty, written as `coalesce(...)`: a per-app override variable that falls back to Vault, `{coalesce: [{var: api_key}, {vault: {path: app, key: api_key}}]}`.",
                    json_schema!({
                        "type": "array",
                        "minItems": 2,
                        "items": generator.subschema_for::<ValueSpec>()
                    }),
                ),
                one_key(
                    "if_set",
                    "The first of two values when it is set, else the second, written as `a != \"\" ? a : b`: `{if_set: [{var: api_key}, {vault: {path: app, key: api_key}}]}`.",
                    json_schema!({
                        "type": "array",
                        "minItems": 2,
                        "maxItems": 2,
                        "items": generator.subschema_for::<ValueSpec>()
                    }),
                ),
                one_key(
                    "hcl",
                    "Raw HCL: one expression on one line, e.g. `{hcl: \"sha256(local.config)\"}`, for a value no other form says. It is parsed; the variables it reads are declared and the objects it names must be the stack's.",
                    json_schema!({ "type": "string", "minLength": 1 }),
                ),
            ]
        })
    }
}

impl JsonSchema for DataSpec {
    fn schema_name() -> Cow<'static, str> {
        "Data".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A structured value: a scalar, a list, a mapping (in order), a reference (`{var}`, `{vault}`, `{eso}`, `{ref}`, `{template}`), or `{file: NAME}`, `{templatefile: {file, vars}}`, `{yamlencode: ...}`, `{jsonencode: ...}`, `{jsondecode: ...}`. A mapping with a key naming one of these forms is that form, with that one key.",
            "anyOf": [
                generator.subschema_for::<ValueSpec>(),
                json_schema!({
                    "type": "array",
                    "items": generator.subschema_for::<DataSpec>()
                }),
                one_key(
                    "file",
                    "A file beside the spec (in the directory named after the spec), written into the stack directory and read with `file()`.",
                    generator.subschema_for::<String>(),
                ),
                one_key(
                    "templatefile",
                    "A template file beside the spec, rendered by `templatefile()` with `vars`.",
                    generator.subschema_for::<TemplateFileSpec>(),
                ),
                one_key(
                    "yamlencode",
                    "Structured data written as `yamlencode(...)`.",
                    generator.subschema_for::<DataSpec>(),
                ),
                one_key(
                    "jsonencode",
                    "Structured data written as `jsonencode(...)`.",
                    generator.subschema_for::<DataSpec>(),
                ),
                one_key(
                    "jsondecode",
                    "The JSON a text holds, read by Terraform: `jsondecode(...)` of a reference (e.g. `{vault: {path, key}}`).",
                    generator.subschema_for::<DataSpec>(),
                ),
                json_schema!({
                    "type": "object",
                    "description": "Structured data: keys in order (none named as one of the forms).",
                    "propertyNames": { "not": { "enum": DATA_FORMS } },
                    "additionalProperties": generator.subschema_for::<DataSpec>()
                }),
            ]
        })
    }
}

impl<V: JsonSchema> JsonSchema for OrderedMap<V> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        format!("OrderedMap_{}", V::schema_name()).into()
    }

    fn schema_id() -> Cow<'static, str> {
        format!("{}::OrderedMap<{}>", module_path!(), V::schema_id()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "object",
            "additionalProperties": generator.subschema_for::<V>()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn definition<'a>(schema: &'a Value, name: &str) -> &'a Value {
        &schema["$defs"][name]
    }

    #[test]
    fn unknown_fields_are_invalid_and_docs_are_descriptions() {
        let schema = spec_schema().to_value();
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(schema["properties"]["comment"]["type"][0], "string");
        let name = schema["properties"]["name"]["description"]
            .as_str()
            .unwrap_or_default();
        assert!(name.starts_with("Stack name"), "{name}");
        let container = definition(&schema, "ContainerSpec");
        assert_eq!(container["additionalProperties"], false);
        assert_eq!(container["properties"]["port"]["maximum"], 65535);
    }

    #[test]
    fn strings_take_scalars_but_choices_stay_choices() {
        let schema = spec_schema().to_value();
        let cpu = &definition(&schema, "ResourcesSpec")["properties"]["cpu"];
        assert_eq!(
            cpu["type"],
            serde_json::json!(["string", "number", "boolean", "null"])
        );
        let storage = definition(&schema, "Storage");
        assert_eq!(storage["type"], "string");
        assert_eq!(
            storage["enum"],
            serde_json::json!(["proxmox-lvm-encrypted", "proxmox-lvm", "nfs"])
        );
    }

    #[test]
    fn choices_come_from_the_types() {
        assert_eq!(choices("Tier"), ["core", "cluster", "gpu", "edge", "aux"]);
        assert_eq!(choices("Auth"), ["required", "app", "public", "none"]);
        assert!(choices("ContainerSpec").is_empty());
    }

    #[test]
    fn hand_written_schemas_follow_their_deserializers() {
        let schema = spec_schema().to_value();
        let value = definition(&schema, "Value");
        let forms: Vec<&str> = value["anyOf"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v["required"][0].as_str())
            .collect();
        assert_eq!(forms, crate::spec::VALUE_FORMS);
        let labels = &definition(&schema, "NamespaceSpec")["properties"]["labels"];
        assert_eq!(labels["type"], "object");
        assert_eq!(
            labels["additionalProperties"]["type"],
            serde_json::json!(["string", "number", "boolean"])
        );
    }
}
