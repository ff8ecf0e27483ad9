//! Every cap on what arrives from outside, in one place.
//!
//! A link, a pasted or imported dashboard and a datasource's answer are written
//! by someone other than the person looking at the page. Each cap below bounds
//! the work or memory one such input can cost; going over one gives a message
//! where the content would have been, and the rest of the page keeps working.
//! The numbers are far above what real dashboards and answers use (the largest
//! community dashboards in the tests are under 400 KB with 150 panels).

/// Largest dashboard JSON a link may inflate to, or a paste/file may hold.
pub const MAX_DASHBOARD_BYTES: usize = 2 * 1024 * 1024;
/// Largest Grafana dashboard JSON an import reads (Grafana's JSON is verbose).
pub const MAX_GRAFANA_IMPORT_BYTES: usize = 8 * 1024 * 1024;
/// Panels in one dashboard.
pub const MAX_PANELS: usize = 500;
/// Queries in one panel.
pub const MAX_TARGETS_PER_PANEL: usize = 26;
/// Variables in one dashboard.
pub const MAX_VARIABLES: usize = 50;
/// Alert rules in one dashboard.
pub const MAX_ALERT_RULES: usize = 200;
/// Service-level objectives in one dashboard (each is eight recorded
/// windows and two alerts when exported).
pub const MAX_SLOS: usize = 20;
/// Characters of a text panel's Markdown that are rendered.
pub const MAX_TEXT_PANEL_CHARS: usize = 100_000;
/// Series drawn by one panel (the rest are counted in a note).
pub const MAX_SERIES_PER_PANEL: usize = 500;
/// Points kept per series (Prometheus itself refuses more than 11,000 per query).
pub const MAX_POINTS_PER_SERIES: usize = 11_000;
/// Bytes of one series name made from a legend format (`{{instance}}`…):
/// each placeholder copies a label value, so a long format over long values
/// would otherwise make names of gigabytes.
pub const MAX_LEGEND_BYTES: usize = 1024;
/// Rows (distinct times) of one heatmap: every row holds a cell per bucket.
pub const MAX_HEATMAP_ROWS: usize = MAX_POINTS_PER_SERIES;
/// Buckets (`le` values) of one heatmap.
pub const MAX_HEATMAP_BUCKETS: usize = 200;
/// Bytes of one answer from a datasource that are read.
pub const MAX_ANSWER_BYTES: usize = 32 * 1024 * 1024;
/// Bytes one rendered alert template (a label or an annotation) may produce.
pub const MAX_TEMPLATE_OUTPUT_BYTES: usize = 16 * 1024;
/// Steps (actions, commands, loop iterations) one rendering may take: a
/// rule from a link must not hang the page with nested `range`s.
pub const MAX_TEMPLATE_STEPS: usize = 100_000;
/// Bytes of text one rendering may make on the way to its output (function
/// results, loop items): 64 times the output.
pub const MAX_TEMPLATE_WORK_BYTES: usize = 1024 * 1024;
/// Nesting of blocks and parentheses in a template (the parser recurses).
pub const MAX_TEMPLATE_NESTING: usize = 64;
/// `query` calls one rendering may make, each a request to the datasource.
pub const MAX_TEMPLATE_QUERIES: usize = 8;
/// Text (patterns and what they read, each search of `reReplaceAll` counted
/// apart) that the `match` and `reReplaceAll` of one rendering read: the
/// slowest pattern that compiles reads it in about a second.
pub const MAX_TEMPLATE_REGEX_BYTES: usize = 256 * 1024;
/// What the templates of one rule evaluation spend together (every alert's
/// labels and annotations, and finding the queries they need), on top of
/// each rendering's caps above: a rule with hundreds of alerts, each with a
/// few templates, would otherwise take a rendering's worst case hundreds of
/// times over. Steps:
pub const MAX_EVALUATION_TEMPLATE_STEPS: usize = 1_000_000;
/// Text made on the way, together.
pub const MAX_EVALUATION_TEMPLATE_WORK_BYTES: usize = 8 * 1024 * 1024;
/// Text read by regular expressions, together: as much as one rendering
/// may read (the slowest pattern reads it in under a second, an ordinary
/// one in milliseconds), however many alerts the rule has.
pub const MAX_EVALUATION_REGEX_BYTES: usize = 256 * 1024;
/// `query` calls one rule evaluation runs for its templates, each a request.
pub const MAX_EVALUATION_TEMPLATE_QUERIES: usize = 32;
/// Bytes of rendered annotations one rule's alerts keep in the browser's
/// storage; past them, alerts keep none and are rendered when shown.
pub const MAX_KEPT_ANNOTATION_BYTES: usize = 256 * 1024;
/// Characters of one template's text.
pub const MAX_TEMPLATE_CHARS: usize = 64 * 1024;
/// Width or precision in a template's `printf` verb (`%.2f`, `%10s`).
pub const MAX_PRINTF_WIDTH: usize = 200;
/// Characters of a query after its variables are substituted.
pub const MAX_QUERY_CHARS: usize = 64 * 1024;
/// Values one variable may offer or select.
pub const MAX_VARIABLE_VALUES: usize = 10_000;
/// Characters of a whole link the page reads.
pub const MAX_LINK_CHARS: usize = 4 * 1024 * 1024;
/// A rule file (YAML) imported into a dashboard.
pub const MAX_RULE_FILE_BYTES: usize = 4 * 1024 * 1024;
/// Values (scalars, lists, mappings) in one YAML text.
pub const MAX_YAML_NODES: usize = 200_000;
/// Lists and mappings inside each other in a YAML text.
pub const MAX_YAML_NESTING: usize = 64;
/// Fastest refresh a link or a dashboard from outside may set without the
/// user's consent: the fastest the refresh picker offers.
pub const MIN_UNREVIEWED_REFRESH_SECONDS: u32 = 5;
/// Fastest alert-rule evaluation interval a dashboard from outside may set
/// without the user's consent.
pub const MIN_UNREVIEWED_ALERT_INTERVAL_SECONDS: f64 = 15.0;

/// The first `max_chars` characters of a text from outside, with `…` when it
/// was longer: what a message quotes of a value, so that no value can flood it.
pub fn excerpt(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}
