//! What the benches share: the specs folder, and real answers of the built-in mocks, fetched
//! once during setup (never while measuring).

#![allow(dead_code)]

use std::path::PathBuf;

use specgate::mock::{MockOptions, RunningMock};

pub fn specs_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("specs")
}

pub fn load(api: &str) -> specgate::Spec {
    specgate::load_spec(&specs_root().join(api)).expect("the spec loads")
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

/// A running mock and a client that reaches it (its host resolved to loopback, its
/// certificate trusted).
pub struct Mock {
    pub mock: RunningMock,
    pub client: reqwest::Client,
}

impl Mock {
    pub async fn start(api: &str) -> Mock {
        let mock = specgate::mock::start(api, MockOptions::default())
            .await
            .expect("the mock starts");
        let mut builder = reqwest::Client::builder();
        for (host, addr) in &mock.target.resolve {
            builder = builder.resolve(host, *addr);
        }
        for der in &mock.target.root_certs {
            builder = builder
                .add_root_certificate(reqwest::Certificate::from_der(der).expect("a certificate"));
        }
        Mock {
            client: builder.build().expect("a client"),
            mock,
        }
    }

    pub fn credential(&self, name: &str) -> String {
        self.mock
            .target
            .credentials
            .get(name)
            .unwrap_or_default()
            .to_string()
    }

    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.mock.target.base_url)
        }
    }

    /// GET `path` (or a full URL) with `headers`; the 2xx body's bytes.
    pub async fn get(&self, path: &str, headers: &[(&str, String)]) -> Vec<u8> {
        let mut rb = self.client.get(self.url(path));
        for (name, value) in headers {
            rb = rb.header(*name, value);
        }
        let r = rb.send().await.expect("an answer");
        let status = r.status();
        let body = r.bytes().await.expect("a body").to_vec();
        assert!(
            status.is_success(),
            "GET {path}: {status} {}",
            String::from_utf8_lossy(&body)
        );
        body
    }

    pub async fn shutdown(self) {
        self.mock.shutdown().await
    }
}

/// The bearer header of the checklist-items and CheckTick mocks.
pub fn bearer_headers(m: &Mock) -> Vec<(&'static str, String)> {
    vec![(
        "Authorization",
        format!("Bearer {}", m.credential("api_key")),
    )]
}

/// The headers every Checklick request carries.
pub fn checklick_headers(m: &Mock) -> Vec<(&'static str, String)> {
    vec![
        ("Content-Type", "application/vnd.api+json".into()),
        ("Api-Version", "2".into()),
        (
            "Authorization",
            format!("Token token={}", m.credential("token")),
        ),
        ("Organization-Id", m.credential("organization_id")),
    ]
}
