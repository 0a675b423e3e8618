//! The exposition's building blocks: label sets written as the Go client writes them (sorted by
//! name), and the families of samples one scrape writes, encoded with prometheus-client in the
//! Prometheus text format (0.0.4, upstream's format) with families sorted by name as the Go client
//! sorts them.

use std::fmt;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// The `Content-Type` of the exposition.
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// A label set: (name, value) pairs sorted by name.
pub type Labels = Vec<(&'static str, String)>;

/// The label set of `pairs`, sorted by name.
pub fn labels<const N: usize>(pairs: [(&'static str, &str); N]) -> Labels {
    let mut labels: Labels = pairs.into_iter().map(|(k, v)| (k, v.to_string())).collect();
    labels.sort_by_key(|(name, _)| *name);
    labels
}

/// What a family is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A gauge.
    Gauge,
    /// A counter: the encoder writes its samples as `<name>_total`.
    Counter,
    /// A counter whose samples are named without the `_total` suffix, as upstream's error counters
    /// are (`rollout_reconcile_error`). The library adds the suffix to every counter, so it is
    /// encoded as a gauge and its TYPE line rewritten afterwards.
    UnsuffixedCounter,
    /// A histogram.
    Histogram,
}

/// One sample's value.
#[derive(Debug, Clone)]
pub enum Value {
    /// A whole number (gauges: counts, 0/1 flags).
    Int(i64),
    /// A count (counters).
    Count(u64),
    /// A measured quantity.
    Float(f64),
    /// A histogram's buckets, sum and count.
    Histogram(Histogram),
}

/// A metric family: its name (without the `_total` the encoder adds to counters), help, kind and
/// samples.
#[derive(Debug, Clone)]
pub struct Family {
    /// The name, without `_total` for [`Kind::Counter`].
    pub name: &'static str,
    /// The help text, written as is.
    pub help: &'static str,
    /// What it is.
    pub kind: Kind,
    /// The samples, in any order (they are written sorted by labels).
    pub samples: Vec<(Labels, Value)>,
}

impl Family {
    /// An empty family.
    pub fn new(name: &'static str, help: &'static str, kind: Kind) -> Self {
        Self {
            name,
            help,
            kind,
            samples: Vec::new(),
        }
    }

    /// Adds a sample.
    pub fn push(&mut self, labels: Labels, value: Value) {
        self.samples.push((labels, value));
    }

    /// The name its samples are written under (histograms add their own suffixes).
    fn exposed_name(&self) -> String {
        match self.kind {
            Kind::Counter => format!("{}_total", self.name),
            Kind::Gauge | Kind::UnsuffixedCounter | Kind::Histogram => self.name.to_string(),
        }
    }

    fn metric_type(&self) -> MetricType {
        match self.kind {
            Kind::Gauge | Kind::UnsuffixedCounter => MetricType::Gauge,
            Kind::Counter => MetricType::Counter,
            Kind::Histogram => MetricType::Histogram,
        }
    }

    fn encode(&self, encoder: &mut DescriptorEncoder) -> fmt::Result {
        let mut metric = encoder.encode_descriptor(self.name, self.help, None, self.metric_type())?;
        for (labels, value) in &self.samples {
            let sample = metric.encode_family(labels)?;
            match (self.kind, value) {
                (Kind::Counter, Value::Count(v)) => ConstCounter::new(*v).encode(sample)?,
                (Kind::Counter, Value::Int(v)) => ConstCounter::new(u64::try_from(*v).unwrap_or(0)).encode(sample)?,
                (Kind::Counter, Value::Float(v)) => ConstCounter::new(*v).encode(sample)?,
                (_, Value::Histogram(histogram)) => histogram.encode(sample)?,
                (_, Value::Int(v)) => ConstGauge::new(*v).encode(sample)?,
                (_, Value::Count(v)) => ConstGauge::new(*v).encode(sample)?,
                (_, Value::Float(v)) => ConstGauge::new(*v).encode(sample)?,
            }
        }
        Ok(())
    }
}

/// One scrape's families, as the registry's only collector.
#[derive(Debug)]
struct Scrape(Vec<Family>);

impl Collector for Scrape {
    fn encode(&self, mut encoder: DescriptorEncoder) -> fmt::Result {
        self.0.iter().try_for_each(|family| family.encode(&mut encoder))
    }
}

/// The exposition of `families`: empty ones are left out (as the Go client leaves out a vector
/// with no series), families are sorted by name and samples by labels.
pub fn render(mut families: Vec<Family>) -> String {
    families.retain(|family| !family.samples.is_empty());
    families.sort_by_cached_key(Family::exposed_name);
    for family in &mut families {
        family.samples.sort_by(|(a, _), (b, _)| a.cmp(b));
    }
    let unsuffixed: Vec<&'static str> = families
        .iter()
        .filter(|family| family.kind == Kind::UnsuffixedCounter)
        .map(|family| family.name)
        .collect();
    let mut registry = Registry::default();
    registry.register_collector(Box::new(Scrape(families)));
    let mut text = String::new();
    // Writing to a String cannot fail; a metric that could not be encoded leaves the text as far as it got.
    let _ = prometheus_client::encoding::prometheus_text::encode(&mut text, &registry);
    for name in unsuffixed {
        text = text.replacen(
            &format!("# TYPE {name} gauge\n"),
            &format!("# TYPE {name} counter\n"),
            1,
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_and_samples_are_sorted_and_empty_families_left_out() {
        let mut info = Family::new("b_info", "Information.", Kind::Gauge);
        info.push(labels([("namespace", "ns"), ("name", "z")]), Value::Int(1));
        info.push(labels([("namespace", "ns"), ("name", "a\"b")]), Value::Int(0));
        let mut errors = Family::new("a_error", "Errors", Kind::UnsuffixedCounter);
        errors.push(labels([("name", "x")]), Value::Count(3));
        let mut events = Family::new("c_events", "Events", Kind::Counter);
        events.push(Labels::new(), Value::Count(2));
        let empty = Family::new("d_empty", "Nothing.", Kind::Gauge);
        let histogram = Histogram::new([0.5, 1.0]);
        histogram.observe(0.75);
        let mut durations = Family::new("e_seconds", "Durations.", Kind::Histogram);
        durations.push(labels([("name", "x")]), Value::Histogram(histogram));
        let text = render(vec![durations, empty, events, info, errors]);
        assert_eq!(
            text,
            "\
# HELP a_error Errors
# TYPE a_error counter
a_error{name=\"x\"} 3
# HELP b_info Information.
# TYPE b_info gauge
b_info{name=\"a\\\"b\",namespace=\"ns\"} 0
b_info{name=\"z\",namespace=\"ns\"} 1
# HELP c_events_total Events
# TYPE c_events_total counter
c_events_total 2
# HELP e_seconds Durations.
# TYPE e_seconds histogram
e_seconds_bucket{name=\"x\",le=\"0.5\"} 0
e_seconds_bucket{name=\"x\",le=\"1\"} 1
e_seconds_bucket{name=\"x\",le=\"+Inf\"} 1
e_seconds_sum{name=\"x\"} 0.75
e_seconds_count{name=\"x\"} 1
"
        );
    }
}
