//! A lock-order validator in the manner of the kernel's lockdep.
//!
//! Every lock belongs to a [`LockClass`]. While a thread holds a lock of class A
//! and takes one of class B, the validator records the dependency A → B, with the
//! places where both were taken. When a thread is about to take a lock whose class
//! the held one already (transitively) depends on — the reverse order — the
//! validator reports the inversion *before* blocking, naming the existing chain
//! (each edge with where it was first seen) and the new acquisition, the way the
//! kernel's "possible circular locking dependency" splat does. Each inversion is
//! reported once.
//!
//! The project's declared order ([`super::lock_order::ORDER`]) seeds the graph, so
//! taking two declared classes against the list is reported even if the forward
//! order never ran. ww_mutexes of one class nest legally under an acquire context;
//! any other second acquisition of a held class is reported as recursive locking.
//!
//! The validator runs in debug builds (tests included) and compiles to nothing in
//! release builds. A report panics, unless the thread runs inside
//! [`collect_reports`], which hands the reports to the caller instead.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt::Write as _;
use std::panic::Location;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{LazyLock, Mutex, MutexGuard, OnceLock, PoisonError};

/// A class of locks: every lock that plays the same role (e.g. every object's
/// reservation lock) shares one class, and the validator orders classes.
#[derive(Debug)]
pub struct LockClass {
    name: &'static str,
    id: OnceLock<usize>,
}

static NEXT_CLASS: AtomicUsize = AtomicUsize::new(0);

impl LockClass {
    /// A class named `name` (the name appears in reports).
    pub const fn new(name: &'static str) -> Self {
        Self {
            name,
            id: OnceLock::new(),
        }
    }

    /// The class's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    fn id(&self) -> usize {
        *self
            .id
            .get_or_init(|| NEXT_CLASS.fetch_add(1, Ordering::Relaxed))
    }
}

/// Whether the validator is compiled in (debug builds).
pub const fn enabled() -> bool {
    cfg!(debug_assertions)
}

/// What kind of problem a report describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// Taking B while holding A, where B → … → A was already recorded.
    Inversion,
    /// Taking a second lock of a class already held, outside a ww acquire context.
    Recursive,
}

/// One edge of a dependency chain: `from` was held when `to` was taken.
#[derive(Debug, Clone)]
pub struct ChainLink {
    /// The class held.
    pub from: &'static str,
    /// The class taken under it.
    pub to: &'static str,
    /// Where `from` was taken when the edge was first seen.
    pub from_at: String,
    /// Where `to` was taken when the edge was first seen.
    pub to_at: String,
    /// The thread that first took this order.
    pub thread: String,
}

/// A lock-order problem found by the validator.
#[derive(Debug, Clone)]
pub struct LockdepReport {
    /// Inversion or recursive locking.
    pub kind: ReportKind,
    /// The class held by the reporting thread.
    pub held: &'static str,
    /// The class the reporting thread is taking.
    pub acquiring: &'static str,
    /// For an inversion: the existing chain from `acquiring` to `held`, in order.
    pub existing_chain: Vec<ChainLink>,
    /// The full text of the report (what a panic prints).
    pub text: String,
}

#[derive(Clone, Copy)]
struct Held {
    class: usize,
    name: &'static str,
    at: &'static Location<'static>,
    ww_nested: bool,
}

struct Edge {
    from_at: String,
    to_at: String,
    thread: String,
}

#[derive(Default)]
struct Graph {
    names: HashMap<usize, &'static str>,
    next: HashMap<usize, Vec<usize>>,
    edges: HashMap<(usize, usize), Edge>,
    reported: HashSet<(usize, usize)>,
}

impl Graph {
    fn add_edge(&mut self, from: (usize, &'static str), to: (usize, &'static str), edge: Edge) {
        self.names.insert(from.0, from.1);
        self.names.insert(to.0, to.1);
        self.next.entry(from.0).or_default().push(to.0);
        self.edges.insert((from.0, to.0), edge);
    }

    /// The path `from` → … → `to` if one exists (breadth first: the shortest).
    fn path(&self, from: usize, to: usize) -> Option<Vec<usize>> {
        let mut parent: HashMap<usize, usize> = HashMap::new();
        let mut queue = VecDeque::from([from]);
        while let Some(n) = queue.pop_front() {
            if n == to {
                let mut path = vec![n];
                let mut cur = n;
                while cur != from {
                    cur = parent[&cur];
                    path.push(cur);
                }
                path.reverse();
                return Some(path);
            }
            for &m in self.next.get(&n).into_iter().flatten() {
                if m != from && !parent.contains_key(&m) {
                    parent.insert(m, n);
                    queue.push_back(m);
                }
            }
        }
        None
    }
}

