//! The sentences of notes, summary lines and errors, in English and Chinese side by side. They
//! are built where the problem is found, in the interface language ([`super::ui`]); the
//! `note:`, `error:` and `rejected:` prefixes around them stay as they are, for scripts.

use crate::rubric::Lang;

// Notes and summary lines.

/// The note when no roster was given; `all` adds that units without records are missing.
pub fn no_roster(l: Lang, all: bool) -> String {
    match all {
        true => say!(
            l,
            "no roster (--units): the units are those named in the records; units without any record cannot appear",
            "未给单位名册（--units）：参评单位取自检查记录；没有任何记录的单位不会出现",
        ),
        false => say!(
            l,
            "no roster (--units): the units are those named in the records",
            "未给单位名册（--units）：参评单位取自检查记录",
        ),
    }
}

/// The note when the settings come from a `civscore.toml` above the working folder.
pub fn settings_from(l: Lang, path: &str) -> String {
    say!(l, "settings from {path}", "使用上级文件夹的设置：{path}")
}

/// `output_dir` in a project file must stay below the file's folder.
pub fn output_dir_outside(l: Lang, file: &str, dir: &str) -> String {
    say!(
        l,
        "{file}: output_dir: \"{dir}\" is not a folder below this file's folder; name one inside it (such as reports)",
        "{file}：output_dir：\"{dir}\" 不在本文件所在文件夹之下；请写其中的一个子文件夹（如 reports）",
    )
}

/// A status of 已整改 without the rectified date.
pub fn rectified_without_date(l: Lang, status: &str) -> String {
    say!(
        l,
        "\"{status}\" needs the date it was rectified in the rectified column (整改日期), so that lateness can be judged",
        "“{status}”需要在“整改日期”列填写整改完成的日期，才能判断是否逾期",
    )
}

/// The note naming an input's columns that no rule reads.
pub fn columns_not_used(l: Lang, file: &str, columns: &str) -> String {
    say!(
        l,
        "{file}: columns not used: {columns}",
        "{file}：以下列未使用：{columns}",
    )
}

/// A formula cell whose file keeps no computed value (written by a script, never recalculated):
/// read as empty it would silently change a score.
pub fn formula_without_value(l: Lang, place: &str, cell: &str, cells: u64) -> String {
    match cells {
        0 | 1 => say!(
            l,
            "{place}: cell {cell}: formula without a stored value: open and save the file in Excel/WPS",
            "{place}：单元格 {cell}：公式没有保存的计算结果：请用 Excel/WPS 打开并保存该文件",
        ),
        n => say!(
            l,
            "{place}: cell {cell}: formula without a stored value ({n} such cells): open and save the file in Excel/WPS",
            "{place}：单元格 {cell}：公式没有保存的计算结果（共 {n} 个这样的单元格）：请用 Excel/WPS 打开并保存该文件",
        ),
    }
}

/// An .ods merged region that cannot be placed where the library places its cells (or regions
/// not found at all): the library gives the value to the first cell only.
pub fn ods_merged(l: Lang, place: &str, cell: Option<&str>) -> String {
    match cell {
        Some(cell) => say!(
            l,
            "{place}: cell {cell}: a merged region that cannot be placed exactly as shown (merged over rows in a repeated row, or over columns in a repeated cell, or a span that is no whole number): save the file as .xlsx, or unmerge the cells and fill each",
            "{place}：单元格 {cell}：合并区域无法按显示的位置准确读取（重复行中跨行合并、重复单元格中跨列合并，或合并的行数列数不是整数）：请另存为 .xlsx，或取消合并并逐格填写",
        ),
        None => say!(
            l,
            "{place}: cells merged over rows cannot be placed in this .ods file (its content could not be scanned for merged regions): save it as .xlsx, or unmerge the cells and fill each",
            "{place}：无法确定此 .ods 文件中跨行合并的单元格的位置（未能从文件内容中找出合并区域）：请另存为 .xlsx，或取消合并并逐格填写",
        ),
    }
}

/// An .ods with percent cells: the library gives the stored fraction, not the percentage shown.
pub fn ods_percent(l: Lang, sheet: &str) -> String {
    say!(
        l,
        "{sheet}: percent cells cannot be read as shown from an .ods file: save it as .xlsx",
        "{sheet}：无法按显示值读取 .ods 文件中的百分比单元格：请另存为 .xlsx",
    )
}

/// An .xls with percent-formatted numbers: the library gives the stored fraction.
pub fn xls_percent(l: Lang, file: &str) -> String {
    say!(
        l,
        "{file}: percent cells cannot be read as shown from an .xls file: save it as .xlsx",
        "{file}：无法按显示值读取 .xls 文件中的百分比单元格：请另存为 .xlsx",
    )
}

/// Rows above the header (titles, 填报单位…), skipped.
pub fn rows_above_header(l: Lang, file: &str, rows: &str) -> String {
    say!(
        l,
        "{file}: rows above the header skipped: {rows}",
        "{file}：表头之上的行已跳过：{rows}",
    )
}

/// A workbook's sheets read as records, when there are several.
pub fn sheets_read(l: Lang, file: &str, sheets: &str) -> String {
    say!(
        l,
        "{file}: sheets read: {sheets}",
        "{file}：已读取以下工作表：{sheets}",
    )
}

/// A workbook's sheets that hold no records header, skipped.
pub fn summary_sheets_skipped(l: Lang, file: &str, sheets: &str) -> String {
    say!(
        l,
        "{file}: summary sheets skipped (each of their rows is a row of the other sheets; read again it would count twice): {sheets}",
        "{file}：以下汇总工作表已跳过（其中每一行都在其他工作表中，再读一遍会重复扣分）：{sheets}",
    )
}

/// A summary-named sheet that holds rows the other sheets do not.
pub fn summary_sheet_differs(l: Lang, sheet: &str, n: usize, line: u64) -> String {
    say!(
        l,
        "{sheet}: looks like a summary of the other sheets (its name), but {n} of its rows are in none of them (the first at row {line}): reading it would count the others' records twice, leaving it out would lose these; give --sheet to read one sheet, or rename it",
        "{sheet}：从名称看是其他工作表的汇总，但其中 {n} 行在其他工作表中都没有（第一行在第 {line} 行）：读它会让其他表的记录重复扣分，不读又会漏掉这些行；请用 --sheet 指定只读一张表，或给它改名",
    )
}

pub fn sheets_skipped(l: Lang, file: &str, sheets: &str) -> String {
    say!(
        l,
        "{file}: sheets without a records header skipped: {sheets}",
        "{file}：以下工作表没有记录表头，已跳过：{sheets}",
    )
}

/// Before the rows a revised rubric reads otherwise than the first (`compare`).
pub fn under_revised(l: Lang, rubric: &str) -> String {
    say!(
        l,
        "under the revised rubric \"{rubric}\" the rows read otherwise:",
        "按修订后的细则“{rubric}”，各行的读取结果不同：",
    )
}

/// The same records file given twice.
pub fn input_twice(l: Lang, first: &str, again: &str) -> String {
    say!(
        l,
        "{again} is the same file as {first}: given twice, every finding in it would count twice",
        "{again} 与 {first} 是同一个文件：重复给出会使其中每个问题重复扣分",
    )
}

