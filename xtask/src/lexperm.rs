//! Building and running the real `lexperm` binary.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use crate::piped;

/// Debug or release build of the CLI.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// `target/debug/lexperm`.
    Debug,
    /// `target/release/lexperm`.
    Release,
}

/// Builds `lexperm-cli` and returns the path of the binary.
pub fn build_cli(root: &Path, profile: Profile) -> Result<PathBuf, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root)
        .args(["build", "--quiet", "-p", "lexperm-cli"]);
    if profile == Profile::Release {
        cmd.arg("--release");
    }
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run cargo build: {e}"))?;
    if !status.success() {
        return Err(format!("cargo build -p lexperm-cli failed with {status}"));
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let dir = match profile {
        Profile::Debug => "debug",
        Profile::Release => "release",
    };
    let bin = target
        .join(dir)
        .join(format!("lexperm{}", std::env::consts::EXE_SUFFIX));
    if !bin.is_file() {
        return Err(format!(
            "built lexperm-cli but {} is missing",
            bin.display()
        ));
    }
    Ok(bin)
}

/// Output of `lexperm scope normalize --format json` over stdin.
pub struct NormalizeRun {
    /// One object per input line, in order.
    pub results: Vec<Value>,
    /// Wall time of the process.
    pub wall: Duration,
}

/// Feeds `inputs` (one per line) to `lexperm scope normalize --format json` and parses the answer,
/// which may be a JSON array or one JSON object per line.
/// `args` go after `scope normalize --format json` (e.g. the reference switch).
pub fn normalize(bin: &Path, args: &[&str], inputs: &[String]) -> Result<NormalizeRun, String> {
    let mut stdin_bytes = Vec::new();
    for s in inputs {
        if s.contains(['\n', '\r']) {
            return Err(format!("input {s:?} contains a line break"));
        }
        stdin_bytes.extend_from_slice(s.as_bytes());
        stdin_bytes.push(b'\n');
    }
    let (out, wall) = piped::run(
        Command::new(bin)
            .args(["scope", "normalize", "--format", "json"])
            .args(args),
        stdin_bytes,
        &bin.display().to_string(),
        "lexperm",
    )?;
    // 0 = all valid, 1 = some input invalid; anything else is a usage or IO error.
    if !matches!(out.status.code(), Some(0) | Some(1)) {
        return Err(format!(
            "lexperm scope normalize failed with {}:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let text = String::from_utf8(out.stdout).map_err(|e| format!("lexperm output: {e}"))?;
    let results = parse_json_output(&text)?;
    if results.len() != inputs.len() {
        return Err(format!(
            "lexperm scope normalize answered {} objects for {} input lines",
            results.len(),
            inputs.len()
        ));
    }
    Ok(NormalizeRun { results, wall })
}

fn parse_json_output(text: &str) -> Result<Vec<Value>, String> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        return match serde_json::from_str(trimmed) {
            Ok(Value::Array(items)) => Ok(items),
            Ok(_) => Err("lexperm output is not a JSON array".to_string()),
            Err(e) => Err(format!("lexperm output is not valid JSON: {e}")),
        };
    }
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).map_err(|e| format!("lexperm output line {l:?}: {e}")))
        .collect()
}

/// The fields the conformance run compares, read from one CLI result object.
pub struct Normalized {
    /// `input` as echoed by the CLI.
    pub input: String,
    /// Whether the CLI accepted the scope.
    pub valid: bool,
    /// Canonical form when valid.
    pub canonical: Option<String>,
    /// Error message when invalid.
    pub error: Option<String>,
}

impl Normalized {
    /// Reads one result object; a missing or mistyped field is an error naming the object.
    pub fn from_json(v: &Value) -> Result<Self, String> {
        let input = v
            .get("input")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("result without a string `input`: {v}"))?;
        let valid = v
            .get("valid")
            .and_then(Value::as_bool)
            .ok_or_else(|| format!("result without a boolean `valid`: {v}"))?;
        let canonical = v
            .get("canonical")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let error = v.get("error").and_then(Value::as_str).map(str::to_owned);
        if valid && canonical.is_none() {
            return Err(format!("valid result without `canonical`: {v}"));
        }
        Ok(Normalized {
            input: input.to_string(),
            valid,
            canonical,
            error,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_array_and_lines() {
        let a = parse_json_output("[{\"x\":1},{\"x\":2}]\n").unwrap();
        assert_eq!(a.len(), 2);
        let b = parse_json_output("{\"x\":1}\n{\"x\":2}\n").unwrap();
        assert_eq!(b.len(), 2);
        assert!(parse_json_output("{\"x\":1}\nnot json\n").is_err());
    }

    #[test]
    fn reads_result_objects() {
        let v: Value = serde_json::from_str(
            r#"{"input":"repo:a.b.c","valid":true,"canonical":"repo:a.b.c","error":null}"#,
        )
        .unwrap();
        let n = Normalized::from_json(&v).unwrap();
        assert!(n.valid);
        assert_eq!(n.canonical.as_deref(), Some("repo:a.b.c"));
        let bad: Value = serde_json::from_str(r#"{"input":"x","valid":true}"#).unwrap();
        assert!(Normalized::from_json(&bad).is_err());
    }
}
