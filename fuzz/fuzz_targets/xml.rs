//! The XML reader on arbitrary text (Checkvist's XML answers), then element paths on the tree;
//! an input `path\ndocument` also selects its own path.
#![no_main]

use libfuzzer_sys::fuzz_target;
use specgate::run::xml;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (path, doc) = match text.split_once('\n') {
        Some((p, d)) if !p.starts_with('<') => (Some(p), d),
        _ => (None, text),
    };
    if let Ok(root) = xml::parse(doc) {
        for p in [
            "tasks/task/id",
            "*/*/updated_at",
            "tasks/task/parent_id/@nil",
            "*",
            "@a",
            "",
        ] {
            let _ = xml::select(&root, p);
        }
        if let Some(p) = path {
            let _ = xml::select(&root, p);
        }
    }
});
