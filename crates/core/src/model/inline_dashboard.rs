//! A dashboard carried inside a link: JSON, deflate-compressed, base64url
//! encoded. Decoding is bounded (a hostile link cannot make the page inflate
//! gigabytes) and every failure says what is wrong with the link.

use crate::model::dashboard::Dashboard;

/// Largest dashboard JSON a link may inflate to.
pub const MAX_INLINE_DASHBOARD_BYTES: usize = crate::foundation::limits::MAX_DASHBOARD_BYTES;
/// Links longer than this break on common servers and proxies (8 KiB request-line limits).
pub const LONG_LINK_WARNING_CHARS: usize = 8_000;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn base64url_decode(text: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut buffer = 0u32;
    let mut bits = 0;
    for (position, c) in text.trim_end_matches('=').bytes().enumerate() {
        let value = ALPHABET.iter().position(|&a| a == c).ok_or_else(|| {
            format!(
                "character {:?} at position {position} is not base64url",
                c as char
            )
        })?;
        buffer = (buffer << 6) | value as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

/// The JSON a link carries (compact).
pub fn dashboard_json(dashboard: &Dashboard) -> String {
    crate::foundation::json::ToJson::to_json(dashboard).to_string()
}

/// The `inline=` value for raw-deflated (RFC 1951) [`dashboard_json`]. The
/// browser compresses with its own `CompressionStream("deflate-raw")`, so no
/// compressor is compiled into the page.
pub fn link_text(deflated: &[u8]) -> String {
    base64url_encode(deflated)
}

/// Raw deflate (RFC 1951) made of stored blocks: the bytes unchanged, framed
/// in blocks of at most 65,535. Every inflater reads it, the browser's
/// `DecompressionStream("deflate-raw")` included. The page writes the links
/// it builds on the spot this way (one-query dashboards: about 850 to 1,050
/// characters of link, where compressed ones take about 450), so that no
/// compressor is compiled into it (miniz's cost 6.8 KB gzip); the browser's
/// own compressor answers through a promise, too late for a link drawn now.
pub fn stored_deflate(bytes: &[u8]) -> Vec<u8> {
    const BLOCK: usize = u16::MAX as usize;
    let blocks = bytes.len().div_ceil(BLOCK).max(1);
    let mut out = Vec::with_capacity(bytes.len() + 5 * blocks);
    for index in 0..blocks {
        let block =
            &bytes[(index * BLOCK).min(bytes.len())..((index + 1) * BLOCK).min(bytes.len())];
        // BFINAL on the last block; BTYPE 00 (stored); the rest of the byte is padding.
        out.push(u8::from(index + 1 == blocks));
        let length = block.len() as u16;
        out.extend_from_slice(&length.to_le_bytes());
        out.extend_from_slice(&(!length).to_le_bytes());
        out.extend_from_slice(block);
    }
    out
}

/// The `inline=` value for a dashboard, not compressed ([`stored_deflate`]):
/// what the page writes for a link it builds on the spot.
pub fn uncompressed_inline_dashboard(dashboard: &Dashboard) -> String {
    link_text(&stored_deflate(dashboard_json(dashboard).as_bytes()))
}

/// The compressed bytes an `inline=` value carries.
pub fn deflated_bytes(link_text: &str) -> Result<Vec<u8>, String> {
    base64url_decode(link_text.trim())
        .map_err(|e| format!("the dashboard in this link is damaged: {e}"))
}

/// Why a link's compressed dashboard could not be inflated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InflateProblem {
    /// It inflates to more than [`MAX_INLINE_DASHBOARD_BYTES`].
    TooLarge,
    /// It is not a complete deflate stream.
    Damaged,
}

impl InflateProblem {
    pub fn describe(self) -> String {
        match self {
            Self::TooLarge => format!(
                "the dashboard in this link is larger than {} MiB",
                MAX_INLINE_DASHBOARD_BYTES >> 20
            ),
            Self::Damaged => "the dashboard in this link is truncated or damaged (was the link cut off when it was copied?)".into(),
        }
    }
}

/// The dashboard in a link's inflated bytes.
pub fn dashboard_from_inflated(json: Vec<u8>) -> Result<Dashboard, String> {
    let text = String::from_utf8(json)
        .map_err(|_| "the dashboard in this link is not UTF-8 text".to_string())?;
    Dashboard::from_json(&text)
}

/// The `inline=` value for a dashboard, compressed here (native tools and
/// tests; not in the browser build, so that no compressor is compiled into
/// the page).
#[cfg(not(target_arch = "wasm32"))]
pub fn encode_inline_dashboard(dashboard: &Dashboard) -> String {
    let json = dashboard_json(dashboard);
    link_text(&miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 9))
}

