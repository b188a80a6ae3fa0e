//! `otasite notify`: the builds new since a previous catalog, posted to each configured webhook
//! in that service's documented shape, against a local HTTPS server that records what it was
//! sent; retries on 429 (after `Retry-After`) and 5xx; the webhook URLs never printed.

mod support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::https::{Reply, Server, TestCa};
use support::ipa::IpaBuilder;
use support::run::{Otasite, assert_ok, otasite};
use support::site;

/// The secret part of every webhook URL: it must never be printed.
const SECRET: &str = "s3cr3t-T0KEN";

fn app(version: &str, build: &str, hour: i64) -> IpaBuilder {
    IpaBuilder::new("com.example.notify", "Notify")
        .version(version, build)
        .modified(1_714_564_800 + hour * 3600)
}

/// A site built with the first build (the previous catalog), then with the second as well.
/// Returns the built site's folder and the previous catalog.
fn sites(root: &Path) -> (PathBuf, PathBuf) {
    site::write_config(root, &site::config("T", site::BASE_URL, ""));
    app("1.0", "1", 0).write(&root.join("builds/beta/a.ipa"));
    assert_ok(&otasite(&["build", "-q"], root));
    let previous = root.join("previous-catalog.json");
    std::fs::copy(root.join("dist/catalog.json"), &previous).expect("copy");
    app("1.1", "2", 1)
        .set("MinimumOSVersion", "17.0")
        .write(&root.join("builds/beta/b.ipa"));
    assert_ok(&otasite(&["build", "-q"], root));
    (root.join("dist"), previous)
}

/// One request the server received.
#[derive(Debug, Clone)]
struct Request {
    method: String,
    path: String,
    body: Value,
    at: Instant,
}

