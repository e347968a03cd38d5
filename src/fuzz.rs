//! Entry points for the fuzz targets (`fuzz/`) and for replaying their corpus in `cargo test`:
//! whatever the bytes, loading must end in a value or an error, never a panic.

use crate::input::{self, TextEncoding};
use crate::records::Validator;
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
        let text = input::decode(bytes, TextEncoding::Auto);
        input::parse_delimited("fuzz.csv", &text, input::sniff_delimiter(&text))
    };
    let Ok(sheet) = sheet else {
        return;
    };
    let mut units = Units::default();
    let records = {
        let mut v = Validator::new(&rubric, &mut units);
        if v.add_sheet(&sheet).is_err() {
            return;
        }
        std::mem::take(&mut v.loaded.records)
    };
    let scores = engine::score(&rubric, &units, &records, None);
    let _ = ranking::tables(&rubric, &units, &scores);
}

/// Reads bytes as a rubric.
pub fn rubric(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let _ = rubric::load(&text, "fuzz.yaml");
}

/// Reads bytes as a records file with both readers: whenever the streaming reader answers, the
/// in-memory reader must give the same counts, the same tables, the same kept records and the
/// same rejected rows. Panics on any difference (that is the finding).
pub fn stream(bytes: &[u8]) {
    use std::sync::atomic::{AtomicU64, Ordering};
    static FILES: AtomicU64 = AtomicU64::new(0);
    let Ok(rubric) = rubric::load(RUBRIC, "hand.yaml") else {
        return;
    };
    let path = std::env::temp_dir().join(format!(
        "civscore-fuzz-{}-{}.csv",
        std::process::id(),
        FILES.fetch_add(1, Ordering::Relaxed)
    ));
    if std::fs::write(&path, bytes).is_err() {
        return;
    }
    let paths = vec![path.display().to_string()];
    // Every other input through the mapped path (both paths must agree with the in-memory one).
    let map_from = if bytes.len().is_multiple_of(2) {
        0
    } else {
        u64::MAX
    };
    let config = crate::input::ReadConfig {
        map_from,
        ..Default::default()
    };
    let streamed = crate::stream::tally_keeping(
        &paths,
        &rubric,
        None,
        None,
        false,
        Some(&|_, _, _| true),
        &config,
    );
    let mut units = Units::default();
    let loaded = crate::records::load(
        &paths,
        &rubric,
        &mut units,
        &Default::default(),
        true,
        None,
        None,
    );
    let _ = std::fs::remove_file(&path);
    let Some(s) = streamed else {
        return;
    };
    let loaded = match loaded {
        Ok(l) => l,
        // Nothing to score: the streamed rows must say so too.
        Err(e) if s.counts.scored + s.counts.void == 0 => {
            let none = crate::records::Loaded {
                counts: s.counts,
                ..Default::default()
            };
            let again = crate::records::finish(none, &paths, true).err();
            assert_eq!(again.map(|a| a.to_string()), Some(e.to_string()));
            return;
        }
        Err(e) => panic!("streamed, but the in-memory reader says: {e}"),
    };
    assert_eq!(s.counts, loaded.counts, "counts");
    let rejected = |r: &[crate::records::Rejected]| -> Vec<String> {
        r.iter()
            .map(|r| format!("{}:{} {:?} {:?}", r.file, r.line, r.cells, r.reasons))
            .collect()
    };
    assert_eq!(
        rejected(&s.rejected),
        rejected(&loaded.rejected),
        "rejected"
    );
    assert_eq!(
        shown(&s.records, &s.units),
        shown(&loaded.records, &units),
        "records"
    );
    let flat = |t: &ranking::Tables, u: &Units| {
        t.months
            .values()
            .chain(t.quarters.values())
            .chain(t.years.values())
            .map(|x| {
                let rows: Vec<_> = x
                    .rows
                    .iter()
                    .map(|r| (u.list[r.unit].code.clone(), r.rank, r.score, r.vetoed))
                    .collect();
                (x.period.clone(), x.average, x.provisional, rows)
            })
            .collect::<Vec<_>>()
    };
    let a = engine::Engine::from_store(&rubric, &units, s.layout.clone(), loaded.store);
    let a = ranking::tables(&rubric, &units, &a.score());
    let b = engine::Engine::from_store(&rubric, &s.units, s.layout, s.store);
    let b = ranking::tables(&rubric, &s.units, &b.score());
    assert_eq!(flat(&a, &units), flat(&b, &s.units), "tables");
}

/// Records as text with their unit's code in place of its number (readers number units in the
/// order they meet them): what two readers' records are compared by.
pub fn shown(records: &[crate::records::Record], units: &Units) -> Vec<String> {
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
