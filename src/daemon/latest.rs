//! Background work where only the newest request matters (compressing what is served,
//! writing a feed's files): a queue of one, worked by at most one thread at a time, at a
//! lower CPU priority than runs and requests.

use crate::lock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The newest item waiting, and whether a thread is working.
pub struct Latest<T> {
    next: Mutex<Option<T>>,
    busy: AtomicBool,
}

impl<T> Default for Latest<T> {
    fn default() -> Self {
        Latest {
            next: Mutex::new(None),
            busy: AtomicBool::new(false),
        }
    }
}

impl<T: Send + 'static> Latest<T> {
    /// Queues `item` (replacing one still waiting) and makes sure a thread named `name`
    /// runs `work` on it. A thread already working takes it when done with its own item,
    /// with the `work` it was started with: every offer must pass the same work.
    pub fn offer<F>(self: &Arc<Self>, item: T, name: &str, work: F)
    where
        F: Fn(T) + Send + 'static,
    {
        *lock(&self.next) = Some(item);
        if self.busy.swap(true, Ordering::SeqCst) {
            return;
        }
        let me = self.clone();
        let spawned = std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                lower_priority();
                loop {
                    while let Some(item) = lock(&me.next).take() {
                        work(item);
                    }
                    me.busy.store(false, Ordering::SeqCst);
                    // Offered between the last look and now, with no thread taking it.
                    if lock(&me.next).is_none() || me.busy.swap(true, Ordering::SeqCst) {
                        break;
                    }
                }
            });
        if let Err(e) = spawned {
            self.busy.store(false, Ordering::SeqCst);
            tracing::error!(error = %e, thread = name, "No thread for background work; it is done after the next run.");
        }
    }

    /// Whether nothing is being worked on or waiting.
    pub fn idle(&self) -> bool {
        !self.busy.load(Ordering::SeqCst) && lock(&self.next).is_none()
    }
}

/// How much nicer than the rest of the process background threads run.
const NICER: i32 = 10;

/// Lowers the calling thread's CPU priority by [`NICER`] (Linux priorities are per
/// thread). Measured on 2 cores: with a burst of edits, the disk writer and the compressor
/// took three fifths of the CPU while the next run waited for it.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{getpriority_process, setpriority_process};
        let me = Some(rustix::thread::gettid());
        let lowered = getpriority_process(me)
            .and_then(|nice| setpriority_process(me, (nice + NICER).min(19)));
        if let Err(e) = lowered {
            tracing::debug!(error = %e, "Background work runs at the usual priority.");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::time::{Duration, Instant};

    #[test]
    fn a_burst_is_worked_one_at_a_time_and_ends_with_the_newest() {
        let latest: Arc<Latest<usize>> = Arc::default();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let running = Arc::new(AtomicUsize::new(0));
        for i in 0..50 {
            let (seen, running) = (seen.clone(), running.clone());
            latest.offer(i, "test-latest", move |item| {
                assert_eq!(running.fetch_add(1, Ordering::SeqCst), 0, "two at once");
                std::thread::sleep(Duration::from_millis(20));
                seen.lock().unwrap().push(item);
                running.fetch_sub(1, Ordering::SeqCst);
            });
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while !latest.idle() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        let seen = seen.lock().unwrap();
        assert_eq!(seen.last(), Some(&49), "{seen:?}");
        assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
        assert!(
            seen.len() < 50,
            "waiting items are replaced, not queued: {seen:?}"
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn background_work_runs_nicer_than_the_thread_that_offered_it() {
        use rustix::process::getpriority_process;
        let mine = getpriority_process(Some(rustix::thread::gettid())).unwrap();
        let latest: Arc<Latest<()>> = Arc::default();
        let (tx, rx) = std::sync::mpsc::channel();
        let tx = Mutex::new(tx);
        latest.offer((), "test-nice", move |()| {
            let nice = getpriority_process(Some(rustix::thread::gettid())).unwrap();
            lock(&tx).send(nice).unwrap();
        });
        let theirs = rx.recv_timeout(Duration::from_secs(20)).unwrap();
        assert_eq!(theirs, (mine + NICER).min(19));
        assert_eq!(
            getpriority_process(Some(rustix::thread::gettid())).unwrap(),
            mine,
            "the offering thread keeps its priority"
        );
    }
}
