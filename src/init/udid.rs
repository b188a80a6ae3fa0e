//! `otasite init --udid HOST`: the endpoint that collects testers' device identifiers, in
//! the host's own language with nothing beyond the platform, and the `devices:` settings of
//! site.yaml. The endpoint receives the device's signed answer to the registration profile,
//! reads the UDID, model and iOS version from it, optionally forwards them to a webhook, and
//! redirects the device to the site's result page with them in the URL fragment.

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{StarterFile, Written, write_new};

/// Where the endpoint runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UdidHost {
    Cloudflare,
    Netlify,
    Lambda,
}

/// The environment variable the generated endpoint reads a webhook URL from.
pub const WEBHOOK_ENV: &str = "OTASITE_DEVICES_WEBHOOK";

const CORE: &str = include_str!("udid/core.js");
const CLOUDFLARE: &str = include_str!("udid/cloudflare.js");
const NETLIFY: &str = include_str!("udid/netlify.mjs");
const LAMBDA: &str = include_str!("udid/lambda.mjs");

/// The address placeholder written when site.yaml has no `base_url` yet.
const PLACEHOLDER_SITE: &str = "https://example.com/";

impl UdidHost {
    fn name(self) -> &'static str {
        match self {
            UdidHost::Cloudflare => "Cloudflare Workers",
            UdidHost::Netlify => "Netlify Functions",
            UdidHost::Lambda => "AWS Lambda",
        }
    }

    /// The endpoint's source file, relative to the site's folder.
    pub fn source_path(self) -> &'static str {
        match self {
            UdidHost::Cloudflare => "udid/worker.js",
            UdidHost::Netlify => "netlify/functions/udid.mjs",
            UdidHost::Lambda => "udid/lambda/index.mjs",
        }
    }

    /// The endpoint's address as a placeholder, for `devices.endpoint`.
    fn endpoint_example(self) -> &'static str {
        match self {
            UdidHost::Cloudflare => "https://otasite-udid.YOUR-ACCOUNT.workers.dev/",
            UdidHost::Netlify => "https://YOUR-SITE.netlify.app/udid",
            UdidHost::Lambda => "https://YOUR-FUNCTION-URL.lambda-url.YOUR-REGION.on.aws/",
        }
    }

    fn deploy_steps(self) -> &'static [&'static str] {
        match self {
            UdidHost::Cloudflare => &[
                "cd udid && npx wrangler deploy (wrangler.toml names the Worker otasite-udid)",
                "Optional: npx wrangler secret put OTASITE_DEVICES_WEBHOOK (a chat or HTTP webhook)",
            ],
            UdidHost::Netlify => &[
                "Deploy the site's repository to Netlify: netlify/functions/udid.mjs is served at /udid",
                "Optional: set OTASITE_DEVICES_WEBHOOK in the Netlify site's environment variables",
            ],
            UdidHost::Lambda => &[
                "Create a Node.js 20 (or later) Lambda function from udid/lambda/index.mjs (handler: index.handler) with a function URL (auth: NONE), or behind an API Gateway route POST /udid",
                "Optional: set OTASITE_DEVICES_WEBHOOK in the function's environment variables",
            ],
        }
    }
}

/// The endpoint's source for `host`, redirecting devices to `result_page`.
pub fn endpoint_source(host: UdidHost, result_page: &str, webhook_env: &str) -> String {
    let settings = format!(
        "// Written by otasite init --udid. The site's result page, and the environment variable\n\
         // holding the webhook registrations are forwarded to (unset: nothing is forwarded).\n\
         const RESULT_PAGE = {};\nconst WEBHOOK_ENV = {};\n\n",
        serde_json::Value::from(result_page),
        serde_json::Value::from(webhook_env)
    );
    let template = match host {
        UdidHost::Cloudflare => CLOUDFLARE,
        UdidHost::Netlify => NETLIFY,
        UdidHost::Lambda => LAMBDA,
    };
    template
        .replace("__WEBHOOK_NAME__", webhook_env)
        .replace("__CORE__", &format!("{settings}{CORE}"))
}

/// The `devices:` block of site.yaml.
pub fn settings_block(host: UdidHost) -> String {
    format!(
        "\n# Device registration (otasite init --udid): the endpoint's https:// address once it\n\
         # is deployed; `email` receives the result page's \"Send to the team\" mails;\n\
         # `webhook_env` names the endpoint's variable holding the webhook it forwards to.\n\
         devices:\n  endpoint: {}\n  # email: qa@example.com\n  webhook_env: {WEBHOOK_ENV}\n",
        host.endpoint_example()
    )
}

