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
