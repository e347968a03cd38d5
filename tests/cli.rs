//! Integration tests: run the binary on files and check stdout, stderr and the exit status.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// A temporary working folder with files, and the binary run inside it.
struct T {
    dir: tempfile::TempDir,
    args: Vec<String>,
    stdin: Option<Vec<u8>>,
    env: Vec<(String, String)>,
}

struct Out {
    stdout: String,
    stderr: String,
    code: i32,
}

impl Out {
    fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "stderr: {}\nstdout: {}",
            self.stderr, self.stdout
        );
        self
    }

    fn code(self, code: i32) -> Self {
        assert_eq!(
            self.code, code,
            "stderr: {}\nstdout: {}",
            self.stderr, self.stdout
        );
        self
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }
}

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

impl T {
    fn new() -> T {
        T {
            dir: tempfile::tempdir().unwrap(),
            args: Vec::new(),
            stdin: None,
            env: Vec::new(),
        }
    }

    fn file(self, name: &str, content: impl AsRef<[u8]>) -> T {
        let p = self.dir.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(p, content).unwrap();
        self
    }

    /// Copies a file of the repository into the folder.
    fn copy(self, from: &str, name: &str) -> T {
        let bytes = std::fs::read(data(from)).unwrap();
        self.file(name, bytes)
    }

    fn args(mut self, args: &[&str]) -> T {
        self.args.extend(args.iter().map(|s| s.to_string()));
        self
    }

    fn env(mut self, key: &str, value: &str) -> T {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    fn stdin(mut self, bytes: impl AsRef<[u8]>) -> T {
        self.stdin = Some(bytes.as_ref().to_vec());
        self
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn run(&self) -> Out {
        let mut cmd = civscore_cmd();
        cmd.args(&self.args).current_dir(self.dir.path());
        // English messages, whatever the locale of the machine running the tests.
        cmd.env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("CLICOLOR")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("LANG");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let out = match &self.stdin {
            Some(bytes) => {
                use std::io::Write;
                use std::process::Stdio;
                let mut child = cmd
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap();
                child.stdin.take().unwrap().write_all(bytes).unwrap();
                child.wait_with_output().unwrap()
            }
            None => cmd.output().unwrap(),
        };
        Out {
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            code: out.status.code().unwrap_or(-1),
        }
    }
}

/// The hand-computed fixture: tests/data/hand/{rubric.yaml,units.csv,records.csv}.
fn hand() -> T {
    T::new()
        .copy("tests/data/hand/rubric.yaml", "rubric.yaml")
        .copy("tests/data/hand/units.csv", "units.csv")
        .copy("tests/data/hand/records.csv", "records.csv")
}

const HAND: &[&str] = &[
    "records.csv",
    "--rubric",
    "rubric.yaml",
    "--units",
    "units.csv",
];

fn table<'a>(doc: &'a Value, kind: &str, period: &str) -> &'a Value {
    doc["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == kind && t["period"] == period)
        .unwrap_or_else(|| panic!("no {kind} {period} table"))
}

fn row<'a>(t: &'a Value, unit: &str) -> &'a Value {
    t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["unit"] == unit)
        .unwrap_or_else(|| panic!("no row for {unit}"))
}

/// (unit, rank, score) in listed order.
fn ranks(t: &Value) -> Vec<(String, u64, f64)> {
    t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["unit"].as_str().unwrap().to_owned(),
                r["rank"].as_u64().unwrap(),
                r["score"].as_f64().unwrap(),
            )
        })
        .collect()
}

/// `civscore score` on the hand fixture with more arguments, as JSON.
fn hand_score(more: &[&str]) -> Value {
    hand()
        .args(&["score"])
        .args(HAND)
        .args(more)
        .run()
        .ok()
        .json()
}

fn s(v: &[(&str, u64, f64)]) -> Vec<(String, u64, f64)> {
    v.iter().map(|(u, r, s)| (u.to_string(), *r, *s)).collect()
}

#[test]
fn hand_computed_months() {
    let doc = hand_score(&["--all", "--format", "json"]);
    let jan = table(&doc, "month", "2026-01");
    // U1: P1 2×0.5×2 (暗访) + 1×0.5 + 0.5 overdue (rectified 15th, deadline 10th) = 3;
    //     T1 15 < 20, proportional: 4 − 4×15/20 = 1; B1 0 findings → 0; R1 held → 0.
    //     20 − 4 = 16.
    // U2: P2 major 2; T1 25% met; R1 missing → 2.  20 − 4 = 16.
    // U3: T1 not applicable → rescale 20/16 = 1.25; P1 on the spot 0.5×0.5 = 0.25;
    //     B1 1 finding → band ≤2 scores 50% of 2 = 1 → lost 1.  (0.25 + 1) × 1.25 = 1.5625.
    //     20 − 1.5625 = 18.4375 → 18.44.
    assert_eq!(
        ranks(jan),
        s(&[("U3", 1, 18.44), ("U1", 2, 16.0), ("U2", 2, 16.0)])
    );
    assert_eq!(row(jan, "U3")["deducted"], 1.56);
    assert_eq!(row(jan, "U3")["grade"], "A");
    assert_eq!(row(jan, "U1")["grade"], "B");
    assert_eq!(row(jan, "U1")["group_rank"], 1);
    assert_eq!(row(jan, "U2")["group_rank"], 1);
    assert_eq!(row(jan, "U1")["rank_change"], Value::Null);
    // (16 + 16 + 18.4375) / 3 = 16.8125
    assert_eq!(jan["average"], 16.81);
    assert_eq!(jan["provisional"], false);

    let feb = table(&doc, "month", "2026-02");
    // U1: P1 repeats January's: 0.5 × 2 = 1; bonus 2 × 1 capped at 1.5.  20 − 1 + 1.5 = 20.5.
    // U2: P2 minor 1 (the second is void); P1 0.5 + 0.5 overdue (open past the 20th at the
    //     month end) = 1.  20 − 2 = 18, but vetoed (V1): ranks last, gets the last grade.
    // U3: R1 missing: 2 × 1.25 = 2.5.  20 − 2.5 = 17.5.
    assert_eq!(
        ranks(feb),
        s(&[("U1", 1, 20.5), ("U3", 2, 17.5), ("U2", 3, 18.0)])
    );
    assert_eq!(row(feb, "U1")["bonus"], 1.5);
    assert_eq!(row(feb, "U2")["vetoed"], true);
    assert_eq!(row(feb, "U2")["grade"], "C");
    assert_eq!(row(feb, "U2")["group_rank"], 2);
    // rank change = previous rank − rank
    assert_eq!(row(feb, "U1")["rank_change"], 1);
    assert_eq!(row(feb, "U3")["rank_change"], -1);
    assert_eq!(row(feb, "U2")["rank_change"], -1);
    // (20.5 + 18 + 17.5) / 3 = 18.666…
    assert_eq!(feb["average"], 18.67);
}

#[test]
fn hand_computed_quarter_and_year() {
    // CIVSCORE_TODAY is 2026-12-02: the as-of date is the earlier of it and the last day of the
    // latest assessed month, 2026-02-28 (SPEC §7.1). Q1 ends on 31 March: provisional, and R2
    // (required per quarter) is not due yet: pending, no deduction (SPEC §7.2; v1 deducted
    // 1.5 from U2 and 3.75 from U3 here — see `a_complete_quarter_judges_what_is_due`).
    let doc = hand_score(&["--all", "--format", "json"]);
    let q1 = table(&doc, "quarter", "2026Q1");
    // U1 (16 + 20.5)/2 = 18.25; U2 (16 + 18)/2 = 17 (vetoed); U3 (18.4375 + 17.5)/2 = 17.96875.
    assert_eq!(
        ranks(q1),
        s(&[("U1", 1, 18.25), ("U3", 2, 17.97), ("U2", 3, 17.0)])
    );
    assert_eq!(q1["provisional"], true);
    assert_eq!(row(q1, "U3")["deducted"], 0.0);
    assert_eq!(row(q1, "U3")["months"]["2026-01"], 18.44);
    assert_eq!(row(q1, "U3")["grade"], "B");
    assert_eq!(row(q1, "U2")["vetoed"], true);
    // (18.25 + 17 + 17.96875) / 3 = 17.7395833…
    assert_eq!(q1["average"], 17.74);

    let y = table(&doc, "year", "2026");
    // Only Q1 assessed: its weight alone. U2 was criticised (P2) twice, non-void: −1.
    // U2 17 − 1 = 16.
    assert_eq!(
        ranks(y),
        s(&[("U1", 1, 18.25), ("U3", 2, 17.97), ("U2", 3, 16.0)])
    );
    assert_eq!(row(y, "U2")["deducted"], 1.0);
    assert_eq!(row(y, "U1")["quarters"]["Q1"], 18.25);
    assert_eq!(y["provisional"], true);
    // (18.25 + 16 + 17.96875) / 3 = 17.40625
    assert_eq!(y["average"], 17.41);
}

#[test]
fn a_complete_quarter_judges_what_is_due() {
    // As of 31 March Q1 is complete (SPEC §7.1) and R2 is due: judged as in v1.
    // R2 (per quarter, at least 2, 1.5 per missing): U1 has 2 → 0; U2 has 1 → 1.5;
    // U3 none → 3, × 1.25 (rescale 20/16) = 3.75. The overdue extras are those of the month
    // ends (record 2 was rectified late; record 20 is still open past 20 February).
    // U1 (16 + 20.5)/2 = 18.25; U2 (16 + 18)/2 − 1.5 = 15.5 (vetoed);
    // U3 (18.4375 + 17.5)/2 − 3.75 = 14.21875.
    let doc = hand_score(&["--all", "--as-of", "2026-03-31", "--format", "json"]);
    let q1 = table(&doc, "quarter", "2026Q1");
    assert_eq!(
        ranks(q1),
        s(&[("U1", 1, 18.25), ("U3", 2, 14.22), ("U2", 3, 15.5)])
    );
    assert_eq!(q1["provisional"], false);
    assert_eq!(row(q1, "U3")["deducted"], 3.75);
    // (18.25 + 15.5 + 14.21875) / 3 = 15.989583…
    assert_eq!(q1["average"], 15.99);
    let y = table(&doc, "year", "2026");
    assert_eq!(y["provisional"], true);
    // U2 15.5 − 1 (criticised twice) = 14.5.
    assert_eq!(row(y, "U2")["score"], 14.5);
    // The months are complete either way.
    assert_eq!(table(&doc, "month", "2026-02")["provisional"], false);
}

#[test]
fn today_caps_the_as_of_date() {
    // CIVSCORE_TODAY=2026-02-15: the as-of date is the earlier of 28 February (the latest
    // assessed month's last day) and today, 15 February (SPEC §7.1). February is provisional,
    // and its month-level R1 (required, due at the month's end) is pending: U3, which held no
    // R1 in February, loses nothing yet. v1 (and as of 28 February): 2 × 1.25 (rescale
    // 20/16) = 2.5, so 20 − 2.5 = 17.5; now 20 − 0 = 20.
    let run = |today: &str| {
        hand()
            .env("CIVSCORE_TODAY", today)
            .args(&["score"])
            .args(HAND)
            .args(&["--period", "2026-02", "--format", "json"])
            .run()
            .ok()
            .json()
    };
    let doc = run("2026-02-15");
    let feb = table(&doc, "month", "2026-02");
    assert_eq!(feb["provisional"], true);
    assert_eq!(row(feb, "U3")["score"], 20.0);
    assert_eq!(row(feb, "U3")["deducted"], 0.0);
    let doc = run("2026-03-01");
    let feb = table(&doc, "month", "2026-02");
    assert_eq!(feb["provisional"], false);
    assert_eq!(row(feb, "U3")["score"], 17.5);
    // explain says what is pending and what is held so far.
    let out = hand()
        .env("CIVSCORE_TODAY", "2026-02-15")
        .args(&["explain"])
        .args(HAND)
        .args(&["--unit", "U3", "--period", "2026-02"])
        .run()
        .ok();
    assert!(
        out.stdout
            .contains("pending (not due until 2026-02-28): held 0 of at least 1 so far"),
        "{}",
        out.stdout
    );
    // A today that is not a date is a usage error.
    let out = hand()
        .env("CIVSCORE_TODAY", "soon")
        .args(&["score"])
        .args(HAND)
        .run()
        .code(2);
    assert!(out.stderr.contains("CIVSCORE_TODAY"), "{}", out.stderr);
}

#[test]
fn a_record_under_appeal_stands_and_is_counted() {
    // SPEC §7.6: record 6 (U2, P2 major, January) under appeal (申诉中) still deducts 2, so
    // U2's January stays 20 − 2 (P2) − 2 (R1 missing) = 16; record 12 (U1, P1, February) under
    // review (复核中) still deducts 0.5 × 2 (repeat) = 1. Each row counts the records under
    // appeal in its period: U2 January 1, U1 February 1; Q1 and the year: 1 each.
    let t = hand();
    let records = std::fs::read_to_string(t.path("records.csv")).unwrap();
    let records = records
        .replace(
            "6,2026-01-05,U2,P2,,,major,,,,,",
            "6,2026-01-05,U2,P2,,,major,,,,申诉中,",
        )
        .replace(
            "12,2026-02-03,U1,P1,1,,,,,,,",
            "12,2026-02-03,U1,P1,1,,,,,,复核中,",
        );
    std::fs::write(t.path("records.csv"), records).unwrap();
    let dir = t.path("");
    // explain says so beside the record's deduction.
    let out = civscore_cmd()
        .args([
            "explain",
            "records.csv",
            "--rubric",
            "rubric.yaml",
            "--units",
            "units.csv",
        ])
        .args(["--unit", "U2", "--period", "2026-01", "-q"])
        .current_dir(dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("1 × 2 (major) = 2; under appeal: stands until the office decides"),
        "{text}"
    );
    let doc = t
        .args(&["score"])
        .args(HAND)
        .args(&["--all", "--format", "json"])
        .run()
        .ok()
        .json();
    let jan = table(&doc, "month", "2026-01");
    assert_eq!(row(jan, "U2")["score"], 16.0);
    assert_eq!(row(jan, "U2")["appealed"], 1);
    assert_eq!(row(jan, "U1")["appealed"], 0);
    let feb = table(&doc, "month", "2026-02");
    assert_eq!(row(feb, "U1")["score"], 20.5);
    assert_eq!(row(feb, "U1")["appealed"], 1);
    assert_eq!(row(feb, "U2")["appealed"], 0);
    for (kind, period) in [("quarter", "2026Q1"), ("year", "2026")] {
        let t = table(&doc, kind, period);
        assert_eq!(row(t, "U1")["appealed"], 1, "{period}");
        assert_eq!(row(t, "U2")["appealed"], 1, "{period}");
        assert_eq!(row(t, "U3")["appealed"], 0, "{period}");
    }
}

#[test]
fn a_period_does_not_change_when_later_records_are_added() {
    // The as-of date of `--period P` is the last day of the latest month with records up to P
    // (never after today): records of April change nothing in February or the first quarter,
    // which stays provisional as of 28 February with R2 pending.
    let run = |extra: &str| {
        let t = hand();
        let mut records = std::fs::read_to_string(t.path("records.csv")).unwrap();
        records.push_str(extra);
        std::fs::write(t.path("records.csv"), records).unwrap();
        let tables = |period: &str| {
            let doc = hand_like(&t, &["--period", period, "--format", "json"]);
            doc["tables"].clone()
        };
        (tables("2026-02"), tables("2026Q1"))
    };
    let before = run("");
    let after = run("21,2026-04-02,U3,R2,,,,,,,,\n22,2026-04-03,U1,P1,3,,,,,,,\n");
    assert_eq!(before, after);
    assert_eq!(before.1[0]["provisional"], true);
}

