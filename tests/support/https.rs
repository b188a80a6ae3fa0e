//! A test certificate authority (made with rcgen) and a minimal HTTPS server on loopback, for
//! the commands that fetch from a deployed site.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

pub struct TestCa {
    issuer: Issuer<'static, KeyPair>,
    /// The CA certificate, for `OTASITE_EXTRA_CA_CERT`.
    pub pem: String,
}

impl TestCa {
    pub fn new(name: &str) -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().expect("key");
        let cert = params.self_signed(&key).expect("ca cert");
        TestCa {
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// A server certificate for `names` (IP addresses or DNS names), signed by this CA.
    pub fn server_config(&self, names: &[&str]) -> Arc<rustls::ServerConfig> {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let params = CertificateParams::new(names).expect("params");
        let key = KeyPair::generate().expect("key");
        let cert = params.signed_by(&key, &self.issuer).expect("server cert");
        let chain = vec![CertificateDer::from(cert.der().to_vec())];
        let key = PrivateKeyDer::from(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .expect("server config");
        Arc::new(config)
    }
}

/// An answer: status line text, headers, body (sent for GET only).
pub type Reply = (&'static str, Vec<(&'static str, String)>, Vec<u8>);

/// Answers a request given its method and target (path and query, still percent-encoded).
pub type Handler = Arc<dyn Fn(&str, &str) -> Reply + Send + Sync>;

/// A [`Handler`] that also sees the request's body (read by its `Content-Length`).
pub type BodyHandler = Arc<dyn Fn(&str, &str, &[u8]) -> Reply + Send + Sync>;

/// The most of a request body the server reads.
const REQUEST_BODY_LIMIT: usize = 1 << 20;

/// A minimal HTTPS server on 127.0.0.1: a thread per connection, HTTP/1.1,
/// `Connection: close`. It stops when dropped.
pub struct Server {
    pub port: u16,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    /// Binds first, so a site can be built for the port before anything is served.
    pub fn bind() -> (TcpListener, u16) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        (listener, port)
    }

    pub fn start(
        listener: TcpListener,
        tls: Arc<rustls::ServerConfig>,
        handler: Handler,
    ) -> Server {
        Server::start_with_body(
            listener,
            tls,
            Arc::new(move |method, target, _body| handler(method, target)),
        )
    }

    /// [`Server::start`] with a handler that sees request bodies (webhooks).
    pub fn start_with_body(
        listener: TcpListener,
        tls: Arc<rustls::ServerConfig>,
        handler: BodyHandler,
    ) -> Server {
        let port = listener.local_addr().expect("addr").port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let accept = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (tls, handler) = (tls.clone(), handler.clone());
                std::thread::spawn(move || serve_connection(stream, tls, &*handler));
            }
        });
        Server {
            port,
            stop,
            accept: Some(accept),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

fn serve_connection(
    stream: TcpStream,
    tls: Arc<rustls::ServerConfig>,
    handler: &(dyn Fn(&str, &str, &[u8]) -> Reply + Send + Sync),
) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
    let Ok(connection) = rustls::ServerConnection::new(tls) else {
        return;
    };
    let mut tls = rustls::StreamOwned::new(connection, stream);
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    // A failed handshake (the client refused the certificate) ends here.
    while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
        match tls.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head);
    let mut words = head.split_whitespace();
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or("/"));
    let length = head
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse::<usize>().ok())
        .unwrap_or(0)
        .min(REQUEST_BODY_LIMIT);
    let mut request_body = vec![0u8; length];
    if tls.read_exact(&mut request_body).is_err() {
        return;
    }
    let (status, headers, body) = handler(method, target, &request_body);
    let mut response = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
    for (name, value) in headers {
        response.push_str(&format!("{name}: {value}\r\n"));
    }
    response.push_str("\r\n");
    let mut bytes = response.into_bytes();
    if method == "GET" {
        bytes.extend(body);
    }
    let _ = tls.write_all(&bytes);
    tls.conn.send_close_notify();
    let _ = tls.flush();
}
