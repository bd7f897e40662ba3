// A ReadableStream cut into parts for putStream: read once, in order, one part at a time, and
// only when the engine asks for the next part, so at most `parallel` parts (plus the one being
// gathered) are held at once whatever the stream's length. Each part becomes a Blob, so from
// there on it travels the same road as a slice of a File.
import { argument, cancelled, streamFailed, messageOf } from './errors.js';

const MAX_PARTS = 10000;

function bytesOf(chunk) {
  if (chunk instanceof Uint8Array) return chunk;
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw argument('putStream() reads bytes, but the stream gave something else: pipe text through a TextEncoderStream first');
}

/**
 * The readers of streams being uploaded, held for as long as they are read: a pending read
 * does not keep a platform stream (a fetch body, a Blob's stream) alive, and one collected
 * mid-read never settles (see hash.js).
 */
const reading = new Set();

/** Rejects with a cancel once `signal` aborts (never resolves). */
const aborted = (signal) => new Promise((_, reject) => {
  const stop = () => reject(cancelled());
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });
});

export class StreamParts {
  #reader;
  #partSize;
  #expected;
  #carry = null;
  #ahead = null;
  #ended = false;
  #next = 1;
  /** The upload's cancel, as a promise each read races (one listener, not one per read). */
  #stop = null;
  /** Bytes handed out as parts so far: the stream's length once it ended. */
  total = 0;

  /** `expected`: the caller's contentLength, or undefined. */
  constructor(stream, partSize, expected) {
    if (stream.locked) throw argument('the stream is locked: another reader is reading it');
    this.#reader = stream.getReader();
    reading.add(this.#reader);
    this.#partSize = partSize;
    this.#expected = expected;
  }

  async #read(signal) {
    let result;
    try {
      if (!this.#stop) {
        this.#stop = aborted(signal);
        this.#stop.catch(() => {});
      }
      result = await Promise.race([this.#reader.read(), this.#stop]);
    } catch (e) {
      throw e?.name === 'cancel' ? e : streamFailed(messageOf(e));
    }
    return result.done ? null : bytesOf(result.value);
  }

  async #gather(signal) {
    if (this.#ended && !this.#carry && this.#next > 1) return null;
    const chunks = [];
    let have = 0;
    while (have < this.#partSize) {
      let chunk = this.#carry;
      this.#carry = null;
      if (!chunk) {
        if (this.#ended) break;
        chunk = await this.#read(signal);
        if (!chunk) {
          this.#end();
          break;
        }
      }
      const room = this.#partSize - have;
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, room));
        this.#carry = chunk.subarray(room);
        have += room;
      } else {
        chunks.push(chunk);
        have += chunk.length;
      }
    }
    if (have === 0 && this.#next > 1) return null;
    return new Blob(chunks);
  }

  /** The whole stream as one Blob if it fits in one part (one chunk of peeking decides). */
  async whole(signal) {
    const first = await this.#gather(signal);
    if (!first) return null;
    if (!this.#ended && !this.#carry) {
      const chunk = await this.#read(signal);
      if (chunk) this.#carry = chunk;
      else this.#end();
    }
    if (this.#ended && !this.#carry) {
      this.#checkLength(first.size);
      return first;
    }
    this.#ahead = first;
    return null;
  }

  /**
   * The next part as `[number, blob]`, or null at the stream's end. `done` is for a File's
   * parts (a stream has none done before it starts).
   */
  async next(done, signal) {
    const part = this.#ahead ?? (await this.#gather(signal));
    this.#ahead = null;
    if (!part) {
      this.#checkLength(this.total);
      return null;
    }
    if (this.#next > MAX_PARTS) {
      throw argument(`the stream is longer than 10000 parts of ${this.#partSize} bytes: pass a larger partSize, or contentLength`);
    }
    this.total += part.size;
    return [this.#next++, part];
  }

  #checkLength(total) {
    if (this.#expected !== undefined && this.#expected !== total) {
      throw argument(`the stream gave ${total} bytes, but contentLength is ${this.#expected}: nothing was stored`);
    }
  }

  #end() {
    this.#ended = true;
    reading.delete(this.#reader);
  }

  cancel() {
    reading.delete(this.#reader);
    this.#reader.cancel().catch(() => {});
  }
}
