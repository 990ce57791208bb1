//! Per-feed schedule loops: fire at the cron times in the feed's zone, with a small
//! per-feed jitter, and back off after failed runs. Time is injected for tests.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::schedule::Schedule;

/// Where the loop reads wall-clock time.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

/// The real clock.
#[derive(Debug, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Wall-clock time that follows tokio's clock, so a paused test clock drives it.
#[derive(Debug, Clone, Copy)]
pub struct TokioClock {
    pub base: DateTime<Utc>,
    pub start: tokio::time::Instant,
}

impl TokioClock {
    pub fn starting_at(base: DateTime<Utc>) -> Self {
        TokioClock {
            base,
            start: tokio::time::Instant::now(),
        }
    }
}

impl Clock for TokioClock {
    fn now(&self) -> DateTime<Utc> {
        self.base + chrono::Duration::from_std(self.start.elapsed()).unwrap_or_default()
    }
}

/// Up to 3 s, fixed per feed: spreads feeds with the same schedule without randomness.
pub fn jitter(feed: &str) -> Duration {
    let h = blake3::hash(feed.as_bytes());
    let n = u16::from_le_bytes([h.as_bytes()[0], h.as_bytes()[1]]);
    Duration::from_millis(u64::from(n) % 3000)
}

/// Minimum wait after `failures` consecutive failed runs: 30 s doubling to at most 1 h.
pub fn backoff(failures: u32) -> Duration {
    if failures == 0 {
        return Duration::ZERO;
    }
    let secs = 30u64.saturating_mul(1u64 << (failures - 1).min(20));
    Duration::from_secs(secs.min(3600))
}

/// How long to wait from `now` before the next run; `None` if the schedule never fires again.
pub fn next_delay(
    schedule: &Schedule,
    now: DateTime<Utc>,
    after: DateTime<Utc>,
    failures: u32,
    feed: &str,
) -> Option<(DateTime<Utc>, Duration)> {
    let fire = schedule.upcoming(after.max(now)).next()?;
    let wait = (fire - now).to_std().unwrap_or_default() + jitter(feed);
    Some((fire, wait.max(backoff(failures))))
}

/// Fires `trigger(feed)` at every scheduled time until the task is aborted.
pub async fn run<C: Clock>(
    feed: String,
    schedule: Schedule,
    failures: Arc<AtomicU32>,
    clock: C,
    trigger: impl Fn(&str) + Send + 'static,
) {
    let mut last = clock.now();
    loop {
        let now = clock.now();
        let Some((fire, wait)) = next_delay(
            &schedule,
            now,
            last,
            failures.load(Ordering::Relaxed),
            &feed,
        ) else {
            tracing::warn!(feed = %feed, "Schedule has no future fire times.");
            return;
        };
        tokio::time::sleep(wait).await;
        // Never fire the same slot twice, even if the timer wakes a little early.
        last = fire.max(clock.now());
        trigger(&feed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::sync::Mutex;

    type Fired = Arc<Mutex<Vec<DateTime<Utc>>>>;

    fn record() -> (Fired, impl Fn(DateTime<Utc>)) {
        let fired: Fired = Arc::new(Mutex::new(Vec::new()));
        let f = fired.clone();
        (fired, move |t| f.lock().unwrap().push(t))
    }

    async fn drive(
        line: &str,
        tz: chrono_tz::Tz,
        start: DateTime<Utc>,
        hours: u64,
        failures: u32,
    ) -> Vec<DateTime<Utc>> {
        let clock = TokioClock::starting_at(start);
        let (fired, push) = record();
        let schedule = Schedule::parse(line, tz).unwrap();
        let task = tokio::spawn(run(
            "feed".into(),
            schedule,
            Arc::new(AtomicU32::new(failures)),
            clock,
            move |_| push(clock.now()),
        ));
        tokio::time::sleep(Duration::from_secs(hours * 3600)).await;
        task.abort();
        fired.lock().unwrap().clone()
    }

    #[tokio::test(start_paused = true)]
    async fn five_field_line_fires_every_fifteen_minutes() {
        let start = Utc.with_ymd_and_hms(2026, 11, 28, 10, 1, 0).unwrap();
        let fired = drive("*/15 * * * *", chrono_tz::UTC, start, 1, 0).await;
        let minutes: Vec<u32> = fired.iter().map(chrono::Timelike::minute).collect();
        assert_eq!(minutes, [15, 30, 45, 0]);
    }

    #[tokio::test(start_paused = true)]
    async fn six_field_line_with_seconds_fires_at_that_second() {
        let start = Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap();
        let fired = drive("30 */20 * * * *", chrono_tz::UTC, start, 1, 0).await;
        assert_eq!(fired.len(), 3);
        // At second 30 of minutes 0, 20, 40, plus the feed's fixed jitter (< 3 s).
        assert!(
            fired
                .iter()
                .all(|t| (30..33).contains(&chrono::Timelike::second(t))),
            "{fired:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn posix_weekdays_in_the_feed_zone_skip_the_weekend() {
        // Friday 2026-11-27 12:00 UTC to Tuesday 12:00 UTC: Monday and Tuesday 09:00 Oslo,
        // nothing on Saturday or Sunday (the cron crate alone would read 1-5 as Sun-Thu).
        let start = Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap();
        let fired = drive("0 9 * * 1-5", chrono_tz::Europe::Oslo, start, 96, 0).await;
        let local: Vec<_> = fired
            .iter()
            .map(|t| t.with_timezone(&chrono_tz::Europe::Oslo))
            .collect();
        let days: Vec<_> = local.iter().map(chrono::Datelike::weekday).collect();
        assert_eq!(
            days,
            [chrono::Weekday::Mon, chrono::Weekday::Tue],
            "{fired:?}"
        );
        assert!(local.iter().all(|t| chrono::Timelike::hour(t) == 9));
    }

    #[tokio::test(start_paused = true)]
    async fn failures_back_off_instead_of_firing_every_minute() {
        let start = Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 30).unwrap();
        let healthy = drive("* * * * *", chrono_tz::UTC, start, 1, 0).await;
        let failing = drive("* * * * *", chrono_tz::UTC, start, 1, 4).await;
        assert_eq!(healthy.len(), 60);
        // 4 failures: at least 240 s between runs.
        assert!(failing.len() <= 15, "{}", failing.len());
        assert!(
            failing
                .windows(2)
                .all(|w| (w[1] - w[0]).num_seconds() >= 240)
        );
    }

    #[test]
    fn backoff_doubles_and_caps_at_an_hour() {
        assert_eq!(backoff(0), Duration::ZERO);
        assert_eq!(backoff(1), Duration::from_secs(30));
        assert_eq!(backoff(3), Duration::from_secs(120));
        assert_eq!(backoff(30), Duration::from_secs(3600));
    }
}
