//! Location phrases ("Remote (Sweden or Norway)", "Sweden - Solna, Stockholm") to a workplace
//! and structured places, in English, Swedish, Danish, Norwegian, German and Finnish.

use crate::model::{Arrangement, Location};

/// What a location phrase says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LocationInfo {
    pub arrangement: Option<Arrangement>,
    pub locations: Vec<Location>,
    /// Countries, regions or names as found (expanded later).
    pub applicant_countries: Vec<String>,
}

impl LocationInfo {
    pub fn is_empty(&self) -> bool {
        self.arrangement.is_none()
            && self.locations.is_empty()
            && self.applicant_countries.is_empty()
    }
}

/// Words that open a fully-remote phrase, longest first so "fully remote" wins over "remote".
const REMOTE_WORDS: &[&str] = &[
    "fully remote",
    "remote-first",
    "remote first",
    "remote",
    "på distans",
    "distansarbete",
    "distans",
    "hjemmekontor",
    "heimekontor",
    "fjernarbejde",
    "fjernarbeid",
    "etätyö",
    "home office",
    "homeoffice",
    "mobiles arbeiten",
    "work from home",
];

const HYBRID_WORDS: &[&str] = &["hybrid", "hybridt", "hybridi"];

/// Phrases for "anywhere in the EU" in prose, per language.
const ANYWHERE_EU: &[&str] = &[
    "anywhere in the eu",
    "anywhere within the eu",
    "anywhere in the european union",
    "hvor som helst i eu",
    "hvar som helst i eu",
    "var som helst i eu",
    "var som helst inom eu",
    "överallt i eu",
    "überall in der eu",
    "irgendwo in der eu",
    "missä tahansa eu",
];

/// Phrases for "anywhere in Europe": wider than the EU (Norway, Switzerland, the UK …).
const ANYWHERE_EUROPE: &[&str] = &[
    "anywhere in europe",
    "anywhere within europe",
    "hvor som helst i europa",
    "hvar som helst i europa",
    "var som helst i europa",
    "var som helst inom europa",
    "överallt i europa",
    "überall in europa",
    "irgendwo in europa",
    "missä tahansa euroopassa",
];

/// The region an "anywhere in …" phrase of `lower` names, as an applicant-country word.
/// A phrase counts only as whole words: "… i eu" is not the start of "… i europa".
fn anywhere(lower: &str) -> Option<&'static str> {
    let found = |phrases: &[&str]| {
        phrases.iter().any(|p| {
            lower.match_indices(p).any(|(at, _)| {
                lower[at + p.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_alphanumeric())
            })
        })
    };
    if found(ANYWHERE_EUROPE) {
        Some("Europe")
    } else if found(ANYWHERE_EU) {
        Some("EU")
    } else {
        None
    }
}

/// Words joining alternatives in a list of places or countries.
const OR_WORDS: &[&str] = &[
    " or ", " eller ", " and ", " och ", " og ", " oder ", " und ", " tai ", " ja ", " & ", "/",
    ";",
];

/// Reads one location phrase.
pub fn interpret(text: &str) -> LocationInfo {
    let mut info = LocationInfo::default();
    let t = text.trim();
    let lower = t.to_lowercase();
    if let Some(region) = anywhere(&lower) {
        info.arrangement = Some(Arrangement::Remote);
        info.applicant_countries.push(region.into());
        return info;
    }
    if let Some(w) = REMOTE_WORDS.iter().find(|w| starts_with_word(&lower, w)) {
        info.arrangement = Some(Arrangement::Remote);
        for part in split_list(qualifier(&t[w.len()..])) {
            info.applicant_countries.push(part);
        }
        return info;
    }
    if let Some(w) = HYBRID_WORDS.iter().find(|w| starts_with_word(&lower, w)) {
        info.arrangement = Some(Arrangement::Hybrid);
        if let Some(place) = place(qualifier(&t[w.len()..])) {
            info.locations.push(place);
        }
        return info;
    }
    // "Sweden - Solna, Stockholm" and "Sweden - Solna or Remote".
    if let Some((country, places)) = t.split_once(" - ").or_else(|| t.split_once(" – "))
        && let Some(code) = super::country::code(country)
    {
        let (places, remote_too) = strip_remote_option(places.trim());
        let mut parts = places.split(',').map(str::trim).filter(|s| !s.is_empty());
        info.locations.push(Location {
            locality: parts.next().map(str::to_string),
            region: parts.next().map(str::to_string),
            country: code.clone(),
            ..Location::default()
        });
        info.arrangement = Some(if remote_too {
            Arrangement::Remote
        } else {
            Arrangement::OnSite
        });
        if remote_too {
            info.applicant_countries.push(code);
        }
        return info;
    }
    // "Solna, Stockholm, Sweden", "Oslo, Norge", "Sweden": on-site.
    let (rest, remote_too) = strip_remote_option(t);
    if let Some(p) = place(rest) {
        info.arrangement = Some(if remote_too {
            Arrangement::Remote
        } else {
            Arrangement::OnSite
        });
        if remote_too {
            info.applicant_countries.push(p.country.clone());
        }
        info.locations.push(p);
    }
    info
}

/// "Solna, Stockholm, Sweden" → a place, when the last part names a country.
fn place(text: &str) -> Option<Location> {
    let parts: Vec<&str> = text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let (last, rest) = parts.split_last()?;
    let country = super::country::code_strict(last)?;
    Some(Location {
        locality: rest.first().map(|s| s.to_string()),
        region: rest.get(1).map(|s| s.to_string()),
        country,
        ..Location::default()
    })
}

