//! The part of kustomize the install bases use, so that the rendered files need no kustomize at build
//! time: `resources` (files inside the kustomization's folder, and folders holding a kustomization),
//! `namespace`, and JSON 6902 `patches` with a `target`. Anything else in a kustomization is refused
//! by name rather than ignored, so the rendering never silently differs from `kubectl kustomize`.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context as _, bail};
use serde::Deserialize;
use serde_json::Value;

use super::order;

/// The fields of a `kustomization.yaml` the renderer understands.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Kustomization {
    #[serde(rename = "apiVersion")]
    _api_version: Option<String>,
    #[serde(rename = "kind")]
    _kind: Option<String>,
    #[serde(default)]
    resources: Vec<String>,
    namespace: Option<String>,
    #[serde(default)]
    patches: Vec<PatchEntry>,
}

/// One entry of `patches`: a JSON 6902 patch, from a file or inline, and the objects it applies to.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PatchEntry {
    path: Option<String>,
    patch: Option<String>,
    target: Option<Target>,
}

/// Which objects a patch applies to; every field given must match exactly.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Target {
    group: Option<String>,
    version: Option<String>,
    kind: Option<String>,
    name: Option<String>,
    namespace: Option<String>,
}

impl Target {
    fn matches(&self, object: &Value) -> bool {
        let (group, version) = order::group_version(object);
        let field = |given: &Option<String>, actual: &str| given.as_deref().is_none_or(|g| g == actual);
        field(&self.group, group)
            && field(&self.version, version)
            && field(&self.kind, order::text(object, "/kind"))
            && field(&self.name, order::text(object, "/metadata/name"))
            && field(&self.namespace, order::text(object, "/metadata/namespace"))
    }
}

/// The objects the kustomization in `dir` builds, in kustomize's output order.
pub fn build(dir: &Path) -> anyhow::Result<Vec<Value>> {
    let mut objects = build_unordered(dir)?;
    order::sort(&mut objects);
    Ok(objects)
}

/// The objects of the kustomization in `dir`, with its patches and namespace applied, in the order
/// its resources list them.
fn build_unordered(dir: &Path) -> anyhow::Result<Vec<Value>> {
    let file = kustomization_file(dir)?;
    let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    let kustomization: Kustomization = serde_saphyr::from_str(&text)
        .with_context(|| format!("{}: not a kustomization this renderer supports", file.display()))?;
    let mut objects = Vec::new();
    for resource in &kustomization.resources {
        objects
            .extend(load_resource(dir, resource).with_context(|| format!("{}: resource {resource}", file.display()))?);
    }
    for (index, entry) in kustomization.patches.iter().enumerate() {
        apply_patch(dir, entry, &mut objects).with_context(|| format!("{}: patch {}", file.display(), index + 1))?;
    }
    if let Some(namespace) = &kustomization.namespace {
        for object in &mut objects {
            set_namespace(object, namespace).with_context(|| format!("{}: namespace {namespace}", file.display()))?;
        }
    }
    check_unique(&objects).with_context(|| file.display().to_string())?;
    Ok(objects)
}

/// The names kustomize looks for a kustomization under; `Kustomization`, without extension, lets a
/// folder of manifests be applied with `kubectl apply -f` too.
const KUSTOMIZATION_FILES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The kustomization file of `dir`; there must be exactly one, as kustomize requires.
fn kustomization_file(dir: &Path) -> anyhow::Result<PathBuf> {
    let found: Vec<PathBuf> = KUSTOMIZATION_FILES
        .iter()
        .map(|name| dir.join(name))
        .filter(|path| path.is_file())
        .collect();
    match found.as_slice() {
        [file] => Ok(file.clone()),
        [] => bail!("{}: no kustomization.yaml", dir.display()),
        _ => bail!("{}: more than one kustomization file", dir.display()),
    }
}

/// The objects of one `resources` entry: a folder with a kustomization, or a YAML file inside `dir`
/// (kustomize refuses files outside the kustomization's folder, and so does this).
fn load_resource(dir: &Path, resource: &str) -> anyhow::Result<Vec<Value>> {
    if resource.contains("://") {
        bail!("remote resources are not supported");
    }
    let path = dir.join(resource);
    if path.is_dir() {
        return build_unordered(&path);
    }
    if !is_inside(resource) {
        bail!("a file outside the kustomization's folder (refer to a folder with a kustomization instead)");
    }
    read_documents(&path)
}

