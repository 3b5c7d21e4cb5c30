//! The open model sharded: four `specgate load --rate 200/s --shard I/4` processes of
//! `peer-single-endpoint` against one checklist-items mock (started here, in-process, on a
//! fresh port), merged by `specgate merge`. Shard `I` makes the whole schedule's starts numbered
//! `I mod 4`, so the shards' scheduled starts add up to the unsharded schedule's (computed here
//! from `Schedule`), every start is made, and the merged corrected and uncorrected
//! p50/p95/p99 are those of a histogram built here from every request's times (the shards'
//! `--latency-log`s); an unsharded run of the same schedule schedules as many. Shards launched
//! apart with one `--start-at` begin one schedule at it. A set mixing open- and closed-model
//! shards, or shards of another rate, run time, `--judge` or `--start-at`, is refused with
//! exit 2.

mod common;

use common::{assert_ok, close, merge, percentiles, read_json as json};

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde_json::Value;
use specgate::load::latency::new_histogram;
use specgate::load::merge::{merge as merge_results, read_result, ShardResult};
use specgate::load::open::{parse_rate, Schedule};
use specgate::load::shard::{share, Shard};
use specgate::load::{run_open_load, LoadOptions, OpenOptions};

const SHARDS: usize = 4;
const RATE: &str = "200/s";
const RUN_TIME: &str = "2s";
const KEY: &str = "GET /checklists";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn scenario() -> PathBuf {
    root().join("scenarios/peer-single-endpoint.yaml")
}

/// The unsharded schedule's starts for `rate` over `seconds`.
fn unsharded_starts(rate: &str, seconds: f64) -> u64 {
    Schedule {
        rate: parse_rate(rate).unwrap(),
        ramp_s: 0.0,
    }
    .count_before(seconds)
}

type Fixture = common::ServedMock;

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        common::ServedMock::start("checklist-items", Default::default(), "shard-rate")
    })
}

/// `specgate load` of the scenario against the fixture's mock, as shard `shard`, its files
/// named `name`.
fn shard_command(name: &str, shard: &str, extra: &[&str]) -> Command {
    let f = fixture();
    let mut c = Command::new(env!("CARGO_BIN_EXE_specgate"));
    c.current_dir(root())
        .args(["load", "--scenario"])
        .arg(scenario())
        .arg("--target")
        .arg(&f.profile)
        .args(["--shard", shard, "--shard-result"])
        .arg(f.dir.join(format!("{name}.json")))
        .arg("--latency-log")
        .arg(f.dir.join(format!("{name}.tsv")))
        .arg("--report")
        .arg(format!(
            "json={}",
            f.dir.join(format!("{name}-report.json")).display()
        ))
        .args(extra)
        .envs(f.env.iter().cloned());
    c
}

/// The four shards at `RATE` for `RUN_TIME`, run side by side once: their result files.
fn shards() -> &'static Vec<PathBuf> {
    static RUN: OnceLock<Vec<PathBuf>> = OnceLock::new();
    RUN.get_or_init(|| {
        common::run_side_by_side((0..SHARDS).map(|i| {
            shard_command(
                &format!("rate-{i}"),
                &format!("{i}/{SHARDS}"),
                &["--rate", RATE, "--run-time", RUN_TIME],
            )
        }));
        (0..SHARDS)
            .map(|i| fixture().dir.join(format!("rate-{i}.json")))
            .collect()
    })
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

/// The percentiles of histograms built from every line of the latency logs: of the time from
/// the actual send (column 2) and from the intended send (column 3); and the lines' count.
fn from_logs(logs: &[PathBuf]) -> ([f64; 3], [f64; 3], u64) {
    let (mut sent, mut intended) = (new_histogram(), new_histogram());
    let mut lines = 0;
    for log in logs {
        for line in std::fs::read_to_string(log).unwrap().lines() {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 3, "key<TAB>µs<TAB>corrected µs: {line}");
            assert_eq!(cols[0], KEY);
            sent.saturating_record(cols[1].parse().unwrap());
            intended.saturating_record(cols[2].parse().unwrap());
            lines += 1;
        }
    }
    (
        common::histogram_percentiles(&sent),
        common::histogram_percentiles(&intended),
        lines,
    )
}

