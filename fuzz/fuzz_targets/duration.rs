//! Go duration strings (`interval`, `initialDelay`, pause durations, ...): parsing never panics, and what
//! parses prints back to the same duration.
#![no_main]

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use libfuzzer_sys::fuzz_target;
use rollouts_api::duration;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = duration::parse_nanos(text);
    let _ = duration::pause_string_seconds(text);
    let _ = duration::pause_seconds(&IntOrString::String(text.to_string()));
    if let Ok(parsed) = duration::parse(text) {
        let printed = duration::format(parsed);
        assert_eq!(
            duration::parse(&printed).ok(),
            Some(parsed),
            "{text:?} printed as {printed:?}"
        );
    }
});
