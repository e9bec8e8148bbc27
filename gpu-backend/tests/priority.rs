//! Priority among waiting requests: higher first, submission order among equals, and a
//! context's requests never reordered.

mod common;

use common::*;
use crossbeam_channel::{bounded, Receiver};
use gpu_backend::{ContextRegs, Outcome, Request};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Submit the batch at `addr` on a context of its own (or `ctx`) at `priority`.
fn submit(
    g: &Gpu,
    addr: u64,
    ctx: Option<&Arc<Mutex<ContextRegs>>>,
    priority: i32,
) -> Receiver<Outcome> {
    let (tx, rx) = bounded(1);
    let context = ctx
        .cloned()
        .unwrap_or_else(|| Arc::new(Mutex::new(ContextRegs::default())));
    g.engine.submit_with_priority(
        Request {
            space: g.space.clone(),
            batch: addr,
            context,
            on_start: None,
            on_complete: Box::new(move |o| tx.send(o).unwrap()),
        },
        priority,
    );
    rx
}

/// A batch at `addr` that stores `v` at DATA.
fn store_at(g: &Gpu, addr: u64, v: u32) {
    let mut b = store(DATA, v).to_vec();
    b.push(BB_END);
    g.put(addr, &b);
}

fn done(rx: &Receiver<Outcome>) {
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(20)).unwrap(),
        Outcome::Completed
    );
}

/// Hold the engine with a spinner while the others queue, then let it go.
fn behind_a_spinner(g: &Gpu, queue: impl FnOnce() -> Vec<Receiver<Outcome>>) {
    g.put(BATCH, &spinner(BATCH));
    let spin = submit(g, BATCH, Some(&g.ctx), 0);
    g.wait_running(1);
    let waiting = queue();
    g.put(BATCH + 4088, &[BB_END]);
    done(&spin);
    for rx in &waiting {
        done(rx);
    }
}

#[test]
fn a_higher_priority_request_overtakes_waiting_ones() {
    let g = Gpu::rcs();
    store_at(&g, BATCH + 0x2000, 1);
    store_at(&g, BATCH + 0x3000, 2);
    behind_a_spinner(&g, || {
        vec![
            submit(&g, BATCH + 0x2000, None, 0),
            submit(&g, BATCH + 0x3000, None, 10),
        ]
    });
    assert_eq!(g.get(DATA), 1, "the later, higher-priority store ran first");
}

#[test]
fn equal_priorities_run_in_submission_order() {
    let g = Gpu::rcs();
    store_at(&g, BATCH + 0x2000, 1);
    store_at(&g, BATCH + 0x3000, 2);
    behind_a_spinner(&g, || {
        vec![
            submit(&g, BATCH + 0x2000, None, -5),
            submit(&g, BATCH + 0x3000, None, -5),
        ]
    });
    assert_eq!(g.get(DATA), 2);
}

#[test]
fn a_contexts_requests_keep_their_order_whatever_their_priority() {
    let g = Gpu::rcs();
    store_at(&g, BATCH + 0x2000, 1);
    store_at(&g, BATCH + 0x3000, 2);
    let ctx = Arc::new(Mutex::new(ContextRegs::default()));
    behind_a_spinner(&g, || {
        vec![
            submit(&g, BATCH + 0x2000, Some(&ctx), 0),
            submit(&g, BATCH + 0x3000, Some(&ctx), 100),
        ]
    });
    assert_eq!(g.get(DATA), 2, "the context's second request ran second");
}
