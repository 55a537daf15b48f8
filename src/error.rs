//! The one error type of the library: every failure a user can reach is a value, never a panic;
//! and [`warn`], for what the library worked around and the user should know.

use std::path::PathBuf;

/// Everything that can go wrong in atb-gpu, with enough context to act on it.
#[derive(Debug, thiserror::Error)]
pub enum AtbError {
    /// No adapter matched the request (no driver installed, or only software adapters).
    #[error("no GPU adapter: {0}")]
    NoAdapter(String),
    /// The adapter refused to create a device with the requested limits or features.
    #[error("could not open the GPU device on {adapter}: {message}")]
    RequestDevice {
        /// Adapter name.
        adapter: String,
        /// wgpu's explanation.
        message: String,
    },
    /// A buffer would exceed what the adapter can bind or allocate.
    #[error(
        "buffer '{label}' needs {bytes} bytes but the adapter allows at most {limit} bytes ({limit_name}); use a smaller batch or shape"
    )]
    BufferTooLarge {
        /// What the buffer was for.
        label: String,
        /// Requested size in bytes.
        bytes: u64,
        /// The limit it exceeds.
        limit: u64,
        /// Name of that wgpu limit.
        limit_name: &'static str,
    },
    /// A kernel grid would exceed `max_compute_workgroups_per_dimension`.
    #[error(
        "kernel '{kernel}' needs {groups} workgroups along one axis, the adapter allows {limit}"
    )]
    DispatchTooLarge {
        /// Kernel label.
        kernel: &'static str,
        /// Workgroups requested on the largest axis.
        groups: u64,
        /// The adapter's limit.
        limit: u32,
    },
    /// A kernel's workgroup tile needs more workgroup memory than the adapter offers.
    #[error(
        "kernel '{kernel}' needs {bytes} bytes of workgroup memory, the adapter allows {limit} (max_compute_workgroup_storage_size); {hint}"
    )]
    WorkgroupMemory {
        /// Kernel label.
        kernel: &'static str,
        /// Workgroup memory the smallest tile needs.
        bytes: u64,
        /// The adapter's limit.
        limit: u32,
        /// What to do instead.
        hint: &'static str,
    },
    /// The GPU device was lost (driver reset, GPU removed, out of memory in the driver).
    #[error("the GPU device was lost: {0}")]
    DeviceLost(String),
    /// A WGSL shader failed to compile or its pipeline failed to build.
    #[error("shader {file} (entry point '{entry}') failed to compile: {message}")]
    ShaderCompile {
        /// Shader file, relative to the crate root (e.g. `shaders/matmul.wgsl`).
        file: String,
        /// Entry point.
        entry: String,
        /// Compiler diagnostic.
        message: String,
    },
    /// wgpu reported an error for work already submitted.
    #[error("GPU error: {0}")]
    Gpu(String),
    /// A feature the adapter does not offer was required.
    #[error("the adapter does not support {0}")]
    Unsupported(&'static str),
    /// Operand shapes do not fit the operation.
    #[error("{op}: {detail}")]
    Shape {
        /// Operation name.
        op: &'static str,
        /// What was expected and what was given.
        detail: String,
    },
    /// A scalar argument is out of its valid range (a rate, epsilon, learning rate, norm).
    #[error("{op}: {detail}")]
    InvalidArgument {
        /// Operation name.
        op: &'static str,
        /// Which argument, its valid range and the value given.
        detail: String,
    },
    /// Operands live on different devices.
    #[error("{op}: operands live on different devices ({detail})")]
    DeviceMismatch {
        /// Operation name.
        op: &'static str,
        /// Which devices were involved.
        detail: String,
    },
    /// A model or training configuration is invalid (unknown type, bad override...).
    #[error("{0}")]
    Config(String),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Bad input data (a CSV file, the embedded data set, or a request that does not fit it).
    #[error("{}", describe_data_error(file, *line, column.as_deref(), message))]
    Data {
        /// The file (or `<embedded …>`) the data came from.
        file: String,
        /// 1-based line in that file, when one line is at fault.
        line: Option<usize>,
        /// The column at fault, when there is one.
        column: Option<String>,
        /// What is wrong and, where it helps, what was found.
        message: String,
    },
    /// A setting is out of its valid range (split fractions, sequence length, …).
    #[error("invalid {name}: {message}")]
    InvalidSetting {
        /// The setting.
        name: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// Input data or parameters are invalid (a value out of range, a length mismatch...).
    #[error("{context}: {detail}")]
    InvalidInput {
        /// Where: the argument, field, row or column.
        context: String,
        /// What is wrong and what was expected.
        detail: String,
    },
    /// A loss, forecast, metric or weight that must be a finite number is NaN or infinite.
    #[error("not a finite number: {0}")]
    NonFinite(String),
    /// Forecasts could not be scored (empty, mismatched lengths, non-finite values).
    #[error("evaluation: {0}")]
    Evaluation(String),
    /// The model registry refused a request (bad symbol or version, nothing stored).
    #[error("model registry: {0}")]
    Registry(String),
    /// A model could not be exported to ONNX, or its export disagrees with our predictions.
    #[error("ONNX export: {0}")]
    Export(String),
    /// A plot could not be drawn or written.
    #[error("plot {path}: {message}")]
    Plot {
        /// The PNG being written.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

/// Tells the user, on stderr, about something the library noticed and worked around (a
/// duplicate column, a setting the data cannot serve): one line, `warning: …`.
pub fn warn(message: &str) {
    eprintln!("warning: {message}");
}

/// Result with [`AtbError`].
pub type Result<T> = std::result::Result<T, AtbError>;

/// `file:line: column 'c': message`, leaving out the parts that are unknown.
fn describe_data_error(
    file: &str,
    line: Option<usize>,
    column: Option<&str>,
    message: &str,
) -> String {
    let mut text = file.to_string();
    if let Some(line) = line {
        text.push_str(&format!(":{line}"));
    }
    if let Some(column) = column {
        text.push_str(&format!(": column '{column}'"));
    }
    text.push_str(&format!(": {message}"));
    text
}
