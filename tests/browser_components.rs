//! Component tests in a real headless Chromium (wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use foresight::charts::time_series::{
    draw_time_series, ChartFrame, ChartOptions, DrawnSeries, SERIES_COLORS,
};
use foresight::dashboard::page::DashboardPage;
use foresight_core::foundation::units::Unit;
use foresight_core::model::dashboard::{Dashboard, SeriesLook};
use foresight_core::model::url_state::ViewState;
use foresight_core::query::series::{Labels, Series};
use foresight_core::query::step::step_for_range;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// A fresh container in the page, so tests do not see each other's DOM.
fn container() -> HtmlElement {
    let element: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    element.set_attribute("style", "width: 900px").unwrap();
    document().body().unwrap().append_child(&element).unwrap();
    element
}

async fn wait_for_state(root: &HtmlElement, panel: &str, wanted: &str) -> web_sys::Element {
    for _ in 0..200 {
        if let Some(element) = root
            .query_selector(&format!("[data-panel=\"{panel}\"]"))
            .unwrap()
        {
            if element.get_attribute("data-state").as_deref() == Some(wanted) {
                return element;
            }
        }
        sleep_ms(50).await;
    }
    panic!(
        "panel {panel} never reached state {wanted}: {}",
        root.inner_html()
    );
}

fn count_pixels(canvas: &HtmlCanvasElement, rgb: (u8, u8, u8)) -> usize {
    let context: CanvasRenderingContext2d =
        canvas.get_context("2d").unwrap().unwrap().unchecked_into();
    let data = context
        .get_image_data(0.0, 0.0, canvas.width().into(), canvas.height().into())
        .unwrap()
        .data();
    data.chunks(4).filter(|p| (p[0], p[1], p[2]) == rgb).count()
}

fn canvas_in(holder: &HtmlElement, style: &str) -> HtmlCanvasElement {
    let canvas: HtmlCanvasElement = document()
        .create_element("canvas")
        .unwrap()
        .unchecked_into();
    canvas.set_attribute("style", style).unwrap();
    holder.append_child(&canvas).unwrap();
    canvas
}

#[wasm_bindgen_test]
fn chart_draws_each_series_at_device_resolution_and_keeps_gaps() {
    let canvas = canvas_in(&container(), "width: 600px; height: 200px; display: block");
    let timestamps: Vec<f64> = (0..100)
        .map(|i| 1_700_000_000.0 + 60.0 * f64::from(i))
        .collect();
    let rising = Series {
        labels: Labels::new(),
        timestamps: timestamps.clone(),
        values: (0..100).map(f64::from).collect(),
    };
    let mut gappy_values: Vec<f64> = (0..100).map(|i| 50.0 + f64::from(i % 7)).collect();
    for value in &mut gappy_values[40..60] {
        *value = f64::NAN;
    }
    let gappy = Series {
        labels: Labels::new(),
        timestamps,
        values: gappy_values,
    };
    let frame = ChartFrame {
        start: 1_700_000_000.0,
        end: 1_700_000_000.0 + 99.0 * 60.0,
        step: 60.0,
        forecast_until: 0.0,
    };
    let look = SeriesLook::default();
    draw_time_series(
        &canvas,
        &[
            DrawnSeries::new(&rising, 0, &look, Unit::Short),
            DrawnSeries::new(&gappy, 1, &look, Unit::Short),
        ],
        &frame,
        &ChartOptions::default(),
        &[],
    )
    .unwrap();

    let ratio = web_sys::window().unwrap().device_pixel_ratio();
    assert_eq!(f64::from(canvas.width()), (600.0 * ratio).round());
    assert_eq!(f64::from(canvas.height()), (200.0 * ratio).round());
    assert!(
        count_pixels(&canvas, SERIES_COLORS[0]) > 200,
        "first series drawn"
    );
    assert!(
        count_pixels(&canvas, SERIES_COLORS[1]) > 100,
        "second series drawn"
    );

    // Inside the NaN gap (x of samples 45..55) no pixel has the second series' colour.
    let context: CanvasRenderingContext2d =
        canvas.get_context("2d").unwrap().unwrap().unchecked_into();
    let plot_left = 64.0 * ratio;
    let plot_width = f64::from(canvas.width()) - plot_left - 12.0 * ratio;
    let gap_x = plot_left + plot_width * 47.0 / 99.0;
    let column = context
        .get_image_data(gap_x, 0.0, 5.0 * ratio, canvas.height().into())
        .unwrap()
        .data();
    let (r, g, b) = SERIES_COLORS[1];
    assert!(
        !column.chunks(4).any(|p| (p[0], p[1], p[2]) == (r, g, b)),
        "gap is not bridged"
    );
}

