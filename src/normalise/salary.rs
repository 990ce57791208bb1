//! Salary from text: "€50,000 - €80,000 årligt", "45 000–55 000 SEK per month", and from values.
//! A line that cannot be read with confidence gives no salary, never a wrong one.

use crate::model::{Salary, SalaryUnit};

/// Result of looking for a salary in prose.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    Salary(Salary),
    /// A line that looks like a salary but could not be read: the line and why.
    Unsure(String, String),
    None,
}

/// Maps a unit word to the enum ("annually", "årligt", "per month", "/md.").
pub fn unit(text: &str) -> Option<SalaryUnit> {
    let t = text.trim().trim_start_matches('/').trim().to_lowercase();
    let t = t
        .trim_start_matches("per ")
        .trim_start_matches("pr. ")
        .trim_start_matches("pr ")
        .trim_start_matches("a ")
        .trim_start_matches("om ")
        .trim_start_matches("i ")
        .trim_end_matches('.');
    match t {
        "year" | "yearly" | "annually" | "annual" | "annum" | "p.a" | "pa" | "årligt" | "årleg"
        | "årlig" | "årlegt" | "år" | "året" | "årsløn" | "årslön" | "årslønn" | "jährlich"
        | "jahr" | "jahresgehalt" | "vuodessa" | "vuosi" | "vuosipalkka" => Some(SalaryUnit::Year),
        "month" | "monthly" | "månad" | "månaden" | "månadslön" | "måned" | "måneden"
        | "månedlig" | "månedleg" | "månedsløn" | "månedslønn" | "md" | "mdr" | "mnd" | "mån"
        | "monatlich" | "monat" | "kuukaudessa" | "kuukausi" | "kk" | "kuukausipalkka" => {
            Some(SalaryUnit::Month)
        }
        "week" | "weekly" | "vecka" | "veckan" | "uke" | "uka" | "uge" | "ugen" | "woche"
        | "viikko" => Some(SalaryUnit::Week),
        "day" | "daily" | "dag" | "dagen" | "tag" | "päivä" => Some(SalaryUnit::Day),
        "hour" | "hourly" | "timme" | "timmen" | "timen" | "stunde" | "tunti" | "h" | "hr" => {
            Some(SalaryUnit::Hour)
        }
        _ => SalaryUnit::from_code(&t.to_uppercase()),
    }
}

/// Currency codes postings in our languages use, so a random capitalised word is not one.
const CODES: &[&str] = &[
    "EUR", "SEK", "NOK", "DKK", "USD", "GBP", "CHF", "ISK", "PLN", "CZK", "HUF", "CAD", "AUD",
];

/// ISO 4217 code from a code or symbol.
pub fn currency_code(text: &str) -> Option<String> {
    let t = text.trim();
    match t {
        "€" => Some("EUR".into()),
        "$" => Some("USD".into()),
        "£" => Some("GBP".into()),
        "kr" | "kr." => None,
        _ if t.len() == 3 && t.chars().all(|c| c.is_ascii_alphabetic()) => {
            Some(t.to_ascii_uppercase())
        }
        _ => None,
    }
}

/// Like [`currency_code`], but reads `kr`/`kronor`/`kroner` by the posting's language.
pub fn currency_for(text: &str, language: &str) -> Option<String> {
    currency_code(text).or_else(|| {
        let t = text.trim().to_lowercase();
        matches!(t.as_str(), "kr" | "kr." | "kronor" | "kroner" | ",-")
            .then(|| krone(language))
            .flatten()
    })
}

/// The krone of a language: Danish → DKK, Swedish → SEK, Norwegian → NOK.
fn krone(language: &str) -> Option<String> {
    let primary = language
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_lowercase();
    match primary.as_str() {
        "da" => Some("DKK".into()),
        "sv" => Some("SEK".into()),
        "nb" | "nn" | "no" => Some("NOK".into()),
        "is" => Some("ISK".into()),
        _ => None,
    }
}

