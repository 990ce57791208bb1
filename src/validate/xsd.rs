//! A small XSD checker for our own board schemas (`schemas/indeed.xsd`, `schemas/linkedin.xsd`).
//! It supports exactly the subset they use and refuses to load anything else, so a schema
//! edit cannot silently weaken the check; a test holds its verdicts equal to `xmllint --schema`.
//!
//! Supported: one global `xs:element`; named or inline `xs:complexType` holding one
//! `xs:sequence` of `xs:element` (`name`, `type`, `minOccurs`, `maxOccurs`); named or inline
//! `xs:simpleType` with an `xs:restriction` of `xs:string` or `xs:nonNegativeInteger` by
//! `xs:enumeration`, `xs:pattern`, `xs:minLength`, `xs:maxLength`. No attributes, no namespaces.

use std::collections::HashMap;

use regex::Regex;

use super::xml::{self, Element};

/// A loaded schema, ready to check documents.
#[derive(Debug)]
pub struct Xsd {
    root: Particle,
    types: Vec<Type>,
}

#[derive(Debug, Clone)]
struct Particle {
    name: String,
    ty: usize,
    min: u32,
    /// `None` = unbounded.
    max: Option<u32>,
}

#[derive(Debug)]
enum Type {
    Complex(Vec<Particle>),
    Simple(Simple),
    /// A named type declared but not yet parsed (only during loading).
    Pending,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Builtin {
    String,
    NonNegativeInteger,
}

#[derive(Debug)]
struct Simple {
    base: Builtin,
    enumeration: Vec<String>,
    /// Source text and the compiled, anchored form.
    patterns: Vec<(String, Regex)>,
    min_length: Option<usize>,
    max_length: Option<usize>,
}

/// One way a document breaks the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XsdError {
    /// Element path, e.g. `/source/job[2]/country`.
    pub path: String,
    /// What was found and what was expected.
    pub message: String,
    pub line: u32,
}

const XS: &str = "xs:";

