//! Devices: the per-build `devices.json` of keyed hashes, the registration pages and profile,
//! `check` of both, `otasite devices` (Apple's bulk registration file) and `init --udid`.
//!
//! The tests that run the generated endpoints under Node.js, sign the device's answer with
//! OpenSSL and read the profile with Python's plistlib are ignored by default; run with
//! `--include-ignored`, a missing tool fails them.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use otasite::devices::hashes::DevicesFile;
use support::ipa::{IpaBuilder, Kind, ProfileSpec};
use support::run::{assert_ok, otasite, tree};
use support::site::{BASE_URL, config, write_config};

/// A newer device, listed by the first build only.
const MINE: &str = "00008030-001A2D3E0C38802E";
/// An older device (40 hex digits, as profiles list them: lower case), in both builds.
const OLD: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
/// A device only the second build lists.
const OTHER: &str = "00008101-000A1B2C3D4E5F60";
const ENDPOINT: &str = "https://udid.example.test/enroll";

/// A site with two ad hoc builds (different devices), a development build and an enterprise
/// build, and `devices:` set; returns the temporary folder and the site folder.
fn site_with_devices(devices_settings: bool) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().to_path_buf();
    let builds = root.join("builds");
    std::fs::create_dir_all(&builds).unwrap();
    IpaBuilder::new("com.example.beta", "Beta")
        .version("1.0", "1")
        .profile(Some(ProfileSpec::new(Kind::AdHoc).devices(&[MINE, OLD])))
        .write(&builds.join("Beta-1.ipa"));
    IpaBuilder::new("com.example.beta", "Beta")
        .version("1.0", "2")
        .profile(Some(ProfileSpec::new(Kind::AdHoc).devices(&[OLD, OTHER])))
        .write(&builds.join("Beta-2.ipa"));
    IpaBuilder::new("com.example.dev", "Dev")
        .profile(Some(ProfileSpec::new(Kind::Development).devices(&[MINE])))
        .write(&builds.join("Dev.ipa"));
    IpaBuilder::new("com.example.corp", "Corp")
        .profile(Some(ProfileSpec::new(Kind::Enterprise)))
        .write(&builds.join("Corp.ipa"));
    let extra = if devices_settings {
        format!(
            "devices:\n  endpoint: {ENDPOINT}\n  email: qa@example.test\n  webhook_env: OTASITE_DEVICES_WEBHOOK\n"
        )
    } else {
        String::new()
    };
    write_config(&root, &config("Devices", BASE_URL, &extra));
    assert_ok(&otasite(&["build"], &root));
    (tmp, root.join("dist"))
}

fn devices_file(site: &Path, build: &str) -> DevicesFile {
    let bytes = std::fs::read(site.join(build).join("devices.json"))
        .unwrap_or_else(|e| panic!("{build}devices.json: {e}"));
    DevicesFile::parse(&bytes).unwrap_or_else(|e| panic!("{build}devices.json: {e}"))
}

/// Every identifier a test profile lists, in the cases a page could show it in.
fn clear_forms() -> Vec<String> {
    [MINE, OLD, OTHER]
        .iter()
        .flat_map(|id| {
            [
                id.to_string(),
                id.to_ascii_uppercase(),
                id.to_ascii_lowercase(),
            ]
        })
        .collect()
}

#[test]
fn each_ad_hoc_and_development_build_publishes_hashes_not_identifiers() {
    let (_tmp, site) = site_with_devices(true);
    let first = devices_file(&site, "com.example.beta/1.0-1/");
    let second = devices_file(&site, "com.example.beta/1.0-2/");
    let dev = devices_file(&site, "com.example.dev/1.0-1/");
    assert!(first.lists(MINE) && first.lists(&OLD.to_ascii_uppercase()) && !first.lists(OTHER));
    assert!(second.lists(OTHER) && second.lists(OLD) && !second.lists(MINE));
    assert!(dev.lists(MINE) && !dev.lists(OLD));
    assert_eq!(first.hashes.len(), 2);
    assert_eq!(first.salt, second.salt, "one salt per site");
    assert!(
        !site.join("com.example.corp/1.0-1/devices.json").exists(),
        "an enterprise build installs on any device: no devices.json"
    );

    // The catalog keeps only the count.
    let catalog: serde_json::Value =
        serde_json::from_slice(&std::fs::read(site.join("catalog.json")).unwrap()).unwrap();
    let beta = &catalog["apps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["bundle_id"] == "com.example.beta")
        .unwrap()["builds"][0];
    assert_eq!(beta["profile"]["devices"], 2);

    // No file of the site holds an identifier in clear, in any case.
    let forms = clear_forms();
    for (path, bytes) in tree(&site) {
        let text = String::from_utf8_lossy(&bytes);
        for form in &forms {
            assert!(!text.contains(form.as_str()), "{path} holds {form}");
        }
    }
    let stdout = assert_ok(&otasite(&["check", "dist"], site.parent().unwrap()));
    assert!(!stdout.contains("devices.json"), "{stdout}");

    // The build pages carry the check (ad hoc and development) and nothing on enterprise.
    let page = |build: &str| std::fs::read_to_string(site.join(build).join("index.html")).unwrap();
    assert!(page("com.example.beta/1.0-1/").contains("data-devices=\"devices.json\""));
    assert!(page("com.example.dev/1.0-1/").contains("id=\"device-check\""));
    assert!(!page("com.example.corp/1.0-1/").contains("id=\"device-check\""));
}

#[test]
fn check_finds_identifiers_in_clear_and_broken_devices_files() {
    let (_tmp, site) = site_with_devices(false);
    let root = site.parent().unwrap();
    assert!(
        !site.join("devices").exists(),
        "without `devices:` no registration pages"
    );
    assert_ok(&otasite(&["check", "dist"], root));

    let notes = site.join("com.example.beta/1.0-1/index.html");
    let original = std::fs::read_to_string(&notes).unwrap();
    std::fs::write(&notes, format!("{original}<!-- {MINE} -->")).unwrap();
    let output = otasite(&["check", "dist"], root);
    let stdout = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("device identifier(s) in clear"), "{stdout}");
    assert!(
        stdout.contains("com.example.beta/1.0-1/index.html"),
        "{stdout}"
    );
    assert!(
        !stdout.contains(MINE),
        "check repeats no identifier: {stdout}"
    );
    std::fs::write(&notes, original).unwrap();

    let file = site.join("com.example.beta/1.0-2/devices.json");
    std::fs::write(
        &file,
        r#"{"algorithm":"HMAC-SHA-256","salt":"x","hashes":[]}"#,
    )
    .unwrap();
    let output = otasite(&["check", "dist"], root);
    let stdout = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("1.0-2/devices.json") && stdout.contains("salt"),
        "{stdout}"
    );

    std::fs::remove_file(&file).unwrap();
    let output = otasite(&["check", "dist"], root);
    let stdout = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(
        stdout.contains("1.0-2/devices.json") && stdout.contains("is missing"),
        "{stdout}"
    );
}

