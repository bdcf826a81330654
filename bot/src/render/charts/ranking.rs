//! Top items: one horizontal bar each, the largest on top, its value at the bar's end.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{draw_error, font::FAMILY, label, palette, render, ChartError, Png, Unit};

/// The items of a top list with their values, largest first (at most 10 are drawn).
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    pub title: String,
    pub unit: Unit,
    pub rows: Vec<(String, f64)>,
}

/// Bars drawn at most; a phone shows ten legibly.
const MAX_ROWS: usize = 10;
/// Characters of an item's name shown before it is cut with "…".
const MAX_NAME: usize = 22;

impl Ranking {
    pub fn render(&self) -> Result<Png, ChartError> {
        let rows: Vec<(String, f64)> = self
            .rows
            .iter()
            .take(MAX_ROWS)
            .map(|(name, v)| {
                let v = if v.is_finite() { v.max(0.0) } else { 0.0 };
                (crate::render::fmt::one_line(name, MAX_NAME), v)
            })
            .collect();
        let n = rows.len();
        if n == 0 {
            return Err(ChartError::Empty);
        }
        // Room right of the longest bar for its value.
        let right = rows.iter().map(|r| r.1).fold(0.0, f64::max).max(1.0) * 1.3;
        render(|area| {
            let title = (FAMILY, 46)
                .into_font()
                .style(FontStyle::Bold)
                .color(&palette::TEXT);
            let mut chart = ChartBuilder::on(&area)
                .margin(28)
                .caption(&self.title, title)
                .x_label_area_size(20)
                .y_label_area_size(380)
                .build_cartesian_2d(0f64..right, -0.5f64..n as f64 - 0.5)
                .map_err(draw_error)?;
            let text = (FAMILY, 30).into_font().color(&palette::TEXT);
            // Row k (0 = largest) sits at y = n - 1 - k, so the largest is on top.
            let name = |y: &f64| {
                let i = y.round();
                let ok = (y - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n;
                if ok {
                    rows[n - 1 - i as usize].0.clone()
                } else {
                    String::new()
                }
            };
            chart
                .configure_mesh()
                .disable_mesh()
                .x_labels(0)
                .y_labels(n + 1)
                .y_label_formatter(&name)
                .axis_style(palette::TEXT)
                .label_style(text.clone())
                .draw()
                .map_err(draw_error)?;
            let y = |k: usize| (n - 1 - k) as f64;
            chart
                .draw_series(rows.iter().enumerate().map(|(k, (_, v))| {
                    Rectangle::new(
                        [(0.0, y(k) - 0.35), (*v, y(k) + 0.35)],
                        palette::CURRENT.filled(),
                    )
                }))
                .map_err(draw_error)?;
            chart
                .draw_series(rows.iter().enumerate().map(|(k, (_, v))| {
                    Text::new(
                        label(*v, self.unit),
                        (*v + right * 0.01, y(k)),
                        text.clone().pos(Pos::new(HPos::Left, VPos::Center)),
                    )
                }))
                .map_err(draw_error)?;
            Ok(())
        })
    }
}
