//! Feature importance as horizontal bars, largest on top.

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::canvas::{FONT, render_png};
use crate::error::{AtbError, Result};

/// Width of an importance plot in pixels.
pub const IMPORTANCE_WIDTH: u32 = 1000;

/// Height in pixels of an importance plot showing `bars` bars.
pub fn importance_height(bars: usize) -> u32 {
    110 + 28 * bars as u32
}

/// `v` with about four significant digits (30.00, 0.1235, 12346).
fn significant(v: f64) -> String {
    let magnitude = if v == 0.0 {
        0
    } else {
        v.abs().log10().floor() as i32
    };
    let decimals = (3 - magnitude).clamp(0, 6) as usize;
    format!("{v:.decimals$}")
}

const BAR_COLOR: RGBColor = RGBColor(31, 119, 180);

/// Draws the `top_n` largest of `importance` (feature name, value) as horizontal bars with
/// their values, titled `title`, to the PNG at `path`. Values must be finite.
pub fn importance_png(
    path: &Path,
    importance: &[(String, f64)],
    title: &str,
    top_n: usize,
) -> Result<()> {
    let fail = |message: String| AtbError::Plot {
        path: path.to_path_buf(),
        message,
    };
    if let Some((name, v)) = importance.iter().find(|(_, v)| !v.is_finite()) {
        return Err(fail(format!("importance of {name:?} is not finite ({v})")));
    }
    let mut top: Vec<&(String, f64)> = importance.iter().collect();
    top.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    top.truncate(top_n);
    if top.is_empty() {
        return Err(fail("no features to plot".into()));
    }
    // Bottom to top: the largest bar is drawn last, at the top.
    top.reverse();
    let n = top.len();
    let lo = top.iter().map(|t| t.1).fold(0.0, f64::min);
    let hi = top.iter().map(|t| t.1).fold(0.0, f64::max);
    let span = if hi > lo { hi - lo } else { 1.0 };
    let longest_name = top.iter().map(|t| t.0.chars().count()).max().unwrap_or(0);
    let label_width = (8 * longest_name as u32 + 20).clamp(60, 420);

    render_png(path, (IMPORTANCE_WIDTH, importance_height(n)), |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FONT, 22))
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(label_width)
            .build_cartesian_2d(
                (lo - 0.02 * span)..(hi + 0.15 * span),
                // Integer ranges include their end: 0..n - 1 holds `n` segments.
                (0..n - 1).into_segmented(),
            )?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(WHITE.mix(0.0))
            .y_labels(n)
            .y_label_formatter(&|y| match y {
                SegmentValue::CenterOf(i) => top.get(*i).map_or(String::new(), |t| t.0.clone()),
                _ => String::new(),
            })
            .x_desc("Importance")
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 16))
            .draw()?;
        chart.draw_series(top.iter().enumerate().map(|(i, (_, v))| {
            let mut bar = Rectangle::new(
                [
                    (0.0, SegmentValue::Exact(i)),
                    (*v, SegmentValue::Exact(i + 1)),
                ],
                BAR_COLOR.filled(),
            );
            bar.set_margin(4, 4, 0, 0);
            bar
        }))?;
        chart.draw_series(top.iter().enumerate().map(|(i, (_, v))| {
            Text::new(
                format!(" {}", significant(*v)),
                (v.max(0.0), SegmentValue::CenterOf(i)),
                TextStyle::from((FONT, 13).into_font()).pos(Pos::new(HPos::Left, VPos::Center)),
            )
        }))?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::significant;

    #[test]
    fn values_keep_four_significant_digits() {
        assert_eq!(significant(30.0), "30.00");
        assert_eq!(significant(0.123_456), "0.1235");
        assert_eq!(significant(12_345.6), "12346");
        assert_eq!(significant(0.0), "0.000");
        assert_eq!(significant(-2.5), "-2.500");
    }
}
