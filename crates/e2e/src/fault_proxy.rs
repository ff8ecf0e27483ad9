//! A fault-injecting HTTP/1.1 reverse proxy in front of a real Prometheus. It
//! forwards every request to Prometheus and then answers as the test says at
//! that moment: unchanged, late, with a server error, cut short, enormous, or
//! without CORS headers; it can also refuse connections as a host whose
//! Prometheus is down does. The answers it damages are Prometheus's own, so
//! what the page sees is what a real fault between it and Prometheus gives.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// What the proxy does to an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Prometheus's answer as it is.
    PassThrough,
    /// Prometheus's answer, only after this long (a Prometheus busy
    /// evaluating), or as soon as the fault is changed (a Prometheus that
    /// recovers answers what it was asked meanwhile).
    Slow(Duration),
    /// This HTTP status instead of Prometheus's answer.
    ServerError { status: u16, body: ErrorBody },
    /// Prometheus's answer cut in the middle: a complete HTTP message whose
    /// JSON stops half way (a proxy or cache that lost the rest).
    TruncatedJson,
    /// A well-formed, successful answer of about this many bytes, sent in
    /// chunks without announcing its length (a query matching far too much).
    HugeBody(usize),
    /// Prometheus's answer without its `Access-Control-*` headers, as from a
    /// server whose CORS settings do not admit the page's origin: the browser
    /// withholds the answer from the page.
    NoCors,
}

/// The body of a [`Fault::ServerError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorBody {
    /// Prometheus's own error envelope (`{"status":"error","errorType":…}`).
    PrometheusJson,
    /// Plain text, as a load balancer or reverse proxy in front of Prometheus sends.
    PlainText,
}

/// The fault in force and which requests it applies to.
#[derive(Debug, Clone)]
struct Injection {
    fault: Fault,
    /// Only requests whose target (path and query string, URL-encoded) contains this.
    only_matching: Option<String>,
}

impl Injection {
    /// The fault for one request. Preflights pass through unless the fault is
    /// about CORS itself, as Prometheus answers them before evaluating anything.
    fn for_request(&self, method: &str, target: &str) -> Fault {
        let applies = self
            .only_matching
            .as_deref()
            .is_none_or(|wanted| target.contains(wanted));
        match &self.fault {
            _ if !applies => Fault::PassThrough,
            Fault::NoCors => Fault::NoCors,
            _ if method == "OPTIONS" => Fault::PassThrough,
            fault => fault.clone(),
        }
    }
}

/// Generated huge bodies by (size, for an instant query), each built once.
type HugeBodies = HashMap<(usize, bool), Arc<Vec<u8>>>;

