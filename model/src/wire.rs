//! The automerge-repo wire messages (protocol version "1"), as CBOR maps.
//!
//! Only what a client needs is modelled; message types this version does not use (ephemeral,
//! remote-heads-changed, ...) decode to [`Message::Other`] and are ignored, as the protocol asks.

use minicbor::{Decoder, Encoder, data::Type};

use crate::ModelError;

/// The protocol version this client speaks.
pub const PROTOCOL_VERSION: &str = "1";

/// One wire message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Join {
        sender_id: String,
        supported_protocol_versions: Vec<String>,
    },
    Peer {
        sender_id: String,
        target_id: String,
        selected_protocol_version: String,
        /// The `storageId` of the peer's `peerMetadata`: a peer that keeps documents names its
        /// store, so that automerge-repo clients track what it holds (`remote-heads`).
        storage_id: Option<String>,
    },
    Leave {
        sender_id: String,
    },
    Request {
        document_id: String,
        sender_id: String,
        target_id: String,
        data: Vec<u8>,
    },
    Sync {
        document_id: String,
        sender_id: String,
        target_id: String,
        data: Vec<u8>,
    },
    DocUnavailable {
        document_id: String,
        sender_id: String,
        target_id: String,
    },
    Error {
        message: String,
    },
    /// A message type this client ignores.
    Other {
        kind: String,
    },
}

type EncResult = Result<(), minicbor::encode::Error<core::convert::Infallible>>;

impl Message {
    /// Encodes to CBOR.
    pub fn encode(&self) -> Vec<u8> {
        let mut e = Encoder::new(Vec::new());
        // Writing into a Vec cannot fail.
        let _ = self.encode_into(&mut e);
        e.into_writer()
    }

    fn encode_into(&self, e: &mut Encoder<Vec<u8>>) -> EncResult {
        match self {
            Message::Join {
                sender_id,
                supported_protocol_versions,
            } => {
                e.map(4)?;
                e.str("type")?.str("join")?;
                e.str("senderId")?.str(sender_id)?;
                e.str("supportedProtocolVersions")?
                    .array(supported_protocol_versions.len() as u64)?;
                for v in supported_protocol_versions {
                    e.str(v)?;
                }
                // An ephemeral peer: the relay keeps no sync state for it across connections.
                e.str("peerMetadata")?
                    .map(1)?
                    .str("isEphemeral")?
                    .bool(true)?;
            }
            Message::Peer {
                sender_id,
                target_id,
                selected_protocol_version,
                storage_id,
            } => {
                e.map(5)?;
                e.str("type")?.str("peer")?;
                e.str("senderId")?.str(sender_id)?;
                e.str("targetId")?.str(target_id)?;
                e.str("selectedProtocolVersion")?
                    .str(selected_protocol_version)?;
                e.str("peerMetadata")?;
                match storage_id {
                    Some(id) => {
                        e.map(2)?.str("storageId")?.str(id)?;
                    }
                    None => {
                        e.map(1)?;
                    }
                }
                e.str("isEphemeral")?.bool(storage_id.is_none())?;
            }
            Message::Leave { sender_id } => {
                e.map(2)?;
                e.str("type")?.str("leave")?;
                e.str("senderId")?.str(sender_id)?;
            }
            Message::Request {
                document_id,
                sender_id,
                target_id,
                data,
            }
            | Message::Sync {
                document_id,
                sender_id,
                target_id,
                data,
            } => {
                let kind = if matches!(self, Message::Request { .. }) {
                    "request"
                } else {
                    "sync"
                };
                e.map(5)?;
                e.str("type")?.str(kind)?;
                e.str("documentId")?.str(document_id)?;
                e.str("senderId")?.str(sender_id)?;
                e.str("targetId")?.str(target_id)?;
                e.str("data")?.bytes(data)?;
            }
            Message::DocUnavailable {
                document_id,
                sender_id,
                target_id,
            } => {
                e.map(4)?;
                e.str("type")?.str("doc-unavailable")?;
                e.str("documentId")?.str(document_id)?;
                e.str("senderId")?.str(sender_id)?;
                e.str("targetId")?.str(target_id)?;
            }
            Message::Error { message } => {
                e.map(2)?;
                e.str("type")?.str("error")?;
                e.str("message")?.str(message)?;
            }
            Message::Other { kind } => {
                e.map(1)?;
                e.str("type")?.str(kind)?;
            }
        }
        Ok(())
    }

