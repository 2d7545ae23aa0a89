//! Repairs the WebAssembly table export that `wasm-opt` from binaryen before version 109 writes
//! wrongly (binaryen issue 4711): a module with two tables comes out exporting table 0 under
//! the name of table 1.
//!
//! wasm-bindgen's output has exactly that shape: table 0 holds functions, table 1 (exported as
//! `__wbindgen_externrefs`) holds JavaScript values. After the bad rewrite the page fails at
//! start with "WebAssembly.Table.set(): … function-typed object must be null". Debian's
//! binaryen is 108, so Trunk (`post_build` hook, see Trunk.toml) runs this on every
//! `*_bg.wasm` it stages. The fix points the export back at the module's only externref table,
//! in place; a module that is already right is left untouched, so newer binaryen needs nothing.
//!
//! Usage: `repair-wasm-export [DIR]` (default: `$TRUNK_STAGING_DIR`).

use std::{env, fs, path::PathBuf, process::ExitCode};

/// The export wasm-bindgen's JavaScript glue reads the value table from.
const EXPORT: &str = "__wbindgen_externrefs";
const EXTERNREF: u8 = 0x6f;

/// What [`repair`] did.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// The export named the right table, or there is none to fix.
    Untouched,
    /// The export now names table `to` instead of `from`.
    Repaired { from: u32, to: u32 },
}

/// A cursor over the module bytes.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, String> {
        let b = *self.bytes.get(self.pos).ok_or("unexpected end of module")?;
        self.pos += 1;
        Ok(b)
    }

    fn leb(&mut self) -> Result<u32, String> {
        let (mut value, mut shift) = (0u32, 0);
        loop {
            let b = self.byte()?;
            value |= u32::from(b & 0x7f)
                .checked_shl(shift)
                .ok_or("LEB128 too long")?;
            if b & 0x80 == 0 {
                return Ok(value);
            }
            shift += 7;
        }
    }

    fn skip(&mut self, n: usize) -> Result<(), String> {
        self.pos = self
            .pos
            .checked_add(n)
            .filter(|p| *p <= self.bytes.len())
            .ok_or("truncated")?;
        Ok(())
    }

    fn name(&mut self) -> Result<&[u8], String> {
        let len = self.leb()? as usize;
        let start = self.pos;
        self.skip(len)?;
        Ok(&self.bytes[start..self.pos])
    }

    fn limits(&mut self) -> Result<(), String> {
        let flags = self.byte()?;
        self.leb()?;
        if flags & 1 != 0 {
            self.leb()?;
        }
        Ok(())
    }
}

/// Finds the export and, if it names a table that is not the module's externref table,
/// rewrites its index in place (padded to the same LEB128 length, so no size changes).
fn repair(module: &mut [u8]) -> Result<Outcome, String> {
    if module.get(..8) != Some(b"\0asm\x01\0\0\0".as_slice()) {
        return Err("not a WebAssembly module".into());
    }
    let mut tables: Vec<u8> = Vec::new();
    let mut export_index: Option<(usize, usize, u32)> = None;
    let mut r = Reader {
        bytes: module,
        pos: 8,
    };
    while r.pos < r.bytes.len() {
        let id = r.byte()?;
        let size = r.leb()? as usize;
        let end = r.pos + size;
        match id {
            // Imports: imported tables come first in the table index space.
            2 => {
                for _ in 0..r.leb()? {
                    r.name()?;
                    r.name()?;
                    match r.byte()? {
                        0 => {
                            r.leb()?;
                        }
                        1 => {
                            tables.push(r.byte()?);
                            r.limits()?;
                        }
                        2 => r.limits()?,
                        3 => r.skip(2)?,
                        k => return Err(format!("unknown import kind {k}")),
                    }
                }
            }
            4 => {
                for _ in 0..r.leb()? {
                    tables.push(r.byte()?);
                    r.limits()?;
                }
            }
            7 => {
                for _ in 0..r.leb()? {
                    let is_ours = r.name()? == EXPORT.as_bytes();
                    let kind = r.byte()?;
                    let at = r.pos;
                    let index = r.leb()?;
                    if is_ours && kind == 1 {
                        export_index = Some((at, r.pos - at, index));
                    }
                }
            }
            _ => {}
        }
        r.pos = end;
    }
    let Some((at, len, from)) = export_index else {
        return Ok(Outcome::Untouched);
    };
    if tables.get(from as usize) == Some(&EXTERNREF) {
        return Ok(Outcome::Untouched);
    }
    let mut externref = tables.iter().enumerate().filter(|(_, t)| **t == EXTERNREF);
    let (Some((to, _)), None) = (externref.next(), externref.next()) else {
        return Err("expected exactly one externref table".into());
    };
    let to = to as u32;
    let mut rest = to;
    for (i, slot) in module[at..at + len].iter_mut().enumerate() {
        let last = i == len - 1;
        *slot = (rest & 0x7f) as u8 | if last { 0 } else { 0x80 };
        rest >>= 7;
    }
    if rest != 0 {
        return Err("the new index does not fit the old encoding".into());
    }
    Ok(Outcome::Repaired { from, to })
}

fn main() -> ExitCode {
    let Some(dir) = env::args()
        .nth(1)
        .or_else(|| env::var("TRUNK_STAGING_DIR").ok())
    else {
        eprintln!("usage: repair-wasm-export DIR (or set TRUNK_STAGING_DIR)");
        return ExitCode::FAILURE;
    };
    let entries = match fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("repair-wasm-export: {dir}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let wasm: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with("_bg.wasm"))
        .collect();
    for path in wasm {
        let result = fs::read(&path)
            .map_err(|e| e.to_string())
            .and_then(|mut bytes| {
                let outcome = repair(&mut bytes)?;
                if outcome != Outcome::Untouched {
                    fs::write(&path, &bytes).map_err(|e| e.to_string())?;
                }
                Ok(outcome)
            });
        match result {
            Ok(Outcome::Untouched) => {}
            Ok(Outcome::Repaired { from, to }) => {
                println!(
                    "repair-wasm-export: {}: {EXPORT} -> table {to} (was {from})",
                    path.display()
                );
            }
            Err(e) => {
                eprintln!("repair-wasm-export: {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    const FUNCREF: u8 = 0x70;

    /// A module with a funcref table 0, an externref table 1, and the export naming `table`.
    fn module(table: u8) -> Vec<u8> {
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        m.extend([4, 7, 2, FUNCREF, 0, 1, EXTERNREF, 0, 1]);
        let mut export = vec![1, EXPORT.len() as u8];
        export.extend(EXPORT.as_bytes());
        export.extend([1, table]);
        m.extend([7, export.len() as u8]);
        m.extend(export);
        m
    }

    #[test]
    fn a_miswritten_export_is_pointed_back_at_the_externref_table() {
        let mut m = module(0);
        assert_eq!(repair(&mut m), Ok(Outcome::Repaired { from: 0, to: 1 }));
        assert_eq!(m, module(1));
    }

    #[test]
    fn a_correct_module_is_left_alone() {
        let mut m = module(1);
        assert_eq!(repair(&mut m), Ok(Outcome::Untouched));
        assert_eq!(m, module(1));
        assert!(repair(&mut b"not wasm".to_vec()).is_err());
    }
}