/// Two records files with the same bytes.
pub fn input_copy(l: Lang, first: &str, again: &str) -> String {
    say!(
        l,
        "{again} holds the same bytes as {first} (a copy?): given both, every finding would count twice",
        "{again} 与 {first} 内容完全相同（是副本吗？）：两个都给出会使每个问题重复扣分",
    )
}

/// One set of rows equal in unit, date, indicator, count, value and note in more than one
/// input: `what` (unit, date, indicator), where the rows kept are and where those left out
/// (`--dedupe`) are.
pub fn double_entry(l: Lang, what: &str, kept: &[String], dropped: &[String]) -> String {
    let (kept, dropped) = (list(l, kept), list(l, dropped));
    match dropped.is_empty() {
        true => say!(l, "{what}: {kept}", "{what}：{kept}"),
        false => say!(
            l,
            "{what}: kept {kept}, left out {dropped}",
            "{what}：保留 {kept}，不计 {dropped}",
        ),
    }
}

/// The note on rows equal across inputs (possible double entry): each counts, or with
/// `--dedupe` the first input's are kept.
pub fn double_entries(l: Lang, sets: usize, dedupe: bool, each: &str) -> String {
    match dedupe {
        false => say!(
            l,
            "possible double entry: {sets} finding(s) are in more than one input with the same unit, date, indicator, count, value and note, and each row deducts (the same problem is not to be deducted twice: --dedupe keeps the first input's rows): {each}",
            "可能重复录入：有 {sets} 个问题在多个输入中单位、日期、指标、处数、数值和说明都相同，每行都已扣分（同一问题不重复扣分：加 --dedupe 只保留最先给出的输入中的行）：{each}",
        ),
        true => say!(
            l,
            "double entries left out (--dedupe): {sets} finding(s) are in more than one input with the same unit, date, indicator, count, value and note; the rows of the first input are kept: {each}",
            "已去除重复录入（--dedupe）：有 {sets} 个问题在多个输入中单位、日期、指标、处数、数值和说明都相同，只保留最先给出的输入中的行：{each}",
        ),
    }
}

/// A measured value shown as a percentage over 100.
pub fn percent_over_100(l: Lang, shown: &str) -> String {
    say!(
        l,
        "the value shows as {shown}: a rate over 100 % (was 18.5 typed into a cell formatted as a percentage, which shows 1850.0 %?); type the rate as 0.185 in a percentage cell, or as 18.5 in a number cell",
        "数值显示为 {shown}：比率超过了 100%（是不是在百分比格式的单元格里输入了 18.5，显示成了 1850.0%？）；百分比格式的单元格请输入 0.185，常规格式的单元格输入 18.5",
    )
}

/// What a file named as a spreadsheet holds instead.
#[derive(Debug, Clone, Copy)]
pub enum NotSheet {
    Page,
    Xml,
    Text,
}

/// A file named as a spreadsheet that holds a web page, XML or text.
pub fn not_a_spreadsheet(l: Lang, path: &str, kind: NotSheet) -> String {
    match kind {
        NotSheet::Xml => say!(
            l,
            "{path}: not a spreadsheet this reader knows, despite its name, but XML (Excel 2003's XML spreadsheet?): open it in Excel or WPS and save it as .xlsx",
            "{path}：虽然扩展名是表格，内容却是 XML（Excel 2003 的 XML 表格？）：请用 Excel 或 WPS 打开后另存为 .xlsx",
        ),
        NotSheet::Page => say!(
            l,
            "{path}: not a spreadsheet, despite its name, but a web page (an \"Excel\" export of a web system?): open it in Excel or WPS and save it as .xlsx",
            "{path}：虽然扩展名是表格，内容却是网页（网上系统导出的“Excel”？）：请用 Excel 或 WPS 打开后另存为 .xlsx",
        ),
        NotSheet::Text => say!(
            l,
            "{path}: not a spreadsheet, despite its name, but text: if it is CSV, name it .csv; otherwise open it in Excel or WPS and save it as .xlsx",
            "{path}：虽然扩展名是表格，内容却是文本：如果是 CSV，请把扩展名改为 .csv；否则请用 Excel 或 WPS 打开后另存为 .xlsx",
        ),
    }
}

/// Cells of a records sheet with their text struck through (an office's mark of a withdrawn
/// record), which would be read as any other.
pub fn struck_through(l: Lang, place: &str, cell: &str, cells: u64) -> String {
    say!(
        l,
        "{place}: cell {cell} is struck through ({cells} such cells): struck-through text reads like any other and would count. Mark a withdrawn record 作废 in the status column (状态) and remove the strike-through, or delete the row",
        "{place}：单元格 {cell} 加了删除线（共 {cells} 个这样的单元格）：删除线不影响读取，这一行照样会计分。撤销的记录请在“状态”列填“作废”并去掉删除线，或者删去这一行",
    )
}

/// An input each of whose records is also in other inputs (`differing` of them with other
/// content besides).
pub fn input_repeats_rows(l: Lang, copy: &str, others: &str, differing: usize) -> String {
    let differing = match differing {
        0 => String::new(),
        n => say!(
            l,
            " — {n} of them with other content (a corrected copy? then give only the corrected file)",
            "——其中 {n} 条其他内容不同（是改正后的文件吗？那就只给改正后的那个）",
        ),
    };
    say!(
        l,
        "every record of {copy} is also in {others} (the same unit, date, indicator, count, value and note){differing}: read with it, every finding would count twice. Leave one of them out, or give --dedupe to keep each finding once",
        "{copy} 的每一条记录在 {others} 中都有（单位、日期、指标、处数、数值和说明都相同）{differing}：一起读，每个问题都会扣两次分。请只给其中一个，或加 --dedupe 使每个问题只计一次",
    )
}

/// More rows held back to be settled (repeated ids, rows equal across inputs) than memory allows.
pub fn too_many_held(l: Lang, mib: usize) -> String {
    say!(
        l,
        "the inputs overlap too much to be settled row by row: the rows that share an id or have an equal row in another input take more than {mib} MiB. Give each finding once: leave out the files that repeat others",
        "输入之间重复太多，无法逐行核对：编号重复或与其他输入中某行相同的行超过 {mib} 兆字节。每个问题只给一次：去掉重复别的文件的那些文件",
    )
}

/// Rows equal across inputs that differ in other content, which `--dedupe` cannot settle.
pub fn double_entries_differ(l: Lang, sets: usize, each: &str) -> String {
    say!(
        l,
        "--dedupe: {sets} finding(s) are in more than one input with other content besides (a rectified date added, a source judged otherwise): which is right is for the office to say, not the order of the inputs — correct or remove one of each: {each}",
        "--dedupe：有 {sets} 个问题在多个输入中都有，但其他内容不同（如补填了整改日期、检查方式认定不同）：以哪一条为准应由考核办决定，而不是按输入的先后——请改正或删去其中一条：{each}",
    )
}

/// A place and how its row differs: `a.csv:3 (source "暗访" here, "" there)`.
pub fn differing(l: Lang, place: &str, diffs: &str) -> String {
    say!(l, "{place} ({diffs})", "{place}（{diffs}）")
}

