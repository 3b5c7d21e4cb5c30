//! Shared by the mock tests: start a mock in-process and talk to it over real HTTP.
#![allow(dead_code)]

use specgate::mock::{start, MockOptions, RunningMock};
use specgate::target::Target;

/// Start `api`'s mock on an ephemeral loopback port, faithful or with `fault`.
pub async fn mock(api: &str, fault: Option<&str>) -> RunningMock {
    let options = MockOptions {
        fault: fault.map(str::to_string),
        ..MockOptions::default()
    };
    start(api, options)
        .await
        .unwrap_or_else(|e| panic!("mock {api} does not start: {e}"))
}

/// A client for `target`: trusts its certificate, resolves its documented host to loopback,
/// follows no redirect, and gives up after 10 seconds.
pub fn client(target: &Target) -> reqwest::Client {
    let mut b = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10));
    for (host, addr) in &target.resolve {
        b = b.resolve(host, *addr);
    }
    for der in &target.root_certs {
        b = b.add_root_certificate(reqwest::Certificate::from_der(der).expect("a DER certificate"));
    }
    b.build().expect("a client")
}