static GRAPH: LazyLock<Mutex<Graph>> = LazyLock::new(|| {
    let mut g = Graph::default();
    for pair in super::lock_order::ORDER.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let declared = "the declared order in emu/src/sync/lock_order.rs".to_string();
        g.add_edge(
            (a.id(), a.name),
            (b.id(), b.name),
            Edge {
                from_at: declared.clone(),
                to_at: declared,
                thread: "-".into(),
            },
        );
    }
    Mutex::new(g)
});

fn graph() -> MutexGuard<'static, Graph> {
    GRAPH.lock().unwrap_or_else(PoisonError::into_inner)
}

thread_local! {
    static HELD: RefCell<Vec<Held>> = const { RefCell::new(Vec::new()) };
    static COLLECT: RefCell<Option<Vec<LockdepReport>>> = const { RefCell::new(None) };
}

/// Runs `f` with reports collected instead of panicking (on this thread only), and
/// returns them with `f`'s result.
pub fn collect_reports<R>(f: impl FnOnce() -> R) -> (R, Vec<LockdepReport>) {
    let outer = COLLECT.with(|c| c.borrow_mut().replace(Vec::new()));
    let r = f();
    let reports = COLLECT.with(|c| std::mem::replace(&mut *c.borrow_mut(), outer));
    (r, reports.unwrap_or_default())
}

fn thread_name() -> String {
    let t = std::thread::current();
    t.name()
        .map_or_else(|| format!("{:?}", t.id()), str::to_string)
}

fn emit(report: LockdepReport) {
    let collected = COLLECT.with(|c| match c.borrow_mut().as_mut() {
        Some(v) => {
            v.push(report.clone());
            true
        }
        None => false,
    });
    if !collected {
        panic!("{}", report.text);
    }
}

/// Records that this thread takes a lock of `class` at `at`, checking the order
/// first (call it before blocking on the lock). `ww_nested`: the lock is a
/// ww_mutex taken under an acquire context, which may nest within its class.
pub fn acquire(class: &'static LockClass, at: &'static Location<'static>, ww_nested: bool) {
    if !enabled() {
        return;
    }
    let me = Held {
        class: class.id(),
        name: class.name,
        at,
        ww_nested,
    };
    let report = HELD.with(|h| {
        let held = h.borrow();
        if let Some(same) = held.iter().rev().find(|x| x.class == me.class) {
            if !(ww_nested && same.ww_nested) {
                return Some(recursive(same, &me));
            }
        }
        let prev = *held.iter().rev().find(|x| x.class != me.class)?;
        check_edge(&prev, &me)
    });
    HELD.with(|h| h.borrow_mut().push(me));
    if let Some(r) = report {
        emit(r);
    }
}

/// Records a successful trylock of `class` at `at`: the lock is held from now
/// on, but a trylock never blocks, so it creates no dependency and cannot close a
/// cycle (as in the kernel).
pub fn acquire_try(class: &'static LockClass, at: &'static Location<'static>) {
    if !enabled() {
        return;
    }
    let me = Held {
        class: class.id(),
        name: class.name,
        at,
        ww_nested: true,
    };
    HELD.with(|h| h.borrow_mut().push(me));
}

/// Records that this thread released a lock of `class` (the most recent one).
pub fn release(class: &'static LockClass) {
    if !enabled() {
        return;
    }
    let id = class.id();
    HELD.with(|h| {
        let mut held = h.borrow_mut();
        if let Some(i) = held.iter().rposition(|x| x.class == id) {
            held.remove(i);
        }
    });
}

/// Annotates a wait that may block on something the lock `class` stands for
/// (`lock_map_acquire` + `lock_map_release`): checked and recorded like taking
/// and at once dropping a lock of `class`.
pub fn might_wait(class: &'static LockClass, at: &'static Location<'static>) {
    if !enabled() {
        return;
    }
    acquire(class, at, false);
    release(class);
}

