//! What a sweep runs on: a [`Rig`] hands out a searcher compiled for each
//! setting. On a GPU ([`GpuRig`]) the default's searcher stays open beside
//! the one being searched, so the two alternate without recompiling when
//! the sweep compares them. Tests put a CPU search paced to a known rate
//! per setting in its place, so the sweep's rules are checked with rates
//! that do not depend on the machine's load.

use super::plan::ShapeLimits;
use crate::error::Result;
use crate::gpu::{DeviceSummary, GpuAdapter, GpuSearcher};
use crate::kernel::KernelConfig;
use crate::search::Searcher;

/// A device the sweep can compile settings for.
pub trait Rig {
    /// The device for messages ("llvmpipe (LLVM 15.0.6, 256 bits) [vulkan]").
    fn label(&self) -> String;
    /// The device as reports and the tuning cache name it.
    fn summary(&self) -> DeviceSummary;
    /// The limits a kernel shape must fit.
    fn limits(&self) -> ShapeLimits;
    /// A searcher with `config` compiled, and whether this call compiled it
    /// (false when it was already).
    fn searcher(&mut self, config: KernelConfig) -> Result<(&mut dyn Searcher, bool)>;
}

/// A GPU adapter: one searcher for the untuned default, opened when first
/// asked for, and one recompiled for each other shape.
pub struct GpuRig<'a> {
    adapter: &'a GpuAdapter,
    default: Option<GpuSearcher>,
    other: Option<GpuSearcher>,
}

impl<'a> GpuRig<'a> {
    pub fn new(adapter: &'a GpuAdapter) -> Self {
        GpuRig {
            adapter,
            default: None,
            other: None,
        }
    }
}

impl Rig for GpuRig<'_> {
    fn label(&self) -> String {
        self.adapter.label()
    }

    fn summary(&self) -> DeviceSummary {
        self.adapter.summary()
    }

    fn limits(&self) -> ShapeLimits {
        ShapeLimits::of(&self.adapter.adapter.limits())
    }

    fn searcher(&mut self, config: KernelConfig) -> Result<(&mut dyn Searcher, bool)> {
        let slot = if config == KernelConfig::fast() {
            &mut self.default
        } else {
            &mut self.other
        };
        let compiled = match slot {
            Some(open) if open.config() == config => false,
            Some(open) => {
                open.reconfigure(config)?;
                true
            }
            None => {
                *slot = Some(GpuSearcher::open(self.adapter, config)?);
                true
            }
        };
        let searcher = slot.as_mut().expect("opened above");
        Ok((searcher as &mut dyn Searcher, compiled))
    }
}
