//! The build cache: everything read from each archive (facts, SHA-256, rendered icons), keyed
//! by path, size and modification time, so a rebuild costs only what changed.
//!
//! It lives in a folder beside the output ([`crate::layout::beside::cache`]). It is never
//! trusted blindly: a missing, corrupt or other-version cache is discarded and rebuilt.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use crate::ipa::Ipa;
use crate::layout::{DISPLAY_IMAGE, FULL_SIZE_IMAGE, Icon};

/// Bumped with otasite's version: any change to reading or rendering invalidates the cache.
const CACHE_VERSION: &str = concat!("otasite-", env!("CARGO_PKG_VERSION"), "-cache-7");
pub(crate) const INDEX: &str = "index.json";
pub(crate) const ICONS: &str = "icons";
/// The folder of the apps' shards.
pub(crate) const APPS: &str = "apps";

/// A build's icon, already rendered as the standard PNGs a manifest names (57×57 and
/// 512×512): in the cache, or in a copy of the deployed site.
#[derive(Debug, Clone)]
pub struct IconFiles {
    /// [`DISPLAY_IMAGE`].
    pub small: PathBuf,
    /// [`FULL_SIZE_IMAGE`].
    pub large: PathBuf,
}

impl IconFiles {
    /// The file of `icon`.
    pub fn of(&self, icon: Icon) -> &Path {
        if icon == DISPLAY_IMAGE {
            &self.small
        } else {
            &self.large
        }
    }
}

/// What identifies an unchanged archive without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileKey {
    pub size: u64,
    /// Modification time in nanoseconds since 1970.
    pub mtime_ns: i128,
    pub inode: u64,
}

impl FileKey {
    pub fn of(path: &Path) -> std::io::Result<FileKey> {
        FileKey::from_metadata(&fs::metadata(path)?)
    }

    /// The key of a file whose metadata is at hand (a link's target's, not the link's).
    pub fn from_metadata(meta: &fs::Metadata) -> std::io::Result<FileKey> {
        let mtime_ns = meta
            .modified()?
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as i128)
            .unwrap_or(0);
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(meta);
        #[cfg(not(unix))]
        let inode = 0;
        Ok(FileKey {
            size: meta.len(),
            mtime_ns,
            inode,
        })
    }
}

/// One archive's cached reading.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub key: FileKey,
    /// The facts, with `sha256` filled once the archive has been hashed.
    pub ipa: Ipa,
    /// Name stem of the rendered icons in the cache's icon folder, when the app has an icon.
    pub icon_id: Option<String>,
    /// Where the previous build published the archive inside the site, if it copied it.
    pub published: Option<String>,
}

/// `index.json`: what concerns the whole site. Each app's archives and generated files are in
/// a shard of their own (`apps/<folder>.json`), so a build that changes one app of many
/// reads and writes that app's shard only.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Index {
    version: String,
    /// The generated files outside every app folder, by path, with the fingerprint of what
    /// made them.
    #[serde(default)]
    pages: BTreeMap<String, String>,
    /// The fingerprint of the site those pages belong to.
    #[serde(default)]
    site: Option<String>,
    /// Each app folder of that site, with the fingerprint of everything it was made from.
    #[serde(default)]
    apps: BTreeMap<String, String>,
    /// Each top-level folder of that site, with the bytes of its files and of its `.ipa` files.
    #[serde(default)]
    sizes: BTreeMap<String, (u64, u64)>,
    /// Each app folder with a shard, with the icons its entries use.
    #[serde(default)]
    shards: BTreeMap<String, Vec<String>>,
}

/// One app folder's part of the cache.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Shard {
    version: String,
    /// By absolute archive path.
    entries: BTreeMap<PathBuf, Entry>,
    /// The generated files inside the app's folder, by path, with their fingerprints.
    pages: BTreeMap<String, String>,
}

/// The cache of one output folder.
pub struct Cache {
    dir: PathBuf,
    index: Index,
    /// The entries of every shard read, by absolute archive path.
    entries: BTreeMap<PathBuf, Entry>,
    /// The generated files of every shard read (and the site's own), by path.
    pages: BTreeMap<String, String>,
    /// The names of the files in the icon folder, listed once when first needed: checking
    /// that each of thousands of entries' icons exist is then no file system call.
    icons_present: std::sync::OnceLock<std::collections::HashSet<std::ffi::OsString>>,
    /// Why a cache on disk was discarded, for the verbose log.
    pub discarded: Option<String>,
}

impl Cache {
    /// The cache folder for an output folder.
    pub fn dir_for(output: &Path) -> PathBuf {
        crate::layout::beside::cache(output)
    }

