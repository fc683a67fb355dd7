//! Tests of the trim tool against a small made-up API (`fixtures/upstream.json`) shaped like
//! Pinterest's document, and a check that the committed trimmed document is up to date.

use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use xtask::trim::{
    FALLBACK_UPSTREAM, TrimError, default_upstream, parse_operation_list, to_canonical_string, trim,
};

const FIXTURE: &str = include_str!("fixtures/upstream.json");

/// The operations the tests keep; `gadgets/delete_all` and `widgets/list` are dropped.
const OPERATIONS: &str = "\
# Gadgets
gadgets/list
gadgets/create   # a trailing comment
  gadgets/get
gadgets/update

notices/latest
oauth/token
";

fn upstream() -> Value {
    serde_json::from_str(FIXTURE).expect("the fixture is JSON")
}

fn operations() -> Vec<String> {
    parse_operation_list(OPERATIONS)
}

fn trimmed() -> Value {
    trim(&upstream(), &operations(), "upstream.json").expect("the fixture trims")
}

fn trim_only(ids: &[&str]) -> Value {
    let ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    trim(&upstream(), &ids, "upstream.json").expect("the fixture trims")
}

fn schema<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["components"]["schemas"]
        .get(name)
        .unwrap_or_else(|| panic!("no component schema {name} in {doc:#}"))
}

fn property<'a>(doc: &'a Value, name: &str, property: &str) -> &'a Value {
    schema(doc, name)["properties"]
        .get(property)
        .unwrap_or_else(|| panic!("{name} has no property {property}"))
}

fn keys(value: &Value) -> BTreeSet<String> {
    value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .cloned()
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn string_set(value: &Value) -> BTreeSet<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| v.as_str().expect("a string").to_owned())
        .collect()
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn operation<'a>(doc: &'a Value, path: &str, method: &str) -> &'a Value {
    doc["paths"]
        .get(path)
        .and_then(|item| item.get(method))
        .unwrap_or_else(|| panic!("no {method} {path}"))
}

fn parameter<'a>(op: &'a Value, name: &str) -> &'a Value {
    op["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no parameter {name}"))
}

/// Calls `f(key, value, inside_properties)` for every key of every object, where
/// `inside_properties` says the key names a property (a `properties` map of a schema).
fn walk_keys(value: &Value, inside_properties: bool, f: &mut dyn FnMut(&str, &Value, bool)) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                f(key, child, inside_properties);
                let child_names_properties = !inside_properties && key == "properties";
                walk_keys(child, child_names_properties, f);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| walk_keys(item, false, f)),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Operation list
// ---------------------------------------------------------------------------------------------

#[test]
fn operation_list_ignores_comments_and_blank_lines() {
    assert_eq!(
        operations(),
        [
            "gadgets/list",
            "gadgets/create",
            "gadgets/get",
            "gadgets/update",
            "notices/latest",
            "oauth/token"
        ]
    );
    assert!(parse_operation_list("\n# only a comment\n   \n").is_empty());
}

// ---------------------------------------------------------------------------------------------
// Selection and reachability
// ---------------------------------------------------------------------------------------------

#[test]
fn only_listed_operations_are_kept() {
    let doc = trimmed();
    assert_eq!(
        keys(&doc["paths"]),
        set(&[
            "/accounts/{account_id}/gadgets",
            "/accounts/{account_id}/gadgets/{gadget_id}",
            "/notices/latest",
            "/oauth/token",
        ])
    );
    // The unlisted DELETE on a kept path is gone; path-level parameters stay.
    assert_eq!(
        keys(&doc["paths"]["/accounts/{account_id}/gadgets"]),
        set(&["get", "post", "parameters"])
    );
    assert_eq!(
        doc["paths"]["/accounts/{account_id}/gadgets"]["parameters"],
        json!([{ "$ref": "#/components/parameters/path_account_id" }])
    );
    assert_eq!(
        keys(&doc["paths"]["/accounts/{account_id}/gadgets/{gadget_id}"]),
        set(&["get", "patch", "parameters"])
    );
    assert_eq!(
        doc["paths"]["/accounts/{account_id}/gadgets/{gadget_id}"]["parameters"],
        json!([
            { "$ref": "#/components/parameters/path_account_id" },
            { "in": "path", "name": "gadget_id", "required": true, "schema": { "type": "string" } }
        ])
    );
    for (path, method, id) in [
        ("/accounts/{account_id}/gadgets", "get", "gadgets/list"),
        ("/accounts/{account_id}/gadgets", "post", "gadgets/create"),
        (
            "/accounts/{account_id}/gadgets/{gadget_id}",
            "get",
            "gadgets/get",
        ),
        (
            "/accounts/{account_id}/gadgets/{gadget_id}",
            "patch",
            "gadgets/update",
        ),
        ("/notices/latest", "get", "notices/latest"),
        ("/oauth/token", "post", "oauth/token"),
    ] {
        assert_eq!(operation(&doc, path, method)["operationId"], id);
    }
    // The document header: only what the generator needs.
    assert_eq!(
        keys(&doc),
        set(&["openapi", "info", "paths", "components", "servers"])
    );
    assert_eq!(doc["openapi"], "3.0.3");
    assert_eq!(
        doc["servers"],
        json!([{ "url": "https://api.gizmo.example.test/v2" }])
    );
}