impl Xsd {
    /// Loads a schema written in the supported subset; anything else is an error naming it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let schema =
            xml::parse(text.as_bytes()).map_err(|e| format!("XSD is not XML: {}", e.message))?;
        if schema.name != "xs:schema" {
            return Err(format!(
                "root is <{}>, expected <xs:schema> (prefix xs)",
                schema.name
            ));
        }
        let mut loader = Loader::default();
        // Pass 1: give every named type an index, so references may point forwards.
        for child in &schema.children {
            match child.name.as_str() {
                "xs:complexType" | "xs:simpleType" => {
                    let name = required_attr(child, "name")?;
                    if loader
                        .named
                        .insert(name.to_string(), loader.types.len())
                        .is_some()
                    {
                        return Err(format!("type {name} is declared twice"));
                    }
                    loader.types.push(Type::Pending);
                }
                "xs:element" | "xs:annotation" => {}
                other => return Err(format!("unsupported top-level <{other}>")),
            }
        }
        // Pass 2: the definitions and the one global element.
        let mut root = None;
        for child in &schema.children {
            match child.name.as_str() {
                "xs:complexType" | "xs:simpleType" => {
                    let idx = loader.named[required_attr(child, "name")?];
                    loader.types[idx] = loader.type_body(child)?;
                }
                "xs:element" => {
                    if root.is_some() {
                        return Err("more than one global xs:element".into());
                    }
                    root = Some(loader.particle(child)?);
                }
                _ => {}
            }
        }
        let root = root.ok_or("no global xs:element")?;
        if let Some(name) = loader
            .named
            .iter()
            .find(|(_, i)| matches!(loader.types[**i], Type::Pending))
            .map(|(n, _)| n)
        {
            return Err(format!("type {name} has no definition"));
        }
        Ok(Xsd {
            root,
            types: loader.types,
        })
    }

    /// Every violation in `doc` (one per element at most, as `xmllint` reports them).
    pub fn validate(&self, doc: &Element) -> Vec<XsdError> {
        let mut out = Vec::new();
        let path = format!("/{}", doc.name);
        if doc.name != self.root.name {
            out.push(XsdError {
                path,
                message: format!(
                    "root element is <{}>, the schema expects <{}>",
                    doc.name, self.root.name
                ),
                line: doc.line,
            });
            return out;
        }
        self.element(doc, self.root.ty, &path, &mut out);
        out
    }

    /// Checks a child of the root that [`xml::parse_detaching`] handed over on its own,
    /// the `n`th of its name; its place among its siblings is checked with the root.
    pub fn validate_detached(&self, el: &Element, n: usize) -> Vec<XsdError> {
        let mut out = Vec::new();
        let Type::Complex(particles) = &self.types[self.root.ty] else {
            return out;
        };
        // A child the root may not hold is reported by the root's sequence check.
        if let Some(p) = particles.iter().find(|p| p.name == el.name) {
            let path = if p.max == Some(1) {
                format!("/{}/{}", self.root.name, el.name)
            } else {
                format!("/{}/{}[{n}]", self.root.name, el.name)
            };
            self.element(el, p.ty, &path, &mut out);
        }
        out
    }

    fn element(&self, el: &Element, ty: usize, path: &str, out: &mut Vec<XsdError>) {
        let err = |message: String| XsdError {
            path: path.to_string(),
            message,
            line: el.line,
        };
        for (k, v) in &el.attrs {
            // Namespace declarations are not attributes; a default namespace other than
            // none moves the element out of the schema's (absent) target namespace.
            if k.starts_with("xmlns:") || (k == "xmlns" && v.is_empty()) {
                continue;
            }
            if k == "xmlns" {
                out.push(err(format!(
                    "element is in namespace {v:?}; the schema has no target namespace"
                )));
            } else {
                out.push(err(format!("attribute {k:?} is not allowed")));
            }
            return;
        }
        match &self.types[ty] {
            Type::Complex(particles) => {
                if !el.text.trim().is_empty() {
                    out.push(err(format!(
                        "text {:?} is not allowed here: <{}> holds only child elements",
                        shorten(el.text.trim()),
                        el.name
                    )));
                    return;
                }
                self.sequence(el, particles, path, out);
            }
            Type::Simple(simple) => {
                if let Some(child) = el.children.first() {
                    out.push(err(format!(
                        "child element <{}> is not allowed: <{}> holds only text",
                        child.name, el.name
                    )));
                    return;
                }
                if let Some(problem) = simple.check(&el.text) {
                    out.push(err(problem));
                }
            }
            Type::Pending => unreachable!("resolved at load"),
        }
    }

    /// Greedy match of the children against the sequence; our schemas have distinct names
    /// in each sequence, so (as XSD's unique particle attribution demands) greedy is exact.
    fn sequence(&self, el: &Element, particles: &[Particle], path: &str, out: &mut Vec<XsdError>) {
        let mut i = 0;
        let mut count = 0u32;
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for child in &el.children {
            loop {
                let Some(p) = particles.get(i) else {
                    out.push(XsdError {
                        path: format!("{path}/{}", child.name),
                        message: format!(
                            "<{}> is not expected here: nothing may follow <{}> in <{}>",
                            child.name,
                            particles.last().map_or("", |p| p.name.as_str()),
                            el.name
                        ),
                        line: child.line,
                    });
                    return;
                };
                if child.name == p.name && p.max.is_none_or(|m| count < m) {
                    count += 1;
                    let n = seen.entry(p.name.as_str()).or_default();
                    *n += 1;
                    let child_path = if p.max == Some(1) {
                        format!("{path}/{}", child.name)
                    } else {
                        format!("{path}/{}[{n}]", child.name)
                    };
                    // A detached child is checked on its own by `validate_detached`.
                    if !child.detached {
                        self.element(child, p.ty, &child_path, out);
                    }
                    break;
                }
                if count >= p.min {
                    i += 1;
                    count = 0;
                    continue;
                }
                out.push(XsdError {
                    path: format!("{path}/{}", child.name),
                    message: format!(
                        "found <{}> where <{}> is required ({})",
                        child.name,
                        p.name,
                        expected_from(particles, i)
                    ),
                    line: child.line,
                });
                return;
            }
        }
        while let Some(p) = particles.get(i) {
            if count < p.min {
                out.push(XsdError {
                    path: path.to_string(),
                    message: format!(
                        "<{}> is missing a <{}> ({})",
                        el.name,
                        p.name,
                        expected_from(particles, i)
                    ),
                    line: el.line,
                });
                return;
            }
            i += 1;
            count = 0;
        }
    }
}

