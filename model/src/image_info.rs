//! What an uploaded image is, read from its first bytes only: the format by magic bytes, the
//! pixel dimensions from the header, and whether the file is complete. Nothing is decoded.

/// An accepted image format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
}

impl Format {
    /// The MIME type served for it.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
        }
    }

    /// Reads a stored MIME type.
    pub fn from_mime(mime: &str) -> Option<Format> {
        match mime {
            "image/jpeg" => Some(Format::Jpeg),
            "image/png" => Some(Format::Png),
            "image/webp" => Some(Format::Webp),
            _ => None,
        }
    }
}

/// Bytes needed to tell the format.
pub const SNIFF_LEN: usize = 12;

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";
const PNG_IEND: &[u8] = b"\0\0\0\0IEND\xae\x42\x60\x82";

/// The format of a file starting with `head` (at least [`SNIFF_LEN`] bytes), if accepted.
pub fn sniff(head: &[u8]) -> Option<Format> {
    if head.starts_with(&[0xff, 0xd8, 0xff]) {
        Some(Format::Jpeg)
    } else if head.starts_with(PNG_MAGIC) {
        Some(Format::Png)
    } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        Some(Format::Webp)
    } else {
        None
    }
}

fn be16(b: &[u8], i: usize) -> u32 {
    u32::from(b[i]) << 8 | u32::from(b[i + 1])
}

fn le16(b: &[u8], i: usize) -> u32 {
    u32::from(b[i]) | u32::from(b[i + 1]) << 8
}

fn le24(b: &[u8], i: usize) -> u32 {
    le16(b, i) | u32::from(b[i + 2]) << 16
}

fn be32(b: &[u8], i: usize) -> u32 {
    be16(b, i) << 16 | be16(b, i + 2)
}

/// The width and height declared by the header in `buf` (the file's first bytes): `Ok(None)`
/// while more bytes are needed, an error if the header is malformed.
pub fn dimensions(format: Format, buf: &[u8]) -> Result<Option<(u32, u32)>, &'static str> {
    match format {
        Format::Png => {
            if buf.len() < 24 {
                return Ok(None);
            }
            if &buf[12..16] != b"IHDR" {
                return Err("PNG without an IHDR header");
            }
            Ok(Some((be32(buf, 16), be32(buf, 20))))
        }
        Format::Webp => {
            if buf.len() < 30 {
                return Ok(None);
            }
            match &buf[12..16] {
                b"VP8 " => {
                    if buf[23..26] != [0x9d, 0x01, 0x2a] {
                        return Err("WebP VP8 frame without its start code");
                    }
                    Ok(Some((le16(buf, 26) & 0x3fff, le16(buf, 28) & 0x3fff)))
                }
                b"VP8L" => {
                    if buf[20] != 0x2f {
                        return Err("WebP VP8L without its signature");
                    }
                    let bits = u32::from_le_bytes([buf[21], buf[22], buf[23], buf[24]]);
                    Ok(Some(((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1)))
                }
                b"VP8X" => Ok(Some((le24(buf, 24) + 1, le24(buf, 27) + 1))),
                _ => Err("WebP with an unknown first chunk"),
            }
        }
        Format::Jpeg => {
            let mut i = 2;
            loop {
                // A marker: 0xFF, any fill bytes, then the marker code.
                while i < buf.len() && buf[i] == 0xff && buf.get(i + 1) == Some(&0xff) {
                    i += 1;
                }
                if i + 4 > buf.len() {
                    return Ok(None);
                }
                if buf[i] != 0xff {
                    return Err("JPEG segment without a marker");
                }
                let marker = buf[i + 1];
                if marker == 0x01 || (0xd0..=0xd7).contains(&marker) {
                    i += 2;
                    continue;
                }
                if marker == 0xda || marker == 0xd9 {
                    return Err("JPEG without a frame header");
                }
                let len = be16(buf, i + 2) as usize;
                if len < 2 {
                    return Err("JPEG segment with a bad length");
                }
                let sof = (0xc0..=0xcf).contains(&marker) && ![0xc4, 0xc8, 0xcc].contains(&marker);
                if sof {
                    if i + 9 > buf.len() {
                        return Ok(None);
                    }
                    return Ok(Some((be16(buf, i + 7), be16(buf, i + 5))));
                }
                i += 2 + len;
            }
        }
    }
}

/// Whether the whole file `buf` ends where its format says it ends, so a cut-off upload is
/// refused.
pub fn complete(format: Format, buf: &[u8]) -> bool {
    match format {
        Format::Jpeg => buf.ends_with(&[0xff, 0xd9]),
        Format::Png => buf.ends_with(PNG_IEND),
        Format::Webp => {
            buf.len() >= 12
                && u32::from_le_bytes([buf[4], buf[5], buf[6], buf[7]]) as usize + 8 == buf.len()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut b = PNG_MAGIC.to_vec();
        b.extend_from_slice(&13u32.to_be_bytes());
        b.extend_from_slice(b"IHDR");
        b.extend_from_slice(&w.to_be_bytes());
        b.extend_from_slice(&h.to_be_bytes());
        b.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
        b.extend_from_slice(PNG_IEND);
        b
    }

    #[test]
    fn formats_dimensions_and_completeness() {
        let p = png(30_000, 20);
        assert_eq!(sniff(&p), Some(Format::Png));
        assert_eq!(dimensions(Format::Png, &p), Ok(Some((30_000, 20))));
        assert!(complete(Format::Png, &p));
        assert!(!complete(Format::Png, &p[..p.len() - 1]));
        assert_eq!(dimensions(Format::Png, &p[..20]), Ok(None));

        // A JPEG with an APP0 segment, then a baseline frame header of 640×480.
        let mut j = vec![0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00];
        j.extend_from_slice(&[
            0xff, 0xc0, 0x00, 0x0b, 0x08, 0x01, 0xe0, 0x02, 0x80, 0x01, 0x01,
        ]);
        assert_eq!(sniff(&j), Some(Format::Jpeg));
        assert_eq!(dimensions(Format::Jpeg, &j), Ok(Some((640, 480))));
        assert_eq!(dimensions(Format::Jpeg, &j[..10]), Ok(None));
        assert!(!complete(Format::Jpeg, &j));
        j.extend_from_slice(&[0xff, 0xd9]);
        assert!(complete(Format::Jpeg, &j));
        let no_frame = [0xff, 0xd8, 0xff, 0xda, 0x00, 0x02, 0x00];
        assert!(dimensions(Format::Jpeg, &no_frame).is_err());

        let mut w = b"RIFF\0\0\0\0WEBPVP8X".to_vec();
        w.extend_from_slice(&[10, 0, 0, 0, 0, 0, 0, 0, 0x3f, 0x06, 0, 0xdf, 0x03, 0]);
        let len = (w.len() - 8) as u32;
        w[4..8].copy_from_slice(&len.to_le_bytes());
        assert_eq!(sniff(&w), Some(Format::Webp));
        assert_eq!(dimensions(Format::Webp, &w), Ok(Some((1600, 992))));
        assert!(complete(Format::Webp, &w));

        assert_eq!(sniff(b"GIF89a......"), None);
        assert_eq!(sniff(b"%PDF-1.7 abc"), None);
    }
}
