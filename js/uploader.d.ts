import type { ClientOptions, MultipartUploadResult, OSS, OSSError, RefreshedCredentials } from './index.js';

export interface UploaderOptions extends Omit<ClientOptions, 'accessKeyId' | 'accessKeySecret' | 'stsToken' | 'refreshSTSToken'> {
  /** Fetches STS credentials from your backend; never put keys in markup. */
  credentials: () => RefreshedCredentials | Promise<RefreshedCredentials>;
  /** Prepended to each file's name to make the object name. */
  prefix?: string;
  /** The object name for a file; overrides `prefix`. */
  objectName?: (file: File) => string;
  parallel?: number;
  partSize?: number;
  onComplete?: (result: MultipartUploadResult, file: File) => void;
  onError?: (error: OSSError, file: File) => void;
}

export interface Uploader {
  client: OSS;
  /** Uploads a File the page got some other way than the input. */
  add(file: File): void;
  /** Removes the uploader's elements and listeners. */
  detach(): void;
}

/** A byte count as people read it, in binary units: 30_000_000 → "28.6 MiB", 512 → "512 B". */
export function formatBytes(bytes: number): string;

/** Turns an <input type=file> (or the first one inside `target`) into an uploader. */
export function attachUploader(target: HTMLInputElement | HTMLElement, options: UploaderOptions): Uploader;

/** `<oss-upload endpoint bucket region prefix multiple>`; set `.credentials` from script. */
export class OssUploadElement extends HTMLElement {
  credentials?: () => RefreshedCredentials | Promise<RefreshedCredentials>;
  uploader: Uploader | null;
}

declare global {
  interface HTMLElementTagNameMap {
    'oss-upload': OssUploadElement;
  }
}