/// A webhook receiver: answers each path with its script of statuses (the last repeats),
/// recording every request.
struct Receiver {
    _server: Server,
    port: u16,
    ca_file: PathBuf,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl Receiver {
    fn start(dir: &Path, scripts: &[(&'static str, Vec<Reply>)]) -> Receiver {
        let ca = TestCa::new("otasite notify CA");
        let ca_file = dir.join("ca.pem");
        std::fs::write(&ca_file, &ca.pem).expect("write CA");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let scripts: Arc<Mutex<HashMap<&'static str, Vec<Reply>>>> =
            Arc::new(Mutex::new(scripts.iter().cloned().collect()));
        let (listener, port) = Server::bind();
        let recorded = requests.clone();
        let handler = move |method: &str, target: &str, body: &[u8]| -> Reply {
            let path = target.split('/').nth(1).unwrap_or_default().to_string();
            recorded.lock().unwrap().push(Request {
                method: method.to_string(),
                path: path.clone(),
                body: serde_json::from_slice(body).unwrap_or(Value::Null),
                at: Instant::now(),
            });
            let mut scripts = scripts.lock().unwrap();
            let script = scripts.get_mut(path.as_str()).expect("a scripted path");
            if script.len() > 1 {
                script.remove(0)
            } else {
                script[0].clone()
            }
        };
        let server = Server::start_with_body(
            listener,
            ca.server_config(&["127.0.0.1"]),
            Arc::new(handler),
        );
        Receiver {
            _server: server,
            port,
            ca_file,
            requests,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}/{path}/{SECRET}", self.port)
    }

    fn notify(&self, site: &Path, previous: &Path, hooks: &[(&str, &str)]) -> std::process::Output {
        let mut run = Otasite::new(["notify", "--previous"])
            .args([previous, site])
            .env("OTASITE_EXTRA_CA_CERT", &self.ca_file);
        for (variable, path) in hooks {
            run = run.env(variable, self.url(path));
        }
        run.output()
    }

    fn requests(&self, path: &str) -> Vec<Request> {
        let all = self.requests.lock().unwrap();
        all.iter().filter(|r| r.path == path).cloned().collect()
    }
}

fn ok(status: &'static str) -> Reply {
    (status, vec![("Content-Length", "0".into())], Vec::new())
}

fn assert_no_secret(output: &std::process::Output) {
    for stream in [&output.stdout, &output.stderr] {
        let text = String::from_utf8_lossy(stream);
        assert!(!text.contains(SECRET), "a webhook URL was printed: {text}");
    }
}

fn built(site: &Path) -> Value {
    let text = std::fs::read_to_string(site.join("catalog.json")).expect("catalog");
    let catalog: Value = serde_json::from_str(&text).expect("JSON");
    catalog["apps"][0]["builds"][0].clone()
}

#[test]
fn each_service_gets_its_documented_shape() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (site, previous) = sites(tmp.path());
    let receiver = Receiver::start(
        tmp.path(),
        &[
            ("slack", vec![ok("200 OK")]),
            ("teams", vec![ok("202 Accepted")]),
            ("discord", vec![ok("204 No Content")]),
            ("hook", vec![ok("200 OK")]),
        ],
    );
    let output = receiver.notify(
        &site,
        &previous,
        &[
            ("OTASITE_SLACK_WEBHOOK", "slack"),
            ("OTASITE_TEAMS_WEBHOOK", "teams"),
            ("OTASITE_DISCORD_WEBHOOK", "discord"),
            ("OTASITE_WEBHOOK_URL", "hook"),
        ],
    );
    assert_ok(&output);
    assert_no_secret(&output);
    let build = built(&site);
    let (page, icon) = (&build["page_url"], &build["icon_url"]);
    let change = "Minimum iOS: 15.0 → 17.0";

    let slack = receiver.requests("slack");
    assert_eq!(slack.len(), 1, "one message: only the new build");
    assert_eq!(slack[0].method, "POST");
    let body = &slack[0].body;
    assert_eq!(body["text"], "New build: Notify 1.1 (2) (beta)");
    let section = &body["blocks"][0];
    assert_eq!(section["type"], "section");
    assert_eq!(section["text"]["type"], "mrkdwn");
    let text = section["text"]["text"].as_str().expect("text");
    assert!(text.starts_with(&format!(
        "*<{}|Notify 1.1 (2)>* · beta",
        page.as_str().unwrap()
    )));
    assert!(text.contains(&format!("• {change}")), "{text}");
    assert_eq!(section["accessory"]["type"], "image");
    assert_eq!(&section["accessory"]["image_url"], icon);
    assert_eq!(body["blocks"][1]["type"], "actions");
    assert_eq!(body["blocks"][1]["elements"][0]["type"], "button");
    assert_eq!(&body["blocks"][1]["elements"][0]["url"], page);

    let teams = receiver.requests("teams");
    assert_eq!(teams.len(), 1);
    let body = &teams[0].body;
    assert_eq!(body["type"], "message");
    let attachment = &body["attachments"][0];
    assert_eq!(
        attachment["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    let card = &attachment["content"];
    assert_eq!(card["type"], "AdaptiveCard");
    assert_eq!(
        card["$schema"],
        "http://adaptivecards.io/schemas/adaptive-card.json"
    );
    assert!(card["version"].as_str().is_some());
    let card_text = card["body"].to_string();
    assert!(card_text.contains(change) && card_text.contains(icon.as_str().unwrap()));
    assert!(
        card_text.contains(r#""title":"Channel","value":"beta""#),
        "{card_text}"
    );
    assert_eq!(card["actions"][0]["type"], "Action.OpenUrl");
    assert_eq!(&card["actions"][0]["url"], page);

    let discord = receiver.requests("discord");
    assert_eq!(discord.len(), 1);
    let embed = &discord[0].body["embeds"][0];
    assert_eq!(embed["title"], "Notify 1.1 (2)");
    assert_eq!(&embed["url"], page);
    assert_eq!(&embed["thumbnail"]["url"], icon);
    let description = embed["description"].as_str().expect("description");
    assert!(description.contains("Channel: beta") && description.contains(change));

    let hook = receiver.requests("hook");
    assert_eq!(hook.len(), 1);
    let body = &hook[0].body;
    assert_eq!(body["event"], "build.published");
    assert_eq!(body["app"]["name"], "Notify");
    assert_eq!(body["app"]["bundle_id"], "com.example.notify");
    assert_eq!(body["build"]["version"], "1.1 (2)");
    assert_eq!(body["build"]["channel"], "beta");
    assert_eq!(&body["build"]["page_url"], page);
    assert_eq!(&body["build"]["install_url"], &build["install_url"]);
    assert_eq!(&body["build"]["icon_url"], icon);
    assert!(
        body["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == change)
    );
}

#[test]
fn retries_after_429_as_retry_after_asks_and_after_5xx() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (site, previous) = sites(tmp.path());
    let too_many = (
        "429 Too Many Requests",
        vec![("Retry-After", "2".into()), ("Content-Length", "0".into())],
        Vec::new(),
    );
    let receiver = Receiver::start(
        tmp.path(),
        &[
            ("slack", vec![too_many, ok("200 OK")]),
            ("hook", vec![ok("503 Service Unavailable"), ok("200 OK")]),
        ],
    );
    let output = receiver.notify(
        &site,
        &previous,
        &[
            ("OTASITE_SLACK_WEBHOOK", "slack"),
            ("OTASITE_WEBHOOK_URL", "hook"),
        ],
    );
    assert_ok(&output);
    assert_no_secret(&output);
    let slack = receiver.requests("slack");
    assert_eq!(slack.len(), 2, "retried once");
    let waited = slack[1].at - slack[0].at;
    assert!(
        waited >= Duration::from_millis(1900),
        "waited {waited:?}, Retry-After said 2 s"
    );
    assert_eq!(slack[0].body, slack[1].body, "the same message again");
    assert_eq!(receiver.requests("hook").len(), 2, "a 503 is retried");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("Slack (OTASITE_SLACK_WEBHOOK): the service answered 429"),
        "{stderr}"
    );
}

#[test]
fn a_refused_webhook_fails_naming_its_variable_not_its_url() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (site, previous) = sites(tmp.path());
    let receiver = Receiver::start(tmp.path(), &[("discord", vec![ok("404 Not Found")])]);
    let output = receiver.notify(&site, &previous, &[("OTASITE_DISCORD_WEBHOOK", "discord")]);
    assert_eq!(output.status.code(), Some(1));
    assert_no_secret(&output);
    assert_eq!(
        receiver.requests("discord").len(),
        1,
        "a 404 is not retried"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("404 Not Found; check the webhook URL in OTASITE_DISCORD_WEBHOOK"),
        "{stderr}"
    );
}

#[test]
fn dry_run_prints_payloads_and_posts_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (site, previous) = sites(tmp.path());
    let receiver = Receiver::start(tmp.path(), &[("slack", vec![ok("200 OK")])]);
    let output = Otasite::new(["notify", "--previous"])
        .args([previous.as_os_str(), site.as_os_str(), "--dry-run".as_ref()])
        .env("OTASITE_SLACK_WEBHOOK", receiver.url("slack"))
        .output();
    assert_ok(&output);
    assert_no_secret(&output);
    assert!(receiver.requests("slack").is_empty());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with("# Slack (OTASITE_SLACK_WEBHOOK): Notify 1.1 (2)\n"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("# Discord"),
        "only the configured webhooks: {stdout}"
    );
    let json = stdout.split_once('\n').expect("a header line").1;
    let payload: Value = serde_json::from_str(json).expect("the payload is JSON");
    assert_eq!(payload["blocks"][0]["type"], "section");

    let every = Otasite::new(["notify", "--dry-run", "--previous"])
        .args([previous.as_os_str(), site.as_os_str()])
        .output();
    assert_ok(&every);
    let stdout = String::from_utf8_lossy(&every.stdout);
    for header in ["# Slack", "# Microsoft Teams", "# Discord", "# webhook"] {
        assert!(
            stdout.contains(header),
            "no webhook set: every service shown; {stdout}"
        );
    }
}

#[test]
fn nothing_new_posts_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (site, _) = sites(tmp.path());
    let receiver = Receiver::start(tmp.path(), &[("slack", vec![ok("200 OK")])]);
    let same = site.join("catalog.json");
    let output = receiver.notify(&site, &same, &[("OTASITE_SLACK_WEBHOOK", "slack")]);
    assert_ok(&output);
    assert!(receiver.requests("slack").is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no new build"));
}

#[test]
fn webhook_settings_are_checked_without_quoting_them() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (site, previous) = sites(tmp.path());
    let run = |env: Option<(&str, String)>| {
        let mut run = Otasite::new(["notify", "--previous"]).args([&previous, &site]);
        if let Some((key, value)) = env {
            run = run.env(key, value);
        }
        run.output()
    };
    let none = run(None);
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("no webhook is configured"));
    let plain = run(Some((
        "OTASITE_TEAMS_WEBHOOK",
        format!("http://example.test/{SECRET}"),
    )));
    assert_eq!(plain.status.code(), Some(2));
    assert_no_secret(&plain);
    let stderr = String::from_utf8_lossy(&plain.stderr);
    assert!(
        stderr.contains("OTASITE_TEAMS_WEBHOOK is set but is not an https:// URL"),
        "{stderr}"
    );
}

