//! Where a chart draws events: a moment is a thin mark at its time, a region a
//! shaded span. Moments a few pixels apart share one mark whose hover text
//! lists them all, so a burst of a hundred restarts stays one readable mark
//! and the page never holds thousands of elements.

/// Marks drawn on one chart at most; past it the rest are counted in the last.
pub const MAX_MARKS: usize = 200;
/// Lines of hover text one mark lists before "and N more".
const MAX_LINES: usize = 8;
/// Characters of one hover line (its title comes from labels, which anyone
/// writing to the datasource chooses).
const MAX_LINE_CHARS: usize = 200;

/// `line` cut to [`MAX_LINE_CHARS`] characters.
fn hover_line(line: &str) -> String {
    match line.char_indices().nth(MAX_LINE_CHARS) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_string(),
    }
}

/// One event as a chart gets it: its time span (seconds), the source it came
/// from (an index into the page's list of sources) and its hover line.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartEvent {
    pub start: f64,
    pub end: f64,
    pub source: usize,
    pub line: String,
}

/// A mark on the chart, in pixels from the chart's left edge.
#[derive(Debug, Clone, PartialEq)]
pub struct EventMark {
    pub left: f64,
    /// Zero for a moment.
    pub width: f64,
    /// The source of its first event (its colour).
    pub source: usize,
    /// Hover text, one line per event.
    pub text: String,
    pub count: usize,
}

/// Marks for `events` on a chart showing `start..end` seconds, where `x`
/// gives a time's pixel; moments closer than `merge_px` share a mark.
pub fn event_marks(
    events: &[ChartEvent],
    start: f64,
    end: f64,
    x: impl Fn(f64) -> f64,
    merge_px: f64,
) -> Vec<EventMark> {
    let mut visible: Vec<&ChartEvent> = events
        .iter()
        .filter(|e| e.start.is_finite() && e.end.is_finite())
        .filter(|e| e.end >= start && e.start <= end)
        .collect();
    crate::foundation::ordered::sort_stable_by(&mut visible, |a, b| a.start.total_cmp(&b.start));
    // (mark, its hover lines) while they are built.
    let mut marks: Vec<(EventMark, Vec<String>)> = Vec::new();
    for event in visible {
        let left = x(event.start.max(start));
        let right = x(event.end.min(end));
        let is_moment = event.end <= event.start;
        let joins = marks
            .last()
            .is_some_and(|(last, _)| is_moment && last.width == 0.0 && left - last.left < merge_px);
        let room = marks.len() < MAX_MARKS;
        match marks.last_mut() {
            // Only the lines shown are kept; the rest are counted.
            Some((last, lines)) if joins => {
                last.count += 1;
                if lines.len() < MAX_LINES {
                    lines.push(hover_line(&event.line));
                }
            }
            _ if room => marks.push((
                EventMark {
                    left,
                    width: if is_moment {
                        0.0
                    } else {
                        (right - left).max(1.0)
                    },
                    source: event.source,
                    text: String::new(),
                    count: 1,
                },
                vec![hover_line(&event.line)],
            )),
            // Past the cap, the last mark counts the rest.
            Some((last, lines)) => {
                last.count += 1;
                if lines.len() < MAX_LINES {
                    lines.push(hover_line(&event.line));
                }
            }
            None => {}
        }
    }
    marks
        .into_iter()
        .map(|(mut mark, lines)| {
            let mut text = lines.join("\n");
            if mark.count > lines.len() {
                text.push_str(&format!("\n… and {} more", mark.count - lines.len()));
            }
            mark.text = text;
            mark
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moment(at: f64, source: usize, line: &str) -> ChartEvent {
        ChartEvent {
            start: at,
            end: at,
            source,
            line: line.into(),
        }
    }

    #[test]
    fn close_moments_share_a_mark_and_regions_stay_apart() {
        let events = [
            moment(10.0, 0, "a restarted"),
            moment(11.0, 1, "a deployed 2"),
            moment(50.0, 0, "b restarted"),
            ChartEvent {
                start: 40.0,
                end: 200.0,
                source: 2,
                line: "b down".into(),
            },
            moment(500.0, 0, "out of range"),
        ];
        // One pixel per second.
        let marks = event_marks(&events, 0.0, 100.0, |t| t, 4.0);
        assert_eq!(marks.len(), 3, "{marks:?}");
        assert_eq!(
            (marks[0].left, marks[0].count, marks[0].text.as_str()),
            (10.0, 2, "a restarted\na deployed 2")
        );
        // The region is clipped to the chart.
        assert_eq!((marks[1].left, marks[1].width), (40.0, 60.0));
        assert_eq!((marks[2].left, marks[2].source), (50.0, 0));
    }

    #[test]
    fn thousands_of_events_make_a_bounded_number_of_marks() {
        let events: Vec<ChartEvent> = (0..5000)
            .map(|k| moment(f64::from(k) * 10.0, 0, "restart"))
            .collect();
        // Ten seconds apart is ten pixels apart here: no merging.
        let marks = event_marks(&events, 0.0, 50_000.0, |t| t, 4.0);
        assert_eq!(marks.len(), MAX_MARKS);
        assert_eq!(marks.iter().map(|m| m.count).sum::<usize>(), 5000);
        let last = marks.last().unwrap();
        assert!(last
            .text
            .ends_with(&format!("… and {} more", last.count - 8)));
        // A narrow chart merges them instead.
        let narrow = event_marks(&events, 0.0, 50_000.0, |t| t / 100.0, 4.0);
        assert!(narrow.len() < 200 && narrow.len() > 100, "{}", narrow.len());
    }

    #[test]
    fn hover_text_stays_short_whatever_the_titles() {
        let long = "x".repeat(100_000);
        let events: Vec<ChartEvent> = (0..1000).map(|_| moment(5.0, 0, &long)).collect();
        let marks = event_marks(&events, 0.0, 100.0, |t| t, 4.0);
        assert_eq!((marks.len(), marks[0].count), (1, 1000));
        assert!(marks[0].text.chars().count() < 9 * (MAX_LINE_CHARS + 2) + 20);
        assert!(marks[0].text.ends_with("… and 992 more"));
        assert_eq!(
            hover_line("é".repeat(300).as_str()).chars().count(),
            MAX_LINE_CHARS + 1
        );
    }
}
