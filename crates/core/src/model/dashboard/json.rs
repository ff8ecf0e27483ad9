//! The dashboard's JSON form: reading (with each problem's place) and writing,
//! members in a stable order and defaults left out.

use super::*;
use crate::foundation::json::{DecodeError, FromJson, Json, ObjectReader, ObjectWriter, ToJson};

crate::foundation::json::json_as_name!(LineStyle, Reducer);

impl FromJson for Dashboard {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let reader = ObjectReader::new(value)?;
        Ok(Self {
            schema_version: reader.required("schemaVersion")?,
            id: reader.required("id")?,
            title: reader.required("title")?,
            description: reader.or_default("description")?,
            time: reader.or_default("time")?,
            refresh: reader.or("refresh", default_refresh())?,
            datasource: reader.optional("datasource")?,
            scrape_interval_seconds: reader
                .or("scrapeIntervalSeconds", default_scrape_interval())?,
            variables: reader.or_default("variables")?,
            panels: reader.required("panels")?,
            layout: reader.required("layout")?,
            alerts: reader.or_default("alerts")?,
            notify: reader.or_default("notify")?,
        })
    }
}

impl ToJson for Dashboard {
    fn to_json(&self) -> Json {
        ObjectWriter::new()
            .member("schemaVersion", &self.schema_version)
            .member("id", &self.id)
            .member("title", &self.title)
            .member_if(
                !self.description.is_empty(),
                "description",
                &self.description,
            )
            .member("time", &self.time)
            .member("refresh", &self.refresh)
            .optional("datasource", &self.datasource)
            .member("scrapeIntervalSeconds", &self.scrape_interval_seconds)
            .member_if(!self.variables.is_empty(), "variables", &self.variables)
            .member("panels", &self.panels)
            .member("layout", &self.layout)
            .member_if(!self.alerts.is_empty(), "alerts", &self.alerts)
            .member_if(!self.notify.is_unset(), "notify", &self.notify)
            .finish()
    }
}

impl FromJson for NotifyTargets {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let reader = ObjectReader::new(value)?;
        Ok(Self {
            alertmanager: reader.optional("alertmanager")?,
            webhooks: reader.or_default("webhooks")?,
            external_labels: reader.or_default("externalLabels")?,
        })
    }
}

impl ToJson for NotifyTargets {
    fn to_json(&self) -> Json {
        ObjectWriter::new()
            .optional("alertmanager", &self.alertmanager)
            .member_if(!self.webhooks.is_empty(), "webhooks", &self.webhooks)
            .member_if(
                !self.external_labels.is_empty(),
                "externalLabels",
                &self.external_labels,
            )
            .finish()
    }
}

impl FromJson for DashboardTime {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let reader = ObjectReader::new(value)?;
        Ok(Self {
            from: reader.required("from")?,
            to: reader.required("to")?,
        })
    }
}

impl ToJson for DashboardTime {
    fn to_json(&self) -> Json {
        ObjectWriter::new()
            .member("from", &self.from)
            .member("to", &self.to)
            .finish()
    }
}

impl FromJson for DashboardListing {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let reader = ObjectReader::new(value)?;
        Ok(Self {
            id: reader.required("id")?,
            title: reader.required("title")?,
        })
    }
}

impl ToJson for DashboardListing {
    fn to_json(&self) -> Json {
        ObjectWriter::new()
            .member("id", &self.id)
            .member("title", &self.title)
            .finish()
    }
}

