//! User agents as iPhones, iPads, computers and Android phones send them (version numbers are
//! incidental), and the install link a build page gives, shared by the browser tests.

pub const IPHONE_SAFARI: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
pub const IPHONE_SAFARI_16_2: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 16_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.2 Mobile/15E148 Safari/604.1";
/// iPadOS Safari (and Safari on a Mac) since iPadOS 13: only touch tells them apart.
pub const MAC_SAFARI: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15";
pub const CHROME_IOS: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/125.0.6422.80 Mobile/15E148 Safari/604.1";
pub const WINDOWS_CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36";
pub const ANDROID_7_CHROME: &str = "Mozilla/5.0 (Linux; Android 7.0; SM-G930F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Mobile Safari/537.36";

/// An in-app browser (Slack) on this iOS version, as the OS token states it.
pub fn slack_on(os_token: &str) -> String {
    format!(
        "Mozilla/5.0 (iPhone; CPU iPhone OS {os_token} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Slack/24.05.10"
    )
}

/// The `itms-services://` link of the build page at `page` of a site at
/// `https://apps.example.test/`.
pub fn install_url(page: &str) -> String {
    format!(
        "itms-services://?action=download-manifest&url=https%3A%2F%2Fapps.example.test%2F{}manifest.plist",
        page.replace('/', "%2F")
    )
}