/// The dashboard in an `inline=` value, inflated here (native tools and tests;
/// the browser inflates with its `DecompressionStream`, to the same limit).
#[cfg(not(target_arch = "wasm32"))]
pub fn decode_inline_dashboard(text: &str) -> Result<Dashboard, String> {
    let deflated = deflated_bytes(text)?;
    let json =
        miniz_oxide::inflate::decompress_to_vec_with_limit(&deflated, MAX_INLINE_DASHBOARD_BYTES)
            .map_err(|e| {
            if matches!(e.status, miniz_oxide::inflate::TINFLStatus::HasMoreOutput) {
                InflateProblem::TooLarge.describe()
            } else {
                InflateProblem::Damaged.describe()
            }
        })?;
    dashboard_from_inflated(json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_blocks_inflate_to_the_same_bytes_at_every_block_boundary() {
        for length in [
            0usize, 1, 100, 65_534, 65_535, 65_536, 131_070, 131_071, 200_000,
        ] {
            let bytes: Vec<u8> = (0..length).map(|i| (i * 7 + i / 300) as u8).collect();
            let framed = stored_deflate(&bytes);
            assert_eq!(framed.len(), length + 5 * length.div_ceil(65_535).max(1));
            let inflated = miniz_oxide::inflate::decompress_to_vec_with_limit(&framed, usize::MAX)
                .unwrap_or_else(|e| panic!("{length} bytes: {e:?}"));
            assert_eq!(inflated, bytes, "{length} bytes");
        }
    }

    #[test]
    fn an_uncompressed_link_reads_back_as_the_same_dashboard() {
        let dashboard = sample();
        let text = uncompressed_inline_dashboard(&dashboard);
        assert_eq!(decode_inline_dashboard(&text).unwrap(), dashboard);
        // Damaged the same way as a compressed one: cut short.
        assert!(decode_inline_dashboard(&text[..text.len() / 2]).is_err());
    }

    fn sample() -> Dashboard {
        Dashboard::from_json(
            r#"{"schemaVersion": 1, "id": "mine", "title": "Mine ✓",
                "panels": [{"id": "p", "title": "P", "type": "timeseries", "targets": [{"expr": "rate(x[5m])"}]}],
                "layout": [{"panel": "p", "x": 0, "y": 0, "w": 24, "h": 8}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn base64url_round_trips_every_length() {
        for length in 0..64 {
            let bytes: Vec<u8> = (0..length).map(|i| (i * 37 % 256) as u8).collect();
            let encoded = base64url_encode(&bytes);
            assert!(encoded.bytes().all(|b| ALPHABET.contains(&b)));
            assert_eq!(base64url_decode(&encoded).unwrap(), bytes);
        }
    }

    #[test]
    fn dashboards_round_trip_through_links() {
        let dashboard = sample();
        let encoded = encode_inline_dashboard(&dashboard);
        assert_eq!(decode_inline_dashboard(&encoded).unwrap(), dashboard);
        // Any raw deflate stream will do (the browser's compressor, not this one, makes links).
        let deflated =
            miniz_oxide::deflate::compress_to_vec(dashboard_json(&dashboard).as_bytes(), 1);
        assert_eq!(deflated_bytes(&link_text(&deflated)).unwrap(), deflated);
        assert_eq!(
            decode_inline_dashboard(&link_text(&deflated)).unwrap(),
            dashboard
        );
    }

    #[test]
    fn damaged_links_give_clear_messages() {
        let encoded = encode_inline_dashboard(&sample());
        let truncated = &encoded[..encoded.len() / 2];
        assert!(decode_inline_dashboard(truncated)
            .unwrap_err()
            .contains("truncated"));
        assert!(decode_inline_dashboard("abc$def")
            .unwrap_err()
            .contains("not base64url"));
        let not_a_dashboard =
            base64url_encode(&miniz_oxide::deflate::compress_to_vec(b"{\"hello\": 1}", 6));
        assert!(decode_inline_dashboard(&not_a_dashboard)
            .unwrap_err()
            .contains("schemaVersion"));
    }

    #[test]
    fn a_compression_bomb_is_refused() {
        let bomb = base64url_encode(&miniz_oxide::deflate::compress_to_vec(
            &vec![b' '; 10 * 1024 * 1024],
            9,
        ));
        assert!(bomb.len() < LONG_LINK_WARNING_CHARS * 4);
        assert!(decode_inline_dashboard(&bomb)
            .unwrap_err()
            .contains("larger than 2 MiB"));
    }
}
