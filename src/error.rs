//! The crate's one error type.

use thiserror::Error;

/// Everything that can go wrong in the core, with enough context to act on.
#[derive(Debug, Error)]
pub enum Error {
    /// The weights file could not be parsed as safetensors.
    #[error("weights are not a valid safetensors file: {0}")]
    WeightsFormat(String),
    /// A tensor the model needs is absent from the weights.
    #[error("weights are missing tensor `{0}`")]
    MissingTensor(String),
    /// The weights hold a tensor the model does not have.
    #[error("weights hold unexpected tensor `{0}`")]
    UnexpectedTensor(String),
    /// A tensor has the wrong shape or type.
    #[error("tensor `{name}`: {reason}")]
    BadTensor {
        /// The tensor's path.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A TensorFlow graph could not be converted.
    #[error("cannot convert graph: {0}")]
    Graph(String),
    /// Pixel input does not have the expected size.
    #[error("expected {expected} bytes of {what}, got {actual}")]
    PixelSize {
        /// Which buffer.
        what: &'static str,
        /// Expected byte count.
        expected: usize,
        /// Actual byte count.
        actual: usize,
    },
    /// An image file could not be decoded.
    #[error("cannot decode image: {0}")]
    Image(String),
    /// The backend failed while executing or reading back a tensor.
    #[error("backend error: {0}")]
    Backend(String),
    /// A project bundle is malformed, unsafe or from an unsupported version.
    #[error("bad project bundle: {0}")]
    Bundle(String),
    /// A behaviour (text, picture, sound) that cannot be used.
    #[error("{0}")]
    Behaviour(String),
    /// A standalone web app that cannot be written.
    #[error("cannot write the web app: {0}")]
    App(String),
    /// An argument is out of its valid range.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// A sample id that the project does not hold.
    #[error("sample {0} does not exist")]
    MissingSample(u64),
    /// The project is not in a state that allows this now (no trained model yet, nothing to
    /// train, a run already over, another call still running).
    #[error("{0}")]
    State(String),
}

/// Shorthand for results in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
