//! Helpers shared by integration-test binaries.

/// A workbook of three records (date, unit, indicator, count in A1:D3) plus `stray` cells
/// holding "x", as .xlsx bytes.
pub fn small_workbook(stray: &[(u32, u16)]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let rows = [
        ["date", "unit", "indicator", "count"],
        ["2026-01-05", "U1", "P1", "2"],
        ["2026-01-06", "U2", "P1", "1"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *cell).unwrap();
        }
    }
    for &(r, c) in stray {
        sheet.write_string(r, c, "x").unwrap();
    }
    book.save_to_buffer().unwrap()
}
