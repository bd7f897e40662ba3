// The package's entry. The upload library is Rust compiled to WebAssembly (src/): this file
// only starts loading the wasm when the package is imported and gives pages a class they can
// construct at once, as with ali-oss, even before the wasm has arrived. Each method of the
// wasm class is forwarded as it is; a call made before the wasm is in waits for it.
// (Top-level await would be shorter, but module service workers refuse it.)
import { Buffer } from 'buffer';
import init, { OSS as Core } from '../target/glue/oss_browser_upload.js';

let loaded = false;
const loading = init().then(() => {
  // get()'s content is a Buffer, as ali-oss's is: the `buffer` package at the major version
  // ali-oss's browser build bundles (5: no BigInt methods there either).
  Core.useBufferClass(Buffer);
  loaded = true;
});

/** Methods that answer at once, so cannot wait for the wasm: those index.d.ts declares as
 * returning neither a Promise nor the client. Kept here because the entry needs it before the
 * wasm arrives; tests/js/declarations.test.mjs holds it to index.d.ts, and index.d.ts to the
 * Rust. */
const SYNC = new Set(['signatureUrl', 'isCancel', 'cancel', 'resetCancelFlag', 'getBucket', 'getObjectUrl', 'generateObjectUrl', 'calculatePostSignature', 'signPostObjectPolicyV4']);
/** Methods that return the client, as ali-oss's do, for chaining. */
const CHAIN = new Set(['useBucket', 'setBucket']);

// Symbol keys rather than #private fields: a client kept in a Vue reactive() proxy (as apps
// do with ali-oss's) must still reach them through the proxy.
const CORE = Symbol('core');
const READY = Symbol('ready');

class Client {
  constructor(options) {
    const make = () => {
      Object.defineProperty(this, CORE, { value: new Core(options) });
      return this;
    };
    Object.defineProperty(this, READY, {
      value: loaded ? Promise.resolve(make()) : loading.then(make),
      writable: true,
    });
  }

  /** Resolves to this client once the wasm is loaded and the options checked. */
  get ready() {
    return this[READY];
  }

  static {
    for (const name of Object.getOwnPropertyNames(Core.prototype)) {
      if (name === 'constructor' || name === 'free' || name.startsWith('__')) continue;
      // A getter (`options`) reads through; undefined until the wasm is in.
      if (Object.getOwnPropertyDescriptor(Core.prototype, name).get) {
        Object.defineProperty(Client.prototype, name, { get() { return this[CORE]?.[name]; } });
        continue;
      }
      Client.prototype[name] = function forward(...args) {
        if (this[CORE]) {
          const result = this[CORE][name](...args);
          return CHAIN.has(name) ? this : result;
        }
        if (SYNC.has(name)) throw new Error(`${name}() needs the module loaded: \`await client.ready\` once before calling it`);
        if (CHAIN.has(name)) {
          // A bad name said in the console, not carried into every later call.
          this[READY] = this[READY].then(() => {
            try {
              this[CORE][name](...args);
            } catch (e) {
              console.error(e);
            }
            return this;
          });
          return this;
        }
        return this[READY].then(() => this[CORE][name](...args));
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