/// Parses an amount with any thousands separator ("50,000", "50.000", "50 000", "60000", "50k").
pub fn parse_amount(text: &str) -> Option<f64> {
    let t = text.trim();
    let (t, factor) = match t.strip_suffix(['k', 'K']) {
        Some(rest) => (rest.trim_end(), 1000.0),
        None => (t, 1.0),
    };
    let digits: String = t
        .chars()
        .filter(|c| !matches!(c, ',' | '.' | ' ' | '\u{a0}' | '\u{202f}' | '\''))
        .collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return t
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .map(|v| v * factor);
    }
    // A decimal separator followed by one or two digits is a fraction ("100000.00", "4,5k").
    if let Some(i) = t.rfind(['.', ','])
        && (1..=2).contains(&(t.len() - i - 1))
    {
        let whole: String = t[..i].chars().filter(|c| c.is_ascii_digit()).collect();
        let frac = &t[i + 1..];
        return format!("{whole}.{frac}")
            .parse::<f64>()
            .ok()
            .map(|v| v * factor);
    }
    digits.parse::<f64>().ok().map(|v| v * factor)
}

/// Number tokens of a line: digits with thousands groups, an optional fraction and `k`.
fn numbers(t: &str) -> Vec<String> {
    let chars: Vec<char> = t.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() || (i > 0 && chars[i - 1].is_alphabetic()) {
            i += 1;
            continue;
        }
        let mut s = String::new();
        while i < chars.len() && chars[i].is_ascii_digit() {
            s.push(chars[i]);
            i += 1;
        }
        loop {
            let sep = chars.get(i).copied();
            let is_sep = matches!(sep, Some(',' | '.' | ' ' | '\u{a0}' | '\u{202f}' | '\''));
            let group = (1..=3).all(|k| chars.get(i + k).is_some_and(char::is_ascii_digit));
            let fourth = chars.get(i + 4).is_some_and(char::is_ascii_digit);
            if is_sep && group && !fourth {
                s.extend(&chars[i..i + 4]);
                i += 4;
            } else if matches!(sep, Some('.' | ','))
                && chars.get(i + 1).is_some_and(char::is_ascii_digit)
                && !chars.get(i + 3).is_some_and(char::is_ascii_digit)
            {
                // A fraction: "4,5k", "100000.00".
                s.push(chars[i]);
                i += 1;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    s.push(chars[i]);
                    i += 1;
                }
                break;
            } else {
                break;
            }
        }
        if matches!(chars.get(i), Some('k' | 'K'))
            && !chars.get(i + 1).is_some_and(|c| c.is_alphabetic())
        {
            s.push('k');
            i += 1;
        }
        out.push(s);
    }
    out
}

