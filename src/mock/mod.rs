//! Reference mocks of the documented APIs (axum on tokio), each faithful to its document, and
//! each able to break exactly one documented behaviour on request (`--fault NAME`), so the
//! checker can be shown to catch every violation.
//!
//! A mock is one module (a folder when it is large): its state, its router, and its table of
//! faults (the `faults!` macro); what they share is the [`kit`], whose doc states the shape.
//! `start` serves it on ephemeral loopback ports and returns the `Target` to check. One fault is
//! shared by every mock, [`ECHO_FAULT`]: a target that hands every credential it receives back,
//! to hunt for leaks in what the checker prints.

pub mod checklick;
pub mod checklist_items;
pub mod checktick;
pub mod checkvist;
pub mod common;
mod echo;
pub mod kit;
pub mod optacheck;

pub use echo::ECHO_FAULT;
pub use kit::capacity::{Capacity, CapacityError, OverCapacity, Rate, BROKEN_BODY};
pub use kit::switches::{first_of, FaultInfo, VariantInfo};

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use tokio::task::JoinHandle;

use crate::target::{Credentials, Target};

/// What a mock is started with.
#[derive(Debug, Clone)]
pub struct MockOptions {
    pub bind: IpAddr,
    /// 0: an ephemeral port.
    pub port: u16,
    pub fault: Option<String>,
    /// A faithful variant (another choice where the document is silent); `None`: the default.
    pub variant: Option<String>,
    /// Seed of the synthetic data and of the credentials.
    pub seed: u64,
    /// Size of the main collection (e.g. Checklick users); each mock has its default.
    pub size: Option<usize>,
    /// Serve at most this many requests a second, and what to do above it (`--capacity`,
    /// `--over-capacity`); `None`: no limit, the mock as it always was.
    pub capacity: Option<Capacity>,
}

impl Default for MockOptions {
    fn default() -> Self {
        MockOptions {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            fault: None,
            variant: None,
            seed: 1,
            size: None,
            capacity: None,
        }
    }
}

/// How a mock is served.
pub enum Transport {
    /// Plain HTTP.
    Plain,
    /// HTTPS for `host` with a self-signed certificate; plain HTTP on a second port answers with
    /// `plain_refusal` (the document says plain HTTP is refused).
    Https {
        host: &'static str,
        plain_refusal: Router,
    },
}

/// A mock, ready to serve.
pub struct Built {
    pub router: Router,
    pub credentials: Credentials,
    /// The path prefix of the documented base URL (`/api`), empty for none.
    pub base_path: String,
    pub transport: Transport,
    /// Values the rules cannot discover (an existing parent to write under), as a profile's
    /// `fixtures` would give them.
    pub fixtures: std::collections::BTreeMap<String, serde_json::Value>,
}

impl Built {
    /// A mock served over plain HTTP at the root of its origin: the shape most mocks have.
    pub fn plain(
        router: Router,
        credentials: Credentials,
        fixtures: std::collections::BTreeMap<String, serde_json::Value>,
    ) -> Built {
        Built {
            router,
            credentials,
            base_path: String::new(),
            transport: Transport::Plain,
            fixtures,
        }
    }
}

/// One API's mock.
pub trait MockApi: Send + Sync {
    fn name(&self) -> &'static str;
    fn faults(&self) -> &'static [FaultInfo];
    /// Its faithful variants; `options.variant` names one of them when `build` is called.
    fn variants(&self) -> &'static [VariantInfo] {
        &[]
    }
    /// The largest `size` it serves (data derived from ids has a bound); larger is refused.
    fn max_size(&self) -> Option<usize> {
        None
    }
    /// Build the mock; `fault` is already known to be one of `faults()`.
    fn build(&self, options: &MockOptions, fault: Option<&'static str>) -> Built;
}

/// Every mock specgate has.
pub fn apis() -> Vec<&'static dyn MockApi> {
    vec![
        &checklick::Api,
        &checklist_items::Api,
        &checktick::Api,
        &checkvist::Api,
        &optacheck::Api,
    ]
}

pub fn api(name: &str) -> Option<&'static dyn MockApi> {
    apis().into_iter().find(|a| a.name() == name)
}