/// "expected: a, b?, c*" from position `i` on, to show where the element belongs.
fn expected_from(particles: &[Particle], i: usize) -> String {
    let rest: Vec<String> = particles[i..]
        .iter()
        .take(4)
        .map(|p| match (p.min, p.max) {
            (0, Some(1)) => format!("{}?", p.name),
            (0, None) => format!("{}*", p.name),
            (_, None) => format!("{}+", p.name),
            _ => p.name.clone(),
        })
        .collect();
    let more = if particles.len() - i > 4 { ", …" } else { "" };
    format!("expected in order: {}{more}", rest.join(", "))
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s.to_string()
    }
}

impl Simple {
    fn check(&self, raw: &str) -> Option<String> {
        let value: String = match self.base {
            Builtin::String => raw.to_string(),
            Builtin::NonNegativeInteger => {
                // xs:integer has whitespace="collapse"
                let v = raw.split_whitespace().collect::<Vec<_>>().join(" ");
                let digits = v.strip_prefix('+').unwrap_or(&v);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Some(format!("{:?} is not a non-negative integer", shorten(raw)));
                }
                v
            }
        };
        let len = value.chars().count();
        if let Some(min) = self.min_length
            && len < min
        {
            return Some(if min == 1 {
                "must not be empty".to_string()
            } else {
                format!("is {len} characters long; at least {min} are required")
            });
        }
        if let Some(max) = self.max_length
            && len > max
        {
            return Some(format!(
                "{:?} is {len} characters long; at most {max} are allowed",
                shorten(&value)
            ));
        }
        if !self.enumeration.is_empty() && !self.enumeration.contains(&value) {
            return Some(format!(
                "{:?} is not allowed; use one of: {}",
                shorten(&value),
                self.enumeration.join(" | ")
            ));
        }
        if !self.patterns.is_empty() && !self.patterns.iter().any(|(_, re)| re.is_match(&value)) {
            let srcs: Vec<&str> = self.patterns.iter().map(|(s, _)| s.as_str()).collect();
            return Some(format!(
                "{:?} does not match the pattern {}",
                shorten(&value),
                srcs.join(" | ")
            ));
        }
        None
    }
}

#[derive(Default)]
struct Loader {
    named: HashMap<String, usize>,
    types: Vec<Type>,
}

impl Loader {
    fn particle(&mut self, el: &Element) -> Result<Particle, String> {
        let name = required_attr(el, "name")?.to_string();
        for (k, _) in &el.attrs {
            if !matches!(k.as_str(), "name" | "type" | "minOccurs" | "maxOccurs") {
                return Err(format!("element {name}: unsupported attribute {k}"));
            }
        }
        let occurs = |attr: &str, default: u32| -> Result<Option<u32>, String> {
            match el.attr(attr) {
                None => Ok(Some(default)),
                Some("unbounded") => Ok(None),
                Some(n) => n
                    .parse()
                    .map(Some)
                    .map_err(|_| format!("element {name}: bad {attr} {n:?}")),
            }
        };
        let min = occurs("minOccurs", 1)?
            .ok_or(format!("element {name}: minOccurs cannot be unbounded"))?;
        let max = occurs("maxOccurs", 1)?;
        let ty = match (el.attr("type"), el.children.as_slice()) {
            (Some(t), []) => self.type_ref(t)?,
            (None, [inline])
                if matches!(inline.name.as_str(), "xs:complexType" | "xs:simpleType") =>
            {
                let body = self.type_body(inline)?;
                self.types.push(body);
                self.types.len() - 1
            }
            _ => {
                return Err(format!(
                    "element {name}: needs either a type attribute or one inline type"
                ));
            }
        };
        Ok(Particle { name, ty, min, max })
    }

