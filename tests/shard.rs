//! Sharded load runs, proved on one machine: four `specgate load --shard I/4` processes of the
//! Checklick export against one mock (started here, in-process), merged by `specgate merge`.
//! Every merged count must be the single run's prediction (computed here from the scenario)
//! and what an unsharded run of the same export observes; the merged p50/p95/p99 must be those
//! of a histogram built here from every request's time (the shards' `--latency-log`s). A merge
//! of a set that is not one run's every shard, once each, is refused with exit 2.
//!
//! The shards share one fixture (the mock and their results), made once by whichever test
//! needs it first.

mod common;

use common::{assert_ok, close, merge, percentiles, read_json as json};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};

use serde_json::Value;
use specgate::load::latency::new_histogram;

/// Users of the mock: 12 pages of 20 (the last of 10), so the four shards get 3 pages each and
/// the last shard's last page is short.
const USERS: usize = 230;
const SHARDS: usize = 4;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

type Fixture = common::ServedMock;

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        common::ServedMock::start(
            "checklick",
            specgate::mock::MockOptions {
                size: Some(USERS),
                ..Default::default()
            },
            "shard",
        )
    })
}

/// `specgate load` of `scenario` against the fixture's mock with `extra` arguments.
fn load(f: &Fixture, scenario: &Path, users: usize, extra: &[String]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_specgate"));
    c.current_dir(root())
        .args(["load", "--scenario"])
        .arg(scenario)
        .arg("--target")
        .arg(&f.profile)
        .args(["--users", &users.to_string(), "--concurrency", "3"])
        .args(extra)
        .envs(f.env.iter().cloned());
    c
}

fn export() -> PathBuf {
    root().join("scenarios/checklick-export.yaml")
}

fn shard_args(f: &Fixture, name: &str, shard: &str) -> Vec<String> {
    vec![
        "--shard".into(),
        shard.into(),
        "--shard-result".into(),
        f.dir.join(format!("{name}.json")).display().to_string(),
        "--latency-log".into(),
        f.dir.join(format!("{name}.tsv")).display().to_string(),
        "--report".into(),
        format!(
            "json={}",
            f.dir.join(format!("{name}-report.json")).display()
        ),
    ]
}

/// The four shards of the export, run side by side once: their result files.
fn shards() -> &'static Vec<PathBuf> {
    static SHARDS_RUN: OnceLock<Vec<PathBuf>> = OnceLock::new();
    SHARDS_RUN.get_or_init(|| {
        let f = fixture();
        common::run_side_by_side((0..SHARDS).map(|i| {
            load(
                f,
                &export(),
                USERS,
                &shard_args(f, &format!("shard-{i}"), &format!("{i}/{SHARDS}")),
            )
        }));
        (0..SHARDS)
            .map(|i| f.dir.join(format!("shard-{i}.json")))
            .collect()
    })
}

/// A shard of another run: `name` is its file's stem.
fn other_shard(name: &str, scenario: &Path, users: usize, shard: &str) -> PathBuf {
    let f = fixture();
    let out = load(f, scenario, users, &shard_args(f, name, shard))
        .output()
        .unwrap();
    assert_ok(name, &out);
    f.dir.join(format!("{name}.json"))
}

/// The prediction of one unsharded run of the export for `users`, from the scenario itself.
fn single_run_prediction(users: usize) -> BTreeMap<String, u64> {
    let s = specgate::load::load_scenario(&export(), &root().join("specs")).unwrap();
    let mut vars: BTreeMap<String, f64> = s
        .dataset
        .iter()
        .map(|(k, v)| (k.clone(), v.default))
        .collect();
    vars.insert("users".into(), users as f64);
    vars.insert("concurrency".into(), 3.0);
    vars.insert("iterations".into(), 1.0);
    s.predicted(&vars).unwrap()
}

