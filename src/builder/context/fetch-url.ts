// ADD <url>: the remote file downloaded into a scratch directory as dockerd's downloadSource does — named from the
// URL's last path component (else Content-Disposition), mode 0600, mtime from Last-Modified.
import { createWriteStream } from 'node:fs';
import { rm, utimes } from 'node:fs/promises';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { InvalidParameter } from '../../errdefs/index.js';

/** Whether an ADD source is a URL (moby's urlutil.IsURL). */
export const isUrl = (s: string): boolean => s.startsWith('http://') || s.startsWith('https://');

/** The name Docker gives the download (getFilenameForDownload); '' when it cannot tell. */
function filenameFor(urlPath: string, disposition: string | null): string {
  let decoded = urlPath;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    // a malformed escape: the name as written
  }
  if (decoded !== '' && !decoded.endsWith('/')) {
    const base = posix.basename(decoded);
    if (base !== '' && base !== '/') return base;
  }
  const m = disposition && /filename\*?=(?:"([^"]*)"|([^;]*))/i.exec(disposition);
  const given = m ? (m[1] ?? m[2] ?? '').trim() : '';
  if (given !== '' && !given.endsWith('/')) {
    const base = posix.basename(given);
    if (base !== '' && base !== '/' && base !== '.' && base !== '..') return base;
  }
  return '';
}

/**
 * Downloads `url` into `tmpDir` (which must exist). Returns the file's path, the name it takes in a directory
 * destination, and its mtime (seconds) when the server sent Last-Modified. HTTP errors are Docker's
 * 'failed to GET <url> with status <code> <text>: <body>'.
 */
export async function fetchUrlSource(
  url: string,
  tmpDir: string,
): Promise<{ file: string; name: string; mtime?: number }> {
  let resp: Response;
  try {
    resp = await fetch(url, { redirect: 'follow' });
  } catch (e) {
    const cause = (e as { cause?: { message?: string } }).cause?.message ?? (e as Error).message;
    throw new InvalidParameter(`error downloading remote context ${url}: ${cause}`, { cause: e });
  }
  if (resp.status >= 400) {
    const body = (await resp.text().catch(() => '')).slice(0, 1000);
    throw new InvalidParameter(`failed to GET ${url} with status ${resp.status} ${resp.statusText}: ${body}`);
  }
  const u = new URL(resp.url || url);
  const name =
    filenameFor(new URL(url).pathname, resp.headers.get('content-disposition')) || filenameFor(u.pathname, null);
  if (name === '') throw new InvalidParameter(`cannot determine filename from url: ${url}`);
  const file = posix.join(tmpDir, name);
  try {
    const out = createWriteStream(file, { flags: 'wx', mode: 0o600 });
    if (resp.body) await pipeline(Readable.fromWeb(resp.body as WebReadableStream<Uint8Array>), out);
    else await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  } catch (e) {
    await rm(file, { force: true });
    throw e;
  }
  const lastModified = resp.headers.get('last-modified');
  const ms = lastModified ? Date.parse(lastModified) : Number.NaN;
  if (Number.isNaN(ms)) return { file, name };
  const mtime = Math.floor(ms / 1000);
  await utimes(file, mtime, mtime);
  return { file, name, mtime };
}