/// `rows read 10 = scored 7 + void 1 + rejected 2`.
pub fn rows_read(l: Lang, read: u64, scored: u64, void: u64, rejected: u64) -> String {
    say!(
        l,
        "rows read {read} = scored {scored} + void {void} + rejected {rejected}",
        "读取 {read} 行 = 计分 {scored} 行 + 撤销 {void} 行 + 被拒 {rejected} 行",
    )
}

/// The end of the `rows read` line when rows that are not records were skipped.
pub fn rows_skipped(l: Lang, skipped: u64, totals: u64, numbered: u64, doubles: u64) -> String {
    match doubles {
        0 => say!(
            l,
            " + skipped {skipped} (totals {totals}, blank-numbered {numbered})",
            " + 跳过 {skipped} 行（合计行 {totals} 行，只有序号的空行 {numbered} 行）",
        ),
        _ => say!(
            l,
            " + skipped {skipped} (totals {totals}, blank-numbered {numbered}, double entries {doubles})",
            " + 跳过 {skipped} 行（合计行 {totals} 行，只有序号的空行 {numbered} 行，重复录入 {doubles} 行）",
        ),
    }
}

/// The note naming rows that are not records, skipped.
pub fn skipped_note(l: Lang, totals: u64, numbered: u64) -> String {
    say!(
        l,
        "rows that are not records were skipped: totals {totals}, blank-numbered {numbered}",
        "已跳过不是记录的行：合计行 {totals} 行，只有序号的空行 {numbered} 行",
    )
}

/// What `validate` found, on one line.
pub struct Validated<'a> {
    pub files: &'a str,
    pub read: u64,
    pub scored: u64,
    pub void: u64,
    pub rejected: u64,
    /// Rows that are not records (totals, numbered blanks) and double entries left out.
    pub skipped: u64,
    pub units: usize,
    /// The assessed months: how many, the first and the last.
    pub months: usize,
    pub span: Option<(String, String)>,
}

/// `a.csv: 10 rows, all valid (9 to score, 1 void); 3 units; 2 months assessed (2026-10 to 2026-11)`.
pub fn validated(l: Lang, v: &Validated) -> String {
    let Validated {
        files,
        read,
        scored,
        void,
        rejected,
        skipped,
        units,
        months,
        ..
    } = v;
    let span = match &v.span {
        Some((a, b)) if a == b => a.clone(),
        Some((a, b)) => say!(l, "{a} to {b}", "{a} 至 {b}"),
        None => String::new(),
    };
    let verdict = match rejected {
        0 => say!(l, "all valid", "全部有效"),
        n => say!(l, "{n} rejected", "被拒 {n} 行"),
    };
    let skipped = match skipped {
        0 => String::new(),
        n => say!(l, ", {n} skipped", "，跳过 {n} 行"),
    };
    say!(
        l,
        "{files}: {read} rows, {verdict} ({scored} to score, {void} void{skipped}); {units} units; {months} months assessed ({span})",
        "{files}：共 {read} 行，{verdict}（计分 {scored} 行，撤销 {void} 行{skipped}）；{units} 个单位；已考核 {months} 个月（{span}）",
    )
}

/// What `init` created, and what to do next.
pub fn created(l: Lang, dir: &str, files: &[&str]) -> String {
    let mut s = say!(l, "created in {dir}:\n", "已在 {dir} 创建：\n");
    for f in files {
        s.push_str(&format!("  {f}\n"));
    }
    s.push_str(&say!(
        l,
        "next: fill units.csv (the roster), put each month's records in records/MONTH/ (start from\n\
         template.csv; example/ holds a filled example), then ./monthly.sh\n",
        "下一步：填写名册 units.csv，把每月的检查记录放进 ./records/月份/（可复制 template.csv；\n\
         ./example/ 里有填好的示例），然后运行 ./monthly.sh\n",
    ));
    s
}

/// `init` refuses a folder that already holds its files.
pub fn init_would_overwrite(l: Lang, existing: &str) -> String {
    say!(
        l,
        "already holds {existing}: nothing was written (civscore init never overwrites)",
        "已有 {existing}：未写入任何文件（civscore init 从不覆盖文件）",
    )
}

/// The lines of `config` that are words, not settings.
pub fn project_file(l: Lang, path: Option<&str>, file_name: &str) -> String {
    match path {
        Some(p) => say!(l, "project file: {p}\n", "项目文件：{p}\n"),
        None => say!(
            l,
            "project file: none ({file_name} not found here or above)\n",
            "项目文件：无（当前目录及上级目录中没有 {file_name}）\n",
        ),
    }
}

/// `community (built-in)`.
pub fn built_in(l: Lang, name: &str) -> String {
    say!(l, "{name} (built-in)", "{name}（内置）")
}

pub fn units_from_records(l: Lang) -> String {
    say!(
        l,
        "(none: the units named in the records)",
        "（无：取检查记录中的单位）"
    )
}

pub fn lang_of_rubric(l: Lang) -> String {
    say!(l, "(the rubric's)", "（随细则）")
}

/// Where a setting came from, when not from a file: `flag` or `default`.
pub fn source(l: Lang, flag: bool) -> String {
    match flag {
        true => say!(l, "flag", "命令行"),
        false => say!(l, "default", "默认"),
    }
}

// Errors of record rows.

/// `FILE:LINE: column "X": what is wrong`.
pub fn row_error(l: Lang, file: &str, line: u64, column: &str, message: &str) -> String {
    say!(
        l,
        "{file}:{line}: column \"{column}\": {message}",
        "{file}:{line}：“{column}”列：{message}",
    )
}

/// `column "X": what is wrong`, the reason of a row in the rejects file.
pub fn column_reason(l: Lang, column: &str, message: &str) -> String {
    say!(
        l,
        "column \"{column}\": {message}",
        "“{column}”列：{message}"
    )
}

/// ` (did you mean "X"?)` or nothing.
pub fn hint(l: Lang, suggestion: Option<&str>) -> String {
    match suggestion {
        Some(s) => say!(l, " (did you mean \"{s}\"?)", "（是否应为“{s}”？）"),
        None => String::new(),
    }
}

pub fn header_again(l: Lang) -> String {
    say!(
        l,
        "this row repeats the header (two files pasted together?)",
        "这一行重复了表头（两个文件拼接在了一起？）",
    )
}

