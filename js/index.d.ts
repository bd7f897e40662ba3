// Types for oss-browser-upload. Names and shapes follow ali-oss's upload API.

export interface Credentials {
  accessKeyId: string;
  accessKeySecret: string;
  stsToken?: string;
}

/** What `refreshSTSToken` may resolve to: ali-oss's shape, or STS's own AssumeRole shape. */
export type RefreshedCredentials =
  | Credentials
  | { AccessKeyId: string; AccessKeySecret: string; SecurityToken: string; Expiration?: string };

/** What a `signer` is asked to sign: the request as it will be sent. */
export interface SignRequest {
  method: string;
  bucket: string;
  /** Empty for bucket-level requests. */
  key: string;
  /** Query parameters (`uploadId`, `partNumber`, …). */
  subresources: Record<string, string>;
  /** Lower-case names; includes `x-oss-date` (and `x-oss-content-sha256` for V4). */
  headers: Record<string, string>;
  version: 'v1' | 'v4';
  region: string;
  /** What V1 or V4 signs for this request, for a backend that signs it as given. */
  stringToSign: string;
  /** V4 only. */
  canonicalRequest?: string;
}

/** The `Authorization` header, or it plus headers the backend signed too (an STS token). */
export type Signature = string | { authorization: string; headers?: Record<string, string> };

export interface ClientOptions {
  /** `oss-cn-hangzhou.aliyuncs.com`, `https://…`, or a local `http://127.0.0.1:9000` (path-style). */
  endpoint?: string;
  /** `oss-cn-hangzhou`; used for the endpoint when none is given, and to scope V4 signatures. */
  region?: string;
  /** Optional, as in ali-oss: set it later with useBucket(). */
  bucket?: string;
  accessKeyId?: string;
  accessKeySecret?: string;
  stsToken?: string;
  /** Signs every request on your backend, so no key or token is in the page. Check the
   * request (method, bucket, key prefix) against the user before signing it. */
  signer?: (request: SignRequest) => Signature | Promise<Signature>;
  /** Called before the token is due and when OSS says it expired; one call at a time. */
  refreshSTSToken?: () => RefreshedCredentials | Promise<RefreshedCredentials>;
  /** Milliseconds between scheduled refreshes. Default 300000. */
  refreshSTSTokenInterval?: number;
  /** Sign with OSS4-HMAC-SHA256 instead of V1. Default false. */
  authorizationV4?: boolean;
  /** How long a request may go without progress before it is aborted and retried:
   * milliseconds, or a duration as ali-oss reads it (`'60s'`, `'2m'`). Where the body's bytes
   * can be watched (XMLHttpRequest) it is the time without a byte; with `transport: 'fetch'`
   * or in a service worker, a request with a body gets this plus its size at the measured
   * rate. The clock starts once the request has a connection. Default 60000. */
  timeout?: number | string;
  /** The most requests in flight to one host, all of this client's calls together; the rest
   * wait their turn here, earlier uploads first, rather than inside the browser. 1 to 64.
   * Default 6, what browsers hold per host over HTTP/1.1. */
  maxConnections?: number;
  /** `put()` sends an object of at most 1 MiB as a PostObject form the client signs for it,
   * which needs no CORS preflight; not with a callback, `x-oss-forbid-overwrite`, a storage
   * class, tagging or another header a form does not carry, a name with `${filename}`, a
   * `signer`, `transport: 'xhr'` or `headerEncoding: 'latin1'`. A form that fails goes again
   * by PutObject, and if that goes through, the client keeps to PutObject. Default `true`;
   * `false` keeps PutObject. */
  postObject?: boolean;
  /** ali-oss's: `'latin1'` sends each header value outside ASCII (Chinese `meta`) as the
   * bytes of its UTF-8, which OSS signs and stores as UTF-8, and reads header values back
   * as they come, one character per byte (`Buffer.from(v, 'latin1').toString()` gives the
   * text). Chromium and Firefox only; WebKit sends header text as UTF-8 itself. Default
   * `'utf-8'`: such values are refused, and UTF-8 read back is decoded. */
  headerEncoding?: 'utf-8' | 'latin1';
  /** How long a saved upload may wait to be resumed, in milliseconds. Default 7 days. */
  savedUploadMaxAge?: number;
  /** Check every part's and the object's CRC64 against OSS's. Default true. */
  crc64?: boolean;
  /** Retries per request after network errors, timeouts, 5xx and 429. Default 3. */
  retryMax?: number;
  /** Scheme when `endpoint` names none: https if true. Default: the page's own scheme, as ali-oss. */
  secure?: boolean;
  /** `endpoint` is the bucket's own domain: requests go to `/key` on it. */
  cname?: boolean;
  /** The bucket goes in the path (`/bucket/key`) on any endpoint, as ali-oss's `sldEnable`:
   * a private deployment or a proxy that has no per-bucket host names. An IP or `localhost`
   * endpoint is addressed so anyway. Default `false`. */
  sldEnable?: boolean;
  /** With `region`: the region's internal endpoint (`oss-cn-hangzhou-internal.aliyuncs.com`),
   * reachable from its VPC only, as ali-oss's `internal`. Default `false`. */
  internal?: boolean;
  /** By default requests with a body go with XMLHttpRequest where it exists, so a request is
   * judged by whether its bytes move, and `progress` is per part. `'xhr'` also reports each
   * request's bytes as they go out (not in service workers, which lack XMLHttpRequest);
   * `'fetch'` sends everything with fetch. Reads always use fetch. */
  transport?: 'fetch' | 'xhr';
}

