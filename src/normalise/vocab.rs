//! Words for employment types and work arrangements, in the languages postings are written in.

use crate::model::{Arrangement, EmploymentType};

/// Maps an employment-type word ("Full time", "Heltid", `FULL_TIME`) to Google's enum.
pub fn employment_type(text: &str) -> Option<EmploymentType> {
    let t = text.trim();
    if let Some(code) = EmploymentType::from_code(t) {
        return Some(code);
    }
    let k: String = t
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    use EmploymentType::*;
    let table: &[(&str, EmploymentType)] = &[
        ("fulltime", FullTime),
        ("heltid", FullTime),
        ("fuldtid", FullTime),
        ("vollzeit", FullTime),
        ("kokoaikainen", FullTime),
        ("kokoaikatyö", FullTime),
        ("parttime", PartTime),
        ("deltid", PartTime),
        ("teilzeit", PartTime),
        ("osaaikainen", PartTime),
        ("contract", Contractor),
        ("contractor", Contractor),
        ("freelance", Contractor),
        ("konsult", Contractor),
        ("temporary", Temporary),
        ("visstidsanställning", Temporary),
        ("midlertidig", Temporary),
        ("befristet", Temporary),
        ("intern", Intern),
        ("internship", Intern),
        ("praktik", Intern),
        ("praktikant", Intern),
        ("praksis", Intern),
        ("volunteer", Volunteer),
        ("perdiem", PerDiem),
    ];
    table.iter().find(|(w, _)| *w == k).map(|(_, t)| *t)
}

/// Maps an arrangement word ("remote", "hybrid", "on-site", "på distans") to the enum.
pub fn arrangement(text: &str) -> Option<Arrangement> {
    let k: String = text
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    match k.as_str() {
        "remote" | "fullyremote" | "telecommute" | "pådistans" | "distans" | "fjernarbejde"
        | "hjemmekontor" | "etätyö" | "homeoffice" => Some(Arrangement::Remote),
        "hybrid" | "hybridremote" | "hybridi" => Some(Arrangement::Hybrid),
        "onsite" | "office" | "inoffice" | "påplats" | "kontor" | "vorort" => {
            Some(Arrangement::OnSite)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn employment_words_in_several_languages_map_to_full_time() {
        for w in [
            "Full time",
            "Heltid",
            "Fuldtid",
            "Vollzeit",
            "Kokoaikainen",
            "FULL_TIME",
        ] {
            assert_eq!(employment_type(w), Some(EmploymentType::FullTime), "{w}");
        }
        assert_eq!(employment_type("Sometimes"), None);
    }
}