/// Every fault of `mock`: its own, then the one all mocks share ([`ECHO_FAULT`]).
pub fn faults_of(mock: &dyn MockApi) -> Vec<FaultInfo> {
    let mut faults = mock.faults().to_vec();
    faults.push(echo::fault_info(mock.name()));
    faults
}

#[derive(Debug, thiserror::Error)]
pub enum MockError {
    #[error("no mock of `{name}`; {hint}")]
    UnknownApi { name: String, hint: String },
    #[error("`{api}` has no fault `{name}`; its faults: {valid}")]
    UnknownFault {
        api: String,
        name: String,
        valid: String,
    },
    #[error("`{api}` has no variant `{name}`; its variants: {valid}")]
    UnknownVariant {
        api: String,
        name: String,
        valid: String,
    },
    #[error("`{api}` serves at most {max} records (--size {size} asked for more)")]
    SizeTooLarge {
        api: String,
        size: usize,
        max: usize,
    },
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot make the TLS certificate: {0}")]
    Tls(String),
}

/// A mock serving in this process. Dropping it leaves it serving; `shutdown` stops it cleanly.
pub struct RunningMock {
    pub target: Target,
    pub fault: Option<&'static str>,
    pub variant: Option<&'static str>,
    /// Its capacity and what it does above it, when it has one.
    pub capacity: Option<Capacity>,
    /// With [`ECHO_FAULT`]: what the mock handed out.
    echo: Option<echo::Echo>,
    stop: Option<tokio::sync::watch::Sender<bool>>,
    tasks: Vec<JoinHandle<()>>,
    tls_handle: Option<axum_server::Handle<SocketAddr>>,
}

impl RunningMock {
    pub fn base_url(&self) -> &str {
        &self.target.base_url
    }

    /// With [`ECHO_FAULT`]: every token the mock handed out so far (a `token` member of a JSON
    /// answer), so that a leak test knows every secret of the run. Empty otherwise.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.echo
            .as_ref()
            .map(echo::Echo::issued)
            .unwrap_or_default()
    }

    /// Stop accepting, let requests in flight finish, and wait for the servers to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        if let Some(h) = self.tls_handle.take() {
            h.graceful_shutdown(Some(std::time::Duration::from_secs(2)));
        }
        for t in self.tasks.drain(..) {
            let _ = t.await;
        }
    }
}

