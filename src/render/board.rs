//! Indeed XML and every Indeed-compatible board (Talent.com, Jooble, Adzuna, ZipRecruiter …)
//! as a [`BoardProfile`]: one renderer, element names and date formats come from the profile.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::America::Chicago;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::text::decode_entities;
use super::xml::{Xml, rfc822, rfc3339};
use super::{Envelope, RenderContext, board_place, home_url, tracking};
use crate::config::OutputConfig;
use crate::model::{Arrangement, EmploymentType, Location, Posting, Salary};

/// A board dialect of the Indeed format: a `preset` plus optional overrides.
///
/// Every field but `preset` overrides what the preset says; an empty profile is Indeed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BoardProfile {
    /// The built-in dialect to start from (default `indeed`).
    #[serde(default)]
    pub preset: BoardPreset,
    /// Root element name (Indeed: `source`).
    #[serde(default)]
    pub root: Option<String>,
    /// Element name of one job (Indeed: `job`).
    #[serde(default)]
    pub job: Option<String>,
    /// Element renames, Indeed name → board name (e.g. `referencenumber` → `id`). Added to
    /// the preset's renames; a name mapped here wins.
    #[serde(default)]
    pub rename: BTreeMap<String, String>,
    /// If set, the job element carries the reference number in this attribute
    /// (Jooble: `<job id="…">`).
    #[serde(default)]
    pub id_attribute: Option<String>,
    /// How dates are written.
    #[serde(default)]
    pub date_format: Option<DateFormat>,
    /// Job content in `<![CDATA[…]]>` (Indeed: yes) or as escaped text.
    #[serde(default)]
    pub cdata: Option<bool>,
    /// Query parameters the board wants on job URLs (Talent.com: `source=talent`). The
    /// output's own `tracking` wins over these for the same name.
    #[serde(default)]
    pub tracking: BTreeMap<String, String>,
    /// Publisher name instead of the organisation's.
    #[serde(default)]
    pub publisher: Option<String>,
}

/// Built-in board dialects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum BoardPreset {
    /// Indeed's XML feed: `<source>`, ISO 8601, CDATA.
    #[default]
    Indeed,
    /// Talent.com: Indeed format, `lastbuilddate`, `source=talent` on URLs.
    Talent,
    /// Jooble: `<jobs>`, `<job id="…">`, dates `DD.MM.YYYY` (third-party description).
    Jooble,
    /// Adzuna: `<jobs>`, `<id>` for the reference number (third-party description).
    Adzuna,
    /// ZipRecruiter: Indeed-like (spec v1.4), `source=ziprecruiter` on URLs.
    Ziprecruiter,
}

/// How a board wants dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DateFormat {
    /// `2026-11-27T08:00:00Z`; expiration as a date `2026-11-27`.
    Iso8601,
    /// `Fri, 27 Nov 2026 08:00:00 GMT`.
    Rfc822,
    /// `27.11.2026` (Jooble).
    Dmy,
}

/// A profile with every name and option decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedProfile {
    pub root: String,
    pub job: String,
    pub rename: BTreeMap<String, String>,
    pub id_attribute: Option<String>,
    pub date_format: DateFormat,
    pub cdata: bool,
    pub tracking: BTreeMap<String, String>,
    pub publisher: Option<String>,
}

