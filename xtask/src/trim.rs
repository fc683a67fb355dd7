//! Trims Pinterest's OpenAPI document to the operations this SDK covers and rewrites the
//! constructs progenitor cannot take as they are.
//!
//! Every rewrite is a function below, applied in [`trim`] in a fixed order. The output is
//! deterministic: maps are written with sorted keys and every walk visits them in that order.

use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// Keys that hold Pinterest's prose (or samples of it); none of it is copied.
const PROSE_KEYS: &[&str] = &[
    "description",
    "summary",
    "example",
    "examples",
    "externalDocs",
    "title",
    "termsOfService",
    "contact",
];

/// Keys whose object values are maps from a name (a path, a property, a status code...) to
/// a definition, so their own keys are never keywords to strip.
const NAME_MAP_KEYS: &[&str] = &[
    "paths",
    "properties",
    "schemas",
    "parameters",
    "responses",
    "content",
    "securitySchemes",
    "mapping",
    "headers",
    "requestBodies",
    "encoding",
    "variables",
];

const HTTP_METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Marks a component enum whose values the server may extend: the build script turns it into
/// an enum that keeps unknown values instead of failing to decode.
pub const OPEN_ENUM_EXTENSION: &str = "x-open-enum";

/// Records where the trimmed document came from.
pub const SOURCE_EXTENSION: &str = "x-trimmed-from";

/// Where Pinterest's full documents live, relative to the workspace root.
pub const UPSTREAM_DIR: &str = "../shared/openapi";

/// The upstream document used when neither `--upstream` nor the committed trimmed document
/// names one.
pub const FALLBACK_UPSTREAM: &str = "../shared/openapi/pinterest-v5.23.0.json";

/// The upstream document `cargo xtask trim` reads without `--upstream`: the file the committed
/// trimmed document was made from (`info.x-trimmed-from.file`, looked up in [`UPSTREAM_DIR`]),
/// so `--check` compares against the same source after a newer one was trimmed. Falls back to
/// [`FALLBACK_UPSTREAM`] without a committed document, without that field, or when the field
/// is not a plain file name.
pub fn default_upstream(committed: Option<&Value>) -> PathBuf {
    let file = committed
        .and_then(|doc| {
            doc.get("info")?
                .get(SOURCE_EXTENSION)?
                .get("file")?
                .as_str()
        })
        .filter(|name| {
            let mut parts = Path::new(name).components();
            matches!(
                (parts.next(), parts.next()),
                (Some(std::path::Component::Normal(_)), None)
            )
        });
    match file {
        Some(name) => Path::new(UPSTREAM_DIR).join(name),
        None => PathBuf::from(FALLBACK_UPSTREAM),
    }
}

/// Optional properties that Pinterest documents only in prose; added to the named variant of
/// a discriminated request schema: (schema, discriminator value, property, property schema).
const PROSE_ONLY_PROPERTIES: &[(&str, &str, &str, &str)] = &[(
    "OauthAccessTokenRequest",
    "authorization_code",
    "continuous_refresh",
    r#"{"type": "boolean"}"#,
)];

/// Why a document could not be trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrimError {
    /// An operation in the list is not in the upstream document.
    MissingOperation(String),
    /// A `$ref` points at nothing.
    BrokenRef(String),
    /// The document has a shape this tool does not know how to rewrite.
    Unsupported(String),
}

impl fmt::Display for TrimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrimError::MissingOperation(id) => {
                write!(f, "operation `{id}` is not in the upstream document")
            }
            TrimError::BrokenRef(r) => write!(f, "`$ref` to `{r}` points at nothing"),
            TrimError::Unsupported(what) => write!(f, "unsupported construct: {what}"),
        }
    }
}

impl std::error::Error for TrimError {}

