//! Generates a Hugo careers site of N realistic postings in four languages, for benchmarks:
//! `cargo run --release --example gen-corpus -- N DIR [SEED]`. Deterministic for a seed.

use std::fmt::Write as _;
use std::path::Path;

/// SplitMix64: small, fast, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

struct Lang {
    code: &'static str,
    roles: &'static [&'static str],
    levels: &'static [&'static str],
    locations: &'static [&'static str],
    durations: &'static [&'static str],
    headings: &'static [&'static str],
    sentences: &'static [&'static str],
    salary: &'static [&'static str],
    apply: &'static str,
}

const LANGS: [Lang; 4] = [
    Lang {
        code: "en",
        roles: &[
            "Platform Engineer",
            "Site Reliability Engineer",
            "Backend Developer",
            "Network Engineer",
            "Data Centre Technician",
            "Security Engineer",
            "Product Manager",
            "Support Engineer",
        ],
        levels: &["", "Senior ", "Lead ", "Junior "],
        locations: &[
            "Remote (Sweden or Norway)",
            "Sweden - Solna, Stockholm",
            "Sweden - Solna or Remote",
            "Remote, anywhere in the EU",
            "Norway - Oslo",
        ],
        durations: &["Full time", "Part time", "Contract"],
        headings: &[
            "What you will do",
            "Who you are",
            "What we offer",
            "How we work",
            "Bonus points",
        ],
        sentences: &[
            "You will run and improve our OpenStack and Ceph platform across three data centres.",
            "We value curiosity, written communication and small, reversible changes.",
            "Our on-call rotation is shared fairly and we fix the causes of pages.",
            "You automate with Ansible, Terraform and small tools in Go or Python.",
            "The team meets in Stockholm twice a month and works remotely otherwise.",
            "We offer a collective agreement, six weeks of vacation and a home-office budget.",
        ],
        salary: &[
            "Salary range: €50,000 - €80,000 annually",
            "65,000 - 85,000 EUR / Yearly",
            "Salary range: €4,000 - €6,000 per month",
        ],
        apply: "Apply now",
    },
    Lang {
        code: "sv",
        roles: &[
            "Plattformsingenjör",
            "Driftsingenjör",
            "Backendutvecklare",
            "Nätverksingenjör",
            "Datacentertekniker",
            "Säkerhetsingenjör",
            "Produktägare",
            "Supporttekniker",
        ],
        levels: &["", "Senior ", "Ledande ", "Junior "],
        locations: &[
            "På distans (Sverige eller Norge)",
            "Sverige - Solna, Stockholm",
            "Sverige - Kista, Stockholm",
        ],
        durations: &["Heltid", "Deltid"],
        headings: &[
            "Vad du kommer att göra",
            "Vem du är",
            "Vad vi erbjuder",
            "Så arbetar vi",
        ],
        sentences: &[
            "Du driver och förbättrar vår OpenStack- och Ceph-plattform i tre datacenter.",
            "Vi värdesätter nyfikenhet, skriftlig kommunikation och små, reversibla ändringar.",
            "Jouren delas rättvist och vi åtgärdar orsakerna till larm.",
            "Du automatiserar med Ansible, Terraform och små verktyg i Go eller Python.",
            "Vi erbjuder kollektivavtal, sex veckors semester och en hemmakontorsbudget.",
        ],
        salary: &[
            "Lön: 45 000–55 000 SEK per månad",
            "Lön: 50 000–70 000 SEK per månad",
        ],
        apply: "Ansök nu",
    },
    Lang {
        code: "da",
        roles: &[
            "Platformingeniør",
            "Driftsingeniør",
            "Backendudvikler",
            "Netværksingeniør",
            "Datacentertekniker",
            "Sikkerhedsingeniør",
        ],
        levels: &["", "Senior ", "Lead "],
        locations: &["Fjernarbejde (Sverige eller Norge)", "Danmark - København"],
        durations: &["Fuldtid", "Deltid"],
        headings: &[
            "Hvad du kommer til at lave",
            "Hvem er du?",
            "Hvad vi tilbyder",
        ],
        sentences: &[
            "Du driver og forbedrer vores OpenStack- og Ceph-platform i tre datacentre.",
            "Vi værdsætter nysgerrighed, skriftlig kommunikation og små ændringer.",
            "Du kan arbejde fuldt remote eller hvor som helst i EU.",
            "Du automatiserer med Ansible, Terraform og små værktøjer i Go.",
        ],
        salary: &["€50,000 - €80,000 årligt", "45.000 kr./md."],
        apply: "Ansøg nu",
    },
    Lang {
        code: "nb",
        roles: &[
            "Plattformingeniør",
            "Driftsingeniør",
            "Backendutvikler",
            "Nettverksingeniør",
            "DevOps-ingeniør",
        ],
        levels: &["", "Senior ", "Ledende "],
        locations: &["Hjemmekontor (Sverige eller Norge)", "Norge - Oslo"],
        durations: &["Heltid", "Deltid"],
        headings: &["Hva du skal gjøre", "Hvem du er", "Hva vi tilbyr"],
        sentences: &[
            "Du drifter og forbedrer vår OpenStack- og Ceph-plattform i tre datasentre.",
            "Vi verdsetter nysgjerrighet, skriftlig kommunikasjon og små endringer.",
            "Du automatiserer med Ansible, Terraform og små verktøy i Go eller Python.",
        ],
        salary: &[
            "€50,000 - €80,000 årleg",
            "Lønn: 600 000–800 000 NOK per år",
        ],
        apply: "Søk nå",
    },
];

