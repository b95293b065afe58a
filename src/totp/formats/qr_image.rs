//! QR codes in PNG or JPEG images: phone screenshots, exported QR images, the AWS console's QR.
//! The text found is read like any other text input, but it must be an `otpauth` URI.
//!
//! rqrr reads clean renderings at once, but dense codes with anti-aliased module edges (exports
//! scaled by a phone, screenshots) often defeat its own thresholding. So the image as it is comes
//! first (the common case stays one pass), then binarised with Otsu's threshold, then rescaled
//! and binarised, then upscaled as it is; the first QR code that decodes wins. Measured: the
//! real-export corpus of `tests/it/import_corpus.rs` (10 images) decodes in full, 9 at the first
//! pass, the 1080x952 Google export after binarising; of 32 renderings of a version-25 code at
//! 4.1x to 7.6x with Triangle and Catmull-Rom filters, the first pass read 1, the whole sequence 30;
//! of 36 renderings of a version-13 export at 4.1x to 7.6x (Triangle), 1 and 22
//! (`tests/it/import/defects.rs` keeps every fifth of those). Beyond that, rqrr is the limit.

use std::io::Cursor;
use std::time::{Duration, Instant};

use image::{GrayImage, ImageReader, Limits, imageops::FilterType};

use super::{Entry, Error, Format, Input, lines};

pub(super) const FORMAT: Format = Format {
    detect: |input| is_image(input.bytes),
    read,
};

fn read(input: &Input) -> Result<Vec<Entry>, Error> {
    let text = zeroize::Zeroizing::new(decode(input.bytes)?);
    let is_otpauth = text
        .trim_start()
        .get(..8)
        .is_some_and(|s| s.eq_ignore_ascii_case("otpauth:"))
        || text
            .trim_start()
            .get(..18)
            .is_some_and(|s| s.eq_ignore_ascii_case("otpauth-migration:"));
    if !is_otpauth {
        return Err(Error::QrText);
    }
    lines::read_text(&text)
}

pub(super) fn is_image(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x89PNG\r\n\x1a\n") || bytes.starts_with(&[0xff, 0xd8, 0xff])
}

/// Rescalings tried after the image as it is: 3/2, 2/3, 3/4, 1/2.
const SCALES: [(u32, u32); 4] = [(3, 2), (2, 3), (3, 4), (1, 2)];
/// Larger images are not upscaled (a phone screenshot already has modules of many pixels).
const MAX_UPSCALED_SIDE: u32 = 2000;

/// The most pixels an image may have: a 48-megapixel phone photo is 8000x6000; a screenshot
/// is a few. Checked from the header, before anything is decoded (issue 22: a crafted 20000x20000
/// PNG of a few kilobytes decoded for minutes).
pub const MAX_PIXELS: u64 = 50_000_000;
/// The most memory the decoder may allocate (a 50-megapixel RGB image is 150 MB).
const MAX_ALLOC: u64 = 256 * 1024 * 1024;
/// How long the passes may take together; checked before each pass.
pub const TIME_BUDGET: Duration = Duration::from_secs(15);

/// The text of the first QR code found in a PNG or JPEG image.
pub fn decode(bytes: &[u8]) -> Result<String, Error> {
    decode_within(bytes, TIME_BUDGET)
}

fn load(bytes: &[u8]) -> Result<GrayImage, Error> {
    let image_error = |e: image::ImageError| Error::Image(e.to_string());
    let reader = || -> Result<ImageReader<Cursor<&[u8]>>, Error> {
        let mut reader = ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| Error::Image(e.to_string()))?;
        let mut limits = Limits::default();
        limits.max_alloc = Some(MAX_ALLOC);
        reader.limits(limits);
        Ok(reader)
    };
    // The header first: dimensions cost nothing to read, pixels do.
    let (width, height) = reader()?.into_dimensions().map_err(image_error)?;
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(Error::ImageTooLarge {
            width,
            height,
            limit: MAX_PIXELS / 1_000_000,
        });
    }
    Ok(reader()?.decode().map_err(image_error)?.to_luma8())
}

fn decode_within(bytes: &[u8], budget: Duration) -> Result<String, Error> {
    let started = Instant::now();
    let over = || {
        (started.elapsed() > budget).then_some(Error::QrTooSlow {
            seconds: budget.as_secs(),
        })
    };
    let image = load(bytes)?;
    if let Some(text) = try_decode(image.clone()) {
        return Ok(text);
    }
    if let Some(e) = over() {
        return Err(e);
    }
    if let Some(text) = try_decode(binarised(&image)) {
        return Ok(text);
    }
    let (w, h) = image.dimensions();
    let mut upscaled = None;
    for (num, den) in SCALES {
        if num > den && w.max(h) > MAX_UPSCALED_SIDE {
            continue;
        }
        let (sw, sh) = (w * num / den, h * num / den);
        if sw.min(sh) < 21 {
            continue;
        }
        if let Some(e) = over() {
            return Err(e);
        }
        let scaled = image::imageops::resize(&image, sw, sh, FilterType::Triangle);
        if let Some(text) = try_decode(binarised(&scaled)) {
            return Ok(text);
        }
        if num > den {
            upscaled = Some(scaled);
        }
    }
    if let Some(e) = over() {
        return Err(e);
    }
    upscaled.and_then(try_decode).ok_or(Error::NoQrCode)
}

fn try_decode(image: GrayImage) -> Option<String> {
    let mut prepared = rqrr::PreparedImage::prepare(image);
    prepared
        .detect_grids()
        .into_iter()
        .find_map(|grid| grid.decode().ok().map(|(_, text)| text))
}