#[wasm_bindgen_test]
fn a_million_points_draw_and_keep_their_spike() {
    let canvas = canvas_in(&container(), "width: 800px; height: 200px; display: block");
    let n = 1_000_000;
    let timestamps: Vec<f64> = (0..n).map(f64::from).collect();
    let mut values: Vec<f64> = (0..n).map(|i| f64::from(i % 50)).collect();
    values[500_000] = 10_000.0;
    let series = Series {
        labels: Labels::new(),
        timestamps,
        values,
    };
    let frame = ChartFrame {
        start: 0.0,
        end: f64::from(n - 1),
        step: 1.0,
        forecast_until: 0.0,
    };
    let mut magenta = DrawnSeries::new(&series, 0, &SeriesLook::default(), Unit::Short);
    magenta.color = (255, 0, 255);
    draw_time_series(&canvas, &[magenta], &frame, &ChartOptions::default(), &[]).unwrap();
    // Everything else stays below 50 (0.5 % of the axis), so magenta in the top
    // third of the canvas can only be the spike.
    let context: CanvasRenderingContext2d =
        canvas.get_context("2d").unwrap().unwrap().unchecked_into();
    let top = context
        .get_image_data(
            0.0,
            0.0,
            canvas.width().into(),
            f64::from(canvas.height()) / 3.0,
        )
        .unwrap()
        .data();
    let magenta = |p: &[u8]| p[0] > 180 && p[1] < 100 && p[2] > 180;
    assert!(top.chunks(4).any(magenta), "decimation kept the spike");
}

#[wasm_bindgen_test]
fn chart_with_no_series_still_draws_axes() {
    let canvas = canvas_in(&container(), "width: 300px; height: 100px; display: block");
    let frame = ChartFrame {
        start: 0.0,
        end: 3600.0,
        step: 15.0,
        forecast_until: 0.0,
    };
    draw_time_series(&canvas, &[], &frame, &ChartOptions::default(), &[]).unwrap();
    assert!(
        count_pixels(&canvas, (22, 31, 46)) > 1000,
        "background painted"
    );
}

const TEST_DASHBOARD: &str = r#"{
    "schemaVersion": 1, "id": "t", "title": "Test board",
    "panels": [
        {"id": "rate", "title": "Rate", "type": "timeseries", "targets": [{"expr": "sum(rate(x[5m]))"}]},
        {"id": "errors", "title": "Errors", "type": "stat", "targets": [{"expr": "vector(1)"}]},
        {"id": "notes", "title": "Notes", "type": "text",
         "content": "Hello <script>window.hacked = 1</script> **world** [bad](javascript:alert(1))"}
    ],
    "layout": [
        {"panel": "rate", "x": 0, "y": 0, "w": 12, "h": 8},
        {"panel": "errors", "x": 12, "y": 0, "w": 6, "h": 8},
        {"panel": "notes", "x": 18, "y": 0, "w": 6, "h": 8}
    ]
}"#;

fn mount_dashboard(query: &str) -> (HtmlElement, leptos::mount::UnmountHandle<impl Mountable>) {
    let root = container();
    let dashboard = Dashboard::from_json(TEST_DASHBOARD).unwrap();
    let (state, problems) = ViewState::decode(query);
    assert!(problems.is_empty(), "{problems:?}");
    let handle = leptos::mount::mount_to(root.clone(), move || {
        let view_state = RwSignal::new(state);
        view! { <DashboardPage dashboard=dashboard view_state=view_state start_ms=1_700_000_000_000 state_namespace="shipped.test".to_string() /> }
    });
    (root, handle)
}

