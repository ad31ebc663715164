//! [`map_in_order`]: a map over a slice on a few scoped threads, with the results in input order.

use std::sync::atomic::{AtomicUsize, Ordering};

/// The threads worth using for `items` items when each thread should get about `per_thread` of
/// them: at most the available parallelism, at least one.
pub fn threads_for(items: usize, per_thread: usize) -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items / per_thread.max(1) + 1)
}

/// Applies `f` to every item on up to `threads` threads and returns the results in the order of
/// `items`, exactly what `items.iter().map(f).collect()` returns. Threads take small blocks of
/// items as they go, so uneven work spreads out. A panic in `f` is resumed on the calling thread.
pub fn map_in_order<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = threads.min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let block = (items.len() / (threads * 8)).clamp(1, 16);
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done: Vec<(usize, Vec<R>)> = Vec::new();
        loop {
            let start = next.fetch_add(block, Ordering::Relaxed);
            if start >= items.len() {
                break done;
            }
            let end = (start + block).min(items.len());
            done.push((start, items[start..end].iter().map(&f).collect()));
        }
    };
    let mut blocks: Vec<(usize, Vec<R>)> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut blocks = work();
        for helper in helpers {
            match helper.join() {
                Ok(done) => blocks.extend(done),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        blocks
    });
    blocks.sort_unstable_by_key(|(start, _)| *start);
    blocks
        .into_iter()
        .flat_map(|(_, results)| results)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_input_order_for_every_thread_count() {
        let items: Vec<u32> = (0..1000).collect();
        let expected: Vec<u32> = items.iter().map(|n| n * 3).collect();
        for threads in [0, 1, 2, 3, 8, 2000] {
            assert_eq!(
                map_in_order(&items, threads, |n| n * 3),
                expected,
                "{threads}"
            );
        }
        assert!(map_in_order(&[] as &[u32], 4, |n| *n).is_empty());
    }

    #[test]
    fn a_panic_reaches_the_caller() {
        let items: Vec<u32> = (0..200).collect();
        let result = std::panic::catch_unwind(|| {
            map_in_order(&items, 2, |&n| {
                assert!(n != 150, "item 150");
                n
            })
        });
        assert!(result.is_err());
    }

    #[test]
    fn threads_for_is_bounded() {
        assert_eq!(threads_for(0, 64), 1);
        assert!(threads_for(10_000, 64) >= 1);
        assert_eq!(threads_for(10, 0), threads_for(10, 1));
    }
}