/// Start the mock of `name` on ephemeral ports (or `options.port`) and return its target.
pub async fn start(name: &str, options: MockOptions) -> Result<RunningMock, MockError> {
    let mock = api(name).ok_or_else(|| MockError::UnknownApi {
        name: name.to_string(),
        hint: crate::error::suggest(name, apis().iter().map(|a| a.name()).collect::<Vec<_>>()),
    })?;
    let faults: Vec<&'static str> = faults_of(mock).iter().map(|i| i.name).collect();
    let fault =
        one_of(&faults, options.fault.as_deref()).map_err(|valid| MockError::UnknownFault {
            api: name.to_string(),
            name: options.fault.clone().unwrap_or_default(),
            valid,
        })?;
    if let (Some(size), Some(max)) = (options.size, mock.max_size()) {
        if size > max {
            return Err(MockError::SizeTooLarge {
                api: name.to_string(),
                size,
                max,
            });
        }
    }
    let variants: Vec<&'static str> = mock.variants().iter().map(|i| i.name).collect();
    let variant = one_of(&variants, options.variant.as_deref()).map_err(|valid| {
        MockError::UnknownVariant {
            api: name.to_string(),
            name: options.variant.clone().unwrap_or_default(),
            valid,
        }
    })?;
    let echo = (fault == Some(ECHO_FAULT)).then(echo::Echo::default);
    let mut built = mock.build(&options, fault.filter(|f| *f != ECHO_FAULT));
    if let Some(echo) = &echo {
        built.router = echo.wrap(built.router);
        if let Transport::Https { plain_refusal, .. } = &mut built.transport {
            *plain_refusal = echo.wrap(std::mem::take(plain_refusal));
        }
    }
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut tasks = Vec::new();
    let addr = SocketAddr::new(options.bind, options.port);
    let mut target = Target {
        api: name.to_string(),
        credentials: built.credentials,
        fixtures: built.fixtures,
        ..Target::default()
    };
    let mut tls_handle = None;
    match built.transport {
        Transport::Plain => {
            let (local, task) = serve_plain(addr, built.router, stop_rx.clone()).await?;
            target.base_url = format!("http://{}{}", host_port(local), built.base_path);
            tasks.push(task);
        }
        Transport::Https {
            host,
            plain_refusal,
        } => {
            let cert =
                rcgen::generate_simple_self_signed(vec![host.to_string(), "localhost".to_string()])
                    .map_err(|e| MockError::Tls(e.to_string()))?;
            let cert_der = cert.cert.der().to_vec();
            let key_der = cert.signing_key.serialize_der();
            let config =
                axum_server::tls_rustls::RustlsConfig::from_der(vec![cert_der.clone()], key_der)
                    .await
                    .map_err(|e| MockError::Tls(e.to_string()))?;
            let listener = std::net::TcpListener::bind(addr)
                .map_err(|source| MockError::Bind { addr, source })?;
            listener
                .set_nonblocking(true)
                .map_err(|source| MockError::Bind { addr, source })?;
            let local = listener
                .local_addr()
                .map_err(|source| MockError::Bind { addr, source })?;
            let handle = axum_server::Handle::new();
            let server = axum_server::from_tcp_rustls(listener, config)
                .map_err(|source| MockError::Bind { addr, source })?
                .handle(handle.clone());
            let router = built.router;
            tasks.push(tokio::spawn(async move {
                let _ = server.serve(router.into_make_service()).await;
            }));
            tls_handle = Some(handle);
            target.base_url = format!("https://{host}:{}{}", local.port(), built.base_path);
            target.resolve.push((host.to_string(), local));
            target.root_certs.push(cert_der);
            let plain_addr = SocketAddr::new(options.bind, 0);
            let (plain_local, task) =
                serve_plain(plain_addr, plain_refusal, stop_rx.clone()).await?;
            target.plain_url = Some(format!(
                "http://{host}:{}{}",
                plain_local.port(),
                built.base_path
            ));
            target.resolve.push((host.to_string(), plain_local));
            tasks.push(task);
        }
    }
    Ok(RunningMock {
        target,
        fault,
        variant,
        capacity: options.capacity,
        echo,
        stop: Some(stop_tx),
        tasks,
        tls_handle,
    })
}

/// `wanted`, as the `'static` name it is among `names`; else the names there are, for the error.
fn one_of(names: &[&'static str], wanted: Option<&str>) -> Result<Option<&'static str>, String> {
    let Some(wanted) = wanted else {
        return Ok(None);
    };
    match names.iter().find(|n| **n == wanted) {
        Some(n) => Ok(Some(n)),
        None if names.is_empty() => Err("none".to_string()),
        None => Err(names.join(", ")),
    }
}

fn host_port(addr: SocketAddr) -> String {
    match addr {
        SocketAddr::V4(a) => a.to_string(),
        SocketAddr::V6(a) => format!("[{}]:{}", a.ip(), a.port()),
    }
}

async fn serve_plain(
    addr: SocketAddr,
    router: Router,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Result<(SocketAddr, JoinHandle<()>), MockError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| MockError::Bind { addr, source })?;
    let local = listener
        .local_addr()
        .map_err(|source| MockError::Bind { addr, source })?;
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = stop.wait_for(|s| *s).await;
            })
            .await;
    });
    Ok((local, task))
}

/// Shared state behind a lock, as every stateful mock holds it.
pub type Shared<T> = Arc<tokio::sync::RwLock<T>>;

#[cfg(test)]
mod tables {
    use super::kit::testing::assert_tables;
    use super::{checklick, checklist_items, checktick, checkvist, optacheck};

    /// Every mock's fault and variant tables are whole (one test for the five, not one each).
    #[test]
    fn every_mock_has_whole_tables() {
        assert_tables::<checklick::Api>();
        assert_tables::<checklist_items::Api>();
        assert_tables::<checktick::Api>();
        assert_tables::<checkvist::Api>();
        assert_tables::<optacheck::Api>();
    }
}