fn observed(report: &Value) -> BTreeMap<String, u64> {
    report["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_string(),
                r["observed"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// The percentiles of a histogram built from every line of the latency logs (of the keys
/// `only`, or of all); and how many times each key appears.
fn from_logs(logs: &[PathBuf], only: Option<&str>) -> ([f64; 3], BTreeMap<String, u64>) {
    let mut h = new_histogram();
    let mut counts = BTreeMap::new();
    for log in logs {
        for line in std::fs::read_to_string(log).unwrap().lines() {
            let (key, us) = line.split_once('\t').expect("key<TAB>us");
            *counts.entry(key.to_string()).or_insert(0) += 1;
            if only.is_none_or(|k| k == key) {
                h.saturating_record(us.parse().unwrap());
            }
        }
    }
    (common::histogram_percentiles(&h), counts)
}

#[test]
fn four_shards_merge_into_exactly_the_single_run() {
    let f = fixture();
    let results = shards();
    let merged_path = f.dir.join("merged.json");
    let paths: Vec<&Path> = results.iter().map(PathBuf::as_path).collect();
    let out = merge(&paths, &merged_path);
    assert_ok("merge", &out);
    let merged = json(&merged_path);
    assert_eq!(merged["prediction_holds"], true, "{merged:#}");
    assert_eq!(merged["shard"]["count"], SHARDS);
    // No error, nor a histogram holding other requests than goose counted.
    assert_eq!(merged["errors"], serde_json::json!({}), "{merged:#}");

    // Every merged count is the single run's prediction, computed here.
    let predicted = single_run_prediction(USERS);
    let counts = observed(&merged);
    assert_eq!(
        counts, predicted,
        "merged counts against the single run's prediction"
    );
    // Each shard did its share, and no shard did all of it: the work was divided.
    for r in results {
        let shard_counts = observed(&json(r)["run"]);
        assert!(
            shard_counts["GET /users/{user_id}/credentials"]
                < predicted["GET /users/{user_id}/credentials"],
            "{}: {shard_counts:?}",
            r.display()
        );
    }

    // The percentiles are those of every recorded time together.
    let logs: Vec<PathBuf> = (0..SHARDS)
        .map(|i| f.dir.join(format!("shard-{i}.tsv")))
        .collect();
    let (all, logged) = from_logs(&logs, None);
    assert_eq!(logged, counts, "the latency logs hold every request once");
    let merged_p = percentiles(&merged["latency"]);
    for (m, a) in merged_p.iter().zip(all) {
        assert!(close(*m, a), "merged {merged_p:?}, from every time {all:?}");
    }
    for r in merged["requests"].as_array().unwrap() {
        let key = r["key"].as_str().unwrap();
        let (want, _) = from_logs(&logs, Some(key));
        let got = percentiles(&r["latency"]);
        for (g, w) in got.iter().zip(want) {
            assert!(
                close(*g, w),
                "{key}: merged {got:?}, from its times {want:?}"
            );
        }
    }

    // One unsharded run of the same export observes the same counts.
    let single_path = f.dir.join("single.json");
    let out = load(
        f,
        &export(),
        USERS,
        &["--report".into(), format!("json={}", single_path.display())],
    )
    .output()
    .unwrap();
    assert_ok("single run", &out);
    let single = json(&single_path);
    assert_eq!(
        observed(&single),
        counts,
        "single run against merged shards"
    );
    eprintln!(
        "merged {SHARDS} shards: {} requests, p50/p95/p99 {:?} ms; single run: {} requests, p50/p95/p99 {:?} ms",
        merged["requests_total"],
        merged_p,
        single["requests_total"],
        percentiles(&single["latency"])
    );
}

/// `merge` of `results` is refused with exit 2, saying `why`.
fn assert_refused(name: &str, results: &[&Path], why: &str) {
    let report = fixture().dir.join(format!("merge-{name}.json"));
    let out = merge(results, &report);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
    assert!(stderr.contains(why), "{name}: {stderr}");
    assert!(!report.exists(), "{name}: a refused merge writes no report");
}

fn shard(i: usize) -> &'static Path {
    &shards()[i]
}

#[test]
fn a_missing_shard_is_refused() {
    assert_refused(
        "missing",
        &[shard(0), shard(1), shard(3)],
        "shard(s) 2 of 4 missing",
    );
}

#[test]
fn a_duplicated_shard_is_refused() {
    let copy = fixture().dir.join("shard-1-copy.json");
    std::fs::copy(shard(1), &copy).unwrap();
    assert_refused(
        "duplicated",
        &[shard(0), shard(1), shard(2), shard(3), &copy],
        "shard 1 of 4 is given twice",
    );
}

#[test]
fn a_shard_of_another_scenario_is_refused() {
    // The same scenario name in an edited file: another scenario for the merge.
    let edited = fixture().dir.join("checklick-export.yaml");
    let text = std::fs::read_to_string(export()).unwrap();
    std::fs::write(&edited, format!("{text}\n# edited\n")).unwrap();
    let foreign = other_shard("foreign-scenario", &edited, USERS, "2/4");
    assert_refused(
        "foreign-scenario",
        &[shard(0), shard(1), &foreign, shard(3)],
        "is not a shard of the same run",
    );
    assert_refused(
        "foreign-scenario-why",
        &[shard(0), shard(1), &foreign, shard(3)],
        "file SHA-256",
    );
}

#[test]
fn a_shard_of_another_shard_count_is_refused() {
    let foreign = other_shard("foreign-n", &export(), USERS, "2/3");
    assert_refused(
        "foreign-n",
        &[shard(0), shard(1), &foreign, shard(3)],
        "it is shard 2 of 3, the run has 4 shards",
    );
}

#[test]
fn a_shard_of_another_dataset_is_refused() {
    let foreign = other_shard("foreign-dataset", &export(), 100, "3/4");
    assert_refused(
        "foreign-dataset",
        &[shard(0), shard(1), shard(2), &foreign],
        "its dataset is",
    );
}

#[test]
fn a_file_that_is_not_a_shard_result_is_refused() {
    let report = fixture().dir.join("shard-0-report.json");
    shards();
    assert_refused(
        "not-a-result",
        &[shard(0), shard(1), shard(2), &report],
        "not a shard result",
    );
}

#[test]
fn the_histograms_count_what_goose_counts() {
    // In-process: every request goose counted is in its key's histogram, once.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let s = Arc::new(specgate::load::load_scenario(&export(), &root().join("specs")).unwrap());
        let mock = specgate::mock::start("checklick", specgate::mock::MockOptions::default())
            .await
            .unwrap();
        let run =
            specgate::load::run_load(s, &mock.target, &specgate::load::LoadOptions::default())
                .await
                .unwrap();
        mock.shutdown().await;
        assert!(run.requests_total > 0);
        for r in &run.requests {
            let in_histogram = run.histograms.by_key.get(&r.key).map_or(0, |h| h.len());
            assert_eq!(in_histogram, r.observed, "{}", r.key);
        }
        let all: u64 = run.histograms.by_key.values().map(|h| h.len()).sum();
        assert_eq!(all, run.requests_total);
    });
}