/// Whether a relative path stays inside its folder.
fn is_inside(relative: &str) -> bool {
    Path::new(relative)
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// The non-empty documents of the YAML file at `path`; each must be an object with a kind and a name.
fn read_documents(path: &Path) -> anyhow::Result<Vec<Value>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let documents =
        rollouts_api::decode::documents(&text).with_context(|| format!("{}: not valid YAML", path.display()))?;
    for (index, document) in documents.iter().enumerate() {
        if order::text(document, "/kind").is_empty() || order::text(document, "/metadata/name").is_empty() {
            bail!(
                "{}: document {} has no kind or no metadata.name",
                path.display(),
                index + 1
            );
        }
    }
    Ok(documents)
}

/// Applies one JSON 6902 patch to every object its target picks; a patch that picks nothing is an
/// error (a renamed object would otherwise silently go unpatched).
fn apply_patch(dir: &Path, entry: &PatchEntry, objects: &mut [Value]) -> anyhow::Result<()> {
    let text = match (&entry.path, &entry.patch) {
        (Some(path), None) => {
            if !is_inside(path) {
                bail!("{path}: a patch file must be inside the kustomization's folder");
            }
            let file: PathBuf = dir.join(path);
            std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?
        }
        (None, Some(inline)) => inline.clone(),
        _ => bail!("give exactly one of `path` and `patch`"),
    };
    let Some(target) = &entry.target else {
        bail!("only JSON 6902 patches with a `target` are supported");
    };
    let operations: json_patch::Patch = serde_saphyr::from_str(&text).context("not a list of JSON 6902 operations")?;
    let mut matched = false;
    for object in objects.iter_mut().filter(|o| target.matches(o)) {
        matched = true;
        let name = order::describe(object);
        json_patch::patch(object, &operations).with_context(|| format!("applying it to {name}"))?;
    }
    if !matched {
        bail!("its target matches no object");
    }
    Ok(())
}

/// kustomize's `namespace`: namespaced objects move into it, a Namespace object is renamed to it.
/// ServiceAccount subjects of bindings are not rewritten (kustomize's rules for that depend on the
/// other objects of the build), so they must name the namespace already.
fn set_namespace(object: &mut Value, namespace: &str) -> anyhow::Result<()> {
    let kind = order::text(object, "/kind").to_string();
    if kind == "Namespace" {
        object["metadata"]["name"] = Value::from(namespace);
        return Ok(());
    }
    if matches!(kind.as_str(), "RoleBinding" | "ClusterRoleBinding") {
        let subjects = object
            .get("subjects")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for subject in subjects {
            let subject_namespace = order::text(&subject, "/namespace");
            if order::text(&subject, "/kind") == "ServiceAccount" && subject_namespace != namespace {
                bail!(
                    "{} binds the ServiceAccount {} in namespace {subject_namespace:?}: name {namespace:?} there",
                    order::describe(object),
                    order::text(&subject, "/name"),
                );
            }
        }
    }
    if !order::is_cluster_scoped(&kind) {
        object["metadata"]["namespace"] = Value::from(namespace);
    }
    Ok(())
}

