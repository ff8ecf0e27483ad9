//! Draws time series on a canvas with plotters. The canvas backing store is
//! sized to CSS size × devicePixelRatio so lines stay crisp on HiDPI screens;
//! time ticks come from the core so they sit on round local times.

use foresight_core::analytics::panel_overlays::SeriesOverlay;
use foresight_core::chart::decimation::decimate_min_max;
use foresight_core::chart::geometry::{AXES_INSETS, SPARKLINE_INSETS};
use foresight_core::chart::time_axis::time_ticks;
use foresight_core::foundation::units::{format_value, Unit};
use foresight_core::model::dashboard::LineStyle;
use foresight_core::query::series::{stack_series, visible_value_extent, Series};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

/// Series colours, distinguishable on the dark panel background.
pub const SERIES_COLORS: [(u8, u8, u8); 8] = [
    (94, 200, 242),
    (242, 180, 94),
    (255, 107, 107),
    (88, 214, 141),
    (187, 134, 252),
    (255, 214, 102),
    (102, 153, 255),
    (240, 120, 200),
];
const BACKGROUND: RGBColor = RGBColor(22, 31, 46);
const GRID: RGBColor = RGBColor(38, 51, 74);
const LABEL: RGBColor = RGBColor(138, 153, 176);

pub fn series_color(index: usize) -> RGBColor {
    let (r, g, b) = SERIES_COLORS[index % SERIES_COLORS.len()];
    RGBColor(r, g, b)
}

pub fn series_color_css(index: usize) -> String {
    let (r, g, b) = SERIES_COLORS[index % SERIES_COLORS.len()];
    format!("rgb({r}, {g}, {b})")
}

/// How a chart looks: value unit for the axis, a zero line, or the compact
/// sparkline form (no axes, no labels).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ChartOptions {
    pub unit: Unit,
    pub decimals: Option<u8>,
    pub zero_line: bool,
    pub compact: bool,
    pub style: LineStyle,
    /// Colour for every series instead of the palette (sparklines take the threshold colour).
    pub color: Option<(u8, u8, u8)>,
}

/// What the x axis spans and how samples are spaced.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChartFrame {
    /// Seconds since the Unix epoch.
    pub start: f64,
    pub end: f64,
    pub step: f64,
    /// The x axis reaches this far (past `end` when forecasts are drawn).
    pub forecast_until: f64,
}

impl ChartFrame {
    /// The right edge of the x axis.
    pub fn x_end(&self) -> f64 {
        self.forecast_until.max(self.end)
    }
}

/// Value axis range with a little headroom; flat or empty data still gets a visible band.
fn value_axis(series: &[&Series], frame: &ChartFrame, include_zero: bool) -> (f64, f64) {
    let extent =
        visible_value_extent(series.iter().copied(), frame.start, frame.end).map(|(low, high)| {
            if include_zero {
                (low.min(0.0), high.max(0.0))
            } else {
                (low, high)
            }
        });
    match extent {
        None => (0.0, 1.0),
        Some((low, high)) if (high - low).abs() < f64::EPSILON => {
            let pad = if high == 0.0 { 1.0 } else { high.abs() * 0.1 };
            (low - pad, high + pad)
        }
        Some((low, high)) => {
            let pad = (high - low) * 0.08;
            let floor = if low >= 0.0 {
                (low - pad).max(0.0)
            } else {
                low - pad
            };
            (floor, high + pad)
        }
    }
}

fn plot_error<E: std::fmt::Debug>(error: E) -> String {
    format!("drawing the chart failed: {error:?}")
}

/// Whether the canvas has a size on the page yet. Before layout (or while
/// hidden) there is nothing to draw into; the size hook redraws once it has one.
pub fn is_laid_out(canvas: &HtmlCanvasElement) -> bool {
    canvas.client_width() > 0 && canvas.client_height() > 0
}

/// Draws `series` into `canvas`, resizing its backing store to the displayed size.
pub fn draw_time_series(
    canvas: &HtmlCanvasElement,
    series: &[&Series],
    frame: &ChartFrame,
    options: &ChartOptions,
    overlays: &[SeriesOverlay],
) -> Result<(), String> {
    crate::browser::perf::timed("drawMs", || {
        draw_unmeasured(canvas, series, frame, options, overlays)
    })
}

