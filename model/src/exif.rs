//! Reads the capture time and GPS position from a JPEG's EXIF block, before the app re-encodes
//! the photo (which drops EXIF from what is uploaded). Arbitrary bytes never panic: anything
//! that does not parse is simply absent.

/// What the original photo said about itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhotoExif {
    /// `DateTimeOriginal` as written by the camera: local time `YYYY:MM:DD HH:MM:SS`.
    pub taken_at: Option<String>,
    /// WGS-84 degrees, south and west negative.
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// The EXIF orientation (1–8); the browser applies it when decoding.
    pub orientation: Option<u16>,
}

impl PhotoExif {
    /// `taken_at` in milliseconds since the epoch, reading the camera's local time as China
    /// Standard Time (UTC+8).
    pub fn taken_at_ms(&self) -> Option<i64> {
        let t = self.taken_at.as_deref()?;
        let b = t.as_bytes();
        if b.len() < 19 {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<i64> { t.get(r)?.parse().ok() };
        let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
            return None;
        }
        // Days from the civil date (Howard Hinnant's algorithm).
        let y = if mo <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (mo + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        Some(((days * 24 + h) * 60 + mi) * 60_000 + s * 1000 - 8 * 3_600_000)
    }
}

struct Tiff<'a> {
    b: &'a [u8],
    le: bool,
}

impl Tiff<'_> {
    fn u16(&self, at: usize) -> Option<u16> {
        let s = self.b.get(at..at.checked_add(2)?)?;
        Some(if self.le {
            u16::from_le_bytes([s[0], s[1]])
        } else {
            u16::from_be_bytes([s[0], s[1]])
        })
    }

    fn u32(&self, at: usize) -> Option<u32> {
        let s = self.b.get(at..at.checked_add(4)?)?;
        let a = [s[0], s[1], s[2], s[3]];
        Some(if self.le {
            u32::from_le_bytes(a)
        } else {
            u32::from_be_bytes(a)
        })
    }

    /// The entries of the IFD at `at`: (tag, type, count, value offset field position).
    fn ifd(&self, at: usize) -> Vec<(u16, u16, u32, usize)> {
        let Some(n) = self.u16(at) else {
            return Vec::new();
        };
        (0..usize::from(n).min(512))
            .filter_map(|i| {
                let e = at + 2 + i * 12;
                Some((self.u16(e)?, self.u16(e + 2)?, self.u32(e + 4)?, e + 8))
            })
            .collect()
    }

    /// Where an entry's data lives: inline if it fits in 4 bytes, else at the offset.
    fn data_at(&self, ty: u16, count: u32, field: usize) -> Option<usize> {
        let size = match ty {
            1 | 2 | 6 | 7 => 1usize,
            3 | 8 => 2,
            4 | 9 | 11 => 4,
            5 | 10 | 12 => 8,
            _ => return None,
        }
        .checked_mul(count as usize)?;
        if size <= 4 {
            Some(field)
        } else {
            Some(self.u32(field)? as usize)
        }
    }

    fn ascii(&self, ty: u16, count: u32, field: usize) -> Option<String> {
        if ty != 2 {
            return None;
        }
        let at = self.data_at(ty, count, field)?;
        let s = self.b.get(at..at.checked_add(count as usize)?)?;
        let s = s.split(|&c| c == 0).next()?;
        std::str::from_utf8(s).ok().map(str::to_owned)
    }

    /// Three unsigned rationals (degrees, minutes, seconds) as degrees.
    fn dms(&self, ty: u16, count: u32, field: usize) -> Option<f64> {
        if ty != 5 || count != 3 {
            return None;
        }
        let at = self.data_at(ty, count, field)?;
        let mut v = [0f64; 3];
        for (i, x) in v.iter_mut().enumerate() {
            let n = self.u32(at + i * 8)?;
            let d = self.u32(at + i * 8 + 4)?;
            if d == 0 {
                return None;
            }
            *x = f64::from(n) / f64::from(d);
        }
        let deg = v[0] + v[1] / 60.0 + v[2] / 3600.0;
        deg.is_finite().then_some(deg)
    }
}

/// The TIFF block of a JPEG's `Exif` APP1 segment, if there is one.
fn exif_block(jpeg: &[u8]) -> Option<&[u8]> {
    if !jpeg.starts_with(&[0xff, 0xd8]) {
        return None;
    }
    let mut i = 2;
    while i + 4 <= jpeg.len() {
        if jpeg[i] != 0xff {
            return None;
        }
        let marker = jpeg[i + 1];
        if marker == 0xda || marker == 0xd9 {
            return None;
        }
        let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
        if len < 2 {
            return None;
        }
        let body = jpeg.get(i + 4..i + 2 + len)?;
        if marker == 0xe1 && body.starts_with(b"Exif\0\0") {
            return Some(&body[6..]);
        }
        i += 2 + len;
    }
    None
}

