//! Fault injection for reliability tests: error rates per verb and resource, added latency, and cutting
//! every open watch. Set in-process, by the `--fault` flag, or over `PUT /debug/faults`.

use std::sync::RwLock;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

/// Answer a share of matching requests with an error instead of serving them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    /// `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`; any when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verb: Option<String>,
    /// Plural resource name (`replicasets`); any when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// HTTP status to answer: 409, 429 or 500.
    pub code: u16,
    /// Share of matching requests to fail, 0.0..=1.0.
    pub rate: f64,
}

/// The fault settings as a whole (the body of `PUT /debug/faults`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FaultSettings {
    /// Error rules, first match wins.
    #[serde(default)]
    pub rules: Vec<FaultRule>,
    /// Latency added to every request, in milliseconds.
    #[serde(default, rename = "latencyMillis")]
    pub latency_millis: u64,
}

/// Why a fault specification could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid fault {spec:?}: {reason}")]
pub struct FaultParseError {
    spec: String,
    reason: String,
}

impl FaultRule {
    /// Parses `verb=update,resource=replicasets,code=409,rate=0.2` (verb and resource optional).
    pub fn parse(spec: &str) -> Result<Self, FaultParseError> {
        let fail = |reason: &str| FaultParseError {
            spec: spec.to_string(),
            reason: reason.to_string(),
        };
        let mut rule = FaultRule {
            verb: None,
            resource: None,
            code: 0,
            rate: 1.0,
        };
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').ok_or_else(|| fail("expected key=value pairs"))?;
            match k {
                "verb" => rule.verb = Some(v.to_string()),
                "resource" => rule.resource = Some(v.to_string()),
                "code" => rule.code = v.parse().map_err(|_| fail("code must be a number"))?,
                "rate" => rule.rate = v.parse().map_err(|_| fail("rate must be a number"))?,
                _ => return Err(fail(&format!("unknown key {k:?} (verb, resource, code, rate)"))),
            }
        }
        if !matches!(rule.code, 409 | 429 | 500) {
            return Err(fail("code must be 409, 429 or 500"));
        }
        if !(0.0..=1.0).contains(&rule.rate) {
            return Err(fail("rate must be between 0 and 1"));
        }
        Ok(rule)
    }

    fn matches(&self, verb: &str, resource: &str) -> bool {
        self.verb.as_deref().is_none_or(|v| v == verb) && self.resource.as_deref().is_none_or(|r| r == resource)
    }
}

/// The live fault state of a server.
pub struct Faults {
    settings: RwLock<FaultSettings>,
    cuts: watch::Sender<u64>,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            settings: RwLock::new(FaultSettings::default()),
            cuts: watch::channel(0).0,
        }
    }
}

fn chance() -> f64 {
    let mut b = [0u8; 4];
    if getrandom::fill(&mut b).is_err() {
        return 1.0;
    }
    f64::from(u32::from_le_bytes(b)) / f64::from(u32::MAX)
}

impl Faults {
    /// Replaces the settings.
    pub fn set(&self, settings: FaultSettings) {
        *self.settings.write().unwrap_or_else(std::sync::PoisonError::into_inner) = settings;
    }

    /// The current settings.
    pub fn get(&self) -> FaultSettings {
        self.settings
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The error code to answer this request with, if a rule fires.
    pub fn error_for(&self, verb: &str, resource: &str) -> Option<u16> {
        let settings = self.settings.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        let rule = settings.rules.iter().find(|r| r.matches(verb, resource))?;
        (rule.rate > 0.0 && chance() <= rule.rate).then_some(rule.code)
    }

    /// Latency to add before answering.
    pub fn latency(&self) -> Option<Duration> {
        let ms = self
            .settings
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .latency_millis;
        (ms > 0).then(|| Duration::from_millis(ms))
    }

    /// Ends every open watch stream now.
    pub fn cut_watches(&self) {
        self.cuts.send_modify(|n| *n += 1);
    }

    /// Notified whenever watches are cut.
    pub fn watch_cuts(&self) -> watch::Receiver<u64> {
        self.cuts.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_applies_rules() {
        let rule = FaultRule::parse("verb=update, resource=replicasets, code=409, rate=1").unwrap();
        let faults = Faults::default();
        faults.set(FaultSettings {
            rules: vec![rule],
            latency_millis: 0,
        });
        assert_eq!(faults.error_for("update", "replicasets"), Some(409));
        assert_eq!(faults.error_for("get", "replicasets"), None);
        assert_eq!(faults.error_for("update", "pods"), None);
    }

    #[test]
    fn rejects_bad_specs() {
        assert!(FaultRule::parse("code=418").is_err());
        assert!(FaultRule::parse("code=500,rate=2").is_err());
        assert!(FaultRule::parse("colour=red,code=500").is_err());
        assert_eq!(FaultRule::parse("code=429").unwrap().rate, 1.0);
    }

    #[test]
    fn zero_rate_never_fires() {
        let faults = Faults::default();
        faults.set(FaultSettings {
            rules: vec![FaultRule::parse("code=500,rate=0").unwrap()],
            latency_millis: 0,
        });
        assert!((0..100).all(|_| faults.error_for("get", "pods").is_none()));
    }
}