    /// Decodes one CBOR message. Never panics, whatever the input.
    pub fn decode(bytes: &[u8]) -> Result<Message, ModelError> {
        decode_inner(bytes).map_err(|e| ModelError::Wire(e.to_string()))
    }

    /// The document a message is about, if any.
    pub fn document_id(&self) -> Option<&str> {
        match self {
            Message::Request { document_id, .. }
            | Message::Sync { document_id, .. }
            | Message::DocUnavailable { document_id, .. } => Some(document_id),
            _ => None,
        }
    }
}

#[derive(Default)]
struct Fields {
    kind: Option<String>,
    sender_id: Option<String>,
    target_id: Option<String>,
    document_id: Option<String>,
    selected: Option<String>,
    supported: Option<Vec<String>>,
    message: Option<String>,
    data: Option<Vec<u8>>,
    storage_id: Option<String>,
}

/// The `storageId` of a `peerMetadata` map, if it has one; anything else in it is skipped.
fn storage_id_of(d: &mut Decoder<'_>) -> Result<Option<String>, String> {
    let Some(len) = d.map().map_err(|e| e.to_string())? else {
        return Err("indefinite peerMetadata".into());
    };
    let mut id = None;
    for _ in 0..len {
        let key = d.str().map_err(|e| e.to_string())?;
        // JS clients without a store send `storageId: undefined`.
        let is_str = matches!(d.datatype(), Ok(minicbor::data::Type::String));
        if key == "storageId" && is_str {
            id = Some(str_of(d)?);
        } else {
            d.skip().map_err(|e| e.to_string())?;
        }
    }
    Ok(id)
}

fn decode_inner(bytes: &[u8]) -> Result<Message, String> {
    let mut d = Decoder::new(bytes);
    let len = d
        .map()
        .map_err(|e| e.to_string())?
        .ok_or("indefinite map")?;
    let mut f = Fields::default();
    for _ in 0..len {
        let key = d.str().map_err(|e| e.to_string())?;
        match key {
            "type" => f.kind = Some(d.str().map_err(|e| e.to_string())?.to_owned()),
            "senderId" => f.sender_id = Some(str_of(&mut d)?),
            "targetId" => f.target_id = Some(str_of(&mut d)?),
            "selectedProtocolVersion" => f.selected = Some(str_of(&mut d)?),
            "message" => f.message = Some(str_of(&mut d)?),
            "documentId" => f.document_id = Some(str_of(&mut d)?),
            "data" => f.data = Some(d.bytes().map_err(|e| e.to_string())?.to_vec()),
            "peerMetadata" => f.storage_id = storage_id_of(&mut d)?,
            "supportedProtocolVersions" => {
                let n = d
                    .array()
                    .map_err(|e| e.to_string())?
                    .ok_or("indefinite array")?;
                // Each element takes at least one byte, so a huge declared length fails here
                // rather than allocating.
                let mut v = Vec::new();
                for _ in 0..n {
                    v.push(str_of(&mut d)?);
                }
                f.supported = Some(v);
            }
            _ => d.skip().map_err(|e| e.to_string())?,
        }
    }
    if d.position() != bytes.len() {
        return Err("trailing bytes after the message".into());
    }
    let kind = f.kind.ok_or("no type")?;
    let need = |v: Option<String>, name: &str| v.ok_or_else(|| format!("{kind}: no {name}"));
    Ok(match kind.as_str() {
        "join" => Message::Join {
            sender_id: need(f.sender_id, "senderId")?,
            supported_protocol_versions: f.supported.ok_or("join: no versions")?,
        },
        "peer" => Message::Peer {
            sender_id: need(f.sender_id, "senderId")?,
            target_id: need(f.target_id, "targetId")?,
            selected_protocol_version: need(f.selected, "selectedProtocolVersion")?,
            storage_id: f.storage_id,
        },
        "leave" => Message::Leave {
            sender_id: need(f.sender_id, "senderId")?,
        },
        "request" | "sync" => {
            let document_id = need(f.document_id, "documentId")?;
            let sender_id = need(f.sender_id, "senderId")?;
            let target_id = need(f.target_id, "targetId")?;
            let data = f.data.ok_or("no data")?;
            if kind == "request" {
                Message::Request {
                    document_id,
                    sender_id,
                    target_id,
                    data,
                }
            } else {
                Message::Sync {
                    document_id,
                    sender_id,
                    target_id,
                    data,
                }
            }
        }
        "doc-unavailable" => Message::DocUnavailable {
            document_id: need(f.document_id, "documentId")?,
            sender_id: need(f.sender_id, "senderId")?,
            target_id: need(f.target_id, "targetId")?,
        },
        "error" => Message::Error {
            message: f.message.unwrap_or_default(),
        },
        _ => Message::Other { kind },
    })
}

