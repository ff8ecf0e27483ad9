//! The options of the analytics overlays, as a panel (and an alert rule)
//! configures them: forecast, baseline, anomalies, crossing and sensitivity.
//! They live with the feature; the dashboard model refers to them.

use crate::foundation::span::parse_span;

use serde::{Deserialize, Serialize};

crate::foundation::json_serde::json_as_name!(
    BaselineKind => id,
    Sensitivity => id,
    ForecastKind => id,
);

/// The "sees ahead" options of a time-series panel, read from (and written
/// into) the panel's own object.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ForesightOptions {
    /// Draw a forecast past the end of the range, with 80 % and 95 % bands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forecast: Option<ForecastKind>,
    /// How far the forecast reaches (`30m`, `4h`, `2d`); default a quarter of the range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forecast_horizon: Option<String>,
    /// Mark points the causal detector finds anomalous.
    #[serde(
        default,
        skip_serializing_if = "crate::foundation::json_serde::is_false"
    )]
    pub anomalies: bool,
    /// Say when each series is expected to reach a value (e.g. 0 free bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crossing: Option<CrossingOption>,
    /// Draw the range the series normally lives in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineKind>,
    /// How readily anomalies are reported and how wide baseline bands are.
    #[serde(default, skip_serializing_if = "Sensitivity::is_default")]
    pub sensitivity: Sensitivity,
}

impl ForesightOptions {
    /// The overlays a viewer can switch on and off (everything but crossings).
    pub fn toggles(&self) -> OverlayToggles {
        OverlayToggles {
            forecast: self.forecast,
            baseline: self.baseline,
            anomalies: self.anomalies,
            sensitivity: self.sensitivity,
        }
    }

    /// These options with the viewer's choice of overlays.
    pub fn with_toggles(&self, toggles: OverlayToggles) -> Self {
        Self {
            forecast: toggles.forecast,
            baseline: toggles.baseline,
            anomalies: toggles.anomalies,
            sensitivity: toggles.sensitivity,
            crossing: self.crossing.clone(),
            forecast_horizon: self.forecast_horizon.clone(),
        }
    }

    /// How far past the end of a `range_seconds` range the forecast reaches
    /// (`None` when there is no forecast).
    pub fn horizon_seconds(&self, range_seconds: f64) -> Option<f64> {
        self.forecast?;
        Some(
            self.forecast_horizon
                .as_deref()
                .and_then(|text| parse_span(text).ok())
                .unwrap_or(range_seconds / 4.0),
        )
    }
}

/// Where a baseline band comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaselineKind {
    /// The same query one day earlier (`offset 1d`), ± its robust spread.
    DayAgo,
    /// The same query one week earlier (`offset 1w`), ± its robust spread.
    WeekAgo,
    /// Median ± k·MAD of the last week's values at the same time of day.
    Seasonal,
}

impl BaselineKind {
    pub const ALL: [BaselineKind; 3] = [Self::DayAgo, Self::WeekAgo, Self::Seasonal];

    pub fn id(self) -> &'static str {
        match self {
            Self::DayAgo => "1d",
            Self::WeekAgo => "1w",
            Self::Seasonal => "seasonal",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Self::DayAgo => "same time yesterday",
            Self::WeekAgo => "same time last week",
            Self::Seasonal => "usual for this time of day",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.id() == text)
    }
}

/// Sensitivity of anomaly reports and width of baseline bands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sensitivity {
    /// Only the clearest anomalies (score ≥ 0.9995); bands ± 3 robust σ.
    Low,
    /// Score ≥ 0.998 (about one-in-a-thousand); bands ± 2 robust σ (≈ 95 %).
    #[default]
    Medium,
    /// Score ≥ 0.99; bands ± 1.5 robust σ.
    High,
}

impl Sensitivity {
    pub const ALL: [Sensitivity; 3] = [Self::Low, Self::Medium, Self::High];

    fn is_default(&self) -> bool {
        *self == Self::Medium
    }

    pub fn id(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.id() == text)
    }

    /// The anomaly score from which a point is reported.
    pub fn report_score(self) -> f64 {
        match self {
            Self::Low => 0.9995,
            Self::Medium => 0.998,
            Self::High => 0.99,
        }
    }

    /// Half-width of baseline bands in robust standard deviations (1.4826 · MAD).
    pub fn band_sigmas(self) -> f64 {
        match self {
            Self::Low => 3.0,
            Self::Medium => 2.0,
            Self::High => 1.5,
        }
    }
}

