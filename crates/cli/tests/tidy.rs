//! Rules of the code base that a reviewer should not have to check by hand: every source
//! file says what it is for, and dependencies point toward the pure core.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            if !matches!(
                p.file_name().and_then(|n| n.to_str()),
                Some("target" | "fuzz" | "proptest-regressions")
            ) {
                rust_files(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The workspace members named in the root Cargo.toml (crates being developed outside the
/// workspace are not held to its rules until they join).
fn members() -> Vec<PathBuf> {
    let root = workspace_root();
    let text = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let start = text.find("members = [").unwrap();
    let end = start + text[start..].find(']').unwrap();
    text[start..end]
        .split('"')
        .skip(1)
        .step_by(2)
        .map(|m| root.join(m))
        .collect()
}

#[test]
fn every_source_file_starts_with_a_doc_comment() {
    let mut files = Vec::new();
    for m in members() {
        rust_files(&m, &mut files);
    }
    let missing: Vec<String> = files
        .iter()
        .filter(|f| {
            !std::fs::read_to_string(f)
                .unwrap()
                .trim_start()
                .starts_with("//!")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "add a `//!` line saying what the file is for:\n{}",
        missing.join("\n")
    );
}

/// The layering of ARCHITECTURE.md: pure crates know no IO, web or database crates; only
/// `store` knows SQL; only `web` knows HTTP; `web` reaches data only through `service`'s
/// views, never `store`'s rows; nothing depends on the binary.
#[test]
fn dependencies_point_toward_the_pure_core() {
    let root = workspace_root();
    let manifest = |name: &str| {
        std::fs::read_to_string(root.join("crates").join(name).join("Cargo.toml")).unwrap()
    };
    let deps = |name: &str| -> Vec<String> {
        let text = manifest(name);
        let mut in_deps = false;
        let mut out = Vec::new();
        for line in text.lines() {
            let l = line.trim();
            if l.starts_with('[') {
                in_deps = l == "[dependencies]";
                continue;
            }
            if in_deps {
                // `name = …` and `name.workspace = true` both name `name`.
                if let Some((k, _)) = l.split_once('=') {
                    let k = k.trim();
                    out.push(k.split_once('.').map_or(k, |(name, _)| name).to_owned());
                }
            }
        }
        out
    };
    let banned_everywhere_but = |crate_name: &str, banned: &[&str]| {
        let d = deps(crate_name);
        for b in banned {
            assert!(
                !d.iter().any(|x| x == b),
                "crate `{crate_name}` must not depend on `{b}`"
            );
        }
    };
    let io = [
        "sqlx",
        "axum",
        "tokio",
        "reqwest",
        "hyper",
        "tower",
        "tower-http",
        "askama",
        "store",
        "service",
        "web",
    ];
    for pure in [
        "domain", "cybertip", "extract", "link", "synth", "triage", "casework", "hopebags",
        "recovery", "families", "training", "stats",
    ] {
        if root.join("crates").join(pure).exists() {
            banned_everywhere_but(pure, &io);
        }
    }
    banned_everywhere_but("store", &["axum", "askama", "service", "web", "tower-http"]);
    banned_everywhere_but("service", &["sqlx", "axum", "askama", "web", "tower-http"]);
    // `store` stays among web's dev-dependencies: the test harness (`tests/it/helpers.rs`)
    // makes a fresh database per test with `store::testing`. Only [dependencies] are read.
    banned_everywhere_but("web", &["sqlx", "store"]);
    banned_everywhere_but(
        "blob",
        &["sqlx", "axum", "store", "service", "web", "askama"],
    );
}
