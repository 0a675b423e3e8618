//! The controller's log lines as upstream's (logrus) look: `--logformat text` (the default) writes
//! `time="…" level=info msg="…" key=value`, `--logformat json` one JSON object a line with `time`,
//! `level`, `msg` and the fields, keys sorted, as logrus's formatters do — so that log pipelines set up
//! for upstream read these unchanged. (tracing-subscriber's own JSON layout names them `timestamp`,
//! `fields.message` and upper-case levels, which is why both layouts are written here.)
//! `--loglevel` sets this project's level, other libraries log warnings and errors only unless
//! `--kloglevel` is above 0 (the Kubernetes client's debug lines); `$ROLLOUTS_LOG` (an
//! `EnvFilter`), when set, wins over both.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// logrus's text layout.
    Text,
    /// logrus's JSON layout.
    Json,
}

/// Reads `--logformat`: like upstream, an unknown format falls back to text (with a warning: the
/// second value).
pub fn parse_format(value: &str) -> (Format, Option<String>) {
    match value.to_ascii_lowercase().as_str() {
        "json" => (Format::Json, None),
        "text" | "" => (Format::Text, None),
        other => (
            Format::Text,
            Some(format!("Unknown format: {other}. Using text logformat")),
        ),
    }
}

/// Installs the controller's subscriber on stderr.
pub fn init(level: Level, format: Format, kloglevel: i32) {
    tracing_subscriber::fmt()
        .with_env_filter(filter(level, kloglevel))
        .with_writer(std::io::stderr)
        .event_format(Logrus { format })
        .init();
}

/// The filter: `$ROLLOUTS_LOG` when it parses, else `level` for this project's crates.
fn filter(level: Level, kloglevel: i32) -> EnvFilter {
    EnvFilter::try_from_env("ROLLOUTS_LOG").unwrap_or_else(|_| EnvFilter::new(directives(level, kloglevel)))
}

fn directives(level: Level, kloglevel: i32) -> String {
    let ours = level.as_str().to_ascii_lowercase();
    // More verbose levels compare greater.
    let others = level.min(Level::WARN).as_str().to_ascii_lowercase();
    let mut directives = others;
    for krate in ["rollouts", "rollouts_controller", "rollouts_core", "rollouts_api"] {
        directives.push_str(&format!(",{krate}={ours}"));
    }
    if kloglevel > 0 {
        directives.push_str(",kube_client=debug,kube_runtime=debug");
    }
    directives
}

/// logrus's layouts.
struct Logrus {
    format: Format,
}

/// The name logrus gives `level`.
fn level_name(level: Level) -> &'static str {
    match level {
        Level::ERROR => "error",
        Level::WARN => "warning",
        Level::INFO => "info",
        Level::DEBUG => "debug",
        Level::TRACE => "trace",
    }
}

/// An event's message and fields.
#[derive(Default)]
struct Fields {
    message: String,
    fields: BTreeMap<String, Value>,
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.record(field, Value::String(format!("{value:?}")));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.record(field, Value::String(value.to_string()));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.record(field, Value::from(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.record(field, Value::from(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.record(field, Value::from(value));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.record(field, Value::from(value));
    }
}

impl Fields {
    fn record(&mut self, field: &Field, value: Value) {
        match (field.name(), value) {
            ("message", Value::String(text)) => self.message = text,
            (name, value) => {
                self.fields.insert(name.to_string(), value);
            }
        }
    }
}

impl<S, N> FormatEvent<S, N> for Logrus
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(&self, _ctx: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> fmt::Result {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let time = jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        let level = level_name(*event.metadata().level());
        let line = match self.format {
            Format::Json => json_line(&time, level, fields),
            Format::Text => text_line(&time, level, &fields),
        };
        writeln!(writer, "{line}")
    }
}

fn json_line(time: &str, level: &str, fields: Fields) -> String {
    let mut object = fields.fields;
    object.insert("level".into(), Value::from(level));
    object.insert("msg".into(), Value::from(fields.message));
    object.insert("time".into(), Value::from(time));
    // A BTreeMap serializes with its keys sorted, as logrus's JSON does.
    serde_json::to_string(&object).unwrap_or_default()
}

fn text_line(time: &str, level: &str, fields: &Fields) -> String {
    let mut line = format!("time={} level={level} msg={}", quoted(time), quoted(&fields.message));
    for (key, value) in &fields.fields {
        let text = match value {
            Value::String(text) => quoted(text),
            other => other.to_string(),
        };
        line.push_str(&format!(" {key}={text}"));
    }
    line
}

/// `text` as logrus writes a value: bare when it is made of letters, digits and `-._/@^+` only,
/// else quoted and escaped.
fn quoted(text: &str) -> String {
    let bare = !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || "-._/@^+".contains(c));
    if bare {
        text.to_string()
    } else {
        serde_json::to_string(text).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(message: &str, pairs: &[(&str, Value)]) -> Fields {
        Fields {
            message: message.into(),
            fields: pairs.iter().map(|(k, v)| ((*k).to_string(), v.clone())).collect(),
        }
    }

    #[test]
    fn text_is_logrus_key_value() {
        let line = text_line(
            "2024-05-01T10:00:00Z",
            "info",
            &fields(
                "Argo Rollouts controller starting",
                &[
                    ("version", Value::from("v0.1.0")),
                    ("namespace", Value::from("")),
                    ("metricsPort", Value::from(8090)),
                    ("rollout", Value::from("default/web app")),
                ],
            ),
        );
        assert_eq!(
            line,
            "time=\"2024-05-01T10:00:00Z\" level=info msg=\"Argo Rollouts controller starting\" \
             metricsPort=8090 namespace=\"\" rollout=\"default/web app\" version=v0.1.0"
        );
    }

    #[test]
    fn json_is_logrus_json() {
        let line = json_line(
            "2024-05-01T10:00:00Z",
            "warning",
            fields(
                "lost \"it\"",
                &[("error", Value::from("boom")), ("count", Value::from(2))],
            ),
        );
        assert_eq!(
            line,
            r#"{"count":2,"error":"boom","level":"warning","msg":"lost \"it\"","time":"2024-05-01T10:00:00Z"}"#
        );
    }

    #[test]
    fn formats_and_levels() {
        assert_eq!(parse_format("json"), (Format::Json, None));
        assert_eq!(parse_format("JSON"), (Format::Json, None));
        assert_eq!(parse_format(""), (Format::Text, None));
        let (format, warning) = parse_format("logfmt");
        assert_eq!(format, Format::Text);
        assert_eq!(warning.as_deref(), Some("Unknown format: logfmt. Using text logformat"));
        assert_eq!(
            directives(Level::INFO, 0),
            "warn,rollouts=info,rollouts_controller=info,rollouts_core=info,rollouts_api=info"
        );
        assert_eq!(
            directives(Level::ERROR, 2),
            "error,rollouts=error,rollouts_controller=error,rollouts_core=error,rollouts_api=error,\
             kube_client=debug,kube_runtime=debug"
        );
        assert_eq!(level_name(Level::WARN), "warning");
    }
}
