//! Offline validator for the crate's WGSL compute kernels.
//!
//! Every `*.wgsl` file in the shader directory (default: `<crate>/shaders`) is
//! composed with the prelude parts it lists (`// prelude: grid, reduce`, read
//! from `prelude/<part>.wgsl` of that directory, appended by the crate's own
//! composer, `atb_gpu::device::compose`, so this is the source that runs),
//! parsed with naga's WGSL front end, validated, has its pipeline-overridable
//! constants (`override`) resolved, and is then translated to every backend
//! wgpu can use: SPIR-V (Vulkan), MSL (Metal), HLSL (DX12, shader model 6.0)
//! and GLSL ES 3.10 (GL/GLES, one file per entry point). The translations are
//! written to the output directory (default: `<crate>/target/shader-targets`)
//! so they can be inspected or fed to platform compilers (`spirv-val`, `dxc`,
//! `xcrun metal`, `glslangValidator`).
//!
//! This catches shader errors that would otherwise only show up at pipeline
//! creation time on one particular platform, without needing a GPU.
//!
//! Usage: `cargo run --release --example validate_shaders [-- --out DIR] [SHADER_DIR]`
//!
//! Per-shader directives, given as comment lines anywhere in the shader:
//!
//! * `// validate: NAME=VALUE [NAME=VALUE ...]` sets the value of an
//!   `override` constant (by name, or by its `@id`). VALUE is a number or
//!   `true`/`false`. Overrides without a default and without a directive get 0.
//! * `// validate: skip-glsl` (or `skip-spv`, `skip-msl`, `skip-hlsl`) skips
//!   one target, e.g. GLSL for shaders using `f16`, which GLSL cannot express.
//!
//! Errors point at lines of the composed source; a line past the shader's own
//! text is also named in its prelude file (`note: composed line N is FILE:M`).
//!
//! Exit status: 0 if every shader passed, 1 if any shader failed or no shader
//! was found, 2 for command-line usage errors.

use std::{
    cell::RefCell,
    error::Error as StdError,
    fmt::Write as _,
    fs,
    panic::{self, AssertUnwindSafe},
    path::{Path, PathBuf},
    process::ExitCode,
};

use atb_gpu::device::{Composed, compose};
use clap::Parser;
use naga::{
    AddressSpace, ImageClass, Module, ResourceBinding, ShaderStage, StorageAccess, TypeInner,
    back::{self, glsl, hlsl, msl, spv},
    front::wgsl,
    valid::{Capabilities, ModuleInfo, ValidationFlags, Validator},
};

/// Capabilities the kernels may rely on. Anything outside this set (e.g.
/// `f64`) is rejected, as wgpu would reject it on most adapters.
const CAPABILITIES: Capabilities = Capabilities::SHADER_FLOAT16
    .union(Capabilities::SUBGROUP)
    .union(Capabilities::SUBGROUP_BARRIER)
    .union(Capabilities::IMMEDIATES);

/// Prefix of the per-shader directive comment lines.
const DIRECTIVE: &str = "// validate:";

/// Validate WGSL shaders and translate them to SPIR-V, MSL, HLSL and GLSL.
#[derive(Parser, Debug)]
#[command(name = "validate_shaders")]
struct Args {
    /// Directory receiving the translated shaders
    /// [default: <crate>/target/shader-targets]
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,

    /// Directory containing the `*.wgsl` files [default: <crate>/shaders]
    shader_dir: Option<PathBuf>,
}

/// Why one shader failed: the pipeline stage and a human-readable message.
#[derive(Debug)]
struct Failure {
    stage: &'static str,
    message: String,
}

impl Failure {
    fn new(stage: &'static str, message: impl Into<String>) -> Self {
        Self {
            stage,
            message: message.into(),
        }
    }
}

/// Backends that can be skipped through a `skip-TARGET` directive.
#[derive(Debug, Default, Clone, Copy)]
struct Skips {
    spv: bool,
    msl: bool,
    hlsl: bool,
    glsl: bool,
}