/// Parses an operation list: one operationId a line; blank lines and `#` comments ignored.
pub fn parse_operation_list(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Produces the trimmed document from the upstream one.
///
/// `source_name` is recorded in `info.x-trimmed-from` so a reader knows which upstream file
/// the trimmed copy was made from.
pub fn trim(
    upstream: &Value,
    operations: &[String],
    source_name: &str,
) -> Result<Value, TrimError> {
    // Every walk below visits maps in key order, whatever order the upstream file (or
    // serde_json's `preserve_order` feature, if another crate turns it on) gives them.
    let upstream = sorted(upstream);
    let mut doc = select_operations(&upstream, operations)?;
    // Pruned first so rewrites only see what the operations reach, and again at the end
    // for what the rewrites left unreferenced.
    prune_components(&mut doc)?;
    strip_prose(&mut doc);
    // Before aliases are inlined: `{type: string, maxLength: 500}` is an alias too.
    strip_validation(&mut doc);
    keep_only_success_responses(&mut doc);
    rewrite_discriminators(&mut doc)?;
    flatten_all_of(&mut doc)?;
    inline_scalar_aliases(&mut doc);
    prune_components(&mut doc)?;
    hoist_enums(&mut doc);
    make_untyped_objects_nullable(&mut doc);
    prune_components(&mut doc)?;
    mark_open_enums(&mut doc)?;
    // `title` is required by OpenAPI; the prose pass drops the keyword everywhere.
    doc["info"]["title"] = upstream["info"]["title"].clone();
    doc["info"][SOURCE_EXTENSION] = json!({
        "file": source_name,
        "operations": operations.len(),
        "tool": "cargo xtask trim",
    });
    Ok(doc)
}

/// Serializes a document the same way every time: sorted keys, two-space indent, final newline.
pub fn to_canonical_string(doc: &Value) -> String {
    // Sorted explicitly: with serde_json's `preserve_order` feature (which any crate in the
    // build can turn on) maps keep insertion order instead of key order.
    let mut text =
        serde_json::to_string_pretty(&sorted(doc)).expect("a JSON value always serializes");
    text.push('\n');
    text
}

/// A copy of `value` with every object's keys inserted in sorted order.
fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        scalar => scalar.clone(),
    }
}

/// Keeps the listed operations (and their path-level parameters), the document header and all
/// components; unreachable components are pruned at the end.
fn select_operations(upstream: &Value, operations: &[String]) -> Result<Value, TrimError> {
    let wanted: BTreeSet<&str> = operations.iter().map(String::as_str).collect();
    let mut found = BTreeSet::new();
    let mut paths = Map::new();
    for (path, item) in upstream["paths"].as_object().into_iter().flatten() {
        let mut kept = Map::new();
        for method in HTTP_METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let Some(id) = op["operationId"].as_str() else {
                continue;
            };
            if wanted.contains(id) {
                found.insert(id.to_owned());
                kept.insert((*method).to_owned(), op.clone());
            }
        }
        if !kept.is_empty() {
            if let Some(params) = item.get("parameters") {
                kept.insert("parameters".to_owned(), params.clone());
            }
            paths.insert(path.clone(), Value::Object(kept));
        }
    }
    if let Some(missing) = operations.iter().find(|id| !found.contains(*id)) {
        return Err(TrimError::MissingOperation(missing.clone()));
    }
    let info = &upstream["info"];
    let mut doc = json!({
        "openapi": upstream["openapi"],
        "info": {
            "title": info["title"],
            "version": info["version"],
        },
        "paths": paths,
        "components": upstream.get("components").cloned().unwrap_or_else(|| json!({})),
    });
    if let Some(license) = info.get("license") {
        doc["info"]["license"] = license.clone();
    }
    if let Some(servers) = upstream.get("servers") {
        doc["servers"] = servers.clone();
    }
    Ok(doc)
}