/// `civscore score` on the hand files of `t` (possibly edited), as JSON.
fn hand_like(t: &T, more: &[&str]) -> Value {
    let mut args: Vec<String> = vec!["score".into()];
    args.extend(HAND.iter().map(|s| s.to_string()));
    args.extend(more.iter().map(|s| s.to_string()));
    let mut cmd = civscore_cmd();
    cmd.args(&args).current_dir(t.path(""));
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn as_of_moves_the_overdue_line() {
    // As of 15 February the open record (deadline the 20th) is not late yet: U2 keeps 0.5.
    let doc = hand_score(&[
        "--period",
        "2026-02",
        "--as-of",
        "2026-02-15",
        "--format",
        "json",
    ]);
    assert_eq!(row(table(&doc, "month", "2026-02"), "U2")["score"], 18.5);
}

#[test]
fn default_is_latest_month_and_its_quarter() {
    let doc = hand_score(&["--format", "json"]);
    let kinds: Vec<(&str, &str)> = doc["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["kind"].as_str().unwrap(), t["period"].as_str().unwrap()))
        .collect();
    assert_eq!(kinds, [("month", "2026-02"), ("quarter", "2026Q1")]);
    assert_eq!(doc["civscore"], 1);
    assert_eq!(doc["rubric"]["name"], "hand");
    assert_eq!(doc["rubric"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(doc["records"]["read"], 20);
    assert_eq!(doc["records"]["void"], 1);
}

#[test]
fn a_past_month_is_scored_as_it_stood() {
    let doc = hand_score(&["--period", "2026-01", "--format", "json"]);
    let q = table(&doc, "quarter", "2026Q1");
    // Quarter to date through January, as of 31 January (the latest month it looks at): R2
    // is due at the quarter's end, so U1's one R2 of two deducts nothing yet (SPEC §7.2).
    // 16 − 0 = 16.
    assert_eq!(row(q, "U1")["score"], 16.0);
    assert_eq!(q["provisional"], true);
    assert_eq!(table(&doc, "month", "2026-01")["provisional"], false);
    assert_eq!(row(q, "U1")["months"].as_object().unwrap().len(), 1);
}

#[test]
fn period_outside_the_data_is_a_usage_error() {
    let out = hand()
        .args(&["score"])
        .args(HAND)
        .args(&["--period", "2026-05"])
        .run()
        .code(2);
    assert_eq!(
        out.stderr.lines().last().unwrap(),
        "error: no records in 2026-05: the data covers 2026-01 to 2026-02"
    );
}

#[test]
fn without_roster_units_come_from_records_with_a_note() {
    let out = hand()
        .args(&[
            "score",
            "records.csv",
            "--rubric",
            "rubric.yaml",
            "--format",
            "json",
        ])
        .run()
        .ok();
    assert!(
        out.stderr.contains("note: no roster (--units)"),
        "{}",
        out.stderr
    );
    let doc = out.json();
    let feb = table(&doc, "month", "2026-02");
    // "新明社区" is written by name in one row: without a roster it is a unit of its own.
    let units: Vec<&str> = feb["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["unit"].as_str().unwrap())
        .collect();
    assert_eq!(units.len(), 4);
    assert!(units.contains(&"新明社区"));
    assert_eq!(row(feb, "U1")["name"], Value::Null);
    assert_eq!(row(feb, "U1")["group_rank"], Value::Null);
}

#[test]
fn quiet_silences_notes() {
    let out = hand()
        .args(&["score", "records.csv", "--rubric", "rubric.yaml", "-q"])
        .run()
        .ok();
    assert_eq!(out.stderr, "");
}

const BAD_ROWS: &str = "\
date,unit,indicator,count,value,severity,source,status,id
2026-01-05,U1,P1,1,,,,,a
2026-02-30,U1,P1,1,,,,,b
2026-01-05,U9,P1,1,,,,,c
2026-01-05,U1,P9,1,,,,,d
2026-01-05,U1,litter,1,,,,,e
2026-01-05,U1,P1,2.5,,,,,f
2026-01-05,U1,T1,1,,,,,g
2026-01-05,U1,P2,1,,huge,,,h
2026-01-05,U1,P1,1,,,现场考察,,i
2026-01-05,U1,P1,1,,,,maybe,j
2026-01-05,U1,P1,1,,,,,a
,U1,P1,1,,,,,k
2026-01-05,U1,P1,99999999999999999999999,,,,,l
2026-01-05,U1,T1,1,NaN,,,,m
,,,,,,,,
";

#[test]
fn every_invalid_row_is_reported_and_nothing_is_written() {
    let t = hand().file("bad.csv", BAD_ROWS).args(&[
        "score",
        "bad.csv",
        "--rubric",
        "rubric.yaml",
        "--units",
        "units.csv",
        "-o",
        "out.json",
    ]);
    let out = t.run().code(65);
    let want = "\
error: bad.csv:3: column \"date\": impossible date \"2026-02-30\": no such day in the calendar
error: bad.csv:4: column \"unit\": unit \"U9\" is not in the roster (did you mean \"U1\"?)
error: bad.csv:5: column \"indicator\": unknown indicator \"P9\" (did you mean \"P1\"?)
error: bad.csv:6: column \"indicator\": unknown indicator \"litter\": records name the code (did you mean \"P1\"?)
error: bad.csv:7: column \"count\": expected a whole number ≥ 0, found \"2.5\"
error: bad.csv:8: column \"value\": indicator T1 needs a measured value, but the value is empty
error: bad.csv:9: column \"severity\": unknown severity \"huge\"; expected one of: minor, major
error: bad.csv:10: column \"source\": unknown source \"现场考察\" (did you mean \"现场考核\"?); the rubric declares: 现场考核, 暗访
error: bad.csv:11: column \"status\": unknown status \"maybe\"; expected empty, valid/有效, on_spot/当场整改, appealed/申诉中/复核中, or void/撤销/作废
error: bad.csv:12: column \"id\": id \"a\" repeats (first at bad.csv:2)
error: bad.csv:13: column \"date\": the date is empty
error: bad.csv:14: column \"count\": count 99999999999999999999999 is too large (at most 1000000)
error: bad.csv:15: column \"value\": expected a finite number such as 18.5 or 18.5%, found \"NaN\"
error: 13 of 14 rows are invalid; nothing was scored (fix them, or use --skip-invalid to score the valid rows)
";
    assert_eq!(out.stderr, want);
    assert!(!t.path("out.json").exists());
}

#[test]
fn skip_invalid_scores_the_rest_and_accounts_for_every_row() {
    let t = hand().file("bad.csv", BAD_ROWS).args(&[
        "score",
        "bad.csv",
        "--rubric",
        "rubric.yaml",
        "--units",
        "units.csv",
        "--skip-invalid",
        "--rejects",
        "rejects.csv",
        "--format",
        "json",
    ]);
    let out = t.run().ok();
    assert!(
        out.stderr
            .contains("rows read 14 = scored 1 + void 0 + rejected 13"),
        "{}",
        out.stderr
    );
    assert_eq!(out.json()["records"]["rejected"], 13);
    let rejects = std::fs::read_to_string(t.path("rejects.csv")).unwrap();
    let mut lines = rejects.lines();
    assert_eq!(
        lines.next(),
        Some("file,line,reason,date,unit,indicator,count,value,severity,source,status,id")
    );
    assert_eq!(
        lines.next(),
        Some(
            "bad.csv,3,\"column \"\"date\"\": impossible date \"\"2026-02-30\"\": no such day in the calendar\",2026-02-30,U1,P1,1,,,,,b"
        )
    );
    assert_eq!(rejects.lines().count(), 14);
}

/// Rejected rows go to a CSV that an office opens in Excel: cells from the records that a
/// spreadsheet would read as formulas (`=`, `@`, full-width `＝`) get a leading `'` there too
/// (issue 16).
#[test]
fn rejects_are_defused() {
    let t = hand()
        .file(
            "f.csv",
            "date,unit,indicator,count\n2026-11-03,U1,P1,1\n2026-11-03,\"=HYPERLINK(\"\"http://x\"\")\",ZZ,1\n2026-11-03,U1,＝1+1,@2\n",
        )
        .args(&[
            "score", "f.csv", "--rubric", "rubric.yaml", "--skip-invalid", "--rejects", "r.csv",
        ]);
    t.run();
    let rejects = std::fs::read_to_string(t.path("r.csv")).unwrap();
    assert!(
        rejects.contains(",\"'=HYPERLINK(\"\"http://x\"\")\",ZZ,1")
            && rejects.contains(",U1,'＝1+1,'@2"),
        "{rejects}"
    );
}

/// Escalation lines are days overdue, 0 or more: a negative one from civscore.toml or a flag is
/// refused, not a workbook with every open rectification escalated (issue 16).
#[test]
fn negative_escalation_days_are_refused() {
    let t = hand()
        .file("civscore.toml", "[report]\nyellow = -5\n")
        .args(&["report"])
        .args(HAND)
        .args(&["-o", "r.xlsx"]);
    let out = t.run().code(2);
    assert!(
        out.stderr.starts_with("error: yellow = -5: "),
        "{}",
        out.stderr
    );
    assert!(!t.path("r.xlsx").exists());
    let out = hand()
        .args(&["report"])
        .args(HAND)
        .args(&["-o", "r.xlsx", "--red=-1", "--yellow=-2"])
        .run()
        .code(2);
    assert!(
        out.stderr.starts_with("error: yellow = -2: "),
        "{}",
        out.stderr
    );
}

/// A record longer than 16 MiB (a line without end, or a quote never closed) stops the reading
/// where it begins, with its line, instead of being read to the end of the file and scanned
/// again at every block (a 1 GB line took 44 s); one of 16 MiB is read, wherever the blocks
/// fall; from a file and from standard input.
#[test]
fn a_record_over_16_mib_is_an_error_naming_its_line() {
    let rows = |n: usize| {
        format!(
            "date,unit,indicator,count,note\n2026-11-03,U1,P1,1,a\n2026-11-03,U1,P1,1,{}\n",
            "x".repeat(n)
        )
    };
    // The record: 19 bytes before the note, then its newline.
    let t = hand().file("ok.csv", rows((16 << 20) - 20));
    t.args(&["score", "ok.csv", "--rubric", "rubric.yaml", "-q"])
        .run()
        .ok();
    let long = rows(16 << 20);
    let t = hand().file("long.csv", &long);
    let out = t
        .args(&["score", "long.csv", "--rubric", "rubric.yaml"])
        .run()
        .code(65);
    assert_eq!(
        out.stderr,
        "error: long.csv:3: a record longer than 16777216 bytes (a line without end, or a quote never closed): a record is at most 16777216 bytes\n"
    );
    let out = hand()
        .args(&["score", "-", "--rubric", "rubric.yaml"])
        .stdin(long)
        .run()
        .code(65);
    assert!(
        out.stderr.starts_with("error: <stdin>:3: a record longer"),
        "{}",
        out.stderr
    );
}

/// Workers are at most 64, whatever `-j` or civscore.toml asks: 5,000 threads could not be
/// started (an internal error, exit 1) and would only cost memory; the answer never depends on
/// them (issue 16).
#[test]
fn thousands_of_jobs_are_as_many_as_the_reader_runs() {
    let want = hand().args(&["score"]).args(HAND).run().ok().stdout;
    let out = hand().args(&["score", "-j", "65535"]).args(HAND).run().ok();
    assert_eq!(out.stdout, want);
    let out = hand()
        .file("civscore.toml", "jobs = 100000\n")
        .args(&["score"])
        .args(HAND)
        .run()
        .ok();
    assert_eq!(out.stdout, want);
}

/// `config` and `init` show what they were given inert: an escape sequence in a setting of
/// civscore.toml (a planted one, say) or in a folder's name is printed as `\u{1b}` (issue 16).
#[test]
fn config_and_init_show_control_characters_escaped() {
    let out = T::new()
        .file("civscore.toml", "rubric = \"a\\u001b[2Jb\"\n")
        .args(&["config"])
        .run()
        .ok();
    assert!(!out.stdout.contains('\u{1b}'), "{:?}", out.stdout);
    assert!(out.stdout.contains("a\\u{1b}[2Jb"), "{:?}", out.stdout);
    let out = T::new().args(&["init", "d\u{1b}[2J"]).run().ok();
    assert!(!out.stdout.contains('\u{1b}'), "{:?}", out.stdout);
    assert!(out.stdout.contains("d\\u{1b}[2J"), "{:?}", out.stdout);
}

/// A file that is not a records file (a secret one, say, or a 5 MB first line) is quoted in
/// the error by at most 200 characters of its content, as records and as a roster (issue 16).
#[test]
fn errors_quote_at_most_200_characters_of_a_file() {
    let line = format!("root:SECRET{}:0:0\n", "x".repeat(5000));
    let t = hand().file("secret", &line);
    let out = t
        .args(&["score", "secret", "--rubric", "rubric.yaml"])
        .run()
        .code(65);
    let quoted = out.stderr.split("columns found: ").nth(1).unwrap_or("");
    assert!(quoted.starts_with("root:SECRETxxx"), "{}", out.stderr);
    assert_eq!(quoted.trim_end().chars().count(), 201, "{}", out.stderr);
    let out = hand()
        .file("secret", &line)
        .args(&[
            "score",
            "records.csv",
            "--rubric",
            "rubric.yaml",
            "--units",
            "secret",
        ])
        .run()
        .code(65);
    let quoted = out.stderr.split("columns found: ").nth(1).unwrap_or("");
    assert_eq!(quoted.trim_end().chars().count(), 201, "{}", out.stderr);
}

/// A header of more than 16,384 columns (Excel's limit) is refused at its line: each column no
/// rule reads was looked up for a hint, and a million columns took 15 s, 16 MiB of them
/// minutes (issue 16).
#[test]
fn a_header_of_more_columns_than_a_sheet_is_refused() {
    let header = format!(
        "date,unit,indicator,count,{}\n",
        vec!["a"; 20_000].join(",")
    );
    let t = hand().file("w.csv", format!("{header}2026-11-03,U1,P1,1\n"));
    let out = t
        .args(&["score", "w.csv", "--rubric", "rubric.yaml"])
        .run()
        .code(65);
    assert_eq!(
        out.stderr,
        "error: w.csv:1: the header has 20004 columns, more than 16384 (as many as an Excel sheet holds): this is not a records header\n"
    );
}

#[test]
fn validate_reports_counts() {
    let out = hand().args(&["validate"]).args(HAND).run().ok();
    assert_eq!(
        out.stdout,
        "records.csv: 20 rows, all valid (19 to score, 1 void); 3 units; 2 months assessed (2026-01 to 2026-02)\n"
    );
    hand()
        .file("bad.csv", BAD_ROWS)
        .args(&["validate", "bad.csv", "--rubric", "rubric.yaml"])
        .run()
        .code(65);
}

#[test]
fn missing_required_column_names_the_columns_found() {
    let out = hand()
        .file("r.csv", "日期,单位,数量\n2026-01-01,U1,1\n")
        .args(&["score", "r.csv", "--rubric", "rubric.yaml"])
        .run()
        .code(65);
    assert_eq!(
        out.stderr,
        "error: r.csv:1: missing required column \"indicator\" (指标/指标编号/指标代码/考核指标/扣分项目/测评指标/考核项目/扣分指标); columns found: 日期, 单位, 数量\n"
    );
}

#[test]
fn chinese_headers_bom_and_case_are_matched() {
    let csv = "\u{feff}检查日期, 责任单位 ,指标编号,问题数,STATUS\n2026-01-05,U1,P1,2,\n";
    let doc = hand()
        .file("r.csv", csv)
        .args(&[
            "score",
            "r.csv",
            "--rubric",
            "rubric.yaml",
            "--format",
            "json",
        ])
        .run()
        .ok()
        .json();
    // 2 × 0.5 = 1; R1 not held: 2.  20 − 3 = 17.
    assert_eq!(row(table(&doc, "month", "2026-01"), "U1")["score"], 17.0);
}

#[test]
fn gbk_and_utf8_give_the_same_output() {
    let utf8 = std::fs::read(data("examples/inspections.csv")).unwrap();
    let text = String::from_utf8(utf8.clone()).unwrap();
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable);
    let run = |bytes: &[u8]| {
        T::new()
            .file("in.csv", bytes)
            .args(&["score", "in.csv", "--all", "--format", "json", "-q"])
            .run()
            .ok()
            .stdout
    };
    assert_eq!(run(&utf8), run(&gbk));
}

#[test]
fn empty_and_header_only_inputs_are_errors() {
    let out = T::new()
        .file("e.csv", "")
        .args(&["score", "e.csv"])
        .run()
        .code(65);
    assert_eq!(
        out.stderr,
        "error: e.csv: the file is empty: a header row is required\n"
    );
    let out = T::new()
        .file("h.csv", "date,unit,indicator\n,,\n")
        .args(&["score", "h.csv"])
        .run()
        .code(65);
    assert_eq!(
        out.stderr,
        "error: h.csv: no records: there is nothing to score\n"
    );
}

#[test]
fn missing_file_and_folder_are_io_errors() {
    let out = T::new().args(&["score", "nope.csv"]).run().code(1);
    assert_eq!(out.stderr, "error: nope.csv: no such file\n");
    let t = T::new();
    std::fs::create_dir(t.path("dir")).unwrap();
    let out = t.args(&["score", "dir"]).run().code(1);
    assert_eq!(out.stderr, "error: dir: is a folder, not a file\n");
}

#[test]
fn binary_garbage_is_refused_without_panic() {
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let out = T::new()
        .file("g.csv", garbage)
        .args(&["score", "g.csv"])
        .run();
    assert!(out.code == 65 || out.code == 1, "{}", out.stderr);
    assert!(out.stderr.starts_with("error: "));
    assert!(!out.stderr.contains("panicked"));
}

#[test]
fn stdin_is_read_with_dash() {
    let csv = "date,unit,indicator\n2026-03-02,U1,R1\n";
    let doc = hand()
        .stdin(csv)
        .args(&[
            "score",
            "-",
            "--rubric",
            "rubric.yaml",
            "--format",
            "json",
            "-q",
        ])
        .run()
        .ok()
        .json();
    assert_eq!(row(table(&doc, "month", "2026-03"), "U1")["score"], 20.0);
}

#[test]
fn usage_errors_exit_2() {
    T::new().args(&["score"]).run().code(2);
    T::new().args(&["frobnicate"]).run().code(2);
    let out = hand()
        .args(&["score"])
        .args(HAND)
        .args(&["--period", "2026-13"])
        .run()
        .code(2);
    assert!(
        out.stderr
            .starts_with("error: cannot read period \"2026-13\""),
        "{}",
        out.stderr
    );
    let out = hand()
        .args(&["score"])
        .args(HAND)
        .args(&["--format", "pdf"])
        .run()
        .code(2);
    assert_eq!(
        out.stderr,
        "error: --format: unknown format \"pdf\": expected table, json, csv, md, xlsx or html\n"
    );
    let out = hand()
        .args(&["score"])
        .args(HAND)
        .args(&["--as-of", "2026-02-31"])
        .run()
        .code(2);
    assert!(out.stderr.contains("impossible date"), "{}", out.stderr);
}

#[test]
fn output_file_is_written_atomically_and_never_over_an_input() {
    let t = hand()
        .args(&["score"])
        .args(HAND)
        .args(&["-o", "scores.json"]);
    t.run().ok();
    let text = std::fs::read_to_string(t.path("scores.json")).unwrap();
    assert!(text.starts_with("{\n  \"civscore\": 1"));
    let leftovers: Vec<_> = std::fs::read_dir(t.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
    let out = hand()
        .args(&["score"])
        .args(HAND)
        .args(&["--format", "csv", "-o", "records.csv"])
        .run()
        .code(2);
    assert_eq!(
        out.stderr,
        "error: records.csv: the same file as records.csv, an input of this run: refusing to write over it\n"
    );
}

#[test]
fn rubric_errors_name_file_line_column_and_path() {
    let y = std::fs::read_to_string(data("tests/data/hand/rubric.yaml")).unwrap();
    let bad = y.replace("deduct: 0.5, overdue", "dedcut: 0.5, overdue");
    let out = T::new()
        .file("r.yaml", bad)
        .args(&["check", "r.yaml"])
        .run()
        .code(65);
    assert!(
        out.stderr.starts_with(
            "error: r.yaml:19:64: categories[0].indicators[0].dedcut: unknown key `dedcut` (did you mean `deduct`?); missing key `deduct`"
        ),
        "{}",
        out.stderr
    );
    let bad = y.replace("on_spot: 0.5}", "on_spot: 0.5, dedcut: 1}");
    let out = T::new()
        .file("r.yaml", bad)
        .args(&["check", "r.yaml"])
        .run()
        .code(65);
    assert!(
        out.stderr
            .contains("unknown key `dedcut` (did you mean `deduct`?)"),
        "{}",
        out.stderr
    );
    let out = T::new().args(&["check", "nope.yaml"]).run().code(1);
    assert!(
        out.stderr
            .starts_with("error: nope.yaml: no such file, and no built-in rubric")
    );
}

/// A rubric's names are shown inert by `check` as everywhere else: an escape sequence written
/// in a name, or carried by a YAML `!!binary` value (`G1sySkVWSUwbWzBt` is ESC[2JEVIL ESC[0m),
/// is printed as `\u{1b}`, never sent to the terminal (issue 16).
#[test]
fn check_shows_control_characters_escaped() {
    let rubric = "civscore: 1\nname: \"r\\e]8;;http://x\\a\"\nfull: 10\ncategories:\n  - code: A\n    name: a\n    indicators:\n      - {code: A1, name: !!binary G1sySkVWSUwbWzBt, points: 10, rule: per_finding, deduct: 1}\n";
    let out = T::new()
        .file("r.yaml", rubric)
        .args(&["check", "r.yaml"])
        .run()
        .ok();
    assert!(
        !out.stdout.contains('\u{1b}') && !out.stdout.contains('\u{7}'),
        "{:?}",
        out.stdout
    );
    assert!(
        out.stdout.starts_with("r\\u{1b}]8;;http://x\\u{7}\n"),
        "{:?}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("  A1  \\u{1b}[2JEVIL\\u{1b}[0m  10 pts"),
        "{:?}",
        out.stdout
    );
}

#[test]
fn check_prints_the_tree() {
    let out = hand().args(&["check", "rubric.yaml"]).run().ok();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines[0], "hand");
    assert!(lines.contains(&"  P1  litter  5 pts  per_finding: −0.5 per finding; overdue −0.5 more; repeat ×2; on the spot ×0.5"));
    assert!(lines.contains(
        &"  R2  volunteering  4 pts  required per quarter: at least 2, −1.5 per missing"
    ));
    assert_eq!(lines.last(), Some(&"5 categories, 8 indicators, 20 points"));
}

#[test]
fn check_describes_a_chinese_rubric_in_chinese() {
    for name in ["community", "city-management"] {
        let out = T::new().args(&["check", name]).run().ok().stdout;
        // The origin (builtin:NAME) and the digest are identifiers, not words.
        let text: String = out
            .replace(&format!("builtin:{name}"), "")
            .split_whitespace()
            .filter(|w| !w.starts_with("SHA-256"))
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            english_words(&text).is_empty(),
            "{name}: {:?}\n{out}",
            english_words(&text)
        );
    }
}

#[test]
fn builtin_rubrics_are_listed_and_shown() {
    let out = T::new().args(&["rubrics"]).run().ok();
    assert!(out.stdout.starts_with("community "));
    assert!(out.stdout.contains("city-management"));
    assert!(out.stdout.contains("school"));
    let out = T::new().args(&["rubrics", "show", "community"]).run().ok();
    assert!(out.stdout.contains("civscore: 1"));
    let out = T::new()
        .args(&["rubrics", "show", "comunity"])
        .run()
        .code(2);
    assert!(out.stderr.contains("did you mean \"community\"?"));
}

#[test]
fn the_bundled_example_scores_with_the_default_rubric() {
    let out = T::new()
        .copy("examples/inspections.csv", "inspections.csv")
        .args(&["score", "inspections.csv"])
        .run()
        .ok();
    assert!(
        out.stdout.starts_with("2026-11 月度排名\n"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("2026Q4 季度排名（暂定）"));
    let out = T::new()
        .copy("examples/inspections.csv", "inspections.csv")
        .copy("examples/units.csv", "units.csv")
        .args(&["validate", "inspections.csv", "--units", "units.csv"])
        .run()
        .ok();
    assert!(out.stdout.contains("all valid"), "{}", out.stdout);
}

#[test]
fn snapshots_of_every_format() {
    for format in ["table", "json", "csv", "md"] {
        let out = hand()
            .args(&["score"])
            .args(HAND)
            .args(&["--all", "--format", format])
            .run()
            .ok();
        insta::assert_snapshot!(format!("hand_all_{format}"), out.stdout);
    }
    let out = hand()
        .args(&["score"])
        .args(HAND)
        .args(&["--lang", "zh", "--bom", "--format", "csv"])
        .run()
        .ok();
    assert!(out.stdout.starts_with('\u{feff}'));
    let out = hand()
        .args(&["score"])
        .args(HAND)
        .args(&["--lang", "zh"])
        .run()
        .ok();
    insta::assert_snapshot!("hand_latest_zh", out.stdout);
}

#[test]
fn snapshot_of_the_example_and_the_default_rubric() {
    let out = T::new()
        .copy("examples/inspections.csv", "inspections.csv")
        .copy("examples/units.csv", "units.csv")
        .args(&[
            "score",
            "inspections.csv",
            "--units",
            "units.csv",
            "--all",
            "--format",
            "md",
            "-q",
        ])
        .run()
        .ok();
    insta::assert_snapshot!("example_all_md", out.stdout);
    let out = T::new().args(&["check"]).run().ok();
    insta::assert_snapshot!("check_community", out.stdout);
}

#[test]
fn formula_looking_names_stay_text_in_csv() {
    let out = hand()
        .file("u.csv", "code,name\n=1+1,@SUM(A1)\nU2,-x\n")
        .file(
            "r.csv",
            "date,unit,indicator\n2026-01-05,=1+1,R1\n2026-01-05,U2,R1\n",
        )
        .args(&[
            "score",
            "r.csv",
            "--rubric",
            "rubric.yaml",
            "--units",
            "u.csv",
            "--format",
            "csv",
        ])
        .run()
        .ok();
    assert!(out.stdout.contains(",'=1+1,'@SUM(A1),"), "{}", out.stdout);
    assert!(out.stdout.contains(",U2,'-x,"), "{}", out.stdout);
}

/// Writes CSV text as a workbook: numbers as numeric cells, ISO dates as date cells.
fn xlsx_from_csv(csv_text: &str, path: &Path, sheet: &str) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet).unwrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (r, line) in csv_text.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            let (r, c) = (r as u32, c as u16);
            if cell.is_empty() {
                continue;
            }
            let ymd: Vec<&str> = cell.split('-').collect();
            if ymd.len() == 3 && ymd[0].len() == 4 && ymd.iter().all(|p| p.parse::<u16>().is_ok()) {
                let dt = ExcelDateTime::from_ymd(
                    ymd[0].parse().unwrap(),
                    ymd[1].parse().unwrap(),
                    ymd[2].parse().unwrap(),
                )
                .unwrap();
                ws.write_datetime_with_format(r, c, &dt, &date).unwrap();
            } else if let Ok(n) = cell.parse::<f64>() {
                ws.write_number(r, c, n).unwrap();
            } else {
                ws.write_string(r, c, cell).unwrap();
            }
        }
    }
    book.save(path).unwrap();
}

#[test]
fn xlsx_gives_the_same_output_as_csv() {
    let csv_text = std::fs::read_to_string(data("tests/data/hand/records.csv")).unwrap();
    let t = hand();
    xlsx_from_csv(&csv_text, &t.path("records.xlsx"), "检查记录");
    let from_csv = hand()
        .args(&["score"])
        .args(HAND)
        .args(&["--all", "--format", "json"])
        .run()
        .ok()
        .stdout;
    let t = t
        .args(&[
            "score",
            "records.xlsx",
            "--rubric",
            "rubric.yaml",
            "--units",
            "units.csv",
        ])
        .args(&["--all", "--format", "json"]);
    assert_eq!(t.run().ok().stdout, from_csv);
}

#[test]
fn xlsx_errors_name_the_sheet_and_row_and_sheet_can_be_chosen() {
    let t = hand();
    xlsx_from_csv(
        "date,unit,indicator,count\n2026-01-05,U1,P1,2\n2026-01-06,U1,P1,2.5\n",
        &t.path("b.xlsx"),
        "一月",
    );
    let out = t
        .args(&["score", "b.xlsx", "--rubric", "rubric.yaml"])
        .run()
        .code(65);
    assert!(
        out.stderr.starts_with(
            "error: b.xlsx[一月]:3: column \"count\": expected a whole number ≥ 0, found \"2.5\"\n"
        ),
        "{}",
        out.stderr
    );
    let t = hand();
    xlsx_from_csv(
        "date,unit,indicator\n2026-01-05,U1,R1\n",
        &t.path("b.xlsx"),
        "一月",
    );
    let out = t
        .args(&[
            "score",
            "b.xlsx",
            "--rubric",
            "rubric.yaml",
            "--sheet",
            "二月",
        ])
        .run()
        .code(2);
    assert_eq!(
        out.stderr,
        "error: --sheet: b.xlsx has no sheet \"二月\" (sheets: 一月)\n"
    );
}

#[test]
fn several_inputs_of_different_kinds_add_up() {
    let t = hand();
    xlsx_from_csv(
        "date,unit,indicator,count\n2026-01-05,U1,P1,2\n",
        &t.path("a.xlsx"),
        "Sheet1",
    );
    let doc = t
        .file("b.tsv", "date\tunit\tindicator\n2026-01-06\tU1\tP1\n")
        .args(&[
            "score",
            "a.xlsx",
            "b.tsv",
            "--rubric",
            "rubric.yaml",
            "--format",
            "json",
            "-q",
        ])
        .run()
        .ok()
        .json();
    // 3 findings × 0.5 = 1.5; R1 not held: 2.  20 − 3.5 = 16.5.
    assert_eq!(row(table(&doc, "month", "2026-01"), "U1")["score"], 16.5);
    assert_eq!(doc["records"]["read"], 2);
}

/// Runs every file of a corpus folder and compares stderr (and the exit code, on the first
/// line of the `.err` file) with what is expected. `CIVSCORE_BLESS=1` rewrites the expectations.
fn corpus(folder: &str, args_for: impl Fn(&str) -> Vec<String>) {
    let dir = data(folder);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".err"))
        .collect();
    names.sort();
    assert!(!names.is_empty());
    let bless = std::env::var_os("CIVSCORE_BLESS").is_some();
    for name in names {
        let out = civscore_cmd()
            .args(args_for(&name))
            .current_dir(&dir)
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("LANG")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        let got = format!("exit {}\n{stderr}", out.status.code().unwrap_or(-1));
        let expected_path = dir.join(format!("{name}.err"));
        if bless {
            std::fs::write(&expected_path, &got).unwrap();
        }
        let want =
            std::fs::read_to_string(&expected_path).unwrap_or_else(|_| panic!("no {name}.err"));
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn corpus_of_bad_record_files() {
    corpus("tests/data/bad/records", |name| {
        [
            "validate",
            name,
            "--rubric",
            "../../hand/rubric.yaml",
            "--units",
            "../../hand/units.csv",
        ]
        .map(String::from)
        .to_vec()
    });
}

#[test]
fn corpus_of_bad_rubrics() {
    corpus("tests/data/bad/rubrics", |name| {
        ["check", name].map(String::from).to_vec()
    });
}

#[test]
fn explain_reconciles_with_score_for_every_unit_and_period() {
    let t = T::new()
        .copy("examples/inspections.csv", "inspections.csv")
        .copy("examples/units.csv", "units.csv");
    let base = [
        "inspections.csv",
        "--units",
        "units.csv",
        "--all",
        "--format",
        "json",
        "-q",
    ];
    let scores = T::new()
        .copy("examples/inspections.csv", "inspections.csv")
        .copy("examples/units.csv", "units.csv")
        .args(&["score"])
        .args(&base)
        .run()
        .ok()
        .json();
    for unit in ["U01", "U04", "U07", "U09", "U11"] {
        let out = civscore_cmd()
            .args(["explain", "--unit", unit])
            .args(base)
            .current_dir(t.dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let list: Value = serde_json::from_slice(&out.stdout).unwrap();
        for e in list.as_array().unwrap() {
            let kind = e["kind"].as_str().unwrap();
            let period = e["period"].as_str().unwrap();
            let r = row(table(&scores, kind, period), unit);
            assert_eq!(e["score"], r["score"], "{unit} {kind} {period}");
            assert_eq!(e["deducted"], r["deducted"], "{unit} {kind} {period}");
            assert_eq!(e["vetoed"], r["vetoed"], "{unit} {kind} {period}");
            let entries = e["entries"].as_array().unwrap();
            let last = entries.last().unwrap();
            assert_eq!(last["type"], "total");
            assert_eq!(last["value"], r["score"]);
            if kind == "year" {
                // The quarters carry the rubric's weights (Q1–Q3 20, Q4 0 beside the year-end
                // assessment, final 40, pending in a provisional year) and their weighted
                // mean is the one shown: Σ weight × part ÷ Σ weight.
                let parts: Vec<(f64, f64)> = entries
                    .iter()
                    .filter(|x| {
                        x["type"] == "part" && x["detail"].as_str().unwrap().starts_with('Q')
                    })
                    .map(|x| {
                        let d = x["detail"].as_str().unwrap();
                        let w = d.rsplit(' ').next().unwrap().parse::<f64>().unwrap();
                        (w, x["value"].as_f64().unwrap())
                    })
                    .collect();
                let weights: Vec<f64> = parts.iter().map(|p| p.0).collect();
                assert_eq!(weights, [20.0, 20.0, 20.0, 0.0], "{unit}");
                let mean = parts.iter().map(|(w, v)| w * v).sum::<f64>() / 60.0;
                let shown = entries.iter().find(|x| x["type"] == "mean").unwrap();
                let shown = shown["value"].as_f64().unwrap();
                assert!((mean - shown).abs() <= 0.011, "{unit}: {mean} vs {shown}");
            }
        }
    }
}

#[test]
fn explain_shows_every_factor() {
    let out = hand()
        .args(&["explain"])
        .args(HAND)
        .args(&[
            "--unit",
            "迎春社区",
            "--period",
            "2026-01",
            "--format",
            "json",
        ])
        .run()
        .ok();
    let list = out.json();
    // Like `score`, a month comes with its quarter to date.
    assert_eq!(list[1]["period"], "2026Q1");
    let doc = &list[0];
    let entries = doc["entries"].as_array().unwrap();
    let first = &entries[0];
    // 2 × 0.5 × 2 (暗访) = 2
    assert_eq!(first["file"], "records.csv");
    assert_eq!(first["line"], 2);
    assert_eq!(first["weight"], 2.0);
    assert_eq!(first["deduction"], 2.0);
    // 1 × 0.5 = 0.5, rectified 5 days late (deadline 01-10, rectified 01-15)
    assert_eq!(entries[1]["overdue_days"], 5);
    assert_eq!(entries[1]["deduction"], 0.5);
    // ... and its overdue extra 1 × 0.5 = 0.5 booked in the month it became late (01-11, SPEC
    // §7.13), an entry of its own naming the record and its date.
    let late = entries
        .iter()
        .find(|e| e.get("late_from").is_some())
        .unwrap();
    assert_eq!(late["line"], 3);
    assert_eq!(late["date"], "2026-01-06");
    assert_eq!(late["late_from"], "2026-01-11");
    assert_eq!(late["deduction"], 0.5);
    assert_eq!(doc["score"], 16.0);
    insta::assert_snapshot!(
        "explain_hand_u1_table",
        hand()
            .args(&["explain"])
            .args(HAND)
            .args(&["--unit", "U1", "--all"])
            .run()
            .ok()
            .stdout
    );
    let out = hand()
        .args(&["explain"])
        .args(HAND)
        .args(&["--unit", "U7"])
        .run()
        .code(2);
    assert_eq!(
        out.stderr,
        "error: --unit: no unit \"U7\" (did you mean \"U1\"?)\n"
    );
}

fn read_sheets(path: &Path) -> Vec<(String, Vec<Vec<calamine::Data>>)> {
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(path).unwrap();
    book.sheet_names()
        .into_iter()
        .map(|n| {
            let range = book.worksheet_range(&n).unwrap();
            let rows = range.rows().map(|r| r.to_vec()).collect();
            (n, rows)
        })
        .collect()
}

/// A report's sheets without their title block: each begins with its title line (what it is,
/// the rubric and the as-of date) and a blank row, then its table.
fn report_sheets(path: &Path) -> Vec<(String, Vec<Vec<calamine::Data>>)> {
    read_sheets(path)
        .into_iter()
        .map(|(name, rows)| {
            let title = rows[0][0].to_string();
            assert!(
                title.contains(" | ") || title.contains('｜'),
                "{name}: {title}"
            );
            assert!(rows[1].iter().all(|c| c.to_string().is_empty()), "{name}");
            (name, rows[2..].to_vec())
        })
        .collect()
}

fn cell_f64(c: &calamine::Data) -> Option<f64> {
    match c {
        calamine::Data::Float(f) => Some(*f),
        calamine::Data::Int(i) => Some(*i as f64),
        _ => None,
    }
}

#[test]
fn report_workbook_matches_score() {
    let t = T::new()
        .copy("examples/inspections.csv", "inspections.csv")
        .copy("examples/units.csv", "units.csv")
        .args(&[
            "report",
            "inspections.csv",
            "--units",
            "units.csv",
            "-o",
            "2026-11.xlsx",
            "-q",
        ]);
    t.run().ok();
    let scores = T::new()
        .copy("examples/inspections.csv", "inspections.csv")
        .copy("examples/units.csv", "units.csv")
        .args(&[
            "score",
            "inspections.csv",
            "--units",
            "units.csv",
            "--format",
            "json",
            "-q",
        ])
        .run()
        .ok()
        .json();
    let sheets = report_sheets(&t.path("2026-11.xlsx"));
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "月度排名 2026-11",
            "季度累计 2026Q4（暂定）",
            "半年累计 2026H2（暂定）",
            "年度累计 2026（暂定）",
            "得分走势",
            "扣分明细 2026-11",
            "督办单",
            "成绩单 2026-11",
            "核对 2026-11",
            "扣分统计 2026-11",
            "分项得分 2026-11",
            "红黑榜",
            "考核细则"
        ]
    );
    for (sheet, kind, period) in [(0, "month", "2026-11"), (1, "quarter", "2026Q4")] {
        let rows = &sheets[sheet].1;
        let head: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
        let unit_col = head.iter().position(|h| h == "单位").unwrap();
        let score_col = head.iter().position(|h| h == "得分").unwrap();
        let want = table(&scores, kind, period)["rows"].as_array().unwrap();
        assert_eq!(rows.len(), want.len() + 2, "header + units + average");
        for (row, w) in rows[1..].iter().zip(want) {
            assert_eq!(row[unit_col].to_string(), w["unit"].as_str().unwrap());
            assert_eq!(cell_f64(&row[score_col]), w["score"].as_f64());
            assert_eq!(cell_f64(&row[0]), w["rank"].as_f64());
        }
        let avg = rows.last().unwrap();
        assert_eq!(avg[unit_col].to_string(), "平均分");
        assert_eq!(
            cell_f64(&avg[score_col]),
            table(&scores, kind, period)["average"].as_f64()
        );
    }
    // The half-year to date (SPEC §7.4) between the quarter and the year: score's 2026H2.
    let half = T::new()
        .copy("examples/inspections.csv", "inspections.csv")
        .copy("examples/units.csv", "units.csv")
        .args(&[
            "score",
            "inspections.csv",
            "--units",
            "units.csv",
            "--period",
            "2026H2",
            "--format",
            "json",
            "-q",
        ])
        .run()
        .ok()
        .json();
    let rows = &sheets[2].1;
    let head: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    let (uc, sc) = (
        head.iter().position(|h| h == "单位").unwrap(),
        head.iter().position(|h| h == "得分").unwrap(),
    );
    let want = table(&half, "half", "2026H2")["rows"].as_array().unwrap();
    assert_eq!(rows.len(), want.len() + 2);
    for (row, w) in rows[1..].iter().zip(want) {
        assert_eq!(row[uc].to_string(), w["unit"].as_str().unwrap());
        assert_eq!(cell_f64(&row[sc]), w["score"].as_f64());
    }
    // The ledger lists every record of the month.
    let in_month = std::fs::read_to_string(data("examples/inspections.csv"))
        .unwrap()
        .lines()
        .filter(|l| {
            l.starts_with("2026-11") || l.starts_with("2026/11") || l.starts_with("2026年11月")
        })
        .count();
    // (Its lines that are not records, caps and the like, have no place.)
    let records = sheets[5].1.iter().filter(|r| !r[0].to_string().is_empty());
    assert_eq!(records.count(), in_month + 1);
    // 分项得分 (SPEC §7.7): the month's table first, each category's score as score's JSON
    // gives it (e.g. 东风社区 E 12.41 = 15 − 2.59).
    let cats = &sheets[10].1;
    assert_eq!(cats[0][0].to_string(), "月度排名 2026-11");
    let head: Vec<String> = cats[1].iter().map(|c| c.to_string()).collect();
    let unit_col = head.iter().position(|h| h == "单位").unwrap();
    let want = table(&scores, "month", "2026-11")["rows"]
        .as_array()
        .unwrap();
    let mut seen = 0;
    for (row, w) in cats[2..].iter().zip(want) {
        assert_eq!(row[unit_col].to_string(), w["unit"].as_str().unwrap());
        for (code, fig) in w["categories"].as_object().unwrap() {
            let c = head
                .iter()
                .position(|h| h.starts_with(&format!("{code} ")))
                .unwrap();
            assert_eq!(cell_f64(&row[c]), fig["score"].as_f64(), "{code}");
            seen += 1;
        }
    }
    assert!(seen >= 6 * 12, "{seen}");
    // The quarter and the year to date follow.
    let titles: Vec<String> = cats.iter().map(|r| r[0].to_string()).collect();
    assert!(
        titles.iter().any(|t| t == "季度累计 2026Q4（暂定）"),
        "{titles:?}"
    );
    assert!(
        titles.iter().any(|t| t == "年度累计 2026（暂定）"),
        "{titles:?}"
    );
    // The rubric sheet carries the SHA-256 of the rubric used.
    let sha = scores["rubric"]["sha256"].as_str().unwrap();
    assert!(sheets[12].1.iter().any(|r| {
        r.iter()
            .any(|c| matches!(c, calamine::Data::String(s) if s == sha))
    }));
}

/// Text as the bulletin shows it: HTML-escaped.
fn escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[test]
fn report_bulletin_is_one_safe_page_with_score_s_numbers() {
    // The bundled example, plus a unit whose name is markup.
    let mut input = std::fs::read_to_string(data("examples/inspections.csv")).unwrap();
    input.push_str("2026-11-30,<script>alert(1)</script>,D2,1,,,,,,,,,\n");
    let scores = T::new()
        .file("in.csv", &input)
        .args(&["score", "in.csv", "--format", "json", "-q"])
        .run()
        .ok()
        .json();
    let month = table(&scores, "month", "2026-11");
    let rows = month["rows"].as_array().unwrap();
    for (lang, words) in [
        ("zh", ["考核通报", "一、排名及红黑榜", "lang=\"zh-CN\""]),
        ("en", ["bulletin for 2026-11", "Rankings", "lang=\"en\""]),
    ] {
        let t = T::new().file("in.csv", &input).args(&[
            "report",
            "in.csv",
            "--lang",
            lang,
            "-o",
            "2026-11.html",
            "-q",
        ]);
        t.run().ok();
        let html = std::fs::read_to_string(t.path("2026-11.html")).unwrap();
        for w in words {
            assert!(html.contains(w), "{lang}: {w}");
        }
        // Self-contained: nothing fetched, nothing run.
        let lower = html.to_lowercase();
        for banned in [
            "http://", "https://", "<script", "src=", "href=", "url(", "@import",
        ] {
            assert!(!lower.contains(banned), "{lang}: {banned}");
        }
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        // The month ranking (the first table) in rank order, each unit with score's score.
        let start = html.find("<table>").unwrap();
        let end = start + html[start..].find("</table>").unwrap();
        let ranking = &html[start..end];
        let mut at = 0;
        for r in rows {
            let unit = format!("<td>{}</td>", escaped(r["unit"].as_str().unwrap()));
            let found = ranking[at..]
                .find(&unit)
                .unwrap_or_else(|| panic!("{unit}"));
            at += found + unit.len();
            let row_end = at + ranking[at..].find("</tr>").unwrap();
            let score = format!("<td class=\"n\">{:.2}</td>", r["score"].as_f64().unwrap());
            assert!(ranking[at..row_end].contains(&score), "{unit} {score}");
        }
        // 分项扣分 (after the month's table, the red and black lists, the quarter's, the
        // half-year's and the year's): each unit's categories add up to its 扣分 (the sixth
        // column).
        let cats = html.split("<table>").nth(6).unwrap();
        let cats = &cats[..cats.find("</table>").unwrap()];
        let mut units = 0;
        for tr in cats.split("<tr>").skip(2) {
            let cells: Vec<&str> = tr
                .split("<td")
                .skip(1)
                .map(|c| c[c.find('>').unwrap() + 1..c.find("</td>").unwrap()].trim())
                .collect();
            let cents = |c: &str| -> i64 { c.replace('.', "").parse().unwrap() };
            let sum: i64 = cells[6..].iter().map(|c| cents(c)).sum();
            // Each category rounded to cents: at most half a cent off each.
            assert!(
                (sum - cents(cells[5])).abs() <= cells[6..].len() as i64 / 2,
                "{cells:?}"
            );
            units += 1;
        }
        assert_eq!(units, rows.len());
        // The opening paragraph's average, and the rubric's SHA-256 at the end.
        let average = format!("{:.2}", month["average"].as_f64().unwrap());
        let summary = &html[html.find("class=\"summary\"").unwrap()..start];
        assert!(summary.contains(&average), "{average}");
        assert!(html.contains(scores["rubric"]["sha256"].as_str().unwrap()));
        assert!(html.contains("<svg") && html.contains("<polyline"));
    }
    // Judged before the month's end, the month is provisional: so says the title.
    let t = T::new().file("in.csv", &input).args(&[
        "report",
        "in.csv",
        "--as-of",
        "2026-11-20",
        "-o",
        "b.html",
        "-q",
    ]);
    t.run().ok();
    let html = std::fs::read_to_string(t.path("b.html")).unwrap();
    assert!(html.contains("数据截至 2026-11-20（暂定）"));
    // --format html without -o: MONTH.html; a .html name is the bulletin too.
    let t = T::new()
        .file("in.csv", &input)
        .args(&["report", "in.csv", "--format", "html", "-q"]);
    t.run().ok();
    assert!(
        std::fs::read_to_string(t.path("2026-11.html"))
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );
}

#[test]
fn a_report_holds_more_units_than_a_sheet_has_columns() {
    // Excel has 16,384 columns: the trend sheet puts units in rows, so 16,400 units fit.
    let mut csv = String::from("date,unit,indicator\n");
    for i in 0..16_400 {
        csv.push_str(&format!("2026-11-0{},U{i:05},D1\n", 1 + i % 9));
    }
    let t = T::new()
        .file("r.csv", csv)
        .args(&["report", "r.csv", "-o", "r.xlsx", "-q"]);
    t.run().ok();
    let sheets = report_sheets(&t.path("r.xlsx"));
    let trend = &sheets.iter().find(|(n, _)| n == "得分走势").unwrap().1;
    assert_eq!(trend.len(), 16_401, "header + one row per unit");
    assert_eq!(trend[1][0].to_string(), "U00000");
}

/// The XML of a part of a workbook (`xl/worksheets/sheet1.xml`, `xl/styles.xml`).
fn workbook_xml(path: &Path, part: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut xml = String::new();
    zip.by_name(part).unwrap().read_to_string(&mut xml).unwrap();
    xml
}

fn first_sheet_xml(path: &Path) -> String {
    workbook_xml(path, "xl/worksheets/sheet1.xml")
}

#[test]
fn workbooks_print_as_publications_with_grades_coloured() {
    for args in [
        &["report", "in.csv", "-o", "r.xlsx", "-q"][..],
        &["score", "in.csv", "-o", "r.xlsx", "-q"],
    ] {
        let t = T::new()
            .copy("examples/inspections.csv", "in.csv")
            .args(args);
        t.run().ok();
        let xml = first_sheet_xml(&t.path("r.xlsx"));
        // A4, one page wide, the header row on every page, a page-numbered footer.
        assert!(xml.contains("paperSize=\"9\""), "{args:?}");
        assert!(
            xml.contains("fitToPage=\"1\"") && xml.contains("fitToHeight=\"0\""),
            "{args:?}"
        );
        assert!(xml.contains("第 &amp;P 页 共 &amp;N 页"), "{args:?}");
        // Grades coloured by a rule (it follows the cells when sorted), not by cell formats.
        assert!(xml.contains("<conditionalFormatting"), "{args:?}");
        assert!(xml.contains("<formula>\"优秀\"</formula>"), "{args:?}");
        // Rank changes read ↑8 / ↓3 / – and score changes +7.45 while staying numbers.
        let styles = workbook_xml(&t.path("r.xlsx"), "xl/styles.xml");
        assert!(
            styles.contains("&quot;↑&quot;0;[Red]&quot;↓&quot;0;&quot;–&quot;"),
            "{args:?}"
        );
        assert!(styles.contains("+0.00;-0.00;0.00"), "{args:?}");
    }
}

#[test]
fn report_overdue_levels_and_lists() {
    let t = hand().args(&["report"]).args(HAND).args(&[
        "--period",
        "2026-02",
        "--as-of",
        "2026-03-10",
        "--top",
        "1",
        "--lang",
        "en",
        "-o",
        "r.xlsx",
    ]);
    t.run().ok();
    let sheets = report_sheets(&t.path("r.xlsx"));
    let overdue = &sheets.iter().find(|(n, _)| n == "Overdue list").unwrap().1;
    // One notice, U2's: its title, its opening sentence, the header, its one item, where to sign.
    // Record 20 (U2, deadline 2026-02-20, still open): 18 days late on 2026-03-10 → red (> 15).
    assert_eq!(
        overdue[0][0].to_string(),
        "Rectification notice | U2 新明社区"
    );
    assert_eq!(overdue[2][0].to_string(), "Id");
    assert_eq!(overdue[2][7].to_string(), "Requirement");
    let item = &overdue[3];
    assert_eq!(item[0].to_string(), "20");
    assert_eq!(cell_f64(&item[5]), Some(18.0));
    assert_eq!(item[6].to_string(), "red");
    assert_eq!(overdue[5][0].to_string(), "Received by (signature):");
    assert_eq!(overdue.len(), 6, "{overdue:?}");
    // Its level coloured by a conditional format, and a page break after the notice.
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    let k = names.iter().position(|n| *n == "Overdue list").unwrap();
    let xml = workbook_xml(
        &t.path("r.xlsx"),
        &format!("xl/worksheets/sheet{}.xml", k + 1),
    );
    assert!(xml.contains("<conditionalFormatting sqref=\"G4:G"), "{xml}");
    assert!(xml.contains("<rowBreaks count=\"1\""), "{xml}");
    assert!(xml.contains("<formula>\"red\"</formula>"), "{xml}");
    // The ledger names each record's id and inspector; 扣分统计 counts findings of
    // per-finding indicators only (not activities held or measurements).
    let ledger = &sheets
        .iter()
        .find(|(n, _)| n.starts_with("Ledger"))
        .unwrap()
        .1;
    assert_eq!(ledger[0][1].to_string(), "Id");
    assert_eq!(ledger[0][14].to_string(), "Inspector");
    let stats = &sheets
        .iter()
        .find(|(n, _)| n.starts_with("Deductions"))
        .unwrap()
        .1;
    let per_ind: Vec<(String, String)> = stats
        .iter()
        .skip_while(|r| r[0] != "Indicator")
        .skip(1)
        .map(|r| (r[0].to_string(), r[4].to_string()))
        .collect();
    assert!(!per_ind.is_empty());
    for (code, findings) in &per_ind {
        let per_finding = code.starts_with('P');
        assert_eq!(!findings.is_empty(), per_finding, "{code}: {findings}");
    }
    let lists = &sheets
        .iter()
        .find(|(n, _)| n == "Red and black lists")
        .unwrap()
        .1;
    let got: Vec<(String, String)> = lists[1..]
        .iter()
        .map(|r| (r[0].to_string(), r[2].to_string()))
        .collect();
    // Red: the best non-vetoed (U1); black (SPEC §7.10): the vetoed U2 first, then the worst
    // non-vetoed below the top grade (U3).
    assert_eq!(
        got,
        [
            ("red".into(), "U1".into()),
            ("black".into(), "U2".into()),
            ("black".into(), "U3".into())
        ]
    );
    let out = hand()
        .args(&["report"])
        .args(HAND)
        .args(&["--period", "2026Q1", "-o", "r.xlsx"])
        .run()
        .code(2);
    assert!(
        out.stderr.contains("a report is made for a month"),
        "{}",
        out.stderr
    );
}

#[test]
fn score_and_explain_write_workbooks() {
    let t = hand()
        .args(&["score"])
        .args(HAND)
        .args(&["--all", "-o", "all.xlsx"]);
    t.run().ok();
    let sheets = read_sheets(&t.path("all.xlsx"));
    // Month, quarter, half-year (SPEC §7.4) and year.
    assert_eq!(sheets.len(), 5);
    assert_eq!(sheets[0].0, "Month 2026-01");
    let out = hand()
        .args(&["score"])
        .args(HAND)
        .args(&["--format", "xlsx"])
        .run()
        .code(2);
    assert_eq!(
        out.stderr,
        "error: a workbook is written to a file: give -o FILE.xlsx\n"
    );
    let t = hand()
        .args(&["explain"])
        .args(HAND)
        .args(&["--unit", "U1", "-o", "u1.xlsx"]);
    t.run().ok();
    assert_eq!(read_sheets(&t.path("u1.xlsx")).len(), 2);
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = T::new().args(&["completions", shell]).run().ok();
        assert!(out.stdout.contains("civscore"), "{shell}");
        assert!(out.stdout.contains("explain"), "{shell}");
    }
    T::new().args(&["completions", "tcsh"]).run().code(2);
    let out = T::new().args(&["man"]).run().ok();
    assert!(
        out.stdout.contains(".TH civscore 1"),
        "{}",
        &out.stdout[..200]
    );
    for sub in [
        "CIVSCORE SCORE",
        "CIVSCORE EXPLAIN",
        "CIVSCORE REPORT",
        "CIVSCORE CHECK",
    ] {
        assert!(out.stdout.contains(sub), "{sub}");
    }
    let out = T::new().args(&["--version"]).run().ok();
    assert_eq!(
        out.stdout,
        format!("civscore {}\n", env!("CARGO_PKG_VERSION"))
    );
    let out = T::new().args(&["score", "--help"]).run().ok();
    assert!(
        out.stdout
            .contains("Examples:\n  civscore score examples/inspections.csv")
    );
}