/// Everything parsed from the `// validate:` comment lines of one shader.
#[derive(Debug, Default)]
struct Directives {
    /// Override name (or `@id`) and value, in source order.
    constants: Vec<(String, f64)>,
    skips: Skips,
}

/// What gets printed on the `ok` line.
#[derive(Debug)]
struct Summary {
    entry_points: Vec<String>,
    spv_words: Option<usize>,
    msl_bytes: Option<usize>,
    hlsl_bytes: Option<usize>,
    glsl_files: Option<usize>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shader_dir = args
        .shader_dir
        .unwrap_or_else(|| manifest_dir.join("shaders"));
    let out_dir = args
        .out
        .unwrap_or_else(|| manifest_dir.join("target").join("shader-targets"));

    install_panic_hook();

    match run(&shader_dir, &out_dir) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Validates every shader in `shader_dir`. Returns whether all of them passed;
/// `Err` only for problems not tied to one shader.
fn run(shader_dir: &Path, out_dir: &Path) -> Result<bool, String> {
    let shaders = find_shaders(shader_dir)?;
    if shaders.is_empty() {
        return Err(format!("no .wgsl files found in {}", shader_dir.display()));
    }
    fs::create_dir_all(out_dir)
        .map_err(|e| format!("cannot create output directory {}: {e}", out_dir.display()))?;

    let mut failed = 0usize;
    for path in &shaders {
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        match process_shader(shader_dir, path, &file_name, out_dir) {
            Ok(summary) => println!("ok   {file_name}  ({})", summary.describe()),
            Err(failure) => {
                failed += 1;
                let message = failure.message.trim_end();
                eprintln!("FAIL {file_name} [{}]: {message}", failure.stage);
            }
        }
    }

    let total = shaders.len();
    if failed == 0 {
        println!(
            "{total} shader(s) validated; outputs in {}",
            out_dir.display()
        );
        Ok(true)
    } else {
        eprintln!("{failed} of {total} shader(s) failed");
        Ok(false)
    }
}

/// Lists the `*.wgsl` files of `dir`, sorted by file name.
fn find_shaders(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = fs::read_dir(dir)
        .map_err(|e| format!("cannot read shader directory {}: {e}", dir.display()))?;
    let mut shaders = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        let path = entry.path();
        if path.is_file() && path.extension().is_some_and(|ext| ext == "wgsl") {
            shaders.push(path);
        }
    }
    shaders.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    Ok(shaders)
}

