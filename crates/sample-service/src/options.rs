//! Command-line options of the sample service.

use std::net::SocketAddr;

#[derive(Debug, Clone, PartialEq)]
pub struct ServiceOptions {
    pub listen: SocketAddr,
    pub traffic_rps: f64,
    pub error_ratio: f64,
}

impl ServiceOptions {
    pub const USAGE: &'static str =
        "usage: sample-service [--listen 127.0.0.1:8000] [--traffic-rps 10] [--error-ratio 0.1]
  --listen ADDR        address to serve on (env SAMPLE_SERVICE_LISTEN)
  --traffic-rps N      requests per second the service sends to its own /hello (0 = none)
  --error-ratio R      share of /hello requests answered with 500 (default 0.1)";

    pub fn from_args(args: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let default_listen =
            std::env::var("SAMPLE_SERVICE_LISTEN").unwrap_or_else(|_| "127.0.0.1:8000".into());
        let mut options = Self {
            listen: default_listen
                .parse()
                .map_err(|e| format!("SAMPLE_SERVICE_LISTEN={default_listen:?}: {e}"))?,
            traffic_rps: 0.0,
            error_ratio: 0.1,
        };
        let mut args = args.into_iter();
        while let Some(flag) = args.next() {
            if flag == "--help" || flag == "-h" {
                return Err("help requested".into());
            }
            let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
            match flag.as_str() {
                "--listen" => {
                    options.listen = value
                        .parse()
                        .map_err(|e| format!("--listen {value:?}: {e}"))?
                }
                "--traffic-rps" => {
                    options.traffic_rps = value
                        .parse::<f64>()
                        .ok()
                        .filter(|rps| rps.is_finite() && (0.0..=10_000.0).contains(rps))
                        .ok_or_else(|| {
                            format!("--traffic-rps {value:?}: expected a number from 0 to 10000")
                        })?
                }
                "--error-ratio" => {
                    options.error_ratio = value
                        .parse::<f64>()
                        .ok()
                        .filter(|ratio| (0.0..=1.0).contains(ratio))
                        .ok_or_else(|| {
                            format!("--error-ratio {value:?}: expected a number from 0 to 1")
                        })?
                }
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
        ])
        .unwrap();
        assert_eq!(options.listen.port(), 9);
        assert_eq!(options.traffic_rps, 5.0);
        assert_eq!(options.error_ratio, 0.25);
    }

    #[test]
    fn rejects_bad_values() {
        assert!(parse(&["--traffic-rps", "-1"]).is_err());
        assert!(parse(&["--traffic-rps", "NaN"]).is_err());
        assert!(parse(&["--error-ratio", "2"]).is_err());
        assert!(parse(&["--listen"]).unwrap_err().contains("needs a value"));
        assert!(parse(&["--bogus", "1"])
            .unwrap_err()
            .contains("unknown option"));
    }
}