/** ali-oss's `res`. */
export interface ResponseInfo {
  status: number;
  /** The same as `status`. */
  statusCode: number;
  /** Response headers the bucket's CORS rule exposes, lower-case names. */
  headers: Record<string, string>;
  /** Bytes of the answer's body. */
  size: number;
  /** Milliseconds from sending the request to the whole answer. */
  rt: number;
  /** The URL the request went to. */
  requestUrls: string[];
  requestId: string;
}

export interface RequestOptions {
  /** Aborts this call alone, at once. */
  signal?: AbortSignal;
  /** Per-request timeout for this call (milliseconds or `'60s'`); overrides the client's. */
  timeout?: number | string;
}

export interface ObjectOptions extends RequestOptions {
  /** Content-Type; default: from the File's name, else the Blob's type, else from the
   * object name (ali-oss's order), by the extension as the `mime` package maps it (its
   * standard types and the common of its others); else `application/octet-stream`. */
  mime?: string;
  /** Stored as `x-oss-meta-<key>` headers. */
  meta?: Record<string, string | number | boolean>;
  /** Further headers: Cache-Control, Content-Disposition, x-oss-forbid-overwrite, … */
  headers?: Record<string, string>;
  /** Check CRC64 end to end for this upload; overrides the client's `crc64`. */
  crc64?: boolean;
  /** Called with 1 once the object exists; with `transport: 'xhr'` also as bytes go out. */
  progress?: Progress;
  /** Have OSS call your server once the object is stored; its answer is the result's `data`. */
  callback?: UploadCallback;
}

/** ali-oss's `callback`: OSS posts `body` to `url` once the object is stored. */
export interface UploadCallback {
  /** Your server's URL (encodeURI'd; up to 5, separated by `;`). */
  url: string;
  /** `${bucket}`, `${object}`, `${etag}`, `${size}`, `${mimeType}`, `${crc64}`, `${x:name}`. */
  body: string;
  /** The Host header of the callback request. */
  host?: string;
  /** `application/x-www-form-urlencoded` (default) or `application/json`. */
  contentType?: string;
  callbackSNI?: boolean;
  /** Values for `${x:name}` in `body`. */
  customValue?: Record<string, string | number | boolean>;
}

export interface DonePart {
  number: number;
  etag: string;
  /** The part's CRC64 as a decimal string, when known. */
  crc64?: string;
}

