//! Languages and link previews: the theme's catalogs agree with English, the templates show no
//! text outside the catalogs, `language` in `site.yaml` renders the pages in that language,
//! and every page kind carries Open Graph tags whose images exist with the stated size.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use otasite::render::i18n::{self, Catalog};
use serde_json::Value;
use support::apk::ApkBuilder;
use support::cgbi::{encode_cgbi, sample_icon};
use support::ipa::{IpaBuilder, Kind, ProfileSpec};
use support::run::{Otasite, assert_ok};
use support::site;

fn theme_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default")
}

fn catalog(language: &str) -> Catalog {
    let path = theme_dir().join(i18n::catalog_path(language));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    i18n::parse_catalog(&path.display().to_string(), &bytes).expect("a valid catalog")
}

/// Every text of a value: the string, or each plural form.
fn texts(value: &Value) -> Vec<&str> {
    match value {
        Value::String(text) => vec![text],
        Value::Object(forms) => forms.values().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

#[test]
fn the_theme_ships_every_promised_language_and_nothing_unlisted() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(theme_dir().join("i18n"))
        .expect("themes/default/i18n")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    let shipped: BTreeSet<String> = i18n::SHIPPED.iter().map(|l| format!("{l}.json")).collect();
    assert_eq!(on_disk, shipped);
    for wanted in [
        "en", "zh-Hans", "zh-Hant", "ja", "ko", "de", "fr", "es", "pt-BR", "ru", "ar",
    ] {
        assert!(i18n::SHIPPED.contains(&wanted), "{wanted} is not shipped");
    }
}

#[test]
fn every_catalog_has_exactly_the_keys_english_has() {
    let english = catalog(i18n::REFERENCE);
    for language in i18n::SHIPPED {
        let other = catalog(language);
        let missing: Vec<&String> = english.keys().filter(|k| !other.contains_key(*k)).collect();
        let extra: Vec<&String> = other.keys().filter(|k| !english.contains_key(*k)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "i18n/{language}.json: missing {missing:?}, not in English {extra:?}"
        );
    }
}

#[test]
fn translations_use_the_same_parameters_and_balanced_markup() {
    let english = catalog(i18n::REFERENCE);
    for language in i18n::SHIPPED {
        let other = catalog(language);
        for (key, value) in &other {
            if key.starts_with('_') {
                continue;
            }
            let wanted: BTreeSet<String> = texts(&english[key])
                .into_iter()
                .flat_map(i18n::params)
                .collect();
            for text in texts(value) {
                assert!(
                    !text.trim().is_empty(),
                    "i18n/{language}.json: {key} is empty"
                );
                // The date pattern names its own parts; everything else takes English's.
                if key != "format.date" {
                    assert_eq!(
                        i18n::params(text),
                        wanted,
                        "i18n/{language}.json: {key} uses other parameters than English: {text}"
                    );
                }
                assert!(
                    text.matches("**").count() % 2 == 0 && text.matches('`').count() % 2 == 0,
                    "i18n/{language}.json: {key} has unbalanced ** or `: {text}"
                );
                let links = (text.matches('[').count(), text.matches(']').count());
                let english_links = texts(&english[key])[0].matches('[').count();
                assert_eq!(
                    links,
                    (english_links, english_links),
                    "i18n/{language}.json: {key} must link as English does: {text}"
                );
            }
        }
    }
}

#[test]
fn every_catalog_names_its_language_direction_and_where_its_wording_was_checked() {
    for language in i18n::SHIPPED {
        let catalog = catalog(language);
        for meta in ["_comment", "_name", "_dir"] {
            assert!(
                catalog
                    .get(meta)
                    .and_then(Value::as_str)
                    .is_some_and(|t| !t.is_empty()),
                "i18n/{language}.json lacks {meta}"
            );
        }
        let dir = catalog["_dir"].as_str().unwrap_or_default();
        let expected = if *language == "ar" { "rtl" } else { "ltr" };
        assert_eq!(dir, expected, "i18n/{language}.json: _dir");
        assert!(
            catalog["_comment"]
                .as_str()
                .is_some_and(|c| c.contains("support.apple.com")),
            "i18n/{language}.json: _comment must say where the Settings wording was checked"
        );
    }
}

/// The words of iOS Settings each catalog must use (what a tester looks for on the device).
#[test]
fn settings_paths_use_the_names_ios_shows() {
    let expected = [
        ("en", "VPN & Device Management"),
        ("zh-Hans", "VPN与设备管理"),
        ("zh-Hant", "VPN與裝置管理"),
        ("ja", "VPNとデバイス管理"),
        ("ko", "VPN 및 기기 관리"),
        ("de", "VPN und Geräteverwaltung"),
        ("fr", "VPN et gestion de l’appareil"),
        ("es", "VPN y gestión de dispositivos"),
        ("pt-BR", "VPN e Gerenciamento de Dispositivo"),
        ("ru", "VPN и управление устройством"),
        ("ar", "VPN وإدارة الجهاز"),
    ];
    for (language, path) in expected {
        let catalog = catalog(language);
        let trust = catalog["help.trust"].as_str().unwrap_or_default();
        assert!(
            trust.contains(path),
            "{language}: help.trust lacks {path:?}"
        );
    }
}

/// The registration steps name what iOS shows in each language: Safari's **Allow**, the
/// **Profile Downloaded** entry at the top of Settings, the **VPN & Device Management** path
/// and the **Install** button.
#[test]
fn registration_steps_use_the_names_ios_shows() {
    let expected = [
        (
            "en",
            "Allow",
            "Profile Downloaded",
            "VPN & Device Management",
            "Install",
        ),
        ("zh-Hans", "允许", "已下载描述文件", "VPN与设备管理", "安装"),
        ("zh-Hant", "允許", "已下載描述檔", "VPN與裝置管理", "安裝"),
        (
            "ja",
            "許可",
            "ダウンロード済みのプロファイル",
            "VPNとデバイス管理",
            "インストール",
        ),
        (
            "ko",
            "허용",
            "다운로드된 프로파일",
            "VPN 및 기기 관리",
            "설치",
        ),
        (
            "de",
            "Zulassen",
            "Profil geladen",
            "VPN und Geräteverwaltung",
            "Installieren",
        ),
        (
            "fr",
            "Autoriser",
            "Profil téléchargé",
            "VPN et gestion de l’appareil",
            "Installer",
        ),
        (
            "es",
            "Permitir",
            "Perfil descargado",
            "VPN y gestión de dispositivos",
            "Instalar",
        ),
        (
            "pt-BR",
            "Permitir",
            "Perfil Baixado",
            "VPN e Gerenciamento de Dispositivo",
            "Instalar",
        ),
        (
            "ru",
            "Разрешить",
            "Профиль загружен",
            "VPN и управление устройством",
            "Установить",
        ),
        (
            "ar",
            "السماح",
            "تم تنزيل ملف التعريف",
            "VPN وإدارة الجهاز",
            "تثبيت",
        ),
    ];
    for (language, allow, downloaded, management, install) in expected {
        let catalog = catalog(language);
        let text = |key: &str| catalog[key].as_str().unwrap_or_default().to_string();
        let bold = |name: &str| format!("**{name}**");
        assert!(
            text("devices.step_allow").contains(&bold(allow)),
            "{language}: devices.step_allow lacks **{allow}**"
        );
        let settings = text("devices.step_settings");
        assert!(
            settings.contains(&bold(downloaded)) && settings.contains(management),
            "{language}: devices.step_settings lacks **{downloaded}** or {management:?}"
        );
        assert_eq!(
            text("devices.step_install").matches(&bold(install)).count(),
            2,
            "{language}: devices.step_install names **{install}** twice (top right, then the confirmation)"
        );
    }
}

/// Android's own names for the settings a visitor changes to install an APK, and Play
/// Protect's button, in each language.
#[test]
fn android_help_uses_the_names_android_shows() {
    let expected = [
        ("en", "Install unknown apps", "Install anyway"),
        ("zh-Hans", "安装未知应用", "仍然安装"),
        ("zh-Hant", "安裝不明應用程式", "仍要安裝"),
        ("ja", "不明なアプリのインストール", "インストールする"),
        ("ko", "출처를 알 수 없는 앱 설치", "무시하고 설치"),
        (
            "de",
            "Unbekannte Apps installieren",
            "Trotzdem installieren",
        ),
        (
            "fr",
            "Installer des applis inconnues",
            "Installer quand même",
        ),
        (
            "es",
            "Instalar aplicaciones desconocidas",
            "Instalar de todos modos",
        ),
        (
            "pt-BR",
            "Instalar apps desconhecidos",
            "Instalar mesmo assim",
        ),
        (
            "ru",
            "Установка неизвестных приложений",
            "Все равно установить",
        ),
        ("ar", "تثبيت التطبيقات غير المعروفة", "التثبيت على أي حال"),
    ];
    for (language, unknown_apps, anyway) in expected {
        let catalog = catalog(language);
        let text = |key: &str| catalog[key].as_str().unwrap_or_default().to_string();
        for key in ["android.help_chrome", "android.help_firefox"] {
            assert!(
                text(key).contains(unknown_apps),
                "{language}: {key} lacks {unknown_apps:?}"
            );
        }
        assert!(
            text("android.help_play_protect").contains(&format!("**{anyway}**")),
            "{language}: android.help_play_protect lacks **{anyway}**"
        );
    }
}

/// The text of a template a visitor would see outside the translation calls: tags, template
/// code, comments and scripts removed.
fn bare_text(template: &str) -> String {
    let mut text = template.to_string();
    for (open, close) in [
        ("{#", "#}"),
        ("{%", "%}"),
        ("{{", "}}"),
        ("<script", "</script>"),
        ("<", ">"),
    ] {
        let mut out = String::new();
        let mut rest = text.as_str();
        while let Some(start) = rest.find(open) {
            out.push_str(&rest[..start]);
            out.push(' ');
            match rest[start..].find(close) {
                Some(end) => rest = &rest[start + end + close.len()..],
                None => {
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        text = out;
    }
    text
}

/// The visible attributes (`alt`, `title`, `aria-label`, `placeholder`) written as plain text.
fn bare_attributes(template: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in ["alt", "title", "aria-label", "placeholder"] {
        let key = format!(" {attribute}=\"");
        for (start, _) in template.match_indices(&key) {
            let rest = &template[start + key.len()..];
            let value = &rest[..rest.find('"').unwrap_or(rest.len())];
            let outside = bare_text(value);
            if outside.chars().any(char::is_alphabetic) {
                found.push(format!("{attribute}=\"{value}\""));
            }
        }
    }
    found
}

#[test]
fn templates_show_no_text_outside_the_catalogs() {
    let templates = theme_dir().join("templates");
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(&templates) {
        let entry = entry.expect("walking the templates");
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let text = std::fs::read_to_string(path).expect("a template");
        let bare = bare_text(&text);
        // Allowed: punctuation and separators between translated pieces, and names that are
        // the same in every language (SHA-256, the catalog.json file).
        let words: Vec<&str> = bare
            .split_whitespace()
            .filter(|w| w.chars().any(char::is_alphabetic))
            .filter(|w| !["SHA-256", "catalog.json"].contains(w))
            .collect();
        assert!(
            words.is_empty(),
            "{}: text outside the translation calls: {words:?}",
            path.display()
        );
        let attributes = bare_attributes(&text);
        assert!(
            attributes.is_empty(),
            "{}: attributes outside the translation calls: {attributes:?}",
            path.display()
        );
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} templates found");
}

#[test]
fn the_bare_text_check_finds_text_in_a_template() {
    assert_eq!(bare_text("<p>{{ t(key=\"a\") }} · </p>").trim(), "·");
    assert!(bare_text("<h2>Release notes</h2>").contains("Release notes"));
    assert_eq!(
        bare_attributes("<img alt=\"{{ app.name }} icon\">"),
        ["alt=\"{{ app.name }} icon\""]
    );
    assert!(bare_attributes("<img alt=\"{{ tx(key='a') }}\">").is_empty());
}

// ---------------------------------------------------------------------------------------------
// Built sites
// ---------------------------------------------------------------------------------------------

/// Builds a site of one enterprise app (with an icon) and one ad hoc app, with `extra` in
/// `site.yaml`.
fn build_site(extra: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tmp");
    site::write_config(
        tmp.path(),
        &site::config("Preview site", site::BASE_URL, extra),
    );
    IpaBuilder::new("com.example.preview", "Preview")
        .version("2.1", "21")
        .set("MinimumOSVersion", "16.0")
        .set("CFBundleIconFile", "Icon.png")
        .app_file("Icon.png", encode_cgbi(&sample_icon(120, 3)))
        .profile(Some(ProfileSpec::new(Kind::Enterprise)))
        .write(&tmp.path().join("builds/beta/Preview.ipa"));
    IpaBuilder::new("com.example.field", "Field")
        .profile(Some(ProfileSpec::new(Kind::AdHoc)))
        .write(&tmp.path().join("builds/Field.ipa"));
    assert_ok(&Otasite::new(["build", "-q"]).dir(tmp.path()).output());
    let dist = tmp.path().join("dist");
    (tmp, dist)
}

/// The Open Graph and Twitter tags of a page, as (property or name, content).
fn preview_tags(html: &str) -> Vec<(String, String)> {
    let mut tags = Vec::new();
    for line in html.lines().map(str::trim) {
        let Some(rest) = line.strip_prefix("<meta ") else {
            continue;
        };
        let value = |name: &str| {
            let key = format!("{name}=\"");
            let start = rest.find(&key)? + key.len();
            let end = rest[start..].find('"')? + start;
            Some(rest[start..end].replace("&amp;", "&"))
        };
        if let (Some(name), Some(content)) = (
            value("property").or_else(|| value("name")),
            value("content"),
        ) && (name.starts_with("og:") || name.starts_with("twitter:"))
        {
            tags.push((name, content));
        }
    }
    tags
}

fn png_dimensions(bytes: &[u8]) -> (u32, u32) {
    let reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .expect("a PNG");
    let info = reader.info();
    (info.width, info.height)
}

#[test]
fn every_page_kind_has_link_previews_whose_images_exist_with_the_stated_size() {
    let (_tmp, dist) = build_site("");
    let pages = [
        (
            "index",
            "index.html",
            "Preview site",
            "https://apps.example.test/",
        ),
        (
            "app",
            "com.example.preview/index.html",
            "Preview 2.1 (21)",
            "https://apps.example.test/com.example.preview/",
        ),
        (
            "build",
            "com.example.preview/2.1-21/index.html",
            "Preview 2.1 (21)",
            "https://apps.example.test/com.example.preview/2.1-21/",
        ),
        (
            "help",
            "help/index.html",
            "Install help · Preview site",
            "https://apps.example.test/help/",
        ),
    ];
    for (kind, page, title, url) in pages {
        let html = std::fs::read_to_string(dist.join(page)).expect(page);
        let tags = preview_tags(&html);
        let get = |name: &str| {
            tags.iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| panic!("{kind} page: no {name} in {tags:?}"))
        };
        assert_eq!(get("og:title"), title, "{kind} page: og:title");
        assert_eq!(get("og:url"), url, "{kind} page: og:url");
        assert_eq!(get("twitter:card"), "summary", "{kind} page");
        assert!(
            html.contains(&format!("<link rel=\"canonical\" href=\"{url}\">")),
            "{kind} page: canonical link"
        );
        let description = get("og:description");
        if kind == "app" || kind == "build" {
            assert_eq!(
                description, "Channel beta · iOS 16.0 or later · Released 2024-05-01",
                "{kind} page: og:description"
            );
        }
        let image = get("og:image");
        let relative = image
            .strip_prefix(site::BASE_URL)
            .unwrap_or_else(|| panic!("{kind} page: og:image {image} is not under the site"));
        let bytes = std::fs::read(dist.join(relative))
            .unwrap_or_else(|e| panic!("{kind} page: og:image {image} is missing ({e})"));
        let stated: (u32, u32) = (
            get("og:image:width").parse().expect("a width"),
            get("og:image:height").parse().expect("a height"),
        );
        assert_eq!(png_dimensions(&bytes), stated, "{kind} page: og:image size");
        assert_eq!(get("twitter:image"), image, "{kind} page");
    }
}

#[test]
fn check_accepts_the_previews_and_names_a_preview_image_of_the_wrong_size() {
    let (tmp, dist) = build_site("");
    assert_ok(&Otasite::new(["check", "dist"]).dir(tmp.path()).output());
    // A page that states another size than its image has.
    let page = dist.join("com.example.preview/2.1-21/index.html");
    let html = std::fs::read_to_string(&page).expect("the build page");
    std::fs::write(
        &page,
        html.replace(
            "<meta property=\"og:image:width\" content=\"512\">",
            "<meta property=\"og:image:width\" content=\"1200\">",
        ),
    )
    .expect("writing the page");
    let output = Otasite::new(["check", "dist"]).dir(tmp.path()).output();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "check passed: {stdout}");
    assert!(
        stdout.contains("is 512×512, but the page states 1200×512"),
        "{stdout}"
    );
}

#[test]
fn site_language_renders_every_page_in_that_language() {
    let (_tmp, dist) = build_site("language: ja\nlanguages: [ja, en, ar]\n");
    let build = std::fs::read_to_string(dist.join("com.example.preview/2.1-21/index.html"))
        .expect("the build page");
    assert!(build.contains("<html lang=\"ja\" dir=\"ltr\">"), "{build}");
    assert!(build.contains("Preview 2.1 (21) をインストール"));
    assert!(build.contains("VPNとデバイス管理"));
    assert!(build.contains(">2024年5月1日<"), "dates in Japanese");
    assert!(build.contains("<meta property=\"og:locale\" content=\"ja\">"));
    assert!(build.contains("チャンネル beta · iOS 16.0 以降 · リリース 2024年5月1日"));
    // App names and release notes stay as they are; the picker offers the listed languages.
    assert!(build.contains("<h1>Preview <span class=\"version\">2.1 (21)</span></h1>"));
    for option in ["value=\"ja\"", "value=\"en\"", "value=\"ar\""] {
        assert!(build.contains(option), "picker lacks {option}");
    }
    assert!(!build.contains("value=\"de\""), "de is not offered");
    // The catalogs script holds the offered languages only.
    let script = std::fs::read_dir(dist.join("static"))
        .expect("static/")
        .map(|e| e.expect("entry").path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("i18n-catalogs."))
        })
        .expect("the catalogs script");
    let script = std::fs::read_to_string(script).expect("reading it");
    assert!(
        script.contains("\"ar\":{") && script.contains("\"ja\":{") && !script.contains("\"de\":{")
    );
}

