// A drop-in uploader: attachUploader(inputOrForm, options) turns an existing
// <input type="file"> (or the first one inside a form) into an uploader with a row per file
// (name, size, progress bar, percentage, speed and time left, pause / resume / cancel), drag
// and drop, and the saved uploads of earlier visits: resumed from a button where the browser
// kept their files' handles (File System Access, Chromium), else when picked again.
// <oss-upload> does the same as a custom element. Credentials come from a function the page
// gives, never from markup. Every name is shown as text, never as HTML. Styles are in :where(),
// so any page rule overrides them. Accessible: each bar is a <progress> named by its file,
// every control is a button, and state changes are announced through a polite live region.
import OSS from './index.js';
import { createRateMeter, describeProgress, formatBytes, percent } from './format.js';
import { languageOf, say, stringsFor } from './strings.js';
import { readLimits, refusal } from './limits.js';
import { droppedFiles, isSystemFile, pickedFiles, pickWithHandles } from './folders.js';
import { createBatch } from './batch.js';

export { formatBytes };

const STYLE_ID = 'oss-upload-style';
// A row is one line (name, size, bar, status, Pause, Cancel) whose columns line up across rows
// (subgrid); where the uploader is narrower than 36rem (a phone), it stacks: the name, then the
// bar with the buttons beside it, then the status and the size.
const STYLE = `
:where(.oss-upload) { font: inherit; margin-top: .5rem; container: oss-upload / inline-size; }
:where(.oss-upload-drop) { border: 2px dashed #9aa5b1; border-radius: 8px; padding: 1rem; text-align: center; color: #52606d; }
:where(.oss-upload-drop.oss-upload-over) { border-color: #2680c2; background: #eaf4fb; }
:where(.oss-upload-choose, .oss-upload-folder) { font: inherit; color: #1d5f99; background: none; border: 0; padding: 0; text-decoration: underline; cursor: pointer; }
:where(.oss-upload-resumable) { color: #7a5a06; margin: .5rem 0; }
:where(.oss-upload-resume-saved) { font: inherit; min-height: 2rem; margin: .5rem 0 0; padding: .15rem .75rem; }
:where(.oss-upload-list) { list-style: none; padding: 0; margin: .5rem 0; display: grid; column-gap: .75rem;
  grid-template-columns: [name] minmax(4rem, 1fr) [size] auto [bar] minmax(4rem, 9rem) [status] minmax(10rem, 14rem) [pause] auto [cancel] auto; }
:where(.oss-upload-item) { grid-column: 1 / -1; display: grid; align-items: center; padding: .3rem 0; min-width: 0;
  grid-template-columns: minmax(4rem, 1fr) auto minmax(4rem, 9rem) minmax(10rem, 14rem) auto auto; grid-template-columns: subgrid;
  grid-template-areas: "name size bar status pause cancel"; }
:where(.oss-upload-item + .oss-upload-item) { border-top: 1px solid #e4e7eb; }
:where(.oss-upload-name) { grid-area: name; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
:where(.oss-upload-size) { grid-area: size; color: #52606d; white-space: nowrap; font-variant-numeric: tabular-nums; }
:where(.oss-upload-item progress) { grid-area: bar; width: 100%; min-width: 0; }
:where(.oss-upload-status) { grid-area: status; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; font-variant-numeric: tabular-nums; }
:where(.oss-upload-pause) { grid-area: pause; }
:where(.oss-upload-cancel) { grid-area: cancel; }
:where(.oss-upload-item button) { font: inherit; min-height: 2rem; padding: .15rem .75rem; white-space: nowrap; }
:where(.oss-upload-item[data-state=done] .oss-upload-status) { color: #1f7a3a; }
:where(.oss-upload-item[data-state=error] .oss-upload-status), :where(.oss-upload-item[data-state=refused] .oss-upload-status) { color: #b42318; }
:where(.oss-upload-batch) { display: flex; flex-wrap: wrap; align-items: center; gap: .25rem .75rem; margin: .5rem 0; font-variant-numeric: tabular-nums; }
:where(.oss-upload-batch progress) { flex: 1 1 8rem; min-width: 6rem; }
:where(.oss-upload-batch button) { font: inherit; min-height: 2rem; padding: .15rem .75rem; white-space: nowrap; }
:where(.oss-upload-live) { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
@container oss-upload (max-width: 36rem) {
  :where(.oss-upload-list) { display: block; }
  :where(.oss-upload-item) { column-gap: .5rem; row-gap: .25rem; grid-template-columns: minmax(0, 1fr) auto auto;
    grid-template-areas: "name name name" "bar pause cancel" "status status size"; }
}
`;

