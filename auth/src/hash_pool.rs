//! The threads that run password hashes: a fixed few, at low CPU priority.
//!
//! Fixed, because each argon2id call takes ~19 MiB, and glibc keeps a freed block in the arena
//! of the thread that used it: on tokio's blocking pool, which grows and replaces threads, a
//! login burst left the server at ~470 MB (bench/REPORT.md); here at most `size` arenas ever
//! hold one. Lowest priority (Linux's SCHED_IDLE), because a hash can wait a few milliseconds
//! but a signed-in user's request should not wait behind one: a waking async worker preempts a
//! hashing thread at once. Nice 10 alone was not enough: the kernel let a hash finish its slice
//! first, and /api/me's p99 grew 5.7x while login was hammered (bench/REPORT.md).

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

/// Makes glibc hand each argon2id working area (~19 MiB) straight back to the kernel when a hash
/// ends. By default glibc raises its mmap threshold to the size of the last large block freed,
/// so from the second hash on those areas come from the heap, and a freed one stays resident.
/// A fixed threshold keeps every block over 1 MiB in its own mapping, unmapped on free: the
/// server's memory then tracks the hashes in flight instead of the busiest moment so far. For
/// the binary to call once at start (it is process-wide); a no-op off glibc.
pub fn return_hash_memory_promptly() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; any value is valid to pass.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

#[cfg(target_os = "linux")]
fn lower_priority() {
    // On Linux, both calls with id 0 act on the calling thread only, and lowering one's own
    // priority needs no privilege. SCHED_IDLE runs the thread only when no normal thread wants
    // the core; should it be refused (some sandboxes), nice 10 is the fallback, and failing
    // that hashing just runs at normal priority.
    // SAFETY: plain system calls; `param` outlives the call that reads it.
    let param = libc::sched_param { sched_priority: 0 };
    if unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) } == 0 {
        return;
    }
    // SAFETY: as above; setpriority reads no memory of ours.
    if unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, 10) } != 0 {
        tracing::warn!("could not lower the priority of a hashing thread");
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[tokio::test]
    async fn hashing_threads_run_at_idle_priority() {
        let pool = super::HashPool::new(1);
        // SAFETY: sched_getscheduler(0) only reads the calling thread's policy.
        let policy = pool.run(|| Ok(unsafe { libc::sched_getscheduler(0) })).await.unwrap();
        assert_eq!(policy, libc::SCHED_IDLE);
    }
}