#[test]
fn arabic_pages_are_right_to_left() {
    let (_tmp, dist) = build_site("language: ar\n");
    let index = std::fs::read_to_string(dist.join("index.html")).expect("index");
    assert!(index.contains("<html lang=\"ar\" dir=\"rtl\">"));
}

#[test]
fn a_language_without_a_catalog_fails_the_build_naming_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    site::write_config(
        tmp.path(),
        &site::config("Site", site::BASE_URL, "language: xx\n"),
    );
    IpaBuilder::new("com.example.one", "One").write(&tmp.path().join("builds/One.ipa"));
    let output = Otasite::new(["build", "-q"]).dir(tmp.path()).output();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("i18n/xx.json") && stderr.contains("\"xx\""),
        "{stderr}"
    );
}

#[test]
fn a_theme_catalog_overrides_single_keys_of_the_built_in_one() {
    let tmp = tempfile::tempdir().expect("tmp");
    let theme = tmp.path().join("theme/i18n");
    std::fs::create_dir_all(&theme).expect("theme folder");
    std::fs::write(
        theme.join("en.json"),
        r#"{"install.copy_link": "Copy the address"}"#,
    )
    .expect("override");
    site::write_config(
        tmp.path(),
        &site::config("Site", site::BASE_URL, "theme: theme\n"),
    );
    IpaBuilder::new("com.example.one", "One").write(&tmp.path().join("builds/One.ipa"));
    assert_ok(&Otasite::new(["build", "-q"]).dir(tmp.path()).output());
    let page = std::fs::read_to_string(tmp.path().join("dist/com.example.one/index.html"))
        .expect("the app page");
    assert!(page.contains(">Copy the address<"));
    assert!(
        page.contains(">Install One 1.0 (1)<"),
        "other keys stay built-in"
    );
}

