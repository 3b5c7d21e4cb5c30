//! The mock-versus-checker matrices, the heart of the suite:
//! - each built-in mock, faithful, passes every rule of its contract (no false positive);
//! - each faithful variant of a mock (another choice where the document is silent) passes every
//!   `must` rule: the rules assert the document, not our mock;
//! - with each of its faults, every rule the fault names fails (every violation is caught), and
//!   a fault that breaks what the document states fails a rule that counts as `must`.
//!
//! `SPECGATE_MATRIX_API=checklick,optacheck` narrows the matrices to some APIs while working on
//! them; CI runs them whole.

use std::path::PathBuf;

use specgate::mock::{start, MockApi, MockOptions};
use specgate::results::{ApiResult, RuleResult, Status};
use specgate::run::engine::{run_api, RunOptions};
use specgate::spec::Level;

fn spec(api: &str) -> specgate::Spec {
    specgate::load_spec(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("specs")
            .join(api),
    )
    .expect("the spec loads")
}

/// The mocks the matrices cover: all, unless `SPECGATE_MATRIX_API` names some.
fn mocks() -> Vec<&'static dyn MockApi> {
    let only = std::env::var("SPECGATE_MATRIX_API").unwrap_or_default();
    let only: Vec<&str> = only.split(',').filter(|s| !s.is_empty()).collect();
    specgate::mock::apis()
        .into_iter()
        .filter(|m| only.is_empty() || only.contains(&m.name()))
        .collect()
}

async fn run(api: &str, fault: Option<&str>, variant: Option<&str>) -> ApiResult {
    let spec = spec(api);
    let mock = start(
        api,
        MockOptions {
            fault: fault.map(str::to_string),
            variant: variant.map(str::to_string),
            ..Default::default()
        },
    )
    .await
    .expect("the mock starts");
    let result = run_api(&spec, &mock.target, &RunOptions::default(), &mut |_| {}).await;
    mock.shutdown().await;
    result
}

fn first_failure(r: &RuleResult) -> String {
    r.failures
        .first()
        .map(specgate::results::describe)
        .or_else(|| r.reason.clone())
        .unwrap_or_default()
}

fn failed(result: &ApiResult, counting: bool) -> Vec<String> {
    result
        .results
        .iter()
        .filter(|r| r.status == Status::Failed && (!counting || r.counts_as_failure(false)))
        .map(|r| format!("{} ({}): {}", r.id, r.level, first_failure(r)))
        .collect()
}

