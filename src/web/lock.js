// The Web Locks API (web-sys has it only behind its unstable flag): takes lock `name` if it is
// free now, resolving to a function that releases it, or to null if another tab or upload
// holds it. Where the API is missing, resolves to a release that does nothing.
export function tryLock(name) {
  const locks = globalThis.navigator?.locks;
  if (!locks?.request) return Promise.resolve(() => {});
  return new Promise((granted) => {
    locks.request(name, { ifAvailable: true }, (lock) => {
      if (!lock) return granted(null);
      // The lock stays held while the promise this callback returns is pending.
      return new Promise((release) => granted(release));
    }).catch(() => granted(() => {}));
  });
}
