//! Background work where only the newest request matters (compressing what is served,
//! writing a feed's files): a queue of one, worked by at most one thread at a time.

use crate::lock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The newest item waiting, and whether a thread is working.
pub struct Latest<T> {
    next: Mutex<Option<T>>,
    /// Items replaced while waiting, dropped by the worker: an item may hold the last
    /// reference to a run's files (hundreds of megabytes), and freeing them took the
    /// offering run 200-400 ms in a burst of edits.
    superseded: Mutex<Vec<T>>,
    busy: AtomicBool,
}

impl<T> Default for Latest<T> {
    fn default() -> Self {
        Latest {
            next: Mutex::new(None),
            superseded: Mutex::new(Vec::new()),
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
        let replaced = lock(&self.next).replace(item);
        // Only a waiting item is replaced, and a thread is bound to look at the queue again.
        lock(&self.superseded).extend(replaced);
        if self.busy.swap(true, Ordering::SeqCst) {
            return;
        }
        let me = self.clone();
        let spawned = std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                loop {
                    loop {
                        drop(std::mem::take(&mut *lock(&me.superseded)));
                        let Some(item) = lock(&me.next).take() else {
                            break;
                        };
                        work(item);
                    }
                    me.busy.store(false, Ordering::SeqCst);
                    // Offered (or replaced) between the last look and now, with no thread taking it.
                    let nothing = lock(&me.next).is_none() && lock(&me.superseded).is_empty();
                    if nothing || me.busy.swap(true, Ordering::SeqCst) {
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

    #[test]
    fn a_replaced_item_is_dropped_by_the_worker_not_by_the_thread_that_offered() {
        /// Records which thread dropped it.
        struct Tracked(Arc<Mutex<Vec<String>>>);
        impl Drop for Tracked {
            fn drop(&mut self) {
                let name = std::thread::current().name().unwrap_or("").to_string();
                self.0.lock().unwrap().push(name);
            }
        }
        let dropped = Arc::new(Mutex::new(Vec::new()));
        let latest: Arc<Latest<Tracked>> = Arc::default();
        let (started_tx, started) = std::sync::mpsc::channel::<()>();
        let (release, release_rx) = std::sync::mpsc::channel::<()>();
        let (started_tx, release_rx) = (Mutex::new(started_tx), Mutex::new(release_rx));
        let work = Arc::new(move |_item: Tracked| {
            let _ = lock(&started_tx).send(());
            let _ = lock(&release_rx).recv_timeout(Duration::from_secs(20));
        });
        let offer = |latest: &Arc<Latest<Tracked>>| {
            let work = work.clone();
            latest.offer(Tracked(dropped.clone()), "test-drops", move |i| work(i));
        };
        offer(&latest); // taken by the worker, which waits for `release`
        started.recv_timeout(Duration::from_secs(20)).unwrap();
        offer(&latest); // waits
        offer(&latest); // replaces the waiting one
        assert!(
            lock(&dropped).is_empty(),
            "the offering thread dropped the replaced item: {:?}",
            lock(&dropped)
        );
        for _ in 0..3 {
            let _ = release.send(());
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while (!latest.idle() || lock(&dropped).len() < 3) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        let names = lock(&dropped).clone();
        assert_eq!(names.len(), 3, "{names:?}");
        assert!(names.iter().all(|n| n == "test-drops"), "{names:?}");
    }
}
