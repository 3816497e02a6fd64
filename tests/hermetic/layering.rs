//! The layering in src/lib.rs stays true: every `crate::` path (and every
//! `super::` that climbs to the crate root) in src/ names only modules its
//! own module may use according to `convene::LAYERS`, and only the UI
//! names the windowing and desktop crates.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");

/// Crates only `ui` may name: everything else must run without a display.
/// D-Bus (`zbus`) may also be named by `desktop`, the notifications that a
/// test drives on a private bus without a window.
const UI_ONLY_CRATES: &[&str] = &["iced", "rfd", "zbus"];
const ALSO_ALLOWED: &[(&str, &str)] = &[("zbus", "desktop")];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/ui/import/view.rs` → ["ui", "import", "view"]; `mod.rs` names its folder.
fn module_path(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(SRC).unwrap().with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The code of a line, without `//` comments (doc comments included).
fn code(line: &str) -> &str {
    match line.find("//") {
        Some(at) => &line[..at],
        None => line,
    }
}

fn ident_at(s: &str) -> String {
    s.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect()
}

/// The crate-root modules that the source of a module `depth` deep names,
/// with the line each is on.
fn modules_named(text: &str, depth: usize) -> Vec<(String, usize)> {
    // In `src/a/b.rs` (depth 2), `super::super::x` is crate::x.
    let root_via_super = "super::".repeat(depth);
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = code(line);
        for prefix in ["crate::", root_via_super.as_str()] {
            let mut rest = line;
            while let Some(at) = rest.find(prefix) {
                let after = &rest[at + prefix.len()..];
                // `super::super::` also contains `super::`: only whole prefixes count.
                let whole = at == 0 || !rest[..at].ends_with(|c: char| c.is_alphanumeric() || c == ':');
                if whole {
                    if let Some(group) = after.strip_prefix('{') {
                        // `crate::{a, b::c}`: the first name of every item (may span lines).
                        let end = group_text(text, n, group);
                        for item in end.split(',') {
                            let name = ident_at(item.trim());
                            if !name.is_empty() && name != "self" {
                                found.push((name, n + 1));
                            }
                        }
                    } else {
                        let name = ident_at(after);
                        if !name.is_empty() && name != "super" {
                            found.push((name, n + 1));
                        }
                    }
                }
                rest = after;
            }
        }
    }
    found
}

/// The top-level text of a `{…}` group that opens on line `n`.
fn group_text(text: &str, n: usize, group: &str) -> String {
    let mut out = String::new();
    let mut depth = 1;
    let following = text.lines().skip(n + 1).map(code);
    for c in std::iter::once(group).chain(following).flat_map(|l| l.chars().chain(['\n'])) {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return out;
                }
            }
            _ if depth == 1 => out.push(c),
            _ => {}
        }
    }
    out
}

fn rules() -> Vec<(&'static str, &'static [&'static str])> {
    convene::LAYERS.to_vec()
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let rules = rules();
    let layer_names: BTreeSet<&str> = rules.iter().map(|(m, _)| *m).collect();
    let mut files = Vec::new();
    rust_files(Path::new(SRC), &mut files);
    let mut broken = Vec::new();
    for file in &files {
        let path = module_path(file);
        let Some(layer) = path.first().filter(|m| layer_names.contains(m.as_str())) else {
            continue; // lib.rs and main.rs sit above every layer
        };
        let allowed = rules.iter().find(|(m, _)| m == layer).unwrap().1;
        let text = std::fs::read_to_string(file).unwrap();
        for (used, line) in modules_named(&text, path.len()) {
            if used != *layer && layer_names.contains(used.as_str()) && !allowed.contains(&used.as_str()) {
                broken.push(format!(
                    "{}:{line}: `{layer}` uses `{used}`, but src/lib.rs's LAYERS lets `{layer}` use only {allowed:?}",
                    file.strip_prefix(SRC).unwrap().display()
                ));
            }
        }
    }
    assert!(broken.is_empty(), "upward or sideways imports:\n{}", broken.join("\n"));
}

#[test]
fn only_the_ui_names_the_desktop_crates() {
    let mut files = Vec::new();
    rust_files(Path::new(SRC), &mut files);
    let mut broken = Vec::new();
    for file in &files {
        let path = module_path(file);
        if path.first().is_some_and(|m| m == "ui") || path == ["lib"] {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let line = code(line);
            for krate in UI_ONLY_CRATES {
                if ALSO_ALLOWED.contains(&(krate, path[0].as_str())) {
                    continue;
                }
                if line.contains(&format!("{krate}::")) || line.contains(&format!("use {krate}")) {
                    broken.push(format!("{}:{}: names `{krate}`", file.display(), n + 1));
                }
            }
        }
    }
    assert!(broken.is_empty(), "only `ui` may name {UI_ONLY_CRATES:?}:\n{}", broken.join("\n"));
}

#[test]
fn the_table_lists_every_module_once_and_points_only_down() {
    let rules = rules();
    let lib = std::fs::read_to_string(format!("{SRC}/lib.rs")).unwrap();
    let declared: BTreeSet<String> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod "))
        .map(|m| m.trim_end_matches(';').to_owned())
        .collect();
    let listed: BTreeSet<String> = rules.iter().map(|(m, _)| (*m).to_owned()).collect();
    assert_eq!(declared, listed, "src/lib.rs's LAYERS must list every `pub mod` exactly once");
    assert_eq!(rules.len(), listed.len(), "a module is listed twice in LAYERS");
    for (at, (module, uses)) in rules.iter().enumerate() {
        let below: Vec<&str> = rules[at + 1..].iter().map(|(m, _)| *m).collect();
        for used in *uses {
            assert!(below.contains(used), "LAYERS: `{module}` may use `{used}`, which is not below it");
        }
    }
}

/// The check itself: the paths it must see, and the ones it must not.
#[test]
fn an_upward_import_is_caught() {
    let names = |text: &str, depth| -> Vec<String> {
        modules_named(text, depth).into_iter().map(|(m, _)| m).collect()
    };
    // A group spanning lines, and a path in a comment that must not count.
    let text = "use crate::{ui::App,\n    caldav};\n// crate::store\n";
    assert_eq!(modules_named(text, 2), [("ui".to_owned(), 1), ("caldav".to_owned(), 1)]);
    // In src/ical/probe.rs (depth 2) `super::` is ical, `super::super::` the root.
    let text = "fn f() { super::sync::x(); super::super::cli::run() }";
    assert_eq!(names(text, 2), ["cli"]);
    // In src/ical/mod.rs (depth 1) `super::` is the root.
    assert_eq!(names("fn f() { super::sync::x() }", 1), ["sync"]);
    let ical = rules().into_iter().find(|(m, _)| *m == "ical").unwrap().1;
    assert!(!ical.contains(&"sync") && !ical.contains(&"cli"), "the table must forbid these for ical");
}
