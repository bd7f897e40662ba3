// `fetch` over XMLHttpRequest, for the `transport: 'xhr'` option: the same promise of a Response
// and the same AbortSignal handling, plus what fetch cannot give, the request body's bytes as
// they go out (`xhr.upload.onprogress`).
export function xhrFetch(url, method, headers, body, signal, onProgress) {
  return new Promise((resolve, reject) => {
    const aborted = () => new DOMException('The request was aborted', 'AbortError');
    if (signal.aborted) {
      reject(aborted());
      return;
    }
    const xhr = new XMLHttpRequest();
    const abort = () => xhr.abort();
    const settle = (then) => {
      signal.removeEventListener('abort', abort);
      xhr.upload.onprogress = null;
      then();
    };
    xhr.open(method, url);
    headers.forEach((value, name) => xhr.setRequestHeader(name, value));
    xhr.responseType = 'arraybuffer';
    if (onProgress) {
      xhr.upload.onprogress = (e) => onProgress(e.loaded);
    }
    xhr.onload = () =>
      settle(() => {
        const answer = new Headers();
        for (const line of xhr.getAllResponseHeaders().split('\r\n')) {
          const colon = line.indexOf(':');
          if (colon > 0) answer.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
        }
        const empty = method === 'HEAD' || xhr.status === 204 || xhr.status === 304;
        resolve(new Response(empty ? null : xhr.response, { status: xhr.status, headers: answer }));
      });
    xhr.onerror = () => settle(() => reject(new TypeError('XMLHttpRequest failed')));
    xhr.onabort = () => settle(() => reject(aborted()));
    signal.addEventListener('abort', abort);
    xhr.send(body);
  });
}