/// Runs one shader through the whole pipeline and writes its translations.
fn process_shader(
    shader_dir: &Path,
    path: &Path,
    file_name: &str,
    out_dir: &Path,
) -> Result<Summary, Failure> {
    let own_source = fs::read_to_string(path).map_err(|e| Failure::new("read", e.to_string()))?;
    let stem = file_name.strip_suffix(".wgsl").unwrap_or(file_name);
    let directives = parse_directives(&own_source).map_err(|m| Failure::new("directives", m))?;
    let composed = compose(file_name, &own_source, |name| {
        fs::read_to_string(shader_dir.join("prelude").join(format!("{name}.wgsl"))).ok()
    })
    .map_err(|m| Failure::new("prelude", m))?;
    let source = composed.source.as_str();

    let module = guarded("parse", || {
        wgsl::parse_str(source).map_err(|e| {
            let note = prelude_note(&composed, e.location(source));
            e.emit_to_string_with_path(source, file_name) + &note
        })
    })?;

    let info = guarded("validate", || {
        Validator::new(ValidationFlags::all(), CAPABILITIES)
            .validate(&module)
            .map_err(|e| {
                let note = prelude_note(&composed, e.location(source));
                e.emit_to_string_with_path(source, file_name) + &note
            })
    })?;

    let (constants, zeroed) = pipeline_constants(&module, &directives.constants)
        .map_err(|m| Failure::new("overrides", m))?;
    let (module, info) = guarded("overrides", || {
        back::pipeline_constants::process_overrides(&module, &info, None, &constants)
            .map(|(m, i)| (m.into_owned(), i.into_owned()))
            .map_err(|e| {
                let mut message = match e {
                    back::pipeline_constants::PipelineConstantError::ValidationError(ref inner) => {
                        let note = prelude_note(&composed, inner.location(source));
                        inner.emit_to_string_with_path(source, file_name) + &note
                    }
                    other => error_chain(&other),
                };
                if !zeroed.is_empty() {
                    let _ = write!(
                        message,
                        "\n  note: overrides without a default were set to 0: {}; \
                         give values with `{DIRECTIVE} NAME=VALUE`",
                        zeroed.join(", ")
                    );
                }
                message
            })
    })?;

    let skips = directives.skips;
    let mut summary = Summary {
        entry_points: module
            .entry_points
            .iter()
            .map(|ep| ep.name.clone())
            .collect(),
        spv_words: None,
        msl_bytes: None,
        hlsl_bytes: None,
        glsl_files: None,
    };

    if !skips.spv {
        let words = guarded("spv", || to_spirv(&module, &info))?;
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        write_output(&out_dir.join(format!("{stem}.spv")), &bytes)?;
        summary.spv_words = Some(words.len());
    }
    if !skips.msl {
        let text = guarded("msl", || to_msl(&module, &info))?;
        write_output(&out_dir.join(format!("{stem}.metal")), text.as_bytes())?;
        summary.msl_bytes = Some(text.len());
    }
    if !skips.hlsl {
        let text = guarded("hlsl", || to_hlsl(&module, &info))?;
        write_output(&out_dir.join(format!("{stem}.hlsl")), text.as_bytes())?;
        summary.hlsl_bytes = Some(text.len());
    }
    if !skips.glsl {
        let files = guarded("glsl", || to_glsl(&module, &info))?;
        for (suffix, text) in &files {
            write_output(&out_dir.join(format!("{stem}.{suffix}")), text.as_bytes())?;
        }
        summary.glsl_files = Some(files.len());
    }
    Ok(summary)
}

/// Where an error's line lies when it is past the shader's own text: in which
/// prelude file, at which line. Empty for lines of the shader itself.
fn prelude_note(composed: &Composed, location: Option<naga::SourceLocation>) -> String {
    let Some(line) = location.map(|l| l.line_number as usize) else {
        return String::new();
    };
    match composed.locate(line) {
        Some((file, local)) if line != local => {
            format!("\n  note: composed line {line} is {file}:{local}")
        }
        _ => String::new(),
    }
}

impl Summary {
    fn describe(&self) -> String {
        let entry_points = if self.entry_points.is_empty() {
            "none".to_owned()
        } else {
            self.entry_points.join(", ")
        };
        let count = |n: Option<usize>, unit: &str| match n {
            Some(n) => format!("{n} {unit}"),
            None => "skipped".to_owned(),
        };
        format!(
            "entry points: {entry_points}; spv {}, msl {}, hlsl {}, glsl {}",
            count(self.spv_words, "words"),
            count(self.msl_bytes, "bytes"),
            count(self.hlsl_bytes, "bytes"),
            count(self.glsl_files, "files"),
        )
    }
}

/// Parses the `// validate:` comment lines of a shader.
fn parse_directives(source: &str) -> Result<Directives, String> {
    let mut directives = Directives::default();
    for (line_no, line) in source.lines().enumerate() {
        let Some(rest) = line.trim_start().strip_prefix(DIRECTIVE) else {
            continue;
        };
        let tokens = rest
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|t| !t.is_empty());
        for token in tokens {
            let here = || format!("line {}: `{}`", line_no + 1, line.trim());
            match token {
                "skip-spv" => directives.skips.spv = true,
                "skip-msl" => directives.skips.msl = true,
                "skip-hlsl" => directives.skips.hlsl = true,
                "skip-glsl" => directives.skips.glsl = true,
                _ => {
                    let Some((name, value)) = token.split_once('=') else {
                        return Err(format!(
                            "{}: expected NAME=VALUE or skip-TARGET, found `{token}`",
                            here()
                        ));
                    };
                    let value = match value {
                        "true" => 1.0,
                        "false" => 0.0,
                        _ => value.parse::<f64>().map_err(|e| {
                            format!("{}: bad value `{value}` for `{name}`: {e}", here())
                        })?,
                    };
                    if name.is_empty() {
                        return Err(format!("{}: missing override name", here()));
                    }
                    directives.constants.push((name.to_owned(), value));
                }
            }
        }
    }
    Ok(directives)
}

