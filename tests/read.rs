//! The reader gives one answer whatever the way it reads: random record files (invalid rows,
//! repeated ids, quoted line breaks, Windows line ends, blank lines) read with tiny blocks and
//! 1, 2 and 4 workers give the same units in the same order, the same tallies and scores, the
//! same kept records and the same rejects (file and line) as one worker reading default blocks,
//! and as the rows of the whole text parsed at once; GBK files, standard input and spreadsheets
//! give what their UTF-8 twins give.

use civscore::cmd::{self, Inputs};
use civscore::input::{ReadConfig, ReadOptions};
use civscore::rubric::{self, Rubric};
use proptest::prelude::*;

mod common;

fn hand_rubric() -> Rubric {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/hand/rubric.yaml");
    rubric::load(&std::fs::read_to_string(path).unwrap(), "hand.yaml").unwrap()
}

/// Everything a read produced, as text that two reads can be compared by.
#[derive(Debug, Clone, PartialEq)]
struct Read {
    units: Vec<String>,
    counts: String,
    scores: Vec<String>,
    records: Vec<String>,
    rejects: Vec<String>,
}

fn read(path: &str, rubric: &Rubric, config: ReadConfig) -> Result<Read, String> {
    let inputs = Inputs {
        records: vec![path.to_owned()],
        skip_invalid: true,
        quiet: true,
        read: ReadOptions {
            config,
            ..ReadOptions::default()
        },
        ..Inputs::default()
    };
    let keep = |_: &civscore::read::Record, _: &str, _: Option<&str>| true;
    let (units, loaded) = cmd::read(&inputs, rubric, Some(&keep)).map_err(|e| e.to_string())?;
    Ok(describe(rubric, units, loaded))
}

fn describe(
    rubric: &Rubric,
    units: civscore::units::Units,
    loaded: civscore::read::Loaded,
) -> Read {
    let layout = civscore::tally::Layout::new(rubric);
    let scores = civscore::engine::Engine::from_store(rubric, &units, layout, loaded.store).score();
    let tables = civscore::ranking::tables(rubric, &units, &scores);
    let scores = tables
        .months
        .values()
        .chain(tables.quarters.values())
        .chain(tables.years.values())
        .map(|t| {
            let rows: Vec<String> = t
                .rows
                .iter()
                .map(|r| {
                    format!(
                        "{} {} {} {}",
                        units.list[r.unit].code, r.rank, r.score, r.vetoed
                    )
                })
                .collect();
            format!(
                "{} {:?} {} {}",
                t.period,
                t.average,
                t.provisional,
                rows.join("; ")
            )
        })
        .collect();
    Read {
        units: units.list.iter().map(|u| u.code.clone()).collect(),
        counts: format!("{:?}", loaded.counts),
        scores,
        records: civscore::fuzz::shown(&loaded.records.into_sorted().expect("kept"), &units),
        rejects: loaded
            .rejected
            .iter()
            .map(|r| {
                let why: Vec<String> = r.reasons.iter().map(ToString::to_string).collect();
                format!("{}:{} {:?} {}", r.file, r.line, r.cells, why.join("; "))
            })
            .collect(),
    }
}

/// Tiny blocks and default ones, one worker and several, records kept in memory and on disk.
fn configs() -> Vec<ReadConfig> {
    let mut all = Vec::new();
    for workers in [1, 2, 4] {
        for block in [64, 200, ReadConfig::BLOCK] {
            for kept_bytes in [0, 64 << 20] {
                all.push(ReadConfig {
                    workers,
                    block,
                    kept_bytes,
                    ..ReadConfig::default()
                });
            }
        }
    }
    all
}

/// One row of a random file: usual rows mostly, some invalid, some with notes in quotes.
fn row() -> impl Strategy<Value = (usize, usize, usize, usize, usize, bool)> {
    (
        0usize..12,
        0usize..14,
        0usize..60,
        0usize..10,
        0usize..8,
        any::<bool>(),
    )
}

