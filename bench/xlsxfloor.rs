//! The floor `report` is measured against: the time rust_xlsxwriter alone needs to write the
//! cells of a workbook `report` made, in the same way (text as inline strings without a format,
//! numbers with one, the large sheets in constant memory, the same compression level). The cells
//! are read first with calamine and only the writing is timed (best of three).
//! usage: cargo run --profile release-lto --example xlsxfloor -- REPORT.xlsx OUT.xlsx [LEVEL]
//! (LEVEL: another deflate level, to see what it would cost or save)
use calamine::{Data, Reader};
use rust_xlsxwriter::{Format, Workbook};
use std::time::Instant;

type Sheets = Vec<(String, (u32, u32), Vec<Vec<Data>>)>;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(input), Some(output)) = (args.next(), args.next()) else {
        return Err("usage: xlsxfloor REPORT.xlsx OUT.xlsx [LEVEL]".into());
    };
    let level = match args.next() {
        Some(l) => l.parse()?,
        None => civscore::render::xlsx::LEVEL,
    };
    let mut book = calamine::open_workbook_auto(&input)?;
    let mut sheets: Sheets = Vec::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name)?;
        let start = range.start().unwrap_or((0, 0));
        sheets.push((name, start, range.rows().map(|r| r.to_vec()).collect()));
    }
    let cells: usize = sheets
        .iter()
        .map(|s| s.2.iter().map(Vec::len).sum::<usize>())
        .sum();
    let mut best = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        write(&sheets, &output, level)?;
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!("{best:.2} s to write {cells} cells");
    Ok(())
}

fn write(sheets: &Sheets, output: &str, level: u8) -> Result<(), rust_xlsxwriter::XlsxError> {
    let mut book = Workbook::new();
    book.set_zip_compression_level(level);
    let number = Format::new().set_num_format("0.00");
    for (name, (r0, c0), rows) in sheets {
        let ws = book.add_worksheet_with_constant_memory()?;
        ws.set_name(name)?;
        for (r, row) in rows.iter().enumerate() {
            let r = r0 + r as u32;
            for (c, cell) in row.iter().enumerate() {
                let c = (c0 + c as u32) as u16;
                match cell {
                    Data::String(s) => {
                        ws.write_string(r, c, s)?;
                    }
                    Data::Float(f) => {
                        ws.write_number_with_format(r, c, *f, &number)?;
                    }
                    Data::Int(i) => {
                        ws.write_number_with_format(r, c, *i as f64, &number)?;
                    }
                    _ => {}
                }
            }
        }
    }
    book.save(output)
}