/// Drops Pinterest's prose and vendor extensions; scope descriptions become empty strings.
fn strip_prose(doc: &mut Value) {
    fn walk(value: &mut Value, is_name_map: bool) {
        match value {
            Value::Object(map) => {
                if !is_name_map {
                    map.retain(|key, _| {
                        !PROSE_KEYS.contains(&key.as_str()) && !key.starts_with("x-")
                    });
                }
                for (key, child) in map.iter_mut() {
                    if !is_name_map && key == "scopes" {
                        // A map from scope name to its prose: keep the names only.
                        if let Value::Object(scopes) = child {
                            scopes.values_mut().for_each(|v| *v = json!(""));
                        }
                        continue;
                    }
                    let child_is_name_map = !is_name_map && NAME_MAP_KEYS.contains(&key.as_str());
                    walk(child, child_is_name_map);
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|item| walk(item, false)),
            _ => {}
        }
    }
    walk(doc, false);
}

/// Keeps only 2xx responses: every other status reaches the SDK as a raw response, which the
/// hand-written wrapper classifies with its status, headers and body intact. (A `default`
/// response beside `200` also makes progenitor panic.)
fn keep_only_success_responses(doc: &mut Value) {
    for_each_operation(doc, |op| {
        if let Some(Value::Object(responses)) = op.get_mut("responses") {
            responses.retain(|code, _| code.starts_with('2'));
            for response in responses.values_mut() {
                // `description` is required by OpenAPI; ours is a word, not Pinterest's prose.
                response["description"] = json!("Success");
            }
        }
    });
}

/// Rewrites each schema with a `discriminator.mapping`, which progenitor ignores:
/// - used in a request: a `oneOf` of its variants, each flattened and with the discriminator
///   property narrowed to its one value, so typify emits an internally tagged enum;
/// - used in a response: one object holding every variant's properties, with only the
///   properties all variants require marked required.
fn rewrite_discriminators(doc: &mut Value) -> Result<(), TrimError> {
    let (requests, responses) = reachable_by_direction(doc)?;
    let names: Vec<String> = schemas(doc)
        .iter()
        .filter(|(_, s)| s.pointer("/discriminator/mapping").is_some())
        .map(|(name, _)| name.clone())
        .collect();
    for name in names {
        let schema = schemas(doc)[&name].clone();
        let property = schema["discriminator"]["propertyName"]
            .as_str()
            .ok_or_else(|| {
                TrimError::Unsupported(format!("discriminator of {name} has no propertyName"))
            })?
            .to_owned();
        let mut variants = BTreeMap::new();
        for (value, target) in schema["discriminator"]["mapping"]
            .as_object()
            .into_iter()
            .flatten()
        {
            let target = target.as_str().unwrap_or_default();
            let variant = resolve_ref(doc, target)?.clone();
            variants.insert(value.clone(), flatten_schema(doc, &variant)?);
        }
        let rewritten = match (requests.contains(&name), responses.contains(&name)) {
            (true, false) => tagged_one_of(&name, &property, variants),
            (false, _) => merged_object(&property, variants),
            (true, true) => {
                return Err(TrimError::Unsupported(format!(
                    "discriminated schema {name} is used in both requests and responses"
                )));
            }
        };
        schemas_mut(doc).insert(name, rewritten);
    }
    Ok(())
}

fn tagged_one_of(name: &str, property: &str, variants: BTreeMap<String, Value>) -> Value {
    let one_of: Vec<Value> = variants
        .into_iter()
        .map(|(value, mut variant)| {
            variant["properties"][property] = json!({"type": "string", "enum": [value]});
            let required = variant["required"].as_array().cloned().unwrap_or_default();
            if !required.iter().any(|r| r == property) {
                let mut required = required;
                required.insert(0, json!(property));
                variant["required"] = Value::Array(required);
            }
            for (schema, tag, extra, extra_schema) in PROSE_ONLY_PROPERTIES {
                if *schema == name && *tag == value {
                    variant["properties"][*extra] = serde_json::from_str(extra_schema)
                        .expect("the patch table holds valid JSON");
                }
            }
            variant
        })
        .collect();
    json!({ "oneOf": one_of })
}

fn merged_object(property: &str, variants: BTreeMap<String, Value>) -> Value {
    let mut properties = Map::new();
    let mut required: Option<BTreeSet<String>> = None;
    for variant in variants.values() {
        for (key, schema) in variant["properties"].as_object().into_iter().flatten() {
            properties
                .entry(key.clone())
                .or_insert_with(|| schema.clone());
        }
        let these: BTreeSet<String> = string_set(&variant["required"]);
        required = Some(match required {
            None => these,
            Some(so_far) => so_far.intersection(&these).cloned().collect(),
        });
    }
    let mut required: Vec<String> = required.unwrap_or_default().into_iter().collect();
    required.retain(|r| r != property);
    json!({ "type": "object", "properties": properties, "required": required })
}

/// Replaces every `allOf` with the single schema it means: the merged object when its members
/// are objects, or the one referenced schema when it wraps a single `$ref`.
fn flatten_all_of(doc: &mut Value) -> Result<(), TrimError> {
    let snapshot = doc.clone();
    let mut result = Ok(());
    visit_schemas(doc, &mut |schema| {
        if result.is_ok() && schema.get("allOf").is_some() {
            match flatten_schema(&snapshot, schema) {
                Ok(flat) => *schema = flat,
                Err(e) => result = Err(e),
            }
        }
    });
    result
}

fn flatten_schema(doc: &Value, schema: &Value) -> Result<Value, TrimError> {
    let Some(members) = schema.get("allOf").and_then(Value::as_array) else {
        return Ok(schema.clone());
    };
    let own_properties = schema.get("properties").is_some();
    if let [single] = members.as_slice()
        && let Some(target) = single.get("$ref").and_then(Value::as_str)
        && !own_properties
        && !is_object_schema(resolve_ref(doc, target)?)
    {
        // `{type: string, default: X, allOf: [{$ref: Enum}]}`: the referenced type is
        // what is meant; a `$ref` takes no siblings in OpenAPI 3.0.
        return Ok(json!({ "$ref": target }));
    }
    let mut merged = schema.clone();
    merged
        .as_object_mut()
        .expect("a schema with allOf is an object")
        .remove("allOf");
    merged["type"] = json!("object");
    for member in members {
        let member = match member.get("$ref").and_then(Value::as_str) {
            Some(target) => flatten_schema(doc, resolve_ref(doc, target)?)?,
            None => flatten_schema(doc, member)?,
        };
        if !is_object_schema(&member) {
            return Err(TrimError::Unsupported(format!(
                "allOf member that is not an object: {member}"
            )));
        }
        for (key, property) in member["properties"].as_object().into_iter().flatten() {
            // Later members refine earlier ones (a paginated list narrows `items`).
            merged["properties"][key] = property.clone();
        }
        let mut required = string_set(&merged["required"]);
        required.extend(string_set(&member["required"]));
        if !required.is_empty() {
            merged["required"] = json!(required);
        }
    }
    Ok(merged)
}

/// Replaces a `$ref` to a component that is only a bare scalar (`{"type": "string"}`) with
/// that scalar: a newtype around a `String` would only get in the caller's way.
fn inline_scalar_aliases(doc: &mut Value) {
    let aliases: BTreeMap<String, Value> = schemas(doc)
        .iter()
        .filter(|(_, s)| {
            s.as_object().is_some_and(|m| m.len() == 1)
                && s["type"].is_string()
                && s["type"] != "object"
        })
        .map(|(name, s)| (format!("#/components/schemas/{name}"), s.clone()))
        .collect();
    visit_schemas(doc, &mut |schema| {
        if let Some(alias) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| aliases.get(r))
        {
            *schema = alias.clone();
        }
    });
}