fn file_text(rows: &[(usize, usize, usize, usize, usize, bool)], header_bom: bool) -> String {
    const UNITS: &[&str] = &["U3", "U10", "B1", "U1", " U2 ", "A-9", "U3", "U1"];
    const INDICATORS: &[&str] = &["P1", "P2", "T1", "B1", "R1", "R2", "X1", "V1", "P1", "R1"];
    let mut text = String::from(if header_bom { "\u{feff}" } else { "" });
    text.push_str("id,date,unit,indicator,count,value,severity,source,status,note\n");
    for (k, &(kind, unit, id, ind, note, crlf)) in rows.iter().enumerate() {
        let code = INDICATORS[ind];
        let (value, severity) = match code {
            "T1" => ("18.5", ""),
            "P2" => ("", "major"),
            _ => ("", ""),
        };
        let mut date = format!("2026-{:02}-{:02}", 1 + k % 12, 1 + k % 28);
        let mut count = String::from("1");
        let mut unit_s = UNITS[unit % UNITS.len()].to_owned();
        let mut code = code.to_owned();
        match kind {
            0 => date = "2026-13-40".into(),
            1 => code = "Z9".into(),
            2 => unit_s = String::new(),
            3 => count = "x".into(),
            4 => date = format!("2026/{}/{}", 1 + k % 12, 1 + k % 28),
            _ => {}
        }
        // Ids: mostly in sequence, some repeating an earlier one, some empty.
        let id = match id {
            0 => String::new(),
            1 => format!("R{:04}", k / 3),
            _ => format!("R{k:04}"),
        };
        let note = match note {
            0 => "\"two\nlines, quoted\"".to_owned(),
            1 => "\"a \"\"quote\"\"\"".to_owned(),
            2 => "背街小巷".to_owned(),
            _ => String::new(),
        };
        let end = if crlf { "\r\n" } else { "\n" };
        text.push_str(&format!(
            "{id},{date},{unit_s},{code},{count},{value},{severity},暗访,,{note}{end}"
        ));
        if k % 17 == 5 {
            text.push('\n');
        }
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    /// Every configuration gives what one worker reading default blocks gives.
    #[test]
    fn every_block_size_and_worker_count_reads_the_same(
        rows in prop::collection::vec(row(), 1..120),
        bom in any::<bool>(),
    ) {
        let rubric = hand_rubric();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv").display().to_string();
        std::fs::write(&path, file_text(&rows, bom)).unwrap();
        let one = ReadConfig { workers: 1, ..ReadConfig::default() };
        let want = read(&path, &rubric, one);
        for config in configs() {
            let got = read(&path, &rubric, config);
            prop_assert_eq!(&got, &want, "{:?}", config);
        }
        if let Ok(w) = &want {
            let mut sorted = w.units.clone();
            sorted.sort();
            prop_assert_eq!(&w.units, &sorted, "units in code order");
        }
    }
}

/// Units met in the records are listed in code order, not in the order they were met, nor in
/// the order the workers met them.
#[test]
fn without_a_roster_units_are_in_code_order() {
    let rubric = hand_rubric();
    let mut text = String::from("date,unit,indicator\n");
    for k in 0..2000 {
        let unit = ["U3", "B1", "U10", "A2", "U1"][(k * 7 + k / 13) % 5];
        text.push_str(&format!("2026-0{}-03,{unit},P1\n", 1 + k % 9));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.csv").display().to_string();
    std::fs::write(&path, &text).unwrap();
    for config in configs() {
        let got = read(&path, &rubric, config).unwrap();
        assert_eq!(got.units, ["A2", "B1", "U1", "U10", "U3"], "{config:?}");
    }
}

/// What the reader makes of a file parsed whole into rows first (by `csv` over the whole text,
/// not in blocks), read with one worker: the oracle for the splitting into blocks.
fn in_memory(path: &str, rubric: &Rubric) -> Result<Read, String> {
    let sheet =
        civscore::input::read_table(path, &ReadOptions::default()).map_err(|e| e.to_string())?;
    let s = civscore::read::read_sheet(&sheet, rubric, None).map_err(|e| e.to_string())?;
    let (units, loaded) = s.loaded();
    let paths = [path.to_owned()];
    let loaded = civscore::read::finish(loaded, &paths, true).map_err(|e| e.to_string())?;
    Ok(describe(rubric, units, loaded))
}

/// What the reader makes of a file read in blocks (an error when nothing is left to score).
fn streamed(path: &str, rubric: &Rubric, config: ReadConfig) -> Result<Read, String> {
    let opts = ReadOptions {
        config,
        ..ReadOptions::default()
    };
    let paths = [path.to_owned()];
    let s = civscore::read::read(
        &paths,
        rubric,
        None,
        None,
        false,
        Some(&|_, _, _| true),
        &opts,
    )
    .map_err(|e| e.to_string())?;
    let (units, loaded) = s.loaded();
    civscore::read::finish(loaded, &paths, true)
        .map(|loaded| describe(rubric, units, loaded))
        .map_err(|e| e.to_string())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    /// Read in tiny blocks by several workers, a file gives what its rows parsed whole give:
    /// the same rejects with the same lines and reasons (repeated ids included).
    #[test]
    fn blocks_reject_what_rows_parsed_whole_reject(
        rows in prop::collection::vec(row(), 1..120),
        bom in any::<bool>(),
        workers in 1usize..5,
    ) {
        let rubric = hand_rubric();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv").display().to_string();
        std::fs::write(&path, file_text(&rows, bom)).unwrap();
        let config = ReadConfig { workers, block: 64, ..ReadConfig::default() };
        prop_assert_eq!(streamed(&path, &rubric, config), in_memory(&path, &rubric));
    }
}

/// Invalid rows are rejected in place, with their lines, over blocks of every size and several
/// workers.
#[test]
fn invalid_rows_are_rejected_in_place() {
    let rubric = hand_rubric();
    let mut text = String::from("id,date,unit,indicator,count,note\n");
    for k in 0..500 {
        let (id, date) = match k % 7 {
            3 => (String::new(), "2026-13-01".to_owned()),
            5 => (String::new(), "2026-02-30".to_owned()),
            _ => (format!("R{k:04}"), format!("2026-{:02}-03", 1 + k % 12)),
        };
        let note = if k % 11 == 0 { "\"two\nlines\"" } else { "" };
        text.push_str(&format!("{id},{date},U{},P1,1,{note}\n", k % 5));
    }
    text.push_str("id,date,unit,indicator,count,note\n");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.csv").display().to_string();
    std::fs::write(&path, &text).unwrap();
    let want = in_memory(&path, &rubric).unwrap();
    assert_eq!(want.rejects.len(), 142 + 1);
    for config in configs() {
        let got = streamed(&path, &rubric, config);
        assert_eq!(got, Ok(want.clone()), "{config:?}");
    }
}

/// `civscore score --all --format json` on a file, with extra arguments.
fn score_json(path: &str, extra: &[&str]) -> Vec<u8> {
    let rubric = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/hand/rubric.yaml");
    let out = civscore_cmd()
        .args([
            "score", path, "--rubric", rubric, "--all", "--format", "json", "-q",
        ])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A file every row of which takes the quick path, and the same data with one quoted line
/// break (which sends its block through `csv`), score to the same bytes; so do 1, 2 and 4
/// workers, and five runs of each.
#[test]
fn the_quick_path_and_a_quoted_line_break_score_the_same() {
    let mut text = String::from("id,date,unit,indicator,count,severity,source,note\n");
    // Several blocks of the default size, so that several workers have some.
    for k in 0..120_000 {
        let code = ["P1", "P2", "B1", "R1", "X1"][k % 5];
        let severity = if code == "P2" { "minor" } else { "" };
        text.push_str(&format!(
            "R{k:06},2026-{:02}-{:02},U{},{code},{},{severity},暗访,\n",
            1 + k % 12,
            1 + k % 28,
            (k * 7) % 23,
            1 + k % 3
        ));
    }
    assert!(text.len() > 2 * civscore::input::ReadConfig::BLOCK);
    let quoted = text.replacen("暗访,\n", "暗访,\"one\nline break\"\n", 1);
    assert_ne!(quoted, text);
    let dir = tempfile::tempdir().unwrap();
    let plain_path = dir.path().join("plain.csv").display().to_string();
    let quoted_path = dir.path().join("quoted.csv").display().to_string();
    std::fs::write(&plain_path, &text).unwrap();
    std::fs::write(&quoted_path, &quoted).unwrap();
    let want = score_json(&plain_path, &["-j", "1"]);
    for jobs in ["1", "2", "4"] {
        for _ in 0..5 {
            assert_eq!(score_json(&plain_path, &["-j", jobs]), want, "-j {jobs}");
        }
        assert_eq!(score_json(&quoted_path, &["-j", jobs]), want, "-j {jobs}");
    }
}

/// The same rows from several inputs: paths left out of the rejects, so that two inputs of
/// different names compare.
fn read_all(paths: &[String], config: ReadConfig) -> Read {
    let rubric = hand_rubric();
    let opts = ReadOptions {
        config,
        ..ReadOptions::default()
    };
    let s = civscore::read::read(
        paths,
        &rubric,
        None,
        None,
        false,
        Some(&|_, _, _| true),
        &opts,
    )
    .unwrap();
    let (units, loaded) = s.loaded();
    let mut r = describe(&rubric, units, loaded);
    for (k, p) in paths.iter().enumerate() {
        for x in &mut r.rejects {
            *x = x.replace(p.as_str(), &format!("<{k}>"));
        }
    }
    r
}

fn rows_for(k: u64) -> Vec<(usize, usize, usize, usize, usize, bool)> {
    (0..150u64)
        .map(|i| {
            let x = (i * 7919 + k * 104_729) % 1000;
            (
                (x % 12) as usize,
                (x % 14) as usize,
                (x % 60) as usize,
                (x % 10) as usize,
                (x % 8) as usize,
                x.is_multiple_of(5),
            )
        })
        .collect()
}

/// A GBK file is read as its UTF-8 twin is, whatever the blocks and workers: its header is
/// ASCII, so it is first read as UTF-8 until a block that is not, then read again decoded.
#[test]
fn gbk_files_read_as_their_utf8_twins() {
    let dir = tempfile::tempdir().unwrap();
    let text = file_text(&rows_for(1), false).replace("背街小巷", "背街小巷（东）");
    let utf8 = dir.path().join("u.csv").display().to_string();
    let gbk = dir.path().join("g.csv").display().to_string();
    std::fs::write(&utf8, &text).unwrap();
    std::fs::write(&gbk, encoding_rs::GBK.encode(&text).0).unwrap();
    let want = read_all(
        std::slice::from_ref(&utf8),
        ReadConfig {
            workers: 1,
            ..ReadConfig::default()
        },
    );
    assert!(want.records.iter().any(|r| r.contains("背街小巷（东）")));
    for config in configs() {
        assert_eq!(
            read_all(std::slice::from_ref(&gbk), config),
            want,
            "{config:?}"
        );
    }
}

/// Repeated ids across blocks and across files: the first valid row with an id keeps it, every
/// later row with it is rejected and says where the id was first, whatever the blocks and
/// workers.
#[test]
fn repeated_ids_across_blocks_and_files_settle_in_file_order() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv").display().to_string();
    let b = dir.path().join("b.csv").display().to_string();
    std::fs::write(&a, file_text(&rows_for(2), false)).unwrap();
    std::fs::write(&b, file_text(&rows_for(3), true)).unwrap();
    let paths = [a.clone(), b.clone()];
    let want = read_all(
        &paths,
        ReadConfig {
            workers: 1,
            ..ReadConfig::default()
        },
    );
    let across = want
        .rejects
        .iter()
        .filter(|r| r.starts_with("<1>") && r.contains("(first at <0>:"))
        .count();
    assert!(across > 10, "{across} rows of b.csv repeat ids of a.csv");
    for config in configs() {
        assert_eq!(read_all(&paths, config), want, "{config:?}");
    }
}

/// Standard input, a spreadsheet with the same rows, and the file itself score to the same
/// bytes.
#[test]
fn stdin_and_a_spreadsheet_score_as_the_file_does() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("id,date,unit,indicator,count,severity,source,note\n");
    for k in 0..400 {
        let code = ["P1", "P2", "B1", "R1", "X1"][k % 5];
        let severity = if code == "P2" { "minor" } else { "" };
        let id = if k % 37 == 0 {
            format!("R{:04}", k / 2)
        } else {
            format!("R{k:04}")
        };
        text.push_str(&format!(
            "{id},2026-{:02}-{:02},U{},{code},{},{severity},暗访,背街小巷\n",
            1 + k % 12,
            1 + k % 28,
            (k * 7) % 23,
            1 + k % 3
        ));
    }
    let csv = dir.path().join("r.csv").display().to_string();
    std::fs::write(&csv, &text).unwrap();
    let xlsx = dir.path().join("r.xlsx").display().to_string();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, line) in text.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            sheet.write_string(r as u32, c as u16, cell).unwrap();
        }
    }
    book.save(&xlsx).unwrap();
    let run = |path: &str, stdin: Option<&str>| {
        let rubric = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/hand/rubric.yaml");
        let mut cmd = assert_cmd::Command::cargo_bin("civscore").unwrap();
        cmd.env("CIVSCORE_TODAY", "2026-12-02");
        cmd.args([
            "score",
            path,
            "--rubric",
            rubric,
            "--all",
            "--format",
            "json",
            "-q",
            "--skip-invalid",
            "-j",
            "2",
        ]);
        if let Some(s) = stdin {
            cmd.write_stdin(std::fs::read(s).unwrap());
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (
            out.stdout,
            String::from_utf8_lossy(&out.stderr).lines().count(),
        )
    };
    let want = run(&csv, None);
    assert_eq!(run("-", Some(&csv)), want, "stdin");
    assert_eq!(run(&xlsx, None), want, "xlsx");
    assert_eq!(run("-", Some(&xlsx)), want, "xlsx on stdin");
}

