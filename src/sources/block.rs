//! Runs one async read (sqlx, reqwest) to completion from the synchronous cycle.
//!
//! The cycle is blocking code: `operator check` calls it with no async runtime at all, the
//! daemon calls it on `spawn_blocking`, and a test may call it from inside a runtime. A
//! `Handle::block_on` would need an ambient runtime (and on a current-thread runtime cannot
//! drive IO unless that runtime's own `block_on` is running); building a runtime on the
//! calling thread panics when that thread is inside one. So each read gets a small
//! current-thread runtime on a scoped thread of its own: it works the same from all three
//! callers, and everything the read opened (the Postgres pool, the HTTP client's
//! connections) is closed when it ends. Cycles are minutes apart, so the cost (a thread and
//! a fresh connection per cycle) is negligible.

use std::future::Future;

use super::fault::Fault;

/// Runs the future `make()` builds on a fresh current-thread runtime in a scoped thread.
pub fn block_on<T, F, Fut>(make: F) -> Result<T, Fault>
where
    T: Send,
    F: FnOnce() -> Fut + Send,
    Fut: Future<Output = Result<T, Fault>>,
{
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("operator-source-io".to_owned())
            .spawn_scoped(scope, || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| Fault::transient(format!("cannot start an IO runtime: {e}")))?;
                runtime.block_on(make())
            })
            .map_err(|e| Fault::transient(format!("cannot start an IO thread: {e}")))?;
        worker
            .join()
            .unwrap_or_else(|_| Err(Fault::transient("the IO thread panicked")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn works_without_a_runtime() {
        let got = block_on(|| async {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            Ok(7)
        });
        assert_eq!(got, Ok(7));
    }

    #[tokio::test]
    async fn works_from_inside_a_runtime() {
        let got = block_on(|| async { Ok::<_, Fault>("inner") });
        assert_eq!(got, Ok("inner"));
        let err = block_on(|| async { Err::<(), _>(Fault::invalid("bad")) });
        assert_eq!(err, Err(Fault::invalid("bad")));
    }
}