#[test]
fn colour_follows_the_terminal_and_the_environment() {
    let score = || hand().args(&["score"]).args(HAND);
    let run = |t: T| t.run().ok().stdout;
    assert!(
        !run(score()).contains('\x1b'),
        "piped output has no escape codes"
    );
    assert!(run(score().args(&["--color", "always"])).contains("\x1b["));
    assert!(run(score().env("CLICOLOR_FORCE", "1")).contains("\x1b["));
    assert!(!run(score().env("NO_COLOR", "1")).contains('\x1b'));
    assert!(
        !run(score()
            .args(&["--color", "never"])
            .env("CLICOLOR_FORCE", "1"))
        .contains('\x1b')
    );
    hand()
        .args(&["score"])
        .args(HAND)
        .args(&["--color", "sometimes"])
        .run()
        .code(2);
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let t = T::new().copy("examples/inspections.csv", "inspections.csv");
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "'{}' score inspections.csv --all --format json -q | head -c 100 >/dev/null; exit ${{PIPESTATUS[0]}}",
            env!("CARGO_BIN_EXE_civscore")
        ))
        .current_dir(t.dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn init_scaffolds_a_folder_that_runs_and_never_overwrites() {
    let t = T::new().args(&["init", "office", "--rubric", "school"]);
    let out = t.run().ok();
    assert!(
        out.stdout.starts_with("created in office:"),
        "{}",
        out.stdout
    );
    let dir = t.path("office");
    for f in [
        "rubric.yaml",
        "civscore.toml",
        "units.csv",
        "template.csv",
        "monthly.sh",
        "example/units.csv",
        "example/inspections.csv",
    ] {
        assert!(dir.join(f).is_file(), "{f}");
    }
    // The templates are headers only: nothing of them can ever be scored.
    let units = std::fs::read_to_string(dir.join("units.csv")).unwrap();
    assert_eq!(
        units,
        "\u{feff}编号,名称,类别,不适用,别名,曾用名,起始月份,截止月份,并入\r\n"
    );
    let template = std::fs::read_to_string(dir.join("template.csv")).unwrap();
    assert_eq!(template.lines().count(), 1, "{template}");
    assert_eq!(
        std::fs::read_to_string(dir.join("rubric.yaml")).unwrap(),
        std::fs::read_to_string(data("rubrics/school.yaml")).unwrap()
    );
    // The monthly run as cron starts it: a bare PATH, no terminal, civscore found by $CIVSCORE.
    let monthly = || {
        Command::new("sh")
            .arg("monthly.sh")
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", dir.join("nohome"))
            .env("CIVSCORE", env!("CARGO_BIN_EXE_civscore"))
            .env("CIVSCORE_TODAY", "2026-12-03")
            .current_dir(&dir)
            .output()
            .unwrap()
    };
    // Before November's files are there, the run refuses (exit 1) and says why, in the log too.
    let run = monthly();
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("monthly.sh: score failed"), "{stderr}");
    assert!(stderr.contains("2026-11"), "{stderr}");
    // With the roster and November's records in place (the example's), it ranks and publishes.
    std::fs::copy(dir.join("example/units.csv"), dir.join("units.csv")).unwrap();
    std::fs::create_dir_all(dir.join("records/2026-11")).unwrap();
    std::fs::copy(
        dir.join("example/inspections.csv"),
        dir.join("records/2026-11/office.csv"),
    )
    .unwrap();
    let run = monthly();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("示例社区一"), "{stdout}");
    assert!(dir.join("reports/2026-11.xlsx").is_file());
    let log = std::fs::read_to_string(dir.join("logs/monthly.log")).unwrap();
    assert!(log.contains("reports/2026-11.xlsx"), "{log}");
    // A second init refuses, and writes nothing.
    let before = std::fs::read_to_string(dir.join("civscore.toml")).unwrap();
    let again = T {
        dir: t.dir,
        args: vec!["init".into(), "office".into()],
        stdin: None,
        env: Vec::new(),
    };
    let out = again.run().code(1);
    assert!(
        out.stderr
            .contains("nothing was written (civscore init never overwrites)"),
        "{}",
        out.stderr
    );
    assert_eq!(
        before,
        std::fs::read_to_string(again.path("office/civscore.toml")).unwrap()
    );
}