/// The "what changed" lines otasite writes come in the site's language: each change is a
/// catalog key with parameters (`build.changes.items`), the English sentence its fallback.
#[test]
fn what_changed_lines_render_in_the_sites_language() {
    let tmp = tempfile::tempdir().expect("tmp");
    site::write_config(
        tmp.path(),
        &site::config("Changes", site::BASE_URL, "language: ja\n"),
    );
    let old = IpaBuilder::new("com.example.changes", "Changes")
        .version("1.0", "1")
        .set("MinimumOSVersion", "15.0")
        .set("NSCameraUsageDescription", "Scan receipts")
        .profile(Some(
            ProfileSpec::new(Kind::AdHoc).entitlement("com.apple.developer.nfc", true),
        ));
    let new = IpaBuilder::new("com.example.changes", "Changes")
        .version("1.1", "2")
        .modified(1_714_564_800 + 3600)
        .set("MinimumOSVersion", "17.0")
        .set("NSCameraUsageDescription", "Scan receipts and cards")
        .profile(Some(
            ProfileSpec::new(Kind::AdHoc).entitlement("aps-environment", "production"),
        ));
    old.write(&tmp.path().join("builds/Changes-1.ipa"));
    new.write(&tmp.path().join("builds/Changes-2.ipa"));
    assert_ok(&Otasite::new(["build", "-q"]).dir(tmp.path()).output());
    let page =
        std::fs::read_to_string(tmp.path().join("dist/com.example.changes/1.1-2/index.html"))
            .expect("the newer build's page");
    for japanese in [
        "バージョン: 1.0 (1) → 1.1 (2)",
        "最低 iOS: 15.0 → 17.0",
        "追加されたエンタイトルメント: aps-environment",
        "削除されたエンタイトルメント: com.apple.developer.nfc",
        "変更されたプライバシー使用目的の説明: NSCameraUsageDescription",
    ] {
        let section = page
            .find("<section class=\"changes\"")
            .map_or("no changes section", |at| &page[at..]);
        assert!(
            page.contains(japanese),
            "the page lacks {japanese:?}: {}",
            section.get(..1500).unwrap_or(section)
        );
    }
    // Marked for the browser, which words them in the visitor's language.
    assert!(page.contains("data-i18n=\"change.min_os\""));
    // catalog.json keeps the facts as they were.
    let catalog: Value = serde_json::from_slice(
        &std::fs::read(tmp.path().join("dist/catalog.json")).expect("catalog.json"),
    )
    .expect("JSON");
    let facts = catalog["apps"][0]["builds"][0]["changes"]["facts"].to_string();
    assert!(facts.contains("\"fact\":\"min-os\""), "{facts}");
}

