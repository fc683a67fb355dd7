//! `cargo xtask trim [--upstream PATH] [--check]`: writes (or checks) `openapi/pinterest-v5-trimmed.json`
//! from Pinterest's full OpenAPI document and `openapi/operations.txt`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use xtask::trim::{default_upstream, parse_operation_list, to_canonical_string, trim};

const OPERATIONS: &str = "openapi/operations.txt";
const TRIMMED: &str = "openapi/pinterest-v5-trimmed.json";

const USAGE: &str = "usage: cargo xtask trim [--upstream PATH] [--check]

  --upstream PATH  Pinterest's full OpenAPI document (default: the file named in the committed
                   document's info.x-trimmed-from.file, in ../shared/openapi/;
                   else ../shared/openapi/pinterest-v5.23.0.json)
  --check          write nothing; fail if openapi/pinterest-v5-trimmed.json differs from what trim would write";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<String, String> {
    let mut args = args.into_iter();
    match args.next().as_deref() {
        Some("trim") => {}
        Some("-h" | "--help") | None => return Ok(USAGE.to_owned()),
        Some(other) => return Err(format!("unknown command `{other}`\n{USAGE}")),
    }
    let mut upstream: Option<PathBuf> = None;
    let mut check = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--upstream" => upstream = Some(args.next().ok_or("--upstream needs a path")?.into()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }

    // Paths are relative to the workspace root, wherever cargo was started.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("xtask has no parent folder")?;
    let read =
        |path: &Path| std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()));
    // Without --upstream, re-trim the file the committed document was made from.
    let upstream = root.join(upstream.unwrap_or_else(|| {
        let committed: Option<serde_json::Value> = std::fs::read_to_string(root.join(TRIMMED))
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok());
        default_upstream(committed.as_ref())
    }));

    let upstream_doc = serde_json::from_str(&read(&upstream)?)
        .map_err(|e| format!("{}: not JSON: {e}", upstream.display()))?;
    let operations = parse_operation_list(&read(&root.join(OPERATIONS))?);
    let source_name = upstream
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let trimmed = trim(&upstream_doc, &operations, &source_name).map_err(|e| e.to_string())?;
    let text = to_canonical_string(&trimmed);

    let target = root.join(TRIMMED);
    if check {
        let committed = read(&target)?;
        if committed != text {
            return Err(format!(
                "{TRIMMED} is out of date: run `cargo xtask trim` and commit the result"
            ));
        }
        Ok(format!(
            "{TRIMMED} is up to date ({} operations)",
            operations.len()
        ))
    } else {
        std::fs::write(&target, &text).map_err(|e| format!("{}: {e}", target.display()))?;
        Ok(format!(
            "wrote {TRIMMED} ({} operations, {} bytes)",
            operations.len(),
            text.len()
        ))
    }
}
