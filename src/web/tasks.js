// Resolves in a later task, so that the page can paint and take input in between pieces of
// work. Not setTimeout: background tabs throttle timers to once a second or less, and uploads
// go on in background tabs.
export function nextTask() {
  if (globalThis.scheduler?.yield) return globalThis.scheduler.yield();
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}