/// Moves inline string enums of two or more values (object properties and operation
/// parameters) into named components, so each becomes one named Rust type, shared where the
/// same values appear twice. One-value enums stay: they are discriminator tags.
fn hoist_enums(doc: &mut Value) {
    let mut hoisted: Vec<(String, Value)> = Vec::new();

    // Properties of component schemas, in name order.
    let names: Vec<String> = schemas(doc).keys().cloned().collect();
    for name in names {
        let mut schema = schemas(doc)[&name].clone();
        hoist_in_object(doc, &mut hoisted, &name, &mut schema);
        schemas_mut(doc).insert(name, schema);
    }

    // Parameters, components first, then each operation's inline ones.
    let parameter_names: Vec<String> = doc["components"]["parameters"]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    for name in parameter_names {
        let mut parameter = doc["components"]["parameters"][&name].clone();
        hoist_in_parameter(doc, &mut hoisted, &mut parameter);
        doc["components"]["parameters"][&name] = parameter;
    }
    let mut operations = doc.clone();
    for_each_path_item(&mut operations, |item| {
        if let Some(Value::Array(parameters)) = item.get_mut("parameters") {
            for parameter in parameters {
                hoist_in_parameter(doc, &mut hoisted, parameter);
            }
        }
    });
    for_each_operation(&mut operations, |op| {
        if let Some(Value::Array(parameters)) = op.get_mut("parameters") {
            for parameter in parameters {
                hoist_in_parameter(doc, &mut hoisted, parameter);
            }
        }
    });
    doc["paths"] = operations["paths"].take();

    for (name, schema) in hoisted {
        schemas_mut(doc).insert(name, schema);
    }
}

