//! Compute pipelines built once per (shader file, entry point, override constants).
//!
//! A shader's module is compiled from its composed source (the shader and its prelude parts,
//! [`Shader::compose`]) once per file: the file still identifies the module and the pipelines.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use super::shaders::Shader;
use crate::{AtbError, Result};

/// The identity of a pipeline: constants are stored as f64 bit patterns so the key is `Eq`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct PipelineKey {
    file: &'static str,
    entry: &'static str,
    constants: Vec<(&'static str, u64)>,
}

/// A built pipeline and the bind group layout wgpu derived for it.
pub(crate) struct CachedPipeline {
    pub(crate) pipeline: wgpu::ComputePipeline,
    pub(crate) layout: wgpu::BindGroupLayout,
}

#[derive(Default)]
struct CacheState {
    modules: HashMap<&'static str, wgpu::ShaderModule>,
    pipelines: HashMap<PipelineKey, Arc<CachedPipeline>>,
    built: u64,
    hits: u64,
}

/// Builds each pipeline on first use and hands out the same one afterwards.
#[derive(Default)]
pub(crate) struct PipelineCache {
    state: Mutex<CacheState>,
}

impl PipelineCache {
    /// The pipeline for `shader`'s `entry` with these override constants.
    pub(crate) fn get(
        &self,
        device: &wgpu::Device,
        shader: Shader,
        entry: &'static str,
        constants: &[(&'static str, f64)],
    ) -> Result<Arc<CachedPipeline>> {
        let key = PipelineKey {
            file: shader.file,
            entry,
            constants: constants.iter().map(|(k, v)| (*k, v.to_bits())).collect(),
        };
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(found) = state.pipelines.get(&key) {
            let found = Arc::clone(found);
            state.hits += 1;
            return Ok(found);
        }
        let compile_error = |message: String| AtbError::ShaderCompile {
            file: shader.file.to_string(),
            entry: entry.to_string(),
            message,
        };
        let module = match state.modules.entry(shader.file) {
            std::collections::hash_map::Entry::Occupied(found) => found.into_mut(),
            std::collections::hash_map::Entry::Vacant(slot) => {
                let composed = shader.compose().map_err(&compile_error)?;
                let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
                let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
                    label: Some(shader.file),
                    source: wgpu::ShaderSource::Wgsl(composed.source.as_str().into()),
                });
                if let Some(err) = pollster::block_on(scope.pop()) {
                    return Err(compile_error(format!(
                        "{err} (composed source: {})",
                        composed.line_map()
                    )));
                }
                slot.insert(module)
            }
        };
        let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(entry),
            layout: None,
            module,
            entry_point: Some(entry),
            compilation_options: wgpu::PipelineCompilationOptions {
                constants,
                zero_initialize_workgroup_memory: false,
            },
            cache: None,
        });
        if let Some(err) = pollster::block_on(scope.pop()) {
            return Err(compile_error(err.to_string()));
        }
        let layout = pipeline.get_bind_group_layout(0);
        let built = Arc::new(CachedPipeline { pipeline, layout });
        state.pipelines.insert(key, Arc::clone(&built));
        state.built += 1;
        Ok(built)
    }

    /// (pipelines built, lookups served from the cache).
    pub(crate) fn counts(&self) -> (u64, u64) {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        (state.built, state.hits)
    }
}
