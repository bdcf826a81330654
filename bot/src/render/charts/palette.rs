//! Colours: Okabe & Ito's colour-blind-safe palette (blue for the period, a light orange for
//! the previous one), dark grey text on white.

use plotters::style::RGBColor;

pub const BACKGROUND: RGBColor = RGBColor(255, 255, 255);
pub const TEXT: RGBColor = RGBColor(33, 33, 33);
pub const GRID: RGBColor = RGBColor(222, 222, 222);
/// Okabe–Ito blue (#0072B2).
pub const CURRENT: RGBColor = RGBColor(0, 114, 178);
/// Okabe–Ito orange (#E69F00).
pub const PREVIOUS: RGBColor = RGBColor(230, 159, 0);