/// Why a build cannot install, and what deserves a warning, come in the site's language: each
/// problem has a code (`problem.<code>` in the catalogs) and parameters beside its English
/// sentence in `catalog.json`.
#[test]
fn build_problems_render_in_the_sites_language() {
    let tmp = tempfile::tempdir().expect("tmp");
    site::write_config(
        tmp.path(),
        &site::config("Problems", site::BASE_URL, "language: ja\n"),
    );
    let builds = tmp.path().join("builds");
    // 2024-05-01 is when the builders' archives are made; the profile expired before the build.
    IpaBuilder::new("com.example.store", "Store")
        .profile(Some(ProfileSpec::new(Kind::AppStore)))
        .write(&builds.join("Store.ipa"));
    IpaBuilder::new("com.example.stale", "Stale")
        .profile(Some(ProfileSpec::new(Kind::AdHoc).expires(1_600_000_000)))
        .write(&builds.join("Stale.ipa"));
    IpaBuilder::new("com.example.sim", "Sim")
        .set("DTPlatformName", "iphonesimulator")
        .write(&builds.join("Sim.ipa"));
    IpaBuilder::new("com.example.plain", "Plain")
        .remove("MinimumOSVersion")
        .write(&builds.join("Plain.ipa"));
    ApkBuilder::new("com.example.tests", "Tests")
        .test_only()
        .write(&builds.join("Tests.apk"));
    // Notes met while reading: an icon that is no PNG, an executable that is no Mach-O, a
    // resource table that does not parse.
    IpaBuilder::new("com.example.odd", "Odd")
        .set("CFBundleIconFile", "Icon.png")
        .app_file("Icon.png", b"no picture here".to_vec())
        .executable(b"no machine code here".to_vec())
        .write(&builds.join("Odd.ipa"));
    ApkBuilder::new("com.example.droid", "Droid")
        .icon(
            0x7f01_0000,
            vec![("resources.arsc".to_string(), b"no table".to_vec())],
        )
        .write(&builds.join("Droid.apk"));
    assert_ok(&Otasite::new(["build", "-q"]).dir(tmp.path()).output());
    // Rebuilt from the previous catalog (another title renders every page again): the
    // sentences keep their codes.
    site::write_config(
        tmp.path(),
        &site::config("Problems again", site::BASE_URL, "language: ja\n"),
    );
    assert_ok(&Otasite::new(["build", "-q"]).dir(tmp.path()).output());
    let dist = tmp.path().join("dist");
    let catalog: Value =
        serde_json::from_slice(&std::fs::read(dist.join("catalog.json")).expect("catalog.json"))
            .expect("JSON");
    let page_of = |bundle_id: &str| {
        let app = catalog["apps"]
            .as_array()
            .expect("apps")
            .iter()
            .find(|a| a["bundle_id"] == bundle_id)
            .unwrap_or_else(|| panic!("no app {bundle_id}"));
        let build = &app["builds"][0];
        let page = std::fs::read_to_string(
            dist.join(build["path"].as_str().expect("path"))
                .join("index.html"),
        )
        .expect("the build page");
        (build.clone(), page)
    };
    let cases = [
        (
            "com.example.store",
            "app_store_profile",
            "は App Store 配布用です。iOS はこのようなビルドを App Store または TestFlight からのみインストールします。",
        ),
        (
            "com.example.stale",
            "profile_expired",
            "2020年9月13日 に期限切れになりました。iOS はこのビルドのインストールも起動も拒否します。",
        ),
        (
            "com.example.sim",
            "not_for_ios.simulator",
            "これはシミュレータ用ビルドです（",
        ),
        (
            "com.example.plain",
            "missing_min_os",
            "Info.plist に MinimumOSVersion がありません。最低 iOS バージョンは不明です。",
        ),
        (
            "com.example.tests",
            "android.test_only",
            "このアプリには android:testOnly が付いています。",
        ),
        (
            "com.example.odd",
            "icon.not_png",
            "アイコン Payload/Odd.app/Icon.png は読み取れる PNG ではありません: ",
        ),
        (
            "com.example.odd",
            "unreadable_signature",
            "アプリのコード署名を読み取れなかったため、証明書の有効期限は不明です: Payload/Odd.app/Odd: ",
        ),
        (
            "com.example.droid",
            "android.unreadable_resources",
            "resources.arsc を読み取れません（",
        ),
    ];
    for (bundle_id, code, japanese) in cases {
        let (build, page) = page_of(bundle_id);
        let details = build["problem_details"]
            .as_array()
            .expect("problem_details");
        let detail = details
            .iter()
            .find(|d| d["code"] == code)
            .unwrap_or_else(|| panic!("{bundle_id}: no problem coded {code}: {details:?}"));
        // The English sentence stays in catalog.json, in `problems` as before.
        let message = detail["message"].as_str().expect("a message");
        assert!(
            build["problems"]
                .as_array()
                .is_some_and(|p| p.iter().any(|m| m == message)),
            "{bundle_id}: {message:?} is not among the problems"
        );
        assert!(
            page.contains(japanese),
            "{bundle_id}: the page lacks {japanese:?}"
        );
        assert!(
            page.contains(&format!("data-i18n=\"problem.{code}\"")),
            "{bundle_id}: the problem is not marked for the browser"
        );
    }
}

