//! Countries and regions: ISO 3166-1 alpha-2 codes from codes, names and regions like "EU".

/// The 27 EU member states.
pub const EU: [&str; 27] = [
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
];

/// "Europe" as employers hiring remotely mean it: the EU, the rest of the EEA (Iceland,
/// Liechtenstein, Norway), Switzerland and the United Kingdom.
pub const EUROPE_BEYOND_EU: [&str; 5] = ["IS", "LI", "NO", "CH", "GB"];

const EUROPE_WORDS: &[&str] = &["europe", "europa", "euroopa", "eurooppa"];

/// Names (in English, the Nordic languages, German and Finnish) of the countries postings name most.
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
    ("iceland", "IS"),
    ("island", "IS"),
    ("islanti", "IS"),
    ("germany", "DE"),
    ("deutschland", "DE"),
    ("tyskland", "DE"),
    ("saksa", "DE"),
    ("netherlands", "NL"),
    ("the netherlands", "NL"),
    ("nederland", "NL"),
    ("nederländerna", "NL"),
    ("nederlandene", "NL"),
    ("niederlande", "NL"),
    ("alankomaat", "NL"),
    ("holland", "NL"),
    ("france", "FR"),
    ("frankrike", "FR"),
    ("frankrig", "FR"),
    ("frankreich", "FR"),
    ("ranska", "FR"),
    ("spain", "ES"),
    ("españa", "ES"),
    ("spanien", "ES"),
    ("spania", "ES"),
    ("espanja", "ES"),
    ("portugal", "PT"),
    ("portugali", "PT"),
    ("italy", "IT"),
    ("italien", "IT"),
    ("italia", "IT"),
    ("poland", "PL"),
    ("polen", "PL"),
    ("puola", "PL"),
    ("austria", "AT"),
    ("österrike", "AT"),
    ("østrig", "AT"),
    ("østerrike", "AT"),
    ("österreich", "AT"),
    ("itävalta", "AT"),
    ("belgium", "BE"),
    ("belgien", "BE"),
    ("belgia", "BE"),
    ("ireland", "IE"),
    ("irland", "IE"),
    ("irlanti", "IE"),
    ("estonia", "EE"),
    ("estland", "EE"),
    ("viro", "EE"),
    ("latvia", "LV"),
    ("lettland", "LV"),
    ("letland", "LV"),
    ("lithuania", "LT"),
    ("litauen", "LT"),
    ("liettua", "LT"),
    ("czechia", "CZ"),
    ("czech republic", "CZ"),
    ("tjeckien", "CZ"),
    ("tjekkiet", "CZ"),
    ("tsjekkia", "CZ"),
    ("tschechien", "CZ"),
    ("greece", "GR"),
    ("grekland", "GR"),
    ("grækenland", "GR"),
    ("hellas", "GR"),
    ("griechenland", "GR"),
    ("luxembourg", "LU"),
    ("luxemburg", "LU"),
    ("switzerland", "CH"),
    ("schweiz", "CH"),
    ("sveits", "CH"),
    ("sveitsi", "CH"),
    ("united kingdom", "GB"),
    ("uk", "GB"),
    ("great britain", "GB"),
    ("storbritannien", "GB"),
    ("storbritannia", "GB"),
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
    "the eu",
    "european union",
    "the european union",
    "europeiska unionen",
    "den europæiske union",
    "den europeiske union",
    "europäische union",
    "die eu",
    "euroopan unioni",
    "eu-landene",
    "eu-länder",
    "eu-land",
    "eu-maat",
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

/// Like [`code`], but a two-letter code must be written in capitals (so "in", "on" are words).
pub fn code_strict(text: &str) -> Option<String> {
    let t = text.trim();
    if t.len() == 2 {
        return t
            .chars()
            .all(|c| c.is_ascii_uppercase())
            .then(|| t.to_string());
    }
    code(t)
}

/// Expands codes, names and regions into sorted unique ISO codes; returns what it could not read.
pub fn expand(items: &[String]) -> (Vec<String>, Vec<String>) {
    let mut out = std::collections::BTreeSet::new();
    let mut unknown = Vec::new();
    for item in items {
        let l = item.trim().to_lowercase();
        if EU_WORDS.contains(&l.as_str()) {
            out.extend(EU.iter().map(|c| c.to_string()));
        } else if EUROPE_WORDS.contains(&l.as_str()) {
            out.extend(EU.iter().chain(&EUROPE_BEYOND_EU).map(|c| c.to_string()));
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
    fn europe_expands_beyond_the_eu_to_norway_switzerland_and_the_uk() {
        let (codes, unknown) = expand(&["Europe".into()]);
        assert_eq!(codes.len(), 32);
        for c in ["DK", "SE", "NO", "IS", "LI", "CH", "GB"] {
            assert!(codes.contains(&c.to_string()), "{c}: {codes:?}");
        }
        assert!(unknown.is_empty());
    }

    #[test]
    fn eu_expands_to_the_member_states() {
        let (codes, unknown) = expand(&["EU".into()]);
        assert_eq!(codes.len(), 27);
        assert!(codes.contains(&"DK".into()) && !codes.contains(&"NO".into()));
        assert!(unknown.is_empty());
    }
}
