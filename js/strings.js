// Every word the drop-in uploader shows, one table per language: English and Simplified
// Chinese ship. A page picks with `lang` (else the language of the element, of the page, of the
// browser) and may replace any entry with `strings`. Numbers, sizes and times are written for
// the language with Intl. Bundled into uploader.js.

const en = {
  drop: 'Drop files or folders here, or ',
  chooseFiles: 'choose files',
  or: ' or ',
  aFolder: 'a folder',
  uploads: 'Uploads',
  starting: 'starting',
  pause: 'Pause',
  resume: 'Resume',
  retry: 'Retry',
  cancel: 'Cancel',
  done: 'done',
  uploaded: 'uploaded',
  cancelled: 'cancelled',
  pausedAt: (percent) => `paused at ${percent}`,
  failed: (message) => `failed: ${message}`,
  bytes: (count) => `${count} bytes`,
  resumable: (count, list) => `${count} upload${count > 1 ? 's' : ''} can be resumed — pick the file${count > 1 ? 's' : ''} again: ${list}`,
  resumableItem: (name, percent, size) => `${name} (${percent} of ${size})`,
  resumeSaved: (count) => `Resume ${count} upload${count > 1 ? 's' : ''}`,
  refusedType: (types) => `not sent: only ${types}`,
  refusedLarge: (most) => `not sent: larger than ${most}`,
  refusedSmall: (least) => `not sent: smaller than ${least}`,
  refusedCount: (most) => `not sent: at most ${most} files`,
  refusedTotal: (most) => `not sent: the files would exceed ${most} in all`,
  stalled: 'stalled',
  progress: (percent, speed, left) => `${percent} · ${speed}/s · ${left} left`,
  seconds: (s) => `${s} s`,
  minutes: (m) => `${m} min`,
  hours: (h, m) => (m === 0 ? `${h} h` : `${h} h ${m} min`),
  unreadable: 'not sent: it could not be read',
  notAllowed: 'not resumed: the browser was not allowed to read it (resume again to be asked)',
  waiting: 'waiting',
  batchProgress: 'All uploads',
  batchCounts: (n, total) => [
    n.uploading && `${n.uploading} uploading`,
    n.waiting && `${n.waiting} waiting`,
    n.paused && `${n.paused} paused`,
    n.done && `${n.done} done`,
    n.error && `${n.error} failed`,
  ].filter(Boolean).concat(total).join(' · '),
  pauseAll: 'Pause all',
  resumeAll: 'Resume all',
  retryFailed: 'Retry failed',
};

const zhCN = {
  drop: '将文件或文件夹拖到这里，或',
  chooseFiles: '选择文件',
  or: '、',
  aFolder: '选择文件夹',
  uploads: '上传列表',
  starting: '准备中',
  pause: '暂停',
  resume: '继续',
  retry: '重试',
  cancel: '取消',
  done: '完成',
  uploaded: '已上传',
  cancelled: '已取消',
  pausedAt: (percent) => `已暂停于 ${percent}`,
  failed: (message) => `失败：${message}`,
  bytes: (count) => `${count} 字节`,
  resumable: (count, list) => `${count} 个上传可以继续，请重新选择这些文件：${list}`,
  resumableItem: (name, percent, size) => `${name}（${size} 中已完成 ${percent}）`,
  resumeSaved: (count) => `继续 ${count} 个上传`,
  refusedType: (types) => `未上传：只接受 ${types}`,
  refusedLarge: (most) => `未上传：超过 ${most}`,
  refusedSmall: (least) => `未上传：小于 ${least}`,
  refusedCount: (most) => `未上传：最多 ${most} 个文件`,
  refusedTotal: (most) => `未上传：文件总大小将超过 ${most}`,
  stalled: '停滞',
  progress: (percent, speed, left) => `${percent} · ${speed}/秒 · 剩余 ${left}`,
  seconds: (s) => `${s} 秒`,
  minutes: (m) => `${m} 分钟`,
  hours: (h, m) => (m === 0 ? `${h} 小时` : `${h} 小时 ${m} 分钟`),
  unreadable: '未上传：无法读取',
  notAllowed: '未继续：浏览器未获准读取该文件（再次点击继续以重新授权）',
  waiting: '等待中',
  batchProgress: '全部上传',
  batchCounts: (n, total) => [
    n.uploading && `${n.uploading} 个上传中`,
    n.waiting && `${n.waiting} 个等待中`,
    n.paused && `${n.paused} 个已暂停`,
    n.done && `${n.done} 个已完成`,
    n.error && `${n.error} 个失败`,
  ].filter(Boolean).concat(`共 ${total}`).join(' · '),
  pauseAll: '全部暂停',
  resumeAll: '全部继续',
  retryFailed: '重试失败项',
};

/** Simplified Chinese: `zh`, mainland China, Singapore, or the script said. Traditional
 * Chinese (Taiwan, Hong Kong, Macao, `Hant`) gets English until it has its own table. */
const SIMPLIFIED = /^zh(-hans(-.*)?|-cn|-sg)?$/;

/** The language to speak: `lang` if given, else the element's, the page's, the browser's;
 * as a well-formed tag (`zh_CN` → `zh-CN`), English where it is not one. */
export function languageOf(lang, element) {
  const asked = lang ?? element?.closest?.('[lang]')?.lang ?? globalThis.navigator?.language;
  try {
    return Intl.getCanonicalLocales(String(asked || 'en').replace(/_/g, '-'))[0] ?? 'en';
  } catch {
    return 'en';
  }
}

/** The table for `language` (English where there is none), with `overrides` on top; its
 * `locale` (overridable too) formats numbers. A TypeError names an unknown override. */
export function stringsFor(language, overrides = {}) {
  const table = SIMPLIFIED.test(language.toLowerCase()) ? zhCN : en;
  for (const key of Object.keys(overrides)) {
    if (!(key in en) && key !== 'locale') throw new TypeError(`strings.${key} is not one of the uploader's strings: ${Object.keys(en).join(', ')}`);
  }
  return { locale: table === en ? 'en' : language, ...table, ...overrides };
}

/** Entry `key` of `strings`, called with `args` where it is a function (a page may give plain
 * text instead). */
export function say(strings, key, ...args) {
  const entry = strings[key];
  return typeof entry === 'function' ? entry(...args) : String(entry);
}
