//! Encodings without guessing wrong: a file is read as GBK only when it is not UTF-8 and is
//! GBK; bytes that are text in neither (or not in the encoding named) are an error naming the
//! file, line and column, never U+FFFD in a unit's name, unless `--encoding X --lossy` asks.

use assert_cmd::Command;
use encoding_rs::GBK;

const HEADER: &str = "id,date,unit,indicator,count,source,note\n";

/// Records under the hand rubric, units named in Chinese; row 3 (line 4) has a note.
fn rows(note: &[u8]) -> Vec<u8> {
    let mut bytes = HEADER.as_bytes().to_vec();
    bytes.extend_from_slice("1,2026-01-05,和平社区,P1,1,暗访,路面\n".as_bytes());
    bytes.extend_from_slice("2,2026-01-06,迎春社区,P1,2,暗访,积水\n".as_bytes());
    bytes.extend_from_slice("3,2026-01-07,和平社区,P1,1,暗访,".as_bytes());
    bytes.extend_from_slice(note);
    bytes.extend_from_slice("\n4,2026-01-08,和平社区,P1,1,暗访,好\n".as_bytes());
    bytes
}

/// The column of the note on line 4, in characters.
fn note_column() -> usize {
    "3,2026-01-07,和平社区,P1,1,暗访,".chars().count() + 1
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// `civscore score FILE --all --format json` under the hand rubric, with extra arguments.
fn score(dir: &std::path::Path, file: &str, bytes: &[u8], extra: &[&str]) -> Run {
    std::fs::write(dir.join(file), bytes).unwrap();
    let rubric = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/hand/rubric.yaml");
    let out = Command::cargo_bin("civscore")
        .unwrap()
        .env("CIVSCORE_TODAY", "2026-12-02")
        .current_dir(dir)
        .env("LANG", "C")
        .args([
            "score", file, "--rubric", rubric, "--all", "--format", "json",
        ])
        .args(extra)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A UTF-8 file with one note saved in GBK is not read as GBK (which would make 和平社区
/// 鍜屽钩绀惧尯): the note is the error, at its line and column.
#[test]
fn a_utf8_file_with_a_gbk_note_is_an_error_at_the_note() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = rows(&GBK.encode("坏了").0);
    let out = score(dir.path(), "r.csv", &bytes, &[]);
    assert_eq!(out.code, 65, "{}", out.stderr);
    let at = format!(
        "error: r.csv:4:{}: the bytes BB are not UTF-8",
        note_column()
    );
    assert!(out.stderr.starts_with(&at), "{}", out.stderr);
    assert!(out.stdout.is_empty());
    // The same bytes on standard input.
    let rubric = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/hand/rubric.yaml");
    let out = Command::cargo_bin("civscore")
        .unwrap()
        .env("CIVSCORE_TODAY", "2026-12-02")
        .env("LANG", "C")
        .args(["score", "-", "--rubric", rubric])
        .write_stdin(bytes)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("error: <stdin>:4:"), "{stderr}");
}

/// A GBK file is read as GBK: the same scores as its UTF-8 twin, names intact.
#[test]
fn a_gbk_file_reads_as_its_utf8_twin() {
    let dir = tempfile::tempdir().unwrap();
    let text = String::from_utf8(rows("坏了".as_bytes())).unwrap();
    let utf8 = score(dir.path(), "u.csv", text.as_bytes(), &["-q"]);
    assert_eq!(utf8.code, 0, "{}", utf8.stderr);
    assert!(utf8.stdout.contains("和平社区"));
    for extra in [&[][..], &["--encoding", "gbk"], &["--encoding", "gb18030"]] {
        let gbk = score(
            dir.path(),
            "g.csv",
            &GBK.encode(&text).0,
            &[extra, &["-q"]].concat(),
        );
        assert_eq!(gbk.code, 0, "{extra:?}: {}", gbk.stderr);
        assert_eq!(gbk.stdout, utf8.stdout, "{extra:?}");
    }
}

/// A byte that is not GBK in a GBK file is an error at its line, with or without
/// `--encoding gbk`; with `--lossy` it is U+FFFD in the note, and a note says so.
#[test]
fn a_bad_byte_in_a_gbk_file_is_an_error_unless_lossy() {
    let dir = tempfile::tempdir().unwrap();
    let text = String::from_utf8(rows("坏了".as_bytes())).unwrap();
    let mut bytes = GBK.encode(&text).0.into_owned();
    let at = bytes.len()
        - GBK
            .encode("了\n4,2026-01-08,和平社区,P1,1,暗访,好\n")
            .0
            .len();
    // 了 becomes FF (no GBK lead byte) and x.
    bytes[at] = 0xFF;
    bytes[at + 1] = b'x';
    let place = format!("error: g.csv:4:{}: the bytes FF are ", note_column() + 1);
    for extra in [&[][..], &["--encoding", "gbk"]] {
        let out = score(dir.path(), "g.csv", &bytes, extra);
        assert_eq!(out.code, 65, "{extra:?}: {}", out.stderr);
        assert!(out.stderr.starts_with(&place), "{extra:?}: {}", out.stderr);
        assert!(!out.stderr.contains('\u{FFFD}'));
    }
    let out = score(
        dir.path(),
        "g.csv",
        &bytes,
        &["--encoding", "gbk", "--lossy"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "note: g.csv: 1 byte sequence(s) that are not GBK replaced with U+FFFD (--lossy), the first at g.csv:4:{} (FF;",
            note_column() + 1
        )),
        "{}",
        out.stderr
    );
    // Units as in the UTF-8 twin: the bad byte was in a note.
    let twin = score(dir.path(), "u.csv", text.as_bytes(), &[]);
    assert_eq!(out.stdout, twin.stdout);
    // --lossy names an encoding to replace the bytes of.
    let out = score(dir.path(), "g.csv", &bytes, &["--lossy"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.starts_with("error: --lossy needs --encoding"));
}

/// `--encoding utf-8` on a GBK file: an error at the first byte that is not UTF-8 (the header
/// is ASCII; the first Chinese is on line 2), never U+FFFD in a unit's name.
#[test]
fn utf8_named_on_a_gbk_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let text = String::from_utf8(rows("坏了".as_bytes())).unwrap();
    let bytes = GBK.encode(&text).0.into_owned();
    let out = score(dir.path(), "g.csv", &bytes, &["--encoding", "utf-8"]);
    assert_eq!(out.code, 65, "{}", out.stderr);
    let column = "1,2026-01-05,".len() + 1;
    let place = format!("error: g.csv:2:{column}: the bytes BA are not UTF-8");
    assert!(out.stderr.starts_with(&place), "{}", out.stderr);
    // Asked for, the bytes are replaced, and said to be: here the sources are no longer
    // the rubric's.
    let out = score(
        dir.path(),
        "g.csv",
        &bytes,
        &["--encoding", "utf-8", "--lossy"],
    );
    assert!(
        out.stderr
            .starts_with("note: g.csv: 50 byte sequence(s) that are not UTF-8 replaced"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("unknown source \"\u{FFFD}"),
        "{}",
        out.stderr
    );
}

/// A roster is held to the same rule: a stray GBK name is an error at its line.
#[test]
fn a_roster_with_a_stray_gbk_name_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut roster = "code,name\nU1,迎春社区\nU2,".as_bytes().to_vec();
    roster.extend_from_slice(&GBK.encode("和平社区").0);
    roster.extend_from_slice("\nU3,桥南小学\n".as_bytes());
    std::fs::write(dir.path().join("units.csv"), roster).unwrap();
    let records = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/hand/records.csv");
    let out = score(
        dir.path(),
        "r.csv",
        &std::fs::read(records).unwrap(),
        &["--units", "units.csv"],
    );
    assert_eq!(out.code, 65, "{}", out.stderr);
    assert!(
        out.stderr
            .starts_with("error: units.csv:3:4: the bytes BA are not UTF-8"),
        "{}",
        out.stderr
    );
}
