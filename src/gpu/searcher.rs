//! The GPU search loop: one compute dispatch per batch, two batches in
//! flight so the GPU works on the next while the host reads back and checks
//! the last, and no hit ever dropped: the kernel's hit counter keeps
//! counting past the buffer's room, and an overflowing batch is searched
//! again with a buffer large enough.

use std::collections::VecDeque;
use std::sync::{mpsc, Arc, Mutex};

use bytemuck::{Pod, Zeroable};

use super::adapters::{DeviceSummary, GpuAdapter};
use super::digest::DigestKernel;
use super::kernels::{compile, KernelConfig};
use crate::error::{Error, Result};
use crate::header::{BlockHash, BlockHeader};
use crate::precompute::Precomputed;
use crate::search::{Batch, BatchResult, Searcher};

/// Batches kept in flight: one running, one queued behind it.
const DEPTH: usize = 2;
/// Starting room for hits per batch; grows when a batch overflows it.
const INITIAL_HIT_CAPACITY: u32 = 1024;
/// The most nonces one dispatch takes (the kernel counts them in a u32).
pub const MAX_BATCH: u64 = 1 << 31;

/// The search kernels' uniform block; the layout matches `SearchParams` in
/// shaders/search_io.wgsl (vec4-aligned arrays, 144 bytes).
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
}

/// One set of buffers for a batch in flight. The readback buffer holds
/// the hit list and, after it, the pass's two GPU timestamps.
struct Slot {
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

/// One dispatch's hit list as the kernel left it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawHits {
    /// What the kernel's counter reached: the hits it found, stored or not.
    pub count: u32,
    /// The nonces stored, at most the buffer's room, in the kernel's order.
    pub nonces: Vec<u32>,
}

struct Readback {
    /// Hits the kernel counted, which may be more than it could store.
    count: u32,
    nonces: Vec<u32>,
    gpu_seconds: Option<f64>,
}

struct Pending {
    slot: usize,
    batch: Batch,
    submission: wgpu::SubmissionIndex,
    mapped: mpsc::Receiver<std::result::Result<(), wgpu::BufferAsyncError>>,
}

pub struct GpuSearcher {
    label: String,
    summary: DeviceSummary,
    config: KernelConfig,
    device: wgpu::Device,
    queue: wgpu::Queue,
    search_pipeline: wgpu::ComputePipeline,
    /// Compiled on first use: only `verify` and mismatch reports need it.
    digest: Option<DigestKernel>,
    slots: Vec<Slot>,
    free: Vec<usize>,
    pending: VecDeque<Pending>,
    /// The first uncaptured error or device loss, recorded by wgpu's callbacks.
    fault: Arc<Mutex<Option<String>>>,
    max_workgroups_per_dimension: u32,
    max_hit_capacity: u32,
    /// Nanoseconds per timestamp tick, where the adapter has timestamp queries.
    timestamp_period: Option<f64>,
}

impl GpuSearcher {
    /// Opens the adapter and compiles the kernels. Every failure (no device,
    /// a shader the driver rejects) is an error naming the adapter.
    pub fn open(adapter: &GpuAdapter, config: KernelConfig) -> Result<Self> {
        let label = adapter.label();
        let limits = adapter.adapter.limits();
        check_config(&config, &limits, &label)?;
        // GPU time comes from timestamp queries where the adapter has them.
        let timestamps = adapter
            .adapter
            .features()
            .contains(wgpu::Features::TIMESTAMP_QUERY);
        let (device, queue) =
            pollster::block_on(adapter.adapter.request_device(&wgpu::DeviceDescriptor {
                label: Some("hashwatt"),
                required_features: if timestamps {
                    wgpu::Features::TIMESTAMP_QUERY
                } else {
                    wgpu::Features::empty()
                },
                required_limits: limits.clone(),
                ..Default::default()
            }))
            .map_err(|e| Error::device(format!("cannot open {label}: {e}")))?;

        let fault = Arc::new(Mutex::new(None::<String>));
        let record = |fault: &Arc<Mutex<Option<String>>>, message: String| {
            let mut slot = fault.lock().unwrap_or_else(|e| e.into_inner());
            slot.get_or_insert(message);
        };
        {
            let fault = fault.clone();
            device.on_uncaptured_error(Arc::new(move |error: wgpu::Error| {
                record(&fault, error.to_string())
            }));
        }
        {
            let fault = fault.clone();
            device.set_device_lost_callback(move |reason, message| {
                if reason != wgpu::DeviceLostReason::Destroyed {
                    record(&fault, format!("device lost: {message}"));
                }
            });
        }

        let search_pipeline = compile(
            &device,
            &label,
            "search",
            config.compiled_module(),
            &config.overrides(),
        )?;

        let max_hit_capacity =
            ((limits.max_storage_buffer_binding_size / 4).saturating_sub(1)).min(MAX_BATCH) as u32;
        let mut searcher = GpuSearcher {
            label,
            summary: adapter.summary(),
            config,
            device,
            queue,
            search_pipeline,
            digest: None,
            slots: Vec::new(),
            free: Vec::new(),
            pending: VecDeque::new(),
            fault,
            max_workgroups_per_dimension: limits.max_compute_workgroups_per_dimension,
            max_hit_capacity,
            timestamp_period: None,
        };
        if timestamps {
            searcher.timestamp_period = Some(searcher.queue.get_timestamp_period() as f64);
        }
        searcher.reset_slots();
        searcher.check_fault()?;
        Ok(searcher)
    }