#[test]
fn the_registration_pages_and_profile_are_published_with_their_types() {
    let (_tmp, site) = site_with_devices(true);
    let register = std::fs::read_to_string(site.join("devices/index.html")).unwrap();
    for wanted in [
        "Register this device",
        "Profile Downloaded",
        "Install",
        "Unverified",
        "udid.example.test",
        "href=\"enroll.mobileconfig\"",
    ] {
        assert!(
            register.contains(wanted),
            "devices/index.html lacks {wanted:?}"
        );
    }
    let result = std::fs::read_to_string(site.join("devices/registered/index.html")).unwrap();
    for wanted in [
        "id=\"device-udid\"",
        "id=\"device-copy\"",
        "mailto:qa@example.test",
        "iPhone 15 Pro",
        "has received your device",
    ] {
        assert!(
            result.contains(wanted),
            "devices/registered/index.html lacks {wanted:?}"
        );
    }
    let profile = std::fs::read(site.join("devices/enroll.mobileconfig")).unwrap();
    let value = plist::Value::from_reader_xml(profile.as_slice()).expect("an XML property list");
    let dict = value.as_dictionary().unwrap();
    assert_eq!(dict["PayloadType"].as_string(), Some("Profile Service"));
    let content = dict["PayloadContent"].as_dictionary().unwrap();
    assert_eq!(content["URL"].as_string(), Some(ENDPOINT));
    let headers = std::fs::read_to_string(site.join("_headers")).unwrap();
    assert!(
        headers.contains("/*.mobileconfig\n  Content-Type: application/x-apple-aspen-config\n  Cache-Control: no-cache"),
        "{headers}"
    );
    for pattern in [
        "\n/*/devices.json\n",
        "\n/devices/\n",
        "\n/devices/registered/\n",
    ] {
        assert!(headers.contains(pattern), "{pattern:?} in {headers}");
    }
    // The same site rebuilt elsewhere publishes the same profile (UUIDs from the address).
    let (_again, other) = site_with_devices(true);
    assert_eq!(
        std::fs::read(other.join("devices/enroll.mobileconfig")).unwrap(),
        profile
    );
}

#[test]
fn a_wrong_devices_setting_names_the_line() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("builds")).unwrap();
    write_config(
        tmp.path(),
        &config(
            "T",
            BASE_URL,
            "devices:\n  endpoint: http://udid.example.test/\n",
        ),
    );
    let output = otasite(&["build", "--allow-empty"], tmp.path());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("site.yaml:4:")
            && stderr.contains("devices.endpoint")
            && stderr.contains("https://"),
        "{stderr}"
    );
}

#[test]
fn devices_writes_apples_bulk_registration_file() {
    let tmp = tempfile::tempdir().unwrap();
    let list = tmp.path().join("devices.txt");
    std::fs::write(
        &list,
        format!("# collected\n{MINE}\tAnna\tiPhone 15\n\n{OLD}, Ben\n{OTHER}\n"),
    )
    .unwrap();
    let stdout = assert_ok(&otasite(&["devices", "devices.txt"], tmp.path()));
    assert_eq!(
        stdout,
        format!(
            "Device ID\tDevice Name\tDevice Platform\n{MINE}\tAnna (iPhone 15)\tios\n{}\tBen\tios\n{OTHER}\tDevice 4E5F60\tios\n",
            OLD.to_ascii_uppercase()
        )
    );
    assert_ok(&otasite(
        &["devices", "devices.txt", "-o", "portal.txt"],
        tmp.path(),
    ));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("portal.txt")).unwrap(),
        stdout
    );

    std::fs::write(
        &list,
        format!("{MINE} Anna\n0000-bad Carl\n{}\n", MINE.to_lowercase()),
    )
    .unwrap();
    let output = otasite(&["devices", "devices.txt"], tmp.path());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        output.stdout.is_empty(),
        "no file from a list with mistakes"
    );
    assert!(
        stderr.contains("devices.txt:2: \"0000-bad\" is not a UDID"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "devices.txt:3: {MINE} is listed again (first on line 1)"
        )),
        "{stderr}"
    );
}

