//! One batch on the GPU: its buffers (a slot), the launch (parameters,
//! one compute pass, the copy to a readback buffer) and the collection of
//! its hits and GPU time, growing the hit buffer or splitting the batch
//! when the kernel counted more hits than it could store.

use std::future::Future;
use std::pin::Pin;

use bytemuck::{Pod, Zeroable};

use super::super::mapping::MapRead;
use super::{GpuSearcher, DEPTH, INITIAL_HIT_CAPACITY};
use crate::chain::precompute::Precomputed;
use crate::error::{Error, Result};
use crate::search::MAX_BATCH;
use crate::search::{Batch, BatchResult};

/// The search kernels' uniform block; the layout matches `SearchParams` in
/// shaders/search_interface.wgsl (vec4-aligned arrays, 224 bytes).
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct SearchParams {
    midstate: [u32; 8],
    tail: [u32; 4],
    target_limbs: [u32; 8],
    nonce_base: u32,
    nonce_count: u32,
    hit_capacity: u32,
    row_stride: u32,
    pre: Precomputed,
    /// The header's 20 message words (bytes 4i..4i+3 read big-endian);
    /// word 19, the nonce, is 0: each kernel puts its own nonce there.
    header_words: [u32; 20],
}

/// One set of buffers for a batch in flight. The readback buffer holds
/// the hit list and, after it, the pass's two GPU timestamps.
pub(super) struct Slot {
    params: wgpu::Buffer,
    hits: wgpu::Buffer,
    readback: wgpu::Buffer,
    bind_group: wgpu::BindGroup,
    capacity: u32,
    timestamps: Option<Timestamps>,
}

/// A begin/end timestamp pair around the compute pass.
struct Timestamps {
    queries: wgpu::QuerySet,
    resolve: wgpu::Buffer,
}

fn hit_bytes(capacity: u32) -> u64 {
    4 * (capacity as u64 + 1)
}

pub(super) struct Readback {
    /// Hits the kernel counted, which may be more than it could store.
    pub(super) count: u32,
    pub(super) nonces: Vec<u32>,
    gpu_seconds: Option<f64>,
}

pub(super) struct Pending {
    pub(super) slot: usize,
    batch: Batch,
    submission: wgpu::SubmissionIndex,
    mapped: MapRead,
}

impl GpuSearcher {
    pub(super) fn reset_slots(&mut self) {
        self.slots.clear();
        self.free.clear();
        for index in 0..DEPTH {
            let slot = self.new_slot(INITIAL_HIT_CAPACITY.min(self.max_hit_capacity));
            self.slots.push(slot);
            self.free.push(DEPTH - 1 - index);
        }
    }

