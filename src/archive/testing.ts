// Test helpers for archive and graph driver tests (containerd's fstest habit): describe a tree as comparable data,
// and build tars from entry lists. Not used by production code.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { devMajor, devMinor } from '../sys/ffi-libc.js';
import { END_OF_ARCHIVE, encodeHeader, padding, type TarHeader, tarHeader } from './tar.js';
import { readXattrs, walkTree } from './walk.js';

/**
 * One line per entry: path, type, mode, owner, mtime (seconds; directories too unless `dirTimes` is false), size,
 * content hash, link target, device numbers, xattrs, and which entries share an inode.
 */
export async function describeTree(root: string, opts: { dirTimes?: boolean } = {}): Promise<string[]> {
  const lines: string[] = [];
  const inodes = new Map<string, string>();
  for await (const { rel, abs, st } of walkTree(root)) {
    const mode = (Number(st.mode) & 0o7777).toString(8);
    let type = '?';
    let extra = '';
    if (st.isFile()) {
      type = 'f';
      extra = `size=${st.size} sha=${createHash('sha256')
        .update(await readFile(abs))
        .digest('hex')
        .slice(0, 12)}`;
    } else if (st.isDirectory()) type = 'd';
    else if (st.isSymbolicLink()) {
      type = 'l';
      extra = `-> ${await readlink(abs)}`;
    } else if (st.isCharacterDevice() || st.isBlockDevice()) {
      type = st.isCharacterDevice() ? 'c' : 'b';
      extra = `dev=${devMajor(st.rdev)}:${devMinor(st.rdev)}`;
    } else if (st.isFIFO()) type = 'p';
    const showTime = !(st.isDirectory() && opts.dirTimes === false);
    const x = [...(await readXattrs(abs))].map(([k, v]) => `${k}=${v.toString('hex')}`).join(',');
    let link = '';
    if (!st.isDirectory() && st.nlink > 1n) {
      const key = `${st.dev}:${st.ino}`;
      link = inodes.has(key) ? ` hardlink=${inodes.get(key)}` : '';
      if (!inodes.has(key)) inodes.set(key, rel);
    }
    lines.push(
      `${rel} ${type} ${mode} ${st.uid}:${st.gid}${showTime ? ` t=${st.mtimeNs / 1_000_000_000n}` : ''} ${extra}${x ? ` xattr=${x}` : ''}${link}`.trim(),
    );
  }
  return lines;
}

export type TestEntry = Partial<TarHeader> & Pick<TarHeader, 'name' | 'type'> & { content?: string | Buffer };

/** A tar (uncompressed) of the given entries, in order. `truncate` cuts it to that many bytes. */
export function buildTar(entries: TestEntry[], opts: { end?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const content = e.content === undefined ? undefined : Buffer.from(e.content);
    const h = tarHeader({ mtime: 1_600_000_000, ...e, size: content?.length ?? e.size ?? 0 });
    parts.push(encodeHeader(h));
    if (content) parts.push(content, padding(content.length));
  }
  if (opts.end !== false) parts.push(END_OF_ARCHIVE);
  return Buffer.concat(parts);
}

/** An async iterable over `buf` in chunks of `chunk` bytes (exercises reads that span chunks). */
export async function* chunked(buf: Buffer, chunk = 4096): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += chunk) yield buf.subarray(i, i + chunk);
}

/** A scratch directory for a test file: `dir()` gives a fresh empty subdirectory, `remove()` deletes it all. */
export async function scratch(prefix: string): Promise<{ dir(): Promise<string>; remove(): Promise<void> }> {
  const root = await mkdtemp(path.join(tmpdir(), prefix));
  let n = 0;
  return {
    async dir() {
      const d = path.join(root, `d${n++}`);
      await mkdir(d);
      return d;
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/** Reads a byte stream to its end. */
export async function collect(s: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}