    /// Compiles another search kernel on the same device (for tuning);
    /// nothing to do when it is the one already compiled. Only between
    /// runs: nothing may be in flight.
    pub fn reconfigure(&mut self, config: KernelConfig) -> Result<()> {
        if config == self.config {
            return Ok(());
        }
        check_config(&config, &self.device.limits(), &self.label)?;
        assert!(
            self.pending.is_empty(),
            "reconfigure with batches in flight"
        );
        self.search_pipeline = compile(
            &self.device,
            &self.label,
            "search",
            config.compiled_module(),
            &config.overrides(),
        )?;
        self.config = config;
        // Bind groups belong to a pipeline's layout: make them anew.
        self.reset_slots();
        self.check_fault()
    }

    fn reset_slots(&mut self) {
        self.slots.clear();
        self.free.clear();
        for index in 0..DEPTH {
            let slot = self.new_slot(INITIAL_HIT_CAPACITY.min(self.max_hit_capacity));
            self.slots.push(slot);
            self.free.push(DEPTH - 1 - index);
        }
    }

    pub fn summary(&self) -> &DeviceSummary {
        &self.summary
    }

    pub fn config(&self) -> KernelConfig {
        self.config
    }

    /// Whether this device reports GPU time for each batch.
    pub fn has_gpu_timer(&self) -> bool {
        self.timestamp_period.is_some()
    }

