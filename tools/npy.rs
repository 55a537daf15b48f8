//! NumPy `.npy` (format 1.0) writers for little-endian f32 and u32 arrays in C order: the
//! magic string, a Python-dict header padded with spaces to a multiple of 64 bytes, then the
//! raw values. Written by hand because the format is this one fixed header; the crates that
//! write it also bring a Python-literal parser for reading, which nothing here needs.

use std::io::Write;
use std::path::Path;

/// The header (magic, version, length, dict, padding) of an array of `descr` and `shape`.
fn header(descr: &str, shape: &[usize]) -> Vec<u8> {
    let dims = match shape {
        [one] => format!("({one},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut dict = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {dims}, }}");
    // magic (6) + version (2) + header length (2) + dict + '\n', a multiple of 64.
    let unpadded = 10 + dict.len() + 1;
    dict.push_str(&" ".repeat(unpadded.next_multiple_of(64) - unpadded));
    dict.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(dict.len() as u16).to_le_bytes());
    out.extend_from_slice(dict.as_bytes());
    out
}

/// Writes `values` (C order, `shape`) with the 4-byte little-endian encoding `bytes`.
fn write<T: Copy>(
    path: &Path,
    descr: &str,
    shape: &[usize],
    values: &[T],
    bytes: fn(T) -> [u8; 4],
) -> std::io::Result<()> {
    let expected: usize = shape.iter().product();
    if expected != values.len() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("{} values for shape {shape:?}", values.len()),
        ));
    }
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    file.write_all(&header(descr, shape))?;
    for &v in values {
        file.write_all(&bytes(v))?;
    }
    file.flush()
}

/// Writes an f32 array.
pub fn write_f32(path: &Path, shape: &[usize], values: &[f32]) -> std::io::Result<()> {
    write(path, "<f4", shape, values, f32::to_le_bytes)
}

/// Writes a u32 array.
pub fn write_u32(path: &Path, shape: &[usize], values: &[u32]) -> std::io::Result<()> {
    write(path, "<u4", shape, values, u32::to_le_bytes)
}