/// Runs `score` on a workbook of three records (A1:D3) plus `stray` cells holding "x".
fn score_with_stray_cells(stray: &[(u32, u16)]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("stray.xlsx");
    std::fs::write(&xlsx, common::small_workbook(stray)).unwrap();
    let rubric = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/hand/rubric.yaml");
    assert_cmd::Command::cargo_bin("civscore")
        .unwrap()
        .env("CIVSCORE_TODAY", "2026-12-02")
        .args(["score", xlsx.to_str().unwrap(), "--rubric", rubric])
        .args(["--skip-invalid", "-q", "--format", "csv"])
        .output()
        .unwrap()
}

#[test]
fn a_stray_cell_at_the_last_cell_of_a_sheet_is_read_without_its_range() {
    // XFD1048576: a used range of 2³⁴ cells (the whole range would be 512 GB); read cell by
    // cell, the stray row is one more (rejected) row.
    let out = score_with_stray_cells(&[(1_048_575, 16_383)]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("U1") && stdout.contains("U2"), "{stdout}");
}

#[test]
fn a_sheet_of_more_cells_than_the_limit_is_refused_naming_it() {
    // 1,300 rows each padded to column XFD: 1,300 × 16,384 > 20,000,000 cells.
    let stray: Vec<(u32, u16)> = (10..1_310).map(|r| (r, 16_383)).collect();
    let out = score_with_stray_cells(&stray);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(65), "{stderr}");
    assert!(
        stderr.starts_with("error: ")
            && stderr.contains("stray.xlsx[Sheet1]: the sheet holds more than 20000000 cells"),
        "{stderr}"
    );
}

