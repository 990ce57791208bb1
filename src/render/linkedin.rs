//! LinkedIn job-wrapping XML (Basic Jobs feed): one `<job>` per posting at its first office.
//! Element order is the gate's contract; `partnerJobId` is kept within LinkedIn's 40 chars.

use super::text::decode_html_entities_keep_markup;
use super::xml::{Xml, rfc822, rfc3339};
use super::{Envelope, RenderContext, board_place, home_url, tracking};
use crate::config::OutputConfig;
use crate::model::{Apply, Arrangement, EmploymentType, Posting};

/// LinkedIn's limit for `partnerJobId`.
pub const MAX_PARTNER_JOB_ID: usize = 40;

/// The posting id if it fits in 40 characters, else its first 27 characters, `-` and
/// 12 hex digits of its blake3 hash: still unique, and stable across runs.
pub fn partner_job_id(id: &str) -> String {
    if id.chars().count() <= MAX_PARTNER_JOB_ID {
        return id.to_string();
    }
    let head: String = id.chars().take(27).collect();
    let hash = blake3::hash(id.as_bytes()).to_hex();
    format!("{head}-{}", &hash[..12])
}

/// LinkedIn's `jobtype` for the first employment type it knows.
pub fn jobtype(types: &[EmploymentType]) -> Option<&'static str> {
    types.iter().find_map(|t| match t {
        EmploymentType::FullTime => Some("FULL_TIME"),
        EmploymentType::PartTime => Some("PART_TIME"),
        EmploymentType::Contractor => Some("CONTRACT"),
        EmploymentType::Temporary => Some("TEMPORARY"),
        EmploymentType::Intern => Some("INTERNSHIP"),
        EmploymentType::Volunteer => Some("VOLUNTEER"),
        _ => None,
    })
}

/// Why LinkedIn would refuse `p`, if it would: it wants at least 100 characters of
/// description and an https link to apply. Such a posting is left out of this feed only.
pub fn eligible(p: &Posting) -> Result<(), String> {
    let chars = text_chars_up_to(&p.description_html.html(), 100);
    if chars < 100 {
        return Err(format!(
            "left out of the LinkedIn feed: its description has {chars} characters of text and LinkedIn needs at least 100"
        ));
    }
    let https_apply = matches!(&p.apply, Apply::Url { url } if url.starts_with("https://"));
    if !https_apply && !p.url.starts_with("https://") {
        return Err("left out of the LinkedIn feed: LinkedIn needs an https link to apply or to the posting page".into());
    }
    Ok(())
}

/// The characters of text in `html`, exactly when fewer than `enough`. The text of the
/// HTML up to a tag's end is a prefix of the whole text, so a long description is decided
/// on its first few kilobytes (this runs for every posting on every run).
fn text_chars_up_to(html: &str, enough: usize) -> usize {
    let count = |h: &str| super::text::html_to_text(h).chars().count();
    let head = html
        .char_indices()
        .nth(enough * 16)
        .and_then(|(cut, _)| html[..cut].rfind('>'))
        .map(|end| &html[..=end]);
    match head.map(count) {
        Some(n) if n >= enough => n,
        _ => count(html),
    }
}

/// Renders the LinkedIn XML over `postings`.
pub fn render(postings: &[&Posting], out: &OutputConfig, ctx: &RenderContext<'_>) -> Vec<u8> {
    envelope(postings.len(), out, ctx).assemble(postings.iter().map(|p| item(p, out, ctx)))
}

/// The LinkedIn document around its `count` jobs: the root and the publisher's elements.
pub fn envelope(count: usize, _out: &OutputConfig, ctx: &RenderContext<'_>) -> Envelope {
    let org = &ctx.feed.organization;
    let mut x = Xml::new();
    x.open("source", &[]);
    x.cdata("lastBuildDate", &rfc822(&ctx.updated));
    x.cdata("publisherUrl", &home_url(ctx));
    x.cdata("publisher", &org.name);
    x.text("expectedJobCount", &count.to_string());
    let at = x.len();
    x.close("source");
    x.into_envelope(at)
}

