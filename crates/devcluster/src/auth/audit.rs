//! The audit log, as kube-apiserver's `--audit-log-path` writes it (simplified): one JSON line for every
//! authorization decision about an identity outside `system:masters`, allowed or refused, built from the
//! request's [`Attributes`]. Decisions taken by admission (the owner references check) are logged too,
//! marked with the plugin's name, so that a log shows every permission a client needed.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::attributes::{Attributes, ResourceAttributes};
use super::identity::UserInfo;

/// What was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuditDecision {
    /// The request was authorized.
    Allowed,
    /// The request was refused with 403 Forbidden.
    Forbidden,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    /// The user name.
    pub user: String,
    /// The user's groups.
    #[serde(default)]
    pub groups: Vec<String>,
    /// The verb (`get`, `list`, ..., or the lower-cased HTTP method of a non-resource request).
    pub verb: String,
    /// API group, "" for core.
    #[serde(default)]
    pub api_group: String,
    /// API version.
    #[serde(default)]
    pub api_version: String,
    /// The resource (plural), "" for a non-resource request.
    #[serde(default)]
    pub resource: String,
    /// The subresource, "" for none.
    #[serde(default)]
    pub subresource: String,
    /// The namespace, "" at the cluster scope.
    #[serde(default)]
    pub namespace: String,
    /// The object's name, "" for collections.
    #[serde(default)]
    pub name: String,
    /// The path of a non-resource request.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "nonResourceURL")]
    pub non_resource_url: Option<String>,
    /// The admission plugin that asked, when the decision is not about the request itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admission: Option<String>,
    /// What was decided.
    pub decision: AuditDecision,
}

/// Why an audit line could not be read.
#[derive(Debug, thiserror::Error)]
#[error("not an audit record: {0}")]
pub struct AuditParseError(#[from] serde_json::Error);

impl AuditRecord {
    /// The record of a decision about `user` doing `attrs`.
    pub fn new(user: &UserInfo, attrs: &Attributes, allowed: bool, admission: Option<&str>) -> Self {
        let mut record = AuditRecord {
            user: user.name.clone(),
            groups: user.groups.clone(),
            verb: attrs.verb().to_string(),
            api_group: String::new(),
            api_version: String::new(),
            resource: String::new(),
            subresource: String::new(),
            namespace: String::new(),
            name: String::new(),
            non_resource_url: None,
            admission: admission.map(str::to_string),
            decision: if allowed {
                AuditDecision::Allowed
            } else {
                AuditDecision::Forbidden
            },
        };
        match attrs {
            Attributes::Resource(r) => {
                record.api_group.clone_from(&r.group);
                record.api_version.clone_from(&r.version);
                record.resource.clone_from(&r.resource);
                record.subresource.clone_from(&r.subresource);
                record.namespace.clone_from(&r.namespace);
                record.name.clone_from(&r.name);
            }
            Attributes::NonResource { path, .. } => record.non_resource_url = Some(path.clone()),
        }
        record
    }

    /// Reads one line of the log.
    pub fn parse(line: &str) -> Result<Self, AuditParseError> {
        Ok(serde_json::from_str(line)?)
    }

    /// The attributes the decision was about, to test rules against offline.
    pub fn attributes(&self) -> Attributes {
        match &self.non_resource_url {
            Some(path) => Attributes::NonResource {
                verb: self.verb.clone(),
                path: path.clone(),
            },
            None => Attributes::Resource(ResourceAttributes {
                verb: self.verb.clone(),
                group: self.api_group.clone(),
                version: self.api_version.clone(),
                resource: self.resource.clone(),
                subresource: self.subresource.clone(),
                namespace: self.namespace.clone(),
                name: self.name.clone(),
            }),
        }
    }

    /// Whether the request was refused.
    pub fn is_forbidden(&self) -> bool {
        self.decision == AuditDecision::Forbidden
    }
}

impl std::fmt::Display for AuditRecord {
    /// `user verb resource/subresource.group "namespace/name"`, or the path.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} ", self.user, self.verb)?;
        if let Some(path) = &self.non_resource_url {
            return write!(f, "path {path}");
        }
        let resource = match &self.attributes() {
            Attributes::Resource(r) => r.combined_resource(),
            Attributes::NonResource { .. } => String::new(),
        };
        let group = if self.api_group.is_empty() {
            "core"
        } else {
            &self.api_group
        };
        write!(f, "{resource} ({group})")?;
        match (self.namespace.is_empty(), self.name.is_empty()) {
            (false, false) => write!(f, " {}/{}", self.namespace, self.name)?,
            (false, true) => write!(f, " in {}", self.namespace)?,
            (true, false) => write!(f, " {}", self.name)?,
            (true, true) => {}
        }
        if let Some(plugin) = &self.admission {
            write!(f, " (admission {plugin})")?;
        }
        Ok(())
    }
}

