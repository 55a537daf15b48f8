//! `GraphBuilder`: nodes appended in topological order, weights as named initializers, fresh
//! value names, and the finished [`ModelProto`] with its input, output and operator sets.

use std::collections::HashSet;

use super::proto::{
    AttributeProto, Dimension, DimensionValue, GraphProto, ModelProto, NodeProto,
    OperatorSetIdProto, StringStringEntryProto, TensorProto, TensorShapeProto, TensorTypeProto,
    TypeProto, ValueInfoProto, data_type,
};
use crate::{AtbError, Result};

/// ONNX IR version of the files (the one that goes with opset 17).
pub const IR_VERSION: i64 = 8;
/// Version of the default `ai.onnx` operator set.
pub const OPSET: i64 = 17;
/// Domain of the ONNX-ML operators.
pub const ML_DOMAIN: &str = "ai.onnx.ml";
/// Version of the `ai.onnx.ml` operator set (`TreeEnsembleRegressor`).
pub const ML_OPSET: i64 = 3;

/// One graph input or output: a float tensor with a symbolic batch axis first.
#[derive(Debug, Clone)]
pub struct TensorSignature {
    /// Value name, e.g. `window`.
    pub name: String,
    /// Sizes after the batch axis.
    pub dims: Vec<usize>,
    /// What it holds (written as the value's doc string).
    pub doc: String,
}

impl TensorSignature {
    fn value_info(&self) -> ValueInfoProto {
        let mut dim = vec![Dimension {
            value: Some(DimensionValue::DimParam("batch".to_string())),
        }];
        dim.extend(self.dims.iter().map(|&d| Dimension {
            value: Some(DimensionValue::DimValue(d as i64)),
        }));
        ValueInfoProto {
            name: self.name.clone(),
            r#type: Some(TypeProto {
                tensor_type: Some(TensorTypeProto {
                    elem_type: data_type::FLOAT,
                    shape: Some(TensorShapeProto { dim }),
                }),
            }),
            doc_string: self.doc.clone(),
        }
    }
}

/// Builds one graph.
#[derive(Debug, Default)]
pub struct GraphBuilder {
    nodes: Vec<NodeProto>,
    initializers: Vec<TensorProto>,
    names: HashSet<String>,
}

impl GraphBuilder {
    /// An empty graph.
    pub fn new() -> GraphBuilder {
        GraphBuilder::default()
    }

    /// `name`, or `name_2`, `name_3`, … when it is taken.
    fn fresh(&mut self, name: &str) -> String {
        let mut candidate = name.to_string();
        let mut n = 1;
        while self.names.contains(&candidate) {
            n += 1;
            candidate = format!("{name}_{n}");
        }
        self.names.insert(candidate.clone());
        candidate
    }

    /// Reserves a graph input's name.
    pub fn input(&mut self, name: &str) -> String {
        self.fresh(name)
    }

    /// A float constant of `shape`; returns its name.
    pub fn floats(&mut self, name: &str, shape: &[usize], values: &[f32]) -> Result<String> {
        if shape.iter().product::<usize>() != values.len() {
            return Err(AtbError::Export(format!(
                "constant '{name}' of shape {shape:?} given {} values",
                values.len()
            )));
        }
        let name = self.fresh(name);
        self.initializers.push(TensorProto {
            dims: shape.iter().map(|&d| d as i64).collect(),
            data_type: data_type::FLOAT,
            name: name.clone(),
            raw_data: values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        });
        Ok(name)
    }

    /// An int64 constant: a vector, or a scalar when `scalar` (e.g. a `Gather` index).
    fn int64s(&mut self, name: &str, values: &[i64], scalar: bool) -> String {
        let name = self.fresh(name);
        self.initializers.push(TensorProto {
            dims: if scalar {
                vec![]
            } else {
                vec![values.len() as i64]
            },
            data_type: data_type::INT64,
            name: name.clone(),
            raw_data: values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        });
        name
    }

    /// A 1-D int64 constant (shapes, axes, slice bounds).
    pub fn int64_vector(&mut self, name: &str, values: &[i64]) -> String {
        self.int64s(name, values, false)
    }

    /// A scalar int64 constant.
    pub fn int64_scalar(&mut self, name: &str, value: i64) -> String {
        self.int64s(name, &[value], true)
    }

    /// Appends a node of the default domain with one output named after `name`; returns the
    /// output's name.
    pub fn node(
        &mut self,
        op: &str,
        name: &str,
        inputs: &[&str],
        attributes: Vec<AttributeProto>,
    ) -> String {
        self.node_in("", op, name, inputs, attributes)
    }

    /// Appends a node of operator set `domain` with one output; returns the output's name.
    pub fn node_in(
        &mut self,
        domain: &str,
        op: &str,
        name: &str,
        inputs: &[&str],
        attributes: Vec<AttributeProto>,
    ) -> String {
        let output = self.fresh(name);
        self.nodes.push(NodeProto {
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: vec![output.clone()],
            name: output.clone(),
            op_type: op.to_string(),
            domain: domain.to_string(),
            attribute: attributes,
        });
        output
    }

    /// The model: `input` feeds the graph, the value `result` becomes the output `output`.
    pub fn finish(
        mut self,
        input: &TensorSignature,
        result: &str,
        output: &TensorSignature,
        header: ModelHeader,
    ) -> Result<ModelProto> {
        let producer = self
            .nodes
            .iter_mut()
            .find(|n| n.output.iter().any(|o| o == result))
            .ok_or_else(|| AtbError::Export(format!("no node produces '{result}'")))?;
        for o in producer.output.iter_mut().filter(|o| *o == result) {
            o.clone_from(&output.name);
        }
        for node in &mut self.nodes {
            for i in node.input.iter_mut().filter(|i| *i == result) {
                i.clone_from(&output.name);
            }
        }
        let mut opset_import = vec![OperatorSetIdProto {
            domain: String::new(),
            version: OPSET,
        }];
        if self.nodes.iter().any(|n| n.domain == ML_DOMAIN) {
            opset_import.push(OperatorSetIdProto {
                domain: ML_DOMAIN.to_string(),
                version: ML_OPSET,
            });
        }
        Ok(ModelProto {
            ir_version: IR_VERSION,
            opset_import,
            producer_name: "atb-gpu".to_string(),
            producer_version: env!("CARGO_PKG_VERSION").to_string(),
            domain: String::new(),
            model_version: header.model_version,
            doc_string: header.doc.clone(),
            graph: Some(GraphProto {
                node: self.nodes,
                name: header.graph_name,
                initializer: self.initializers,
                doc_string: header.doc,
                input: vec![input.value_info()],
                output: vec![output.value_info()],
            }),
            metadata_props: header
                .metadata
                .into_iter()
                .map(|(key, value)| StringStringEntryProto { key, value })
                .collect(),
        })
    }
}

/// What a model says about itself: graph name, version, description and metadata.
#[derive(Debug, Clone, Default)]
pub struct ModelHeader {
    /// Graph name, e.g. `BTCUSDT_cnn_lstm`.
    pub graph_name: String,
    /// The registry version number.
    pub model_version: i64,
    /// One paragraph on inputs and outputs.
    pub doc: String,
    /// Key/value metadata.
    pub metadata: Vec<(String, String)>,
}
