//! Fuzzing the readers of untrusted bytes: server XML (the tree, multistatus,
//! `DAV:error` bodies and the operations that parse answers) and iCalendar
//! text (content lines, invitations, expansion, diff, reply, import).
//!
//! Coverage-guided fuzzing (cargo-fuzz, libFuzzer) needs a nightly toolchain,
//! so this is property-based with structure-aware generators: a seeded PRNG
//! writes multistatus and iCalendar documents with the tricks hostile peers
//! use (entities, DTDs, deep nesting, huge counts, long and folded lines, odd
//! encodings) and mutates them and the captured server answers in
//! tests/fixtures (byte flips, truncation, splices, repeated lines). Every
//! input runs under `catch_unwind`; a panic or a broken property is
//! minimised and reported with the seed and index that rebuild it.
//!
//! Plain `cargo test` runs [`QUICK`] inputs per reader. The full run:
//!
//! ```text
//! CONVENE_FUZZ_INPUTS=1000000 cargo test --release --test hermetic fuzz -- --nocapture
//! ```
//!
//! (`CONVENE_FUZZ_SEED=n` picks another seed) prints per reader the inputs,
//! panics, the slowest input, inputs/s and the process's peak RSS.

use std::collections::HashSet;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Once, OnceLock};
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use convene::caldav::http::Response;
use convene::caldav::xml::{self, Element};
use convene::caldav::{
    CalendarQuery, CurrentUserPrincipal, ListCalendars, Multiget, Operation, PrincipalProps, SyncCollection,
    error::DavErrorBody, multistatus,
};
use convene::ical::identity::normalize;
use convene::ical::lines::{Component, Item};
use convene::ical::repeat::BOUNDS;
use convene::ical::{Answer, Document, Identity, Reply, diff::diff, invitation, occurrence, reply};
use convene::import::source;
use http::HeaderMap;
use url::Url;

/// Inputs per reader in plain `cargo test` (a debug build): a few seconds.
mod checks;
mod generate;
mod mutate;

use checks::*;
use generate::*;
use mutate::*;

const QUICK: u64 = 1000;

/// An input still running after this long is reported (not failed: the
/// figure is for finding hangs, not for timing).
const HANG_REPORT: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------
// The PRNG: SplitMix64, seeded per reader and input, so (seed, index) rebuilds
// any input.

#[derive(Clone)]
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(super) fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }

    pub(super) fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    pub(super) fn pick<T: Clone>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())].clone()
    }

    /// How many of something: mostly a few, now and then very many.
    pub(super) fn count(&mut self) -> usize {
        match self.below(1000) {
            0 => 500 + self.below(3000),
            1..=20 => 10 + self.below(50),
            _ => self.below(5),
        }
    }
}

// ---------------------------------------------------------------------------
// Seeds: the captured answers of the four servers and the import fixtures.

pub(super) struct Corpus {
    xml: Vec<Vec<u8>>,
    ical: Vec<Vec<u8>>,
}

pub(super) fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut c = Corpus { xml: Vec::new(), ical: Vec::new() };
        for dir in ["xandikos", "cyrus", "davical", "radicale", "requests", "import"] {
            let mut files: Vec<PathBuf> =
                std::fs::read_dir(root.join(dir)).unwrap().map(|e| e.unwrap().path()).collect();
            files.sort();
            for f in files {
                let ext = f.extension().and_then(|e| e.to_str()).unwrap_or("");
                match ext {
                    "xml" | "body" => c.xml.push(std::fs::read(&f).unwrap()),
                    "ics" => c.ical.push(std::fs::read(&f).unwrap()),
                    _ => {}
                }
            }
        }
        assert!(c.xml.len() > 30 && c.ical.len() > 5, "fixtures missing");
        c
    })
}

// ---------------------------------------------------------------------------
// The driver.