    fn new_slot(&self, capacity: u32) -> Slot {
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

    fn check_fault(&self) -> Result<()> {
        match self
            .fault
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
        {
            Some(message) => Err(Error::device(format!("{}: {message}", self.label))),
            None => Ok(()),
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
        let x = groups.min(self.max_workgroups_per_dimension as u64);
        let y = groups.div_ceil(x);
        (x as u32, y as u32, (x * workgroup) as u32)
    }

    fn launch(&self, slot_index: usize, batch: &Batch) -> Pending {
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
        let (sender, mapped) = mpsc::channel();
        slot.readback
            .slice(..)
            .map_async(wgpu::MapMode::Read, move |result| {
                let _ = sender.send(result);
            });
        Pending {
            slot: slot_index,
            batch: batch.clone(),
            submission,
            mapped,
        }
    }

    /// Waits for a launched batch and reads back its hits and GPU time.
    fn collect(&self, pending: &Pending) -> Result<Readback> {
        loop {
            self.device
                .poll(wgpu::PollType::Wait {
                    submission_index: Some(pending.submission.clone()),
                    timeout: None,
                })
                .map_err(|e| Error::device(format!("{}: {e}", self.label)))?;
            self.check_fault()?;
            match pending.mapped.try_recv() {
                Ok(Ok(())) => break,
                Ok(Err(e)) => {
                    return Err(Error::device(format!(
                        "{}: reading hits back failed: {e}",
                        self.label
                    )))
                }
                Err(mpsc::TryRecvError::Empty) => continue,
                Err(mpsc::TryRecvError::Disconnected) => {
                    return Err(Error::device(format!(
                        "{}: the hit readback was dropped",
                        self.label
                    )))
                }
            }
        }
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
    fn finish(&mut self, pending: &Pending) -> Result<BatchResult> {
        let readback = self.collect(pending)?;
        let hits = if readback.count <= self.slots[pending.slot].capacity {
            readback.nonces
        } else {
            self.grow_or_split(pending.slot, &pending.batch, readback.count)?
        };
        Ok(BatchResult {
            batch: pending.batch.clone(),
            hits,
            device_seconds: readback.gpu_seconds,
        })
    }

    /// Runs one dispatch over `batch` with room for `capacity` hits and
    /// returns the hit list as the kernel left it: no regrowing, no second
    /// pass. The conformance suite reads the protocol with it. Only between
    /// runs: nothing may be in flight.
    pub fn dispatch_once(&mut self, batch: &Batch, capacity: u32) -> Result<RawHits> {
        if !self.pending.is_empty() {
            return Err(Error::device(format!(
                "{}: dispatch_once with batches in flight",
                self.label
            )));
        }
        let slot = self.new_slot(capacity.clamp(1, self.max_hit_capacity));
        self.slots.push(slot);
        let index = self.slots.len() - 1;
        let pending = self.launch(index, batch);
        let readback = self.collect(&pending);
        self.slots.pop();
        let readback = readback?;
        Ok(RawHits {
            count: readback.count,
            nonces: readback.nonces,
        })
    }

    /// Runs one batch to the end in `slot_index`, growing the hit buffer or
    /// splitting the batch until every hit fits.
    fn run_complete(&mut self, slot_index: usize, batch: &Batch) -> Result<Vec<u32>> {
        let pending = self.launch(slot_index, batch);
        let readback = self.collect(&pending)?;
        if readback.count <= self.slots[slot_index].capacity {
            return Ok(readback.nonces);
        }
        self.grow_or_split(slot_index, batch, readback.count)
    }

    fn grow_or_split(&mut self, slot_index: usize, batch: &Batch, count: u32) -> Result<Vec<u32>> {
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
            return self.run_complete(slot_index, batch);
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
        let mut hits = self.run_complete(slot_index, &low)?;
        hits.extend(self.run_complete(slot_index, &high)?);
        Ok(hits)
    }
}

/// Kernel settings this adapter cannot run are bad input (they come from
/// the tuning cache or the command line), not a shader that failed to
/// compile.
fn check_config(config: &KernelConfig, limits: &wgpu::Limits, label: &str) -> Result<()> {
    let max_workgroup = limits
        .max_compute_invocations_per_workgroup
        .min(limits.max_compute_workgroup_size_x);
    config
        .check(max_workgroup)
        .map_err(|why| Error::input(format!("{label}: kernel settings {config}: {why}")))
}

impl Searcher for GpuSearcher {
    fn name(&self) -> String {
        self.summary.name.clone()
    }

    fn depth(&self) -> usize {
        DEPTH
    }

    fn in_flight(&self) -> usize {
        self.pending.len()
    }

    fn submit(&mut self, batch: Batch) -> Result<()> {
        let slot = self.free.pop().ok_or_else(|| {
            Error::device(format!("{}: {DEPTH} batches already in flight", self.label))
        })?;
        let pending = self.launch(slot, &batch);
        self.pending.push_back(pending);
        self.check_fault()
    }

    fn wait_oldest(&mut self) -> Result<Option<BatchResult>> {
        let Some(pending) = self.pending.pop_front() else {
            return Ok(None);
        };
        let result = self.finish(&pending);
        // The slot is free again whatever happened, so a failed batch does
        // not leave the searcher unable to take the next.
        self.free.push(pending.slot);
        result.map(Some)
    }

    fn digests(&mut self, headers: &[BlockHeader]) -> Result<Vec<BlockHash>> {
        if self.digest.is_none() {
            self.digest = Some(DigestKernel::compile(&self.device, &self.label)?);
        }
        let digest = self.digest.as_ref().expect("compiled above");
        let hashes = digest.run(&self.device, &self.queue, &self.label, headers)?;
        self.check_fault()?;
        Ok(hashes)
    }
}
