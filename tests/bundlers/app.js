// A tiny app as a user would write it: import the package by name, upload, read back.
import OSS from 'oss-browser-upload';

const params = new URLSearchParams(location.search);
const client = new OSS({
  endpoint: params.get('endpoint'),
  bucket: 'demo-bucket',
  accessKeyId: params.get('id'),
  accessKeySecret: params.get('secret'),
});
const bytes = new Uint8Array(700 * 1024).map((_, i) => (i * 7) % 251);
const name = `bundlers/${params.get('bundler')}.bin`;

client
  .multipartUpload(name, new Blob([bytes]), { partSize: 256 * 1024 })
  .then(async (result) => {
    const got = await client.get(name);
    const same = got.content.length === bytes.length && got.content.every((b, i) => b === bytes[i]);
    document.body.dataset.result = JSON.stringify({ etag: result.etag, same });
  })
  .catch((e) => {
    document.body.dataset.result = JSON.stringify({ error: `${e.name}: ${e.message}` });
  });
