// ali-oss's `callback` option: after storing the object, OSS posts `body` (its `${object}`,
// `${size}`, `${crc64}`, … and `${x:name}` filled in) to `url` and answers the upload with
// that server's JSON, which the result carries as `data`. Sent as `x-oss-callback` and
// `x-oss-callback-var` (base64 JSON, encoded as ali-oss does), on PutObject or on Complete.
import { argument } from './errors.js';
import { given } from './options.js';

/** Base64 of the UTF-8 of `value`'s JSON. */
function base64Json(value) {
  let binary = '';
  for (const b of new TextEncoder().encode(JSON.stringify(value))) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** The headers `options.callback` asks for, as pairs; none without it. */
export function callbackHeaders(o) {
  if (!given(o, 'callback')) return [];
  const c = o.callback;
  const text = (k) => {
    if (!given(c, k)) return undefined;
    if (typeof c[k] !== 'string') throw argument(`\`callback.${k}\` must be a string`);
    return c[k];
  };
  const url = text('url');
  const body = text('body');
  if (url === undefined || body === undefined) {
    throw argument("`callback` needs `url` (your server's) and `body` (e.g. 'object=${object}&size=${size}')");
  }
  const config = { callbackUrl: encodeURI(url), callbackBody: body };
  const host = text('host');
  if (host !== undefined) config.callbackHost = host;
  const kind = text('contentType');
  if (kind !== undefined) config.callbackBodyType = kind;
  if (c.callbackSNI === true) config.callbackSNI = true;
  const out = [['x-oss-callback', base64Json(config)]];
  if (given(c, 'customValue')) {
    const vars = {};
    for (const [k, v] of Object.entries(c.customValue)) vars[`x:${k}`] = typeof v === 'string' ? v : JSON.stringify(v) ?? '';
    out.push(['x-oss-callback-var', base64Json(vars)]);
  }
  return out;
}

/** The callback server's answer (parsed JSON, else text); 203 means it failed. */
export async function callbackOutcome(transport, reply) {
  if (reply.status === 203) {
    const e = await transport.readError(reply, 'POST');
    e.message = `The object was stored, but its callback failed: ${e.message} Check the callback server.`;
    throw e;
  }
  const text = await reply.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
