import type { ClientOptions, MultipartUploadResult, OSS, OSSError, PostObjectOptions, PutResult, RefreshedCredentials } from './index.js';

export interface UploaderOptions extends Omit<ClientOptions, 'accessKeyId' | 'accessKeySecret' | 'stsToken' | 'refreshSTSToken'> {
  /** Fetches STS credentials from your backend; never put keys in markup. Required unless
   * `policy` is given. */
  credentials?: () => RefreshedCredentials | Promise<RefreshedCredentials>;
  /** A POST policy your backend signed (its fields, or a function of the file fetching them):
   * each file then goes up by `postObject`, bounded by the policy (prefix, size, type,
   * expiry), and needs no credentials. A pause starts such a file again. */
  policy?: PostObjectOptions['policy'];
  /** Prepended to each file's name to make the object name. */
  prefix?: string;
  /** The object name for a file; overrides `prefix` + `path` (the file's path under a
   * folder picked or dropped, e.g. `Photos/2024/a.jpg`, else its name). */
  objectName?: (file: File, path: string) => string;
  /** File types to take, as `<input accept>` reads them (`'.pdf,image/*'`); others get a row
   * saying why and are never sent. */
  accept?: string | string[];
  /** The largest file taken, in bytes. */
  maxFileSize?: number;
  /** The smallest file taken, in bytes. */
  minFileSize?: number;
  /** The most files this uploader takes. */
  maxFiles?: number;
  /** The most bytes this uploader takes, all files together. */
  maxTotalSize?: number;
  /** Upload `.DS_Store`, `Thumbs.db`, `desktop.ini` and `._*` files found in folders. Default false. */
  includeSystemFiles?: boolean;
  /** Where the browser has File System Access (Chromium), pick and drop files with their
   * handles, so their uploads resume after a reload from one "Resume" button without being
   * picked again. Default true; false keeps the page's `<input>` pickers (as tests that wait
   * for Playwright's `filechooser` need). */
  fileSystemAccess?: boolean;
  /** The language of every word shown: `'en'` or `'zh-CN'` ship. Default: the `lang` of the
   * input's closest element that has one (the page's `<html lang>`), else the browser's. */
  lang?: string;
  /** Any entry of the table replaced (`{ pause: '停', refusedLarge: (most) => … }`); an
   * unknown key is a TypeError. */
  strings?: Record<string, string | ((...args: never[]) => string)>;
  parallel?: number;
  partSize?: number;
  onComplete?: (result: MultipartUploadResult | PutResult, file: File) => void;
  onError?: (error: OSSError, file: File) => void;
}

export interface Uploader {
  client: OSS;
  /** Uploads a File (or a FileSystemFileHandle, kept to resume from after a reload) the page
   * got some other way than the input, as `path` (default its name). */
  add(file: File | FileSystemFileHandle, path?: string): Promise<void>;
  /** Removes the uploader's elements and listeners. */
  detach(): void;
}

/** A byte count as people read it, in binary units: 30_000_000 → "28.6 MiB", 512 → "512 B";
 * the number written for `locale` (default `'en'`). */
export function formatBytes(bytes: number, locale?: string): string;

/** Turns an <input type=file> (or the first one inside `target`) into an uploader. */
export function attachUploader(target: HTMLInputElement | HTMLElement, options: UploaderOptions): Uploader;

/** `<oss-upload endpoint bucket region prefix multiple accept max-file-size min-file-size
 * max-files max-total-size include-system-files lang>`; set `.credentials` from script. */
export class OssUploadElement extends HTMLElement {
  credentials?: () => RefreshedCredentials | Promise<RefreshedCredentials>;
  uploader: Uploader | null;
}

declare global {
  interface HTMLElementTagNameMap {
    'oss-upload': OssUploadElement;
  }
}
