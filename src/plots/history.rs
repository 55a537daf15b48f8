//! `history.png`: loss and RMSE per epoch, train beside validation, in two panels.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::canvas::{DrawResult, FONT, render_png};
use super::value_range::padded_range;
use crate::error::{AtbError, Result};

/// Width and height of `history.png` in pixels.
pub const HISTORY_SIZE: (u32, u32) = (1200, 450);

/// Per-epoch training curves. Validation curves may be empty (no validation split); a
/// non-finite value (a diverged epoch) is skipped.
#[derive(Debug, Clone, Copy)]
pub struct TrainingCurves<'a> {
    /// Training loss.
    pub loss: &'a [f64],
    /// Validation loss.
    pub val_loss: &'a [f64],
    /// Training RMSE.
    pub rmse: &'a [f64],
    /// Validation RMSE.
    pub val_rmse: &'a [f64],
}

const TRAIN_COLOR: RGBColor = RGBColor(31, 119, 180);
const VAL_COLOR: RGBColor = RGBColor(255, 127, 14);

/// Radius of the epoch markers: visible on short runs (a single epoch is otherwise invisible),
/// none on long ones where they would clutter the line.
fn marker_size(epochs: usize) -> u32 {
    if epochs <= 40 { 3 } else { 0 }
}

/// Draws `curves` to the PNG at `path`: "Model loss" on the left, "Model RMSE" on the right,
/// epochs from 1 on the x axis, each with a legend.
pub fn history_png(path: &Path, curves: &TrainingCurves<'_>) -> Result<()> {
    let panels = [
        ("Model loss", "Loss", curves.loss, curves.val_loss),
        ("Model RMSE", "RMSE", curves.rmse, curves.val_rmse),
    ];
    for (title, _, train, _) in &panels {
        if padded_range(train.iter()).is_none() {
            return Err(AtbError::Plot {
                path: path.to_path_buf(),
                message: format!("{title}: the training curve has no finite value"),
            });
        }
    }
    render_png(path, HISTORY_SIZE, |root| {
        let areas = root.split_evenly((1, 2));
        for (area, (title, y_desc, train, val)) in areas.iter().zip(panels) {
            draw_panel(area, title, y_desc, train, val)?;
        }
        Ok(())
    })
}

/// One panel: train and validation curves of one quantity.
fn draw_panel(
    area: &DrawingArea<BitMapBackend<'_>, Shift>,
    title: &str,
    y_desc: &str,
    train: &[f64],
    val: &[f64],
) -> DrawResult {
    let epochs = train.len().max(val.len()).max(2);
    let (lo, hi) = padded_range(train.iter().chain(val)).unwrap_or((0.0, 1.0));
    let mut chart = ChartBuilder::on(area)
        .caption(title, (FONT, 22))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(1f64..epochs as f64, lo..hi)?;
    chart
        .configure_mesh()
        .x_desc("Epoch")
        .y_desc(y_desc)
        .x_labels(epochs.min(10))
        .x_label_formatter(&|x| format!("{x:.0}"))
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 16))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    for (values, label, color) in [
        (train, "Train", TRAIN_COLOR),
        (val, "Validation", VAL_COLOR),
    ] {
        if values.is_empty() {
            continue;
        }
        let points = values
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_finite())
            .map(|(i, &v)| ((i + 1) as f64, v));
        chart
            .draw_series(
                LineSeries::new(points, color.stroke_width(2))
                    .point_size(marker_size(values.len())),
            )?
            .label(label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font((FONT, 14))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .draw()?;
    Ok(())
}
