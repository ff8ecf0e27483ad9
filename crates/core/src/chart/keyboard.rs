//! What a key does on a focused chart, so every chart can be read and steered
//! without a pointer: ←/→ move the crosshair one step (with Shift, ten),
//! Home/End jump to the ends, + and − zoom around the crosshair, 1–9 show one
//! series alone and 0 shows them all again, Escape leaves the crosshair.

/// Where a chart is when a key is pressed (seconds, series counts).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChartKeyState {
    pub start: f64,
    /// The last sample time the range asks for.
    pub end: f64,
    /// The right edge of the axis (past `end` when a forecast is drawn).
    pub axis_end: f64,
    pub step: f64,
    pub crosshair: Option<f64>,
    /// The oldest and newest samples shown (Home and End go there; samples
    /// fall on the steps, which need not meet the range's ends).
    pub samples: Option<(f64, f64)>,
    pub series_count: usize,
    /// The latest time there can be data for; zooming out stops there.
    pub now: f64,
}

/// A key with Ctrl, Alt or Meta (⌘) held is the browser's (page zoom, tabs,
/// history), never the chart's.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct KeyPress<'a> {
    pub key: &'a str,
    pub shift: bool,
    pub browser_modifier: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ChartKeyAction {
    MoveCrosshair(f64),
    /// Show this time range (from, to).
    Zoom(f64, f64),
    /// Show only this series (`None`: all of them).
    Isolate(Option<usize>),
    LeaveCrosshair,
}

/// Ten steps with Shift.
const LONG_MOVE: f64 = 10.0;
/// A zoom range is never shorter than this many steps.
const MIN_ZOOM_STEPS: f64 = 4.0;