fn draw_unmeasured(
    canvas: &HtmlCanvasElement,
    series: &[&Series],
    frame: &ChartFrame,
    options: &ChartOptions,
    overlays: &[SeriesOverlay],
) -> Result<(), String> {
    let pixel_ratio = size_backing_store(canvas);
    let px = |css: f64| (css * pixel_ratio).round() as i32;
    let backend =
        CanvasBackend::with_canvas_object(canvas.clone()).ok_or("the canvas has no 2D context")?;
    let root = backend.into_drawing_area();
    root.fill(&BACKGROUND).map_err(plot_error)?;
    let (stacked, stacked_refs): (Vec<Series>, Vec<&Series>);
    let series: &[&Series] = if options.style == LineStyle::Stacked {
        stacked = stack_series(series);
        stacked_refs = stacked.iter().collect();
        &stacked_refs
    } else {
        series
    };
    // Stacked values are sums: bands of single series would not line up with them.
    let with_bands = options.style != LineStyle::Stacked;
    let (y_low, y_high) = value_range(series, frame, options, overlays, with_bands);
    let insets = if options.compact {
        SPARKLINE_INSETS
    } else {
        AXES_INSETS
    };
    let mut chart = ChartBuilder::on(&root)
        .margin_top(px(insets.top))
        .margin_right(px(insets.right))
        .x_label_area_size(px(insets.bottom))
        .y_label_area_size(px(insets.left))
        .build_cartesian_2d(frame.start..frame.x_end(), y_low..y_high)
        .map_err(plot_error)?;
    if !options.compact {
        draw_axes(
            &root,
            &mut chart,
            canvas,
            frame,
            options,
            (y_low, y_high),
            &px,
        )?;
    }
    if options.zero_line {
        let zero = PathElement::new(
            vec![(frame.start, 0.0), (frame.end, 0.0)],
            LABEL.stroke_width(px(1.0) as u32),
        );
        chart
            .draw_series(std::iter::once(zero))
            .map_err(plot_error)?;
    }
    draw_underlays(
        &mut chart, series, overlays, frame, y_low, y_high, with_bands,
    )?;
    // One pixel column per device pixel of the plot: at most four points each.
    let (plot_x_range, _) = chart.plotting_area().get_pixel_range();
    let columns = usize::try_from(plot_x_range.end - plot_x_range.start)
        .unwrap_or(1)
        .max(1);
    for (index, one) in series.iter().enumerate() {
        let color = options
            .color
            .map_or_else(|| series_color(index), |(r, g, b)| RGBColor(r, g, b));
        let points = decimate_min_max(
            &one.timestamps,
            &one.values,
            frame.start,
            frame.end,
            columns,
            frame.step * 1.5,
        );
        for run in points.runs() {
            let run: Vec<(f64, f64)> = run.map(|k| (points.x[k], points.y[k])).collect();
            match options.style {
                // Isolated samples are dots whatever the style.
                _ if run.len() == 1 => draw_dots(&mut chart, &run, color, px(2.0))?,
                LineStyle::Points => draw_dots(&mut chart, &run, color, px(2.0))?,
                LineStyle::Lines => draw_line(&mut chart, &run, color, px(1.5))?,
                LineStyle::Area | LineStyle::Stacked => {
                    draw_area(&mut chart, &run, color, (y_low, y_high))?;
                    draw_line(&mut chart, &run, color, px(1.5))?;
                }
            }
        }
    }
    draw_overlays(&mut chart, series, overlays, frame, y_low, y_high, px(2.5))?;
    root.present().map_err(plot_error)?;
    Ok(())
}

/// Sizes the canvas's backing store to its CSS size × devicePixelRatio, so
/// lines stay crisp on HiDPI screens; returns the ratio.
fn size_backing_store(canvas: &HtmlCanvasElement) -> f64 {
    let pixel_ratio = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .max(1.0);
    let css_width = f64::from(canvas.client_width().max(1));
    let css_height = f64::from(canvas.client_height().max(1));
    canvas.set_width((css_width * pixel_ratio).round() as u32);
    canvas.set_height((css_height * pixel_ratio).round() as u32);
    pixel_ratio
}