/** From part `from` on, parts have `partSize` bytes. */
export interface PartSizeChange {
  from: number;
  partSize: number;
}

/** ali-oss's checkpoint; pass it back as `checkpoint` to resume. */
export interface Checkpoint {
  file: File | Blob;
  name: string;
  fileSize: number;
  /** The size of the first parts (of all of them, unless `partSizeChanges`). */
  partSize: number;
  /** Where the part size changed as the upload measured the link: present (even empty) when
   * no `partSize` was passed. ali-oss's checkpoints have none; never give one that has it to
   * ali-oss, which places parts by `partSize` alone. */
  partSizeChanges?: PartSizeChange[];
  uploadId: string;
  doneParts: DonePart[];
}

export type Progress = (
  percentage: number,
  checkpoint: Checkpoint | null,
  res: ResponseInfo | null,
) => void | Promise<void>;

export interface MultipartUploadOptions extends ObjectOptions {
  /** The most parts in flight at once. Default 5, fewer for a while after a part times out;
   * passed, exactly this many. */
  parallel?: number;
  /** Bytes per part, 100 KiB to 5 GiB (raised to stay within 10 000 parts). Default: the
   * first parts are the file over 4 × `parallel`, in whole MiB, from 1 to 8 MiB; later parts
   * follow the link, 1 to 64 MiB (larger where each request's round trip costs much, smaller
   * near the end and after a timeout). Passed, every part has this size. */
  partSize?: number;
  /** After init, after each part, and with 1 only once the object exists; with
   * `transport: 'xhr'` also as bytes go out (then `res` is null). */
  progress?: Progress;
  /** Resume: checked against the server's part list before anything is sent. */
  checkpoint?: Checkpoint;
  /** Look for (and keep) this upload in IndexedDB, to resume after a reload. Default true. */
  resume?: boolean;
}

export interface PutStreamOptions extends ObjectOptions {
  /** The stream's length, if known: checked at its end (nothing is stored if it differs),
   * used for progress and to raise `partSize` to stay within 10 000 parts. */
  contentLength?: number;
  /** Parts in flight at once; at most `parallel` parts of the stream are held. Default 5. */
  parallel?: number;
  /** Bytes per part, 100 KiB to 5 GiB. Default 1 MiB, or with `contentLength` as for
   * multipartUpload. A stream that fits in one part is sent as one PutObject. */
  partSize?: number;
  /** As for multipartUpload; without `contentLength` the fraction stays 0 until the end. */
  progress?: Progress;
}

/** An upload saved in IndexedDB; picking its file again resumes it (or passing its `handle`
 * where there is one). Holds no secrets. */
export interface SavedUpload {
  fingerprint: string;
  name: string;
  bucket: string;
  fileName: string;
  fileSize: number;
  lastModified: number;
  fileType: string;
  uploadId: string;
  partSize: number;
  partSizeChanges?: PartSizeChange[];
  bytesDone: number;
  updatedAt: number;
  /** The file's handle, when it was uploaded from one (File System Access, Chromium):
   * `multipartUpload(entry.name, entry.handle)` resumes it without the file being picked
   * again, from a click where the browser must ask to read it again after a reload. */
  handle?: FileSystemFileHandle;
}

export interface PutResult {
  name: string;
  url: string;
  /** `null` when the bucket's CORS rule hides `ETag`: the object is stored all the same (a console note says to expose it). */
  etag: string | null;
  /** The object's CRC64 (decimal string) as OSS reported it, if the CORS rule exposes it. */
  crc64: string | null;
  res: ResponseInfo;
  /** With `callback`: what your callback server answered (parsed JSON). */
  data?: unknown;
}

export interface MultipartUploadResult {
  name: string;
  bucket: string;
  /** `null` when the bucket's CORS rule hides `ETag`: the object is stored all the same (a console note says to expose it). */
  etag: string | null;
  /** The object's CRC64 (decimal string) as OSS reported it, if the CORS rule exposes it. */
  crc64: string | null;
  res: ResponseInfo;
  /** With `callback`: what your callback server answered (parsed JSON). */
  data?: unknown;
}

