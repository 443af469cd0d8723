//! Binding a processor's JSON members to its "bean properties", as JSON/QueryParser.java
//! `deserializeProperties` does: every key but `name`, in JSON order, matched against the
//! snake_case names of the Java class's setters.

use plugin_api::params;
use plugin_api::ParamError;
use serde_json::{Map, Value};

/// What a processor's setter table says about one key.
pub enum Prop {
    /// The key was a writable property and has been applied.
    Set,
    /// The key names a read-only bean property (a getter without setter); the value has been
    /// converted like Java does before it notices the missing setter.
    ReadOnly,
    /// No bean property of that name.
    Unknown,
}

/// The Java class a processor is bound to, for error texts.
#[derive(Clone, Copy, Debug)]
pub struct JavaClass {
    /// The query name (`sum`).
    pub name: &'static str,
    /// The fully qualified Java class name.
    pub fqcn: &'static str,
}

/// Applies every member of `params` except `name` through `set`, in iteration order.
pub fn bind(
    params: &Map<String, Value>,
    class: JavaClass,
    mut set: impl FnMut(&str, &Value) -> Result<Prop, ParamError>,
) -> Result<(), ParamError> {
    for (key, value) in params {
        if key == "name" {
            continue;
        }
        let outcome = if key == "class" {
            // Every bean has the read-only `class` property; Gson refuses to build a Class.
            return Err(ParamError::Internal(
                "Attempted to deserialize a java.lang.Class. Forgot to register a type adapter?"
                    .to_string(),
            ));
        } else {
            set(key, value)?
        };
        match outcome {
            Prop::Set => {}
            Prop::ReadOnly => return Err(params::getter_only(key, class.name, class.fqcn)),
            Prop::Unknown => return Err(params::no_setter(key, class.name, class.fqcn)),
        }
    }
    Ok(())
}

/// A read-only boolean property (e.g. `_align_sampling` from `is_alignSampling()`).
pub fn read_only_bool(v: &Value) -> Result<Prop, ParamError> {
    params::read_bool(v)?;
    Ok(Prop::ReadOnly)
}

/// A read-only collection-of-strings property (`tag_names`, `tags_to_keep`).
pub fn read_only_strings(v: &Value) -> Result<Prop, ParamError> {
    params::read_string_list(v)?;
    Ok(Prop::ReadOnly)
}