/// An append-only audit log file.
#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    file: Mutex<File>,
}

impl AuditLog {
    /// Opens (or creates) `path` for appending.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(AuditLog {
            path: path.to_path_buf(),
            file: Mutex::new(file),
        })
    }

    /// Appends one record, as one line. A failed write is logged, not returned: auditing never fails a
    /// request here.
    pub fn record(&self, record: &AuditRecord) {
        let mut line = match serde_json::to_vec(record) {
            Ok(line) => line,
            Err(e) => {
                tracing::error!("encoding an audit record: {e}");
                return;
            }
        };
        line.push(b'\n');
        let mut file = self.file.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Err(e) = file.write_all(&line) {
            tracing::error!("writing the audit log {}: {e}", self.path.display());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_reads_back_as_the_attributes_it_was_built_from() {
        let user = UserInfo::service_account("argo-rollouts", "argo-rollouts", "u1");
        let attrs = Attributes::Resource(ResourceAttributes {
            verb: "patch".into(),
            group: "argoproj.io".into(),
            version: "v1alpha1".into(),
            resource: "rollouts".into(),
            subresource: "status".into(),
            namespace: "default".into(),
            name: "web".into(),
        });
        let record = AuditRecord::new(&user, &attrs, true, None);
        let line = serde_json::to_string(&record).unwrap();
        assert!(line.contains(r#""apiGroup":"argoproj.io""#), "{line}");
        assert!(line.contains(r#""decision":"allowed""#), "{line}");
        let back = AuditRecord::parse(&line).unwrap();
        assert_eq!(back, record);
        assert_eq!(back.attributes(), attrs);
        assert_eq!(
            back.to_string(),
            "system:serviceaccount:argo-rollouts:argo-rollouts patch rollouts/status (argoproj.io) default/web"
        );

        let path = Attributes::NonResource {
            verb: "get".into(),
            path: "/version".into(),
        };
        let record = AuditRecord::new(&user, &path, false, None);
        let line = serde_json::to_string(&record).unwrap();
        assert!(line.contains(r#""nonResourceURL":"/version""#), "{line}");
        let back = AuditRecord::parse(&line).unwrap();
        assert!(back.is_forbidden());
        assert_eq!(back.attributes(), path);
    }

    #[test]
    fn lines_are_appended() {
        let dir = std::env::temp_dir().join(format!("audit-{}", crate::object::new_uid()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("audit.log");
        let log = AuditLog::open(&path).unwrap();
        let user = UserInfo::service_account("ns", "sa", "u");
        let attrs = Attributes::NonResource {
            verb: "get".into(),
            path: "/api".into(),
        };
        log.record(&AuditRecord::new(&user, &attrs, true, None));
        log.record(&AuditRecord::new(
            &user,
            &attrs,
            false,
            Some("OwnerReferencesPermissionEnforcement"),
        ));
        let text = std::fs::read_to_string(&path).unwrap();
        let records: Vec<AuditRecord> = text.lines().map(|l| AuditRecord::parse(l).unwrap()).collect();
        assert_eq!(records.len(), 2);
        assert_eq!(
            records[1].admission.as_deref(),
            Some("OwnerReferencesPermissionEnforcement")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_lines_are_errors() {
        assert!(AuditRecord::parse("{}").is_err());
        assert!(AuditRecord::parse("not json").is_err());
    }
}
