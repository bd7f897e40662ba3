// Saved uploads in IndexedDB (database `oss-browser-upload`, store `uploads`, one record per
// fingerprint), so an upload resumes after a reload. When IndexedDB cannot be used (private
// mode, blocked, quota, a worker without it) the records live in memory for the page's life,
// after one console warning: uploads still work, they just do not survive a reload. A record
// that does not read back as ours is ignored and deleted, never trusted.
import { doneFromJs, doneToJs, bytesDone } from './checkpoint.js';

const DB_NAME = 'oss-browser-upload';
const STORE = 'uploads';
/** Written into every record, so a record from another layout is recognised as foreign. */
const FORMAT = 1;

/** The fallback, shared by every client of the page. */
const memory = new Map();
let warned = false;

function warnOnce(why) {
  if (!warned) {
    warned = true;
    console.warn(`oss-browser-upload: IndexedDB is unavailable (${why}); uploads resume within this page only, not after a reload.`);
  }
}

/** An IDBRequest (or transaction) as a promise. */
const settled = (req, ok = 'onsuccess') => new Promise((resolve, reject) => {
  req[ok] = () => resolve(req.result);
  req.onerror = () => reject(req.error);
  req.onabort = () => reject(req.error);
});

/** The fields a record and a listSavedUploads() entry share. */
const COMMON = ['fingerprint', 'bucket', 'name', 'fileName', 'fileSize', 'lastModified', 'fileType', 'partSize', 'uploadId', 'updatedAt'];

const pick = (s, fields) => Object.fromEntries(fields.map((k) => [k, s[k]]));

/** What listSavedUploads() shows of a record. */
export const summary = (s) => ({ ...pick(s, COMMON), bytesDone: bytesDone(s.fileSize, s.partSize, s.done) });

const toRecord = (s) => ({ ...pick(s, COMMON), format: FORMAT, doneParts: doneToJs(s.done), createdAt: s.createdAt });

/** A stored record read back, or null if it is not one of ours. */
function fromRecord(v) {
  const text = (k) => typeof v?.[k] === 'string';
  const num = (k) => typeof v?.[k] === 'number' && Number.isFinite(v[k]) && v[k] >= 0;
  if (v?.format !== FORMAT || !['fingerprint', 'bucket', 'name', 'fileName', 'fileType', 'uploadId'].every(text)
    || !['fileSize', 'lastModified', 'partSize', 'createdAt', 'updatedAt'].every(num) || !v.uploadId) return null;
  const done = doneFromJs(v.doneParts);
  return done && { ...pick(v, COMMON), createdAt: v.createdAt, done };
}

export class SavedUploads {
  #maxAgeMs;
  #name;
  /** undefined: not opened yet; else a promise of the database, or of null: memory is used. */
  #db;

  /** `name`: the database's, other than the package's own only in tests. */
  constructor(maxAgeMs, name = DB_NAME) {
    this.#maxAgeMs = maxAgeMs;
    this.#name = name;
  }

  async #database() {
    if (this.#db === undefined) {
      this.#db = (async () => {
        try {
          const req = indexedDB.open(this.#name, 1);
          req.onupgradeneeded = () => {
            if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE, { keyPath: 'fingerprint' });
          };
          return await settled(req);
        } catch (e) {
          warnOnce(e?.message ?? String(e));
          return null;
        }
      })();
    }
    return this.#db;
  }

  #fallBack(e) {
    warnOnce(e?.message ?? String(e));
    this.#db = Promise.resolve(null);
  }

  async #write(db, record, key) {
    const tx = db.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    if (record) store.put(record);
    else store.delete(key);
    await settled(tx, 'oncomplete');
  }

  async save(s) {
    const db = await this.#database();
    if (db) {
      try {
        return await this.#write(db, toRecord(s));
      } catch (e) {
        this.#fallBack(e);
      }
    }
    memory.set(s.fingerprint, s);
  }

  async forget(fingerprint) {
    const db = await this.#database();
    if (db) {
      try {
        await this.#write(db, null, fingerprint);
      } catch (e) {
        this.#fallBack(e);
      }
    }
    memory.delete(fingerprint);
  }

  /** Every saved upload that has not expired, newest first; expired and foreign records are deleted. */
  async all() {
    const now = Date.now();
    const fresh = (s) => now - s.updatedAt <= this.#maxAgeMs;
    const found = [...memory.values()];
    const db = await this.#database();
    if (db) {
      try {
        const values = await settled(db.transaction(STORE).objectStore(STORE).getAll());
        for (const v of values) {
          const s = fromRecord(v);
          if (s && fresh(s)) found.push(s);
          else if (typeof v?.fingerprint === 'string') await this.#write(db, null, v.fingerprint).catch(() => {});
        }
      } catch (e) {
        this.#fallBack(e);
      }
    }
    return found.filter(fresh).sort((a, b) => b.updatedAt - a.updatedAt);
  }

  async load(fingerprint) {
    return (await this.all()).find((s) => s.fingerprint === fingerprint) ?? null;
  }

  async forgetUpload(uploadId) {
    for (const s of await this.all()) if (s.uploadId === uploadId) await this.forget(s.fingerprint);
  }
}

/**
 * One upload of a given file at a time, across tabs and workers, with the Web Locks API: two
 * tabs resuming the same saved upload would otherwise race on its parts and its record.
 * Resolves to a release function, or null if another tab or upload holds the lock. Where the
 * API is missing, uploads go on without the guard.
 */
export function tryLock(name) {
  const locks = globalThis.navigator?.locks;
  if (!locks?.request) return Promise.resolve(() => {});
  return new Promise((granted) => {
    locks.request(name, { ifAvailable: true }, (lock) => {
      if (!lock) return granted(null);
      // The lock stays held while the promise this callback returns is pending.
      return new Promise((release) => granted(release));
    }).catch(() => granted(() => {}));
  });
}