#[test]
fn the_project_file_is_found_upward_and_flags_override_it() {
    let toml = "rubric = \"rubric.yaml\"\nunits = \"units.csv\"\nlang = \"zh\"\noutput_dir = \"out\"\n[report]\ntop = 2\n";
    let t = hand()
        .file("civscore.toml", toml)
        .file("sub/deeper/.keep", "");
    let sub = t.path("sub/deeper");
    let run = |args: &[&str]| {
        let out = civscore_cmd()
            .args(args)
            .current_dir(&sub)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // The file says lang = "zh": config speaks Chinese.
    let (code, stdout, stderr) = run(&["config"]);
    assert_eq!(code, Some(0), "{stderr}");
    let file = t.path("civscore.toml").canonicalize().unwrap();
    assert!(
        stdout.contains(&format!("项目文件：{}", file.display())),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("report.top") && l.contains(" 2 ")),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("report.red") && l.ends_with("(默认)")),
        "{stdout}"
    );
    assert!(stdout.lines().any(|l| l.starts_with("jobs ")), "{stdout}");
    let (_, stdout, _) = run(&["config", "--rubric", "school"]);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("rubric") && l.contains("school") && l.ends_with("(命令行)")),
        "{stdout}"
    );
    // The rubric, roster and language come from the file: the hand rubric scores the records.
    let records = t.path("records.csv").display().to_string();
    let (code, stdout, stderr) = run(&["score", &records, "--format", "json"]);
    assert_eq!(code, Some(0), "{stderr}");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["rubric"]["name"], "hand");
    assert_eq!(
        row(table(&doc, "month", "2026-02"), "U1")["name"],
        "迎春社区"
    );
    let (_, stdout, _) = run(&["score", &records]);
    assert!(stdout.starts_with("2026-02 月度排名"), "{stdout}");
    let (_, stdout, _) = run(&["score", &records, "--lang", "en"]);
    assert!(stdout.starts_with("Month 2026-02"), "{stdout}");
    // report writes MONTH.xlsx into output_dir.
    let (code, _, stderr) = run(&["report", &records, "-q"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(t.path("out/2026-02.xlsx").is_file());
    // A broken project file is an error that names it.
    let t2 = T::new()
        .file("civscore.toml", "rubrc = \"x\"\n")
        .args(&["config"]);
    let out = t2.run().code(65);
    assert!(
        out.stderr.starts_with("error: ")
            && out
                .stderr
                .contains("civscore.toml:1: unknown field `rubrc`"),
        "{}",
        out.stderr
    );
}

#[test]
fn compare_shows_what_a_revision_changes() {
    let revised = std::fs::read_to_string(data("tests/data/hand/rubric.yaml"))
        .unwrap()
        .replace(
            "deduct: {minor: 1, major: 2}",
            "deduct: {minor: 1, major: 3}",
        );
    let doc = hand()
        .file("revised.yaml", revised)
        .args(&["compare"])
        .args(HAND)
        .args(&[
            "--against",
            "revised.yaml",
            "--period",
            "2026-01",
            "--format",
            "json",
        ])
        .run()
        .ok()
        .json();
    let rows = doc["tables"][0]["rows"].as_array().unwrap();
    // U2's major finding now costs 3: 16 → 15, from a shared 2nd place to 3rd.
    let u2 = rows.iter().find(|r| r["unit"] == "U2").unwrap();
    assert_eq!(u2["old"]["score"], 16.0);
    assert_eq!(u2["new"]["score"], 15.0);
    assert_eq!(u2["rank_change"], -1);
    assert_eq!(u2["score_change"], -1.0);
    // Sorted by rank change: U2 (down one) last.
    assert_eq!(rows.last().unwrap()["unit"], "U2");
    for format in ["csv", "md", "table"] {
        hand()
            .file("revised.yaml", "x")
            .args(&["compare"])
            .args(HAND)
            .args(&["--against", "rubric.yaml", "--format", format])
            .run()
            .ok();
    }
}

#[test]
fn compare_reads_standard_input_once_for_both_rubrics() {
    let args = |records: &str| -> Vec<String> {
        [
            "compare",
            records,
            "--rubric",
            "rubric.yaml",
            "--units",
            "units.csv",
            "--against",
            "rubric.yaml",
            "--all",
            "--format",
            "json",
        ]
        .map(String::from)
        .to_vec()
    };
    let from_file = hand()
        .args(
            &args("records.csv")
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        )
        .run()
        .ok();
    let records = std::fs::read(data("tests/data/hand/records.csv")).unwrap();
    let from_stdin = hand()
        .args(&args("-").iter().map(String::as_str).collect::<Vec<_>>())
        .stdin(records)
        .run()
        .ok();
    assert_eq!(from_stdin.stdout, from_file.stdout);
    assert!(!from_file.json()["tables"].as_array().unwrap().is_empty());
}

/// Runs of two or more Latin letters: English words in text meant to be Chinese (codes such
/// as `D5` have one letter).
fn english_words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn explain_in_chinese_is_chinese_from_the_first_word_to_the_last() {
    for format in ["table", "md", "csv"] {
        let out = T::new()
            .copy("examples/inspections.csv", "检查记录.csv")
            .args(&[
                "explain",
                "检查记录.csv",
                "--unit",
                "桥南社区",
                "--all",
                "-q",
            ])
            .args(&["--lang", "zh", "--format", format])
            .run()
            .ok()
            .stdout;
        // CSV keeps its stable English keys (header and the kind/step columns) for machines.
        let text = match format {
            "csv" => out
                .lines()
                .skip(1)
                .map(|l| l.split(',').skip(4).collect::<Vec<_>>().join(","))
                .collect::<Vec<_>>()
                .join("\n"),
            _ => out.clone(),
        };
        let text = text.replace("检查记录.csv", "");
        assert!(
            english_words(&text).is_empty(),
            "{format}: {:?}\n{out}",
            english_words(&text)
        );
        assert!(out.contains("记录") && out.contains("合计"), "{out}");
    }
}

#[test]
fn compare_in_english_has_no_chinese_words_of_its_own() {
    // U2 is vetoed in the revised rubric's eyes too: its grade carries the veto mark.
    let data = ["迎春社区", "新明社区", "桥南小学", "现场考核", "暗访"];
    for format in ["table", "md"] {
        let out = hand()
            .file(
                "r.csv",
                "date,unit,indicator\n2026-01-05,U1,V1\n2026-01-06,U2,R1\n",
            )
            .args(&["compare", "r.csv", "--rubric", "rubric.yaml", "--units"])
            .args(&["units.csv", "--against", "rubric.yaml", "--lang", "en"])
            .args(&["--format", format])
            .run()
            .ok()
            .stdout;
        let mut text = out.clone();
        for d in data {
            text = text.replace(d, "");
        }
        assert!(
            !text.chars().any(|c| ('\u{3000}'..='\u{9fff}').contains(&c)
                || ('\u{ff00}'..='\u{ffef}').contains(&c)),
            "{format}:\n{out}"
        );
        assert!(out.contains("C (vetoed)"), "{out}");
        // The quarter to date is provisional, as in `score`.
        assert!(
            out.contains("quarter 2026Q1: hand → hand (provisional)"),
            "{out}"
        );
    }
}

#[test]
fn markdown_cells_cannot_break_their_row() {
    let out = hand()
        .file(
            "r.csv",
            "date,unit,indicator\n2026-01-05,\"a|b\nc\",R1\n2026-01-05,d,R1\n",
        )
        .args(&[
            "score",
            "r.csv",
            "--rubric",
            "rubric.yaml",
            "--format",
            "md",
            "-q",
        ])
        .run()
        .ok()
        .stdout;
    let rows: Vec<&str> = out.lines().filter(|l| l.starts_with('|')).collect();
    // Header, rule, two units, the average: every row has the header's number of cells.
    assert_eq!(rows.len(), 10, "{out}");
    let cells = |l: &str| l.replace("\\|", "").matches('|').count();
    assert!(rows.iter().all(|r| cells(r) == cells(rows[0])), "{out}");
    assert!(out.contains("| a\\|b<br>c |"), "{out}");
}

#[test]
fn html_is_one_page_of_every_table_with_input_text_as_text() {
    let out = hand()
        .file(
            "r.csv",
            "date,unit,indicator,note\n2026-01-05,<script>alert(1)</script>,P1,x\n2026-01-06,U1,R1,y\n",
        )
        .args(&["score", "r.csv", "--rubric", "rubric.yaml", "--format", "html", "-q"])
        .run()
        .ok()
        .stdout;
    assert!(out.starts_with("<!DOCTYPE html>"), "{out}");
    assert!(
        out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{out}"
    );
    assert!(!out.to_lowercase().contains("<script"), "{out}");
    // The month and its quarter, each a section with a repeated header row.
    assert_eq!(out.matches("<section>").count(), 2, "{out}");
    assert_eq!(out.matches("<thead>").count(), 2, "{out}");
    // Rank order: U1 (full marks) before the unit that lost points.
    let u1 = out.find("<td>U1</td>").unwrap();
    let other = out.find("&lt;script&gt;").unwrap();
    assert!(u1 < other, "{out}");
}

#[test]
fn every_format_shows_the_same_tables_in_the_same_order() {
    // One document, five writers: each table's units in the same order with the same scores.
    let run = |format: &str| {
        let t = T::new()
            .copy("examples/inspections.csv", "in.csv")
            .args(&["score", "in.csv", "--all", "-q", "--format", format])
            .args(&["-o", &format!("out.{format}")]);
        t.run().ok();
        (t.path(&format!("out.{format}")), t)
    };
    let (json_path, _t1) = run("json");
    let doc: Value = serde_json::from_slice(&std::fs::read(json_path).unwrap()).unwrap();
    let want: Vec<Vec<(String, String)>> = doc["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            t["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    let score = format!("{:.2}", r["score"].as_f64().unwrap());
                    (r["unit"].as_str().unwrap().to_owned(), score)
                })
                .collect()
        })
        .collect();
    // CSV: rows grouped by table, the average row closing each.
    let (csv_path, _t2) = run("csv");
    let text = std::fs::read_to_string(csv_path).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let score = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "score")
        .unwrap();
    let mut got: Vec<Vec<(String, String)>> = vec![Vec::new()];
    for rec in reader.records() {
        let rec = rec.unwrap();
        if &rec[7] == "(average)" {
            got.push(Vec::new());
        } else {
            got.last_mut()
                .unwrap()
                .push((rec[6].to_owned(), rec[score].to_owned()));
        }
    }
    got.pop();
    assert_eq!(got, want, "csv");
    // Markdown and HTML: the unit cells in order, table by table.
    for format in ["md", "html"] {
        let (path, _t) = run(format);
        let text = std::fs::read_to_string(path).unwrap();
        let mut at = 0;
        for table in &want {
            for (unit, score) in table {
                let cell = match format {
                    "md" => format!("| {unit} |"),
                    _ => format!(">{unit}</td>"),
                };
                let found = text[at..]
                    .find(&cell)
                    .unwrap_or_else(|| panic!("{format}: {unit}"));
                at += found;
                assert!(
                    text[at..].contains(score.as_str()),
                    "{format}: {unit} {score}"
                );
            }
        }
    }
    // The workbook: one sheet per table, unit codes in order.
    let (xlsx_path, _t3) = run("xlsx");
    let sheets = read_sheets(&xlsx_path);
    assert_eq!(sheets.len(), want.len());
    for ((name, rows), table) in sheets.iter().zip(&want) {
        let units: Vec<String> = rows[1..=table.len()]
            .iter()
            .map(|r| r[2].to_string())
            .collect();
        let expected: Vec<String> = table.iter().map(|(u, _)| u.clone()).collect();
        assert_eq!(units, expected, "{name}");
    }
}