/// The generated workflows fetch the catalog deployed before, deploy, then call notify only
/// when a webhook secret is set (passing actionlint is tested in tests/init.rs).
#[test]
fn generated_workflows_notify_after_deploying() {
    for host in ["github-pages", "s3", "netlify"] {
        let tmp = tempfile::tempdir().expect("tmp");
        assert_ok(&otasite(&["init", "site", "--host", host], tmp.path()));
        let workflow =
            std::fs::read_to_string(tmp.path().join("site/.github/workflows/otasite.yml"))
                .expect("workflow");
        let fetch = workflow
            .find("-o previous-catalog.json")
            .expect("fetches the old catalog");
        let deploy = [
            "uses: actions/deploy-pages@",
            "run: bash scripts/deploy-s3.sh",
            "netlify-cli@",
        ]
        .iter()
        .find_map(|step| workflow.find(step))
        .expect("a deploy step");
        let notify = workflow
            .find("otasite notify --previous previous-catalog.json dist")
            .expect("calls notify");
        assert!(
            fetch < deploy && deploy < notify,
            "{host}: fetch, deploy, notify in order"
        );
        for variable in [
            "OTASITE_SLACK_WEBHOOK",
            "OTASITE_TEAMS_WEBHOOK",
            "OTASITE_DISCORD_WEBHOOK",
            "OTASITE_WEBHOOK_URL",
        ] {
            assert!(
                workflow.contains(&format!("{variable}: ${{{{ secrets.{variable} }}}}")),
                "{host}: {variable} from the repository's secrets"
            );
        }
        assert!(workflow.contains("No webhook secret is set"), "{host}");
    }
}

