//! Preparing a hazard photo on the phone: read its EXIF, decode it with its orientation
//! applied, downscale it to at most [`MAX_SIDE`] px on the long edge, re-encode it as JPEG
//! (which leaves EXIF behind), and name it by the SHA-256 of the bytes that will be stored and
//! uploaded. The browser does the decoding and encoding, so none of it costs wasm bytes.

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, BlobPropertyBag, ImageBitmap, ImageBitmapOptions, ImageEncodeOptions, ImageOrientation,
    OffscreenCanvas, OffscreenCanvasRenderingContext2d,
};

use crate::error::{AppError, describe};

/// The longest edge of a stored photo, in pixels.
pub const MAX_SIDE: u32 = 1600;
/// The longest edge of the thumbnail kept after upload, in pixels.
pub const THUMB_SIDE: u32 = 160;
/// The size a stored photo aims at; lower qualities are tried until it fits.
pub const TARGET_BYTES: usize = 300 * 1024;
const QUALITIES: [f64; 4] = [0.7, 0.6, 0.5, 0.4];

/// A photo ready to be stored and uploaded.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// Lower-case hex SHA-256 of `jpeg`: the photo's name everywhere.
    pub sha256: String,
    /// The re-encoded JPEG, without EXIF.
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// A small JPEG for lists, kept on the phone after the upload.
    pub thumb: Vec<u8>,
    /// What the original said about when and where it was taken (never uploaded with it).
    pub exif: model::exif::PhotoExif,
}

fn photo_err(what: &str, e: JsValue) -> AppError {
    AppError::Photo(format!("{what}: {}", describe(&e)))
}

async fn wait(p: Result<Promise, JsValue>, what: &str) -> Result<JsValue, AppError> {
    let p = p.map_err(|e| photo_err(what, e))?;
    JsFuture::from(p).await.map_err(|e| photo_err(what, e))
}

/// The bytes of a blob.
pub async fn blob_bytes(blob: &Blob) -> Result<Vec<u8>, AppError> {
    let buf = wait(Ok(blob.array_buffer()), "reading the photo").await?;
    Ok(Uint8Array::new(&buf).to_vec())
}

/// An object URL of a thumbnail, alive while this value is: dropping it revokes the URL, so
/// the browser can free the bytes. The number alive is kept in `window.__nxLiveObjectUrls`,
/// where the end-to-end tests read it.
pub struct ThumbUrl(gloo_file::ObjectUrl);

impl std::fmt::Debug for ThumbUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ThumbUrl").field(&&*self.0).finish()
    }
}

