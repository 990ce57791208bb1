//! Process metrics in Prometheus text format: counters, gauges and run-duration summaries,
//! labelled by feed, source or status (never by posting, to keep cardinality bounded).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

type Labels = Vec<(&'static str, String)>;

#[derive(Debug, Default)]
struct Family {
    help: &'static str,
    kind: &'static str,
    values: BTreeMap<Labels, f64>,
}

/// A small registry; cheap enough to update on every request.
#[derive(Debug, Default)]
pub struct Metrics {
    families: Mutex<BTreeMap<&'static str, Family>>,
}

impl Metrics {
    fn update(
        &self,
        name: &'static str,
        kind: &'static str,
        help: &'static str,
        labels: &[(&'static str, &str)],
        f: impl FnOnce(&mut f64),
    ) {
        let mut fams = self.families.lock().unwrap_or_else(|e| e.into_inner());
        let fam = fams.entry(name).or_insert_with(|| Family {
            help,
            kind,
            values: BTreeMap::new(),
        });
        let key: Labels = labels.iter().map(|(k, v)| (*k, v.to_string())).collect();
        f(fam.values.entry(key).or_insert(0.0));
    }

    /// Adds `by` to a counter.
    pub fn inc(
        &self,
        name: &'static str,
        help: &'static str,
        labels: &[(&'static str, &str)],
        by: f64,
    ) {
        self.update(name, "counter", help, labels, |v| *v += by);
    }

    /// Sets a gauge.
    pub fn set(
        &self,
        name: &'static str,
        help: &'static str,
        labels: &[(&'static str, &str)],
        to: f64,
    ) {
        self.update(name, "gauge", help, labels, |v| *v = to);
    }

    /// Records one observation of a summary (`_sum` and `_count`).
    pub fn observe(
        &self,
        name: &'static str,
        help: &'static str,
        labels: &[(&'static str, &str)],
        value: f64,
    ) {
        self.update(name, "summary", help, labels, |v| *v += value);
        let mut fams = self.families.lock().unwrap_or_else(|e| e.into_inner());
        let key: Labels = labels.iter().map(|(k, v)| (*k, v.to_string())).collect();
        let count = fams.get_mut(name).expect("family just created");
        // Counts are kept under a synthetic label so that one family holds both series.
        let mut ckey = key;
        ckey.push(("__count", String::new()));
        *count.values.entry(ckey).or_insert(0.0) += 1.0;
    }

    /// The current value of a series, for tests and the status page.
    pub fn get(&self, name: &str, labels: &[(&'static str, &str)]) -> Option<f64> {
        let fams = self.families.lock().unwrap_or_else(|e| e.into_inner());
        let key: Labels = labels.iter().map(|(k, v)| (*k, v.to_string())).collect();
        fams.get(name).and_then(|f| f.values.get(&key)).copied()
    }

    /// Prometheus text exposition format 0.0.4.
    pub fn render(&self) -> String {
        let fams = self.families.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = String::new();
        for (name, fam) in fams.iter() {
            let _ = writeln!(out, "# HELP {name} {}", fam.help);
            let _ = writeln!(out, "# TYPE {name} {}", fam.kind);
            for (labels, value) in &fam.values {
                let is_count = labels.last().is_some_and(|(k, _)| *k == "__count");
                let shown: Vec<String> = labels
                    .iter()
                    .filter(|(k, _)| *k != "__count")
                    .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
                    .collect();
                let suffix = match (fam.kind, is_count) {
                    ("summary", true) => "_count",
                    ("summary", false) => "_sum",
                    _ => "",
                };
                let labels = if shown.is_empty() {
                    String::new()
                } else {
                    format!("{{{}}}", shown.join(","))
                };
                let _ = writeln!(out, "{name}{suffix}{labels} {value}");
            }
        }
        out
    }
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_gauges_and_summaries_in_prometheus_text() {
        let m = Metrics::default();
        m.inc(
            "jobfeed_runs_total",
            "Feed runs.",
            &[("feed", "ex"), ("outcome", "ok")],
            1.0,
        );
        m.inc(
            "jobfeed_runs_total",
            "Feed runs.",
            &[("feed", "ex"), ("outcome", "ok")],
            1.0,
        );
        m.set(
            "jobfeed_postings",
            "Postings.",
            &[("feed", "ex"), ("status", "published")],
            4.0,
        );
        m.observe("jobfeed_run_seconds", "Run time.", &[("feed", "ex")], 0.5);
        m.observe("jobfeed_run_seconds", "Run time.", &[("feed", "ex")], 0.25);
        let text = m.render();
        assert!(text.contains("# TYPE jobfeed_runs_total counter\njobfeed_runs_total{feed=\"ex\",outcome=\"ok\"} 2\n"), "{text}");
        assert!(
            text.contains("jobfeed_postings{feed=\"ex\",status=\"published\"} 4\n"),
            "{text}"
        );
        assert!(
            text.contains("jobfeed_run_seconds_sum{feed=\"ex\"} 0.75\n"),
            "{text}"
        );
        assert!(
            text.contains("jobfeed_run_seconds_count{feed=\"ex\"} 2\n"),
            "{text}"
        );
        assert!(!text.contains("__count"));
    }
}
