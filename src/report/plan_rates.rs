//! Reports of a capacity plan over arrival rates (`specgate plan --rates`): the terminal table
//! of the steps with the verdict, JSON, Markdown, and HTML with inline SVG charts (no script,
//! no network) of the corrected percentiles and of the achieved rate against the offered one,
//! the SLO line and the contract-break point marked.

use tabled::builder::Builder;
use tabled::settings::Style;

use super::load::ChartFrame;
use super::ReportFormat;
use crate::load::plan_rates::{Bound, RatePlan, RateStep};

fn esc(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

fn rate(r: f64) -> String {
    format!("{r}/s")
}

fn percent(share: f64) -> String {
    format!("{:.2}%", share * 100.0)
}

/// Why `step` broke `bound`, in a clause.
fn why(plan: &RatePlan, step: &RateStep, bound: Bound) -> String {
    match bound {
        Bound::Generator => format!(
            "the generator did not keep its schedule ({} of {} starts made, achieved {:.1}/s of {:.1}/s offered, {} late, {} dropped, the in-flight bound of {} hit {} times): the server is not to blame; raise --max-in-flight or run the generator on a larger machine",
            step.started,
            step.scheduled,
            step.achieved_rps,
            step.offered_rps,
            step.late,
            step.dropped,
            plan.max_in_flight,
            step.in_flight_hits
        ),
        Bound::Limit => {
            let limits: Vec<String> = plan
                .limits
                .iter()
                .filter(|l| l.cap_per_s < step.rate_per_s)
                .map(|l| format!("`{}` allows {:.1} iterations/s", l.name, l.cap_per_s))
                .collect();
            format!("a documented limit caps the rate: {}", limits.join(", "))
        }
        Bound::Errors => format!(
            "{} of {} requests failed or answered 5xx ({}, over the {} allowed)",
            step.errors,
            step.requests,
            percent(step.error_share),
            percent(plan.max_error_share)
        ),
        Bound::Latency => match plan.slo {
            Some(slo) => format!(
                "corrected {} {:.2} ms, over the SLO's {} ms",
                slo.percentile.name(),
                slo.percentile.of(&step.corrected),
                slo.max_ms
            ),
            None => "no SLO".into(),
        },
        // Counted by check: one answer can break several (a 503 is a server error and an
        // undocumented status), so the violations may outnumber the answers judged.
        Bound::Contract => format!(
            "{} violations of the contract among {} sampled answers ({})",
            step.violation_count(),
            step.judged,
            by_check(step)
        ),
    }
}

fn by_check(step: &RateStep) -> String {
    step.violations
        .iter()
        .map(|(c, n)| format!("{c} ×{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The plan's answer, in one sentence: the highest sustainable rate and the bound that binds
/// at the next step, or that every step held.
pub fn verdict(plan: &RatePlan) -> String {
    let next_step = plan
        .next_rate_per_s
        .and_then(|r| plan.steps.iter().find(|s| s.rate_per_s == r));
    match (plan.binding, next_step) {
        (Some(bound), Some(step)) => {
            let bound_name = match (&plan.binding_limit, bound) {
                (Some(name), Bound::Limit) => format!("limit (`{name}`)"),
                _ => bound.name().to_string(),
            };
            let head = match plan.sustainable_rate_per_s {
                Some(r) => format!("highest sustainable rate: {} (every bound held)", rate(r)),
                None => format!(
                    "no rate was sustainable: the first, {}, already broke a bound",
                    rate(step.rate_per_s)
                ),
            };
            format!(
                "{head}; at {} the {bound_name} bound binds: {}",
                rate(step.rate_per_s),
                why(plan, step, bound)
            )
        }
        _ if plan.capacity_above_last => format!(
            "every step held: the capacity is above {}, the highest rate tried; it was not found (add higher rates)",
            rate(plan.sustainable_rate_per_s.unwrap_or_default())
        ),
        _ => "the sweep measured no step".into(),
    }
}

/// The lines under the verdict: the contract-break point, the bounds, what stopped the sweep.
fn notes(plan: &RatePlan) -> Vec<String> {
    let mut lines = vec![];
    let judged: u64 = plan.steps.iter().map(|s| s.judged).sum();
    lines.push(match plan.contract_break_per_s {
        Some(r) => format!(
            "contract-break point: {} (the first rate at which a sampled answer broke the contract)",
            rate(r)
        ),
        None if plan.judge_one_in.is_none() => {
            "contract: not judged (--judge off): the contract bound was not applied".into()
        }
        None => format!("contract: no sampled answer broke it ({judged} judged over the sweep)"),
    });
    lines.push(format!(
        "bounds: {}; errors at most {} of requests; contract judged on {}; generator: no dropped start, and at least 95% of the offered rate when starts are late",
        match plan.slo {
            Some(slo) => format!("corrected {} under {} ms", slo.percentile.name(), slo.max_ms),
            None => "latency not bounded (no --slo)".into(),
        },
        percent(plan.max_error_share),
        match plan.judge_one_in {
            Some(n) => format!("1 answer in {n}"),
            None => "no answer".into(),
        }
    ));
    for l in &plan.limits {
        lines.push(format!(
            "limit {}: {:.2} requests/s on {:.1}% of an iteration's {} requests → at most {:.1} iterations/s",
            l.name,
            l.rate_rps,
            l.share * 100.0,
            plan.requests_per_iteration,
            l.cap_per_s
        ));
    }
    if let Some(r) = plan.held_again_above {
        lines.push(format!(
            "a higher rate, {}, held again: the steps are noisy; longer steps (--run-time) measure more steadily",
            rate(r)
        ));
    }
    if let Some(why) = &plan.stopped_early {
        lines.push(format!("the sweep stopped early: {why}"));
    }
    if let Some(s) = plan.stopped {
        lines.push(format!("the sweep was {}", s.describe()));
    }
    lines
}

/// A step's violations, each with its example and curl.
fn examples(plan: &RatePlan) -> Vec<(f64, String, String)> {
    plan.steps
        .iter()
        .filter_map(|s| {
            let e = s.example.as_ref()?;
            Some((
                s.rate_per_s,
                format!("at {}: {e}", rate(s.rate_per_s)),
                e.example.curl.clone(),
            ))
        })
        .collect()
}

const HEADER: [&str; 16] = [
    "rate",
    "offered/s",
    "achieved/s",
    "requests/s",
    "corr p50 ms",
    "corr p95 ms",
    "corr p99 ms",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "errors",
    "late",
    "dropped",
    "judged",
    "violations",
    "broke",
];

fn cells(plan: &RatePlan, s: &RateStep) -> [String; 16] {
    let mark = if Some(s.rate_per_s) == plan.sustainable_rate_per_s {
        " ←"
    } else {
        ""
    };
    [
        format!("{}{mark}", rate(s.rate_per_s)),
        format!("{:.1}", s.offered_rps),
        format!("{:.1}", s.achieved_rps),
        format!("{:.1}", s.throughput_rps),
        format!("{:.2}", s.corrected.p50_ms),
        format!("{:.2}", s.corrected.p95_ms),
        format!("{:.2}", s.corrected.p99_ms),
        format!("{:.2}", s.uncorrected.p50_ms),
        format!("{:.2}", s.uncorrected.p95_ms),
        format!("{:.2}", s.uncorrected.p99_ms),
        format!("{} ({})", s.errors, percent(s.error_share)),
        s.late.to_string(),
        s.dropped.to_string(),
        s.judged.to_string(),
        s.violation_count().to_string(),
        if s.held() {
            "-".into()
        } else {
            s.broken
                .iter()
                .map(|b| b.name())
                .collect::<Vec<_>>()
                .join(", ")
        },
    ]
}

fn dataset_line(plan: &RatePlan) -> String {
    super::load::dataset_values(&plan.sample_dataset)
        .unwrap_or_else(|| "(the scenario has no dataset variable)".into())
}

fn intro(plan: &RatePlan) -> String {
    format!(
        "open model, {} s a step, at most {} iterations in flight, on the sample dataset {}",
        plan.step_s,
        plan.max_in_flight,
        dataset_line(plan)
    )
}

pub fn terminal(plan: &RatePlan) -> String {
    let mut b = Builder::default();
    b.push_record(HEADER);
    for s in &plan.steps {
        b.push_record(cells(plan, s));
    }
    let mut out = format!(
        "plan: {} ({}) against {}\n{}\n",
        plan.scenario,
        plan.title,
        plan.target,
        intro(plan)
    );
    out.push_str(&b.build().with(Style::rounded()).to_string());
    out.push('\n');
    out.push_str("corr: from the intended send (corrected for coordinated omission); p50/p95/p99: from the actual send\n");
    for (_, line, curl) in examples(plan) {
        out.push_str(&format!("violation {line}\n  {curl}\n"));
    }
    for l in notes(plan) {
        out.push_str(&l);
        out.push('\n');
    }
    out.push_str(&verdict(plan));
    out.push('\n');
    out
}

pub fn json(plan: &RatePlan) -> String {
    serde_json::to_string_pretty(plan).unwrap_or_default()
}

pub fn markdown(plan: &RatePlan) -> String {
    let mut out = format!(
        "# Capacity plan over arrival rates: {} ({})\n\n**{}.**\n\nTarget `{}`, {}.\n\n",
        plan.scenario,
        plan.title,
        verdict(plan),
        plan.target,
        intro(plan)
    );
    for l in notes(plan) {
        out.push_str(&format!("- {l}\n"));
    }
    out.push_str(&format!(
        "\n| {} |\n|{}\n",
        HEADER.join(" | "),
        "---:|".repeat(HEADER.len())
    ));
    for s in &plan.steps {
        out.push_str(&format!("| {} |\n", cells(plan, s).join(" | ")));
    }
    out.push_str("\n*corr*: from the intended send (corrected for coordinated omission); p50/p95/p99: from the actual send.\n");
    let ex = examples(plan);
    if !ex.is_empty() {
        out.push_str("\n## Contract violations\n\n");
        for (_, line, curl) in ex {
            out.push_str(&format!("- {line}\n\n  ```sh\n  {curl}\n  ```\n"));
        }
    }
    out
}

/// One line of a chart: its name, colour, and a value per step (`NaN`: none).
struct Series<'a> {
    name: &'a str,
    class: &'a str,
    colour: &'a str,
    values: Vec<f64>,
}

/// A chart of `series` against the steps' offered rates, on linear axes from 0: one point per
/// step per series, a dashed horizontal line at `level` (the SLO, or nothing), a diagonal
/// `y = x` when `diagonal` (the rate that was offered), and a vertical line at the
/// contract-break point.
fn chart(
    title: &str,
    unit: &str,
    plan: &RatePlan,
    series: &[Series<'_>],
    level: Option<(f64, String)>,
    diagonal: bool,
) -> String {
    let xs: Vec<f64> = plan.steps.iter().map(|s| s.rate_per_s).collect();
    let max_x = xs.iter().copied().fold(0.0_f64, f64::max).max(1e-9) * 1.05;
    let max_y = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .chain(level.as_ref().map(|(v, _)| *v))
        .chain(if diagonal { Some(max_x) } else { None })
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max)
        .max(1e-9)
        * 1.1;
    let frame = ChartFrame::new(560.0, 280.0, (60.0, 24.0, 130.0, 36.0), max_y);
    let ChartFrame {
        left,
        top,
        plot_w,
        plot_h,
        ..
    } = frame;
    let x_at = |v: f64| left + plot_w * v / max_x;
    let y_at = |v: f64| frame.y_at(v);
    let ticks: Vec<(f64, String)> = xs.iter().map(|x| (x_at(*x), x.to_string())).collect();
    let mut out = frame.open(title, unit, &ticks, "offered rate (iterations/s)");
    if diagonal {
        out.push_str(&format!(
            "<line class=\"offered\" x1=\"{left}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>\n",
            y_at(0.0),
            x_at(max_x),
            y_at(max_x)
        ));
    }
    if let Some((v, label)) = &level {
        out.push_str(&format!(
            "<line class=\"slo\" x1=\"{left}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#b3261e\" stroke-dasharray=\"6 3\"/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#b3261e\">{}</text>\n",
            left + plot_w,
            left + 6.0,
            y_at(*v) - 4.0,
            esc(label),
            y = y_at(*v)
        ));
    }
    if let Some(r) = plan.contract_break_per_s {
        // Written on the side of the line with room, clear of the legend at the right.
        let x = x_at(r);
        let (label_x, anchor) = if x > left + plot_w / 2.0 {
            (x - 4.0, "end")
        } else {
            (x + 4.0, "start")
        };
        out.push_str(&format!(
            "<line class=\"contract-break\" x1=\"{x:.1}\" y1=\"{top}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#6a1b9a\" stroke-width=\"2\" stroke-dasharray=\"2 2\"/><text x=\"{label_x:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" fill=\"#6a1b9a\">contract breaks at {r}/s</text>\n",
            top + plot_h,
            top + 12.0,
        ));
    }
    for (si, s) in series.iter().enumerate() {
        let pts: Vec<(f64, f64, f64)> = xs
            .iter()
            .zip(&s.values)
            .filter(|(_, v)| v.is_finite())
            .map(|(x, v)| (*x, x_at(*x), y_at(*v)))
            .collect();
        let line: Vec<String> = pts
            .iter()
            .map(|(_, x, y)| format!("{x:.1},{y:.1}"))
            .collect();
        out.push_str(&format!(
            "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"/>\n",
            s.colour,
            line.join(" ")
        ));
        for (rate, x, y) in &pts {
            out.push_str(&format!(
                "<circle class=\"{}\" data-rate=\"{rate}\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\" fill=\"{}\"/>\n",
                s.class, s.colour
            ));
        }
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" fill=\"{}\">{}</text>\n",
            left + plot_w + 8.0,
            top + 14.0 * (si as f64 + 1.0),
            s.colour,
            esc(s.name)
        ));
    }
    out.push_str("</svg>\n");
    out
}

const STYLE: &str = "<style>\nbody{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:80em;padding:0 1em;color:#222}\ntable{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}td.n{text-align:right}\n.ok{color:#17663a}.bad{color:#b3261e}blockquote{margin:.4em 0;padding-left:.8em;border-left:3px solid #9ab;color:#345}\nsvg text{font:11px system-ui,sans-serif}pre{white-space:pre-wrap}\n</style>";

pub fn html(plan: &RatePlan) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>specgate plan: {0}</title>\n{STYLE}</head><body>\n<h1>Capacity plan over arrival rates: {0}</h1>\n<p>{1}</p>\n<p class=\"{2}\"><b>{3}.</b></p>\n<p>Target <code>{4}</code>, {5}.</p>\n<ul>\n",
        esc(&plan.scenario),
        esc(&plan.title),
        if plan.binding.is_some() && plan.sustainable_rate_per_s.is_none() { "bad" } else { "ok" },
        esc(&verdict(plan)),
        esc(&plan.target),
        esc(&intro(plan))
    );
    for l in notes(plan) {
        out.push_str(&format!("<li>{}</li>\n", esc(&l)));
    }
    out.push_str("</ul>\n");
    let per_step = |f: fn(&RateStep) -> f64| plan.steps.iter().map(f).collect::<Vec<f64>>();
    out.push_str(&chart(
        "corrected response time",
        "ms, from the intended send",
        plan,
        &[
            Series {
                name: "p50",
                class: "p50",
                colour: "#17663a",
                values: per_step(|s| s.corrected.p50_ms),
            },
            Series {
                name: "p95",
                class: "p95",
                colour: "#a15c00",
                values: per_step(|s| s.corrected.p95_ms),
            },
            Series {
                name: "p99",
                class: "p99",
                colour: "#b3261e",
                values: per_step(|s| s.corrected.p99_ms),
            },
        ],
        plan.slo.map(|slo| (slo.max_ms, format!("SLO {slo}"))),
        false,
    ));
    out.push_str(&chart(
        "achieved rate",
        "iterations/s started",
        plan,
        &[Series {
            name: "achieved",
            class: "achieved",
            colour: "#1f5fa8",
            values: per_step(|s| s.achieved_rps),
        }],
        None,
        true,
    ));
    out.push_str("<h2>Steps</h2>\n<table><tr>");
    for h in HEADER {
        out.push_str(&format!("<th>{h}</th>"));
    }
    out.push_str("</tr>\n");
    for s in &plan.steps {
        let class = if s.held() { "" } else { " class=\"bad\"" };
        out.push_str(&format!("<tr{class}>"));
        for c in cells(plan, s) {
            out.push_str(&format!("<td class=\"n\">{}</td>", esc(&c)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n<p><i>corr</i>: from the intended send (corrected for coordinated omission); p50/p95/p99: from the actual send.</p>\n");
    let ex = examples(plan);
    if !ex.is_empty() {
        out.push_str("<h2>Contract violations</h2>\n");
        for (_, line, curl) in ex {
            out.push_str(&format!(
                "<p>{}</p>\n<pre>{}</pre>\n",
                esc(&line),
                esc(&curl)
            ));
        }
    }
    for l in &plan.limits {
        for c in &l.cite {
            out.push_str(&format!(
                "<p>Limit <b>{}</b>:</p><blockquote>{}</blockquote>\n",
                esc(&l.name),
                esc(c)
            ));
        }
    }
    out.push_str("</body></html>\n");
    out
}

/// Render the plan's report of `format`; a plan has no JUnit report (`--report` refuses it),
/// so that one is empty.
pub fn render(format: ReportFormat, plan: &RatePlan) -> String {
    match format {
        ReportFormat::Json => json(plan),
        ReportFormat::Markdown => markdown(plan),
        ReportFormat::Html => html(plan),
        ReportFormat::Junit => String::new(),
    }
}