/// The files of the endpoint; `base_url` is the site's address.
pub fn files(host: UdidHost, base_url: &str) -> Vec<StarterFile> {
    let result_page = format!(
        "{base_url}{}/{}/",
        crate::devices::enroll::FOLDER,
        crate::devices::enroll::REGISTERED
    );
    let mut files = vec![StarterFile {
        path: host.source_path().into(),
        contents: endpoint_source(host, &result_page, WEBHOOK_ENV),
        executable: false,
    }];
    if host == UdidHost::Cloudflare {
        files.push(StarterFile {
            path: "udid/wrangler.toml".into(),
            contents: "# The device registration endpoint of the otasite site.\nname = \"otasite-udid\"\nmain = \"worker.js\"\ncompatibility_date = \"2025-01-01\"\n".into(),
            executable: false,
        });
    }
    files
}

/// Writes the endpoint into `dir` and adds the `devices:` block to its site.yaml (when it has
/// none); returns the report to print.
pub fn run(dir: &Path, host: UdidHost) -> anyhow::Result<String> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the folder {}", dir.display()))?;
    let config: PathBuf = dir.join("site.yaml");
    let text = std::fs::read_to_string(&config).ok();
    let base_url = text
        .as_deref()
        .and_then(|t| crate::config::parse(&config, t).ok())
        .and_then(|raw| raw.base_url.map(|u| u.value))
        .and_then(|u| crate::config::https_url(&u).ok());
    let mut out = format!(
        "Writing the device registration endpoint for {} in {}:\n",
        host.name(),
        dir.display()
    );
    for file in files(host, base_url.as_deref().unwrap_or(PLACEHOLDER_SITE)) {
        out += &match write_new(dir, &file)? {
            Written::Wrote => format!("  wrote {}\n", file.path),
            Written::Kept => format!("  kept  {} (it exists; left unchanged)\n", file.path),
        };
    }
    let has_devices = text
        .as_deref()
        .is_some_and(|t| t.lines().any(|l| l.starts_with("devices:")));
    let block = settings_block(host);
    match &text {
        Some(_) if has_devices => {
            out += "  kept  site.yaml (it has `devices:` already)\n";
        }
        Some(existing) => {
            let mut updated = existing.clone();
            if !updated.ends_with('\n') {
                updated.push('\n');
            }
            updated.push_str(&block);
            std::fs::write(&config, updated)
                .with_context(|| format!("cannot write {}", config.display()))?;
            out += "  added `devices:` to site.yaml\n";
        }
        None => {
            out +=
                &format!("\nNo site.yaml here: add these lines to the site's site.yaml:\n{block}");
        }
    }
    if base_url.is_none() {
        out += &format!(
            "\nsite.yaml has no base_url: the endpoint redirects to {PLACEHOLDER_SITE}; set base_url and run this again in an empty folder, or edit RESULT_PAGE in {}.\n",
            host.source_path()
        );
    }
    out += "\nNext steps:\n";
    let mut steps: Vec<String> = host.deploy_steps().iter().map(|s| s.to_string()).collect();
    steps.push("Set devices.endpoint in site.yaml to the endpoint's https:// address.".into());
    steps.push(
        "Run `otasite build`: the site gets devices/ (the registration page and profile). Details: docs/devices.md."
            .into(),
    );
    for (number, step) in steps.iter().enumerate() {
        out += &format!("  {}. {step}\n", number + 1);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_host_gets_one_self_contained_source() {
        for host in [UdidHost::Cloudflare, UdidHost::Netlify, UdidHost::Lambda] {
            let source = endpoint_source(
                host,
                "https://b.example.test/devices/registered/",
                WEBHOOK_ENV,
            );
            assert!(!source.contains("__"), "{host:?}: a placeholder is left");
            assert!(
                source.contains(
                    "const RESULT_PAGE = \"https://b.example.test/devices/registered/\";"
                )
            );
            assert!(
                !source.contains("require(") && !source.contains("import "),
                "{host:?}: no dependency"
            );
        }
        let block = settings_block(UdidHost::Netlify);
        let text = format!("base_url: https://b.example.test/\n{block}");
        let raw = crate::config::parse(Path::new("site.yaml"), &text).expect("the block parses");
        assert!(raw.devices.is_some());
    }
}
