//! The GPU search loop: one compute dispatch per batch, two batches in
//! flight so the GPU works on the next while the host reads back and checks
//! the last, and no hit ever dropped: the kernel's hit counter keeps
//! counting past the buffer's room, and an overflowing batch is searched
//! again with a buffer large enough.
//!
//! [`dispatch`] launches a batch and collects it; collecting is `async`, so
//! the same code runs blocking on native targets (through
//! [`blocking`]) and awaited in a browser ([`AsyncSearcher`]).

mod dispatch;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use super::adapters::{DeviceSummary, GpuAdapter};
use super::digest::DigestKernel;
use super::mapping::blocking;
use super::pipeline::compile_async;
use crate::chain::header::{BlockHash, BlockHeader};
use crate::error::{Error, Result};
use crate::kernel::KernelConfig;
use crate::search::MAX_BATCH;
use crate::search::{AsyncSearcher, Batch, BatchResult, Searcher};
use dispatch::{Pending, Slot};

/// Batches kept in flight: one running, one queued behind it.
const DEPTH: usize = 2;
/// Starting room for hits per batch (64 KiB); grows when a batch
/// overflows it. The bench's default share difficulty plans 1,024 to 2,048
/// shares for a whole run, and a run is at least one batch, so a batch at
/// that difficulty never comes near it; a harder `--share-bits` only
/// lowers the count, an easier one grows the buffer (the kernel keeps
/// counting past the room, and the batch is searched again).
const INITIAL_HIT_CAPACITY: u32 = 1 << 14;

/// One dispatch's hit list as the kernel left it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawHits {
    /// What the kernel's counter reached: the hits it found, stored or not.
    pub count: u32,
    /// The nonces stored, at most the buffer's room, in the kernel's order.
    pub nonces: Vec<u32>,
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
    /// Workgroups per row of the dispatch grid when forced below the
    /// device's limit (the conformance suite's grid check).
    row_limit: Option<u32>,
    max_hit_capacity: u32,
    /// Nanoseconds per timestamp tick, where the adapter has timestamp queries.
    timestamp_period: Option<f64>,
}

impl GpuSearcher {
    /// Opens the adapter and compiles the kernels. Every failure (no device,
    /// a shader the driver rejects) is an error naming the adapter.
    pub fn open(adapter: &GpuAdapter, config: KernelConfig) -> Result<Self> {
        blocking(&adapter.label(), Self::open_async(adapter, config))
    }

    /// [`open`](Self::open), awaited (in a browser).
    pub async fn open_async(adapter: &GpuAdapter, config: KernelConfig) -> Result<Self> {
        let label = adapter.label();
        let limits = adapter.adapter.limits();
        check_config(&config, &limits, &label)?;
        // GPU time comes from timestamp queries where the adapter has them.
        let timestamps = adapter
            .adapter
            .features()
            .contains(wgpu::Features::TIMESTAMP_QUERY);
        let (device, queue) = adapter
            .adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("hashwatt"),
                required_features: if timestamps {
                    wgpu::Features::TIMESTAMP_QUERY
                } else {
                    wgpu::Features::empty()
                },
                required_limits: limits.clone(),
                ..Default::default()
            })
            .await
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

        let search_pipeline = compile_async(
            &device,
            &label,
            config.entry_point(),
            config.compiled_module(),
            &config.overrides(),
        )
        .await?;

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
            row_limit: None,
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
        self.search_pipeline = blocking(
            &self.label,
            compile_async(
                &self.device,
                &self.label,
                config.entry_point(),
                config.compiled_module(),
                &config.overrides(),
            ),
        )?;
        self.config = config;
        // Bind groups belong to a pipeline's layout: make them anew.
        self.reset_slots();
        self.check_fault()
    }

    pub fn summary(&self) -> &DeviceSummary {
        &self.summary
    }

    /// The device and queue, for another kernel on the same device
    /// (`words_kernel.rs`); only between runs.
    pub(super) fn device_and_queue(&self) -> (&wgpu::Device, &wgpu::Queue) {
        assert!(
            self.pending.is_empty(),
            "another kernel with batches in flight"
        );
        (&self.device, &self.queue)
    }

    /// The device's recorded fault, if any, as an error.
    pub(super) fn fault_check(&self) -> Result<()> {
        self.check_fault()
    }

    pub fn config(&self) -> KernelConfig {
        self.config
    }

    /// Dispatches in rows of at most `workgroups` workgroups from now on
    /// (`None`: the device's limit), so that a small range spans rows of
    /// the 2-D grid. Returns the invocations per row of the largest
    /// dispatch that fits in one row.
    pub fn set_row_limit(&mut self, workgroups: Option<u32>) -> u32 {
        self.row_limit = workgroups.map(|w| w.max(1));
        self.workgroups_per_row() * self.config.workgroup_size
    }

    /// The most workgroups one row of the grid holds.
    pub(super) fn workgroups_per_row(&self) -> u32 {
        match self.row_limit {
            Some(limit) => limit.min(self.max_workgroups_per_dimension),
            None => self.max_workgroups_per_dimension,
        }
    }

    /// Whether this device reports GPU time for each batch.
    pub fn has_gpu_timer(&self) -> bool {
        self.timestamp_period.is_some()
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
        let readback = blocking(&self.label, self.collect(&pending));
        self.slots.pop();
        let readback = readback?;
        Ok(RawHits {
            count: readback.count,
            nonces: readback.nonces,
        })
    }

    /// The oldest batch in flight, awaited; its slot is free again whatever
    /// happened, so a failed batch does not leave the searcher unable to
    /// take the next.
    async fn collect_oldest(&mut self) -> Result<Option<BatchResult>> {
        let Some(pending) = self.pending.pop_front() else {
            return Ok(None);
        };
        let result = self.finish(&pending).await;
        self.free.push(pending.slot);
        result.map(Some)
    }

    /// Full double-SHA-256 digests of whole headers on the device, awaited.
    pub async fn digests_async(&mut self, headers: &[BlockHeader]) -> Result<Vec<BlockHash>> {
        if self.digest.is_none() {
            self.digest = Some(DigestKernel::compile(&self.device, &self.label).await?);
        }
        let digest = self.digest.as_ref().expect("compiled above");
        let hashes = digest
            .run(&self.device, &self.queue, &self.label, headers)
            .await?;
        self.check_fault()?;
        Ok(hashes)
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
        let label = self.label.clone();
        blocking(&label, self.collect_oldest())
    }

    fn digests(&mut self, headers: &[BlockHeader]) -> Result<Vec<BlockHash>> {
        let label = self.label.clone();
        blocking(&label, self.digests_async(headers))
    }
}

impl AsyncSearcher for GpuSearcher {
    async fn wait_oldest_async(&mut self) -> Result<Option<BatchResult>> {
        self.collect_oldest().await
    }
}