#[test]
fn init_udid_writes_the_endpoint_and_the_settings() {
    for (host, source) in [
        ("cloudflare", "udid/worker.js"),
        ("netlify", "netlify/functions/udid.mjs"),
        ("lambda", "udid/lambda/index.mjs"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        write_config(tmp.path(), &config("T", BASE_URL, ""));
        let stdout = assert_ok(&otasite(&["init", "--udid", host], tmp.path()));
        assert!(stdout.contains(&format!("wrote {source}")), "{stdout}");
        let code = std::fs::read_to_string(tmp.path().join(source)).unwrap();
        assert!(
            code.contains(&format!(
                "const RESULT_PAGE = \"{BASE_URL}devices/registered/\";"
            )),
            "{host}: {code}"
        );
        let yaml = std::fs::read_to_string(tmp.path().join("site.yaml")).unwrap();
        assert!(yaml.contains("devices:\n  endpoint: https://"), "{yaml}");
        // The settings it wrote build a site with the registration pages.
        std::fs::create_dir_all(tmp.path().join("builds")).unwrap();
        assert_ok(&otasite(&["build", "--allow-empty"], tmp.path()));
        assert!(
            tmp.path()
                .join("dist/devices/enroll.mobileconfig")
                .is_file()
        );
        // Run again: the files and the settings are kept.
        let stdout = assert_ok(&otasite(&["init", "--udid", host], tmp.path()));
        assert!(
            stdout.contains(&format!("kept  {source}")) && stdout.contains("kept  site.yaml"),
            "{stdout}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// With Node.js, OpenSSL and Python

const RUNTIMES: &str = "needs Node.js, OpenSSL and Python 3 (the endpoint runs under node, the device's answer is signed with openssl, the profile read with plistlib)";

fn require(program: &str, arg: &str) {
    let ok = Command::new(program)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(ok, "{program} is not installed: {RUNTIMES}");
}

/// The device's answer as iOS sends it: the attributes in an XML property list, in a CMS
/// SignedData envelope signed with a (test) device key.
fn signed_answer(dir: &Path, plist: &str) -> Vec<u8> {
    require("openssl", "version");
    let run = |args: &[&str]| {
        let output = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl");
        assert!(
            output.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    if !dir.join("device.pem").exists() {
        run(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "device.key",
            "-out",
            "device.pem",
            "-days",
            "1",
            "-subj",
            "/CN=Test Device",
        ]);
    }
    std::fs::write(dir.join("answer.plist"), plist).unwrap();
    run(&[
        "cms",
        "-sign",
        "-nodetach",
        "-binary",
        "-outform",
        "DER",
        "-in",
        "answer.plist",
        "-signer",
        "device.pem",
        "-inkey",
        "device.key",
        "-out",
        "answer.p7s",
    ]);
    std::fs::read(dir.join("answer.p7s")).unwrap()
}

fn answer_plist(udid: &str, product: Option<&str>) -> String {
    let product = product.map_or(String::new(), |p| {
        format!("\t<key>PRODUCT</key>\n\t<string>{p}</string>\n")
    });
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<plist version=\"1.0\">\n<dict>\n{product}\t<key>SERIAL</key>\n\t<string>F2LXK0ABCD12</string>\n\t<key>UDID</key>\n\t<string>{udid}</string>\n\t<key>VERSION</key>\n\t<string>21F90</string>\n</dict>\n</plist>\n"
    )
}

/// Runs every request of `cases` against the endpoint `module` of `host` under node; returns
/// each answer's status, Location and body.
/// `shape`: for Lambda, the event: `v1` or `v2` (API Gateway's REST or HTTP API), then `-base64`
/// or `-text` (how the body is passed).
fn run_endpoint(
    dir: &Path,
    host: &str,
    shape: &str,
    module: &Path,
    cases: &[(&str, &str, Vec<u8>)],
) -> Vec<serde_json::Value> {
    require("node", "--version");
    let requests: Vec<serde_json::Value> = cases
        .iter()
        .map(|(method, content_type, body)| {
            use base64::Engine;
            serde_json::json!({
                "method": method, "contentType": content_type,
                "body": base64::engine::general_purpose::STANDARD.encode(body),
            })
        })
        .collect();
    std::fs::write(
        dir.join("requests.json"),
        serde_json::Value::from(requests).to_string(),
    )
    .unwrap();
    let script = r#"
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
const [host, module, requestsFile, shape] = process.argv.slice(2);
const requests = JSON.parse(readFileSync(requestsFile, "utf8"));
const endpoint = await import(pathToFileURL(module).href);
const results = [];
for (const r of requests) {
  const bytes = Buffer.from(r.body, "base64");
  let status, location, body;
  if (host === "lambda") {
    // The body as API Gateway passes it: base64, or (a REST API without binary media types)
    // the bytes read as UTF-8 text.
    const base64 = shape.endsWith("base64");
    const passed = r.method === "GET" ? null : base64 ? bytes.toString("base64") : bytes.toString("utf8");
    const event = shape.startsWith("v2")
      // The HTTP API's payload 2.0 event, as a function URL also sends it.
      ? {
          version: "2.0", routeKey: "POST /udid", rawPath: "/udid", rawQueryString: "",
          headers: { "content-type": r.contentType, "content-length": String(bytes.length) },
          requestContext: { http: { method: r.method, path: "/udid", protocol: "HTTP/1.1" }, stage: "$default" },
          body: passed, isBase64Encoded: base64,
        }
      // The REST API's event (payload 1.0): headers as sent, in their own case.
      : {
          resource: "/udid", path: "/udid", httpMethod: r.method,
          headers: { "Content-Type": r.contentType, "Content-Length": String(bytes.length) },
          multiValueHeaders: { "Content-Type": [r.contentType] },
          queryStringParameters: null, requestContext: { httpMethod: r.method, stage: "prod" },
          body: passed, isBase64Encoded: base64,
        };
    const answer = await endpoint.handler(event);
    status = answer.statusCode; location = answer.headers.Location || null; body = answer.body;
  } else {
    const request = new Request("https://udid.example.test/udid", {
      method: r.method, headers: { "content-type": r.contentType },
      body: r.method === "POST" ? bytes : undefined,
    });
    const answer = host === "cloudflare" ? await endpoint.default.fetch(request, {}) : await endpoint.default(request);
    status = answer.status; location = answer.headers.get("location"); body = await answer.text();
  }
  results.push({ status, location, body });
}
process.stdout.write(JSON.stringify(results));
"#;
    std::fs::write(dir.join("run.mjs"), script).unwrap();
    let output = Command::new("node")
        .arg(dir.join("run.mjs"))
        .arg(host)
        .arg(module)
        .arg(dir.join("requests.json"))
        .arg(shape)
        .env_remove("OTASITE_DEVICES_WEBHOOK")
        .output()
        .expect("node");
    assert!(
        output.status.success(),
        "{host}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice::<Vec<serde_json::Value>>(&output.stdout).expect("the runner's JSON")
}

#[test]
#[ignore = "needs Node.js, OpenSSL and Python 3 (the endpoint runs under node, the device's answer is signed with openssl, the profile read with plistlib)"]
fn the_endpoints_redirect_a_signed_answer_and_refuse_anything_else() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let good = signed_answer(dir, &answer_plist(&MINE.to_lowercase(), Some("iPhone16,1")));
    let no_product = signed_answer(dir, &answer_plist(MINE, None));
    let bad_udid = signed_answer(dir, &answer_plist("not-a-udid", Some("iPhone16,1")));
    // Anything outside the property list is ignored: a key after </plist> cannot add one.
    let mut smuggled = no_product.clone();
    smuggled.extend_from_slice(b"<key>PRODUCT</key><string>iPhone16,1</string>");
    let oversized = [good.clone(), vec![b' '; 64 * 1024]].concat();
    let signed = "application/pkcs7-signature";
    let cases = [
        ("POST", signed, good.clone()),
        ("POST", signed, no_product),
        ("POST", signed, bad_udid),
        ("POST", signed, smuggled),
        ("POST", signed, oversized),
        ("POST", "text/plain", good.clone()),
        ("POST", signed, b"no property list here".to_vec()),
        ("GET", signed, Vec::new()),
    ];
    for (host, path) in [
        ("cloudflare", "udid/worker.js"),
        ("netlify", "netlify/functions/udid.mjs"),
        ("lambda", "udid/lambda/index.mjs"),
    ] {
        let site = dir.join(host);
        write_config(&site, &config("T", BASE_URL, ""));
        assert_ok(&otasite(&["init", "--udid", host], &site));
        let source = site.join(path);
        // node --check: the generated source is valid JavaScript (as an ES module).
        let module = site.join("endpoint.mjs");
        std::fs::copy(&source, &module).unwrap();
        let check = Command::new("node")
            .arg("--check")
            .arg(&module)
            .output()
            .expect("node");
        assert!(
            check.status.success(),
            "{host}: {}",
            String::from_utf8_lossy(&check.stderr)
        );

        let shapes: &[&str] = if host == "lambda" {
            &["v2-base64", "v2-text", "v1-base64", "v1-text"]
        } else {
            &["-"]
        };
        for shape in shapes {
            let host = &format!("{host} {shape}");
            let results =
                run_endpoint(dir, host.split(' ').next().unwrap(), shape, &module, &cases);
            assert_endpoint_results(host, &results);
        }
    }
}

/// The answers to the requests of `the_endpoints_redirect_a_signed_answer_and_refuse_anything_else`.
fn assert_endpoint_results(host: &str, results: &[serde_json::Value]) {
    let status: Vec<u64> = results
        .iter()
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(
        status,
        [301, 400, 400, 400, 413, 415, 400, 405],
        "{host}: {results:?}"
    );
    assert_eq!(
        results[0]["location"],
        format!("{BASE_URL}devices/registered/#udid={MINE}&product=iPhone16%2C1&version=21F90"),
        "{host}"
    );
    assert!(
        results[1]["body"]
            .as_str()
            .unwrap()
            .contains("missing attributes: PRODUCT"),
        "{host}: {results:?}"
    );
    assert!(
        results[2]["body"]
            .as_str()
            .unwrap()
            .contains("UDID is not in the expected format"),
        "{host}"
    );
    assert!(
        results[4]["body"].as_str().unwrap().contains("65536 bytes"),
        "{host}"
    );
    assert!(
        results.iter().skip(1).all(|r| r["location"].is_null()),
        "{host}"
    );
}

#[test]
#[ignore = "needs Node.js, OpenSSL and Python 3 (the endpoint runs under node, the device's answer is signed with openssl, the profile read with plistlib)"]
fn the_profile_reads_with_plistlib_and_has_the_required_keys() {
    require("python3", "--version");
    let (_tmp, site) = site_with_devices(true);
    let script = r#"
import plistlib, sys, json
with open(sys.argv[1], "rb") as f:
    p = plistlib.load(f)
c = p["PayloadContent"]
print(json.dumps({"top": sorted(p.keys()), "content": sorted(c.keys()), "type": p["PayloadType"],
  "version": p["PayloadVersion"], "url": c["URL"], "attributes": c["DeviceAttributes"],
  "uuid": p["PayloadUUID"], "identifier": p["PayloadIdentifier"]}))
"#;
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(site.join("devices/enroll.mobileconfig"))
        .output()
        .expect("python3");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let read: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    for key in [
        "PayloadContent",
        "PayloadDescription",
        "PayloadDisplayName",
        "PayloadIdentifier",
        "PayloadType",
        "PayloadUUID",
        "PayloadVersion",
    ] {
        assert!(
            read["top"].as_array().unwrap().contains(&key.into()),
            "{key} missing: {read}"
        );
    }
    assert_eq!(read["type"], "Profile Service");
    assert_eq!(read["version"], 1);
    assert_eq!(read["url"], ENDPOINT);
    assert_eq!(
        read["attributes"],
        serde_json::json!(["UDID", "PRODUCT", "VERSION", "SERIAL"])
    );
    assert_eq!(read["identifier"], "test.example.apps.otasite.enroll");
    assert_eq!(read["uuid"].as_str().unwrap().len(), 36);
}

/// A site with `devices:` deployed on a local HTTPS server that serves the profile as
/// `profile_type`; returns `check --remote`'s exit code and output.
fn check_deployed_profile(
    profile_type: &'static str,
    signing: &[(&str, &str)],
) -> (Option<i32>, String) {
    use std::sync::Arc;
    use support::https::{Reply, Server, TestCa};
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let (listener, port) = Server::bind();
    let base = format!("https://127.0.0.1:{port}/");
    IpaBuilder::new("com.example.beta", "Beta")
        .profile(Some(ProfileSpec::new(Kind::AdHoc).devices(&[MINE])))
        .write(&root.join("builds/Beta.ipa"));
    write_config(
        root,
        &config("T", &base, &format!("devices:\n  endpoint: {ENDPOINT}\n")),
    );
    let (code, text) = build_with(root, signing);
    assert_eq!(code, Some(0), "{text}");
    let site = root.join("dist");
    let ca = TestCa::new("otasite test CA");
    let ca_file = root.join("ca.pem");
    std::fs::write(&ca_file, &ca.pem).unwrap();
    let handler = move |_method: &str, target: &str| -> Reply {
        let mut path = target.trim_start_matches('/').to_string();
        if path.is_empty() || path.ends_with('/') {
            path.push_str("index.html");
        }
        match std::fs::read(site.join(&path)) {
            Ok(body) => {
                let content_type = if path.ends_with(".mobileconfig") {
                    profile_type
                } else {
                    otasite::hosting::content_type(&path)
                };
                let headers = vec![
                    ("Content-Type", content_type.to_string()),
                    ("Content-Length", body.len().to_string()),
                ];
                ("200 OK", headers, body)
            }
            Err(_) => (
                "404 Not Found",
                vec![("Content-Length", "0".into())],
                Vec::new(),
            ),
        }
    };
    let _server = Server::start(
        listener,
        ca.server_config(&["127.0.0.1"]),
        Arc::new(handler),
    );
    let output = support::run::Otasite::new(["check", "--remote", base.as_str()])
        .dir(root)
        .env("OTASITE_EXTRA_CA_CERT", &ca_file)
        .output();
    let text = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.code(), text)
}

#[test]
fn check_remote_wants_the_profile_served_with_its_type() {
    let (code, text) = check_deployed_profile("application/x-apple-aspen-config", &[]);
    assert_eq!(code, Some(0), "{text}");
    let team = rcgen::generate_simple_self_signed(vec!["Acme Profiles".to_string()]).unwrap();
    let (cert, key) = (team.cert.pem(), team.signing_key.serialize_pem());
    let signing = [(CERT_ENV, cert.as_str()), (KEY_ENV, key.as_str())];
    let (code, text) = check_deployed_profile("application/x-apple-aspen-config", &signing);
    assert_eq!(code, Some(0), "a signed profile: {text}");
    let (code, text) = check_deployed_profile("application/octet-stream", &signing);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("devices/enroll.mobileconfig: is served as application/octet-stream: Safari installs a profile only when it is served as application/x-apple-aspen-config"),
        "{text}"
    );
}

// ---------------------------------------------------------------------------------------
// Signing the enrollment profile

const CERT_ENV: &str = "OTASITE_PROFILE_SIGNING_CERT";
const KEY_ENV: &str = "OTASITE_PROFILE_SIGNING_KEY";

/// A site with one ad hoc build and `devices:` set, not built yet.
fn registration_site(root: &Path) {
    IpaBuilder::new("com.example.beta", "Beta")
        .profile(Some(ProfileSpec::new(Kind::AdHoc).devices(&[MINE])))
        .write(&root.join("builds/Beta.ipa"));
    write_config(
        root,
        &config(
            "T",
            BASE_URL,
            &format!("devices:\n  endpoint: {ENDPOINT}\n"),
        ),
    );
}

/// `otasite build` with `env`; returns the exit code and both output streams.
fn build_with(root: &Path, env: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut run = support::run::Otasite::new(["build"]).dir(root);
    for (name, value) in env {
        run = run.env(name, value);
    }
    let output = run.output();
    let text = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.code(), text)
}

/// The base64 lines of a PEM's body: what must never appear in otasite's output.
fn pem_body_lines(pem: &str) -> Vec<&str> {
    pem.lines()
        .filter(|l| !l.starts_with("-----") && l.len() > 16)
        .collect()
}

#[test]
fn a_signed_profile_passes_check_and_an_edited_one_does_not() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    registration_site(root);
    let team = rcgen::generate_simple_self_signed(vec!["Acme Profiles".to_string()]).unwrap();
    let (cert, key) = (team.cert.pem(), team.signing_key.serialize_pem());
    let (code, text) = build_with(root, &[(CERT_ENV, &cert), (KEY_ENV, &key)]);
    assert_eq!(code, Some(0), "{text}");
    for line in pem_body_lines(&key) {
        assert!(!text.contains(line), "the build printed the key: {text}");
    }
    let profile_path = root.join("dist/devices/enroll.mobileconfig");
    let profile = std::fs::read(&profile_path).unwrap();
    let published = otasite::devices::published::read(&profile).unwrap();
    assert_eq!(published.endpoint, ENDPOINT);
    assert!(published.signer.is_some(), "not signed");
    let register = std::fs::read_to_string(root.join("dist/devices/index.html")).unwrap();
    assert!(register.contains("<strong>Verified</strong>"), "{register}");
    assert!(!register.contains("Unverified"), "{register}");
    assert_ok(&otasite(&["check"], root));

    // Edited after signing: the content no longer matches the signed digest.
    let at = profile
        .windows(b"Profile Service".len())
        .position(|w| w == b"Profile Service")
        .expect("the plist inside");
    let mut edited = profile.clone();
    edited[at + 8] = b'Z';
    std::fs::write(&profile_path, &edited).unwrap();
    let output = otasite(&["check"], root);
    let text = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("devices/enroll.mobileconfig: was changed after it was signed"),
        "{text}"
    );
}

