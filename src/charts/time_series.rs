//! Draws time series on a canvas with its 2D context. The canvas backing store
//! is sized to CSS size × devicePixelRatio so lines stay crisp on HiDPI
//! screens; time and value ticks, decimation and every pixel mapping come from
//! the core. (A plotting crate did this before at 7 KB gzip more for the app.)

use foresight_core::analytics::panel_overlays::SeriesOverlay;
use foresight_core::chart::decimation::decimate_min_max;
use foresight_core::chart::geometry::{band_runs, AXES_INSETS, SPARKLINE_INSETS};
use foresight_core::chart::time_axis::time_ticks;
use foresight_core::chart::value_axis::{value_ticks, y_of};
use foresight_core::foundation::units::{format_value, Unit};
use foresight_core::model::dashboard::LineStyle;
use foresight_core::query::series::{stack_series, visible_value_extent, Series};
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

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
const BACKGROUND: &str = "rgb(22, 31, 46)";
const GRID: &str = "rgb(38, 51, 74)";
const LABEL: Rgb = (138, 153, 176);
const ALARM: Rgb = (255, 80, 80);

type Rgb = (u8, u8, u8);

fn series_color(index: usize) -> Rgb {
    SERIES_COLORS[index % SERIES_COLORS.len()]
}

pub fn series_color_css(index: usize) -> String {
    css_color(series_color(index), 1.0)
}

fn css_color((r, g, b): Rgb, alpha: f64) -> String {
    format!("rgba({r}, {g}, {b}, {alpha})")
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
            // In halves: the span of ±1.7e308 overflows.
            let pad = ((high / 2.0 - low / 2.0) * 0.16).min(f64::MAX / 4.0);
            let floor = if low >= 0.0 {
                (low - pad).max(0.0)
            } else {
                low - pad
            };
            (floor, high + pad)
        }
    }
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
    let (context, pixel_ratio, (css_width, css_height)) = prepared_canvas(canvas, BACKGROUND)?;
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
    let insets = if options.compact {
        SPARKLINE_INSETS
    } else {
        AXES_INSETS
    };
    let plot = Plot {
        context: &context,
        left: insets.left,
        top: insets.top,
        width: insets.plot_width(css_width),
        height: (css_height - insets.top - insets.bottom).max(1.0),
        times: (frame.start, frame.x_end()),
        values: value_range(series, frame, options, overlays, with_bands),
    };
    if !options.compact {
        draw_axes(&plot, frame, options);
    }
    // Nothing drawn from the data may spill over the axes.
    context.save();
    context.begin_path();
    context.rect(plot.left, plot.top, plot.width, plot.height);
    context.clip();
    if options.zero_line {
        plot.line(
            [(frame.start, 0.0), (frame.end, 0.0)],
            &css_color(LABEL, 1.0),
            1.0,
        );
    }
    draw_underlays(&plot, series, overlays, frame, with_bands);
    // One pixel column per device pixel of the plot: at most four points each.
    let columns = ((plot.width * pixel_ratio) as usize).max(1);
    for (index, one) in series.iter().enumerate() {
        let color = options.color.unwrap_or_else(|| series_color(index));
        let (stroke, fill) = (css_color(color, 1.0), css_color(color, 0.25));
        let points = decimate_min_max(
            &one.timestamps,
            &one.values,
            frame.start,
            frame.end,
            columns,
            frame.step * 1.5,
        );
        for run in points.runs() {
            let run = || run.clone().map(|k| (points.x[k], points.y[k]));
            match options.style {
                // Isolated samples are dots whatever the style.
                _ if run().len() == 1 => plot.dots(run(), &stroke, 2.0),
                LineStyle::Points => plot.dots(run(), &stroke, 2.0),
                LineStyle::Lines => plot.line(run(), &stroke, 1.5),
                LineStyle::Area | LineStyle::Stacked => {
                    plot.area_to_zero(run(), &fill);
                    plot.line(run(), &stroke, 1.5);
                }
            }
        }
    }
    draw_overlays(&plot, series, overlays, frame);
    context.restore();
    Ok(())
}

fn css_size(canvas: &HtmlCanvasElement) -> (f64, f64) {
    (
        f64::from(canvas.client_width().max(1)),
        f64::from(canvas.client_height().max(1)),
    )
}