/// The value axis: what the series show, zero for filled styles and zero
/// lines, and the forecast (80 %) and baseline bands.
fn value_range(
    series: &[&Series],
    frame: &ChartFrame,
    options: &ChartOptions,
    overlays: &[SeriesOverlay],
    with_bands: bool,
) -> (f64, f64) {
    let filled = matches!(options.style, LineStyle::Area | LineStyle::Stacked);
    let (mut y_low, mut y_high) = value_axis(series, frame, options.zero_line || filled);
    let forecast_edges = overlays
        .iter()
        .filter_map(|o| o.forecast.as_ref())
        .flat_map(|(_, f)| f.lower_80.iter().chain(&f.upper_80));
    let band_edges = overlays
        .iter()
        .filter_map(|o| o.baseline.as_ref()?.as_ref().ok())
        .filter(|_| with_bands)
        .flat_map(|b| b.lower.iter().chain(&b.upper));
    for value in forecast_edges.chain(band_edges).filter(|v| v.is_finite()) {
        y_low = y_low.min(*value);
        y_high = y_high.max(*value);
    }
    (y_low, y_high)
}

/// The value labels and grid, and the time ticks on round local times.
fn draw_axes(
    root: &DrawingArea<CanvasBackend, plotters::coord::Shift>,
    chart: &mut Chart<'_>,
    canvas: &HtmlCanvasElement,
    frame: &ChartFrame,
    options: &ChartOptions,
    (y_low, y_high): (f64, f64),
    px: &dyn Fn(f64) -> i32,
) -> Result<(), String> {
    let label_font = ("sans-serif", f64::from(px(11.0)))
        .into_font()
        .color(&LABEL);
    let css_width = f64::from(canvas.client_width().max(1));
    let css_height = f64::from(canvas.client_height().max(1));
    let (unit, decimals) = (options.unit, options.decimals);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(((css_height / 45.0) as usize).max(2))
        .y_label_formatter(&|value| format_value(*value, unit, decimals))
        .y_label_style(label_font.clone())
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .axis_style(GRID)
        .draw()
        .map_err(plot_error)?;
    let max_ticks = (AXES_INSETS.plot_width(css_width) / 80.0).max(2.0) as usize;
    for tick in time_ticks(
        frame.start,
        frame.x_end(),
        max_ticks,
        &crate::browser::clock::BrowserZone,
    ) {
        let grid_line = PathElement::new(
            vec![(tick.timestamp, y_low), (tick.timestamp, y_high)],
            GRID,
        );
        chart
            .draw_series(std::iter::once(grid_line))
            .map_err(plot_error)?;
        let (x, y) = chart.backend_coord(&(tick.timestamp, y_low));
        let style = label_font.clone().pos(Pos::new(HPos::Center, VPos::Top));
        root.draw(&Text::new(tick.label, (x, y + px(5.0)), style))
            .map_err(plot_error)?;
    }
    Ok(())
}

/// One connected run of samples as a line.
fn draw_line(
    chart: &mut Chart<'_>,
    run: &[(f64, f64)],
    color: RGBColor,
    width: i32,
) -> Result<(), String> {
    chart
        .draw_series(LineSeries::new(
            run.iter().copied(),
            color.stroke_width(width.max(1) as u32),
        ))
        .map(|_| ())
        .map_err(plot_error)
}

/// One run of samples as dots.
fn draw_dots(
    chart: &mut Chart<'_>,
    run: &[(f64, f64)],
    color: RGBColor,
    radius: i32,
) -> Result<(), String> {
    let dots = run
        .iter()
        .map(|&point| Circle::new(point, radius, color.filled()));
    chart.draw_series(dots).map(|_| ()).map_err(plot_error)
}

/// A translucent fill from one run of samples down to zero (or the axis floor).
fn draw_area(
    chart: &mut Chart<'_>,
    run: &[(f64, f64)],
    color: RGBColor,
    (y_low, y_high): (f64, f64),
) -> Result<(), String> {
    let (Some(&(first_x, _)), Some(&(last_x, _))) = (run.first(), run.last()) else {
        return Ok(());
    };
    let base = 0.0_f64.clamp(y_low, y_high);
    let mut outline = run.to_vec();
    outline.push((last_x, base));
    outline.push((first_x, base));
    chart
        .draw_series(std::iter::once(Polygon::new(
            outline,
            color.mix(0.25).filled(),
        )))
        .map(|_| ())
        .map_err(plot_error)
}

