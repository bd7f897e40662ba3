// The README's examples, type-checked with `tsc --strict` against pkg/index.d.ts: if an
// option or result in the docs drifts from the declarations, this stops compiling.
import OSS, { type Checkpoint, type OSSError, type SavedUpload } from 'oss-browser-upload';
import { attachUploader } from 'oss-browser-upload/uploader';

const client = new OSS({
  region: 'oss-cn-hangzhou',
  bucket: 'my-bucket',
  refreshSTSToken: async () => (await fetch('/api/sts')).json(),
});

export async function quickStart(input: HTMLInputElement): Promise<string> {
  const file = input.files?.[0];
  if (!file) return '';
  const result = await client.multipartUpload(`uploads/${file.name}`, file, {
    progress: (p) => console.log(`${Math.round(p * 100)} %`),
  });
  return result.etag ?? '';
}

export async function everyOption(file: File, saved?: Checkpoint): Promise<void> {
  const controller = new AbortController();
  const local = new OSS({
    endpoint: 'http://127.0.0.1:9000',
    bucket: 'demo-bucket',
    accessKeyId: 'id',
    accessKeySecret: 'secret',
    stsToken: 'token',
    refreshSTSTokenInterval: 60_000,
    authorizationV4: true,
    timeout: 30_000,
    retryMax: 5,
    secure: false,
    cname: false,
    savedUploadMaxAge: 24 * 3600 * 1000,
  });
  await local.ready;
  try {
    const r = await local.multipartUpload('a/b.bin', file, {
      parallel: 4,
      partSize: 1024 * 1024,
      checkpoint: saved,
      resume: true,
      meta: { owner: 'me', version: 2 },
      mime: 'video/mp4',
      headers: { 'Cache-Control': 'no-cache' },
      timeout: 10_000,
      signal: controller.signal,
      progress: async (p, cp, res) => {
        const done: number = cp ? cp.doneParts.length : 0;
        const status: number | undefined = res?.status;
        console.log(p, done, status);
      },
    });
    const bucket: string = r.bucket;
    const requestId: string = r.res.requestId;
    console.log(bucket, requestId);
  } catch (err) {
    if (local.isCancel(err)) {
      const e: OSSError = err;
      const again: Checkpoint | undefined = e.checkpoint;
      console.log(e.code, e.status, e.requestId, again?.uploadId);
    }
  }
  const put = await local.put('t.txt', 'text', { mime: 'text/plain' });
  const head = await local.head(put.name);
  const owner: string | undefined = head.meta?.owner;
  const got = await local.get(put.name);
  const bytes: Uint8Array = got.content;
  const url: string = local.signatureUrl(put.name, { expires: 60, method: 'GET' });
  const init = await local.initMultipartUpload('m.bin');
  const part = await local.uploadPart('m.bin', init.uploadId, 1, file, 0, file.size);
  await local.completeMultipartUpload('m.bin', init.uploadId, [{ number: 1, etag: part.etag }]);
  const parts = await local.listParts('m.bin', init.uploadId);
  const size: number = parts.parts[0].Size;
  const uploads = await local.listUploads({ prefix: 'm', 'max-uploads': 10 });
  await local.abortMultipartUpload('m.bin', uploads.uploads[0].uploadId);
  await local.delete(put.name);
  const waiting: SavedUpload[] = await local.listSavedUploads();
  if (waiting[0]) await local.forgetSavedUpload(waiting[0], { abort: true });
  local.cancel();
  console.log(owner, bytes.length, url, size);
}

export function backendSigning(): OSS {
  return new OSS({
    region: 'oss-cn-hangzhou',
    bucket: 'my-bucket',
    signer: async (request) => {
      const r = await fetch('/api/sign', { method: 'POST', body: JSON.stringify(request) });
      const { authorization } = (await r.json()) as { authorization: string };
      return authorization;
    },
  });
}

export function dropIn(form: HTMLFormElement): void {
  const uploader = attachUploader(form, {
    bucket: 'my-bucket',
    region: 'oss-cn-hangzhou',
    credentials: async () => (await fetch('/api/sts')).json(),
    prefix: 'uploads/',
    fileSystemAccess: true,
    onComplete: (result) => console.log(result.name, result.etag),
  });
  uploader.detach();
}

export async function resumeFromHandles(handle: FileSystemFileHandle): Promise<void> {
  await client.multipartUpload('videos/trip.mp4', handle);
  for (const entry of await client.listSavedUploads()) {
    if (entry.handle) await client.multipartUpload(entry.name, entry.handle);
  }
}

export async function streamUpload(): Promise<string | null> {
  const response = await fetch('/exports/report.csv');
  if (!response.body) return null;
  const gzipped = response.body.pipeThrough(new CompressionStream('gzip'));
  const result = await client.putStream('reports/report.csv.gz', gzipped, {
    partSize: 8 * 1024 * 1024,
    mime: 'application/gzip',
  });
  return result.crc64;
}

export async function byteProgress(file: File, bar: HTMLProgressElement): Promise<void> {
  const client = new OSS({ region: 'oss-cn-hangzhou', bucket: 'my-bucket', transport: 'xhr',
    refreshSTSToken: async () => (await fetch('/api/sts')).json() });
  await client.multipartUpload('videos/big.mp4', file, {
    partSize: 16 * 1024 * 1024,
    progress: (p) => { bar.value = p; },
  });
}

export async function withCallback(file: File): Promise<unknown> {
  const result = await client.multipartUpload(`uploads/${file.name}`, file, {
    callback: {
      url: 'https://api.example.com/oss-callback',
      body: 'object=${object}&size=${size}&crc64=${crc64}&user=${x:user}',
      contentType: 'application/x-www-form-urlencoded', // or application/json
      customValue: { user: 'ana' },
    },
  });
  console.log(result.data); // what your server answered
  return result.data;
}

export async function postWithPolicy(file: File): Promise<string | null> {
  const policy = async ({ size }: { name: string; size: number; type: string }) =>
    (await fetch(`/api/post-policy?size=${size}`)).json();
  const result = await client.postObject('user/42/avatar.png', file, { policy });
  await client.postObject('notes/today.txt', new Blob(['hello']));
  return result.etag;
}

export function dropInByPolicy(form: HTMLFormElement): void {
  attachUploader(form, {
    bucket: 'my-bucket',
    region: 'oss-cn-hangzhou',
    policy: async () => (await fetch('/api/post-policy')).json(),
  }).detach();
}