/// How to leave each in-app browser for Safari is a catalog text: `how` in the theme's
/// `data/browsers.json` names a key every catalog words.
#[test]
fn every_in_app_browser_hint_is_a_key_of_every_catalog() {
    let path = theme_dir().join("data/browsers.json");
    let data: Value =
        serde_json::from_slice(&std::fs::read(&path).expect("browsers.json")).expect("JSON");
    let hints: Vec<&str> = data["in_app"]
        .as_array()
        .expect("in_app")
        .iter()
        .filter_map(|app| app["how"].as_str())
        .collect();
    assert!(hints.len() >= 15, "only {} hints", hints.len());
    for language in i18n::SHIPPED {
        let catalog = catalog(language);
        for key in &hints {
            assert!(
                catalog.get(*key).and_then(Value::as_str).is_some(),
                "i18n/{language}.json lacks {key}, which data/browsers.json names"
            );
        }
    }
    // The line that shows a hint takes it as a key (`_keys`), so it switches language too.
    assert!(
        catalog("en")["install.inapp_how"]
            .as_str()
            .is_some_and(|t| t.contains("{how_keys}"))
    );
}

#[test]
fn every_problem_code_otasite_writes_has_a_text_in_every_catalog() {
    let english = catalog(i18n::REFERENCE);
    let codes: Vec<&str> = english
        .keys()
        .filter_map(|k| k.strip_prefix("problem."))
        .collect();
    for code in [
        "no_profile",
        "unreadable_profile",
        "app_store_profile",
        "profile_expired",
        "certificate_expired",
        "app_certificate_expired",
        "app_certificate_unnamed_expired",
        "profile_expires_soon",
        "certificate_expires_soon",
        "app_certificate_expires_soon",
        "app_certificate_unnamed_expires_soon",
        "not_for_ios.simulator",
        "not_for_ios.visionos",
        "not_for_ios.macos",
        "not_for_ios.mac_catalyst",
        "not_for_ios.tvos",
        "not_for_ios.watch_only",
        "not_for_ios.app_clip",
        "executable_ad_hoc",
        "executable_unsigned",
        "unusual_bundle_id",
        "missing_version",
        "missing_build",
        "missing_min_os",
        "no_device_family",
        "android.app_bundle",
        "android.split",
        "android.test_only",
        "android.unsigned",
        "android.old_target",
        "not_installable",
        "icon.too_large",
        "icon.not_png",
        "icon.unreadable",
        "icon.undecodable",
        "icon.assets_car_fallback",
        "icon.assets_car",
        "icon.missing",
        "icon.cache",
        "unreadable_signature",
        "unreadable_signature_budget",
        "android.unreadable_resources",
        "android.icon_missing",
        "android.icon_drawable_bitmap",
        "android.icon_drawable",
        "android.icon_xml_bitmap",
        "android.icon_xml",
        "android.icon_unreadable",
        "android.icon_approximate",
        "android.icon_not_drawn_bitmap",
        "android.icon_not_drawn",
        "android.icon_bitmap_unreadable",
    ] {
        assert!(codes.contains(&code), "i18n/en.json lacks problem.{code}");
    }
}

