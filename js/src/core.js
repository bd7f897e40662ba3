// The wasm core (src/exports.rs): signing, CRC64, OSS's XML, part plans, retry decisions.
// `load()` fetches and compiles it once; everything else here is plain JavaScript.
export { default as load } from '../../target/glue/oss_browser_upload.js';
export * from '../../target/glue/oss_browser_upload.js';
