//! The one HTTPS client (`check --remote`, `build --previous URL`, `notify`): no redirects followed,
//! every status returned, errors turned into sentences (certificate problems named as such).
//!
//! Roots of trust are Mozilla's (webpki). The environment variable `OTASITE_EXTRA_CA_CERT`
//! may name a PEM file whose certificates are trusted as well, for a private test CA.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};

/// Names a PEM file of extra root certificates to trust, besides the public ones.
pub const EXTRA_CA_ENV: &str = "OTASITE_EXTRA_CA_CERT";

/// Manifests and icons are small; a bigger body means the URL serves something else.
pub const BODY_LIMIT: u64 = 16 << 20;
/// A site's `catalog.json` grows by about 2 KB per build: room for hundreds of thousands.
pub const CATALOG_LIMIT: u64 = 1 << 30;

/// The extra root certificates named by [`EXTRA_CA_ENV`] cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{}={}: {why}", EXTRA_CA_ENV, .path.display())]
pub struct ExtraRootsError {
    pub path: std::path::PathBuf,
    pub why: String,
}

/// What came back: the status and the headers the checks look at, and the body for GET.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub content_type: Option<String>,
    pub content_length: Option<u64>,
    pub location: Option<String>,
    /// `Retry-After`, as sent (seconds or an HTTP date).
    pub retry_after: Option<String>,
    pub body: Vec<u8>,
}

impl Response {
    /// `404 Not Found`
    pub fn status_text(&self) -> String {
        let reason = ureq::http::StatusCode::from_u16(self.status)
            .ok()
            .and_then(|s| s.canonical_reason());
        match reason {
            Some(reason) => format!("{} {reason}", self.status),
            None => self.status.to_string(),
        }
    }

    /// The media type without parameters, lowercased: `text/xml; charset=utf-8` -> `text/xml`.
    pub fn media_type(&self) -> Option<String> {
        let value = self.content_type.as_deref()?;
        let essence = value
            .split(';')
            .next()
            .unwrap_or(value)
            .trim()
            .to_ascii_lowercase();
        Some(essence).filter(|e| !e.is_empty())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
}

pub struct Client {
    agent: ureq::Agent,
    timeout: u64,
}

impl Client {
    /// A client whose every request gives up after `timeout` seconds.
    pub fn new(timeout: u64) -> Result<Client, ExtraRootsError> {
        let roots = match std::env::var_os(EXTRA_CA_ENV) {
            Some(path) => RootCerts::Specific(Arc::new(public_and_extra_roots(Path::new(&path))?)),
            None => RootCerts::WebPki,
        };
        let config = ureq::Agent::config_builder()
            .tls_config(TlsConfig::builder().root_certs(roots).build())
            // Redirects are findings, not detours: iOS does not follow them reliably.
            .max_redirects(0)
            .http_status_as_error(false)
            .https_only(true)
            .timeout_global(Some(Duration::from_secs(timeout)))
            .user_agent(format!("otasite-check/{}", env!("CARGO_PKG_VERSION")))
            .build();
        Ok(Client {
            agent: config.into(),
            timeout,
        })
    }

    /// Sends one request; the error is a sentence saying what went wrong.
    pub fn fetch(&self, method: Method, url: &str) -> Result<Response, String> {
        self.fetch_limited(method, url, BODY_LIMIT)
    }

    /// [`Client::fetch`] for a body that may be larger than a manifest or an icon.
    pub fn fetch_limited(
        &self,
        method: Method,
        url: &str,
        body_limit: u64,
    ) -> Result<Response, String> {
        let result = match method {
            Method::Get => self.agent.get(url).call(),
            Method::Head => self.agent.head(url).call(),
        };
        let mut response = result.map_err(|e| self.describe(url, &e))?;
        let mut answer = head_of(&response);
        if method == Method::Get && answer.status == 200 {
            answer.body = response
                .body_mut()
                .with_config()
                .limit(body_limit)
                .read_to_vec()
                .map_err(|e| self.describe(url, &e))?;
        }
        Ok(answer)
    }

