// ali-oss's `client.options.endpoint` is a parsed URL (Node's url.parse()): its fields, and
// format() on the prototype to write it back.
const Url = {
  format() {
    return this.href;
  },
};
export function parsedUrl(fields) {
  return Object.setPrototypeOf(fields, Url);
}