/// The canvas made ready to draw on, for every chart: its backing store sized
/// to its CSS size × devicePixelRatio (crisp lines on HiDPI screens), its 2D
/// context scaled so that drawing is in CSS pixels, and `background` filled in.
/// Returns the context, the ratio and the CSS size.
pub fn prepared_canvas(
    canvas: &HtmlCanvasElement,
    background: &str,
) -> Result<(CanvasRenderingContext2d, f64, (f64, f64)), String> {
    let pixel_ratio = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .max(1.0);
    let (css_width, css_height) = css_size(canvas);
    canvas.set_width((css_width * pixel_ratio).round() as u32);
    canvas.set_height((css_height * pixel_ratio).round() as u32);
    let context: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .ok_or("the canvas has no 2D context")?
        .unchecked_into();
    context
        .scale(pixel_ratio, pixel_ratio)
        .map_err(|_| "cannot scale the canvas")?;
    context.set_fill_style_str(background);
    context.fill_rect(0.0, 0.0, css_width, css_height);
    Ok((context, pixel_ratio, (css_width, css_height)))
}

/// The plot area of one chart and the times and values it spans: maps data to
/// CSS pixels and draws on the 2D context.
struct Plot<'a> {
    context: &'a CanvasRenderingContext2d,
    left: f64,
    top: f64,
    width: f64,
    height: f64,
    times: (f64, f64),
    values: (f64, f64),
}

impl Plot<'_> {
    fn pixel(&self, (t, v): (f64, f64)) -> (f64, f64) {
        let (start, end) = self.times;
        let x = self.left + (t - start) / (end - start) * self.width;
        (x, y_of(v, self.values, self.top, self.height))
    }

    /// Traces a path through the points; a non-finite point breaks it.
    fn trace(&self, points: impl IntoIterator<Item = (f64, f64)>, closed: bool) {
        let mut pen_down = false;
        for point in points {
            let (x, y) = self.pixel(point);
            if !(x.is_finite() && y.is_finite()) {
                pen_down = false;
            } else if pen_down {
                self.context.line_to(x, y);
            } else {
                self.context.move_to(x, y);
                pen_down = true;
            }
        }
        if closed {
            self.context.close_path();
        }
    }

    fn line(&self, points: impl IntoIterator<Item = (f64, f64)>, color: &str, width: f64) {
        self.context.begin_path();
        self.trace(points, false);
        self.context.set_stroke_style_str(color);
        self.context.set_line_width(width);
        self.context.set_line_join("round");
        self.context.stroke();
    }

    fn polygon(&self, points: impl IntoIterator<Item = (f64, f64)>, color: &str) {
        self.context.begin_path();
        self.trace(points, true);
        self.context.set_fill_style_str(color);
        self.context.fill();
    }

    /// A fill from a run of samples down to zero (or the nearest axis edge).
    fn area_to_zero(&self, run: impl Iterator<Item = (f64, f64)> + Clone, color: &str) {
        let (Some((first_x, _)), Some((last_x, _))) = (run.clone().next(), run.clone().last())
        else {
            return;
        };
        let base = 0.0_f64.clamp(self.values.0, self.values.1);
        self.polygon(run.chain([(last_x, base), (first_x, base)]), color);
    }

    /// Circles of `radius` around the points, as one path.
    fn trace_circles(&self, points: impl IntoIterator<Item = (f64, f64)>, radius: f64) {
        self.context.begin_path();
        for point in points {
            let (x, y) = self.pixel(point);
            self.context.move_to(x + radius, y);
            let _ = self.context.arc(x, y, radius, 0.0, std::f64::consts::TAU);
        }
    }

    fn dots(&self, points: impl IntoIterator<Item = (f64, f64)>, color: &str, radius: f64) {
        self.trace_circles(points, radius);
        self.context.set_fill_style_str(color);
        self.context.fill();
    }

    fn rings(&self, points: impl IntoIterator<Item = (f64, f64)>, color: &str, radius: f64) {
        self.trace_circles(points, radius);
        self.context.set_stroke_style_str(color);
        self.context.set_line_width(2.0);
        self.context.stroke();
    }

    /// A vertical line across the whole plot at time `t`.
    fn time_line(&self, t: f64, color: &str) {
        let (low, high) = self.values;
        self.line([(t, low), (t, high)], color, 1.0);
    }
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
fn draw_axes(plot: &Plot<'_>, frame: &ChartFrame, options: &ChartOptions) {
    let context = plot.context;
    let (y_low, y_high) = plot.values;
    context.set_font("11px sans-serif");
    context.set_fill_style_str(&css_color(LABEL, 1.0));
    context.set_text_align("right");
    context.set_text_baseline("middle");
    let max_value_ticks = ((plot.height / 40.0) as usize).max(2);
    for value in value_ticks(y_low, y_high, max_value_ticks) {
        let (_, y) = plot.pixel((frame.start, value));
        let y = y.round() + 0.5; // a crisp one-pixel line
        context.begin_path();
        context.move_to(plot.left, y);
        context.line_to(plot.left + plot.width, y);
        context.set_stroke_style_str(GRID);
        context.set_line_width(1.0);
        context.stroke();
        let label = format_value(value, options.unit, options.decimals);
        // A label wider than the axis is narrowed to fit instead of being cut.
        let _ = context.fill_text_with_max_width(&label, plot.left - 6.0, y, plot.left - 8.0);
    }
    let max_time_ticks = (plot.width / 80.0).max(2.0) as usize;
    context.set_text_align("center");
    context.set_text_baseline("top");
    for tick in time_ticks(
        frame.start,
        frame.x_end(),
        max_time_ticks,
        &crate::browser::clock::BrowserZone,
    ) {
        plot.time_line(tick.timestamp, GRID);
        let (x, y) = plot.pixel((tick.timestamp, y_low));
        let _ = context.fill_text(&tick.label, x, y + 5.0);
    }
    // The axes themselves.
    context.begin_path();
    context.move_to(plot.left + 0.5, plot.top);
    context.line_to(plot.left + 0.5, plot.top + plot.height + 0.5);
    context.line_to(plot.left + plot.width, plot.top + plot.height + 0.5);
    context.set_stroke_style_str(GRID);
    context.stroke();
}