/// kustomize refuses two objects of the same kind, namespace and name.
fn check_unique(objects: &[Value]) -> anyhow::Result<()> {
    let mut seen = BTreeSet::new();
    for object in objects {
        let (group, _) = order::group_version(object);
        let id = (
            group.to_string(),
            order::text(object, "/kind").to_string(),
            order::text(object, "/metadata/namespace").to_string(),
            order::text(object, "/metadata/name").to_string(),
        );
        if !seen.insert(id) {
            bail!("{} is listed twice", order::describe(object));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A kustomization tree in a fresh temporary folder: `(relative path, contents)`.
    struct Tree(PathBuf);

    impl Tree {
        fn new(files: &[(&str, &str)]) -> Self {
            static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let root = std::env::temp_dir().join(format!("rollouts-kustomize-{}-{n}", std::process::id()));
            let _ = std::fs::remove_dir_all(&root);
            for (path, contents) in files {
                let path = root.join(path);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, contents).unwrap();
            }
            Tree(root)
        }

        fn build(&self, dir: &str) -> anyhow::Result<Vec<Value>> {
            build(&self.0.join(dir))
        }
    }

    impl Drop for Tree {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    const BASE: &str = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}\n---\n\
        apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: role}\nrules: []\n";

    fn names(objects: &[Value]) -> Vec<String> {
        objects.iter().map(order::describe).collect()
    }

    #[test]
    fn namespace_moves_namespaced_objects_and_renames_the_namespace() {
        let tree = Tree::new(&[
            ("base/Kustomization", "resources: [objects.yaml]\n"),
            ("base/objects.yaml", BASE),
            (
                "top/kustomization.yaml",
                "namespace: team\nresources: [ns.yaml, ../base, binding.yaml]\n",
            ),
            (
                "top/ns.yaml",
                "apiVersion: v1\nkind: Namespace\nmetadata: {name: placeholder}\n",
            ),
            (
                "top/binding.yaml",
                "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: b}\n\
                 roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: role}\n\
                 subjects: [{kind: ServiceAccount, name: sa, namespace: team}]\n",
            ),
        ]);
        let objects = tree.build("top").unwrap();
        assert_eq!(
            names(&objects),
            [
                "Namespace team",
                "ServiceAccount team/sa",
                "ClusterRole role",
                "ClusterRoleBinding b"
            ]
        );
    }

    #[test]
    fn patches_apply_to_their_target_only() {
        let tree = Tree::new(&[
            ("base/kustomization.yaml", "resources: [objects.yaml]\n"),
            ("base/objects.yaml", BASE),
            (
                "top/kustomization.yaml",
                "resources: [../base]\npatches:\n- path: p.yaml\n  target: {kind: ClusterRole, name: role}\n\
                 - patch: '[{op: add, path: /metadata/labels, value: {a: b}}]'\n  target: {version: v1}\n",
            ),
            ("top/p.yaml", "- op: replace\n  path: /kind\n  value: Role\n"),
        ]);
        let objects = tree.build("top").unwrap();
        assert_eq!(names(&objects), ["ServiceAccount sa", "Role role"]);
        assert_eq!(objects[0]["metadata"]["labels"]["a"], "b");
        assert_eq!(
            objects[1]["metadata"]["labels"]["a"], "b",
            "v1 of rbac.authorization.k8s.io too"
        );
    }

    #[test]
    fn what_kustomize_would_do_differently_is_refused() {
        let cases: &[(&str, &str)] = &[
            ("resources: [o.yaml]\nimages: []\n", "unknown field"),
            ("resources: [../elsewhere.yaml]\n", "outside the kustomization's folder"),
            ("resources: [sub]\n", "no kustomization.yaml"),
            ("resources: [both]\n", "more than one kustomization file"),
            ("resources: [https://example.com/x.yaml]\n", "remote resources"),
            ("resources: [missing.yaml]\n", "missing.yaml"),
            ("resources: [o.yaml, o.yaml]\n", "listed twice"),
            (
                "resources: [o.yaml]\npatches: [{path: p.yaml, target: {kind: Deployment}}]\n",
                "matches no object",
            ),
            ("resources: [o.yaml]\npatches: [{path: p.yaml}]\n", "with a `target`"),
            (
                "namespace: team\nresources: [o.yaml, b.yaml]\n",
                "binds the ServiceAccount sa in namespace \"\"",
            ),
        ];
        for (kustomization, expected) in cases {
            let tree = Tree::new(&[
                ("k/kustomization.yaml", kustomization),
                ("k/o.yaml", BASE),
                ("k/p.yaml", "- {op: remove, path: /rules}\n"),
                (
                    "k/b.yaml",
                    "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b}\n\
                     roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: role}\n\
                     subjects: [{kind: ServiceAccount, name: sa}]\n",
                ),
                ("elsewhere.yaml", BASE),
                ("k/sub/o.yaml", BASE),
                ("k/both/kustomization.yaml", "resources: []\n"),
                ("k/both/Kustomization", "resources: []\n"),
            ]);
            let error = format!("{:#}", tree.build("k").unwrap_err());
            assert!(error.contains(expected), "{kustomization}: {error}");
        }
    }

    #[test]
    fn a_patch_that_cannot_apply_names_the_object() {
        let tree = Tree::new(&[
            (
                "k/kustomization.yaml",
                "resources: [o.yaml]\npatches: [{path: p.yaml, target: {kind: ServiceAccount}}]\n",
            ),
            ("k/o.yaml", BASE),
            ("k/p.yaml", "- {op: remove, path: /spec/nothing}\n"),
        ]);
        let error = format!("{:#}", tree.build("k").unwrap_err());
        assert!(error.contains("applying it to ServiceAccount sa"), "{error}");
    }
}
