//! The page's persistent storage: the engine's disk, mirrored into IndexedDB.
//!
//! At start the stored files are read back into a [`MirroredDisk`] which the engine then
//! owns (through [`SharedMirror`]). Whatever the engine puts on its disk — snapshots, AOF
//! parts, as its `save` and `appendfsync` settings decide — is journaled and copied into
//! IndexedDB right after the command or timer tick that wrote it, in order, one transaction
//! per batch. So the data survives a reload the way it survives a Redis restart, without
//! relying on the unload event (whose storage writes may never finish).

use std::cell::RefCell;
use std::rc::Rc;

use emulator::persistence::{Disk, MirrorOp, MirroredDisk, SharedMirror};
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};

#[wasm_bindgen(module = "/js/storage.js")]
extern "C" {
    #[wasm_bindgen(js_name = loadSegments)]
    fn load_segments(db_name: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = applyOps)]
    fn apply_ops(db_name: &str, ops: Array) -> js_sys::Promise;
    fn estimate() -> js_sys::Promise;
}

/// How the copy into browser storage is going, for the persistence panel.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum StorageState {
    /// Everything the engine put on its disk is in IndexedDB.
    #[default]
    Saved,
    /// A batch is being written.
    Writing,
    /// Storage failed (full, or unavailable as in some private windows): the message says why.
    Failed(String),
}

struct SyncState {
    db_name: String,
    /// Batches handed to IndexedDB and not yet finished.
    in_flight: usize,
    /// Set when a batch failed: the next one rewrites every file, so that the storage is
    /// whole again once there is room.
    needs_full_write: bool,
    state: StorageState,
    on_change: Vec<Rc<dyn Fn()>>,
}

/// Copies the disk's journal into IndexedDB, one transaction per batch. IndexedDB runs
/// transactions on the same store in the order they were created, so appends land in order
/// without waiting for each other, and a batch started while the page unloads goes out at
/// once.
#[derive(Clone)]
pub struct StorageSync {
    disk: SharedMirror,
    inner: Rc<RefCell<SyncState>>,
}

/// The IndexedDB database of a playground instance (pages embedding several playgrounds give
/// each its own instance name).
pub fn database_name(instance: &str) -> String {
    format!("redis-playground:{instance}")
}

/// Reads the stored files of `instance`. On failure (no IndexedDB, a private window) returns
/// an empty disk and the reason, and the page runs without persistence.
pub async fn load(instance: &str) -> (SharedMirror, Result<(), String>) {
    let db_name = database_name(instance);
    match JsFuture::from(load_segments(&db_name)).await {
        Ok(value) => {
            let pairs = Array::from(&value);
            let segments: Vec<(String, Vec<u8>)> = pairs
                .iter()
                .filter_map(|pair| {
                    let pair = Array::from(&pair);
                    let key = pair.get(0).as_string()?;
                    let bytes = Uint8Array::new(&pair.get(1)).to_vec();
                    Some((key, bytes))
                })
                .collect();
            let disk = MirroredDisk::from_segments(segments);
            (SharedMirror::new(disk), Ok(()))
        }
        Err(e) => (SharedMirror::default(), Err(describe(&e))),
    }
}

fn describe(e: &JsValue) -> String {
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}

impl StorageSync {
    pub fn new(instance: &str, disk: SharedMirror, state: StorageState) -> StorageSync {
        StorageSync {
            disk,
            inner: Rc::new(RefCell::new(SyncState {
                db_name: database_name(instance),
                in_flight: 0,
                needs_full_write: false,
                state,
                on_change: Vec::new(),
            })),
        }
    }

    pub fn state(&self) -> StorageState {
        self.inner.borrow().state.clone()
    }

    /// Calls `f` whenever the state changes.
    pub fn subscribe(&self, f: Rc<dyn Fn()>) {
        self.inner.borrow_mut().on_change.push(f);
    }

    /// Sends the disk's new changes to IndexedDB. Cheap when nothing changed; the engine host
    /// calls it after every command and timer tick.
    pub fn flush(&self) {
        let ops = self.disk.take_journal();
        let full = self.inner.borrow().needs_full_write;
        if ops.is_empty() && !full {
            return;
        }
        let batch = Array::new();
        if full {
            batch.push(&op_object("clear", "", 0, None));
            let disk = self.disk.0.borrow();
            for name in disk.list().unwrap_or_default() {
                let bytes = disk.read(&name).ok().flatten().unwrap_or_default();
                batch.push(&op_object("replace", &name, 0, Some(&bytes)));
            }
        } else {
            for op in &ops {
                batch.push(&op_to_js(op));
            }
        }
        let db_name = {
            let mut inner = self.inner.borrow_mut();
            inner.in_flight += 1;
            inner.needs_full_write = false;
            inner.db_name.clone()
        };
        self.set_state(StorageState::Writing);
        let this = self.clone();
        spawn_local(async move {
            let result = JsFuture::from(apply_ops(&db_name, batch)).await;
            let idle = {
                let mut inner = this.inner.borrow_mut();
                inner.in_flight -= 1;
                if result.is_err() {
                    inner.needs_full_write = true;
                }
                inner.in_flight == 0 && !inner.needs_full_write
            };
            match result {
                Err(e) => this.set_state(StorageState::Failed(describe(&e))),
                Ok(_) if idle => this.set_state(StorageState::Saved),
                Ok(_) => {}
            }
        });
    }

    fn set_state(&self, state: StorageState) {
        let listeners = {
            let mut inner = self.inner.borrow_mut();
            if inner.state == state {
                return;
            }
            inner.state = state;
            inner.on_change.clone()
        };
        for f in listeners {
            f();
        }
    }
}

fn op_to_js(op: &MirrorOp) -> JsValue {
    match op {
        MirrorOp::Replace { name, seq, bytes } => op_object("replace", name, *seq, Some(bytes)),
        MirrorOp::Append { name, seq, bytes } => op_object("append", name, *seq, Some(bytes)),
        MirrorOp::Remove { name } => op_object("remove", name, 0, None),
    }
}

/// One operation as `applyOps` in storage.js takes it.
fn op_object(kind: &str, name: &str, seq: u32, bytes: Option<&[u8]>) -> JsValue {
    let object = Object::new();
    let set = |k: &str, v: &JsValue| {
        let _ = Reflect::set(&object, &JsValue::from_str(k), v);
    };
    set("kind", &JsValue::from_str(kind));
    set("name", &JsValue::from_str(name));
    set("seq", &JsValue::from_f64(f64::from(seq)));
    if let Some(bytes) = bytes {
        set("bytes", &Uint8Array::from(bytes).into());
    }
    object.into()
}

/// Browser storage use and quota in bytes, where the browser reports them.
pub async fn usage_and_quota() -> Option<(f64, f64)> {
    let value = JsFuture::from(estimate()).await.ok()?;
    let usage = Reflect::get(&value, &"usage".into()).ok()?.as_f64()?;
    let quota = Reflect::get(&value, &"quota".into()).ok()?.as_f64()?;
    Some((usage, quota))
}
