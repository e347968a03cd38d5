//! Whether two workbooks hold the same sheets and cells (values and types, as calamine reads
//! them): checks that a change to `report` leaves its content alone.
//! usage: cargo run --profile release-lto --example xlsxsame -- A.xlsx B.xlsx
use calamine::Reader;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(a), Some(b)) = (args.next(), args.next()) else {
        return Err("usage: xlsxsame A.xlsx B.xlsx".into());
    };
    let mut a = calamine::open_workbook_auto(&a)?;
    let mut b = calamine::open_workbook_auto(&b)?;
    let names = a.sheet_names();
    if names != b.sheet_names() {
        return Err(format!("sheets differ: {names:?} / {:?}", b.sheet_names()).into());
    }
    let mut cells = 0usize;
    for n in &names {
        let (ra, rb) = (a.worksheet_range(n)?, b.worksheet_range(n)?);
        if ra.start() != rb.start() || ra.get_size() != rb.get_size() {
            return Err(format!("{n}: ranges differ").into());
        }
        for (i, (x, y)) in ra.rows().zip(rb.rows()).enumerate() {
            if let Some(c) = (0..x.len().max(y.len())).find(|&c| x.get(c) != y.get(c)) {
                let (a, b) = (x.get(c), y.get(c));
                return Err(format!("{n}: row {i} column {c} differs: {a:?} / {b:?}").into());
            }
            cells += x.len();
        }
    }
    println!("same: {} sheets, {cells} cells", names.len());
    Ok(())
}