/// The panel's `type` and the members that go with it share the panel's object.
impl FromJson for Panel {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let reader = ObjectReader::new(value)?;
        let kind = match reader.required::<String>("type")?.as_str() {
            "timeseries" => PanelKind::Timeseries {
                style: reader.or_default("style")?,
                zero_line: reader.or_default("zeroLine")?,
                foresight: ForesightOptions::from_json(value)?,
            },
            "stat" => PanelKind::Stat {
                reduce: reader.or_default("reduce")?,
                sparkline: reader.or("sparkline", true)?,
                no_value_text: reader.optional("noValueText")?,
            },
            "gauge" => PanelKind::Gauge {
                reduce: reader.or_default("reduce")?,
            },
            "bargauge" => PanelKind::Bargauge {
                reduce: reader.or_default("reduce")?,
            },
            "table" => PanelKind::Table,
            "heatmap" => PanelKind::Heatmap,
            "text" => PanelKind::Text {
                content: reader.required("content")?,
            },
            other => {
                return Err(DecodeError::new(format!(
                    "{other:?} is not a panel type ({})",
                    PanelKind::TYPE_IDS.join(", ")
                ))
                .in_member("type"))
            }
        };
        Ok(Self {
            id: reader.required("id")?,
            title: reader.required("title")?,
            kind,
            targets: reader.or_default("targets")?,
            unit: reader.or_default("unit")?,
            decimals: reader.optional("decimals")?,
            thresholds: reader.or_default("thresholds")?,
            min: reader.optional("min")?,
            max: reader.optional("max")?,
            description: reader.or_default("description")?,
        })
    }
}

impl ToJson for Panel {
    fn to_json(&self) -> Json {
        let mut object = ObjectWriter::new();
        object
            .member("id", &self.id)
            .member("title", &self.title)
            .member("type", &self.kind.type_id());
        match &self.kind {
            PanelKind::Timeseries {
                style,
                zero_line,
                foresight,
            } => {
                object.member("style", style).member("zeroLine", zero_line);
                foresight.write_members(&mut object);
            }
            PanelKind::Stat {
                reduce,
                sparkline,
                no_value_text,
            } => {
                object
                    .member("reduce", reduce)
                    .member("sparkline", sparkline)
                    .optional("noValueText", no_value_text);
            }
            PanelKind::Gauge { reduce } | PanelKind::Bargauge { reduce } => {
                object.member("reduce", reduce);
            }
            PanelKind::Table | PanelKind::Heatmap => {}
            PanelKind::Text { content } => {
                object.member("content", content);
            }
        }
        object
            .member_if(!self.targets.is_empty(), "targets", &self.targets)
            .member("unit", &self.unit)
            .optional("decimals", &self.decimals)
            .member_if(!self.thresholds.is_empty(), "thresholds", &self.thresholds)
            .optional("min", &self.min)
            .optional("max", &self.max)
            .member_if(
                !self.description.is_empty(),
                "description",
                &self.description,
            )
            .finish()
    }
}

impl FromJson for Target {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let reader = ObjectReader::new(value)?;
        Ok(Self {
            expr: reader.required("expr")?,
            legend_format: reader.optional("legendFormat")?,
            instant: reader.or_default("instant")?,
        })
    }
}

impl ToJson for Target {
    fn to_json(&self) -> Json {
        ObjectWriter::new()
            .member("expr", &self.expr)
            .optional("legendFormat", &self.legend_format)
            .member_if(self.instant, "instant", &self.instant)
            .finish()
    }
}

impl FromJson for Threshold {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let reader = ObjectReader::new(value)?;
        Ok(Self {
            value: reader.optional("value")?,
            color: reader.required("color")?,
        })
    }
}

impl ToJson for Threshold {
    fn to_json(&self) -> Json {
        ObjectWriter::new()
            .member("value", &self.value)
            .member("color", &self.color)
            .finish()
    }
}

impl FromJson for GridPosition {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let reader = ObjectReader::new(value)?;
        Ok(Self {
            panel: reader.required("panel")?,
            x: reader.required("x")?,
            y: reader.required("y")?,
            w: reader.required("w")?,
            h: reader.required("h")?,
        })
    }
}

impl ToJson for GridPosition {
    fn to_json(&self) -> Json {
        ObjectWriter::new()
            .member("panel", &self.panel)
            .member("x", &self.x)
            .member("y", &self.y)
            .member("w", &self.w)
            .member("h", &self.h)
            .finish()
    }
}