/// Builds the pipeline constants for `module`: directive values where given,
/// 0 for overrides that have no default, nothing for the others. Also returns
/// the names of the overrides that were defaulted to 0.
///
/// naga keys an override by its `@id` when it has one, by its name otherwise;
/// directives may use either.
fn pipeline_constants(
    module: &Module,
    directives: &[(String, f64)],
) -> Result<(back::PipelineConstants, Vec<String>), String> {
    let mut constants = back::PipelineConstants::default();
    let mut zeroed = Vec::new();
    let mut used = vec![false; directives.len()];
    for (_, o) in module.overrides.iter() {
        let id = o.id.map(|id| id.to_string());
        let key = match (&id, &o.name) {
            (Some(id), _) => id.clone(),
            (None, Some(name)) => name.clone(),
            (None, None) => continue,
        };
        let given = directives
            .iter()
            .enumerate()
            .rev()
            .find(|(_, (name, _))| Some(name) == o.name.as_ref() || Some(name) == id.as_ref());
        if let Some((index, (_, value))) = given {
            used[index] = true;
            constants.insert(key, *value);
        } else if o.init.is_none() {
            zeroed.push(o.name.clone().unwrap_or_else(|| key.clone()));
            constants.insert(key, 0.0);
        }
    }
    let unknown: Vec<&str> = directives
        .iter()
        .zip(&used)
        .filter(|(_, used)| !**used)
        .map(|((name, _), _)| name.as_str())
        .collect();
    if !unknown.is_empty() {
        let known: Vec<String> = module
            .overrides
            .iter()
            .filter_map(|(_, o)| o.name.clone())
            .collect();
        return Err(format!(
            "`{DIRECTIVE}` names unknown override(s): {} (overrides in this shader: {})",
            unknown.join(", "),
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        ));
    }
    Ok((constants, zeroed))
}

fn to_spirv(module: &Module, info: &ModuleInfo) -> Result<Vec<u32>, String> {
    let options = spv::Options {
        // 1.3 is the first version with the GroupNonUniform (subgroup) ops.
        lang_version: (1, 3),
        // Keep names in the output regardless of the build profile.
        flags: spv::Options::default().flags | spv::WriterFlags::DEBUG,
        ..spv::Options::default()
    };
    spv::write_vec(module, info, &options, None).map_err(|e| error_chain(&e))
}

fn to_msl(module: &Module, info: &ModuleInfo) -> Result<String, String> {
    let options = msl::Options {
        lang_version: (2, 4),
        per_entry_point_map: msl_resource_map(module, info)?,
        // Missing bindings are an error rather than silently invalid MSL.
        fake_missing_bindings: false,
        ..msl::Options::default()
    };
    let (text, translation) =
        msl::write_string(module, info, &options, &msl::PipelineOptions::default())
            .map_err(|e| error_chain(&e))?;
    check_entry_points(module, &translation.entry_point_names)?;
    Ok(text)
}

fn to_hlsl(module: &Module, info: &ModuleInfo) -> Result<String, String> {
    // Register space 0..=N are used by bind groups (fake bindings map group N
    // to space N); put the host-provided constant buffers out of their way.
    let reserved = |register| hlsl::BindTarget {
        space: u8::MAX,
        register,
        ..hlsl::BindTarget::default()
    };
    let options = hlsl::Options {
        shader_model: hlsl::ShaderModel::V6_0,
        // Without these naga panics (immediates) or references an undeclared
        // buffer (`num_workgroups`).
        immediates_target: Some(reserved(0)),
        special_constants_binding: Some(reserved(1)),
        ..hlsl::Options::default()
    };
    let pipeline_options = hlsl::PipelineOptions::default();
    let mut text = String::new();
    let mut writer = hlsl::Writer::new(&mut text, &options, &pipeline_options);
    let reflection = writer
        .write(module, info, None)
        .map_err(|e| error_chain(&e))?;
    check_entry_points(module, &reflection.entry_point_names)?;
    Ok(text)
}