/// Run the export's four shards with `--users users` against the fixture's mock (which holds
/// `USERS`), and merge them: the merge's exit code and report.
fn sharded_export(name: &str, users: usize) -> (Option<i32>, Value) {
    let f = fixture();
    let children: Vec<_> = (0..SHARDS)
        .map(|i| {
            load(
                f,
                &export(),
                users,
                &shard_args(f, &format!("{name}-{i}"), &format!("{i}/{SHARDS}")),
            )
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("specgate starts")
        })
        .collect();
    for c in children {
        // A shard whose own counts differ from its share exits 1; the merge judges the whole.
        let _ = c.wait_with_output();
    }
    let results: Vec<PathBuf> = (0..SHARDS)
        .map(|i| f.dir.join(format!("{name}-{i}.json")))
        .collect();
    let paths: Vec<&Path> = results.iter().map(PathBuf::as_path).collect();
    let report = f.dir.join(format!("merge-{name}.json"));
    let out = merge(&paths, &report);
    (out.status.code(), json(&report))
}

#[test]
fn shards_planned_from_a_wrong_dataset_do_not_merge_green() {
    // The shards plan the walk's pages from the dataset: a target holding more users than it
    // says is walked on past the planned last page, one holding fewer leaves the planned pages
    // short; either way the merged counts differ from the prediction, as a single run's would.
    for (name, users) in [
        ("too-few-declared", USERS - 30),
        ("too-many-declared", USERS + 30),
    ] {
        let (code, merged) = sharded_export(name, users);
        assert_eq!(code, Some(1), "{name}: {merged:#}");
        assert_eq!(merged["prediction_holds"], false, "{name}");
        let counts = observed(&merged);
        for k in [
            "GET /users/{user_id}/credentials",
            "GET /users/{user_id}/assessments",
            "GET /users/{user_id}/tag-applications",
        ] {
            assert_eq!(
                counts[k], USERS as u64,
                "{name}: every user the target holds, once"
            );
        }
    }
}

