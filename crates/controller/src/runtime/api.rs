//! How the controllers talk to the API server: the field manager they write under, and the API
//! statuses they tell apart.

use kube::api::{PatchParams, PostParams};

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
}
