//! Command-line options of the sample service.

use std::net::SocketAddr;

/// How much traffic the service sends to itself.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Traffic {
    /// A fixed number of requests per second.
    Fixed(f64),
    /// The shared service model's rate for this instance at the current time
    /// of day (with the chaos faults applied), as the history has it.
    Model,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServiceOptions {
    pub listen: SocketAddr,
    pub traffic: Traffic,
    /// Which of the model's instances this process is (`app-1:8000`).
    pub instance: &'static sample_world::Instance,
    /// Overrides every endpoint's error ratio when set.
    pub error_ratio: Option<f64>,
    pub version: String,
    /// Whether the `/chaos/…` commands are served.
    pub chaos: bool,
}

impl ServiceOptions {
    pub const USAGE: &'static str = "usage: sample-service [--listen 127.0.0.1:8000] [--instance app-1] [--traffic-rps model|N]
                      [--error-ratio R] [--version V] [--chaos]
  --listen ADDR        address to serve on (env SAMPLE_SERVICE_LISTEN)
  --instance NAME      which instance of the service model this is: app-1 or app-2 (its traffic share)
  --traffic-rps N      requests per second the service sends to itself (0 = none), or
                       `model`: the model's rate for this instance at this time of day
  --error-ratio R      share of requests answered with 500 on every endpoint (default: the model's)
  --version V          the version in sample_service_build_info (default: the model's current one)
  --chaos              serve POST /chaos/... to break (and fix) the service on purpose";

    pub fn from_args(args: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let default_listen =
            std::env::var("SAMPLE_SERVICE_LISTEN").unwrap_or_else(|_| "127.0.0.1:8000".into());
        let mut options = Self {
            listen: default_listen
                .parse()
                .map_err(|e| format!("SAMPLE_SERVICE_LISTEN={default_listen:?}: {e}"))?,
            traffic: Traffic::Fixed(0.0),
            instance: &sample_world::INSTANCES[0],
            error_ratio: None,
            version: sample_world::CURRENT_VERSION.to_string(),
            chaos: false,
        };
        let mut args = args.into_iter();
        while let Some(flag) = args.next() {
            match flag.as_str() {
                "--help" | "-h" => return Err("help requested".into()),
                "--chaos" => {
                    options.chaos = true;
                    continue;
                }
                _ => {}
            }
            let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
            match flag.as_str() {
                "--listen" => {
                    options.listen = value
                        .parse()
                        .map_err(|e| format!("--listen {value:?}: {e}"))?
                }
                "--instance" => {
                    options.instance = sample_world::instance(&value)
                        .ok_or_else(|| format!("--instance {value:?}: expected app-1 or app-2"))?
                }
                "--traffic-rps" if value == "model" => options.traffic = Traffic::Model,
                "--traffic-rps" => {
                    options.traffic = value
                        .parse::<f64>()
                        .ok()
                        .filter(|rps| rps.is_finite() && (0.0..=10_000.0).contains(rps))
                        .map(Traffic::Fixed)
                        .ok_or_else(|| {
                            format!(
                            "--traffic-rps {value:?}: expected model or a number from 0 to 10000"
                        )
                        })?
                }
                "--error-ratio" => {
                    options.error_ratio = Some(
                        value
                            .parse::<f64>()
                            .ok()
                            .filter(|ratio| (0.0..=1.0).contains(ratio))
                            .ok_or_else(|| {
                                format!("--error-ratio {value:?}: expected a number from 0 to 1")
                            })?,
                    )
                }
                "--version" => options.version = crate::chaos::checked_version(&value)?,
                other => return Err(format!("unknown option {other}")),
            }
        }
        Ok(options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<ServiceOptions, String> {
        ServiceOptions::from_args(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn parses_flags() {
        let options = parse(&[
            "--listen",
            "127.0.0.1:9",
            "--traffic-rps",
            "5",
            "--error-ratio",
            "0.25",
            "--instance",
            "app-2",
            "--chaos",
            "--version",
            "2.0.0",
        ])
        .unwrap();
        assert_eq!(options.listen.port(), 9);
        assert_eq!(options.traffic, Traffic::Fixed(5.0));
        assert_eq!(options.error_ratio, Some(0.25));
        assert_eq!(options.instance.name, "app-2:8000");
        assert!(options.chaos);
        assert_eq!(options.version, "2.0.0");
        let defaults = parse(&["--traffic-rps", "model"]).unwrap();
        assert_eq!(defaults.traffic, Traffic::Model);
        assert_eq!(defaults.instance.name, "app-1:8000");
        assert_eq!(defaults.version, sample_world::CURRENT_VERSION);
        assert!(!defaults.chaos && defaults.error_ratio.is_none());
    }

    #[test]
    fn rejects_bad_values() {
        assert!(parse(&["--traffic-rps", "-1"]).is_err());
        assert!(parse(&["--traffic-rps", "NaN"]).is_err());
        assert!(parse(&["--error-ratio", "2"]).is_err());
        assert!(parse(&["--instance", "app-3"]).is_err());
        assert!(parse(&["--version", "1.0\"} 1"]).is_err());
        assert!(parse(&["--listen"]).unwrap_err().contains("needs a value"));
        assert!(parse(&["--bogus", "1"])
            .unwrap_err()
            .contains("unknown option"));
    }
}
