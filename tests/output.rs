//! Output files: never over an input or another output, devices and FIFOs written in place,
//! symlinks followed, read-only files refused, nothing changed by a failed or interrupted run,
//! and names that contradict the format refused (issue 16).

use std::fs;
use std::os::unix::fs::{FileTypeExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A temporary folder holding the hand-computed fixture, and the binary run inside it.
struct T {
    dir: tempfile::TempDir,
}

struct Out {
    stderr: String,
    code: i32,
}

impl T {
    fn new() -> T {
        let t = T {
            dir: tempfile::tempdir().unwrap(),
        };
        let hand = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/hand");
        for f in ["rubric.yaml", "units.csv", "records.csv"] {
            fs::copy(hand.join(f), t.path(f)).unwrap();
        }
        // One invalid row, for --skip-invalid --rejects.
        let mut records = fs::read_to_string(t.path("records.csv")).unwrap();
        records.push_str("99,2026-01-07,U1,NOPE,1,,,暗访,,,,bad indicator\n");
        fs::write(t.path("bad.csv"), records).unwrap();
        t
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = civscore_cmd();
        cmd.args(args).current_dir(self.dir.path());
        // English messages, whatever the locale of the machine running the tests.
        for k in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            cmd.env_remove(k);
        }
        cmd
    }

    fn run(&self, args: &[&str]) -> Out {
        let out = self.cmd(args).stdin(Stdio::null()).output().unwrap();
        Out {
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            code: out.status.code().unwrap_or(-1),
        }
    }

    /// Every name in the folder, sorted.
    fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn temps(&self) -> Vec<String> {
        self.names()
            .into_iter()
            .filter(|n| n.ends_with(".tmp"))
            .collect()
    }

    fn bytes(&self, name: &str) -> Vec<u8> {
        fs::read(self.path(name)).unwrap()
    }
}

/// `COMMAND RECORDS --rubric rubric.yaml --units units.csv -q EXTRA…`
fn hand<'a>(command: &'a str, records: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let fixture = ["--rubric", "rubric.yaml", "--units", "units.csv", "-q"];
    [command, records]
        .into_iter()
        .chain(fixture)
        .chain(extra.iter().copied())
        .collect()
}

/// `score records.csv` on the fixture, with `extra`.
fn with<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    hand("score", "records.csv", extra)
}

/// The rejects to `r.csv`, the scores as CSV to `o`.
fn rejects_and_csv(o: &str) -> [&str; 7] {
    [
        "--skip-invalid",
        "--rejects",
        "r.csv",
        "--format",
        "csv",
        "-o",
        o,
    ]
}

fn mkfifo(path: &Path) {
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
}

fn refused(out: &Out, expected: &str) {
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(out.stderr, format!("error: {expected}\n"));
}

#[test]
fn an_input_is_never_written_over_under_any_name() {
    let t = T::new();
    symlink("units.csv", t.path("roster-link")).unwrap();
    fs::hard_link(t.path("rubric.yaml"), t.path("rubric-hard")).unwrap();
    let before: Vec<Vec<u8>> = ["records.csv", "rubric.yaml", "units.csv"]
        .iter()
        .map(|f| t.bytes(f))
        .collect();
    let cases: [(&[&str], &str); 5] = [
        (
            &["-o", "units.csv", "--format", "csv"],
            "units.csv: the same file as units.csv",
        ),
        (
            &["-o", "./records.csv", "--format", "csv"],
            "./records.csv: the same file as records.csv",
        ),
        (
            &["-o", "roster-link", "--format", "csv"],
            "roster-link: the same file as units.csv",
        ),
        (
            &["-o", "rubric-hard"],
            "rubric-hard: the same file as rubric.yaml",
        ),
        (
            &["--skip-invalid", "--rejects", "units.csv"],
            "units.csv: the same file as units.csv",
        ),
    ];
    for (args, said) in cases {
        let out = t.run(&with(args));
        refused(
            &out,
            &format!("{said}, an input of this run: refusing to write over it"),
        );
    }
    let after: Vec<Vec<u8>> = ["records.csv", "rubric.yaml", "units.csv"]
        .iter()
        .map(|f| t.bytes(f))
        .collect();
    assert!(before == after, "an input changed");
    assert!(
        fs::symlink_metadata(t.path("roster-link"))
            .unwrap()
            .is_symlink()
    );
}