/// One GLSL file per entry point: (`ENTRY.STAGE.glsl`, source).
fn to_glsl(module: &Module, info: &ModuleInfo) -> Result<Vec<(String, String)>, String> {
    let options = glsl::Options {
        version: glsl::Version::new_gles(310),
        binding_map: glsl_binding_map(module)?,
        ..glsl::Options::default()
    };
    let mut files = Vec::new();
    for ep in &module.entry_points {
        let suffix = match ep.stage {
            ShaderStage::Compute => "comp",
            ShaderStage::Vertex => "vert",
            ShaderStage::Fragment => "frag",
            other => {
                return Err(format!(
                    "entry point `{}`: {other:?} not supported",
                    ep.name
                ));
            }
        };
        let pipeline_options = glsl::PipelineOptions {
            shader_stage: ep.stage,
            entry_point: ep.name.clone(),
            multiview: None,
        };
        let mut text = String::new();
        let mut writer = glsl::Writer::new(
            &mut text,
            module,
            info,
            &options,
            &pipeline_options,
            naga::proc::BoundsCheckPolicies::default(),
        )
        .map_err(|e| format!("entry point `{}`: {}", ep.name, error_chain(&e)))?;
        writer
            .write()
            .map_err(|e| format!("entry point `{}`: {}", ep.name, error_chain(&e)))?;
        files.push((format!("{}.{suffix}.glsl", ep.name), text));
    }
    Ok(files)
}

