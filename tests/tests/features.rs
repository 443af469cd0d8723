//! `/api/v1/features`: every built-in aggregator and group-by, as Java's FeaturesResource lists
//! them (spec http-api.md §2.11).

use kairosdb_tests::Server;
use serde_json::Value;

fn names(family: &Value) -> Vec<String> {
    family["properties"]
        .as_array()
        .expect("processor list")
        .iter()
        .map(|p| p["name"].as_str().expect("name").to_string())
        .collect()
}

#[test]
fn features_list_every_builtin_in_java_order() {
    let s = Server::start();
    let r = s.get("/api/v1/features");
    assert_eq!(r.status, 200, "{r:?}");
    assert!(
        r.header("content-type")
            .unwrap_or("")
            .starts_with("application/json"),
        "{r:?}"
    );
    // Gson HTML-escapes '=', '&', '\'' ...
    assert!(
        r.text().contains("\\u003d") && !r.text().contains("=>"),
        "{}",
        r.text()
    );
    let v = r.json();
    let families = v.as_array().expect("array of families");
    assert_eq!(families.len(), 2);
    assert_eq!(
        (families[0]["name"].as_str(), families[0]["label"].as_str()),
        (Some("group_by"), Some("Group By"))
    );
    assert_eq!(
        (families[1]["name"].as_str(), families[1]["label"].as_str()),
        (Some("aggregators"), Some("Aggregator"))
    );
    let mut group_bys = names(&families[0]);
    group_bys.sort();
    assert_eq!(group_bys, ["bin", "tag", "time", "value"]);
    let mut aggs = names(&families[1]);
    aggs.sort();
    assert_eq!(
        aggs,
        [
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
            "sampler",
            "save_as",
            "scale",
            "score",
            "sma",
            "sum",
            "trim"
        ]
    );
    // Processors are sorted by label.
    let labels: Vec<String> = families[1]["properties"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| p["label"].as_str().unwrap_or("").to_string())
        .collect();
    let mut sorted = labels.clone();
    sorted.sort();
    assert_eq!(labels, sorted);
    // A range aggregator describes its sampling as a compound property.
    let avg = families[1]["properties"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == "avg")
        .expect("avg");
    let sampling = avg["properties"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == "sampling")
        .expect("avg.sampling");
    assert_eq!(sampling["type"], "Object", "{sampling}");
}

#[test]
fn one_family_and_unknown_family() {
    let s = Server::start();
    let r = s.get("/api/v1/features/AGGREGATORS");
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json().as_array().map(Vec::len), Some(21));
    let r = s.get("/api/v1/features/group_by");
    assert_eq!(r.json().as_array().map(Vec::len), Some(4));
    let r = s.get("/api/v1/features/Bogus");
    assert_eq!(r.status, 404, "{r:?}");
    assert_eq!(r.text(), r#"{"errors":["Unknown feature 'bogus'"]}"#);
}
