//! A whole dashboard carried in a link: base64url text of raw-deflated JSON,
//! inflated to at most 2 MiB. The first input byte chooses how the rest is
//! read: as the link text itself (to find what the base64 reader accepts), or
//! as the compressed bytes, which the target writes as link text (so the
//! fuzzer mutates the deflate stream directly).
#![no_main]

use foresight_core::model::inline_dashboard::{
    decode_inline_dashboard, deflated_bytes, encode_inline_dashboard, link_text,
};
use foresight_fuzz::{check_dashboard, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let link = if mode & 1 == 0 {
        let link = link_text(rest);
        assert_eq!(
            deflated_bytes(&link).as_deref(),
            Ok(rest),
            "base64url did not read back what it wrote"
        );
        link
    } else {
        text(rest).into_owned()
    };
    if let Ok(dashboard) = decode_inline_dashboard(&link) {
        check_dashboard(&dashboard);
        let again = decode_inline_dashboard(&encode_inline_dashboard(&dashboard))
            .unwrap_or_else(|error| panic!("a dashboard's own link does not open: {error}"));
        assert_eq!(again, dashboard);
    }
});