#[test]
fn a_single_operation_keeps_only_its_path_and_components() {
    let doc = trim_only(&["gadgets/get"]);
    assert_eq!(
        keys(&doc["paths"]),
        set(&["/accounts/{account_id}/gadgets/{gadget_id}"])
    );
    assert_eq!(
        keys(&doc["paths"]["/accounts/{account_id}/gadgets/{gadget_id}"]),
        set(&["get", "parameters"])
    );
    assert_eq!(
        keys(&doc["components"]["parameters"]),
        set(&["path_account_id"])
    );
    assert_eq!(
        keys(&doc["components"]["securitySchemes"]),
        set(&["gizmo_oauth2"])
    );
    // Gadget and what it reaches; nothing that only requests, notices or tokens use.
    assert_eq!(
        keys(&doc["components"]["schemas"]),
        set(&[
            "Gadget",
            "GadgetColor",
            "GadgetDimensionsUnit",
            "GadgetKind",
            "GadgetGlow",
            "GadgetStatus",
        ])
    );
}

#[test]
fn unreachable_components_are_pruned() {
    let doc = trimmed();
    assert_eq!(
        keys(&doc["components"]),
        set(&["parameters", "schemas", "securitySchemes"])
    );
    assert_eq!(
        keys(&doc["components"]["schemas"]),
        set(&[
            // Reached from the kept operations...
            "Gadget",
            "GadgetCreateRequest",
            "GadgetKind",
            "GadgetStatus",
            "GadgetUpdateRequest",
            "Notice",
            "OauthAccessTokenRequest",
            "OauthAccessTokenResponse",
            "Palette",
            // ... reached only through a discriminator mapping (EmailNotice.delivery) ...
            "DeliveryState",
            // ... and enums hoisted out of properties and parameters.
            "GadgetColor",
            "GadgetDimensionsUnit",
            "GadgetKind2",
            "GadgetUpdateRequestOperation",
            "OauthAccessTokenResponseResponseType",
            "Ownership",
            "Sort",
        ])
    );
    // Gone: Error (only non-2xx responses), DeleteReport/DeleteState (only the dropped
    // DELETE), Widget/WidgetColor (only the dropped path), Orphan (nothing), and what the
    // rewrites inlined: Paginated, GadgetCommon, GadgetId, GadgetDescription, the
    // discriminator variants.
    assert_eq!(
        keys(&doc["components"]["parameters"]),
        set(&["path_account_id", "query_cursor", "query_limit"])
    );
    // Security schemes are kept when a kept operation names them.
    assert_eq!(
        keys(&doc["components"]["securitySchemes"]),
        set(&["basic", "gizmo_oauth2"])
    );
}

