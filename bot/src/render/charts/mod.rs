//! Report charts as PNG images sized for a phone: the period against the previous one
//! (grouped bars by day, week or month), top items (horizontal bars), and a campaign's
//! results (came back, messaged against holdout; or the sends' funnel).
//!
//! Drawn in-process with `plotters` on a bitmap (no browser, no network, no system fonts:
//! DejaVu Sans is bundled), in large type and two colours of the Okabe–Ito palette, which
//! stay distinguishable under the common colour-vision deficiencies. Axis labels are
//! formatted like every other figure (`render::fmt`). The PNG is compressed with `png`.

mod campaign;
mod comparison;
mod font;
mod palette;
mod ranking;
mod report;

pub use campaign::for_campaign;
pub use comparison::Comparison;
pub use ranking::Ranking;
pub use report::{daily_revenue, for_report, Chart};

/// Width and height of every chart: 4:3, legible on a 6-inch screen when the platform scales
/// it to the chat's width.
pub const SIZE: (u32, u32) = (1200, 900);

/// What the values measure, for the axis and bar labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Pesos: `$12,450`.
    Money,
    /// A count: `1,250`.
    Count,
    /// A percentage, 0–100: `45%`.
    Percent,
}

/// A rendered chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Png {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("the chart has nothing to draw")]
    Empty,
    #[error("drawing the chart failed: {0}")]
    Draw(String),
    #[error("encoding the chart as PNG failed: {0}")]
    Encode(#[from] png::EncodingError),
}

impl Chart {
    /// The chart as a PNG file named in the reader's language (`grafica.png`, `chart.png`)
    /// to send with a reply, as a photo where the channel shows photos; None, logged, when
    /// it cannot be drawn: the text still goes.
    pub fn attachment(&self, lang: crate::domain::Lang) -> Option<super::Attachment> {
        match self.render() {
            Ok(png) => Some(super::Attachment {
                file_name: lang.pick("grafica.png", "chart.png").to_owned(),
                mime_type: "image/png".to_owned(),
                bytes: png.bytes,
                caption: String::new(),
                data_request: None,
            }),
            Err(e) => {
                tracing::warn!(error.message = %e, "a chart could not be drawn");
                None
            }
        }
    }
}

/// Draws on an RGB buffer of [`SIZE`] and encodes it as PNG.
fn render(
    draw: impl FnOnce(
        plotters::drawing::DrawingArea<plotters::backend::BitMapBackend<'_>, plotters::coord::Shift>,
    ) -> Result<(), ChartError>,
) -> Result<Png, ChartError> {
    font::register();
    let (width, height) = SIZE;
    let mut rgb = vec![0u8; width as usize * height as usize * 3];
    {
        let backend = plotters::backend::BitMapBackend::with_buffer(&mut rgb, SIZE);
        let area = plotters::drawing::IntoDrawingArea::into_drawing_area(backend);
        area.fill(&palette::BACKGROUND).map_err(draw_error)?;
        draw(area.clone())?;
        area.present().map_err(draw_error)?;
    }
    let mut bytes = Vec::with_capacity(64 * 1024);
    {
        let mut encoder = png::Encoder::new(&mut bytes, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Fast);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&rgb)?;
    }
    Ok(Png {
        bytes,
        width,
        height,
    })
}

fn draw_error(e: impl std::fmt::Display) -> ChartError {
    ChartError::Draw(e.to_string())
}

/// An axis or bar label for `value`: whole pesos or a count, thousands commas.
fn label(value: f64, unit: Unit) -> String {
    let n = crate::render::fmt::number(value.round() as i64);
    match unit {
        Unit::Money => format!("${n}"),
        Unit::Count => n,
        Unit::Percent => format!("{n}%"),
    }
}

/// A compact axis label: `$150k`, `$1.5M`, `12k`, `45%`.
fn axis_label(value: f64, unit: Unit) -> String {
    let a = value.abs();
    let compact = if a >= 1e6 {
        format!("{}M", trim(value / 1e6))
    } else if a >= 1e4 {
        format!("{}k", trim(value / 1e3))
    } else {
        return label(value, unit);
    };
    match unit {
        Unit::Money => format!("${compact}"),
        Unit::Count => compact,
        Unit::Percent => format!("{compact}%"),
    }
}

/// At most one decimal, none when whole: `1.5`, `150`.
fn trim(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

#[cfg(test)]
mod tests;
