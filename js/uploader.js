// A drop-in uploader: attachUploader(inputOrForm, options) turns an existing
// <input type="file"> (or the first one inside a form) into an uploader with a progress bar per
// file, pause / resume / cancel, drag and drop, and a note about saved uploads that resume when
// their files are picked again. <oss-upload> does the same as a custom element.
// Credentials come from a function the page gives, never from markup. Every name is shown as
// text, never as HTML. Styles are in :where(), so any page rule overrides them.
import OSS from './index.js';

const STYLE_ID = 'oss-upload-style';
const STYLE = `
:where(.oss-upload) { font: inherit; margin-top: .5rem; }
:where(.oss-upload-drop) { border: 2px dashed #9aa5b1; border-radius: 8px; padding: 1rem; text-align: center; color: #52606d; }
:where(.oss-upload-drop.oss-upload-over) { border-color: #2680c2; background: #eaf4fb; }
:where(.oss-upload-resumable) { color: #8d6708; margin: .5rem 0; }
:where(.oss-upload-list) { list-style: none; padding: 0; margin: .5rem 0; }
:where(.oss-upload-item) { display: grid; grid-template-columns: 1fr 10rem auto auto; gap: .5rem; align-items: center; padding: .25rem 0; }
:where(.oss-upload-name) { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
:where(.oss-upload-item progress) { width: 100%; }
:where(.oss-upload-item[data-state=done] .oss-upload-status) { color: #1f7a3a; }
:where(.oss-upload-item[data-state=error] .oss-upload-status) { color: #b42318; }
:where(.oss-upload-item button) { font: inherit; }
`;

function injectStyle(doc) {
  if (doc.getElementById(STYLE_ID)) return;
  const style = doc.createElement('style');
  style.id = STYLE_ID;
  style.textContent = STYLE;
  doc.head.prepend(style);
}