/// A workbook's parts but its timestamps (docProps/core.xml), by name.
fn parts(path: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut out = Vec::new();
    for k in 0..zip.len() {
        let mut f = zip.by_index(k).unwrap();
        let name = f.name().unwrap().to_string();
        if name == "docProps/core.xml" {
            continue;
        }
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        out.push((name, bytes));
    }
    out.sort();
    out
}

/// Every command and format gives the same bytes (a workbook the same parts, its timestamps
/// aside) with 1, 2 and 4 workers and run after run, on a file of several blocks.
#[test]
fn every_command_writes_the_same_bytes_whatever_the_workers() {
    let mut text = String::from("id,date,unit,indicator,count,severity,source,deadline,note\n");
    for k in 0..70_000 {
        let code = ["P1", "P2", "B1", "R1", "X1"][k % 5];
        let severity = if code == "P2" { "minor" } else { "" };
        let (m, d) = (1 + k % 12, 1 + k % 28);
        let deadline = match k % 3 {
            0 => format!("2026-{m:02}-{:02}", d.min(27) + 1),
            _ => String::new(),
        };
        text.push_str(&format!(
            "R{k:06},2026-{m:02}-{d:02},U{},{code},{},{severity},暗访,{deadline},第{k}条\n",
            (k * 7) % 23,
            1 + k % 3
        ));
    }
    assert!(text.len() > civscore::input::ReadConfig::BLOCK);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("r.csv");
    std::fs::write(&csv, &text).unwrap();
    let rubric = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/hand/rubric.yaml");
    let csv = csv.display().to_string();
    let commands: Vec<Vec<&str>> = vec![
        vec!["score", &csv, "--all", "--format", "csv"],
        vec!["score", &csv, "--all", "--format", "md"],
        vec!["score", &csv, "--all", "--format", "html"],
        vec!["score", &csv, "--all", "--format", "xlsx"],
        vec!["explain", &csv, "--unit", "U3", "--all", "--format", "json"],
        vec![
            "compare",
            &csv,
            "--against",
            rubric,
            "--all",
            "--format",
            "md",
        ],
        vec!["report", &csv],
    ];
    for (n, args) in commands.iter().enumerate() {
        let mut seen: Option<Vec<(String, Vec<u8>)>> = None;
        for (run, jobs) in ["1", "2", "4", "2", "2"].iter().enumerate() {
            let out = dir.path().join(format!("out-{n}-{run}"));
            let out_s = out.display().to_string();
            let xlsx = matches!(args[0], "report") || args.contains(&"xlsx");
            let out_s = if xlsx { format!("{out_s}.xlsx") } else { out_s };
            let mut cmd = assert_cmd::Command::cargo_bin("civscore").unwrap();
            cmd.env("CIVSCORE_TODAY", "2026-12-02");
            cmd.args(args)
                .args(["--rubric", rubric, "-q", "-j", jobs, "-o", &out_s]);
            let result = cmd.output().unwrap();
            assert!(
                result.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&result.stderr)
            );
            let got = match xlsx {
                true => parts(std::path::Path::new(&out_s)),
                false => vec![(String::new(), std::fs::read(&out_s).unwrap())],
            };
            match &seen {
                None => seen = Some(got),
                Some(want) => assert!(want == &got, "{args:?} -j {jobs}, run {run}"),
            }
        }
    }
}

