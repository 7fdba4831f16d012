//! The threads that run password hashes: a fixed few, at low CPU priority.
//!
//! Fixed, because each argon2id call takes ~19 MiB, and glibc keeps a freed block in the arena
//! of the thread that used it: on tokio's blocking pool, which grows and replaces threads, a
//! login burst left the server at ~470 MB (bench/REPORT.md); here at most `size` arenas ever
//! hold one. Low priority (nice 10), because a hash can wait a few milliseconds but a signed-in
//! user's request should not wait behind one: the kernel runs the async workers first.

use std::thread;

use crate::password::HashError;

type Job = Box<dyn FnOnce() + Send>;

#[derive(Clone)]
pub struct HashPool {
    jobs: flume::Sender<Job>,
}

impl HashPool {
    pub fn new(size: usize) -> Self {
        let (jobs, queue) = flume::unbounded::<Job>();
        for i in 0..size.max(1) {
            let queue = queue.clone();
            thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || {
                    lower_priority();
                    // Ends when every sender (every clone of the pool) is gone.
                    while let Ok(job) = queue.recv() {
                        job();
                    }
                })
                .expect("spawn a hashing thread");
        }
        Self { jobs }
    }

    /// Runs `work` on a hashing thread; callers queue in order when all are busy.
    pub async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> Result<T, HashError> + Send + 'static) -> Result<T, HashError> {
        let (done, result) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                let _ = done.send(work());
            }))
            .map_err(|_| HashError::PoolClosed)?;
        // A job that panicked drops its sender: report it rather than hang.
        result.await.map_err(|_| HashError::PoolClosed)?
    }
}

#[cfg(target_os = "linux")]
fn lower_priority() {
    // On Linux, PRIO_PROCESS with id 0 sets the nice value of the calling thread only. Raising
    // one's own nice value needs no privilege; if it fails anyway, hashing just runs at normal
    // priority.
    // SAFETY: setpriority reads no memory of ours; it is a plain system call.
    let rc = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, 10) };
    if rc != 0 {
        tracing::warn!("could not lower the priority of a hashing thread");
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}