#[test]
fn four_rate_shards_merge_into_exactly_the_unsharded_schedule() {
    let f = fixture();
    let results = shards();
    let whole = unsharded_starts(RATE, 2.0);
    assert_eq!(whole, 400);

    // Each shard scheduled and made its share of the whole schedule, at the whole rate.
    for (i, r) in results.iter().enumerate() {
        let run = &json(r)["run"];
        let o = &run["open"];
        let mine = share(
            whole,
            Shard {
                index: i,
                count: SHARDS,
            },
        );
        assert_eq!(u(&o["scheduled"]), mine, "shard {i}: {o:#}");
        assert_eq!(u(&o["started"]), mine, "shard {i}: {o:#}");
        assert_eq!(u(&o["sharded"]["whole"]), whole, "shard {i}");
        assert_eq!(o["rate"]["from_per_s"], 200.0, "shard {i}");
        assert!(
            u(&run["requests_total"]) < whole,
            "shard {i} did not do it all"
        );
    }

    let merged_path = f.dir.join("merged.json");
    let paths: Vec<&Path> = results.iter().map(PathBuf::as_path).collect();
    assert_ok("merge", &merge(&paths, &merged_path));
    let merged = json(&merged_path);
    let o = &merged["open"];
    assert_eq!(merged["prediction_holds"], true, "{merged:#}");
    assert_eq!(merged["errors"], serde_json::json!({}), "{merged:#}");
    // The union of the shards' starts is the unsharded schedule, start for start.
    for field in ["scheduled", "started", "completed"] {
        assert_eq!(u(&o[field]), whole, "{field}: {o:#}");
    }
    assert_eq!(u(&o["dropped"]), 0);
    let request = &merged["requests"][0];
    assert_eq!(request["key"], KEY);
    assert_eq!(u(&request["observed"]), whole);
    assert_eq!(u(&request["predicted"]), whole);
    // The offered rate is the whole schedule's; the achieved, every start over the schedule.
    let schedule_s = o["schedule_s"].as_f64().unwrap();
    assert!(
        (o["offered_rps"].as_f64().unwrap() - 200.0).abs() < 1e-9,
        "{o:#}"
    );
    assert!((o["achieved_rps"].as_f64().unwrap() - whole as f64 / schedule_s).abs() < 1e-9);

    // The merged percentiles, both ways, are those of every recorded time together.
    let logs: Vec<PathBuf> = (0..SHARDS)
        .map(|i| f.dir.join(format!("rate-{i}.tsv")))
        .collect();
    let (sent, intended, lines) = from_logs(&logs);
    assert_eq!(lines, whole, "the latency logs hold every request once");
    let merged_sent = percentiles(&merged["latency"]);
    let merged_intended = percentiles(&o["corrected"]);
    let by_key = percentiles(&o["corrected_by_key"][KEY]);
    for k in 0..3 {
        assert!(
            close(merged_sent[k], sent[k]),
            "uncorrected: merged {merged_sent:?}, from every time {sent:?}"
        );
        assert!(
            close(merged_intended[k], intended[k]),
            "corrected: merged {merged_intended:?}, from every time {intended:?}"
        );
        assert!(close(by_key[k], intended[k]), "{KEY}: {by_key:?}");
    }
    // One unsharded run of the same schedule against the same mock schedules as many.
    let single_path = f.dir.join("single.json");
    let mut single = Command::new(env!("CARGO_BIN_EXE_specgate"));
    single
        .current_dir(root())
        .args(["load", "--scenario"])
        .arg(scenario())
        .arg("--target")
        .arg(&f.profile)
        .args(["--rate", RATE, "--run-time", RUN_TIME, "--report"])
        .arg(format!("json={}", single_path.display()))
        .envs(f.env.iter().cloned());
    assert_ok("unsharded run", &single.output().unwrap());
    let single = json(&single_path);
    assert_eq!(u(&single["open"]["scheduled"]), u(&o["scheduled"]));
    assert_eq!(u(&single["requests_total"]), u(&merged["requests_total"]));
    eprintln!(
        "unsharded: {} starts, p50/p95/p99 {:?} ms, corrected {:?} ms",
        single["open"]["started"],
        percentiles(&single["latency"]),
        percentiles(&single["open"]["corrected"])
    );
    eprintln!(
        "merged {SHARDS} shards at {RATE} for {RUN_TIME}: {} starts of the unsharded schedule's {whole}; \
         p50/p95/p99 {merged_sent:?} ms, corrected {merged_intended:?} ms; from the logs {sent:?}, corrected {intended:?}",
        o["started"]
    );
}

/// `merge` of `results` is refused with exit 2, saying each of `why`.
fn assert_refused(name: &str, results: &[&Path], why: &[&str]) {
    let report = fixture().dir.join(format!("merge-{name}.json"));
    let out = merge(results, &report);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
    for w in why {
        assert!(stderr.contains(w), "{name}: {stderr}");
    }
    assert!(!report.exists(), "{name}: a refused merge writes no report");
}

fn shard(i: usize) -> &'static Path {
    &shards()[i]
}

/// Shard 2 of 4 of another run, with `extra` arguments.
fn other_shard(name: &str, extra: &[&str]) -> PathBuf {
    other_shard_of(name, "2/4", extra)
}

