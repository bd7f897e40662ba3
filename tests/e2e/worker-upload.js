// What both worker tests run inside their worker: upload the posted File, report progress and
// what IndexedDB holds mid-upload, then read the object back. `post` sends to the page.
import OSS from '/pkg/index.js';

/** How many records IndexedDB holds for the library, read with plain IndexedDB calls. */
function savedRecords() {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('oss-browser-upload');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const count = open.result.transaction('uploads').objectStore('uploads').count();
      count.onsuccess = () => resolve(count.result);
      count.onerror = () => reject(count.error);
    };
  });
}

export async function upload({ file, endpoint, id, secret, key }, post) {
  try {
    const options = { endpoint, bucket: 'demo-bucket', accessKeyId: id, accessKeySecret: secret };
    const client = new OSS(options);
    const result = await client.multipartUpload(key, file, {
      partSize: 256 * 1024,
      progress: async (p) => {
        // Mid-upload, the checkpoint is in IndexedDB, reached from the worker.
        const records = p > 0 && p < 1 ? await savedRecords() : undefined;
        post({ progress: p, records });
      },
    });
    const got = await client.get(key);
    const digest = await crypto.subtle.digest('SHA-256', got.content);
    const sha256 = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
    const saved = await client.listSavedUploads();
    // Where XMLHttpRequest is missing (service workers), asking for it is a clear error.
    // (The constructor throws at once when the module is loaded, else `ready` rejects.)
    const xhr = await Promise.resolve()
      .then(() => new OSS({ ...options, transport: 'xhr' }).ready)
      .then(() => 'accepted', (e) => e.name);
    post({ done: { etag: result.etag, crc64: result.crc64, sha256, saved: saved.length, xhr } });
  } catch (e) {
    post({ error: `${e.name}: ${e.message}` });
  }
}
