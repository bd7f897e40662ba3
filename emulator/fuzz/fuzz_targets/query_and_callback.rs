//! A query string, a Host and path, and callback headers: parsed, or refused with a 4xx.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (&str, &str, &str, String, Option<String>)| {
    let (query, host, path, callback, vars) = input;
    let _ = oss_browser_upload::protocol::encode::parse_query(query);
    let buckets = vec!["b".to_string()];
    let _ = oss_emulator::addressing::resolve(host, path, &buckets, &[]);
    let mut headers = vec![("x-oss-callback".to_string(), callback)];
    if let Some(vars) = vars {
        headers.push(("x-oss-callback-var".to_string(), vars));
    }
    if let Err(f) = oss_emulator::callback::parse(&headers) {
        assert!((400..500).contains(&f.status), "{f:?}");
    }
});