/// Reads what EXIF the JPEG `bytes` carries; an empty result for anything else.
pub fn read(bytes: &[u8]) -> PhotoExif {
    let mut out = PhotoExif::default();
    let Some(b) = exif_block(bytes) else {
        return out;
    };
    let le = match b.get(..4) {
        Some([b'I', b'I', 42, 0]) => true,
        Some([b'M', b'M', 0, 42]) => false,
        _ => return out,
    };
    let t = Tiff { b, le };
    let Some(ifd0) = t.u32(4) else {
        return out;
    };
    let mut exif_ifd = None;
    let mut gps_ifd = None;
    for (tag, ty, count, field) in t.ifd(ifd0 as usize) {
        match tag {
            0x0112 if ty == 3 => out.orientation = t.u16(field).filter(|o| (1..=8).contains(o)),
            0x8769 => exif_ifd = t.u32(field),
            0x8825 => gps_ifd = t.u32(field),
            0x0132 if out.taken_at.is_none() => out.taken_at = t.ascii(ty, count, field),
            _ => {}
        }
    }
    if let Some(at) = exif_ifd {
        for (tag, ty, count, field) in t.ifd(at as usize) {
            if tag == 0x9003 {
                out.taken_at = t.ascii(ty, count, field).or(out.taken_at.take());
            }
        }
    }
    if let Some(at) = gps_ifd {
        let (mut lat, mut lon, mut lat_ref, mut lon_ref) = (None, None, None, None);
        for (tag, ty, count, field) in t.ifd(at as usize) {
            match tag {
                1 => lat_ref = t.ascii(ty, count, field),
                2 => lat = t.dms(ty, count, field),
                3 => lon_ref = t.ascii(ty, count, field),
                4 => lon = t.dms(ty, count, field),
                _ => {}
            }
        }
        let sign =
            |r: Option<String>, neg: &str| if r.as_deref() == Some(neg) { -1.0 } else { 1.0 };
        out.lat = lat
            .map(|v| v * sign(lat_ref, "S"))
            .filter(|v| (-90.0..=90.0).contains(v));
        out.lon = lon
            .map(|v| v * sign(lon_ref, "W"))
            .filter(|v| (-180.0..=180.0).contains(v));
    }
    out
}

/// A minimal JPEG whose EXIF carries `taken_at` and a GPS position, for tests. Big-endian
/// (as many phones write it).
pub fn sample_exif_jpeg(taken_at: &str, lat: f64, lon: f64) -> Vec<u8> {
    fn rational(v: f64) -> [u32; 6] {
        let d = v.trunc();
        let m = ((v - d) * 60.0).trunc();
        let s = ((v - d) * 60.0 - m) * 60.0;
        [d as u32, 1, m as u32, 1, (s * 1000.0).round() as u32, 1000]
    }
    let mut t: Vec<u8> = b"MM\0\x2a\0\0\0\x08".to_vec();
    let entry = |t: &mut Vec<u8>, tag: u16, ty: u16, count: u32, value: u32| {
        t.extend_from_slice(&tag.to_be_bytes());
        t.extend_from_slice(&ty.to_be_bytes());
        t.extend_from_slice(&count.to_be_bytes());
        t.extend_from_slice(&value.to_be_bytes());
    };
    // IFD0 at 8: 2 entries (Exif IFD, GPS IFD) → 2 + 24 + 4 = 30 bytes → ends at 38.
    let exif_at = 38u32;
    // Exif IFD: 1 entry → 18 bytes, then the 20-byte date → GPS IFD after.
    let date_at = exif_at + 18;
    let gps_at = date_at + 20;
    // GPS IFD: 4 entries → 2 + 48 + 4 = 54 bytes, then two 24-byte rationals.
    let lat_at = gps_at + 54;
    let lon_at = lat_at + 24;
    t.extend_from_slice(&2u16.to_be_bytes());
    entry(&mut t, 0x8769, 4, 1, exif_at);
    entry(&mut t, 0x8825, 4, 1, gps_at);
    t.extend_from_slice(&0u32.to_be_bytes());
    t.extend_from_slice(&1u16.to_be_bytes());
    entry(&mut t, 0x9003, 2, 20, date_at);
    t.extend_from_slice(&0u32.to_be_bytes());
    let mut date = taken_at.as_bytes().to_vec();
    date.resize(20, 0);
    t.extend_from_slice(&date);
    t.extend_from_slice(&4u16.to_be_bytes());
    let ns = if lat < 0.0 { b'S' } else { b'N' };
    let ew = if lon < 0.0 { b'W' } else { b'E' };
    entry(&mut t, 1, 2, 2, u32::from_be_bytes([ns, 0, 0, 0]));
    entry(&mut t, 2, 5, 3, lat_at);
    entry(&mut t, 3, 2, 2, u32::from_be_bytes([ew, 0, 0, 0]));
    entry(&mut t, 4, 5, 3, lon_at);
    t.extend_from_slice(&0u32.to_be_bytes());
    for v in rational(lat.abs()).into_iter().chain(rational(lon.abs())) {
        t.extend_from_slice(&v.to_be_bytes());
    }
    let mut j = vec![0xff, 0xd8, 0xff, 0xe1];
    j.extend_from_slice(&((t.len() + 8) as u16).to_be_bytes());
    j.extend_from_slice(b"Exif\0\0");
    j.extend_from_slice(&t);
    j.extend_from_slice(&[0xff, 0xd9]);
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_and_gps_are_read() {
        let j = sample_exif_jpeg("2026:11:20 08:30:00", 28.8412, -108.7721);
        let e = read(&j);
        assert_eq!(e.taken_at.as_deref(), Some("2026:11:20 08:30:00"));
        assert!((e.lat.unwrap() - 28.8412).abs() < 1e-5, "{e:?}");
        assert!((e.lon.unwrap() + 108.7721).abs() < 1e-5, "{e:?}");
        // 2026-11-20 00:30:00 UTC.
        assert_eq!(e.taken_at_ms(), Some(1_795_134_600_000));
    }

    #[test]
    fn anything_else_reads_as_nothing() {
        assert_eq!(read(b""), PhotoExif::default());
        assert_eq!(read(b"\xff\xd8\xff\xe1\x00\x02"), PhotoExif::default());
        let j = sample_exif_jpeg("2026:11:20 08:30:00", 28.0, 108.0);
        for cut in 0..j.len() {
            let _ = read(&j[..cut]);
        }
        let mut bad = j.clone();
        for i in 12..bad.len() {
            bad[i] = bad[i].wrapping_add(0x55);
            let _ = read(&bad);
        }
    }
}
