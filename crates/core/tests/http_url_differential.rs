//! The core's http(s) URL reader (`foundation::http_url`, behind
//! `Datasource::parse`) against the `url` crate, which implements the WHATWG
//! URL standard browsers follow, on seeded random addresses built from the
//! parts that trip readers up: IPv4 hosts in every radix and length, IPv6
//! with `::` and an IPv4 tail, default and odd ports, dot segments written
//! plainly and percent-encoded, user names, queries and fragments.
//!
//! Where the core accepts an address, the standard must read the same base
//! URL, origin and host. The core refuses more, on purpose: a `@` in the
//! authority, `xn--` labels, path characters outside RFC 3986's, and a
//! segment like `c:` (the `url` crate keeps it before `..`, where the
//! standard removes it: the fuzz target found that); those are counted, and
//! any other refusal the standard would accept is a disagreement.

mod support;

use foresight_core::foundation::http_url::HttpUrl;
use foresight_core::model::datasource::Datasource;
use support::Seeded;

/// `Datasource::parse` as it was with the `url` crate: the same checks
/// before the URL parser, then the standard's reading.
fn reference(input: &str) -> Result<(String, String), String> {
    let trimmed = input.trim_matches(|c: char| c <= ' ');
    let lower = trimmed.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return Err("not http".into());
    }
    if trimmed
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
        || !trimmed.is_ascii()
    {
        return Err("characters".into());
    }
    let (scheme, rest) = trimmed.split_once("://").unwrap_or((trimmed, ""));
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    if authority.is_empty()
        || !authority
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-:[]@".contains(c))
    {
        return Err("authority".into());
    }
    let normalised = format!(
        "{}://{}{}",
        scheme.to_ascii_lowercase(),
        authority.to_ascii_lowercase(),
        &rest[end..]
    );
    let url = url::Url::parse(&normalised).map_err(|e| e.to_string())?;
    if url.host_str().is_none_or(str::is_empty)
        || !url.username().is_empty()
        || url.password().is_some()
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err("parts".into());
    }
    Ok((
        url.as_str().trim_end_matches('/').to_string(),
        url.origin().ascii_serialization(),
    ))
}

fn ipv4_part(random: &mut Seeded) -> String {
    let value = match random.below(4) {
        0 => random.below(256),
        1 => random.below(70_000),
        2 => random.next() as usize % 5_000_000_000,
        _ => 0,
    };
    match random.below(4) {
        0 => format!("0x{value:x}"),
        1 => format!("0{value:o}"),
        2 if random.chance(20) => "0x".to_string(),
        _ => value.to_string(),
    }
}

fn host(random: &mut Seeded) -> String {
    match random.below(6) {
        0 => random
            .pick(&[
                "prom",
                "a.b",
                "my_prom",
                "a-b",
                "A.B.",
                "a..b",
                ".",
                "xn--abc",
                "xn--nxasmq6b",
                "x.0",
                "a.08",
                "a.0x1f",
                "a.0x",
                "1a",
                "0x1g",
                "-a-",
                "_",
                "a.b.c.d.e",
            ])
            .to_string(),
        1 | 2 => {
            let parts: Vec<String> = (0..1 + random.below(5))
                .map(|_| ipv4_part(random))
                .collect();
            let dot = if random.chance(15) { "." } else { "" };
            format!("{}{dot}", parts.join("."))
        }
        3 | 4 => {
            let pieces: Vec<String> = (0..random.below(9))
                .map(|_| {
                    random
                        .pick(&["0", "1", "ffff", "0000", "abcd", "12345", "g", "7f00"])
                        .to_string()
                })
                .collect();
            let mut text = pieces.join(":");
            if random.chance(60) {
                let at = random.below(text.len() + 1);
                let at = (0..=at)
                    .rev()
                    .find(|&i| text.is_char_boundary(i))
                    .unwrap_or(0);
                text.insert_str(at, "::");
            }
            if random.chance(20) {
                text.push_str(random.pick(&[
                    ":1.2.3.4",
                    "1.2.3.4",
                    ":256.1.1.1",
                    ":1.2.3",
                    ":01.2.3.4",
                ]));
            }
            format!("[{text}]")
        }
        _ => random
            .pick(&[
                "[", "]", "[::1", "::1]", "a[b]", "[::1]x", "@", "u@h", "u:p@h",
            ])
            .to_string(),
    }
}