// ---------------------------------------------------------------------------------------------
// No English on pages in another language
// ---------------------------------------------------------------------------------------------

/// A site with what pages can show: iOS builds in two channels with what changed between
/// them (size, devices, distribution), warnings (no icon, an unreadable icon, an unreadable
/// signature, missing Info.plist keys), an expired profile, an ad hoc build with registered
/// devices and `devices:` set, a private app, Android packages (one blocked, one with an
/// unreadable resource table) and the help page; rendered in `language`.
fn build_everything_site(language: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tmp");
    let extra = format!(
        "language: {language}\n\
         devices:\n  endpoint: https://udid.example.test/\n  email: qa@example.test\n\
         apps:\n  com.example.hidden:\n    private: true\n"
    );
    site::write_config(tmp.path(), &site::config("Zuul", site::BASE_URL, &extra));
    let builds = tmp.path().join("builds");
    IpaBuilder::new("com.example.zorblax", "Zorblax")
        .version("3.0", "30")
        .set("MinimumOSVersion", "15.0")
        .set("UIDeviceFamily", vec![plist::Value::from(1)])
        .set("CFBundleIconFile", "Icon.png")
        .app_file("Icon.png", encode_cgbi(&sample_icon(120, 3)))
        .profile(Some(
            ProfileSpec::new(Kind::AdHoc).devices(&["00008101-000A1B2C3D4E5F60"]),
        ))
        .write(&builds.join("beta/Zorblax-30.ipa"));
    IpaBuilder::new("com.example.zorblax", "Zorblax")
        .version("3.1", "31")
        .modified(1_714_564_800 + 3600)
        .set("MinimumOSVersion", "16.0")
        .set(
            "UIDeviceFamily",
            vec![plist::Value::from(1), plist::Value::from(2)],
        )
        .set("CFBundleIconFile", "Icon.png")
        .app_file("Icon.png", encode_cgbi(&sample_icon(120, 3)))
        .app_file("Padding.bin", support::ipa::noise(40_000, 7))
        .profile(Some(ProfileSpec::new(Kind::Enterprise)))
        .write(&builds.join("beta/Zorblax-31.ipa"));
    IpaBuilder::new("com.example.zorblax", "Zorblax")
        .version("2.9", "29")
        .profile(Some(ProfileSpec::new(Kind::AdHoc)))
        .write(&builds.join("stable/Zorblax-29.ipa"));
    IpaBuilder::new("com.example.quux", "Quux")
        .remove("MinimumOSVersion")
        .remove("UIDeviceFamily")
        .set("CFBundleIconFile", "Icon.png")
        .app_file("Icon.png", b"no picture here".to_vec())
        .executable(b"no machine code here".to_vec())
        .profile(Some(
            ProfileSpec::new(Kind::Development).devices(&["00008101-000A1B2C3D4E5F60"]),
        ))
        .write(&builds.join("Quux.ipa"));
    IpaBuilder::new("com.example.nameless", "Nameless")
        .remove("CFBundleShortVersionString")
        .remove("CFBundleVersion")
        .profile(Some(ProfileSpec::new(Kind::Enterprise)))
        .write(&builds.join("Nameless.ipa"));
    IpaBuilder::new("com.example.stale", "Stale")
        .profile(Some(ProfileSpec::new(Kind::AdHoc).expires(1_600_000_000)))
        .write(&builds.join("Stale.ipa"));
    IpaBuilder::new("com.example.hidden", "Hidden")
        .profile(Some(ProfileSpec::new(Kind::Enterprise)))
        .write(&builds.join("Hidden.ipa"));
    ApkBuilder::new("com.example.droid", "Droid")
        .icon(
            0x7f01_0000,
            vec![("resources.arsc".to_string(), b"no table".to_vec())],
        )
        .write(&builds.join("Droid.apk"));
    ApkBuilder::new("com.example.tests", "Tests")
        .test_only()
        .write(&builds.join("Tests.apk"));
    assert_ok(
        &Otasite::new(["build", "-q"])
            .dir(tmp.path())
            .env(
                "OTASITE_SECRET",
                "0f1e2d3c4b5a69788796a5b4c3d2e1f0-test-secret",
            )
            .env("OTASITE_PASSWORD", "correct horse battery")
            .output(),
    );
    let dist = tmp.path().join("dist");
    (tmp, dist)
}

