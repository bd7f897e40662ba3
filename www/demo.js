// The demo: the drop-in uploader on a file input, credentials from the emulator's STS endpoint
// (standing in for your backend), and the bucket's objects with their ETag and CRC64.
import { attachUploader, formatBytes } from '../pkg/uploader.js';

const params = new URLSearchParams(location.search);
const endpoint = params.get('endpoint') ?? 'http://127.0.0.1:9000';
const bucket = 'demo-bucket';

// In a real app this is your backend calling STS AssumeRole for the signed-in user.
const credentials = async () => {
  const r = await fetch(`${endpoint}/_emulator/sts`, { method: 'POST', body: JSON.stringify({ durationSeconds: 900 }) });
  if (!r.ok) throw new Error(`STS endpoint answered ${r.status}`);
  return r.json();
};

const uploader = attachUploader(document.getElementById('upload-form'), {
  endpoint,
  bucket,
  credentials,
  // Byte-level progress: the bars move while each part is sent, not only when it is done.
  transport: 'xhr',
  prefix: 'demo/',
  // ?lang=zh-CN shows the uploader in Chinese (by default, the page's language).
  lang: params.get('lang') ?? undefined,
  onComplete: () => refresh(),
});
const client = uploader.client;

async function refresh() {
  const { objects } = await client.list({ prefix: 'demo/', 'max-keys': 100 });
  const rows = await Promise.all(objects.map(async (o) => {
    const head = await client.head(o.name);
    return { ...o, crc64: head.res.headers['x-oss-hash-crc64ecma'] ?? '' };
  }));
  const body = document.querySelector('#objects tbody');
  body.replaceChildren(...rows.map((o) => {
    const tr = document.createElement('tr');
    for (const [text, mono, title] of [[o.name, false], [formatBytes(o.size), false, `${o.size.toLocaleString()} bytes`], [o.etag, true], [o.crc64, true]]) {
      const td = document.createElement('td');
      if (title) td.title = title;
      if (mono) {
        const code = document.createElement('code');
        code.textContent = text;
        td.append(code);
      } else {
        td.textContent = text;
      }
      tr.append(td);
    }
    return tr;
  }));
  document.getElementById('empty').hidden = rows.length > 0;
}

document.getElementById('slow').addEventListener('change', async (e) => {
  const faults = `${endpoint}/_emulator/faults`;
  await fetch(faults, { method: 'DELETE' });
  if (e.target.checked) {
    await fetch(faults, { method: 'POST', body: JSON.stringify({ op: 'UploadPart', bytesPerSecond: 2_000_000 }) });
  }
});

document.getElementById('big').addEventListener('click', () => {
  // Zero-filled pages cost nothing until read; the same name and date each time, so a reload
  // and another click resume it.
  const file = new File([new Uint8Array(256 * 1024 * 1024)], 'generated-256MiB.bin', { lastModified: 1_700_000_000_000 });
  uploader.add(file);
});

document.getElementById('server').textContent = `OSS endpoint: ${endpoint}, bucket: ${bucket}`;
refresh().catch((e) => {
  document.getElementById('empty').textContent = `The local server is not reachable at ${endpoint} (${e.message}). Run make demo.`;
});
