//! Dates as sources write them: RFC 3339, `YYYY-MM-DD HH:MM:SS` (optionally ` UTC`), `YYYY-MM-DD`.
//! Dates without a zone are read in the feed's time zone.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Parses one date; the error says what was expected.
pub fn parse(text: &str, tz: Tz) -> Result<DateTime<Utc>, String> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Ok(d.with_timezone(&Utc));
    }
    if let Some(rest) = t.strip_suffix(" UTC")
        && let Ok(d) = NaiveDateTime::parse_from_str(rest.trim(), "%Y-%m-%d %H:%M:%S")
    {
        return Ok(Utc.from_utc_datetime(&d));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(t, fmt) {
            return local(d, tz);
        }
    }
    if let Ok(d) = DateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S %z") {
        return Ok(d.with_timezone(&Utc));
    }
    match NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        Ok(d) => local(d.and_hms_opt(0, 0, 0).expect("midnight exists"), tz),
        Err(e) => Err(format!(
            "{e}; expected YYYY-MM-DD or an RFC 3339 date-time such as 2026-11-27T09:00:00+01:00"
        )),
    }
}

fn local(d: NaiveDateTime, tz: Tz) -> Result<DateTime<Utc>, String> {
    tz.from_local_datetime(&d)
        .earliest()
        .map(|d| d.with_timezone(&Utc))
        .ok_or_else(|| format!("{d} does not exist in time zone {tz}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_source_form() {
        let utc = chrono_tz::UTC;
        assert_eq!(
            parse("2026-02-16", utc).unwrap().to_rfc3339(),
            "2026-02-16T00:00:00+00:00"
        );
        assert_eq!(
            parse("2026-08-05 09:41:37 UTC", utc).unwrap().to_rfc3339(),
            "2026-08-05T09:41:37+00:00"
        );
        assert_eq!(
            parse("2026-03-01T10:00:00+01:00", utc)
                .unwrap()
                .to_rfc3339(),
            "2026-03-01T09:00:00+00:00"
        );
    }

    #[test]
    fn bare_dates_are_local_to_the_feed_zone() {
        let d = parse("2026-06-01", chrono_tz::Europe::Stockholm).unwrap();
        assert_eq!(d.to_rfc3339(), "2026-05-31T22:00:00+00:00");
    }

    #[test]
    fn impossible_dates_are_rejected_with_the_expected_form() {
        let e = parse("2026-13-45", chrono_tz::UTC).unwrap_err();
        assert!(e.contains("expected YYYY-MM-DD"), "{e}");
    }
}
