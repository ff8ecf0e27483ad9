//! Draws a histogram heatmap: one column per time step, one row per bucket,
//! brightness by rate (square-root scale, so small buckets stay visible).

use foresight_core::chart::heatmap::Heatmap;
use foresight_core::chart::time_axis::time_ticks;
use foresight_core::foundation::units::{format_value, Unit};
use web_sys::HtmlCanvasElement;

const BACKGROUND: &str = "rgb(22, 31, 46)";
const LABEL: &str = "rgb(138, 153, 176)";

fn cell_color(intensity: f64) -> String {
    // From the panel background to a bright amber.
    let t = intensity.clamp(0.0, 1.0).sqrt();
    let mix = |from: f64, to: f64| (from + (to - from) * t).round() as u8;
    format!(
        "rgb({}, {}, {})",
        mix(30.0, 255.0),
        mix(50.0, 196.0),
        mix(80.0, 87.0)
    )
}

pub fn draw_heatmap(
    canvas: &HtmlCanvasElement,
    heatmap: &Heatmap,
    start: f64,
    end: f64,
    step: f64,
    unit: Unit,
) -> Result<(), String> {
    let (context, _, (css_width, css_height)) =
        crate::charts::time_series::prepared_canvas(canvas, BACKGROUND)?;
    let (left, right, top, bottom) = (64.0, 12.0, 8.0, 22.0);
    let (plot_width, plot_height) = (css_width - left - right, css_height - top - bottom);
    let rows = heatmap.upper_bounds.len().max(1) as f64;
    let row_height = plot_height / rows;
    let x_of = |t: f64| left + (t - start) / (end - start) * plot_width;
    let column_width = (plot_width * step / (end - start)).max(1.0);
    let max = heatmap.max_cell();
    for (t, row) in heatmap.timestamps.iter().zip(&heatmap.cells) {
        let x = x_of(*t) - column_width;
        for (bucket, value) in row.iter().enumerate() {
            if !value.is_finite() || *value <= 0.0 || max <= 0.0 {
                continue;
            }
            context.set_fill_style_str(&cell_color(value / max));
            let y = top + plot_height - (bucket as f64 + 1.0) * row_height;
            context.fill_rect(x, y, column_width + 0.5, row_height - 1.0);
        }
    }
    context.set_fill_style_str(LABEL);
    context.set_font("11px sans-serif");
    context.set_text_align("right");
    context.set_text_baseline("middle");
    for (bucket, bound) in heatmap.upper_bounds.iter().enumerate() {
        let y = top + plot_height - (bucket as f64 + 0.5) * row_height;
        let label = if bound.is_infinite() {
            "+Inf".to_string()
        } else {
            format!("≤{}", format_value(*bound, unit, None))
        };
        let _ = context.fill_text(&label, left - 6.0, y);
    }
    context.set_text_align("center");
    context.set_text_baseline("top");
    for tick in time_ticks(
        start,
        end,
        ((plot_width / 80.0) as usize).max(2),
        &crate::browser::clock::BrowserZone,
    ) {
        let _ = context.fill_text(&tick.label, x_of(tick.timestamp), top + plot_height + 5.0);
    }
    Ok(())
}
