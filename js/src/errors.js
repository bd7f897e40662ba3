// Every failure that reaches the caller is an Error with `name`, `code`, `status`,
// `requestId` and `hostId` (ali-oss's shape), and a message that says what to do.

/** ali-oss names a cancelled upload's error `cancel`; users test for it. */
export const CANCEL = 'cancel';

export function fail(name, code, message, fields) {
  const e = new Error(message);
  e.name = name;
  return Object.assign(e, { code, status: 0, requestId: '', hostId: '' }, fields);
}

export const argument = (message) => fail('ArgumentError', 'InvalidArgument', message);

export const credentials = (message) => fail('CredentialsError', 'InvalidCredentials', message);

export const network = (detail) => fail('RequestError', 'RequestError',
  `The request failed before OSS answered (${detail}). Check the network, the endpoint, and that the bucket's CORS rules allow this origin.`);

export const timeout = (ms) => fail('ConnectionTimeoutError', 'ConnectionTimeout',
  `No answer within ${ms} ms; raise \`timeout\` for slow links or smaller \`partSize\`.`);

export const cancelled = () => fail(CANCEL, 'Cancelled',
  'The upload was cancelled; pass the checkpoint back to resume it.');

export const etagNotExposed = () => fail('ETagNotExposedError', 'ETagNotExposed',
  'OSS answered, but the browser hides its ETag header: add ETag (and x-oss-request-id, x-oss-hash-crc64ecma) to ExposeHeaders in the bucket\'s CORS rules.');

export const fileUnreadable = () => fail('FileUnreadableError', 'FileUnreadable',
  'The browser can no longer read the file: it was moved, changed or deleted after it was picked. Pick it again; a saved upload resumes.');

/** The server's CRC64 disagrees with ours (oss2 names this InconsistentError). */
export const inconsistent = (what, ours, theirs) => fail('InconsistentError', 'InconsistentError',
  `The CRC64 of ${what} differs between this browser (${ours}) and OSS (${theirs}): the bytes changed in transit or in storage. Upload it again.`);

/** The stream given to putStream failed while it was read. */
export const streamFailed = (detail) => fail('StreamError', 'StreamError',
  `The stream failed while it was read (${detail}); nothing was stored. Upload it again from a fresh stream.`);

export const inProgress = () => fail('UploadInProgressError', 'UploadInProgress',
  'This file is already uploading to this object (in another tab or call): wait for that upload or cancel it, then try again.');

export const badResponse = (status, detail) => fail('ResponseError', 'InvalidResponse',
  `OSS sent an answer this client cannot read: ${detail}.`, { status });

/**
 * An error answer: OSS's error XML read by the core (`[code, message, requestId, hostId,
 * extra]`, its further fields such as ServerTime set on the error as ali-oss does), or, with
 * no such body, one named for the status.
 */
export function fromAnswer(status, parsed, requestId) {
  if (parsed) {
    const [code, message, rid, hostId, extra] = parsed;
    const e = fail(`${code}Error`, code, message || `OSS answered ${status} ${code}`,
      { status, requestId: rid, hostId });
    for (const [k, v] of extra) if (k !== 'StringToSignBytes') e[k] = v;
    return e;
  }
  const code = status === 403 ? 'AccessDenied' : status === 404 ? 'NotFound' : status >= 500 ? 'ServerError' : 'UnknownError';
  return fail(`${code}Error`, code, `OSS answered ${status} with no error details.`, { status, requestId });
}

/** The message of whatever a callback threw or rejected with. */
export const messageOf = (e) => (e && e.message) || String(e);