/// The action for `key` (a `KeyboardEvent.key` value), or `None` where the
/// key means nothing to a chart (and should do what it does elsewhere).
pub fn chart_key(press: KeyPress<'_>, state: &ChartKeyState) -> Option<ChartKeyAction> {
    let KeyPress {
        key,
        shift,
        browser_modifier,
    } = press;
    if browser_modifier {
        return None;
    }
    let ChartKeyState {
        start,
        end,
        axis_end,
        step,
        ..
    } = *state;
    if !(start.is_finite() && axis_end.is_finite() && axis_end > start && step > 0.0) {
        return None;
    }
    let (first, latest) = state.samples.unwrap_or((start, end));
    // With no crosshair yet, the first move starts from the latest sample.
    let at = state
        .crosshair
        .filter(|t| (start..=axis_end).contains(t))
        .unwrap_or(latest);
    let stride = if shift { step * LONG_MOVE } else { step };
    let action = match key {
        "ArrowLeft" | "ArrowRight" if state.crosshair.is_none() => {
            ChartKeyAction::MoveCrosshair(latest)
        }
        "ArrowLeft" => ChartKeyAction::MoveCrosshair((at - stride).max(start)),
        "ArrowRight" => ChartKeyAction::MoveCrosshair((at + stride).min(axis_end)),
        "Home" => ChartKeyAction::MoveCrosshair(first),
        "End" => ChartKeyAction::MoveCrosshair(latest),
        "+" | "=" => {
            let half = ((end - start) / 4.0).max(step * MIN_ZOOM_STEPS / 2.0);
            let (from, to) = (at - half, at + half);
            // Keep the narrower range inside the one shown.
            let shift_right = (start - from).max(0.0);
            let shift_left = (to - end).max(0.0);
            let from = (from + shift_right - shift_left).max(start);
            let to = (to + shift_right - shift_left).min(end);
            // Already as narrow as it goes: nothing to do (a zoom would only
            // fix a live range in place).
            if !(to > from && to - from < end - start) {
                return None;
            }
            ChartKeyAction::Zoom(from, to)
        }
        "-" | "_" => {
            let half = (end - start) / 2.0;
            let to = (end + half).min(state.now.max(end));
            ChartKeyAction::Zoom(start - half, to.max(start + half))
        }
        "0" => ChartKeyAction::Isolate(None),
        "Escape" if state.crosshair.is_some() => ChartKeyAction::LeaveCrosshair,
        digit if digit.len() == 1 && digit.as_bytes()[0].is_ascii_digit() => {
            let index = usize::from(digit.as_bytes()[0] - b'1');
            (index < state.series_count).then_some(ChartKeyAction::Isolate(Some(index)))?
        }
        _ => return None,
    };
    Some(action)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(key: &str, shift: bool) -> KeyPress<'_> {
        KeyPress {
            key,
            shift,
            browser_modifier: false,
        }
    }

    fn state(crosshair: Option<f64>) -> ChartKeyState {
        ChartKeyState {
            start: 1000.0,
            end: 2000.0,
            axis_end: 2500.0,
            step: 10.0,
            crosshair,
            samples: Some((1003.0, 1993.0)),
            series_count: 3,
            now: 2005.0,
        }
    }

    #[test]
    fn arrows_move_the_crosshair_inside_the_axis() {
        use ChartKeyAction::MoveCrosshair;
        assert_eq!(
            chart_key(press("ArrowLeft", false), &state(None)),
            Some(MoveCrosshair(1993.0))
        );
        assert_eq!(
            chart_key(press("ArrowRight", false), &state(None)),
            Some(MoveCrosshair(1993.0))
        );
        assert_eq!(
            chart_key(press("ArrowLeft", false), &state(Some(1500.0))),
            Some(MoveCrosshair(1490.0))
        );
        assert_eq!(
            chart_key(press("ArrowLeft", true), &state(Some(1500.0))),
            Some(MoveCrosshair(1400.0))
        );
        assert_eq!(
            chart_key(press("ArrowLeft", true), &state(Some(1005.0))),
            Some(MoveCrosshair(1000.0))
        );
        assert_eq!(
            chart_key(press("ArrowRight", true), &state(Some(2495.0))),
            Some(MoveCrosshair(2500.0)),
            "into the forecast"
        );
        // Home and End go to the samples, not to the range's ends.
        assert_eq!(
            chart_key(press("Home", false), &state(Some(1500.0))),
            Some(MoveCrosshair(1003.0))
        );
        assert_eq!(
            chart_key(press("End", false), &state(Some(1500.0))),
            Some(MoveCrosshair(1993.0))
        );
    }

    #[test]
    fn zooming_stays_inside_the_range_and_stops_at_now() {
        assert_eq!(
            chart_key(press("+", false), &state(Some(1500.0))),
            Some(ChartKeyAction::Zoom(1250.0, 1750.0))
        );
        assert_eq!(
            chart_key(press("+", false), &state(Some(1010.0))),
            Some(ChartKeyAction::Zoom(1000.0, 1500.0))
        );
        assert_eq!(
            chart_key(press("=", false), &state(None)),
            Some(ChartKeyAction::Zoom(1500.0, 2000.0))
        );
        assert_eq!(
            chart_key(press("-", false), &state(None)),
            Some(ChartKeyAction::Zoom(500.0, 2005.0))
        );
        let narrow = ChartKeyState {
            start: 1000.0,
            end: 1010.0,
            ..state(Some(1005.0))
        };
        assert_eq!(
            chart_key(press("+", false), &narrow),
            None,
            "already four steps or fewer: nothing to zoom into"
        );
    }

    #[test]
    fn digits_isolate_existing_series_and_other_keys_pass_through() {
        assert_eq!(
            chart_key(press("2", false), &state(None)),
            Some(ChartKeyAction::Isolate(Some(1)))
        );
        assert_eq!(
            chart_key(press("4", false), &state(None)),
            None,
            "only three series"
        );
        assert_eq!(
            chart_key(press("0", false), &state(None)),
            Some(ChartKeyAction::Isolate(None))
        );
        assert_eq!(
            chart_key(press("Escape", false), &state(Some(1500.0))),
            Some(ChartKeyAction::LeaveCrosshair)
        );
        assert_eq!(
            chart_key(press("Escape", false), &state(None)),
            None,
            "Escape without a crosshair is left to the page"
        );
        // Ctrl/⌘/Alt with a key is the browser's: page zoom, tabs, history.
        for key in ["+", "-", "0", "1", "ArrowLeft", "Home"] {
            let modified = KeyPress {
                key,
                shift: false,
                browser_modifier: true,
            };
            assert_eq!(chart_key(modified, &state(Some(1500.0))), None, "{key}");
        }
        assert_eq!(chart_key(press("Tab", false), &state(None)), None);
        assert_eq!(chart_key(press("é", false), &state(None)), None);
        let empty = ChartKeyState {
            axis_end: 1000.0,
            ..state(None)
        };
        assert_eq!(chart_key(press("ArrowLeft", false), &empty), None);
    }
}