    /// Opens the cache with every app's shard, starting empty when it is absent, unreadable,
    /// of another version, or any shard is.
    pub fn open(dir: PathBuf) -> Cache {
        let mut cache = Cache::open_index(dir);
        let all: Vec<String> = cache.index.shards.keys().cloned().collect();
        if let Err(why) = cache.load_shards(&all) {
            cache.discard(why);
        }
        cache
    }

    /// Opens the cache's site-wide index only: no archive's reading is known until the
    /// shards of its app are loaded ([`Cache::load_shards`]).
    pub fn open_index(dir: PathBuf) -> Cache {
        let (mut index, discarded) = match fs::read(dir.join(INDEX)) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Index::default(), None),
            Err(e) => (Index::default(), Some(format!("unreadable: {e}"))),
            Ok(bytes) => match serde_json::from_slice::<Index>(&bytes) {
                Ok(index) if index.version == CACHE_VERSION => (index, None),
                Ok(index) => (
                    Index::default(),
                    Some(format!("written by {}", index.version)),
                ),
                Err(e) => (Index::default(), Some(format!("corrupt: {e}"))),
            },
        };
        // The site's own pages join those of the shards read; saving writes a new index.
        let pages = std::mem::take(&mut index.pages);
        Cache {
            dir,
            index,
            entries: BTreeMap::new(),
            pages,
            icons_present: Default::default(),
            discarded,
        }
    }

    /// Reads the shards of the app folders `apps` (those the index lists), on every core.
    pub fn load_shards(&mut self, apps: &[String]) -> Result<(), String> {
        use rayon::prelude::*;
        let shards: Vec<Shard> = apps
            .par_iter()
            .filter(|app| self.index.shards.contains_key(*app))
            .map(|app| {
                let path = self.shard_path(app);
                let bytes = fs::read(&path).map_err(|e| format!("shard {app} unreadable: {e}"))?;
                let shard: Shard = serde_json::from_slice(&bytes)
                    .map_err(|e| format!("shard {app} corrupt: {e}"))?;
                if shard.version != CACHE_VERSION {
                    return Err(format!("shard {app} written by {}", shard.version));
                }
                Ok(shard)
            })
            .collect::<Result<_, String>>()?;
        for shard in shards {
            self.entries.extend(shard.entries);
            self.pages.extend(shard.pages);
        }
        Ok(())
    }

    /// Starts again from an empty cache, saying why.
    fn discard(&mut self, why: String) {
        self.index = Index::default();
        self.entries.clear();
        self.pages.clear();
        self.discarded = Some(why);
    }

    fn shard_path(&self, app: &str) -> PathBuf {
        self.dir.join(APPS).join(format!("{app}.json"))
    }

    /// The app folders the cache has a shard for.
    pub fn shards(&self) -> impl Iterator<Item = &String> {
        self.index.shards.keys()
    }

    /// The cached reading of `path` if the file is unchanged and its icons are still there.
    pub fn get(&self, path: &Path, key: FileKey) -> Option<&Entry> {
        let entry = self.entries.get(path)?;
        self.is_current(entry, key).then_some(entry)
    }

    /// Like [`Cache::get`], moving the reading out of the cache instead of copying it: each
    /// archive is looked up once per build, and [`Cache::save`] replaces every entry anyway.
    pub fn take(&mut self, path: &Path, key: FileKey) -> Option<Entry> {
        let entry = self.entries.remove(path)?;
        self.is_current(&entry, key).then_some(entry)
    }

    /// The fingerprints of the generated files and app folders of the current site (see
    /// [`Cache::pages`] and [`Cache::apps`]), moved out of the cache.
    pub fn take_fingerprints(&mut self) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
        (
            std::mem::take(&mut self.pages),
            std::mem::take(&mut self.index.apps),
        )
    }

    /// Whether `entry` is the reading of a file of key `key` whose icons are still there.
    fn is_current(&self, entry: &Entry, key: FileKey) -> bool {
        let icons_present = entry.icon_id.as_ref().is_none_or(|id| {
            let present = self.icons_present.get_or_init(|| self.list_icons());
            crate::layout::ICONS.iter().all(|&icon| {
                present.contains(std::ffi::OsStr::new(&format!("{id}{}", icon_suffix(icon))))
            })
        });
        // An archive retention left out was never hashed: placed later, it is hashed then.
        entry.key == key && icons_present
    }

    /// The names of the regular files in the icon folder (none when it cannot be listed).
    fn list_icons(&self) -> std::collections::HashSet<std::ffi::OsString> {
        let Ok(entries) = fs::read_dir(self.dir.join(ICONS)) else {
            return Default::default();
        };
        entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.file_name())
            .collect()
    }

    /// The rendered files of icon `id`.
    pub fn icon_files(&self, id: &str) -> IconFiles {
        IconFiles {
            small: self.icon_path(id, DISPLAY_IMAGE),
            large: self.icon_path(id, FULL_SIZE_IMAGE),
        }
    }

    /// The id of icons in this cache, from their files; None for files elsewhere.
    pub fn icon_id(&self, files: &IconFiles) -> Option<String> {
        let small = files.small.strip_prefix(self.dir.join(ICONS)).ok()?;
        let name = small.to_str()?;
        name.strip_suffix(&icon_suffix(DISPLAY_IMAGE))
            .map(str::to_string)
    }

    fn icon_path(&self, id: &str, icon: Icon) -> PathBuf {
        self.dir
            .join(ICONS)
            .join(format!("{id}{}", icon_suffix(icon)))
    }

    /// Renders and stores an icon, returning its id. Icons are keyed by their pixels: the
    /// builds of one app usually share an icon, which is then resized and encoded once.
    pub fn store_icons(&self, image: &crate::raster::RgbaImage) -> std::io::Result<String> {
        let id = icon_id(&[
            &image.width.to_le_bytes(),
            &image.height.to_le_bytes(),
            &image.pixels,
        ]);
        self.write_icons(id, |icon| image.square(icon.size).to_png())
    }

    /// Stores icons already rendered at 57 and 512 px (a deployed site's), returning their id.
    /// Keyed by their bytes; the caller has checked that both are standard PNGs of those sizes.
    pub fn store_rendered_icons(&self, small: &[u8], large: &[u8]) -> std::io::Result<String> {
        let id = icon_id(&[
            b"rendered",
            &(small.len() as u64).to_le_bytes(),
            small,
            large,
        ]);
        self.write_icons(id, |icon| {
            if icon == DISPLAY_IMAGE { small } else { large }.to_vec()
        })
    }

    /// Writes the files of icon `id` that are not there yet, one per manifest image.
    fn write_icons(&self, id: String, png: impl Fn(Icon) -> Vec<u8>) -> std::io::Result<String> {
        fs::create_dir_all(self.dir.join(ICONS))?;
        for icon in crate::layout::ICONS {
            write_once(&self.icon_path(&id, icon), || png(icon))?;
        }
        Ok(id)
    }

    /// The fingerprints of the generated files of the current site.
    pub fn pages(&self) -> &BTreeMap<String, String> {
        &self.pages
    }

    /// The fingerprints of the app folders of the current site, by folder.
    pub fn apps(&self) -> &BTreeMap<String, String> {
        &self.index.apps
    }

    /// The sizes of the top-level folders of the current site: (all files, `.ipa` files).
    pub fn sizes(&self) -> &BTreeMap<String, (u64, u64)> {
        &self.index.sizes
    }

    /// The fingerprint of the site whose pages [`Cache::pages`] describes.
    pub fn site(&self) -> Option<&str> {
        self.index.site.as_deref()
    }

    /// Replaces the cache with the shards `apps` (each app folder's entries by absolute archive
    /// path, and the pages under its folder), the shards of the app folders in `unchanged` as they are on disk, and the
    /// site's own pages, app folders and folder sizes of the site `site`; removes every
    /// other shard and the icons no entry uses.
    pub fn save(
        &mut self,
        apps: BTreeMap<String, BTreeMap<PathBuf, Entry>>,
        unchanged: &std::collections::BTreeSet<String>,
        mut pages: BTreeMap<String, String>,
        app_fingerprints: BTreeMap<String, String>,
        sizes: BTreeMap<String, (u64, u64)>,
        site: &str,
    ) -> std::io::Result<()> {
        use rayon::prelude::*;
        let mut shards: BTreeMap<String, Vec<String>> = self
            .index
            .shards
            .iter()
            .filter(|(app, _)| unchanged.contains(*app) && !apps.contains_key(*app))
            .map(|(app, icons)| (app.clone(), icons.clone()))
            .collect();
        let mut written = Vec::with_capacity(apps.len());
        for (app, entries) in apps {
            let prefix = crate::layout::app_path(&app);
            let app_pages: BTreeMap<String, String> = pages
                .range(prefix.clone()..)
                .take_while(|(path, _)| path.starts_with(&prefix))
                .map(|(path, key)| (path.clone(), key.clone()))
                .collect();
            for path in app_pages.keys() {
                pages.remove(path);
            }
            let mut icons: Vec<String> =
                entries.values().filter_map(|e| e.icon_id.clone()).collect();
            icons.sort();
            icons.dedup();
            shards.insert(app.clone(), icons);
            let shard = Shard {
                version: CACHE_VERSION.to_string(),
                entries,
                pages: app_pages,
            };
            written.push((app, shard));
        }
        fs::create_dir_all(self.dir.join(APPS))?;
        written
            .par_iter()
            .try_for_each(|(app, shard)| write_json(&self.shard_path(app), shard))?;
        self.index = Index {
            version: CACHE_VERSION.to_string(),
            pages,
            site: Some(site.to_string()),
            apps: app_fingerprints,
            sizes,
            shards,
        };
        write_json(&self.dir.join(INDEX), &self.index)?;
        self.remove_unused_shards();
        self.remove_unused_icons();
        Ok(())
    }

    /// Removes the shard files the index does not list.
    fn remove_unused_shards(&self) {
        let Ok(files) = fs::read_dir(self.dir.join(APPS)) else {
            return;
        };
        for file in files.flatten() {
            let name = file.file_name().to_string_lossy().into_owned();
            let listed = name
                .strip_suffix(".json")
                .is_some_and(|app| self.index.shards.contains_key(app));
            if !listed {
                let _ = fs::remove_file(file.path());
            }
        }
    }

    fn remove_unused_icons(&self) {
        let used: std::collections::HashSet<&str> = self
            .index
            .shards
            .values()
            .flatten()
            .map(String::as_str)
            .collect();
        let Ok(files) = fs::read_dir(self.dir.join(ICONS)) else {
            return;
        };
        for file in files.flatten() {
            let name = file.file_name().to_string_lossy().into_owned();
            let id = name.split('-').next().unwrap_or_default();
            if !used.contains(id) {
                let _ = fs::remove_file(file.path());
            }
        }
    }
}