fn must_skips(result: &ApiResult) -> Vec<String> {
    result
        .results
        .iter()
        .filter(|r| r.status != Status::Passed && r.status != Status::Failed)
        .filter(|r| r.level == Level::Must)
        .map(|r| format!("{}: {}", r.id, r.reason.clone().unwrap_or_default()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faithful_mocks_pass_every_rule() {
    let mut problems = Vec::new();
    for mock in mocks() {
        let result = run(mock.name(), None, None).await;
        assert!(
            result.unreachable.is_none(),
            "{}: {:?}",
            mock.name(),
            result.unreachable
        );
        // Any failure at all is a false positive: `should` and `may` rules and inferred
        // expectations hold on the faithful mock too.
        problems.extend(failed(&result, false));
        let skipped = must_skips(&result);
        if !skipped.is_empty() {
            eprintln!(
                "{}: {} must rules not judged on the faithful mock:\n  {}",
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
async fn faithful_variants_fail_no_must_rule() {
    let (mut clean, mut total) = (0, 0);
    let mut problems = Vec::new();
    for mock in mocks() {
        for variant in mock.variants() {
            total += 1;
            let result = run(mock.name(), None, Some(variant.name)).await;
            assert!(
                result.unreachable.is_none(),
                "{} --variant {}: {:?}",
                mock.name(),
                variant.name,
                result.unreachable
            );
            let failing = failed(&result, true);
            let warnings: Vec<String> = failed(&result, false)
                .into_iter()
                .filter(|f| !failing.contains(f))
                .collect();
            if !warnings.is_empty() {
                eprintln!(
                    "{} --variant {}: {} warnings (allowed):\n  {}",
                    mock.name(),
                    variant.name,
                    warnings.len(),
                    warnings.join("\n  ")
                );
            }
            if failing.is_empty() {
                clean += 1;
            } else {
                problems.push(format!(
                    "{} --variant {} ({}):\n  {}",
                    mock.name(),
                    variant.name,
                    variant.chooses,
                    failing.join("\n  ")
                ));
            }
        }
    }
    eprintln!("variant matrix: {clean}/{total} variants clean");
    assert!(
        problems.is_empty(),
        "{clean}/{total} variants clean; false failures on faithful variants:\n{}",
        problems.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_is_caught_by_its_rules() {
    let (mut caught, mut total) = (0, 0);
    let (mut missed, mut collateral, mut as_warnings) = (Vec::new(), Vec::new(), Vec::new());
    for mock in mocks() {
        // Its own faults and the one every mock shares (echoing credentials).
        for fault in specgate::mock::faults_of(mock) {
            total += 1;
            // The whole contract: the named rules must fail, and what else fails is reported.
            let result = run(mock.name(), Some(fault.name), None).await;
            let failed: Vec<&RuleResult> = result
                .results
                .iter()
                .filter(|r| r.status == Status::Failed)
                .collect();
            let named: Vec<&&RuleResult> = failed
                .iter()
                .filter(|r| fault.rules.contains(&r.id.as_str()))
                .collect();
            let uncaught: Vec<&&str> = fault
                .rules
                .iter()
                .filter(|id| !named.iter().any(|r| r.id == **id))
                .collect();
            let extra: Vec<&str> = failed
                .iter()
                .filter(|r| !fault.rules.contains(&r.id.as_str()))
                .map(|r| r.id.as_str())
                .collect();
            if !extra.is_empty() {
                collateral.push(format!(
                    "{} --fault {} also fails {extra:?}",
                    mock.name(),
                    fault.name
                ));
            }
            // Caught as stated: a named rule fails at its own level, not downgraded to a warning
            // because every failure rests on an inferred expectation.
            let as_stated = named.iter().any(|r| r.effective_level() == r.level);
            if !uncaught.is_empty() {
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
            } else if !as_stated && fault.unstated.is_none() {
                // Nothing stated is lost: a fault that breaks a stated behaviour is caught at
                // `must`, not merely warned about.
                missed.push(format!(
                    "{} --fault {}: breaks what the document states, but is caught only on inferred expectations: {}",
                    mock.name(),
                    fault.name,
                    named.first().map(|r| first_failure(r)).unwrap_or_default()
                ));
            } else if as_stated && fault.unstated.is_some() {
                // The declaration must say what the rules do: an unstated behaviour fails a
                // `must` rule only through an expectation marked stated.
                missed.push(format!(
                    "{} --fault {} is declared unstated (`~`), yet a rule it names fails on a stated expectation: {}",
                    mock.name(),
                    fault.name,
                    named
                        .iter()
                        .find(|r| r.effective_level() == r.level)
                        .map(|r| format!("{}: {}", r.id, first_failure(r)))
                        .unwrap_or_default()
                ));
            } else {
                caught += 1;
                if !as_stated {
                    as_warnings.push(format!(
                        "{} --fault {}: {}\n    caught as: {}",
                        mock.name(),
                        fault.name,
                        fault.unstated.unwrap_or_default(),
                        named.first().map(|r| first_failure(r)).unwrap_or_default()
                    ));
                }
            }
        }
    }
    eprintln!("fault matrix: {caught}/{total} faults caught");
    if !as_warnings.is_empty() {
        eprintln!(
            "{} faults break what the document does not state, and are caught as warnings only:\n  {}",
            as_warnings.len(),
            as_warnings.join("\n  ")
        );
    }
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
