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
