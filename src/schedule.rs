//! Schedules: crontab lines (5 fields, or 6 with seconds, POSIX day-of-week) translated
//! for the `cron` crate, evaluated in the feed's time zone.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// A parsed schedule in a time zone.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// The line as the operator wrote it.
    pub line: String,
    /// The same line in the `cron` crate's dialect.
    pub translated: String,
    inner: cron::Schedule,
    tz: Tz,
}

impl Schedule {
    /// Parses a crontab line; the error says what is wrong.
    pub fn parse(line: &str, tz: Tz) -> Result<Self, String> {
        let translated = to_cron_crate(line)?;
        let inner = cron::Schedule::from_str(&translated).map_err(|e| e.to_string())?;
        Ok(Schedule {
            line: line.trim().to_string(),
            translated,
            inner,
            tz,
        })
    }

    /// The next fire times after `now`.
    pub fn upcoming(&self, now: DateTime<Utc>) -> impl Iterator<Item = DateTime<Utc>> + '_ {
        self.inner
            .after(&now.with_timezone(&self.tz))
            .map(|t| t.with_timezone(&Utc))
    }
}

fn day(tok: &str) -> Result<u32, String> {
    if let Ok(n) = tok.parse::<u32>() {
        return if n <= 7 {
            Ok(n)
        } else {
            Err(format!("day-of-week {n} is not in 0-7"))
        };
    }
    let t = tok.to_ascii_uppercase();
    DAYS.iter()
        .position(|d| t.len() >= 3 && t.starts_with(d))
        .map(|i| i as u32)
        .ok_or_else(|| format!("unknown day {tok:?}"))
}

fn dow_to_names(field: &str) -> Result<String, String> {
    if field == "*" || field == "?" {
        return Ok(field.into());
    }
    let mut on = [false; 7];
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (
                r,
                s.parse::<u32>()
                    .ok()
                    .filter(|&s| s > 0)
                    .ok_or_else(|| format!("bad step in {part:?}"))?,
            ),
            None => (part, 1),
        };
        let (lo, hi) = match range.split_once('-') {
            _ if range == "*" => (0, 6),
            Some((a, b)) => (day(a)?, day(b)?),
            None => {
                let d = day(range)?;
                (d, if step > 1 { 6 } else { d })
            }
        };
        if lo > hi {
            return Err(format!("descending day range {range:?}"));
        }
        (lo..=hi)
            .step_by(step as usize)
            .for_each(|d| on[(d % 7) as usize] = true);
    }
    if on.iter().all(|&b| b) {
        return Ok("*".into());
    }
    Ok(DAYS
        .iter()
        .zip(on)
        .filter(|p| p.1)
        .map(|p| *p.0)
        .collect::<Vec<_>>()
        .join(","))
}

/// Translates a crontab line into the `cron` crate's 6-field dialect with day names.
pub fn to_cron_crate(line: &str) -> Result<String, String> {
    let line = line.trim();
    if line.starts_with('@') {
        return Ok(line.into());
    }
    let mut f: Vec<&str> = line.split_whitespace().collect();
    match f.len() {
        5 => f.insert(0, "0"),
        6 => {}
        n => {
            return Err(format!(
                "expected 5 fields (minute hour day month weekday) or 6 (with seconds first), got {n}"
            ));
        }
    }
    let restricted = |s: &str| s != "*" && s != "?";
    if restricted(f[3]) && restricted(f[5]) {
        return Err("day-of-month and day-of-week are both set; crontab runs on either, which this scheduler cannot express: set one of them to *".into());
    }
    Ok(format!(
        "{} {} {} {} {} {}",
        f[0],
        f[1],
        f[2],
        f[3],
        f[4],
        dow_to_names(f[5])?
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, TimeZone, Timelike, Weekday};

    #[test]
    fn crontab_lines_translate_to_day_names() {
        let cases = [
            ("0 9 * * 1-5", "0 0 9 * * MON,TUE,WED,THU,FRI"),
            ("0 9 * * 0", "0 0 9 * * SUN"),
            ("0 9 * * 7", "0 0 9 * * SUN"),
            ("0 9 * * 5-7", "0 0 9 * * SUN,FRI,SAT"),
            ("0 9 * * 1-5/2", "0 0 9 * * MON,WED,FRI"),
            ("*/15 * * * *", "0 */15 * * * *"),
            ("30 0 9 * * 1", "30 0 9 * * MON"),
            ("0 9 * * 0-6", "0 0 9 * * *"),
        ];
        for (input, want) in cases {
            assert_eq!(to_cron_crate(input).unwrap(), want, "{input}");
            assert!(cron::Schedule::from_str(want).is_ok(), "{want}");
        }
        for bad in ["0 9 1 * 1", "0 9 * * 8", "0 9 * *"] {
            assert!(to_cron_crate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn weekdays_fire_monday_to_friday_in_the_feed_zone() {
        let s = Schedule::parse("0 9 * * 1-5", chrono_tz::Europe::Stockholm).unwrap();
        // Saturday 2026-11-28 12:00 UTC: next runs are Mon..Fri 09:00 Stockholm (08:00 UTC).
        let now = Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap();
        let next: Vec<_> = s.upcoming(now).take(5).collect();
        let days: Vec<Weekday> = next
            .iter()
            .map(|t| t.with_timezone(&chrono_tz::Europe::Stockholm).weekday())
            .collect();
        assert_eq!(
            days,
            [
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri
            ]
        );
        assert!(next.iter().all(|t| t.hour() == 8 && t.minute() == 0));
    }
}
