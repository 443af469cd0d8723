//! `/api/v1/features`: the processor descriptions as Java's FeaturesResource prints them with
//! a default `Gson` (HTML-escaping, fields in declaration order, nulls omitted).

use plugin_api::{ProcessorMetadata, PropertyMetadata, Registry};

use crate::jvm::{gson_quote, java_cmp};

/// The feature families, in Java's processing-chain order.
const FAMILIES: [(&str, &str); 2] = [("group_by", "Group By"), ("aggregators", "Aggregator")];

fn push_str_array(out: &mut String, items: &[String]) {
    out.push('[');
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&gson_quote(s));
    }
    out.push(']');
}

fn push_property(out: &mut String, p: &PropertyMetadata) {
    out.push_str("{\"name\":");
    out.push_str(&gson_quote(&p.name));
    out.push_str(",\"label\":");
    out.push_str(&gson_quote(&p.label));
    if p.properties.is_empty() {
        out.push_str(",\"description\":");
        out.push_str(&gson_quote(&p.description));
    }
    out.push_str(&format!(",\"optional\":{}", p.optional));
    out.push_str(",\"type\":");
    out.push_str(&gson_quote(&p.kind));
    if !p.properties.is_empty() {
        // A @FeatureCompoundProperty: only name, label, optional, type, multiline, properties.
        out.push_str(&format!(",\"multiline\":{},\"properties\":[", p.multiline));
        for (i, sub) in p.properties.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_property(out, sub);
        }
        out.push_str("]}");
        return;
    }
    out.push_str(",\"options\":");
    push_str_array(out, &p.options);
    out.push_str(",\"defaultValue\":");
    out.push_str(&gson_quote(&p.default_value));
    out.push_str(",\"autocomplete\":");
    out.push_str(&gson_quote(p.autocomplete.as_deref().unwrap_or("")));
    out.push_str(&format!(",\"multiline\":{},\"validations\":[", p.multiline));
    for (i, v) in p.validations.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"expression\":");
        out.push_str(&gson_quote(&v.expression));
        out.push_str(",\"type\":");
        out.push_str(&gson_quote(&v.kind));
        out.push_str(",\"message\":");
        out.push_str(&gson_quote(&v.message));
        out.push('}');
    }
    out.push_str("]}");
}

fn push_processor(out: &mut String, m: &ProcessorMetadata) {
    out.push_str("{\"name\":");
    out.push_str(&gson_quote(&m.name));
    out.push_str(",\"label\":");
    out.push_str(&gson_quote(&m.label));
    out.push_str(",\"description\":");
    out.push_str(&gson_quote(&m.description));
    out.push_str(",\"properties\":[");
    for (i, p) in m.properties.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_property(out, p);
    }
    out.push_str("]}");
}

/// The processors of a family sorted by name (GenericFeatureProcessorFactory.java), then, for
/// `/features` only, by label, stable (FeatureProcessingMetadata.java sorts its copy).
fn family_metadata(registry: &Registry, family: &str, by_label: bool) -> Vec<ProcessorMetadata> {
    let mut list: Vec<ProcessorMetadata> = if family == "group_by" {
        registry.group_bys().map(|f| f.metadata()).collect()
    } else {
        registry.aggregators().map(|f| f.metadata()).collect()
    };
    list.sort_by(|a, b| java_cmp(&a.name, &b.name));
    if by_label {
        list.sort_by(|a, b| java_cmp(&a.label, &b.label));
    }
    list
}

fn processor_array(list: &[ProcessorMetadata]) -> String {
    let mut out = String::from("[");
    for (i, m) in list.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_processor(&mut out, m);
    }
    out.push(']');
    out
}

/// `GET /api/v1/features`: both families, group-bys first.
pub fn features_json(registry: &Registry) -> String {
    let mut out = String::from("[");
    for (i, (name, label)) in FAMILIES.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"name\":");
        out.push_str(&gson_quote(name));
        out.push_str(",\"label\":");
        out.push_str(&gson_quote(label));
        out.push_str(",\"properties\":");
        out.push_str(&processor_array(&family_metadata(registry, name, true)));
        out.push('}');
    }
    out.push(']');
    out
}

/// `GET /api/v1/features/{feature}`: the processor array of `group_by` or `aggregators`
/// (case-insensitive) in name order; `None` for an unknown family (the host answers 404).
pub fn feature_family_json(registry: &Registry, family: &str) -> Option<String> {
    let (name, _) = FAMILIES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(family))?;
    Some(processor_array(&family_metadata(registry, name, false)))
}
