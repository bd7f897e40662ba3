//! A request's signature, in any of the four places it can be: a made-up one is refused with a
//! 4xx, whatever the headers and query hold.
#![no_main]
use libfuzzer_sys::fuzz_target;
use oss_browser_upload::protocol::request::RequestParts;
use oss_emulator::keys::Keys;

fuzz_target!(|input: (String, Option<String>, Vec<(String, String)>, Vec<(String, String)>, u32)| {
    let (method, key, headers, query, now) = input;
    let req = RequestParts {
        method,
        bucket: Some("b".into()),
        key,
        query,
        headers,
    };
    let keys = Keys::new("LTAI5tEmulatorAccessKey".into(), "EmulatorSecret0123456789abcdef".into());
    // The time is arbitrary too, so that expiry and skew arithmetic meet every value.
    if let Err(f) = oss_emulator::auth::verify(&req, &keys, "cn-hangzhou", u64::from(now) * 8) {
        assert!((400..500).contains(&f.status), "{f:?}");
    }
});
