//! The server's reading of an upload's header: format by magic bytes, dimensions, completeness.
#![no_main]

use libfuzzer_sys::fuzz_target;
use model::image_info::{SNIFF_LEN, complete, dimensions, sniff};

fuzz_target!(|data: &[u8]| {
    if data.len() < SNIFF_LEN {
        return;
    }
    if let Some(format) = sniff(data) {
        // The server reads the header as the bytes arrive: every prefix must be safe.
        for end in [data.len() / 3, data.len() / 2, data.len()] {
            let _ = dimensions(format, &data[..end]);
        }
        let _ = complete(format, data);
    }
});