#[test]
fn a_transactions_scenario_is_sharded_by_its_iterations() {
    // Each shard starts its own mock (no --target): 7 iterations over 4 shards (2, 2, 2, 1).
    let dir = fixture().dir.join("board");
    let children: Vec<_> = (0..SHARDS)
        .map(|i| {
            Command::new(env!("CARGO_BIN_EXE_specgate"))
                .current_dir(root())
                .args([
                    "load",
                    "--scenario",
                    "scenarios/checklist-items-board.yaml",
                    "--concurrency",
                    "2",
                    "--iterations",
                    "7",
                    "--shard",
                    &format!("{i}/{SHARDS}"),
                    "--shard-result",
                    &dir.join(format!("{i}.json")).display().to_string(),
                    "--report",
                    &format!("json={}", dir.join(format!("{i}-report.json")).display()),
                ])
                .output()
                .unwrap()
        })
        .collect();
    for (i, out) in children.iter().enumerate() {
        assert_ok(&format!("board shard {i}"), out);
    }
    let report = dir.join("merged.json");
    let out = Command::new(env!("CARGO_BIN_EXE_specgate"))
        .current_dir(root())
        .args(["merge", &dir.display().to_string()])
        .arg("--report")
        .arg(format!("json={}", report.display()))
        .output()
        .unwrap();
    // The folder holds the shards' own reports too: they are not shard results.
    assert_eq!(out.status.code(), Some(2));
    let results: Vec<PathBuf> = (0..SHARDS).map(|i| dir.join(format!("{i}.json"))).collect();
    let paths: Vec<&Path> = results.iter().map(PathBuf::as_path).collect();
    assert_ok("board merge", &merge(&paths, &report));
    let merged = json(&report);
    assert_eq!(merged["prediction_holds"], true, "{merged:#}");
    assert_eq!(merged["iterations"], 7);
    // The board reads the list 6 times an iteration: 2 load users × 7 iterations × 6.
    assert_eq!(observed(&merged)["GET /checklists"], 2 * 7 * 6);
}

