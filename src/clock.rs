//! The one place otasite reads the clock, so builds can be pinned with SOURCE_DATE_EPOCH.

use time::OffsetDateTime;

/// Now, or the moment `SOURCE_DATE_EPOCH` names (seconds since 1970), for reproducible output.
pub fn now() -> OffsetDateTime {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|secs| OffsetDateTime::from_unix_timestamp(secs).ok())
        .unwrap_or_else(OffsetDateTime::now_utc)
}

/// `2026-11-22`
pub fn date(moment: OffsetDateTime) -> String {
    let d = moment.date();
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

/// RFC 3339 in UTC, e.g. `2026-11-22T10:00:00Z`.
pub fn rfc3339(moment: OffsetDateTime) -> String {
    let utc = moment.to_offset(time::UtcOffset::UTC);
    let (d, t) = (utc.date(), utc.time());
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        d.year(),
        d.month() as u8,
        d.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}