    fn type_ref(&mut self, t: &str) -> Result<usize, String> {
        if let Some(builtin) = builtin(t) {
            self.types.push(Type::Simple(Simple {
                base: builtin,
                enumeration: Vec::new(),
                patterns: Vec::new(),
                min_length: None,
                max_length: None,
            }));
            return Ok(self.types.len() - 1);
        }
        if t.starts_with(XS) {
            return Err(format!("unsupported built-in type {t}"));
        }
        self.named
            .get(t)
            .copied()
            .ok_or_else(|| format!("unknown type {t}"))
    }

    fn type_body(&mut self, def: &Element) -> Result<Type, String> {
        match def.name.as_str() {
            "xs:complexType" => {
                let [seq] = def.children.as_slice() else {
                    return Err("complexType must hold exactly one xs:sequence".into());
                };
                if seq.name != "xs:sequence" || !seq.attrs.is_empty() {
                    return Err(format!(
                        "unsupported <{}> in complexType (only a plain xs:sequence)",
                        seq.name
                    ));
                }
                let mut particles = Vec::new();
                for p in &seq.children {
                    if p.name != "xs:element" {
                        return Err(format!("unsupported <{}> in xs:sequence", p.name));
                    }
                    particles.push(self.particle(p)?);
                }
                Ok(Type::Complex(particles))
            }
            "xs:simpleType" => {
                let [r] = def.children.as_slice() else {
                    return Err("simpleType must hold exactly one xs:restriction".into());
                };
                if r.name != "xs:restriction" {
                    return Err(format!("unsupported <{}> in simpleType", r.name));
                }
                let base_name = required_attr(r, "base")?;
                let base = builtin(base_name)
                    .ok_or_else(|| format!("unsupported restriction base {base_name}"))?;
                let mut s = Simple {
                    base,
                    enumeration: Vec::new(),
                    patterns: Vec::new(),
                    min_length: None,
                    max_length: None,
                };
                for facet in &r.children {
                    let value = required_attr(facet, "value")?;
                    let number = || {
                        value
                            .parse::<usize>()
                            .map_err(|_| format!("bad {} {value:?}", facet.name))
                    };
                    match facet.name.as_str() {
                        "xs:enumeration" => s.enumeration.push(value.to_string()),
                        "xs:pattern" => s.patterns.push((value.to_string(), xsd_regex(value)?)),
                        "xs:minLength" => s.min_length = Some(number()?),
                        "xs:maxLength" => s.max_length = Some(number()?),
                        other => return Err(format!("unsupported facet <{other}>")),
                    }
                }
                Ok(Type::Simple(s))
            }
            other => Err(format!("unsupported type definition <{other}>")),
        }
    }
}

fn builtin(t: &str) -> Option<Builtin> {
    match t {
        "xs:string" => Some(Builtin::String),
        "xs:nonNegativeInteger" => Some(Builtin::NonNegativeInteger),
        _ => None,
    }
}

fn required_attr<'a>(el: &'a Element, name: &str) -> Result<&'a str, String> {
    el.attr(name)
        .ok_or_else(|| format!("<{}> needs a {name} attribute", el.name))
}