/// The overlay switches of a time-series panel, as a link carries them:
/// `forecast:seasonal,baseline:1w,anomalies,sensitivity:high` (or `none`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OverlayToggles {
    pub forecast: Option<ForecastKind>,
    pub baseline: Option<BaselineKind>,
    pub anomalies: bool,
    pub sensitivity: Sensitivity,
}

impl OverlayToggles {
    pub fn encode(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if let Some(kind) = self.forecast {
            parts.push(format!("forecast:{}", kind.id()));
        }
        if let Some(kind) = self.baseline {
            parts.push(format!("baseline:{}", kind.id()));
        }
        if self.anomalies {
            parts.push("anomalies".into());
        }
        if self.sensitivity != Sensitivity::Medium {
            parts.push(format!("sensitivity:{}", self.sensitivity.id()));
        }
        if parts.is_empty() {
            "none".into()
        } else {
            parts.join(",")
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let mut toggles = Self::default();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = part.split_once(':').unwrap_or((part, ""));
            match (name, value) {
                ("none", "") => {}
                ("forecast", "") => toggles.forecast = Some(ForecastKind::Seasonal),
                ("forecast", kind) => {
                    toggles.forecast = Some(ForecastKind::parse(kind).ok_or_else(|| {
                        format!("forecast {kind:?} is not linear or seasonal")
                    })?)
                }
                ("baseline", "") => toggles.baseline = Some(BaselineKind::WeekAgo),
                ("baseline", kind) => {
                    toggles.baseline = Some(BaselineKind::parse(kind).ok_or_else(|| {
                        format!("baseline {kind:?} is not 1d, 1w or seasonal")
                    })?)
                }
                ("anomalies", "") => toggles.anomalies = true,
                ("sensitivity", level) => {
                    toggles.sensitivity = Sensitivity::parse(level).ok_or_else(|| {
                        format!("sensitivity {level:?} is not low, medium or high")
                    })?
                }
                _ => {
                    return Err(format!(
                        "{part:?} is not an overlay (forecast, baseline, anomalies, sensitivity or none)"
                    ))
                }
            }
        }
        Ok(toggles)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForecastKind {
    /// PromQL's `predict_linear` over the last quarter of the range.
    Linear,
    /// Daily/weekly seasonal models chosen automatically.
    Seasonal,
}

impl ForecastKind {
    pub const ALL: [ForecastKind; 2] = [Self::Linear, Self::Seasonal];

    pub fn id(self) -> &'static str {
        match self {
            Self::Linear => "linear",
            Self::Seasonal => "seasonal",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.id() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CrossingOption {
    pub value: f64,
    /// What reaching it means, e.g. `full`.
    pub label: String,
    /// How much recent data the trend is fitted on (seconds).
    #[serde(default = "one_hour")]
    pub window_seconds: f64,
    /// Crossings further away than this are not shown (seconds; default 30 days).
    #[serde(default = "thirty_days")]
    pub max_seconds: f64,
}

fn thirty_days() -> f64 {
    30.0 * 86_400.0
}

fn one_hour() -> f64 {
    3600.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlay_toggles_round_trip_and_default_to_sensible_kinds() {
        for text in [
            "none",
            "anomalies",
            "forecast:linear",
            "forecast:seasonal,baseline:1d,anomalies,sensitivity:low",
            "baseline:1w,sensitivity:high",
            "baseline:seasonal",
        ] {
            let toggles = OverlayToggles::parse(text).unwrap();
            assert_eq!(toggles.encode(), text);
        }
        let short = OverlayToggles::parse("forecast,baseline").unwrap();
        assert_eq!(short.forecast, Some(ForecastKind::Seasonal));
        assert_eq!(short.baseline, Some(BaselineKind::WeekAgo));
        assert!(OverlayToggles::parse("sensitivity:extreme").is_err());
        let options = ForesightOptions {
            crossing: Some(CrossingOption {
                value: 0.0,
                label: "full".into(),
                window_seconds: 60.0,
                max_seconds: 60.0,
            }),
            ..Default::default()
        };
        let switched = options.with_toggles(short);
        assert_eq!(switched.toggles(), short);
        assert_eq!(
            switched.crossing, options.crossing,
            "crossings are not a toggle"
        );
    }
}