/// The binary, with "today" fixed (SPEC §7.1: the default as-of date is never after today), so
/// that results do not depend on the day the tests run.
fn civscore_cmd() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_civscore"));
    c.env("CIVSCORE_TODAY", "2026-12-02");
    c
}

/// Rows held back to be settled (here: rows equal across two inputs) are bounded: past the
/// limit the run stops with an error saying why, never with memory that grows with the inputs.
#[test]
fn rows_held_to_be_settled_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("date,unit,indicator,note\n");
    for k in 0..200 {
        text.push_str(&format!(
            "2026-01-05,U{k},P1,a note long enough to weigh {k}\n"
        ));
    }
    let paths: Vec<String> = ["a.csv", "b.csv"]
        .iter()
        .map(|name| {
            let path = dir.path().join(name);
            std::fs::write(&path, &text).unwrap();
            path.display().to_string()
        })
        .collect();
    let read = |held_bytes: usize| {
        let opts = ReadOptions {
            dedupe: true,
            config: ReadConfig {
                workers: 2,
                held_bytes,
                ..ReadConfig::default()
            },
            ..ReadOptions::default()
        };
        civscore::read::read(&paths, &hand_rubric(), None, None, false, None, &opts)
    };
    // 400 rows of some 300 bytes each held: within 1 MiB, over 20 KiB.
    let kept = read(1 << 20).unwrap();
    assert_eq!(kept.counts.scored, 200);
    assert_eq!(kept.counts.doubles, 200);
    let e = read(20 << 10).err().unwrap().to_string();
    assert!(
        e.contains("the inputs overlap too much to be settled row by row"),
        "{e}"
    );
}

