//! The period against the previous one: a pair of bars per day, week or month.

use plotters::prelude::*;

use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{axis_label, draw_error, font::FAMILY, palette, render, ChartError, Png, Unit};

/// A figure by bucket (day, week or month) in the period and in the previous period of the
/// same length, bucket `i` of one against bucket `i` of the other.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub title: String,
    pub unit: Unit,
    /// One label per bucket of the period ("17 nov", "nov").
    pub labels: Vec<String>,
    pub current: Vec<f64>,
    pub previous: Vec<f64>,
    /// Legend: "Este periodo" / "This period".
    pub current_name: String,
    /// Legend: "Periodo anterior" / "Previous period".
    pub previous_name: String,
}

/// Pixels of the plotting area's width, for fitting the bucket labels.
const PLOT_WIDTH: f64 = 950.0;

impl Comparison {
    pub fn render(&self) -> Result<Png, ChartError> {
        let n = self.labels.len();
        if n == 0 || self.current.len() != n || self.previous.len() != n {
            return Err(ChartError::Empty);
        }
        let top = self
            .current
            .iter()
            .chain(&self.previous)
            .copied()
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max)
            .max(1.0)
            * 1.3; // headroom for the legend in the upper left
        render(|area| {
            let title = (FAMILY, 46)
                .into_font()
                .style(FontStyle::Bold)
                .color(&palette::TEXT);
            let mut chart = ChartBuilder::on(&area)
                .margin(28)
                .caption(&self.title, title)
                .x_label_area_size(64)
                .y_label_area_size(130)
                .build_cartesian_2d(-0.5f64..n as f64 - 0.5, 0f64..top)
                .map_err(draw_error)?;
            let axis = (FAMILY, 30).into_font().color(&palette::TEXT);
            // Long labels (a report's figures rather than days) in smaller type.
            let longest = self
                .labels
                .iter()
                .map(|l| l.chars().count())
                .max()
                .unwrap_or(0);
            let x_size = if longest * n > 60 { 22 } else { 30 };
            // As many bucket labels as fit side by side (all of a few figures).
            let fit = (PLOT_WIDTH / (longest as f64 * 0.6 * f64::from(x_size) + 16.0)) as usize;
            let every = if n <= 4 { 1 } else { n.div_ceil(fit.max(1)) };
            chart
                .configure_mesh()
                .disable_x_mesh()
                .bold_line_style(palette::GRID)
                .light_line_style(palette::BACKGROUND)
                .axis_style(palette::TEXT)
                .x_labels(0)
                .y_labels(6)
                .y_label_formatter(&|v| axis_label(*v, self.unit))
                .label_style(axis.clone())
                .draw()
                .map_err(draw_error)?;
            // Bucket labels under their bars, drawn here: plotters would pick "nice" steps.
            let below = (FAMILY, x_size)
                .into_font()
                .color(&palette::TEXT)
                .pos(Pos::new(HPos::Center, VPos::Top));
            for (i, text) in self.labels.iter().enumerate().step_by(every) {
                let (x, y) = chart.backend_coord(&(i as f64, 0.0));
                area.draw(&Text::new(text.as_str(), (x, y + 12), below.clone()))
                    .map_err(draw_error)?;
            }
            let width = 0.38;
            let bars = |values: &[f64], left: f64, color: RGBColor| {
                values
                    .iter()
                    .enumerate()
                    .map(move |(i, v)| {
                        let x = i as f64 + left;
                        let v = if v.is_finite() { v.max(0.0) } else { 0.0 };
                        Rectangle::new([(x, 0.0), (x + width, v)], color.filled())
                    })
                    .collect::<Vec<_>>()
            };
            chart
                .draw_series(bars(&self.previous, -width, palette::PREVIOUS))
                .map_err(draw_error)?
                .label(self.previous_name.as_str())
                .legend(|(x, y)| swatch(x, y, palette::PREVIOUS));
            chart
                .draw_series(bars(&self.current, 0.0, palette::CURRENT))
                .map_err(draw_error)?
                .label(self.current_name.as_str())
                .legend(|(x, y)| swatch(x, y, palette::CURRENT));
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .label_font(axis)
                .background_style(palette::BACKGROUND.mix(0.9))
                .border_style(palette::GRID)
                .margin(12)
                .draw()
                .map_err(draw_error)?;
            Ok(())
        })
    }
}

/// The legend's colour square.
pub(super) fn swatch(x: i32, y: i32, color: RGBColor) -> Rectangle<(i32, i32)> {
    Rectangle::new([(x, y - 12), (x + 24, y + 12)], color.filled())
}
