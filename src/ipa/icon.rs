//! Finding an app's icon: loose PNGs named by Info.plist or by convention, and the compiled
//! asset catalog; the largest real pixel size wins.

use std::io::{Read, Seek};

use super::archive::Archive;
use super::assets_car;
use super::info::AppInfo;
use super::problems::Problem;
use crate::raster::{self, RgbaImage};

/// The most otasite inflates for one loose icon PNG.
const PNG_LIMIT: u64 = 8 << 20;
/// The most otasite inflates for an `Assets.car`.
const CAR_LIMIT: u64 = 64 << 20;
/// Below this edge an asset catalog may still hold larger art (e.g. the 1024 marketing icon).
const LARGEST_ICON_EDGE: u32 = 1024;

/// The icon chosen for a build, with its decoded pixels.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Icon {
    /// The archive entry it came from; for an asset catalog `…/Assets.car#<facet>`.
    pub path: String,
    pub width: u32,
    pub height: u32,
    /// Whether the source was Apple's CgBI PNG form.
    pub cgbi: bool,
    /// The pixels; empty (0×0) when the facts were restored from the build cache.
    #[serde(skip)]
    pub image: RgbaImage,
}

/// The first bytes of a PNG that hold its signature and header chunks (IHDR, or CgBI + IHDR).
const PNG_HEADER_BYTES: u64 = 64;

/// Looks for the best icon; problems met on the way are returned as warnings. Without
/// `decode` the icon is chosen and sized from headers alone and its image is left empty.
pub fn find_icon<R: Read + Seek>(
    archive: &mut Archive<R>,
    app_dir: &str,
    info: &AppInfo,
    decode: bool,
) -> (Option<Icon>, Vec<Problem>) {
    let mut warnings = Vec::new();
    let mut best = best_loose_png(archive, app_dir, info, decode, &mut warnings);
    let car_path = format!("{app_dir}Assets.car");
    let loose_edge = best.as_ref().map_or(0, |icon| icon.width.min(icon.height));
    if loose_edge < LARGEST_ICON_EDGE && archive.contains(&car_path) {
        let facet = info.icon_name.as_deref().unwrap_or("AppIcon");
        match read_catalog_icon(archive, &car_path, facet, decode) {
            Ok(Some(icon)) if icon.width.min(icon.height) > loose_edge => best = Some(icon),
            Ok(_) => {}
            Err(reason) => warnings.push(match &best {
                Some(icon) => Problem::warning(format!(
                    "The icon in {car_path} could not be read ({reason}); using {} instead.",
                    icon.path
                ))
                .coded(
                    "icon.assets_car_fallback",
                    &[
                        ("car", &car_path),
                        ("reason", &reason),
                        ("path", &icon.path),
                    ],
                ),
                None => Problem::warning(format!(
                    "The icon in {car_path} could not be read ({reason}); pages show a placeholder."
                ))
                .coded(
                    "icon.assets_car",
                    &[("car", &car_path), ("reason", &reason)],
                ),
            }),
        }
    }
    if best.is_none() && !warnings.iter().any(|w| w.message.contains("Assets.car")) {
        warnings.push(
            Problem::warning("No app icon was found; pages show a placeholder.")
                .coded("icon.missing", &[]),
        );
    }
    (best, warnings)
}

fn read_catalog_icon<R: Read + Seek>(
    archive: &mut Archive<R>,
    car_path: &str,
    facet: &str,
    decode: bool,
) -> Result<Option<Icon>, String> {
    let bytes = archive
        .read(car_path, CAR_LIMIT)
        .map_err(|e| e.to_string())?;
    if !decode {
        let size = assets_car::largest_icon_size(&bytes, facet).map_err(|e| e.to_string())?;
        return Ok(size.map(|(width, height)| Icon {
            path: format!("{car_path}#{facet}"),
            width,
            height,
            cgbi: false,
            image: RgbaImage::default(),
        }));
    }
    let found = assets_car::largest_icon(&bytes, facet).map_err(|e| e.to_string())?;
    Ok(found.map(|car| Icon {
        path: format!("{car_path}#{facet}"),
        width: car.image.width,
        height: car.image.height,
        cgbi: false,
        image: car.image,
    }))
}

