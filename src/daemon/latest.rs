//! Background work where only the newest request matters (compressing what is served,
//! writing a feed's files): a queue of one, worked by at most one thread at a time, and
//! optionally only once a burst of requests has settled.

use crate::lock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a burst of edits must pause before the daemon's background work starts.
/// Measured on 2 cores with 10,000 postings: writing and compressing every run's 550 MB
/// of feeds took the cores from the next run, which then served its edit about twice as late.
pub const QUIET: Duration = Duration::from_secs(1);
/// How long background work waits at most during an endless burst.
pub const LONGEST: Duration = Duration::from_secs(10);

/// The newest item waiting, and whether a thread is working.
pub struct Latest<T> {
    next: Mutex<Waiting<T>>,
    /// Work starts once offers have paused this long…
    quiet: Duration,
    /// …or this long after the first offer still waiting.
    longest: Duration,
    /// Items replaced while waiting, dropped by the worker: an item may hold the last
    /// reference to a run's files (hundreds of megabytes), and freeing them took the
    /// offering run 200-400 ms in a burst of edits.
    superseded: Mutex<Vec<T>>,
    busy: AtomicBool,
}

/// The item waiting, since when something has been waiting, and when it was offered.
struct Waiting<T> {
    item: Option<T>,
    first: Instant,
    last: Instant,
}

impl<T> Default for Latest<T> {
    /// Works each item as soon as a thread is free.
    fn default() -> Self {
        Self::settling(Duration::ZERO, Duration::ZERO)
    }
}

impl<T> Latest<T> {
    /// Works the newest item once offers have paused for `quiet`, or `longest` after the
    /// oldest offer still waiting.
    pub fn settling(quiet: Duration, longest: Duration) -> Self {
        let now = Instant::now();
        Latest {
            next: Mutex::new(Waiting {
                item: None,
                first: now,
                last: now,
            }),
            quiet,
            longest,
            superseded: Mutex::new(Vec::new()),
            busy: AtomicBool::new(false),
        }
    }

    /// The waiting item once it is due, waiting for that; `None` when nothing waits.
    /// Replaced items are dropped meanwhile: each may hold a run's files.
    fn take_when_due(&self) -> Option<T> {
        loop {
            drop(std::mem::take(&mut *lock(&self.superseded)));
            let mut waiting = lock(&self.next);
            waiting.item.as_ref()?;
            let due = (waiting.last + self.quiet).min(waiting.first + self.longest);
            let now = Instant::now();
            if now >= due {
                return waiting.item.take();
            }
            drop(waiting);
            // Looked at again now and then: a newer offer moves the time it is due.
            std::thread::sleep((due - now).min(Duration::from_millis(100)));
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
        let replaced = {
            let mut waiting = lock(&self.next);
            let now = Instant::now();
            if waiting.item.is_none() {
                waiting.first = now;
            }
            waiting.last = now;
            waiting.item.replace(item)
        };
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
                        let Some(item) = me.take_when_due() else {
                            break;
                        };
                        work(item);
                    }
                    me.busy.store(false, Ordering::SeqCst);
                    // Offered (or replaced) between the last look and now, with no thread taking it.
                    let nothing = lock(&me.next).item.is_none() && lock(&me.superseded).is_empty();
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
        !self.busy.load(Ordering::SeqCst) && lock(&self.next).item.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

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

    /// Records which thread dropped it.
    struct Tracked(Arc<Mutex<Vec<String>>>);

    impl Drop for Tracked {
        fn drop(&mut self) {
            let name = std::thread::current().name().unwrap_or("").to_string();
            self.0.lock().unwrap().push(name);
        }
    }

    #[test]
    fn items_replaced_while_a_burst_settles_are_dropped_without_waiting_for_it() {
        let hour = Duration::from_secs(3600);
        let latest: Arc<Latest<Tracked>> = Arc::new(Latest::settling(hour, hour));
        let dropped = Arc::new(Mutex::new(Vec::new()));
        for _ in 0..5 {
            latest.offer(Tracked(dropped.clone()), "test-settling", |_| {});
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while lock(&dropped).len() < 4 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        let names = lock(&dropped).clone();
        assert_eq!(names.len(), 4, "the four replaced items: {names:?}");
        assert!(names.iter().all(|n| n == "test-settling"), "{names:?}");
    }

    #[test]
    fn a_replaced_item_is_dropped_by_the_worker_not_by_the_thread_that_offered() {
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

    /// Offers items until `stop` says so or 20 s pass; what the worker worked, in order.
    fn offered_until(
        latest: &Arc<Latest<usize>>,
        gap: Duration,
        mut stop: impl FnMut(&[usize]) -> bool,
    ) -> Vec<usize> {
        let worked = Arc::new(Mutex::new(Vec::new()));
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut i = 0;
        while !stop(&lock(&worked)) && Instant::now() < deadline {
            let w = worked.clone();
            latest.offer(i, "test-settle", move |item| lock(&w).push(item));
            i += 1;
            std::thread::sleep(gap);
        }
        while !latest.idle() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        lock(&worked).clone()
    }

    #[test]
    fn a_quick_burst_is_worked_once_after_it_stops() {
        let latest = Arc::new(Latest::settling(
            Duration::from_secs(2),
            Duration::from_secs(60),
        ));
        let mut offers = 0;
        let worked = offered_until(&latest, Duration::ZERO, |_| {
            offers += 1;
            offers > 10
        });
        assert_eq!(worked, [9], "only the newest, once");
    }

    #[test]
    fn an_endless_burst_is_still_worked_after_the_longest_wait() {
        let latest = Arc::new(Latest::settling(
            Duration::from_secs(3600),
            Duration::from_millis(200),
        ));
        // Offers every 20 ms, far more often than the quiet time: only the longest wait
        // lets the worker start before the offers stop.
        let worked = offered_until(&latest, Duration::from_millis(20), |w| !w.is_empty());
        assert!(!worked.is_empty(), "nothing worked during the burst");
    }
}
