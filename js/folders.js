// Files from a folder, picked (`<input webkitdirectory>`, or the File System Access pickers)
// or dropped (the drop's entries or handles, walked), each with its path relative to where the
// person chose: the object name is made from it, so two IMG_0001.jpg from different folders
// stay two objects. Where the browser gives File System Access handles (Chromium), each file
// comes with its handle, which its saved upload keeps, so it resumes after a reload without
// being picked again. Hidden system files are skipped unless asked for. Bundled into uploader.js.

/** Files an OS leaves in folders that nobody means to upload. */
const SYSTEM_FILES = new Set(['.ds_store', 'thumbs.db', 'desktop.ini', 'ehthumbs.db']);

export function isSystemFile(name) {
  const lower = name.toLowerCase();
  return SYSTEM_FILES.has(lower) || lower.startsWith('._');
}

/** Yields to the page between batches, so thousands of entries never freeze it. */
const breathe = () => new Promise((resolve) => setTimeout(resolve, 0));

function readBatch(reader) {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

function fileOf(entry) {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

/** Every file under `entry` (a FileSystemEntry), depth first, as {file, path}; one that
 * cannot be read (removed meanwhile, no permission) as {path, unreadable: true}, so the rest
 * of the drop still goes. */
async function* walk(entry) {
  const path = entry.fullPath.replace(/^\//, '');
  try {
    if (entry.isFile) {
      yield { file: await fileOf(entry), path };
      return;
    }
    const reader = entry.createReader();
    // readEntries gives a folder's entries a batch at a time (100 in Chromium) until empty.
    for (let batch = await readBatch(reader); batch.length > 0; batch = await readBatch(reader)) {
      for (const child of batch) yield* walk(child);
      await breathe();
    }
  } catch {
    yield { path, unreadable: true };
  }
}

/** Every file under `handle` (a FileSystemHandle) as {file, path, handle}, as `walk`. */
async function* walkHandle(handle, under = '') {
  const path = `${under}${handle.name}`;
  try {
    if (handle.kind === 'file') {
      yield { file: await handle.getFile(), path, handle };
      return;
    }
    let n = 0;
    for await (const child of handle.values()) {
      yield* walkHandle(child, `${path}/`);
      n += 1;
      if (n % 100 === 0) await breathe();
    }
  } catch {
    yield { path, unreadable: true };
  }
}

/** The files of a drop's `files`, walked through their handles where the browser gave them,
 * else folders through their `entries`. */
async function* walkDrop(files, entries, handles) {
  for (let i = 0; i < files.length; i += 1) {
    const handle = await handles[i]?.catch(() => null);
    if (handle) yield* walkHandle(handle);
    else if (entries[i]?.isDirectory) yield* walk(entries[i]);
    else yield { file: files[i], path: files[i].name };
  }
}

/**
 * The files of a drop, folders walked. The entries and handles are taken here, while the drop
 * event runs (the list is emptied after); call it from the handler and iterate the result later.
 */
export function droppedFiles(dataTransfer, { handles = true } = {}) {
  const items = [...(dataTransfer?.items ?? [])].filter((i) => i.kind === 'file');
  const entries = items.map((i) => i.webkitGetAsEntry?.() ?? null);
  const asHandles = items.map((i) => (handles ? i.getAsFileSystemHandle?.() : undefined));
  return walkDrop([...(dataTransfer?.files ?? [])], entries, asHandles);
}

/** `<input accept>`'s list as showOpenFilePicker's types: types by themselves, extensions
 * under any type. */
function pickerTypes(accept) {
  const types = Object.fromEntries(accept.filter((a) => a.includes('/')).map((a) => [a, []]));
  const extensions = accept.filter((a) => a.startsWith('.'));
  if (extensions.length > 0) types['application/octet-stream'] = extensions;
  return accept.length > 0 ? [{ accept: types }] : [];
}

/**
 * Files picked through the File System Access pickers, with their handles: a folder's walked.
 * `null` where the browser has no such picker (or refuses it here, as in a cross-origin
 * frame): the page's `<input>` is the way then. A picker closed without a choice gives none.
 */
export async function pickWithHandles(win, { folder = false, multiple = true, accept = [] } = {}) {
  const picker = folder ? win.showDirectoryPicker : win.showOpenFilePicker;
  if (typeof picker !== 'function') return null;
  try {
    if (folder) return walkHandle(await picker.call(win, { mode: 'read' }));
    const handles = await picker.call(win, { multiple, types: pickerTypes(accept) });
    return walkHandles(handles);
  } catch (e) {
    return e?.name === 'AbortError' ? walkHandles([]) : null;
  }
}

async function* walkHandles(handles) {
  for (const h of handles) yield* walkHandle(h);
}

/** The files of an `<input>`, with their paths when it picked a folder. */
export function pickedFiles(input) {
  return [...input.files].map((file) => ({ file, path: file.webkitRelativePath || file.name }));
}