let rows = 0;

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


/**
 * @param {HTMLInputElement | HTMLElement} target an <input type=file>, or an element holding one
 * @param {object} options the client's options (endpoint or region, bucket, …) plus
 *   credentials: () => Promise<{accessKeyId, accessKeySecret, stsToken}>, or policy: the
 *   fields of a POST policy your backend signed, or ({name, size, type}) => Promise of them
 *   (each file then goes by postObject; one of the two is required),
 *   prefix (object name prefix), objectName(file, path) (overrides prefix + path, the file's
 *   path under a folder picked or dropped, else its name), accept, maxFileSize, minFileSize,
 *   maxFiles, maxTotalSize (refused files get a row saying why and are never sent),
 *   includeSystemFiles (.DS_Store, Thumbs.db…, skipped by default), fileSystemAccess (default
 *   true: where the browser has File System Access, files are picked and dropped with their
 *   handles, so their uploads resume after a reload without being picked again), lang ('en', 'zh-CN';
 *   default: the element's or the page's language), strings (any entry replaced), parallel, partSize,
 *   onComplete(result, file), onError(error, file)
 */
export function attachUploader(target, options) {
  const input = target.matches?.('input[type=file]') ? target : target.querySelector?.('input[type=file]');
  if (!input) throw new TypeError('attachUploader() needs an <input type="file"> or an element that holds one');
  const {
    credentials, policy, prefix = '', objectName, parallel, partSize, onComplete, onError, includeSystemFiles = false,
    accept, maxFileSize, minFileSize, maxFiles, maxTotalSize, lang, strings: overrides, fileSystemAccess = true, ...clientOptions
  } = options ?? {};
  if (typeof credentials !== 'function' && policy === undefined) {
    throw new TypeError('attachUploader() needs options.credentials (a function that fetches STS credentials from your backend) or options.policy (one that fetches a signed POST policy)');
  }
  const limits = readLimits({ accept, maxFileSize, minFileSize, maxFiles, maxTotalSize });
  if (accept !== undefined) input.accept = limits.accept.join(',');
  const doc = input.ownerDocument;
  const strings = stringsFor(languageOf(lang, input), overrides);
  injectStyle(doc);
  // With a policy alone, every file goes by postObject, which needs no credentials.
  const refreshSTSToken = credentials ?? (() => Promise.reject(new Error('this uploader authorises uploads by policy only')));
  const client = new OSS({ ...clientOptions, refreshSTSToken });
  const view = createView(doc, input, strings);
  // Files with a row here that is not finished: their saved uploads are not news to anyone.
  const active = new Set();
  const uploader = {
    doc, client, view, active, parallel, partSize, policy, onComplete, onError, strings,
    showResumable: () => showResumable(uploader),
  };
  uploader.queue = [];
  uploader.running = 0;
  uploader.batch = createBatch(doc, strings, batchActions(uploader));
  view.list.before(uploader.batch.root);

  // What was accepted so far, for maxFiles and maxTotalSize.
  const batch = { files: 0, bytes: 0 };
  // `name`: a saved upload's, resumed from its handle.
  const add = (file, path = file.name, handle = undefined, name = undefined) => {
    name ??= objectName ? objectName(file, path) : `${prefix}${path}`;
    const row = createRow(doc, file, name, path, strings, () => uploader.batch.soon());
    view.list.append(row.item);
    const why = refusal(file, limits, batch, strings);
    if (why) {
      row.setState('refused', why);
      row.pause.remove();
      row.cancel.remove();
      view.announce(`${path}: ${why}`);
      return;
    }
    batch.files += 1;
    batch.bytes += file.size;
    active.add(file);
    runRow(uploader, { file, handle }, name, row);
  };
  uploader.add = add;
  uploader.prefix = prefix;
  // Files from a picker or a drop, a folder's walked; system files left out unless asked.
  const addAll = async (files) => {
    let n = 0;
    for await (const { file, path, unreadable, handle } of files) {
      if (unreadable) {
        refuseRow(uploader, path, say(strings, 'unreadable'));
        continue;
      }
      // Only inside a folder: a system file picked on its own is meant.
      if (!includeSystemFiles && path.includes('/') && isSystemFile(file.name)) continue;
      add(file, path, handle);
      // A few rows at a time, so a folder of thousands never holds the page.
      n += 1;
      if (n % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    uploader.showResumable();
  };
  const folder = doc.createElement('input');
  folder.type = 'file';
  folder.webkitdirectory = true;
  folder.hidden = true;
  const pickers = { input, folder, handles: fileSystemAccess, accept: limits.accept };
  const unwire = wireFiles(pickers, view, addAll);
  uploader.showResumable();

  return {
    client,
    /** Uploads a File (or a FileSystemFileHandle, kept to resume from after a reload) the
     * page got some other way than the input. */
    async add(fileOrHandle, path) {
      const handle = typeof fileOrHandle?.getFile === 'function' ? fileOrHandle : undefined;
      const file = handle ? await handle.getFile() : fileOrHandle;
      add(file, path ?? file.name, handle);
      uploader.showResumable();
    },
    detach() {
      unwire();
      view.root.remove();
    },
  };
}

/** The uploader's elements, after the input: the drop zone, the note of resumable uploads,
 * the list of rows and the live region. */
function createView(doc, input, strings) {
  const root = el(doc, 'div', 'oss-upload');
  root.lang = strings.locale;
  const zone = el(doc, 'div', 'oss-upload-drop', say(strings, 'drop'));
  // The zone is for a mouse; these buttons give the keyboard (and a phone) the same way in.
  const choose = el(doc, 'button', 'oss-upload-choose', say(strings, 'chooseFiles'));
  choose.type = 'button';
  const chooseFolder = el(doc, 'button', 'oss-upload-folder', say(strings, 'aFolder'));
  chooseFolder.type = 'button';
  zone.append(choose, say(strings, 'or'), chooseFolder);
  const resumable = el(doc, 'p', 'oss-upload-resumable');
  resumable.hidden = true;
  const resumeSaved = el(doc, 'button', 'oss-upload-resume-saved');
  resumeSaved.type = 'button';
  resumeSaved.hidden = true;
  const list = el(doc, 'ul', 'oss-upload-list');
  list.setAttribute('aria-label', say(strings, 'uploads'));
  // Announces what a person must hear without looking: done, paused, failed, cancelled. Not the
  // percentages, which would drown a screen reader.
  const live = el(doc, 'div', 'oss-upload-live');
  live.setAttribute('role', 'status');
  live.setAttribute('aria-live', 'polite');
  root.append(zone, resumeSaved, resumable, list, live);
  input.after(root);
  const announce = (text) => {
    const line = el(doc, 'p', undefined, text);
    live.append(line);
    while (live.childElementCount > 5) live.firstElementChild.remove();
  };
  return { root, zone, choose, chooseFolder, resumeSaved, resumable, list, announce };
}

/** Files picked in the input or the folder picker (through the File System Access pickers,
 * with their handles, where `handles` and the browser allow), or dropped on the zone, go to
 * `addAll`; returns what undoes it. */
function wireFiles({ input, folder, handles, accept }, { zone, choose, chooseFolder }, addAll) {
  const win = input.ownerDocument.defaultView;
  const onChange = (e) => {
    const picker = e.currentTarget;
    // The list is read now: the picker is cleared for the next pick once it is walked.
    addAll(pickedFiles(picker)).finally(() => {
      picker.value = '';
    });
  };
  // Called in the click, which the pickers need; the input is the way where they are not.
  const pick = (asFolder, fallback) => async () => {
    const picked = handles ? await pickWithHandles(win, { folder: asFolder, multiple: input.multiple, accept }) : null;
    if (picked) addAll(picked);
    else fallback.click();
  };
  const onChoose = pick(false, input);
  const onChooseFolder = pick(true, folder);
  const onDragOver = (e) => {
    e.preventDefault();
    zone.classList.add('oss-upload-over');
  };
  const onDragLeave = () => zone.classList.remove('oss-upload-over');
  const onDrop = (e) => {
    e.preventDefault();
    zone.classList.remove('oss-upload-over');
    addAll(droppedFiles(e.dataTransfer, { handles }));
  };
  zone.append(folder);
  const listeners = [
    [input, 'change', onChange], [folder, 'change', onChange], [choose, 'click', onChoose],
    [chooseFolder, 'click', onChooseFolder], [zone, 'dragover', onDragOver],
    [zone, 'dragleave', onDragLeave], [zone, 'drop', onDrop],
  ];
  for (const [target, type, f] of listeners) target.addEventListener(type, f);
  return () => {
    for (const [target, type, f] of listeners) target.removeEventListener(type, f);
  };
}

/** A row for a file that is not sent, saying why. */
function refuseRow({ doc, view, strings }, path, why) {
  const row = createRow(doc, { name: path, size: 0 }, path, path, strings);
  view.list.append(row.item);
  row.setState('refused', why);
  row.pause.remove();
  row.cancel.remove();
  view.announce(`${path}: ${why}`);
}

/** Whether saved upload `s` is the file of a row under way here. */
const underWay = (active, s) => [...active].some((f) => f.name === s.fileName && f.size === s.fileSize);

/** Resumes `saved` uploads from their handles, from the click the browser needs to ask for
 * permission to read them again; a file it may not read keeps its entry for another click. */
async function resumeFromHandles(uploader, saved) {
  const { active, prefix, strings } = uploader;
  uploader.view.resumeSaved.hidden = true;
  for (const s of saved) {
    // Re-picked meanwhile: that row is this upload already.
    if (underWay(active, s)) continue;
    const path = s.name.startsWith(prefix) ? s.name.slice(prefix.length) : s.fileName;
    const allowed = await s.handle.requestPermission?.({ mode: 'read' }).catch(() => 'denied') ?? 'granted';
    const file = allowed === 'granted' ? await s.handle.getFile().catch(() => null) : null;
    if (file) uploader.add(file, path, s.handle, s.name);
    else refuseRow(uploader, path, say(strings, allowed === 'granted' ? 'unreadable' : 'notAllowed'));
  }
  uploader.showResumable();
}

/** The saved uploads of earlier visits not under way here: those whose files' handles were
 * kept resume from a button; the others are named in a note, to be picked again. */
async function showResumable(uploader) {
  const { client, view: { resumable, resumeSaved }, active, strings } = uploader;
  try {
    const saved = (await client.listSavedUploads())
      .filter((s) => !underWay(active, s));
    const withHandles = saved.filter((s) => s.handle);
    const toPick = saved.filter((s) => !s.handle);
    resumeSaved.hidden = withHandles.length === 0;
    resumeSaved.textContent = say(strings, 'resumeSaved', withHandles.length);
    resumeSaved.onclick = () => resumeFromHandles(uploader, withHandles);
    resumable.hidden = toPick.length === 0;
    const { locale } = strings;
    const item = (s) => say(strings, 'resumableItem', s.fileName, percent(s.bytesDone / Math.max(1, s.fileSize), locale), formatBytes(s.fileSize, locale));
    resumable.textContent = toPick.length === 0 ? '' : say(strings, 'resumable', toPick.length, toPick.map(item).join(', '));
  } catch {
    resumable.hidden = true;
    resumeSaved.hidden = true;
  }
}

/** A file's row (name, size, bar, status, Pause, Cancel), not yet in the list. */
function createRow(doc, file, name, path, strings, onState = () => {}) {
  const id = `oss-upload-${(rows += 1)}`;
  const item = el(doc, 'li', 'oss-upload-item');
  // The path under a folder, so two a.txt from different folders are told apart.
  const label = el(doc, 'span', 'oss-upload-name', path);
  label.id = `${id}-name`;
  label.title = name;
  const size = el(doc, 'span', 'oss-upload-size', formatBytes(file.size, strings.locale));
  size.title = say(strings, 'bytes', file.size.toLocaleString(strings.locale));
  const bar = el(doc, 'progress');
  bar.max = 1;
  bar.value = 0;
  bar.setAttribute('aria-labelledby', label.id);
  const status = el(doc, 'span', 'oss-upload-status', say(strings, 'starting'));
  const pause = el(doc, 'button', 'oss-upload-pause');
  const cancel = el(doc, 'button', 'oss-upload-cancel');
  pause.type = 'button';
  cancel.type = 'button';
  // Several rows have a Pause button: each one's accessible name says which file it is for.
  const labelButton = (button, text) => {
    button.textContent = text;
    button.setAttribute('aria-label', `${text} ${path}`);
  };
  labelButton(pause, say(strings, 'pause'));
  labelButton(cancel, say(strings, 'cancel'));
  item.append(label, size, bar, status, pause, cancel);
  const setState = (state, text) => {
    item.dataset.state = state;
    status.textContent = text;
    status.title = state === 'error' ? text : '';
    onState();
  };
  return { item, label, bar, status, pause, cancel, labelButton, setState };
}

/** Files under way at once. Each file's requests still wait their turn in the client's one
 * scheduler; this keeps a batch of thousands from opening thousands of uploads (and their
 * saved records) at once, and lets a waiting file be paused or removed before it starts. */
const FILES_AT_ONCE = 6;

const stateOf = (run) => run.row.item.dataset.state;

/** Queues `run` to start when a file's place is free. */
function enqueue(run) {
  const { uploader, row } = run;
  row.setState('waiting', say(uploader.strings, 'waiting'));
  row.labelButton(row.pause, say(uploader.strings, 'pause'));
  uploader.queue.push(run);
  pump(uploader);
}

/** Starts waiting files while fewer than FILES_AT_ONCE are under way, first come first. */
function pump(uploader) {
  while (uploader.running < FILES_AT_ONCE && uploader.queue.length > 0) start(uploader.queue.shift());
}

/** Takes a waiting `run` out of the queue. */
function unqueue(run) {
  const { queue } = run.uploader;
  const i = queue.indexOf(run);
  if (i >= 0) queue.splice(i, 1);
}

/** Pauses `run`: a waiting one leaves the queue, one under way is stopped (and resumes later
 * from its saved upload). */
function pause(run) {
  if (stateOf(run) === 'waiting') {
    unqueue(run);
    showPaused(run);
  } else if (stateOf(run) === 'uploading') {
    run.controller.abort();
  }
}

/** The batch header's buttons: each acts on the rows in the state it names. */
function batchActions(uploader) {
  const each = (states, act) => () => {
    for (const run of uploader.batch.runs) if (states.includes(stateOf(run))) act(run);
  };
  return {
    pauseAll: each(['waiting', 'uploading'], pause),
    resumeAll: each(['paused'], enqueue),
    retryFailed: each(['error'], enqueue),
  };
}

/** Uploads `file` as `name`, shown in `row`: Pause stops it (Resume goes on from the saved
 * upload), Cancel stops it for good. */
function runRow(uploader, { file, handle }, name, row) {
  const run = { uploader, file, handle, name, row, controller: null, cancelled: false, ticker: 0, shownRate: null, meter: createRateMeter() };
  row.pause.addEventListener('click', () => {
    if (['waiting', 'uploading'].includes(stateOf(run))) pause(run);
    else enqueue(run);
  });
  row.cancel.addEventListener('click', () => {
    run.cancelled = true;
    if (stateOf(run) === 'uploading') run.controller.abort();
    else {
      unqueue(run);
      over(run, 'cancelled', 'cancelled');
    }
  });
  uploader.batch.track(run);
  enqueue(run);
}

/** Starts the upload, or starts it again after a pause or a failure (it resumes from the saved
 * upload). */
function start(run) {
  const { uploader, file, name, row } = run;
  const { bar } = row;
  const { strings } = uploader;
  uploader.running += 1;
  run.controller = new AbortController();
  row.setState('uploading', percent(bar.value, strings.locale));
  run.meter.start(performance.now(), bar.value * file.size);
  run.shownRate = null;
  // The speed also has to fall while no progress comes (a stalled network), and the speed
  // and time left shown change at most once a second, so they can be read.
  run.ticker = setInterval(() => {
    run.meter.sample(performance.now(), bar.value * file.size);
    run.shownRate = run.meter.rate;
    showProgress(run);
  }, 1000);
  const progress = (p) => {
    bar.value = p;
    run.meter.sample(performance.now(), p * file.size);
    showProgress(run);
    uploader.batch.soon();
  };
  const signal = run.controller.signal;
  // A policy authorises each file by one form POST (a pause starts it again); else the
  // upload goes in parts and resumes where it stopped.
  const uploading = uploader.policy
    ? uploader.client.postObject(name, file, { policy: uploader.policy, signal, progress })
    : uploader.client.multipartUpload(name, run.handle ?? file, { parallel: uploader.parallel, partSize: uploader.partSize, signal, progress });
  uploading
    .then((result) => {
      stopTicking(run);
      bar.value = 1;
      over(run, 'done', 'uploaded');
      uploader.showResumable();
      uploader.onComplete?.(result, file);
    })
    .catch(async (err) => {
      stopTicking(run);
      await stopped(run, err);
    })
    .finally(() => {
      uploader.running -= 1;
      pump(uploader);
    });
}

function showProgress({ uploader, row, file, shownRate }) {
  if (row.item.dataset.state !== 'uploading') return;
  row.status.textContent = describeProgress(row.bar.value, file.size, shownRate, uploader.strings);
}

function stopTicking(run) {
  clearInterval(run.ticker);
  run.ticker = 0;
}

/** An upload that rejected: cancelled (by Cancel), paused (by Pause) or failed. */
/** A row paused: its upload stopped, or it never started. */
function showPaused({ uploader: { strings, view }, row }) {
  const paused = say(strings, 'pausedAt', percent(row.bar.value, strings.locale));
  row.setState('paused', paused);
  row.labelButton(row.pause, say(strings, 'resume'));
  view.announce(`${row.label.textContent}: ${paused}`);
}

async function stopped(run, err) {
  const { uploader, file, name, row } = run;
  const { client, strings, view: { announce } } = uploader;
  if (client.isCancel(err) && run.cancelled) {
    // Cancel means gone: abort the upload on the server, which forgets its record.
    const uploadId = err.checkpoint?.uploadId;
    if (uploadId) await client.abortMultipartUpload(name, uploadId).catch(() => {});
    over(run, 'cancelled', 'cancelled');
    uploader.showResumable();
  } else if (client.isCancel(err)) {
    showPaused(run);
  } else {
    row.setState('error', err.message);
    row.labelButton(row.pause, say(strings, 'retry'));
    announce(`${row.label.textContent}: ${say(strings, 'failed', err.message)}`);
    uploader.onError?.(err, file);
  }
}

/** A row whose upload is over, done or cancelled: its buttons go, and it is announced. */
function over({ uploader, file, row }, state, announced) {
  row.setState(state, say(uploader.strings, state));
  uploader.active.delete(file);
  // The focus, if it was on a button, stays in the row.
  if (row.item.contains(uploader.doc.activeElement)) {
    row.label.tabIndex = -1;
    row.label.focus();
  }
  row.pause.remove();
  row.cancel.remove();
  uploader.view.announce(`${row.label.textContent}: ${say(uploader.strings, announced)}`);
}

/** A number attribute (max-file-size…), or undefined when absent. */
function numberAttr(el, name) {
  const value = el.getAttribute(name);
  return value === null ? undefined : Number(value);
}

/** <oss-upload endpoint bucket region prefix multiple accept max-file-size min-file-size
 * max-files max-total-size include-system-files file-system-access="false">; set
 * `.credentials` (or `.policy`) from script. */
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
      accept: attr('accept'),
      maxFileSize: numberAttr(this, 'max-file-size'),
      minFileSize: numberAttr(this, 'min-file-size'),
      maxFiles: numberAttr(this, 'max-files'),
      maxTotalSize: numberAttr(this, 'max-total-size'),
      includeSystemFiles: this.hasAttribute('include-system-files'),
      fileSystemAccess: attr('file-system-access') !== 'false',
      // Set from script before the element connects: a POST policy authorises each file.
      policy: this.policy,
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
