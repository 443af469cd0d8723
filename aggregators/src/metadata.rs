//! Builders for the `/api/v1/features` descriptions, mirroring how Java derives them from
//! `@FeatureComponent` / `@FeatureProperty` / `@FeatureCompoundProperty`
//! (core/annotation/AnnotationUtils.java, core/processingstage/metadata/*).

use plugin_api::{ProcessorMetadata, PropertyMetadata, ValidationMetadata};

use crate::jvm::java_cmp;
use crate::time::unit::ALL_UNITS;

/// A plain `@FeatureProperty`: `kind` is the Java type name (`long`, `double`, `boolean`, ...).
pub fn prop(
    name: &str,
    label: &str,
    description: &str,
    kind: &str,
    default: &str,
) -> PropertyMetadata {
    PropertyMetadata {
        name: name.to_string(),
        label: label.to_string(),
        description: description.to_string(),
        optional: false,
        kind: kind.to_string(),
        options: Vec::new(),
        default_value: default.to_string(),
        autocomplete: Some(String::new()),
        multiline: false,
        validations: Vec::new(),
        properties: Vec::new(),
    }
}

/// An enum property: options are the Java constant names.
pub fn enum_prop(
    name: &str,
    label: &str,
    description: &str,
    constants: &[&str],
    default: &str,
) -> PropertyMetadata {
    let mut p = prop(name, label, description, "enum", default);
    p.options = constants.iter().map(|s| s.to_string()).collect();
    p
}

/// Adds `@ValidationProperty` entries, given in annotation order (Java lists them reversed).
pub fn validations(mut p: PropertyMetadata, rules: &[(&str, &str)]) -> PropertyMetadata {
    p.validations = rules
        .iter()
        .rev()
        .map(|(expression, message)| ValidationMetadata {
            expression: expression.to_string(),
            kind: "js".to_string(),
            message: message.to_string(),
        })
        .collect();
    p
}

/// The `TimeUnit` constant names.
pub fn unit_names() -> Vec<&'static str> {
    ALL_UNITS.iter().map(|u| u.name()).collect()
}

/// A `@FeatureCompoundProperty` over `Duration` (`sampling`, `range_size`): Value, then Unit.
pub fn duration_prop(name: &str, label: &str) -> PropertyMetadata {
    let value = validations(
        prop(
            "value",
            "Value",
            "The number of units for the aggregation buckets",
            "long",
            "1",
        ),
        &[("value >= 0", "Value must be greater or equal to 0.")],
    );
    let unit = enum_prop(
        "unit",
        "Unit",
        "The time unit for the sampling rate",
        &unit_names(),
        "MILLISECONDS",
    );
    PropertyMetadata {
        name: name.to_string(),
        label: label.to_string(),
        description: String::new(),
        optional: false,
        kind: "Object".to_string(),
        options: Vec::new(),
        default_value: String::new(),
        autocomplete: None,
        multiline: false,
        validations: Vec::new(),
        properties: vec![value, unit],
    }
}

const ALIGN_START: &str = "Setting this to true will cause the aggregation range to be aligned based on the sampling size. For example if your sample size is either milliseconds, seconds, minutes or hours then the start of the range will always be at the top of the hour. The effect of setting this to true is that your data will take the same shape when graphed as you refresh the data. Note that align_sampling, align_start_time, and align_end_time are mutually exclusive. If more than one are set, unexpected results will occur.";

const ALIGN_END: &str = "Setting this to true will cause the aggregation range to be aligned based on the sampling size. For example if your sample size is either milliseconds, seconds, minutes or hours then the start of the range will always be at the top of the hour. The difference between align_start_time and align_end_time is that align_end_time sets the timestamp for the datapoint to the beginning of the following period versus the beginning of the current period. As with align_start_time, setting this to true will cause your data to take the same shape when graphed as you refresh the data. Note that align_sampling, align_start_time, and align_end_time are mutually exclusive. If more than one are set, unexpected results will occur.";

/// The annotated properties of `RangeAggregator` (inherited by every range aggregator).
pub fn range_props() -> Vec<PropertyMetadata> {
    vec![
        duration_prop("sampling", "Sampling"),
        prop(
            "align_start_time",
            "Align start time",
            ALIGN_START,
            "boolean",
            "false",
        ),
        prop(
            "align_end_time",
            "Align end time",
            ALIGN_END,
            "boolean",
            "false",
        ),
        prop(
            "trim",
            "Trim",
            " Trim off empty ranges before and after the actual data",
            "boolean",
            "false",
        ),
    ]
}

/// A processor description; properties are sorted by label (stable, Java string order).
pub fn processor(
    name: &str,
    label: Option<&str>,
    description: &str,
    mut properties: Vec<PropertyMetadata>,
) -> ProcessorMetadata {
    properties.sort_by(|a, b| java_cmp(&a.label, &b.label));
    ProcessorMetadata {
        name: name.to_string(),
        label: label.map_or_else(|| labelize(name), str::to_string),
        description: description.to_string(),
        properties,
    }
}

/// `GenericFeatureProcessorFactory.labelizeComponent`: `least_squares` → `Least Squares`.
fn labelize(name: &str) -> String {
    name.to_lowercase()
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
