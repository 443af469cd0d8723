//! `/api/v1/features` JSON.

mod common;

use aggregators::features::{feature_family_json, features_json};
use common::registry;

#[test]
fn families_and_order() {
    let reg = registry();
    let all = features_json(&reg);
    assert!(all.starts_with("[{\"name\":\"group_by\",\"label\":\"Group By\",\"properties\":[{\"name\":\"bin\",\"label\":\"Bin\""));
    assert!(all.contains("]},{\"name\":\"aggregators\",\"label\":\"Aggregator\",\"properties\":[{\"name\":\"avg\",\"label\":\"AVG\""));
    // /features: processors sorted by label (Java string order: upper case first)
    // (FeatureProcessingMetadata.java); /features/aggregators: by name
    // (GenericFeatureProcessorFactory.java).
    let by_label = [
        "avg",
        "count",
        "dev",
        "diff",
        "div",
        "filter",
        "first",
        "gaps",
        "last",
        "least_squares",
        "max",
        "min",
        "percentile",
        "rate",
        "score",
        "sma",
        "sampler",
        "save_as",
        "scale",
        "sum",
        "trim",
    ];
    let mut by_name = by_label;
    by_name.sort_unstable();
    let aggs_all = &all[all.find("{\"name\":\"aggregators\"").unwrap()..];
    let aggs = feature_family_json(&reg, "AGGREGATORS").unwrap();
    for (text, order) in [(aggs_all, &by_label), (aggs.as_str(), &by_name)] {
        let mut at = 0;
        for name in order.iter() {
            let needle = format!("{{\"name\":\"{name}\",\"label\"");
            let pos = text[at..].find(&needle).map(|p| p + at);
            assert!(pos.is_some(), "{name} missing or out of order in {order:?}");
            at = pos.unwrap_or(at);
        }
    }
    assert!(feature_family_json(&reg, "intel").is_none());
    assert!(feature_family_json(&reg, "Group_By")
        .unwrap()
        .starts_with("[{\"name\":\"bin\""));
    if let Ok(dir) = std::env::var("FEATURES_DUMP") {
        std::fs::write(format!("{dir}/features.json"), &all).unwrap();
    }
}

#[test]
fn processor_shapes() {
    let reg = registry();
    let gb = feature_family_json(&reg, "group_by").unwrap();
    let value = "{\"name\":\"value\",\"label\":\"Value\",\"description\":\"Groups data points by value.\",\"properties\":[{\"name\":\"range_size\",\"label\":\"Target Size\",\"description\":\"The range for each value. For example, if the range size is 10, then values between 0-9 are placed in the first group, values between 10-19 into the second group, and so forth.\",\"optional\":false,\"type\":\"int\",\"options\":[],\"defaultValue\":\"0\",\"autocomplete\":\"\",\"multiline\":false,\"validations\":[{\"expression\":\"value \\u003e\\u003d 0\",\"type\":\"js\",\"message\":\"Target size must be greater or equal than 0.\"}]}]}";
    assert!(gb.contains(value), "{gb}");
    let time = "{\"name\":\"time\",\"label\":\"Time\",\"description\":\"Groups data points in time ranges.\",\"properties\":[{\"name\":\"group_count\",\"label\":\"Count\"";
    assert!(gb.contains(time));
    let compound = "{\"name\":\"range_size\",\"label\":\"Range Size\",\"optional\":false,\"type\":\"Object\",\"multiline\":false,\"properties\":[{\"name\":\"value\",\"label\":\"Value\",\"description\":\"The number of units for the aggregation buckets\",\"optional\":false,\"type\":\"long\",\"options\":[],\"defaultValue\":\"1\",\"autocomplete\":\"\",\"multiline\":false,\"validations\":[{\"expression\":\"value \\u003e\\u003d 0\",\"type\":\"js\",\"message\":\"Value must be greater or equal to 0.\"}]},{\"name\":\"unit\",\"label\":\"Unit\",\"description\":\"The time unit for the sampling rate\",\"optional\":false,\"type\":\"enum\",\"options\":[\"MILLISECONDS\",\"SECONDS\",\"MINUTES\",\"HOURS\",\"DAYS\",\"WEEKS\",\"MONTHS\",\"YEARS\"],\"defaultValue\":\"MILLISECONDS\",\"autocomplete\":\"\",\"multiline\":false,\"validations\":[]}]}";
    assert!(gb.contains(compound));
    let aggs = feature_family_json(&reg, "aggregators").unwrap();
    assert!(aggs.contains("\"defaultValue\":\"\\u003cnew name\\u003e\""));
    assert!(aggs.contains("\"message\":\"The name can\\u0027t be empty.\""));
    // validations are listed in reverse annotation order
    assert!(aggs.contains("\"validations\":[{\"expression\":\"value \\u003c 1\",\"type\":\"js\",\"message\":\"Percentile must be smaller than 1.\"},{\"expression\":\"value \\u003e 0\""));
    assert!(aggs.contains("{\"name\":\"diff\",\"label\":\"Diff\",\"description\":\"Computes the difference between successive data points.\",\"properties\":[]}"));
}
