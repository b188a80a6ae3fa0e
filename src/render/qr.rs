//! QR codes of page URLs as inline SVG, made at build time.

use qrcode::{EcLevel, QrCode, render::svg};

/// An SVG QR code for `text`, scalable, dark on light, with a quiet zone, hidden from
/// assistive technology: the element around it carries the label.
pub fn svg(text: &str) -> String {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .or_else(|_| QrCode::with_error_correction_level(text.as_bytes(), EcLevel::L));
    match code {
        Ok(code) => code
            .render::<svg::Color<'_>>()
            .min_dimensions(180, 180)
            .dark_color(svg::Color("#111111"))
            .light_color(svg::Color("#ffffff"))
            .quiet_zone(true)
            .build()
            .replacen("<?xml version=\"1.0\" standalone=\"yes\"?>", "", 1)
            // Its label is the page's to give, in the page's language (`qr.label`).
            .replacen("<svg ", "<svg aria-hidden=\"true\" focusable=\"false\" ", 1),
        // Only URLs longer than a QR code can hold end here; the page still shows the URL.
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn makes_inline_svg() {
        let svg = super::svg("https://example.com/apps/com.example/1.0-1/");
        assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
        assert!(svg.contains("aria-hidden=\"true\"") && !svg.contains("aria-label"));
    }
}