struct Shared {
    upstream: SocketAddr,
    injection: Mutex<Injection>,
    /// Counts changes of the injection, so that a slow request sees one.
    changes: AtomicUsize,
    /// `None` while connections are refused.
    listener: Mutex<Option<TcpListener>>,
    stop: AtomicBool,
    /// Requests received and not yet answered (or dropped).
    in_flight: AtomicUsize,
    /// Answers that a fault changed.
    faulted: AtomicUsize,
    huge_bodies: Mutex<HugeBodies>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

pub struct FaultProxy {
    port: u16,
    shared: Arc<Shared>,
}

impl FaultProxy {
    /// Listens on a free loopback port and forwards to `upstream_port` on loopback,
    /// passing answers through until told otherwise.
    pub fn start(upstream_port: u16) -> Result<Self, String> {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        listener.set_nonblocking(true).map_err(|e| e.to_string())?;
        let shared = Arc::new(Shared {
            upstream: SocketAddr::from(([127, 0, 0, 1], upstream_port)),
            injection: Mutex::new(Injection {
                fault: Fault::PassThrough,
                only_matching: None,
            }),
            changes: AtomicUsize::new(0),
            listener: Mutex::new(Some(listener)),
            stop: AtomicBool::new(false),
            in_flight: AtomicUsize::new(0),
            faulted: AtomicUsize::new(0),
            huge_bodies: Mutex::new(HashMap::new()),
        });
        let accepting = Arc::clone(&shared);
        std::thread::spawn(move || accept_loop(&accepting));
        Ok(Self { port, shared })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The base URL the page uses as its datasource.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Applies `fault` to every request from now on (requests already waiting keep theirs).
    pub fn inject(&self, fault: Fault) {
        self.set(Injection {
            fault,
            only_matching: None,
        });
    }

    /// Applies `fault` only to requests whose URL-encoded target contains
    /// `target_part` (e.g. a metric name in the query); the others pass through.
    pub fn inject_where(&self, fault: Fault, target_part: &str) {
        self.set(Injection {
            fault,
            only_matching: Some(target_part.to_string()),
        });
    }

    fn set(&self, injection: Injection) {
        *lock(&self.shared.injection) = injection;
        self.shared.changes.fetch_add(1, Ordering::SeqCst);
    }

    /// Closes the listening socket: new connections are refused, as by a host
    /// where nothing listens on the port. Requests already accepted go on.
    pub fn refuse_connections(&self) {
        lock(&self.shared.listener).take();
    }

    /// Listens on the same port again (after [`Self::refuse_connections`]).
    pub fn accept_connections(&self) -> Result<(), String> {
        let mut slot = lock(&self.shared.listener);
        if slot.is_none() {
            let listener = TcpListener::bind(("127.0.0.1", self.port))
                .map_err(|e| format!("cannot listen on port {} again: {e}", self.port))?;
            listener.set_nonblocking(true).map_err(|e| e.to_string())?;
            *slot = Some(listener);
        }
        Ok(())
    }

    /// Requests received and not yet answered.
    pub fn requests_in_flight(&self) -> usize {
        self.shared.in_flight.load(Ordering::SeqCst)
    }

    /// How many answers a fault has changed so far.
    pub fn faulted_answers(&self) -> usize {
        self.shared.faulted.load(Ordering::SeqCst)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        lock(&self.shared.listener).take();
    }
}

fn accept_loop(shared: &Arc<Shared>) {
    while !shared.stop.load(Ordering::SeqCst) {
        let accepted = lock(&shared.listener).as_ref().map(TcpListener::accept);
        match accepted {
            Some(Ok((stream, _))) => {
                let _ = stream.set_nonblocking(false);
                let shared = Arc::clone(shared);
                std::thread::spawn(move || {
                    shared.in_flight.fetch_add(1, Ordering::SeqCst);
                    // Any failure drops the connection without an answer, as a dying server does.
                    let _ = handle(stream, &shared);
                    shared.in_flight.fetch_sub(1, Ordering::SeqCst);
                });
            }
            _ => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}

/// One request as read from the browser.
struct Request {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn read_request(stream: &TcpStream) -> std::io::Result<Request> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return Err(std::io::ErrorKind::InvalidData.into());
    };
    let (method, target) = (method.to_string(), target.to_string());
    let mut headers = Vec::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let Some((name, value)) = line.trim_end().split_once(':') else {
            break; // the blank line ending the head
        };
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let length = header(&headers, "content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(Request {
        method,
        target,
        headers,
        body,
    })
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Headers that belong to one connection, not to the message; the proxy sets its own.
fn hop_by_hop(name: &str) -> bool {
    [
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
        "host",
        // Answers stay uncompressed so that they can be cut where the JSON is.
        "accept-encoding",
    ]
    .iter()
    .any(|h| name.eq_ignore_ascii_case(h))
}

/// Prometheus's answer: status, headers and body. HTTP/1.0 towards Prometheus,
/// so the body is plain bytes up to the end of the connection, never chunked.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn forward(request: &Request, upstream: SocketAddr) -> std::io::Result<Answer> {
    let mut prometheus = TcpStream::connect_timeout(&upstream, Duration::from_secs(5))?;
    prometheus.set_read_timeout(Some(Duration::from_secs(120)))?;
    let mut head = format!("{} {} HTTP/1.0\r\n", request.method, request.target);
    for (name, value) in request.headers.iter().filter(|(n, _)| !hop_by_hop(n)) {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Host: {upstream}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        request.body.len()
    ));
    prometheus.write_all(head.as_bytes())?;
    prometheus.write_all(&request.body)?;
    let mut raw = Vec::new();
    prometheus.read_to_end(&mut raw)?;
    let invalid = || std::io::Error::from(std::io::ErrorKind::InvalidData);
    let head_end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(invalid)?;
    let head = String::from_utf8_lossy(&raw[..head_end]).to_string();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(invalid)?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .filter(|(n, _)| !hop_by_hop(n))
        .collect();
    Ok(Answer {
        status,
        headers,
        body: raw[head_end + 4..].to_vec(),
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        404 => "Not Found",
        422 => "Unprocessable Entity",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

fn write_head(
    stream: &mut TcpStream,
    status: u16,
    headers: &[(String, String)],
    framing: &str,
) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("{framing}\r\nConnection: close\r\n\r\n"));
    stream.write_all(head.as_bytes())
}

fn with_content_type(headers: &[(String, String)], kind: &str) -> Vec<(String, String)> {
    headers
        .iter()
        .filter(|(n, _)| !n.eq_ignore_ascii_case("content-type"))
        .cloned()
        .chain([("Content-Type".to_string(), kind.to_string())])
        .collect()
}

fn handle(mut stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let request = read_request(&stream)?;
    let changes = shared.changes.load(Ordering::SeqCst);
    let fault = lock(&shared.injection).for_request(&request.method, &request.target);
    if let Fault::Slow(delay) = fault {
        // Before forwarding, so a Prometheus killed meanwhile cuts this request off.
        let until = std::time::Instant::now() + delay;
        while std::time::Instant::now() < until && shared.changes.load(Ordering::SeqCst) == changes
        {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    let answer = forward(&request, shared.upstream)?;
    if fault != Fault::PassThrough {
        shared.faulted.fetch_add(1, Ordering::SeqCst);
    }
    let (status, headers, body) = match fault {
        Fault::PassThrough | Fault::Slow(_) => (answer.status, answer.headers, answer.body),
        Fault::NoCors => {
            let headers = answer
                .headers
                .into_iter()
                .filter(|(n, _)| !n.to_ascii_lowercase().starts_with("access-control-"))
                .collect();
            (answer.status, headers, answer.body)
        }
        Fault::TruncatedJson => {
            let mut body = answer.body;
            body.truncate(body.len() / 2);
            (answer.status, answer.headers, body)
        }
        Fault::ServerError { status, body } => {
            let (kind, text) = match body {
                ErrorBody::PrometheusJson => (
                    "application/json",
                    format!(
                        r#"{{"status":"error","errorType":"{}","error":"injected fault: HTTP {status}"}}"#,
                        if status == 503 {
                            "unavailable"
                        } else {
                            "internal"
                        }
                    ),
                ),
                ErrorBody::PlainText => (
                    "text/plain; charset=utf-8",
                    format!("{status} {}: injected fault\n", reason(status)),
                ),
            };
            (
                status,
                with_content_type(&answer.headers, kind),
                text.into_bytes(),
            )
        }
        Fault::HugeBody(size) => {
            let instant = request.target.starts_with("/api/v1/query?");
            let body = huge_body(shared, size, instant);
            let headers = with_content_type(&answer.headers, "application/json");
            write_head(&mut stream, 200, &headers, "Transfer-Encoding: chunked")?;
            for chunk in body.chunks(64 * 1024) {
                // The page may hang up part way: that is what a size limit does.
                stream.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())?;
                stream.write_all(chunk)?;
                stream.write_all(b"\r\n")?;
            }
            return stream.write_all(b"0\r\n\r\n");
        }
    };
    write_head(
        &mut stream,
        status,
        &headers,
        &format!("Content-Length: {}", body.len()),
    )?;
    stream.write_all(&body)?;
    stream.flush()
}

/// A successful answer of at least `size` bytes: a vector of many samples for
/// instant queries, a matrix of many series otherwise. Valid JSON, so only its
/// size can be held against it.
fn huge_body(shared: &Shared, size: usize, instant: bool) -> Arc<Vec<u8>> {
    let mut bodies = lock(&shared.huge_bodies);
    let body = bodies.entry((size, instant)).or_insert_with(|| {
        let (kind, values) = if instant {
            ("vector", r#""value":[1700000000,"1"]"#.to_string())
        } else {
            let pairs: Vec<String> = (0..100)
                .map(|i| format!(r#"[{},"1"]"#, 1_700_000_000 + 15 * i))
                .collect();
            ("matrix", format!(r#""values":[{}]"#, pairs.join(",")))
        };
        let mut text = format!(r#"{{"status":"success","data":{{"resultType":"{kind}","result":["#);
        let mut index = 0usize;
        while text.len() < size {
            if index > 0 {
                text.push(',');
            }
            text.push_str(&format!(
                r#"{{"metric":{{"__name__":"injected_filler","series":"{index:08}"}},{values}}}"#
            ));
            index += 1;
        }
        text.push_str("]}}");
        Arc::new(text.into_bytes())
    });
    Arc::clone(body)
}
