//! Reading an answer of the Prometheus HTTP API as Go's client does, and printing its values as Go
//! prints them.

use hyper::StatusCode;
use rollouts_api::gofmt::go_quote;
use rollouts_core::analysis::value::MetricValue;
use serde::Deserialize;

/// A decoded answer: the result and the warnings that came with it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct QueryOutcome {
    pub result: QueryResult,
    pub warnings: Vec<String>,
}

/// The `data` of an answer, reduced to what the conditions see.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum QueryResult {
    Scalar(f64),
    /// Every sample of a vector or matrix, series after series.
    Samples(Vec<f64>),
}

impl QueryResult {
    pub fn value(&self) -> MetricValue {
        match self {
            QueryResult::Scalar(v) => MetricValue::Number(*v),
            QueryResult::Samples(values) => MetricValue::from(values.clone()),
        }
    }

    /// `0.99`, or `[0.99,1]` for samples.
    pub fn text(&self) -> String {
        match self {
            QueryResult::Scalar(v) => go_float(*v),
            QueryResult::Samples(values) => {
                let items: Vec<String> = values.iter().map(|v| go_float(*v)).collect();
                format!("[{}]", items.join(","))
            }
        }
    }
}

/// The envelope of every API answer.
#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    status: String,
    #[serde(default)]
    data: Option<serde_json::Value>,
    #[serde(default, rename = "errorType")]
    error_type: String,
    #[serde(default)]
    error: String,
    #[serde(default)]
    warnings: Vec<String>,
}

/// Reads an API answer as Go's client does: status codes other than 2xx, 400 and 422 are errors of
/// their own; otherwise the JSON envelope decides.
pub(super) fn decode_answer(status: StatusCode, body: &[u8]) -> Result<QueryOutcome, String> {
    let code = status.as_u16();
    let api_error = code == 400 || code == 422;
    if !status.is_success() && !api_error {
        return Err(match code / 100 {
            4 => format!("client_error: client error: {code}"),
            5 => format!("server_error: server error: {code}"),
            _ => format!("bad_response: bad response code {code}"),
        });
    }
    let envelope: Envelope = if code == 204 {
        Envelope {
            status: String::new(),
            data: None,
            error_type: String::new(),
            error: String::new(),
            warnings: Vec::new(),
        }
    } else {
        serde_json::from_slice(body).map_err(|e| format!("bad_response: {}", json_error(body, &e)))?
    };
    if api_error && envelope.status == "success" {
        return Err("bad_response: inconsistent body for response code".to_string());
    }
    if envelope.status == "error" {
        return Err(format!("{}: {}", envelope.error_type, envelope.error));
    }
    let result = decode_data(envelope.data.as_ref())?;
    Ok(QueryOutcome {
        result,
        warnings: envelope.warnings,
    })
}

/// `{"resultType": ..., "result": ...}` as numbers.
fn decode_data(data: Option<&serde_json::Value>) -> Result<QueryResult, String> {
    let Some(data) = data.filter(|d| !d.is_null()) else {
        return Err("unexpected end of JSON input".to_string());
    };
    let kind = data.get("resultType").and_then(|t| t.as_str()).unwrap_or_default();
    let result = data.get("result").cloned().unwrap_or_default();
    match kind {
        "scalar" => Ok(QueryResult::Scalar(sample_pair(&result)?)),
        "vector" => {
            let mut values = Vec::new();
            for sample in result.as_array().into_iter().flatten() {
                // A native-histogram sample has no float value; Go's client leaves it at 0.
                match sample.get("value") {
                    Some(pair) => values.push(sample_pair(pair)?),
                    None => values.push(0.0),
                }
            }
            Ok(QueryResult::Samples(values))
        }
        "matrix" => {
            let mut values = Vec::new();
            for series in result.as_array().into_iter().flatten() {
                for pair in series.get("values").and_then(|v| v.as_array()).into_iter().flatten() {
                    values.push(sample_pair(pair)?);
                }
            }
            Ok(QueryResult::Samples(values))
        }
        other => Err(format!("unexpected value type {}", go_quote(other))),
    }
}

/// The value of a `[<time>, "<value>"]` pair.
fn sample_pair(pair: &serde_json::Value) -> Result<f64, String> {
    let text = pair
        .get(1)
        .and_then(|v| v.as_str())
        .ok_or_else(|| "sample value must be a quoted string".to_string())?;
    parse_sample(text)
}