thread_local! {
    static SIGNALLING_DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// A fence-signalling section on this thread (see
/// [`lock_order::FENCE_SIGNALLING`](super::lock_order::FENCE_SIGNALLING)); ends
/// on drop. Sections nest.
#[derive(Debug)]
pub struct SignallingSection {
    _not_send: std::marker::PhantomData<*const ()>,
}

/// Begins a fence-signalling section (`dma_fence_begin_signalling`): locks taken
/// until the section ends are recorded as taken on a signalling path, and a fence
/// wait inside it is reported (it may wait for itself).
#[track_caller]
pub fn begin_signalling() -> SignallingSection {
    if enabled() && SIGNALLING_DEPTH.with(|d| d.replace(d.get() + 1)) == 0 {
        acquire(
            &super::lock_order::FENCE_SIGNALLING,
            Location::caller(),
            false,
        );
    }
    SignallingSection {
        _not_send: std::marker::PhantomData,
    }
}

impl Drop for SignallingSection {
    fn drop(&mut self) {
        if enabled() && SIGNALLING_DEPTH.with(|d| d.replace(d.get() - 1)) == 1 {
            release(&super::lock_order::FENCE_SIGNALLING);
        }
    }
}

/// The classes this thread holds, outermost first (for assertions in tests).
pub fn held_classes() -> Vec<&'static str> {
    HELD.with(|h| h.borrow().iter().map(|x| x.name).collect())
}

fn recursive(same: &Held, me: &Held) -> LockdepReport {
    let mut text = String::new();
    let _ = writeln!(text, "\n============================================");
    let _ = writeln!(text, "WARNING: possible recursive locking detected");
    let _ = writeln!(text, "--------------------------------------------");
    let _ = writeln!(
        text,
        "thread '{}' is trying to acquire \"{}\" at {}\nbut already holds a lock of that class, taken at {}",
        thread_name(),
        me.name,
        me.at,
        same.at
    );
    let _ = writeln!(
        text,
        "(only ww_mutexes under one acquire context may nest in a class)"
    );
    LockdepReport {
        kind: ReportKind::Recursive,
        held: same.name,
        acquiring: me.name,
        existing_chain: Vec::new(),
        text,
    }
}

fn check_edge(prev: &Held, me: &Held) -> Option<LockdepReport> {
    let mut g = graph();
    if g.edges.contains_key(&(prev.class, me.class)) {
        return None;
    }
    if let Some(path) = g.path(me.class, prev.class) {
        if !g.reported.insert((prev.class, me.class)) {
            return None;
        }
        let chain: Vec<ChainLink> = path
            .windows(2)
            .map(|w| {
                let e = &g.edges[&(w[0], w[1])];
                ChainLink {
                    from: g.names[&w[0]],
                    to: g.names[&w[1]],
                    from_at: e.from_at.clone(),
                    to_at: e.to_at.clone(),
                    thread: e.thread.clone(),
                }
            })
            .collect();
        drop(g);
        return Some(inversion(prev, me, chain));
    }
    let thread = thread_name();
    g.add_edge(
        (prev.class, prev.name),
        (me.class, me.name),
        Edge {
            from_at: prev.at.to_string(),
            to_at: me.at.to_string(),
            thread,
        },
    );
    None
}

fn inversion(prev: &Held, me: &Held, chain: Vec<ChainLink>) -> LockdepReport {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "\n======================================================"
    );
    let _ = writeln!(t, "WARNING: possible circular locking dependency detected");
    let _ = writeln!(t, "------------------------------------------------------");
    let _ = writeln!(
        t,
        "thread '{}' is trying to acquire \"{}\" at {}\nbut already holds \"{}\", taken at {}",
        thread_name(),
        me.name,
        me.at,
        prev.name,
        prev.at
    );
    let _ = writeln!(
        t,
        "\nwhich lock already depends on the new lock.\n\nthe existing dependency chain is:"
    );
    for (i, l) in chain.iter().enumerate().rev() {
        let _ = writeln!(
            t,
            "-> #{i} \"{}\" -> \"{}\": first seen in thread '{}', \"{}\" taken at {}, then \"{}\" at {}",
            l.from, l.to, l.thread, l.from, l.from_at, l.to, l.to_at
        );
    }
    let _ = writeln!(t, "\nthe new dependency closing the cycle:");
    let _ = writeln!(
        t,
        "-> \"{}\" (taken at {}) -> \"{}\" (at {})",
        prev.name, prev.at, me.name, me.at
    );
    let _ = writeln!(t, "\n possible unsafe locking scenario:\n");
    let _ = writeln!(t, "       CPU0                    CPU1");
    let _ = writeln!(t, "       ----                    ----");
    let _ = writeln!(t, "  lock({});", prev.name);
    let _ = writeln!(t, "                               lock({});", me.name);
    let _ = writeln!(t, "                               lock({});", prev.name);
    let _ = writeln!(t, "  lock({});\n\n *** DEADLOCK ***", me.name);
    LockdepReport {
        kind: ReportKind::Inversion,
        held: prev.name,
        acquiring: me.name,
        existing_chain: chain,
        text: t,
    }
}
