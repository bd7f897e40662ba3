// What the drop-in uploader refuses before sending anything: the file's type against
// `accept` (as `<input accept>` reads it: extensions and MIME types, `image/*` wildcards),
// its size, and the batch's count and total. Presentation-side checks of what a page asked for;
// bundled into uploader.js.
import { formatBytes } from './format.js';
import { say } from './strings.js';

const NUMBERS = ['maxFileSize', 'minFileSize', 'maxFiles', 'maxTotalSize'];

/** The limits from the uploader's options, checked: a TypeError names the bad one. */
export function readLimits(options) {
  const limits = { accept: [] };
  if (options.accept !== undefined) {
    const list = Array.isArray(options.accept) ? options.accept.join(',') : options.accept;
    if (typeof list !== 'string') throw new TypeError('accept must be a string such as "image/*,.pdf" (as <input accept>), or an array of them');
    limits.accept = list.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  }
  for (const key of NUMBERS) {
    const value = options[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new TypeError(`${key} must be a whole number (${key === 'maxFiles' ? 'of files' : 'of bytes'}), got ${String(value)}`);
    }
    limits[key] = value;
  }
  return limits;
}

/** Whether `file` is of a type `accept` lists (everything when it lists none). */
function accepted(file, accept) {
  if (accept.length === 0) return true;
  const name = file.name.toLowerCase();
  const type = (file.type || '').toLowerCase();
  return accept.some((a) => {
    if (a.startsWith('.')) return name.endsWith(a);
    if (a.endsWith('/*')) return type.startsWith(a.slice(0, -1));
    return type === a;
  });
}

/**
 * Why `file` is refused, in the words of `strings`, or null: `batch` is what was accepted so
 * far ({files, bytes}).
 */
export function refusal(file, limits, batch, strings) {
  const size = (bytes) => formatBytes(bytes, strings.locale);
  if (!accepted(file, limits.accept)) return say(strings, 'refusedType', limits.accept.join(', '));
  if (limits.maxFileSize !== undefined && file.size > limits.maxFileSize) return say(strings, 'refusedLarge', size(limits.maxFileSize));
  if (limits.minFileSize !== undefined && file.size < limits.minFileSize) return say(strings, 'refusedSmall', size(limits.minFileSize));
  if (limits.maxFiles !== undefined && batch.files + 1 > limits.maxFiles) return say(strings, 'refusedCount', limits.maxFiles);
  if (limits.maxTotalSize !== undefined && batch.bytes + file.size > limits.maxTotalSize) return say(strings, 'refusedTotal', size(limits.maxTotalSize));
  return null;
}
