//! Countries and regions: ISO 3166-1 alpha-2 codes from codes, names and regions like "EU".

/// The 27 EU member states.
pub const EU: [&str; 27] = [
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
];

/// Names (in several languages) of the countries postings name most.
const NAMES: &[(&str, &str)] = &[
    ("sweden", "SE"),
    ("sverige", "SE"),
    ("schweden", "SE"),
    ("ruotsi", "SE"),
    ("norway", "NO"),
    ("norge", "NO"),
    ("noreg", "NO"),
    ("norwegen", "NO"),
    ("norja", "NO"),
    ("denmark", "DK"),
    ("danmark", "DK"),
    ("dänemark", "DK"),
    ("tanska", "DK"),
    ("finland", "FI"),
    ("suomi", "FI"),
    ("finnland", "FI"),
    ("germany", "DE"),
    ("deutschland", "DE"),
    ("tyskland", "DE"),
    ("netherlands", "NL"),
    ("the netherlands", "NL"),
    ("nederland", "NL"),
    ("france", "FR"),
    ("spain", "ES"),
    ("españa", "ES"),
    ("portugal", "PT"),
    ("italy", "IT"),
    ("poland", "PL"),
    ("austria", "AT"),
    ("belgium", "BE"),
    ("ireland", "IE"),
    ("estonia", "EE"),
    ("latvia", "LV"),
    ("lithuania", "LT"),
    ("iceland", "IS"),
    ("island", "IS"),
    ("switzerland", "CH"),
    ("schweiz", "CH"),
    ("united kingdom", "GB"),
    ("uk", "GB"),
    ("great britain", "GB"),
    ("united states", "US"),
    ("usa", "US"),
    ("canada", "CA"),
    ("united states of america", "US"),
    ("england", "GB"),
    ("scotland", "GB"),
    ("wales", "GB"),
    ("northern ireland", "GB"),
    ("czech republic", "CZ"),
    ("czechia", "CZ"),
    ("slovakia", "SK"),
    ("slovenia", "SI"),
    ("croatia", "HR"),
    ("hungary", "HU"),
    ("romania", "RO"),
    ("bulgaria", "BG"),
    ("greece", "GR"),
    ("cyprus", "CY"),
    ("malta", "MT"),
    ("luxembourg", "LU"),
    ("serbia", "RS"),
    ("ukraine", "UA"),
    ("turkey", "TR"),
    ("türkiye", "TR"),
    ("israel", "IL"),
    ("united arab emirates", "AE"),
    ("india", "IN"),
    ("singapore", "SG"),
    ("japan", "JP"),
    ("south korea", "KR"),
    ("china", "CN"),
    ("hong kong", "HK"),
    ("taiwan", "TW"),
    ("philippines", "PH"),
    ("indonesia", "ID"),
    ("malaysia", "MY"),
    ("vietnam", "VN"),
    ("thailand", "TH"),
    ("australia", "AU"),
    ("new zealand", "NZ"),
    ("mexico", "MX"),
    ("brazil", "BR"),
    ("brasil", "BR"),
    ("argentina", "AR"),
    ("chile", "CL"),
    ("colombia", "CO"),
    ("peru", "PE"),
    ("south africa", "ZA"),
    ("nigeria", "NG"),
    ("kenya", "KE"),
    ("egypt", "EG"),
    ("frankreich", "FR"),
    ("spanien", "ES"),
    ("italien", "IT"),
    ("österreich", "AT"),
    ("polen", "PL"),
    ("niederlande", "NL"),
];

const EU_WORDS: &[&str] = &[
    "eu",
    "european union",
    "europeiska unionen",
    "den europæiske union",
    "eu-landene",
    "eu-länder",
];

/// The ISO code for a code or name, if known.
pub fn code(text: &str) -> Option<String> {
    let t = text.trim();
    if t.len() == 2 && t.chars().all(|c| c.is_ascii_alphabetic()) {
        return Some(t.to_ascii_uppercase());
    }
    let l = t.to_lowercase();
    NAMES
        .iter()
        .find(|(n, _)| *n == l)
        .map(|(_, c)| c.to_string())
}

/// Expands codes, names and regions into sorted unique ISO codes; returns what it could not read.
pub fn expand(items: &[String]) -> (Vec<String>, Vec<String>) {
    let mut out = std::collections::BTreeSet::new();
    let mut unknown = Vec::new();
    for item in items {
        let l = item.trim().to_lowercase();
        if EU_WORDS.contains(&l.as_str()) {
            out.extend(EU.iter().map(|c| c.to_string()));
        } else if let Some(c) = code(item) {
            out.insert(c);
        } else {
            unknown.push(item.clone());
        }
    }
    (out.into_iter().collect(), unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eu_expands_to_the_member_states() {
        let (codes, unknown) = expand(&["EU".into()]);
        assert_eq!(codes.len(), 27);
        assert!(codes.contains(&"DK".into()) && !codes.contains(&"NO".into()));
        assert!(unknown.is_empty());
    }
}
