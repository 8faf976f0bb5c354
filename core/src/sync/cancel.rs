//! Cancelling a long operation from the app.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Lets an app stop a long operation; UniFFI cannot cancel a future, so the app holds this.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}
