fn main() {
    console_error_panic_hook::set_once();
    // When the app's code starts (for the time-to-dashboard benchmark).
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark("foresight:start");
    }
    // The benchmark build's page drives the chart itself: no dashboard there.
    #[cfg(feature = "bench")]
    if web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|search| search.contains("chart-benchmark"))
    {
        return;
    }
    // Inside another page's frame that page could lure clicks onto Accept:
    // the frame guard script empties the page, but trunk's loader may already
    // have started this code, so the app refuses too.
    if foresight::browser::location::is_framed() {
        return;
    }
    leptos::mount::mount_to_body(foresight::app::App);
}
