//! The floor to measure civscore against: a bare single-threaded `csv::ByteRecord` pass that only
//! parses and counts records. usage: cargo run --release --example rawparse -- FILE.csv
use std::io::BufReader;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: rawparse FILE.csv")?;
    let mut reader =
        csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(BufReader::with_capacity(
                1 << 16,
                std::fs::File::open(path)?,
            ));
    let mut record = csv::ByteRecord::new();
    let mut rows = 0u64;
    let mut fields = 0u64;
    while reader.read_byte_record(&mut record)? {
        rows += 1;
        fields += record.len() as u64;
    }
    println!("{rows} records, {fields} fields");
    Ok(())
}