function el(doc, tag, className, text) {
  const node = doc.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function percent(p) {
  return `${Math.floor(p * 100)} %`;
}

/**
 * @param {HTMLInputElement | HTMLElement} target an <input type=file>, or an element holding one
 * @param {object} options the client's options (endpoint or region, bucket, …) plus
 *   credentials: () => Promise<{accessKeyId, accessKeySecret, stsToken}> (required),
 *   prefix (object name prefix), objectName(file) (overrides prefix + file name),
 *   parallel, partSize, onComplete(result, file), onError(error, file)
 */
export function attachUploader(target, options) {
  const input = target.matches?.('input[type=file]') ? target : target.querySelector?.('input[type=file]');
  if (!input) throw new TypeError('attachUploader() needs an <input type="file"> or an element that holds one');
  const { credentials, prefix = '', objectName, parallel, partSize, onComplete, onError, ...clientOptions } = options ?? {};
  if (typeof credentials !== 'function') {
    throw new TypeError('attachUploader() needs options.credentials: a function that fetches STS credentials from your backend');
  }
  const doc = input.ownerDocument;
  injectStyle(doc);
  const client = new OSS({ ...clientOptions, refreshSTSToken: credentials });

  const root = el(doc, 'div', 'oss-upload');
  const zone = el(doc, 'div', 'oss-upload-drop', 'Drop files here, or choose them above');
  const resumable = el(doc, 'p', 'oss-upload-resumable');
  resumable.hidden = true;
  const list = el(doc, 'ul', 'oss-upload-list');
  root.append(zone, resumable, list);
  input.after(root);

  async function showResumable() {
    try {
      const saved = await client.listSavedUploads();
      resumable.hidden = saved.length === 0;
      resumable.textContent = saved.length === 0 ? '' : `${saved.length} upload${saved.length > 1 ? 's' : ''} can be resumed — pick the file${saved.length > 1 ? 's' : ''} again: ${saved.map((s) => `${s.fileName} (${percent(s.bytesDone / Math.max(1, s.fileSize))})`).join(', ')}`;
    } catch {
      resumable.hidden = true;
    }
  }

  function add(file) {
    const name = objectName ? objectName(file) : `${prefix}${file.name}`;
    const item = el(doc, 'li', 'oss-upload-item');
    const label = el(doc, 'span', 'oss-upload-name', file.name);
    label.title = name;
    const bar = el(doc, 'progress');
    bar.max = 1;
    bar.value = 0;
    const status = el(doc, 'span', 'oss-upload-status', 'starting');
    const pause = el(doc, 'button', 'oss-upload-pause', 'Pause');
    const cancel = el(doc, 'button', 'oss-upload-cancel', 'Cancel');
    pause.type = 'button';
    cancel.type = 'button';
    item.append(label, bar, status, pause, cancel);
    list.append(item);

    let controller = null;
    let cancelled = false;
    const setState = (state, text) => {
      item.dataset.state = state;
      status.textContent = text;
    };

    function start() {
      controller = new AbortController();
      setState('uploading', percent(bar.value));
      pause.textContent = 'Pause';
      client
        .multipartUpload(name, file, {
          parallel,
          partSize,
          signal: controller.signal,
          progress: (p) => {
            bar.value = p;
            status.textContent = percent(p);
          },
        })
        .then((result) => {
          bar.value = 1;
          setState('done', 'done');
          pause.remove();
          cancel.remove();
          showResumable();
          onComplete?.(result, file);
        })
        .catch(async (err) => {
          if (client.isCancel(err) && cancelled) {
            // Cancel means gone: abort the upload on the server, which forgets its record.
            const id = err.checkpoint?.uploadId;
            if (id) await client.abortMultipartUpload(name, id).catch(() => {});
            setState('cancelled', 'cancelled');
            pause.remove();
            cancel.remove();
            showResumable();
          } else if (client.isCancel(err)) {
            setState('paused', `paused at ${percent(bar.value)}`);
            pause.textContent = 'Resume';
          } else {
            setState('error', err.message);
            pause.textContent = 'Retry';
            onError?.(err, file);
          }
        });
    }

    pause.addEventListener('click', () => {
      if (item.dataset.state === 'uploading') controller.abort();
      else start();
    });
    cancel.addEventListener('click', () => {
      cancelled = true;
      if (item.dataset.state === 'uploading') {
        controller.abort();
      } else {
        setState('cancelled', 'cancelled');
        pause.remove();
        cancel.remove();
      }
    });
    start();
  }

  const onChange = () => {
    for (const file of input.files) add(file);
    input.value = '';
  };
  const onDragOver = (e) => {
    e.preventDefault();
    zone.classList.add('oss-upload-over');
  };
  const onDragLeave = () => zone.classList.remove('oss-upload-over');
  const onDrop = (e) => {
    e.preventDefault();
    zone.classList.remove('oss-upload-over');
    for (const file of e.dataTransfer?.files ?? []) add(file);
  };
  input.addEventListener('change', onChange);
  zone.addEventListener('dragover', onDragOver);
  zone.addEventListener('dragleave', onDragLeave);
  zone.addEventListener('drop', onDrop);
  showResumable();

  return {
    client,
    /** Uploads a File the page got some other way than the input. */
    add,
    detach() {
      input.removeEventListener('change', onChange);
      root.remove();
    },
  };
}

/** <oss-upload endpoint bucket region prefix multiple>; set `.credentials` from script. */
export class OssUploadElement extends (globalThis.HTMLElement ?? class {}) {
  connectedCallback() {
    if (this.uploader) return;
    const input = this.querySelector('input[type=file]') ?? this.appendChild(this.ownerDocument.createElement('input'));
    input.type = 'file';
    if (this.hasAttribute('multiple')) input.multiple = true;
    const attr = (name) => this.getAttribute(name) ?? undefined;
    this.uploader = attachUploader(input, {
      endpoint: attr('endpoint'),
      region: attr('region'),
      bucket: attr('bucket'),
      prefix: attr('prefix') ?? '',
      credentials: () => {
        if (typeof this.credentials !== 'function') {
          throw new Error('set element.credentials to a function that fetches STS credentials');
        }
        return this.credentials();
      },
      onComplete: (result, file) => this.dispatchEvent(new CustomEvent('upload-complete', { detail: { result, file } })),
      onError: (error, file) => this.dispatchEvent(new CustomEvent('upload-error', { detail: { error, file } })),
    });
  }

  disconnectedCallback() {
    this.uploader?.detach();
    this.uploader = null;
  }
}

if (globalThis.customElements && !customElements.get('oss-upload')) {
  customElements.define('oss-upload', OssUploadElement);
}
