//! The model's JSON form is derived with serde and read through the core's own
//! format (`foundation::json_serde`). serde_json reads the same derives, so on
//! the same text the two must agree: both accept with equal values, or both
//! refuse. The cases are the shipped dashboards and thousands of seeded
//! mutations of them (a member removed, or its value replaced by a value of
//! another kind). Writing is compared the same way.
//!
//! Three differences are by design. Two are kept out of the mutations: a
//! `null` member counts as absent here (serde_json refuses `null` for a list),
//! and a repeated member keeps its last value (serde_json refuses it). The
//! third is counted apart: serde_json also reads an object-shaped value from
//! an array of its members in order (`"targets": [["up"]]`); here an object
//! must be an object.

use foresight_core::foundation::json::{FromJson, Json, ToJson};
use foresight_core::model::dashboard::Dashboard;

const SHIPPED: [&str; 2] = [
    include_str!("../../../public/dashboards/service-health.json"),
    include_str!("../../../public/dashboards/instances.json"),
];

mod support;
use support::Seeded;

/// Every object member and array item of `value`, as paths of steps.
fn paths(value: &Json, path: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match value {
        Json::Object(members) => {
            for (name, member) in members {
                path.push(Step::Member(name.clone()));
                out.push(path.clone());
                paths(member, path, out);
                path.pop();
            }
        }
        Json::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                path.push(Step::Item(index));
                out.push(path.clone());
                paths(item, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum Step {
    Member(String),
    Item(usize),
}

/// Applies `change` to the container holding the last step of `path` (if an
/// earlier change has not removed it).
fn change_at(value: &mut Json, path: &[Step], change: &dyn Fn(&mut Json, &Step)) {
    let (last, parents) = path.split_last().unwrap();
    let mut container = value;
    for step in parents {
        container = match (container, step) {
            (Json::Object(members), Step::Member(name)) => {
                match members.iter_mut().find(|(member, _)| member == name) {
                    Some((_, member)) => member,
                    None => return,
                }
            }
            (Json::Array(items), Step::Item(index)) if *index < items.len() => &mut items[*index],
            _ => return,
        };
    }
    change(container, last);
}

/// A value of some kind (never `null`): whole numbers in and out of the
/// integer fields' ranges, fractions, names the enums use, and containers.
fn some_value(random: &mut Seeded) -> Json {
    let names = [
        "timeseries",
        "stat",
        "text",
        "lines",
        "area",
        "high",
        "1w",
        "seasonal",
        "last",
        "percent",
        "threshold",
        ">",
        "query",
        "custom",
        "x",
        "",
    ];
    match random.below(9) {
        0 => Json::Bool(random.below(2) == 0),
        1 => Json::Number(random.below(300) as f64),
        2 => Json::Number(-(random.below(5) as f64) - 1.0),
        3 => Json::Number(random.below(1000) as f64 / 8.0 + 0.125),
        4 => Json::Number(4_294_967_296.0),
        5 => Json::String(names[random.below(names.len())].to_string()),
        6 => Json::Array(vec![]),
        7 => Json::Array(vec![Json::String("a".into())]),
        _ => Json::Object(vec![("value".into(), Json::Number(1.0))]),
    }
}

fn mutate(document: &Json, random: &mut Seeded) -> Json {
    let mut all = Vec::new();
    paths(document, &mut Vec::new(), &mut all);
    let mut mutated = document.clone();
    for _ in 0..1 + random.below(2) {
        let path = &all[random.below(all.len())];
        let replacement = some_value(random);
        let remove = random.below(3) == 0;
        change_at(
            &mut mutated,
            path,
            &|container, step| match (container, step) {
                (Json::Object(members), Step::Member(name)) => {
                    if let Some(position) = members.iter().position(|(member, _)| member == name) {
                        if remove {
                            members.remove(position);
                        } else {
                            members[position].1 = replacement.clone();
                        }
                    }
                }
                (Json::Array(items), Step::Item(index)) if *index < items.len() => {
                    if remove {
                        items.remove(*index);
                    } else {
                        items[*index] = replacement.clone();
                    }
                }
                _ => {}
            },
        );
    }
    mutated
}

/// What each reader makes of `text`: `Ok(value)` or `Err(())`.
fn both_readers(text: &str) -> (Result<Dashboard, String>, Result<Dashboard, String>) {
    let ours = Json::parse(text)
        .map_err(|e| e.to_string())
        .and_then(|tree| Dashboard::from_json_value(&tree));
    let reference = serde_json::from_str::<Dashboard>(text).map_err(|e| e.to_string());
    (ours, reference)
}

trait FromTree: Sized {
    fn from_json_value(tree: &Json) -> Result<Self, String>;
}

impl FromTree for Dashboard {
    fn from_json_value(tree: &Json) -> Result<Self, String> {
        <Dashboard as FromJson>::from_json(tree).map_err(|e| e.to_string())
    }
}

/// serde_json read an array where only an object is accepted here.
fn array_for_object(text: &str) -> bool {
    matches!(both_readers(text), (Err(ours), Ok(_)) if ours.ends_with("expected an object, found an array"))
}

/// `None` when the readers agree, else what each said.
fn disagreement(text: &str) -> Option<String> {
    match both_readers(text) {
        (Ok(ours), Ok(reference)) if ours == reference => None,
        (Err(_), Err(_)) => None,
        _ if array_for_object(text) => None,
        (ours, reference) => Some(format!(
            "{text}\n  ours:       {ours:?}\n  serde_json: {reference:?}"
        )),
    }
}

#[test]
fn reading_agrees_with_serde_json_on_shipped_dashboards_and_their_mutations() {
    let mut random = Seeded(0x5eed_f00d_cafe_d00d);
    let mut cases = 0;
    let mut refused = 0;
    let mut arrays_for_objects = 0;
    let mut disagreements = Vec::new();
    for shipped in SHIPPED {
        let document = Json::parse(shipped).unwrap();
        assert_eq!(disagreement(shipped), None);
        for _ in 0..3000 {
            let text = mutate(&document, &mut random).to_string();
            cases += 1;
            if serde_json::from_str::<Dashboard>(&text).is_err() {
                refused += 1;
            }
            if array_for_object(&text) {
                arrays_for_objects += 1;
            }
            if let Some(report) = disagreement(&text) {
                disagreements.push(report);
            }
        }
    }
    println!(
        "{cases} cases: {refused} refused by serde_json, {arrays_for_objects} \
         objects given as arrays (read by serde_json only)"
    );
    // Both kinds of case occur, so agreement means something.
    assert!(
        refused > cases / 10 && refused < cases * 9 / 10,
        "{refused} of {cases} refused"
    );
    assert!(
        disagreements.is_empty(),
        "{} of {cases} cases disagree:\n{}",
        disagreements.len(),
        disagreements.join("\n\n")
    );
}

#[test]
fn writing_agrees_with_serde_json() {
    let mut random = Seeded(0x0dd_ba11);
    for shipped in SHIPPED {
        let document = Json::parse(shipped).unwrap();
        let mut written = 0;
        for _ in 0..1000 {
            let text = mutate(&document, &mut random).to_string();
            let Ok(dashboard) = serde_json::from_str::<Dashboard>(&text) else {
                continue;
            };
            let reference = Json::parse(&serde_json::to_string(&dashboard).unwrap()).unwrap();
            assert_eq!(dashboard.to_json_value(), reference, "{text}");
            written += 1;
        }
        assert!(written > 50, "{written}");
    }
}

trait ToTree {
    fn to_json_value(&self) -> Json;
}

impl ToTree for Dashboard {
    fn to_json_value(&self) -> Json {
        ToJson::to_json(self)
    }
}

/// The comparison can fail: a reader that differed would be caught.
#[test]
fn the_comparison_catches_a_difference() {
    let text = SHIPPED[0];
    let (ours, reference) = both_readers(text);
    let mut changed = ours.unwrap();
    changed.panels[0].title.push('!');
    assert_ne!(Ok::<_, String>(changed), reference);
    // The differences by design are differences: `null` for a list is
    // "absent" here only, and an object as an array is read by serde_json only.
    let with_null = text.replacen("\"panels\"", "\"variables\": null, \"panels\"", 1);
    assert!(disagreement(&with_null).is_some());
    let as_array = text.replacen(
        "\"time\": {\n    \"from\": \"now-6h\",\n    \"to\": \"now\"\n  }",
        "\"time\": [\"now-1h\", \"now\"]",
        1,
    );
    assert_ne!(as_array, text);
    assert!(array_for_object(&as_array));
}

/// The panel, the variable and the alert condition are read by hand (their
/// members depend on their `type` or `kind`; serde's derive would compile a
/// second reader of every member). These are the derives they replaced, with
/// the same attributes; on every panel, variable and condition of the cases
/// above, and on each panel given every `type`, serde_json reading the derive
/// and the hand-written reader must agree.
mod derived {
    use foresight_core::alerting::rule::Comparison;
    use foresight_core::analytics::options::{BaselineKind, ForesightOptions, Sensitivity};
    use foresight_core::foundation::units::Unit;
    use foresight_core::model::dashboard::panel::{LineStyle, SloShow, Target, Threshold};
    use foresight_core::query::series::Reducer;
    use serde::{Deserialize, Serialize};

    fn yes() -> bool {
        true
    }

    #[derive(Serialize, Deserialize)]
    pub struct Panel {
        id: String,
        title: String,
        #[serde(flatten)]
        kind: PanelKind,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        targets: Vec<Target>,
        #[serde(default)]
        unit: Unit,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        decimals: Option<u8>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        thresholds: Vec<Threshold>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<f64>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        description: String,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(
        tag = "type",
        rename_all = "lowercase",
        rename_all_fields = "camelCase"
    )]
    enum PanelKind {
        Timeseries {
            #[serde(default)]
            style: LineStyle,
            #[serde(default)]
            zero_line: bool,
            #[serde(flatten)]
            foresight: ForesightOptions,
        },
        Stat {
            #[serde(default)]
            reduce: Reducer,
            #[serde(default = "yes")]
            sparkline: bool,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            no_value_text: Option<String>,
        },
        Gauge {
            #[serde(default)]
            reduce: Reducer,
        },
        Bargauge {
            #[serde(default)]
            reduce: Reducer,
        },
        Table,
        Heatmap,
        Text {
            content: String,
        },
        Row {
            #[serde(default)]
            collapsed: bool,
        },
        Slo {
            #[serde(default, skip_serializing_if = "String::is_empty")]
            slo: String,
            #[serde(default)]
            show: SloShow,
        },
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Variable {
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        #[serde(flatten)]
        source: VariableSource,
        #[serde(default)]
        multi: bool,
        #[serde(default)]
        include_all: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        all_value: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        default: Vec<String>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(
        tag = "kind",
        rename_all = "camelCase",
        rename_all_fields = "camelCase"
    )]
    enum VariableSource {
        Query { query: String },
        Custom { values: Vec<String> },
        QueryResult { query: String, value_label: String },
    }

    #[derive(Serialize, Deserialize)]
    #[serde(tag = "kind", rename_all = "camelCase")]
    pub enum Condition {
        Returns,
        Threshold {
            op: Comparison,
            value: f64,
        },
        OutsideBaseline {
            baseline: BaselineKind,
            #[serde(default)]
            sensitivity: Sensitivity,
        },
        AnomalyScore {
            above: f64,
        },
        ForecastCrosses {
            op: Comparison,
            value: f64,
            within: String,
        },
    }
}

/// `None` when the hand-written reader of `Ours` and serde_json reading the
/// derive `Derived` agree on `value`: both refuse, or both read a value that
/// serde writes the same way.
fn hand_written_disagreement<Ours, Derived>(value: &Json) -> Option<String>
where
    Ours: FromJson + serde::Serialize,
    Derived: serde::de::DeserializeOwned + serde::Serialize,
{
    let ours = Ours::from_json(value).map_err(|e| e.to_string());
    let derived = serde_json::from_str::<Derived>(&value.to_string()).map_err(|e| e.to_string());
    match (&ours, &derived) {
        (Err(_), Err(_)) => None,
        // By design (see the top of the file): an object must be an object here.
        (Err(ours), Ok(_)) if ours.ends_with("expected an object, found an array") => None,
        // Also by design: serde's derive reads a number as the tag of an
        // internally tagged enum (`"type": 2` is its third variant); a type
        // is its name here.
        (Err(ours), Ok(_))
            if ours.ends_with("expected a string, found a number") && tag_is_number(value) =>
        {
            None
        }
        (Ok(ours), Ok(derived))
            if serde_json::to_value(ours).unwrap() == serde_json::to_value(derived).unwrap() =>
        {
            None
        }
        _ => Some(format!(
            "{value}\n  hand-written: {:?}\n  derive:       {:?}",
            ours.map(|v| serde_json::to_string(&v).unwrap()),
            derived.map(|v| serde_json::to_string(&v).unwrap())
        )),
    }
}

/// Whether the member naming an enum's variant (`type`, `kind`) is a number.
fn tag_is_number(value: &Json) -> bool {
    ["type", "kind"]
        .iter()
        .any(|tag| matches!(value.get(tag), Some(Json::Number(_))))
}

/// Every panel, variable and condition in `document`, each compared.
fn hand_written_disagreements(document: &Json, out: &mut Vec<String>) -> usize {
    use foresight_core::alerting::rule::Condition;
    use foresight_core::model::dashboard::panel::Panel;
    use foresight_core::model::variables::Variable;
    let items = |name: &str| match document.get(name) {
        Some(Json::Array(items)) => items.clone(),
        _ => Vec::new(),
    };
    let mut compared = 0;
    for panel in items("panels") {
        compared += 1;
        out.extend(hand_written_disagreement::<Panel, derived::Panel>(&panel));
    }
    for variable in items("variables") {
        compared += 1;
        out.extend(hand_written_disagreement::<Variable, derived::Variable>(
            &variable,
        ));
    }
    for rule in items("alerts") {
        if let Some(condition) = rule.get("condition") {
            compared += 1;
            out.extend(hand_written_disagreement::<Condition, derived::Condition>(
                condition,
            ));
        }
    }
    compared
}

/// `value` with its member `name` set to `to` (added when absent).
fn with_member(value: &Json, name: &str, to: Json) -> Json {
    let mut changed = value.clone();
    if let Json::Object(members) = &mut changed {
        members.retain(|(member, _)| member != name);
        members.push((name.to_string(), to));
    }
    changed
}

#[test]
fn hand_written_readers_agree_with_the_derives_they_replaced() {
    use foresight_core::alerting::rule::Condition;
    use foresight_core::model::dashboard::panel::{Panel, PanelKind};
    use foresight_core::model::variables::VariableSource;
    let mut random = Seeded(0xdec0_de5e_bade_cafe);
    let mut compared = 0;
    let mut disagreements = Vec::new();
    for shipped in SHIPPED {
        let document = Json::parse(shipped).unwrap();
        compared += hand_written_disagreements(&document, &mut disagreements);
        for _ in 0..3000 {
            let mutated = mutate(&document, &mut random);
            compared += hand_written_disagreements(&mutated, &mut disagreements);
            // Each panel, variable and condition given every type or kind,
            // so that members meet the kinds they do not belong to.
            let retyped: [(&str, &str, &[&str]); 3] = [
                ("panels", "type", &PanelKind::TYPE_IDS),
                ("variables", "kind", &VariableSource::KINDS),
                ("alerts", "kind", &Condition::KINDS),
            ];
            for (list, tag, kinds) in retyped {
                let Some(Json::Array(items)) = mutated.get(list) else {
                    continue;
                };
                if items.is_empty() {
                    continue;
                }
                let item = &items[random.below(items.len())];
                let item = if list == "alerts" {
                    match item.get("condition") {
                        Some(condition) => condition.clone(),
                        None => continue,
                    }
                } else {
                    item.clone()
                };
                let kind = kinds[random.below(kinds.len())];
                let changed = with_member(&item, tag, Json::String(kind.to_string()));
                compared += 1;
                disagreements.extend(match list {
                    "panels" => hand_written_disagreement::<Panel, derived::Panel>(&changed),
                    "variables" => hand_written_disagreement::<
                        foresight_core::model::variables::Variable,
                        derived::Variable,
                    >(&changed),
                    _ => hand_written_disagreement::<Condition, derived::Condition>(&changed),
                });
            }
        }
    }
    println!("{compared} panels, variables and conditions compared");
    assert!(
        disagreements.is_empty(),
        "{} of {compared} disagree:\n{}",
        disagreements.len(),
        disagreements.join("\n\n")
    );
}

/// The comparison can fail: a reader that took the wrong default would be caught.
#[test]
fn the_hand_written_comparison_catches_a_difference() {
    use foresight_core::model::dashboard::panel::Panel;
    let stat = Json::parse(r#"{"id": "a", "title": "A", "type": "stat"}"#).unwrap();
    assert_eq!(
        hand_written_disagreement::<Panel, derived::Panel>(&stat),
        None
    );
    // The derive's default for `sparkline` is on; a mirror whose default is off differs.
    #[derive(serde::Serialize, serde::Deserialize)]
    struct SparklineOff {
        id: String,
        title: String,
        #[serde(rename = "type")]
        kind: String,
        #[serde(default)]
        reduce: foresight_core::query::series::Reducer,
        #[serde(default)]
        sparkline: bool,
    }
    assert!(hand_written_disagreement::<Panel, SparklineOff>(&stat).is_some());
}
