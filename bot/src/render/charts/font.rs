//! The bundled typeface (DejaVu Sans, Bitstream Vera licence: `bot/assets/fonts/`),
//! registered once with plotters' `ab_glyph` text renderer.

use std::sync::Once;

use plotters::style::FontStyle;

/// The family name charts ask for.
pub const FAMILY: &str = "vetbot-sans";

static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

pub fn register() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        plotters::style::register_font(FAMILY, FontStyle::Normal, REGULAR)
            .and_then(|()| plotters::style::register_font(FAMILY, FontStyle::Bold, BOLD))
            .unwrap_or_else(|_| panic!("the bundled fonts are valid TrueType"));
    });
}
