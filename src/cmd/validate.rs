//! `civscore validate`: checks records and roster against the rubric without scoring.

use crate::cmd::{self, Inputs};
use crate::error::Error;

pub fn run(inputs: &Inputs) -> Result<(), Error> {
    let l = cmd::load_all(inputs)?;
    let c = l.loaded.counts;
    let mut months: Vec<_> = l.loaded.records.iter().map(|r| r.month).collect();
    months.sort_unstable();
    months.dedup();
    let span = match (months.first(), months.last()) {
        (Some(a), Some(b)) if a == b => format!("{a}"),
        (Some(a), Some(b)) => format!("{a} to {b}"),
        _ => String::new(),
    };
    let verdict = if c.rejected == 0 {
        "all valid".to_owned()
    } else {
        format!("{} rejected", c.rejected)
    };
    cmd::print(&format!(
        "{}: {} rows, {verdict} ({} to score, {} void); {} units; {} months assessed ({span})\n",
        l.loaded.files.join(", "),
        c.read,
        c.scored,
        c.void,
        l.units.list.len(),
        months.len()
    ))
}