/// A workbook whose shared strings table declares four billion strings (the library reserved
/// them at once: "memory allocation of 96000000000 bytes failed", a signal death) is refused
/// with exit 65, naming the file (issue 16).
#[test]
fn a_workbook_declaring_billions_of_shared_strings_is_refused() {
    use std::io::{Read, Write};
    let good = common::small_workbook(&[]);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(good)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for k in 0..zip.len() {
        let mut part = zip.by_index(k).unwrap();
        let name = part.name().unwrap().to_string();
        let mut bytes = Vec::new();
        part.read_to_end(&mut bytes).unwrap();
        if name == "xl/sharedStrings.xml" {
            let text = String::from_utf8(bytes).unwrap();
            let at = text.find("uniqueCount=\"").unwrap() + 13;
            let end = at + text[at..].find('"').unwrap();
            bytes = format!("{}4000000000{}", &text[..at], &text[end..]).into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&bytes).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("sst.xlsx");
    std::fs::write(&xlsx, out.finish().unwrap().into_inner()).unwrap();
    let rubric = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/hand/rubric.yaml");
    let out = assert_cmd::Command::cargo_bin("civscore")
        .unwrap()
        .args(["score", xlsx.to_str().unwrap(), "--rubric", rubric])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(65), "{stderr}");
    assert!(
        stderr.starts_with("error: ") && stderr.contains("declares 4000000000 shared strings"),
        "{stderr}"
    );
}