/// The component name for an inline enum: an existing component or an already hoisted enum
/// with the same values, else `wanted` (recorded in `hoisted`), numbered from 2 when another
/// schema already has that name.
fn enum_component_name(
    doc: &Value,
    hoisted: &mut Vec<(String, Value)>,
    wanted: String,
    inline: &Value,
) -> String {
    let mut schema = inline.clone();
    if let Value::Object(map) = &mut schema {
        // A default belongs to the use site; the shared type has none.
        map.remove("default");
    }
    let existing = schemas(doc)
        .iter()
        .chain(hoisted.iter().map(|(n, s)| (n, s)))
        .find(|(_, s)| **s == schema)
        .map(|(n, _)| n.clone());
    if let Some(name) = existing {
        return name;
    }
    let taken = |name: &str| {
        schemas(doc).contains_key(name) || hoisted.iter().any(|(hoisted, _)| hoisted == name)
    };
    let name = std::iter::once(wanted.clone())
        .chain((2..).map(|n| format!("{wanted}{n}")))
        .find(|name| !taken(name))
        .expect("some numbered name is free");
    hoisted.push((name.clone(), schema));
    name
}

fn hoist_in_object(
    doc: &Value,
    hoisted: &mut Vec<(String, Value)>,
    parent: &str,
    schema: &mut Value,
) {
    let Some(Value::Object(properties)) = schema.get_mut("properties") else {
        return;
    };
    for (key, property) in properties.iter_mut() {
        let type_name = format!("{parent}{}", pascal_case(key));
        if is_hoistable_enum(property) {
            let name = enum_component_name(doc, hoisted, type_name, property);
            *property = json!({ "$ref": format!("#/components/schemas/{name}") });
        } else if property.get("properties").is_some() {
            hoist_in_object(doc, hoisted, &type_name, property);
        }
    }
}

fn hoist_in_parameter(doc: &Value, hoisted: &mut Vec<(String, Value)>, parameter: &mut Value) {
    let Some(param_name) = parameter["name"].as_str().map(pascal_case) else {
        return;
    };
    if is_hoistable_enum(&parameter["schema"]) {
        let name = enum_component_name(doc, hoisted, param_name, &parameter["schema"]);
        parameter["schema"] = json!({ "$ref": format!("#/components/schemas/{name}") });
    }
}

fn is_hoistable_enum(schema: &Value) -> bool {
    schema["type"] == "string"
        && schema["enum"]
            .as_array()
            .is_some_and(|values| values.len() >= 2)
}

/// Drops string and number constraints: progenitor turns them into a validating newtype per
/// parameter per operation, and on responses they make decoding reject real data. The
/// hand-written wrapper checks identifiers and ranges itself.
fn strip_validation(doc: &mut Value) {
    visit_schemas(doc, &mut |schema| {
        if let Value::Object(map) = schema {
            for key in ["pattern", "maxLength", "minLength", "minimum", "maximum"] {
                map.remove(key);
            }
        }
    });
}

