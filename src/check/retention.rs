//! `otasite check --retention`: a dry run of `keep` and the `retention` rules of `site.yaml`
//! on the built site's catalog, listing each build the next build would drop and why.

use std::io::Write;
use std::path::Path;

use time::OffsetDateTime;

use crate::catalog::retention::{Rules, judge};

/// Prints one line per build the rules drop, then a count; the number of builds dropped.
pub fn run(
    config_file: &Path,
    dir: Option<&Path>,
    now: OffsetDateTime,
    out: &mut impl Write,
) -> anyhow::Result<usize> {
    let settings = super::load_site_config(config_file)?;
    let dir = dir.unwrap_or(&settings.output_dir);
    let catalog_file = dir.join(crate::layout::CATALOG);
    let catalog = crate::previous::read_catalog(&catalog_file.display().to_string())?;
    let rules = Rules {
        keep: settings.keep,
        retention: &settings.retention,
        now,
    };
    let mut dropped = 0;
    let mut total = 0;
    for app in &catalog.apps {
        total += app.builds.len();
        for (build, why) in app.builds.iter().zip(judge(&app.builds, &rules)) {
            if let Some(why) = why {
                dropped += 1;
                writeln!(
                    out,
                    "would remove {} {} ({}): {why}",
                    app.bundle_id,
                    build.display_version(),
                    build.path
                )?;
            }
        }
    }
    let rules_said = if rules.drops_any() {
        ""
    } else {
        " (site.yaml sets neither keep nor retention)"
    };
    writeln!(
        out,
        "{dropped} of {total} builds would be removed by the next build{rules_said} ({})",
        catalog_file.display()
    )?;
    Ok(dropped)
}
