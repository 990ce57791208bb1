use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One job posting in one language, after normalisation.
///
/// Everything a renderer needs is here, already checked and in canonical form:
/// ISO codes, enum values, absolute URLs, sanitised HTML.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Posting {
    /// Stable id: never changes for the same posting and language. Lower-case
    /// letters, digits, `-` and `_`; at most 64 characters.
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9_-]{0,63}$"))]
    pub id: String,
    /// Name of the feed source that produced the posting.
    pub source: String,
    /// Where the posting came from (file path or URL), for reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// BCP 47 language tag, lower-case primary subtag (`da`, `en`, `nb`, `sv`).
    #[schemars(regex(pattern = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"))]
    pub language: String,
    /// The job's title.
    #[schemars(length(min = 1))]
    pub title: String,
    /// The full description as sanitised HTML.
    #[schemars(length(min = 1))]
    pub description_html: super::Html,
    /// A short plain-text summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The canonical page of the posting.
    #[schemars(url)]
    pub url: String,
    /// Where and how to apply.
    pub apply: Apply,
    /// When the posting was first published.
    pub date_posted: DateTime<Utc>,
    /// When the posting stops accepting applications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_through: Option<DateTime<Utc>>,
    /// When the posting's content last changed.
    pub updated: DateTime<Utc>,
    /// Employment types, most specific first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub employment_types: Vec<EmploymentType>,
    /// The hiring organisation.
    // Shared: most postings of a feed name the feed's own.
    pub hiring_organization: std::sync::Arc<Organization>,
    /// Where the employee reports to work (offices), if anywhere.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Location>,
    /// On-site, hybrid or fully remote, with the countries remote applicants may live in.
    pub workplace: Workplace,
    /// Employer-stated pay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salary: Option<Salary>,
    /// Team or department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// Free categories (job functions, tags).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// Key shared by the translations of one posting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translation_group: Option<String>,
    /// The other languages of this posting (hreflang alternates).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternates: Vec<Alternate>,
    /// Fields a source knows that the canonical type does not model.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// How a candidate applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum Apply {
    /// An application form or page (http or https).
    Url {
        #[schemars(url)]
        url: String,
    },
    /// An e-mail address that receives applications.
    Email {
        #[schemars(email)]
        email: String,
    },
}

impl Apply {
    /// The link a candidate follows: the URL, or a `mailto:` link.
    pub fn href(&self) -> String {
        match self {
            Apply::Url { url } => url.clone(),
            Apply::Email { email } => format!("mailto:{email}"),
        }
    }
}

/// Google's `employmentType` values.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EmploymentType {
    FullTime,
    PartTime,
    Contractor,
    Temporary,
    Intern,
    Volunteer,
    PerDiem,
    Other,
}

impl EmploymentType {
    pub const ALL: [EmploymentType; 8] = [
        Self::FullTime,
        Self::PartTime,
        Self::Contractor,
        Self::Temporary,
        Self::Intern,
        Self::Volunteer,
        Self::PerDiem,
        Self::Other,
    ];

    /// The schema.org / Google spelling (`FULL_TIME`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FullTime => "FULL_TIME",
            Self::PartTime => "PART_TIME",
            Self::Contractor => "CONTRACTOR",
            Self::Temporary => "TEMPORARY",
            Self::Intern => "INTERN",
            Self::Volunteer => "VOLUNTEER",
            Self::PerDiem => "PER_DIEM",
            Self::Other => "OTHER",
        }
    }

    /// Parses the exact Google spelling.
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

impl fmt::Display for EmploymentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The organisation that hires.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Organization {
    #[schemars(length(min = 1))]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(url)]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(url)]
    pub logo: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub same_as: Vec<String>,
}

/// A postal address where the employee reports to work.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Location {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2 country code, upper case.
    #[schemars(regex(pattern = r"^[A-Z]{2}$"))]
    pub country: String,
}