/// A catalog key and a piece of its English text.
type KeyedText = (String, String);

/// The English texts of `en.json` that `language` words otherwise: each text cut at its
/// placeholders and markup into the pieces a page shows as they are. Pieces of two words or
/// more count wherever they occur; one-word texts only as a whole text.
fn english_only(language: &str) -> (Vec<KeyedText>, Vec<KeyedText>) {
    let english = catalog(i18n::REFERENCE);
    let other = catalog(language);
    let (mut sentences, mut words) = (Vec::new(), Vec::new());
    for (key, value) in &english {
        if key.starts_with('_') || key.starts_with("format.") || other.get(key) == Some(value) {
            continue;
        }
        for text in texts(value) {
            let mut rest = text.to_string();
            for mark in ["**", "`", "[", "]"] {
                rest = rest.replace(mark, "\u{0}");
            }
            let mut pieces = Vec::new();
            let mut current = String::new();
            let mut chars = rest.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '{' {
                    pieces.push(std::mem::take(&mut current));
                    for inner in chars.by_ref() {
                        if inner == '}' {
                            break;
                        }
                    }
                } else if c == '\u{0}' {
                    pieces.push(std::mem::take(&mut current));
                } else {
                    current.push(c);
                }
            }
            pieces.push(current);
            let whole = pieces.len() == 1;
            // Names and commands the language keeps as they are (`adb install -t`, Samsung
            // Internet) are no English text.
            let kept = |piece: &str| {
                other
                    .get(key)
                    .is_some_and(|v| texts(v).iter().any(|t| t.contains(piece)))
            };
            for piece in pieces {
                let piece = piece
                    .trim_matches(|c: char| !c.is_alphanumeric())
                    .to_string();
                if kept(&piece) {
                    continue;
                }
                let word_count = piece.split_whitespace().count();
                if word_count >= 2 && piece.chars().filter(|c| c.is_alphabetic()).count() >= 8 {
                    sentences.push((key.clone(), piece));
                } else if whole && word_count == 1 && piece.chars().count() >= 3 {
                    words.push((key.clone(), piece));
                }
            }
        }
    }
    (sentences, words)
}

