//! Android builds in the model: which app a package is shown in, the systems of an app, and
//! `keep`/`retention` judged per system.

use crate::android::Os;
use crate::catalog::Build;
use crate::config::Settings;
use crate::ipa::Ipa;

/// The iOS app `site.yaml` joins an Android package to (`apps: <bundle id>: android:
/// <package>`), when it does.
pub fn joined_app(settings: &Settings, ipa: &Ipa) -> Option<String> {
    if !ipa.os().is_android() {
        return None;
    }
    settings
        .apps
        .iter()
        .find(|(_, o)| o.android.as_deref() == Some(ipa.bundle_id.as_str()))
        .map(|(id, _)| id.clone())
}

/// The identifier of the app a catalog build is shown in.
pub fn app_id_of(settings: &Settings, build: &Build) -> String {
    if build.os.is_android() {
        let joined = settings
            .apps
            .iter()
            .find(|(_, o)| o.android.as_deref() == Some(build.bundle_id.as_str()));
        if let Some((id, _)) = joined {
            return id.clone();
        }
    }
    build.bundle_id.clone()
}

/// The systems an app has builds for, iOS first.
pub fn platforms(builds: &[Build]) -> Vec<Os> {
    [Os::Ios, Os::Android]
        .into_iter()
        .filter(|os| builds.iter().any(|b| b.os == *os))
        .collect()
}

/// `keep` and `retention` judged for each system's builds apart: an app's iOS builds never
/// push its Android builds out, nor the other way round.
pub fn judge_per_os(builds: &[Build], rules: &super::retention::Rules<'_>) -> Vec<Option<String>> {
    let mut verdicts = vec![None; builds.len()];
    for os in [Os::Ios, Os::Android] {
        let (indices, own): (Vec<usize>, Vec<Build>) = builds
            .iter()
            .enumerate()
            .filter(|(_, b)| b.os == os)
            .map(|(i, b)| (i, b.clone()))
            .unzip();
        for (index, verdict) in indices
            .into_iter()
            .zip(super::retention::judge(&own, rules))
        {
            verdicts[index] = verdict;
        }
    }
    verdicts
}
