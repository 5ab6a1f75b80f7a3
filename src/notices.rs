//! Things said to the admin from layers that have no `Reporter` (trust, repos opened on worker
//! threads): a process-wide queue that the operations layer drains into its reporter. Only
//! messages go here, never data a decision depends on.

use std::sync::Mutex;

static QUEUE: Mutex<Vec<Notice>> = Mutex::new(Vec::new());

/// One message and how loud it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Shown unless `-q`.
    Warn(String),
    /// Shown with `-v`.
    Info(String),
}

/// Queue a warning.
pub fn warn(msg: impl Into<String>) {
    QUEUE
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(Notice::Warn(msg.into()));
}

/// Queue a warning unless the same one was queued before in this process.
pub fn warn_once(msg: impl Into<String>) {
    static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let msg = msg.into();
    let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
    if !seen.contains(&msg) {
        seen.push(msg.clone());
        warn(msg);
    }
}

/// Queue an information message.
pub fn info(msg: impl Into<String>) {
    QUEUE
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(Notice::Info(msg.into()));
}

/// Everything queued so far, oldest first; the queue is left empty.
pub fn drain() -> Vec<Notice> {
    std::mem::take(&mut *QUEUE.lock().unwrap_or_else(|e| e.into_inner()))
}
