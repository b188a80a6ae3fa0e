//! `otasite serve`: the site is served on loopback with a preview banner and rebuilt when the
//! builds change.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

use std::time::{Duration, Instant};

use support::ipa::IpaBuilder;
use support::run::Otasite;
use support::site;

fn get(address: &str, path: &str) -> (u16, String, String) {
    let mut stream = TcpStream::connect(address).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_ascii_lowercase(), body.to_string())
}

/// Kills the server when the test ends, whatever happens.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn serves_the_preview_and_rebuilds_on_change() {
    let tmp = tempfile::tempdir().expect("tmp");
    site::write_config(tmp.path(), &site::config("Preview", site::BASE_URL, ""));
    IpaBuilder::new("com.example.first", "First").write(&tmp.path().join("builds/first.ipa"));
    let mut child = Otasite::new(["serve", "--port", "0"])
        .dir(tmp.path())
        .spawn();
    let stderr = child.stderr.take().expect("stderr");
    let server = Server(child);
    let mut lines = BufReader::new(stderr).lines();
    let address = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            let rest = line.split_once(" at http://")?.1;
            Some(rest.split('/').next()?.to_string())
        })
        .expect("the server says where it listens");
    std::thread::spawn(move || lines.for_each(drop));

    let (status, _, body) = get(&address, "/");
    assert_eq!(status, 200);
    assert!(body.contains("First"), "{body}");
    assert!(
        body.contains("Local preview"),
        "the banner says installing needs HTTPS"
    );
    let (status, head, _) = get(&address, "/com.example.first/manifest.plist");
    assert_eq!(status, 200);
    assert!(head.contains("content-type: text/xml"), "{head}");
    let (_, _, manifest) = get(&address, "/com.example.first/manifest.plist");
    assert!(
        manifest.contains(&format!(
            "http://{address}/com.example.first/1.0-1/first.ipa"
        )),
        "{manifest}"
    );
    assert_eq!(get(&address, "/../site.yaml").0, 404);

    IpaBuilder::new("com.example.second", "Second").write(&tmp.path().join("builds/second.ipa"));
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if get(&address, "/").2.contains("Second") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the site was not rebuilt after a new build appeared"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(server);
}
