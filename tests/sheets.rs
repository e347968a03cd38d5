//! Office ledgers as clerks keep them (SPEC §2.1): each workbook, built here, either scores
//! exactly like the plain CSV of the same records or is refused naming the file and the cell.

use std::path::Path;
use std::process::Command;

use rust_xlsxwriter::{Format, Workbook, Worksheet};
use serde_json::Value;

/// The columns of the ledger, as a clerk heads them.
const HEADER: [&str; 10] = [
    "检查日期",
    "责任单位",
    "指标",
    "数量",
    "数值",
    "程度",
    "检查方式",
    "整改期限",
    "整改日期",
    "状态",
];

/// The hand fixture's January and February records (tests/data/hand/records.csv, without ids and
/// notes): date, unit, indicator, count, value, severity, source, deadline, rectified, status.
const RECORDS: [[&str; 10]; 16] = [
    ["2026-01-05", "U1", "P1", "2", "", "", "暗访", "", "", ""],
    [
        "2026-01-06",
        "U1",
        "P1",
        "1",
        "",
        "",
        "暗访",
        "2026-01-10",
        "2026-01-15",
        "",
    ],
    ["2026-01-07", "U1", "T1", "", "15", "", "暗访", "", "", ""],
    ["2026-01-08", "U1", "R1", "", "", "", "", "", "", ""],
    ["2026-01-09", "U1", "R2", "", "", "", "", "", "", ""],
    ["2026-01-05", "U2", "P2", "", "", "major", "", "", "", ""],
    ["2026-01-06", "U2", "T1", "", "25", "", "", "", "", ""],
    ["2026-01-07", "U2", "R2", "", "", "", "", "", "", ""],
    ["2026-01-05", "U3", "R1", "", "", "", "", "", "", ""],
    [
        "2026-01-06",
        "U3",
        "P1",
        "1",
        "",
        "",
        "",
        "",
        "",
        "当场整改",
    ],
    ["2026-01-07", "U3", "B1", "1", "", "", "", "", "", ""],
    ["2026-02-03", "U1", "P1", "1", "", "", "", "", "", ""],
    ["2026-02-04", "U1", "R1", "", "", "", "", "", "", ""],
    ["2026-02-05", "U1", "X1", "2", "", "", "", "", "", ""],
    ["2026-02-04", "U2", "P2", "", "", "minor", "", "", "", ""],
    [
        "2026-02-07",
        "U2",
        "P1",
        "",
        "",
        "",
        "",
        "2026-02-20",
        "",
        "",
    ],
];

struct Out {
    stdout: String,
    stderr: String,
    code: i32,
}

impl Out {
    fn ok(self) -> Self {
        assert_eq!(self.code, 0, "stderr: {}", self.stderr);
        self
    }

    fn code(self, code: i32) -> Self {
        assert_eq!(self.code, code, "stderr: {}", self.stderr);
        self
    }

    fn tables(&self) -> Value {
        let v: Value =
            serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout));
        v["tables"].clone()
    }
}