#[wasm_bindgen_test]
async fn an_unreachable_datasource_fails_each_panel_with_a_message_and_text_still_renders() {
    let (root, handle) = mount_dashboard("?datasource=http%3A%2F%2F127.0.0.1%3A9");
    for panel in ["rate", "errors"] {
        let element = wait_for_state(&root, panel, "error").await;
        let text = element.text_content().unwrap_or_default();
        assert!(
            text.contains("Cannot reach Prometheus at http://127.0.0.1:9"),
            "{text}"
        );
    }
    // The step follows the panel's drawn width: one sample per pixel column at most.
    let rate = root.query_selector("[data-panel=rate]").unwrap().unwrap();
    let width = rate
        .query_selector(".panel-body")
        .unwrap()
        .unwrap()
        .client_width();
    let expected = step_for_range(6.0 * 3600.0, u32::try_from(width).unwrap(), 1.0);
    assert_eq!(
        rate.get_attribute("data-step"),
        Some(expected.to_string()),
        "panel body is {width}px wide"
    );
    wait_for_state(&root, "notes", "ok").await;
    drop(handle);
}

#[wasm_bindgen_test]
async fn markdown_is_rendered_safely() {
    let (root, handle) = mount_dashboard("?datasource=http%3A%2F%2F127.0.0.1%3A9");
    let notes = wait_for_state(&root, "notes", "ok").await;
    assert!(
        notes.query_selector("script").unwrap().is_none(),
        "no script element is created"
    );
    assert!(
        notes
            .text_content()
            .unwrap()
            .contains("<script>window.hacked = 1</script>"),
        "HTML is shown as text"
    );
    assert_eq!(
        notes
            .query_selector("strong")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap(),
        "world"
    );
    assert!(
        notes.query_selector("a").unwrap().is_none(),
        "javascript: links are not links"
    );
    assert!(
        js_sys::Reflect::get(&web_sys::window().unwrap(), &"hacked".into())
            .unwrap()
            .is_undefined()
    );
    drop(handle);
}

#[wasm_bindgen_test]
async fn a_reversed_range_is_reported_and_the_default_range_used() {
    let (root, handle) =
        mount_dashboard("?datasource=http%3A%2F%2F127.0.0.1%3A9&from=now-7d&to=now-8d");
    sleep_ms(0).await;
    let alert = root
        .query_selector("[role=alert]")
        .unwrap()
        .expect("problem shown")
        .text_content()
        .unwrap();
    assert!(alert.contains("empty or reversed"), "{alert}");
    let rate = wait_for_state(&root, "rate", "error").await;
    let (start, end): (f64, f64) = (
        rate.get_attribute("data-start").unwrap().parse().unwrap(),
        rate.get_attribute("data-end").unwrap().parse().unwrap(),
    );
    assert!(
        (end - start - 6.0 * 3600.0).abs()
            <= 2.0
                * rate
                    .get_attribute("data-step")
                    .unwrap()
                    .parse::<f64>()
                    .unwrap()
    );
    drop(handle);
}

/// A measurement, not an assertion: forecast + anomaly scores + crossing for a
/// 10,000-point series, in this browser's WebAssembly.
#[wasm_bindgen_test]
fn analytics_cost_for_ten_thousand_points() {
    use foresight_core::analytics::panel_overlays::{overlay_for, BaselineReference};
    use foresight_core::model::dashboard::{
        BaselineKind, CrossingOption, ForecastKind, ForesightOptions, Sensitivity,
    };
    use foresight_core::query::step::QueryWindow;
    let step = 60.0;
    let timestamps: Vec<f64> = (0..10_000)
        .map(|i| 1_700_000_000.0 + step * f64::from(i))
        .collect();
    let values: Vec<f64> = (0..10_000)
        .map(|i| {
            100.0
                + 30.0 * (std::f64::consts::TAU * f64::from(i % 1440) / 1440.0).sin()
                + f64::from((i * 7919) % 13)
        })
        .collect();
    let series = Series {
        labels: Labels::new(),
        timestamps: timestamps.clone(),
        values,
    };
    let window = QueryWindow {
        start: timestamps[0],
        end: timestamps[9_999],
        step,
    };
    let performance = web_sys::window().unwrap().performance().unwrap();
    // The band's reference: the same shape a week earlier (already shifted onto the axis).
    let reference: BaselineReference = Ok(vec![series.clone()]);
    for (name, forecast, baseline) in [
        (
            "linear forecast + week-ago band",
            ForecastKind::Linear,
            BaselineKind::WeekAgo,
        ),
        (
            "seasonal forecast + time-of-day band",
            ForecastKind::Seasonal,
            BaselineKind::Seasonal,
        ),
    ] {
        let options = ForesightOptions {
            forecast: Some(forecast),
            anomalies: true,
            crossing: Some(CrossingOption {
                value: 0.0,
                label: "empty".into(),
                window_seconds: 3600.0,
                max_seconds: 1e9,
            }),
            baseline: Some(baseline),
            forecast_horizon: None,
            sensitivity: Sensitivity::Medium,
        };
        // Repeated: the first call also pays for the engine's compilation tiers.
        let mut timings = Vec::new();
        let mut overlay = None;
        for _ in 0..7 {
            let started = performance.now();
            overlay = Some(overlay_for(&series, &window, &options, Some(&reference)));
            timings.push(performance.now() - started);
        }
        let overlay = overlay.unwrap();
        let first = timings[0];
        timings.sort_by(f64::total_cmp);
        let (median, worst) = (timings[3], timings[6]);
        assert!(overlay.forecast.is_some());
        assert!(
            matches!(overlay.baseline, Some(Ok(_))),
            "{name}: {:?}",
            overlay.baseline.as_ref().map(|b| b.as_ref().err())
        );
        assert_eq!(overlay.scores.len(), 10_000);
        web_sys::console::log_1(&format!("analytics for 10k points ({name} + anomaly scores + incidents + crossing): median {median:.1} ms, first {first:.1} ms, worst {worst:.1} ms of 7").into());
    }
}

