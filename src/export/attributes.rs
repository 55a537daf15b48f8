//! Constructors of ONNX node attributes, one per attribute type the exporter writes.

use super::proto::{AttributeProto, attribute_type};

/// An `INT` attribute.
pub fn int(name: &str, value: i64) -> AttributeProto {
    AttributeProto {
        name: name.to_string(),
        r#type: attribute_type::INT,
        i: value,
        ..AttributeProto::default()
    }
}

/// An `INTS` attribute.
pub fn ints(name: &str, values: Vec<i64>) -> AttributeProto {
    AttributeProto {
        name: name.to_string(),
        r#type: attribute_type::INTS,
        ints: values,
        ..AttributeProto::default()
    }
}

/// A `FLOAT` attribute.
pub fn float(name: &str, value: f32) -> AttributeProto {
    AttributeProto {
        name: name.to_string(),
        r#type: attribute_type::FLOAT,
        f: value,
        ..AttributeProto::default()
    }
}

/// A `FLOATS` attribute.
pub fn floats(name: &str, values: Vec<f32>) -> AttributeProto {
    AttributeProto {
        name: name.to_string(),
        r#type: attribute_type::FLOATS,
        floats: values,
        ..AttributeProto::default()
    }
}

/// A `STRING` attribute.
pub fn string(name: &str, value: &str) -> AttributeProto {
    AttributeProto {
        name: name.to_string(),
        r#type: attribute_type::STRING,
        s: value.as_bytes().to_vec(),
        ..AttributeProto::default()
    }
}

/// A `STRINGS` attribute.
pub fn strings(name: &str, values: &[&str]) -> AttributeProto {
    AttributeProto {
        name: name.to_string(),
        r#type: attribute_type::STRINGS,
        strings: values.iter().map(|v| v.as_bytes().to_vec()).collect(),
        ..AttributeProto::default()
    }
}
