//! The built-in rubrics run as a new user runs them: `check` on each, and the bureau example
//! (`examples/bureau.csv`, 篇三) scored with `--rubric bureau`.

use std::process::Command;

use serde_json::Value;

/// Runs the binary in the project folder with "today" fixed (SPEC §7.1).
fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_civscore"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CIVSCORE_TODAY", "2026-12-03")
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_builtin_passes_check_and_shows_its_basis() {
    for name in ["community", "city-management", "school", "bureau"] {
        let (code, stdout, stderr) = run(&["check", name]);
        assert_eq!(code, 0, "{name}: {stderr}");
        // Every indicator line is followed by its basis, citing a 篇 of the seed plans or
        // saying it is an assumption.
        assert!(stdout.contains("篇"), "{name}:\n{stdout}");
        assert!(stdout.contains("假设"), "{name}:\n{stdout}");
    }
    let (_, stdout, _) = run(&["rubrics"]);
    assert!(stdout.contains("bureau"), "{stdout}");
}

/// The row of `unit` in the table of that kind and period.
fn row(doc: &Value, kind: &str, period: &str, unit: &str) -> Value {
    let table = doc["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == kind && t["period"] == period)
        .unwrap_or_else(|| panic!("no {kind} {period}"));
    table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["unit"] == unit)
        .unwrap_or_else(|| panic!("no {unit} in {kind} {period}"))
        .clone()
}

#[test]
fn the_bureau_example_scores_with_the_bureau_rubric() {
    let (code, stdout, stderr) = run(&[
        "score",
        "examples/bureau.csv",
        "--rubric",
        "bureau",
        "--all",
        "--format",
        "json",
        "-q",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    // Records run January to September 2026, so the as-of date is 2026-09-30: the three
    // quarters are complete, the year is provisional.
    // 接待科, August: no monthly self-check E4 (required, at least 1): −8 (all its points);
    // one B2 finding on 08-10 (不文明用语, −0.5): 100 − 8 − 0.5 = 91.5.
    assert_eq!(row(&doc, "month", "2026-08", "接待科")["score"], 91.5);
    // 公共机构节能科, Q2: no “我们的节日” activity (D1, required per quarter): −15 at the
    // quarter level; months 100, 99, 100 → mean 99.666…; 99.666… − 15 = 84.67.
    let q2 = row(&doc, "quarter", "2026Q2", "公共机构节能科");
    assert_eq!(q2["deducted"], 15.0, "{q2}");
    assert_eq!(q2["score"], 84.67, "{q2}");
    // 行政科, Q3: no quarterly archive (F2): −10; months 100, 100, 99.75 → mean 99.9166…;
    // 99.9166… − 10 = 89.92.
    let q3 = row(&doc, "quarter", "2026Q3", "行政科");
    assert_eq!(q3["deducted"], 10.0, "{q3}");
    assert_eq!(q3["score"], 89.92, "{q3}");
    // The year to date (as of 09-30): B1 公民道德宣传月 is due 09-30, so 接待科, which held
    // none, loses its 8 points; C1 (未成年人, due 12-31) is pending for everyone, though only
    // 办公室 and 行政科 have held it: no year-level deduction for the others.
    let year = row(&doc, "year", "2026", "接待科");
    assert_eq!(year["deducted"], 8.0, "{year}");
    assert_eq!(row(&doc, "year", "2026", "财务科")["deducted"], 0.0);
    // Same for the year to date as it stood in June (as of 06-30): B1 not yet due.
    let (code, stdout, stderr) = run(&[
        "score",
        "examples/bureau.csv",
        "--rubric",
        "bureau",
        "--period",
        "2026",
        "--as-of",
        "2026-06-30",
        "--format",
        "json",
        "-q",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(row(&doc, "year", "2026", "接待科")["deducted"], 0.0);
}

#[test]
fn the_bureau_example_has_a_roster_of_its_offices() {
    let (code, stdout, stderr) = run(&[
        "score",
        "examples/bureau.csv",
        "--rubric",
        "bureau",
        "--units",
        "examples/bureau-units.csv",
        "--period",
        "2026Q2",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    // With the roster there is no "no roster" note, and the offices are known by their codes.
    assert!(!stderr.contains("roster"), "{stderr}");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    let q2 = row(&doc, "quarter", "2026Q2", "KS05");
    assert_eq!(q2["name"], "公共机构节能科");
    // As above: 99.666… − 15 (no D1 festival activity in Q2) = 84.67.
    assert_eq!(q2["score"], 84.67, "{q2}");
}