/// Builds input `index` for `reader`: a fixture or a generated document,
/// usually mutated.
fn input(reader: &Reader, seed: u64, index: u64) -> (u64, Vec<u8>) {
    let salt = reader.name.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    let mut rng = Rng::new(seed ^ salt.rotate_left(17) ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03));
    let params = rng.next();
    let c = corpus();
    let fresh = |rng: &mut Rng| -> Vec<u8> {
        let seeds = if reader.xml { &c.xml } else { &c.ical };
        if rng.one_in(4) {
            rng.pick(seeds)
        } else if reader.xml {
            gen_xml(rng)
        } else {
            gen_ical(rng)
        }
    };
    let mut data = fresh(&mut rng);
    if reader.name == "diff" {
        let second = if rng.one_in(2) { mutate(&mut rng, data.clone(), &[]) } else { fresh(&mut rng) };
        data.extend_from_slice(SPLIT.as_bytes());
        data.extend_from_slice(&second);
    }
    if !rng.one_in(4) {
        let other = fresh(&mut rng);
        data = mutate(&mut rng, data, &other);
    }
    (params, data)
}

thread_local! {
    static PANIC: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Panics on fuzz threads are recorded quietly; others print as usual.
fn quiet_panics_on_fuzz_threads() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if std::thread::current().name().is_some_and(|n| n.starts_with("fuzz-")) {
                PANIC.with(|p| *p.borrow_mut() = Some(info.to_string()));
            } else {
                previous(info);
            }
        }));
    });
}

/// Err(message) when the input panics or breaks a property.
fn outcome(check: Check, params: u64, input: &[u8]) -> Result<(), String> {
    match panic::catch_unwind(AssertUnwindSafe(|| check(params, input))) {
        Ok(r) => r,
        Err(_) => Err(PANIC.with(|p| p.borrow_mut().take()).unwrap_or_else(|| "panic".into())),
    }
}

/// Removes chunks while the input still fails, halving the chunk size.
fn minimise(check: Check, params: u64, mut input: Vec<u8>) -> Vec<u8> {
    let mut chunk = (input.len() / 2).max(1);
    let mut budget = 4000;
    while budget > 0 {
        let mut i = 0;
        let mut shrunk = false;
        while i < input.len() && budget > 0 {
            budget -= 1;
            let mut candidate = input.clone();
            candidate.drain(i..(i + chunk).min(input.len()));
            if outcome(check, params, &candidate).is_err() {
                input = candidate;
                shrunk = true;
            } else {
                i += chunk;
            }
        }
        if chunk == 1 && !shrunk {
            break;
        }
        if !shrunk {
            chunk = (chunk / 2).max(1);
        }
    }
    input
}

fn peak_rss() -> String {
    peak_rss_kb().map_or_else(|| "unknown".into(), |kb| format!("{kb} kB"))
}

/// The process's peak resident set (VmHWM) in kB, where /proc has it.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?;
    line.trim().trim_end_matches("kB").trim().parse().ok()
}

fn settings() -> (u64, u64, bool) {
    let var = |name| std::env::var(name).ok().and_then(|v: String| v.trim().parse::<u64>().ok());
    let inputs = var("CONVENE_FUZZ_INPUTS");
    (inputs.unwrap_or(QUICK), var("CONVENE_FUZZ_SEED").unwrap_or(0x00C0_FFEE), inputs.is_some())
}

fn fuzz(name: &str) {
    quiet_panics_on_fuzz_threads();
    let reader = READERS.iter().find(|r| r.name == name).unwrap();
    let (inputs, seed, full) = settings();
    let report = std::thread::Builder::new()
        .name(format!("fuzz-{name}"))
        .stack_size(64 << 20)
        .spawn(move || run(reader, inputs, seed, full))
        .unwrap()
        .join()
        .unwrap();
    assert!(report.is_empty(), "{report}");
}

