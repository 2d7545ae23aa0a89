//! Preparing a photo in a real browser: a 4000×3000 JPEG with EXIF becomes a 1600 px JPEG
//! without EXIF, named by the SHA-256 of exactly the bytes that are stored.

use app::photo::{self, MAX_SIDE, TARGET_BYTES};
use sha2::{Digest, Sha256};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Blob, ImageEncodeOptions, OffscreenCanvas, OffscreenCanvasRenderingContext2d};

wasm_bindgen_test_configure!(run_in_browser);

/// A `w`×`h` JPEG with texture, drawn and encoded by the browser, with an EXIF block (capture
/// time and GPS) spliced in after its start marker, as a camera would write it.
async fn camera_jpeg(w: u32, h: u32) -> Vec<u8> {
    let canvas = OffscreenCanvas::new(w, h).unwrap();
    let ctx: OffscreenCanvasRenderingContext2d =
        canvas.get_context("2d").unwrap().unwrap().unchecked_into();
    let mut seed: u32 = 12345;
    let mut next = || {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
        seed >> 8
    };
    for _ in 0..3000 {
        let color = format!("#{:06x}", next() & 0xff_ffff);
        ctx.set_fill_style_str(&color);
        let (x, y) = (next() % w, next() % h);
        ctx.fill_rect(
            x.into(),
            y.into(),
            (next() % 300).into(),
            (next() % 300).into(),
        );
    }
    let opts = ImageEncodeOptions::new();
    opts.set_type("image/jpeg");
    opts.set_quality(0.92);
    let blob: Blob =
        wasm_bindgen_futures::JsFuture::from(canvas.convert_to_blob_with_options(&opts).unwrap())
            .await
            .unwrap()
            .unchecked_into();
    let plain = photo::blob_bytes(&blob).await.unwrap();
    let exif = model::exif::sample_exif_jpeg("2026:11:20 08:30:00", 28.8412, 108.7721);
    let app1 = &exif[2..exif.len() - 2];
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(app1);
    out.extend_from_slice(&plain[2..]);
    out
}

#[wasm_bindgen_test]
async fn a_12_megapixel_jpeg_becomes_a_small_one_named_by_its_hash() {
    let original = camera_jpeg(4000, 3000).await;
    assert_eq!(
        model::exif::read(&original).taken_at.as_deref(),
        Some("2026:11:20 08:30:00")
    );
    let file = photo::bytes_blob(&original, "image/jpeg").unwrap();

    let p = photo::prepare(&file).await.unwrap();
    assert_eq!((p.width, p.height), (MAX_SIDE, 1200));
    assert!(p.jpeg.len() <= TARGET_BYTES, "{} bytes", p.jpeg.len());
    assert!(p.jpeg.starts_with(&[0xff, 0xd8]) && p.jpeg.ends_with(&[0xff, 0xd9]));
    assert_eq!(p.sha256, hex(&Sha256::digest(&p.jpeg)));
    assert!(p.thumb.len() < p.jpeg.len());

    // What the original said is kept aside; the stored bytes carry none of it.
    assert_eq!(p.exif.taken_at.as_deref(), Some("2026:11:20 08:30:00"));
    assert!((p.exif.lat.unwrap() - 28.8412).abs() < 1e-5);
    assert_eq!(
        model::exif::read(&p.jpeg),
        model::exif::PhotoExif::default()
    );
    assert!(!p.jpeg.windows(6).any(|w| w == b"Exif\0\0"));

    // The same photo prepared again has the same name.
    let again = photo::prepare(&file).await.unwrap();
    assert_eq!(again.sha256, p.sha256);
}

#[wasm_bindgen_test]
async fn a_portrait_photo_stays_portrait_and_a_small_one_is_not_enlarged() {
    let tall = photo::bytes_blob(&camera_jpeg(900, 1800).await, "image/jpeg").unwrap();
    let p = photo::prepare(&tall).await.unwrap();
    assert_eq!((p.width, p.height), (800, MAX_SIDE));
    let small = photo::bytes_blob(&camera_jpeg(640, 480).await, "image/jpeg").unwrap();
    let p = photo::prepare(&small).await.unwrap();
    assert_eq!((p.width, p.height), (640, 480));
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
