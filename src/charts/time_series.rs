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
use foresight_core::model::dashboard::{threshold_rgb, AxisSide, LineStyle, SeriesLook};
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

/// The colour of the `index`-th series: its override's, or the palette's.
pub fn series_rgb(index: usize, look: &SeriesLook) -> Rgb {
    look.color
        .as_deref()
        .map_or_else(|| series_color(index), threshold_rgb)
}

pub fn series_color_css(index: usize, look: &SeriesLook) -> String {
    css_color(series_rgb(index, look), 1.0)
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
}

/// One series as drawn: its colour, the scale it is drawn against (its own on
/// the right, or the left one) and whether it is mirrored below zero.
#[derive(Debug, Clone, Copy)]
pub struct DrawnSeries<'a> {
    pub series: &'a Series,
    pub color: Rgb,
    pub axis: AxisSide,
    pub negative: bool,
    /// The unit its scale's labels are written in.
    pub unit: Unit,
}

impl<'a> DrawnSeries<'a> {
    /// The `index`-th series of a panel as its overrides have it.
    pub fn new(series: &'a Series, index: usize, look: &SeriesLook, panel_unit: Unit) -> Self {
        Self {
            series,
            color: series_rgb(index, look),
            axis: look.axis,
            negative: look.negative,
            unit: look.unit.unwrap_or(panel_unit),
        }
    }

    fn sign(&self) -> f64 {
        if self.negative {
            -1.0
        } else {
            1.0
        }
    }