fn wasm_memory_bytes() -> f64 {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    let buffer: js_sys::ArrayBuffer = memory.buffer().unchecked_into();
    f64::from(buffer.byte_length())
}

/// Three series of 300 samples, shifted `minutes` along the time axis.
fn refreshed_result(minutes: u32) -> foresight::dashboard::panel_context::PanelResult {
    let start = 1_700_000_000.0 + 60.0 * f64::from(minutes);
    let series = (0..3)
        .map(|k| {
            let timestamps: Vec<f64> = (0..300).map(|i| start + f64::from(i) * 60.0).collect();
            let values = timestamps
                .iter()
                .map(|t| (t / 600.0).sin() + f64::from(k))
                .collect();
            foresight::dashboard::panel_context::NamedSeries {
                name: format!("series {k}"),
                series: Series {
                    labels: [("status".to_string(), format!("{k}00"))].into(),
                    timestamps,
                    values,
                },
                look: Default::default(),
            }
        })
        .collect();
    foresight::dashboard::panel_context::PanelResult {
        series,
        ..Default::default()
    }
}

/// Auto-refresh replaces a time-series panel's result every few seconds for
/// hours. wasm memory never shrinks, so anything a refresh leaves behind shows
/// up as growth. (A legend row holding a reactive closure once kept 0.3 KB per
/// refresh: 600 KB over this test.)
/// The first minute of a five-hour window of minutes, `minutes` after a fixed start.
fn test_window(minutes: u32) -> Option<foresight_core::query::step::QueryWindow> {
    let start = 1_700_000_000.0 + 60.0 * f64::from(minutes);
    Some(foresight_core::query::step::QueryWindow {
        start,
        end: start + 299.0 * 60.0,
        step: 60.0,
    })
}

/// The test dashboard's first panel as a time-series body (linear forecast and
/// anomalies on) drawing `result` over `window`, mounted in `root`.
fn mount_time_series_body(
    root: &HtmlElement,
    result: RwSignal<Option<foresight::dashboard::panel_context::PanelResult>>,
    window: RwSignal<Option<foresight_core::query::step::QueryWindow>>,
) -> leptos::mount::UnmountHandle<impl Mountable> {
    use foresight::dashboard::panel_context::PanelContext;
    use foresight::dashboard::panels::TimeSeriesBody;
    use foresight_core::model::dashboard::{
        ForecastKind, ForesightOptions, LineStyle, OverlayToggles,
    };
    use foresight_core::model::datasource::Datasource;
    use foresight_core::query::time_range::ResolvedRange;
    let panel = Dashboard::from_json(TEST_DASHBOARD).unwrap().panels[0].clone();
    leptos::mount::mount_to(root.clone(), move || {
        let context = PanelContext {
            datasource: Datasource::parse("http://127.0.0.1:9").unwrap(),
            range: ResolvedRange {
                start_ms: 1_700_000_000_000,
                end_ms: 1_700_018_000_000,
            },
            variables: Default::default(),
            scrape_interval_seconds: 15.0,
            hover_time: RwSignal::new(None),
            zoom_request: RwSignal::new(None),
            range_cache: StoredValue::new(Default::default()),
        };
        let foresight = Signal::derive(|| ForesightOptions {
            forecast: Some(ForecastKind::Linear),
            anomalies: true,
            ..Default::default()
        });
        view! {
            <TimeSeriesBody panel=panel context=context result=result.into() window=window.into()
                drawn=RwSignal::new(false) style=LineStyle::Lines zero_line=false foresight=foresight
                reference=Signal::derive(|| None) on_overlays=Callback::new(|_: OverlayToggles| {}) />
        }
    })
}

