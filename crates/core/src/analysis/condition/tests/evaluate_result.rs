//! `evaluate_result`: phases from the two conditions, and messages for missing data.

use super::*;

#[test]
fn evaluate_result_truth_table() {
    let r = value(json!(true));
    let cases = [
        ("true", "false", Ok(AnalysisPhase::Successful)),
        ("true", "true", Ok(AnalysisPhase::Failed)),
        ("false", "true", Ok(AnalysisPhase::Failed)),
        ("false", "false", Ok(AnalysisPhase::Inconclusive)),
        ("", "false", Ok(AnalysisPhase::Successful)),
        ("", "true", Ok(AnalysisPhase::Failed)),
        ("false", "", Ok(AnalysisPhase::Failed)),
        ("true", "", Ok(AnalysisPhase::Successful)),
        ("", "", Ok(AnalysisPhase::Successful)),
        (
            "a == true",
            "true",
            Err("could not evaluate successCondition \"a == true\": unknown name a".to_string()),
        ),
        (
            "true",
            "a == true",
            Err("could not evaluate failureCondition \"a == true\": unknown name a".to_string()),
        ),
        (
            "a",
            "b",
            Err("could not evaluate successCondition \"a\": unknown name a".to_string()),
        ),
        ("result", "", Ok(AnalysisPhase::Successful)),
        (
            "1",
            "",
            Err("could not evaluate successCondition \"1\": expected bool, but got int".to_string()),
        ),
    ];
    for (success, failure, want) in cases {
        assert_eq!(evaluate_result(&r, success, failure), want, "{success:?} / {failure:?}");
    }
}

#[test]
fn evaluate_result_explains_missing_data() {
    let no_data = "could not evaluate successCondition \"result[0] >= 0.95\": metric result is nil or empty: no data \
                   returned from the metric provider";
    assert_eq!(
        evaluate_result(&MetricValue::Null, "result[0] >= 0.95", ""),
        Err(no_data.to_string())
    );
    assert_eq!(
        evaluate_result(&MetricValue::Array(Vec::new()), "result[0] >= 0.95", ""),
        Err(no_data.to_string())
    );
    assert_eq!(
        evaluate_result(&MetricValue::Array(Vec::new()), "true", "result[0] < 0.5"),
        Err(no_data.replace(
            "successCondition \"result[0] >= 0.95\"",
            "failureCondition \"result[0] < 0.5\""
        ))
    );
    // A condition written for missing data still works.
    assert_eq!(
        evaluate_result(&MetricValue::Null, "default(result, 0) < 0.05", ""),
        Ok(AnalysisPhase::Successful)
    );
    assert_eq!(
        evaluate_result(&MetricValue::Array(Vec::new()), "len(result) == 0", ""),
        Ok(AnalysisPhase::Successful)
    );
    assert_eq!(
        evaluate_result(&value(json!([0.5])), "result[0] >= 0.95 && bogus", ""),
        Err("could not evaluate successCondition \"result[0] >= 0.95 && bogus\": unknown name bogus".to_string())
    );
}
