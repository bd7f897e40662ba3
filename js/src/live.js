// Byte-level progress for the XHR transport: the bytes of the parts in flight, as the browser
// reports them going out, added to the bytes of the parts done, passed to the same
// `progress(p, checkpoint, res)` callback as the per-part calls (with `res` null). Never goes
// backwards, and always carries the latest checkpoint (ali-oss users keep what progress gives).
export class Live {
  #user;
  #total;
  #done = 0;
  #sending = new Map();
  #checkpoint = null;
  #shown = 0;

  constructor(user, total) {
    this.#user = user;
    this.#total = total;
  }

  /** The `onProgress(bytesSent)` of part `number`'s request. */
  hook(number) {
    return (sent) => {
      this.#sending.set(number, sent);
      let bytes = this.#done;
      for (const b of this.#sending.values()) bytes += b;
      const p = Math.min(bytes / this.#total, 0.9999);
      if (p > this.#shown) {
        this.#shown = p;
        this.#user(p, this.#checkpoint, null);
      }
    };
  }

  partDone(number, length) {
    this.#sending.delete(number);
    this.#done += length;
  }

  /** The fraction a per-part call reports: never below what the bytes already showed. */
  perPart(p, checkpoint) {
    this.#checkpoint = checkpoint;
    this.#shown = Math.max(this.#shown, p);
    return this.#shown;
  }
}
