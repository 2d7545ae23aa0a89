//! The relay's decoder of automerge-repo frames: any bytes a client sends. What decodes must
//! encode and decode again to the same message.
#![no_main]

use libfuzzer_sys::fuzz_target;
use model::wire::Message;

fuzz_target!(|data: &[u8]| {
    if let Ok(msg) = Message::decode(data) {
        let again = Message::decode(&msg.encode()).expect("an encoded message decodes");
        assert_eq!(again, msg, "encoding and decoding again changes the message");
    }
});
