//! The HTML report of a check run: one self-contained file (inline style, no script, no
//! network) for a person to read.

use super::check::{level_text, not_run_text, xml_escape, Summary};
use crate::results::{describe, ApiResult, Status};

/// One self-contained HTML file (inline style, no script, no network): the summary and every
/// rule, failures open with their exchange and curl.
pub fn html(apis: &[ApiResult], strict: bool) -> String {
    let s = Summary::of(apis, strict);
    let e = xml_escape;
    let mut out = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>specgate conformance report</title>\n<style>\nbody{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#222}\ntable{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}\n.passed{color:#17663a}.failed{color:#b3261e}.skipped,.not-run{color:#777}.warn{color:#a15c00}\ndetails{margin:.3em 0;border-left:3px solid #ddd;padding-left:.6em}details.failed{border-color:#b3261e}\nsummary{cursor:pointer}blockquote{margin:.4em 0;padding-left:.8em;border-left:3px solid #9ab;color:#345}\npre{background:#f5f5f5;padding:.5em;overflow-x:auto;white-space:pre-wrap;word-break:break-all}\n</style></head><body>\n<h1>specgate conformance report</h1>\n",
    );
    out.push_str(&format!(
        "<p>{} rules: <b class=\"passed\">{} passed</b>, <b class=\"failed\">{} failed</b> ({} failing the run, {} warnings, {} observations), <span class=\"skipped\">{} skipped{}</span>.</p>\n<table><tr><th>API</th><th>base URL</th><th>rules</th><th>passed</th><th>failed</th><th>skipped</th><th>not run</th></tr>\n",
        s.rules, s.passed, s.failed, s.failing, s.warnings, s.observations, s.skipped, not_run_text(&s)
    ));
    for a in apis {
        let n = |st: Status| a.results.iter().filter(|r| r.status == st).count();
        out.push_str(&format!("<tr><td><a href=\"#{0}\">{0}</a></td><td><code>{1}</code></td><td>{2}</td><td>{3}</td><td>{4}</td><td>{5}</td><td>{6}</td></tr>\n", e(&a.api), e(&a.base_url), a.results.len(), n(Status::Passed), n(Status::Failed), n(Status::Skipped), n(Status::NotRun)));
    }
    out.push_str("</table>\n");
    for a in apis {
        out.push_str(&format!("<h2 id=\"{0}\">{0}</h2>\n", e(&a.api)));
        if let Some(u) = &a.unreachable {
            out.push_str(&format!(
                "<p class=\"failed\">The target could not be reached: {}</p>\n",
                e(u)
            ));
        }
        for r in &a.results {
            let class = match r.status {
                Status::Passed => "passed",
                Status::Failed => "failed",
                Status::Skipped => "skipped",
                Status::NotRun => "not-run",
            };
            let open = if r.status == Status::Failed && r.counts_as_failure(strict) {
                " open"
            } else {
                ""
            };
            out.push_str(&format!(
                "<details class=\"{class}\"{open}><summary><span class=\"{class}\">{}</span> <code>{}</code> <small>{} · {}</small> {}</summary>\n",
                class.to_uppercase(),
                e(&r.id),
                e(&r.kind),
                e(&level_text(r)),
                e(r.title.as_deref().unwrap_or(""))
            ));
            for c in &r.cite {
                out.push_str(&format!(
                    "<blockquote>{}</blockquote>\n",
                    e(&crate::spec::normalize_ws(c))
                ));
            }
            if let Some(reason) = &r.reason {
                out.push_str(&format!("<p>{}</p>\n", e(reason)));
            }
            for o in &r.observations {
                out.push_str(&format!("<p class=\"warn\">observed: {}</p>\n", e(o)));
            }
            for f in &r.failures {
                let class = if f.failure.is_stated() {
                    "failed"
                } else {
                    "warn"
                };
                out.push_str(&format!("<p class=\"{class}\">{}</p>\n", e(&describe(f))));
                if let Some(x) = &f.exchange {
                    let answer = x.answer();
                    out.push_str(&format!(
                        "<pre>{} {} → {}\n\n{}</pre>\n<pre>{}</pre>\n",
                        e(&x.method),
                        e(&x.url),
                        e(&answer),
                        e(&x.response_body),
                        e(&x.curl)
                    ));
                }
            }
            out.push_str("</details>\n");
        }
    }
    out.push_str("</body></html>\n");
    out
}
