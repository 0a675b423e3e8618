//! How the controllers talk to the API server: the field manager they write under, and the API
//! statuses they tell apart.

use std::time::Duration;

use kube::api::{DeleteParams, PatchParams, PostParams, Preconditions};

/// The name the controllers write and report events under.
pub const MANAGER: &str = "rollouts-controller";

/// Create and replace parameters naming the controller as the field manager.
pub fn post_params() -> PostParams {
    PostParams {
        field_manager: Some(MANAGER.to_string()),
        ..PostParams::default()
    }
}

/// Patch parameters naming the controller as the field manager.
pub fn patch_params() -> PatchParams {
    PatchParams {
        field_manager: Some(MANAGER.to_string()),
        ..PatchParams::default()
    }
}

/// How soon to plan again after a create found the object already there: the cache has not seen it
/// yet, and will in a moment.
pub const ALREADY_EXISTS_REQUEUE: Duration = Duration::from_millis(100);

/// Deletion parameters that, given the `uid` the plan saw, delete only that object and not another
/// one of the same name created since.
pub fn delete_params(uid: Option<&str>) -> DeleteParams {
    DeleteParams {
        preconditions: uid.map(|uid| Preconditions {
            uid: Some(uid.to_string()),
            resource_version: None,
        }),
        ..DeleteParams::default()
    }
}

/// Whether `error` is an API status with `code`.
pub fn is_status(error: &kube::Error, code: u16) -> bool {
    matches!(error, kube::Error::Api(status) if status.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_name_the_controller_as_their_field_manager() {
        assert_eq!(post_params().field_manager.as_deref(), Some("rollouts-controller"));
        assert_eq!(patch_params().field_manager.as_deref(), Some("rollouts-controller"));
    }

    #[test]
    fn deletes_are_bound_to_the_uid_the_plan_saw() {
        let bound = delete_params(Some("u-1")).preconditions.unwrap();
        assert_eq!(bound.uid.as_deref(), Some("u-1"));
        assert_eq!(bound.resource_version, None);
        assert!(delete_params(None).preconditions.is_none());
    }
}