#[test]
fn components_of_dropped_operations_are_reachable_when_listed() {
    // The same components survive when their operations are listed, so the pruning above is
    // about reachability, not about the components themselves.
    let doc = trim_only(&["gadgets/delete_all", "widgets/list"]);
    assert_eq!(
        keys(&doc["components"]["schemas"]),
        set(&["DeleteReport", "DeleteState", "Widget", "WidgetColor"])
    );
    assert_eq!(
        keys(&doc["components"]["securitySchemes"]),
        set(&["legacy_key"])
    );
    assert_eq!(
        keys(&doc["components"]["parameters"]),
        set(&["path_account_id"])
    );
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

#[test]
fn a_missing_operation_is_an_error() {
    let ids: Vec<String> = ["gadgets/list", "gadgets/frobnicate", "oauth/token"]
        .map(String::from)
        .to_vec();
    let error = trim(&upstream(), &ids, "upstream.json").unwrap_err();
    assert_eq!(
        error,
        TrimError::MissingOperation("gadgets/frobnicate".to_owned())
    );
    assert_eq!(
        error.to_string(),
        "operation `gadgets/frobnicate` is not in the upstream document"
    );
}

#[test]
fn a_broken_ref_is_an_error() {
    let mut doc = upstream();
    doc["components"]["schemas"]["Gadget"]["properties"]["id"] = schema_ref("NoSuchSchema");
    let error = trim(&doc, &operations(), "upstream.json").unwrap_err();
    assert_eq!(
        error,
        TrimError::BrokenRef("#/components/schemas/NoSuchSchema".to_owned())
    );
    assert_eq!(
        error.to_string(),
        "`$ref` to `#/components/schemas/NoSuchSchema` points at nothing"
    );

    // A discriminator mapping target is a reference too.
    let mut doc = upstream();
    doc["components"]["schemas"]["Notice"]["discriminator"]["mapping"]["push"] =
        json!("#/components/schemas/PushNotice");
    assert_eq!(
        trim(&doc, &operations(), "upstream.json").unwrap_err(),
        TrimError::BrokenRef("#/components/schemas/PushNotice".to_owned())
    );

    // So is a parameter reference in a path item.
    let mut doc = upstream();
    doc["paths"]["/accounts/{account_id}/gadgets"]["parameters"] =
        json!([{ "$ref": "#/components/parameters/path_missing" }]);
    assert_eq!(
        trim(&doc, &operations(), "upstream.json").unwrap_err(),
        TrimError::BrokenRef("#/components/parameters/path_missing".to_owned())
    );
}

// ---------------------------------------------------------------------------------------------
// Discriminators
// ---------------------------------------------------------------------------------------------

#[test]
fn request_discriminator_becomes_tagged_one_of() {
    let doc = trimmed();
    let request = schema(&doc, "OauthAccessTokenRequest");
    assert_eq!(keys(request), set(&["oneOf"]));
    let variants = request["oneOf"].as_array().expect("oneOf is an array");
    assert_eq!(variants.len(), 3);

    let tag = |variant: &Value| variant["properties"]["grant_type"].clone();
    let variant = |value: &str| {
        variants
            .iter()
            .find(|v| tag(v)["enum"] == json!([value]))
            .unwrap_or_else(|| panic!("no variant tagged {value} in {variants:#?}"))
            .clone()
    };

    let code = variant("authorization_code");
    assert_eq!(
        code["properties"],
        json!({
            "grant_type": { "type": "string", "enum": ["authorization_code"] },
            "code": { "type": "string" },
            "redirect_uri": { "type": "string" },
            // Documented only in the operation's prose; added by the tool.
            "continuous_refresh": { "type": "boolean" },
        })
    );
    assert_eq!(
        string_set(&code["required"]),
        set(&["grant_type", "code", "redirect_uri"])
    );

    let refresh = variant("refresh_token");
    assert_eq!(
        refresh["properties"],
        json!({
            "grant_type": { "type": "string", "enum": ["refresh_token"] },
            "refresh_token": { "type": "string" },
            "scope": { "type": "string" },
        })
    );
    // The variant did not require its tag upstream; the rewrite makes it required.
    assert_eq!(
        string_set(&refresh["required"]),
        set(&["grant_type", "refresh_token"])
    );

    let credentials = variant("client_credentials");
    assert_eq!(
        credentials["properties"],
        json!({
            "grant_type": { "type": "string", "enum": ["client_credentials"] },
            "scope": { "type": "string" },
        })
    );
    assert_eq!(
        string_set(&credentials["required"]),
        set(&["grant_type", "scope"])
    );

    for v in variants {
        assert_eq!(v["type"], "object", "{v}");
        assert_eq!(
            keys(v),
            set(&["type", "properties", "required"]),
            "a variant is one flat object: {v}"
        );
    }
}

#[test]
fn continuous_refresh_is_added_only_to_the_token_request_code_variant() {
    // The patch is tied to the schema name: another discriminated request schema with an
    // `authorization_code` variant gets nothing.
    let mut up = upstream();
    let renamed = up["components"]["schemas"]["OauthAccessTokenRequest"].clone();
    up["components"]["schemas"]["TokenGrant"] = renamed;
    up["paths"]["/oauth/token"]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]
        ["schema"] = schema_ref("TokenGrant");
    let doc = trim(&up, &operations(), "upstream.json").unwrap();
    let text = to_canonical_string(&doc);
    assert!(!text.contains("continuous_refresh"), "{text}");
    assert!(
        doc["components"]["schemas"]
            .get("OauthAccessTokenRequest")
            .is_none()
    );
    assert_eq!(
        schema(&doc, "TokenGrant")["oneOf"].as_array().map(Vec::len),
        Some(3)
    );
}

