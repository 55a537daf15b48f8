//! A white PNG canvas with the bundled font, and the mapping of drawing errors to `AtbError`.

use std::path::Path;
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::error::{AtbError, Result};

/// DejaVu Sans (license in `assets/fonts/LICENSE-DejaVu.txt`).
static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// What a drawing closure returns: any plotters error, boxed.
pub(crate) type DrawResult = std::result::Result<(), Box<dyn std::error::Error>>;

/// Font family name every plot uses.
pub(crate) const FONT: &str = "sans-serif";

/// Registers the bundled font as [`FONT`] once per process.
fn register_font() -> std::result::Result<(), String> {
    static REGISTERED: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            for style in [FontStyle::Normal, FontStyle::Bold] {
                plotters::style::register_font(FONT, style, DEJAVU_SANS)
                    .map_err(|_| "the bundled DejaVu Sans font is unreadable".to_string())?;
            }
            Ok(())
        })
        .clone()
}

/// Draws on a white `size` canvas with `draw` and writes it to `path` as PNG.
pub(crate) fn render_png(
    path: &Path,
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> DrawResult,
) -> Result<()> {
    let fail = |message: String| AtbError::Plot {
        path: path.to_path_buf(),
        message,
    };
    register_font().map_err(fail)?;
    if path
        .extension()
        .is_none_or(|e| !e.eq_ignore_ascii_case("png"))
    {
        return Err(fail("the file name must end in .png".into()));
    }
    let root = BitMapBackend::new(path, size).into_drawing_area();
    let drawn: DrawResult = (|| {
        root.fill(&WHITE)?;
        draw(&root)?;
        root.present()?;
        Ok(())
    })();
    drawn.map_err(|e| fail(e.to_string()))
}