fn posting(rng: &mut Rng, i: usize, lang: &Lang, vocabulary: &[String]) -> String {
    let title = format!("{}{}", rng.pick(lang.levels), rng.pick(lang.roles));
    let day = 1 + rng.below(28);
    let month = 1 + rng.below(11);
    let draft = rng.below(100) == 0;
    let mut s = String::with_capacity(6000);
    s.push_str("---\n");
    let _ = writeln!(s, "Title: \"{title}\"");
    let _ = writeln!(s, "intro: \"{}\"", rng.pick(lang.sentences));
    let _ = writeln!(s, "date: \"2026-{month:02}-{day:02}\"");
    if rng.below(3) == 0 {
        let _ = writeln!(
            s,
            "expirydate: \"2027-{:02}-{:02}\"",
            1 + rng.below(12),
            1 + rng.below(28)
        );
    }
    let _ = writeln!(s, "draft: {draft}");
    let _ = writeln!(s, "Location: \"{}\"", rng.pick(lang.locations));
    let _ = writeln!(s, "Duration: \"{}\"", rng.pick(lang.durations));
    let _ = writeln!(s, "Team: \"Team {}\"", 1 + rng.below(12));
    let _ = writeln!(
        s,
        "sidebarlinkurl: \"https://apply.example.net/jobs/{i}?lang={}\"",
        lang.code
    );
    let _ = writeln!(s, "sidebarlinkname: \"{}\"", lang.apply);
    let _ = writeln!(s, "language: \"{}\"", lang.code);
    // The case-variant key real sites carry.
    s.push_str("Language: \"En\"\n---\n");
    s.push_str("{{< ingress >}}\n");
    s.push_str(rng.pick(lang.sentences));
    s.push_str("\n{{< /ingress >}}\n\n");
    let target = 3000 + rng.below(3000);
    while s.len() < target {
        let _ = writeln!(s, "## {}\n", rng.pick(lang.headings));
        s.push_str(rng.pick(lang.sentences));
        for _ in 0..2 + rng.below(3) {
            s.push(' ');
            let n = 8 + rng.below(10);
            sentence(rng, vocabulary, n, &mut s);
        }
        s.push_str("\n\n");
        for _ in 0..3 + rng.below(4) {
            s.push_str("- ");
            let n = 4 + rng.below(8);
            sentence(rng, vocabulary, n, &mut s);
            s.push('\n');
        }
        s.push('\n');
    }
    s.push_str("{{% accordion title=\"Process\" %}}\n1. Call\n2. Interview\n3. Offer\n{{% /accordion %}}\n\n{{< accordion-script >}}\n\n");
    let _ = write!(
        s,
        "{{{{% note \"info\" %}}}}\n{}\n{{{{% /note %}}}}\n",
        rng.pick(lang.salary)
    );
    s
}

/// The words of a language's phrases, for prose that is not the same few sentences over
/// again: descriptions are held compressed, and repeated sentences compress to 16% with LZ4
/// where the first user's postings compress to about 70%.
fn vocabulary(lang: &Lang) -> Vec<String> {
    let mut words: Vec<String> = [lang.sentences, lang.roles, lang.headings]
        .iter()
        .flat_map(|phrases| phrases.iter())
        .flat_map(|p| p.split_whitespace())
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect();
    words.sort();
    words.dedup();
    words
}

/// Endings that vary a word as inflection would, so that prose repeats no more than real
/// prose does.
const ENDINGS: &[&str] = &[
    "", "", "", "s", "e", "er", "en", "et", "ing", "ed", "ar", "ene", "ly",
];

const SYLLABLES: &[&str] = &[
    "ka", "ro", "ten", "mi", "sa", "lu", "der", "vi", "no", "ste", "ga", "pe", "lin", "ber", "ol",
    "an", "tor", "fje", "strø", "gå", "ul", "hem", "dag", "rik", "mo", "sel", "qu", "ix",
];