impl ResolvedProfile {
    /// The board's name for Indeed element `name`.
    pub fn name<'a>(&'a self, name: &'a str) -> &'a str {
        self.rename.get(name).map(String::as_str).unwrap_or(name)
    }
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

impl BoardPreset {
    /// The preset's dialect without overrides.
    pub fn resolved(self) -> ResolvedProfile {
        let indeed = ResolvedProfile {
            root: "source".into(),
            job: "job".into(),
            rename: BTreeMap::new(),
            id_attribute: None,
            date_format: DateFormat::Iso8601,
            cdata: true,
            tracking: BTreeMap::new(),
            publisher: None,
        };
        match self {
            BoardPreset::Indeed => indeed,
            BoardPreset::Talent => ResolvedProfile {
                rename: map(&[("lastBuildDate", "lastbuilddate")]),
                tracking: map(&[("source", "talent")]),
                ..indeed
            },
            BoardPreset::Jooble => ResolvedProfile {
                root: "jobs".into(),
                rename: map(&[
                    ("title", "name"),
                    ("url", "link"),
                    ("city", "region"),
                    ("date", "pubdate"),
                    ("expirationdate", "expire"),
                ]),
                id_attribute: Some("id".into()),
                date_format: DateFormat::Dmy,
                ..indeed
            },
            BoardPreset::Adzuna => ResolvedProfile {
                root: "jobs".into(),
                rename: map(&[("referencenumber", "id"), ("jobtype", "contract_time")]),
                ..indeed
            },
            BoardPreset::Ziprecruiter => ResolvedProfile {
                tracking: map(&[("source", "ziprecruiter")]),
                ..indeed
            },
        }
    }
}

impl BoardProfile {
    /// The preset with this profile's overrides applied.
    pub fn resolve(&self) -> ResolvedProfile {
        let mut r = self.preset.resolved();
        if let Some(v) = &self.root {
            r.root = v.clone();
        }
        if let Some(v) = &self.job {
            r.job = v.clone();
        }
        r.rename.extend(self.rename.clone());
        if self.id_attribute.is_some() {
            r.id_attribute = self.id_attribute.clone();
        }
        if let Some(v) = self.date_format {
            r.date_format = v;
        }
        if let Some(v) = self.cdata {
            r.cdata = v;
        }
        r.tracking.extend(self.tracking.clone());
        if self.publisher.is_some() {
            r.publisher = self.publisher.clone();
        }
        r
    }
}

/// True when `profile` renders exactly Indeed's own format (then the output is `Format::Indeed`).
pub fn is_standard(profile: Option<&BoardProfile>) -> bool {
    profile.is_none_or(|p| {
        p.preset == BoardPreset::Indeed && p.resolve() == BoardPreset::Indeed.resolved()
    })
}

/// One `<job>`: a posting at one office (or the one remote job of a posting without offices).
struct Instance<'a> {
    reference: String,
    location: Option<&'a Location>,
}

/// The job instances of `p`, one per office; reference numbers depend on the location
/// itself only, never on its position, so reordering offices changes nothing.
fn instances(p: &Posting) -> Vec<Instance<'_>> {
    if p.locations.len() <= 1 {
        return vec![Instance {
            reference: p.id.clone(),
            location: p.locations.first(),
        }];
    }
    let base = |l: &Location| {
        let place = l.locality.as_deref().or(l.region.as_deref()).unwrap_or("");
        let slug = slug(place);
        if slug.is_empty() {
            format!("{}-{}", p.id, l.country.to_ascii_lowercase())
        } else {
            format!("{}-{}-{slug}", p.id, l.country.to_ascii_lowercase())
        }
    };
    p.locations
        .iter()
        .map(|l| {
            let mut reference = base(l);
            // Two offices in one town: tell them apart by a hash of the whole address,
            // which, unlike a counter, does not depend on the order of the offices.
            if p.locations.iter().filter(|o| base(o) == reference).count() > 1 {
                let key = format!(
                    "{}|{}|{}|{}|{}",
                    l.street.as_deref().unwrap_or(""),
                    l.postal_code.as_deref().unwrap_or(""),
                    l.locality.as_deref().unwrap_or(""),
                    l.region.as_deref().unwrap_or(""),
                    l.country
                );
                let hash = blake3::hash(key.as_bytes()).to_hex();
                reference = format!("{reference}-{}", &hash[..8]);
            }
            Instance {
                reference,
                location: Some(l),
            }
        })
        .collect()
}

