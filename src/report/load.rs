//! Reports of load runs and capacity plans: the terminal table, JSON, Markdown and HTML (with
//! SVG charts of throughput and latency against concurrency, drawn inline: no script, no
//! network, as the conformance report).

use tabled::builder::Builder;
use tabled::settings::Style;

use super::files::ReportFile;
use super::ReportFormat;
use crate::load::plan::Plan;
use crate::load::run::Latency;
use crate::load::{LoadRun, OpenStats};

/// The report formats `specgate load` and `specgate plan` write.
pub const FORMATS: &[ReportFormat] = &[
    ReportFormat::Json,
    ReportFormat::Markdown,
    ReportFormat::Html,
];

/// The reports of `load` or `plan` (`prefix`) when none is given: all three under
/// `reports/<prefix>-<timestamp>/`.
pub fn default_files(prefix: &str) -> Vec<ReportFile> {
    let dir = super::files::stamped_dir(Some(prefix));
    FORMATS
        .iter()
        .map(|&format| ReportFile {
            format,
            path: dir.join(format!("{prefix}.{format}")),
        })
        .collect()
}

fn esc(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

/// What part of a sharded run `run` is: a shard's, or the merge of all of them; empty for a
/// run of the whole scenario.
fn shard_line(run: &LoadRun) -> String {
    let line = match &run.shard {
        Some(s) => match s.index {
            Some(i) => format!(
                "shard {i}/{} (indexes from 0): each count is predicted for this shard's share of the work",
                s.count
            ),
            None => format!(
                "merged from {} shards: counts added, percentiles from the added histograms, time the longest shard's",
                s.count
            ),
        },
        None => return String::new(),
    };
    match (&run.shard, run.open.as_ref()) {
        (Some(s), Some(o)) => format!("{line}; {}", open_shard_text(s, o)),
        _ => line,
    }
}

/// How an open-model shard's starts, or a merge's, stand to the whole schedule.
fn open_shard_text(s: &crate::load::shard::ShardRun, o: &OpenStats) -> String {
    let whole = o.sharded.as_ref().map_or(0, |w| w.whole);
    match s.index {
        Some(i) => format!(
            "its starts are those of the whole --rate {} schedule ({whole} starts) numbered {i} mod {}, each at its intended time counted from this shard's beginning",
            o.rate, s.count
        ),
        None => {
            let share = o.sharded.as_ref();
            let apart = match (
                share.and_then(|w| w.start_at_unix_ms),
                share.and_then(|w| w.began_apart_ms),
            ) {
                (Some(at), _) => format!(
                    "; every shard began the schedule at --start-at {}, so the starts keep the whole schedule (a start a shard made late is in its lateness and corrected times)",
                    crate::load::open::StartAt(at)
                ),
                (None, Some(ms)) => format!(
                    "; the shards' schedules began within {:.3} s of each other, so the starts keep the whole schedule to within that (give them one --start-at to remove the gap)",
                    ms as f64 / 1000.0
                ),
                (None, None) => String::new(),
            };
            format!(
                "{} of the whole --rate {} schedule's {whole} starts were scheduled{apart}; the in-flight bound and peak are the shards' added",
                o.scheduled, o.rate
            )
        }
    }
}

fn verdict(run: &LoadRun) -> &'static str {
    match run.prediction_holds {
        Some(true) => "every count is the predicted one",
        Some(false) => "COUNTS DIFFER FROM THE PREDICTION",
        None => "the run did not complete: the prediction is for a complete run",
    }
}

fn count_cell(run: &LoadRun, r: &crate::load::run::RequestStats) -> (String, &'static str) {
    match r.predicted {
        // A partial run is not held to the prediction of a complete one.
        Some(p) if run.prediction_holds.is_none() => (p.to_string(), " "),
        Some(p) if p == r.observed => (p.to_string(), "="),
        Some(p) => (p.to_string(), "≠"),
        None => ("-".into(), " "),
    }
}

