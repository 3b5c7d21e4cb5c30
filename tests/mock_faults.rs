//! The fault tables of the mocks against the contracts: every rule of every mocked API has a
//! fault that breaks what it checks, and every fault names rules that exist.

use std::collections::BTreeSet;
use std::path::PathBuf;

#[test]
fn every_rule_has_a_fault_and_every_fault_a_rule() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("specs");
    for mock in specgate::mock::apis() {
        let spec = specgate::load_spec(&root.join(mock.name())).expect("the spec loads");
        let rules: BTreeSet<&str> = spec.rules.iter().map(|r| r.id.as_str()).collect();
        // A `may` rule records which of the choices the document allows a target made ("may be
        // capped": capped or not); no behaviour breaks it, so it needs no fault. A variant that
        // makes the other choice shows its observation.
        let breakable: BTreeSet<&str> = spec
            .rules
            .iter()
            .filter(|r| r.level != specgate::Level::May)
            .map(|r| r.id.as_str())
            .collect();
        let mut names = BTreeSet::new();
        let mut covered = BTreeSet::new();
        for f in mock.faults() {
            assert!(
                names.insert(f.name),
                "{}: fault `{}` is listed twice",
                mock.name(),
                f.name
            );
            assert!(
                !f.rules.is_empty(),
                "{}: fault `{}` names no rule",
                mock.name(),
                f.name
            );
            for r in f.rules {
                assert!(
                    rules.contains(r),
                    "{}: fault `{}` names `{r}`, which is not in the contract",
                    mock.name(),
                    f.name
                );
                covered.insert(*r);
            }
        }
        let missing: Vec<&&str> = breakable.difference(&covered).collect();
        assert!(
            missing.is_empty(),
            "{}: rules no fault breaks: {missing:?}",
            mock.name()
        );
    }
}

#[tokio::test]
async fn an_unknown_fault_is_refused_with_the_valid_names() {
    for mock in specgate::mock::apis() {
        let options = specgate::mock::MockOptions {
            fault: Some("no-such-fault".into()),
            ..Default::default()
        };
        match specgate::mock::start(mock.name(), options).await {
            Err(e @ specgate::mock::MockError::UnknownFault { .. }) => {
                let text = e.to_string();
                assert!(text.contains(mock.faults()[0].name), "{text}");
            }
            Err(other) => panic!("{}: unexpected error {other}", mock.name()),
            Ok(_) => panic!("{}: an unknown fault was accepted", mock.name()),
        }
    }
}

#[tokio::test]
async fn an_unknown_api_is_refused_with_a_hint() {
    let err = specgate::mock::start("checklik", Default::default())
        .await
        .err()
        .expect("refused");
    assert!(
        matches!(err, specgate::mock::MockError::UnknownApi { .. }),
        "{err}"
    );
}
