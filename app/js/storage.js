// IndexedDB storage for the engine's simulated disk. Each playground instance has its own
// database with one object store, "files". A file is stored as numbered segments so an append
// writes only the new bytes: key `<name>\u0001<10-digit segment number>`, value a Uint8Array.

const STORE = 'files';
const SEP = '\u0001';
const connections = new Map();

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function open(dbName) {
  if (!connections.has(dbName)) {
    connections.set(dbName, new Promise((resolve, reject) => {
      if (typeof indexedDB === 'undefined' || indexedDB === null) {
        reject(new Error('IndexedDB is not available in this browser window'));
        return;
      }
      let req;
      try {
        req = indexedDB.open(dbName, 1);
      } catch (e) {
        reject(e);
        return;
      }
      req.onupgradeneeded = () => req.result.createObjectStore(STORE);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
      req.onblocked = () => reject(new Error('the storage is held by an older version of this page'));
    }));
  }
  return connections.get(dbName);
}

function describe(e) {
  if (e && e.name === 'QuotaExceededError') {
    return 'browser storage is full (QuotaExceededError)';
  }
  return e && e.message ? `${e.name || 'Error'}: ${e.message}` : String(e);
}

/**
 * All segments, read once the page holding this storage before (the one being reloaded)
 * is gone: each page holds a Web Lock named after its database for as long as it lives, so
 * the writes its unload started are queued in IndexedDB before this page reads. Waits at
 * most 3 s (another tab may hold the lock for good) and then reads anyway.
 */
export function loadSegments(dbName) {
  if (!navigator.locks) return readSegments(dbName);
  return new Promise((resolve, reject) => {
    let settled = false;
    const read = () => {
      if (settled) return;
      settled = true;
      readSegments(dbName).then(resolve, reject);
    };
    const timer = setTimeout(read, 3000);
    navigator.locks.request(dbName, () => {
      clearTimeout(timer);
      read();
      // Held while this page lives.
      return new Promise(() => {});
    }).catch(() => { clearTimeout(timer); read(); });
  });
}

/** All segments, sorted by key: an array of [key, Uint8Array]. Rejects with a message. */
async function readSegments(dbName) {
  try {
    const db = await open(dbName);
    const tx = db.transaction(STORE, 'readonly');
    const store = tx.objectStore(STORE);
    const [keys, values] = await Promise.all([request(store.getAllKeys()), request(store.getAll())]);
    return keys.map((k, i) => [k, new Uint8Array(values[i])]);
  } catch (e) {
    throw describe(e);
  }
}

/**
 * Applies operations in one transaction: {kind: "replace"|"append"|"remove"|"clear", name, seq,
 * bytes}. "replace" and "remove" delete every segment of the file first; "clear" empties the
 * store. Transactions on the store run in the order they were created, so batches need not
 * wait for each other. Rejects with a message.
 */
export async function applyOps(dbName, ops) {
  try {
    const db = await open(dbName);
    const tx = db.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    const done = new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error || new Error('the storage transaction was aborted'));
    });
    for (const op of ops) {
      if (op.kind === 'clear') {
        store.clear();
        continue;
      }
      if (op.kind !== 'append') {
        store.delete(IDBKeyRange.bound(op.name + SEP, op.name + '\u0002', false, true));
      }
      if (op.kind !== 'remove') {
        store.put(op.bytes, op.name + SEP + String(op.seq).padStart(10, '0'));
      }
    }
    // Commit now rather than when the page next yields: the page may be going away.
    if (typeof tx.commit === 'function') tx.commit();
    await done;
  } catch (e) {
    throw describe(e);
  }
}

/** {usage, quota} in bytes, or null where the browser does not say. */
export async function estimate() {
  try {
    if (navigator.storage && navigator.storage.estimate) {
      const { usage, quota } = await navigator.storage.estimate();
      return { usage: usage ?? 0, quota: quota ?? 0 };
    }
  } catch (_) { /* fall through */ }
  return null;
}
