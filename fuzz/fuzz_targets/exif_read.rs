//! The EXIF reader the phone runs on every photo a rider picks: any bytes of a file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let exif = model::exif::read(data);
    let _ = exif.taken_at_ms();
});
