//! A CompleteMultipartUpload body: a part list, or MalformedXML; never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Err(f) = oss_emulator::complete_body::requested_parts(body) {
        assert_eq!((f.status, f.code.as_ref()), (400, "MalformedXML"));
    }
});
