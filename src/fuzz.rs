//! Entry points for the fuzz targets (`fuzz/`) and for replaying their corpus in `cargo test`:
//! whatever the bytes, loading must end in a value or an error, never a panic.

use rust_decimal::Decimal;

use crate::input::{self, TextEncoding};
use crate::read::Streamed;
use crate::units::Units;
use crate::{engine, ranking, rubric};

const RUBRIC: &str = include_str!("../tests/data/hand/rubric.yaml");

/// Reads bytes as a records file (text or spreadsheet), validates and scores what is valid.
pub fn records(bytes: &[u8]) {
    let Ok(rubric) = rubric::load(RUBRIC, "hand.yaml") else {
        return;
    };
    let sheet = if bytes.starts_with(b"PK\x03\x04") {
        input::read_spreadsheet("fuzz.xlsx", bytes.to_vec(), None)
    } else {
        let Ok(text) = input::decode_text("fuzz.csv", bytes.to_vec(), TextEncoding::Auto, false)
        else {
            return;
        };
        input::parse_delimited("fuzz.csv", &text, input::sniff_delimiter(&text))
    };
    if let Ok(sheet) = sheet {
        score_sheet(&rubric, &sheet);
    }
}

/// Reads bytes as a workbook (.xlsx, .xlsb, .xls or .ods, whichever they are), validates and
/// scores what is valid: damaged or hostile workbooks must end in an error, within bounded
/// memory (the fuzz target runs with `-rss_limit_mb=512`).
pub fn spreadsheet(bytes: &[u8]) {
    let Ok(rubric) = rubric::load(RUBRIC, "hand.yaml") else {
        return;
    };
    if let Ok(sheet) = input::read_spreadsheet("fuzz.xlsx", bytes.to_vec(), None) {
        score_sheet(&rubric, &sheet);
    }
}

fn score_sheet(rubric: &rubric::Rubric, sheet: &input::Sheet) {
    let Ok(read) = crate::read::read_sheet(sheet, rubric, None) else {
        return;
    };
    let Ok(records) = read.records.into_sorted() else {
        return;
    };
    let units = read.units;
    let scores = engine::score(rubric, &units, &records, None);
    let _ = ranking::tables(rubric, &units, &scores);
}

/// Reads bytes as a rubric.
pub fn rubric(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let _ = rubric::load(&text, "fuzz.yaml");
}

/// Reads bytes as a records file in blocks (two workers, blocks of every size) and as rows
/// parsed from the whole text: both must give the same counts, the same tables, the same kept
/// records and the same rejected rows, or the same error. Panics on any difference (that is the
/// finding).
pub fn stream(bytes: &[u8]) {
    let Ok(rubric) = rubric::load(RUBRIC, "hand.yaml") else {
        return;
    };
    let Some((s, loaded)) = read_both_ways(bytes, &rubric) else {
        return;
    };
    let units = &loaded.units;
    assert_eq!(s.counts, loaded.counts, "counts");
    let rejected = |r: &[crate::read::Rejected]| -> Vec<String> {
        r.iter()
            .map(|r| format!("{}:{} {:?} {:?}", r.file, r.line, r.cells, r.reasons))
            .collect()
    };
    assert_eq!(
        rejected(&s.rejected),
        rejected(&loaded.rejected),
        "rejected"
    );
    let kept = |k: crate::spill::Kept| k.into_sorted().expect("records kept on disk read back");
    assert_eq!(
        shown(&kept(s.records), &s.units),
        shown(&kept(loaded.records), units),
        "records"
    );
    let a = engine::Engine::from_store(&rubric, units, loaded.layout.clone(), loaded.store);
    let a = ranking::tables(&rubric, units, &a.score());
    let b = engine::Engine::from_store(&rubric, &s.units, s.layout, s.store);
    let b = ranking::tables(&rubric, &s.units, &b.score());
    assert_eq!(flat(&a, units), flat(&b, &s.units), "tables");
}

/// The bytes written to a file and read in blocks, and read as rows of the whole text; `None`
/// when the file cannot be written or both readers give the same error.
fn read_both_ways(bytes: &[u8], rubric: &rubric::Rubric) -> Option<(Streamed, Streamed)> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static FILES: AtomicU64 = AtomicU64::new(0);
    let path = std::env::temp_dir().join(format!(
        "civscore-fuzz-{}-{}.csv",
        std::process::id(),
        FILES.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&path, bytes).ok()?;
    let paths = vec![path.display().to_string()];
    // In blocks of a few bytes or of the usual size.
    let config = crate::input::ReadConfig {
        block: if bytes.len().is_multiple_of(3) {
            64
        } else {
            crate::input::ReadConfig::BLOCK
        },
        workers: 2,
        // Every other input keeps its records on disk past the first few.
        kept_bytes: if bytes.len().is_multiple_of(5) {
            1_000
        } else {
            64 << 20
        },
        ..crate::input::ReadConfig::default()
    };
    let opts = crate::input::ReadOptions {
        config,
        ..Default::default()
    };
    let blocks = crate::read::read(
        &paths,
        rubric,
        None,
        None,
        false,
        Some(&|_, _, _| true),
        &opts,
    );
    let rows = input::read_table(&paths[0], &Default::default())
        .and_then(|sheet| crate::read::read_sheet(&sheet, rubric, None));
    let _ = std::fs::remove_file(&path);
    match (blocks, rows) {
        (Ok(s), Ok(l)) => Some((s, l)),
        (Err(a), Err(b)) => {
            assert_eq!(a.to_string(), b.to_string(), "errors");
            None
        }
        (a, b) => panic!(
            "blocks: {:?}, rows: {:?}",
            a.map(|s| s.counts),
            b.map(|s| s.counts)
        ),
    }
}

/// A table as compared: its period, average, provisional mark and rows (unit code, rank, score,
/// veto).
type Flat = (String, Decimal, bool, Vec<(String, u32, Decimal, bool)>);

/// Every table, months then quarters, half-years and years.
fn flat(t: &ranking::Tables, u: &Units) -> Vec<Flat> {
    t.months
        .values()
        .chain(t.quarters.values())
        .chain(t.halves.values())
        .chain(t.years.values())
        .map(|x| {
            let rows: Vec<_> = x
                .rows
                .iter()
                .map(|r| (u.list[r.unit].code.clone(), r.rank, r.score, r.vetoed))
                .collect();
            (x.period.clone(), x.average, x.provisional, rows)
        })
        .collect()
}

/// Records as text with their unit's code in place of its number (readers number units in the
/// order they meet them): what two readers' records are compared by.
pub fn shown(records: &[crate::read::Record], units: &Units) -> Vec<String> {
    records
        .iter()
        .map(|r| {
            let mut r = r.clone();
            let code = units.list[r.unit].code.clone();
            r.unit = 0;
            format!("{code} {r:?}")
        })
        .collect()
}
