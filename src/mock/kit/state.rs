//! A mock's state: `App` holds its switches in a field `switches: Switches<Fault, Variant>`,
//! and [`has_switches!`](crate::has_switches) writes the `HasSwitches` impl over that field, so
//! that the same eight lines are not written again in every mock.

/// `impl HasSwitches for $app` over its field `switches`, with the mock's `$fault` and
/// `$variant` enums.
///
/// ```ignore
/// crate::has_switches!(App: Fault, Variant);
/// ```
#[macro_export]
macro_rules! has_switches {
    ($app:ty : $fault:ty, $variant:ty) => {
        impl $crate::mock::kit::HasSwitches for $app {
            type Fault = $fault;
            type Variant = $variant;
            fn switches(&self) -> &$crate::mock::kit::Switches<$fault, $variant> {
                &self.switches
            }
        }
    };
}
