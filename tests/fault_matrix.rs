//! The mock-versus-checker matrix, the heart of the suite: each built-in mock, faithful, passes
//! every rule of its contract (no false positive), and with each of its faults, every rule the
//! fault names fails (every violation is caught).

use std::path::PathBuf;

use specgate::mock::{start, MockOptions};
use specgate::run::engine::{run_api, ApiResult, RunOptions, Status};
use specgate::spec::Level;

fn spec(api: &str) -> specgate::Spec {
    specgate::load_spec(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("specs")
            .join(api),
    )
    .expect("the spec loads")
}

async fn run(api: &str, fault: Option<&str>, rules: Vec<String>) -> ApiResult {
    let spec = spec(api);
    let mock = start(
        api,
        MockOptions {
            fault: fault.map(str::to_string),
            ..Default::default()
        },
    )
    .await
    .expect("the mock starts");
    let options = RunOptions {
        rules,
        ..Default::default()
    };
    let result = run_api(&spec, &mock.target, &options, &mut |_| {}).await;
    mock.shutdown().await;
    result
}

fn failures(result: &ApiResult) -> Vec<String> {
    result
        .results
        .iter()
        .filter(|r| r.status == Status::Failed)
        .map(|r| {
            let why = r
                .failures
                .first()
                .map(specgate::run::engine::describe)
                .unwrap_or_default();
            format!("{} ({}): {why}", r.id, r.level)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faithful_mocks_pass_every_rule() {
    let mut problems = Vec::new();
    for mock in specgate::mock::apis() {
        let result = run(mock.name(), None, vec![]).await;
        assert!(
            result.unreachable.is_none(),
            "{}: {:?}",
            mock.name(),
            result.unreachable
        );
        // Any failure at all is a false positive: `should` and `may` rules hold on a faithful mock too.
        problems.extend(failures(&result));
        let skipped: Vec<String> = result
            .results
            .iter()
            .filter(|r| r.status == Status::Skipped && r.level == Level::Must)
            .map(|r| format!("{}: {}", r.id, r.reason.clone().unwrap_or_default()))
            .collect();
        if !skipped.is_empty() {
            eprintln!(
                "{}: {} must rules skipped on the faithful mock:\n  {}",
                mock.name(),
                skipped.len(),
                skipped.join("\n  ")
            );
        }
    }
    assert!(
        problems.is_empty(),
        "false positives on faithful mocks:\n{}",
        problems.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_is_caught_by_its_rules() {
    let (mut caught, mut total) = (0, 0);
    let (mut missed, mut collateral) = (Vec::new(), Vec::new());
    for mock in specgate::mock::apis() {
        // Its own faults and the one every mock shares (echoing credentials).
        for fault in specgate::mock::faults_of(mock) {
            total += 1;
            // The whole contract: the named rules must fail, and what else fails is reported.
            let result = run(mock.name(), Some(fault.name), vec![]).await;
            let failed: Vec<&str> = result
                .results
                .iter()
                .filter(|r| r.status == Status::Failed)
                .map(|r| r.id.as_str())
                .collect();
            let uncaught: Vec<&&str> = fault
                .rules
                .iter()
                .filter(|r| !failed.contains(*r))
                .collect();
            let extra: Vec<&&str> = failed
                .iter()
                .filter(|r| !fault.rules.contains(*r))
                .collect();
            if !extra.is_empty() {
                collateral.push(format!(
                    "{} --fault {} also fails {extra:?}",
                    mock.name(),
                    fault.name
                ));
            }
            if uncaught.is_empty() {
                caught += 1;
            } else {
                let why: Vec<String> = result
                    .results
                    .iter()
                    .filter(|r| uncaught.contains(&&r.id.as_str()))
                    .map(|r| {
                        format!(
                            "{} {:?}{}",
                            r.id,
                            r.status,
                            r.reason
                                .as_deref()
                                .map(|x| format!(" ({x})"))
                                .unwrap_or_default()
                        )
                    })
                    .collect();
                missed.push(format!(
                    "{} --fault {}: not caught by {}",
                    mock.name(),
                    fault.name,
                    why.join(", ")
                ));
            }
        }
    }
    eprintln!("fault matrix: {caught}/{total} faults caught");
    if !collateral.is_empty() {
        eprintln!(
            "faults that break more than the rules they name:\n  {}",
            collateral.join("\n  ")
        );
    }
    assert!(
        missed.is_empty(),
        "{caught}/{total} faults caught; missed:\n{}",
        missed.join("\n")
    );
}
