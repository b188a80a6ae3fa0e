//! Snapshots of the rendered pages, manifest, feed and catalog of a small fixed site: any
//! change to the output shows up in review.

mod support;

use support::cgbi::{encode_cgbi, sample_icon};
use support::ipa::{IpaBuilder, Kind, ProfileSpec};
use support::run::Otasite;
use support::site;

#[test]
fn rendered_site_snapshots() {
    let tmp = tempfile::tempdir().expect("tmp");
    site::write_config(
        tmp.path(),
        &site::config(
            "Snapshot site",
            site::BASE_URL,
            "apps:\n  com.example.snap:\n    description: A fixed app for snapshots.\n",
        ),
    );
    let mut profile = ProfileSpec::new(Kind::Enterprise);
    profile.name = "Snap Enterprise".into();
    IpaBuilder::new("com.example.snap", "Snap")
        .version("2.1", "21")
        .profile(Some(profile))
        .set(
            "CFBundleIconFiles",
            plist::Value::Array(vec!["AppIcon60x60".into()]),
        )
        .app_file("AppIcon60x60@3x.png", encode_cgbi(&sample_icon(180, 7)))
        .write(&tmp.path().join("builds/beta/Snap 2.1.ipa"));
    std::fs::write(
        tmp.path().join("builds/beta/Snap 2.1.md"),
        "- Faster start\n- [Docs](https://example.com/docs)\n",
    )
    .expect("notes");
    let output = Otasite::new(["build", "-q"]).dir(tmp.path()).output();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let dist = tmp.path().join("dist");
    let read = |rel: &str| std::fs::read_to_string(dist.join(rel)).expect(rel);
    insta::assert_snapshot!("index.html", read("index.html"));
    insta::assert_snapshot!("app.html", read("com.example.snap/index.html"));
    insta::assert_snapshot!("build.html", read("com.example.snap/2.1-21/index.html"));
    insta::assert_snapshot!(
        "manifest.plist",
        read("com.example.snap/2.1-21/manifest.plist")
    );
    insta::assert_snapshot!("feed.xml", read("feed.xml"));
    insta::assert_snapshot!("catalog.json", read("catalog.json"));
}

/// The `<section class="help">` of a page, or `None` when the page has none.
fn help_section(html: &str) -> Option<&str> {
    let start = html.find("<section class=\"help\"")?;
    let end = start + html[start..].find("</section>")? + "</section>".len();
    Some(&html[start..end])
}

/// One app per distribution kind that installs over the air, each with its own help.
#[test]
fn install_help_snapshots_per_distribution_kind() {
    let tmp = tempfile::tempdir().expect("tmp");
    site::write_config(tmp.path(), &site::config("Help site", site::BASE_URL, ""));
    let kinds = [
        ("enterprise", Kind::Enterprise),
        ("development", Kind::Development),
        ("adhoc", Kind::AdHoc),
    ];
    for (label, kind) in kinds {
        IpaBuilder::new(&format!("com.example.{label}"), &format!("Help {label}"))
            .profile(Some(ProfileSpec::new(kind)))
            .write(&tmp.path().join(format!("builds/{label}.ipa")));
    }
    let output = Otasite::new(["build", "-q"]).dir(tmp.path()).output();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for (label, _) in kinds {
        let page = tmp
            .path()
            .join(format!("dist/com.example.{label}/1.0-1/index.html"));
        let html = std::fs::read_to_string(&page).expect("the build page");
        let help = help_section(&html).unwrap_or_else(|| panic!("{label}: no install help"));
        insta::assert_snapshot!(format!("install_help_{label}"), help);
        let app_page = std::fs::read_to_string(
            tmp.path()
                .join(format!("dist/com.example.{label}/index.html")),
        )
        .expect("the app page");
        assert_eq!(
            help_section(&app_page),
            Some(help),
            "{label}: app and build pages differ"
        );
    }
}

/// The index's badge on an app iOS cannot install, and the page of its build without help.
#[test]
fn not_installable_badge_snapshot() {
    let tmp = tempfile::tempdir().expect("tmp");
    site::write_config(tmp.path(), &site::config("Badge site", site::BASE_URL, ""));
    IpaBuilder::new("com.example.vision", "Vision")
        .set("DTPlatformName", "xros")
        .set("UIDeviceFamily", plist::Value::Array(vec![7.into()]))
        .write(&tmp.path().join("builds/vision.ipa"));
    let output = Otasite::new(["build", "-q"]).dir(tmp.path()).output();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let read = |rel: &str| std::fs::read_to_string(tmp.path().join("dist").join(rel)).expect(rel);
    let index = read("index.html");
    let start = index.find("<p class=\"not-installable\"").expect("a badge");
    let end = start + index[start..].find("</p>").expect("its end") + "</p>".len();
    insta::assert_snapshot!("not_installable_badge", &index[start..end]);
    let page = read("com.example.vision/1.0-1/index.html");
    assert_eq!(
        help_section(&page),
        None,
        "install help on a build iOS cannot install"
    );
}