/// Black and white at Otsu's threshold: the one that best separates the two classes of the
/// histogram (<https://en.wikipedia.org/wiki/Otsu%27s_method>).
fn binarised(image: &GrayImage) -> GrayImage {
    let threshold = otsu_threshold(image);
    let mut out = image.clone();
    for pixel in out.pixels_mut() {
        pixel.0[0] = if pixel.0[0] > threshold { 255 } else { 0 };
    }
    out
}

fn otsu_threshold(image: &GrayImage) -> u8 {
    let mut histogram = [0u64; 256];
    for pixel in image.pixels() {
        histogram[usize::from(pixel.0[0])] += 1;
    }
    let total: u64 = histogram.iter().sum();
    let sum_all: f64 = histogram
        .iter()
        .enumerate()
        .map(|(level, &n)| level as f64 * n as f64)
        .sum();
    let (mut below, mut sum_below) = (0u64, 0f64);
    let (mut best, mut best_variance) = (0u8, -1f64);
    for (level, &n) in histogram.iter().enumerate() {
        below += n;
        sum_below += level as f64 * n as f64;
        let above = total - below;
        if below == 0 || above == 0 {
            continue;
        }
        let mean_below = sum_below / below as f64;
        let mean_above = (sum_all - sum_below) / above as f64;
        let variance = below as f64 * above as f64 * (mean_below - mean_above).powi(2);
        if variance > best_variance {
            best_variance = variance;
            best = u8::try_from(level).unwrap_or(u8::MAX);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::totp::formats::{Claim, entries, pick, read as read_input};

    const B32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn qr_png_round_trips() {
        let uri = format!("otpauth://totp/AWS:alice?secret={B32}&issuer=AWS");
        let png = crate::qr::png(&uri).unwrap();
        assert_eq!(decode(&png).unwrap(), uri);
        let seed = pick(entries(&png).unwrap(), None).unwrap();
        assert_eq!(seed.code_at(59), "287082");
        assert!(matches!(
            entries(b"\x89PNG\r\n\x1a\nbroken"),
            Err(Error::Image(_))
        ));
    }

    #[test]
    fn anti_aliased_dense_codes_decode_after_binarisation() {
        // Regression (issue 16): a Google export QR (1080x952, anti-aliased module edges) was
        // unreadable. A version-25 code scaled by 5.2 with a Triangle filter is the same kind
        // of image: rqrr alone cannot read it.
        let text = format!(
            "otpauth-migration://offline?data={}",
            "CjUKEPqlBekzoNEukL7qlsjBCDYSDnBpQHJhc3BiZXJyeXBpGgtyYXNwYmVycnlwaSABKAEwAhABGAEgACjr4JKK".repeat(10)
        );
        let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
            .unwrap();
        assert_eq!(code.version(), qrcode::Version::Normal(25));
        let modules = code
            .render::<image::Luma<u8>>()
            .module_dimensions(1, 1)
            .quiet_zone(true)
            .build();
        let side = modules.width() * 52 / 10;
        let soft = image::imageops::resize(&modules, side, side, FilterType::Triangle);
        assert_eq!(try_decode(soft.clone()), None, "rqrr alone now reads it");
        let mut png = std::io::Cursor::new(Vec::new());
        soft.write_to(&mut png, image::ImageFormat::Png).unwrap();
        assert_eq!(decode(png.get_ref()).unwrap(), text);
    }

    #[test]
    fn an_image_without_a_qr_code() {
        let blank = GrayImage::from_pixel(300, 200, image::Luma([255]));
        let mut png = std::io::Cursor::new(Vec::new());
        blank.write_to(&mut png, image::ImageFormat::Png).unwrap();
        assert!(matches!(decode(png.get_ref()), Err(Error::NoQrCode)));
    }

    #[test]
    fn otsu_splits_two_levels() {
        let image = GrayImage::from_fn(10, 10, |x, _| image::Luma([if x < 5 { 40 } else { 200 }]));
        let t = otsu_threshold(&image);
        assert!((40..200).contains(&t), "{t}");
        assert!(
            binarised(&image)
                .pixels()
                .all(|p| p.0[0] == 0 || p.0[0] == 255)
        );
    }

    #[test]
    fn what_is_not_a_seed_says_what_it_is() {
        // Regression (issue 16): a text file given to --qr, and a QR of plain text, were
        // reported as bad base32.
        let err = read_input(
            b"This is just a text file masquerading as an image file.\n",
            Claim::QrImage,
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "the input is not a PNG or JPEG image");
        let err = read_input(b"II*\0\x08\0\0\0\xff\xfe", Claim::Anything).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the input is neither text nor a PNG or JPEG image"
        );
        let png = crate::qr::png("This is an example").unwrap();
        let err = entries(&png).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the QR code holds text, not an otpauth URI"
        );
        let png = crate::qr::png(B32).unwrap();
        assert!(matches!(entries(&png), Err(Error::QrText)));
    }

    #[test]
    fn an_image_over_the_pixel_limit_is_refused_from_its_header() {
        // 8000x6300 white: over 50 megapixels; refused before the pixels are decoded.
        let mut png = Vec::new();
        image::GrayImage::from_pixel(8000, 6300, image::Luma([255]))
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let started = Instant::now();
        let e = decode(&png).unwrap_err();
        assert!(
            matches!(
                e,
                Error::ImageTooLarge {
                    width: 8000,
                    height: 6300,
                    limit: 50
                }
            ),
            "{e}"
        );
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn the_time_budget_ends_the_passes() {
        let blank = GrayImage::from_pixel(300, 200, image::Luma([255]));
        let mut png = Vec::new();
        blank
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let e = decode_within(&png, Duration::ZERO).unwrap_err();
        assert!(matches!(e, Error::QrTooSlow { seconds: 0 }), "{e}");
        assert!(matches!(decode(&png), Err(Error::NoQrCode)));
    }
}
