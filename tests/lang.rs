//! The interface language: help, notes, summary lines and errors follow `--lang`, then
//! `civscore.toml`, then `LC_ALL`/`LC_MESSAGES`/`LANG`; tables follow `--lang`, then the file,
//! then the rubric.

use std::path::Path;

struct Out {
    stdout: String,
    stderr: String,
    code: i32,
}

/// Runs the binary in a folder with the hand fixture, with only the locale variables given.
fn run(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Out {
    let mut cmd = civscore_cmd();
    cmd.args(args).current_dir(dir);
    for k in [
        "LC_ALL",
        "LC_MESSAGES",
        "LANG",
        "NO_COLOR",
        "CLICOLOR_FORCE",
    ] {
        cmd.env_remove(k);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Out {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/hand");
    for f in ["rubric.yaml", "units.csv", "records.csv"] {
        std::fs::copy(root.join(f), dir.path().join(f)).unwrap();
    }
    // One row with a problem in every column a clerk gets wrong.
    let bad = "id,date,unit,indicator,count,source,status\n\
               1,2026-01-05,U1,P1,1,,\n\
               1,2026-02-30,U9,P9,x,暗房,坏\n";
    std::fs::write(dir.path().join("bad.csv"), bad).unwrap();
    dir
}

/// Scores the file with a bad row under the hand rubric.
const BAD: &[&str] = &["score", "bad.csv", "--rubric", "rubric.yaml"];

const ZH: &[(&str, &str)] = &[("LANG", "zh_CN.UTF-8")];
const C: &[(&str, &str)] = &[("LANG", "C")];

/// Words a Chinese reader meets as they are typed: commands, formats, values, variables.
#[rustfmt::skip]
const TYPED: &[&str] = &[
    "civscore", "score", "explain", "report", "check", "validate", "config", "init", "compare",
    "completions", "man", "rubrics", "show", "help", "yaml", "csv", "tsv", "xlsx", "xls", "ods",
    "json", "md", "html", "table", "roff", "utf", "bom", "excel", "auto", "always", "never", "gbk", "gb",
    "le", "be", "zh", "en", "community", "school", "city", "management", "bureau", "bash", "zsh", "fish",
    "powershell", "elvish", "lc_all", "lang", "no_color", "clicolor_force", "output_dir", "error",
    "note", "rejected",
];

/// The English words of a Chinese text: runs of two or more Latin letters, other than flags,
/// paths, file names, the typed words above, what is quoted from the input (“…”) or written
/// as the author types it (`key`, `categories[0].deduct`) and the command lines of examples
/// (their comments count).
fn english(text: &str) -> Vec<String> {
    let mut read = String::new();
    for line in text.lines() {
        let line = match line.strip_prefix("  civscore ") {
            Some(example) => example.split_once('#').map_or("", |(_, c)| c),
            None => line,
        };
        let (mut quoted, mut typed) = (false, false);
        for c in line.chars() {
            match c {
                '“' => quoted = true,
                '”' => quoted = false,
                '`' => typed = !typed,
                c if !quoted && !typed => read.push(c),
                _ => {}
            }
        }
        read.push('\n');
    }
    read.split(|c: char| c.is_whitespace() || "（）“”：；，、:[]<>|".contains(c))
        .filter(|w| !w.starts_with('-') && !w.contains(['.', '/', '~']))
        .flat_map(|w| w.split(|c: char| !c.is_ascii_alphabetic() && c != '_'))
        .filter(|w| w.len() >= 2 && !TYPED.contains(&w.to_ascii_lowercase().as_str()))
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_chinese_locale_gives_chinese_help() {
    let dir = folder();
    for args in [
        &["--help"][..],
        &["score", "--help"],
        &["report", "-h"],
        &["init", "--help"],
        &["completions", "--help"],
        &["help", "explain"],
        &["rubrics", "show", "--help"],
    ] {
        let out = run(dir.path(), ZH, args);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        assert!(out.stdout.contains("用法："), "{args:?}: {}", out.stdout);
        assert!(
            english(&out.stdout).is_empty(),
            "{args:?}: {:?}\n{}",
            english(&out.stdout),
            out.stdout
        );
    }
    let out = run(dir.path(), ZH, &["score", "--help"]);
    assert!(
        out.stdout.contains("参数:\n  [记录文件]..."),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("示例：\n  civscore score examples/inspections.csv")
    );
}

#[test]
fn an_english_or_unset_locale_gives_english_help() {
    let dir = folder();
    for env in [C, &[][..], &[("LANG", "en_US.UTF-8")]] {
        let out = run(dir.path(), env, &["score", "--help"]);
        assert!(
            out.stdout
                .contains("Usage: civscore score [OPTIONS] [RECORDS]...")
        );
        assert!(
            out.stdout
                .contains("Examples:\n  civscore score examples/inspections.csv")
        );
        assert!(!out.stdout.contains("用法"), "{env:?}");
    }
}

#[test]
fn lang_overrides_the_locale_and_the_locale_variables_go_in_order() {
    let dir = folder();
    let help = |env: &[(&str, &str)], args: &[&str]| run(dir.path(), env, args).stdout;
    assert!(help(ZH, &["--lang", "en", "--help"]).starts_with("Score civilized-city"));
    assert!(help(ZH, &["check", "--help", "--lang=en"]).contains("Usage:"));
    assert!(help(C, &["check", "--help", "--lang", "zh"]).contains("用法："));
    // LC_ALL, then LC_MESSAGES, then LANG; an empty one does not count.
    let v = [("LC_ALL", "C"), ("LANG", "zh_CN.UTF-8")];
    assert!(help(&v, &["--help"]).contains("Usage:"));
    let v = [
        ("LC_ALL", ""),
        ("LC_MESSAGES", "zh_TW.UTF-8"),
        ("LANG", "C"),
    ];
    assert!(help(&v, &["--help"]).contains("用法："));
}

#[test]
fn row_errors_and_the_summary_follow_the_locale() {
    let dir = folder();
    let args = [BAD, &["--units", "units.csv"]].concat();
    let zh = run(dir.path(), ZH, &args);
    assert_eq!(zh.code, 65);
    let expected = "\
error: bad.csv:3：“date”列：日期“2026-02-30”不存在：日历上没有这一天
error: bad.csv:3：“indicator”列：未知指标“P9”（是否应为“P1”？）
error: bad.csv:3：“count”列：数量应为不小于 0 的整数，实为“x”
error: bad.csv:3：“source”列：未知检查方式“暗房”（是否应为“暗访”？）；细则规定的检查方式：现场考核、暗访
error: bad.csv:3：“status”列：未知状态“坏”；应为空、valid/有效、on_spot/当场整改、appealed/申诉中/复核中，或 void/撤销/作废
error: bad.csv:3：“unit”列：单位“U9”不在名册中（是否应为“U1”？）
error: bad.csv:3：“id”列：编号“1”重复（首次出现在 bad.csv:2）
error: 2 行中有 1 行无效，未计分（请修正，或用 --skip-invalid 只对有效行计分）
";
    assert_eq!(zh.stderr, expected);
    let en = run(dir.path(), C, &args);
    assert_eq!(en.code, 65);
    assert!(en.stderr.starts_with(
        "error: bad.csv:3: column \"date\": impossible date \"2026-02-30\": no such day in the calendar\n"
    ));
    assert!(en.stderr.ends_with(
        "error: 1 of 2 rows are invalid; nothing was scored (fix them, or use --skip-invalid to score the valid rows)\n"
    ));
    // --lang en wins over the locale.
    let forced = run(dir.path(), ZH, &[&args[..], &["--lang", "en"]].concat());
    assert_eq!(forced.stderr, en.stderr);
}

#[test]
fn notes_and_summary_lines_follow_the_locale_tables_the_rubric() {
    let dir = folder();
    let args = [BAD, &["--skip-invalid"]].concat();
    let zh = run(dir.path(), ZH, &args);
    assert_eq!(zh.code, 0, "{}", zh.stderr);
    assert!(
        zh.stderr.starts_with("note: 未给单位名册（--units）"),
        "{}",
        zh.stderr
    );
    assert!(
        zh.stderr.contains("\nrejected: bad.csv:3：“date”列："),
        "{}",
        zh.stderr
    );
    assert!(
        zh.stderr
            .ends_with("读取 2 行 = 计分 1 行 + 撤销 0 行 + 被拒 1 行\n")
    );
    assert!(english(&zh.stderr).is_empty(), "{:?}", english(&zh.stderr));
    // The hand rubric is English: its tables stay English under a Chinese locale.
    assert!(zh.stdout.starts_with("Month 2026-01"), "{}", zh.stdout);
    let en = run(dir.path(), C, &args);
    assert!(en.stderr.starts_with("note: no roster (--units)"));
    assert!(
        en.stderr
            .ends_with("rows read 2 = scored 1 + void 0 + rejected 1\n")
    );
    // validate's line is the interface's too.
    let v = run(
        dir.path(),
        ZH,
        &["validate", "records.csv", "--rubric", "rubric.yaml", "-q"],
    );
    assert!(v.stdout.starts_with("records.csv：共 "), "{}", v.stdout);
    assert!(english(&v.stdout).is_empty(), "{}", v.stdout);
    // So is the report's note of the file it wrote.
    let args = [
        "report",
        "records.csv",
        "--rubric",
        "rubric.yaml",
        "-o",
        "m.xlsx",
    ];
    let zh = run(dir.path(), ZH, &args);
    assert!(zh.stderr.contains("note: 已写入 m.xlsx（"), "{}", zh.stderr);
    let en = run(dir.path(), C, &args);
    assert!(en.stderr.contains("note: wrote m.xlsx ("), "{}", en.stderr);
}

#[test]
fn the_project_file_sets_the_interface_language() {
    let dir = folder();
    std::fs::write(dir.path().join("civscore.toml"), "lang = \"zh\"\n").unwrap();
    let out = run(dir.path(), C, &["config"]);
    assert!(out.stdout.starts_with("项目文件："), "{}", out.stdout);
    let out = run(dir.path(), C, &["--help"]);
    assert!(out.stdout.contains("用法："), "{}", out.stdout);
    let out = run(dir.path(), ZH, &["config", "--lang", "en"]);
    assert!(out.stdout.starts_with("project file: "), "{}", out.stdout);
}

#[test]
fn files_and_empty_inputs_are_named_in_the_language() {
    let dir = folder();
    std::fs::write(dir.path().join("empty.csv"), "").unwrap();
    let out = run(dir.path(), ZH, &["score", "empty.csv"]);
    assert_eq!(out.stderr, "error: empty.csv：文件为空：至少要有表头行\n");
    let out = run(dir.path(), ZH, &["score", "missing.csv"]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stderr, "error: missing.csv：文件不存在\n");
    std::fs::write(dir.path().join("cols.csv"), "a,b\n1,2\n").unwrap();
    let out = run(dir.path(), ZH, &["score", "cols.csv"]);
    assert!(
        out.stderr
            .starts_with("error: cols.csv:1：缺少必需的列 “日期”"),
        "{}",
        out.stderr
    );
}

#[test]
fn the_man_page_follows_the_language() {
    let dir = folder();
    let zh = run(dir.path(), ZH, &["man"]).stdout;
    for h in [
        ".SH 名称",
        ".SH 用法",
        ".SH 选项",
        ".SS 选项",
        "\"CIVSCORE SCORE\"",
    ] {
        assert!(zh.contains(h), "{h}");
    }
    assert!(!zh.contains(".SH OPTIONS") && !zh.contains("Print help"));
    let en = run(dir.path(), C, &["man"]).stdout;
    assert!(en.contains(".SH OPTIONS") && en.contains("Print help"));
}

/// Bad invocations and bad files: each is refused with the same exit code in both languages,
/// and every line of the refusal is in the interface language.
#[test]
fn errors_and_clap_s_messages_follow_the_language() {
    let dir = folder();
    let hand = std::fs::read_to_string(dir.path().join("rubric.yaml")).unwrap();
    let write = |name: &str, text: String| std::fs::write(dir.path().join(name), text).unwrap();
    write(
        "key.yaml",
        hand.replacen("deduct: 0.5", "deduct: 0.5, dedcut: 1", 1),
    );
    write("missing.yaml", hand.replacen(", deduct: 0.5", "", 1));
    write("number.yaml", hand.replacen("points: 5", "points: five", 1));
    write("twice.yaml", hand.replacen("code: P2", "code: P1", 1));
    let r = ["--rubric", "rubric.yaml"];
    // A UTF-8 file with one line in GBK.
    let mut mixed = "id,date,unit,indicator,count\n1,2026-01-05,迎春,P1,1\n"
        .as_bytes()
        .to_vec();
    mixed.extend_from_slice(&encoding_rs::GBK.encode("2,2026-01-06,迎春,P1,1\n").0);
    std::fs::write(dir.path().join("mixed.csv"), mixed).unwrap();
    #[rustfmt::skip]
    let cases: Vec<Vec<&str>> = vec![
        vec!["check", "key.yaml"],
        vec!["check", "missing.yaml"],
        vec!["check", "number.yaml"],
        vec!["check", "twice.yaml"],
        [&["score", "records.csv", "-o", "records.csv"][..], &r].concat(),
        [&["score", "records.csv", "-o", "out.pdf"][..], &r].concat(),
        [&["score", "records.csv", "-o", "out.csv", "--format", "json"][..], &r].concat(),
        [&["score", "records.csv", "--rejects", "r.csv"][..], &r].concat(),
        vec!["score", "--bogus", "records.csv"],
        vec!["score", "records.csv", "--format", "xml"],
        vec!["score", "records.csv", "--encoding", "big5"],
        vec!["score", "records.csv", "--lossy"],
        [&["score", "mixed.csv"][..], &r].concat(),
        [&["score", "mixed.csv", "--encoding", "utf-8"][..], &r].concat(),
        vec!["score", "records.csv", "--all", "--period", "2026-01"],
        vec!["score", "records.csv", "--period"],
        vec!["score", "-j", "0", "records.csv"],
        vec!["score"],
        vec!["explain", "records.csv"],
        vec!["scor"],
        vec!["completions", "tcsh"],
        vec!["rubrics", "show", "comunity"],
        [&["report", "records.csv", "--period", "2026Q1"][..], &r].concat(),
    ];
    for args in &cases {
        let zh = run(dir.path(), ZH, args);
        let en = run(dir.path(), ZH, &[&args[..], &["--lang", "en"]].concat());
        assert!([2, 65].contains(&zh.code), "{args:?}: {}", zh.stderr);
        assert_eq!(zh.code, en.code, "{args:?}");
        assert!(zh.stderr.starts_with("error: "), "{args:?}: {}", zh.stderr);
        let words = english(&zh.stderr);
        assert!(words.is_empty(), "{args:?}: {words:?}\n{}", zh.stderr);
        assert!(zh.stderr.chars().any(is_cjk), "{args:?}: {}", zh.stderr);
        let cjk: String = unquoted(&en.stderr)
            .chars()
            .filter(|c| is_cjk(*c))
            .collect();
        assert!(cjk.is_empty(), "{args:?}: {cjk}\n{}", en.stderr);
    }
    // The place of a rubric error stays as it is; only the words change.
    let zh = run(dir.path(), ZH, &["check", "key.yaml"]).stderr;
    assert!(zh.starts_with("error: key.yaml:19:"), "{zh}");
    assert!(
        zh.contains("未知键 `dedcut`（是否应为 `deduct`？）"),
        "{zh}"
    );
    let en = run(dir.path(), C, &["check", "key.yaml"]).stderr;
    assert!(
        en.contains(": unknown key `dedcut` (did you mean `deduct`?); expected one of: "),
        "{en}"
    );
    // clap's layout and exit code, in Chinese.
    let zh = run(dir.path(), ZH, &["score", "--bogus", "records.csv"]);
    assert_eq!(zh.code, 2);
    assert!(
        zh.stderr.starts_with("error: 意外的参数“--bogus”\n"),
        "{}",
        zh.stderr
    );
    assert!(
        zh.stderr.ends_with("\n更多信息请试试“--help”。\n"),
        "{}",
        zh.stderr
    );
    // English stays clap's own.
    let en = run(dir.path(), C, &["score", "--bogus", "records.csv"]);
    assert!(
        en.stderr
            .starts_with("error: unexpected argument '--bogus' found\n"),
        "{}",
        en.stderr
    );
}

#[test]
fn the_list_of_built_in_rubrics_follows_the_language() {
    let dir = folder();
    let zh = run(dir.path(), ZH, &["rubrics"]).stdout;
    assert!(zh.contains("项指标，满分"), "{zh}");
    assert!(english(&zh).is_empty(), "{:?}", english(&zh));
    let en = run(dir.path(), C, &["rubrics"]).stdout;
    assert!(en.contains(" indicators, full "), "{en}");
}

fn is_cjk(c: char) -> bool {
    ('\u{3000}'..='\u{9fff}').contains(&c) || ('\u{ff00}'..='\u{ffef}').contains(&c)
}

/// An English text without what it quotes ("…").
fn unquoted(text: &str) -> String {
    text.split('"').step_by(2).collect()
}

/// The binary, with "today" fixed (SPEC §7.1: the default as-of date is never after today), so
/// that results do not depend on the day the tests run.
fn civscore_cmd() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_civscore"));
    c.env("CIVSCORE_TODAY", "2026-12-02");
    c
}