/// Runs the inputs; returns the failures (empty when none).
fn run(reader: &'static Reader, inputs: u64, seed: u64, full: bool) -> String {
    let current = Arc::new(AtomicU64::new(0));
    let started = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let clock = Instant::now();
    let watchdog = {
        let (current, started, done) = (current.clone(), started.clone(), done.clone());
        std::thread::spawn(move || {
            let mut reported = u64::MAX;
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(200));
                let index = current.load(Ordering::Relaxed);
                let since =
                    clock.elapsed().saturating_sub(Duration::from_millis(started.load(Ordering::Relaxed)));
                if since > HANG_REPORT && reported != index {
                    reported = index;
                    eprintln!(
                        "fuzz {}: input {index} (seed {seed}) still running after {since:?}",
                        reader.name
                    );
                }
            }
        })
    };
    let mut failures = Vec::new();
    let mut slowest = (Duration::ZERO, 0u64, 0usize);
    // The input that raised the peak resident set the most (full runs
    // only: reading /proc per input costs more than a quick run's input).
    let mut hungriest = (0u64, 0u64, 0usize);
    let mut peak = if full { peak_rss_kb().unwrap_or(0) } else { 0 };
    let mut bytes = 0u64;
    // The inputs run: fewer than asked when failures stop the run early.
    let mut ran = 0u64;
    for index in 0..inputs {
        ran = index + 1;
        let (params, data) = input(reader, seed, index);
        current.store(index, Ordering::Relaxed);
        started.store(clock.elapsed().as_millis() as u64, Ordering::Relaxed);
        let t = Instant::now();
        let result = outcome(reader.check, params, &data);
        let took = t.elapsed();
        bytes += data.len() as u64;
        if took > slowest.0 {
            slowest = (took, index, data.len());
        }
        if full && let Some(now) = peak_rss_kb() {
            if now.saturating_sub(peak) > hungriest.0 {
                hungriest = (now - peak, index, data.len());
            }
            peak = peak.max(now);
        }
        if let Err(message) = result {
            let small = minimise(reader.check, params, data);
            failures.push(format!(
                "{} input {index} (CONVENE_FUZZ_SEED={seed}): {message}\n  minimised ({} bytes): {:?}",
                reader.name,
                small.len(),
                String::from_utf8_lossy(&small)
            ));
            if failures.len() >= 3 {
                break;
            }
        }
    }
    done.store(true, Ordering::Relaxed);
    watchdog.join().unwrap();
    let secs = clock.elapsed().as_secs_f64();
    if full {
        println!(
            "fuzz {:<10} {ran} inputs{} ({:.1} MB), {} panics/failures, slowest input #{} ({} bytes) {:.1} ms, {:.0} inputs/s, peak RSS {}",
            reader.name,
            if ran < inputs { format!(" of {inputs} (stopped at the failures)") } else { String::new() },
            bytes as f64 / 1e6,
            failures.len(),
            slowest.1,
            slowest.2,
            slowest.0.as_secs_f64() * 1e3,
            ran as f64 / secs,
            peak_rss()
        );
        if hungriest.0 > 0 {
            println!(
                "fuzz {:<10} the peak rose most on input #{} ({} bytes): +{} kB",
                reader.name, hungriest.1, hungriest.2, hungriest.0
            );
        }
    }
    failures.join("\n")
}

/// `CONVENE_FUZZ_DUMP=reader:index` writes that input to a file, to look at
/// a slow one the watchdog named.
#[test]
fn dump_one_input() {
    let Ok(which) = std::env::var("CONVENE_FUZZ_DUMP") else { return };
    let (name, index) = which.split_once(':').unwrap();
    let reader = READERS.iter().find(|r| r.name == name).unwrap();
    let (params, data) = input(reader, settings().1, index.parse().unwrap());
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("fuzz-{name}-{index}"));
    std::fs::write(&path, &data).unwrap();
    println!("params {params}, {} bytes: {}", data.len(), path.display());
}

#[test]
fn xml_reader() {
    fuzz("xml");
}

#[test]
fn ical_lines_reader() {
    fuzz("ical-lines");
}

#[test]
fn invitation_reader() {
    fuzz("invitation");
}

#[test]
fn expand_reader() {
    fuzz("expand");
}

#[test]
fn diff_reader() {
    fuzz("diff");
}

#[test]
fn reply_reader() {
    fuzz("reply");
}

#[test]
fn import_reader() {
    fuzz("import");
}