/// Runs civscore in a folder holding the hand rubric and roster and `files`.
fn run(files: &[(&str, Vec<u8>)], args: &[&str]) -> Out {
    let dir = tempfile::tempdir().unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/hand");
    for f in ["rubric.yaml", "units.csv"] {
        std::fs::copy(data.join(f), dir.path().join(f)).unwrap();
    }
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_civscore"))
        .args(args)
        .current_dir(dir.path())
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .output()
        .unwrap();
    Out {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

/// Every score of `input` (among `files`) as JSON tables.
fn score(files: &[(&str, Vec<u8>)], input: &[&str], extra: &[&str]) -> Out {
    let mut args = vec!["score"];
    args.extend_from_slice(input);
    args.extend_from_slice(&[
        "--rubric",
        "rubric.yaml",
        "--units",
        "units.csv",
        "--all",
        "--format",
        "json",
        "--as-of",
        "2026-02-28",
    ]);
    args.extend_from_slice(extra);
    run(files, &args)
}

fn csv_of(records: &[[&str; 10]]) -> Vec<u8> {
    let mut text = HEADER.join(",") + "\n";
    for r in records {
        text += &(r.join(",") + "\n");
    }
    text.into_bytes()
}

/// The clean ledger's scores.
fn clean() -> Value {
    score(&[("clean.csv", csv_of(&RECORDS))], &["clean.csv"], &[])
        .ok()
        .tables()
}

/// Writes a header and records from `row` on.
fn write_rows(sheet: &mut Worksheet, row: u32, records: &[[&str; 10]]) {
    for (c, h) in HEADER.iter().enumerate() {
        sheet.write_string(row, c as u16, *h).unwrap();
    }
    for (r, rec) in records.iter().enumerate() {
        for (c, cell) in rec.iter().enumerate() {
            if !cell.is_empty() {
                sheet
                    .write_string(row + 1 + r as u32, c as u16, *cell)
                    .unwrap();
            }
        }
    }
}

fn book_of(records: &[[&str; 10]]) -> Workbook {
    let mut book = Workbook::new();
    write_rows(book.add_worksheet(), 0, records);
    book
}

#[test]
fn a_plain_workbook_scores_like_the_csv() {
    let mut book = book_of(&RECORDS);
    let bytes = book.save_to_buffer().unwrap();
    let out = score(&[("b.xlsx", bytes)], &["b.xlsx"], &[]).ok();
    assert_eq!(out.tables(), clean());
}

#[test]
fn percent_cells_read_as_shown_and_full_width_after_nfkc() {
    // T1 of U2 is 25: typed as 0.25 in a cell formatted 0.0% (shown 25.0%), it is 25, not 0.25
    // (which would lose U2 the share's points: 0.25 against a target of 20).
    let mut book = book_of(&RECORDS);
    let sheet = book.worksheet_from_index(0).unwrap();
    let pct = Format::new().set_num_format("0.0%");
    sheet.write_number_with_format(7, 4, 0.25, &pct).unwrap();
    // U1's 15 as a whole percent: 0.15 shown as 15%.
    let whole = Format::new().set_num_format("0%");
    sheet.write_number_with_format(3, 4, 0.15, &whole).unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let out = score(&[("b.xlsx", bytes)], &["b.xlsx"], &[]).ok();
    assert_eq!(out.tables(), clean());

    // Full-width digits, signs and codes, as a Chinese input method types them.
    let mut wide = RECORDS;
    wide[0][3] = "２";
    wide[2][4] = "１５";
    wide[6][4] = "２５．０％";
    wide[2][2] = "Ｔ１";
    wide[1][0] = "２０２６－０１－０６";
    wide[1][8] = "２０２６年１月１５日";
    let mut book = book_of(&wide);
    let out = score(
        &[
            ("w.xlsx", book.save_to_buffer().unwrap()),
            ("w.csv", csv_of(&wide)),
        ],
        &["w.xlsx"],
        &[],
    )
    .ok();
    assert_eq!(out.tables(), clean());
    let out = score(&[("w.csv", csv_of(&wide))], &["w.csv"], &[]).ok();
    assert_eq!(out.tables(), clean());
}

/// An .xlsx whose formulas keep no computed value, as scripts write them: every `<v>` after a
/// `</f>` taken out of the sheets.
fn without_cached_values(bytes: &[u8]) -> Vec<u8> {
    edit_sheets(bytes, |mut text| {
        while let Some(at) = text.find("</f><v>") {
            let end = at + text[at..].find("</v>").unwrap() + 4;
            text.replace_range(at + 4..end, "");
        }
        text
    })
}

/// An .xlsx with the text of its worksheets edited by `edit`.
fn edit_sheets(bytes: &[u8], edit: impl Fn(String) -> String) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().into_owned();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if name.starts_with("xl/worksheets/") {
            data = edit(String::from_utf8(data).unwrap()).into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn a_formula_without_a_stored_value_is_an_error_naming_the_cell() {
    // U2's February deadline computed from its date (=A17+13): with its value stored it is read
    // as any date; without one it would be read as empty (no overdue extra): refused.
    let mut book = book_of(&RECORDS);
    let sheet = book.worksheet_from_index(0).unwrap();
    sheet.write_formula(16, 7, "=A17+13").unwrap();
    let with_value = {
        let mut b = book_of(&RECORDS);
        let s = b.worksheet_from_index(0).unwrap();
        s.write_formula(16, 7, "=\"2026-02-20\"")
            .unwrap()
            .set_formula_result(16, 7, "2026-02-20");
        b.save_to_buffer().unwrap()
    };
    let out = score(&[("f.xlsx", with_value)], &["f.xlsx"], &[]).ok();
    assert_eq!(out.tables(), clean());
    let bytes = without_cached_values(&book.save_to_buffer().unwrap());
    let out = score(&[("f.xlsx", bytes.clone())], &["f.xlsx"], &[]).code(65);
    assert_eq!(
        out.stderr,
        "error: f.xlsx[Sheet1]:17: cell H17: formula without a stored value: open and save the file in Excel/WPS\n"
    );
    // validate says so too.
    let out = run(
        &[("f.xlsx", bytes)],
        &["validate", "f.xlsx", "--rubric", "rubric.yaml"],
    )
    .code(65);
    assert!(
        out.stderr
            .contains("cell H17: formula without a stored value"),
        "{}",
        out.stderr
    );
    // On a sheet that is not read (no records header), it stops nothing.
    let mut book = book_of(&RECORDS);
    let other = book.add_worksheet();
    other.set_name("说明").unwrap();
    other.write_string(0, 0, "记录数").unwrap();
    other.write_formula(0, 1, "=COUNTA(Sheet1!A:A)").unwrap();
    let bytes = without_cached_values(&book.save_to_buffer().unwrap());
    let out = score(&[("f.xlsx", bytes)], &["f.xlsx"], &[]).ok();
    assert_eq!(out.tables(), clean());
}

#[test]
fn a_shared_formula_without_a_stored_value_is_an_error_naming_the_cell() {
    // Excel fills a formula down as one shared formula: the first cell holds its text
    // (`<f t="shared" ref="H16:H17" si="0">`), the others only `<f t="shared" si="0"/>`. Here
    // U2's two February deadlines are 2026-02-20 by one formula filled down over H16:H17.
    let mut records = RECORDS;
    records[14][7] = "2026-02-20";
    let want = score(&[("c.csv", csv_of(&records))], &["c.csv"], &[])
        .ok()
        .tables();
    // With their values stored, the shared formula's cells read as any date.
    let mut book = book_of(&RECORDS);
    let sheet = book.worksheet_from_index(0).unwrap();
    for row in [15, 16] {
        sheet
            .write_formula(row, 7, "=\"2026-02-20\"")
            .unwrap()
            .set_formula_result(row, 7, "2026-02-20");
    }
    let shared = |text: String| {
        let (master, derived) = (r#"<c r="H16" t="str"><f>"#, r#"<c r="H17" t="str"><f>"#);
        assert!(text.contains(master) && text.contains(derived), "{text}");
        let text = text.replace(
            master,
            r#"<c r="H16" t="str"><f t="shared" ref="H16:H17" si="0">"#,
        );
        let at = text.find(derived).unwrap() + derived.len() - 3;
        let end = at + text[at..].find("</f>").unwrap() + 4;
        let mut text = text;
        text.replace_range(at..end, r#"<f t="shared" si="0"/>"#);
        text
    };
    let bytes = edit_sheets(&book.save_to_buffer().unwrap(), shared);
    let out = score(&[("s.xlsx", bytes.clone())], &["s.xlsx"], &[]).ok();
    assert_eq!(out.tables(), want);
    // Without the derived cell's value it would be read as empty (no overdue extra): refused.
    // (As Excel writes it: no value type either.)
    let no_value = edit_sheets(&bytes, |text| {
        let at = text.find(r#"<f t="shared" si="0"/>"#).unwrap() + 22;
        let end = at + text[at..].find("</v>").unwrap() + 4;
        let mut text = text;
        text.replace_range(at..end, "");
        text.replace(r#"<c r="H17" t="str">"#, r#"<c r="H17">"#)
    });
    let out = score(&[("s.xlsx", no_value)], &["s.xlsx"], &[]).code(65);
    assert_eq!(
        out.stderr,
        "error: s.xlsx[Sheet1]:17: cell H17: formula without a stored value: open and save the file in Excel/WPS\n"
    );
}

#[test]
fn a_merged_region_gives_its_value_to_every_cell_it_covers() {
    // 暗访 (weight 2) merged over U1's first three records, as offices do: each of the three is
    // an unannounced check, not only the first.
    let mut records = RECORDS;
    records[1][6] = "";
    records[2][6] = "";
    let mut book = book_of(&records);
    let sheet = book.worksheet_from_index(0).unwrap();
    sheet
        .merge_range(1, 6, 3, 6, "暗访", &Format::new())
        .unwrap();
    // The unit merged over U2's three January records.
    sheet.merge_range(6, 1, 8, 1, "U2", &Format::new()).unwrap();
    let out = score(
        &[("m.xlsx", book.save_to_buffer().unwrap())],
        &["m.xlsx"],
        &[],
    )
    .ok();
    assert_eq!(out.tables(), clean());
}

#[test]
fn title_rows_above_the_header_are_skipped_and_named() {
    // A merged title and a 填报单位 line above the header, in a workbook and in a CSV.
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet
        .merge_range(0, 0, 0, 9, "2026年1-2月城市管理检查台账", &Format::new())
        .unwrap();
    sheet.write_string(1, 0, "填报单位：城东街道").unwrap();
    sheet.write_string(1, 5, "填报日期：2026-03-01").unwrap();
    write_rows(sheet, 2, &RECORDS);
    let bytes = book.save_to_buffer().unwrap();
    let out = score(&[("t.xlsx", bytes.clone())], &["t.xlsx"], &[]).ok();
    assert_eq!(out.tables(), clean());
    assert!(
        out.stderr.contains(
            "note: t.xlsx[Sheet1]: rows above the header skipped: 1 (2026年1-2月城市管理检查台账), 2 (填报单位：城东街道)"
        ),
        "{}",
        out.stderr
    );
    // Rows are numbered as the sheet shows them: under a title row, the first record is row 3.
    let mut bad = RECORDS;
    bad[0][2] = "Q9";
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "检查台账").unwrap();
    write_rows(sheet, 1, &bad);
    let out = score(
        &[("t.xlsx", book.save_to_buffer().unwrap())],
        &["t.xlsx"],
        &[],
    )
    .code(65);
    assert!(
        out.stderr.contains("t.xlsx[Sheet1]:3: column \"指标\""),
        "{}",
        out.stderr
    );

    let csv = [
        "2026年1-2月城市管理检查台账\n填报单位：城东街道,,,,,填报日期：2026-03-01\n".as_bytes(),
        &csv_of(&RECORDS),
    ]
    .concat();
    let out = score(&[("t.csv", csv.clone())], &["t.csv"], &[]).ok();
    assert_eq!(out.tables(), clean());
    assert!(
        out.stderr
            .contains("note: t.csv: rows above the header skipped: 1 (2026年1-2月城市管理检查台账), 2 (填报单位：城东街道)"),
        "{}",
        out.stderr
    );
    // --header-row names the row.
    let out = score(
        &[("t.csv", csv.clone())],
        &["t.csv"],
        &["--header-row", "3"],
    )
    .ok();
    assert_eq!(out.tables(), clean());
    let out = score(&[("t.xlsx", bytes)], &["t.xlsx"], &["--header-row", "3"]).ok();
    assert_eq!(out.tables(), clean());
    // A row that is not the header, named: what it lacks is said of that row.
    let out = score(&[("t.csv", csv)], &["t.csv"], &["--header-row", "2"]).code(65);
    assert!(out.stderr.contains("t.csv:2"), "{}", out.stderr);
}

#[test]
fn every_sheet_with_a_records_header_is_read() {
    // A sheet per month and a sheet of explanations: both months are read, the explanations
    // named in a note; messages name the sheet.
    let mut book = Workbook::new();
    let jan = book.add_worksheet();
    jan.set_name("1月").unwrap();
    write_rows(jan, 0, &RECORDS[..11]);
    // A merged run in a workbook of several sheets (found by the library, not in the text).
    jan.merge_range(1, 6, 3, 6, "暗访", &Format::new()).unwrap();
    let feb = book.add_worksheet();
    feb.set_name("2月").unwrap();
    write_rows(feb, 0, &RECORDS[11..]);
    let notes = book.add_worksheet();
    notes.set_name("说明").unwrap();
    notes.write_string(0, 0, "本表按月分页填写").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let out = score(&[("m.xlsx", bytes.clone())], &["m.xlsx"], &[]).ok();
    assert_eq!(out.tables(), clean());
    assert!(
        out.stderr
            .contains("note: m.xlsx: sheets without a records header skipped: 说明"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("note: m.xlsx: sheets read: 1月, 2月"),
        "{}",
        out.stderr
    );
    // --sheet narrows to one.
    let jan_only = score(
        &[("m.xlsx", bytes.clone())],
        &["m.xlsx"],
        &["--sheet", "1月"],
    )
    .ok();
    let jan_csv = score(&[("j.csv", csv_of(&RECORDS[..11]))], &["j.csv"], &[]).ok();
    assert_eq!(jan_only.tables(), jan_csv.tables());

    let mut bad = RECORDS;
    bad[12][2] = "Q9";
    let mut book = Workbook::new();
    write_rows(book.add_worksheet().set_name("1月").unwrap(), 0, &bad[..11]);
    write_rows(book.add_worksheet().set_name("2月").unwrap(), 0, &bad[11..]);
    let out = score(
        &[("m.xlsx", book.save_to_buffer().unwrap())],
        &["m.xlsx"],
        &[],
    )
    .code(65);
    assert!(
        out.stderr.contains("m.xlsx[2月]:3: column \"指标\""),
        "{}",
        out.stderr
    );
}

#[test]
fn a_summary_sheet_of_the_others_is_left_out_and_one_with_rows_of_its_own_refused() {
    // A sheet per month and a 汇总 sheet that repeats their rows (in another order, with a
    // title row and a 合计 row): read as records it would deduct every finding twice. It is left
    // out, and said so; the scores are the clean ledger's.
    let summary = |extra: Option<[&str; 10]>| {
        let mut book = Workbook::new();
        write_rows(
            book.add_worksheet().set_name("1月").unwrap(),
            0,
            &RECORDS[..11],
        );
        write_rows(
            book.add_worksheet().set_name("2月").unwrap(),
            0,
            &RECORDS[11..],
        );
        let all = book.add_worksheet().set_name("汇总").unwrap();
        all.write_string(0, 0, "2026年1—2月检查记录汇总").unwrap();
        let mut rows: Vec<[&str; 10]> = RECORDS.iter().rev().copied().collect();
        rows.extend(extra);
        write_rows(all, 1, &rows);
        all.write_string(2 + rows.len() as u32, 0, "合计").unwrap();
        book.save_to_buffer().unwrap()
    };
    let out = score(&[("m.xlsx", summary(None))], &["m.xlsx"], &[]).ok();
    assert_eq!(out.tables(), clean());
    assert!(
        out.stderr.contains("m.xlsx: summary sheets skipped") && out.stderr.contains(": 汇总"),
        "{}",
        out.stderr
    );
    // A row in the summary that no month sheet has: neither reading it (doubles) nor leaving it
    // out (loses the row) is right — refused, naming the sheet and the row.
    let mut extra = RECORDS[0];
    extra[0] = "2026-02-27";
    let out = score(&[("m.xlsx", summary(Some(extra)))], &["m.xlsx"], &[]).code(65);
    assert!(
        out.stderr.contains("m.xlsx[汇总]: looks like a summary")
            && out.stderr.contains("1 of its rows"),
        "{}",
        out.stderr
    );
    // --sheet reads the one sheet asked for.
    let out = score(
        &[("m.xlsx", summary(None))],
        &["m.xlsx"],
        &["--sheet", "汇总"],
    )
    .ok();
    assert_eq!(out.tables(), clean());
}

#[test]
fn unknown_codes_suggest_from_full_width_forms_and_names() {
    let mut bad = RECORDS;
    bad[0][2] = "Ｐ３";
    bad[3][2] = "clean";
    let out = score(&[("b.csv", csv_of(&bad))], &["b.csv"], &[]).code(65);
    assert!(
        out.stderr
            .contains("unknown indicator \"Ｐ３\" (did you mean \"P1\"?)"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("unknown indicator \"clean\": records name the code (did you mean \"R1\"?)"),
        "{}",
        out.stderr
    );
    // Codes typed in lower case with spaces are the codes.
    let mut loose = RECORDS;
    loose[0][2] = " p1 ";
    loose[3][2] = "r 1";
    let out = score(&[("l.csv", csv_of(&loose))], &["l.csv"], &[]).ok();
    assert_eq!(out.tables(), clean());
}

#[test]
fn validate_names_columns_not_used() {
    let text = String::from_utf8(csv_of(&RECORDS))
        .unwrap()
        .replacen("状态", "状态,扣分", 1)
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l.to_owned()
            } else {
                format!("{l},")
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let out = run(
        &[("v.csv", text.into_bytes())],
        &["validate", "v.csv", "--rubric", "rubric.yaml"],
    )
    .ok();
    assert!(
        out.stderr.contains("note: v.csv: columns not used: 扣分"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_total_row_merged_over_the_first_columns_is_skipped() {
    // 合计 merged over date, unit and indicator under the records, with a sum of counts: not a
    // record, skipped and counted.
    let mut book = book_of(&RECORDS);
    let sheet = book.worksheet_from_index(0).unwrap();
    let last = RECORDS.len() as u32 + 1;
    sheet
        .merge_range(last, 0, last, 2, "合计", &Format::new())
        .unwrap();
    sheet.write_number(last, 3, 7.0).unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let out = score(&[("s.xlsx", bytes)], &["s.xlsx"], &[]).ok();
    assert_eq!(out.tables(), clean());
    assert!(
        out.stderr
            .contains("rows that are not records were skipped: totals 1, blank-numbered 0"),
        "{}",
        out.stderr
    );
}

/// A minimal .ods of `rows` (each cell a string, or `(value-type, value)` for a number), with
/// `extra` attributes on the first cell of row 2. A cell `%0.25` is a percentage, `=f` a formula
/// without a value, `~N` N empty cells, `↓N:text` / `→N:text` merged over N rows / columns, `_`
/// covered (`_text` keeping text of its own); a row starting `×N` is repeated N times.
fn ods(rows: &[Vec<&str>], extra: &str) -> Vec<u8> {
    use std::io::Write;
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Sheet1">"#,
    );
    for (r, row) in rows.iter().enumerate() {
        // A row whose first cell is `×N` is written once, repeated N times.
        let (row, repeat) = match row.first().and_then(|c| c.strip_prefix('×')) {
            Some(n) => (&row[1..], format!(r#" table:number-rows-repeated="{n}""#)),
            None => (&row[..], String::new()),
        };
        xml += &format!("<table:table-row{repeat}>");
        for (c, cell) in row.iter().enumerate() {
            let attrs = if r == 1 && c == 0 { extra } else { "" };
            // `↓N:text` merged over N rows, `→N:text` over N columns; `_` a covered cell.
            let spanned = [('↓', "rows"), ('→', "columns")]
                .into_iter()
                .find_map(|(p, what)| Some((cell.strip_prefix(p)?.split_once(':')?, what)));
            if let Some(((n, ""), what)) = spanned {
                xml += &format!(r#"<table:table-cell table:number-{what}-spanned="{n}"/>"#);
            } else if let Some(((n, text), what)) = spanned {
                xml += &format!(
                    r#"<table:table-cell table:number-{what}-spanned="{n}" office:value-type="string"><text:p>{text}</text:p></table:table-cell>"#
                );
            } else if *cell == "_" {
                xml += "<table:covered-table-cell/>";
            } else if let Some(text) = cell.strip_prefix('_') {
                xml += &format!(
                    r#"<table:covered-table-cell office:value-type="string"><text:p>{text}</text:p></table:covered-table-cell>"#
                );
            } else if let Some(v) = cell.strip_prefix('%') {
                xml += &format!(
                    r#"<table:table-cell office:value-type="percentage" office:value="{v}"><text:p>{v}</text:p></table:table-cell>"#
                );
            } else if let Some(f) = cell.strip_prefix('=') {
                // A formula without a stored value, as scripts write it.
                xml += &format!(r#"<table:table-cell table:formula="of:={f}"/>"#);
            } else if let Some(n) = cell.strip_prefix('~') {
                // Empty cells, repeated as LibreOffice writes them.
                xml += &format!(r#"<table:table-cell table:number-columns-repeated="{n}"/>"#);
            } else {
                xml += &format!(
                    r#"<table:table-cell office:value-type="string"{attrs}><text:p>{cell}</text:p></table:table-cell>"#
                );
            }
        }
        xml += "</table:table-row>";
    }
    xml += "</table:table></office:spreadsheet></office:body></office:document-content>";
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    out.start_file("mimetype", stored).unwrap();
    out.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    out.start_file("content.xml", stored).unwrap();
    out.write_all(xml.as_bytes()).unwrap();
    out.start_file("META-INF/manifest.xml", stored).unwrap();
    out.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#).unwrap();
    out.finish().unwrap().into_inner()
}

#[test]
fn an_ods_reads_percent_cells_as_shown_and_refuses_what_it_cannot() {
    // U2's T1 rate (target 20, proportional below) under a header with two unused columns,
    // left empty by one repeated cell: the value stands in column F.
    let rows = |value: &'static str| {
        vec![
            vec!["date", "unit", "indicator", "备注", "附件", "value"],
            vec!["2026-01-06", "U2", "T1", "~2", value],
        ]
    };
    let tables = |value: &'static str| {
        score(&[("o.ods", ods(&rows(value), ""))], &["o.ods"], &[])
            .ok()
            .tables()
    };
    // A percent cell reads as shown, exactly: 0.25 as 25, 0.225 as 22.5 (at or over the
    // target: nothing lost), 0.07 as 7 (4 × (1 − 7/20) = 2.6 lost), as the plain numbers do.
    for (percent, plain) in [("%0.25", "25"), ("%0.225", "22.5"), ("%0.07", "7")] {
        assert_eq!(tables(percent), tables(plain), "{percent}");
    }
    let u2 = |t: &Value| {
        let rows = t[0]["rows"].as_array().unwrap().clone();
        let u2 = rows.into_iter().find(|r| r["unit"] == "U2").unwrap();
        u2["categories"]["T"]["deducted"].clone()
    };
    assert_eq!(u2(&tables("%0.07")), 2.6);
    // A formula without a stored value: refused, naming the cell.
    let out = score(&[("o.ods", ods(&rows("=0.25"), ""))], &["o.ods"], &[]).code(65);
    assert_eq!(
        out.stderr,
        "error: o.ods[Sheet1]:2: cell F2: formula without a stored value: open and save the file in Excel/WPS\n"
    );
    // A date merged over two rows in a row written once and repeated: each repeat would start
    // a region over the next, so where the value is shown is unknown. Refused, naming the cell.
    let mut repeated = rows("25");
    repeated[1] = vec!["×2", "↓2:2026-01-06", "U2", "T1", "~2", "25"];
    let out = score(&[("o.ods", ods(&repeated, ""))], &["o.ods"], &[]).code(65);
    assert_eq!(
        out.stderr,
        "error: o.ods[Sheet1]:2: cell A2: a merged region that cannot be placed exactly as shown (merged over rows in a repeated row, or over columns in a repeated cell, or a span that is no whole number): save the file as .xlsx, or unmerge the cells and fill each\n"
    );
    // Merged regions too many to list (a row of 8,192 cells each merged over two columns,
    // repeated 1,000 times) beside a cell merged over rows: refused, naming the sheet.
    let mut many = rows("25");
    many[1][0] = "↓2:2026-01-06";
    let wide = vec!["→2:"; 8192]
        .into_iter()
        .flat_map(|c| [c, "_"])
        .collect::<Vec<_>>();
    many.push([vec!["×1000"], wide].concat());
    let out = score(&[("o.ods", ods(&many, ""))], &["o.ods"], &[]).code(65);
    assert!(
        out.stderr
            .contains("o.ods[Sheet1]: cells merged over rows cannot be placed in this .ods file"),
        "{}",
        out.stderr
    );
}

#[test]
fn the_committed_ods_saved_by_libreoffice_fill_merged_regions() {
    // fuzz/seeds/spreadsheet/merged-{a,b}.ods: .xlsx written by openpyxl (dates as date cells),
    // converted by `soffice --headless --convert-to ods` (thumbnail taken out). merged-a: a title
    // merged over A1:J1, 暗访 over G3:G5 (U1's first three records), U2 over B8:B10; merged-b:
    // the records in date order, each run of one date merged (A3:A5, A6:A8, A9:A11, A15:A16).
    // Each scores as the clean ledger.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/spreadsheet");
    for name in ["merged-a.ods", "merged-b.ods"] {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let out = score(&[(name, bytes)], &[name], &[]).ok();
        assert_eq!(out.tables(), clean(), "{name}");
    }
}

/// The records as .ods rows of 10 cells (an empty cell as an empty string cell).
fn ods_rows(records: &[[&'static str; 10]]) -> Vec<Vec<&'static str>> {
    let mut rows = vec![HEADER.to_vec()];
    rows.extend(records.iter().map(|r| r.to_vec()));
    rows
}

#[test]
fn an_ods_merged_region_gives_its_value_to_every_cell_it_covers() {
    // As the .xlsx: 暗访 (weight 2) merged over U1's first three records, the unit merged over
    // U2's three January records; above the header two empty rows (written once, repeated)
    // and a title merged over the ten columns, as LibreOffice writes it (covered cells after).
    let mut rows = ods_rows(&RECORDS);
    rows[1][6] = "↓3:暗访";
    rows[2][6] = "_";
    rows[3][6] = "_";
    rows[6][1] = "↓3:U2";
    rows[7][1] = "_";
    rows[8][1] = "_";
    // The second 暗访 row keeps a text of its own under the region (merged with "keep the
    // contents of hidden cells"): hidden, not read; 现场考核 (weight 1, not 2) would halve that
    // record's deduction.
    rows[2][6] = "_现场考核";
    let title = [vec!["→10:2026年1-2月城市管理检查台账"], vec!["_"; 9]].concat();
    let rows = [vec![vec!["×2", "~10"], title], rows].concat();
    let out = score(&[("m.ods", ods(&rows, ""))], &["m.ods"], &[]).ok();
    assert_eq!(out.tables(), clean());
    assert!(
        out.stderr.contains(
            "note: m.ods[Sheet1]: rows above the header skipped: 3 (2026年1-2月城市管理检查台账)"
        ),
        "{}",
        out.stderr
    );
    // Without the regions only the first of each run would be 暗访 (and the unit of two rows
    // empty): the same rows with the spans taken out are refused or score otherwise.
    let plain = ods(&rows, "");
    let unmerged = String::from_utf8_lossy(&plain).replace("number-rows-spanned", "x");
    let out = score(&[("u.ods", unmerged.into_bytes())], &["u.ods"], &[]);
    assert!(out.code != 0 || out.tables() != clean(), "{}", out.stderr);

    // Records in date order, each run of one date merged over its rows (01-05, 01-06 and 01-07
    // over three, 02-04 over two): as the plain CSV of the same rows.
    let mut sorted = RECORDS;
    sorted.sort_by_key(|r| r[0]);
    let mut rows = ods_rows(&sorted);
    let mut r = 1;
    while r < rows.len() {
        let run = (r..rows.len())
            .take_while(|&k| rows[k][0] == rows[r][0])
            .count();
        if run > 1 {
            let spanned = format!("↓{run}:{}", rows[r][0]).leak();
            rows[r][0] = spanned;
            for row in &mut rows[r + 1..r + run] {
                row[0] = "_";
            }
        }
        r += run;
    }
    let out = score(
        &[("d.ods", ods(&rows, "")), ("d.csv", csv_of(&sorted))],
        &["d.ods"],
        &[],
    )
    .ok();
    let csv = score(&[("d.csv", csv_of(&sorted))], &["d.csv"], &[]).ok();
    assert_eq!(out.tables(), csv.tables());
    assert_eq!(out.tables(), clean());
}

mod props {
    use super::*;
    use proptest::prelude::*;

    /// One random record of the hand rubric, with how the workbook writes it: the T1 rate in a
    /// percent-formatted cell or not, the count in full-width digits or not.
    #[derive(Debug, Clone)]
    struct Rec {
        cells: [String; 10],
        /// T1's value in tenths, written as a percent cell.
        percent: Option<u32>,
        wide_count: bool,
    }

    fn rec() -> impl Strategy<Value = Rec> {
        (
            1u32..=3,
            1u32..=28,
            0usize..3,
            0usize..6,
            1u32..=3,
            0u32..=400,
            0usize..3,
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(
                |(month, day, unit, kind, count, tenths, source, pct, wide)| {
                    let mut cells: [String; 10] = Default::default();
                    cells[0] = format!("2026-{month:02}-{day:02}");
                    cells[1] = format!("U{}", unit + 1);
                    let mut percent = None;
                    match kind {
                        0 => {
                            cells[2] = "P1".into();
                            cells[3] = count.to_string();
                            cells[7] = format!("2026-{month:02}-{:02}", (day + 3).min(28));
                        }
                        1 => {
                            cells[2] = "P2".into();
                            cells[5] = ["minor", "major"][count as usize % 2].into();
                        }
                        2 => {
                            cells[2] = "T1".into();
                            cells[4] = format!("{}", rust_decimal::Decimal::new(tenths.into(), 1));
                            percent = pct.then_some(tenths);
                        }
                        3 => cells[2] = "R1".into(),
                        4 => {
                            cells[2] = "B1".into();
                            cells[3] = (count - 1).to_string();
                        }
                        _ => {
                            cells[2] = "X1".into();
                            cells[3] = count.to_string();
                        }
                    }
                    cells[6] = ["", "暗访", "现场考核"][source].into();
                    let wide_count = wide && !cells[3].is_empty();
                    Rec {
                        cells,
                        percent,
                        wide_count,
                    }
                },
            )
    }

    fn full_width(s: &str) -> String {
        s.chars()
            .map(|c| match c {
                '0'..='9' => char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap(),
                c => c,
            })
            .collect()
    }

    /// The records as a clerk's workbook: a merged title row, the header, each run of one source
    /// merged, rates as percent cells, counts in full-width digits, a 合计 row under them.
    fn workbook(recs: &[Rec]) -> Vec<u8> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        let plain = Format::new();
        let pct = Format::new().set_num_format("0.0%");
        sheet
            .merge_range(0, 0, 0, 9, "2026年第一季度检查台账", &plain)
            .unwrap();
        for (c, h) in HEADER.iter().enumerate() {
            sheet.write_string(1, c as u16, *h).unwrap();
        }
        for (i, r) in recs.iter().enumerate() {
            let row = 2 + i as u32;
            for (c, cell) in r.cells.iter().enumerate() {
                if cell.is_empty() || c == 6 {
                    continue;
                }
                match (c, r.percent) {
                    (4, Some(t)) => {
                        let f: f64 = format!("{}", rust_decimal::Decimal::new(t.into(), 3))
                            .parse()
                            .unwrap();
                        sheet.write_number_with_format(row, 4, f, &pct).unwrap();
                    }
                    (3, _) if r.wide_count => {
                        sheet.write_string(row, 3, full_width(cell)).unwrap();
                    }
                    _ => {
                        sheet.write_string(row, c as u16, cell).unwrap();
                    }
                }
            }
        }
        // Runs of one source, merged.
        let mut i = 0;
        while i < recs.len() {
            let s = &recs[i].cells[6];
            let mut j = i + 1;
            while j < recs.len() && recs[j].cells[6] == *s {
                j += 1;
            }
            let (first, last) = (2 + i as u32, 1 + j as u32);
            if !s.is_empty() {
                if last > first {
                    sheet.merge_range(first, 6, last, 6, s, &plain).unwrap();
                } else {
                    sheet.write_string(first, 6, s).unwrap();
                }
            }
            i = j;
        }
        let total = 2 + recs.len() as u32;
        sheet.write_string(total, 0, "合计").unwrap();
        sheet.write_number(total, 3, recs.len() as f64).unwrap();
        book.save_to_buffer().unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        #[test]
        fn a_clerks_workbook_scores_like_the_plain_csv(recs in prop::collection::vec(rec(), 1..30)) {
            let rows: Vec<[&str; 10]> = recs
                .iter()
                .map(|r| std::array::from_fn(|c| r.cells[c].as_str()))
                .collect();
            let files = [("r.csv", csv_of(&rows)), ("r.xlsx", workbook(&recs))];
            let csv = score(&files, &["r.csv"], &[]).ok();
            let xlsx = score(&files, &["r.xlsx"], &[]).ok();
            prop_assert_eq!(csv.tables(), xlsx.tables());
            prop_assert!(xlsx.stderr.contains("totals 1"), "{}", xlsx.stderr);
        }
    }
}

#[test]
fn the_committed_xls_and_ods_read_percent_cells_as_shown() {
    // fuzz/seeds/spreadsheet/hand.{xls,ods,xlsx} hold the same January records, U2's T1 rate
    // 25 % as a percent cell (stored 0.25): read as 0.25 against the target of 20 it would cost
    // U2 T1's points. Read as shown (25), U2 loses nothing in T, and the three score alike.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/spreadsheet");
    let tables = |name: &str| {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        score(&[(name, bytes)], &[name], &[]).ok().tables()
    };
    let want = tables("hand.xlsx");
    let u2 = want[0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["unit"] == "U2")
        .unwrap();
    assert_eq!(u2["categories"]["T"]["deducted"], 0.0, "{u2}");
    for name in ["hand.xls", "hand.ods"] {
        assert_eq!(tables(name), want, "{name}");
    }
    // The .xls cell is an RK record (F8, cell format 23 `0%`, 25 stored as 25/100): given other
    // values, it reads exactly as shown. 0.225 (RK 22.5/100) is 22.5, at or over the target:
    // nothing lost; 0.07 (RK 7/100) is 7: 4 × (1 − 7/20) = 2.6 lost. In a General cell format
    // (XF 15) 0.07 is 0.07: 4 × (1 − 0.07/20) = 3.986, shown 3.99.
    let xls = std::fs::read(dir.join("hand.xls")).unwrap();
    let cell = [0x7E, 0x02, 0x0A, 0x00, 0x07, 0x00, 0x05, 0x00];
    let at = xls
        .windows(8)
        .position(|w| w == cell)
        .expect("F8's RK record")
        + 8;
    let with = |xf: u16, rk: u32| {
        let mut b = xls.clone();
        b[at..at + 2].copy_from_slice(&xf.to_le_bytes());
        b[at + 2..at + 6].copy_from_slice(&rk.to_le_bytes());
        let t = score(&[("h.xls", b)], &["h.xls"], &[]).ok().tables();
        let rows = t[0]["rows"].as_array().unwrap().clone();
        let u2 = rows.into_iter().find(|r| r["unit"] == "U2").unwrap();
        (t, u2["categories"]["T"]["deducted"].clone())
    };
    assert_eq!(with(23, 0x4036_8001), (want, 0.0.into()));
    assert_eq!(with(23, (7 << 2) | 3).1, 2.6);
    assert_eq!(with(15, (7 << 2) | 3).1, 3.99);
}

#[test]
fn a_roster_on_a_sheet_of_the_records_workbook() {
    // One workbook: 2月 (records) and 名册 (the hand roster). --units book.xlsx finds the roster
    // by its sheet's name; --units-sheet names it when it is called otherwise. The records'
    // sheets skip it (it has no records header). Same scores as the CSV ledger and roster.
    let roster = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/hand/units.csv"),
    )
    .unwrap();
    let book = |roster_name: &str| {
        let mut book = Workbook::new();
        write_rows(book.add_worksheet().set_name("2月").unwrap(), 0, &RECORDS);
        let sheet = book.add_worksheet().set_name(roster_name).unwrap();
        for (r, line) in roster.lines().enumerate() {
            for (c, cell) in line.split(',').enumerate() {
                if !cell.is_empty() {
                    sheet.write_string(r as u32, c as u16, cell).unwrap();
                }
            }
        }
        book.save_to_buffer().unwrap()
    };
    let args = |more: &[&'static str]| {
        let mut a = vec![
            "score",
            "b.xlsx",
            "--rubric",
            "rubric.yaml",
            "--units",
            "b.xlsx",
            "--all",
        ];
        a.extend_from_slice(&["--format", "json", "--as-of", "2026-02-28"]);
        a.extend_from_slice(more);
        a
    };
    let out = run(&[("b.xlsx", book("名册"))], &args(&[])).ok();
    assert_eq!(out.tables(), clean());
    let out = run(
        &[("b.xlsx", book("Sheet9"))],
        &args(&["--units-sheet", "Sheet9"]),
    )
    .ok();
    assert_eq!(out.tables(), clean());
    // Found by its columns when neither its name nor a flag says.
    let out = run(&[("b.xlsx", book("Sheet9"))], &args(&[])).ok();
    assert_eq!(out.tables(), clean());
}

#[test]
fn a_roster_under_a_title_row_finds_its_header() {
    // The hand roster under a title merged over its columns and a 填报单位 line, as a workbook
    // and as a CSV: the header is found below them (as the records' is), the rows above are
    // named in a note, and the scores are the clean ledger's.
    let roster = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/hand/units.csv"),
    )
    .unwrap();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet
        .merge_range(0, 0, 0, 3, "2026年参评单位名册", &Format::new())
        .unwrap();
    sheet.write_string(1, 0, "填报单位：城东街道").unwrap();
    for (r, line) in roster.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            if !cell.is_empty() {
                sheet.write_string(r as u32 + 2, c as u16, cell).unwrap();
            }
        }
    }
    let csv = format!("2026年参评单位名册,,,\n填报单位：城东街道\n{roster}").into_bytes();
    let files = [
        ("r.csv", csv_of(&RECORDS)),
        ("u.xlsx", book.save_to_buffer().unwrap()),
        ("u.csv", csv),
    ];
    for (units, note) in [
        (
            "u.xlsx",
            "note: u.xlsx[Sheet1]: rows above the header skipped: 1 (2026年参评单位名册), 2 (填报单位：城东街道)\n",
        ),
        (
            "u.csv",
            "note: u.csv: rows above the header skipped: 1 (2026年参评单位名册), 2 (填报单位：城东街道)\n",
        ),
    ] {
        let out = run(
            &files,
            &[
                "score",
                "r.csv",
                "--rubric",
                "rubric.yaml",
                "--units",
                units,
                "--all",
                "--format",
                "json",
                "--as-of",
                "2026-02-28",
            ],
        )
        .ok();
        assert_eq!(out.tables(), clean(), "{units}");
        assert!(out.stderr.contains(note), "{units}: {}", out.stderr);
        // A roster row's errors are numbered as the file shows them, under the title rows.
        let mut bad = files.to_vec();
        bad[2].1 = String::from_utf8(bad[2].1.clone())
            .unwrap()
            .replace("U3,桥南小学", "U3,")
            .into_bytes();
        if units == "u.csv" {
            let out = run(
                &bad,
                &[
                    "validate",
                    "r.csv",
                    "--rubric",
                    "rubric.yaml",
                    "--units",
                    units,
                ],
            )
            .code(65);
            assert!(out.stderr.contains("u.csv:6"), "{}", out.stderr);
        }
    }
}