/// Lower-case ASCII slug of a place name (`Malmö C` → `malmo-c`).
pub fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        let folded: &str = match c {
            'a'..='z' | '0'..='9' => {
                out.push(c);
                continue;
            }
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ą' => "a",
            'æ' => "ae",
            'ç' | 'ć' | 'č' => "c",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
            'ì' | 'í' | 'î' | 'ï' => "i",
            'ł' => "l",
            'ñ' | 'ń' | 'ň' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ő' => "o",
            'ß' => "ss",
            'ś' | 'š' => "s",
            'ù' | 'ú' | 'û' | 'ü' | 'ű' | 'ů' => "u",
            'ý' | 'ÿ' => "y",
            'ź' | 'ż' | 'ž' => "z",
            'þ' => "th",
            'ð' => "d",
            _ => "-",
        };
        out.push_str(folded);
    }
    let mut slug = String::with_capacity(out.len());
    for part in out.split('-').filter(|s| !s.is_empty()) {
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(part);
    }
    slug
}

/// Indeed `jobtype` words for the posting's employment types (those Indeed knows).
pub fn jobtype(types: &[EmploymentType]) -> Option<String> {
    let mut words: Vec<&str> = Vec::new();
    for t in types {
        let w = match t {
            EmploymentType::FullTime => "fulltime",
            EmploymentType::PartTime => "parttime",
            EmploymentType::Contractor => "contract",
            EmploymentType::Temporary => "temporary",
            EmploymentType::Intern => "internship",
            _ => continue,
        };
        if !words.contains(&w) {
            words.push(w);
        }
    }
    (!words.is_empty()).then(|| words.join(", "))
}

/// Free-text salary as boards show it: `50000-80000 EUR per year`.
pub fn salary_text(s: &Salary) -> Option<String> {
    let n = |v: f64| {
        if v.fract() == 0.0 && v.abs() < 9.0e15 {
            format!("{}", v as i64)
        } else {
            format!("{v}")
        }
    };
    let amount = match (s.min, s.max) {
        (Some(a), Some(b)) if a == b => n(a),
        (Some(a), Some(b)) => format!("{}-{}", n(a), n(b)),
        (Some(a), None) => format!("from {}", n(a)),
        (None, Some(b)) => format!("up to {}", n(b)),
        (None, None) => return None,
    };
    let per = match s.unit.as_str() {
        "HOUR" => " per hour",
        "DAY" => " per day",
        "WEEK" => " per week",
        "MONTH" => " per month",
        "YEAR" => " per year",
        _ => "",
    };
    Some(format!("{amount} {}{per}", s.currency))
}

/// A time as the board's dialect writes it. A bare day is the day in the feed's time zone:
/// in UTC a posting dated 16 February in Stockholm (midnight, UTC+1) would show the 15th.
fn date(t: &DateTime<Utc>, f: DateFormat, tz: chrono_tz::Tz) -> String {
    match f {
        DateFormat::Iso8601 => rfc3339(t),
        DateFormat::Rfc822 => rfc822(t),
        DateFormat::Dmy => t.with_timezone(&tz).format("%d.%m.%Y").to_string(),
    }
}

/// The expiry as Indeed reads it: a calendar day in US Central time (CST/CDT). Chicago is
/// always behind UTC, so this day is never later than the UTC one: a job is never shown
/// as open after its `validThrough`.
pub fn expiration(t: &DateTime<Utc>, f: DateFormat) -> String {
    let local = t.with_timezone(&Chicago);
    match f {
        DateFormat::Iso8601 => local.format("%Y-%m-%d").to_string(),
        DateFormat::Rfc822 => local.to_rfc2822(),
        DateFormat::Dmy => local.format("%d.%m.%Y").to_string(),
    }
}