fn str_of(d: &mut Decoder<'_>) -> Result<String, String> {
    match d.datatype().map_err(|e| e.to_string())? {
        Type::String => Ok(d.str().map_err(|e| e.to_string())?.to_owned()),
        other => Err(format!("expected a string, found {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn samples() -> Vec<Message> {
        vec![
            Message::Join {
                sender_id: "a".into(),
                supported_protocol_versions: vec!["1".into()],
            },
            Message::Peer {
                sender_id: "s".into(),
                target_id: "a".into(),
                selected_protocol_version: "1".into(),
                storage_id: Some("st".into()),
            },
            Message::Peer {
                sender_id: "s".into(),
                target_id: "a".into(),
                selected_protocol_version: "1".into(),
                storage_id: None,
            },
            Message::Leave {
                sender_id: "a".into(),
            },
            Message::Request {
                document_id: "d".into(),
                sender_id: "a".into(),
                target_id: "s".into(),
                data: vec![0x42, 1],
            },
            Message::Sync {
                document_id: "d".into(),
                sender_id: "a".into(),
                target_id: "s".into(),
                data: vec![],
            },
            Message::DocUnavailable {
                document_id: "d".into(),
                sender_id: "s".into(),
                target_id: "a".into(),
            },
            Message::Error {
                message: "bad".into(),
            },
        ]
    }

    #[test]
    fn peer_metadata_with_an_undefined_storage_id_decodes() {
        // What a JS client without a store sends.
        let mut e = Encoder::new(Vec::new());
        e.map(3).unwrap();
        e.str("type").unwrap().str("peer").unwrap();
        e.str("senderId").unwrap().str("s").unwrap();
        e.str("peerMetadata").unwrap().map(2).unwrap();
        e.str("storageId").unwrap().undefined().unwrap();
        e.str("isEphemeral").unwrap().bool(true).unwrap();
        let bytes = e.into_writer();
        // No targetId: an error, but a clean one; with the fields it needs it decodes.
        assert!(Message::decode(&bytes).is_err());
        let mut e = Encoder::new(Vec::new());
        e.map(5).unwrap();
        e.str("type").unwrap().str("peer").unwrap();
        e.str("senderId").unwrap().str("s").unwrap();
        e.str("targetId").unwrap().str("a").unwrap();
        e.str("selectedProtocolVersion").unwrap().str("1").unwrap();
        e.str("peerMetadata").unwrap().map(1).unwrap();
        e.str("storageId").unwrap().undefined().unwrap();
        let m = Message::decode(&e.into_writer()).unwrap();
        assert!(matches!(
            m,
            Message::Peer {
                storage_id: None,
                ..
            }
        ));
    }

    #[test]
    fn every_message_round_trips() {
        for m in samples() {
            assert_eq!(Message::decode(&m.encode()).unwrap(), m);
        }
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(Message::decode(&[]).is_err());
        assert!(Message::decode(&[0xff, 0x00]).is_err());
        assert!(Message::decode(&[0xa1, 0x64, b't', b'y', b'p', b'e']).is_err());
        // An array claiming 2^32 elements.
        let mut big = vec![0xa1];
        big.extend(b"\x78\x19supportedProtocolVersions");
        big.extend([0x9a, 0xff, 0xff, 0xff, 0xff]);
        assert!(Message::decode(&big).is_err());
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = Message::decode(&bytes);
        }

        #[test]
        fn mutated_messages_never_panic(i in 0usize..7, pos in 0usize..64, byte in any::<u8>()) {
            let mut b = samples()[i].encode();
            let p = pos % b.len();
            b[p] = byte;
            let _ = Message::decode(&b);
        }
    }
}