/// A required cell left empty: the date, the unit or the indicator.
pub fn empty(l: Lang, what: Empty) -> String {
    match what {
        Empty::Date => say!(l, "the date is empty", "日期为空"),
        Empty::Unit => say!(l, "the unit is empty", "单位为空"),
        Empty::Indicator => say!(l, "the indicator is empty", "指标为空"),
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Empty {
    Date,
    Unit,
    Indicator,
}

pub fn unit_not_in_roster(l: Lang, unit: &str, hint: &str) -> String {
    say!(
        l,
        "unit \"{unit}\" is not in the roster{hint}",
        "单位“{unit}”不在名册中{hint}",
    )
}

pub fn id_repeats(l: Lang, id: &str, file: &str, line: u64) -> String {
    say!(
        l,
        "id \"{id}\" repeats (first at {file}:{line})",
        "编号“{id}”重复（首次出现在 {file}:{line}）",
    )
}

/// A repeated id whose row differs from the first row with it.
pub fn id_repeats_otherwise(l: Lang, id: &str, file: &str, line: u64, diffs: &[String]) -> String {
    let diffs = diffs.join(&say!(l, "; ", "；"));
    say!(
        l,
        "id \"{id}\" repeats (first at {file}:{line}) with other content: {diffs}; neither row is scored — keep the right one",
        "编号“{id}”重复（首次出现在 {file}:{line}），且内容不同：{diffs}；两行都不计分，请只保留正确的一行",
    )
}

/// The first row with an id, when a later row gives the id again with other content.
pub fn id_given_again(l: Lang, id: &str, file: &str, line: u64, diffs: &[String]) -> String {
    let diffs = diffs.join(&say!(l, "; ", "；"));
    say!(
        l,
        "id \"{id}\" is given again at {file}:{line} with other content: {diffs}; neither row is scored — keep the right one",
        "编号“{id}”在 {file}:{line} 再次出现，且内容不同：{diffs}；两行都不计分，请只保留正确的一行",
    )
}

/// One column in which two rows with one id differ: the later row's cell, then the first's.
pub fn cell_differs(l: Lang, column: &str, here: &str, there: &str) -> String {
    say!(
        l,
        "{column} \"{here}\" here, \"{there}\" there",
        "{column}此处为“{here}”、彼处为“{there}”",
    )
}

pub fn count_too_large(l: Lang, count: &str, max: u64) -> String {
    say!(
        l,
        "count {count} is too large (at most {max})",
        "数量 {count} 过大（最多 {max}）",
    )
}

pub fn bad_count(l: Lang, count: &str) -> String {
    say!(
        l,
        "expected a whole number ≥ 0, found \"{count}\"",
        "数量应为不小于 0 的整数，实为“{count}”",
    )
}

pub fn value_missing(l: Lang, code: &str) -> String {
    say!(
        l,
        "indicator {code} needs a measured value, but the value is empty",
        "指标 {code} 需要测量值，但数值为空",
    )
}

pub fn bad_value(l: Lang, value: &str) -> String {
    say!(
        l,
        "expected a finite number such as 18.5 or 18.5%, found \"{value}\"",
        "数值应为 18.5 或 18.5% 这样的有限数，实为“{value}”",
    )
}

/// Between items that are themselves lists: `; ` / `；`.
pub fn separator(l: Lang) -> String {
    say!(l, "; ", "；")
}

/// Items of a list: `a, b, c` / `a、b、c`.
pub fn list<S: AsRef<str>>(l: Lang, items: &[S]) -> String {
    let items: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    items.join(match l {
        Lang::En => ", ",
        Lang::Zh => "、",
    })
}

pub fn severity_missing(l: Lang, code: &str, keys: &[&str]) -> String {
    let keys = list(l, keys);
    say!(
        l,
        "the severity is empty; indicator {code} deducts by severity: {keys}",
        "程度为空；指标 {code} 按程度扣分：{keys}",
    )
}

pub fn unknown_severity(l: Lang, severity: &str, hint: &str, keys: &[&str]) -> String {
    let keys = list(l, keys);
    say!(
        l,
        "unknown severity \"{severity}\"{hint}; expected one of: {keys}",
        "未知程度“{severity}”{hint}；应为其中之一：{keys}",
    )
}

pub fn unknown_source(l: Lang, source: &str, hint: &str, keys: &[&str]) -> String {
    let keys = list(l, keys);
    say!(
        l,
        "unknown source \"{source}\"{hint}; the rubric declares: {keys}",
        "未知检查方式“{source}”{hint}；细则规定的检查方式：{keys}",
    )
}

pub fn unknown_status(l: Lang, status: &str) -> String {
    say!(
        l,
        "unknown status \"{status}\"; expected empty, valid/有效, on_spot/当场整改, appealed/申诉中/复核中, or void/撤销/作废",
        "未知状态“{status}”；应为空、valid/有效、on_spot/当场整改、appealed/申诉中/复核中，或 void/撤销/作废",
    )
}

/// An indicator written by its name: the code it should be.
pub fn indicator_by_name(l: Lang, written: &str, code: &str) -> String {
    say!(
        l,
        "unknown indicator \"{written}\": records name the code (did you mean \"{code}\"?)",
        "未知指标“{written}”：记录应填写指标编号（是否应为“{code}”？）",
    )
}

pub fn indicator_is_category(l: Lang, written: &str) -> String {
    say!(
        l,
        "\"{written}\" is a category; records name one of its indicators",
        "“{written}”是类别；记录应填写其下的某个指标",
    )
}

pub fn unknown_indicator(l: Lang, written: &str, hint: &str) -> String {
    say!(
        l,
        "unknown indicator \"{written}\"{hint}",
        "未知指标“{written}”{hint}"
    )
}

pub fn bad_date(l: Lang, date: &str) -> String {
    say!(
        l,
        "cannot read date \"{date}\": expected a date such as 2026-11-03",
        "无法识别日期“{date}”：应为 2026-11-03 这样的日期",
    )
}

pub fn impossible_date(l: Lang, date: &str) -> String {
    say!(
        l,
        "impossible date \"{date}\": no such day in the calendar",
        "日期“{date}”不存在：日历上没有这一天",
    )
}

// Errors of the roster.

pub fn empty_unit_field(l: Lang, name: bool) -> String {
    match name {
        false => say!(l, "the unit code is empty", "单位编号为空"),
        true => say!(l, "the unit name is empty", "单位名称为空"),
    }
}

pub fn unit_code_repeats(l: Lang, code: &str, first: u64) -> String {
    say!(
        l,
        "unit code \"{code}\" repeats (first at line {first})",
        "单位编号“{code}”重复（首次出现在第 {first} 行）",
    )
}

pub fn roster_rows_invalid(l: Lang, file: &str, n: usize) -> String {
    say!(
        l,
        "{file}: {n} invalid roster row(s)",
        "{file}：名册中有 {n} 行无效"
    )
}

pub fn roster_empty(l: Lang, file: &str) -> String {
    say!(
        l,
        "{file}: the roster lists no units",
        "{file}：名册中没有单位"
    )
}

/// A roster's alias or former name that already names another unit.
pub fn alias_taken(l: Lang, alias: &str, other: &str) -> String {
    say!(
        l,
        "the other name \"{alias}\" already names unit {other}: a name may lead to one unit only",
        "别名/曾用名“{alias}”已是单位 {other} 的名称：一个名称只能对应一个单位",
    )
}

/// A roster's `from` or `until` that is not a month.
pub fn roster_bad_month(l: Lang, text: &str) -> String {
    say!(
        l,
        "\"{text}\" is not a month: write it like 2026-08",
        "“{text}”不是月份：请写成 2026-08 的形式",
    )
}

/// A roster's `until` before its `from`.
pub fn roster_until_before_from(l: Lang, until: &str, from: &str) -> String {
    say!(
        l,
        "the unit is assessed until {until}, before it starts ({from}): the span is empty",
        "截止月份 {until} 早于起始月份 {from}：考核期为空",
    )
}

/// A roster's `merged_into` naming the unit's own code.
pub fn merged_into_itself(l: Lang, code: &str) -> String {
    say!(
        l,
        "unit {code} cannot be merged into itself",
        "单位 {code} 不能并入其自身",
    )
}

/// A roster's `merged_into` without `until` (the month it was last assessed).
pub fn merged_without_until(l: Lang, into: &str) -> String {
    say!(
        l,
        "merged into {into}: give the last month the unit is assessed in the until column (截止月份)",
        "并入 {into}：请在“截止月份”列填写该单位最后参加考核的月份",
    )
}

/// A roster's `merged_into` that is no code of the roster.
pub fn merged_into_unknown(l: Lang, into: &str, hint: &str) -> String {
    say!(
        l,
        "merged into \"{into}\", which is no unit code of the roster{hint}",
        "并入的“{into}”不是名册中的单位编号{hint}",
    )
}

/// A record of a unit merged into another, dated after its last assessed month (SPEC §7.12).
pub fn unit_merged(l: Lang, code: &str, into: &str, until: &str, month: &str) -> String {
    say!(
        l,
        "unit {code} was merged into {into} (assessed until {until}): a record dated {month} is outside its span",
        "单位 {code} 已并入 {into}（考核截止 {until}）：记录日期 {month} 不在其考核期内",
    )
}

/// A record of a unit dated after its last assessed month.
pub fn unit_ended(l: Lang, code: &str, until: &str, month: &str) -> String {
    say!(
        l,
        "unit {code} is assessed until {until}: a record dated {month} is outside its span",
        "单位 {code} 考核截止 {until}：记录日期 {month} 不在其考核期内",
    )
}

/// `explain` for a period in which the unit has no row (outside its span).
pub fn no_row_in_period(l: Lang, code: &str, period: &str) -> String {
    say!(
        l,
        "unit {code} has no row in {period}: none of its months there is within its span in the roster",
        "单位 {code} 在 {period} 没有成绩：该期没有一个月在名册所写的考核期内",
    )
}

/// A record of a unit dated before its first assessed month.
pub fn unit_not_yet(l: Lang, code: &str, from: &str, month: &str) -> String {
    say!(
        l,
        "unit {code} is assessed from {from}: a record dated {month} is outside its span",
        "单位 {code} 自 {from} 起参加考核：记录日期 {month} 不在其考核期内",
    )
}

/// SPEC §7.8: a category with an assessor that has no record at all in a period where it has
/// something due: perhaps its office's file was left out.
pub fn no_records_for_category(
    l: Lang,
    period: &str,
    code: &str,
    name: &str,
    assessor: &str,
) -> String {
    say!(
        l,
        "{period}: no records for category {code} {name} ({assessor}) — was its file left out?",
        "{period}：类别 {code} {name}（{assessor}）没有任何记录——是否漏了该部门的文件？",
    )
}

/// Without a roster, two units whose names differ only by a common ending.
pub fn look_alike_units(l: Lang, a: &str, b: &str) -> String {
    say!(
        l,
        "units \"{a}\" and \"{b}\" differ only by an ending such as 居委会: scored as two units; if they are one, give a roster (--units) with the name and an alias (别名)",
        "单位“{a}”与“{b}”仅差“居委会”等后缀：现按两个单位计分；如为同一单位，请提供名册（--units）并填写别名",
    )
}

/// A `records` pattern of `civscore.toml` that names no file.
pub fn pattern_matches_nothing(l: Lang, pattern: &str) -> String {
    say!(
        l,
        "records pattern {pattern}: no file matches",
        "记录文件模式 {pattern}：没有匹配的文件",
    )
}

/// The run's month without any file of the `records` patterns.
pub fn no_files_for_month(l: Lang, month: &str) -> String {
    say!(
        l,
        "no records file for {month}, the month of this run: put the month's files there, or name the month with --period",
        "{month}（本次运行的月份）没有记录文件：请把当月的文件放到这里，或用 --period 指定月份",
    )
}

/// An earlier month of the year without any file of the `records` patterns.
pub fn no_files_for_earlier_month(l: Lang, month: &str, patterns: &str) -> String {
    say!(
        l,
        "no records file for {month} ({patterns}): that month is not assessed",
        "{month} 没有记录文件（{patterns}）：该月不计入考核",
    )
}

/// Neither the command line nor `civscore.toml` names records.
pub fn no_records_named(l: Lang) -> String {
    say!(
        l,
        "no records named: give the files (civscore score FILE…), or set records = [\"…\"] in civscore.toml",
        "未指定记录文件：请在命令中给出文件，或在 civscore.toml 中设置 `records = [\"…\"]`",
    )
}

// Errors of the command line that are civscore's own.

pub fn bad_period(l: Lang, period: &str) -> String {
    say!(
        l,
        "cannot read period \"{period}\": expected a month (2026-11), a quarter (2026Q4), a half-year (2026H2) or a year (2026)",
        "无法识别期间“{period}”：应为月份（2026-11）、季度（2026Q4）、半年（2026H2 或 2026下半年）或年度（2026）",
    )
}

pub fn period_without_records(l: Lang, period: &str, first: &str, latest: &str) -> String {
    say!(
        l,
        "no records in {period}: the data covers {first} to {latest}",
        "{period} 没有记录：数据范围是 {first} 至 {latest}",
    )
}

pub fn no_such_unit(l: Lang, unit: &str, hint: &str) -> String {
    say!(
        l,
        "--unit: no unit \"{unit}\"{hint}",
        "--unit：没有单位“{unit}”{hint}"
    )
}

// Errors of whole inputs.

/// The last line when rows are invalid and `--skip-invalid` was not given.
pub fn rows_invalid(l: Lang, rejected: u64, read: u64) -> String {
    say!(
        l,
        "{rejected} of {read} rows are invalid; nothing was scored (fix them, or use --skip-invalid to score the valid rows)",
        "{read} 行中有 {rejected} 行无效，未计分（请修正，或用 --skip-invalid 只对有效行计分）",
    )
}

/// A required column, with the other names it is known by: `"date" (日期/检查日期)`, in Chinese
/// `“日期”（检查日期/date）`.
pub fn column_names(l: Lang, name: &str, aliases: &[&str]) -> String {
    match (l, aliases.split_first()) {
        (Lang::Zh, Some((first, rest))) => {
            let others: Vec<&str> = rest.iter().copied().chain([name]).collect();
            format!("“{first}”（{}）", others.join("/"))
        }
        _ => format!("\"{name}\" ({})", aliases.join("/")),
    }
}

/// A header cell no column is read from that looks like a column the header lacks, one whose
/// cells change scores (`names` from [`column_names`]).
pub fn column_looks_like(l: Lang, place: &str, cell: &str, names: &str) -> String {
    say!(
        l,
        "{place}: column \"{cell}\" is not read, but it looks like {names}, which this header has no column for: read or not, scores would differ. Head it with one of those names; if it holds something else, head it so that it does not look like one",
        "{place}：“{cell}”列没有读取，但它像是 {names}，而表头中没有这一列：读与不读，得分会不同。请把列名改成其中一个名称；如果这一列是别的内容，请把列名改得不像它",
    )
}

/// Two header cells naming one column.
pub fn column_twice(l: Lang, place: &str, first: &str, second: &str, names: &str) -> String {
    say!(
        l,
        "{place}: columns \"{first}\" and \"{second}\" both name {names}: which one is meant cannot be told; rename or remove one",
        "{place}：“{first}”和“{second}”两列都是 {names}：无法判断用哪一列；请改名或删去其中一列",
    )
}

pub fn missing_columns(l: Lang, place: &str, missing: &[String], found: &[String]) -> String {
    let (missing, found) = (list(l, missing), found_columns(l, found));
    say!(
        l,
        "{place}: missing required column {missing}; columns found: {found}",
        "{place}：缺少必需的列 {missing}；已有的列：{found}",
    )
}

/// A quoted cell that runs to the end of the input (`at` is `FILE:LINE`).
pub fn unclosed_quote(l: Lang, at: &str) -> String {
    say!(
        l,
        "{at}: a quote opened here is never closed, so the rest of the file would be one cell; close it or remove it",
        "{at}：此处的引号没有闭合，文件其余部分会成为一个单元格；请补上或删去引号",
    )
}

/// A file or sheet without even a header row.
pub fn empty_input(l: Lang, name: &str, sheet: bool) -> String {
    match sheet {
        false => say!(
            l,
            "{name}: the file is empty: a header row is required",
            "{name}：文件为空：至少要有表头行",
        ),
        true => say!(
            l,
            "{name}: the sheet is empty: a header row is required",
            "{name}：工作表为空：至少要有表头行",
        ),
    }
}

/// No record at all: in the named files, or in none.
pub fn no_records(l: Lang, files: Option<&str>) -> String {
    match files {
        Some(f) => say!(
            l,
            "{f}: no records: there is nothing to score",
            "{f}：没有记录，无从计分"
        ),
        None => say!(
            l,
            "no records: there is nothing to score",
            "没有记录，无从计分"
        ),
    }
}

pub fn no_valid_record(l: Lang, read: u64) -> String {
    say!(
        l,
        "no valid record in {read} rows: there is nothing to score",
        "{read} 行中没有有效记录，无从计分",
    )
}

// Errors of files and of civscore itself.

/// `PATH: what went wrong` for a file.
pub fn at_path(l: Lang, path: &str, message: &str) -> String {
    say!(l, "{path}: {message}", "{path}：{message}")
}

pub fn no_such_file(l: Lang) -> String {
    say!(l, "no such file", "文件不存在")
}

pub fn permission_denied(l: Lang) -> String {
    say!(l, "permission denied", "没有权限")
}

pub fn internal(l: Lang, what: &str) -> String {
    say!(
        l,
        "internal error, a bug in civscore (please report it): {what}",
        "内部错误，是 civscore 的缺陷（请报告）：{what}",
    )
}

// Limits of the tallies and of spreadsheets (SPEC §6: invalid input).

/// More findings in one tally counter than can be scored exactly.
pub fn tally_overflow(l: Lang) -> String {
    say!(
        l,
        "more than 4,294,967,295 findings in one unit, indicator and month: cannot score exactly",
        "同一单位、同一指标、同一月份的问题数超过 4,294,967,295：无法精确计分",
    )
}

/// The tallies would need more counters than the documented ceiling.
pub fn tally_too_large(l: Lang, max: usize) -> String {
    say!(
        l,
        "the tallies would need more than {max} counters (units × months × indicators' counters): score fewer months or units at a time, or simplify the rubric's sources × severities",
        "计分所需的计数器超过 {max} 个（单位数 × 月份数 × 指标计数器数）：请分批计分（减少月份或单位），或精简细则中的来源 × 程度组合",
    )
}

/// A measured value beyond the bound that keeps the arithmetic exact.
pub fn value_out_of_bounds(l: Lang, unit: &str, indicator: &str, max: i64) -> String {
    say!(
        l,
        "unit \"{unit}\", indicator \"{indicator}\": a value beyond ±{max}: cannot score exactly",
        "单位“{unit}”指标“{indicator}”：数值超出 ±{max}，无法精确计分",
    )
}

/// A worksheet that holds more cells than the documented reading limit (each row counted as
/// wide as its last cell).
pub fn sheet_too_large(l: Lang, sheet: &str, max: u64) -> String {
    say!(
        l,
        "{sheet}: the sheet holds more than {max} cells (each row counted up to its last cell; a stray cell far down or right counts too): remove the stray cells or save the data as CSV",
        "{sheet}：工作表超过 {max} 个单元格（每行按其最后一个有内容的单元格计宽，远处的零散单元格也计入）：请删除零散单元格，或另存为 .csv 文件",
    )
}

/// An .xls workbook with a sheet larger than the spreadsheet library may build whole.
pub fn xls_too_large(l: Lang, file: &str, cells: u64, max: u64) -> String {
    say!(
        l,
        "{file}: a sheet declares or spans {cells} cells, more than the {max} an .xls sheet may have here (the file is damaged, or save it as .xlsx or CSV)",
        "{file}：有工作表声明或跨越 {cells} 个单元格，超过 .xls 工作表允许的 {max} 个（文件已损坏，或请另存为 .xlsx 或 .csv 文件）",
    )
}

/// An .ods sheet whose box of cells is too large to be built whole.
pub fn ods_too_large(l: Lang, file: &str, cells: u64, max: u64) -> String {
    say!(
        l,
        "{file}: a sheet spans {cells} cells (repeated rows and cells written out), more than the {max} an .ods sheet may have here (the file is damaged, or save it as .xlsx or CSV)",
        "{file}：有工作表跨越 {cells} 个单元格（重复的行和单元格展开后），超过 .ods 工作表允许的 {max} 个（文件已损坏，或请另存为 .xlsx 或 .csv 文件）",
    )
}

/// An input too large to be read into memory whole.
pub fn input_too_large(l: Lang, name: &str, max: u64) -> String {
    say!(
        l,
        "{name}: more than {max} bytes to read into memory (endless input?): save the records as a UTF-8 CSV file and give its path",
        "{name}：需读入内存的内容超过 {max} 字节（输入没有尽头？）：请把记录另存为 UTF-8 编码的 .csv 文件并给出文件路径",
    )
}

/// A rubric or settings file larger than any such file is.
pub fn small_file_too_large(l: Lang, name: &str, max: u64) -> String {
    say!(
        l,
        "{name}: more than {max} bytes: too large for a rubric or settings file (endless input?)",
        "{name}：超过 {max} 字节，不像考核细则或设置文件（输入没有尽头？）",
    )
}

/// Unit cells that named roster units by an alias, a former name or a shortened name.
pub fn units_named_indirectly(l: Lang, pairs: &str) -> String {
    say!(
        l,
        "records name roster units by an alias, a former name or a name without its ending (check that each is meant): {pairs}",
        "以下记录中的单位是按别名、曾用名或去掉后缀的名称对应到名册的（请核对是否对应正确）：{pairs}",
    )
}

/// The end of a list cut short.
pub fn and_more(l: Lang, n: usize) -> String {
    say!(l, "and {n} more", "另有 {n} 个")
}

/// The first `n` items, then `and N more` for the rest.
pub fn at_most(l: Lang, mut items: Vec<String>, n: usize) -> Vec<String> {
    let more = items.len().saturating_sub(n);
    items.truncate(n);
    if more > 0 {
        items.push(and_more(l, more));
    }
    items
}

/// An input holding NUL bytes.
pub fn binary_input(l: Lang, name: &str) -> String {
    say!(
        l,
        "{name}: holds NUL bytes: a binary file, not records (CSV, TSV or a spreadsheet)",
        "{name}：含有空字节（0x00），是二进制文件，不是检查记录（.csv、.tsv 文件或电子表格）",
    )
}

/// A text file without a header in its first bytes.
pub fn no_header_within(l: Lang, name: &str, max: u64) -> String {
    say!(
        l,
        "{name}: no header line in the first {max} bytes: not a records file (or a line without end)",
        "{name}：前 {max} 字节中没有表头行：不是检查记录文件（或有一行没有结尾）",
    )
}

/// More scores (units × periods) than one run computes.
pub fn too_many_scores(l: Lang, rows: u64, max: u64) -> String {
    say!(
        l,
        "the records would need {rows} scores (units × months, quarters and years), more than {max}: choose a period (--period) instead of --all, or check the dates",
        "这些记录需要计算 {rows} 个得分（单位数 × 月、季、年周期数），超过 {max} 个：请用 --period 选一个周期而不是 --all，或检查日期",
    )
}

// Text that is not in its encoding, and files that change while read.

/// Bytes that are neither UTF-8 nor GBK in an input whose encoding is not named, and
/// whose lines are mostly not UTF-8.
pub fn neither_utf8_nor_gbk(l: Lang, at: &str, hex: &str) -> String {
    say!(
        l,
        "{at}: the bytes {hex} are neither UTF-8 nor GBK (the column counts characters): save the file as UTF-8, or name its encoding with --encoding",
        "{at}：字节“{hex}”既不是 UTF-8 编码也不是 GBK 编码（列号按字符计）：请把文件另存为 UTF-8，或用 --encoding 指明其编码",
    )
}

/// Bytes that are not UTF-8 in an input whose other lines are.
pub fn stray_not_utf8(l: Lang, at: &str, hex: &str) -> String {
    say!(
        l,
        "{at}: the bytes {hex} are not UTF-8 (the column counts characters), though the file's other lines are: save the whole file in one encoding (UTF-8), or pass --encoding with --lossy to replace such bytes",
        "{at}：字节“{hex}”不是 UTF-8 编码（列号按字符计），而文件的其他行是：请把整个文件存为同一种编码（UTF-8），或同时用 --encoding 和 --lossy 替换这类字节",
    )
}

/// Bytes that are not text in the encoding named.
pub fn not_in_encoding(l: Lang, at: &str, hex: &str, encoding: &str) -> String {
    say!(
        l,
        "{at}: the bytes {hex} are not {encoding} (the column counts characters): name the file's encoding with --encoding, or add --lossy to replace such bytes with U+FFFD",
        "{at}：字节“{hex}”不是 {encoding} 编码（列号按字符计）：请用 --encoding 指明文件的编码，或加 --lossy 把这类字节替换为“\u{FFFD}”",
    )
}

/// The note when `--lossy` replaced bytes.
pub fn bytes_replaced(
    l: Lang,
    name: &str,
    n: u64,
    encoding: &str,
    first: &str,
    hex: &str,
) -> String {
    say!(
        l,
        "{name}: {n} byte sequence(s) that are not {encoding} replaced with U+FFFD (--lossy), the first at {first} ({hex}; the column counts characters)",
        "{name}：{n} 处不是 {encoding} 编码的字节已替换为“\u{FFFD}”（--lossy），第一处在 {first}（“{hex}”；列号按字符计）",
    )
}

/// A file that grew, shrank or was written to while it was read.
pub fn changed_while_read(l: Lang) -> String {
    say!(
        l,
        "the file changed while it was read (its size or modification time is not what it was when opened): read it again once nothing writes to it",
        "文件在读取过程中被改动（大小或修改时间与打开时不同）：请在没有程序写入它时重新读取",
    )
}

// Issue 16 (hostile inputs).

/// A text record longer than the longest read.
pub fn record_too_long(l: Lang, at: &str, limit: usize) -> String {
    say!(
        l,
        "{at}: a record longer than {limit} bytes (a line without end, or a quote never closed): a record is at most {limit} bytes",
        "{at}：记录超过 {limit} 字节（没有结尾的一行，或引号没有闭合）：一条记录最多 {limit} 字节",
    )
}

/// The columns a header holds, as an error quotes them: at most [`QUOTED`] characters of
/// the file's text (a binary file or a secret one read as records is not echoed).
pub fn found_columns<S: AsRef<str>>(l: Lang, found: &[S]) -> String {
    let all = list(l, found);
    match all.char_indices().nth(QUOTED) {
        None => all,
        Some((at, _)) => format!("{}…", &all[..at]),
    }
}

/// The most characters of a file's content an error quotes.
pub const QUOTED: usize = 200;

/// A workbook whose shared strings table declares more strings than it can hold.
pub fn shared_strings_impossible(l: Lang, name: &str, n: u64) -> String {
    say!(
        l,
        "{name}: the workbook declares {n} shared strings, more than its strings table holds or than a sheet may (20000000): the file is damaged or made to exhaust memory",
        "{name}：工作簿声明了 {n} 个共享字符串，超过其字符串表所能容纳的数量或工作表的上限（20000000）：文件已损坏，或是为耗尽内存而构造的",
    )
}

/// A header with more columns than a sheet may have.
pub fn too_many_columns(l: Lang, at: &str, n: usize, max: usize) -> String {
    say!(
        l,
        "{at}: the header has {n} columns, more than {max} (as many as an Excel sheet holds): this is not a records header",
        "{at}：表头有 {n} 列，超过 {max} 列（Excel 工作表的列数上限）：这不是记录表头",
    )
}

/// A report's escalation line below zero days.
pub fn days_negative(l: Lang, name: &str, days: i64) -> String {
    say!(
        l,
        "{name} = {days}: the days overdue after which a rectification is escalated are 0 or more",
        "{name} = {days}：逾期多少天后升级督办，应为 0 或更多天",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Latin words of a Chinese message beyond the codes, keys and flags it quotes.
    fn english(s: &str) -> Vec<String> {
        s.split(|c: char| c.is_whitespace() || "（）“”：；，、/".contains(c))
            .filter(|w| !w.starts_with('-') && !w.contains('.'))
            .flat_map(|w| w.split(|c: char| !c.is_ascii_alphabetic() && c != '_'))
            .filter(|w| w.len() >= 2)
            .filter(|w| {
                ![
                    "valid", "on_spot", "appealed", "void", "civscore", "init", "Excel", "WPS",
                    "date", // Encodings are named as they are.
                    "UTF", "GBK", "CSV", "XML", // ... and so are the folders `init` makes.
                    "records", "example",
                ]
                .contains(w)
            })
            .map(str::to_owned)
            .collect()
    }

    /// Every sentence, filled with values that are not words.
    fn all(l: Lang) -> Vec<String> {
        let v = Validated {
            files: "a.csv",
            read: 3,
            scored: 1,
            void: 1,
            rejected: 1,
            skipped: 2,
            units: 2,
            months: 2,
            span: Some(("2026-10".into(), "2026-11".into())),
        };
        let mut out = vec![
            no_roster(l, true),
            no_roster(l, false),
            rows_read(l, 3, 1, 1, 1),
            validated(l, &v),
            created(l, "x", &["a.csv"]),
            init_would_overwrite(l, "x/a.csv"),
            project_file(l, None, "civscore.toml"),
            project_file(l, Some("civscore.toml"), "civscore.toml"),
            built_in(l, "甲"),
            units_from_records(l),
            lang_of_rubric(l),
            source(l, true),
            source(l, false),
            row_error(l, "a.csv", 2, "日期", "甲"),
            column_reason(l, "日期", "甲"),
            hint(l, Some("A1")),
            header_again(l),
            unit_not_in_roster(l, "甲", ""),
            id_repeats(l, "R1", "a.csv", 2),
            input_copy(l, "a.csv", "b.csv"),
            double_entry(
                l,
                "U1 2026-11-03 P1",
                &["a.csv:2".into()],
                &["b.csv:2".into()],
            ),
            double_entry(
                l,
                "U1 2026-11-03 P1",
                &["a.csv:2".into(), "b.csv:2".into()],
                &[],
            ),
            double_entries(l, 1, false, "x"),
            input_repeats_rows(l, "b.csv", "a.csv", 0),
            input_repeats_rows(l, "b.csv", "a.csv", 2),
            double_entries_differ(l, 1, "x"),
            too_many_held(l, 768),
            differing(l, "a.csv:3", "x"),
            struck_through(l, "a.xlsx[甲]:5", "D5", 2),
            not_a_spreadsheet(l, "a.xls", NotSheet::Page),
            not_a_spreadsheet(l, "a.xls", NotSheet::Xml),
            not_a_spreadsheet(l, "a.xls", NotSheet::Text),
            percent_over_100(l, "1850.0%"),
            column_twice(l, "a.csv:1", "日期", "检查日期", "“日期”"),
            column_looks_like(l, "a.csv:1", "实际整改完成日期", "“整改日期”"),
            double_entries(l, 1, true, "x"),
            rows_skipped(l, 3, 1, 1, 1),
            rows_skipped(l, 2, 1, 1, 0),
            separator(l),
            id_repeats_otherwise(l, "R1", "a.csv", 2, &[cell_differs(l, "整改日期", "1", "")]),
            id_given_again(l, "R1", "a.csv", 2, &[cell_differs(l, "整改日期", "1", "")]),
            count_too_large(l, "9", 8),
            bad_count(l, "甲"),
            value_missing(l, "A1"),
            bad_value(l, "甲"),
            severity_missing(l, "A1", &["甲", "乙"]),
            unknown_severity(l, "甲", "", &["乙"]),
            unknown_source(l, "甲", "", &["乙"]),
            unknown_status(l, "甲"),
            indicator_by_name(l, "甲", "A1"),
            indicator_is_category(l, "A"),
            unknown_indicator(l, "甲", ""),
            bad_date(l, "甲"),
            impossible_date(l, "2026-02-30"),
            rows_invalid(l, 1, 3),
            column_names(l, "date", &["日期", "检查日期"]),
            missing_columns(l, "a.csv:1", &["甲".into()], &["乙".into(), "丙".into()]),
            at_path(l, "a.csv", "甲"),
            empty_input(l, "a.csv", false),
            empty_input(l, "a.xlsx", true),
            no_records(l, Some("a.csv")),
            no_records(l, None),
            no_valid_record(l, 3),
            no_such_file(l),
            empty_unit_field(l, false),
            empty_unit_field(l, true),
            unit_code_repeats(l, "U1", 2),
            roster_rows_invalid(l, "u.csv", 2),
            roster_empty(l, "u.csv"),
            alias_taken(l, "甲", "U1"),
            roster_bad_month(l, "甲"),
            roster_until_before_from(l, "2026-07", "2026-08"),
            merged_into_itself(l, "U1"),
            merged_without_until(l, "U1"),
            merged_into_unknown(l, "U9", ""),
            unit_merged(l, "U3", "U1", "2026-09", "2026-11"),
            unit_ended(l, "U3", "2026-09", "2026-11"),
            unit_not_yet(l, "U3", "2026-08", "2026-05"),
            no_records_for_category(l, "2026-11", "E", "甲", "乙"),
            no_row_in_period(l, "U3", "2026-11"),
            pattern_matches_nothing(l, "a/*.csv"),
            no_files_for_month(l, "2026-11"),
            no_files_for_earlier_month(l, "2026-10", "a/2026-10/*.csv"),
            no_records_named(l),
            look_alike_units(l, "甲", "乙"),
            bad_period(l, "甲"),
            period_without_records(l, "2026-12", "2026-01", "2026-11"),
            no_such_unit(l, "甲", ""),
            permission_denied(l),
            internal(l, "甲"),
            tally_overflow(l),
            tally_too_large(l, 9),
            value_out_of_bounds(l, "甲", "乙", 9),
            sheet_too_large(l, "甲", 9),
            xls_too_large(l, "甲", 10, 9),
            ods_too_large(l, "甲", 10, 9),
            input_too_large(l, "甲", 9),
            binary_input(l, "甲"),
            no_header_within(l, "甲", 9),
            too_many_scores(l, 10, 9),
            neither_utf8_nor_gbk(l, "a.csv:2:3", "80"),
            stray_not_utf8(l, "a.csv:2:3", "80"),
            not_in_encoding(l, "a.csv:2:3", "80", "GBK"),
            bytes_replaced(l, "a.csv", 2, "GBK", "a.csv:2:3", "80"),
            changed_while_read(l),
            days_negative(l, "甲", -5),
            record_too_long(l, "a.csv:2", 9),
            found_columns(l, &["甲"; 300]),
            shared_strings_impossible(l, "a.xlsx", 9),
            too_many_columns(l, "a.csv:1", 10, 9),
            formula_without_value(l, "a.xlsx[甲]:5", "D5", 1),
            formula_without_value(l, "a.xlsx[甲]:5", "D5", 3),
            ods_merged(l, "a.ods[甲]", None),
            ods_merged(l, "a.ods[甲]:2", Some("A2")),
            ods_percent(l, "a.ods[甲]"),
            xls_percent(l, "a.xls"),
            rows_above_header(l, "a.xlsx[甲]", "1"),
            sheets_skipped(l, "a.xlsx", "甲"),
            sheets_read(l, "a.xlsx", "甲"),
        ];
        for e in [Empty::Date, Empty::Unit, Empty::Indicator] {
            out.push(empty(l, e));
        }
        out
    }

    #[test]
    fn every_sentence_is_chinese_in_chinese() {
        for s in all(Lang::Zh) {
            assert!(english(&s).is_empty(), "{s}: {:?}", english(&s));
        }
    }

    #[test]
    fn every_sentence_differs_between_the_languages() {
        for (en, zh) in all(Lang::En).into_iter().zip(all(Lang::Zh)) {
            assert_ne!(en, zh);
        }
    }

    #[test]
    fn english_stays_as_it_was() {
        let l = Lang::En;
        assert_eq!(
            row_error(l, "a.csv", 2, "date", "the date is empty"),
            "a.csv:2: column \"date\": the date is empty"
        );
        assert_eq!(hint(l, Some("A1")), " (did you mean \"A1\"?)");
        assert_eq!(
            rows_read(l, 10, 7, 1, 2),
            "rows read 10 = scored 7 + void 1 + rejected 2"
        );
    }
}
