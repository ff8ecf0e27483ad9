//! Spans people write in dashboards and rules (`30m`, `4h`, `2d`, `1w`).

/// Seconds of a span such as `90s`, `30m`, `4h`, `2d` or `1w`.
pub fn parse_span(text: &str) -> Result<f64, String> {
    let text = text.trim();
    let problem = || format!("{text:?} is not a duration like 30m, 4h, 2d or 1w");
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(problem)?;
    let amount: u32 = text[..split].parse().map_err(|_| problem())?;
    let unit = match &text[split..] {
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        "d" => 86_400.0,
        "w" => 604_800.0,
        _ => return Err(problem()),
    };
    let seconds = f64::from(amount) * unit;
    (seconds > 0.0).then_some(seconds).ok_or_else(problem)
}
