//! `civscore validate`: checks records and roster against the rubric without scoring.

use crate::cmd::{self, Inputs};
use crate::error::Error;
use crate::i18n::{msg, ui};

pub fn run(inputs: &Inputs) -> Result<(), Error> {
    let t = crate::pipeline::read(inputs, None)?;
    let c = t.loaded.counts;
    let months: Vec<_> = t.loaded.store.assessed().into_iter().collect();
    let files = inputs
        .records
        .iter()
        .map(|p| if p == "-" { "<stdin>" } else { p.as_str() })
        .collect::<Vec<_>>()
        .join(", ");
    let found = msg::Validated {
        files: &files,
        read: c.read,
        scored: c.scored,
        void: c.void,
        rejected: c.rejected,
        skipped: c.skipped(),
        units: t.units.list.len(),
        months: months.len(),
        span: months
            .first()
            .zip(months.last())
            .map(|(a, b)| (a.to_string(), b.to_string())),
    };
    cmd::print(&format!("{}\n", msg::validated(ui(), &found)))
}