#[test]
fn an_unreachable_webhook_is_retried_and_never_quoted() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (site, previous) = sites(tmp.path());
    // A port nothing listens on any more.
    let port = Server::bind().1;
    let output = Otasite::new(["notify", "--previous"])
        .args([&previous, &site])
        .env(
            "OTASITE_SLACK_WEBHOOK",
            format!("https://127.0.0.1:{port}/{SECRET}"),
        )
        .output();
    assert_eq!(output.status.code(), Some(1));
    assert_no_secret(&output);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.matches("retrying in").count(), 4, "{stderr}");
    assert!(stderr.contains("gave up after 5 attempts"), "{stderr}");
}

#[test]
fn private_builds_are_never_announced() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path();
    let (site, previous) = sites(root);
    site::write_config(
        root,
        &site::config(
            "T",
            site::BASE_URL,
            "apps:\n  com.example.hidden:\n    private: true\n",
        ),
    );
    IpaBuilder::new("com.example.hidden", "Hidden Thing")
        .version("3.0", "30")
        .modified(1_714_564_800 + 7200)
        .write(&root.join("builds/beta/hidden.ipa"));
    app("1.2", "3", 3).write(&root.join("builds/beta/c.ipa"));
    let built = Otasite::new(["build", "-q"])
        .dir(root)
        .env(
            "OTASITE_SECRET",
            "a-secret-of-at-least-thirty-two-characters",
        )
        .env("OTASITE_PASSWORD", "pass phrase")
        .output();
    assert_ok(&built);
    let tokens: Vec<String> = std::fs::read_dir(&site)
        .expect("site")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.len() == 32 && n.bytes().all(|b| b.is_ascii_hexdigit()))
        .collect();
    assert_eq!(tokens.len(), 1, "the private app's folder: {tokens:?}");

    let output = Otasite::new(["notify", "--dry-run", "--previous"])
        .args([previous.as_os_str(), site.as_os_str()])
        .output();
    assert_ok(&output);
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(said.contains("Notify 1.2 (3)"), "the public build: {said}");
    for private in ["com.example.hidden", "Hidden Thing", tokens[0].as_str()] {
        assert!(!said.contains(private), "announces {private:?}: {said}");
    }
}
