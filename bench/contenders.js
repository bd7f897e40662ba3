// The contenders, run in the page on the files picked into #files. Each resolves to the time
// the upload took; the longest main-thread task during it is watched by the Long Tasks API.
import OSS from '/pkg/index.js';

// Entries arrive after the fact: each is kept with its start, and only those that started
// during the upload count (not, say, the page taking in the picked files just before).
const longTasks = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) longTasks.push({ start: entry.startTime, ms: entry.duration });
}).observe({ type: 'longtask', buffered: true });
// Long Animation Frames name the scripts that ran in a long frame; a long task none of whose
// time is script (garbage collection, the process descheduled) shows up with none.
const longFrames = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) longFrames.push(entry);
}).observe({ type: 'long-animation-frame', buffered: true });

/** What ran during a long task: the scripts of the long animation frame that held it. */
function culprits(task) {
  const frame = longFrames.find((f) => f.startTime <= task.start + 1 && task.start < f.startTime + f.duration);
  if (!frame) return 'no frame recorded';
  const scripts = frame.scripts.map((sc) => `${sc.invoker || sc.sourceFunctionName || '?'} ${Math.round(sc.duration)} ms`);
  return scripts.length ? scripts.join('; ') : 'no script';
}

/** Runs `jobs` (functions returning promises) with at most `parallel` at once. */
async function pool(jobs, parallel) {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await jobs[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(parallel, jobs.length) }, worker));
}

const files = () => [...document.getElementById('files').files];

/**
 * One upload per file, each by `upload(file, i)`: all started at once when `together` (as a
 * page that hands a user's whole drop to one client does), else `parallel` at a time. Every
 * upload runs to its end, failed or not, so the time is the batch's; any failure fails it.
 */
async function uploadEach(list, { together, parallel }, upload) {
  const outcomes = [];
  const one = (file, i) => upload(file, i).then(() => {}, (e) => { outcomes[i] = e; });
  if (together) await Promise.all(list.map(one));
  else await pool(list.map((file, i) => () => one(file, i)), parallel);
  const failed = outcomes.filter(Boolean);
  if (failed.length) {
    const e = failed[0];
    throw Object.assign(new Error(`${failed.length} of ${list.length} files failed, first: ${e.name ?? 'Error'}: ${e.message}`), { name: e.name });
  }
}

/** fetch, tried again after a network failure up to `retries` times (link profiles reset). */
async function fetchWithRetries(url, init, retries) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await fetch(url, init);
    } catch (e) {
      if (attempt >= retries) throw e;
    }
  }
}

/** Reads a Blob through, 1 MiB at a time into one reused buffer, and drops the bytes. */
async function readThrough(blob) {
  const reader = blob.stream().getReader({ mode: 'byob' });
  let buffer = new ArrayBuffer(1 << 20);
  for (;;) {
    const { value, done } = await reader.read(new Uint8Array(buffer));
    buffer = value.buffer;
    if (done) return;
  }
}

const contenders = {
  // Plain fetch PUTs of the same Blob slices to presigned URLs: the practical limit. With
  // mode 'read', each slice is also read through while it is sent, as a hash would read it.
  // Several files share one pool of `parallel` requests, in file order.
  async raw({ plans, parallel, retries, mode }) {
    const etags = [];
    const jobs = [];
    files().forEach((file, f) => {
      etags[f] = [];
      for (const part of plans[f].parts) {
        jobs.push(async () => {
          const body = plans[f].single ? file : file.slice(part.start, part.end);
          const reading = mode === 'read' ? readThrough(body) : null;
          const [r] = await Promise.all([
            fetchWithRetries(part.url, { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream' } }, retries),
            reading,
          ]);
          if (!r.ok) throw new Error(`raw PUT ${r.status}`);
          etags[f].push({ number: part.number, etag: r.headers.get('etag') });
        });
      }
    });
    await pool(jobs, parallel);
    return { result: etags };
  },

  // `ours`: the client and upload options a variant changes; parallel and partSize only where
  // the workload sets them (link profiles keep the library's defaults). Several files are
  // uploads of one client. Returns the part size it used.
  async ours({ endpoint, id, secret, parallel, partSize, ours, client: clientOptions, prefix, together, method }) {
    const client = new OSS({ endpoint, bucket: 'demo-bucket', accessKeyId: id, accessKeySecret: secret, ...clientOptions });
    await client.ready;
    if (method) {
      // One request per file (put, postObject), with the client's own defaults.
      await uploadEach(files(), { together, parallel }, (file, i) => client[method](`${prefix}${i}`, file));
      return {};
    }
    let used;
    const opts = { ...ours, progress: (p, cpt) => { used = cpt?.partSize ?? used; } };
    if (partSize) opts.partSize = partSize;
    const list = files();
    if (list.length === 1) {
      if (parallel) opts.parallel = parallel;
      await client.multipartUpload(`${prefix}0`, list[0], opts);
    } else {
      await uploadEach(list, { together, parallel }, (file, i) => client.multipartUpload(`${prefix}${i}`, file, opts));
    }
    return { partSize: used };
  },

  async alioss({ port, id, secret, parallel, partSize, prefix, together, method }) {
    // Virtual-hosted: Chromium resolves demo-bucket.localhost to loopback.
    const client = new window.OSS({ endpoint: `http://localhost:${port}`, bucket: 'demo-bucket', accessKeyId: id, accessKeySecret: secret });
    if (method) {
      await uploadEach(files(), { together, parallel }, (file, i) => client[method](`${prefix}${i}`, file));
      return {};
    }
    const opts = partSize ? { partSize } : {};
    const list = files();
    if (list.length === 1) {
      await client.multipartUpload(`${prefix}0`, list[0], parallel ? { ...opts, parallel } : opts);
    } else {
      await uploadEach(list, { together, parallel }, (file, i) => client.multipartUpload(`${prefix}${i}`, file, opts));
    }
    return {};
  },
};

window.runContender = async (name, options) => {
  const started = performance.now();
  let outcome;
  try {
    outcome = { ok: true, ...(await contenders[name](options)) };
  } catch (e) {
    outcome = { ok: false, error: `${e.name ?? 'Error'}: ${e.message}` };
  }
  const ended = performance.now();
  // Let the last long-task entries arrive.
  await new Promise((r) => setTimeout(r, 50));
  const during = longTasks.filter((t) => t.start >= started && t.start <= ended);
  const longestTask = Math.max(0, ...during.map((t) => t.ms));
  return { ms: ended - started, longestTask, longTasks: during.map((t) => ({ at: t.start - started, ms: t.ms, what: culprits(t) })), ...outcome };
};
