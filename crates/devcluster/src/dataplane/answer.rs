//! How a pod answers, from its image and environment, as the public demo image
//! `argoproj/rollouts-demo` does.
//!
//! - `GET /color` answers the colour as a JSON string (`"yellow"`). The colour is the container's
//!   `COLOR` env value when set (the demo image reads it), else the image tag without a `bad-` or
//!   `slow-` prefix: `argoproj/rollouts-demo:bad-red` is `red`; an image without a tag is `latest`,
//!   and a digest (`@sha256:...`) is ignored.
//! - Errors on `/color`, as the demo image decides them: with an error rate N above 0, a request is
//!   answered 500 unless a draw in `0..100` is below N. The demo's `bad-*` images are built with
//!   N = 15, so they fail about 85% of requests; the container env `ERROR_RATE` sets N on any image
//!   and replaces the `bad-*` rule (`ERROR_RATE=15` fails about 85%, `100` never, `0` turns errors
//!   off). Decimals are allowed.
//! - Latency on `/color`: a `slow-*` tag takes 2 s; the container env `LATENCY` (seconds, decimals
//!   allowed) sets the latency on any image and replaces the `slow-*` rule.
//! - Env values that are not numbers, negative, or not finite are ignored (the pod answers as if they
//!   were unset).
//! - Any other path answers 200 with a small JSON body naming the pod, its image and its pod-template
//!   hash, without errors or latency, as the demo image serves its static files.
//! - The pod logs `<status> - <colour>` per request, with ` (<seconds>s)` after it when it waited, the
//!   demo image's format.

use std::time::Duration;

use super::{Backend, Draw};

/// The path that answers the colour.
const COLOR_PATH: &str = "/color";

/// The latency of `slow-*` images.
const SLOW_LATENCY: Duration = Duration::from_secs(2);

/// The error rate `bad-*` images are built with: the share of requests, in percent, that succeed.
const BAD_ERROR_RATE: f64 = 15.0;

/// One pod's answer to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub body: String,
    /// Its content type.
    pub content_type: &'static str,
    /// How long the pod takes before answering.
    pub latency: Duration,
    /// The line the pod logs for it (empty: none).
    pub log_line: String,
}

/// The page the dev cluster serves at `/` of a `rollouts-demo` pod: it asks `/color` of the same host
/// a few times a second and draws each answer as a square (errors crossed out), with the share of
/// each answer — our own page, standing in for the demo image's.
const DEMO_PAGE: &str = include_str!("demo_page.html");

/// JSON answers.
const JSON: &str = "application/json";

/// The answer of `backend` to a request for `path`.
pub fn answer(backend: &Backend, path: &str, draw: &mut dyn Draw) -> Answer {
    let tag = image_tag(&backend.image);
    let (variant, plain_tag) = match (tag.strip_prefix("bad-"), tag.strip_prefix("slow-")) {
        (Some(rest), _) => (Variant::Bad, rest),
        (_, Some(rest)) => (Variant::Slow, rest),
        _ => (Variant::Plain, tag),
    };
    let colour = env(backend, "COLOR").filter(|c| !c.is_empty()).unwrap_or(plain_tag);
    if path == "/" && backend.image.contains("rollouts-demo") {
        return Answer {
            status: 200,
            body: DEMO_PAGE.to_string(),
            content_type: "text/html; charset=utf-8",
            latency: Duration::ZERO,
            log_line: String::new(),
        };
    }
    if path != COLOR_PATH {
        let body = serde_json::json!({
            "pod": backend.pod,
            "namespace": backend.namespace,
            "image": backend.image,
            "podTemplateHash": backend.template_hash,
        });
        return Answer {
            status: 200,
            body: body.to_string(),
            content_type: JSON,
            latency: Duration::ZERO,
            log_line: format!("200 - {colour}"),
        };
    }
    let latency = match env(backend, "LATENCY").and_then(seconds) {
        Some(latency) => latency,
        None if variant == Variant::Slow => SLOW_LATENCY,
        None => Duration::ZERO,
    };
    let rate = match env(backend, "ERROR_RATE").and_then(percent) {
        Some(rate) => rate,
        None if variant == Variant::Bad => BAD_ERROR_RATE,
        None => 0.0,
    };
    let failed = rate > 0.0 && !draws_below(draw, rate);
    let status = if failed { 500 } else { 200 };
    let waited = if latency.is_zero() {
        String::new()
    } else {
        format!(" ({:.6}s)", latency.as_secs_f64())
    };
    Answer {
        status,
        body: serde_json::Value::String(colour.to_string()).to_string(),
        content_type: JSON,
        latency,
        log_line: format!("{status} - {colour}{waited}"),
    }
}

