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
        // Full time: en, sv, da, nb, nn, de, fi.
        ("fulltime", FullTime),
        ("fulltimeposition", FullTime),
        ("permanentfulltime", FullTime),
        ("heltid", FullTime),
        ("heltidstjänst", FullTime),
        ("heltidsanställning", FullTime),
        ("heltidsstilling", FullTime),
        ("fuldtid", FullTime),
        ("fuldtidsstilling", FullTime),
        ("heiltid", FullTime),
        ("heiltidsstilling", FullTime),
        ("vollzeit", FullTime),
        ("vollzeitstelle", FullTime),
        ("kokoaikainen", FullTime),
        ("kokoaikatyö", FullTime),
        ("kokopäiväinen", FullTime),
        // Part time.
        ("parttime", PartTime),
        ("deltid", PartTime),
        ("deltidstjänst", PartTime),
        ("deltidsstilling", PartTime),
        ("halvtid", PartTime),
        ("teilzeit", PartTime),
        ("osaaikainen", PartTime),
        ("osaaikatyö", PartTime),
        // Contract work.
        ("contract", Contractor),
        ("contractor", Contractor),
        ("freelance", Contractor),
        ("freelancer", Contractor),
        ("konsult", Contractor),
        ("konsulent", Contractor),
        ("konsulentoppdrag", Contractor),
        ("konsultuppdrag", Contractor),
        ("kontrakt", Contractor),
        ("oppdrag", Contractor),
        ("werkvertrag", Contractor),
        ("freiberuflich", Contractor),
        ("toimeksianto", Contractor),
        // Temporary.
        ("temporary", Temporary),
        ("fixedterm", Temporary),
        ("visstid", Temporary),
        ("visstidsanställning", Temporary),
        ("tidsbegränsad", Temporary),
        ("vikariat", Temporary),
        ("projektanställning", Temporary),
        ("midlertidig", Temporary),
        ("mellombels", Temporary),
        ("tidsbegrænset", Temporary),
        ("tidsbestemt", Temporary),
        ("befristet", Temporary),
        ("määräaikainen", Temporary),
        ("sijaisuus", Temporary),
        // Internships.
        ("intern", Intern),
        ("internship", Intern),
        ("trainee", Intern),
        ("praktik", Intern),
        ("praktikant", Intern),
        ("praktikplats", Intern),
        ("praksis", Intern),
        ("praksisplass", Intern),
        ("praktikum", Intern),
        ("harjoittelu", Intern),
        ("harjoittelija", Intern),
        ("volunteer", Volunteer),
        ("frivillig", Volunteer),
        ("ehrenamtlich", Volunteer),
        ("vapaaehtoinen", Volunteer),
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
        "remote" | "fullyremote" | "remotefirst" | "telecommute" | "wfh" | "workfromhome"
        | "pådistans" | "distans" | "distansarbete" | "fjernarbejde" | "fjernarbeid"
        | "hjemmekontor" | "heimekontor" | "etätyö" | "homeoffice" | "mobilesarbeiten"
        | "fernarbeit" => Some(Arrangement::Remote),
        "hybrid" | "hybridremote" | "hybridt" | "hybridarbete" | "hybridarbejde"
        | "hybridarbeid" | "hybridi" | "hybridityö" => Some(Arrangement::Hybrid),
        "onsite" | "office" | "inoffice" | "påplats" | "kontor" | "påkontoret" | "vorort"
        | "imbüro" | "lähityö" | "toimistolla" => Some(Arrangement::OnSite),
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

    #[test]
    fn other_employment_words_in_nordic_german_and_finnish() {
        use EmploymentType::*;
        for (w, t) in [
            ("Deltid", PartTime),
            ("Teilzeit", PartTime),
            ("Osa-aikainen", PartTime),
            ("Vikariat", Temporary),
            ("Midlertidig", Temporary),
            ("Befristet", Temporary),
            ("Määräaikainen", Temporary),
            ("Konsultuppdrag", Contractor),
            ("Praktikant", Intern),
            ("Harjoittelu", Intern),
            ("Heiltid", FullTime),
        ] {
            assert_eq!(employment_type(w), Some(t), "{w}");
        }
    }

    #[test]
    fn arrangement_words() {
        assert_eq!(arrangement("På distans"), Some(Arrangement::Remote));
        assert_eq!(arrangement("Hjemmekontor"), Some(Arrangement::Remote));
        assert_eq!(arrangement("Hybridt"), Some(Arrangement::Hybrid));
        assert_eq!(arrangement("on-site"), Some(Arrangement::OnSite));
    }
}