/// Under the lines: baseline bands (split at gaps) with their centre, and a
/// shaded window over each incident.
fn draw_underlays(
    plot: &Plot<'_>,
    series: &[&Series],
    overlays: &[SeriesOverlay],
    frame: &ChartFrame,
    with_bands: bool,
) {
    let (y_low, y_high) = plot.values;
    for (index, overlay) in overlays.iter().enumerate() {
        let color = series_color(index);
        if let Some(Ok(band)) = overlay.baseline.as_ref().filter(|_| with_bands) {
            let (fill, centre) = (css_color(color, 0.24), css_color(color, 0.55));
            for run in band_runs(&band.timestamps, &band.lower, &band.upper, frame.step * 1.5) {
                let upper = run.clone().map(|k| (band.timestamps[k], band.upper[k]));
                let lower = run
                    .clone()
                    .rev()
                    .map(|k| (band.timestamps[k], band.lower[k]));
                plot.polygon(upper.chain(lower), &fill);
                let center = run.map(|k| (band.timestamps[k], band.center[k]));
                plot.line(center, &centre, 1.0);
            }
        }
        let Some(data) = series.get(index) else {
            continue;
        };
        let shade = css_color(ALARM, 0.13);
        for incident in &overlay.incidents {
            let (Some(&from), Some(&to)) = (
                data.timestamps.get(incident.start_index),
                data.timestamps.get(incident.end_index),
            ) else {
                continue;
            };
            let half_step = frame.step / 2.0;
            plot.polygon(
                [
                    (from - half_step, y_high),
                    (to + half_step, y_high),
                    (to + half_step, y_low),
                    (from - half_step, y_low),
                ],
                &shade,
            );
        }
    }
}

/// Forecast bands and means past the end of the data, a "now" line, and anomaly markers.
fn draw_overlays(
    plot: &Plot<'_>,
    series: &[&Series],
    overlays: &[SeriesOverlay],
    frame: &ChartFrame,
) {
    if frame.forecast_until > frame.end {
        plot.time_line(frame.end, &css_color(LABEL, 0.8));
    }
    for (index, overlay) in overlays.iter().enumerate() {
        let color = series_color(index);
        if let Some((future, forecast)) = &overlay.forecast {
            for (lower, upper, alpha) in [
                (&forecast.lower_95, &forecast.upper_95, 0.12),
                (&forecast.lower_80, &forecast.upper_80, 0.2),
            ] {
                for run in band_runs(future, lower, upper, f64::INFINITY) {
                    let top = run.clone().map(|k| (future[k], upper[k]));
                    let bottom = run.rev().map(|k| (future[k], lower[k]));
                    plot.polygon(top.chain(bottom), &css_color(color, alpha));
                }
            }
            let mean = future.iter().copied().zip(forecast.mean.iter().copied());
            plot.line(mean, &css_color(color, 0.9), 1.0);
        }
        if let Some(data) = series.get(index) {
            let markers = overlay
                .anomalies
                .iter()
                .filter_map(|&i| Some((*data.timestamps.get(i)?, *data.values.get(i)?)));
            plot.rings(markers, &css_color(ALARM, 1.0), 5.0);
        }
    }
}