/// What the tag's prefix makes of the demo image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    Plain,
    Bad,
    Slow,
}

/// The tag of an image reference: after the last `:` of its last path element, without any digest;
/// `latest` when there is none.
fn image_tag(image: &str) -> &str {
    let without_digest = image.split_once('@').map_or(image, |(name, _)| name);
    let last_element = without_digest.rsplit('/').next().unwrap_or(without_digest);
    match last_element.rsplit_once(':') {
        Some((_, tag)) if !tag.is_empty() => tag,
        _ => "latest",
    }
}

/// The container's plain env value `name`, the last one winning as in a container.
fn env<'b>(backend: &'b Backend, name: &str) -> Option<&'b str> {
    backend
        .env
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// A latency in seconds: a finite, non-negative number.
fn seconds(text: &str) -> Option<Duration> {
    let value: f64 = text.trim().parse().ok()?;
    if !value.is_finite() || value < 0.0 {
        return None;
    }
    Duration::try_from_secs_f64(value).ok()
}

/// A percentage: a finite, non-negative number, capped at 100.
fn percent(text: &str) -> Option<f64> {
    let value: f64 = text.trim().parse().ok()?;
    (value.is_finite() && value >= 0.0).then_some(value.min(100.0))
}

/// Whether a uniform draw falls in the first `percent` of its range (in hundredths of a percent, so
/// that decimal rates are exact too). No draw is taken when the answer is certain.
fn draws_below(draw: &mut dyn Draw, percent: f64) -> bool {
    let basis_points = (percent * 100.0).round() as u64;
    match basis_points {
        0 => false,
        10_000.. => true,
        share => draw.below(10_000) < share,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Seeded(crate::sim::random::SeededRandom);

    impl Draw for Seeded {
        fn below(&mut self, bound: u64) -> u64 {
            ((u128::from(self.0.next_u64()) * u128::from(bound)) >> 64) as u64
        }
    }

    fn seeded(seed: u64) -> Seeded {
        Seeded(crate::sim::random::SeededRandom::new(seed))
    }

    fn backend(image: &str, env: &[(&str, &str)]) -> Backend {
        Backend {
            namespace: "default".into(),
            pod: "demo-abc-x1".into(),
            uid: "u-1".into(),
            image: image.into(),
            env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            template_hash: Some("abc".into()),
        }
    }

    /// The number of 500s among `n` answers to `/color`.
    fn errors(backend: &Backend, n: usize) -> usize {
        let mut draw = seeded(42);
        (0..n)
            .filter(|_| answer(backend, COLOR_PATH, &mut draw).status == 500)
            .count()
    }

    #[test]
    fn colour_comes_from_the_tag() {
        for (image, colour) in [
            ("argoproj/rollouts-demo:yellow", "yellow"),
            ("argoproj/rollouts-demo:bad-red", "red"),
            ("argoproj/rollouts-demo:slow-green", "green"),
            ("argoproj/rollouts-demo", "latest"),
            ("localhost:5000/rollouts-demo", "latest"),
            ("localhost:5000/rollouts-demo:blue", "blue"),
            ("argoproj/rollouts-demo:purple@sha256:0123abcd", "purple"),
            ("argoproj/rollouts-demo@sha256:0123abcd", "latest"),
            ("", "latest"),
        ] {
            let a = answer(&backend(image, &[]), "/color", &mut seeded(1));
            assert_eq!(a.body, format!("\"{colour}\""), "{image}");
            assert!(a.log_line.contains(&format!(" - {colour}")), "{image}: {}", a.log_line);
        }
    }

    #[test]
    fn colour_env_wins_over_the_tag() {
        let a = answer(&backend("demo:blue", &[("COLOR", "orange")]), "/color", &mut seeded(1));
        assert_eq!(
            (a.status, a.body.as_str(), a.log_line.as_str()),
            (200, "\"orange\"", "200 - orange")
        );
    }

    #[test]
    fn healthy_images_answer_200_at_once() {
        let a = answer(&backend("argoproj/rollouts-demo:yellow", &[]), "/color", &mut seeded(1));
        assert_eq!(
            a,
            Answer {
                status: 200,
                body: "\"yellow\"".into(),
                content_type: JSON,
                latency: Duration::ZERO,
                log_line: "200 - yellow".into(),
            }
        );
        assert_eq!(errors(&backend("argoproj/rollouts-demo:yellow", &[]), 1000), 0);
    }

    #[test]
    fn the_demo_image_serves_its_page_at_the_root() {
        let a = answer(&backend("argoproj/rollouts-demo:blue", &[]), "/", &mut seeded(1));
        assert_eq!((a.status, a.content_type), (200, "text/html; charset=utf-8"));
        assert!(a.body.contains("fetch(\"/color\""), "{}", a.body);
        assert!(a.log_line.is_empty());
        let other = answer(&backend("nginx:1.25", &[]), "/", &mut seeded(1));
        assert_eq!(other.content_type, JSON);
    }

    #[test]
    fn bad_images_fail_about_85_percent() {
        let bad = backend("argoproj/rollouts-demo:bad-red", &[]);
        let failed = errors(&bad, 5000);
        assert!((4150..=4350).contains(&failed), "{failed} of 5000");
        let mut draw = seeded(3);
        let a = (0..20)
            .map(|_| answer(&bad, "/color", &mut draw))
            .find(|a| a.status == 500)
            .expect("a failure");
        assert_eq!((a.body.as_str(), a.log_line.as_str()), ("\"red\"", "500 - red"));
    }

    #[test]
    fn error_rate_env_works_as_on_the_demo_image_on_any_image() {
        // As the demo image reads it: N > 0 answers 500 unless a draw in 0..100 is below N.
        let failed = errors(&backend("argoproj/rollouts-demo:blue", &[("ERROR_RATE", "15")]), 5000);
        assert!((4150..=4350).contains(&failed), "{failed} of 5000");
        let failed = errors(&backend("nginx:1.25", &[("ERROR_RATE", "97.5")]), 8000);
        assert!((120..=280).contains(&failed), "{failed} of 8000");
        assert_eq!(errors(&backend("demo:blue", &[("ERROR_RATE", "100")]), 200), 0);
        assert_eq!(errors(&backend("demo:blue", &[("ERROR_RATE", "250")]), 200), 0);
        // The env value replaces the `bad-*` rule; 0 turns errors off.
        assert_eq!(errors(&backend("demo:bad-blue", &[("ERROR_RATE", "0")]), 500), 0);
        assert_eq!(errors(&backend("demo:bad-blue", &[("ERROR_RATE", "100")]), 500), 0);
    }

    #[test]
    fn bad_env_values_are_ignored() {
        for value in ["lots", "", "-5", "NaN", "inf", "1e999"] {
            let b = backend("demo:blue", &[("ERROR_RATE", value), ("LATENCY", value)]);
            let a = answer(&b, "/color", &mut seeded(1));
            assert_eq!((a.status, a.latency), (200, Duration::ZERO), "{value:?}");
        }
        let bad = backend("demo:bad-blue", &[("ERROR_RATE", "many")]);
        assert!(errors(&bad, 1000) > 700, "a bad image stays bad");
    }

    #[test]
    fn slow_images_and_latency_env() {
        let a = answer(
            &backend("argoproj/rollouts-demo:slow-yellow", &[]),
            "/color",
            &mut seeded(1),
        );
        assert_eq!(
            (a.status, a.latency, a.body.as_str(), a.log_line.as_str()),
            (200, Duration::from_secs(2), "\"yellow\"", "200 - yellow (2.000000s)")
        );
        let a = answer(&backend("demo:blue", &[("LATENCY", "0.25")]), "/color", &mut seeded(1));
        assert_eq!(a.latency, Duration::from_millis(250));
        assert_eq!(a.log_line, "200 - blue (0.250000s)");
        let a = answer(
            &backend("demo:slow-blue", &[("LATENCY", "0")]),
            "/color",
            &mut seeded(1),
        );
        assert_eq!(a.latency, Duration::ZERO);
    }

    #[test]
    fn other_paths_name_the_pod_and_never_fail() {
        let b = backend("argoproj/rollouts-demo:bad-slow", &[("LATENCY", "3")]);
        let mut draw = seeded(5);
        for path in ["/index.html", "/colorful", "/color/"] {
            let a = answer(&b, path, &mut draw);
            assert_eq!((a.status, a.latency), (200, Duration::ZERO), "{path}");
            let body: serde_json::Value = serde_json::from_str(&a.body).expect("JSON body");
            assert_eq!(
                body,
                serde_json::json!({"pod": "demo-abc-x1", "namespace": "default",
                                   "image": "argoproj/rollouts-demo:bad-slow", "podTemplateHash": "abc"})
            );
        }
        let mut no_hash = backend("nginx", &[]);
        no_hash.template_hash = None;
        let body: serde_json::Value =
            serde_json::from_str(&answer(&no_hash, "/", &mut seeded(1)).body).expect("JSON body");
        assert_eq!(body["podTemplateHash"], serde_json::Value::Null);
    }
}
