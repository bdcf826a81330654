//! The period against the previous one: a pair of bars per day, week or month.

use plotters::prelude::*;

use super::{draw_error, font::FAMILY, label, palette, render, ChartError, Png, Unit};

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

/// Labels on the x axis at most: more buckets than this get every k-th label.
const MAX_X_LABELS: usize = 8;

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
        let every = n.div_ceil(MAX_X_LABELS);
        render(|area| {
            let title = (FAMILY, 46)
                .into_font()
                .style(FontStyle::Bold)
                .color(&palette::TEXT);
            let mut chart = ChartBuilder::on(&area)
                .margin(28)
                .caption(&self.title, title)
                .x_label_area_size(64)
                .y_label_area_size(170)
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
            let x_label = |x: &f64| {
                let i = x.round();
                let ok = (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n;
                if ok && (i as usize).is_multiple_of(every) {
                    self.labels[i as usize].clone()
                } else {
                    String::new()
                }
            };
            chart
                .configure_mesh()
                .disable_x_mesh()
                .bold_line_style(palette::GRID)
                .light_line_style(palette::BACKGROUND)
                .axis_style(palette::TEXT)
                .x_labels(n + 1)
                .x_label_formatter(&x_label)
                .y_labels(6)
                .y_label_formatter(&|v| label(*v, self.unit))
                .label_style(axis.clone())
                .x_label_style((FAMILY, x_size).into_font().color(&palette::TEXT))
                .draw()
                .map_err(draw_error)?;
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