#[test]
fn a_wrong_signing_setup_fails_the_build_with_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    registration_site(root);
    let team = rcgen::generate_simple_self_signed(vec!["Acme Profiles".to_string()]).unwrap();
    let stranger = rcgen::generate_simple_self_signed(vec!["Someone".to_string()]).unwrap();
    let (cert, key) = (team.cert.pem(), team.signing_key.serialize_pem());
    let other_key = stranger.signing_key.serialize_pem();
    let encrypted = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----\n";
    // A secret pasted without its PEM lines: neither PEM nor a file, and never echoed.
    let pasted = "c2VjcmV0LWtleS1tYXRlcmlhbC10aGF0LW11c3Qtbm90LWxlYWs";
    let cases: [(&[(&str, &str)], &str); 5] = [
        (
            &[(CERT_ENV, &cert)],
            "OTASITE_PROFILE_SIGNING_CERT is set but OTASITE_PROFILE_SIGNING_KEY is not",
        ),
        (
            &[(KEY_ENV, &key)],
            "OTASITE_PROFILE_SIGNING_KEY is set but OTASITE_PROFILE_SIGNING_CERT is not",
        ),
        (
            &[(CERT_ENV, &cert), (KEY_ENV, &other_key)],
            "OTASITE_PROFILE_SIGNING_KEY: this key does not belong to any certificate of OTASITE_PROFILE_SIGNING_CERT",
        ),
        (
            &[(CERT_ENV, &cert), (KEY_ENV, encrypted)],
            "OTASITE_PROFILE_SIGNING_KEY: the key is encrypted",
        ),
        (
            &[(CERT_ENV, &cert), (KEY_ENV, pasted)],
            "OTASITE_PROFILE_SIGNING_KEY: neither PEM text",
        ),
    ];
    for (env, wanted) in cases {
        let (code, text) = build_with(root, env);
        assert_eq!(code, Some(1), "{wanted}: {text}");
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| l.contains("OTASITE_PROFILE"))
            .collect();
        assert_eq!(lines.len(), 1, "one line naming the variable: {text}");
        assert!(lines[0].contains(wanted), "{wanted:?} in {text}");
        assert!(lines[0].contains("devices/enroll.mobileconfig"), "{text}");
        for secret in pem_body_lines(&key)
            .into_iter()
            .chain(pem_body_lines(&other_key))
            .chain([pasted])
        {
            assert!(!text.contains(secret), "the build printed a secret: {text}");
        }
    }
}

