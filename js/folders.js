// Files from a folder, picked (`<input webkitdirectory>`) or dropped (the drop's entries,
// walked), each with its path relative to where the person chose: the object name is made from
// it, so two IMG_0001.jpg from different folders stay two objects. Hidden system files are
// skipped unless asked for. Bundled into uploader.js.

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

/** The files of a drop's `files`, those that are folders walked through their `entries`. */
async function* walkDrop(files, entries) {
  for (let i = 0; i < files.length; i += 1) {
    if (entries[i]?.isDirectory) yield* walk(entries[i]);
    else yield { file: files[i], path: files[i].name };
  }
}

/**
 * The files of a drop, folders walked. The entries are taken here, while the drop event runs
 * (the list is emptied after); call it from the handler and iterate the result later.
 */
export function droppedFiles(dataTransfer) {
  const items = [...(dataTransfer?.items ?? [])].filter((i) => i.kind === 'file');
  const entries = items.map((i) => i.webkitGetAsEntry?.() ?? null);
  return walkDrop([...(dataTransfer?.files ?? [])], entries);
}

/** The files of an `<input>`, with their paths when it picked a folder. */
export function pickedFiles(input) {
  return [...input.files].map((file) => ({ file, path: file.webkitRelativePath || file.name }));
}