export interface InitMultipartUploadResult {
  bucket: string;
  name: string;
  uploadId: string;
  res: ResponseInfo;
}

export interface UploadPartResult {
  name: string;
  etag: string;
  res: ResponseInfo;
}

export interface ListedPart {
  PartNumber: number;
  ETag: string;
  Size: number;
  HashCrc64ecma: string | null;
}

export interface ListPartsResult {
  uploadId: string;
  bucket: string;
  name: string;
  /** Always false: every page is fetched. */
  isTruncated: false;
  parts: ListedPart[];
  res: ResponseInfo;
}

export interface ListUploadsQuery {
  prefix?: string;
  'max-uploads'?: number;
  'key-marker'?: string;
  'upload-id-marker'?: string;
}

export interface ListUploadsResult {
  uploads: { name: string; uploadId: string; initiated: string }[];
  bucket: string;
  nextKeyMarker: string;
  nextUploadIdMarker: string;
  isTruncated: boolean;
  res: ResponseInfo;
}

export interface HeadResult {
  status: number;
  /** The object's `x-oss-meta-*` headers the CORS rule exposes, without the prefix; null
   * when there are none (as ali-oss). */
  meta: Record<string, string> | null;
  res: ResponseInfo;
}

/** get()'s bytes; `toString()` decodes them as UTF-8 (or the encoding given), as ali-oss's
 * Buffer does. */
export interface Content extends Uint8Array {
  toString(encoding?: string): string;
}

export interface GetResult {
  content: Content;
  res: ResponseInfo;
}

export interface GetOptions extends RequestOptions {
  /** Request headers: `Range`, `If-Match`, `If-Modified-Since`, … */
  headers?: Record<string, string>;
  /** Signed parameters, e.g. `{'response-content-type': 'text/csv'}`. */
  subres?: Record<string, string>;
  versionId?: string;
  /** `x-oss-process`. */
  process?: string;
  /** `null`: the answer keeps the object's own Cache-Control, as ali-oss's; by default it is
   * asked for with `no-cache`. */
  responseCacheControl?: null;
}

export interface ListQuery {
  prefix?: string;
  marker?: string;
  /** Default 100, at most 1000. */
  'max-keys'?: number;
  /** Roll names up to this character into `prefixes` (a folder view with `'/'`). */
  delimiter?: string;
}

export interface ListV2Query {
  prefix?: string;
  'continuation-token'?: string;
  continuationToken?: string;
  'start-after'?: string;
  'max-keys'?: number;
  delimiter?: string;
  /** Name each object's owner (ListObjectsV2 leaves it out otherwise). */
  'fetch-owner'?: boolean;
}

export interface ListedObject {
  name: string;
  /** The object's URL (not signed). */
  url: string;
  size: number;
  etag: string;
  lastModified: string;
  /** `Normal`, `Multipart` or `Appendable`. */
  type: string;
  storageClass: string;
  owner: { id: string; displayName: string } | null;
}

export interface ListResult {
  objects: ListedObject[];
  /** The common prefixes of a listing with `delimiter`; null when none. */
  prefixes: string[] | null;
  nextMarker: string | null;
  isTruncated: boolean;
  res: ResponseInfo;
}

export interface ListV2Result {
  objects: ListedObject[];
  prefixes: string[] | null;
  isTruncated: boolean;
  keyCount: number;
  continuationToken: string | null;
  nextContinuationToken: string | null;
  res: ResponseInfo;
}

/** The form fields a backend signed for PostObject, as OSS's own samples return them
 * (`accessid`, `policy`, `signature`; V4: `x_oss_signature_version`, `x_oss_credential`,
 * `x_oss_date`, `signature`; `security_token` with STS) or as form field names
 * (`OSSAccessKeyId`, `Signature`, `x-oss-…`). `host`, `dir` and `expire` are ignored. */