/// A bare `type: object` becomes a JSON map, which fails on `null` unless marked nullable.
fn make_untyped_objects_nullable(doc: &mut Value) {
    visit_schemas(doc, &mut |schema| {
        let untyped = schema["type"] == "object"
            && [
                "properties",
                "additionalProperties",
                "allOf",
                "oneOf",
                "anyOf",
                "$ref",
            ]
            .iter()
            .all(|k| schema.get(*k).is_none());
        if untyped {
            schema["nullable"] = json!(true);
        }
    });
}

/// Removes every component no kept operation reaches (following `$ref`s).
fn prune_components(doc: &mut Value) -> Result<(), TrimError> {
    let mut reached = BTreeSet::new();
    let mut pending: Vec<String> = refs_in(&doc["paths"]);
    // Security schemes are named by operations, not referenced.
    let mut schemes = BTreeSet::new();
    for_each_operation(&mut doc.clone(), |op| {
        for requirement in op["security"].as_array().into_iter().flatten() {
            schemes.extend(
                requirement
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, _)| k.clone()),
            );
        }
    });
    while let Some(target) = pending.pop() {
        if reached.insert(target.clone()) {
            pending.extend(refs_in(resolve_ref(doc, &target)?));
        }
    }
    if let Value::Object(components) = &mut doc["components"] {
        for (section, entries) in components.iter_mut() {
            if let Value::Object(entries) = entries {
                entries.retain(|name, _| {
                    if section == "securitySchemes" {
                        schemes.contains(name)
                    } else {
                        reached.contains(&format!("#/components/{section}/{name}"))
                    }
                });
            }
        }
        components.retain(|_, entries| entries.as_object().is_some_and(|e| !e.is_empty()));
    }
    Ok(())
}

/// Marks every component enum a response can carry as open (see [`OPEN_ENUM_EXTENSION`]).
fn mark_open_enums(doc: &mut Value) -> Result<(), TrimError> {
    let (_, responses) = reachable_by_direction(doc)?;
    for (name, schema) in schemas_mut(doc).iter_mut() {
        if responses.contains(name) && schema.get("enum").is_some() {
            schema[OPEN_ENUM_EXTENSION] = json!(true);
        }
    }
    Ok(())
}

/// Component schema names reachable from request bodies and parameters, and from responses.
fn reachable_by_direction(doc: &Value) -> Result<(BTreeSet<String>, BTreeSet<String>), TrimError> {
    let mut request_roots = Vec::new();
    let mut response_roots = Vec::new();
    let mut paths = doc.clone();
    for_each_path_item(&mut paths, |item| {
        request_roots.extend(refs_in(&item["parameters"]));
    });
    for_each_operation(&mut paths, |op| {
        request_roots.extend(refs_in(&op["requestBody"]));
        request_roots.extend(refs_in(&op["parameters"]));
        response_roots.extend(refs_in(&op["responses"]));
    });
    Ok((closure(doc, request_roots)?, closure(doc, response_roots)?))
}

fn closure(doc: &Value, mut pending: Vec<String>) -> Result<BTreeSet<String>, TrimError> {
    let mut seen = BTreeSet::new();
    let mut names = BTreeSet::new();
    while let Some(target) = pending.pop() {
        if !seen.insert(target.clone()) {
            continue;
        }
        if let Some(name) = target.strip_prefix("#/components/schemas/") {
            names.insert(name.to_owned());
        }
        pending.extend(refs_in(resolve_ref(doc, &target)?));
    }
    Ok(names)
}

/// Every `$ref` and discriminator mapping target inside a value.
fn refs_in(value: &Value) -> Vec<String> {
    let mut found = Vec::new();
    fn walk(value: &Value, found: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    match (key.as_str(), child) {
                        ("$ref", Value::String(target)) => found.push(target.clone()),
                        ("mapping", Value::Object(targets)) => found.extend(
                            targets
                                .values()
                                .filter_map(Value::as_str)
                                .map(str::to_owned),
                        ),
                        _ => walk(child, found),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|item| walk(item, found)),
            _ => {}
        }
    }
    walk(value, &mut found);
    found
}

