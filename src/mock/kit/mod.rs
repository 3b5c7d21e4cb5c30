//! The mock kit: what every mock needs and none should write again. Time (chrono), ids, a
//! capped body reader, error-envelope builders, fault and variant switches, throttling,
//! pagination and its links, base64 and Basic credentials; and the capacity layer, which the kit
//! puts around every mock's router when `MockOptions::capacity` is set (`capacity`).
//!
//! # One shape for every mock
//!
//! - **The API type** is `pub struct Api`, and it implements [`Mock`] (not `MockApi` by hand):
//!   its name, its `Fault` and `Variant` tables, its largest size, and `build`, which is given
//!   the [`Switches`] already looked up. The blanket `impl<M: Mock> MockApi for M` does the rest.
//! - **The state** is `struct App`, built once in `build` and handed to axum as `Arc<App>`
//!   (`Router::with_state(Arc::new(app))`; handlers take `State<Arc<App>>`). It holds its
//!   switches in a field `switches: Switches<Fault, Variant>` and implements [`HasSwitches`]
//!   (`crate::has_switches!(App: Fault, Variant);`), so
//!   handlers ask `app.is(Fault::X)` for a fault and `app.chose(Variant::Y)` for a variant.
//!   Writable data sits behind `mock::Shared<T>` (a `tokio` `RwLock`) inside `App`.
//! - **The files**: a mock of about 1,000 lines or more is a folder `mock/<api>/`:
//!   `mod.rs` (the module doc, `Api` with its `Mock` impl and the constants of the document),
//!   `faults.rs` (the `faults!` and `variants!` tables), `router.rs` (`fn router(app: Arc<App>)
//!   -> Router`: every route and the middleware, in one place), `data.rs` (`App`, the seeded data
//!   and what writes change), `handlers.rs` (one `async fn` per endpoint), `render.rs` (the
//!   representations: JSON, XML, dates, error bodies). A part that stands on its own may have a
//!   file of its own beside these (Checklick's `query.rs`: pages and filters; Checkvist's
//!   `tasks.rs`: the task endpoints, which would make `handlers.rs` too long). A small mock is
//!   one file in that order.
//! - **Routing**: axum routes (`.route("/users/{id}", get(..).patch(..))`) with a `fallback`
//!   and a `method_not_allowed_fallback`, declared in `router.rs`. A mock whose paths axum
//!   cannot express (Checkvist: `.json`/`.xml` suffixes, `_method` overrides) dispatches from
//!   one `fallback` in `router.rs`, by matching path segments.
//! - **Tests** of one fault or variant build the state with [`Switches::with_fault`] /
//!   [`Switches::with_variant`]; `testing::assert_tables` (in test builds) checks its tables.

pub mod body;
pub mod capacity;
pub mod encoding;
pub mod envelope;
pub mod ids;
pub mod pages;
pub mod state;
pub mod switches;
pub mod throttle;
pub mod time;

#[cfg(test)]
pub mod testing;

pub use switches::{HasSwitches, Switch, Switches};

use super::{Built, FaultInfo, MockApi, MockOptions, VariantInfo};

/// One API's mock, as the kit serves it: the tables and the lookups are done here.
pub trait Mock: Send + Sync + 'static {
    /// The API's name, as its spec names it.
    const NAME: &'static str;
    type Fault: Switch<Info = FaultInfo>;
    type Variant: Switch<Info = VariantInfo>;

    /// The largest `size` it serves (data derived from ids has a bound); larger is refused.
    fn max_size(&self) -> Option<usize> {
        None
    }

    /// Build the mock with its switches (the fault and variant `options` named).
    fn build(&self, options: &MockOptions, switches: Switches<Self::Fault, Self::Variant>)
        -> Built;
}

impl<M: Mock> MockApi for M {
    fn name(&self) -> &'static str {
        M::NAME
    }

    fn faults(&self) -> &'static [FaultInfo] {
        <M::Fault as Switch>::INFOS
    }

    fn variants(&self) -> &'static [VariantInfo] {
        <M::Variant as Switch>::INFOS
    }

    fn max_size(&self) -> Option<usize> {
        Mock::max_size(self)
    }

    fn build(&self, options: &MockOptions, fault: Option<&'static str>) -> Built {
        let mut built = Mock::build(
            self,
            options,
            Switches::from_names(fault, options.variant.as_deref()),
        );
        // Around the whole router, so no handler knows of it; without a capacity, no layer. An
        // HTTPS mock's plain-HTTP port only refuses (it is not the API), so it has none.
        if let Some(capacity) = &options.capacity {
            built.router = capacity.wrap(built.router);
        }
        built
    }
}