#[test]
fn a_closed_model_shard_among_open_model_ones_is_refused() {
    let closed = other_shard("closed", &["--iterations", "4", "--concurrency", "1"]);
    assert_refused(
        "open-then-closed",
        &[shard(0), shard(1), &closed, shard(3)],
        &[
            "is not a shard of the same run",
            "it is a shard of the closed model (load users), the run's of the open model (--rate 200/s)",
        ],
    );
    // Whichever comes first is the reference.
    assert_refused(
        "closed-then-open",
        &[&closed, shard(0), shard(1), shard(3)],
        &["it is a shard of the open model (--rate 200/s), the run's of the closed model"],
    );
}

#[test]
fn a_shard_of_another_rate_or_run_time_is_refused() {
    let slower = other_shard("slower", &["--rate", "100/s", "--run-time", RUN_TIME]);
    assert_refused(
        "another-rate",
        &[shard(0), shard(1), &slower, shard(3)],
        &["its rate is --rate 100/s, the run's --rate 200/s"],
    );
    let shorter = other_shard("shorter", &["--rate", RATE, "--run-time", "1s"]);
    assert_refused(
        "another-run-time",
        &[shard(0), shard(1), &shorter, shard(3)],
        &["its whole schedule is 200 starts, the run's 400"],
    );
    let unjudged = other_shard(
        "unjudged",
        &["--rate", RATE, "--run-time", RUN_TIME, "--judge", "off"],
    );
    assert_refused(
        "another-judge",
        &[shard(0), shard(1), &unjudged, shard(3)],
        &["it judges none of its responses, the run 1/50 (--judge)"],
    );
}

#[test]
fn an_open_model_shard_without_its_corrected_histograms_is_refused() {
    let mut result = json(shard(2));
    result
        .as_object_mut()
        .unwrap()
        .remove("corrected_histograms");
    let stripped = fixture().dir.join("stripped.json");
    std::fs::write(&stripped, result.to_string()).unwrap();
    assert_refused(
        "stripped",
        &[shard(0), shard(1), &stripped, shard(3)],
        &["not a shard result", "without its corrected histograms"],
    );
}

#[test]
fn a_ramp_is_divided_start_for_start_in_process() {
    // Four shards of a ramp in one process, against one mock: their scheduled starts add up to
    // the unsharded ramp's, and the merge of their results (through their files) holds.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = std::env::temp_dir().join(format!("specgate-shard-rate-ramp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    rt.block_on(async {
        let s =
            Arc::new(specgate::load::load_scenario(&scenario(), &root().join("specs")).unwrap());
        let mock = specgate::mock::start("checklist-items", Default::default())
            .await
            .unwrap();
        let rate = parse_rate("40/s..120/s").unwrap();
        let mut open = OpenOptions::new(rate);
        open.ramp = Some(Duration::from_secs(1));
        let whole = Schedule { rate, ramp_s: 1.0 }.count_before(2.0);
        // 80 while ramping (the trapezoid), then 120 in the second second.
        assert_eq!(whole, 200);
        let runs = futures::future::join_all((0..SHARDS).map(|i| {
            let (s, target, open) = (s.clone(), mock.target.clone(), open.clone());
            async move {
                let options = LoadOptions {
                    run_time: Duration::from_secs(2),
                    timeout: Duration::from_secs(5),
                    shard: Some(Shard {
                        index: i,
                        count: SHARDS,
                    }),
                    ..Default::default()
                };
                run_open_load(s, &target, &options, &open).await.unwrap()
            }
        }))
        .await;
        mock.shutdown().await;
        let mut results = vec![];
        for (i, run) in runs.iter().enumerate() {
            let o = run.open.as_ref().unwrap();
            let sh = Shard {
                index: i,
                count: SHARDS,
            };
            assert_eq!(o.scheduled, share(whole, sh), "shard {i}: {o:#?}");
            assert_eq!(o.started, o.scheduled, "shard {i}");
            let path = dir.join(format!("{i}.json"));
            std::fs::write(&path, ShardResult::of(run).unwrap().to_json()).unwrap();
            results.push((path.clone(), read_result(&path).unwrap()));
        }
        let merged = merge_results(results).unwrap();
        let o = merged.open.as_ref().unwrap();
        assert_eq!(o.scheduled, whole);
        assert_eq!(o.started, whole);
        assert_eq!(merged.requests_total, whole);
        assert_eq!(merged.prediction_holds, Some(true), "{:?}", merged.errors);
        // The whole ramp's mean rate over the longest shard's schedule (which ends at its last
        // start, just before 2 s): the whole run's offered rate, not a shard's share of it.
        let mean = Schedule { rate, ramp_s: 1.0 }.mean_rate(o.schedule_s);
        assert!((o.offered_rps - mean).abs() < 1e-9, "{}", o.offered_rps);
        assert!((o.offered_rps - 100.0).abs() < 2.0, "{}", o.offered_rps);
        // The corrected histograms went through the files and were added, time for time.
        let mut all = new_histogram();
        for run in &runs {
            for h in run
                .open
                .as_ref()
                .unwrap()
                .corrected_histograms
                .by_key
                .values()
            {
                for v in h.iter_recorded() {
                    all.record_n(v.value_iterated_to(), v.count_at_value())
                        .unwrap();
                }
            }
        }
        assert_eq!(all.len(), whole);
        for (q, got) in [(0.5, o.corrected.p50_ms), (0.99, o.corrected.p99_ms)] {
            assert!(close(got, all.value_at_quantile(q) as f64 / 1000.0), "{q}");
        }
    });
}

