// The batch's header in the drop-in uploader: how many files wait, upload, are done, paused or
// failed, the bytes of them all, one bar with the speed and time left for the batch, and Pause
// all / Resume all / Retry failed. Each file's upload is still its own; the client's one
// scheduler (in the wasm) decides which request goes next. Bundled into uploader.js.
import { createRateMeter, describeProgress, formatBytes } from './format.js';
import { say } from './strings.js';

function button(doc, className, text) {
  const b = doc.createElement('button');
  b.type = 'button';
  b.className = className;
  b.textContent = text;
  return b;
}

/**
 * The header, not yet in the page; `actions` are {pauseAll, resumeAll, retryFailed}. Call
 * `track(run)` for each file uploaded and `changed()` when one's state or progress changes.
 */
export function createBatch(doc, strings, actions) {
  const root = doc.createElement('div');
  root.className = 'oss-upload-batch';
  root.hidden = true;
  const counts = doc.createElement('span');
  counts.className = 'oss-upload-batch-counts';
  const bar = doc.createElement('progress');
  bar.max = 1;
  bar.value = 0;
  bar.setAttribute('aria-label', say(strings, 'batchProgress'));
  const status = doc.createElement('span');
  status.className = 'oss-upload-batch-status';
  const pauseAll = button(doc, 'oss-upload-pause-all', say(strings, 'pauseAll'));
  const resumeAll = button(doc, 'oss-upload-resume-all', say(strings, 'resumeAll'));
  const retryFailed = button(doc, 'oss-upload-retry-failed', say(strings, 'retryFailed'));
  pauseAll.addEventListener('click', actions.pauseAll);
  resumeAll.addEventListener('click', actions.resumeAll);
  retryFailed.addEventListener('click', actions.retryFailed);
  root.append(counts, bar, status, pauseAll, resumeAll, retryFailed);

  const runs = [];
  const meter = createRateMeter();
  let ticker = 0;
  let rate = null;
  const bytes = () => {
    let total = 0;
    let done = 0;
    for (const { file, row } of runs) {
      total += file.size;
      done += row.bar.value * file.size;
    }
    return { total, done };
  };
  const tick = () => {
    meter.sample(performance.now(), bytes().done);
    rate = meter.rate;
    changed();
  };
  function changed() {
    const by = { waiting: 0, uploading: 0, done: 0, paused: 0, error: 0 };
    for (const { row } of runs) {
      const state = row.item.dataset.state;
      if (state in by) by[state] += 1;
    }
    const { total, done } = bytes();
    root.hidden = runs.length === 0;
    counts.textContent = say(strings, 'batchCounts', by, formatBytes(total, strings.locale));
    bar.value = total > 0 ? done / total : 0;
    const moving = by.waiting + by.uploading > 0;
    status.textContent = moving ? describeProgress(bar.value, total, rate, strings) : '';
    pauseAll.hidden = !moving;
    resumeAll.hidden = by.paused === 0;
    retryFailed.hidden = by.error === 0;
    if (moving && !ticker) {
      meter.start(performance.now(), done);
      rate = null;
      // The speed and time left change at most once a second, so they can be read.
      ticker = setInterval(tick, 1000);
    } else if (!moving && ticker) {
      clearInterval(ticker);
      ticker = 0;
    }
  }
  let pending = false;
  return {
    root,
    track(run) {
      runs.push(run);
    },
    changed,
    /** changed(), a moment later: progress reports come many a second. */
    soon() {
      if (pending) return;
      pending = true;
      setTimeout(() => {
        pending = false;
        changed();
      }, 200);
    },
    runs,
  };
}
