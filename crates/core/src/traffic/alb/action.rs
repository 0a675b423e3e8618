//! The JSON the AWS Load Balancer Controller reads from an Ingress's annotations, written exactly as
//! upstream marshals its Go structs (field order, compact, `omitempty`): the forward action of
//! `actions.<service>` and the header conditions of `conditions.<route>`.

use rollouts_api::gofmt::go_json_string;
use rollouts_api::steps::HeaderRoutingMatch;
use rollouts_api::traffic::StickinessConfig;
use rollouts_api::validation::GoObject;

use crate::traffic::RouterError;

/// The longest stickiness AWS accepts, in seconds (7 days).
const MAX_STICKINESS_SECONDS: i64 = 604_800;

/// One target group of a forward action: a Service, its port and its weight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TargetGroup {
    /// The Service.
    pub service: String,
    /// The Service port, as a string as upstream writes it.
    pub port: String,
    /// Its weight.
    pub weight: i64,
}

impl TargetGroup {
    /// A target group on `port`.
    pub(super) fn new(service: &str, port: i32, weight: i64) -> Self {
        Self {
            service: service.to_string(),
            port: port.to_string(),
            weight,
        }
    }

    fn render(&self) -> String {
        GoObject::new()
            .string_omitempty("ServiceName", &self.service)
            .string_omitempty("ServicePort", &self.port)
            .raw("Weight", self.weight.to_string())
            .render()
    }
}

/// The stickiness of a forward action, when it is enabled; a duration AWS refuses is an error with
/// upstream's message.
pub(super) fn stickiness(config: Option<&StickinessConfig>) -> Result<Option<(bool, i64)>, RouterError> {
    let Some(config) = config.filter(|c| c.enabled) else {
        return Ok(None);
    };
    if !(1..=MAX_STICKINESS_SECONDS).contains(&config.duration_seconds) {
        return Err(RouterError::new(
            "TargetGroupStickinessConfig's duration must be between 1 and 604800 seconds (7 days)!",
        ));
    }
    Ok(Some((true, config.duration_seconds)))
}

/// `{"Type":"forward","ForwardConfig":{"TargetGroups":[...],"TargetGroupStickinessConfig":{...}}}`.
pub(super) fn forward_action(groups: &[TargetGroup], stickiness: Option<(bool, i64)>) -> String {
    let groups: Vec<String> = groups.iter().map(TargetGroup::render).collect();
    let sticky = stickiness.map(|(enabled, seconds)| {
        GoObject::new()
            .raw("Enabled", enabled.to_string())
            .raw("DurationSeconds", seconds.to_string())
            .render()
    });
    let config = GoObject::new()
        .raw("TargetGroups", format!("[{}]", groups.join(",")))
        .optional("TargetGroupStickinessConfig", sticky)
        .render();
    GoObject::new()
        .raw("Type", go_json_string("forward"))
        .raw("ForwardConfig", config)
        .render()
}

/// The conditions of a header route: one `http-header` condition per header name, in the order the
/// names first appear, each listing the exact values that match (ALB matches headers exactly; the
/// spec validation allows nothing else). No match at all is Go's `null`.
pub(super) fn header_conditions(matches: &[HeaderRoutingMatch]) -> String {
    let mut conditions: Vec<(&str, Vec<&str>)> = Vec::new();
    for m in matches {
        let value = m.header_value.exact.as_deref().unwrap_or_default();
        match conditions.iter_mut().find(|(name, _)| *name == m.header_name) {
            Some((_, values)) => values.push(value),
            None => conditions.push((&m.header_name, vec![value])),
        }
    }
    if conditions.is_empty() {
        return "null".to_string();
    }
    let rendered: Vec<String> = conditions
        .iter()
        .map(|(name, values)| {
            let values: Vec<String> = values.iter().map(|v| go_json_string(v)).collect();
            let header = GoObject::new()
                .raw("httpHeaderName", go_json_string(name))
                .raw("values", format!("[{}]", values.join(",")))
                .render();
            GoObject::new()
                .raw("field", go_json_string("http-header"))
                .raw("httpHeaderConfig", header)
                .render()
        })
        .collect();
    format!("[{}]", rendered.join(","))
}
