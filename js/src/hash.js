// CRC64 of a Blob, read in pieces of at most 1 MiB, with a task boundary after each piece
// (reads of data already buffered resolve as microtasks, which would chain into one long
// task), so the main thread is busy for one piece's CRC at a time: a few milliseconds.
//
// Reads go through a BYOB ("bring your own buffer") reader into ArrayBuffers kept in a small
// pool and reused part after part, so hashing makes no garbage for the JS heap to collect:
// fresh 1 MiB buffers per read grew the renderer by hundreds of MiB on a 1 GiB upload before
// the collector caught up. Browsers whose Blob streams lack BYOB readers read slices instead.
import { Crc64 } from './core.js';
import { fileUnreadable } from './errors.js';
import { nextTask } from './tasks.js';

const CHUNK = 1024 * 1024;
const POOL = 16;
const pool = [];
/**
 * The readers hashing now. Held here because nothing else holds them: a pending read of a
 * Blob's stream does not keep the stream alive in Chromium, so an unreferenced reader can be
 * collected mid-read and its read then never settles (seen as a part that never finished, one
 * 200 MiB upload in a few).
 */
const reading = new Set();

function byobReader(blob) {
  try {
    return blob.stream().getReader({ mode: 'byob' });
  } catch {
    return null;
  }
}

async function byByob(reader, crc) {
  let total = 0;
  let buffer = pool.pop() ?? new ArrayBuffer(CHUNK);
  for (;;) {
    const { done, value } = await reader.read(new Uint8Array(buffer));
    buffer = value.buffer;
    if (done) break;
    crc.update(value);
    total += value.length;
    await nextTask();
  }
  if (buffer.byteLength === CHUNK && pool.length < POOL) pool.push(buffer);
  return total;
}

async function bySlices(blob, crc) {
  for (let offset = 0; offset < blob.size; offset += CHUNK) {
    const bytes = new Uint8Array(await blob.slice(offset, offset + CHUNK).arrayBuffer());
    if (bytes.length !== Math.min(CHUNK, blob.size - offset)) return offset;
    crc.update(bytes);
  }
  return blob.size;
}

/** The CRC64 of `blob` as a decimal string; FileUnreadableError if it cannot all be read. */
export async function crc64Of(blob) {
  const crc = new Crc64();
  let total;
  const reader = byobReader(blob);
  const held = reader ?? blob;
  reading.add(held);
  try {
    total = await (reader ? byByob(reader, crc) : bySlices(blob, crc));
  } catch {
    crc.free();
    throw fileUnreadable();
  } finally {
    reading.delete(held);
  }
  if (total !== blob.size) {
    crc.free();
    throw fileUnreadable();
  }
  return crc.value();
}

/** Whether a picked File can still be read as planned (a changed or deleted file cannot). */
export async function readable(file, plannedSize) {
  if (file.size !== plannedSize) return false;
  let reader;
  try {
    reader = file.stream().getReader();
    reading.add(reader);
    await reader.read();
    reader.cancel();
    return true;
  } catch {
    return false;
  } finally {
    reading.delete(reader);
  }
}