#[test]
fn response_discriminator_becomes_one_merged_object() {
    let doc = trimmed();
    assert_eq!(
        schema(&doc, "OauthAccessTokenResponse"),
        &json!({
            "type": "object",
            "properties": {
                "access_token": { "type": "string" },
                "expires_in": { "type": "integer" },
                "refresh_token": { "type": "string" },
                "refresh_token_expires_in": { "type": "integer" },
                "response_type": schema_ref("OauthAccessTokenResponseResponseType"),
                "scope": { "type": "string" },
                "token_type": { "type": "string", "default": "bearer" },
            },
            // Required by every variant, the discriminator itself excepted.
            "required": ["access_token", "expires_in"],
        })
    );

    // Variants reached only through `discriminator.mapping`, one of them through `allOf`.
    assert_eq!(
        schema(&doc, "Notice"),
        &json!({
            "type": "object",
            "properties": {
                "address": { "type": "string" },
                "channel_type": { "type": "string" },
                "delivery": schema_ref("DeliveryState"),
                "phone": { "type": "string" },
                "sent_at": { "type": "integer" },
            },
            "required": ["sent_at"],
        })
    );
    assert_eq!(
        schema(&doc, "DeliveryState")["enum"],
        json!(["QUEUED", "SENT", "BOUNCED"])
    );

    let text = to_canonical_string(&doc);
    assert!(!text.contains("discriminator"), "{text}");
    assert!(!text.contains("EmailNotice") && !text.contains("SmsNotice"));
}

