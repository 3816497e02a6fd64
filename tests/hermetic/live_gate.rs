//! Live tests never turn `cargo test` red for lack of servers, and are
//! never silently skipped by `bash tests/all.sh`: every test under
//! tests/live is `#[ignore]`d with one reason, and all.sh runs them.

use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn is_test_attribute(line: &str) -> bool {
    let line = line.trim();
    line == "#[test]" || line.starts_with("#[tokio::test")
}

/// Every file under `dir`, its folders' too (a live module may be a folder).
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .flat_map(|path| if path.is_dir() { rust_files(&path) } else { vec![path] })
        .collect()
}

#[test]
fn every_live_test_is_ignored_with_the_one_reason() {
    let gate = format!("#[ignore = \"{}\"]", crate::support::LIVE);
    let mut files = rust_files(&Path::new(ROOT).join("tests/live"));
    files.push(Path::new(ROOT).join("tests/support/mod.rs")); // on_servers!
    files.sort();
    let mut tests = 0;
    let mut ungated = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (n, line) in lines.iter().enumerate() {
            if is_test_attribute(line) {
                tests += 1;
                if lines.get(n + 1).map(|l| l.trim()) != Some(gate.as_str()) {
                    ungated.push(format!("{}:{}", file.display(), n + 1));
                }
            }
        }
    }
    assert!(tests > 20, "found only {tests} live tests: is tests/live where they are?");
    assert!(ungated.is_empty(), "live tests without `{gate}` on the next line:\n{}", ungated.join("\n"));
}

#[test]
fn the_full_run_includes_the_ignored_tests() {
    let all = std::fs::read_to_string(Path::new(ROOT).join("tests/all.sh")).unwrap();
    assert!(
        all.lines().any(|l| l.trim_start().starts_with("cargo test") && l.contains("--include-ignored")),
        "tests/all.sh must run `cargo test … -- --include-ignored`"
    );
}