#[test]
fn the_settings_file_that_was_read_is_an_input() {
    let t = T::new();
    let toml = "rubric = \"rubric.yaml\"\nunits = \"units.csv\"\n";
    fs::write(t.path("civscore.toml"), toml).unwrap();
    fs::hard_link(t.path("civscore.toml"), t.path("settings")).unwrap();
    let out = t.run(&[
        "score",
        "records.csv",
        "-q",
        "--format",
        "json",
        "-o",
        "settings",
    ]);
    refused(
        &out,
        "settings: the same file as civscore.toml, an input of this run: refusing to write over it",
    );
    assert_eq!(t.bytes("civscore.toml"), toml.as_bytes());
}

#[test]
fn two_outputs_of_one_run_never_share_a_file() {
    let t = T::new();
    for o in ["r.csv", "./r.csv"] {
        let out = t.run(&with(&rejects_and_csv(o)));
        refused(
            &out,
            &format!(
                "{o}: the same file as r.csv, another output of this run: refusing to write both to it"
            ),
        );
    }
    assert!(!t.path("r.csv").exists());
    assert!(t.temps().is_empty());
}

#[test]
fn devices_and_fifos_are_written_in_place_never_replaced() {
    let t = T::new();
    symlink("/dev/null", t.path("null-link")).unwrap();
    for o in ["null-link", "/dev/null"] {
        let out = t.run(&with(&["--format", "csv", "-o", o]));
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    assert!(
        fs::symlink_metadata(t.path("null-link"))
            .unwrap()
            .is_symlink()
    );
    assert!(
        fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );

    let fifo = t.path("fifo");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read_to_string(fifo).unwrap())
    };
    let out = t.run(&with(&["--format", "csv", "-o", "fifo"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let got = reader.join().unwrap();
    assert!(got.starts_with("kind,period,"), "{got}");
    assert!(fs::metadata(&fifo).unwrap().file_type().is_fifo());
    assert!(t.temps().is_empty());
}

#[test]
fn a_symlink_is_followed_and_its_target_replaced() {
    let t = T::new();
    fs::create_dir(t.path("out")).unwrap();
    fs::write(t.path("out/real.json"), "old").unwrap();
    symlink("out/real.json", t.path("link.json")).unwrap();
    symlink("out/new.json", t.path("dangling.json")).unwrap();
    for o in ["link.json", "dangling.json"] {
        let out = t.run(&with(&["-o", o]));
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(fs::symlink_metadata(t.path(o)).unwrap().is_symlink());
    }
    for f in ["out/real.json", "out/new.json"] {
        let text = fs::read_to_string(t.path(f)).unwrap();
        assert!(text.starts_with("{\n  \"civscore\": 1"), "{f}: {text}");
    }
}

#[test]
fn a_read_only_target_is_refused() {
    let t = T::new();
    fs::write(t.path("ro.json"), "old").unwrap();
    fs::set_permissions(t.path("ro.json"), fs::Permissions::from_mode(0o444)).unwrap();
    let out = t.run(&with(&["-o", "ro.json"]));
    refused(
        &out,
        "ro.json: the file is read-only: refusing to replace it",
    );
    assert_eq!(t.bytes("ro.json"), b"old");
}

#[test]
fn a_planted_link_at_a_guessable_temp_name_is_never_followed() {
    let t = T::new();
    let victim = t.path("victim");
    fs::write(&victim, "keep").unwrap();
    // The old scheme's names (`.NAME.civscore-PID.tmp`) for the next few process ids, and
    // names built from the new scheme's prefix and suffix.
    let next = std::process::id();
    for pid in next..next + 64 {
        symlink(&victim, t.path(&format!(".scores.json.civscore-{pid}.tmp"))).unwrap();
    }
    symlink(&victim, t.path(".scores.json..civscore.tmp")).unwrap();
    let out = t.run(&with(&["-o", "scores.json"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(t.bytes("victim"), b"keep");
    assert!(t.bytes("scores.json").starts_with(b"{\n  \"civscore\": 1"));
}

/// Waits for a temporary file of `--rejects r.csv` while the run is blocked opening a FIFO
/// that no one reads, then sends `signal`: the process must remove it and exit 128 + signal.
fn interrupted(signal: i32) {
    let t = T::new();
    mkfifo(&t.path("fifo"));
    let args = hand("score", "bad.csv", &rejects_and_csv("fifo"));
    let mut child = t
        .cmd(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !t.temps().iter().any(|n| n.starts_with(".r.csv.")) {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no temporary file"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let pid = i32::try_from(child.id()).unwrap();
    // SAFETY: kill has no memory preconditions; pid is our own child.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    let code = wait(&mut child);
    assert_eq!(code, 128 + signal);
    assert!(t.temps().is_empty(), "{:?}", t.names());
    assert!(!t.path("r.csv").exists());
    assert!(fs::metadata(t.path("fifo")).unwrap().file_type().is_fifo());
}

fn wait(child: &mut Child) -> i32 {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code().unwrap_or(-1);
        }
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("the process did not end on the signal");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn sigint_removes_the_temporary_files() {
    interrupted(libc::SIGINT);
}

#[test]
fn sigterm_removes_the_temporary_files() {
    interrupted(libc::SIGTERM);
}

#[test]
fn a_failed_run_changes_no_output() {
    let t = T::new();
    fs::write(t.path("r.csv"), "old").unwrap();
    let bad = |command, extra: &[&str]| -> Out {
        let rejects = ["--skip-invalid", "--rejects", "r.csv"];
        let extra: Vec<&str> = rejects.iter().chain(extra).copied().collect();
        t.run(&hand(command, "bad.csv", &extra))
    };
    // The main output cannot be written (a full device): the rejects are not written either.
    if Path::new("/dev/full").exists() {
        let out = bad("score", &["--format", "csv", "-o", "/dev/full"]);
        assert_eq!(out.code, 1, "{}", out.stderr);
        let said = "\nerror: /dev/full: ";
        assert!(out.stderr.contains(said), "{}", out.stderr);
        assert_eq!(t.bytes("r.csv"), b"old");
    }
    // The run fails after the rejects were staged.
    let out = bad("explain", &["--unit", "NOSUCH", "-o", "u.json"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(t.bytes("r.csv"), b"old");
    assert!(!t.path("u.json").exists());
    assert!(t.temps().is_empty(), "{:?}", t.names());
    // The same run that succeeds writes both.
    let out = bad("score", &["-o", "s.json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(t.bytes("r.csv").starts_with(b"file,line,reason"));
    assert!(t.path("s.json").exists());
}

#[test]
fn a_name_that_contradicts_the_format_is_a_usage_error() {
    let t = T::new();
    let report = |o: &str| -> Out { t.run(&hand("report", "records.csv", &["-o", o])) };
    refused(
        &report("x.pdf"),
        "-o x.pdf: civscore does not write .pdf files (it writes .xlsx, .csv, .json, .md, .html and text)",
    );
    refused(
        &report("x.csv"),
        "-o x.csv: a .csv name for xlsx output: name it .xlsx",
    );
    refused(
        &report("x.out"),
        "-o x.out: a workbook's name ends in .xlsx, not .out",
    );
    refused(
        &t.run(&with(&["--format", "json", "-o", "x.csv"])),
        "-o x.csv: a .csv name for json output: name it .json",
    );
    refused(
        &t.run(&hand(
            "report",
            "records.csv",
            &["--format", "csv", "-o", "x.csv"],
        )),
        "report writes a workbook (xlsx) or a bulletin (html), not csv",
    );
    refused(
        &t.run(&hand(
            "report",
            "records.csv",
            &["--format", "html", "-o", "x.xlsx"],
        )),
        "-o x.xlsx: a .xlsx name for html output: name it .html",
    );
    refused(
        &t.run(&with(&["--format", "xlsx", "-o", "x.json"])),
        "-o x.json: a .json name for xlsx output: name it .xlsx",
    );
    assert!(
        t.names().iter().all(|n| !n.starts_with("x.")),
        "{:?}",
        t.names()
    );
    // Without an extension, as before: a report is a workbook, a score a table.
    let out = report("monthly");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(t.bytes("monthly").starts_with(b"PK"));
    assert_eq!(t.run(&with(&["-o", "scores"])).code, 0);
    assert!(String::from_utf8(t.bytes("scores")).unwrap().contains("U1"));
    assert_eq!(t.run(&with(&["--format", "csv", "-o", "s.txt"])).code, 0);
    assert!(t.bytes("s.txt").starts_with(b"kind,period,"));
}

/// The binary, with "today" fixed (SPEC §7.1: the default as-of date is never after today), so
/// that results do not depend on the day the tests run.
fn civscore_cmd() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_civscore"));
    c.env("CIVSCORE_TODAY", "2026-12-02");
    c
}
