// A module worker that uploads what the page posts to it and reports progress back.
import { upload } from './worker-upload.js';

self.onmessage = ({ data }) => upload(data, (message) => self.postMessage(message));