impl Location {
    /// "Solna, Stockholm, SE"-style one-line label.
    pub fn label(&self) -> String {
        [&self.locality, &self.region]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .chain(std::iter::once(self.country.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Where the work is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Arrangement {
    /// At the employer's location.
    OnSite,
    /// Partly at the employer's location, partly remote.
    Hybrid,
    /// Fully remote (an office may be offered as an option).
    Remote,
}

impl Arrangement {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OnSite => "on-site",
            Self::Hybrid => "hybrid",
            Self::Remote => "remote",
        }
    }
}

/// The work arrangement and, for remote work, where applicants may live.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Workplace {
    pub arrangement: Arrangement,
    /// ISO 3166-1 alpha-2 codes of the countries remote applicants may live in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applicant_countries: Vec<String>,
}

/// Employer-stated pay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Salary {
    /// ISO 4217 currency code.
    #[schemars(regex(pattern = r"^[A-Z]{3}$"))]
    pub currency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// `HOUR`, `DAY`, `WEEK`, `MONTH` or `YEAR` (see [`SalaryUnit`]). Kept as text so
    /// that a source's wrong unit reaches the validation gate and is reported there.
    pub unit: String,
}

/// The period a salary figure covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum SalaryUnit {
    Hour,
    Day,
    Week,
    Month,
    Year,
}

impl SalaryUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hour => "HOUR",
            Self::Day => "DAY",
            Self::Week => "WEEK",
            Self::Month => "MONTH",
            Self::Year => "YEAR",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        [Self::Hour, Self::Day, Self::Week, Self::Month, Self::Year]
            .into_iter()
            .find(|u| u.as_str() == s)
    }
}

/// A translation of the posting.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Alternate {
    pub language: String,
    #[schemars(url)]
    pub url: String,
    /// The id of the translated posting.
    pub id: String,
}

/// The canonical order of postings in every output: newest first, then by id.
pub fn sort_postings(postings: &mut [Posting]) {
    postings.sort_by(canonical_order);
}

/// The order of postings in every output: newest first, then by id.
pub fn canonical_order(a: &Posting, b: &Posting) -> std::cmp::Ordering {
    b.date_posted
        .cmp(&a.date_posted)
        .then_with(|| a.id.cmp(&b.id))
}

/// A complete, valid example posting, for tests and documentation.
pub fn test_posting() -> Posting {
    use chrono::TimeZone;
    Posting {
        id: "platform-engineer-en".into(),
        source: "markdown".into(),
        origin: Some("content/en/career/platform-engineer.md".into()),
        language: "en".into(),
        title: "Platform Engineer".into(),
        description_html: "<p>Build and run our Kubernetes platform.</p><ul><li>Operate clusters</li><li>Automate upgrades</li></ul>".into(),
        summary: Some("Build and run our Kubernetes platform.".into()),
        url: "https://www.example.com/career/platform-engineer/".into(),
        apply: Apply::Url {
            url: "https://ats.example.net/jobs/123/apply".into(),
        },
        date_posted: Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap(),
        valid_through: Some(Utc.with_ymd_and_hms(2027, 1, 31, 23, 59, 59).unwrap()),
        updated: Utc.with_ymd_and_hms(2026, 11, 20, 8, 30, 0).unwrap(),
        employment_types: vec![EmploymentType::FullTime],
        hiring_organization: std::sync::Arc::new(Organization {
            name: "Example Cloud AB".into(),
            url: Some("https://www.example.com/".into()),
            logo: Some("https://www.example.com/logo.png".into()),
            same_as: vec![],
        }),
        locations: vec![Location {
            street: None,
            locality: Some("Stockholm".into()),
            region: None,
            postal_code: None,
            country: "SE".into(),
        }],
        workplace: Workplace {
            arrangement: Arrangement::Remote,
            applicant_countries: vec!["SE".into(), "NO".into()],
        },
        salary: Some(Salary {
            currency: "EUR".into(),
            min: Some(50000.0),
            max: Some(80000.0),
            unit: "YEAR".into(),
        }),
        team: Some("Platform".into()),
        categories: vec!["Engineering".into()],
        translation_group: Some("platform-engineer".into()),
        alternates: vec![],
        extra: BTreeMap::new(),
    }
}