#[test]
fn a_discriminated_schema_used_both_ways_is_unsupported() {
    let mut up = upstream();
    up["paths"]["/notices/latest"]["post"] = json!({
        "operationId": "notices/send",
        "requestBody": {
            "content": { "application/json": { "schema": schema_ref("Notice") } }
        },
        "responses": { "204": { "description": "sent" } }
    });
    let ids: Vec<String> = ["notices/latest", "notices/send"]
        .map(String::from)
        .to_vec();
    match trim(&up, &ids, "upstream.json") {
        Err(TrimError::Unsupported(what)) => assert!(what.contains("Notice"), "{what}"),
        other => panic!("expected Unsupported, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// allOf, aliases, enums
// ---------------------------------------------------------------------------------------------

#[test]
fn all_of_is_flattened() {
    let doc = trimmed();
    assert_eq!(
        schema(&doc, "GadgetCreateRequest"),
        &json!({
            "type": "object",
            "properties": {
                "description": { "type": "string" },
                // `{type: string, default, allOf: [$ref Enum]}` is the enum itself.
                "kind": schema_ref("GadgetKind"),
                "name": { "type": "string" },
                // The later member refines the earlier one.
                "priority": { "type": "integer", "format": "int32" },
                "tags": { "type": "array", "items": { "type": "string" } },
            },
            "required": ["kind", "name"],
        })
    );
    assert_eq!(
        property(&doc, "Gadget", "status"),
        &schema_ref("GadgetStatus")
    );

    // The paginated list response: Paginated merged with the narrowed `items`.
    let list = operation(&doc, "/accounts/{account_id}/gadgets", "get");
    assert_eq!(
        list["responses"]["200"]["content"]["application/json"]["schema"],
        json!({
            "type": "object",
            "properties": {
                "cursor": { "type": "string", "nullable": true },
                "items": { "type": "array", "items": schema_ref("Gadget") },
            },
            "required": ["items"],
        })
    );

    let text = to_canonical_string(&doc);
    assert!(!text.contains("allOf"), "{text}");
}

#[test]
fn scalar_aliases_are_inlined() {
    let doc = trimmed();
    // `GadgetId` is `{type: string}` plus prose; `GadgetDescription` also has a maxLength.
    assert_eq!(property(&doc, "Gadget", "id"), &json!({ "type": "string" }));
    assert_eq!(
        property(&doc, "GadgetCreateRequest", "description"),
        &json!({ "type": "string" })
    );
    let text = to_canonical_string(&doc);
    assert!(!text.contains("GadgetId"), "{text}");
    assert!(!text.contains("GadgetDescription"), "{text}");
}

#[test]
fn inline_enums_are_hoisted_and_shared() {
    let doc = trimmed();
    // Two properties with the same values share one component.
    assert_eq!(
        property(&doc, "Gadget", "color"),
        &schema_ref("GadgetColor")
    );
    assert_eq!(property(&doc, "Gadget", "trim"), &schema_ref("GadgetColor"));
    assert_eq!(
        schema(&doc, "GadgetColor"),
        &json!({ "type": "string", "enum": ["CYAN", "MAGENTA", "YELLOW"], "x-open-enum": true })
    );
    // Values an existing component already has reuse that component, from a property...
    assert_eq!(property(&doc, "Gadget", "glow"), &schema_ref("Palette"));
    // ... and from a parameter.
    let list = operation(&doc, "/accounts/{account_id}/gadgets", "get");
    assert_eq!(parameter(list, "palette")["schema"], schema_ref("Palette"));
    // Nested objects name the enum after the whole path.
    assert_eq!(
        property(&doc, "Gadget", "dimensions")["properties"]["unit"],
        schema_ref("GadgetDimensionsUnit")
    );
    assert_eq!(
        schema(&doc, "GadgetDimensionsUnit")["enum"],
        json!(["MM", "INCH"])
    );
    // Parameters are named after the parameter; the default stays off the shared type.
    assert_eq!(parameter(list, "sort")["schema"], schema_ref("Sort"));
    assert_eq!(
        schema(&doc, "Sort"),
        &json!({ "type": "string", "enum": ["ASCENDING", "DESCENDING"] })
    );
    assert_eq!(
        parameter(list, "ownership")["schema"],
        schema_ref("Ownership")
    );
    assert_eq!(
        schema(&doc, "Ownership"),
        &json!({ "type": "string", "enum": ["MINE", "SHARED"] })
    );
    assert_eq!(
        property(&doc, "GadgetUpdateRequest", "operation"),
        &schema_ref("GadgetUpdateRequestOperation")
    );

    // One-value enums are tags: they stay where they are.
    assert_eq!(
        parameter(list, "view")["schema"],
        json!({ "type": "string", "enum": ["FULL"] })
    );
    assert_eq!(
        property(&doc, "Gadget", "format"),
        &json!({ "type": "string", "enum": ["ONLY"] })
    );

    // No two component enums hold the same values.
    let mut seen = BTreeSet::new();
    for (name, s) in doc["components"]["schemas"].as_object().unwrap() {
        if let Some(values) = s.get("enum") {
            assert!(seen.insert(values.to_string()), "{name} repeats {values}");
        }
    }
}

#[test]
fn a_hoisted_enum_never_replaces_an_existing_component() {
    let doc = trimmed();
    // `Gadget.kind` would be named `GadgetKind`, which is already a different enum.
    assert_eq!(
        schema(&doc, "GadgetKind"),
        &json!({ "type": "string", "enum": ["BASIC", "PREMIUM"] })
    );
    let kind = property(&doc, "Gadget", "kind");
    let target = kind["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        .unwrap_or_else(|| panic!("Gadget.kind is not a component reference: {kind}"));
    assert_ne!(target, "GadgetKind");
    assert_eq!(schema(&doc, target)["enum"], json!(["ROUND", "SQUARE"]));
    assert_eq!(
        property(&doc, "GadgetCreateRequest", "kind"),
        &schema_ref("GadgetKind")
    );

    // Two parameters with one name but different values get two components too.
    let mut up = upstream();
    up["paths"]["/accounts/{account_id}/gadgets/{gadget_id}"]["get"]["parameters"] = json!([
        { "name": "sort", "in": "query", "schema": { "type": "string", "enum": ["NEWEST", "OLDEST"] } }
    ]);
    let doc = trim(&up, &operations(), "upstream.json").unwrap();
    let list = operation(&doc, "/accounts/{account_id}/gadgets", "get");
    let get = operation(&doc, "/accounts/{account_id}/gadgets/{gadget_id}", "get");
    let values = |param: &Value| {
        let target = param["schema"]["$ref"].as_str().expect("a reference");
        doc.pointer(target.trim_start_matches('#'))
            .expect("resolves")["enum"]
            .clone()
    };
    assert_eq!(
        values(parameter(list, "sort")),
        json!(["ASCENDING", "DESCENDING"])
    );
    assert_eq!(values(parameter(get, "sort")), json!(["NEWEST", "OLDEST"]));
}

// ---------------------------------------------------------------------------------------------
// Validation, nullability, responses
// ---------------------------------------------------------------------------------------------

#[test]
fn validation_keywords_are_stripped() {
    let doc = trimmed();
    walk_keys(&doc, false, &mut |key, value, inside_properties| {
        if !inside_properties {
            assert!(
                !["pattern", "maxLength", "minLength", "minimum", "maximum"].contains(&key),
                "{key} left in the document: {value}"
            );
        }
    });
    assert_eq!(
        doc["components"]["parameters"]["path_account_id"]["schema"],
        json!({ "type": "string" })
    );
    assert_eq!(
        doc["components"]["parameters"]["query_cursor"]["schema"],
        json!({ "type": "string" })
    );
    assert_eq!(
        doc["components"]["parameters"]["query_limit"]["schema"],
        json!({ "type": "integer", "default": 25 })
    );
    assert_eq!(
        property(&doc, "Gadget", "weight"),
        &json!({ "type": "number" })
    );
    assert_eq!(
        property(&doc, "Gadget", "name"),
        &json!({ "type": "string" })
    );
    assert_eq!(
        property(&doc, "Gadget", "dimensions")["properties"]["depth"],
        json!({ "type": "integer" })
    );
}

#[test]
fn bare_objects_become_nullable() {
    let doc = trimmed();
    assert_eq!(
        property(&doc, "Gadget", "settings"),
        &json!({ "type": "object", "nullable": true })
    );
    // Objects with a shape stay as they are.
    assert_eq!(
        property(&doc, "Gadget", "labels"),
        &json!({ "type": "object", "additionalProperties": { "type": "string" } })
    );
    assert!(
        property(&doc, "Gadget", "dimensions")
            .get("nullable")
            .is_none()
    );
    assert!(schema(&doc, "Gadget").get("nullable").is_none());
}

#[test]
fn only_success_responses_are_kept() {
    let doc = trimmed();
    let create = operation(&doc, "/accounts/{account_id}/gadgets", "post");
    assert_eq!(
        create["responses"],
        json!({
            "201": {
                "description": "Success",
                "content": { "application/json": { "schema": schema_ref("Gadget") } }
            }
        })
    );
    for (path, method, code) in [
        ("/accounts/{account_id}/gadgets", "get", "200"),
        ("/accounts/{account_id}/gadgets/{gadget_id}", "get", "200"),
        ("/accounts/{account_id}/gadgets/{gadget_id}", "patch", "200"),
        ("/notices/latest", "get", "200"),
        ("/oauth/token", "post", "200"),
    ] {
        let responses = &operation(&doc, path, method)["responses"];
        assert_eq!(keys(responses), set(&[code]), "{method} {path}");
        assert_eq!(responses[code]["description"], "Success");
    }
}

// ---------------------------------------------------------------------------------------------
// Prose and extensions
// ---------------------------------------------------------------------------------------------

#[test]
fn prose_and_extensions_are_dropped_everywhere() {
    let doc = trimmed();
    let text = to_canonical_string(&doc);
    // Every piece of prose in the fixture carries this marker.
    assert!(!text.contains("PROSE-MARKER"), "{text}");

    const PROSE: &[&str] = &[
        "description",
        "summary",
        "example",
        "examples",
        "externalDocs",
        "title",
        "termsOfService",
        "contact",
    ];
    let mut responses_seen = 0;
    walk_keys(&doc, false, &mut |key, value, inside_properties| {
        if inside_properties {
            return;
        }
        if key.starts_with("x-") {
            assert!(
                key == "x-open-enum" || key == "x-trimmed-from",
                "extension {key} kept: {value}"
            );
        }
        if key == "description" {
            // The one description allowed: the word OpenAPI requires on a response.
            assert_eq!(value, "Success");
            responses_seen += 1;
        } else if key == "title" {
            assert_eq!(value, "Gizmo Marketing API");
        } else {
            assert!(!PROSE.contains(&key), "{key} kept: {value}");
        }
    });
    assert_eq!(responses_seen, 6);
    assert_eq!(
        doc["components"]["securitySchemes"]["basic"],
        json!({ "type": "http", "scheme": "basic" })
    );
}

#[test]
fn properties_named_like_prose_keywords_are_kept() {
    let doc = trimmed();
    assert_eq!(
        property(&doc, "Gadget", "description"),
        &json!({ "type": "string" })
    );
    assert_eq!(
        property(&doc, "Gadget", "title"),
        &json!({ "type": "string" })
    );
    assert_eq!(
        property(&doc, "GadgetCreateRequest", "description"),
        &json!({ "type": "string" })
    );
}

#[test]
fn scope_descriptions_are_emptied() {
    let doc = trimmed();
    assert_eq!(
        doc["components"]["securitySchemes"]["gizmo_oauth2"],
        json!({
            "type": "oauth2",
            "flows": {
                "authorizationCode": {
                    "authorizationUrl": "https://gizmo.example.test/oauth/",
                    "tokenUrl": "https://api.gizmo.example.test/v2/oauth/token",
                    "scopes": { "gadgets:read": "", "gadgets:write": "" }
                }
            }
        })
    );
}

#[test]
fn response_enums_are_open_and_request_enums_closed() {
    let doc = trimmed();
    let open: BTreeSet<String> = doc["components"]["schemas"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, s)| s.get("x-open-enum").is_some())
        .map(|(name, s)| {
            assert_eq!(s["x-open-enum"], true, "{name}");
            assert!(s.get("enum").is_some(), "{name} is open but not an enum");
            name.clone()
        })
        .collect();
    assert_eq!(
        open,
        set(&[
            "DeliveryState",
            "GadgetColor",
            "GadgetDimensionsUnit",
            "GadgetKind2",
            "GadgetStatus",
            "OauthAccessTokenResponseResponseType",
            // Also used by a request parameter: a response can carry it, so it is open.
            "Palette",
        ])
    );
    // Request-only enums: bodies and parameters.
    for closed in [
        "GadgetKind",
        "GadgetUpdateRequestOperation",
        "Ownership",
        "Sort",
    ] {
        assert!(schema(&doc, closed).get("enum").is_some(), "{closed}");
        assert!(
            schema(&doc, closed).get("x-open-enum").is_none(),
            "{closed}"
        );
    }
}

#[test]
fn info_records_the_source() {
    let doc = trimmed();
    assert_eq!(
        doc["info"],
        json!({
            "title": "Gizmo Marketing API",
            "version": "9.1.0",
            "license": { "name": "MIT", "url": "https://gizmo.example.test/license" },
            "x-trimmed-from": {
                "file": "upstream.json",
                "operations": 6,
                "tool": "cargo xtask trim",
            },
        })
    );
}

// ---------------------------------------------------------------------------------------------
// Determinism
// ---------------------------------------------------------------------------------------------

/// `value` as JSON text with every object's keys in reverse order.
fn reversed_json(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let members: Vec<String> = map
                .iter()
                .rev()
                .map(|(k, v)| format!("{}:{}", Value::String(k.clone()), reversed_json(v)))
                .collect();
            format!("{{{}}}", members.join(","))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(reversed_json).collect();
            format!("[{}]", items.join(","))
        }
        scalar => scalar.to_string(),
    }
}

#[test]
fn output_is_deterministic() {
    let first = to_canonical_string(&trimmed());
    let second = to_canonical_string(&trimmed());
    assert_eq!(first, second);
    assert!(first.ends_with("}\n"));
    assert!(
        first.starts_with("{\n  \"components\": {"),
        "keys are sorted"
    );

    // The same document with every object's keys in another order trims to the same bytes.
    let text = reversed_json(&upstream());
    assert_ne!(text, serde_json::to_string(&upstream()).unwrap());
    let reordered: Value = serde_json::from_str(&text).unwrap();
    let third = to_canonical_string(&trim(&reordered, &operations(), "upstream.json").unwrap());
    assert_eq!(first, third);

    // The operation list's order does not matter either, except for the count recorded.
    let mut shuffled = operations();
    shuffled.reverse();
    let fourth = to_canonical_string(&trim(&upstream(), &shuffled, "upstream.json").unwrap());
    assert_eq!(first, fourth);
}

#[test]
fn canonical_text_sorts_keys_at_every_level() {
    let mut inner = serde_json::Map::new();
    inner.insert("zeta".into(), json!(1));
    inner.insert("alpha".into(), json!([{ "b": 1, "a": 2 }]));
    let mut outer = serde_json::Map::new();
    outer.insert("z".into(), Value::Object(inner));
    outer.insert("a".into(), json!(null));
    let text = to_canonical_string(&Value::Object(outer));
    assert_eq!(
        text,
        "{\n  \"a\": null,\n  \"z\": {\n    \"alpha\": [\n      {\n        \"a\": 2,\n        \"b\": 1\n      }\n    ],\n    \"zeta\": 1\n  }\n}\n"
    );
}

// ---------------------------------------------------------------------------------------------
// The committed document
// ---------------------------------------------------------------------------------------------

/// What `cargo xtask trim --check` does: the committed trimmed document must be exactly what
/// the tool makes from the upstream document and the operation list.
#[test]
fn committed_trimmed_document_is_up_to_date() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace");
    let committed =
        std::fs::read_to_string(root.join("openapi/pinterest-v5-trimmed.json")).unwrap();
    let committed_doc: Value = serde_json::from_str(&committed).unwrap();
    // The source `cargo xtask trim --check` picks: the one the committed document names.
    let upstream_path = root.join(default_upstream(Some(&committed_doc)));
    if !upstream_path.exists() {
        println!(
            "skipped: {} is not here, so the committed document cannot be checked",
            upstream_path.display()
        );
        return;
    }
    let upstream: Value =
        serde_json::from_str(&std::fs::read_to_string(&upstream_path).unwrap()).unwrap();
    let operations = parse_operation_list(
        &std::fs::read_to_string(root.join("openapi/operations.txt")).unwrap(),
    );
    let source_name = upstream_path.file_name().unwrap().to_str().unwrap();
    let trimmed = trim(&upstream, &operations, source_name).unwrap();
    let expected = to_canonical_string(&trimmed);
    assert!(
        committed == expected,
        "openapi/pinterest-v5-trimmed.json is out of date: run `cargo xtask trim`"
    );
    // And it is the document for every operation in the list.
    assert_eq!(
        trimmed["info"]["x-trimmed-from"]["operations"],
        operations.len()
    );
}