/// The row of every pixel of `rgb`, top to bottom.
fn rows_of(canvas: &HtmlCanvasElement, rgb: (u8, u8, u8)) -> Vec<usize> {
    let context: CanvasRenderingContext2d =
        canvas.get_context("2d").unwrap().unwrap().unchecked_into();
    let width = canvas.width() as usize;
    let data = context
        .get_image_data(0.0, 0.0, canvas.width().into(), canvas.height().into())
        .unwrap()
        .data();
    data.chunks(4)
        .enumerate()
        .filter(|(_, p)| (p[0], p[1], p[2]) == rgb)
        .map(|(k, _)| k / width)
        .collect()
}

/// How many rows of pixels `rgb` spans, from its highest to its lowest pixel.
fn pixel_span(canvas: &HtmlCanvasElement, rgb: (u8, u8, u8)) -> usize {
    let rows = rows_of(canvas, rgb);
    rows.iter()
        .max()
        .zip(rows.iter().min())
        .map_or(0, |(high, low)| high - low)
}

/// Rows of pixels of `rgb`: (how many, their mean row).
fn pixel_rows(canvas: &HtmlCanvasElement, rgb: (u8, u8, u8)) -> (usize, f64) {
    let rows = rows_of(canvas, rgb);
    let mean = rows.iter().sum::<usize>() as f64 / rows.len().max(1) as f64;
    (rows.len(), mean)
}

#[wasm_bindgen_test]
async fn series_overrides_colour_rename_mirror_and_hide_series() {
    let root = container();
    let style = document().create_element("style").unwrap();
    style.set_text_content(Some(
        ".sized canvas { width: 600px; height: 200px; display: block; }",
    ));
    root.append_child(&style).unwrap();
    root.set_class_name("sized");
    let mut result = refreshed_result(0);
    // Series 0 (values around 0) in magenta under another name; series 1
    // (around 1) out of the legend; series 2 (around 2) mirrored below zero.
    result.series[0].look = SeriesLook {
        color: Some("#ff00ff".into()),
        ..SeriesLook::default()
    };
    result.series[0].name = "renamed".into();
    result.series[1].look.hide_in_legend = true;
    result.series[2].look.negative = true;
    let result = RwSignal::new(Some(result));
    let _handle = mount_time_series_body(&root, result, RwSignal::new(test_window(0)));
    let canvas: HtmlCanvasElement = root
        .query_selector("canvas")
        .unwrap()
        .unwrap()
        .unchecked_into();
    let mut magenta = (0, 0.0);
    for _ in 0..100 {
        sleep_ms(20).await;
        magenta = pixel_rows(&canvas, (255, 0, 255));
        if magenta.0 > 0 {
            break;
        }
    }
    let palette_0 = pixel_rows(&canvas, SERIES_COLORS[0]);
    let mirrored = pixel_rows(&canvas, SERIES_COLORS[2]);
    assert!(
        magenta.0 > 100,
        "the override's colour is drawn: {magenta:?}"
    );
    assert_eq!(palette_0.0, 0, "and not the palette's");
    assert!(mirrored.0 > 100, "{mirrored:?}");
    assert!(
        mirrored.1 > magenta.1 + 40.0,
        "the mirrored series (around -2) is drawn below the one around 0: {mirrored:?} {magenta:?}"
    );
    let legend: Vec<String> = (0..root.query_selector_all("tr[data-series]").unwrap().length())
        .map(|k| {
            root.query_selector_all("tr[data-series]")
                .unwrap()
                .item(k)
                .unwrap()
                .unchecked_into::<web_sys::Element>()
                .get_attribute("data-series")
                .unwrap()
        })
        .collect();
    assert_eq!(legend, ["renamed", "series 2"]);
    // In another unit, a series gets a scale of its own (on the right), so
    // its wave spans more of the chart than on the shared scale.
    let shared_span = pixel_span(&canvas, SERIES_COLORS[1]);
    result.update(|r| r.as_mut().unwrap().series[1].look.unit = Some(Unit::Percent));
    sleep_ms(100).await;
    let own_span = pixel_span(&canvas, SERIES_COLORS[1]);
    assert!(
        own_span as f64 > shared_span as f64 * 1.5,
        "{own_span} rows on its own scale, {shared_span} on the shared one"
    );
    // Hidden from the chart: its colour is gone.
    result.update(|r| r.as_mut().unwrap().series[2].look.hide_in_chart = true);
    sleep_ms(100).await;
    assert_eq!(pixel_rows(&canvas, SERIES_COLORS[2]).0, 0);
    root.remove();
}

