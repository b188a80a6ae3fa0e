//! Keeping peak memory near the live data while thousands of archives are read and their
//! pages rendered.
//!
//! Each archive read allocates and frees a few hundred kilobytes (inflated entries, the
//! decoded icon, resize and PNG buffers, the hash block) between small allocations that live
//! until the site is written. glibc's allocator keeps the freed holes in each thread's heap
//! instead of returning them, so over a thousand archives resident memory grew to several
//! times the live data (60–120 MB against under 12 MB). Handing the free pages back every
//! few dozen archives keeps it flat; doing it after every archive would cost more in page
//! faults than the reads themselves.
//!
//! Giving free pages back is not enough when the small allocations that stay are spread over
//! those pages: at 5,000 archives, 11 MB of facts kept about 80 MB resident in the reading
//! threads' heaps, one live chunk every few pages. [`settle`] copies each archive's facts on
//! a thread of its own, whose heap holds nothing else and so stays dense, and frees the
//! scattered original. Rendering is the same pattern (a page's context and text freed around
//! the few strings each page leaves behind): [`page_done`] gives free pages back during it.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

/// Archives handled between two returns of free memory.
const ARCHIVES_PER_TRIM: usize = 32;

/// Pages rendered between two returns of free memory: a page frees far less than an archive.
const PAGES_PER_TRIM: usize = 128;

static ARCHIVES_DONE: AtomicUsize = AtomicUsize::new(0);
static PAGES_DONE: AtomicUsize = AtomicUsize::new(0);

/// Call once per archive read or placed: every [`ARCHIVES_PER_TRIM`] calls, the allocator's
/// free pages go back to the system (glibc only; elsewhere a no-op).
pub fn archive_done() {
    if ARCHIVES_DONE.fetch_add(1, Ordering::Relaxed) % ARCHIVES_PER_TRIM == ARCHIVES_PER_TRIM - 1 {
        release_free_memory();
    }
}

/// Call once per page rendered: every [`PAGES_PER_TRIM`] calls, the allocator's free pages go
/// back to the system (glibc only; elsewhere a no-op).
pub fn page_done() {
    if PAGES_DONE.fetch_add(1, Ordering::Relaxed) % PAGES_PER_TRIM == PAGES_PER_TRIM - 1 {
        release_free_memory();
    }
}

/// Returns the allocator's free pages to the system (glibc only; elsewhere a no-op).
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Work for the keeper thread.
type Job = Box<dyn FnOnce() + Send>;

/// The thread that makes the copies [`settle`] returns, started on first use; `None` when it
/// could not be started.
static KEEPER: OnceLock<Option<mpsc::Sender<Job>>> = OnceLock::new();

/// `value`, copied on the keeper thread: its allocations land in that thread's heap, next to
/// the other values kept for the whole build, instead of between the freed buffers of the
/// thread that made it. The original is freed here. Without a keeper thread (it could not be
/// started), `value` itself.
pub fn settle<T: Clone + Send + 'static>(value: T) -> T {
    let Some(keeper) = KEEPER.get_or_init(start_keeper) else {
        return value;
    };
    let (reply, copied) = mpsc::sync_channel(1);
    let job: Job = Box::new(move || {
        let copy = value.clone();
        // The original goes back to be freed by its owner's thread.
        let _ = reply.send((copy, value));
    });
    if keeper.send(job).is_err() {
        unreachable!("the keeper thread runs until the process ends");
    }
    match copied.recv() {
        Ok((copy, _original)) => copy,
        Err(_) => unreachable!("the keeper thread answers every job"),
    }
}

/// [`settle`] when `scattered` (an archive was just read, between its freed buffers), else
/// `value` as it is (facts taken from the cache are already dense).
pub fn settle_if<T: Clone + Send + 'static>(scattered: bool, value: T) -> T {
    if scattered { settle(value) } else { value }
}

fn start_keeper() -> Option<mpsc::Sender<Job>> {
    let (jobs, incoming) = mpsc::channel::<Job>();
    std::thread::Builder::new()
        .name("otasite-keeper".into())
        .spawn(move || {
            for job in incoming {
                job();
            }
        })
        .ok()?;
    Some(jobs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settled_values_are_equal_copies() {
        let values: Vec<Vec<String>> = (0..50)
            .map(|i| (0..i).map(|j| format!("{i}-{j}")).collect())
            .collect();
        let settled: Vec<Vec<String>> = std::thread::scope(|scope| {
            let handles: Vec<_> = values
                .iter()
                .cloned()
                .map(|v| scope.spawn(move || settle(v)))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(settled, values);
    }
}