/// Renders the Indeed (or board-dialect) XML over `postings`.
pub fn render(postings: &[&Posting], out: &OutputConfig, ctx: &RenderContext<'_>) -> Vec<u8> {
    envelope(out, ctx).assemble(postings.iter().map(|p| item(p, out, ctx)))
}

/// The board document around its jobs: the root and the publisher's elements.
pub fn envelope(out: &OutputConfig, ctx: &RenderContext<'_>) -> Envelope {
    let prof = out.profile.clone().unwrap_or_default().resolve();
    let cd = prof.cdata;
    let org = &ctx.feed.organization;
    let mut x = Xml::new();
    x.open(&prof.root, &[]);
    x.content(
        prof.name("publisher"),
        prof.publisher.as_deref().unwrap_or(&org.name),
        cd,
    );
    x.content(prof.name("publisherurl"), &home_url(ctx), cd);
    x.content(
        prof.name("lastBuildDate"),
        &date(&ctx.updated, prof.date_format, ctx.feed.tz()),
        cd,
    );
    let at = x.len();
    x.close(&prof.root);
    x.into_envelope(at)
}

/// One posting's jobs (one per office), as they stand under the root.
pub fn item(p: &Posting, out: &OutputConfig, ctx: &RenderContext<'_>) -> Vec<u8> {
    let prof = out.profile.clone().unwrap_or_default().resolve();
    let cd = prof.cdata;
    let org = &ctx.feed.organization;
    let mut params = prof.tracking.clone();
    params.extend(out.tracking.clone());
    // Indeed rejects every entity, `&nbsp;` included: decode to characters, then CDATA.
    let plain = |s: &str| decode_entities(s);
    let mut x = Xml::fragment(1);
    let url = tracking::apply(&p.url, &params);
    let description = plain(&p.description_html.html());
    for inst in instances(p) {
        let attrs: Vec<(&str, &str)> = prof
            .id_attribute
            .as_deref()
            .map(|a| (a, inst.reference.as_str()))
            .into_iter()
            .collect();
        x.open(&prof.job, &attrs);
        let mut el = |name: &str, value: &str| x.content(prof.name(name), value, cd);
        el("title", &plain(&p.title));
        el(
            "date",
            &date(&p.date_posted, prof.date_format, ctx.feed.tz()),
        );
        el("referencenumber", &inst.reference);
        el("requisitionid", &p.id);
        el("url", &url);
        el("company", &plain(&p.hiring_organization.name));
        el("sourcename", &plain(&org.name));
        // No office of its own (a remote posting): Indeed still wants a place.
        let (office, country) = board_place(p, inst.location, ctx.feed);
        let country = country.unwrap_or("");
        let city = office.and_then(|l| l.locality.as_deref()).unwrap_or("");
        let state = office.and_then(|l| l.region.as_deref()).unwrap_or("");
        el("city", &plain(city));
        el("state", &plain(state));
        el("country", country);
        if let Some(l) = office {
            if let Some(v) = &l.postal_code {
                el("postalcode", &plain(v));
            }
            if let Some(v) = &l.street {
                el("streetaddress", &plain(v));
            }
        }
        // Empty when unset, on purpose: the gate rejects the file and names the config key.
        el("email", org.email.as_deref().unwrap_or(""));
        el("description", &description);
        if let Some(s) = p.salary.as_ref().and_then(salary_text) {
            el("salary", &s);
        }
        if let Some(j) = jobtype(&p.employment_types) {
            el("jobtype", &j);
        }
        let cats: Vec<String> = p
            .team
            .iter()
            .chain(&p.categories)
            .map(|c| plain(c))
            .collect();
        if !cats.is_empty() {
            let mut uniq: Vec<String> = Vec::new();
            for c in cats {
                if !uniq.contains(&c) {
                    uniq.push(c);
                }
            }
            el("category", &uniq.join(", "));
        }
        if let Some(v) = &p.valid_through {
            el("expirationdate", &expiration(v, prof.date_format));
        }
        match p.workplace.arrangement {
            Arrangement::Remote => el("remotetype", "Fully remote"),
            Arrangement::Hybrid => el("remotetype", "Hybrid remote"),
            Arrangement::OnSite => {}
        }
        x.close(&prof.job);
    }
    x.into_fragment()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::OutputKind;
    use crate::model::test_posting;
    use crate::render::test_feed;

    fn office(city: &str, country: &str) -> Location {
        Location {
            locality: Some(city.into()),
            country: country.into(),
            ..Location::default()
        }
    }

    fn render_with(ps: &[&Posting], out: &OutputConfig) -> String {
        let feed = test_feed();
        let ctx = RenderContext {
            feed: &feed,
            updated: ps[0].updated,
        };
        String::from_utf8(render(ps, out, &ctx)).unwrap()
    }

    fn indeed(ps: &[&Posting]) -> String {
        render_with(ps, &OutputConfig::of(OutputKind::Indeed))
    }

    #[test]
    fn indeed_job_children_follow_the_contract_order() {
        let s = indeed(&[&test_posting()]);
        let order = [
            "<title>",
            "<date>",
            "<referencenumber>",
            "<requisitionid>",
            "<url>",
            "<company>",
            "<sourcename>",
            "<city>",
            "<state>",
            "<country>",
            "<email>",
            "<description>",
            "<salary>",
            "<jobtype>",
            "<category>",
            "<expirationdate>",
            "<remotetype>",
        ];
        let pos: Vec<usize> = order
            .iter()
            .map(|t| s.find(t).unwrap_or_else(|| panic!("{t} in {s}")))
            .collect();
        assert!(pos.windows(2).all(|w| w[0] < w[1]), "{s}");
        assert!(s.find("<publisher>").unwrap() < s.find("<publisherurl>").unwrap());
        assert!(s.find("<publisherurl>").unwrap() < s.find("<lastBuildDate>").unwrap());
        assert!(
            s.contains("<salary><![CDATA[50000-80000 EUR per year]]></salary>"),
            "{s}"
        );
        assert!(s.contains("<jobtype><![CDATA[fulltime]]></jobtype>"), "{s}");
        assert!(
            s.contains("<remotetype><![CDATA[Fully remote]]></remotetype>"),
            "{s}"
        );
        assert!(
            s.contains("<email><![CDATA[jobs@example.com]]></email>"),
            "{s}"
        );
        assert!(
            s.contains("<date><![CDATA[2026-11-02T00:00:00Z]]></date>"),
            "{s}"
        );
    }

    #[test]
    fn indeed_content_has_no_html_entities_only_decoded_characters() {
        let mut p = test_posting();
        p.title = "R&amp;D Engineer".into();
        p.description_html = "<p>Fish&nbsp;&amp;&nbsp;chips &lt;3 &#8217; ]]> end</p>".into();
        p.url = "https://www.example.com/job?a=1&b=2".into();
        let s = indeed(&[&p]);
        assert!(s.contains("<title><![CDATA[R&D Engineer]]></title>"), "{s}");
        assert!(
            s.contains("<![CDATA[<p>Fish\u{a0}&\u{a0}chips <3 \u{2019} ]]]]><![CDATA[> end</p>]]>"),
            "{s}"
        );
        assert!(
            s.contains("<url><![CDATA[https://www.example.com/job?a=1&b=2]]></url>"),
            "{s}"
        );
        let job = &s[s.find("<job>").unwrap()..];
        for entity in ["&amp;", "&nbsp;", "&lt;", "&#"] {
            assert!(!job.contains(entity), "{entity} in {s}");
        }
    }

    #[test]
    fn reference_numbers_are_unique_per_office_and_stable_when_offices_reorder() {
        let mut p = test_posting();
        p.locations = vec![
            office("Malmö", "SE"),
            office("Oslo", "NO"),
            office("Oslo", "NO"),
        ];
        p.locations[2].street = Some("Karl Johans gate 1".into());
        let refs = |p: &Posting| -> Vec<String> {
            instances(p).into_iter().map(|i| i.reference).collect()
        };
        let a = refs(&p);
        assert_eq!(a[0], "platform-engineer-en-se-malmo");
        assert!(
            a[1].starts_with("platform-engineer-en-no-oslo-") && a[1] != a[2],
            "{a:?}"
        );
        p.locations.reverse();
        let mut b = refs(&p);
        b.reverse();
        assert_eq!(a, b);
        p.locations.truncate(1);
        assert_eq!(refs(&p), vec!["platform-engineer-en".to_string()]);
    }

    #[test]
    fn fully_remote_posting_without_office_is_one_job_in_first_applicant_country() {
        let mut p = test_posting();
        p.locations.clear();
        p.workplace.applicant_countries = vec!["DK".into(), "SE".into()];
        let s = indeed(&[&p]);
        assert_eq!(s.matches("<job>").count(), 1);
        assert!(s.contains("<city><![CDATA[]]></city>"), "{s}");
        assert!(s.contains("<country><![CDATA[DK]]></country>"), "{s}");
        assert!(
            s.contains("<remotetype><![CDATA[Fully remote]]></remotetype>"),
            "{s}"
        );
    }

    #[test]
    fn a_remote_posting_without_office_is_listed_at_the_feeds_default_office() {
        let mut p = test_posting();
        p.locations.clear();
        p.workplace.applicant_countries = vec!["AT".into(), "DK".into(), "SE".into()];
        let mut feed = test_feed();
        feed.defaults.locations = vec![Location {
            locality: Some("Stockholm".into()),
            country: "SE".into(),
            ..Default::default()
        }];
        let ctx = RenderContext {
            feed: &feed,
            updated: p.updated,
        };
        let out = OutputConfig::of(OutputKind::Indeed);
        let s = String::from_utf8(render(&[&p], &out, &ctx)).unwrap();
        assert!(s.contains("<city><![CDATA[Stockholm]]></city>"), "{s}");
        assert!(s.contains("<country><![CDATA[SE]]></country>"), "{s}");
        assert!(
            s.contains("<remotetype><![CDATA[Fully remote]]></remotetype>"),
            "{s}"
        );
    }

    #[test]
    fn a_bare_day_is_the_day_in_the_feeds_time_zone() {
        use chrono::TimeZone;
        // Midnight on 16 February in Stockholm (UTC+1) is still the 15th in UTC.
        let t = Utc.with_ymd_and_hms(2026, 2, 15, 23, 0, 0).unwrap();
        let stockholm = chrono_tz::Europe::Stockholm;
        assert_eq!(date(&t, DateFormat::Dmy, stockholm), "16.02.2026");
        assert_eq!(date(&t, DateFormat::Dmy, chrono_tz::UTC), "15.02.2026");
        // Full times are instants: the same either way.
        assert_eq!(
            date(&t, DateFormat::Iso8601, stockholm),
            date(&t, DateFormat::Iso8601, chrono_tz::UTC)
        );
    }

    #[test]
    fn expiration_date_is_the_chicago_calendar_day() {
        use chrono::TimeZone;
        // 03:00 UTC on 1 Feb is still 31 Jan in Chicago (CST, UTC-6).
        let t = Utc.with_ymd_and_hms(2027, 2, 1, 3, 0, 0).unwrap();
        assert_eq!(expiration(&t, DateFormat::Iso8601), "2027-01-31");
        assert_eq!(expiration(&t, DateFormat::Dmy), "31.01.2027");
        // Summer: CDT, UTC-5.
        let t = Utc.with_ymd_and_hms(2027, 7, 1, 4, 59, 0).unwrap();
        assert_eq!(expiration(&t, DateFormat::Iso8601), "2027-06-30");
    }

    #[test]
    fn default_and_explicit_indeed_profiles_are_standard_others_are_boards() {
        assert!(is_standard(None));
        assert!(is_standard(Some(&BoardProfile::default())));
        let talent = BoardProfile {
            preset: BoardPreset::Talent,
            ..BoardProfile::default()
        };
        assert!(!is_standard(Some(&talent)));
        let renamed = BoardProfile {
            rename: map(&[("referencenumber", "id")]),
            ..BoardProfile::default()
        };
        assert!(!is_standard(Some(&renamed)));
    }

    #[test]
    fn talent_preset_adds_source_talent_and_lowercase_lastbuilddate() {
        let mut out = OutputConfig::of(OutputKind::Indeed);
        out.profile = Some(BoardProfile {
            preset: BoardPreset::Talent,
            ..BoardProfile::default()
        });
        out.tracking.insert("utm_medium".into(), "feed".into());
        let s = render_with(&[&test_posting()], &out);
        assert!(
            s.contains("<lastbuilddate><![CDATA[2026-11-20T08:30:00Z]]></lastbuilddate>"),
            "{s}"
        );
        assert!(
            s.contains("platform-engineer/?source=talent&utm_medium=feed]]></url>"),
            "{s}"
        );
    }

    #[test]
    fn jooble_preset_uses_jobs_root_id_attribute_and_dmy_dates() {
        let mut out = OutputConfig::of(OutputKind::Indeed);
        out.profile = Some(BoardProfile {
            preset: BoardPreset::Jooble,
            ..BoardProfile::default()
        });
        let s = render_with(&[&test_posting()], &out);
        assert!(s.contains("<jobs>"), "{s}");
        assert!(s.contains(r#"<job id="platform-engineer-en">"#), "{s}");
        assert!(
            s.contains("<pubdate><![CDATA[02.11.2026]]></pubdate>"),
            "{s}"
        );
        assert!(s.contains("<expire><![CDATA[31.01.2027]]></expire>"), "{s}");
        assert!(
            s.contains("<name><![CDATA[Platform Engineer]]></name>"),
            "{s}"
        );
    }

    #[test]
    fn profile_overrides_win_over_the_preset_and_parse_from_toml() {
        let p: BoardProfile = toml::from_str(
            "preset = \"adzuna\"\ncdata = false\nrename = { title = \"jobtitle\" }\npublisher = \"Example Group\"",
        )
        .unwrap();
        let r = p.resolve();
        assert_eq!(r.root, "jobs");
        assert_eq!(r.name("referencenumber"), "id");
        assert_eq!(r.name("title"), "jobtitle");
        assert!(!r.cdata);
        assert!(toml::from_str::<BoardProfile>("rooot = \"x\"").is_err());
        let mut out = OutputConfig::of(OutputKind::Indeed);
        out.profile = Some(p);
        let s = render_with(&[&test_posting()], &out);
        assert!(s.contains("<publisher>Example Group</publisher>"), "{s}");
        assert!(s.contains("<jobtitle>Platform Engineer</jobtitle>"), "{s}");
    }

    #[test]
    fn slug_folds_nordic_letters_and_collapses_separators() {
        assert_eq!(slug("Malmö C"), "malmo-c");
        assert_eq!(slug("  København / Ø "), "kobenhavn-o");
        assert_eq!(slug("Tromsø"), "tromso");
        assert_eq!(slug("東京"), "");
    }

    #[test]
    fn missing_organisation_email_renders_empty_for_the_gate_to_reject() {
        let mut feed = test_feed();
        feed.organization.email = None;
        let p = test_posting();
        let ctx = RenderContext {
            feed: &feed,
            updated: p.updated,
        };
        let s =
            String::from_utf8(render(&[&p], &OutputConfig::of(OutputKind::Indeed), &ctx)).unwrap();
        assert!(s.contains("<email><![CDATA[]]></email>"), "{s}");
    }
}
