//! How long the page waits for an answer, and how a request that ended
//! without a usable answer (none at all, cut off, too late, too large) is
//! described to the viewer.

use crate::foundation::limits::MAX_ANSWER_BYTES;
use crate::query::prometheus_response::ApiError;

/// How long the page waits for a whole answer (headers and body) before giving up.
pub const ANSWER_TIMEOUT_MS: u32 = 30_000;

/// After this long without an answer, a panel says it is still waiting.
pub const SLOW_ANSWER_MS: u32 = 5_000;

// A panel says it is still waiting before the page gives up on the answer.
const _: () = assert!(SLOW_ANSWER_MS < ANSWER_TIMEOUT_MS);

/// Why a request ended without a complete answer. A browser does not tell a
/// server that is down from one whose answer lacked CORS headers: both are a
/// bare network error to the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchFailure {
    /// No answer at all: nothing listening, the connection cut before an
    /// answer, or an answer the browser withheld for lack of CORS headers.
    NoAnswer,
    /// The answer began but the connection ended before all of it came.
    CutOff,
    /// No complete answer within [`ANSWER_TIMEOUT_MS`].
    TimedOut,
    /// The answer is longer than [`MAX_ANSWER_BYTES`]; reading stopped there.
    TooLarge,
    /// Never sent: the page's connect policy cannot name the host (the trust
    /// model's `blocked_by_connect_policy`), so the browser would block it.
    OutsidePolicy,
}

impl FetchFailure {
    /// The failure the browser side named `kind` (`none`, `cut`, `timeout`, `large`).
    pub fn from_kind(kind: &str) -> Self {
        match kind {
            "cut" => Self::CutOff,
            "timeout" => Self::TimedOut,
            "large" => Self::TooLarge,
            "policy" => Self::OutsidePolicy,
            _ => Self::NoAnswer,
        }
    }

    /// What happened, as a phrase ("no answer within 30 s").
    pub fn describe(self) -> String {
        match self {
            Self::NoAnswer => "no answer: down, or blocked by CORS".into(),
            Self::CutOff => "the answer was cut off".into(),
            Self::TimedOut => format!("no answer within {} s", ANSWER_TIMEOUT_MS / 1000),
            Self::TooLarge => format!(
                "the answer is over {} MiB, the most this page reads: ask for a shorter range or fewer series",
                MAX_ANSWER_BYTES >> 20
            ),
            Self::OutsidePolicy => "not sent: this page's connect policy cannot name the host \
                (browsers take only letters, digits, '-' and '.' there, so no IPv6 address and no '_'); \
                reach it by such a name, or serve Foresight from that address".into(),
        }
    }

    /// The name [`Self::from_kind`] reads back.
    pub fn kind(self) -> &'static str {
        match self {
            Self::NoAnswer => "none",
            Self::CutOff => "cut",
            Self::TimedOut => "timeout",
            Self::TooLarge => "large",
            Self::OutsidePolicy => "policy",
        }
    }

    /// The failure of a request to the Prometheus at `datasource`.
    pub fn api_error(self, datasource: &str) -> ApiError {
        let detail = self.describe();
        match self {
            // An answer came, just too much of it: not a reachability problem.
            Self::TooLarge => ApiError::TooLarge {
                datasource: datasource.to_string(),
                limit_mib: crate::foundation::limits::MAX_ANSWER_BYTES >> 20,
            },
            _ => ApiError::Unreachable {
                datasource: datasource.to_string(),
                detail,
            },
        }
    }
}

/// What a panel says while its answer is late.
pub fn slow_answer_notice(datasource: &str) -> String {
    format!(
        "Waiting for Prometheus at {datasource}: no answer after {} s (giving up at {} s)",
        SLOW_ANSWER_MS / 1000,
        ANSWER_TIMEOUT_MS / 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_failure_reads_as_what_happened_and_names_the_datasource() {
        let down = FetchFailure::from_kind("none")
            .api_error("http://prom:9090")
            .to_string();
        assert!(
            down.starts_with(
                "Cannot reach Prometheus at http://prom:9090 (no answer: down, or blocked by CORS)"
            ),
            "{down}"
        );
        let late = FetchFailure::from_kind("timeout")
            .api_error("http://prom:9090")
            .to_string();
        assert!(late.contains("(no answer within 30 s)"), "{late}");
        let cut = FetchFailure::from_kind("cut").api_error("http://prom:9090");
        assert!(
            cut.to_string().contains("(the answer was cut off)"),
            "{cut}"
        );
        let large = FetchFailure::from_kind("large").api_error("http://prom:9090");
        assert!(
            large.to_string()
                == format!("Prometheus at http://prom:9090 answered more than {} MiB, the most this page reads: ask for a shorter range or fewer series.", MAX_ANSWER_BYTES >> 20),
            "{large:?}"
        );
        let blocked = FetchFailure::from_kind("policy")
            .api_error("http://[::1]:9090")
            .to_string();
        assert!(
            blocked.contains("(not sent: this page's connect policy cannot name the host"),
            "{blocked}"
        );
        for failure in [
            FetchFailure::NoAnswer,
            FetchFailure::CutOff,
            FetchFailure::TimedOut,
            FetchFailure::TooLarge,
            FetchFailure::OutsidePolicy,
        ] {
            assert_eq!(FetchFailure::from_kind(failure.kind()), failure);
        }
        // Anything the browser side did not name is the common case: no answer.
        assert_eq!(FetchFailure::from_kind(""), FetchFailure::NoAnswer);
    }

    #[test]
    fn the_waiting_notice_gives_both_times() {
        assert_eq!(
            slow_answer_notice("http://prom:9090"),
            "Waiting for Prometheus at http://prom:9090: no answer after 5 s (giving up at 30 s)"
        );
    }
}