fn decode_entities(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

/// What a visitor reads on a page: its text nodes (outside `script` and `style`) and the
/// attributes that show or are read out (`title`, `aria-label`, `alt`, `placeholder`, and the
/// `content` of the link preview's descriptions).
fn visible_texts(html: &str) -> Vec<String> {
    const SHOWN: [&str; 4] = ["title", "aria-label", "alt", "placeholder"];
    let mut found = Vec::new();
    let mut rest = html;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.split_once("-->").map_or("", |(_, tail)| tail);
            continue;
        }
        if rest.starts_with('<') {
            let end = rest.find('>').map_or(rest.len(), |at| at + 1);
            let tag = &rest[..end];
            rest = &rest[end..];
            let name: String = tag[1..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            let mut attributes = Vec::new();
            let mut attrs = tag;
            while let Some(at) = attrs.find("=\"") {
                let attr_name = attrs[..at]
                    .rsplit(|c: char| c.is_whitespace())
                    .next()
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                let value_rest = &attrs[at + 2..];
                let value_end = value_rest.find('"').unwrap_or(value_rest.len());
                attributes.push((attr_name, decode_entities(&value_rest[..value_end])));
                attrs = &value_rest[(value_end + 1).min(value_rest.len())..];
            }
            let is_description = attributes.iter().any(|(n, v)| {
                (n == "property" || n == "name")
                    && (v == "og:description" || v == "twitter:description")
            });
            for (attr_name, value) in attributes {
                if SHOWN.contains(&attr_name.as_str()) || (is_description && attr_name == "content")
                {
                    found.push(value);
                }
            }
            if name == "script" || name == "style" {
                let close = format!("</{name}");
                let at = rest.find(&close).unwrap_or(rest.len());
                rest = &rest[at..];
            }
            continue;
        }
        let end = rest.find('<').unwrap_or(rest.len());
        let text = decode_entities(&rest[..end]);
        if !text.trim().is_empty() {
            found.push(text.split_whitespace().collect::<Vec<_>>().join(" "));
        }
        rest = &rest[end..];
    }
    found
}

#[test]
fn visible_texts_are_the_text_nodes_and_shown_attributes() {
    let html = "<p title=\"A &amp; B\">Hello <b>there</b></p><script>var x = \"<p>no</p>\";</script>\
                <meta property=\"og:description\" content=\"Described\"><img alt=\"\" src=\"x\"><!-- <p>no</p> -->";
    assert_eq!(
        visible_texts(html),
        ["A & B", "Hello ", "there", "Described", ""]
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
    );
}

/// Every page of a site in German and in Japanese, with every kind of build, warning and
/// page there is: no text a visitor reads is an English text of `en.json` that the language
/// words otherwise (app names, release notes, versions and identifiers are not catalog texts).
#[test]
fn pages_in_another_language_show_no_english_text_from_the_catalogs() {
    for language in ["de", "ja"] {
        let (_tmp, dist) = build_everything_site(language);
        let (sentences, words) = english_only(language);
        assert!(
            sentences.len() > 100,
            "{language}: {} sentences",
            sentences.len()
        );
        let mut pages = 0;
        let mut found = Vec::new();
        for entry in walkdir::WalkDir::new(&dist) {
            let entry = entry.expect("walking the site");
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "html") {
                continue;
            }
            pages += 1;
            let html = std::fs::read_to_string(path).expect("a page");
            let page = path
                .strip_prefix(&dist)
                .unwrap_or(path)
                .display()
                .to_string();
            for text in visible_texts(&html) {
                for (key, sentence) in &sentences {
                    if text.contains(sentence.as_str()) {
                        found.push(format!("{page}: {key} {sentence:?} in {text:?}"));
                    }
                }
                let whole = text.trim_matches(|c: char| !c.is_alphanumeric());
                for (key, word) in &words {
                    if whole == word {
                        found.push(format!("{page}: {key} {word:?}"));
                    }
                }
            }
        }
        // index, help, registration (2), Zorblax (app + 3 builds), Quux, Stale, Droid, Tests
        // (app + build each), and the private app's locked pages.
        assert!(pages >= 17, "{language}: only {pages} pages");
        found.sort();
        found.dedup();
        assert!(
            found.is_empty(),
            "{language}: English on the pages:\n{}",
            found.join("\n")
        );
        // The feed is written in the site's language too.
        let feed = std::fs::read_to_string(dist.join("feed.xml")).expect("feed.xml");
        let feed_english: Vec<&String> = sentences
            .iter()
            .map(|(_, s)| s)
            .filter(|s| feed.contains(s.as_str()))
            .collect();
        assert!(
            feed_english.is_empty(),
            "{language}: feed.xml: {feed_english:?}"
        );
    }
}