    pub(super) fn new_slot(&self, capacity: u32) -> Slot {
        let hit_bytes = hit_bytes(capacity);
        let params = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("search params"),
            size: std::mem::size_of::<SearchParams>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let hits = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("hits"),
            size: hit_bytes,
            usage: wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::COPY_SRC
                | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let readback = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("hits readback"),
            size: hit_bytes + 16,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let bind_group = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("search bindings"),
            layout: &self.search_pipeline.get_bind_group_layout(0),
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: params.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: hits.as_entire_binding(),
                },
            ],
        });
        let timestamps = self.timestamp_period.map(|_| Timestamps {
            queries: self.device.create_query_set(&wgpu::QuerySetDescriptor {
                label: Some("search pass time"),
                ty: wgpu::QueryType::Timestamp,
                count: 2,
            }),
            resolve: self.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("timestamp resolve"),
                size: 16,
                usage: wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            }),
        });
        Slot {
            params,
            hits,
            readback,
            bind_group,
            capacity,
            timestamps,
        }
    }

    /// Dispatch grid for `count` nonces: (workgroups x, workgroups y,
    /// invocations per row). Rows keep x under the per-dimension limit.
    fn grid(&self, count: u64) -> (u32, u32, u32) {
        // Never 0: the settings were checked when compiled, and a division
        // by zero must not be the way to find out they were not.
        let per_invocation = self.config.nonces_per_invocation.max(1) as u64;
        let workgroup = self.config.workgroup_size.max(1) as u64;
        let invocations = count.div_ceil(per_invocation);
        let groups = invocations.div_ceil(workgroup).max(1);
        let x = groups.min(self.workgroups_per_row() as u64);
        let y = groups.div_ceil(x);
        (x as u32, y as u32, (x * workgroup) as u32)
    }

    pub(super) fn launch(&self, slot_index: usize, batch: &Batch) -> Pending {
        assert!(
            batch.count <= MAX_BATCH,
            "batch of {} nonces is over the dispatch limit",
            batch.count
        );
        let slot = &self.slots[slot_index];
        let (x, y, row_stride) = self.grid(batch.count);
        let tail = batch.header.tail_words();
        let midstate = batch.header.midstate();
        let params = SearchParams {
            midstate,
            tail: [tail[0], tail[1], tail[2], 0],
            target_limbs: batch.target.limbs(),
            nonce_base: batch.start,
            nonce_count: batch.count as u32,
            hit_capacity: slot.capacity,
            row_stride,
            pre: Precomputed::new(&midstate, &tail),
            header_words: header_words(&batch.header),
        };
        self.queue
            .write_buffer(&slot.params, 0, bytemuck::bytes_of(&params));
        let mut encoder = self
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("search"),
            });
        encoder.clear_buffer(&slot.hits, 0, Some(4));
        {
            let timestamp_writes =
                slot.timestamps
                    .as_ref()
                    .map(|t| wgpu::ComputePassTimestampWrites {
                        query_set: &t.queries,
                        beginning_of_pass_write_index: Some(0),
                        end_of_pass_write_index: Some(1),
                    });
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("search"),
                timestamp_writes,
            });
            pass.set_pipeline(&self.search_pipeline);
            pass.set_bind_group(0, &slot.bind_group, &[]);
            pass.dispatch_workgroups(x, y, 1);
        }
        let hit_bytes = hit_bytes(slot.capacity);
        encoder.copy_buffer_to_buffer(&slot.hits, 0, &slot.readback, 0, hit_bytes);
        if let Some(t) = &slot.timestamps {
            encoder.resolve_query_set(&t.queries, 0..2, &t.resolve, 0);
            encoder.copy_buffer_to_buffer(&t.resolve, 0, &slot.readback, hit_bytes, 16);
        }
        let submission = self.queue.submit([encoder.finish()]);
        let mapped = MapRead::start(slot.readback.slice(..));
        Pending {
            slot: slot_index,
            batch: batch.clone(),
            submission,
            mapped,
        }
    }

    /// Waits for a launched batch and reads back its hits and GPU time.
    pub(super) async fn collect(&self, pending: &Pending) -> Result<Readback> {
        pending
            .mapped
            .wait(&self.device, &pending.submission, &self.label, || {
                self.check_fault()
            })
            .await?;
        let slot = &self.slots[pending.slot];
        let readback = {
            let view = slot.readback.slice(..).get_mapped_range();
            let view = view.map_err(|e| Error::device(format!("{}: {e}", self.label)))?;
            let words: &[u32] = bytemuck::cast_slice(&view);
            let count = words[0];
            let stored = count.min(slot.capacity) as usize;
            let ticks = |word: usize| words[word] as u64 | (words[word + 1] as u64) << 32;
            let time_word = (hit_bytes(slot.capacity) / 4) as usize;
            let gpu_seconds = self.timestamp_period.map(|period| {
                ticks(time_word + 2).saturating_sub(ticks(time_word)) as f64 * period * 1e-9
            });
            Readback {
                count,
                nonces: words[1..1 + stored].to_vec(),
                gpu_seconds,
            }
        };
        slot.readback.unmap();
        Ok(readback)
    }

    /// Reads back a launched batch, searching it again if it overflowed.
    pub(super) async fn finish(&mut self, pending: &Pending) -> Result<BatchResult> {
        let readback = self.collect(pending).await?;
        let hits = if readback.count <= self.slots[pending.slot].capacity {
            readback.nonces
        } else {
            self.grow_or_split(pending.slot, &pending.batch, readback.count)
                .await?
        };
        Ok(BatchResult {
            batch: pending.batch.clone(),
            hits,
            device_seconds: readback.gpu_seconds,
        })
    }

    /// Runs one batch to the end in `slot_index`, growing the hit buffer or
    /// splitting the batch until every hit fits.
    async fn run_complete(&mut self, slot_index: usize, batch: &Batch) -> Result<Vec<u32>> {
        let pending = self.launch(slot_index, batch);
        let readback = self.collect(&pending).await?;
        if readback.count <= self.slots[slot_index].capacity {
            return Ok(readback.nonces);
        }
        self.grow_or_split(slot_index, batch, readback.count).await
    }

    /// Boxed: it and [`run_complete`](Self::run_complete) call each other.
    fn grow_or_split<'a>(
        &'a mut self,
        slot_index: usize,
        batch: &'a Batch,
        count: u32,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<u32>>> + 'a>> {
        Box::pin(self.grow_or_split_inner(slot_index, batch, count))
    }

    async fn grow_or_split_inner(
        &mut self,
        slot_index: usize,
        batch: &Batch,
        count: u32,
    ) -> Result<Vec<u32>> {
        // Only a broken kernel counts more hits than nonces; searching again
        // would not help.
        if count as u64 > batch.count {
            return Err(Error::check_failed(format!(
                "{}: the kernel counted {count} hits in a batch of {} nonces ({}..{})",
                self.label,
                batch.count,
                batch.start,
                batch.start as u64 + batch.count
            )));
        }
        if count <= self.max_hit_capacity {
            let capacity = count
                .checked_next_power_of_two()
                .unwrap_or(u32::MAX)
                .min(self.max_hit_capacity);
            self.slots[slot_index] = self.new_slot(capacity);
            return self.run_complete(slot_index, batch).await;
        }
        // More hits than one buffer can hold: search the halves separately.
        let half = batch.count / 2;
        let low = Batch::new(batch.header, batch.start, half, batch.target);
        let high = Batch::new(
            batch.header,
            batch.start + half as u32,
            batch.count - half,
            batch.target,
        );
        let mut hits = self.run_complete(slot_index, &low).await?;
        hits.extend(self.run_complete(slot_index, &high).await?);
        Ok(hits)
    }
}

/// The header as SHA-256 message words, the nonce word left 0.
fn header_words(header: &crate::chain::header::BlockHeader) -> [u32; 20] {
    let mut words = [0u32; 20];
    for (word, bytes) in words
        .iter_mut()
        .zip(header.as_bytes().chunks_exact(4))
        .take(19)
    {
        *word = u32::from_be_bytes(bytes.try_into().expect("4 bytes"));
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_uniform_block_is_the_size_the_loader_allows() {
        assert_eq!(
            std::mem::size_of::<SearchParams>() as u32,
            crate::kernel::PARAMS_BYTES
        );
        let header = crate::chain::catalog::latest_embedded().header;
        let words = header_words(&header);
        assert_eq!(words[19], 0);
        assert_eq!(words[16..19], header.tail_words());
    }
}
