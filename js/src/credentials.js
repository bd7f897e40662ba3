// The keys requests are signed with, and the page's clock as OSS sees it.
//
// STS refresh is single-flight: however many parts fail at once with an expired token, one
// call to `refreshSTSToken` is made and every part waits for it (ali-oss #1363 and #1391
// describe the race this avoids: parallel parts each refreshing, and some signing with a
// token already replaced). A part that failed with a token someone else already replaced
// just retries with the new one.
import { parseTime } from './core.js';
import { credentials as credentialsError, messageOf } from './errors.js';

const field = (v, names) => names.map((n) => v?.[n]).find((x) => typeof x === 'string' && x !== '');

/** ali-oss's `{accessKeyId, accessKeySecret, stsToken}` or STS's own `{AccessKeyId, …, SecurityToken}`. */
function parseRefreshed(v) {
  const accessKeyId = field(v, ['accessKeyId', 'AccessKeyId']);
  const accessKeySecret = field(v, ['accessKeySecret', 'AccessKeySecret']);
  if (!accessKeyId || !accessKeySecret) {
    throw credentialsError('refreshSTSToken() must resolve to {accessKeyId, accessKeySecret, stsToken}');
  }
  return { accessKeyId, accessKeySecret, stsToken: field(v, ['stsToken', 'SecurityToken', 'securityToken']) || null };
}

export class Signer {
  #current;
  #refresh;
  #intervalMs;
  #refreshedAt;
  #inFlight = null;
  /** Server time minus page time, learnt from RequestTimeTooSkewed. */
  #clockOffsetMs = 0;

  constructor(current, refresh, intervalMs) {
    this.#current = current;
    this.#refresh = refresh;
    this.#intervalMs = intervalMs;
    this.#refreshedAt = current ? Date.now() : -Infinity;
  }

  get canRefresh() {
    return Boolean(this.#refresh);
  }

  /** Whether the keys in use are long-term ones (no STS token and nothing to refresh them). */
  get isLongTerm() {
    return !this.#refresh && Boolean(this.#current) && !this.#current.stsToken;
  }

  /** The keys in hand, if any (for signatureUrl, which is synchronous). */
  get current() {
    return this.#current;
  }

  /** The credentials to sign with now, refreshed first when they are due. */
  async credentials() {
    const due = this.#refresh && Date.now() - this.#refreshedAt >= this.#intervalMs;
    return this.#current && !due ? this.#current : this.refresh(null);
  }

  /**
   * New credentials. `stale` is the token a failed request used: if it was replaced
   * meanwhile, the replacement is returned without another refresh.
   */
  refresh(stale) {
    if (stale && this.#current && this.#current.stsToken !== stale) return Promise.resolve(this.#current);
    if (!this.#inFlight) {
      if (!this.#refresh) {
        return Promise.reject(credentialsError('the STS token expired and no `refreshSTSToken` was given to renew it'));
      }
      this.#inFlight = (async () => {
        try {
          let got;
          try {
            got = await this.#refresh();
          } catch (e) {
            throw credentialsError(`refreshSTSToken() failed: ${messageOf(e)}`);
          }
          this.#current = parseRefreshed(got);
          this.#refreshedAt = Date.now();
          return this.#current;
        } finally {
          this.#inFlight = null;
        }
      })();
    }
    return this.#inFlight;
  }

  /** Seconds since the epoch by the server's clock, as far as we know it. */
  nowSecs() {
    return Math.max(0, Math.floor((Date.now() + this.#clockOffsetMs) / 1000));
  }

  /** Learns the server's clock from a RequestTimeTooSkewed answer; false if unreadable. */
  correctClock(serverTime) {
    const server = typeof serverTime === 'string' ? parseTime(serverTime) : NaN;
    if (Number.isNaN(server)) return false;
    this.#clockOffsetMs = server - Date.now();
    return true;
  }
}
