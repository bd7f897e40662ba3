// A module service worker that uploads what the page posts to it and reports progress back;
// waitUntil keeps it alive until the upload is done.
import { upload } from './worker-upload.js';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('message', (event) => {
  event.waitUntil(upload(event.data, (message) => event.source.postMessage(message)));
});
