//! Errors of the patch and apply functions, worded so they can go to clients as the
//! `message` of a Kubernetes `Status`.

use thiserror::Error;

/// Why a patch could not be applied. All variants are the client's fault; the server answers
/// them with 422 Unprocessable Entity.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PatchError {
    /// The patch body is not shaped the way its patch type requires (not an array of
    /// operations, an unknown `op`, a malformed JSON pointer, a malformed directive, a list
    /// element without its merge key, ...).
    #[error("{0}")]
    Invalid(String),
    /// A JSON patch operation does not fit the document, e.g. it removes a missing key.
    #[error("jsonpatch {op} operation does not apply: {reason}: {path} (operation {index})")]
    OperationFailed {
        /// Zero-based position of the operation in the patch.
        index: usize,
        /// The operation name (`add`, `remove`, ...).
        op: String,
        /// The JSON pointer the operation failed on.
        path: String,
        /// What is wrong, e.g. `doc is missing key`.
        reason: String,
    },
    /// A JSON patch `test` operation found a different value.
    #[error("testing value {path} failed (operation {index})")]
    TestFailed {
        /// Zero-based position of the operation in the patch.
        index: usize,
        /// The JSON pointer that was tested.
        path: String,
    },
}

impl PatchError {
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        PatchError::Invalid(message.into())
    }
}

/// One field that an apply request would take away from another field manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldConflict {
    /// The manager that owns the field now.
    pub manager: String,
    /// The field, in the path syntax Kubernetes prints, e.g. `.spec.replicas` or
    /// `.spec.template.spec.containers[name="app"].image`.
    pub path: String,
}

/// Why a server-side apply was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ApplyError {
    /// The applied configuration (or the live object) is unusable: not an object, duplicate
    /// keys in a keyed list, no field manager. Answered with 422.
    #[error("{0}")]
    Invalid(String),
    /// The apply would change fields owned by other appliers and `force` was not set.
    /// Answered with 409 Conflict; each conflict becomes a `FieldManagerConflict` cause.
    #[error("{}", conflict_message(.conflicts))]
    Conflict {
        /// Every conflicting field, in path order.
        conflicts: Vec<FieldConflict>,
    },
}

fn conflict_message(conflicts: &[FieldConflict]) -> String {
    let count = conflicts.len();
    let noun = if count == 1 { "conflict" } else { "conflicts" };
    let details: Vec<String> = conflicts
        .iter()
        .map(|c| format!("conflict with \"{}\": {}", c.manager, c.path))
        .collect();
    format!("Apply failed with {count} {noun}: {}", details.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflict_message_is_kubernetes_like() {
        let err = ApplyError::Conflict {
            conflicts: vec![FieldConflict {
                manager: "kubectl".into(),
                path: ".spec.replicas".into(),
            }],
        };
        assert_eq!(
            err.to_string(),
            "Apply failed with 1 conflict: conflict with \"kubectl\": .spec.replicas"
        );
    }

    #[test]
    fn operation_failed_names_index_and_path() {
        let err = PatchError::OperationFailed {
            index: 2,
            op: "replace".into(),
            path: "/spec/foo".into(),
            reason: "doc is missing key".into(),
        };
        assert_eq!(
            err.to_string(),
            "jsonpatch replace operation does not apply: doc is missing key: /spec/foo (operation 2)"
        );
    }
}
