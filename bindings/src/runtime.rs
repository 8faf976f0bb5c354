//! Where async exports run, and how they stop.
//!
//! Every async export spawns its core future onto the one [`RUNTIME`] (reqwest needs its reactor)
//! and awaits the task from whatever executor polls the export: Kotlin coroutines, Swift tasks and
//! asyncio all work without `async_runtime = "tokio"` on each export. The task is aborted, which
//! drops the core future at its next await, when the export's future is dropped (Kotlin and
//! Python drop it when the coroutine or asyncio task is cancelled) or its [`CancelHandle`] is
//! cancelled (Swift cannot drop it: its layer cancels a handle when the `Task` is cancelled).
//! The core is safe to stop at any await: each step commits in one transaction.

use std::future::Future;
use std::sync::{Arc, LazyLock, Mutex};

use tokio::task::AbortHandle;

use crate::Result;

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("smarthd-core")
        .enable_all()
        .build()
        .expect("the smarthd tokio runtime starts")
});

/// Stops a long call (any async method) from elsewhere than the code that awaits it: give it
/// as the call's `cancel`, then `cancel()` makes the call end with `SmartHdError.Cancelled`, the
/// work stopped at its next step. Cancelling the coroutine or asyncio task that awaits the call
/// does the same without a handle; Swift's layer passes one for you. Once cancelled it stays
/// cancelled: a handle serves one call (or several to stop together).
#[derive(Debug, Default, uniffi::Object)]
pub struct CancelHandle {
    state: Mutex<CancelState>,
}

#[derive(Debug, Default)]
struct CancelState {
    cancelled: bool,
    calls: Vec<AbortHandle>,
}

#[uniffi::export]
impl CancelHandle {
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    pub fn cancel(&self) {
        let mut state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        state.cancelled = true;
        state.calls.drain(..).for_each(|call| call.abort());
    }

    pub fn is_cancelled(&self) -> bool {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).cancelled
    }
}

impl CancelHandle {
    /// Aborts `call` when the handle is cancelled (at once if it already is).
    fn watch(&self, call: AbortHandle) {
        let mut state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if state.cancelled {
            call.abort();
        } else {
            state.calls.retain(|c| !c.is_finished());
            state.calls.push(call);
        }
    }
}

/// Aborts the task when the export's future is dropped before it finishes.
struct AbortOnDrop(AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort(); // a no-op once the task has finished
    }
}

/// Runs a core future on [`RUNTIME`]; it stops when this future is dropped or `cancel` fires.
pub(crate) async fn on_runtime<T, F>(cancel: Option<Arc<CancelHandle>>, work: F) -> Result<T>
where
    T: Send + 'static,
    F: Future<Output = smarthd_core::Result<T>> + Send + 'static,
{
    if cancel.as_ref().is_some_and(|handle| handle.is_cancelled()) {
        return Err(smarthd_core::Error::Cancelled.into()); // before it starts, not racing it
    }
    let task = RUNTIME.spawn(work);
    let _stop_when_dropped = AbortOnDrop(task.abort_handle());
    if let Some(handle) = cancel {
        handle.watch(task.abort_handle());
    }
    Ok(task.await??)
}
