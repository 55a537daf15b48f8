//! PNG plots: they decode to the documented size, and the data shows where it should.

use std::fs::File;
use std::path::Path;

use atb_gpu::AtbError;
use atb_gpu::plots::{
    HEATMAP_SIZE, HISTORY_SIZE, IMPORTANCE_WIDTH, TrainingCurves, heatmap_png, history_png,
    importance_height, importance_png,
};
use ndarray::Array2;
use plotters::style::colors::colormaps::ViridisRGB;

/// A decoded RGB(A) image.
struct Image {
    width: u32,
    height: u32,
    channels: usize,
    pixels: Vec<u8>,
}

impl Image {
    fn load(path: &Path) -> Image {
        let decoder = png::Decoder::new(File::open(path).unwrap());
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut pixels).unwrap();
        pixels.truncate(info.buffer_size());
        Image {
            width: info.width,
            height: info.height,
            channels: info.color_type.samples(),
            pixels,
        }
    }

    fn rgb(&self, x: u32, y: u32) -> [u8; 3] {
        let i = (y as usize * self.width as usize + x as usize) * self.channels;
        [self.pixels[i], self.pixels[i + 1], self.pixels[i + 2]]
    }

    /// (x, y) of every pixel of exactly `color`.
    fn find(&self, color: [u8; 3]) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        for y in 0..self.height {
            for x in 0..self.width {
                if self.rgb(x, y) == color {
                    out.push((x, y));
                }
            }
        }
        out
    }

    fn distinct_colors(&self) -> usize {
        let mut seen = std::collections::HashSet::new();
        for y in 0..self.height {
            for x in 0..self.width {
                seen.insert(self.rgb(x, y));
            }
        }
        seen.len()
    }
}

const TRAIN: [u8; 3] = [31, 119, 180];
const VAL: [u8; 3] = [255, 127, 14];

#[test]
fn history_draws_train_and_validation_in_both_panels() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.png");
    let loss: Vec<f64> = (0..30).map(|e| 1.0 / (1.0 + e as f64)).collect();
    let val_loss: Vec<f64> = (0..30).map(|e| 1.2 / (1.0 + 0.8 * e as f64)).collect();
    let rmse: Vec<f64> = loss.iter().map(|l| l.sqrt() * 100.0).collect();
    let mut val_rmse: Vec<f64> = val_loss.iter().map(|l| l.sqrt() * 100.0).collect();
    val_rmse[5] = f64::NAN;
    let curves = TrainingCurves {
        loss: &loss,
        val_loss: &val_loss,
        rmse: &rmse,
        val_rmse: &val_rmse,
    };
    history_png(&path, &curves).unwrap();

    let img = Image::load(&path);
    assert_eq!((img.width, img.height), HISTORY_SIZE);
    assert!(img.distinct_colors() > 20);
    let half = img.width / 2;
    for color in [TRAIN, VAL] {
        let pixels = img.find(color);
        assert!(
            pixels.iter().any(|p| p.0 < half),
            "{color:?} missing on the left"
        );
        assert!(
            pixels.iter().any(|p| p.0 >= half),
            "{color:?} missing on the right"
        );
    }
}

#[test]
fn history_without_validation_and_without_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.png");
    let loss = [0.5, 0.4, 0.3];
    let curves = TrainingCurves {
        loss: &loss,
        val_loss: &[],
        rmse: &loss,
        val_rmse: &[],
    };
    history_png(&path, &curves).unwrap();
    let img = Image::load(&path);
    assert!(!img.find(TRAIN).is_empty());
    assert!(img.find(VAL).is_empty());

    let one_epoch = TrainingCurves {
        loss: &[0.7],
        val_loss: &[0.8],
        rmse: &[120.0],
        val_rmse: &[130.0],
    };
    history_png(&path, &one_epoch).unwrap();
    let img = Image::load(&path);
    // The single epoch sits at the left edge of each panel, far from the legend (upper right).
    for color in [TRAIN, VAL] {
        assert!(
            img.find(color).iter().any(|p| p.0 < HISTORY_SIZE.0 / 4),
            "{color:?}"
        );
    }

    let empty = TrainingCurves {
        loss: &[],
        val_loss: &[],
        rmse: &[],
        val_rmse: &[],
    };
    assert!(matches!(
        history_png(&path, &empty),
        Err(AtbError::Plot { .. })
    ));
}

