// `berth cp`'s local side: a local file tree as a tar stream, and a tar stream extracted into a local directory the
// way docker's archive.Untar does for cp (no chown, existing files replaced, a directory never replaced by a file or
// the other way round, nothing written outside the destination — also not through a symlink the tar itself made).
// The tar codec, the entry-name rule and the confined directory walk are src/archive's, as for the daemon's side.
import { createReadStream } from 'node:fs';
import { chmod, link, lstat, lutimes, mkdir, open, readdir, readlink, rm, symlink, utimes } from 'node:fs/promises';
import { join, posix, resolve } from 'node:path';
import { Readable } from 'node:stream';
// The codec and the resolver by their files, not archive/index.js: the CLI's bundle then leaves out the rest of the
// leaf (the daemon's cp tree, libc calls), which every `berth` command would load.
import { cleanEntryName, ScopedResolver } from '../../archive/scoped-resolver.js';
import { END_OF_ARCHIVE, encodeHeader, padding, readTar, type TarHeader, tarHeader } from '../../archive/tar.js';
import { InvalidParameter, isInvalidParameter, isNotFound } from '../../errdefs/index.js';

/**
 * A tar stream of `dir/base` and, for a directory, everything under it, entries named from `base` (or `rebase`
 * in its place), as docker's TarResourceRebase makes them.
 */
export function tarTree(dir: string, base: string, rebase?: string): Readable {
  const rename = (name: string) => {
    if (!rebase) return name;
    return name === base ? rebase : name.startsWith(`${base}/`) ? rebase + name.slice(base.length) : name;
  };
  async function* walk(path: string, name: string): AsyncGenerator<Buffer> {
    const st = await lstat(path);
    const h: TarHeader = tarHeader({
      name: rename(name),
      type: 'file',
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      mtime: Math.floor(st.mtimeMs / 1000),
    });
    if (st.isDirectory()) {
      yield encodeHeader({ ...h, type: 'directory' });
      for (const child of (await readdir(path)).sort()) yield* walk(join(path, child), `${name}/${child}`);
    } else if (st.isSymbolicLink()) {
      yield encodeHeader({ ...h, type: 'symlink', linkname: await readlink(path) });
    } else if (st.isFile()) {
      yield encodeHeader({ ...h, size: st.size });
      let written = 0;
      for await (const chunk of createReadStream(path)) {
        const c = (chunk as Buffer).subarray(0, st.size - written);
        written += c.length;
        if (c.length > 0) yield c;
        if (written >= st.size) break;
      }
      if (written < st.size) yield Buffer.alloc(st.size - written);
      yield padding(st.size);
    }
    // Sockets, devices and fifos are left out.
  }
  async function* all(): AsyncGenerator<Buffer> {
    yield* walk(join(dir, base), base);
    yield END_OF_ARCHIVE;
  }
  return Readable.from(all(), { objectMode: false });
}

/** Renames entries whose first path component is `oldBase` (archive.RebaseArchiveEntries). */
export function rebaseName(name: string, oldBase: string, newBase: string): string {
  const trimmed = name.replace(/^\.\//, (m) => (oldBase === '.' ? m : ''));
  if (trimmed === oldBase || trimmed === `${oldBase}/`) return newBase + trimmed.slice(oldBase.length);
  if (trimmed.startsWith(`${oldBase}/`)) return newBase + trimmed.slice(oldBase.length);
  return name;
}

/**
 * Extracts a tar stream into `dest` (archive.Untar with NoLchown and NoOverwriteDirNonDir), entries renamed by
 * `rename`. Parent directories are walked by src/archive's ScopedResolver (symlinks followed with `dest` as `/`, a
 * climb out of it refused), so an entry under a symlink the tar made earlier stays inside. Returns the bytes of file
 * data written.
 */
export async function extractTar(
  source: AsyncIterable<Buffer | string>,
  dest: string,
  rename: (name: string) => string = (n) => n,
): Promise<number> {
  const root = resolve(dest);
  const dirs = new ScopedResolver(root, false);
  // Hard link targets must exist: looked up without creating anything.
  const existing = new ScopedResolver(root, false, true);
  const outside = (name: string) => new Error(`${JSON.stringify(name)} is outside of ${JSON.stringify(root)}`);
  const inRoot = async (resolver: ScopedResolver, rel: string, entry: string) => {
    if (rel === '') return root;
    const dir = posix.dirname(rel);
    try {
      return join(await resolver.dir(dir === '.' ? '' : dir, entry), posix.basename(rel));
    } catch (e) {
      throw isInvalidParameter(e) ? outside(entry) : e;
    }
  };
  const dirTimes: [string, number][] = [];
  let total = 0;
  const bytes = async function* () {
    for await (const c of source) yield typeof c === 'string' ? Buffer.from(c) : c;
  };
  for await (const { header: h, body } of readTar(bytes())) {
    if (!['file', 'directory', 'symlink', 'link'].includes(h.type)) continue;
    let rel: string;
    try {
      rel = cleanEntryName(rename(h.name));
    } catch (e) {
      throw isInvalidParameter(e) ? outside(h.name) : e;
    }
    const path = await inRoot(dirs, rel, h.name);
    const name = rel === '' ? '.' : rel;
    const found = await lstat(path).catch(() => undefined);
    if (found) {
      if (found.isDirectory() && h.type !== 'directory') {
        throw new Error(`cannot overwrite directory "${path}" with non-directory "${name}"`);
      }
      if (!found.isDirectory() && h.type === 'directory') {
        throw new Error(`cannot overwrite non-directory "${path}" with directory "${name}"`);
      }
      if (!found.isDirectory()) {
        await rm(path, { force: true });
        if (found.isSymbolicLink()) {
          dirs.invalidate();
          existing.invalidate();
        }
      }
    }
    switch (h.type) {
      case 'directory':
        if (!found) await mkdir(path, { mode: h.mode & 0o7777 });
        await chmod(path, h.mode & 0o7777);
        dirTimes.push([path, h.mtime]);
        break;
      case 'symlink':
        // The target is data, stored as it is; entries below it are resolved inside `dest` (above).
        await symlink(h.linkname, path);
        await lutimes(path, h.mtime, h.mtime).catch(() => {});
        break;
      case 'link': {
        let target: string;
        try {
          const t = cleanEntryName(rename(h.linkname), 'hard link target');
          if (t === '') throw new InvalidParameter('a hard link to the destination itself');
          const dir = posix.dirname(t);
          target = join(await existing.dir(dir === '.' ? '' : dir, h.linkname), posix.basename(t));
        } catch (e) {
          // Outside `dest`, or through a directory that is not there (the walk creates nothing).
          if (isInvalidParameter(e) || isNotFound(e))
            throw new Error(`invalid hardlink "${h.linkname}" -> "${h.name}"`);
          throw e;
        }
        await link(target, path);
        break;
      }
      default: {
        const fh = await open(path, 'wx', h.mode & 0o7777);
        try {
          for await (const chunk of body) {
            await fh.write(chunk);
            total += chunk.length;
          }
        } finally {
          await fh.close();
        }
        await chmod(path, h.mode & 0o7777);
        await utimes(path, h.mtime, h.mtime);
      }
    }
  }
  for (const [path, mtime] of dirTimes.reverse()) await utimes(path, mtime, mtime).catch(() => {});
  return total;
}
