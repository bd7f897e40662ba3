// get()'s `content`: the bytes, as a Uint8Array that also reads as text the way ali-oss's
// Buffer does (`content.toString()` is the UTF-8 text, so `JSON.parse(content)` works too).
// web-sys cannot subclass a built-in, so the class is declared here; it holds no state.
export class Content extends Uint8Array {
  toString(encoding = 'utf-8') {
    return new TextDecoder(encoding).decode(this);
  }
}
