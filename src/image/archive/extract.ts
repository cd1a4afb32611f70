// The first step of `docker load`: every regular file of the archive goes to its own temp file (named by a counter,
// never by the archive's path, so nothing in the archive can write outside the work directory), with its sha256 and
// size; symlinks and hard links are remembered. Paths are then looked up the way Docker's FollowSymlinkInScope
// resolves them in the extracted tree: links are followed but can never leave the archive's root.
import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { InvalidParameter } from '../../errdefs/index.js';
import type { Digest } from '../../lib/digest.js';
import { cleanEntryName, readTar } from '../../archive/index.js';

export interface StoredFile {
  /** Where its bytes are on disk. */
  path: string;
  size: number;
  digest: Digest;
}

const MAX_LINK_HOPS = 255;
/** manifest.json, index.json, manifests and configs are read into memory; nothing legitimate comes near this. */
const MAX_JSON = 64 << 20;

/** Splits a path into its components, resolving `.` and `..` lexically; undefined if `..` climbs above the root. */
function lexicalParts(p: string): string[] | undefined {
  const out: string[] = [];
  for (const c of p.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(c);
  }
  return out;
}

export class ArchiveFiles {
  readonly files = new Map<string, StoredFile>();
  readonly symlinks = new Map<string, string>();

  /** The name an archive entry is stored under; InvalidParameter for one that climbs out of the archive. */
  static entryName(name: string): string {
    // The one rule for tar entry names (src/archive), in load's words.
    try {
      return cleanEntryName(name);
    } catch {
      throw new InvalidParameter(`invalid archive: entry ${JSON.stringify(name)} is outside it`);
    }
  }

  /**
   * Resolves `p` (a path read from the archive's own metadata) to a stored file: InvalidParameter when it climbs
   * out of the archive; symlinks on the way are followed, clamped to the root as in a chroot; undefined when there
   * is no such regular file.
   */
  lookup(p: string, where: string): StoredFile | undefined {
    if (lexicalParts(p) === undefined) {
      throw new InvalidParameter(`invalid archive: path ${JSON.stringify(p)} in ${where} is outside the archive`);
    }
    let todo = p.split('/');
    let done: string[] = [];
    let hops = 0;
    while (todo.length > 0) {
      const c = todo.shift()!;
      if (c === '' || c === '.') continue;
      if (c === '..') {
        done.pop();
        continue;
      }
      done.push(c);
      const target = this.symlinks.get(done.join('/'));
      if (target === undefined) continue;
      if (++hops > MAX_LINK_HOPS) throw new InvalidParameter(`invalid archive: too many links resolving ${p}`);
      done.pop();
      if (target.startsWith('/')) done = [];
      todo = [...target.split('/'), ...todo];
    }
    return this.files.get(done.join('/'));
  }

  has(p: string): boolean {
    return this.lookup(p, 'the archive') !== undefined;
  }

  /** A small file's bytes (JSON metadata). */
  async read(file: StoredFile, name: string): Promise<Buffer> {
    if (file.size > MAX_JSON) throw new InvalidParameter(`invalid archive: ${name} is too large (${file.size} bytes)`);
    return readFile(file.path);
  }
}

/** Gathered into writes of about this size: each write is a thread-pool round trip, and sources come in 64 KiB. */
const WRITE_BATCH = 1 << 20;

/** Writes an entry's content to a new file at `path`, hashing it on the way. */
async function storeFile(body: AsyncIterable<Buffer>, path: string): Promise<{ size: number; digest: Digest }> {
  const hash = createHash('sha256');
  let size = 0;
  const fh = await open(path, 'wx', 0o600);
  // One write in flight while the next batch is read: the archive's reads and the file's writes overlap.
  let writing: Promise<unknown> = Promise.resolve();
  try {
    let pending: Buffer[] = [];
    let pendingLen = 0;
    let offset = 0;
    const flush = async () => {
      await writing;
      const write = fh.writev(pending, offset);
      write.catch(() => undefined); // handled where it is awaited; never an unhandled rejection meanwhile
      writing = write;
      offset += pendingLen;
      pending = [];
      pendingLen = 0;
    };
    for await (const chunk of body) {
      hash.update(chunk);
      size += chunk.length;
      pending.push(chunk);
      pendingLen += chunk.length;
      if (pendingLen >= WRITE_BATCH) await flush();
    }
    if (pendingLen > 0) await flush();
    await writing;
  } finally {
    await writing.catch(() => undefined);
    await fh.close();
  }
  return { size, digest: `sha256:${hash.digest('hex')}` };
}

/** Reads an (uncompressed) archive into `workDir`. Truncated or corrupt tars throw InvalidParameter. */
export async function extractArchive(
  tar: AsyncIterable<Uint8Array>,
  workDir: string,
  /** Told of each regular file once it is stored (load starts applying likely layers then). */
  onFile?: (name: string, file: StoredFile) => void,
): Promise<ArchiveFiles> {
  const out = new ArchiveFiles();
  let n = 0;
  for await (const entry of readTar(tar)) {
    const name = ArchiveFiles.entryName(entry.header.name);
    if (name === '') continue;
    out.symlinks.delete(name);
    out.files.delete(name);
    switch (entry.header.type) {
      case 'file': {
        const path = join(workDir, `f${n++}`);
        const file = { path, ...(await storeFile(entry.body, path)) };
        out.files.set(name, file);
        onFile?.(name, file);
        break;
      }
      case 'symlink':
        // Relative targets are relative to the link's directory; keep them as a path from the root.
        out.symlinks.set(
          name,
          entry.header.linkname.startsWith('/')
            ? entry.header.linkname
            : posix.join(posix.dirname(`/${name}`), entry.header.linkname),
        );
        break;
      case 'link': {
        const target = out.files.get(ArchiveFiles.entryName(entry.header.linkname));
        if (!target) {
          throw new InvalidParameter(
            `invalid archive: hard link ${JSON.stringify(name)} to missing ${JSON.stringify(entry.header.linkname)}`,
          );
        }
        out.files.set(name, target);
        break;
      }
      default:
      // Directories and device nodes carry nothing a loader needs.
    }
  }
  return out;
}