/// Without `--upstream`, the tool re-trims the file the committed document was made from, so
/// `--check` still passes after someone trimmed a newer upstream document.
#[test]
fn the_default_upstream_is_the_file_the_committed_document_names() {
    let named = |file: Value| json!({ "info": { "x-trimmed-from": { "file": file } } });
    assert_eq!(
        default_upstream(Some(&named(json!("pinterest-v5.31.0.json")))),
        PathBuf::from("../shared/openapi/pinterest-v5.31.0.json")
    );
    // The document this tool writes names its source that way.
    let doc = trim(&upstream(), &operations(), "pinterest-v5.40.2.json").unwrap();
    assert_eq!(
        default_upstream(Some(&doc)),
        PathBuf::from("../shared/openapi/pinterest-v5.40.2.json")
    );

    // No committed document, no such field, or not a plain file name: the fallback.
    let fallback = PathBuf::from(FALLBACK_UPSTREAM);
    assert_eq!(
        fallback,
        PathBuf::from("../shared/openapi/pinterest-v5.23.0.json")
    );
    for committed in [
        json!({}),
        json!({ "info": {} }),
        json!({ "info": { "x-trimmed-from": {} } }),
        json!({ "info": { "x-trimmed-from": "pinterest-v5.31.0.json" } }),
        named(json!(42)),
        named(json!("")),
        named(json!("..")),
        named(json!("../../etc/passwd")),
        named(json!("nested/pinterest.json")),
        named(json!("/abs/pinterest.json")),
    ] {
        assert_eq!(default_upstream(Some(&committed)), fallback, "{committed}");
    }
    assert_eq!(default_upstream(None), fallback);
}