/// One posting's `<job>`, as it stands under the root.
pub fn item(p: &Posting, out: &OutputConfig, ctx: &RenderContext<'_>) -> Vec<u8> {
    let org = &ctx.feed.organization;
    let mut x = Xml::fragment(1);
    x.open("job", &[]);
    x.cdata("partnerJobId", &partner_job_id(&p.id));
    x.cdata("company", &p.hiring_organization.name);
    x.cdata("title", &p.title);
    x.cdata(
        "description",
        &decode_html_entities_keep_markup(&p.description_html.html()),
    );
    let page = tracking::apply(&p.url, &out.tracking);
    // LinkedIn wants an https apply link; e-mail applications go through the job page.
    let apply = match &p.apply {
        Apply::Url { url } if url.starts_with("https://") => tracking::apply(url, &out.tracking),
        _ => page,
    };
    x.cdata("applyUrl", &apply);
    // Empty when unset, on purpose: the gate rejects the file and names the config key.
    x.cdata(
        "companyId",
        org.linkedin_company_id.as_deref().unwrap_or(""),
    );
    // No office of its own (a remote posting): LinkedIn still wants a place.
    let (office, country) = board_place(p, p.locations.first(), ctx.feed);
    let label = match office {
        Some(l) => l.label(),
        None => country.unwrap_or("").to_string(),
    };
    x.cdata("location", &label);
    if let Some(l) = office {
        if let Some(v) = &l.locality {
            x.cdata("city", v);
        }
        if let Some(v) = &l.region {
            x.cdata("state", v);
        }
    }
    if let Some(c) = country {
        x.cdata("country", c);
    }
    if let Some(v) = office.and_then(|l| l.postal_code.as_ref()) {
        x.cdata("postalCode", v);
    }
    let workplace = match p.workplace.arrangement {
        Arrangement::OnSite => "On-site",
        Arrangement::Hybrid => "Hybrid",
        Arrangement::Remote => "Remote",
    };
    x.cdata("workplaceTypes", workplace);
    if let Some(t) = jobtype(&p.employment_types) {
        x.cdata("jobtype", t);
    }
    let poster = org
        .poster_email
        .as_deref()
        .or(org.email.as_deref())
        .unwrap_or("");
    x.cdata("posterEmail", poster);
    x.cdata("listDate", &rfc3339(&p.date_posted));
    if let Some(v) = &p.valid_through {
        x.cdata("expirationDate", &rfc3339(v));
    }
    x.close("job");
    x.into_fragment()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::OutputKind;
    use crate::model::test_posting;
    use crate::render::test_feed;

    fn linkedin(ps: &[&Posting]) -> String {
        let feed = test_feed();
        let ctx = RenderContext {
            feed: &feed,
            updated: ps[0].updated,
        };
        String::from_utf8(render(ps, &OutputConfig::of(OutputKind::Linkedin), &ctx)).unwrap()
    }

    #[test]
    fn partner_job_id_never_exceeds_40_chars_and_stays_unique() {
        let short = "a".repeat(40);
        assert_eq!(partner_job_id(&short), short);
        let a = partner_job_id(&"b".repeat(64));
        let b = partner_job_id(&format!("{}c", "b".repeat(63)));
        assert_eq!(a.chars().count(), 40);
        assert_eq!(b.chars().count(), 40);
        assert_ne!(a, b);
        assert_eq!(a, partner_job_id(&"b".repeat(64)));
    }

    #[test]
    fn a_remote_posting_without_office_is_placed_in_its_languages_country_not_the_first() {
        let mut p = test_posting();
        p.locations.clear();
        p.language = "nb".into();
        p.workplace.applicant_countries = crate::normalise::country::expand(&["Europe".into()]).0;
        let mut feed = test_feed();
        feed.defaults.locations.clear();
        let ctx = RenderContext {
            feed: &feed,
            updated: p.updated,
        };
        let out = OutputConfig::of(OutputKind::Linkedin);
        let s = String::from_utf8(render(&[&p], &out, &ctx)).unwrap();
        assert!(s.contains("<location><![CDATA[NO]]></location>"), "{s}");
        assert!(s.contains("<country><![CDATA[NO]]></country>"), "{s}");
    }

    #[test]
    fn linkedin_job_children_follow_the_contract_order() {
        let s = linkedin(&[&test_posting()]);
        let order = [
            "<partnerJobId>",
            "<company>",
            "<title>",
            "<description>",
            "<applyUrl>",
            "<companyId>",
            "<location>",
            "<city>",
            "<country>",
            "<workplaceTypes>",
            "<jobtype>",
            "<posterEmail>",
            "<listDate>",
            "<expirationDate>",
        ];
        let pos: Vec<usize> = order
            .iter()
            .map(|t| s.find(t).unwrap_or_else(|| panic!("{t} in {s}")))
            .collect();
        assert!(pos.windows(2).all(|w| w[0] < w[1]), "{s}");
        assert!(s.contains("<expectedJobCount>1</expectedJobCount>"), "{s}");
        assert!(
            s.contains("<lastBuildDate><![CDATA[Fri, 20 Nov 2026 08:30:00 GMT]]></lastBuildDate>"),
            "{s}"
        );
        assert!(
            s.contains("<workplaceTypes><![CDATA[Remote]]></workplaceTypes>"),
            "{s}"
        );
        assert!(
            s.contains("<companyId><![CDATA[1234567]]></companyId>"),
            "{s}"
        );
        assert!(
            s.contains("<posterEmail><![CDATA[recruiter@example.com]]></posterEmail>"),
            "{s}"
        );
        assert!(
            s.contains("<location><![CDATA[Stockholm, SE]]></location>"),
            "{s}"
        );
    }

    #[test]
    fn email_apply_links_to_the_posting_page() {
        let mut p = test_posting();
        p.apply = Apply::Email {
            email: "jobs@example.com".into(),
        };
        let s = linkedin(&[&p]);
        assert!(
            s.contains(
                "<applyUrl><![CDATA[https://www.example.com/career/platform-engineer/]]></applyUrl>"
            ),
            "{s}"
        );
    }

    #[test]
    fn missing_company_id_and_contacts_render_empty_for_the_gate_to_reject() {
        let mut feed = test_feed();
        feed.organization.linkedin_company_id = None;
        feed.organization.poster_email = None;
        feed.organization.email = None;
        let p = test_posting();
        let ctx = RenderContext {
            feed: &feed,
            updated: p.updated,
        };
        let s = String::from_utf8(render(&[&p], &OutputConfig::of(OutputKind::Linkedin), &ctx))
            .unwrap();
        assert!(s.contains("<companyId><![CDATA[]]></companyId>"), "{s}");
        assert!(s.contains("<posterEmail><![CDATA[]]></posterEmail>"), "{s}");
    }

    #[test]
    fn linkedin_cleans_control_characters_and_splits_cdata_end_in_title() {
        let mut p = test_posting();
        p.title = "A]]>B\u{0}\u{9f} \u{200f}🎉 & <x>".into();
        let s = linkedin(&[&p]);
        assert!(
            s.contains("<title><![CDATA[A]]]]><![CDATA[>B \u{200f}🎉 & <x>]]></title>"),
            "{s}"
        );
    }

    #[test]
    fn short_descriptions_and_plain_http_are_not_eligible_for_linkedin() {
        let mut p = crate::model::test_posting();
        p.description_html = format!("<p>{}</p>", "Run clusters. ".repeat(10)).into();
        assert!(eligible(&p).is_ok());
        p.description_html = "<p>Too short.</p>".into();
        assert!(eligible(&p).unwrap_err().contains("at least 100"));
        p.description_html = format!("<p>{}</p>", "Run clusters. ".repeat(10)).into();
        p.url = "http://www.example.com/job/".into();
        p.apply = crate::model::Apply::Email {
            email: "jobs@example.com".into(),
        };
        assert!(eligible(&p).unwrap_err().contains("https"));
    }

    proptest::proptest! {
        /// Deciding on a prefix must give the count of the whole text whenever it matters.
        #[test]
        fn counting_on_a_prefix_agrees_with_the_whole_text(
            parts in proptest::collection::vec("(<p>|</p>|<li a=\"x>y\">|&amp;| |[a-zé]{1,12}){1}", 0..400)
        ) {
            let html = parts.concat();
            let whole = super::super::text::html_to_text(&html).chars().count();
            let fast = text_chars_up_to(&html, 100);
            if whole < 100 {
                proptest::prop_assert_eq!(fast, whole);
            } else {
                proptest::prop_assert!(fast >= 100, "{} of {}", fast, whole);
            }
        }
    }
}