fn statuses(r: &crate::load::run::RequestStats) -> String {
    r.statuses
        .iter()
        .map(|(k, n)| format!("{k}×{n}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The run as a table with its verdicts, for the terminal.
pub fn terminal(run: &LoadRun) -> String {
    let mut b = Builder::default();
    b.push_record([
        "request",
        "predicted",
        "",
        "observed",
        "failed",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "statuses",
    ]);
    for r in &run.requests {
        let (p, eq) = count_cell(run, r);
        b.push_record([
            r.key.clone(),
            p,
            eq.to_string(),
            r.observed.to_string(),
            r.failed.to_string(),
            format!("{:.2}", r.latency.p50_ms),
            format!("{:.2}", r.latency.p95_ms),
            format!("{:.2}", r.latency.p99_ms),
            statuses(r),
        ]);
    }
    let mut out = format!(
        "{} ({}) against {}\n{}\n",
        run.scenario,
        run.title,
        run.target,
        dataset_line(&run.dataset)
    );
    if run.shard.is_some() {
        out.push_str(&shard_line(run));
        out.push('\n');
    }
    out.push_str(&b.build().with(Style::rounded()).to_string());
    out.push('\n');
    out.push_str(&format!(
        "{} requests in {:.2} s with {}: {:.0} requests/s; p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms; {} failed\n",
        run.requests_total,
        run.elapsed_s,
        users(run),
        run.throughput_rps,
        run.latency.p50_ms,
        run.latency.p95_ms,
        run.latency.p99_ms,
        run.failed_total
    ));
    out.push_str(&format!("run {}; {}\n", run.ended.describe(), verdict(run)));
    for l in closed_judge_lines(run) {
        out.push_str(&l);
        out.push('\n');
    }
    if let Some(o) = &run.open {
        out.push_str(&open_terminal(run, o));
    }
    if run.left_undone > 0 && run.open.is_none() {
        out.push_str(&format!(
            "{} jobs of the export were left undone\n",
            run.left_undone
        ));
    }
    for l in &run.limits {
        out.push_str(&format!(
            "limit {}: {} per {} s, waited {} times\n",
            l.name, l.rate, l.per_seconds, l.waits
        ));
    }
    for t in &run.thresholds {
        out.push_str(&format!(
            "threshold {}: {} ({}){}\n",
            t.rule,
            if t.passed { "PASS" } else { "FAIL" },
            t.observed,
            if t.stopped_the_run {
                ", stopped the run"
            } else {
                ""
            }
        ));
    }
    for (e, n) in run.errors.iter().take(10) {
        out.push_str(&format!("error ×{n}: {e}\n"));
    }
    out
}

/// Who generated the load: the closed model's load users, or the open model's bound.
fn users(run: &LoadRun) -> String {
    match &run.open {
        Some(o) => format!("at most {} iterations in flight", o.max_in_flight),
        None => format!("{} load users", run.concurrency),
    }
}

/// The open model's schedule, starts and generator, a sentence each.
fn open_lines(o: &OpenStats) -> Vec<String> {
    let ramp = if o.rate.is_ramp() {
        format!(" ramped over {:.1} s", o.ramp_s)
    } else {
        String::new()
    };
    let mut lines = vec![
        format!(
            "open model: --rate {}{ramp}; offered {:.1} iterations/s, achieved {:.1} ({} scheduled in {:.2} s, {} started, {} completed)",
            o.rate, o.offered_rps, o.achieved_rps, o.scheduled, o.schedule_s, o.started, o.completed
        ),
        format!(
            "starts: {} late (more than {} ms after their intended time; lateness p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms), {} dropped (never started)",
            o.late, o.late_after_ms, o.lateness.p50_ms, o.lateness.p99_ms, o.lateness.max_ms, o.dropped
        ),
        format!(
            "in flight: at most {}, peak {}; the bound was hit {} times",
            o.max_in_flight, o.peak_in_flight, o.in_flight_hits
        ),
    ];
    if o.cut > 0 {
        lines.push(format!(
            "{} iterations were still running when the run's deadline cut them",
            o.cut
        ));
    }
    // A late start or two is the machine's jitter; one in a hundred is the generator's lag.
    if o.dropped > 0 || o.late * 100 > o.started {
        lines.push(
            "the generator did not keep its schedule: corrected times count the wait, uncorrected ones hide it".into(),
        );
    } else if o.in_flight_hits > 0 {
        lines.push(format!(
            "starts waited for a free slot, the latest {:.2} ms after its intended time: the schedule held",
            o.lateness.max_ms
        ));
    }
    lines.extend(judge_lines(o));
    lines
}

/// What the conformance checks found in the sampled responses, by request key.
fn judge_lines(o: &OpenStats) -> Vec<String> {
    judged_lines(o.judge_one_in, &o.judged)
}

/// What the judge found under load, by request key: how many answers it judged, the violations
/// by check with one example and its curl, and the warnings (what the contract rests on weaker
/// evidence than the document's statement). Both models' reports say it alike.
fn judged_lines(
    one_in: Option<u64>,
    judged: &std::collections::BTreeMap<String, crate::load::judge::Judged>,
) -> Vec<String> {
    let Some(n) = one_in else {
        return vec!["contract: not judged (--judge off)".into()];
    };
    let mut lines = vec![];
    for (key, j) in judged {
        let how = if j.under_limit > 0 {
            format!(
                "1 in {n}, and each of the {} a documented limit covers",
                j.under_limit
            )
        } else {
            format!("1 in {n}")
        };
        let warnings = if j.warnings.is_empty() {
            String::new()
        } else {
            let w: Vec<String> = j
                .warnings
                .iter()
                .map(|(c, k)| format!("{c} ×{k}"))
                .collect();
            format!("; warnings (not stated by the document): {}", w.join(", "))
        };
        if j.violations.is_empty() {
            lines.push(format!(
                "contract: {key}: {} responses judged ({how}), no violation{warnings}",
                j.judged
            ));
        } else {
            let by_check: Vec<String> = j
                .violations
                .iter()
                .map(|(c, k)| format!("{c} ×{k}"))
                .collect();
            lines.push(format!(
                "contract: {key}: {} responses judged ({how}), VIOLATIONS: {}{warnings}",
                j.judged,
                by_check.join(", ")
            ));
        }
        if let Some(e) = &j.example {
            let what = if e.warning { "warning, " } else { "" };
            lines.push(format!(
                "  for example ({what}{}, status {}): {}",
                e.check, e.status, e.failure
            ));
            lines.push(format!("  {}", e.curl));
        }
    }
    if judged.is_empty() {
        lines.push(format!("contract: no response was judged (1 in {n})"));
    }
    lines
}

/// A closed-model run's judging, as lines; none for the open model (its own lines say it).
fn closed_judge_lines(run: &LoadRun) -> Vec<String> {
    match &run.judgement {
        Some(j) => judged_lines(j.judge_one_in, &j.judged),
        None => vec![],
    }
}

/// Per request and overall: percentiles from the actual send and from the intended one.
fn both_latencies(run: &LoadRun, o: &OpenStats) -> Vec<(String, Latency, Latency)> {
    let mut rows: Vec<(String, Latency, Latency)> = run
        .requests
        .iter()
        .filter(|r| r.observed > 0)
        .map(|r| {
            (
                r.key.clone(),
                r.latency,
                o.corrected_by_key.get(&r.key).copied().unwrap_or_default(),
            )
        })
        .collect();
    rows.push(("all requests".into(), run.latency, o.corrected));
    rows
}

const BOTH_HEADER: [&str; 7] = [
    "request",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "corrected p50 ms",
    "corrected p95 ms",
    "corrected p99 ms",
];

fn both_cells(l: &Latency, c: &Latency) -> [String; 6] {
    [l.p50_ms, l.p95_ms, l.p99_ms, c.p50_ms, c.p95_ms, c.p99_ms].map(|v| format!("{v:.2}"))
}

fn open_terminal(run: &LoadRun, o: &OpenStats) -> String {
    let mut out = String::new();
    for l in open_lines(o) {
        out.push_str(&l);
        out.push('\n');
    }
    let mut b = Builder::default();
    b.push_record(BOTH_HEADER);
    for (key, l, c) in both_latencies(run, o) {
        let mut row = vec![key];
        row.extend(both_cells(&l, &c));
        b.push_record(row);
    }
    out.push_str("response times from the actual send, and corrected: from the intended send\n");
    out.push_str(&b.build().with(Style::rounded()).to_string());
    out.push('\n');
    out
}

fn open_markdown(run: &LoadRun, o: &OpenStats) -> String {
    let mut out = String::from("\n## Open model\n\n");
    for l in open_lines(o) {
        out.push_str(&format!("- {l}\n"));
    }
    out.push_str(
        "\nResponse times from the actual send, and corrected: from the intended send.\n\n",
    );
    out.push_str(&format!(
        "| {} |\n|---|---:|---:|---:|---:|---:|---:|\n",
        BOTH_HEADER.join(" | ")
    ));
    for (key, l, c) in both_latencies(run, o) {
        out.push_str(&format!(
            "| `{key}` | {} |\n",
            both_cells(&l, &c).join(" | ")
        ));
    }
    out
}

fn open_html(run: &LoadRun, o: &OpenStats) -> String {
    let mut out = String::from("<h2>Open model</h2>\n<ul>\n");
    for l in open_lines(o) {
        out.push_str(&format!("<li>{}</li>\n", esc(&l)));
    }
    out.push_str("</ul>\n<p>Response times from the actual send, and corrected: from the intended send.</p>\n<table><tr>");
    for h in BOTH_HEADER {
        out.push_str(&format!("<th>{h}</th>"));
    }
    out.push_str("</tr>\n");
    for (key, l, c) in both_latencies(run, o) {
        out.push_str(&format!("<tr><td><code>{}</code></td>", esc(&key)));
        for v in both_cells(&l, &c) {
            out.push_str(&format!("<td class=\"n\">{v}</td>"));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    out
}

/// The dataset's values as `k=v, …`; `None` when the scenario has no dataset variable.
pub(crate) fn dataset_values(d: &std::collections::BTreeMap<String, f64>) -> Option<String> {
    (!d.is_empty()).then(|| {
        d.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    })
}

fn dataset_line(d: &std::collections::BTreeMap<String, f64>) -> String {
    format!(
        "dataset: {}",
        dataset_values(d).unwrap_or_else(|| "none (the scenario has no dataset variable)".into())
    )
}

pub fn json(run: &LoadRun) -> String {
    serde_json::to_string_pretty(run).unwrap_or_default()
}

pub fn markdown(run: &LoadRun) -> String {
    let mut out = format!("# Load run: {} ({})\n\n", run.scenario, run.title);
    for c in &run.cite {
        out.push_str(&format!("> {c}\n\n"));
    }
    out.push_str(&format!(
        "Target `{}`, {}, {}.\n\n**{}**: {}.\n\n",
        run.target,
        dataset_line(&run.dataset),
        users(run),
        run.ended.describe(),
        verdict(run)
    ));
    if run.shard.is_some() {
        out.push_str(&format!("{}.\n\n", shard_line(run)));
    }
    out.push_str("| request | predicted | observed | failed | p50 ms | p95 ms | p99 ms | statuses |\n|---|---:|---:|---:|---:|---:|---:|---|\n");
    for r in &run.requests {
        let (p, eq) = count_cell(run, r);
        out.push_str(&format!(
            "| `{}` | {p} | {}{} | {} | {:.2} | {:.2} | {:.2} | {} |\n",
            r.key,
            if eq == "≠" { "**≠** " } else { "" },
            r.observed,
            r.failed,
            r.latency.p50_ms,
            r.latency.p95_ms,
            r.latency.p99_ms,
            statuses(r)
        ));
    }
    out.push_str(&format!(
        "\n{} requests in {:.2} s: **{:.0} requests/s**; p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms.\n",
        run.requests_total,
        run.elapsed_s,
        run.throughput_rps,
        run.latency.p50_ms,
        run.latency.p95_ms,
        run.latency.p99_ms
    ));
    let judged = closed_judge_lines(run);
    if !judged.is_empty() {
        out.push_str("\n## Contract under load\n\n");
        for l in judged {
            out.push_str(&format!("- {l}\n"));
        }
    }
    if let Some(o) = &run.open {
        out.push_str(&open_markdown(run, o));
    }
    if !run.thresholds.is_empty() {
        out.push_str("\n| threshold | observed | verdict |\n|---|---|---|\n");
        for t in &run.thresholds {
            out.push_str(&format!(
                "| `{}` | {} | {} |\n",
                t.rule,
                t.observed,
                if t.passed { "pass" } else { "FAIL" }
            ));
        }
    }
    if !run.errors.is_empty() {
        out.push_str("\n## Errors\n\n");
        for (e, n) in &run.errors {
            out.push_str(&format!("- ×{n}: {e}\n"));
        }
    }
    out
}

const STYLE: &str = "<style>\nbody{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#222}\ntable{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}td.n{text-align:right}\n.ok{color:#17663a}.bad{color:#b3261e}blockquote{margin:.4em 0;padding-left:.8em;border-left:3px solid #9ab;color:#345}\nsvg text{font:11px system-ui,sans-serif}\n</style>";

pub fn html(run: &LoadRun) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>specgate load: {0}</title>\n{STYLE}</head><body>\n<h1>Load run: {0}</h1>\n<p>{1}</p>\n",
        esc(&run.scenario),
        esc(&run.title)
    );
    for c in &run.cite {
        out.push_str(&format!("<blockquote>{}</blockquote>\n", esc(c)));
    }
    let class = if run.prediction_holds == Some(false) {
        "bad"
    } else {
        "ok"
    };
    out.push_str(&format!(
        "<p>Target <code>{}</code>, {}, {}. <b class=\"{class}\">{}: {}.</b></p>\n",
        esc(&run.target),
        esc(&dataset_line(&run.dataset)),
        users(run),
        run.ended.describe(),
        verdict(run)
    ));
    if run.shard.is_some() {
        out.push_str(&format!("<p>{}.</p>\n", esc(&shard_line(run))));
    }
    out.push_str("<table><tr><th>request</th><th>predicted</th><th>observed</th><th>failed</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>statuses</th></tr>\n");
    for r in &run.requests {
        let (p, eq) = count_cell(run, r);
        let cls = if eq == "≠" { " class=\"bad\"" } else { "" };
        out.push_str(&format!(
            "<tr><td><code>{}</code></td><td class=\"n\">{p}</td><td class=\"n\"{cls}>{}</td><td class=\"n\">{}</td><td class=\"n\">{:.2}</td><td class=\"n\">{:.2}</td><td class=\"n\">{:.2}</td><td>{}</td></tr>\n",
            esc(&r.key),
            r.observed,
            r.failed,
            r.latency.p50_ms,
            r.latency.p95_ms,
            r.latency.p99_ms,
            esc(&statuses(r))
        ));
    }
    out.push_str(&format!(
        "</table>\n<p>{} requests in {:.2} s: <b>{:.0} requests/s</b>; p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms; {} failed.</p>\n",
        run.requests_total,
        run.elapsed_s,
        run.throughput_rps,
        run.latency.p50_ms,
        run.latency.p95_ms,
        run.latency.p99_ms,
        run.failed_total
    ));
    let judged = closed_judge_lines(run);
    if !judged.is_empty() {
        let class = if run.violations() > 0 { "bad" } else { "ok" };
        out.push_str(&format!(
            "<h2>Contract under load</h2>\n<ul class=\"{class}\">\n"
        ));
        for l in judged {
            out.push_str(&format!("<li>{}</li>\n", esc(&l)));
        }
        out.push_str("</ul>\n");
    }
    if let Some(o) = &run.open {
        out.push_str(&open_html(run, o));
    }
    for t in &run.thresholds {
        out.push_str(&format!(
            "<p class=\"{}\">threshold <code>{}</code>: {} ({})</p>\n",
            if t.passed { "ok" } else { "bad" },
            esc(&t.rule),
            if t.passed { "pass" } else { "FAIL" },
            esc(&t.observed)
        ));
    }
    for (e, n) in &run.errors {
        out.push_str(&format!("<p class=\"bad\">×{n}: {}</p>\n", esc(e)));
    }
    out.push_str("</body></html>\n");
    out
}

/// Render the report of `format`; a load run has no JUnit report (`--report` refuses it), so
/// that one is empty.
pub fn render(format: ReportFormat, run: &LoadRun) -> String {
    match format {
        ReportFormat::Json => json(run),
        ReportFormat::Markdown => markdown(run),
        ReportFormat::Html => html(run),
        ReportFormat::Junit => String::new(),
    }
}

fn wall(seconds: f64) -> String {
    if !seconds.is_finite() {
        return "unbounded".into();
    }
    let s = seconds.round() as u64;
    match s {
        0..=119 => format!("{seconds:.1} s"),
        120..=7199 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

fn plan_summary(plan: &Plan) -> String {
    let binding = if plan.binding == "concurrency" {
        format!(
            "the measured capacity at {} load users binds ({:.0} requests/s); no documented limit is reached",
            plan.recommended_concurrency, plan.measured_rps
        )
    } else {
        format!(
            "the documented limit `{}` binds: {:.1} requests/s for the workload, under the {:.0} measured",
            plan.binding, plan.effective_rps, plan.measured_rps
        )
    };
    format!(
        "For {}: {} requests; recommended concurrency {}; {}; predicted wall time {}.",
        dataset_values(&plan.plan_dataset).unwrap_or_else(|| format!(
            "{} iteration{} of each of {} load users (--plan-iterations)",
            plan.plan_iterations,
            if plan.plan_iterations == 1 { "" } else { "s" },
            plan.recommended_concurrency
        )),
        plan.predicted_total,
        plan.recommended_concurrency,
        binding,
        wall(plan.predicted_wall_s)
    )
}

/// A sweep point's figures after its load users, as every plan report shows them: requests/s,
/// p50, p95, p99, requests, failed, judged, violations.
fn point_figures(p: &crate::load::plan::PlanPoint) -> [String; 8] {
    [
        format!("{:.0}", p.throughput_rps),
        format!("{:.2}", p.p50_ms),
        format!("{:.2}", p.p95_ms),
        format!("{:.2}", p.p99_ms),
        p.requests.to_string(),
        p.failed.to_string(),
        p.judgement.judged.to_string(),
        p.judgement.violations.values().sum::<u64>().to_string(),
    ]
}

pub fn plan_terminal(plan: &Plan) -> String {
    let mut b = Builder::default();
    b.push_record([
        "load users",
        "requests/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "requests",
        "failed",
        "judged",
        "violations",
        "run",
    ]);
    for p in &plan.points {
        let marker = if p.concurrency == plan.recommended_concurrency {
            " ←"
        } else {
            ""
        };
        b.push_record(
            std::iter::once(format!("{}{marker}", p.concurrency))
                .chain(point_figures(p))
                .chain([p.ended.describe().to_string()]),
        );
    }
    let mut out = format!(
        "plan: {} ({}) against {}\nsweep on the sample {}\n",
        plan.scenario,
        plan.title,
        plan.target,
        dataset_line(&plan.sample_dataset)
    );
    out.push_str(&b.build().with(Style::rounded()).to_string());
    out.push('\n');
    for (k, n) in &plan.predicted_requests {
        out.push_str(&format!("  {n:>12}  {k}\n"));
    }
    for l in &plan.limits {
        out.push_str(&format!(
            "limit {}: {:.2} requests/s on {:.1}% of the requests → at most {:.1} requests/s\n",
            l.name,
            l.rate_rps,
            l.share * 100.0,
            l.cap_rps
        ));
    }
    for (concurrency, line, curl) in point_violations(plan) {
        out.push_str(&format!(
            "violation at {concurrency} load users: {line}\n  {curl}\n"
        ));
    }
    out.push_str(&plan_summary(plan));
    out.push('\n');
    if let Some(s) = plan.stopped {
        out.push_str(&format!("the sweep was {}\n", s.describe()));
    }
    out
}

/// Each point's first violation of the contract: its concurrency, what broke, and the curl.
fn point_violations(plan: &Plan) -> Vec<(usize, String, String)> {
    plan.points
        .iter()
        .filter_map(|p| {
            let e = p.judgement.example.as_ref()?;
            let by_check: Vec<String> = p
                .judgement
                .violations
                .iter()
                .map(|(c, n)| format!("{c} ×{n}"))
                .collect();
            Some((
                p.concurrency,
                format!(
                    "{} of {} judged answers ({}); for example {e}",
                    p.judgement.violations.values().sum::<u64>(),
                    p.judgement.judged,
                    by_check.join(", "),
                ),
                e.example.curl.clone(),
            ))
        })
        .collect()
}

pub fn plan_json(plan: &Plan) -> String {
    serde_json::to_string_pretty(plan).unwrap_or_default()
}

pub fn plan_markdown(plan: &Plan) -> String {
    let mut out = format!(
        "# Capacity plan: {} ({})\n\n{}\n\n",
        plan.scenario,
        plan.title,
        plan_summary(plan)
    );
    out.push_str("| load users | requests/s | p50 ms | p95 ms | p99 ms | requests | failed | judged | violations |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for p in &plan.points {
        out.push_str(&format!(
            "| {} | {} |\n",
            p.concurrency,
            point_figures(p).join(" | ")
        ));
    }
    for (concurrency, line, curl) in point_violations(plan) {
        out.push_str(&format!(
            "\n**Violation at {concurrency} load users**: {line}\n\n```sh\n{curl}\n```\n"
        ));
    }
    out.push_str("\n| request | predicted |\n|---|---:|\n");
    for (k, n) in &plan.predicted_requests {
        out.push_str(&format!("| `{k}` | {n} |\n"));
    }
    out
}

/// The frame two kinds of chart share (the concurrency plan's and the rate plan's): the SVG's
/// opening with its title, the two axes, and four gridlines labelled on the y axis.
pub(crate) struct ChartFrame {
    pub w: f64,
    pub h: f64,
    pub left: f64,
    pub top: f64,
    pub plot_w: f64,
    pub plot_h: f64,
    pub max_y: f64,
}

impl ChartFrame {
    /// A `w` × `h` chart whose plot leaves these margins, its y axis from 0 to `max_y`.
    pub fn new(
        w: f64,
        h: f64,
        (left, top, right, bottom): (f64, f64, f64, f64),
        max_y: f64,
    ) -> Self {
        ChartFrame {
            w,
            h,
            left,
            top,
            plot_w: w - left - right,
            plot_h: h - top - bottom,
            max_y,
        }
    }

    /// Where `v` falls on the y axis.
    pub fn y_at(&self, v: f64) -> f64 {
        self.top + self.plot_h * (1.0 - v / self.max_y)
    }

    /// The SVG's opening, its axes and gridlines, then the x axis's `ticks` (each at its x
    /// position) and its title.
    pub fn open(&self, title: &str, unit: &str, ticks: &[(f64, String)], x_title: &str) -> String {
        let ChartFrame {
            w,
            h,
            left,
            top,
            plot_w,
            plot_h,
            max_y,
        } = *self;
        let y_at = |v: f64| self.y_at(v);
        let mut out = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{0}\">\n<text x=\"{left}\" y=\"14\">{0} ({1})</text>\n",
            esc(title),
            esc(unit)
        );
        out.push_str(&format!(
            "<line x1=\"{left}\" y1=\"{0}\" x2=\"{1}\" y2=\"{0}\" stroke=\"#888\"/><line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{0}\" stroke=\"#888\"/>\n",
            top + plot_h,
            left + plot_w
        ));
        // One precision for every tick of an axis, enough to tell its quarters apart.
        let decimals = if max_y >= 400.0 {
            0
        } else if max_y >= 40.0 {
            1
        } else {
            2
        };
        for k in 0..=4 {
            let v = max_y * k as f64 / 4.0;
            out.push_str(&format!(
                "<text x=\"{lx}\" y=\"{ty:.1}\" text-anchor=\"end\">{v:.decimals$}</text><line x1=\"{left}\" y1=\"{gy:.1}\" x2=\"{rx}\" y2=\"{gy:.1}\" stroke=\"#eee\"/>\n",
                lx = left - 4.0,
                ty = y_at(v) + 4.0,
                gy = y_at(v),
                rx = left + plot_w,
            ));
        }
        for (x, label) in ticks {
            out.push_str(&format!(
                "<text x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\">{label}</text>\n",
                top + plot_h + 16.0
            ));
        }
        out.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
            left + plot_w / 2.0,
            h - 4.0,
            esc(x_title)
        ));
        out
    }
}

/// A line chart of `values` against the sweep's concurrencies (log-spaced on x).
pub fn svg_chart(
    title: &str,
    unit: &str,
    xs: &[usize],
    series: &[(&str, &str, Vec<f64>)],
) -> String {
    let max_y = series
        .iter()
        .flat_map(|(_, _, v)| v.iter().copied())
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max)
        .max(1e-9)
        * 1.1;
    let frame = ChartFrame::new(520.0, 260.0, (60.0, 24.0, 110.0, 36.0), max_y);
    let ChartFrame {
        left, top, plot_w, ..
    } = frame;
    let n = xs.len().max(1);
    let x_at = |i: usize| {
        left + if n > 1 {
            plot_w * i as f64 / (n - 1) as f64
        } else {
            plot_w / 2.0
        }
    };
    let y_at = |v: f64| frame.y_at(v);
    let ticks: Vec<(f64, String)> = xs
        .iter()
        .enumerate()
        .map(|(i, x)| (x_at(i), x.to_string()))
        .collect();
    let mut out = frame.open(title, unit, &ticks, "load users");
    for (si, (name, colour, values)) in series.iter().enumerate() {
        let pts: Vec<String> = values
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_finite())
            .map(|(i, v)| format!("{:.1},{:.1}", x_at(i), y_at(*v)))
            .collect();
        out.push_str(&format!(
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"/>\n",
            pts.join(" ")
        ));
        for p in &pts {
            let (x, y) = p.split_once(',').unwrap_or(("0", "0"));
            out.push_str(&format!(
                "<circle cx=\"{x}\" cy=\"{y}\" r=\"3\" fill=\"{colour}\"/>\n"
            ));
        }
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" fill=\"{colour}\">{}</text>\n",
            left + plot_w + 8.0,
            top + 14.0 * (si as f64 + 1.0),
            esc(name)
        ));
    }
    out.push_str("</svg>\n");
    out
}