#[test]
fn importance_puts_the_largest_bar_on_top_and_keeps_top_n() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("importance.png");
    let features: Vec<(String, f64)> = (0..30)
        .map(|i| (format!("feature_{i:02}"), ((i * 7) % 30) as f64 + 1.0))
        .collect();
    importance_png(&path, &features, "Feature importance (gain)", 12).unwrap();

    let img = Image::load(&path);
    assert_eq!(
        (img.width, img.height),
        (IMPORTANCE_WIDTH, importance_height(12))
    );
    let bars = img.find(TRAIN);
    assert!(!bars.is_empty());
    // Width of the bar pixels on a row.
    let row_width = |y: u32| bars.iter().filter(|p| p.1 == y).count();
    let top = bars.iter().map(|p| p.1).min().unwrap();
    let bottom = bars.iter().map(|p| p.1).max().unwrap();
    assert!(row_width(top) > row_width(bottom));
    // Twelve separate bars: count vertical runs of bar rows.
    let mut rows: Vec<u32> = bars.iter().map(|p| p.1).collect();
    rows.dedup();
    let runs = 1 + rows.windows(2).filter(|w| w[1] > w[0] + 1).count();
    assert_eq!(runs, 12);
}

#[test]
fn heatmap_puts_row_zero_on_top_in_viridis() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("attention.png");
    // 7 timesteps x 33 features, rising from row 0 down.
    let m = Array2::from_shape_fn((7, 33), |(r, c)| (r * 33 + c) as f32 / 230.0);
    heatmap_png(&path, m.view(), "Feature", "Timestep", "Attention weights").unwrap();

    let img = Image::load(&path);
    assert_eq!((img.width, img.height), HEATMAP_SIZE);
    let low = ViridisRGB::get_color_normalized(0.0f32, 0.0, 1.0);
    let high = ViridisRGB::get_color_normalized(1.0f32, 0.0, 1.0);
    let low_px = img.find([low.0, low.1, low.2]);
    let high_px = img.find([high.0, high.1, high.2]);
    assert!(!low_px.is_empty() && !high_px.is_empty());
    // In the matrix area (left of the colour bar), the minimum (row 0) is above the maximum.
    let bar_x = HEATMAP_SIZE.0 - 130;
    let min_y = |px: &[(u32, u32)]| px.iter().filter(|p| p.0 < bar_x).map(|p| p.1).min();
    assert!(min_y(&low_px).unwrap() < min_y(&high_px).unwrap());
}

#[test]
fn bad_plot_requests_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("x.png");
    let err = importance_png(&png, &[], "t", 10).unwrap_err();
    assert!(
        matches!(&err, AtbError::Plot { path, .. } if path == &png),
        "{err}"
    );
    let nan = [("a".to_string(), f64::NAN)];
    assert!(importance_png(&png, &nan, "t", 10).is_err());

    let mut m = Array2::<f32>::zeros((2, 2));
    m[[1, 0]] = f32::INFINITY;
    let err = heatmap_png(&png, m.view(), "x", "y", "t").unwrap_err();
    assert!(err.to_string().contains("row 1, column 0"), "{err}");
    assert!(heatmap_png(&png, Array2::<f32>::zeros((0, 3)).view(), "x", "y", "t").is_err());

    let single = [("only".to_string(), 0.0)];
    importance_png(&png, &single, "one feature, zero importance", 5).unwrap();
    heatmap_png(&png, Array2::<f32>::ones((1, 1)).view(), "x", "y", "1 x 1").unwrap();
    assert_eq!(Image::load(&png).width, HEATMAP_SIZE.0);

    let constant = Array2::<f32>::ones((3, 3));
    heatmap_png(&png, constant.view(), "x", "y", "constant").unwrap();

    let txt = dir.path().join("x.txt");
    assert!(heatmap_png(&txt, constant.view(), "x", "y", "t").is_err());
    let missing_dir = dir.path().join("no/such/dir/x.png");
    let err = heatmap_png(&missing_dir, constant.view(), "x", "y", "t").unwrap_err();
    assert!(err.to_string().contains("no/such/dir"), "{err}");
}
