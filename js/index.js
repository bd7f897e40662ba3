// The package entry. It starts loading the wasm when imported, so nobody calls init():
// `new OSS(options)` returns at once and every call waits for the module first.
import init, { OSS as WasmOSS } from './oss_browser_upload.js';

let loaded = false;
const ready = init().then(() => {
  loaded = true;
});

const CANCEL = 'cancel';

export default class OSS {
  #client = null;
  #ready;

  constructor(options) {
    if (loaded) {
      // Bad options throw here, synchronously, once the module is in.
      this.#client = new WasmOSS(options);
      this.#ready = Promise.resolve(this.#client);
    } else {
      this.#ready = ready.then(() => (this.#client = new WasmOSS(options)));
    }
  }

  /** Resolves to this client once the wasm module is loaded (and the options checked). */
  get ready() {
    return this.#ready.then(() => this);
  }

  #call(method, args) {
    return this.#ready.then((client) => client[method](...args));
  }

  put(name, data, options) { return this.#call('put', [name, data, options]); }
  putStream(name, stream, options) { return this.#call('putStream', [name, stream, options]); }
  multipartUpload(name, file, options) { return this.#call('multipartUpload', [name, file, options]); }
  initMultipartUpload(name, options) { return this.#call('initMultipartUpload', [name, options]); }
  uploadPart(name, uploadId, partNo, file, start, end, options) {
    return this.#call('uploadPart', [name, uploadId, partNo, file, start, end, options]);
  }
  completeMultipartUpload(name, uploadId, parts, options) {
    return this.#call('completeMultipartUpload', [name, uploadId, parts, options]);
  }
  listParts(name, uploadId, options) { return this.#call('listParts', [name, uploadId, options]); }
  listUploads(query, options) { return this.#call('listUploads', [query, options]); }
  abortMultipartUpload(name, uploadId, options) { return this.#call('abortMultipartUpload', [name, uploadId, options]); }
  head(name, options) { return this.#call('head', [name, options]); }
  get(name, options) { return this.#call('get', [name, options]); }
  delete(name, options) { return this.#call('delete', [name, options]); }
  list(query, options) { return this.#call('list', [query, options]); }

  /** Uploads saved in IndexedDB that resume when their file is picked again. */
  listSavedUploads() { return this.#call('listSavedUploads', []); }
  /** Forgets a saved upload; with `{abort: true}` also aborts it on the server. */
  forgetSavedUpload(which, options) { return this.#call('forgetSavedUpload', [which, options]); }

  /** Synchronous, as in ali-oss: needs the module loaded (`await client.ready` once). */
  signatureUrl(name, options) {
    if (!this.#client) {
      throw new Error('signatureUrl() needs the module loaded: `await client.ready` once before calling it');
    }
    return this.#client.signatureUrl(name, options);
  }

  /** Stops every upload and request of this client at once. */
  cancel() {
    if (this.#client) {
      this.#client.cancel();
    } else {
      // Calls made before the module loaded start first, then are cancelled with the rest.
      this.#ready = this.#ready.then((client) => {
        client.cancel();
        return client;
      });
    }
  }

  /** Whether `err` is the rejection of a cancelled upload. */
  isCancel(err) {
    return Boolean(err) && err.name === CANCEL;
  }
}

export { OSS };
