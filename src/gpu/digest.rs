//! The whole-header digest kernel: sha256d of each header, computed on the
//! device, for `verify` and for the device's side of a mismatch report.
//! hashwatt's own kernel (shaders/digest.wgsl), not part of the search
//! interface.

use wgpu::util::DeviceExt;

use super::mapping::MapRead;
use super::pipeline::compile_async;
use crate::chain::header::{BlockHash, BlockHeader};
use crate::error::{Error, Result};

const SHA256_INCLUDE: &str = include_str!("../../shaders/sha256.wgsl");
const DIGEST_KERNEL: &str = include_str!("../../shaders/digest.wgsl");
/// Invocations per workgroup in shaders/digest.wgsl.
const WORKGROUP: usize = 64;
/// Headers per dispatch: the most workgroups one dimension takes.
const PER_DISPATCH: usize = 65535 * WORKGROUP;

pub(crate) struct DigestKernel {
    pipeline: wgpu::ComputePipeline,
}

impl DigestKernel {
    pub(crate) async fn compile(device: &wgpu::Device, label: &str) -> Result<Self> {
        let source = format!("{DIGEST_KERNEL}\n{SHA256_INCLUDE}");
        Ok(DigestKernel {
            pipeline: compile_async(device, label, "digest", &source, &[]).await?,
        })
    }

    /// The block hash of every header, in order.
    pub(crate) async fn run(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        label: &str,
        headers: &[BlockHeader],
    ) -> Result<Vec<BlockHash>> {
        let mut out = Vec::with_capacity(headers.len());
        for chunk in headers.chunks(PER_DISPATCH) {
            out.extend(self.run_chunk(device, queue, label, chunk).await?);
        }
        Ok(out)
    }

    async fn run_chunk(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        label: &str,
        headers: &[BlockHeader],
    ) -> Result<Vec<BlockHash>> {
        if headers.is_empty() {
            return Ok(Vec::new());
        }
        // SHA-256 message words are big-endian readings of the bytes.
        let words: Vec<u32> = headers
            .iter()
            .flat_map(|h| {
                h.as_bytes()
                    .chunks_exact(4)
                    .map(|c| u32::from_be_bytes(c.try_into().expect("4 bytes")))
            })
            .collect();
        let input = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("headers"),
            contents: bytemuck::cast_slice(&words),
            usage: wgpu::BufferUsages::STORAGE,
        });
        let out_bytes = (headers.len() * 32) as u64;
        let output = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("digests"),
            size: out_bytes,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        let readback = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("digests readback"),
            size: out_bytes,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("digest bindings"),
            layout: &self.pipeline.get_bind_group_layout(0),
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
            label: Some("digest"),
        });
        {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("digest"),
                timestamp_writes: None,
            });
            pass.set_pipeline(&self.pipeline);
            pass.set_bind_group(0, &bind_group, &[]);
            pass.dispatch_workgroups(headers.len().div_ceil(WORKGROUP) as u32, 1, 1);
        }
        encoder.copy_buffer_to_buffer(&output, 0, &readback, 0, out_bytes);
        let submission = queue.submit([encoder.finish()]);
        let mapped = MapRead::start(readback.slice(..));
        mapped.wait(device, &submission, label, || Ok(())).await?;
        let view = readback
            .slice(..)
            .get_mapped_range()
            .map_err(|e| Error::device(format!("{label}: {e}")))?;
        let words: &[u32] = bytemuck::cast_slice(&view);
        let hashes = words
            .chunks_exact(8)
            .map(|state| crate::cpu::state_to_hash(state.try_into().expect("8 words")))
            .collect();
        drop(view);
        readback.unmap();
        Ok(hashes)
    }
}