/// Makes a signing identity with openssl in `dir`: `rsa` (PKCS #8 key, given as a file path,
/// the certificate after an unrelated one) or `p256` (SEC1 key, given as PEM text).
fn openssl_identity(dir: &Path, kind: &str) -> Vec<(&'static str, String)> {
    require("openssl", "version");
    let run = |args: &[&str]| {
        let output = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl");
        assert!(
            output.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    let req = |newkey: &[&str], key: &str, cert: &str, subject: &str| {
        let mut args = vec!["req", "-x509", "-nodes", "-newkey"];
        args.extend_from_slice(newkey);
        args.extend_from_slice(&[
            "-keyout", key, "-out", cert, "-days", "30", "-subj", subject,
        ]);
        run(&args);
    };
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    match kind {
        "rsa" => {
            req(
                &["rsa:2048"],
                "team.key",
                "team.pem",
                "/CN=Acme Profiles RSA/O=Acme",
            );
            req(&["rsa:2048"], "ca.key", "ca.pem", "/CN=Acme Intermediate");
            let chain = read("ca.pem") + &read("team.pem");
            let key = dir.join("team.key").display().to_string();
            vec![(CERT_ENV, chain), (KEY_ENV, key)]
        }
        _ => {
            req(
                &["ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
                "team-ec.pkcs8",
                "team-ec.pem",
                "/CN=Acme Profiles P-256/O=Acme",
            );
            run(&["ec", "-in", "team-ec.pkcs8", "-out", "team-ec.key"]);
            let key = read("team-ec.key");
            assert!(key.starts_with("-----BEGIN EC PRIVATE KEY-----"), "{key}");
            vec![(CERT_ENV, read("team-ec.pem")), (KEY_ENV, key)]
        }
    }
}

#[test]
#[ignore = "needs OpenSSL (the signed profile is verified with openssl cms)"]
fn openssl_verifies_the_signed_profile_and_its_content_is_the_profile() {
    for kind in ["rsa", "p256"] {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        registration_site(root);
        let (code, text) = build_with(root, &[]);
        assert_eq!(code, Some(0), "{text}");
        let unsigned = std::fs::read(root.join("dist/devices/enroll.mobileconfig")).unwrap();
        let identity = openssl_identity(root, kind);
        let env: Vec<(&str, &str)> = identity.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (code, text) = build_with(root, &env);
        assert_eq!(code, Some(0), "{kind}: {text}");
        let key = std::fs::read_to_string(root.join(if kind == "rsa" {
            "team.key"
        } else {
            "team-ec.key"
        }))
        .unwrap();
        for line in pem_body_lines(&key) {
            assert!(
                !text.contains(line),
                "{kind}: the build printed the key: {text}"
            );
        }
        let profile = root.join("dist/devices/enroll.mobileconfig");
        let verified = root.join("verified.plist");
        let output = Command::new("openssl")
            .args([
                "cms",
                "-verify",
                "-noverify",
                "-binary",
                "-inform",
                "DER",
                "-in",
            ])
            .arg(&profile)
            .arg("-out")
            .arg(&verified)
            .output()
            .expect("openssl");
        assert!(
            output.status.success(),
            "{kind}: openssl cms -verify: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(String::from_utf8_lossy(&output.stderr).contains("Verification successful"));
        assert_eq!(
            std::fs::read(&verified).unwrap(),
            unsigned,
            "{kind}: the content is the profile"
        );
        let printed = Command::new("openssl")
            .args(["cms", "-cmsout", "-print", "-inform", "DER", "-in"])
            .arg(&profile)
            .output()
            .expect("openssl");
        let printed = String::from_utf8_lossy(&printed.stdout);
        for attribute in ["contentType", "messageDigest", "signingTime"] {
            assert!(
                printed.contains(&format!("object: {attribute}")),
                "{kind}: {attribute} in {printed}"
            );
        }
        let subject = if kind == "rsa" {
            "Acme Profiles RSA"
        } else {
            "Acme Profiles P-256"
        };
        assert!(
            printed.contains(subject),
            "{kind}: the signer's certificate in {printed}"
        );
        if kind == "rsa" {
            assert!(
                printed.contains("Acme Intermediate"),
                "the rest of the chain in {printed}"
            );
        }
        // Flipping one byte of the content breaks the signature for openssl too.
        let mut bytes = std::fs::read(&profile).unwrap();
        let at = bytes
            .windows(15)
            .position(|w| w == b"Profile Service")
            .unwrap();
        bytes[at] ^= 0x20;
        std::fs::write(root.join("edited.mobileconfig"), &bytes).unwrap();
        let output = Command::new("openssl")
            .args([
                "cms",
                "-verify",
                "-noverify",
                "-binary",
                "-inform",
                "DER",
                "-in",
                "edited.mobileconfig",
                "-out",
                "/dev/null",
            ])
            .current_dir(root)
            .output()
            .expect("openssl");
        assert!(
            !output.status.success(),
            "{kind}: an edited profile verified"
        );
        let register = std::fs::read_to_string(root.join("dist/devices/index.html")).unwrap();
        assert!(register.contains("<strong>Verified</strong>") && !register.contains("Unverified"));
        assert_ok(&otasite(&["check"], root));
    }
}

// ---------------------------------------------------------------------------------------
// The Cloudflare Worker in workerd, the Workers runtime (npm package `workerd`)

const WORKERD: &str = "needs workerd (npm ci installs it from package.json) and OpenSSL (the device's answer is signed with openssl)";

/// `node_modules/.bin/workerd`, or the binary `OTASITE_WORKERD` names.
fn workerd_binary() -> PathBuf {
    let binary = std::env::var_os("OTASITE_WORKERD").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/.bin/workerd"),
        PathBuf::from,
    );
    let runs = Command::new(&binary)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(runs, "{} does not run: {WORKERD}", binary.display());
    binary
}

/// workerd serving the Worker of `site` on a port of its choosing; killed when dropped.
struct Workerd {
    child: std::process::Child,
    port: u16,
}

impl Workerd {
    fn start(site: &Path) -> Workerd {
        use std::io::BufRead;
        let wrangler = std::fs::read_to_string(site.join("udid/wrangler.toml")).unwrap();
        let date = wrangler
            .lines()
            .find_map(|l| l.strip_prefix("compatibility_date = "))
            .expect("wrangler.toml's compatibility_date")
            .trim_matches('"')
            .to_string();
        // The same module and compatibility date `wrangler deploy` would upload.
        let config = format!(
            r#"using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "udid", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "udid") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "udid/worker.js") ],
  compatibilityDate = "{date}",
);
"#
        );
        std::fs::write(site.join("workerd.capnp"), config).unwrap();
        // --control-fd=1: workerd reports the port it listens on as JSON on stdout.
        let mut child = Command::new(workerd_binary())
            .args(["serve", "workerd.capnp", "--control-fd=1"])
            .current_dir(site)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start workerd");
        let stdout = child.stdout.take().unwrap();
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = std::io::BufReader::new(stdout).read_line(&mut line);
            let _ = send.send(line);
        });
        let line = receive
            .recv_timeout(std::time::Duration::from_secs(60))
            .unwrap_or_default();
        let event: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
        let Some(port) = event["port"].as_u64() else {
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            panic!(
                "workerd did not start listening ({line:?}): {}",
                String::from_utf8_lossy(&output.stderr)
            );
        };
        Workerd {
            child,
            port: port as u16,
        }
    }

    /// Sends one HTTP/1.1 request; `body` goes chunked (no declared length) when `chunked`.
    /// Returns the status, the Location header and the body.
    fn send(
        &self,
        method: &str,
        content_type: &str,
        body: &[u8],
        chunked: bool,
    ) -> (u16, Option<String>, String) {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .unwrap();
        let framing = if chunked {
            "Transfer-Encoding: chunked".to_string()
        } else {
            format!("Content-Length: {}", body.len())
        };
        let head = format!(
            "{method} /udid HTTP/1.1\r\nHost: udid.example.test\r\nContent-Type: {content_type}\r\n{framing}\r\nConnection: close\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).unwrap();
        if chunked {
            for chunk in body.chunks(8192) {
                // The Worker may answer 413 and close before reading everything.
                if write!(stream, "{:x}\r\n", chunk.len()).is_err()
                    || stream.write_all(chunk).is_err()
                    || stream.write_all(b"\r\n").is_err()
                {
                    break;
                }
            }
            let _ = stream.write_all(b"0\r\n\r\n");
        } else {
            let _ = stream.write_all(body);
        }
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        let answer = String::from_utf8_lossy(&answer).to_string();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("not an HTTP answer: {answer:?}"));
        let location = head.lines().find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("location")
                .then(|| value.trim().to_string())
        });
        (status, location, body.to_string())
    }
}

