// Path segments for names and IDs, escaped as Go's URL.EscapedPath leaves them: `/`, `:` and `@` stay as they are,
// since image references (`example/app:v1`, `busybox@sha256:…`) travel unescaped in Docker's routes.
export function seg(name: string): string {
  return encodeURIComponent(name).replace(/%2F/gi, '/').replace(/%3A/gi, ':').replace(/%40/g, '@');
}