/// A unit name of 40,000 characters: Excel holds at most 32,767 in a cell (the workbook failed
/// with exit 1), and a terminal table took time growing faster than the name (a 50 MB one ran
/// past 60 s): the workbook cuts it at 32,767, the table at 1,000, both ending in `…`.
#[test]
fn a_name_too_long_for_a_cell_is_cut_in_workbooks_and_tables() {
    let dir = tempfile::tempdir().unwrap();
    let name = "名".repeat(40_000);
    let csv = dir.path().join("r.csv");
    std::fs::write(
        &csv,
        format!("date,unit,indicator,count\n2026-01-05,{name},P1,1\n2026-01-05,U1,P1,1\n"),
    )
    .unwrap();
    let rubric = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/hand/rubric.yaml");
    let run = |more: &[&str]| {
        assert_cmd::Command::cargo_bin("civscore")
            .unwrap()
            .env("CIVSCORE_TODAY", "2026-12-02")
            .args(["score", csv.to_str().unwrap(), "--rubric", rubric, "-q"])
            .args(more)
            .output()
            .unwrap()
    };
    let xlsx = dir.path().join("out.xlsx");
    let out = run(&["-o", xlsx.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8(out.stdout).unwrap();
    let cut = format!("{}…", "名".repeat(1000));
    assert!(
        table.contains(&cut) && !table.contains(&"名".repeat(1001)),
        "{}",
        table.len()
    );
}