impl Drop for Workerd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
#[ignore = "needs workerd (npm ci installs it from package.json) and OpenSSL (the device's answer is signed with openssl)"]
fn the_worker_redirects_a_signed_answer_in_workerd_and_refuses_anything_else() {
    let _ = workerd_binary();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let site = dir.join("site");
    write_config(&site, &config("T", BASE_URL, ""));
    assert_ok(&otasite(&["init", "--udid", "cloudflare"], &site));
    let workerd = Workerd::start(&site);

    let good = signed_answer(dir, &answer_plist(&MINE.to_lowercase(), Some("iPhone16,1")));
    let no_product = signed_answer(dir, &answer_plist(MINE, None));
    let bad_udid = signed_answer(dir, &answer_plist("not-a-udid", Some("iPhone16,1")));
    let mut smuggled = no_product.clone();
    smuggled.extend_from_slice(b"<key>PRODUCT</key><string>iPhone16,1</string>");
    let oversized = [good.clone(), vec![b' '; 64 * 1024]].concat();
    let signed = "application/pkcs7-signature";

    let (status, location, body) = workerd.send("POST", signed, &good, false);
    assert_eq!(status, 301, "{body}");
    assert_eq!(
        location.as_deref(),
        Some(
            format!("{BASE_URL}devices/registered/#udid={MINE}&product=iPhone16%2C1&version=21F90")
                .as_str()
        )
    );
    // The same answer without a declared length, as a stream.
    let (status, location, body) = workerd.send("POST", signed, &good, true);
    assert_eq!((status, location.is_some()), (301, true), "{body}");

    /// Method, type, body, sent chunked, the status wanted and what its text says.
    type Refused<'a> = (&'a str, &'a str, &'a [u8], bool, u16, &'a str);
    let refused: [Refused; 8] = [
        (
            "POST",
            signed,
            &no_product,
            false,
            400,
            "missing attributes: PRODUCT",
        ),
        (
            "POST",
            signed,
            &bad_udid,
            false,
            400,
            "UDID is not in the expected format",
        ),
        (
            "POST",
            signed,
            &smuggled,
            false,
            400,
            "missing attributes: PRODUCT",
        ),
        ("POST", signed, &oversized, false, 413, "65536 bytes"),
        ("POST", signed, &oversized, true, 413, "65536 bytes"),
        ("POST", "text/plain", &good, false, 415, ""),
        (
            "POST",
            signed,
            b"no property list here",
            false,
            400,
            "no XML property list",
        ),
        ("GET", signed, b"", false, 405, ""),
    ];
    for (method, content_type, body, chunked, wanted, says) in refused {
        let (status, location, text) = workerd.send(method, content_type, body, chunked);
        assert_eq!(
            (status, location),
            (wanted, None),
            "{method} {content_type} ({} bytes, chunked: {chunked}): {text}",
            body.len()
        );
        assert!(text.contains(says), "{wanted}: {says:?} in {text:?}");
    }
}
