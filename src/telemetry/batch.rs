//! A log writer that batches: lines are appended to a shared buffer that a
//! background thread writes to stderr every `FLUSH_EVERY` (sooner once
//! `EAGER` bytes are waiting). A request therefore never waits for the
//! terminal, and unlike a channel to a writer thread it does not wake another
//! thread per line (a futex wake and two context switches per request under
//! load). No line is ever dropped: past `MAX_BUFFERED` the logging thread
//! writes the buffer out itself. While nothing is logged the thread sleeps
//! until a line arrives: a quiet server (the default level logs no request
//! lines) is not woken 20 times a second for nothing.

use std::io::{self, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

const FLUSH_EVERY: Duration = Duration::from_millis(50);
const EAGER: usize = 64 * 1024;
const MAX_BUFFERED: usize = 4 * 1024 * 1024;

struct Shared {
    state: Mutex<State>,
    wake: Condvar,
}

#[derive(Default)]
struct State {
    buf: Vec<u8>,
    closed: bool,
    /// Times the thread has woken to write (tests count them).
    wakeups: u64,
}

/// The `MakeWriter` handed to `tracing_subscriber`.
pub struct BatchWriter<W: Write + Send + 'static> {
    shared: Arc<Shared>,
    sink: Arc<Mutex<W>>,
}

impl<W: Write + Send + 'static> Clone for BatchWriter<W> {
    fn clone(&self) -> Self {
        BatchWriter { shared: self.shared.clone(), sink: self.sink.clone() }
    }
}

/// Flushes what is buffered and stops the background thread when dropped.
pub struct FlushGuard {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl<W: Write + Send + 'static> BatchWriter<W> {
    /// A writer into `sink` and the guard that owns its background thread.
    pub fn new(sink: W) -> io::Result<(BatchWriter<W>, FlushGuard)> {
        let shared = Arc::new(Shared { state: Mutex::new(State::default()), wake: Condvar::new() });
        let sink = Arc::new(Mutex::new(sink));
        let writer = BatchWriter { shared: shared.clone(), sink: sink.clone() };
        let thread = std::thread::Builder::new().name("trove-log".into()).spawn({
            let shared = shared.clone();
            move || flush_loop(&shared, &sink)
        })?;
        Ok((writer, FlushGuard { shared, thread: Some(thread) }))
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Lock order everywhere: `sink`, then `state` (so batches reach the sink in
/// the order they were written, also when a logging thread writes one out).
fn flush_loop<W: Write>(shared: &Shared, sink: &Mutex<W>) {
    let mut spare = Vec::new();
    loop {
        {
            let mut state = lock(&shared.state);
            // Nothing to write: sleep until the first line (a writer wakes
            // the thread when the buffer stops being empty).
            while state.buf.is_empty() && !state.closed {
                state = shared.wake.wait(state).unwrap_or_else(|poisoned| poisoned.into_inner());
            }
            state.wakeups += 1;
            // Then let the lines of the next `FLUSH_EVERY` join it.
            if !state.closed && state.buf.len() < EAGER {
                let _ = shared.wake.wait_timeout(state, FLUSH_EVERY);
            }
        }
        let mut out = lock(sink);
        let closed = {
            let mut state = lock(&shared.state);
            std::mem::swap(&mut state.buf, &mut spare);
            state.closed
        };
        if !spare.is_empty() {
            // Nowhere to report a failing stderr: the lines are lost, the server goes on.
            let _ = out.write_all(&spare).and_then(|()| out.flush());
            spare.clear();
            spare.shrink_to(EAGER * 2);
        }
        drop(out);
        if closed {
            return;
        }
    }
}

impl<W: Write + Send + 'static> Write for BatchWriter<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let mut state = lock(&self.shared.state);
        state.buf.extend_from_slice(bytes);
        let len = state.buf.len();
        let was_empty = len == bytes.len();
        if (was_empty && !bytes.is_empty()) || (len >= EAGER && len - bytes.len() < EAGER) {
            self.shared.wake.notify_one();
        }
        if len >= MAX_BUFFERED {
            // The sink is not keeping up: write out here rather than drop lines.
            drop(state);
            let mut out = lock(&self.sink);
            let full = std::mem::take(&mut lock(&self.shared.state).buf);
            let _ = out.write_all(&full).and_then(|()| out.flush());
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a, W: Write + Send + 'static> tracing_subscriber::fmt::MakeWriter<'a> for BatchWriter<W> {
    type Writer = BatchWriter<W>;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl Drop for FlushGuard {
    fn drop(&mut self) {
        lock(&self.shared.state).closed = true;
        self.shared.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>, Duration);

    impl Write for Sink {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            std::thread::sleep(self.1);
            lock(&self.0).extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn every_line_arrives_in_order_by_shutdown() {
        let sink = Sink::default();
        let (writer, guard) = BatchWriter::new(sink.clone()).unwrap();
        let mut expected = Vec::new();
        for i in 0..20_000 {
            let line = format!("line {i} {}\n", "x".repeat(i % 300));
            writer.clone().write_all(line.as_bytes()).unwrap();
            expected.extend_from_slice(line.as_bytes());
        }
        drop(guard);
        assert_eq!(*lock(&sink.0), expected);
    }

    /// A sink slower than the logging: the buffer passes its bound, the
    /// logging threads write out themselves, nothing is lost or reordered.
    #[test]
    fn a_slow_sink_loses_and_reorders_nothing() {
        let sink = Sink(Arc::default(), Duration::from_millis(30));
        let (writer, guard) = BatchWriter::new(sink.clone()).unwrap();
        let threads: Vec<_> = (0..2)
            .map(|t| {
                let mut w = writer.clone();
                std::thread::spawn(move || {
                    for i in 0..100 {
                        w.write_all(format!("{t} {i:03} {}\n", "y".repeat(100_000)).as_bytes()).unwrap();
                    }
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        drop(guard);
        let text = String::from_utf8(lock(&sink.0).clone()).unwrap();
        for t in ["0", "1"] {
            let seen: Vec<&str> = text.lines().filter(|l| l.starts_with(t)).map(|l| &l[2..5]).collect();
            let expected: Vec<String> = (0..100).map(|i| format!("{i:03}")).collect();
            assert_eq!(seen, expected);
        }
    }

    #[test]
    fn lines_arrive_without_shutdown() {
        let sink = Sink::default();
        let (writer, _guard) = BatchWriter::new(sink.clone()).unwrap();
        writer.clone().write_all(b"hello\n").unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while lock(&sink.0).is_empty() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(*lock(&sink.0), b"hello\n");
    }

    /// A quiet writer does not wake its thread; a line after the quiet
    /// still arrives (above), in one wake-up.
    #[test]
    fn a_quiet_writer_leaves_its_thread_asleep() {
        let sink = Sink::default();
        let (writer, _guard) = BatchWriter::new(sink.clone()).unwrap();
        std::thread::sleep(FLUSH_EVERY * 6);
        assert_eq!(lock(&writer.shared.state).wakeups, 0, "woken with nothing to write");
        writer.clone().write_all(b"late\n").unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while lock(&sink.0).is_empty() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(*lock(&sink.0), b"late\n");
        assert_eq!(lock(&writer.shared.state).wakeups, 1);
    }
}
