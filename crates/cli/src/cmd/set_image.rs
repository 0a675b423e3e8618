//! `kubectl argo rollouts set image ROLLOUT_NAME CONTAINER=IMAGE`: reads the Rollout (or the Deployment of
//! its `workloadRef`), sets the image of the named container (`*`: all) among init, regular and ephemeral
//! containers of `spec.template`, and writes the object back, retrying on conflicts.

use kube::api::{Api, DynamicObject, PostParams};
use kube::core::{ApiResource, GroupVersionKind};
use serde_json::Value;

use rollouts_api::Rollout;

use crate::client::resources::untyped;
use crate::client::{Connection, is_conflict};

/// Update various values on resources
#[derive(Clone, Debug, clap::Subcommand)]
pub enum SetCommand {
    Image(SetImageArgs),
}

/// Update the image of a rollout
#[derive(Clone, Debug, clap::Args)]
pub struct SetImageArgs {
    /// Name of the rollout
    #[arg(value_name = "ROLLOUT_NAME")]
    pub rollout: String,
    /// CONTAINER=IMAGE (CONTAINER `*`: all containers)
    #[arg(value_name = "CONTAINER=IMAGE")]
    pub assignment: String,
}

/// Attempts before giving up on write conflicts.
const MAX_ATTEMPTS: usize = 5;

/// Splits `CONTAINER=IMAGE`; anything else (no `=`, more than one, an empty side) is refused.
pub fn parse_assignment(arg: &str) -> anyhow::Result<(String, String)> {
    let parts: Vec<&str> = arg.split('=').collect();
    match parts.as_slice() {
        [container, image] if !container.is_empty() && !image.is_empty() => {
            Ok(((*container).to_string(), (*image).to_string()))
        }
        _ => anyhow::bail!(
            "invalid argument {arg:?}: expected CONTAINER=IMAGE (e.g. my-container=nginx:1.25, or *=nginx:1.25 for all containers)"
        ),
    }
}

/// Sets `image` on the containers of `object`'s `spec.template.spec` named `container` (`*`: all).
pub fn set_image(object: &mut Value, container: &str, image: &str) -> anyhow::Result<()> {
    let mut found = false;
    if let Some(pod_spec) = object.pointer_mut("/spec/template/spec") {
        for field in ["initContainers", "containers", "ephemeralContainers"] {
            let Some(list) = pod_spec.get_mut(field).and_then(Value::as_array_mut) else {
                continue;
            };
            for ctr in list {
                let matches = container == "*" || ctr.get("name").and_then(Value::as_str) == Some(container);
                if let Some(ctr) = ctr.as_object_mut().filter(|_| matches) {
                    ctr.insert("image".into(), Value::String(image.to_string()));
                    found = true;
                }
            }
        }
    }
    if !found {
        anyhow::bail!("unable to find container named \"{container}\"");
    }
    Ok(())
}

async fn update_once(
    api: &Api<DynamicObject>,
    name: &str,
    container: &str,
    image: &str,
) -> anyhow::Result<DynamicObject> {
    let object = api.get(name).await?;
    let mut value = serde_json::to_value(&object)?;
    set_image(&mut value, container, image)?;
    let updated: DynamicObject = serde_json::from_value(value)?;
    Ok(api.replace(name, &PostParams::default(), &updated).await?)
}

fn conflicted(error: &anyhow::Error) -> bool {
    error.downcast_ref::<kube::Error>().is_some_and(is_conflict)
}

/// Updates the image, printing `rollout "<name>" image updated` (`deployment "<name>" ...` for a workloadRef).
pub async fn run(conn: &Connection, command: &SetCommand, out: &mut impl std::io::Write) -> anyhow::Result<()> {
    let SetCommand::Image(args) = command;
    let rollout = args.rollout.as_str();
    let (container, image) = parse_assignment(&args.assignment)?;
    let rollouts = untyped::<Rollout>(conn);
    let mut attempt = 0;
    let updated = loop {
        attempt += 1;
        let ro = rollouts.get(rollout).await?;
        let target = match ro.data.pointer("/spec/workloadRef") {
            Some(workload_ref) => {
                let Some(deploy) = workload_ref.get("name").and_then(Value::as_str) else {
                    anyhow::bail!("spec.workloadRef.name is not a string: {}", workload_ref["name"]);
                };
                let gvk = GroupVersionKind::gvk("apps", "v1", "Deployment");
                let deployments = Api::namespaced_with(
                    conn.client.clone(),
                    &conn.namespace,
                    &ApiResource::from_gvk_with_plural(&gvk, "deployments"),
                );
                update_once(&deployments, deploy, &container, &image).await
            }
            None => update_once(&rollouts, rollout, &container, &image).await,
        };
        match target {
            Err(e) if conflicted(&e) && attempt < MAX_ATTEMPTS => continue,
            other => break other?,
        }
    };
    let kind = updated
        .types
        .as_ref()
        .map_or("rollout".to_string(), |t| t.kind.to_lowercase());
    let name = updated.metadata.name.clone().unwrap_or_else(|| rollout.to_string());
    writeln!(out, "{kind} \"{name}\" image updated")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn assignments_need_exactly_one_equals_sign() {
        assert_eq!(
            parse_assignment("app=nginx:1.25").unwrap(),
            ("app".to_string(), "nginx:1.25".to_string())
        );
        assert!(parse_assignment("nginx").is_err());
        assert!(parse_assignment("a=b=c").is_err());
        assert!(parse_assignment("=nginx").is_err());
        assert!(parse_assignment("app=").is_err());
    }

    #[test]
    fn sets_named_and_all_containers() {
        let mut ro = json!({"spec": {"template": {"spec": {
            "initContainers": [{"name": "init", "image": "busybox"}],
            "containers": [{"name": "app", "image": "old"}, {"name": "side", "image": "side:1"}],
        }}}});
        set_image(&mut ro, "app", "new").unwrap();
        assert_eq!(ro["spec"]["template"]["spec"]["containers"][0]["image"], "new");
        assert_eq!(ro["spec"]["template"]["spec"]["containers"][1]["image"], "side:1");
        set_image(&mut ro, "*", "all").unwrap();
        assert_eq!(ro["spec"]["template"]["spec"]["initContainers"][0]["image"], "all");
        assert_eq!(ro["spec"]["template"]["spec"]["containers"][1]["image"], "all");
        assert_eq!(
            set_image(&mut ro, "nope", "x").unwrap_err().to_string(),
            "unable to find container named \"nope\""
        );
    }
}
