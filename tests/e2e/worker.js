// A module worker that uploads what the page posts to it and reports progress back.
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

self.onmessage = async ({ data: { file, endpoint, id, secret, key } }) => {
  try {
    const client = new OSS({ endpoint, bucket: 'demo-bucket', accessKeyId: id, accessKeySecret: secret });
    const result = await client.multipartUpload(key, file, {
      partSize: 256 * 1024,
      progress: async (p) => {
        // Mid-upload, the checkpoint is in IndexedDB, reached from the worker.
        const records = p > 0 && p < 1 ? await savedRecords() : undefined;
        self.postMessage({ progress: p, records });
      },
    });
    const got = await client.get(key);
    const digest = await crypto.subtle.digest('SHA-256', got.content);
    const sha256 = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
    const saved = await client.listSavedUploads();
    self.postMessage({ done: { etag: result.etag, crc64: result.crc64, sha256, saved: saved.length } });
  } catch (e) {
    self.postMessage({ error: `${e.name}: ${e.message}` });
  }
};