fn address(random: &mut Seeded) -> String {
    let scheme = random.pick(&[
        "http://",
        "https://",
        "HTTP://",
        "hTTps://",
        "ftp://",
        "http:/",
        "https:///",
    ]);
    let user = if random.chance(8) {
        random.pick(&["u@", "@", "u:p@", ":@"])
    } else {
        ""
    };
    let port = if random.chance(50) {
        random.pick(&[
            ":",
            ":80",
            ":443",
            ":0",
            ":0080",
            ":65535",
            ":65536",
            ":9090",
            ":x",
            ":00000000009090",
        ])
    } else {
        ""
    };
    let mut path = String::new();
    for _ in 0..random.below(5) {
        path.push('/');
        path.push_str(random.pick(&[
            "", ".", "..", "%2e", "%2E%2e", ".%2e", "%2e.", "a", "%41", "~x", "<", "{", "^", "|",
            "a;b=c", "@", ":", "'", "%", "%zz", "c:", "Z:", "c:x",
        ]));
    }
    let tail = if random.chance(10) {
        random.pick(&["?", "?q=1", "#", "#f"])
    } else {
        ""
    };
    format!("{scheme}{user}{}{port}{path}{tail}", host(random))
}

/// Refusals the core makes on purpose (see the top of the file): whether
/// `text` has such a part and `refusal` names it.
fn refused_by_design(text: &str, refusal: &str) -> bool {
    let rest = text.split_once("://").map_or("", |(_, rest)| rest);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let user = authority.contains('@');
    let international = authority
        .to_ascii_lowercase()
        .split('.')
        .any(|label| label.starts_with("xn--"));
    let path_characters = !path
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/%?#".contains(&b));
    let drive_letter = path.split('/').any(|segment| {
        segment.len() == 2 && segment.as_bytes()[0].is_ascii_alphabetic() && segment.ends_with(':')
    });
    (user && refusal.contains("user name or password"))
        || (drive_letter && refusal.contains("like `c:`"))
        || (international && refusal.contains("(xn--)"))
        || (path_characters && refusal.contains("path character"))
}

#[test]
fn accepted_addresses_read_as_the_url_standard_reads_them() {
    let mut random = Seeded(0x00c0_ffee_0bad_f00d);
    let cases = 200_000;
    let (mut accepted, mut by_design) = (0, 0);
    let mut disagreements = Vec::new();
    for _ in 0..cases {
        let text = address(&mut random);
        let ours = Datasource::parse(&text).map(|d| (d.base_url().to_string(), d.origin()));
        let theirs = reference(&text);
        match (&ours, &theirs) {
            (Ok(a), Ok(b)) if a == b => {
                accepted += 1;
                let host = HttpUrl::parse(&a.1).unwrap().host;
                let standard = url::Url::parse(&a.1).unwrap();
                if Some(host.as_str()) != standard.host_str() {
                    disagreements.push(format!("{text}: host {host} / {:?}", standard.host_str()));
                }
            }
            (Err(_), Err(_)) => {}
            (Err(refusal), Ok(_)) if refused_by_design(&text, refusal) => by_design += 1,
            _ => disagreements.push(format!(
                "{text}\n  ours:     {ours:?}\n  standard: {theirs:?}"
            )),
        }
    }
    println!(
        "{cases} addresses: {accepted} read alike, {by_design} refused by design, {} disagree",
        disagreements.len()
    );
    assert!(accepted > cases / 20, "{accepted}");
    assert!(
        disagreements.is_empty(),
        "{} disagree; the first:\n{}",
        disagreements.len(),
        disagreements
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The comparison can fail: an address read differently is caught.
#[test]
fn the_comparison_catches_a_difference() {
    let ours = Datasource::parse("http://0x7f.1:80/a/../b").unwrap();
    assert_eq!(
        Ok((ours.base_url().to_string(), ours.origin())),
        reference("http://0x7f.1:80/a/../b")
    );
    assert_ne!(
        Ok(("http://0x7f.1/b".to_string(), ours.origin())),
        reference("http://0x7f.1:80/a/../b")
    );
}
