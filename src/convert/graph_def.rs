//! The subset of TensorFlow's `GraphDef` protobuf that holds a frozen graph's constants.
//!
//! Field numbers from tensorflow/core/framework/{graph,node_def,attr_value,tensor,
//! tensor_shape,types}.proto; unknown fields are skipped by prost.

use std::collections::HashMap;

/// `tensorflow.GraphDef`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GraphDef {
    /// The graph's nodes.
    #[prost(message, repeated, tag = "1")]
    pub node: Vec<NodeDef>,
}

/// `tensorflow.NodeDef`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct NodeDef {
    /// Unique node name, e.g. `MobilenetV1/Conv2d_0/weights`.
    #[prost(string, tag = "1")]
    pub name: String,
    /// Operation, e.g. `Const`, `Conv2D`, `FusedBatchNorm`.
    #[prost(string, tag = "2")]
    pub op: String,
    /// Input node names.
    #[prost(string, repeated, tag = "3")]
    pub input: Vec<String>,
    /// Attributes (`value` of a `Const`, `epsilon` of a `FusedBatchNorm`, …).
    #[prost(map = "string, message", tag = "5")]
    pub attr: HashMap<String, AttrValue>,
}

/// `tensorflow.AttrValue` (only the variants a frozen MobileNet uses).
#[derive(Clone, PartialEq, prost::Message)]
pub struct AttrValue {
    /// A string attribute (`padding`).
    #[prost(bytes = "vec", optional, tag = "2")]
    pub s: Option<Vec<u8>>,
    /// A float attribute (`epsilon`).
    #[prost(float, optional, tag = "4")]
    pub f: Option<f32>,
    /// A tensor attribute (`value` of a `Const`).
    #[prost(message, optional, tag = "8")]
    pub tensor: Option<TensorProto>,
}

/// `tensorflow.TensorProto`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TensorProto {
    /// `tensorflow.DataType`; 1 = `DT_FLOAT`.
    #[prost(int32, tag = "1")]
    pub dtype: i32,
    /// The shape.
    #[prost(message, optional, tag = "2")]
    pub tensor_shape: Option<TensorShapeProto>,
    /// Raw little-endian element bytes (how frozen graphs store large constants).
    #[prost(bytes = "vec", tag = "4")]
    pub tensor_content: Vec<u8>,
    /// Elements as floats (small constants; a single value is broadcast).
    #[prost(float, repeated, tag = "5")]
    pub float_val: Vec<f32>,
}

/// `tensorflow.TensorShapeProto`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TensorShapeProto {
    /// Dimensions, outermost first.
    #[prost(message, repeated, tag = "2")]
    pub dim: Vec<Dim>,
}

/// `tensorflow.TensorShapeProto.Dim`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Dim {
    /// Size of the dimension.
    #[prost(int64, tag = "1")]
    pub size: i64,
}

/// `DT_FLOAT` in `tensorflow.DataType`.
pub const DT_FLOAT: i32 = 1;