fn manifest(name: &str) -> serde_yaml::Value {
    let path = root().join("deploy/kubernetes").join(name);
    serde_yaml::from_str(&std::fs::read_to_string(&path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The words of a `sh` command line as the shell splits them: backslash-newlines joined,
/// double quotes kept together (the manifest's command uses nothing more).
fn shell_words(text: &str) -> Vec<String> {
    let text = text.replace("\\\n", " ");
    let (mut words, mut word, mut quoted, mut any) = (vec![], String::new(), false, false);
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    words.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            c => {
                word.push(c);
                any = true;
            }
        }
    }
    if any {
        words.push(word);
    }
    words
}

#[test]
fn the_kubernetes_job_wires_its_completion_index_into_the_shard() {
    let job = manifest("job.yaml");
    let spec = &job["spec"];
    assert_eq!(job["kind"].as_str(), Some("Job"));
    assert_eq!(spec["completionMode"].as_str(), Some("Indexed"));
    let pod = &spec["template"]["spec"];
    let container = &pod["containers"][0];
    let env = container["env"].as_sequence().unwrap();
    let var = |name: &str| {
        env.iter()
            .find(|e| e["name"].as_str() == Some(name))
            .unwrap()
    };
    let shards: u64 = var("SHARDS")["value"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        spec["completions"].as_u64(),
        Some(shards),
        "completions = SHARDS"
    );
    assert_eq!(
        spec["parallelism"].as_u64(),
        Some(shards),
        "every shard at once"
    );
    assert_eq!(
        var("JOB_COMPLETION_INDEX")["valueFrom"]["fieldRef"]["fieldPath"].as_str(),
        Some("metadata.annotations['batch.kubernetes.io/job-completion-index']")
    );

    // Credentials only from the Secret, never a value in a manifest.
    let configmap = manifest("configmap.yaml");
    let profile: serde_yaml::Value =
        serde_yaml::from_str(configmap["data"]["profile.yaml"].as_str().unwrap()).unwrap();
    for (name, value) in profile["credentials"].as_mapping().unwrap() {
        let v = value.as_str().unwrap();
        assert!(v.starts_with("${") && v.ends_with('}'), "{name:?}: {v}");
        let var = &v[2..v.len() - 1];
        assert!(
            !env.iter().any(|e| e["name"].as_str() == Some(var)),
            "{var} is set in the manifest"
        );
    }
    assert!(container["envFrom"][0]["secretRef"]["name"]
        .as_str()
        .is_some());
    for file in ["configmap.yaml", "job.yaml", "merge-job.yaml", "pvc.yaml"] {
        assert_ne!(manifest(file)["kind"].as_str(), Some("Secret"), "{file}");
    }

    // The scenario every shard reads is the repository's, byte for byte (the merge names a
    // scenario by its file's SHA-256), from the ConfigMap the Job mounts.
    let scenario_text = configmap["data"]["checklick-export.yaml"].as_str().unwrap();
    assert_eq!(scenario_text, std::fs::read_to_string(export()).unwrap());
    let volumes = pod["volumes"].as_sequence().unwrap();
    let volume = |name: &str| {
        volumes
            .iter()
            .find(|v| v["name"].as_str() == Some(name))
            .unwrap()
    };
    assert_eq!(
        volume("config")["configMap"]["name"],
        configmap["metadata"]["name"]
    );

    // The merge reads the folder the shards write, on the same claim.
    let merge_job = manifest("merge-job.yaml");
    let merge_pod = &merge_job["spec"]["template"]["spec"];
    assert_eq!(
        merge_pod["volumes"][0]["persistentVolumeClaim"]["claimName"],
        volume("results")["persistentVolumeClaim"]["claimName"]
    );
    let merge_args: Vec<&str> = merge_pod["containers"][0]["args"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(merge_args[..2], ["merge", "/results/shards"]);

    // The shard's command, as the pod of index 2 runs it, against the mock here: paths into a
    // scratch folder, the target the loopback mock, the dataset the mock's size.
    let f = fixture();
    let scratch = f.dir.join("pod");
    std::fs::create_dir_all(&scratch).unwrap();
    let scenario_path = scratch.join("checklick-export.yaml");
    std::fs::write(&scenario_path, scenario_text).unwrap();
    let script = container["args"][0].as_str().unwrap();
    let command = script.split("code=$?").next().unwrap();
    let words: Vec<String> = shell_words(command)
        .into_iter()
        .map(|w| {
            w.replace("${JOB_COMPLETION_INDEX}", "2")
                .replace("${SHARDS}", &shards.to_string())
                .replace(
                    "/etc/specgate/checklick-export.yaml",
                    &scenario_path.display().to_string(),
                )
                .replace(
                    "/etc/specgate/profile.yaml",
                    &f.profile.display().to_string(),
                )
                .replace("/results", &scratch.display().to_string())
        })
        .collect();
    assert_eq!(words[..2], ["specgate", "load"]);
    let at = words.iter().position(|w| w == "--shard").unwrap();
    assert_eq!(words[at + 1], format!("2/{shards}"));
    let mut args = words[1..].to_vec();
    let users = args.iter().position(|w| w == "--users").unwrap();
    args[users + 1] = USERS.to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_specgate"))
        .current_dir(root())
        .args(&args)
        .envs(f.env.iter().cloned())
        .output()
        .unwrap();
    assert_ok("the pod's shard command", &out);
    let result = json(&scratch.join("shards/shard-2.json"));
    assert_eq!(result["run"]["shard"]["index"], 2);
    assert_eq!(result["run"]["shard"]["count"], shards);
}

#[test]
fn what_cannot_be_divided_exactly_is_refused_before_any_load() {
    for (scenario, extra, why) in [
        (
            "scenarios/checklick-sync.yaml",
            vec![],
            "an export with a `setup` is not sharded",
        ),
        (
            "scenarios/checklist-items-board.yaml",
            vec![],
            "needs --iterations",
        ),
        (
            "scenarios/checklist-items-board.yaml",
            vec!["--iterations", "3"],
            "3 iterations cannot be divided among 4 shards",
        ),
    ] {
        let dir = fixture().dir.join("refused");
        let out = Command::new(env!("CARGO_BIN_EXE_specgate"))
            .current_dir(root())
            .args([
                "load",
                "--scenario",
                scenario,
                "--shard",
                "1/4",
                "--shard-result",
            ])
            .arg(dir.join("shard.json"))
            .arg("--report")
            .arg(format!("json={}", dir.join("report.json").display()))
            .args(extra)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{scenario}: {stderr}");
        assert!(stderr.contains(why), "{scenario}: {stderr}");
        assert!(!dir.join("shard.json").exists(), "{scenario}");
    }
}

#[test]
fn a_shard_with_no_share_of_the_work_sends_nothing_and_passes() {
    // 95 users are 5 pages, and the export has 5 other walks: shards 5 to 7 of 8 have nothing.
    let f = fixture();
    let out = load(f, &export(), 95, &shard_args(f, "empty-7", "7/8"))
        .output()
        .unwrap();
    assert_ok("shard 7/8", &out);
    let result = json(&f.dir.join("empty-7.json"));
    assert_eq!(result["run"]["requests_total"], 0);
    assert!(result["run"]["requests"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["predicted"] == 0));
}
