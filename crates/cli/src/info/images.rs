//! The `Images:` lines: each running image once, with the roles of the ReplicaSets running it.

use super::{ExperimentInfo, RolloutInfo, TAG_ACTIVE, TAG_CANARY, TAG_PING, TAG_PONG, TAG_PREVIEW, TAG_STABLE};

/// One image and its tags (`stable`, `canary`, `Σ:<template>`, ...).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImageInfo {
    /// Image reference.
    pub image: String,
    /// Tags, in role order for a single ReplicaSet, sorted once merged from several.
    pub tags: Vec<String>,
}

/// Images of the Rollout's ReplicaSets that have pods, then of its Experiments, sorted by image.
pub fn images(ro: &RolloutInfo) -> Vec<ImageInfo> {
    let mut out = Vec::new();
    for rs in ro.replica_sets.iter().filter(|rs| rs.replicas > 0) {
        let roles = [
            (rs.canary, TAG_CANARY),
            (rs.stable, TAG_STABLE),
            (rs.active, TAG_ACTIVE),
            (rs.preview, TAG_PREVIEW),
            (rs.ping, TAG_PING),
            (rs.pong, TAG_PONG),
        ];
        let tags: Vec<String> = roles.iter().filter(|(on, _)| *on).map(|(_, t)| t.to_string()).collect();
        merge_tagged(&mut out, &rs.images, &tags);
    }
    for exp in &ro.experiments {
        for image in experiment_images(exp) {
            merge(&mut out, image);
        }
    }
    out
}

/// Images of an Experiment's ReplicaSets that have pods, tagged `Σ:<template>`, sorted by image.
pub fn experiment_images(exp: &ExperimentInfo) -> Vec<ImageInfo> {
    let mut out = Vec::new();
    for rs in exp.replica_sets.iter().filter(|rs| rs.replicas > 0) {
        let tags = if rs.template.is_empty() {
            Vec::new()
        } else {
            vec![format!("Σ:{}", rs.template)]
        };
        merge_tagged(&mut out, &rs.images, &tags);
    }
    out
}

/// Adds each of `images` with `tags`, as [`merge`] does.
fn merge_tagged(out: &mut Vec<ImageInfo>, images: &[String], tags: &[String]) {
    for image in images {
        merge(
            out,
            ImageInfo {
                image: image.clone(),
                tags: tags.to_vec(),
            },
        );
    }
}

/// Adds an image, or merges its tags (as a sorted set) into the entry already there.
fn merge(images: &mut Vec<ImageInfo>, new: ImageInfo) {
    if let Some(existing) = images.iter_mut().find(|i| i.image == new.image) {
        let mut tags: Vec<String> = existing.tags.iter().chain(new.tags.iter()).cloned().collect();
        tags.sort();
        tags.dedup();
        existing.tags = tags;
    } else {
        images.push(new);
    }
    images.sort_by(|a, b| a.image.cmp(&b.image));
}