/// A sample value as Go's `strconv.ParseFloat` reads it (`NaN`, `+Inf`, `-Inf` included).
fn parse_sample(text: &str) -> Result<f64, String> {
    match text {
        "NaN" => Ok(f64::NAN),
        "+Inf" | "Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        _ => text
            .parse::<f64>()
            .map_err(|_| format!("strconv.ParseFloat: parsing {}: invalid syntax", go_quote(text))),
    }
}

/// A JSON decoding error in Go's words where they are easy to match, else serde's.
fn json_error(body: &[u8], error: &serde_json::Error) -> String {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    match first {
        None => "unexpected end of JSON input".to_string(),
        Some(b) if !matches!(b, b'{' | b'[' | b'"' | b't' | b'f' | b'n' | b'-' | b'0'..=b'9') => {
            format!("invalid character '{}' looking for beginning of value", char::from(*b))
        }
        Some(_) => error.to_string(),
    }
}

/// A number as Go's `strconv.FormatFloat(v, 'f', -1, 64)` writes it (Prometheus' sample values).
pub(super) fn go_float(value: f64) -> String {
    if value.is_nan() {
        "NaN".to_string()
    } else if value.is_infinite() {
        if value > 0.0 { "+Inf" } else { "-Inf" }.to_string()
    } else {
        // Rust prints the shortest round-trip digits without an exponent, as Go's 'f' with -1 does.
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_float_matches_prometheus_sample_strings() {
        assert_eq!(go_float(10.0), "10");
        assert_eq!(go_float(0.99), "0.99");
        assert_eq!(go_float(f64::NAN), "NaN");
        assert_eq!(go_float(f64::INFINITY), "+Inf");
        assert_eq!(go_float(f64::NEG_INFINITY), "-Inf");
        assert_eq!(go_float(1e21), "1000000000000000000000");
        assert_eq!(go_float(1e-7), "0.0000001");
        assert_eq!(go_float(-2.5), "-2.5");
    }

    #[test]
    fn answers_decode_like_the_go_client() {
        let ok = |body: &str| decode_answer(StatusCode::OK, body.as_bytes());
        assert_eq!(
            ok(r#"{"status":"success","data":{"resultType":"scalar","result":[1.5,"10"]}}"#)
                .unwrap()
                .result,
            QueryResult::Scalar(10.0)
        );
        let vector = ok(r#"{"status":"success","data":{"resultType":"vector","result":[
            {"metric":{"a":"1"},"value":[1.5,"0.99"]},{"metric":{"a":"2"},"value":[1.5,"NaN"]}]},
            "warnings":["w1","w2"]}"#)
        .unwrap();
        assert_eq!(vector.result.text(), "[0.99,NaN]");
        assert_eq!(vector.warnings, vec!["w1", "w2"]);
        let matrix = ok(r#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{},"values":[[1,"11"],[2,"12"]]},{"metric":{},"values":[[1,"13"],[2,"+Inf"]]}]}}"#)
        .unwrap();
        assert_eq!(matrix.result.text(), "[11,12,13,+Inf]");
        let empty = ok(r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#).unwrap();
        assert_eq!(empty.result.text(), "[]");
        assert!(empty.result.value().is_empty());

        assert_eq!(
            ok(r#"{"status":"success","data":{"resultType":"string","result":[1,"x"]}}"#).unwrap_err(),
            r#"unexpected value type "string""#
        );
        assert_eq!(
            decode_answer(
                StatusCode::BAD_REQUEST,
                br#"{"status":"error","errorType":"bad_data","error":"1:1: parse error: unexpected end of input"}"#
            )
            .unwrap_err(),
            "bad_data: 1:1: parse error: unexpected end of input"
        );
        assert_eq!(
            decode_answer(StatusCode::UNPROCESSABLE_ENTITY, br#"{"status":"success","data":{}}"#).unwrap_err(),
            "bad_response: inconsistent body for response code"
        );
        assert_eq!(
            decode_answer(StatusCode::SERVICE_UNAVAILABLE, b"down").unwrap_err(),
            "server_error: server error: 503"
        );
        assert_eq!(
            decode_answer(StatusCode::NOT_FOUND, b"404 page not found").unwrap_err(),
            "client_error: client error: 404"
        );
        assert_eq!(
            ok("<html>").unwrap_err(),
            "bad_response: invalid character '<' looking for beginning of value"
        );
        assert_eq!(ok("").unwrap_err(), "bad_response: unexpected end of JSON input");
    }
}