    fn on_left(&self) -> bool {
        self.axis == AxisSide::Left
    }
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

/// A value scale around `extent` with a little headroom; flat or empty data
/// still gets a visible band.
fn padded(extent: Option<(f64, f64)>, include_zero: bool) -> (f64, f64) {
    let extent = extent.map(|(low, high)| {
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

/// Draws `series` into `canvas`, resizing its backing store to the displayed
/// size; `overlays` go with the series of the same position.
pub fn draw_time_series(
    canvas: &HtmlCanvasElement,
    series: &[DrawnSeries<'_>],
    frame: &ChartFrame,
    options: &ChartOptions,
    overlays: &[SeriesOverlay],
) -> Result<(), String> {
    crate::browser::perf::timed("drawMs", || {
        draw_unmeasured(canvas, series, frame, options, overlays)
    })
}

/// Stacks within each group of series that share a scale and a side of zero,
/// as Grafana stacks mirrored (negative-Y) series apart from the others.
fn stacked_by_group(series: &[DrawnSeries<'_>]) -> Vec<Series> {
    let mut stacked = vec![Series::default(); series.len()];
    let key = |d: &DrawnSeries| (d.axis, d.negative);
    for (first, group_key) in series.iter().map(key).enumerate() {
        if series[..first].iter().any(|d| key(d) == group_key) {
            continue; // its group was stacked with an earlier series
        }
        let members: Vec<usize> = (first..series.len())
            .filter(|&k| key(&series[k]) == group_key)
            .collect();
        let refs: Vec<&Series> = members.iter().map(|&k| series[k].series).collect();
        for (k, sums) in members.into_iter().zip(stack_series(&refs)) {
            stacked[k] = sums;
        }
    }
    stacked
}

fn draw_unmeasured(
    canvas: &HtmlCanvasElement,
    series: &[DrawnSeries<'_>],
    frame: &ChartFrame,
    options: &ChartOptions,
    overlays: &[SeriesOverlay],
) -> Result<(), String> {
    let (context, pixel_ratio, (css_width, css_height)) = prepared_canvas(canvas, BACKGROUND)?;
    let mut drawn: Vec<DrawnSeries<'_>> = series.to_vec();
    // As Grafana gives each unit a scale of its own: a left-hand series in
    // another unit than the first one there is drawn on the right-hand scale.
    let first_left_unit = drawn.iter().find(|d| d.on_left()).map(|d| d.unit);
    for one in &mut drawn {
        if one.on_left() && Some(one.unit) != first_left_unit {
            one.axis = AxisSide::Right;
        }
    }
    let stacked;
    if options.style == LineStyle::Stacked {
        stacked = stacked_by_group(&drawn);
        for (one, sums) in drawn.iter_mut().zip(&stacked) {
            one.series = sums;
        }
    }
    // Stacked values are sums: bands of single series would not line up with them.
    let with_bands = options.style != LineStyle::Stacked;
    let insets = if options.compact {
        SPARKLINE_INSETS
    } else {
        AXES_INSETS
    };
    // One scale per side that has series: left, right, and the unlabelled one.
    let scale = |side: AxisSide| {
        let members: Vec<(DrawnSeries, Option<&SeriesOverlay>)> = drawn
            .iter()
            .enumerate()
            .filter(|(_, d)| d.axis == side)
            .map(|(k, d)| (*d, overlays.get(k)))
            .collect();
        (!members.is_empty()).then(|| value_range(&members, frame, options, with_bands))
    };
    let (left, right, hidden) = (
        scale(AxisSide::Left),
        scale(AxisSide::Right),
        scale(AxisSide::Hidden),
    );
    // The labelled axis on the left shows the left scale, or the right one
    // when nothing is on the left.
    let base = left.or(right).or(hidden).unwrap_or((0.0, 1.0));
    let plot = Plot {
        context: &context,
        left: insets.left,
        top: insets.top,
        width: insets.plot_width(css_width),
        height: (css_height - insets.top - insets.bottom).max(1.0),
        times: (frame.start, frame.x_end()),
        values: base,
        sign: 1.0,
    };
    // Each series' own mapping: its scale and its side of zero.
    let plots: Vec<Plot> = drawn
        .iter()
        .map(|d| Plot {
            values: match d.axis {
                AxisSide::Left => base,
                AxisSide::Right => right.unwrap_or(base),
                AxisSide::Hidden => hidden.unwrap_or(base),
            },
            sign: d.sign(),
            ..plot
        })
        .collect();
    let unit_of = |side: AxisSide| drawn.iter().find(|d| d.axis == side).map(|d| d.unit);
    if !options.compact {
        let base_unit = unit_of(AxisSide::Left)
            .or(unit_of(AxisSide::Right))
            .or(unit_of(AxisSide::Hidden))
            .unwrap_or(options.unit);
        draw_axes(&plot, frame, base_unit, options.decimals);
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
    draw_underlays(&plots, &drawn, overlays, frame, with_bands);
    // One pixel column per device pixel of the plot: at most four points each.
    let columns = ((plot.width * pixel_ratio) as usize).max(1);
    for (one, plot) in drawn.iter().zip(&plots) {
        let (stroke, fill) = (css_color(one.color, 1.0), css_color(one.color, 0.25));
        let points = decimate_min_max(
            &one.series.timestamps,
            &one.series.values,
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
    if frame.forecast_until > frame.end {
        plot.time_line(frame.end, &css_color(LABEL, 0.8));
    }
    draw_overlays(&plots, &drawn, overlays);
    context.restore();
    // Over the lines, so that none crosses them; only when the left axis
    // shows another scale.
    if let (false, Some(_), Some(range), Some(unit)) =
        (options.compact, left, right, unit_of(AxisSide::Right))
    {
        draw_right_labels(
            &Plot {
                values: range,
                ..plot
            },
            unit,
            options.decimals,
        );
    }
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
#[derive(Clone, Copy)]
struct Plot<'a> {
    context: &'a CanvasRenderingContext2d,
    left: f64,
    top: f64,
    width: f64,
    height: f64,
    times: (f64, f64),
    /// The value scale, as drawn (a mirrored series' values are negated first).
    values: (f64, f64),
    /// -1 for a series mirrored below zero, else 1.
    sign: f64,
}

impl Plot<'_> {
    fn pixel(&self, (t, v): (f64, f64)) -> (f64, f64) {
        let (start, end) = self.times;
        let x = self.left + (t - start) / (end - start) * self.width;
        (x, y_of(v * self.sign, self.values, self.top, self.height))
    }

    /// The scale's bottom and top as values of this plot's series.
    fn value_span(&self) -> (f64, f64) {
        (self.values.0 * self.sign, self.values.1 * self.sign)
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
        let base = 0.0_f64.clamp(self.values.0, self.values.1) * self.sign;
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
        let (low, high) = self.value_span();
        self.line([(t, low), (t, high)], color, 1.0);
    }
}

/// A value scale: what its series show (mirrored ones below zero), zero for
/// filled styles, zero lines and mirrored series, and the forecast (80 %) and
/// baseline bands.
fn value_range(
    members: &[(DrawnSeries<'_>, Option<&SeriesOverlay>)],
    frame: &ChartFrame,
    options: &ChartOptions,
    with_bands: bool,
) -> (f64, f64) {
    let mut extent: Option<(f64, f64)> = None;
    let mut widen = |value: f64| {
        if value.is_finite() {
            extent = Some(extent.map_or((value, value), |(low, high)| {
                (low.min(value), high.max(value))
            }));
        }
    };
    for (drawn, overlay) in members {
        let sign = drawn.sign();
        if let Some((low, high)) =
            visible_value_extent(std::iter::once(drawn.series), frame.start, frame.end)
        {
            widen(low * sign);
            widen(high * sign);
        }
        let Some(overlay) = overlay else { continue };
        let forecast_edges = overlay
            .forecast
            .iter()
            .flat_map(|(_, f)| f.lower_80.iter().chain(&f.upper_80));
        let band_edges = overlay
            .baseline
            .iter()
            .filter_map(|b| b.as_ref().ok())
            .filter(|_| with_bands)
            .flat_map(|b| b.lower.iter().chain(&b.upper));
        for value in forecast_edges.chain(band_edges) {
            widen(value * sign);
        }
    }
    let filled = matches!(options.style, LineStyle::Area | LineStyle::Stacked);
    let mirrored = members.iter().any(|(d, _)| d.negative);
    padded(extent, options.zero_line || filled || mirrored)
}

/// The value labels and grid, and the time ticks on round local times.
fn draw_axes(plot: &Plot<'_>, frame: &ChartFrame, unit: Unit, decimals: Option<u8>) {
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
        let label = format_value(value, unit, decimals);
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

/// The right-hand scale's labels, inside the plot's right edge (the left
/// scale's grid lines serve both).
fn draw_right_labels(plot: &Plot<'_>, unit: Unit, decimals: Option<u8>) {
    let context = plot.context;
    let (low, high) = plot.values;
    context.set_font("11px sans-serif");
    context.set_text_align("right");
    context.set_text_baseline("middle");
    let max_value_ticks = ((plot.height / 40.0) as usize).max(2);
    let x = plot.left + plot.width - 3.0;
    for value in value_ticks(low, high, max_value_ticks) {
        let (_, y) = plot.pixel((plot.times.0, value));
        let label = format_value(value, unit, decimals);
        // Outlined in the background colour, so a line under it does not cross it.
        context.set_stroke_style_str(BACKGROUND);
        context.set_line_width(3.0);
        let _ = context.stroke_text_with_max_width(&label, x, y, plot.left);
        context.set_fill_style_str(&css_color(LABEL, 1.0));
        let _ = context.fill_text_with_max_width(&label, x, y, plot.left);
    }
}

/// Under the lines: baseline bands (split at gaps) with their centre, and a
/// shaded window over each incident.
fn draw_underlays(
    plots: &[Plot<'_>],
    drawn: &[DrawnSeries<'_>],
    overlays: &[SeriesOverlay],
    frame: &ChartFrame,
    with_bands: bool,
) {
    for ((overlay, plot), one) in overlays.iter().zip(plots).zip(drawn) {
        if let Some(Ok(band)) = overlay.baseline.as_ref().filter(|_| with_bands) {
            let (fill, centre) = (css_color(one.color, 0.24), css_color(one.color, 0.55));
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
        let data = one.series;
        let (y_low, y_high) = plot.value_span();
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

/// Forecast bands and means past the end of the data, and anomaly markers.
fn draw_overlays(plots: &[Plot<'_>], drawn: &[DrawnSeries<'_>], overlays: &[SeriesOverlay]) {
    for ((overlay, plot), one) in overlays.iter().zip(plots).zip(drawn) {
        let color = one.color;
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
        let data = one.series;
        let markers = overlay
            .anomalies
            .iter()
            .filter_map(|&i| Some((*data.timestamps.get(i)?, *data.values.get(i)?)));
        plot.rings(markers, &css_color(ALARM, 1.0), 5.0);
    }
}
