//! Reading a buffer back, on native targets and in a browser alike.
//!
//! wgpu reports a mapped buffer through a callback. On native targets the
//! callback runs inside `Device::poll`, which blocks until the work is
//! done; in a browser the page's thread may never block, and the callback
//! runs from the event loop once the GPU is done. [`MapRead`] is a future
//! over that callback: native code polls the device first (the future is
//! then ready at once), web code awaits it.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use crate::error::{Error, Result};

type Mapped = std::result::Result<(), wgpu::BufferAsyncError>;

#[derive(Default)]
struct State {
    result: Option<Mapped>,
    waker: Option<Waker>,
}

/// A `map_async(Read)` in progress.
pub(crate) struct MapRead {
    state: Arc<Mutex<State>>,
}

impl MapRead {
    /// Starts mapping `slice` for reading.
    pub(crate) fn start(slice: wgpu::BufferSlice<'_>) -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        slice.map_async(wgpu::MapMode::Read, move |result| {
            let mut state = shared.lock().unwrap_or_else(|e| e.into_inner());
            state.result = Some(result);
            if let Some(waker) = state.waker.take() {
                waker.wake();
            }
        });
        MapRead { state }
    }

    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    fn take(&self) -> Option<Mapped> {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .result
            .take()
    }

    /// Waits until the buffer is mapped. Native: polls `device` until
    /// `submission` is done and the callback has run, calling `check`
    /// (the device's recorded faults) after each poll. Web: awaits the
    /// browser.
    pub(crate) async fn wait(
        &self,
        device: &wgpu::Device,
        submission: &wgpu::SubmissionIndex,
        label: &str,
        check: impl Fn() -> Result<()>,
    ) -> Result<()> {
        #[cfg(not(target_arch = "wasm32"))]
        let mapped = loop {
            device
                .poll(wgpu::PollType::Wait {
                    submission_index: Some(submission.clone()),
                    timeout: None,
                })
                .map_err(|e| Error::device(format!("{label}: {e}")))?;
            check()?;
            if let Some(mapped) = self.take() {
                break mapped;
            }
        };
        #[cfg(target_arch = "wasm32")]
        let mapped = {
            let _ = (device, submission);
            let mapped = Pending(self).await;
            check()?;
            mapped
        };
        mapped.map_err(|e| Error::device(format!("{label}: reading results back failed: {e}")))
    }
}

/// The future of a [`MapRead`]'s callback.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
struct Pending<'a>(&'a MapRead);

impl Future for Pending<'_> {
    type Output = Mapped;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Mapped> {
        let mut state = self.0.state.lock().unwrap_or_else(|e| e.into_inner());
        match state.result.take() {
            Some(result) => Poll::Ready(result),
            None => {
                state.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// Runs a GPU future to the end from blocking code. Native: the futures
/// here never wait on anything but [`MapRead::wait`] and error scopes,
/// which complete inside the device poll, so `pollster` finishes them at
/// once. In a browser nothing may block: the caller is told to use the
/// asynchronous call instead.
pub(crate) fn blocking<T>(label: &str, future: impl Future<Output = Result<T>>) -> Result<T> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = label;
        pollster::block_on(future)
    }
    #[cfg(target_arch = "wasm32")]
    {
        drop(future);
        Err(Error::device(format!(
            "{label}: a blocking GPU call in a browser; the web build uses the asynchronous calls"
        )))
    }
}
