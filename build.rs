//! Generates the typed Pinterest client from `openapi/pinterest-v5-trimmed.json` into
//! `$OUT_DIR/pinterest_generated.rs` (see "Looking at the generated code" in the README).

use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const SPEC: &str = "openapi/pinterest-v5-trimmed.json";
/// Set by `cargo xtask trim` on enums a response can carry (kept in step with xtask).
const OPEN_ENUM_EXTENSION: &str = "x-open-enum";
/// Where the generated module lives in the crate; open enums are referenced from there.
const OPEN_ENUM_PATH: &str = "crate::generated::open_enums";

fn main() -> ExitCode {
    println!("cargo:rerun-if-changed={SPEC}");
    println!("cargo:rerun-if-changed=build.rs");
    match generate() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            // Cargo shows stderr of a failed build script: say what failed and where.
            eprintln!("error: generating the Pinterest client from {SPEC} failed: {message}");
            ExitCode::FAILURE
        }
    }
}

fn generate() -> Result<(), String> {
    let text = std::fs::read_to_string(SPEC).map_err(|e| format!("cannot read it: {e}"))?;
    let json: Value = serde_json::from_str(&text).map_err(|e| format!("not valid JSON: {e}"))?;
    let spec: openapiv3::OpenAPI = serde_json::from_value(json.clone())
        .map_err(|e| format!("not an OpenAPI 3.0 document: {e}"))?;
    let open_enums = open_enums(&json);

    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        // Every request goes through `impl ClientHooks for Client` in src/transport.rs.
        .with_hooks(HooksMode::Expected)
        .with_inner_type(
            "crate::transport::Attempt"
                .parse()
                .expect("a valid type path"),
        );
    // Models compare with `==` (tests, caches, change detection).
    settings.with_derive("PartialEq");
    if std::env::var_os("CARGO_FEATURE_SCHEMARS").is_some() {
        settings.with_derive("schemars::JsonSchema");
    }
    for (name, _) in &open_enums {
        let impls = [
            TypeImpl::Display,
            TypeImpl::FromStringIrrefutable,
            TypeImpl::FromStr,
        ];
        settings.with_replacement(name, format!("{OPEN_ENUM_PATH}::{name}"), impls.into_iter());
    }

    let tokens = Generator::new(&settings)
        .generate_tokens(&spec)
        .map_err(|e| format!("progenitor: {e}"))?;
    let file =
        syn::parse2(tokens).map_err(|e| format!("progenitor produced unparsable code: {e}"))?;
    let mut code = prettyplease::unparse(&file);
    code.push_str(&open_enum_module(&open_enums));

    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    write_if_changed(&out.join("pinterest_generated.rs"), &code)
}

/// The component enums marked open, with their values, in name order.
fn open_enums(spec: &Value) -> Vec<(String, Vec<String>)> {
    let schemas = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    schemas
        .into_iter()
        .flatten()
        .filter(|(_, schema)| schema[OPEN_ENUM_EXTENSION] == true)
        .map(|(name, schema)| {
            let values = schema["enum"].as_array().into_iter().flatten();
            (
                name.clone(),
                values
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect(),
            )
        })
        .collect()
}

/// One `open_enum!` invocation (src/open_enum.rs) per open enum.
fn open_enum_module(enums: &[(String, Vec<String>)]) -> String {
    let mut code = String::from(
        "\n/// Enums whose values Pinterest may extend; unknown values are kept, not rejected.\npub mod open_enums {\n",
    );
    for (name, values) in enums {
        code.push_str(&format!("    crate::open_enum! {{\n        {name} {{\n"));
        for value in values {
            code.push_str(&format!(
                "            {} = {value:?},\n",
                variant_name(value)
            ));
        }
        code.push_str("        }\n    }\n");
    }
    code.push_str("}\n");
    code
}

/// `NOT_STARTED` -> `NotStarted`, `access_token` -> `AccessToken`.
fn variant_name(value: &str) -> String {
    let name: String = value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|word| {
            let lower = word.to_ascii_lowercase();
            let mut chars = lower.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase())
                .into_iter()
                .chain(chars)
                .collect::<String>()
        })
        .collect();
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{name}")
    } else {
        name
    }
}

/// Rewriting an unchanged file would make cargo rebuild the crate for nothing.
fn write_if_changed(path: &Path, code: &str) -> Result<(), String> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == code) {
        return Ok(());
    }
    std::fs::write(path, code).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