/// Writes `value` as JSON to `path` through a temporary file renamed over it; streamed: a
/// shard of a large app is megabytes.
fn write_json(path: &Path, value: &impl Serialize) -> std::io::Result<()> {
    let tmp = path.with_extension("json.tmp");
    let mut out = std::io::BufWriter::with_capacity(1 << 16, fs::File::create(&tmp)?);
    serde_json::to_writer(&mut out, value)?;
    std::io::Write::flush(&mut out)?;
    drop(out);
    fs::rename(&tmp, path)
}

/// How the file of `icon` ends in the cache's icon folder: `-57.png`.
fn icon_suffix(icon: Icon) -> String {
    format!("-{}.png", icon.size)
}

/// An icon's id: the start of the SHA-256 of what identifies it.
fn icon_id(parts: &[&[u8]]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hex::encode(hasher.finalize())[..24].to_string()
}

/// Writes `target` unless it exists, through a temporary file unique to this thread: threads
/// reading builds of the same app may race to write the same icon.
fn write_once(target: &Path, bytes: impl FnOnce() -> Vec<u8>) -> std::io::Result<()> {
    if target.is_file() {
        return Ok(());
    }
    let writer = format!("{}-{:?}", std::process::id(), std::thread::current().id());
    let tmp = target.with_extension(format!("{}.tmp", writer.replace(['(', ')'], "")));
    fs::write(&tmp, bytes())?;
    fs::rename(&tmp, target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrupt_or_foreign_cache_is_discarded() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(INDEX), b"{not json").unwrap();
        let cache = Cache::open(dir.path().to_path_buf());
        assert!(cache.discarded.as_deref().unwrap().starts_with("corrupt"));
        fs::write(
            dir.path().join(INDEX),
            br#"{"version":"otasite-0.0.0","entries":{}}"#,
        )
        .unwrap();
        let cache = Cache::open(dir.path().to_path_buf());
        assert!(
            cache
                .discarded
                .as_deref()
                .unwrap()
                .contains("otasite-0.0.0")
        );
    }

    #[test]
    fn icons_are_found_again_by_their_id() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path().to_path_buf());
        let image = crate::raster::RgbaImage {
            width: 1,
            height: 1,
            pixels: vec![10, 20, 30, 255],
        };
        let id = cache.store_icons(&image).unwrap();
        let files = cache.icon_files(&id);
        let small = crate::raster::png_info(&fs::read(&files.small).unwrap()).unwrap();
        let large = crate::raster::png_info(&fs::read(&files.large).unwrap()).unwrap();
        assert_eq!((small.width, large.width), (57, 512));
        assert_eq!(cache.icon_id(&files).as_deref(), Some(id.as_str()));
        let elsewhere = IconFiles {
            small: dir.path().join(DISPLAY_IMAGE.file),
            large: dir.path().join(FULL_SIZE_IMAGE.file),
        };
        assert_eq!(cache.icon_id(&elsewhere), None);
    }
}
