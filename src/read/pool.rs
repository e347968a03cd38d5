//! The workers at work: spawned per input, fed blocks, stopped together when one gives way;
//! their parts' lines placed in the file once every block's lines are known.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, mpsc};

use crate::error::Error;
use crate::i18n::{msg, ui};

use super::Stop;
use super::feed::{Chunk, Data, MAX_RECORD, Out};
use super::worker::{Ctx, Part, Worker};

/// What the reader and the workers share: a flag to stop reading when a worker gives way, and
/// the buffers workers are done with.
pub(super) struct Pool {
    pub(super) stop: AtomicBool,
    pub(super) spare: Mutex<Vec<Vec<u8>>>,
}

/// A worker: parses and tallies blocks until the reader closes the channel. When it gives way
/// (or fails: a bug) it tells the reader to stop, and still drains the channel so that the
/// reader never waits on a full channel nobody reads.
fn work<'a>(
    ctx: &Ctx,
    chunks: &Mutex<mpsc::Receiver<Chunk<'a>>>,
    pool: &Pool,
) -> Result<Part, Stop> {
    /// Stops the reader and drains the channel unless the worker finished.
    struct Drain<'a, 'c> {
        chunks: &'a Mutex<mpsc::Receiver<Chunk<'c>>>,
        pool: &'a Pool,
        done: bool,
    }
    impl Drop for Drain<'_, '_> {
        fn drop(&mut self) {
            if self.done {
                return;
            }
            self.pool.stop.store(true, Ordering::Relaxed);
            let rx = match self.chunks.lock() {
                Ok(rx) => rx,
                Err(poisoned) => poisoned.into_inner(),
            };
            while rx.recv().is_ok() {}
        }
    }
    let mut drain = Drain {
        chunks,
        pool,
        done: false,
    };
    let result = work_blocks(ctx, chunks, &pool.spare);
    drain.done = result.is_ok();
    result
}

fn work_blocks<'a>(
    ctx: &Ctx,
    chunks: &Mutex<mpsc::Receiver<Chunk<'a>>>,
    spare: &Mutex<Vec<Vec<u8>>>,
) -> Result<Part, Stop> {
    let mut worker = Worker::new(ctx);
    let mut record = csv::ByteRecord::new();
    let mut ends = Vec::new();
    loop {
        let chunk = match chunks.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return Err(Stop::Halted),
        };
        let Ok(chunk) = chunk else {
            break;
        };
        worker.block(&chunk.data, chunk.seq, chunk.plain, &mut record, &mut ends)?;
        // A buffer goes back to the reader, which refills it instead of asking for fresh pages
        // (a mapped window is unmapped here).
        if let Data::Read(bytes) = chunk.data
            && let Ok(mut s) = spare.lock()
            && s.len() < ctx.config.workers + 2
        {
            s.push(bytes);
        }
    }
    Ok(worker.finish())
}

/// Checks and tallies the blocks `feed` sends on, with the workers of the configuration; the
/// lines of what they reject or keep are counted from `first_line`.
pub(super) fn run_blocks<'a>(
    ctx: &Ctx,
    first_line: u64,
    bar: Option<&indicatif::ProgressBar>,
    feed: impl FnOnce(&mut Out<'a, '_>) -> Result<(), Stop>,
) -> Result<Vec<Part>, Stop> {
    let (tx, rx) = mpsc::sync_channel::<Chunk<'a>>(ctx.config.workers);
    let rx = Mutex::new(rx);
    let pool = Pool {
        stop: AtomicBool::new(false),
        spare: Mutex::new(Vec::new()),
    };
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..ctx.config.workers)
            .map(|_| scope.spawn(|| work(ctx, &rx, &pool)))
            .collect();
        let mut out = Out {
            tx: &tx,
            bar,
            pool: &pool,
            seq: 0,
            block: ctx.config.block,
            delimiter: ctx.delimiter,
            name: &ctx.head.name,
            unclosed: None,
            too_long: None,
        };
        let fed = feed(&mut out);
        let (unclosed, too_long) = (out.unclosed, out.too_long);
        drop(tx);
        // A worker that panicked (a bug) is not a reason to read again: the panic goes on.
        let results: Vec<Result<Part, Stop>> = workers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect();
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        let mut parts = Vec::new();
        let mut stop = fed.err();
        for r in results {
            match r {
                Ok(p) => parts.push(p),
                Err(e) if stop.is_none() || matches!(stop, Some(Stop::Halted)) => stop = Some(e),
                Err(_) => {}
            }
        }
        if let Some(stop) = stop {
            return Err(stop);
        }
        let starts = place_lines(&mut parts, first_line);
        if let Some(seq) = too_long {
            // The record begins where the blocks sent end.
            let line = first_line
                + parts
                    .iter()
                    .flat_map(|p| &p.lines)
                    .map(|l| l.1)
                    .sum::<u64>();
            let line = starts.get(seq as usize).copied().unwrap_or(line);
            let at = format!("{}:{line}", ctx.head.name);
            return Err(Error::Invalid(msg::record_too_long(ui(), &at, MAX_RECORD)).into());
        }
        if let Some((seq, before)) = unclosed {
            let line = starts.get(seq as usize).copied().unwrap_or(first_line) + before;
            let at = format!("{}:{line}", ctx.head.name);
            return Err(Error::Invalid(msg::unclosed_quote(ui(), &at)).into());
        }
        Ok(parts)
    })
}

/// Numbers the lines of the records kept, the rows rejected and the rows held from the start
/// of the input, now that every block's lines are known (the first block starts at
/// `first_line`); answers where each block starts.
fn place_lines(parts: &mut [Part], first_line: u64) -> Vec<u64> {
    let mut lines: Vec<(u64, u64)> = parts.iter().flat_map(|p| p.lines.iter().copied()).collect();
    lines.sort_unstable();
    let mut starts = Vec::with_capacity(lines.len());
    let mut at = first_line;
    for (_, n) in lines {
        starts.push(at);
        at += n;
    }
    let start = |seq: u64| starts.get(seq as usize).copied().unwrap_or(0);
    for p in parts {
        p.starts.clone_from(&starts);
        for (seq, r) in &mut p.rejected {
            r.line += start(*seq);
            for e in &mut r.reasons {
                e.line += start(*seq);
            }
        }
        for (seq, h) in &mut p.held {
            h.line += start(*seq);
        }
    }
    starts
}