/// A sentence of `n` words from `vocabulary`, capitalised, with a full stop.
fn sentence(rng: &mut Rng, vocabulary: &[String], n: usize, out: &mut String) {
    for k in 0..n {
        // Half the words are the language's own, half made of syllables: real postings
        // name many things (products, places, tools) that occur once.
        let w = if rng.below(2) == 0 {
            vocabulary[rng.below(vocabulary.len())].clone()
        } else {
            (0..1 + rng.below(3)).map(|_| rng.pick(SYLLABLES)).collect()
        };
        if k == 0 {
            let mut chars = w.chars();
            out.extend(chars.next().map(|c| c.to_uppercase().collect::<String>()));
            out.push_str(chars.as_str());
        } else {
            out.push(' ');
            out.push_str(&w);
        }
        out.push_str(rng.pick(ENDINGS));
    }
    out.push('.');
}

// The older config forms (`contentDir`, flat `permalinks`) that Hugo 0.111 and jobfeed both read.
const HUGO: &str = r#"baseURL = "https://www.example.com/"
defaultContentLanguage = "en"
removePathAccents = true
disableKinds = ["taxonomy", "term"]

[languages.en]
weight = 1
baseURL = "https://www.example.com/"
contentDir = "content/en"
[languages.sv]
weight = 2
baseURL = "https://www.example.se/"
contentDir = "content/sv"
[languages.sv.permalinks]
career = "/karriar/:slugorfilename/"
[languages.da]
weight = 3
baseURL = "https://www.example.dk/"
contentDir = "content/da"
[languages.nb]
weight = 4
baseURL = "https://www.example.no/"
contentDir = "content/nb"
"#;

const FEED: &str = r#"id = "corpus"
title = "Benchmark corpus"
base_url = "https://jobs.example.com/corpus/"
timezone = "Europe/Stockholm"

[organization]
name = "Example Cloud AB"
url = "https://www.example.com/"
logo = "https://www.example.com/logo.png"
email = "jobs@example.com"
linkedin_company_id = "1234567"

[defaults]
employment_types = ["FULL_TIME"]
locations = [{ locality = "Stockholm", country = "SE" }]

[[sources]]
type = "markdown"
path = "site"
section = "career"
"#;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(n), Some(dir)) = (
        args.get(1).and_then(|a| a.parse::<usize>().ok()),
        args.get(2),
    ) else {
        eprintln!("usage: gen-corpus N DIR [SEED]");
        std::process::exit(2);
    };
    let seed = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(42);
    let root = Path::new(dir);
    let site = root.join("site");
    std::fs::create_dir_all(&site)?;
    std::fs::write(site.join("hugo.toml"), HUGO)?;
    std::fs::write(root.join("feed.toml"), FEED)?;
    // Minimal templates so that Hugo renders the same pages (HTML, RSS, sitemap) for the
    // comparison; its shortcodes print their content the way jobfeed keeps it.
    let layouts = site.join("layouts");
    std::fs::create_dir_all(layouts.join("_default"))?;
    std::fs::create_dir_all(layouts.join("shortcodes"))?;
    std::fs::write(
        layouts.join("_default/single.html"),
        "<!doctype html><html><head><title>{{ .Title }}</title></head><body><h1>{{ .Title }}</h1>{{ .Content }}</body></html>\n",
    )?;
    std::fs::write(
        layouts.join("_default/list.html"),
        "<!doctype html><html><body><ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul></body></html>\n",
    )?;
    for (name, body) in [
        ("ingress", "<p class=\"ingress\">{{ .Inner }}</p>"),
        ("note", "<div class=\"note\">{{ .Inner }}</div>"),
        (
            "accordion",
            "<details><summary>{{ .Get \"title\" }}</summary>{{ .Inner }}</details>",
        ),
        ("accordion-script", ""),
    ] {
        std::fs::write(
            layouts.join("shortcodes").join(format!("{name}.html")),
            body,
        )?;
    }
    for l in &LANGS {
        let d = site.join("content").join(l.code).join("career");
        std::fs::create_dir_all(&d)?;
        std::fs::write(
            d.join("_index.md"),
            "---\ntitle: \"Careers\"\n---\nOpen positions.\n",
        )?;
    }
    let mut rng = Rng(seed);
    let mut bytes = 0;
    let vocabularies: Vec<Vec<String>> = LANGS.iter().map(vocabulary).collect();
    for i in 0..n {
        let lang = &LANGS[i % LANGS.len()];
        let text = posting(&mut rng, i, lang, &vocabularies[i % LANGS.len()]);
        bytes += text.len();
        let path = site
            .join("content")
            .join(lang.code)
            .join("career")
            .join(format!("posting-{i:06}.md"));
        std::fs::write(path, text)?;
    }
    eprintln!(
        "wrote {n} postings ({:.1} MB) under {}",
        bytes as f64 / 1e6,
        site.display()
    );
    Ok(())
}
