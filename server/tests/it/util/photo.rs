//! Photos for tests: real JPEGs, their names, and uploads.

use sha2::{Digest, Sha256};

use super::{Session, TestApp};

/// A photo's name: the lower-case hex SHA-256 of its bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A real JPEG of `w`×`h` with some texture.
pub fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x * y) % 239) as u8])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 70)
        .encode_image(&img)
        .unwrap();
    out
}

impl TestApp {
    /// Uploads `bytes` as `s`, which must be stored (201); returns the photo's name.
    pub async fn upload_photo(&self, s: &Session, bytes: Vec<u8>) -> String {
        let name = sha256_hex(&bytes);
        let res = reqwest::Client::new()
            .put(self.url(&format!("/api/photos/{name}")))
            .header("cookie", &s.cookie)
            .body(bytes)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        name
    }
}
