//! Which builds of an app a build keeps: `keep` (the newest N of each channel) and the
//! `retention` rules of `site.yaml` (age, expiry after a grace period, pins). Each channel's
//! newest installable build always stays, so no stable manifest loses its build.

use time::{Duration, OffsetDateTime};

use super::Build;
use super::channels::{holds, names};
use crate::config::Retention;

/// The rules one site applies.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    /// The newest N of each channel (`keep`), or all.
    pub keep: Option<usize>,
    pub retention: &'a Retention,
    /// The moment ages and expiries are judged against.
    pub now: OffsetDateTime,
}

impl Rules<'_> {
    /// Whether any rule can drop a build.
    pub fn drops_any(&self) -> bool {
        self.keep.is_some()
            || self.retention.max_age_days.is_some()
            || self.retention.expired_grace_days.is_some()
    }

    /// Why a build past none of `keep`'s limits is still dropped, if it is.
    fn aged_out(&self, build: &Build) -> Option<String> {
        if let Some(days) = self.retention.max_age_days {
            let released = build.released.as_deref().and_then(|r| {
                OffsetDateTime::parse(r, &time::format_description::well_known::Rfc3339).ok()
            });
            if let Some(released) = released
                && self.now - released > Duration::days(days.into())
            {
                return Some(format!(
                    "released on {}, more than {days} days ago (max_age_days)",
                    crate::clock::date(released)
                ));
            }
        }
        if let Some(days) = self.retention.expired_grace_days {
            let stops = build.stops_launching();
            if let Some((at, of)) = stops
                && self.now - at >= Duration::days(days.into())
            {
                return Some(format!(
                    "its {} expired on {}, {days} or more days ago (expired_grace_days)",
                    of.noun(),
                    crate::clock::date(at)
                ));
            }
        }
        None
    }

    fn pinned(&self, build: &Build) -> bool {
        self.retention.pin.iter().any(|pin| {
            pin.trim_end_matches('/') == build.path.trim_end_matches('/') || *pin == build.file
        })
    }
}

/// For each of `builds` (one app's, newest first): `None` when kept, else why it is dropped.
pub fn judge(builds: &[Build], rules: &Rules) -> Vec<Option<String>> {
    let mut verdicts: Vec<Option<String>> = builds
        .iter()
        .map(|b| (!rules.pinned(b)).then(|| rules.aged_out(b)).flatten())
        .collect();
    let mut beyond_keep = vec![rules.keep.is_some(); builds.len()];
    let mut newest_installable = vec![false; builds.len()];
    let lanes = names(builds)
        .into_iter()
        .map(Some)
        .chain(std::iter::once(None));
    for lane in lanes {
        let members = builds.iter().enumerate().filter(|(_, b)| holds(b, lane));
        let mut seen_installable = false;
        for (position, (index, build)) in members.enumerate() {
            if rules.keep.is_some_and(|keep| position < keep) {
                beyond_keep[index] = false;
            }
            if build.installable && !seen_installable {
                newest_installable[index] = true;
            }
            seen_installable |= build.installable;
        }
    }
    for (index, build) in builds.iter().enumerate() {
        if newest_installable[index] || rules.pinned(build) {
            verdicts[index] = None;
        } else if verdicts[index].is_none() && beyond_keep[index] {
            let keep = rules.keep.unwrap_or_default();
            verdicts[index] = Some(format!(
                "older than the newest {keep} of its channels (keep)"
            ));
        }
    }
    verdicts
}

/// The earliest instant at or after `since` at which a decision that depends on the clock may
/// come out otherwise for one of `inputs`: a build dropped by `max_age_days` or
/// `expired_grace_days`, or a profile or certificate judged expiring or expired (when an
/// archive is read). None when no decision about these builds depends on the clock. Instants
/// before `since` are left out: as the clock moves on, what they decided stays decided.
pub fn valid_until(
    retention: &Retention,
    inputs: &[super::BuildInput],
    since: OffsetDateTime,
) -> Option<OffsetDateTime> {
    let mut instants = Vec::new();
    for input in inputs {
        if let (Some(days), Some(released)) = (retention.max_age_days, input.ipa.released) {
            // A second early: the catalog keeps release times to the second.
            instants.push(released + Duration::days(days.into()) - Duration::SECOND);
        }
        if let Some((at, _)) = input.ipa.stops_launching() {
            instants.push(at - crate::facts::EXPIRY_WARNING);
            instants.push(at);
            if let Some(days) = retention.expired_grace_days {
                instants.push(at + Duration::days(days.into()));
            }
        }
    }
    instants.into_iter().filter(|at| *at >= since).min()
}
