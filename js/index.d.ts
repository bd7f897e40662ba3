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
  bucket: string;
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
  /** Per-request timeout in milliseconds. Default 60000. */
  timeout?: number;
  /** How long a saved upload may wait to be resumed, in milliseconds. Default 7 days. */
  savedUploadMaxAge?: number;
  /** Check every part's and the object's CRC64 against OSS's. Default true. */
  crc64?: boolean;
  /** Retries per request after network errors, timeouts, 5xx and 429. Default 3. */
  retryMax?: number;
  /** Scheme when `endpoint` names none. Default true (https). */
  secure?: boolean;
  /** `endpoint` is the bucket's own domain: requests go to `/key` on it. */
  cname?: boolean;
  /** `'xhr'` sends with XMLHttpRequest so that `progress` also reports the bytes of each
   * request as they go out (fetch cannot); same retries, timeouts and cancel. Not in service
   * workers, which lack XMLHttpRequest. Default `'fetch'`. */
  transport?: 'fetch' | 'xhr';
}

export interface ResponseInfo {
  status: number;
  /** Response headers the bucket's CORS rule exposes, lower-case names. */
  headers: Record<string, string>;
  requestId: string;
}

export interface RequestOptions {
  /** Aborts this call alone, at once. */
  signal?: AbortSignal;
  /** Per-request timeout for this call, in milliseconds; overrides the client's. */
  timeout?: number;
}

export interface ObjectOptions extends RequestOptions {
  /** Content-Type; default: the File's type, else guessed from the name. */
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

/** ali-oss's checkpoint; pass it back as `checkpoint` to resume. */
export interface Checkpoint {
  file: File | Blob;
  name: string;
  fileSize: number;
  partSize: number;
  uploadId: string;
  doneParts: DonePart[];
}

export type Progress = (
  percentage: number,
  checkpoint: Checkpoint | null,
  res: ResponseInfo | null,
) => void | Promise<void>;

export interface MultipartUploadOptions extends ObjectOptions {
  /** Parts in flight at once. Default 5. */
  parallel?: number;
  /** Bytes per part, 100 KiB to 5 GiB. Default 1 MiB, raised to stay within 10 000 parts. */
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
  /** Bytes per part, 100 KiB to 5 GiB. Default 1 MiB. A stream that fits in one part is
   * sent as one PutObject. */
  partSize?: number;
  /** As for multipartUpload; without `contentLength` the fraction stays 0 until the end. */
  progress?: Progress;
}

/** An upload saved in IndexedDB; picking its file again resumes it. Holds no secrets. */
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
  bytesDone: number;
  updatedAt: number;
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
  parts: ListedPart[];
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
  /** The object's `x-oss-meta-*` headers the CORS rule exposes, without the prefix. */
  meta: Record<string, string>;
  res: ResponseInfo;
}

export interface GetResult {
  content: Uint8Array;
  res: ResponseInfo;
}

export interface ListQuery {
  prefix?: string;
  marker?: string;
  /** Default 100, at most 1000. */
  'max-keys'?: number;
}

export interface ListedObject {
  name: string;
  size: number;
  etag: string;
  lastModified: string;
  /** `Normal` or `Multipart`. */
  type: string;
}

export interface ListResult {
  objects: ListedObject[];
  nextMarker: string;
  isTruncated: boolean;
  res: ResponseInfo;
}

export interface SignatureUrlOptions {
  /** Seconds the URL stays valid. Default 1800. */
  expires?: number;
  method?: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD';
  'Content-Type'?: string;
  /** Override the download's headers, e.g. `{'content-disposition': 'attachment; filename="a.pdf"'}` (sent as `response-*` parameters). */
  response?: Record<string, string>;
  /** `x-oss-process`, e.g. `'image/resize,w_200'`. */
  process?: string;
  /** `x-oss-traffic-limit`, in bit/s. */
  trafficLimit?: number;
  subResource?: Record<string, string>;
}

/** Every rejection is an Error of this shape. */
export interface OSSError extends Error {
  /** `<Code>Error` for OSS errors (`SignatureDoesNotMatchError`), or `RequestError`,
   * `ConnectionTimeoutError`, `ArgumentError`, `ETagNotExposedError`, `InconsistentError`,
   * `FileUnreadableError`, `UploadInProgressError`, `CredentialsError`, `StreamError`,
   * `CallbackFailedError` (status 203: stored, but the callback failed), `cancel`. */
  name: string;
  /** OSS's error code, e.g. `NoSuchUpload`. */
  code: string;
  /** The HTTP status; 0 when no answer came. */
  status: number;
  requestId: string;
  hostId: string;
  /** For multipart uploads: resume from here. */
  checkpoint?: Checkpoint;
}

export default class OSS {
  constructor(options: ClientOptions);
  /** Resolves once the wasm module is loaded and the options are checked. */
  readonly ready: Promise<OSS>;
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
  multipartUpload(name: string, file: File | Blob, options?: MultipartUploadOptions): Promise<MultipartUploadResult>;
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
  listParts(name: string, uploadId: string, options?: RequestOptions): Promise<ListPartsResult>;
  listUploads(query?: ListUploadsQuery, options?: RequestOptions): Promise<ListUploadsResult>;
  abortMultipartUpload(name: string, uploadId: string, options?: RequestOptions): Promise<{ res: ResponseInfo }>;
  head(name: string, options?: RequestOptions): Promise<HeadResult>;
  get(name: string, options?: RequestOptions): Promise<GetResult>;
  delete(name: string, options?: RequestOptions): Promise<{ res: ResponseInfo }>;
  /** Objects in the bucket, one page (ListObjects). */
  list(query?: ListQuery, options?: RequestOptions): Promise<ListResult>;
  signatureUrl(name: string, options?: SignatureUrlOptions): string;
  /** Saved uploads of this bucket, newest first. */
  listSavedUploads(): Promise<SavedUpload[]>;
  /** Forgets one (by fingerprint or entry); `{abort: true}` also aborts it on the server. */
  forgetSavedUpload(which: string | SavedUpload, options?: { abort?: boolean } & RequestOptions): Promise<void>;
  cancel(): void;
  isCancel(err: unknown): err is OSSError;
}

export { OSS };