/// "Solna or Remote" → ("Solna", true).
fn strip_remote_option(places: &str) -> (&str, bool) {
    let lower = places.to_lowercase();
    for or in [" or ", " eller ", " oder ", " tai ", " / "] {
        if let Some(i) = lower.find(or) {
            let tail = lower[i + or.len()..].trim();
            if REMOTE_WORDS.iter().any(|w| tail.starts_with(w)) {
                return (places[..i].trim(), true);
            }
        }
    }
    (places, false)
}

/// The part after a remote or hybrid word: "(Sweden or Norway)", " - EU", ": Nordics", " in Sweden".
fn qualifier(rest: &str) -> &str {
    let mut r = rest.trim();
    for p in ["-", "–", ":", ",", "("] {
        r = r.strip_prefix(p).unwrap_or(r).trim();
    }
    for p in [
        "in ", "i ", "within ", "inom ", "from ", "fra ", "från ", "aus ", "in der ",
    ] {
        if r.to_lowercase().starts_with(p) {
            r = r[p.len()..].trim();
        }
    }
    r.trim_end_matches(')').trim()
}

fn starts_with_word(lower: &str, w: &str) -> bool {
    lower.starts_with(w)
        && lower[w.len()..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric())
}

/// Looks for a fully-remote statement in prose ("work remotely from anywhere in the EU").
/// Markdown wraps lines anywhere, so the phrase may span a line break or doubled spaces.
pub fn from_prose(text: &str) -> LocationInfo {
    let lower = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let mut info = LocationInfo::default();
    if let Some(region) = anywhere(&lower) {
        info.arrangement = Some(Arrangement::Remote);
        info.applicant_countries.push(region.into());
    }
    info
}

fn split_list(s: &str) -> Vec<String> {
    let mut s = format!(" {s} ");
    for w in OR_WORDS {
        s = s.replace(w, ",");
        let upper = w.to_uppercase();
        s = s.replace(&upper, ",");
    }
    s.split(',')
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_with_countries_in_every_language() {
        for t in [
            "Remote (Sweden or Norway)",
            "På distans (Sverige eller Norge)",
            "Hjemmekontor (Sverige eller Norge)",
            "Fjernarbejde (Sverige eller Norge)",
            "Etätyö (Ruotsi tai Norja)",
        ] {
            let i = interpret(t);
            assert_eq!(i.arrangement, Some(Arrangement::Remote), "{t}");
            let (codes, unknown) = super::super::country::expand(&i.applicant_countries);
            assert_eq!(codes, vec!["NO", "SE"], "{t}");
            assert!(unknown.is_empty(), "{t}: {unknown:?}");
        }
    }

    #[test]
    fn country_dash_places_is_on_site() {
        let i = interpret("Sweden - Solna, Stockholm");
        assert_eq!(i.arrangement, Some(Arrangement::OnSite));
        assert_eq!(i.locations[0].locality.as_deref(), Some("Solna"));
        assert_eq!(i.locations[0].region.as_deref(), Some("Stockholm"));
        assert_eq!(i.locations[0].country, "SE");
    }

    #[test]
    fn an_office_or_remote_is_remote_within_that_country() {
        let i = interpret("Sweden - Solna or Remote");
        assert_eq!(i.arrangement, Some(Arrangement::Remote));
        assert_eq!(i.locations[0].locality.as_deref(), Some("Solna"));
        assert_eq!(i.applicant_countries, vec!["SE"]);
    }

    #[test]
    fn anywhere_in_the_eu_is_remote_for_the_eu() {
        for t in [
            "Remote - anywhere in the EU",
            "Hvor som helst i EU",
            "Remote (EU)",
        ] {
            let i = interpret(t);
            assert_eq!(i.arrangement, Some(Arrangement::Remote), "{t}");
            assert_eq!(i.applicant_countries, vec!["EU"], "{t}");
        }
        let i = from_prose("You can work remotely from anywhere in the EU, or from our office.");
        assert_eq!(i.applicant_countries, vec!["EU"]);
        let wrapped = from_prose("You can work remotely from anywhere\nin  the EU.");
        assert_eq!(wrapped.arrangement, Some(Arrangement::Remote));
    }

    #[test]
    fn anywhere_in_europe_is_wider_than_the_eu_and_not_read_as_it() {
        for t in [
            "Du kan jobbe helt remote, fra kontoret i Stockholm eller hvor som helst i Europa.",
            "Remote: anywhere in Europe",
            "Du kan arbeta var som helst i Europa (även Norge och Schweiz).",
        ] {
            let i = from_prose(t);
            assert_eq!(i.arrangement, Some(Arrangement::Remote), "{t}");
            assert_eq!(i.applicant_countries, vec!["Europe"], "{t}");
        }
        // "i eu" followed by more letters is not "in the EU".
        assert!(from_prose("Hvor som helst i eurozone-landene").is_empty());
        assert_eq!(
            from_prose("Hvor som helst i EU.").applicant_countries,
            vec!["EU"]
        );
    }

    #[test]
    fn city_comma_country_and_hybrid() {
        let i = interpret("Oslo, Norge");
        assert_eq!(i.arrangement, Some(Arrangement::OnSite));
        assert_eq!(
            (
                i.locations[0].locality.as_deref(),
                i.locations[0].country.as_str()
            ),
            (Some("Oslo"), "NO")
        );
        let i = interpret("Hybrid (Aarhus, Danmark)");
        assert_eq!(i.arrangement, Some(Arrangement::Hybrid));
        assert_eq!(i.locations[0].country, "DK");
        assert!(interpret("Somewhere nice").is_empty());
    }
}