/// The MSL and HLSL writers report per-entry-point failures in their
/// reflection info instead of failing the whole translation.
fn check_entry_points<E: StdError>(
    module: &Module,
    names: &[Result<String, E>],
) -> Result<(), String> {
    let errors: Vec<String> = module
        .entry_points
        .iter()
        .zip(names)
        .filter_map(|(ep, name)| {
            name.as_ref()
                .err()
                .map(|e| format!("entry point `{}`: {}", ep.name, error_chain(e)))
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

/// Globals with a resource binding, sorted by (group, binding).
fn bound_globals(module: &Module) -> Vec<(ResourceBinding, &naga::GlobalVariable)> {
    let mut globals: Vec<_> = module
        .global_variables
        .iter()
        .filter_map(|(_, var)| var.binding.map(|binding| (binding, var)))
        .collect();
    globals.sort_by_key(|(binding, _)| *binding);
    globals
}

/// The resource type behind a global, looking through binding arrays.
fn resource_type(module: &Module, var: &naga::GlobalVariable) -> TypeInner {
    match module.types[var.ty].inner {
        TypeInner::BindingArray { base, .. } => module.types[base].inner.clone(),
        ref inner => inner.clone(),
    }
}

/// Metal argument slots per entry point, assigned the way wgpu does it:
/// buffers, textures and samplers are numbered separately, in (group, binding)
/// order, followed by the immediates buffer and the buffer-sizes buffer.
fn msl_resource_map(
    module: &Module,
    info: &ModuleInfo,
) -> Result<msl::EntryPointResourceMap, String> {
    let slot = |n: usize| {
        msl::Slot::try_from(n).map_err(|_| "more than 255 Metal resource slots".to_owned())
    };
    let mut map = msl::EntryPointResourceMap::new();
    for (index, ep) in module.entry_points.iter().enumerate() {
        let ep_info = info.get_entry_point(index);
        let (mut buffers, mut textures, mut samplers) = (0usize, 0usize, 0usize);
        let mut resources = msl::EntryPointResources::default();
        let mut uses_immediates = false;
        for (handle, var) in module.global_variables.iter() {
            if var.space == AddressSpace::Immediate && !ep_info[handle].is_empty() {
                uses_immediates = true;
            }
        }
        for (binding, var) in bound_globals(module) {
            let mut target = msl::BindTarget::default();
            match var.space {
                AddressSpace::Uniform => {
                    target.buffer = Some(slot(buffers)?);
                    buffers += 1;
                }
                AddressSpace::Storage { access } => {
                    target.buffer = Some(slot(buffers)?);
                    target.mutable = access.contains(StorageAccess::STORE);
                    buffers += 1;
                }
                _ => match resource_type(module, var) {
                    TypeInner::Image {
                        class: ImageClass::External,
                        ..
                    } => {
                        target.external_texture = Some(msl::BindExternalTextureTarget {
                            planes: [slot(textures)?, slot(textures + 1)?, slot(textures + 2)?],
                            params: slot(buffers)?,
                        });
                        textures += 3;
                        buffers += 1;
                    }
                    TypeInner::Image { class, .. } => {
                        target.texture = Some(slot(textures)?);
                        if let ImageClass::Storage { access, .. } = class {
                            target.mutable = access.contains(StorageAccess::STORE);
                        }
                        textures += 1;
                    }
                    TypeInner::Sampler { .. } => {
                        target.sampler = Some(msl::BindSamplerTarget::Resource(slot(samplers)?));
                        samplers += 1;
                    }
                    _ => {
                        target.buffer = Some(slot(buffers)?);
                        buffers += 1;
                    }
                },
            }
            resources.resources.insert(binding, target);
        }
        if uses_immediates {
            resources.immediates_buffer = Some(slot(buffers)?);
            buffers += 1;
        }
        resources.sizes_buffer = Some(slot(buffers)?);
        map.insert(ep.name.clone(), resources);
    }
    Ok(map)
}

/// GL binding points: uniform buffers, storage buffers, textures and images
/// each have their own namespace, numbered in (group, binding) order.
/// Samplers have no binding of their own in GLSL.
fn glsl_binding_map(module: &Module) -> Result<glsl::BindingMap, String> {
    let mut counters = [0usize; 4];
    let mut map = glsl::BindingMap::new();
    for (binding, var) in bound_globals(module) {
        let class = match var.space {
            AddressSpace::Uniform => 0,
            AddressSpace::Storage { .. } => 1,
            _ => match resource_type(module, var) {
                TypeInner::Image {
                    class: ImageClass::Storage { .. },
                    ..
                } => 3,
                TypeInner::Image { .. } => 2,
                _ => continue,
            },
        };
        let index = u8::try_from(counters[class])
            .map_err(|_| "more than 255 GL binding points of one kind".to_owned())?;
        counters[class] += 1;
        map.insert(binding, index);
    }
    Ok(map)
}

fn write_output(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    fs::write(path, bytes)
        .map_err(|e| Failure::new("write", format!("cannot write {}: {e}", path.display())))
}

/// An error's message followed by those of its sources.
fn error_chain(error: &dyn StdError) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let _ = write!(message, ": {cause}");
        source = cause.source();
    }
    message
}

thread_local! {
    /// Message of the last panic on this thread, recorded by the panic hook.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Records panic messages (naga's backends still panic on some unsupported
/// input) instead of printing them, so they can be reported as failures.
fn install_panic_hook() {
    panic::set_hook(Box::new(|info| {
        LAST_PANIC.with(|last| *last.borrow_mut() = Some(info.to_string()));
    }));
}

/// Runs one pipeline stage, turning both errors and panics into a `Failure`.
fn guarded<T>(stage: &'static str, f: impl FnOnce() -> Result<T, String>) -> Result<T, Failure> {
    match panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result.map_err(|message| Failure::new(stage, message)),
        Err(_) => {
            let message = LAST_PANIC
                .with(|last| last.borrow_mut().take())
                .unwrap_or_else(|| "unknown panic".to_owned());
            Err(Failure::new(stage, format!("naga panicked: {message}")))
        }
    }
}
