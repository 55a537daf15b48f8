//! A matrix as a viridis heatmap with a colour bar (attention weights: timesteps × features).

use std::path::Path;

use ndarray::ArrayView2;
use plotters::prelude::*;
use plotters::style::colors::colormaps::ViridisRGB;

use super::canvas::{FONT, render_png};
use crate::error::{AtbError, Result};

/// Width and height of a heatmap in pixels.
pub const HEATMAP_SIZE: (u32, u32) = (1000, 750);

/// Width of the colour bar panel on the right, in pixels.
const COLOR_BAR_WIDTH: u32 = 130;

/// Steps of the colour bar gradient.
const COLOR_BAR_STEPS: usize = 100;

/// Draws `matrix` (rows × columns, row 0 at the top) with columns along x, labelled `x_label`
/// and `y_label`, titled `title`, to the PNG at `path`. Values must be finite.
pub fn heatmap_png(
    path: &Path,
    matrix: ArrayView2<'_, f32>,
    x_label: &str,
    y_label: &str,
    title: &str,
) -> Result<()> {
    let fail = |message: String| AtbError::Plot {
        path: path.to_path_buf(),
        message,
    };
    let (rows, cols) = matrix.dim();
    if rows == 0 || cols == 0 {
        return Err(fail(format!("empty matrix ({rows} × {cols})")));
    }
    if let Some(((r, c), v)) = matrix.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(fail(format!(
            "value at row {r}, column {c} is not finite ({v})"
        )));
    }
    let lo = matrix.iter().copied().fold(f32::INFINITY, f32::min);
    let hi = matrix.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        (lo - 0.5, hi + 0.5)
    };
    // Displayed y position of matrix row r, so that row 0 is at the top.
    let flip = |r: usize| rows - 1 - r;

    render_png(path, HEATMAP_SIZE, |root| {
        let (main, bar) = root.split_horizontally(HEATMAP_SIZE.0 - COLOR_BAR_WIDTH);
        let mut chart = ChartBuilder::on(&main)
            .caption(title, (FONT, 22))
            .margin(15)
            .x_label_area_size(50)
            .y_label_area_size(60)
            .build_cartesian_2d(
                // Integer ranges include their end: 0..cols - 1 holds `cols` segments.
                (0..cols - 1).into_segmented(),
                (0..rows - 1).into_segmented(),
            )?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(cols.min(20))
            .y_labels(rows.min(20))
            .x_label_formatter(&|x| match x {
                SegmentValue::CenterOf(c) => c.to_string(),
                _ => String::new(),
            })
            .y_label_formatter(&|y| match y {
                SegmentValue::CenterOf(r) if *r < rows => flip(*r).to_string(),
                _ => String::new(),
            })
            .x_desc(x_label)
            .y_desc(y_label)
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 16))
            .draw()?;
        chart.draw_series(matrix.indexed_iter().map(|((r, c), &v)| {
            let y = flip(r);
            Rectangle::new(
                [
                    (SegmentValue::Exact(c), SegmentValue::Exact(y)),
                    (SegmentValue::Exact(c + 1), SegmentValue::Exact(y + 1)),
                ],
                ViridisRGB::get_color_normalized(v, lo, hi).filled(),
            )
        }))?;

        let mut scale = ChartBuilder::on(&bar)
            .margin_top(50)
            .margin_bottom(65)
            .margin_right(15)
            .y_label_area_size(70)
            .build_cartesian_2d(0f32..1f32, lo..hi)?;
        scale
            .configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .y_labels(8)
            .label_style((FONT, 13))
            .draw()?;
        let step = (hi - lo) / COLOR_BAR_STEPS as f32;
        scale.draw_series((0..COLOR_BAR_STEPS).map(|i| {
            let y0 = lo + step * i as f32;
            Rectangle::new(
                [(0.0, y0), (1.0, y0 + step)],
                ViridisRGB::get_color_normalized(y0 + 0.5 * step, lo, hi).filled(),
            )
        }))?;
        Ok(())
    })
}
