//! Timestamp checking on arbitrary text: Checkvist's JSON format (`%Y/%m/%d %H:%M:%S %z`,
//! UTC), ISO 8601 UTC, RFC 3339 and UNIX seconds; and, for an input `pattern\ntext`, an
//! arbitrary strftime pattern as a contract could write it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use specgate::check::timestamp_format::Params;

fn params(yaml: &str) -> Params {
    serde_yaml::from_str(&format!("request: {{operation: x}}\nfields: [$.t]\n{yaml}"))
        .expect("params")
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    thread_local! {
        static FIXED: Vec<Params> = vec![
            params("format: strftime\nstrftime: \"%Y/%m/%d %H:%M:%S %z\"\nutc: true\nallow_empty: true"),
            params("format: iso8601-utc\nutc: true"),
            params("format: rfc3339"),
            params("format: unix"),
        ];
    }
    FIXED.with(|all| {
        for p in all {
            let _ = p.problem(text);
        }
    });
    if let Some((pattern, value)) = text.split_once('\n') {
        let mut p = params("format: strftime\nstrftime: x");
        p.strftime = Some(pattern.to_string());
        let _ = p.problem(value);
    }
});
