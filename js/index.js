// The package's entry. The upload library is Rust compiled to WebAssembly (src/): this file
// only starts loading the wasm when the package is imported and gives pages a class they can
// construct at once, as with ali-oss, even before the wasm has arrived. Each method of the
// wasm class is forwarded as it is; a call made before the wasm is in waits for it.
// (Top-level await would be shorter, but module service workers refuse it.)
import { Buffer } from 'buffer';
import init, { OSS as Core } from '../target/glue/oss_browser_upload.js';

let loaded = false;
const loading = init().then(() => {
  // get()'s content is a Buffer, as ali-oss's is (the same `buffer` package ali-oss bundles).
  Core.useBufferClass(Buffer);
  loaded = true;
});

/** Methods that answer at once, so cannot wait for the wasm. */
const SYNC = new Set(['signatureUrl', 'isCancel', 'cancel', 'getBucket', 'getObjectUrl', 'generateObjectUrl']);
/** Methods that return the client, as ali-oss's do, for chaining. */
const CHAIN = new Set(['useBucket', 'setBucket']);

class Client {
  #core = null;
  #ready;

  constructor(options) {
    const make = () => {
      this.#core = new Core(options);
      return this;
    };
    this.#ready = loaded ? Promise.resolve(make()) : loading.then(make);
  }

  /** Resolves to this client once the wasm is loaded and the options checked. */
  get ready() {
    return this.#ready;
  }

  static {
    for (const name of Object.getOwnPropertyNames(Core.prototype)) {
      if (name === 'constructor' || name === 'free') continue;
      // A getter (`options`) reads through; undefined until the wasm is in.
      if (Object.getOwnPropertyDescriptor(Core.prototype, name).get) {
        Object.defineProperty(Client.prototype, name, { get() { return this.#core?.[name]; } });
        continue;
      }
      Client.prototype[name] = function forward(...args) {
        if (this.#core) {
          const result = this.#core[name](...args);
          return CHAIN.has(name) ? this : result;
        }
        if (SYNC.has(name)) throw new Error(`${name}() needs the module loaded: \`await client.ready\` once before calling it`);
        if (CHAIN.has(name)) {
          this.#ready = this.#ready.then(() => (this.#core[name](...args), this));
          return this;
        }
        return this.#ready.then(() => this.#core[name](...args));
      };
    }
  }
}

/** ali-oss's `OSS(options)` works with or without `new`. */
export default function OSS(options) {
  return new Client(options);
}
OSS.prototype = Client.prototype;
/** ali-oss's `OSS.Buffer`, which pages use to upload text and bytes. */
OSS.Buffer = Buffer;
Object.defineProperty(Client.prototype, 'constructor', { value: OSS });

export { OSS };