/// XSD regular expressions are implicitly anchored, and `.` excludes CR as well as LF.
/// XSD-only escapes (`\i`, `\c`, class subtraction) are refused rather than misread.
fn xsd_regex(src: &str) -> Result<Regex, String> {
    let mut out = String::with_capacity(src.len() + 16);
    let mut in_class = false;
    let mut chars = src.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let next = chars.next().ok_or("pattern ends with a backslash")?;
                if matches!(next, 'i' | 'I' | 'c' | 'C') {
                    return Err(format!("pattern {src:?}: \\{next} is not supported"));
                }
                out.push('\\');
                out.push(next);
            }
            '[' if in_class => {
                return Err(format!(
                    "pattern {src:?}: class subtraction is not supported"
                ));
            }
            '[' => {
                in_class = true;
                out.push(c);
            }
            ']' => {
                in_class = false;
                out.push(c);
            }
            '.' if !in_class => out.push_str("[^\\n\\r]"),
            '^' | '$' if !in_class => {
                // Plain characters in XSD regexes.
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    Regex::new(&format!("^(?:{out})$")).map_err(|e| format!("pattern {src:?}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINI: &str = r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
      <xs:element name="r">
        <xs:complexType><xs:sequence>
          <xs:element name="a" type="code"/>
          <xs:element name="b" type="xs:nonNegativeInteger" minOccurs="0"/>
          <xs:element name="c" type="xs:string" minOccurs="0" maxOccurs="unbounded"/>
        </xs:sequence></xs:complexType>
      </xs:element>
      <xs:simpleType name="code"><xs:restriction base="xs:string">
        <xs:pattern value="[A-Z]{2}"/>
      </xs:restriction></xs:simpleType>
    </xs:schema>"#;

    fn check(doc: &str) -> Vec<XsdError> {
        Xsd::parse(MINI)
            .unwrap()
            .validate(&xml::parse(doc.as_bytes()).unwrap())
    }

    /// The streaming check (children handed over one by one, stubs left in the root) must
    /// find exactly what the whole-tree check finds, or board feeds lose validation.
    #[test]
    fn detached_children_get_the_same_verdicts_as_the_whole_tree() {
        let xsd = Xsd::parse(MINI).unwrap();
        for doc in [
            "<r><a>SE</a><c/><c>x</c></r>",
            "<r><a>SEX</a><c/></r>",
            "<r><a>SE</a><c><x/></c><c>x</c></r>",
            "<r><a>SE</a><c/><b>1</b></r>",
            "<r><c>x</c></r>",
        ] {
            let whole = xsd.validate(&xml::parse(doc.as_bytes()).unwrap());
            let mut parts = Vec::new();
            let mut n = 0;
            let root = xml::parse_detaching(doc.as_bytes(), 1, Some("c"), &mut |el| {
                n += 1;
                parts.extend(xsd.validate_detached(&el, n));
            })
            .unwrap();
            let mut streamed = xsd.validate(&root);
            streamed.extend(parts);
            assert_eq!(streamed, whole, "{doc}");
        }
    }

    #[test]
    fn sequence_with_optional_and_repeated_elements_is_accepted() {
        assert_eq!(check("<r><a>SE</a><c/><c>x</c></r>"), vec![]);
        assert_eq!(check("<r><a>SE</a><b> 3 </b></r>"), vec![]);
    }

    #[test]
    fn pattern_is_anchored_like_xsd() {
        let e = check("<r><a>SEX</a></r>");
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].path, "/r/a");
        assert!(e[0].message.contains("[A-Z]{2}"), "{}", e[0].message);
    }

    #[test]
    fn missing_out_of_order_and_unexpected_elements_name_what_was_expected() {
        assert!(check("<r/>")[0].message.contains("missing a <a>"));
        assert!(
            check("<r><b>1</b><a>SE</a></r>")[0]
                .message
                .contains("where <a> is required")
        );
        assert!(
            check("<r><a>SE</a><c/><b>1</b></r>")[0]
                .message
                .contains("not expected")
        );
        assert!(
            check("<r><a>SE</a><b>-1</b></r>")[0]
                .message
                .contains("non-negative")
        );
    }

    #[test]
    fn schemas_outside_the_supported_subset_are_refused() {
        let with_attr = MINI.replace("<xs:sequence>", "<xs:sequence minOccurs=\"0\">");
        assert!(Xsd::parse(&with_attr).is_err());
        let with_choice = MINI.replace("xs:sequence", "xs:choice");
        assert!(Xsd::parse(&with_choice).is_err());
    }

    #[test]
    fn xsd_dot_does_not_match_carriage_return() {
        let re = xsd_regex("https://.+").unwrap();
        assert!(re.is_match("https://x"));
        assert!(!re.is_match("https://x\ry"));
        assert!(!re.is_match("xhttps://x"));
    }
}