fn resolve_ref<'a>(doc: &'a Value, target: &str) -> Result<&'a Value, TrimError> {
    target
        .strip_prefix('#')
        .and_then(|pointer| doc.pointer(pointer))
        .ok_or_else(|| TrimError::BrokenRef(target.to_owned()))
}

fn is_object_schema(schema: &Value) -> bool {
    schema["type"] == "object"
        || schema.get("properties").is_some()
        || schema.get("required").is_some()
}

fn string_set(value: &Value) -> BTreeSet<String> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

fn schemas(doc: &Value) -> &Map<String, Value> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    doc["components"]["schemas"]
        .as_object()
        .unwrap_or_else(|| EMPTY.get_or_init(Map::new))
}

fn schemas_mut(doc: &mut Value) -> &mut Map<String, Value> {
    let slot = &mut doc["components"]["schemas"];
    if !slot.is_object() {
        *slot = json!({});
    }
    slot.as_object_mut().expect("made an object above")
}

/// Calls `f` on every path item (whose `parameters` apply to all its operations).
fn for_each_path_item(doc: &mut Value, f: impl FnMut(&mut Value)) {
    doc["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|p| p.values_mut())
        .for_each(f);
}

fn for_each_operation(doc: &mut Value, mut f: impl FnMut(&mut Value)) {
    for item in doc["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|p| p.values_mut())
    {
        for method in HTTP_METHODS {
            if let Some(op) = item.get_mut(*method) {
                f(op);
            }
        }
    }
}

/// Calls `f` on every schema position (component schemas and parameters, path-level and
/// operation parameters, bodies and responses, and every schema nested in those), innermost
/// first.
fn visit_schemas(doc: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    fn schema(value: &mut Value, f: &mut dyn FnMut(&mut Value)) {
        for key in ["items", "additionalProperties", "not"] {
            if let Some(child @ Value::Object(_)) = value.get_mut(key) {
                schema(child, f);
            }
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            if let Some(Value::Array(children)) = value.get_mut(key) {
                children.iter_mut().for_each(|child| schema(child, f));
            }
        }
        if let Some(Value::Object(properties)) = value.get_mut("properties") {
            properties.values_mut().for_each(|child| schema(child, f));
        }
        f(value);
    }
    fn content(value: &mut Value, f: &mut dyn FnMut(&mut Value)) {
        if let Some(Value::Object(media)) = value.get_mut("content") {
            for media_type in media.values_mut() {
                if let Some(s) = media_type.get_mut("schema") {
                    schema(s, f);
                }
            }
        }
    }
    fn parameter(value: &mut Value, f: &mut dyn FnMut(&mut Value)) {
        if let Some(s) = value.get_mut("schema") {
            schema(s, f);
        }
    }
    if let Some(Value::Object(all)) = doc["components"].get_mut("schemas") {
        all.values_mut().for_each(|s| schema(s, f));
    }
    if let Some(Value::Object(all)) = doc["components"].get_mut("parameters") {
        all.values_mut().for_each(|p| parameter(p, f));
    }
    for_each_path_item(doc, |item| {
        if let Some(Value::Array(parameters)) = item.get_mut("parameters") {
            parameters.iter_mut().for_each(|p| parameter(p, f));
        }
    });
    for_each_operation(doc, |op| {
        if let Some(Value::Array(parameters)) = op.get_mut("parameters") {
            parameters.iter_mut().for_each(|p| parameter(p, f));
        }
        if let Some(body) = op.get_mut("requestBody") {
            content(body, f);
        }
        if let Some(Value::Object(responses)) = op.get_mut("responses") {
            responses.values_mut().for_each(|r| content(r, f));
        }
    });
}

/// `ownership_type` -> `OwnershipType`.
fn pascal_case(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase()).into_iter();
            first.chain(chars).collect::<String>()
        })
        .collect()
}
