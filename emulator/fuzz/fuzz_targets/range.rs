//! A Range header against an object of some size: a range inside it, none, or InvalidRange.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (&str, u64)| {
    let (header, size) = input;
    match oss_emulator::objects::parse_range(header, size) {
        Ok(Some((offset, len))) => {
            assert!(len > 0 && offset.checked_add(len).is_some_and(|end| end <= size))
        }
        Ok(None) => {}
        Err(f) => assert_eq!((f.status, f.code.as_ref()), (416, "InvalidRange")),
    }
});
