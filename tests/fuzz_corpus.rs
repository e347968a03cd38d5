//! Replays the committed fuzz corpus (fuzz/corpus) as a regular test: every input must load to a
//! value or an error without panicking, and the reader in blocks must agree with the rows of
//! the whole text, or fail with the same error. `fuzz/run.sh` grows the corpus with cargo-fuzz.

use std::path::Path;

mod common;

fn replay(target: &str, f: fn(&[u8])) {
    replay_dir(&format!("fuzz/corpus/{target}"), f);
}

fn replay_dir(dir: &str, f: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        if std::panic::catch_unwind(|| f(&bytes)).is_err() {
            panic!("{} panics", path.display());
        }
        n += 1;
    }
    assert!(n > 10, "only {n} inputs in {}", dir.display());
}

#[test]
fn records_corpus_never_panics() {
    replay("records", civscore::fuzz::records);
}

#[test]
fn rubric_corpus_never_panics() {
    replay("rubric", civscore::fuzz::rubric);
}

#[test]
fn streaming_reader_agrees_on_every_corpus_input() {
    replay("stream", civscore::fuzz::stream);
    replay("records", civscore::fuzz::stream);
    replay_dir("fuzz/seeds/records", civscore::fuzz::stream);
}

/// Small workbooks to damage: the committed seeds (.xlsx, .xls, .ods made from the hand
/// fixture) and an .xlsx written here.
fn workbooks() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/spreadsheet");
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    out.sort();
    out.push(("written.xlsx".into(), common::small_workbook(&[])));
    assert!(out.len() >= 4, "{} workbooks", out.len());
    out
}

/// Damaged copies of a workbook: cut short, or with bytes flipped (xorshift, seeded: the same
/// copies every run).
fn damaged(bytes: &[u8], seed: u64, n: usize) -> Vec<Vec<u8>> {
    let mut x = seed | 1;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..n)
        .map(|k| {
            let mut b = bytes.to_vec();
            if k % 4 == 0 {
                b.truncate(next() as usize % bytes.len());
            } else {
                for _ in 0..1 + k % 8 {
                    let at = next() as usize % b.len();
                    b[at] ^= 1 << (next() % 8);
                }
            }
            b
        })
        .collect()
}

#[test]
fn damaged_workbooks_end_in_a_value_or_an_error() {
    // In-process, for a bounded time: an allocation the size of a hostile used range would
    // abort this test binary.
    let start = std::time::Instant::now();
    let mut n = 0;
    'all: for (name, bytes) in workbooks() {
        for (k, b) in damaged(&bytes, 0x9e37_79b9 + bytes.len() as u64, 400)
            .iter()
            .enumerate()
        {
            if std::panic::catch_unwind(|| civscore::fuzz::spreadsheet(b)).is_err() {
                panic!("{name}, damaged copy {k} panics");
            }
            n += 1;
            if start.elapsed().as_secs() >= 20 {
                break 'all;
            }
        }
    }
    assert!(n >= 100, "only {n} damaged workbooks in the time");
}

#[test]
fn damaged_workbooks_exit_0_or_65_with_an_error_line() {
    let dir = tempfile::tempdir().unwrap();
    let rubric = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/hand/rubric.yaml");
    for (i, (name, bytes)) in workbooks().into_iter().enumerate() {
        let ext = name.rsplit('.').next().unwrap_or("xlsx");
        for (k, b) in damaged(&bytes, 7 + i as u64, 12).iter().enumerate() {
            let path = dir.path().join(format!("d{i}-{k}.{ext}"));
            std::fs::write(&path, b).unwrap();
            let out = assert_cmd::Command::cargo_bin("civscore")
                .unwrap()
                .env("CIVSCORE_TODAY", "2026-12-02")
                .args(["score", path.to_str().unwrap(), "--rubric", rubric, "-q"])
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            match out.status.code() {
                Some(0) => {}
                Some(65) => assert!(stderr.starts_with("error: "), "{name} {k}: {stderr}"),
                other => panic!("{name}, damaged copy {k}: exit {other:?}: {stderr}"),
            }
        }
    }
}

#[test]
fn spreadsheet_corpus_never_panics() {
    replay("spreadsheet", civscore::fuzz::spreadsheet);
}