pub fn plan_html(plan: &Plan) -> String {
    let xs: Vec<usize> = plan.points.iter().map(|p| p.concurrency).collect();
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>specgate plan: {0}</title>\n{STYLE}</head><body>\n<h1>Capacity plan: {0}</h1>\n<p>{1}</p>\n<p><b>{2}</b></p>\n",
        esc(&plan.scenario),
        esc(&plan.title),
        esc(&plan_summary(plan))
    );
    out.push_str(&svg_chart(
        "throughput",
        "requests/s",
        &xs,
        &[(
            "requests/s",
            "#1f5fa8",
            plan.points.iter().map(|p| p.throughput_rps).collect(),
        )],
    ));
    out.push_str(&svg_chart(
        "latency",
        "ms",
        &xs,
        &[
            (
                "p50",
                "#17663a",
                plan.points.iter().map(|p| p.p50_ms).collect(),
            ),
            (
                "p95",
                "#a15c00",
                plan.points.iter().map(|p| p.p95_ms).collect(),
            ),
            (
                "p99",
                "#b3261e",
                plan.points.iter().map(|p| p.p99_ms).collect(),
            ),
        ],
    ));
    out.push_str(&format!(
        "<h2>Sweep</h2><p>On the sample {}, against <code>{}</code>.</p>\n<table><tr><th>load users</th><th>requests/s</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>requests</th><th>failed</th><th>judged</th><th>violations</th></tr>\n",
        esc(&dataset_line(&plan.sample_dataset)),
        esc(&plan.target)
    ));
    for p in &plan.points {
        out.push_str("<tr>");
        for cell in std::iter::once(p.concurrency.to_string()).chain(point_figures(p)) {
            out.push_str(&format!("<td class=\"n\">{cell}</td>"));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    for (concurrency, line, curl) in point_violations(plan) {
        out.push_str(&format!(
            "<p><b>Violation at {concurrency} load users</b>: {}</p><pre>{}</pre>\n",
            esc(&line),
            esc(&curl)
        ));
    }
    out.push_str("<h2>Predicted requests</h2><table><tr><th>request</th><th>predicted</th></tr>\n");
    for (k, n) in &plan.predicted_requests {
        out.push_str(&format!(
            "<tr><td><code>{}</code></td><td class=\"n\">{n}</td></tr>\n",
            esc(k)
        ));
    }
    out.push_str("</table>\n");
    if !plan.limits.is_empty() {
        out.push_str("<h2>Documented limits</h2>\n");
        for l in &plan.limits {
            out.push_str(&format!(
                "<p><b>{}</b>: {:.2} requests/s on {:.1}% of the requests, so at most {:.1} requests/s for the workload.</p>\n",
                esc(&l.name),
                l.rate_rps,
                l.share * 100.0,
                l.cap_rps
            ));
            for c in &l.cite {
                out.push_str(&format!("<blockquote>{}</blockquote>\n", esc(c)));
            }
        }
    }
    out.push_str("</body></html>\n");
    out
}

/// Render the plan's report of `format`; a plan has no JUnit report (`--report` refuses it),
/// so that one is empty.
pub fn render_plan(format: ReportFormat, plan: &Plan) -> String {
    match format {
        ReportFormat::Json => plan_json(plan),
        ReportFormat::Markdown => plan_markdown(plan),
        ReportFormat::Html => plan_html(plan),
        ReportFormat::Junit => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tick labels of one axis, in order from 0 up.
    fn ticks(max_y: f64) -> Vec<String> {
        ChartFrame::new(400.0, 200.0, (40.0, 20.0, 60.0, 30.0), max_y)
            .open("t", "u", &[], "x")
            .lines()
            .filter_map(|l| {
                let rest = l.split("text-anchor=\"end\">").nth(1)?;
                Some(rest.split('<').next()?.to_string())
            })
            .collect()
    }

    #[test]
    fn every_tick_of_an_axis_has_the_same_precision() {
        assert_eq!(ticks(346.0), ["0.0", "86.5", "173.0", "259.5", "346.0"]);
        assert_eq!(ticks(4.04), ["0.00", "1.01", "2.02", "3.03", "4.04"]);
        assert_eq!(ticks(1200.0), ["0", "300", "600", "900", "1200"]);
    }
}