/// The largest decodable loose PNG among the candidates, trying the next one when the
/// largest cannot be decoded. Only headers are kept while ranking, so memory stays at one
/// icon however many candidates an archive holds.
fn best_loose_png<R: Read + Seek>(
    archive: &mut Archive<R>,
    app_dir: &str,
    info: &AppInfo,
    decode: bool,
    warnings: &mut Vec<Problem>,
) -> Option<Icon> {
    let mut sized = Vec::new();
    for path in candidate_paths(archive.names(), app_dir, info) {
        match archive.read_prefix(&path, PNG_HEADER_BYTES) {
            Ok(bytes) => match raster::png_info(&bytes) {
                Ok(meta) if meta.width.max(meta.height) > raster::MAX_ICON_DIMENSION => {
                    warnings.push(
                        Problem::warning(format!(
                            "Icon {path} is {}×{} pixels, beyond the {max}×{max} limit for icons; it is skipped.",
                            meta.width,
                            meta.height,
                            max = raster::MAX_ICON_DIMENSION
                        ))
                        .coded(
                            "icon.too_large",
                            &[
                                ("path", &path),
                                ("width", &meta.width.to_string()),
                                ("height", &meta.height.to_string()),
                                ("max", &raster::MAX_ICON_DIMENSION.to_string()),
                            ],
                        ),
                    )
                }
                Ok(meta) => sized.push((path, meta)),
                Err(e) => warnings.push(icon_warning("not_png", &path, &e.to_string())),
            },
            Err(e) => warnings.push(icon_warning("unreadable", &path, &e.to_string())),
        }
    }
    // Square icons first, then by edge and area; ties resolve by name for determinism.
    sized.sort_by(|(pa, a), (pb, b)| {
        let key = |m: &raster::PngInfo| {
            let area = u64::from(m.width) * u64::from(m.height);
            (m.width == m.height, m.width.min(m.height), area)
        };
        key(b).cmp(&key(a)).then_with(|| pa.cmp(pb))
    });
    if !decode {
        return sized.into_iter().next().map(|(path, meta)| Icon {
            path,
            width: meta.width,
            height: meta.height,
            cgbi: meta.cgbi,
            image: RgbaImage::default(),
        });
    }
    for (path, meta) in sized {
        let decoded = archive
            .read(&path, PNG_LIMIT)
            .map_err(|e| e.to_string())
            .and_then(|bytes| raster::decode_png(&bytes).map_err(|e| e.to_string()));
        match decoded {
            Ok(image) => {
                return Some(Icon {
                    path,
                    width: image.width,
                    height: image.height,
                    cgbi: meta.cgbi,
                    image,
                });
            }
            Err(e) => warnings.push(icon_warning("undecodable", &path, &e)),
        }
    }
    None
}

/// A loose icon file otasite cannot use: `code` is `not_png`, `unreadable` or `undecodable`.
fn icon_warning(code: &str, path: &str, reason: &str) -> Problem {
    let what = match code {
        "not_png" => "is not a readable PNG",
        "unreadable" => "could not be read",
        _ => "could not be decoded",
    };
    Problem::warning(format!("Icon {path} {what}: {reason}.")).coded(
        &format!("icon.{code}"),
        &[("path", path), ("reason", reason)],
    )
}

/// Top-level PNGs of the bundle whose names the plist declares (with `@2x`, `@3x`, `~ipad`
/// variants) or that follow the `AppIcon*` / `Icon*` convention: plists and files often disagree.
pub fn candidate_paths(names: &[String], app_dir: &str, info: &AppInfo) -> Vec<String> {
    let declared: Vec<String> = info
        .icon_files
        .iter()
        .map(|name| strip_png(name).to_ascii_lowercase())
        .collect();
    let mut paths: Vec<String> = names
        .iter()
        .filter_map(|name| {
            let file = name.strip_prefix(app_dir)?;
            if file.contains('/') || !file.to_ascii_lowercase().ends_with(".png") {
                return None;
            }
            let stem = strip_png(file).to_ascii_lowercase();
            let conventional = stem.starts_with("appicon") || stem.starts_with("icon");
            let is_declared = declared.iter().any(|d| stem.starts_with(d.as_str()));
            (conventional || is_declared).then(|| name.clone())
        })
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

fn strip_png(name: &str) -> &str {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".png") {
        &name[..name.len() - 4]
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_follow_plist_and_convention() {
        let names: Vec<String> = [
            "Payload/A.app/Logo60x60@2x.png",
            "Payload/A.app/AppIcon76x76@2x~ipad.png",
            "Payload/A.app/icon.png",
            "Payload/A.app/Background.png",
            "Payload/A.app/PlugIns/X.appex/AppIcon.png",
            "Payload/A.app/Logo.txt",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        let info = AppInfo {
            icon_files: vec!["Logo60x60".into()],
            ..AppInfo::default()
        };
        assert_eq!(
            candidate_paths(&names, "Payload/A.app/", &info),
            vec![
                "Payload/A.app/AppIcon76x76@2x~ipad.png",
                "Payload/A.app/Logo60x60@2x.png",
                "Payload/A.app/icon.png",
            ]
        );
    }
}