#[test]
fn settings_from_a_parent_folder_are_named_and_cannot_send_files_elsewhere() {
    let t = T::new()
        .file("civscore.toml", "rubric = \"community\"\n")
        .copy("examples/inspections.csv", "2026/11/in.csv");
    let mut cmd = civscore_cmd();
    let out = cmd
        .args(["score", "in.csv"])
        .current_dir(t.path("2026/11"))
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.starts_with("note: settings from ../../civscore.toml\n"),
        "{stderr}"
    );
    // In its own folder, a project file is expected: no note.
    let here = T::new()
        .file("civscore.toml", "rubric = \"community\"\n")
        .copy("examples/inspections.csv", "in.csv")
        .args(&["score", "in.csv"])
        .run()
        .ok();
    assert!(!here.stderr.contains("settings from"), "{}", here.stderr);
    // output_dir may not leave the project file's folder.
    for dir in ["../elsewhere", "/tmp/elsewhere"] {
        let out = T::new()
            .file("civscore.toml", format!("output_dir = \"{dir}\"\n"))
            .copy("examples/inspections.csv", "in.csv")
            .args(&["report", "in.csv"])
            .run()
            .code(65);
        assert!(
            out.stderr
                .contains(&format!("output_dir: \"{dir}\" is not a folder below")),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn stderr_never_carries_raw_control_characters_or_a_whole_file() {
    let out = hand()
        .file(
            "r.csv",
            "date,unit,indicator\n2026-01-05,\u{1b}]0;pwned\u{7},R1\n2026-01-05,U1,Z\u{1b}[31m\n",
        )
        .args(&["score", "r.csv", "--rubric", "rubric.yaml"])
        .run()
        .code(65);
    assert!(
        !out.stderr.contains('\u{1b}') && !out.stderr.contains('\u{7}'),
        "{:?}",
        out.stderr
    );
    assert!(out.stderr.contains("\\u{1b}[31m"), "{}", out.stderr);
    // A header line of 300,000 characters is quoted, not copied whole.
    let wide = format!("date,unit,{}\n", "x".repeat(300_000));
    let out = hand()
        .file("w.csv", wide)
        .args(&["score", "w.csv", "--rubric", "rubric.yaml"])
        .run()
        .code(65);
    // Its columns are quoted by their first 200 characters (issue 16).
    assert!(out.stderr.len() < 600, "{} bytes", out.stderr.len());
    assert!(
        out.stderr.ends_with(
            "columns found: date, unit, xxxx…\n"
                .replace("xxxx", &"x".repeat(200 - 12))
                .as_str()
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn a_penalty_counts_findings_not_rows() {
    // SPEC §7.5: one 通报批评 record of count 2 is two criticisms, as two records of count 1.
    // U2's year: the penalty "criticised twice" (P2, at least 2) subtracts 1 either way.
    let year = |records: &str| -> Value {
        let doc = hand()
            .file("r.csv", records)
            .args(&[
                "score",
                "r.csv",
                "--rubric",
                "rubric.yaml",
                "--units",
                "units.csv",
            ])
            .args(&["--period", "2026", "--format", "json", "-q"])
            .run()
            .ok()
            .json();
        let rows = table(&doc, "year", "2026")["rows"].clone();
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["unit"] == "U2")
            .unwrap()
            .clone()
    };
    let one_row = year("date,unit,indicator,count,severity\n2026-01-05,U2,P2,2,minor\n");
    let two_rows = year(
        "date,unit,indicator,count,severity\n2026-01-05,U2,P2,1,minor\n2026-01-06,U2,P2,1,minor\n",
    );
    assert_eq!(one_row, two_rows);
    // Year-level deductions are the penalty alone: 1.
    assert_eq!(one_row["deducted"], 1.0, "{one_row}");
}

#[test]
fn an_inspection_that_found_nothing_counts_for_nothing_but_its_month() {
    // SPEC §7.14, count 0 (0处): March is assessed by these rows alone. U1's R1 (required, at
    // least 1) is still missing: 20 − 2 = 18; its T1 row of count 0 is no measurement (with a
    // value of 5 it would cost 4 − 4 × 5 / 20 = 3); U2's V1 row of count 0 vetoes nothing.
    let doc = hand()
        .file(
            "r.csv",
            "date,unit,indicator,count,value\n2026-03-05,U1,R1,0,\n2026-03-05,U1,T1,0,5\n2026-03-06,U2,V1,0,\n2026-03-07,U2,T1,0,\n",
        )
        .args(&["score", "r.csv", "--rubric", "rubric.yaml", "--units", "units.csv"])
        .args(&["--period", "2026-03", "--format", "json", "-q"])
        .run()
        .ok()
        .json();
    let rows = table(&doc, "month", "2026-03")["rows"].clone();
    let row = |u: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["unit"] == u)
            .unwrap()
            .clone()
    };
    assert_eq!(row("U1")["score"], 18.0, "{rows}");
    assert_eq!(row("U2")["score"], 18.0, "{rows}");
    assert_eq!(row("U2")["vetoed"], false, "{rows}");
    // U2's T1 row of count 0 needs no value; explain says what a count of 0 means, no veto step.
    let out = hand()
        .file(
            "r.csv",
            "date,unit,indicator,count,value\n2026-03-06,U2,V1,0,\n2026-03-07,U2,T1,0,\n",
        )
        .args(&[
            "explain",
            "r.csv",
            "--rubric",
            "rubric.yaml",
            "--unit",
            "U2",
        ])
        .args(&["--period", "2026-03", "--format", "csv", "-q"])
        .run()
        .ok()
        .stdout;
    assert_eq!(
        out.matches("count 0: the inspection found nothing").count(),
        2,
        "{out}"
    );
    assert!(!out.contains(",veto,"), "{out}");
}

#[test]
fn the_same_records_file_twice_is_refused() {
    // Double entry: a.csv and ./a.csv (or a link to it) would count every finding twice.
    let out = hand()
        .args(&[
            "score",
            "records.csv",
            "./records.csv",
            "--rubric",
            "rubric.yaml",
        ])
        .run()
        .code(65);
    assert_eq!(
        out.stderr,
        "error: ./records.csv is the same file as records.csv: given twice, every finding in it would count twice\n"
    );
}

#[test]
fn a_rectified_status_is_an_ordinary_record_with_its_date() {
    // 已整改 with a 整改日期 scores as a record with that rectified date (here on time);
    // without the date it is refused, saying where the date goes.
    let ok = hand()
        .file(
            "r.csv",
            "date,unit,indicator,deadline,rectified,status\n2026-01-05,U1,P1,2026-01-10,2026-01-08,已整改\n",
        )
        .args(&["score", "r.csv", "--rubric", "rubric.yaml", "--format", "json", "-q"])
        .run()
        .ok()
        .json();
    let plain = hand()
        .file(
            "r.csv",
            "date,unit,indicator,deadline,rectified,status\n2026-01-05,U1,P1,2026-01-10,2026-01-08,\n",
        )
        .args(&["score", "r.csv", "--rubric", "rubric.yaml", "--format", "json", "-q"])
        .run()
        .ok()
        .json();
    assert_eq!(ok["tables"], plain["tables"]);
    let out = hand()
        .file(
            "r.csv",
            "date,unit,indicator,deadline,rectified,status\n2026-01-05,U1,P1,2026-01-10,,已整改\n",
        )
        .args(&["score", "r.csv", "--rubric", "rubric.yaml"])
        .run()
        .code(65);
    assert!(
        out.stderr.contains(
            "\"已整改\" needs the date it was rectified in the rectified column (整改日期)"
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn indicator_codes_as_clerks_type_them() {
    // SPEC §2.1: lower case, spaces and full-width forms name the same code (never ambiguous:
    // the rubric refuses codes that compare equal so).
    let score =
        |codes: [&str; 3]| {
            hand()
            .file(
                "r.csv",
                format!(
                    "date,unit,indicator\n2026-01-05,U1,{}\n2026-01-06,U2,{}\n2026-01-07,U3,{}\n",
                    codes[0], codes[1], codes[2]
                ),
            )
            .args(&["score", "r.csv", "--rubric", "rubric.yaml", "--format", "json", "-q"])
            .run()
            .ok()
            .json()["tables"]
            .clone()
        };
    assert_eq!(
        score(["P1", "R1", "X1"]),
        score(["\" p1 \"", "Ｒ１", "x 1"])
    );
}

#[test]
fn office_headers_are_read_and_unused_columns_named() {
    // The headers a street office writes (SPEC §2.1) read as the canonical ones; a column no rule
    // reads is named in a note, with the column it may have meant; 序号 is expected and silent.
    let canonical = "date,unit,indicator,deadline,status\n2026-01-05,U1,P1,2026-01-10,\n2026-01-06,U2,P1,2026-01-10,未整改\n";
    let office = "序号,检查 日期,责任单位,扣分项目,整改时限,整改情况,扣分,整改期线\n1,2026-01-05,U1,P1,2026-01-10,,0.5,\n2,2026-01-06,U2,P1,2026-01-10,未整改,0.5,\n";
    let run = |text: &str| {
        hand()
            .file("r.csv", text)
            .args(&[
                "score",
                "r.csv",
                "--rubric",
                "rubric.yaml",
                "--units",
                "units.csv",
            ])
            .args(&["--all", "--format", "json", "--as-of", "2026-01-31"])
            .run()
            .ok()
    };
    let a = run(canonical);
    let b = run(office);
    assert_eq!(a.json()["tables"], b.json()["tables"]);
    assert!(!a.stderr.contains("columns not used"), "{}", a.stderr);
    assert_eq!(
        b.stderr.lines().next().unwrap(),
        "note: r.csv: columns not used: 扣分, 整改期线 (did you mean \"整改期限\"?)"
    );
    // --strict-columns makes it an error.
    let out = hand()
        .file("r.csv", office)
        .args(&[
            "score",
            "r.csv",
            "--rubric",
            "rubric.yaml",
            "--strict-columns",
        ])
        .run()
        .code(65);
    assert_eq!(
        out.stderr,
        "error: r.csv: columns not used: 扣分, 整改期线 (did you mean \"整改期限\"?)\n"
    );
}

#[test]
fn total_rows_and_pre_numbered_blank_rows_are_skipped_and_counted() {
    // SPEC §2.1: a 合计 row and rows holding only their 序号 are not records: skipped, counted
    // in the summary line, and the scores are those of the records alone.
    let clean = "序号,date,unit,indicator\n1,2026-01-05,U1,P1\n2,2026-01-06,U2,R1\n";
    let ledger = format!("{clean}3,,,\n4,,,\n,合 计,,\n");
    let run = |text: &str, extra: &[&str]| {
        hand()
            .file("r.csv", text)
            .args(&[
                "score",
                "r.csv",
                "--rubric",
                "rubric.yaml",
                "--format",
                "json",
            ])
            .args(extra)
            .run()
            .ok()
    };
    let a = run(clean, &[]);
    let b = run(&ledger, &[]);
    assert_eq!(a.json()["tables"], b.json()["tables"]);
    assert!(
        b.stderr
            .contains("note: rows that are not records were skipped: totals 1, blank-numbered 2"),
        "{}",
        b.stderr
    );
    // A row with an indicator is a record, even with 合计 in it: refused for its bad date,
    // never skipped.
    let out = hand()
        .file("r.csv", format!("{clean},合计,U1,P1\n"))
        .args(&["score", "r.csv", "--rubric", "rubric.yaml"])
        .run()
        .code(65);
    assert!(
        out.stderr.contains("r.csv:4: column \"date\""),
        "{}",
        out.stderr
    );
    let c = run(&ledger, &["--skip-invalid"]);
    assert!(
        c.stderr.contains(
            "rows read 5 = scored 2 + void 0 + rejected 0 + skipped 3 (totals 1, blank-numbered 2)"
        ),
        "{}",
        c.stderr
    );
}

#[test]
fn compare_reports_what_either_rubric_rejects() {
    // With --skip-invalid, rows the revised rubric cannot read (B1 is renamed B2 there) are
    // named, not dropped from one side of the comparison unseen.
    let revised = std::fs::read_to_string(data("tests/data/hand/rubric.yaml"))
        .unwrap()
        .replace("code: B1", "code: B2");
    let out = hand()
        .file("revised.yaml", revised)
        .file(
            "r.csv",
            "date,unit,indicator\n2026-01-05,U1,B1\n2026-01-06,U2,R1\n",
        )
        .args(&[
            "compare",
            "r.csv",
            "--rubric",
            "rubric.yaml",
            "--units",
            "units.csv",
        ])
        .args(&[
            "--against",
            "revised.yaml",
            "--skip-invalid",
            "--format",
            "json",
        ])
        .run()
        .ok();
    assert!(
        out.stderr
            .contains("note: under the revised rubric \"hand\" the rows read otherwise:"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("rejected: r.csv:2: column \"indicator\": unknown indicator \"B1\""),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("rows read 2 = scored 1 + void 0 + rejected 1"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_rejected_row_does_not_make_its_unit_known() {
    let doc = hand()
        .file(
            "r.csv",
            "date,unit,indicator\n2026-01-05,U1,R1\n2026-01-05,Ghost,P9\n",
        )
        .args(&[
            "score",
            "r.csv",
            "--rubric",
            "rubric.yaml",
            "--skip-invalid",
            "--format",
            "json",
            "-q",
        ])
        .run()
        .ok()
        .json();
    let units: Vec<&str> = table(&doc, "month", "2026-01")["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["unit"].as_str().unwrap())
        .collect();
    assert_eq!(units, ["U1"]);
}

#[test]
fn a_quote_inside_a_cell_is_text() {
    // A quote in the middle of a cell is a literal character (not the start of a quoted
    // cell): the reader cuts its blocks where `csv` ends records, and reads it as text.
    let doc = hand()
        .file(
            "r.csv",
            "date,unit,indicator,note\n2026-01-05,U1,P1,the \"big\" pile\n2026-01-06,U1,R1,ok\n",
        )
        .args(&[
            "score",
            "r.csv",
            "--rubric",
            "rubric.yaml",
            "--format",
            "json",
            "-q",
        ])
        .run()
        .ok()
        .json();
    // P1: 0.5; R1 held.  20 − 0.5 = 19.5
    assert_eq!(row(table(&doc, "month", "2026-01"), "U1")["score"], 19.5);
}

/// A file of several blocks whose rows turn invalid after the first block: both streaming
/// workers give way early, and the reader must not wait forever on them (it once did).
#[test]
fn streaming_gives_way_without_hanging_when_later_rows_are_invalid() {
    let mut text = String::from("id,date,unit,indicator,count,note\n");
    for i in 0..300_000u32 {
        let date = if i < 40_000 { "2026-01-05" } else { "" };
        text.push_str(&format!(
            "R{i:07},{date},U{},P1,1,a note long enough to fill the blocks\n",
            i % 50
        ));
    }
    let t = hand().file("late.csv", &text).args(&[
        "validate",
        "late.csv",
        "--rubric",
        "rubric.yaml",
        "-q",
    ]);
    let mut child = civscore_cmd()
        .args(&t.args)
        .current_dir(t.dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > std::time::Duration::from_secs(120) {
            let _ = child.kill();
            panic!("civscore hung on a file whose later rows are invalid");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(65));
}

const ONE_RULE: &str = "civscore: 1\nname: r\nfull: 100\ncategories:\n  - code: A\n    name: a\n    indicators:\n      - {code: A1, name: x, points: 90, rule: per_finding, deduct: 0.5}\n      - {code: T1, name: t, points: 10, rule: threshold, target: 90}\n";

#[test]
fn dates_over_ten_thousand_years_score_quickly_and_all_periods_are_bounded() {
    // 20,000 records over years 1 to 9999: each date costs the same; the latest month scores.
    let mut text = String::from("date,unit,indicator,count\n");
    for k in 0..20_000u32 {
        text.push_str(&format!(
            "{:04}-{:02}-01,U{},A1,1\n",
            1 + (k * 7919) % 9999,
            1 + k % 12,
            k % 200
        ));
    }
    let t = T::new()
        .file("r.yaml", ONE_RULE)
        .file("d.csv", &text)
        .args(&["score", "d.csv", "--rubric", "r.yaml", "-q"]);
    let start = std::time::Instant::now();
    let out = t.run().ok();
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
    assert!(out.stdout.contains("9999-"), "{}", out.stdout);
    // --all: 200 units × some 35,000 periods is more than one run scores.
    let t = t.args(&["--all"]);
    let out = t.run().code(65);
    assert!(
        out.stderr.starts_with("error: the records would need ")
            && out.stderr.contains("more than 500000"),
        "{}",
        out.stderr
    );
}

/// 300,000 distinct units in one month are 600,000 scores with the quarter: more than one run
/// ranks (a million units took 5.4 GB and died of it under a 4 GB limit), refused with exit 65
/// before the scores are made.
#[test]
fn too_many_units_to_score_are_refused_not_a_crash() {
    let mut text = String::from("date,unit,indicator,count\n");
    for u in 0..300_000u32 {
        text.push_str(&format!("2026-11-03,U{u}x,A1,1\n"));
    }
    let t = T::new()
        .file("r.yaml", ONE_RULE)
        .file("d.csv", &text)
        .args(&["score", "d.csv", "--rubric", "r.yaml", "-q"]);
    let out = t.run().code(65);
    assert!(
        out.stderr
            .starts_with("error: the records would need 600000 scores")
            || out.stderr.contains("600000"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_value_beyond_the_bound_is_invalid_input_naming_unit_and_indicator() {
    let text = "date,unit,indicator,count,value\n2026-01-05,U1,T1,1,79228162514264337593543950335\n2026-01-06,U1,T1,1,79228162514264337593543950335\n";
    let out = T::new()
        .file("r.yaml", ONE_RULE)
        .file("v.csv", text)
        .args(&["score", "v.csv", "--rubric", "r.yaml", "-q"])
        .run()
        .code(65);
    assert_eq!(
        out.stderr,
        "error: unit \"U1\", indicator \"T1\": a value beyond ±1000000000000: cannot score exactly\n"
    );
}

#[test]
fn counts_at_the_limit_times_the_largest_numbers_stay_exact() {
    // 1,000,000 findings × deduct 1,000,000 × weight 1,000 × on-spot 1,000, 40 times: capped at
    // the points, never an overflow.
    let rubric = "civscore: 1\nname: r\nfull: 1000000\nsources: {s: 1000}\ncategories:\n  - code: A\n    name: a\n    indicators:\n      - {code: A1, name: x, points: 1000000, rule: per_finding, deduct: 1000000, on_spot: 1000, repeat: 1000}\n";
    let mut text = String::from("date,unit,indicator,count,source,status\n");
    for m in 1..=2 {
        for _ in 0..20 {
            text.push_str(&format!("2026-{m:02}-05,U1,A1,1000000,s,on_spot\n"));
        }
    }
    let out = T::new()
        .file("r.yaml", rubric)
        .file("c.csv", &text)
        .args(&[
            "score", "c.csv", "--rubric", "r.yaml", "-q", "--format", "csv",
        ])
        .run()
        .ok();
    assert!(out.stdout.contains("U1"), "{}", out.stdout);
}

#[test]
fn hundreds_of_sources_times_hundreds_of_severities_score_in_linear_time() {
    let src: Vec<String> = (1..=300).map(|i| format!("S{i}: 1.{i:03}")).collect();
    let sev: Vec<String> = (1..=300).map(|i| format!("V{i}: 0.{i:03}")).collect();
    let rubric = format!(
        "civscore: 1\nname: r\nfull: 100\nsources: {{{}}}\ncategories:\n  - code: A\n    name: a\n    indicators:\n      - {{code: A1, name: x, points: 100, rule: per_finding, deduct: {{{}}}, on_spot: 2}}\n",
        src.join(", "),
        sev.join(", ")
    );
    let mut text = String::from("date,unit,indicator,count,source,severity\n");
    for i in 0..300 {
        text.push_str(&format!(
            "2026-01-01,U{},A1,1,S{},V{}\n",
            i % 5,
            1 + i,
            1 + (i * 7) % 300
        ));
    }
    let start = std::time::Instant::now();
    T::new()
        .file("r.yaml", rubric)
        .file("s.csv", &text)
        .args(&["score", "s.csv", "--rubric", "r.yaml", "-q"])
        .run()
        .ok();
    // Quadratic, the layout took minutes.
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
}

#[test]
fn a_roster_s_aliases_former_names_and_name_endings_find_their_units() {
    // The roster names 桥北社区 (alias 北桥) and 光明社区 (formerly 光明村). Records written
    // 桥北社区居委会, 北桥, 光明村 and 光明社区 are two units' records: the scores are those of
    // the same records written with the codes.
    let roster = "编号,名称,别名,曾用名\nU01,桥北社区,北桥,\nU02,光明社区,,光明村\n";
    let run = |records: &str| {
        T::new()
            .file("units.csv", roster)
            .file("r.csv", records)
            .args(&[
                "score",
                "r.csv",
                "--units",
                "units.csv",
                "--format",
                "json",
                "-q",
            ])
            .run()
            .ok()
            .json()
    };
    let named = run(
        "日期,单位,指标,数量\n2026-11-03,桥北社区居委会,A1,1\n2026-11-04,北桥,A1,2\n2026-11-05,光明村,A1,1\n2026-11-06,光明社区,A2,1\n",
    );
    let coded = run(
        "日期,单位,指标,数量\n2026-11-03,U01,A1,1\n2026-11-04,U01,A1,2\n2026-11-05,U02,A1,1\n2026-11-06,U02,A2,1\n",
    );
    assert_eq!(named["tables"], coded["tables"]);
    assert_eq!(named["tables"][0]["rows"].as_array().unwrap().len(), 2);
    // Each cell matched otherwise than by code or name is said, with the unit it was read as
    // (光明社区 itself and the codes are not).
    let out = T::new()
        .file("units.csv", roster)
        .file(
            "r.csv",
            "日期,单位,指标,数量\n2026-11-03,桥北社区居委会,A1,1\n2026-11-04,北桥,A1,2\n2026-11-05,光明村,A1,1\n2026-11-06,光明社区,A2,1\n2026-11-06,U01,A2,1\n",
        )
        .args(&["score", "r.csv", "--units", "units.csv"])
        .run()
        .ok();
    assert!(
        out.stderr.contains(
            "(check that each is meant): 光明村 → 光明社区 (U02), 北桥 → 桥北社区 (U01), 桥北社区居委会 → 桥北社区 (U01)\n"
        ),
        "{}",
        out.stderr
    );
    // A name the roster cannot place is still an error, not a new unit.
    let out = T::new()
        .file("units.csv", roster)
        .file("r.csv", "日期,单位,指标,数量\n2026-11-03,东风社区,A1,1\n")
        .args(&["score", "r.csv", "--units", "units.csv"])
        .run()
        .code(65);
    assert!(out.stderr.contains("东风社区"), "{}", out.stderr);
}

#[test]
fn without_a_roster_names_that_differ_by_an_ending_are_noted() {
    let out = T::new()
        .file(
            "r.csv",
            "日期,单位,指标,数量\n2026-11-03,桥北社区,A1,1\n2026-11-04,桥北社区居委会,A1,1\n",
        )
        .args(&["score", "r.csv"])
        .run()
        .ok();
    assert!(
        out.stderr
            .contains("\"桥北社区\" and \"桥北社区居委会\" differ only by an ending"),
        "{}",
        out.stderr
    );
}

#[test]
fn records_come_from_the_project_file_s_patterns_month_by_month() {
    // civscore.toml names records/{month}/*.csv: with no files on the command line, a run reads
    // January to its month (--period, else the last complete month before CIVSCORE_TODAY).
    let t = T::new()
        .file("civscore.toml", "records = [\"records/{month}/*.csv\"]\n")
        .file(
            "records/2026-10/a.csv",
            "date,unit,indicator,count\n2026-10-05,U1,A1,1\n",
        )
        .file(
            "records/2026-11/a.csv",
            "date,unit,indicator,count\n2026-11-05,U1,A1,2\n",
        )
        .file(
            "records/2026-11/~$a.csv",
            "date,unit,indicator,count\n2026-11-05,U1,A1,9\n",
        )
        .env("CIVSCORE_TODAY", "2026-12-03")
        .args(&["score", "--all", "--format", "json", "-q"]);
    let doc = t.run().ok().json();
    let months: Vec<&str> = doc["tables"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] == "month")
        .map(|t| t["period"].as_str().unwrap())
        .collect();
    assert_eq!(months, ["2026-10", "2026-11"]);
    // --period 2026-10 reads only up to October.
    let out = T {
        args: vec![
            "score".into(),
            "--period".into(),
            "2026-10".into(),
            "--format".into(),
            "json".into(),
            "-q".into(),
        ],
        ..t
    }
    .run()
    .ok()
    .json();
    assert_eq!(out["tables"][0]["period"], "2026-10");
    // Nothing named anywhere is a usage error.
    let out = T::new().args(&["score"]).run().code(2);
    assert!(out.stderr.contains("no records named"), "{}", out.stderr);
}

#[test]
fn a_copy_of_a_records_file_is_refused_like_the_file_twice() {
    // A WeChat copy (`records(1).csv`) has the same bytes under another name.
    let bytes = std::fs::read(data("tests/data/hand/records.csv")).unwrap();
    let out = hand()
        .file("records(1).csv", &bytes)
        .args(&[
            "score",
            "records.csv",
            "records(1).csv",
            "--rubric",
            "rubric.yaml",
        ])
        .run()
        .code(65);
    assert_eq!(
        out.stderr,
        "error: records(1).csv holds the same bytes as records.csv (a copy?): given both, every finding would count twice\n"
    );
}

#[test]
fn a_corrected_row_resent_with_its_id_is_never_silently_one_or_the_other() {
    // November's file, then a corrected copy of one row (the rectified date filled in) with the
    // same id. Neither version may win by file order: without --skip-invalid the run stops
    // and says what differs; with it, both rows are rejected and U1 keeps only R2.
    let old = "id,date,unit,indicator,deadline,rectified\nR1,2026-11-03,U1,P1,2026-11-10,\nR2,2026-11-04,U1,P1,,\n";
    let new =
        "id,date,unit,indicator,deadline,rectified\nR1,2026-11-03,U1,P1,2026-11-10,2026-11-08\n";
    let t = || hand().file("nov.csv", old).file("fix.csv", new);
    let out = t()
        .args(&["score", "nov.csv", "fix.csv", "--rubric", "rubric.yaml"])
        .run()
        .code(65);
    assert!(
        out.stderr.contains(
            "error: fix.csv:2: column \"id\": id \"R1\" repeats (first at nov.csv:2) with other content: rectified \"2026-11-08\" here, \"\" there; neither row is scored"
        ),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(
            "error: nov.csv:2: column \"id\": id \"R1\" is given again at fix.csv:2 with other content"
        ),
        "{}",
        out.stderr
    );
    let skipped = t()
        .args(&["score", "nov.csv", "fix.csv", "--rubric", "rubric.yaml"])
        .args(&["--skip-invalid", "--format", "json", "-q"])
        .run()
        .ok()
        .json();
    let only_r2 = hand()
        .file("r2.csv", "id,date,unit,indicator\nR2,2026-11-04,U1,P1\n")
        .args(&[
            "score",
            "r2.csv",
            "--rubric",
            "rubric.yaml",
            "--format",
            "json",
            "-q",
        ])
        .run()
        .ok()
        .json();
    assert_eq!(skipped["tables"], only_r2["tables"]);
    // The same row sent twice (same content) keeps the first and rejects the repeat, as before.
    let out = hand()
        .file("nov.csv", old)
        .file(
            "again.csv",
            "id,date,unit,indicator,deadline,rectified\nR1,2026-11-03,U1,P1,2026-11-10,\n",
        )
        .args(&["score", "nov.csv", "again.csv", "--rubric", "rubric.yaml"])
        .run()
        .code(65);
    assert!(
        out.stderr
            .contains("id \"R1\" repeats (first at nov.csv:2)\n"),
        "{}",
        out.stderr
    );
}

/// The binary, with "today" fixed (SPEC §7.1: the default as-of date is never after today), so
/// that results do not depend on the day the tests run.
fn civscore_cmd() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_civscore"));
    c.env("CIVSCORE_TODAY", "2026-12-02");
    c
}

#[test]
fn an_ods_that_repeats_one_cell_over_a_million_rows_is_refused_before_it_is_built() {
    // 8 KB of XML asking for 300,000 rows × 100 cells: the library would build all 30 million
    // (gigabytes) before a row could be checked.
    use std::io::Write;
    let row = "<table:table-row><table:table-cell office:value-type=\"string\"><text:p>date</text:p></table:table-cell></table:table-row>\
               <table:table-row table:number-rows-repeated=\"300000\"><table:table-cell table:number-columns-repeated=\"100\" office:value-type=\"string\"><text:p>x</text:p></table:table-cell></table:table-row>";
    let content = format!(
        "<?xml version=\"1.0\"?><office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\"><office:body><office:spreadsheet><table:table table:name=\"S\">{row}</table:table></office:spreadsheet></office:body></office:document-content>"
    );
    let mut bytes = Vec::new();
    {
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(&mut bytes));
        let o = zip::write::SimpleFileOptions::default();
        z.start_file("mimetype", o).unwrap();
        z.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
            .unwrap();
        z.start_file("content.xml", o).unwrap();
        z.write_all(content.as_bytes()).unwrap();
        z.finish().unwrap();
    }
    let out = T::new()
        .file("bomb.ods", &bytes)
        .args(&["validate", "bomb.ods"])
        .run()
        .code(65);
    assert_eq!(
        out.stderr,
        "error: bomb.ods: a sheet spans 30000100 cells (repeated rows and cells written out), more than the 4000000 an .ods sheet may have here (the file is damaged, or save it as .xlsx or CSV)\n"
    );
}

fn ledger_fixture() -> T {
    T::new()
        .copy("tests/data/ledger/rubric.yaml", "rubric.yaml")
        .copy("tests/data/ledger/units.csv", "units.csv")
        .copy("tests/data/ledger/records.csv", "records.csv")
}

/// Per unit, what the month's ledger rows count (计入扣分) added up, and the month ranking's
/// 扣分; the 核对 sheet's verdicts.
fn ledger_and_ranking(path: &Path) -> (Vec<(String, f64, f64)>, Vec<String>) {
    let sheets = report_sheets(path);
    let ranking = &sheets[0].1;
    let col = |rows: &[Vec<calamine::Data>], h: &str| {
        rows[0]
            .iter()
            .position(|c| *c == h)
            .unwrap_or_else(|| panic!("no column {h}"))
    };
    let ledger = &sheets
        .iter()
        .find(|(n, _)| n.starts_with("扣分明细"))
        .unwrap()
        .1;
    let (lu, lc) = (col(ledger, "单位"), col(ledger, "计入扣分"));
    let (ru, rd) = (col(ranking, "单位"), col(ranking, "扣分"));
    let mut out = Vec::new();
    for row in &ranking[1..] {
        let unit = row[ru].to_string();
        if unit == "平均分" || unit.is_empty() {
            continue;
        }
        let sum: f64 = ledger[1..]
            .iter()
            .filter(|r| r[lu].to_string() == unit)
            .filter_map(|r| cell_f64(&r[lc]))
            .sum();
        out.push((unit, sum, cell_f64(&row[rd]).unwrap_or(0.0)));
    }
    let check = &sheets
        .iter()
        .find(|(n, _)| n.starts_with("核对"))
        .unwrap()
        .1;
    let verdict = col(check, "核对结果");
    let verdicts = check[1..].iter().map(|r| r[verdict].to_string()).collect();
    (out, verdicts)
}

#[test]
fn the_ledger_adds_up_to_each_units_deduction() {
    // The bundled example.
    let t = T::new()
        .copy("examples/inspections.csv", "inspections.csv")
        .copy("examples/units.csv", "units.csv")
        .args(&["report", "inspections.csv", "--units", "units.csv"])
        .args(&["-o", "r.xlsx", "-q"]);
    t.run().ok();
    let (sums, verdicts) = ledger_and_ranking(&t.path("r.xlsx"));
    assert!(sums.len() > 5);
    for (unit, ledger, ranking) in &sums {
        assert!(
            (ledger - ranking).abs() < 1e-9,
            "{unit}: {ledger} ≠ {ranking}"
        );
    }
    assert!(verdicts.iter().all(|v| v == "一致"), "{verdicts:?}");
    // A hand fixture with every kind of line, 2026-03 (as of 03-31):
    // U1: P1 12 × 0.5 = 6, and 1 × 0.5 + 0.5 overdue = 1 → 7, capped at 5 (a line of −2);
    //     T1 15 against 20, proportional: 4 × 15/20 = 3 kept, 1 lost; B1 3 new → band 0, 2
    //     lost; R1 not held, 2 lost: 6 + 1 − 2 + 1 + 2 + 2 = 10.
    // U3: P2 does not apply: P1 0.5 + (0.5 + 0.5 closed late) = 1.5, rescaled × 20/17 =
    //     1.7647… (a line of +0.2647… stored 0.26): 1.50 + 0.26 = 1.76.
    let t = ledger_fixture()
        .args(&["report", "records.csv", "--rubric", "rubric.yaml"])
        .args(&["--units", "units.csv", "-o", "r.xlsx", "-q"]);
    t.run().ok();
    let (sums, verdicts) = ledger_and_ranking(&t.path("r.xlsx"));
    let by_unit = |u: &str| sums.iter().find(|s| s.0 == u).unwrap().clone();
    assert_eq!(by_unit("U1").2, 10.0);
    assert_eq!(by_unit("U3").2, 1.76);
    for (unit, ledger, ranking) in &sums {
        assert!(
            (ledger - ranking).abs() < 1e-9,
            "{unit}: {ledger} ≠ {ranking}"
        );
    }
    assert_eq!(verdicts, ["一致"; 3]);
    // The cap is a line of its own.
    let sheets = report_sheets(&t.path("r.xlsx"));
    let ledger = &sheets
        .iter()
        .find(|(n, _)| n.starts_with("扣分明细"))
        .unwrap()
        .1;
    assert!(
        ledger
            .iter()
            .any(|r| r.iter().any(|c| *c == "封顶调整")
                && r.iter().any(|c| cell_f64(c) == Some(-2.0))),
        "{ledger:?}"
    );
}

#[test]
fn a_notice_and_a_result_block_per_unit() {
    let t = ledger_fixture()
        .args(&["report", "records.csv", "--rubric", "rubric.yaml"])
        .args(&["--units", "units.csv", "-o", "r.xlsx", "-q"]);
    t.run().ok();
    let sheets = report_sheets(&t.path("r.xlsx"));
    let find = |name: &str| &sheets.iter().find(|(n, _)| n.starts_with(name)).unwrap().1;
    let text = |rows: &[Vec<calamine::Data>]| -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    };
    let notices = text(find("督办单"));
    let titles: Vec<&str> = notices
        .iter()
        .filter(|r| r[0].starts_with("督办通知单"))
        .map(|r| r[0].as_str())
        .collect();
    assert_eq!(
        titles,
        [
            "督办通知单｜U1 迎春社区",
            "督办通知单｜U2 新明社区",
            "督办通知单｜U3 桥南小学"
        ]
    );
    let signs = notices
        .iter()
        .filter(|r| r[0] == "签收人（签字）：")
        .count();
    assert_eq!(signs, 3);
    // L13 (U2, February, due 02-15, open): 44 days late on 03-31 → red (> 15), with the
    // indicator's note as the requirement. L14 (U3, February) closed on 03-05, 13 days late:
    // closed (销号) this month, listed.
    let row = |id: &str| notices.iter().find(|r| r[0] == id).unwrap().clone();
    let l13 = row("L13");
    assert_eq!((l13[5].as_str(), l13[6].as_str()), ("44", "红色督办"));
    assert_eq!(l13[7], "当日清理，三日内复查");
    let l14 = row("L14");
    assert_eq!(
        (l14[6].as_str(), l14[8].as_str()),
        ("已逾期整改", "2026-03-05")
    );
    // The 成绩单: U3's month score 20 − 1.76 = 18.24, second of three, first in its group;
    // its deductions by indicator with the rescale line, and its items with their ids.
    let results = text(find("成绩单"));
    let at = results
        .iter()
        .position(|r| r[0] == "成绩单｜U3 桥南小学")
        .unwrap();
    assert_eq!(
        results[at + 2][..4],
        ["月度排名 2026-03", "18.24", "2", "1"]
    );
    let block = &results[at..];
    assert!(block.iter().any(|r| r[0] == "不适用折算" && r[2] == "0.26"));
    assert!(block.iter().any(|r| r[0] == "合计" && r[2] == "1.76"));
    assert!(block.iter().any(|r| r[6] == "L9"));
    let xml = first_sheet_xml(&t.path("r.xlsx"));
    assert!(xml.contains("paperSize=\"9\""));
}

#[test]
fn endless_binary_and_headless_inputs_stop_early_with_an_error() {
    // /dev/zero and a file with NUL bytes are binary; 20 MB without a line end has no header
    // in the 16 MiB looked through; each is exit 65 at once, never memory growing to a crash.
    let out = T::new().args(&["score", "/dev/zero"]).run().code(65);
    assert!(out.stderr.contains("holds NUL bytes"), "{}", out.stderr);
    // A roster or rubric that is /dev/zero: refused from its first bytes, not after reading a
    // gigabyte (that took nearly two minutes).
    for flag in ["--units", "--rubric"] {
        let out = T::new()
            .file("i.csv", b"date,unit,indicator\n2026-11-01,U1,A1\n")
            .args(&["score", "i.csv", flag, "/dev/zero"])
            .run()
            .code(65);
        assert!(out.stderr.contains("/dev/zero"), "{flag}: {}", out.stderr);
    }
    let out = T::new()
        .file("n.csv", b"date,unit,indicator\n2026-11-01,U1,A1\0\n")
        .args(&["score", "n.csv"])
        .run()
        .code(65);
    assert!(
        out.stderr.contains("n.csv: holds NUL bytes"),
        "{}",
        out.stderr
    );
    let out = T::new()
        .file("long.csv", vec![b'a'; 20 << 20])
        .args(&["score", "long.csv"])
        .run()
        .code(65);
    assert!(
        out.stderr
            .contains("no header line in the first 16777216 bytes"),
        "{}",
        out.stderr
    );
}

/// A rubric with a year-end assessment (前三季度各20% + 年终40%) and a quarterly one
/// (SPEC §7.3): full 10; A1 6 points, 1 a finding; QQ 2 per quarter; Y1 2 per year; a penalty
/// of 1 for 3 findings of A1 or more.
const FINALS_RUBRIC: &str = "civscore: 1.1\nfull: 10\nyear:\n  weights: {Q1: 20, Q2: 20, Q3: 20, final: 40}\n  penalties:\n    - {name: p, indicator: A1, at_least: 3, deduct: 1}\nquarter:\n  weights: {months: 60, final: 40}\ncategories:\n  - code: A\n    indicators:\n      - {code: A1, points: 6, rule: per_finding, deduct: 1}\n      - {code: QQ, points: 2, rule: per_finding, deduct: 1, per: quarter}\n      - {code: Y1, points: 2, rule: per_finding, deduct: 1, per: year}\n";

const FINALS_RECORDS: &str = "date,unit,indicator,count\n2026-01-05,U1,A1,1\n2026-02-05,U1,QQ,1\n2026-04-05,U1,A1,2\n2026-07-05,U1,A1,0\n2026-10-05,U1,A1,3\n2026-12-05,U1,Y1,1\n2026-12-05,U2,A1,0\n";

fn finals() -> T {
    T::new()
        .file("r.yaml", FINALS_RUBRIC)
        .file("r.csv", FINALS_RECORDS)
}

#[test]
fn the_year_end_and_quarterly_finals_in_json() {
    let doc = finals()
        .env("CIVSCORE_TODAY", "2027-01-10")
        .args(&[
            "score", "r.csv", "--rubric", "r.yaml", "--all", "--format", "json",
        ])
        .run()
        .ok()
        .json();
    // Q1 of U1: months 9 (A1) and 10 → 9.5; Fq = 10 − QQ 1 = 9; (60 × 9.5 + 40 × 9) / 100
    // = 9.3, deducted 1 (the quarter's own level).
    let q1 = row(table(&doc, "quarter", "2026Q1"), "U1");
    assert_eq!(
        (q1["score"].as_f64(), q1["final"].as_f64()),
        (Some(9.3), Some(9.0))
    );
    assert_eq!(q1["deducted"].as_f64(), Some(1.0));
    // Year: F = 10 − Y1 1 = 9; Q2 8.8, Q3 10, Q4 (60 × 8.5 + 40 × 10) / 100 = 9.1 (weight 0);
    // (20 × 9.3 + 20 × 8.8 + 20 × 10 + 40 × 9) / 100 = 9.22, less the penalty 1 = 8.22;
    // deducted = Y1 1 + penalty 1 = 2.
    let y = row(table(&doc, "year", "2026"), "U1");
    assert_eq!(
        (y["score"].as_f64(), y["final"].as_f64()),
        (Some(8.22), Some(9.0))
    );
    assert_eq!(y["deducted"].as_f64(), Some(2.0));
    assert_eq!(y["quarters"]["Q4"].as_f64(), Some(9.1));
    // Month rows carry no `final`; half-year rows neither, but their quarters.
    assert!(
        row(table(&doc, "month", "2026-01"), "U1")
            .get("final")
            .is_none()
    );
    let h2 = row(table(&doc, "half", "2026H2"), "U1");
    assert!(h2.get("final").is_none());
    // H2: Q4 weighs 0 in the year, so the half weighs its quarters equally: (10 + 9.1) / 2.
    assert_eq!(h2["score"].as_f64(), Some(9.55));
    assert_eq!(h2["quarters"]["Q3"].as_f64(), Some(10.0));
    assert_eq!(h2["deducted"].as_f64(), Some(0.0));
    // Order: each half right after the quarters of that half.
    let kinds: Vec<String> = doc["tables"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] != "month")
        .map(|t| t["period"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        kinds,
        [
            "2026Q1", "2026Q2", "2026H1", "2026Q3", "2026Q4", "2026H2", "2026"
        ]
    );
}

#[test]
fn a_final_is_null_while_its_period_is_provisional() {
    let doc = finals()
        .env("CIVSCORE_TODAY", "2026-12-10")
        .args(&[
            "score", "r.csv", "--rubric", "r.yaml", "--period", "2026", "--format", "json",
        ])
        .run()
        .ok()
        .json();
    let t = table(&doc, "year", "2026");
    assert_eq!(t["provisional"], true);
    let y = row(t, "U1");
    assert!(y["final"].is_null(), "{y}");
    // (9.3 + 8.8 + 10) / 3 = 9.3667 less the penalty 1 = 8.37; deducted = the penalty alone.
    assert_eq!(y["score"].as_f64(), Some(8.37));
    assert_eq!(y["deducted"].as_f64(), Some(1.0));
    // The human outputs say 待考核 / pending; CSV leaves the cell empty.
    let out = finals()
        .env("CIVSCORE_TODAY", "2026-12-10")
        .args(&[
            "score", "r.csv", "--rubric", "r.yaml", "--period", "2026", "--lang", "zh", "-q",
        ])
        .run()
        .ok();
    assert!(out.stdout.contains("年终考评"), "{}", out.stdout);
    assert!(out.stdout.contains("待考核"), "{}", out.stdout);
    let out = finals()
        .env("CIVSCORE_TODAY", "2026-12-10")
        .args(&[
            "score", "r.csv", "--rubric", "r.yaml", "--period", "2026", "--format", "csv", "-q",
        ])
        .run()
        .ok();
    let mut lines = out.stdout.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = header.iter().position(|h| *h == "final").unwrap();
    let u1 = lines.find(|l| l.contains(",U1,")).unwrap();
    assert_eq!(u1.split(',').nth(at), Some(""), "{u1}");
}

#[test]
fn half_years_by_name_and_their_explanation() {
    for name in ["2026H1", "2026上半年", "2026h1"] {
        let doc = finals()
            .env("CIVSCORE_TODAY", "2027-01-10")
            .args(&["score", "r.csv", "--rubric", "r.yaml", "--period", name])
            // A period's as-of date is its latest assessed month's end (April) unless given.
            .args(&["--as-of", "2026-06-30", "--format", "json"])
            .run()
            .ok()
            .json();
        let tables = doc["tables"].as_array().unwrap();
        assert_eq!(tables.len(), 1, "{name}");
        assert_eq!(tables[0]["kind"], "half");
        assert_eq!(tables[0]["period"], "2026H1");
        // (20 × 9.3 + 20 × 8.8) / 40 = 9.05.
        assert_eq!(row(&tables[0], "U1")["score"].as_f64(), Some(9.05));
    }
    // H2 ranks against H1: U1 is 2nd in H1 (9.05 < U2's 10) and 2nd in H2.
    let doc = finals()
        .env("CIVSCORE_TODAY", "2027-01-10")
        .args(&[
            "score",
            "r.csv",
            "--rubric",
            "r.yaml",
            "--period",
            "2026下半年",
            "--format",
            "json",
        ])
        .run()
        .ok()
        .json();
    assert_eq!(row(table(&doc, "half", "2026H2"), "U1")["rank_change"], 0);
    let out = finals()
        .env("CIVSCORE_TODAY", "2027-01-10")
        .args(&[
            "explain", "r.csv", "--rubric", "r.yaml", "--unit", "U1", "--period", "2026H2", "-q",
        ])
        .run()
        .ok();
    assert!(out.stdout.contains("half 2026H2: 9.55"), "{}", out.stdout);
    assert!(out.stdout.contains("Q4, weight 1"), "{}", out.stdout);
    // explain of the year shows the year-end assessment and reconciles with score.
    let out = finals()
        .env("CIVSCORE_TODAY", "2027-01-10")
        .args(&[
            "explain", "r.csv", "--rubric", "r.yaml", "--unit", "U1", "--period", "2026", "-q",
        ])
        .run()
        .ok();
    assert!(
        out.stdout
            .contains("Year-end assessment, weight 40: 10 − 1 = 9"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("9.22 − 1 = 8.22"), "{}", out.stdout);
    // A half-year without records is a usage error.
    finals()
        .args(&["score", "r.csv", "--rubric", "r.yaml", "--period", "2025H2"])
        .run()
        .code(2);
    let out = finals()
        .args(&["score", "r.csv", "--rubric", "r.yaml", "--period", "2026H3"])
        .run()
        .code(2);
    assert!(out.stderr.contains("2026H3"), "{}", out.stderr);
}

#[test]
fn year_weights_with_final_no_longer_read_as_a_typo() {
    let out = T::new()
        .file(
            "r.yaml",
            "civscore: 1\nfull: 10\nyear:\n  weights: {Q1: 20, Q2: 20, Q3: 20}\ncategories:\n  - code: A\n    indicators:\n      - {code: A1, points: 10, rule: per_finding, deduct: 1}\n",
        )
        .args(&["check", "r.yaml"])
        .run()
        .code(65);
    assert!(out.stderr.contains("missing key `Q4`"), "{}", out.stderr);
    assert!(!out.stderr.contains("unknown key `Q1`"), "{}", out.stderr);
    let out = finals().args(&["check", "r.yaml"]).run().ok();
    assert!(out.stdout.contains("Q4 0, Year-end 40"), "{}", out.stdout);
}

#[test]
fn category_figures_add_up_to_the_rows_deductions() {
    // SPEC §7.7: Σ of the categories' `deducted` = full − score + bonus on every month row
    // (the example has no clamp), and each category's score = its points − its deduction.
    let out = T::new()
        .copy("examples/inspections.csv", "r.csv")
        .copy("examples/units.csv", "u.csv")
        .args(&[
            "score", "r.csv", "--units", "u.csv", "--all", "--format", "json", "-q",
        ])
        .run()
        .ok();
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    let mut checked = 0;
    for t in doc["tables"].as_array().unwrap() {
        for r in t["rows"].as_array().unwrap() {
            let cats = r["categories"].as_object().unwrap();
            assert_eq!(
                cats.len(),
                6,
                "A–F have points; the bonus category H has none"
            );
            let a = &cats["A"];
            let points = a["score"].as_f64().unwrap() + a["deducted"].as_f64().unwrap();
            assert!((points - 10.0).abs() < 1e-9, "{a}");
            if t["kind"] == "month" {
                let sum: f64 = cats.values().map(|c| c["deducted"].as_f64().unwrap()).sum();
                let want = 100.0 - r["score"].as_f64().unwrap() + r["bonus"].as_f64().unwrap();
                assert!(
                    (sum - want).abs() < 0.031,
                    "{} {}: {sum} vs {want}",
                    t["period"],
                    r["unit"]
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 100);
    // The finals rubric (one category, full 10): the year's A = 10 − 8.22 = 1.78 (the
    // penalty on A1 belongs to A), shown as a column with --by category.
    let doc = finals()
        .env("CIVSCORE_TODAY", "2027-01-10")
        .args(&[
            "score", "r.csv", "--rubric", "r.yaml", "--period", "2026", "--format", "json",
        ])
        .run()
        .ok()
        .json();
    let y = row(table(&doc, "year", "2026"), "U1");
    assert_eq!(y["categories"]["A"]["deducted"].as_f64(), Some(1.78));
    assert_eq!(y["categories"]["A"]["score"].as_f64(), Some(8.22));
    let out = finals()
        .env("CIVSCORE_TODAY", "2027-01-10")
        .args(&[
            "score", "r.csv", "--rubric", "r.yaml", "--period", "2026", "--by", "category",
        ])
        .args(&["--format", "csv", "-q"])
        .run()
        .ok();
    assert!(
        out.stdout.lines().next().unwrap().contains(",categories,"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains(",A=8.22,"), "{}", out.stdout);
    let out = finals()
        .args(&[
            "score", "r.csv", "--rubric", "r.yaml", "--by", "category", "--format", "md", "-q",
        ])
        .run()
        .ok();
    assert!(out.stdout.contains("| A |"), "{}", out.stdout);
    let out = finals()
        .args(&["score", "r.csv", "--rubric", "r.yaml", "--by", "unit"])
        .run()
        .code(2);
    assert_eq!(
        out.stderr,
        "error: unknown --by \"unit\": expected category\n"
    );
}

/// SPEC §7.12: U2 founded in August (from 2026-08), U3 merged into U1 after July (until
/// 2026-07), U4 not applicable to R1 under `not_applicable: average`.
fn lifecycle() -> T {
    T::new()
        .file(
            "rubric.yaml",
            "civscore: 1.1\nfull: 100\nnot_applicable: average\ncategories:\n  - code: A\n    name: 日常\n    indicators:\n      - {code: F1, name: 问题, points: 60, rule: per_finding, deduct: 1, overdue: 2}\n      - {code: R1, name: 活动, points: 40, rule: required}\n",
        )
        .file(
            "units.csv",
            "编号,名称,起始月份,截止月份,并入,不适用\nU1,一科,,,,\nU2,二科,2026-08,,,\nU3,三科,,2026-07,U1,\nU4,四科,,,,R1\n",
        )
        .file(
            "records.csv",
            "date,unit,indicator,count,deadline,rectified\n\
             2026-07-03,U1,R1,1,,\n2026-07-05,U1,F1,2,,\n2026-07-06,U3,R1,1,,\n\
             2026-07-07,U3,F1,1,2026-07-20,\n2026-08-03,U1,R1,1,,\n2026-08-04,U2,F1,1,,\n\
             2026-09-03,U1,R1,1,,\n2026-09-03,U2,R1,1,,\n",
        )
        .args(&[
            "score",
            "records.csv",
            "--rubric",
            "rubric.yaml",
            "--units",
            "units.csv",
        ])
}

/// The rows of a table of a JSON document: (unit, rank, rank change, score).
fn rows_of(doc: &Value, period: &str) -> Vec<(String, u64, Option<i64>, f64)> {
    let t = doc["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["period"] == period)
        .unwrap_or_else(|| panic!("no table {period}"));
    t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["unit"].as_str().unwrap().to_owned(),
                r["rank"].as_u64().unwrap(),
                r["rank_change"].as_i64(),
                r["score"].as_f64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn units_are_scored_only_within_their_span() {
    let out = lifecycle().args(&["--all", "--format", "json"]).run().ok();
    let doc = out.json();
    let s = |u: &str, r, c, x| (u.to_owned(), r, c, x);
    // July: U1 100 − F1 2 = 98; U3 100 − F1 1 − overdue 2 (due 07-20, open, late from 07-21,
    // booked in July) = 97; U4: R1 not applicable, the mean of U1 and U3 (0, 0) = 0: 100.
    // U2 (from August) has no row. Average (100 + 98 + 97) / 3 = 98.33.
    assert_eq!(
        rows_of(&doc, "2026-07"),
        [
            s("U4", 1, None, 100.0),
            s("U1", 2, None, 98.0),
            s("U3", 3, None, 97.0)
        ]
    );
    // August: U1 100; U2 100 − F1 1 − R1 missing 40 = 59; U4 100 − the mean of U1 and U2 only
    // ((0 + 40) / 2 = 20; with U3, whose span ended, it would be 80 / 3) = 80. U3 has no row,
    // and U2's rank change is blank (no row in July).
    assert_eq!(
        rows_of(&doc, "2026-08"),
        [
            s("U1", 1, Some(1), 100.0),
            s("U4", 2, Some(-1), 80.0),
            s("U2", 3, None, 59.0)
        ]
    );
    let t = &doc["tables"][1];
    assert_eq!(t["average"], 79.67, "(100 + 80 + 59) / 3");
    // Q3: U3 rolled up over July alone (97); U2 over August and September: (59 + 100) / 2 =
    // 79.5; U1 (98 + 100 + 100) / 3 = 99.33; U4 (100 + 80 + 100) / 3 = 93.33.
    assert_eq!(
        rows_of(&doc, "2026Q3"),
        [
            s("U1", 1, None, 99.33),
            s("U3", 2, None, 97.0),
            s("U4", 3, None, 93.33),
            s("U2", 4, None, 79.5)
        ]
    );
    let q3 = doc["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["period"] == "2026Q3")
        .unwrap();
    let u3 = q3["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["unit"] == "U3")
        .unwrap();
    assert_eq!(u3["months"], serde_json::json!({"2026-07": 97.0}));
    // merged_into is shown, and changes no number.
    assert_eq!(u3["merged_into"], "U1");
}

#[test]
fn a_record_outside_its_units_span_is_an_invalid_row() {
    let t = lifecycle().file(
        "records.csv",
        "date,unit,indicator\n2026-07-06,U3,R1\n2026-09-10,三科,F1\n2026-05-02,U2,F1\n2026-08-02,U2,R1\n",
    );
    let out = t.run().code(65);
    assert!(
        out.stderr.contains(
            "records.csv:3: column \"unit\": unit U3 was merged into U1 (assessed until 2026-07): a record dated 2026-09 is outside its span"
        ),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(
            "records.csv:4: column \"unit\": unit U2 is assessed from 2026-08: a record dated 2026-05 is outside its span"
        ),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("2 of 4 rows are invalid"),
        "{}",
        out.stderr
    );
    let zh = lifecycle()
        .file("records.csv", "date,unit,indicator\n2026-09-10,U3,F1\n")
        .args(&["--lang", "zh"])
        .run()
        .code(65);
    assert!(
        zh.stderr
            .contains("单位 U3 已并入 U1（考核截止 2026-07）：记录日期 2026-09 不在其考核期内"),
        "{}",
        zh.stderr
    );
}

#[test]
fn a_roster_span_is_checked() {
    let out = lifecycle()
        .file(
            "units.csv",
            "code,name,from,until,merged_into\nU1,一科,2026-13,,\nU2,二科,2026-08,2026-07,\nU3,三科,,,U1\nU4,四科,,2026-09,U9\n",
        )
        .run()
        .code(65);
    for want in [
        "units.csv:2: column \"from\": \"2026-13\" is not a month",
        "units.csv:3: column \"until\": the unit is assessed until 2026-07, before it starts (2026-08)",
        "units.csv:4: column \"merged_into\": merged into U1: give the last month",
        "units.csv:5: column \"merged_into\": merged into \"U9\", which is no unit code of the roster",
    ] {
        assert!(out.stderr.contains(want), "{want}\n{}", out.stderr);
    }
}

/// SPEC §7.8: E (街道宣传科) holds a `required` R1; A (城管科) only findings. October has a void
/// R1 record (a record all the same); November has none of E.
fn completeness() -> T {
    T::new()
        .file(
            "rubric.yaml",
            "civscore: 1.1\nfull: 100\ncategories:\n  - code: A\n    name: 日常\n    assessor: 城管科\n    indicators:\n      - {code: F1, name: 问题, points: 60, rule: per_finding, deduct: 1}\n  - code: E\n    name: 宣传教育常态化\n    assessor: 街道宣传科\n    indicators:\n      - {code: R1, name: 活动, points: 40, rule: required}\n",
        )
        .file(
            "records.csv",
            "date,unit,indicator,status\n2026-10-03,U1,R1,void\n2026-10-05,U1,F1,\n2026-11-05,U1,F1,\n",
        )
}

#[test]
fn a_category_without_any_record_in_a_period_gets_a_note() {
    let note = "note: 2026-11: no records for category E 宣传教育常态化 (街道宣传科) — was its file left out?";
    let all = completeness()
        .args(&["score", "records.csv", "--rubric", "rubric.yaml", "--all"])
        .run()
        .ok();
    assert!(all.stderr.contains(note), "{}", all.stderr);
    // Once: not for October (its void record counts), nor for A (nothing due).
    assert_eq!(
        all.stderr.matches("no records for category").count(),
        1,
        "{}",
        all.stderr
    );
    let quiet = completeness()
        .args(&["score", "records.csv", "--rubric", "rubric.yaml", "-q"])
        .run()
        .ok();
    assert!(!quiet.stderr.contains("no records"), "{}", quiet.stderr);
    let zh = completeness()
        .args(&[
            "score",
            "records.csv",
            "--rubric",
            "rubric.yaml",
            "--lang",
            "zh",
        ])
        .run()
        .ok();
    assert!(
        zh.stderr.contains(
            "note: 2026-11：类别 E 宣传教育常态化（街道宣传科）没有任何记录——是否漏了该部门的文件？"
        ),
        "{}",
        zh.stderr
    );
    // October alone: the void record is a record, no note.
    let oct = completeness()
        .args(&[
            "score",
            "records.csv",
            "--rubric",
            "rubric.yaml",
            "--period",
            "2026-10",
        ])
        .run()
        .ok();
    assert!(!oct.stderr.contains("no records"), "{}", oct.stderr);
    // The report: on stderr and in the workbook.
    let t = completeness().args(&[
        "report",
        "records.csv",
        "--rubric",
        "rubric.yaml",
        "-o",
        "r.xlsx",
    ]);
    let out = t.run().ok();
    assert!(out.stderr.contains(note), "{}", out.stderr);
    let cells: Vec<String> = read_sheets(&t.path("r.xlsx"))
        .into_iter()
        .flat_map(|(_, rows)| rows.into_iter().flatten())
        .map(|c| c.to_string())
        .collect();
    assert!(
        cells
            .iter()
            .any(|c| c.contains("no records for category E")),
        "{cells:?}"
    );
}

#[test]
fn explain_says_when_a_unit_has_no_row_in_a_period() {
    let out = lifecycle()
        .file(
            "records.csv",
            "date,unit,indicator\n2026-07-06,U3,R1\n2026-09-03,U1,R1\n",
        )
        .args(&["--period", "2026-09"])
        .run()
        .ok();
    // U3 (until 2026-07) has no row in September: not ranked (its quarter to date is July's).
    let month = out.stdout.split("Quarter").next().unwrap();
    assert!(!month.contains("U3"), "{}", out.stdout);
    assert!(month.contains("U1"), "{}", out.stdout);
    let t = T::new()
        .file("rubric.yaml", "civscore: 1.1\nfull: 100\ncategories:\n  - code: A\n    indicators:\n      - {code: R1, name: 活动, points: 100, rule: required}\n")
        .file("units.csv", "code,name,until,merged_into\nU1,一科,,\nU3,三科,2026-07,U1\n")
        .file("records.csv", "date,unit,indicator\n2026-07-06,U3,R1\n2026-09-03,U1,R1\n")
        .args(&[
            "explain", "records.csv", "--rubric", "rubric.yaml", "--units", "units.csv", "--unit",
            "U3", "--period", "2026-09",
        ]);
    let out = t.run().ok();
    assert!(
        out.stderr.contains("note: unit U3 has no row in 2026-09"),
        "{}",
        out.stderr
    );
    // Its quarter to date is July alone: 100 (R1 held).
    assert!(out.stdout.contains("2026Q3: 100.00"), "{}", out.stdout);
}

/// Two offices' November files (no ids): office B reports office A's finding again (unit by
/// its name, on an unannounced check), and one finding of its own.
fn two_offices() -> T {
    hand()
        .file(
            "office_a.csv",
            "date,unit,indicator,count,source,note\n2026-11-03,U1,P1,1,,litter at the gate\n2026-11-04,U2,P1,1,,bins full\n",
        )
        .file(
            "office_b.csv",
            "date,unit,indicator,count,source,note\n2026-11-03,迎春社区,P1,1,暗访, litter at the gate \n2026-11-05,U2,P1,1,,bins full\n",
        )
}

fn u1_november(t: T, more: &[&str]) -> (f64, Value, String) {
    let out = t
        .args(&[
            "score",
            "office_a.csv",
            "office_b.csv",
            "--rubric",
            "rubric.yaml",
            "--units",
            "units.csv",
            "--period",
            "2026-11",
            "--format",
            "json",
        ])
        .args(more)
        .run()
        .ok();
    let doc = out.json();
    let score = row(table(&doc, "month", "2026-11"), "U1")["score"]
        .as_f64()
        .unwrap();
    (score, doc, out.stderr)
}

#[test]
fn rows_equal_across_inputs_are_named_and_dedupe_keeps_the_first_inputs() {
    // Without --dedupe both rows deduct, with a note naming them and what differs besides:
    // U1's P1 is 0.5 (office A, 现场) + 0.5 × 2 (office B, 暗访) = 1.5.
    let (both, doc, stderr) = u1_november(two_offices(), &[]);
    assert!(
        stderr.contains(
            "note: possible double entry: 1 finding(s) are in more than one input with the same unit, date, indicator, count, value and note, and each row deducts (the same problem is not to be deducted twice: --dedupe keeps the first input's rows): U1 2026-11-03 P1: office_a.csv:2, office_b.csv:2 (source \"暗访\" here, \"\" there)\n"
        ),
        "{stderr}"
    );
    // U2's rows differ in date: not a double entry.
    assert!(!stderr.contains("U2 2026-11"), "{stderr}");
    assert_eq!(doc["records"]["skipped"], 0);
    // --dedupe cannot settle them by the order of the files: they differ in the source.
    let out = two_offices()
        .args(&[
            "score",
            "office_a.csv",
            "office_b.csv",
            "--rubric",
            "rubric.yaml",
            "--units",
            "units.csv",
            "--dedupe",
        ])
        .run()
        .code(65);
    assert!(
        out.stderr.starts_with(
            "error: --dedupe: 1 finding(s) are in more than one input with other content besides"
        ),
        "{}",
        out.stderr
    );
    // Office B's row as office A's (no source): the same finding, which --dedupe leaves out:
    // U1's P1 is 0.5 instead of 0.5 + 0.5.
    let same = || {
        two_offices().file(
            "office_b.csv",
            "date,unit,indicator,count,source,note\n2026-11-03,迎春社区,P1,1,, litter at the gate \n2026-11-05,U2,P1,1,,bins full\n",
        )
    };
    let (twice, _, _) = u1_november(same(), &[]);
    // Office B's row weighed 1.0 on the unannounced check, 0.5 without it.
    assert_eq!(twice - both, 0.5);
    let (once, doc, stderr) = u1_november(same(), &["--dedupe"]);
    assert_eq!(once - twice, 0.5, "{stderr}");
    assert!(
        stderr.contains("U1 2026-11-03 P1: kept office_a.csv:2, left out office_b.csv:2;")
            || stderr.contains("U1 2026-11-03 P1: kept office_a.csv:2, left out office_b.csv:2\n"),
        "{stderr}"
    );
    // Every row accounted for: read 4 = scored 3 + skipped 1.
    assert_eq!(doc["records"]["read"], 4);
    assert_eq!(doc["records"]["scored"], 3);
    assert_eq!(doc["records"]["skipped"], 1);
    let out = same()
        .args(&[
            "validate",
            "office_a.csv",
            "office_b.csv",
            "--rubric",
            "rubric.yaml",
            "--units",
            "units.csv",
            "--dedupe",
        ])
        .run()
        .ok();
    assert!(
        out.stdout
            .contains("4 rows, all valid (3 to score, 0 void, 1 skipped)"),
        "{}",
        out.stdout
    );
    // The same as office A's file with office B's own finding only.
    let alone = two_offices().file(
        "office_b.csv",
        "date,unit,indicator,count,source,note\n2026-11-05,U2,P1,1,,bins full\n",
    );
    let (alone, _, stderr) = u1_november(alone, &[]);
    assert_eq!(alone, once);
    assert!(!stderr.contains("double entry"), "{stderr}");
}

#[test]
fn equal_rows_within_one_input_are_two_findings() {
    // Two equal rows in one file are the office's own count: both deduct, no note.
    let t = hand().file(
        "office_a.csv",
        "date,unit,indicator,count,note\n2026-11-03,U1,P1,1,litter\n2026-11-03,U1,P1,1,litter\n",
    );
    let out = t
        .args(&[
            "score",
            "office_a.csv",
            "--rubric",
            "rubric.yaml",
            "--units",
            "units.csv",
            "--dedupe",
            "--period",
            "2026-11",
            "--format",
            "json",
        ])
        .run()
        .ok();
    assert!(!out.stderr.contains("double"), "{}", out.stderr);
    assert_eq!(out.json()["records"]["scored"], 2);
}

#[test]
fn a_row_copied_into_two_sheets_of_a_workbook_is_named_by_sheet_and_row() {
    let t = hand();
    let csv_text = "date,unit,indicator,count,note\n2026-11-03,U1,P1,1,litter\n";
    let path = t.path("book.xlsx");
    {
        use rust_xlsxwriter::Workbook;
        let mut book = Workbook::new();
        for (name, rows) in [("10月", csv_text), ("11月", csv_text)] {
            let ws = book.add_worksheet();
            ws.set_name(name).unwrap();
            for (r, line) in rows.lines().enumerate() {
                for (c, cell) in line.split(',').enumerate() {
                    ws.write_string(r as u32, c as u16, cell).unwrap();
                }
            }
        }
        book.save(&path).unwrap();
    }
    let out = t
        .args(&[
            "score",
            "book.xlsx",
            "--rubric",
            "rubric.yaml",
            "--units",
            "units.csv",
            "--period",
            "2026-11",
            "--dedupe",
            "--format",
            "json",
        ])
        .run()
        .ok();
    assert!(
        out.stderr
            .contains("U1 2026-11-03 P1: kept book.xlsx[10月]:2, left out book.xlsx[11月]:2"),
        "{}",
        out.stderr
    );
    assert_eq!(out.json()["records"]["scored"], 1);
}

#[test]
fn ids_that_repeat_and_double_entries_are_settled_together() {
    // Office A's R1 sent again by office B (refused as a repeat, its content the same) beside
    // an id-less double entry: the repeat is rejected, the double entry named, nothing else.
    let t = hand()
        .file(
            "office_a.csv",
            "id,date,unit,indicator,note\nR1,2026-11-03,U1,P1,a\n,2026-11-04,U1,P1,b\n,2026-11-06,U2,P1,c\n",
        )
        .file(
            "office_b.csv",
            "id,date,unit,indicator,note\nR1,2026-11-03,U1,P1,a\n,2026-11-04,U1,P1,b\n,2026-11-05,U1,P1,b\n",
        );
    let out = t
        .args(&[
            "score",
            "office_a.csv",
            "office_b.csv",
            "--rubric",
            "rubric.yaml",
            "--units",
            "units.csv",
            "--skip-invalid",
            "--dedupe",
            "--format",
            "json",
        ])
        .run()
        .ok();
    assert!(
        out.stderr
            .contains("office_b.csv:2: column \"id\": id \"R1\" repeats (first at office_a.csv:2)"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("U1 2026-11-04 P1: kept office_a.csv:3, left out office_b.csv:3"),
        "{}",
        out.stderr
    );
    // read 6 = scored 4 (a:2, a:3, a:4, b:4) + rejected 1 + skipped 1.
    let doc = out.json();
    assert_eq!(doc["records"]["scored"], 4);
    assert_eq!(doc["records"]["rejected"], 1);
    assert_eq!(doc["records"]["skipped"], 1);
}

#[test]
fn a_header_with_its_unit_in_brackets_names_the_column_and_subtotal_rows_are_skipped() {
    // 数量（处） is the count column: read, or every finding would count as 1 (exit 0, wrong).
    // U1's P1 in November: 3 findings × 0.5 = 1.5 deducted either way the header is written.
    let plain = "date,unit,indicator,count\n2026-11-03,U1,P1,3\n2026-11-04,U2,P1,1\n";
    let clerk = "日期,单位,指标,数量（处）\n2026-11-03,U1,P1,3\n10月小计,,,3\n2026-11-04,U2,P1,1\n本月合计：,,,4\n";
    let score = |text: &str| {
        let out = november(text).ok();
        (out.json(), out.stderr)
    };
    let (want, _) = score(plain);
    let (got, stderr) = score(clerk);
    assert_eq!(got["tables"], want["tables"], "{stderr}");
    assert!(!stderr.contains("columns not used"), "{stderr}");
    assert!(
        stderr.contains("rows that are not records were skipped: totals 2"),
        "{stderr}"
    );
}

#[test]
fn headers_offices_write_are_read_and_a_near_miss_of_a_missing_column_is_refused() {
    // 要求整改日期 / 实际整改日期 / 问题来源 / 整改结果 are the deadline, rectified, source and
    // status columns: U1's P1 found on an unannounced check (×2) and rectified 5 days late
    // (+0.5) deducts 0.5 × 2 + 0.5 = 1.5, as with the English headers.
    let plain = "date,unit,indicator,source,deadline,rectified,status\n2026-11-03,U1,P1,暗访,2026-11-05,2026-11-10,\n";
    let clerk = "检查日期,责任单位,扣分指标,问题来源,要求整改日期,实际整改日期,整改结果,联系方式,分值\n2026-11-03,U1,P1,暗访,2026-11-05,2026-11-10,,13800000000,5\n";
    let run = |text: &str| november(text);
    let want = run(plain).ok().json();
    let out = run(clerk).ok();
    assert_eq!(out.json()["tables"], want["tables"], "{}", out.stderr);
    // 联系方式 holds 方式 and 分值 is one edit from 数值: neither is taken for a column.
    assert!(
        out.stderr.contains("columns not used: 联系方式, 分值"),
        "{}",
        out.stderr
    );
    // A header that is not one of the names but looks like the rectified column, which the
    // header lacks: refused, since read or not the scores differ.
    // The date beside its time of day: the date is read, the time named as not used.
    let out = run("检查日期,检查时间,责任单位,扣分指标,问题来源,要求整改日期,实际整改日期\n2026-11-03,09:30,U1,P1,暗访,2026-11-05,2026-11-10\n").ok();
    assert_eq!(out.json()["tables"], want["tables"], "{}", out.stderr);
    assert!(
        out.stderr.contains("columns not used: 检查时间"),
        "{}",
        out.stderr
    );
    // A report date beside the inspection date: which is meant is not guessed.
    let out = run("日期,检查日期,责任单位,指标\n2026-12-01,2026-11-03,U1,P1\n").code(65);
    assert!(
        out.stderr
            .starts_with("error: r.csv:1: columns \"日期\" and \"检查日期\" both name \"date\" ("),
        "{}",
        out.stderr
    );
    // A report's 日期 beside the inspection's 检查时间 is two dates too, not a date and its time.
    let out = run("日期,检查时间,责任单位,指标\n2026-12-01,2026-11-03 09:30,U1,P1\n").code(65);
    assert!(
        out.stderr
            .starts_with("error: r.csv:1: columns \"日期\" and \"检查时间\" both name \"date\" ("),
        "{}",
        out.stderr
    );
    let out = run("检查日期,责任单位,指标,整改期限,实际整改完成日期\n2026-11-03,U1,P1,2026-11-05,2026-11-10\n").code(65);
    assert!(
        out.stderr.starts_with("error: r.csv:1: column \"实际整改完成日期\" is not read, but it looks like \"rectified\" ("),
        "{}",
        out.stderr
    );
}

#[test]
fn the_same_ledger_in_another_format_is_refused_as_a_copy_unless_deduped() {
    // The hand fixture as CSV and as .xlsx: no byte in common, every record the same.
    let csv_text = std::fs::read_to_string(data("tests/data/hand/records.csv")).unwrap();
    let without_ids: String = csv_text
        .lines()
        .map(|l| l.split_once(',').map_or(l, |(_, rest)| rest))
        .collect::<Vec<_>>()
        .join("\n");
    let t = hand().file("records.csv", &without_ids);
    xlsx_from_csv(&without_ids, &t.path("records.xlsx"), "检查记录");
    let t = t.args(&[
        "score",
        "records.csv",
        "records.xlsx",
        "--rubric",
        "rubric.yaml",
        "--units",
        "units.csv",
        "--all",
        "--format",
        "json",
    ]);
    let out = t.run().code(65);
    assert!(
        out.stderr
            .starts_with("error: every record of records.xlsx[检查记录] is also in records.csv"),
        "{}",
        out.stderr
    );
    // With --dedupe each finding counts once: as the CSV alone.
    let T { dir, args, .. } = t;
    let t = T {
        dir,
        args: args.into_iter().chain(["--dedupe".to_owned()]).collect(),
        stdin: None,
        env: Vec::new(),
    };
    let once = t.run().ok().json();
    let alone = hand()
        .file("records.csv", &without_ids)
        .args(&["score"])
        .args(HAND)
        .args(&["--all", "--format", "json"])
        .run()
        .ok()
        .json();
    assert_eq!(once["tables"], alone["tables"]);
}

#[test]
fn zero_width_spaces_around_a_cell_and_a_total_row_headed_summary_are_read_past() {
    // A code pasted from a chat carries a zero-width space; Chinese Excel heads a table's
    // total row 汇总. U1's P1: 2 findings × 0.5 = 1 deducted in both files.
    let plain = "date,unit,indicator,count\n2026-11-03,U1,P1,2\n";
    let pasted = "date,unit,indicator,count\n2026-11-03,U1\u{200b},\u{200b}P1,2\n汇总,,,2\n";
    let run = |text: &str| november(text).ok();
    let (want, got) = (run(plain), run(pasted));
    assert_eq!(
        got.json()["tables"],
        want.json()["tables"],
        "{}",
        got.stderr
    );
    assert!(got.stderr.contains("totals 1"), "{}", got.stderr);
}

#[test]
fn a_summary_sheet_is_compared_with_the_others_as_records_not_as_text() {
    // The month sheet heads its columns as a clerk does and formats the rate as a percentage;
    // the summary heads them in English, names the unit, writes the date otherwise and the
    // rate as a number. Record for record they are the same: the summary is left out.
    use rust_xlsxwriter::{Format, Workbook};
    let t = hand();
    let mut book = Workbook::new();
    let pct = Format::new().set_num_format("0.0%");
    let ws = book.add_worksheet();
    ws.set_name("11月").unwrap();
    for (c, h) in ["检查日期", "责任单位", "扣分指标", "数值"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, (unit, value)) in [("U1", 0.15), ("U2", 0.25)].iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_string(r, 0, "2026-11-03").unwrap();
        ws.write_string(r, 1, *unit).unwrap();
        ws.write_string(r, 2, "T1").unwrap();
        ws.write_number_with_format(r, 3, *value, &pct).unwrap();
    }
    let ws = book.add_worksheet();
    ws.set_name("汇总").unwrap();
    let rows = [
        ["date", "unit", "indicator", "value"],
        ["2026/11/3", "迎春社区", "t1", "15"],
        ["2026年11月3日", "新明社区", "T1", "25.0"],
        ["合计", "", "", ""],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *cell).unwrap();
        }
    }
    book.save(t.path("book.xlsx")).unwrap();
    let out = t
        .args(&[
            "score",
            "book.xlsx",
            "--rubric",
            "rubric.yaml",
            "--units",
            "units.csv",
            "--period",
            "2026-11",
            "--format",
            "json",
        ])
        .run()
        .ok();
    assert!(
        out.stderr.contains("summary sheets skipped (each of their rows is a row of the other sheets; read again it would count twice): 汇总"),
        "{}",
        out.stderr
    );
    assert_eq!(out.json()["records"]["read"], 2);
}

#[test]
fn a_rate_shown_over_100_percent_is_refused() {
    // 15 typed into a cell then formatted 0.0 % shows 1500.0 %: read as shown, T1's line of 20
    // would be met; no rate is over 100 %, so the row is refused saying why.
    let out = hand()
        .file(
            "r.csv",
            "date,unit,indicator,value\n2026-11-03,U1,T1,1500.0%\n2026-11-03,U2,T1,100%\n",
        )
        .args(&[
            "validate",
            "r.csv",
            "--rubric",
            "rubric.yaml",
            "--units",
            "units.csv",
        ])
        .run()
        .code(65);
    assert!(
        out.stderr
            .contains("r.csv:2: column \"value\": the value shows as 1500.0%: a rate over 100 %"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("r.csv:3"), "{}", out.stderr);
}

#[test]
fn a_web_page_or_text_named_as_a_spreadsheet_says_what_it_is() {
    let t = || {
        T::new()
            .file(
                "export.xls",
                "<html><body><table><tr><td>日期</td></tr></table></body></html>",
            )
            .file("saved.xls", "日期,单位,指标\n2026-11-03,U1,D1\n")
    };
    let out = t().args(&["score", "export.xls"]).run().code(65);
    assert!(
        out.stderr
            .starts_with("error: export.xls: not a spreadsheet, despite its name, but a web page"),
        "{}",
        out.stderr
    );
    let out = t().args(&["score", "saved.xls"]).run().code(65);
    assert!(
        out.stderr.starts_with("error: saved.xls: not a spreadsheet, despite its name, but text: if it is CSV, name it .csv"),
        "{}",
        out.stderr
    );
}

#[test]
fn columns_not_used_are_said_before_the_rows_they_leave_invalid() {
    // 测定值 is not a name of the value column: T1's rows are refused for an empty value, and
    // the note says which column went unread, before the errors.
    let out = hand()
        .file("r.csv", "date,unit,indicator,测定值\n2026-11-03,U1,T1,22\n")
        .args(&[
            "score",
            "r.csv",
            "--rubric",
            "rubric.yaml",
            "--units",
            "units.csv",
        ])
        .run()
        .code(65);
    assert!(
        out.stderr.starts_with("note: r.csv: columns not used: 测定值 (did you mean \"测量值\"?)\nerror: r.csv:2: column \"value\""),
        "{}",
        out.stderr
    );
}

#[test]
fn a_struck_through_record_is_refused_naming_the_cell() {
    // An office strikes a withdrawn record out instead of marking it 作废: read, it would count.
    use rust_xlsxwriter::{Format, Workbook};
    let t = hand();
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    let struck = Format::new().set_font_strikethrough();
    for (c, h) in ["date", "unit", "indicator"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in ["2026-11-03", "U1", "P1"].iter().enumerate() {
        ws.write_string(1, c as u16, *v).unwrap();
        ws.write_string_with_format(2, c as u16, *v, &struck)
            .unwrap();
    }
    book.save(t.path("book.xlsx")).unwrap();
    let out = t
        .args(&[
            "score",
            "book.xlsx",
            "--rubric",
            "rubric.yaml",
            "--units",
            "units.csv",
        ])
        .run()
        .code(65);
    assert!(
        out.stderr
            .starts_with("error: book.xlsx[Sheet1]:3: cell A3 is struck through (3 such cells)"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_copied_sheet_is_found_in_a_workbook_on_standard_input_or_without_its_extension() {
    // Rows are compared across the sheets whatever the workbook's name: read from `-` or as
    // `book.bin`, the copied sheet is refused as it is when named book.xlsx.
    use rust_xlsxwriter::Workbook;
    let t = hand();
    let mut book = Workbook::new();
    for name in ["11月", "11月 (2)"] {
        let ws = book.add_worksheet();
        ws.set_name(name).unwrap();
        let rows = [
            ["date", "unit", "indicator", "note"],
            ["2026-11-03", "U1", "P1", "a"],
            ["2026-11-04", "U1", "P1", "b"],
            ["2026-11-05", "U2", "P1", "c"],
        ];
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                ws.write_string(r as u32, c as u16, *cell).unwrap();
            }
        }
    }
    let bytes = book.save_to_buffer().unwrap();
    let t = t.file("book.bin", &bytes).stdin(&bytes);
    for input in ["-", "book.bin"] {
        let out = T {
            dir: tempfile::tempdir().unwrap(),
            args: Vec::new(),
            stdin: t.stdin.clone(),
            env: Vec::new(),
        };
        std::fs::copy(t.path("book.bin"), out.path("book.bin")).unwrap();
        for f in ["rubric.yaml", "units.csv"] {
            std::fs::copy(t.path(f), out.path(f)).unwrap();
        }
        let out = out
            .args(&[
                "score",
                input,
                "--rubric",
                "rubric.yaml",
                "--units",
                "units.csv",
            ])
            .run()
            .code(65);
        assert!(
            out.stderr.contains("[11月 (2)] is also in ") && out.stderr.contains("[11月]"),
            "{input}: {}",
            out.stderr
        );
    }
}

/// `score r.csv` on the hand fixture's rubric and roster, for November, as JSON.
fn november(text: &str) -> Out {
    hand()
        .file("r.csv", text)
        .args(&[
            "score",
            "r.csv",
            "--rubric",
            "rubric.yaml",
            "--units",
            "units.csv",
            "--period",
            "2026-11",
            "--format",
            "json",
        ])
        .run()
}

#[test]
fn a_covered_cell_of_a_merged_region_reads_as_the_region_shows() {
    // 暗访 merged over two rows; the covered cell still holds 现场考核 of its own (a file written
    // by a program): Excel shows 暗访 in both, so both findings weigh ×2. U1's P1: 2 × 0.5 × 2 = 2.
    use rust_xlsxwriter::{Format, Workbook};
    let t = hand();
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    for (c, h) in ["date", "unit", "indicator", "source"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for r in 1..=2 {
        for (c, v) in ["2026-11-03", "U1", "P1"].iter().enumerate() {
            ws.write_string(r, c as u16, *v).unwrap();
        }
    }
    ws.merge_range(1, 3, 2, 3, "暗访", &Format::new()).unwrap();
    ws.write_string(2, 3, "现场考核").unwrap();
    book.save(t.path("book.xlsx")).unwrap();
    let plain = "date,unit,indicator,source\n2026-11-03,U1,P1,暗访\n2026-11-03,U1,P1,暗访\n";
    let want = november(plain).ok().json();
    let out = t
        .args(&[
            "score",
            "book.xlsx",
            "--rubric",
            "rubric.yaml",
            "--units",
            "units.csv",
            "--period",
            "2026-11",
            "--format",
            "json",
        ])
        .run()
        .ok();
    assert_eq!(out.json()["tables"], want["tables"], "{}", out.stderr);
}

#[test]
fn an_xls_whose_sector_chain_loops_is_damaged_not_endless() {
    // 7 KB found by the fuzz target: the spreadsheet library followed its looping directory
    // chain until the kernel killed the process (24 GB). Now: refused at once.
    let out = T::new()
        .copy("tests/data/looping_chain.xls", "l.xls")
        .args(&["score", "l.xls"])
        .run()
        .code(65);
    assert_eq!(
        out.stderr,
        "error: l.xls: cannot read the spreadsheet: the file is damaged\n"
    );
}
