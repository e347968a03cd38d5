//! `civscore validate`: checks records and roster against the rubric without scoring.

use crate::cmd::{self, Inputs};
use crate::error::Error;

pub fn run(inputs: &Inputs) -> Result<(), Error> {
    let t = crate::pipeline::read(inputs, None)?;
    let c = t.loaded.counts;
    let months: Vec<_> = t.loaded.store.assessed().into_iter().collect();
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
        inputs
            .records
            .iter()
            .map(|p| if p == "-" { "<stdin>" } else { p.as_str() })
            .collect::<Vec<_>>()
            .join(", "),
        c.read,
        c.scored,
        c.void,
        t.units.list.len(),
        months.len()
    ))
}
