//! The pagination-link reader on arbitrary answers: an input `path\nJSON body` (or a bare
//! body, read with the paths the contracts use) has its links and items read as a
//! `pagination` rule does, and every link's origin taken as a walk does before following it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use specgate::check::pagination::{origin, page_items, page_link};
use specgate::run::Vars;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (path, body) = match text.split_once('\n') {
        Some((p, b)) if p.starts_with('$') => (Some(p), b),
        _ => (None, text),
    };
    let Ok(body) = serde_json::from_str::<Value>(body) else {
        let _ = origin(text);
        return;
    };
    let mut vars = Vars::new();
    vars.set("page", Value::from(2));
    let paths = [
        "$.links.next",
        "$.links.last",
        "$.links.prev",
        "$.data",
        "$[*]",
        "$.links['{{page}}']",
    ];
    for p in paths.iter().copied().chain(path) {
        if let Some(url) = page_link(&body, p, &vars) {
            let _ = origin(&url);
        }
        let _ = page_items(&body, p, &vars);
    }
});
