//! A kernel of words in, words out, compiled and run once: binding 0 a
//! read-only storage buffer of `u32`, binding 1 a read-write one, one
//! invocation per case. `verify --digest` runs the digest kernel written
//! around a user's hash function with it (`hash_fn.rs`).

use wgpu::util::DeviceExt;

use super::mapping::{blocking, MapRead};
use super::pipeline::compile_async;
use super::searcher::GpuSearcher;
use crate::error::{Error, Result};

/// One run: the module, its entry point and workgroup size, the input
/// words, and how many invocations and output words.
pub struct WordsJob<'a> {
    pub module: &'a str,
    pub entry_point: &'a str,
    pub workgroup: u32,
    pub input: &'a [u32],
    pub invocations: u32,
    pub output_words: usize,
}

impl GpuSearcher {
    /// Compiles and runs a words-in, words-out kernel on this searcher's
    /// device (between searches: nothing may be in flight) and returns the
    /// output buffer. A kernel the driver rejects is a device error.
    pub fn run_words(&mut self, job: &WordsJob) -> Result<Vec<u32>> {
        let label = self.summary().name.clone();
        let (device, queue) = self.device_and_queue();
        let words = blocking(&label, run(device, queue, &label, job))?;
        self.fault_check()?;
        Ok(words)
    }
}

async fn run(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    label: &str,
    job: &WordsJob<'_>,
) -> Result<Vec<u32>> {
    if job.invocations == 0 || job.output_words == 0 {
        return Ok(vec![0; job.output_words]);
    }
    let pipeline = compile_async(device, label, job.entry_point, job.module, &[]).await?;
    // A storage buffer may not be empty.
    let input: Vec<u32> = if job.input.is_empty() {
        vec![0]
    } else {
        job.input.to_vec()
    };
    let input = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some("words in"),
        contents: bytemuck::cast_slice(&input),
        usage: wgpu::BufferUsages::STORAGE,
    });
    let out_bytes = (job.output_words * 4) as u64;
    let output = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("words out"),
        size: out_bytes,
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
        mapped_at_creation: false,
    });
    let readback = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("words readback"),
        size: out_bytes,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some("words bindings"),
        layout: &pipeline.get_bind_group_layout(0),
        entries: &[
            wgpu::BindGroupEntry {
                binding: 0,
                resource: input.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 1,
                resource: output.as_entire_binding(),
            },
        ],
    });
    let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
        label: Some(job.entry_point),
    });
    {
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some(job.entry_point),
            timestamp_writes: None,
        });
        pass.set_pipeline(&pipeline);
        pass.set_bind_group(0, &bind_group, &[]);
        pass.dispatch_workgroups(job.invocations.div_ceil(job.workgroup.max(1)), 1, 1);
    }
    encoder.copy_buffer_to_buffer(&output, 0, &readback, 0, out_bytes);
    let submission = queue.submit([encoder.finish()]);
    let mapped = MapRead::start(readback.slice(..));
    mapped.wait(device, &submission, label, || Ok(())).await?;
    let view = readback
        .slice(..)
        .get_mapped_range()
        .map_err(|e| Error::device(format!("{label}: {e}")))?;
    let words = bytemuck::cast_slice::<u8, u32>(&view).to_vec();
    drop(view);
    readback.unmap();
    Ok(words)
}
