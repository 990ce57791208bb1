//! Location phrases ("Remote (Sweden or Norway)", "Sweden - Solna, Stockholm") to a workplace
//! and structured places.

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

/// Reads one location phrase.
pub fn interpret(text: &str) -> LocationInfo {
    let mut info = LocationInfo::default();
    let t = text.trim();
    let lower = t.to_lowercase();
    let remote_words = [
        "remote",
        "på distans",
        "hjemmekontor",
        "fjernarbejde",
        "etätyö",
    ];
    if let Some(w) = remote_words.iter().find(|w| lower.starts_with(*w)) {
        info.arrangement = Some(Arrangement::Remote);
        let rest = t[w.len()..]
            .trim()
            .trim_start_matches('(')
            .trim_end_matches(')');
        for part in split_list(rest) {
            info.applicant_countries.push(part);
        }
        return info;
    }
    if let Some((country, places)) = t.split_once(" - ") {
        if let Some(code) = super::country::code(country) {
            let places = places.trim();
            let (places, remote_too) = match places.to_lowercase().find(" or remote") {
                Some(i) => (&places[..i], true),
                None => (places, false),
            };
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
        }
    }
    info
}

/// Looks for a fully-remote statement in prose ("work remotely from anywhere in the EU").
pub fn from_prose(text: &str) -> LocationInfo {
    let lower = text.to_lowercase();
    let mut info = LocationInfo::default();
    let eu = [
        "anywhere in the eu",
        "hvor som helst i eu",
        "var som helst i eu",
        "hvor som helst i europa",
    ];
    if eu.iter().any(|p| lower.contains(p)) {
        info.arrangement = Some(Arrangement::Remote);
        info.applicant_countries.push("EU".into());
    }
    info
}

fn split_list(s: &str) -> Vec<String> {
    s.replace(" or ", ",")
        .replace(" eller ", ",")
        .replace(" and ", ",")
        .replace(" och ", ",")
        .replace(" og ", ",")
        .split(',')
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_with_countries() {
        let i = interpret("Remote (Sweden or Norway)");
        assert_eq!(i.arrangement, Some(Arrangement::Remote));
        assert_eq!(i.applicant_countries, vec!["Sweden", "Norway"]);
    }

    #[test]
    fn country_dash_places_is_on_site() {
        let i = interpret("Sweden - Solna, Stockholm");
        assert_eq!(i.arrangement, Some(Arrangement::OnSite));
        assert_eq!(i.locations[0].locality.as_deref(), Some("Solna"));
        assert_eq!(i.locations[0].region.as_deref(), Some("Stockholm"));
        assert_eq!(i.locations[0].country, "SE");
    }
}
