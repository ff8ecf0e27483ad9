//! Component tests in a real headless Chromium (wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use foresight::app::Dashboard;
use foresight::time_series_chart::{draw_time_series, ChartFrame, SERIES_COLORS};
use foresight_core::query_step::step_for_range;
use foresight_core::series::{Labels, Series};
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

#[wasm_bindgen_test]
fn chart_draws_each_series_at_device_resolution_and_keeps_gaps() {
    let holder = container();
    let canvas: HtmlCanvasElement = document()
        .create_element("canvas")
        .unwrap()
        .unchecked_into();
    canvas
        .set_attribute("style", "width: 600px; height: 200px; display: block")
        .unwrap();
    holder.append_child(&canvas).unwrap();
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
        utc_offset_minutes: 0,
    };
    draw_time_series(&canvas, &[rising, gappy], &frame).unwrap();

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
    let plot_left = 64.0 * ratio; // y label area + margin, approximately
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
fn chart_with_no_series_still_draws_axes() {
    let holder = container();
    let canvas: HtmlCanvasElement = document()
        .create_element("canvas")
        .unwrap()
        .unchecked_into();
    canvas
        .set_attribute("style", "width: 300px; height: 100px; display: block")
        .unwrap();
    holder.append_child(&canvas).unwrap();
    let frame = ChartFrame {
        start: 0.0,
        end: 3600.0,
        step: 15.0,
        utc_offset_minutes: 0,
    };
    draw_time_series(&canvas, &[], &frame).unwrap();
    assert!(
        count_pixels(&canvas, (22, 31, 46)) > 1000,
        "background painted"
    );
}

#[wasm_bindgen_test]
async fn unreachable_datasource_puts_the_panel_in_error_state_with_a_message() {
    let root = container();
    let handle = leptos::mount::mount_to(root.clone(), || {
        view! { <Dashboard query_string="?datasource=http%3A%2F%2F127.0.0.1%3A9".to_string() now_ms=1_700_000_000_000 /> }
    });
    let panel = wait_for_state(&root, "request-rate-by-status", "error").await;
    let text = panel.text_content().unwrap_or_default();
    assert!(
        text.contains("Cannot reach Prometheus at http://127.0.0.1:9"),
        "{text}"
    );
    // The step follows the canvas's drawn width: one sample per pixel column at most.
    let width = panel
        .query_selector("canvas")
        .unwrap()
        .unwrap()
        .client_width();
    let expected = step_for_range(6.0 * 3600.0, u32::try_from(width).unwrap(), 1.0);
    assert_eq!(
        panel.get_attribute("data-step"),
        Some(expected.to_string()),
        "canvas is {width}px wide"
    );
    drop(handle);
}

#[wasm_bindgen_test]
async fn broken_url_parameters_are_reported_and_defaults_used() {
    let root = container();
    let handle = leptos::mount::mount_to(root.clone(), || {
        view! { <Dashboard query_string="?datasource=ftp%3A%2F%2Fx&from=now-7d&to=now-8d".to_string() now_ms=1_700_000_000_000 /> }
    });
    sleep_ms(0).await;
    let problems = root
        .query_selector("[data-testid=url-problems]")
        .unwrap()
        .expect("problems shown")
        .text_content()
        .unwrap();
    assert!(problems.contains("not an http(s) URL"), "{problems}");
    assert!(problems.contains("empty or reversed"), "{problems}");
    let range = root
        .query_selector("[data-testid=time-range]")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert_eq!(range, "now-6h → now");
    drop(handle);
}
