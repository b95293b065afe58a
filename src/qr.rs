//! QR codes of otpauth URIs for a phone backup: compact terminal rendering and PNG bytes.

use qrcode::{EcLevel, QrCode, render::unicode::Dense1x2};

#[derive(Debug, thiserror::Error)]
#[error("cannot make a QR code: {0}")]
pub struct Error(String);

fn code(text: &str) -> Result<QrCode, Error> {
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| Error(e.to_string()))
}

/// Two modules per character cell, dark on light, with the quiet zone phones need.
pub fn terminal(text: &str) -> Result<String, Error> {
    Ok(code(text)?
        .render::<Dense1x2>()
        .dark_color(Dense1x2::Dark)
        .light_color(Dense1x2::Light)
        .quiet_zone(true)
        .build())
}

/// A PNG image of the QR code.
pub fn png(text: &str) -> Result<Vec<u8>, Error> {
    let image = code(text)?
        .render::<image::Luma<u8>>()
        .min_dimensions(256, 256)
        .quiet_zone(true)
        .build();
    let mut out = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| Error(e.to_string()))?;
    Ok(out.into_inner())
}
