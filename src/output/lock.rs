//! One build at a time per output folder: an exclusive lock on a file beside it.
//!
//! Two builds writing one site would move each other's folders away mid-commit. The second
//! build waits for the first (saying so), and gives up with a clear message after a while.

use std::fs::{File, OpenOptions};
use std::path::Path;
use std::time::{Duration, Instant};

use super::OutputError;

/// How long a build waits for another build of the same output before giving up.
pub const WAIT_LIMIT: Duration = Duration::from_secs(30 * 60);
const POLL: Duration = Duration::from_millis(100);

/// Held for the whole build; released when dropped (or when the process dies).
pub struct OutputLock {
    _file: File,
}

impl OutputLock {
    /// Takes the lock of `output`, calling `waiting` once if another build holds it.
    pub fn acquire(output: &Path, waiting: impl FnOnce(&Path)) -> Result<OutputLock, OutputError> {
        // The file stays: deleting a lock file while another build waits on it would let a
        // third build take a different lock.
        let path = crate::layout::beside::lock(output);
        let folder = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(folder).map_err(super::io_error(folder))?;
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(super::io_error(&path))?;
        let started = Instant::now();
        let mut waiting = Some(waiting);
        loop {
            match fs4::FileExt::try_lock(&file) {
                Ok(()) => return Ok(OutputLock { _file: file }),
                Err(fs4::TryLockError::WouldBlock) => {
                    if let Some(say) = waiting.take() {
                        say(&path);
                    }
                    if started.elapsed() >= WAIT_LIMIT {
                        return Err(OutputError::Locked {
                            output: output.to_path_buf(),
                            lock: path,
                            minutes: WAIT_LIMIT.as_secs() / 60,
                        });
                    }
                    std::thread::sleep(POLL);
                }
                Err(fs4::TryLockError::Error(source)) => {
                    return Err(OutputError::Io { path, source });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_waits_until_the_first_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("dist");
        let first = OutputLock::acquire(&out, |_| panic!("nobody holds it yet")).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let out2 = out.clone();
        let waiter = std::thread::spawn(move || {
            let said = std::sync::atomic::AtomicBool::new(false);
            let lock = OutputLock::acquire(&out2, |_| {
                said.store(true, std::sync::atomic::Ordering::SeqCst);
                tx.send(()).unwrap();
            });
            (lock.is_ok(), said.into_inner())
        });
        rx.recv().unwrap();
        drop(first);
        assert_eq!(waiter.join().unwrap(), (true, true));
    }
}