    /// POSTs a JSON body; the answer's body is not read (webhooks say what they need in the
    /// status and `Retry-After`).
    pub fn post_json(&self, url: &str, body: &[u8]) -> Result<Response, String> {
        let response = self
            .agent
            .post(url)
            .header("content-type", "application/json")
            .send(body)
            .map_err(|e| self.describe(url, &e))?;
        Ok(head_of(&response))
    }

    fn describe(&self, url: &str, error: &ureq::Error) -> String {
        if let Some(tls) = rustls_error(error) {
            return describe_tls(url, tls);
        }
        match error {
            ureq::Error::Timeout(_) => {
                let unit = if self.timeout == 1 {
                    "second"
                } else {
                    "seconds"
                };
                format!(
                    "no complete answer within {} {unit} (--timeout)",
                    self.timeout
                )
            }
            ureq::Error::HostNotFound => "the host name does not resolve".into(),
            ureq::Error::ConnectionFailed => "cannot connect to the host".into(),
            ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                format!("cannot connect to the host ({e})")
            }
            ureq::Error::BodyExceedsLimit(limit) => {
                format!("the response is larger than {limit} bytes, the most read from such a URL")
            }
            ureq::Error::Io(e) => format!("the request failed ({e})"),
            other => format!("the request failed ({other})"),
        }
    }
}

/// The rustls error behind a failed request, wherever ureq keeps it.
fn rustls_error(error: &ureq::Error) -> Option<&rustls::Error> {
    match error {
        ureq::Error::Rustls(e) => Some(e),
        ureq::Error::Io(e) => e.get_ref()?.downcast_ref::<rustls::Error>(),
        _ => None,
    }
}

fn describe_tls(url: &str, error: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    let host = url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    let why = "iOS installs only from a site whose certificate is publicly trusted and valid for its host";
    let what = match error {
        rustls::Error::InvalidCertificate(cert) => match cert {
            C::UnknownIssuer => {
                "the certificate is not signed by a trusted certificate authority".to_string()
            }
            C::NotValidForName | C::NotValidForNameContext { .. } => {
                format!("the certificate is not valid for the host name {host}")
            }
            C::Expired | C::ExpiredContext { .. } => "the certificate has expired".to_string(),
            C::NotValidYet | C::NotValidYetContext { .. } => {
                "the certificate is not valid yet".to_string()
            }
            C::Revoked => "the certificate has been revoked".to_string(),
            other => format!("the certificate was rejected ({other:?})"),
        },
        other => return format!("the TLS connection failed ({other})"),
    };
    format!("certificate problem: {what}; {why}")
}

/// Mozilla's roots plus every certificate in the PEM file at `path`.
fn public_and_extra_roots(path: &Path) -> Result<Vec<Certificate<'static>>, ExtraRootsError> {
    let bad = |why: String| ExtraRootsError {
        path: path.to_path_buf(),
        why,
    };
    let pem = std::fs::read(path).map_err(|e| bad(format!("cannot be read ({e})")))?;
    let mut extra = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(PemItem::Certificate(cert)) => extra.push(cert),
            Ok(_) => {}
            Err(e) => return Err(bad(format!("is not a valid PEM file ({e})"))),
        }
    }
    if extra.is_empty() {
        return Err(bad("holds no PEM certificate".into()));
    }
    let mut roots: Vec<Certificate<'static>> = webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|der| Certificate::from_der(der.as_ref()).to_owned())
        .collect();
    roots.extend(extra);
    Ok(roots)
}

/// Runs `work` on every item with at most `limit` threads; results in input order.
pub fn bounded_map<T: Sync, R: Send>(
    items: &[T],
    limit: usize,
    work: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new(items.iter().map(|_| None).collect());
    let workers = limit.clamp(1, items.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(index) else { break };
                    let result = work(item);
                    results.lock().unwrap_or_else(PoisonError::into_inner)[index] = Some(result);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .into_iter()
        .flatten()
        .collect()
}

/// The status and the headers otasite reads of an answer; the body is left empty.
fn head_of(response: &ureq::http::Response<ureq::Body>) -> Response {
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    Response {
        status: response.status().as_u16(),
        content_type: header("content-type"),
        content_length: header("content-length").and_then(|v| v.trim().parse().ok()),
        location: header("location"),
        retry_after: header("retry-after"),
        body: Vec::new(),
    }
}
