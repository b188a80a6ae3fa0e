//! What the registration pages (`devices.html`, `devices-registered.html`) show beyond the
//! values every page has.

use serde::Serialize;

use super::Devices;

/// The theme data file mapping product codes (`iPhone16,1`) to marketing names.
pub const MODELS_DATA: &str = "device-models.json";

/// `devices/index.html`: how to register a device (with `devices:` in site.yaml). Its text is
/// in `partials/device-register.html`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct RegisterPage<'a> {
    /// The enrollment profile's file name, beside the page.
    pub profile: &'a str,
    /// The host the device sends its attributes to.
    pub endpoint_host: String,
    /// Whether the profile is signed (iOS then shows it as verified).
    pub signed: bool,
}

/// `devices/registered/index.html`: the device's attributes, read by `static/devices.js` from
/// the address the endpoint redirected to. Its text is in `partials/device-registered.html`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct RegisteredPage<'a> {
    /// Where "Send to the team" mails go; none lets the tester choose.
    pub email: Option<&'a str>,
    /// Whether the endpoint forwards each registration to the team by itself.
    pub forwarded: bool,
    /// `data/device-models.json`, compact and safe inside `<script>`.
    pub models_json: String,
}

impl<'a> RegisterPage<'a> {
    pub fn new(devices: &'a Devices, signed: bool) -> Self {
        RegisterPage {
            profile: super::enroll::PROFILE,
            endpoint_host: url::Url::parse(&devices.endpoint)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or_default(),
            signed,
        }
    }
}

impl<'a> RegisteredPage<'a> {
    /// `models`: the theme's data file, if any (`{"models": {"iPhone16,1": "iPhone 15 Pro"}}`).
    pub fn new(devices: &'a Devices, models: Option<&str>) -> Result<Self, String> {
        let models: serde_json::Value = match models {
            Some(text) => serde_json::from_str(text)
                .map_err(|e| format!("data/{MODELS_DATA}: not valid JSON: {e}"))?,
            None => serde_json::json!({}),
        };
        let models = models
            .get("models")
            .cloned()
            .unwrap_or_else(|| serde_json::json!({}));
        if !models.is_object() {
            return Err(format!(
                "data/{MODELS_DATA}: \"models\" must map product codes to names"
            ));
        }
        Ok(RegisteredPage {
            email: devices.email.as_deref(),
            forwarded: devices.webhook_env.is_some(),
            models_json: models.to_string().replace('<', "\\u003c"),
        })
    }
}