thread_local! {
    static LIVE_URLS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

fn count_live(delta: i32) {
    let n = LIVE_URLS.with(|c| {
        let n = c.get().saturating_add_signed(delta);
        c.set(n);
        n
    });
    if let Some(w) = web_sys::window() {
        let _ = js_sys::Reflect::set(&w, &"__nxLiveObjectUrls".into(), &n.into());
    }
}

impl ThumbUrl {
    /// A URL for JPEG `bytes`.
    pub fn jpeg(bytes: &[u8]) -> Option<Self> {
        let blob = bytes_blob(bytes, "image/jpeg").ok()?;
        count_live(1);
        Some(ThumbUrl(gloo_file::ObjectUrl::from(blob)))
    }

    /// The URL, for an `<img src>`.
    pub fn url(&self) -> String {
        self.0.to_string()
    }
}

impl Drop for ThumbUrl {
    fn drop(&mut self) {
        count_live(-1);
    }
}

/// How many thumbnail URLs are alive.
pub fn live_thumb_urls() -> u32 {
    LIVE_URLS.with(std::cell::Cell::get)
}

/// A blob of `bytes` with MIME type `mime`.
pub fn bytes_blob(bytes: &[u8], mime: &str) -> Result<Blob, AppError> {
    let parts = js_sys::Array::of1(&Uint8Array::from(bytes));
    let opts = BlobPropertyBag::new();
    opts.set_type(mime);
    Blob::new_with_u8_array_sequence_and_options(&parts, &opts).map_err(|e| photo_err("blob", e))
}

/// Lower-case hex SHA-256 of `bytes`, by the browser's crypto.
pub async fn sha256_hex(bytes: &[u8]) -> Result<String, AppError> {
    let subtle = web_sys::window()
        .ok_or_else(|| AppError::Photo("no window".into()))?
        .crypto()
        .map_err(|e| photo_err("crypto", e))?
        .subtle();
    let digest = wait(
        subtle.digest_with_str_and_u8_array("SHA-256", bytes),
        "hashing",
    )
    .await?;
    Ok(Uint8Array::new(&digest)
        .to_vec()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// The size that fits `w`×`h` into `max` on the long edge, never enlarging.
pub fn fit(w: u32, h: u32, max: u32) -> (u32, u32) {
    let long = w.max(h);
    if long <= max || long == 0 {
        return (w.max(1), h.max(1));
    }
    let scale = f64::from(max) / f64::from(long);
    let side = |v: u32| ((f64::from(v) * scale).round() as u32).clamp(1, max);
    (side(w), side(h))
}

/// Draws `bitmap` at `w`×`h` and encodes it as JPEG at `quality`.
async fn encode(bitmap: &ImageBitmap, w: u32, h: u32, quality: f64) -> Result<Vec<u8>, AppError> {
    let canvas = OffscreenCanvas::new(w, h).map_err(|e| photo_err("canvas", e))?;
    let ctx: OffscreenCanvasRenderingContext2d = canvas
        .get_context("2d")
        .map_err(|e| photo_err("canvas", e))?
        .ok_or_else(|| AppError::Photo("no 2d context".into()))?
        .unchecked_into();
    // Transparent PNG areas become white rather than black in the JPEG.
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(0.0, 0.0, f64::from(w), f64::from(h));
    ctx.draw_image_with_image_bitmap_and_dw_and_dh(bitmap, 0.0, 0.0, f64::from(w), f64::from(h))
        .map_err(|e| photo_err("drawing", e))?;
    let opts = ImageEncodeOptions::new();
    opts.set_type("image/jpeg");
    opts.set_quality(quality);
    let blob: Blob = wait(canvas.convert_to_blob_with_options(&opts), "encoding")
        .await?
        .unchecked_into();
    blob_bytes(&blob).await
}

/// Prepares the photo in `file` (any format the browser decodes: JPEG, PNG, WebP, HEIC on
/// phones that support it).
pub async fn prepare(file: &Blob) -> Result<Prepared, AppError> {
    let original = blob_bytes(file).await?;
    let exif = model::exif::read(&original);
    let window = web_sys::window().ok_or_else(|| AppError::Photo("no window".into()))?;
    let opts = ImageBitmapOptions::new();
    opts.set_image_orientation(ImageOrientation::FromImage);
    let bitmap: ImageBitmap = wait(
        window.create_image_bitmap_with_blob_and_image_bitmap_options(file, &opts),
        "decoding",
    )
    .await?
    .unchecked_into();
    let (w, h) = fit(bitmap.width(), bitmap.height(), MAX_SIDE);
    let mut jpeg = Vec::new();
    for q in QUALITIES {
        jpeg = encode(&bitmap, w, h, q).await?;
        if jpeg.len() <= TARGET_BYTES {
            break;
        }
    }
    let (tw, th) = fit(w, h, THUMB_SIDE);
    let thumb = encode(&bitmap, tw, th, 0.6).await?;
    bitmap.close();
    Ok(Prepared {
        sha256: sha256_hex(&jpeg).await?,
        jpeg,
        width: w,
        height: h,
        thumb,
        exif,
    })
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::fit;

    #[wasm_bindgen_test]
    fn fitting_keeps_the_aspect_and_never_enlarges() {
        assert_eq!(fit(4000, 3000, 1600), (1600, 1200));
        assert_eq!(fit(3000, 4000, 1600), (1200, 1600));
        assert_eq!(fit(800, 600, 1600), (800, 600));
        assert_eq!(fit(20000, 10, 1600), (1600, 1));
    }
}
