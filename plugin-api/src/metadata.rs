//! Self-description of processors, served by `/api/v1/features`.

use serde::{Deserialize, Serialize};

/// One aggregator or group-by as `/api/v1/features` lists it.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct ProcessorMetadata {
    /// Query name, e.g. `avg`.
    pub name: String,
    /// Display label, e.g. `AVG`.
    pub label: String,
    /// One-line description.
    pub description: String,
    /// Parameters.
    pub properties: Vec<PropertyMetadata>,
}

/// One parameter of a processor (Java `@FeatureProperty`).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct PropertyMetadata {
    /// JSON key.
    pub name: String,
    /// Display label.
    pub label: String,
    /// Description.
    pub description: String,
    /// Whether the parameter may be left out.
    pub optional: bool,
    /// Java-facing type name: `long`, `double`, `boolean`, `String`, `enum`, `array`, `Object`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Enum constants or other choices.
    pub options: Vec<String>,
    /// Default value as text.
    #[serde(rename = "defaultValue")]
    pub default_value: String,
    /// Autocomplete hint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autocomplete: Option<String>,
    /// Multi-line text input.
    pub multiline: bool,
    /// Client-side validations.
    pub validations: Vec<ValidationMetadata>,
    /// Nested properties of compound parameters (`sampling`, `range_size`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<PropertyMetadata>,
}

/// A client-side validation rule of a property.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct ValidationMetadata {
    /// JavaScript expression.
    pub expression: String,
    /// Rule type, e.g. `js`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Message shown when it fails.
    pub message: String,
}