export type PostPolicyFields = Record<string, string | number>;

export interface PostObjectOptions extends ObjectOptions {
  /** The fields your backend signed, or a function of the file that fetches them. Without
   * it the client signs a policy for this object alone with its own credentials (V4 when
   * `authorizationV4`). */
  policy?: PostPolicyFields | ((file: { name: string; size: number; type: string }) => PostPolicyFields | Promise<PostPolicyFields>);
}

export interface AppendOptions extends ObjectOptions {
  /** Where this data goes: 0 for a new object, else the last result's nextAppendPosition. */
  position?: number | string;
}

export interface AppendResult extends PutResult {
  /** Where the next append goes. */
  nextAppendPosition: string;
}

export interface CopyOptions extends RequestOptions {
  /** Headers for the copy; Content-Type and the like replace the source's. */
  headers?: Record<string, string>;
  /** Replaces the source's x-oss-meta-*. */
  meta?: Record<string, string | number | boolean>;
  /** The source's version. */
  versionId?: string;
}

export interface CopyResult {
  /** null when OSS answered without a body. */
  data: { etag: string; lastModified: string } | null;
  res: ResponseInfo;
}

/** An option one letter from a known one, case, hyphens and underscores aside (`expire`,
 * `Expires`, `contentType`), is an `ArgumentError`; other unknown options are ignored with a
 * console note, as ali-oss ignores them. */
export interface SignatureUrlOptions {
  /** Seconds the URL stays valid. Default 1800. */
  expires?: number;
  method?: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD';
  /** Signed: the request must send this Content-Type. */
  'Content-Type'?: string;
  /** Signed: the request must send this Content-MD5. */
  'Content-MD5'?: string;
  /** Have OSS call your server once a PUT through this URL stored the object. */
  callback?: UploadCallback;
  /** Override the download's headers, e.g. `{'content-disposition': 'attachment; filename="a.pdf"'}` (sent as `response-*` parameters).
   * Only OSS's six overrides (content-type, content-language, expires, cache-control,
   * content-disposition, content-encoding), in any case: any other key is an `ArgumentError`. */
  response?: Record<string, string>;
  /** `x-oss-process`, e.g. `'image/resize,w_200'`. */
  process?: string;
  /** `x-oss-traffic-limit`, in bit/s. */
  trafficLimit?: number;
  subResource?: Record<string, string>;
  /** `x-oss-*` headers the request must send, signed (e.g. `x-oss-forbid-overwrite`). */
  [header: `x-oss-${string}`]: string | number | undefined;
}

/** Every rejection is an Error of this shape. */
export interface OSSError extends Error {
  /** `<Code>Error` for OSS errors (`SignatureDoesNotMatchError`), or `RequestError`,
   * `ConnectionTimeoutError`, `ArgumentError`, `ETagNotExposedError`, `InconsistentError`,
   * `FileUnreadableError`, `FilePermissionError`, `UploadInProgressError`, `CredentialsError`, `StreamError`,
   * `CallbackFailedError` (status 203: stored, but the callback failed), `cancel`. */
  name: string;
  /** OSS's error code, e.g. `NoSuchUpload`. */
  code: string;
  /** The HTTP status; as ali-oss, -1 for a network failure, -2 for a timeout, 0 for a
   * refused argument or a cancel. */
  status: number;
  requestId: string;
  hostId: string;
  /** For multipart uploads: resume from here. */
  checkpoint?: Checkpoint;
  /** For multipart uploads: the part that failed. A part whose upload ID is gone (aborted
   * elsewhere) rejects with the name `abort`, as ali-oss. */
  partNum?: number;
}

/** ali-oss's `OSS.Buffer`: the `buffer` package's Buffer, a Uint8Array with Node's methods. */
export interface BufferClass {
  from(data: string | ArrayBuffer | ArrayLike<number>, encoding?: string): Uint8Array & { toString(encoding?: string): string };
  isBuffer(value: unknown): boolean;
}