#[wasm_bindgen_test]
async fn a_chart_redraws_when_its_panel_changes_size() {
    // A panel made narrower in the editor changes size without any window resize.
    let root = container();
    // As the app's stylesheet does: the canvas fills its panel.
    let style = document().create_element("style").unwrap();
    style.set_text_content(Some(
        ".sized canvas { width: 100%; height: 200px; display: block; }",
    ));
    root.append_child(&style).unwrap();
    root.set_class_name("sized");
    let _handle = mount_time_series_body(
        &root,
        RwSignal::new(Some(refreshed_result(0))),
        RwSignal::new(test_window(0)),
    );
    let canvas = || -> HtmlCanvasElement {
        root.query_selector("canvas")
            .unwrap()
            .unwrap()
            .unchecked_into()
    };
    sleep_ms(50).await;
    let wide = canvas().width();
    let ratio = web_sys::window().unwrap().device_pixel_ratio();
    assert_eq!(
        f64::from(wide),
        (f64::from(canvas().client_width()) * ratio).round()
    );
    root.set_attribute("style", "width: 450px").unwrap();
    let mut narrow = wide;
    for _ in 0..100 {
        sleep_ms(20).await;
        narrow = canvas().width();
        if narrow != wide {
            break;
        }
    }
    assert!(
        narrow < wide,
        "the canvas kept {wide} device pixels after its panel narrowed"
    );
    assert_eq!(
        f64::from(narrow),
        (f64::from(canvas().client_width()) * ratio).round()
    );
    // No redraw loop: the size stays put once drawn.
    sleep_ms(200).await;
    assert_eq!(canvas().width(), narrow);
    root.remove();
}

#[wasm_bindgen_test]
async fn refreshing_a_time_series_panel_does_not_grow_memory() {
    let root = container();
    let result = RwSignal::new(Some(refreshed_result(0)));
    let window = RwSignal::new(test_window(0));
    let handle = mount_time_series_body(&root, result, window);
    let mut refreshes = 0;
    let mut refresh = move || {
        refreshes += 1;
        window.set(test_window(refreshes));
        result.set(Some(refreshed_result(refreshes)));
    };
    // Warm up: allocator pools and caches reach their working size.
    for _ in 0..200 {
        refresh();
        sleep_ms(0).await;
    }
    // Clicking a legend row shows only that series (the others are dimmed); again, all.
    let dimmed = || root.query_selector_all("tr.dimmed").unwrap().length();
    let first_row = || -> HtmlElement {
        root.query_selector("tr[data-series]")
            .unwrap()
            .unwrap()
            .unchecked_into()
    };
    first_row().click();
    sleep_ms(0).await;
    assert_eq!(dimmed(), 2);
    first_row().click();
    sleep_ms(0).await;
    assert_eq!(dimmed(), 0);
    let before = wasm_memory_bytes();
    let rounds = 2000;
    for round in 0..rounds {
        refresh();
        if round % 500 == 0 {
            // Isolating a series from the legend is part of normal use too.
            let row: HtmlElement = root
                .query_selector("tr[data-series]")
                .unwrap()
                .unwrap()
                .unchecked_into();
            row.click();
        }
        sleep_ms(0).await;
    }
    let grown = wasm_memory_bytes() - before;
    assert_eq!(
        root.query_selector_all("tr[data-series]").unwrap().length(),
        3
    );
    web_sys::console::log_1(
        &format!(
            "wasm memory over {rounds} refreshes: {:.0} KB ({:.3} KB per refresh)",
            grown / 1024.0,
            grown / 1024.0 / f64::from(rounds)
        )
        .into(),
    );
    // Two 64 KB pages of slack for allocator fragmentation.
    assert!(
        grown <= 131_072.0,
        "wasm memory grew {grown} bytes over {rounds} refreshes"
    );
    drop(handle);
}
