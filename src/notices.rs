//! How the library talks to the admin: the [`Reporter`] the command line (or a test)
//! implements, and, for layers that have none (trust, repos opened on worker threads), a
//! process-wide queue that the operations layer drains into its reporter. Only
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

/// Progress and warnings, implemented by the CLI (stderr, hidden with `-q`) and by tests.
pub trait Reporter: Sync {
    fn warn(&self, msg: &str);
    fn info(&self, msg: &str);
    /// A long step starts (`total` bytes or items); the CLI shows a bar on a terminal.
    fn progress_start(&self, _label: &str, _total: u64) {}
    /// `n` more bytes or items of the step are done.
    fn progress_inc(&self, _n: u64) {}
    /// The step is over.
    fn progress_finish(&self) {}
}

/// A reporter that keeps nothing (for library users that do not want talk).
pub struct Silent;

impl Reporter for Silent {
    fn warn(&self, _: &str) {}
    fn info(&self, _: &str) {}
}

/// Say what was queued to `reporter`, in order.
pub fn report_to(reporter: &dyn Reporter) {
    for n in drain() {
        match n {
            Notice::Warn(m) => reporter.warn(&m),
            Notice::Info(m) => reporter.info(&m),
        }
    }
}
