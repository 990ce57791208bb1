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
        .trim_start_matches("a ")
        .trim_end_matches('.');
    match t {
        "year" | "yearly" | "annually" | "annual" | "årligt" | "årleg" | "årlig" | "år"
        | "jährlich" | "jahr" | "vuodessa" => Some(SalaryUnit::Year),
        "month" | "monthly" | "månad" | "måned" | "md" | "mån" | "monatlich" | "monat"
        | "kuukaudessa" => Some(SalaryUnit::Month),
        "week" | "weekly" | "vecka" | "uke" | "uge" => Some(SalaryUnit::Week),
        "day" | "daily" | "dag" | "tag" => Some(SalaryUnit::Day),
        "hour" | "hourly" | "timme" | "time" | "stunde" | "h" => Some(SalaryUnit::Hour),
        _ => SalaryUnit::from_code(&t.to_uppercase()),
    }
}

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

/// Parses an amount with any thousands separator ("50,000", "50.000", "50 000", "60000").
pub fn parse_amount(text: &str) -> Option<f64> {
    let digits: String = text
        .chars()
        .filter(|c| !matches!(c, ',' | '.' | ' ' | '\u{a0}' | '\u{202f}' | '\''))
        .collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return text
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0);
    }
    // "100000.00": a decimal point followed by exactly two digits is cents.
    if let Some((whole, cents)) = text.trim().rsplit_once('.')
        && cents.len() == 2
        && !whole.contains(',')
    {
        return format!("{}.{cents}", whole.replace([' ', '\u{a0}'], ""))
            .parse()
            .ok();
    }
    digits.parse().ok()
}

/// Parses a salary phrase; the error says why it was not read.
pub fn parse_text(text: &str, _language: &str) -> Result<Salary, String> {
    let t = text.trim();
    let mut currency = None;
    for sym in ["€", "$", "£"] {
        if t.contains(sym) {
            currency = currency_code(sym);
        }
    }
    for word in t.split(|c: char| !c.is_alphabetic()) {
        if word.len() == 3 && word.chars().all(|c| c.is_ascii_uppercase()) {
            currency = Some(word.to_string());
        }
    }
    let currency = currency.ok_or("no currency (use a symbol such as € or a code such as EUR)")?;
    let numbers: Vec<f64> = t
        .split(['-', '–', '—'])
        .filter_map(|part| {
            let n: String = part
                .chars()
                .skip_while(|c| !c.is_ascii_digit())
                .take_while(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | ' ' | '\u{a0}'))
                .collect();
            parse_amount(n.trim())
        })
        .collect();
    let (min, max) = match numbers.as_slice() {
        [a] => (*a, *a),
        [a, b] if a <= b => (*a, *b),
        _ => return Err("expected one amount or a range like 50,000 - 80,000".into()),
    };
    let tail = t
        .rsplit(|c: char| c.is_ascii_digit() || c == '€')
        .next()
        .unwrap_or("");
    let unit = tail
        .split(['/', ' '])
        .filter(|w| !w.is_empty() && *w != "per" && currency_code(w).is_none())
        .find_map(self::unit)
        .ok_or("no period (per year, per month …)")?;
    Ok(Salary {
        currency,
        min: Some(min),
        max: Some(max),
        unit: unit.as_str().into(),
    })
}

/// Looks for a salary line in a posting's plain text.
pub fn find_in_text(body: &str, language: &str) -> Found {
    let lines: Vec<&str> = body.lines().map(str::trim).collect();
    for (i, line) in lines.iter().enumerate() {
        let has_digit = line.chars().any(|c| c.is_ascii_digit());
        let has_money = line.contains('€')
            || line.contains("EUR")
            || line.contains("SEK")
            || line.contains("NOK")
            || line.contains("DKK");
        if has_digit && has_money {
            return match parse_text(line, language) {
                Ok(s) => Found::Salary(s),
                Err(e) => Found::Unsure(line.to_string(), e),
            };
        }
        let _ = i;
    }
    Found::None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn danish_body_line_reads_as_a_yearly_eur_range() {
        let s = parse_text("€50,000 - €80,000 årligt", "da").unwrap();
        assert_eq!(
            (s.currency.as_str(), s.min, s.max, s.unit.as_str()),
            ("EUR", Some(50000.0), Some(80000.0), "YEAR")
        );
    }
}