/** Construct with or without `new`, as ali-oss. */
declare const OSS: {
  new (options: ClientOptions): OSS;
  (options: ClientOptions): OSS;
  prototype: OSS;
  /** ali-oss's `OSS.Buffer`, to upload text and bytes as ali-oss apps do. */
  Buffer: BufferClass;
};

interface OSS {
  /** Resolves once the wasm module is loaded and the options are checked. */
  readonly ready: Promise<OSS>;
  /** ali-oss's `client.options`: the options as this client reads them; changing it changes
   * nothing. Undefined until `ready` resolves. */
  readonly options: Readonly<Record<string, unknown>> | undefined;
  /** ali-oss's: when the credentials in hand were had (the client's making until the first
   * arrive). Undefined until `ready` resolves. */
  readonly stsTokenFreshTime: Date | undefined;
  /** ali-oss's `userAgent`: `oss-browser-upload/<version>` and the browser's own user agent
   * (ali-oss: `aliyun-sdk-js/<version> <platform>`). Undefined until the wasm is loaded. */
  readonly userAgent: string | undefined;
  put(
    name: string,
    data: File | Blob | ArrayBuffer | ArrayBufferView | string,
    options?: ObjectOptions,
  ): Promise<PutResult>;
  /** Uploads a stream of bytes (of known or unknown length) through the same engine as files,
   * reading it only as fast as parts are sent. Not resumable: a stream is read once, so a
   * failed or cancelled upload drops its parts. */
  putStream(
    name: string,
    stream: ReadableStream<Uint8Array | ArrayBuffer | ArrayBufferView>,
    options?: PutStreamOptions,
  ): Promise<PutResult>;
  /** `file` may be a FileSystemFileHandle: the handle is kept with the saved upload, so it
   * resumes after a reload from `listSavedUploads()` without the file being picked again; a
   * file changed since (size or date) starts afresh and its old upload is aborted. */
  multipartUpload(
    name: string,
    file: File | Blob | ArrayBuffer | ArrayBufferView | FileSystemFileHandle,
    options?: MultipartUploadOptions,
  ): Promise<MultipartUploadResult>;
  /** PostObject: uploads `data` in one `multipart/form-data` POST authorised by a policy
   * (`options.policy`, or one signed here): no custom header, so no CORS preflight. A policy
   * the upload breaks rejects with OSS's error naming the condition (`AccessDenied`,
   * `EntityTooLarge`, `EntityTooSmall`). Byte-level progress needs `transport: 'xhr'`, whose
   * upload listeners make the browser preflight the form after all. */
  postObject(
    name: string,
    data: File | Blob | ArrayBuffer | ArrayBufferView | string,
    options?: PostObjectOptions,
  ): Promise<PutResult>;
  /** AppendObject: adds `data` at `options.position` of an appendable object. */
  append(
    name: string,
    data: File | Blob | ArrayBuffer | ArrayBufferView | string,
    options?: AppendOptions,
  ): Promise<AppendResult>;
  initMultipartUpload(name: string, options?: ObjectOptions): Promise<InitMultipartUploadResult>;
  uploadPart(
    name: string,
    uploadId: string,
    partNo: number,
    file: File | Blob,
    start: number,
    end: number,
    options?: RequestOptions,
  ): Promise<UploadPartResult>;
  completeMultipartUpload(
    name: string,
    uploadId: string,
    parts: DonePart[],
    options?: RequestOptions & { callback?: UploadCallback },
  ): Promise<MultipartUploadResult>;
  /** Every part (all pages): ali-oss's `query` is accepted and not needed. */
  listParts(name: string, uploadId: string, query?: object, options?: RequestOptions): Promise<ListPartsResult>;
  listUploads(query?: ListUploadsQuery, options?: RequestOptions): Promise<ListUploadsResult>;
  abortMultipartUpload(name: string, uploadId: string, options?: RequestOptions): Promise<{ res: ResponseInfo }>;
  head(name: string, options?: RequestOptions): Promise<HeadResult>;
  /** HEAD ?objectMeta: size, ETag and dates without the metadata. */
  getObjectMeta(name: string, options?: RequestOptions): Promise<{ status: number; res: ResponseInfo }>;
  /** Reads the object from OSS, never from the browser's HTTP cache; a 304 (your own
   *  `If-None-Match` or `If-Modified-Since`) resolves with `res.status` 304. */
  get(name: string, options?: GetOptions): Promise<GetResult>;
  delete(name: string, options?: RequestOptions): Promise<{ res: ResponseInfo }>;
  /** DeleteMultipleObjects; `quiet` leaves the deleted keys out of the answer. */
  deleteMulti(
    names: (string | { key: string; versionId?: string })[],
    options?: RequestOptions & { quiet?: boolean },
  ): Promise<{ deleted: { Key: string }[]; res: ResponseInfo }>;
  /** CopyObject from `source` (in `sourceBucket`, default this bucket). */
  copy(name: string, source: string, sourceBucket?: string | CopyOptions, options?: CopyOptions): Promise<CopyResult>;
  /** Replaces the object's x-oss-meta-* (a copy onto itself). */
  putMeta(name: string, meta: Record<string, string | number | boolean>, options?: RequestOptions): Promise<CopyResult>;
  /** Objects in the bucket, one page (ListObjects). */
  list(query?: ListQuery, options?: RequestOptions): Promise<ListResult>;
  /** Objects in the bucket, one page (ListObjectsV2). */
  listV2(query?: ListV2Query, options?: RequestOptions): Promise<ListV2Result>;
  signatureUrl(name: string, options?: SignatureUrlOptions): string;
  /** The V1 fields of a PostObject form whose policy is `policy` (an object, or its JSON
   * text), signed with the credentials in hand, as ali-oss's. */
  calculatePostSignature(policy: object | string): { OSSAccessKeyId: string; Signature: string; policy: string };
  /** The `x-oss-signature` (hex) of a V4 PostObject form whose policy is `policy`, for the
   * day of `date`, in the client's region, as ali-oss's. */
  signPostObjectPolicyV4(policy: object | string, date: Date): string;
  /** signatureUrl() once the STS token is fresh (refreshed first when due). */
  asyncSignatureUrl(name: string, options?: SignatureUrlOptions): Promise<string>;
  /** A V4 presigned URL, as ali-oss's: `expires` in seconds; `additionalHeaders` names
   * further headers of `request.headers` to sign. */
  signatureUrlV4(
    method: string,
    expires: number,
    request?: { headers?: Record<string, string>; queries?: Record<string, string> },
    objectName?: string,
    additionalHeaders?: string[],
  ): Promise<string>;
  /** `baseUrl` (default: the endpoint, without the bucket) + the name, unsigned. */
  getObjectUrl(name: string, baseUrl?: string): string;
  /** As getObjectUrl, but the default base is the bucket's URL. */
  generateObjectUrl(name: string, baseUrl?: string): string;
  /** The bucket later calls go to; calls under way keep theirs. */
  useBucket(name: string): OSS;
  setBucket(name: string): OSS;
  getBucket(): string | undefined;
  /** Saved uploads of this bucket, newest first. */
  listSavedUploads(): Promise<SavedUpload[]>;
  /** Forgets one (by fingerprint or entry); `{abort: true}` also aborts it on the server. */
  forgetSavedUpload(which: string | SavedUpload, options?: { abort?: boolean } & RequestOptions): Promise<void>;
  /** Stops every call of this client at once; with `{name, uploadId}` also aborts that
   * upload on the server. */
  cancel(abort?: { name: string; uploadId: string; options?: RequestOptions }): void;
  /** With an error: whether it is a cancel's. Without: ali-oss's flag, set by cancel() and
   * abortMultipartUpload(), cleared by resetCancelFlag() and each multipartUpload(). */
  isCancel(err?: unknown): err is OSSError;
  resetCancelFlag(): void;
}

export default OSS;
export { OSS };