/// The plotters chart every part of a time series is drawn on.
type Chart<'a> = ChartContext<
    'a,
    CanvasBackend,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// Under the lines: baseline bands (split at gaps) with their centre, and a
/// shaded window over each incident.
fn draw_underlays(
    chart: &mut Chart<'_>,
    series: &[&Series],
    overlays: &[SeriesOverlay],
    frame: &ChartFrame,
    y_low: f64,
    y_high: f64,
    with_bands: bool,
) -> Result<(), String> {
    for (index, overlay) in overlays.iter().enumerate() {
        let color = series_color(index);
        if let Some(Ok(band)) = overlay.baseline.as_ref().filter(|_| with_bands) {
            let mut run_start = 0;
            for end in 1..=band.timestamps.len() {
                let split = end == band.timestamps.len()
                    || band.timestamps[end] - band.timestamps[end - 1] > frame.step * 1.5;
                if !split {
                    continue;
                }
                let run = run_start..end;
                run_start = end;
                let mut outline: Vec<(f64, f64)> = run
                    .clone()
                    .map(|k| (band.timestamps[k], band.upper[k]))
                    .collect();
                outline.extend(
                    run.clone()
                        .rev()
                        .map(|k| (band.timestamps[k], band.lower[k])),
                );
                chart
                    .draw_series(std::iter::once(Polygon::new(
                        outline,
                        color.mix(0.24).filled(),
                    )))
                    .map_err(plot_error)?;
                let center = run.map(|k| (band.timestamps[k], band.center[k]));
                chart
                    .draw_series(LineSeries::new(center, color.mix(0.55).stroke_width(1)))
                    .map_err(plot_error)?;
            }
        }
        let Some(data) = series.get(index) else {
            continue;
        };
        for incident in &overlay.incidents {
            let (Some(&from), Some(&to)) = (
                data.timestamps.get(incident.start_index),
                data.timestamps.get(incident.end_index),
            ) else {
                continue;
            };
            let half_step = frame.step / 2.0;
            let shade = Rectangle::new(
                [(from - half_step, y_high), (to + half_step, y_low)],
                RGBColor(255, 80, 80).mix(0.13).filled(),
            );
            chart
                .draw_series(std::iter::once(shade))
                .map_err(plot_error)?;
        }
    }
    Ok(())
}

/// Forecast bands and means past the end of the data, a "now" line, and anomaly markers.
fn draw_overlays(
    chart: &mut Chart<'_>,
    series: &[&Series],
    overlays: &[SeriesOverlay],
    frame: &ChartFrame,
    y_low: f64,
    y_high: f64,
    marker_radius: i32,
) -> Result<(), String> {
    if frame.forecast_until > frame.end {
        let now = PathElement::new(
            vec![(frame.end, y_low), (frame.end, y_high)],
            LABEL.mix(0.8),
        );
        chart
            .draw_series(std::iter::once(now))
            .map_err(plot_error)?;
    }
    for (index, overlay) in overlays.iter().enumerate() {
        let color = series_color(index);
        if let Some((future, forecast)) = &overlay.forecast {
            for (lower, upper, alpha) in [
                (&forecast.lower_95, &forecast.upper_95, 0.12),
                (&forecast.lower_80, &forecast.upper_80, 0.2),
            ] {
                let mut outline: Vec<(f64, f64)> =
                    future.iter().copied().zip(upper.iter().copied()).collect();
                outline.extend(future.iter().copied().zip(lower.iter().copied()).rev());
                chart
                    .draw_series(std::iter::once(Polygon::new(
                        outline,
                        color.mix(alpha).filled(),
                    )))
                    .map_err(plot_error)?;
            }
            let line = future.iter().copied().zip(forecast.mean.iter().copied());
            chart
                .draw_series(LineSeries::new(line, color.mix(0.9).stroke_width(1)))
                .map_err(plot_error)?;
        }
        if let Some(data) = series.get(index) {
            let red = RGBColor(255, 80, 80);
            let markers = overlay
                .anomalies
                .iter()
                .filter_map(|&i| Some((*data.timestamps.get(i)?, *data.values.get(i)?)))
                .map(|point| Circle::new(point, marker_radius * 2, red.stroke_width(2)));
            chart.draw_series(markers).map_err(plot_error)?;
        }
    }
    Ok(())
}
