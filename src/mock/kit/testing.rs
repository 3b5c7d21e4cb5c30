//! For the mocks' unit tests: one check of a mock's fault and variant tables.

use super::{Mock, Switch};
use crate::mock::MockApi;

/// Every fault and variant of `M` is found by its name, names are unique, every fault names a
/// rule of the API, and the tables `MockApi` lists are the kit's.
pub fn assert_tables<M: Mock + Default>() {
    let mock = M::default();
    let faults = <M::Fault as Switch>::INFOS;
    for (f, info) in <M::Fault as Switch>::ALL.iter().zip(faults) {
        assert_eq!(
            <M::Fault as Switch>::from_name(info.name),
            Some(*f),
            "{}",
            info.name
        );
        assert!(!info.rules.is_empty(), "{} names no rule", info.name);
        for rule in info.rules {
            assert!(
                rule.starts_with(&format!("{}.", M::NAME)),
                "{}: {rule}",
                info.name
            );
        }
        assert_eq!(faults.iter().filter(|o| o.name == info.name).count(), 1);
    }
    let variants = <M::Variant as Switch>::INFOS;
    for (v, info) in <M::Variant as Switch>::ALL.iter().zip(variants) {
        assert_eq!(
            <M::Variant as Switch>::from_name(info.name),
            Some(*v),
            "{}",
            info.name
        );
        assert_eq!(variants.iter().filter(|o| o.name == info.name).count(), 1);
    }
    assert_eq!(<M::Fault as Switch>::from_name("no-such-fault"), None);
    assert_eq!(MockApi::faults(&mock), faults);
    assert_eq!(MockApi::variants(&mock), variants);
    assert_eq!(MockApi::name(&mock), M::NAME);
}