/// Milliseconds since the Unix epoch, now.
fn unix_now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

#[test]
fn shards_given_one_start_at_begin_one_schedule_however_far_apart_they_were_launched() {
    // Two shards launched 0.8 s apart, told to begin at one time 2.5 s ahead: each begins its
    // schedule then (not at its own launch), so the merge finds them 0 ms apart and says why.
    let start_at_ms = unix_now_ms() + 2500;
    let start_at = format!("{}.{:03}", start_at_ms / 1000, start_at_ms % 1000);
    let args = [
        "--rate",
        "100/s",
        "--run-time",
        "1s",
        "--start-at",
        &start_at,
    ];
    let first = shard_command("at-0", "0/2", &args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(800));
    assert_ok(
        "shard 1/2",
        &shard_command("at-1", "1/2", &args).output().unwrap(),
    );
    // Its last start is due 0.99 s into the shared schedule: it cannot have ended before.
    let ended_ms = unix_now_ms();
    assert!(
        ended_ms >= start_at_ms + 990,
        "shard 1/2 ended {} ms before its schedule's last start",
        start_at_ms + 990 - ended_ms
    );
    assert_ok("shard 0/2", &first.wait_with_output().unwrap());
    let dir = &fixture().dir;
    let results: Vec<PathBuf> = (0..2).map(|i| dir.join(format!("at-{i}.json"))).collect();
    for r in &results {
        let share = &json(r)["run"]["open"]["sharded"];
        assert_eq!(u(&share["began_unix_ms"]), start_at_ms, "{share:#}");
        assert_eq!(u(&share["start_at_unix_ms"]), start_at_ms, "{share:#}");
    }
    let merged_path = dir.join("merged-at.json");
    let paths: Vec<&Path> = results.iter().map(PathBuf::as_path).collect();
    let out = merge(&paths, &merged_path);
    assert_ok("merge", &out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("every shard began the schedule at --start-at"),
        "{stdout}"
    );
    let o = &json(&merged_path)["open"];
    assert_eq!(u(&o["sharded"]["began_apart_ms"]), 0, "{o:#}");
    assert_eq!(u(&o["scheduled"]), unsharded_starts("100/s", 1.0), "{o:#}");

    // A shard of the same rate and run time without the shared start is of another run.
    let loose = other_shard_of("at-loose", "1/2", &args[..4]);
    assert_refused(
        "another-start",
        &[&results[0], &loose],
        &["its schedule began at --start-at none, the run's at 20"],
    );
}

/// Shard `shard` of another run, with `extra` arguments.
fn other_shard_of(name: &str, shard: &str, extra: &[&str]) -> PathBuf {
    let out = shard_command(name, shard, extra).output().unwrap();
    assert_ok(name, &out);
    fixture().dir.join(format!("{name}.json"))
}

#[test]
fn a_start_at_too_far_ahead_already_over_or_unreadable_is_exit_2_before_any_request() {
    let ahead = ((unix_now_ms() + 3_600_000) / 1000).to_string();
    for (start_at, says) in [
        (ahead.as_str(), "more than the 15 min a shard waits"),
        ("1000000000", "is over"),
        ("2001-09-09T01:46:40Z", "is over"),
        ("tomorrow", "not a time"),
    ] {
        let out = shard_command(
            "refused-start",
            "0/2",
            &[
                "--rate",
                "100/s",
                "--run-time",
                "1s",
                "--start-at",
                start_at,
            ],
        )
        .output()
        .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "--start-at {start_at}: {err}");
        assert!(err.contains(says), "--start-at {start_at}: {err}");
        assert!(!fixture().dir.join("refused-start.json").exists());
    }
    // It divides a schedule among shards: without --shard it is refused.
    let out = Command::new(env!("CARGO_BIN_EXE_specgate"))
        .current_dir(root())
        .args(["load", "--scenario"])
        .arg(scenario())
        .args(["--rate", "100/s", "--start-at", "1000000000"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("--shard"), "{err}");
}
