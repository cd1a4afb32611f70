// `berth build`'s local side: the context directory as the tar the daemon receives, as the docker CLI makes it —
// .dockerignore applied (the Dockerfile and .dockerignore always sent), every entry owned by root, and a Dockerfile
// from outside the context (or stdin) added under a name of its own.
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { END_OF_ARCHIVE, encodeHeader, padding, type TarHeader, tarHeader } from '../../archive/tar.js';
import { hasExceptionsUnder, ignoreMatcher, parseDockerignore } from '../../builder/context/dockerignore.js';

export interface ContextTar {
  tar: Readable;
  /** The Dockerfile's name inside the tar. */
  dockerfile: string;
}

/** `dockerfile`: a path given with -f (relative to the working directory), '-' for stdin text, or undefined. */
export async function contextTar(dir: string, dockerfile: string | undefined, stdinText?: string): Promise<ContextTar> {
  const st = await lstat(dir).catch(() => undefined);
  if (!st?.isDirectory()) throw new Error(`unable to prepare context: path "${dir}" not found`);
  let name = 'Dockerfile';
  let extra: { name: string; data: Buffer } | undefined;
  if (stdinText !== undefined) {
    name = `__dockerfile-berth-${randomBytes(8).toString('hex')}`;
    extra = { name, data: Buffer.from(stdinText) };
  } else if (dockerfile !== undefined) {
    const rel = relative(dir, dockerfile);
    if (rel.startsWith('..') || rel === '') {
      name = `.dockerfile.${randomBytes(10).toString('hex')}`;
      extra = { name, data: await readFile(dockerfile) };
    } else name = rel.split(sep).join('/');
  } else if (!(await lstat(join(dir, 'Dockerfile')).catch(() => undefined))) {
    if (await lstat(join(dir, 'dockerfile')).catch(() => undefined)) name = 'dockerfile';
    else
      throw new Error(
        `unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${join(dir, 'Dockerfile')}: no such file or directory`,
      );
  }
  const ignoreText = await readFile(join(dir, '.dockerignore'), 'utf8').catch(() => '');
  const matcher = ignoreMatcher(parseDockerignore(ignoreText));
  const always = new Set([name, '.dockerignore']);

  async function* entries(rel: string): AsyncGenerator<Buffer> {
    const names = (await readdir(join(dir, rel))).sort();
    for (const n of names) {
      const r = rel === '' ? n : `${rel}/${n}`;
      const abs = join(dir, r);
      const s = await lstat(abs);
      const excluded = !always.has(r) && matcher.matches(r);
      if (excluded && !(s.isDirectory() && hasExceptionsUnder(matcher, r))) continue;
      const base = { name: r, mode: s.mode & 0o7777, uid: 0, gid: 0, mtime: Math.floor(s.mtimeMs / 1000) };
      if (s.isDirectory()) {
        if (!excluded) yield encodeHeader(tarHeader({ ...base, type: 'directory' }));
        yield* entries(r);
      } else if (s.isSymbolicLink()) {
        yield encodeHeader(tarHeader({ ...base, type: 'symlink', linkname: await readlink(abs) }));
      } else if (s.isFile()) {
        yield encodeHeader(tarHeader({ ...base, type: 'file', size: s.size }));
        let sent = 0;
        for await (const chunk of createReadStream(abs)) {
          sent += (chunk as Buffer).length;
          yield chunk as Buffer;
        }
        if (sent !== s.size) throw new Error(`${abs} changed while the build context was sent`);
        yield padding(s.size);
      }
    }
  }
  async function* all(): AsyncGenerator<Buffer> {
    yield* entries('');
    if (extra) {
      const h: TarHeader = tarHeader({ name: extra.name, type: 'file', size: extra.data.length, mode: 0o600 });
      yield encodeHeader(h);
      yield extra.data;
      yield padding(extra.data.length);
    }
    yield END_OF_ARCHIVE;
  }
  return { tar: Readable.from(all(), { objectMode: false }), dockerfile: name };
}
