//! `parsed_size` promises to bound from above what parsing a body into a `serde_json::Value`
//! allocates, so that the parse budget (`MAX_PARSED`) really bounds a run's memory. This binary
//! counts every byte the allocator hands out while a body is parsed, and compares.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use specgate::exchange::response::parsed_size;

/// The system allocator, counting the bytes live and the peak since the last reset.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
            PEAK.fetch_max(live, Ordering::SeqCst);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The most bytes live at once while `text` is parsed, beyond what was live before.
fn parse_peak(text: &[u8]) -> usize {
    let before = LIVE.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    let value: serde_json::Value = serde_json::from_slice(text).unwrap();
    let peak = PEAK.load(Ordering::SeqCst) - before;
    drop(value);
    peak
}

#[test]
fn the_estimate_is_never_below_what_parsing_allocates() {
    let notes: Vec<String> = (0..20_000)
        .map(|i| {
            format!(
                r#"{{"id":{i},"text":"{}","done":false}}"#,
                "n".repeat(i % 120)
            )
        })
        .collect();
    let deep: String = "[".repeat(100) + &"]".repeat(100);
    let wide_object: String = format!(
        "{{{}}}",
        (0..50_000)
            .map(|i| format!(r#""k{i}":{i}"#))
            .collect::<Vec<_>>()
            .join(",")
    );
    let shapes: Vec<(&str, String)> = vec![
        ("numbers", format!("[{}0]", "12,".repeat(200_000))),
        ("notes", format!("[{}]", notes.join(","))),
        ("strings", format!("[{}]", vec!["\"x\""; 100_000].join(","))),
        (
            "escaped strings",
            format!("[{}]", vec!["\"a\\nb\\u00e9\""; 50_000].join(",")),
        ),
        ("wide object", wide_object),
        ("nested arrays", deep),
        ("one long string", format!("\"{}\"", "y".repeat(3 << 20))),
    ];
    for (name, text) in shapes {
        let estimate = parsed_size(text.as_bytes()).unwrap();
        let real = parse_peak(text.as_bytes());
        assert!(
            estimate >= real,
            "{name}: estimated {estimate} bytes, parsing took {real}"
        );
        eprintln!(
            "{name}: {} bytes of text, parsed {real}, estimated {estimate} ({:.1}x)",
            text.len(),
            estimate as f64 / real.max(1) as f64
        );
    }
}