fn words(t: &str) -> Vec<String> {
    t.split(|c: char| !(c.is_alphanumeric() || c == '.'))
        .map(|w| w.trim_matches('.').to_string())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Parses a salary phrase; the error says why it was not read.
pub fn parse_text(text: &str, language: &str) -> Result<Salary, String> {
    let t = text.trim();
    let mut currencies: Vec<String> = Vec::new();
    fn add(list: &mut Vec<String>, c: String) {
        if !list.contains(&c) {
            list.push(c);
        }
    }
    for (sym, code) in [("€", "EUR"), ("$", "USD"), ("£", "GBP")] {
        if t.contains(sym) {
            add(&mut currencies, code.to_string());
        }
    }
    let ws = words(t);
    let mut kr = false;
    for w in &ws {
        if CODES.contains(&w.as_str()) {
            add(&mut currencies, w.clone());
        } else if matches!(w.to_lowercase().as_str(), "kr" | "kronor" | "kroner") {
            kr = true;
        }
    }
    if kr && currencies.is_empty() {
        match krone(language) {
            Some(c) => add(&mut currencies, c),
            None => {
                return Err(format!(
                    "`kr` could be DKK, SEK or NOK and the language {language:?} does not say which; write the ISO code"
                ));
            }
        }
    }
    let currency = match currencies.as_slice() {
        [c] => c.clone(),
        [] => return Err("no currency (use a symbol such as € or a code such as EUR)".into()),
        _ => return Err(format!("several currencies ({})", currencies.join(", "))),
    };
    let amounts: Vec<f64> = numbers(t).iter().filter_map(|n| parse_amount(n)).collect();
    let (min, max) = match amounts.as_slice() {
        [a] => (*a, *a),
        [a, b] if a <= b => (*a, *b),
        [_, _] => return Err("the range runs backwards".into()),
        _ => return Err("expected one amount or a range like 50,000 - 80,000".into()),
    };
    if min <= 0.0 {
        return Err("the amount is zero".into());
    }
    // One amount said to be a bound ("up to €80k", "fra 45.000 kr.") is that bound, not
    // the salary.
    let bound = |phrases: &[&str]| {
        amounts.len() == 1
            && ws.iter().enumerate().any(|(i, w)| {
                let w = w.to_lowercase();
                phrases.iter().any(|p| match p.split_once(' ') {
                    Some((a, b)) => w == a && ws.get(i + 1).is_some_and(|n| n.to_lowercase() == b),
                    None => w == *p,
                })
            })
    };
    let (min, max) = if bound(UP_TO) {
        (None, Some(max))
    } else if bound(FROM) {
        (Some(min), None)
    } else {
        (Some(min), Some(max))
    };
    let mut units: Vec<SalaryUnit> = Vec::new();
    for w in &ws {
        if let Some(u) = unit(w)
            && !units.contains(&u)
        {
            units.push(u);
        }
    }
    let lower = t.to_lowercase();
    if (lower.contains("/md") || lower.contains("/mnd") || lower.contains("/mån"))
        && !units.contains(&SalaryUnit::Month)
    {
        units.push(SalaryUnit::Month);
    }
    let unit = match units.as_slice() {
        [u] => *u,
        [] => return Err("no period (per year, per month …)".into()),
        _ => return Err("more than one period".into()),
    };
    Ok(Salary {
        currency,
        min,
        max,
        unit: unit.as_str().into(),
    })
}

/// Words that make one amount the top of the range, per language.
const UP_TO: &[&str] = &[
    "up to",
    "upto",
    "max",
    "maximum",
    "op til",
    "upp till",
    "opp til",
    "inntil",
    "bis zu",
    "höchstens",
    "enintään",
];

/// Words that make one amount the bottom of the range, per language.
const FROM: &[&str] = &[
    "from",
    "starting",
    "min",
    "minimum",
    "fra",
    "från",
    "ab",
    "alkaen",
    "vanaf",
    "à partir",
];

/// Words that introduce a salary ("Salary range:", "Løninterval:", "Lön:").
const LABELS: &[&str] = &[
    "salary",
    "pay",
    "compensation",
    "remuneration",
    "lön",
    "löne",
    "lønn",
    "løn",
    "lønns",
    "lønnin",
    "gehalt",
    "vergütung",
    "palkka",
    "lønramme",
    "lønspænd",
    "løninterval",
    "lønnsintervall",
    "löneintervall",
    "lönespann",
];

fn is_label(line: &str) -> bool {
    let l = line.to_lowercase();
    l.split(|c: char| !c.is_alphabetic())
        .any(|w| LABELS.iter().any(|lab| w.starts_with(lab)))
}

fn has_money(line: &str) -> bool {
    line.contains(['€', '$', '£'])
        || words(line).iter().any(|w| {
            CODES.contains(&w.as_str())
                || matches!(w.to_lowercase().as_str(), "kr" | "kronor" | "kroner")
        })
}

/// Looks for a salary line in a posting's plain text; a label may stand on the line before.
///
/// A figure counts only when a salary label introduces it or it is a range: money in prose
/// ("we raised €5M per year") is news, not pay.
pub fn find_in_text(body: &str, language: &str) -> Found {
    let lines: Vec<&str> = body.lines().map(str::trim).collect();
    let mut unsure = None;
    for (i, line) in lines.iter().enumerate() {
        let digits = line.chars().any(|c| c.is_ascii_digit());
        let (candidate, labelled) = if digits && has_money(line) {
            let prev = i.checked_sub(1).map(|p| lines[p]).unwrap_or("");
            if is_label(line) {
                (line.to_string(), true)
            } else if is_label(prev) && prev.chars().count() < 60 {
                (format!("{prev} {line}"), true)
            } else {
                (line.to_string(), false)
            }
        } else if line.len() < 240
            && line.chars().count() < 60
            && let Some(next) = lines.get(i + 1)
            && next.chars().any(|c| c.is_ascii_digit())
            && has_money(next)
            // Last: it lowercases the line, and most lines of prose fail the tests above.
            && is_label(line)
        {
            (format!("{line} {next}"), true)
        } else if digits && is_label(line) {
            // A labelled amount without any currency: say so rather than guess one.
            unsure.get_or_insert((
                line.to_string(),
                "no currency (write a symbol such as € or a code such as EUR)".to_string(),
            ));
            continue;
        } else {
            continue;
        };
        match parse_text(&candidate, language) {
            Ok(s) if labelled || s.min != s.max => {
                if plausible(&s) {
                    return Found::Salary(s);
                }
                unsure.get_or_insert((
                    candidate,
                    "the amount is implausible for the period".to_string(),
                ));
            }
            Ok(_) => {
                unsure.get_or_insert((
                    candidate,
                    "a single amount without a salary label".to_string(),
                ));
            }
            Err(e) => {
                unsure.get_or_insert((candidate, e));
            }
        }
    }
    match unsure {
        Some((line, why)) => Found::Unsure(line, why),
        None => Found::None,
    }
}

/// Rejects figures that cannot be pay for the period (a yearly salary of 80).
fn plausible(s: &Salary) -> bool {
    // An open range ("up to …") is judged by the amount it gives.
    let min = s.min.or(s.max).unwrap_or(0.0);
    let floor = match s.unit.as_str() {
        "YEAR" => 1000.0,
        "MONTH" => 100.0,
        _ => 1.0,
    };
    min >= floor && s.max.unwrap_or(min) < 100_000_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(t: &str, lang: &str) -> (String, f64, f64, String) {
        let s = parse_text(t, lang).unwrap_or_else(|e| panic!("{t}: {e}"));
        (s.currency, s.min.unwrap(), s.max.unwrap(), s.unit)
    }

    fn r(c: &str, a: f64, b: f64, u: &str) -> (String, f64, f64, String) {
        (c.into(), a, b, u.into())
    }

    #[test]
    fn danish_body_line_reads_as_a_yearly_eur_range() {
        assert_eq!(
            read("€50,000 - €80,000 årligt", "da"),
            r("EUR", 50000.0, 80000.0, "YEAR")
        );
    }

    #[test]
    fn every_separator_style_and_language_reads_the_same_range() {
        for (t, lang) in [
            ("Salary range: €50.000 - €80.000 annually", "en"),
            ("50,000 - 80,000 EUR / Yearly", "en"),
            ("€50,000 - €80,000 årleg", "nn"),
            ("€50k–€80k per year", "en"),
            ("50 000 – 80 000 EUR per år", "sv"),
        ] {
            assert_eq!(read(t, lang), r("EUR", 50000.0, 80000.0, "YEAR"), "{t}");
        }
    }

    #[test]
    fn monthly_kronor_follow_the_language() {
        assert_eq!(
            read("45 000–55 000 SEK per month", "en"),
            r("SEK", 45000.0, 55000.0, "MONTH")
        );
        assert_eq!(
            read("45.000 kr./md.", "da"),
            r("DKK", 45000.0, 45000.0, "MONTH")
        );
        assert_eq!(
            read("45 000 kr i måneden", "nb"),
            r("NOK", 45000.0, 45000.0, "MONTH")
        );
        assert_eq!(
            read("45 000 kr/mån", "sv"),
            r("SEK", 45000.0, 45000.0, "MONTH")
        );
        assert!(parse_text("45.000 kr./md.", "en").is_err());
    }

    #[test]
    fn label_on_one_line_and_amount_on_the_next() {
        let body = "Startdato:\nSnarest\nLøninterval:\n€50,000 - €80,000 årligt\n";
        match find_in_text(body, "da") {
            Found::Salary(s) => assert_eq!((s.min, s.max), (Some(50000.0), Some(80000.0))),
            other => panic!("{other:?}"),
        }
        let body = "Salary (per month):\n45 000 - 55 000 SEK\n";
        match find_in_text(body, "en") {
            Found::Salary(s) => assert_eq!(s.unit, "MONTH"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unclear_lines_give_no_salary() {
        for t in [
            "We raised €5M in 2024",
            "€50,000 - €80,000",
            "80,000 - 50,000 EUR yearly",
            "50,000 EUR or 500,000 SEK yearly",
        ] {
            assert!(parse_text(t, "en").is_err(), "{t}");
        }
        assert!(matches!(
            find_in_text("We raised €5M in 2024", "en"),
            Found::Unsure(..)
        ));
        assert!(matches!(
            find_in_text("Revenue: €5 per year", "en"),
            Found::Unsure(..)
        ));
        assert!(matches!(
            find_in_text("It costs €5 million per year", "en"),
            Found::Unsure(..)
        ));
        assert_eq!(
            find_in_text("No money here.\nHvordan fastsetter dere lønn?", "nb"),
            Found::None
        );
    }

    #[test]
    fn one_amount_said_to_be_a_bound_is_that_bound_only() {
        let s = parse_text("Up to €80k per year", "en").unwrap();
        assert_eq!((s.min, s.max), (None, Some(80000.0)));
        assert!(matches!(
            find_in_text("Salary: up to €80,000 per year", "en"),
            Found::Salary(..)
        ));
        let s = parse_text("Fra 45.000 kr. om måneden", "da").unwrap();
        assert_eq!(
            (s.currency.as_str(), s.min, s.max, s.unit.as_str()),
            ("DKK", Some(45000.0), None, "MONTH")
        );
        let s = parse_text("Lön: upp till 60 000 kr per månad", "sv").unwrap();
        assert_eq!((s.min, s.max), (None, Some(60000.0)));
        // A range stays a range, whatever words surround it.
        let s = parse_text("from €50,000 to €80,000 per year", "en").unwrap();
        assert_eq!((s.min, s.max), (Some(50000.0), Some(80000.0)));
        // One amount without a bound word is the salary itself.
        let s = parse_text("€60,000 per year", "en").unwrap();
        assert_eq!((s.min, s.max), (Some(60000.0), Some(60000.0)));
    }

    #[test]
    fn amounts_with_fractions_and_groups() {
        assert_eq!(parse_amount("100000.00"), Some(100000.0));
        assert_eq!(parse_amount("50.000"), Some(50000.0));
        assert_eq!(parse_amount("4,5k"), Some(4500.0));
        assert_eq!(numbers("45 000–55 000"), vec!["45 000", "55 000"]);
    }

    proptest::proptest! {
        #[test]
        fn random_text_never_panics_and_never_gives_a_backwards_salary(
            s in "[0-9 ,.€$£kKr/\\-–a-zåøæ:A-Z\n]{0,60}",
            lang in proptest::sample::select(vec!["en", "sv", "da", "nb", "de", "fi", ""]),
        ) {
            if let Found::Salary(sal) = find_in_text(&s, lang) {
                proptest::prop_assert!(sal.min.unwrap() > 0.0 && sal.min <= sal.max, "{s:?}: {sal:?}");
            }
            if let Ok(sal) = parse_text(&s, lang) {
                proptest::prop_assert!(sal.min <= sal.max, "{s:?}: {sal:?}");
            }
        }
    }
}
