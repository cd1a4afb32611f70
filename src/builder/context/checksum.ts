// The build cache's key for COPY/ADD sources: a digest of what the copy would produce — names, types, modes,
// owners, sizes, symlink targets and file content, in walk order — and of nothing else (not times, not inodes).
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, readlink } from 'node:fs/promises';
import { walkSource } from './source-walk.js';
import type { CopySource, SourceTree } from './sources.js';

/** 'sha256:<hex>' over every source's entries; identical sources give identical strings. */
export async function checksumSources(tree: SourceTree, sources: CopySource[]): Promise<string> {
  // The walk's records in order; file contents are hashed concurrently (a context is mostly small files, where the
  // opens, not the hashing, cost) and their digests recorded in walk order.
  const records: (string | Promise<string>)[] = [];
  const inFlight = new Set<Promise<string>>();
  for (const source of sources) {
    records.push(`source ${JSON.stringify(source.path)} ${JSON.stringify(source.name)}`);
    for await (const e of walkSource(tree, source)) {
      if (!e.emit) {
        records.push(`implied ${JSON.stringify(e.rel)}`);
        continue;
      }
      const { st } = e;
      const meta = `${JSON.stringify(e.rel)} ${Number(st.mode).toString(8)} ${st.uid}:${st.gid}`;
      if (st.isFile()) {
        records.push(`file ${meta} ${st.size}`);
        if (inFlight.size >= HASH_CONCURRENCY) await Promise.race(inFlight);
        const digest = fileDigest(e.abs, Number(st.size));
        inFlight.add(digest);
        void digest.then(
          () => inFlight.delete(digest),
          () => inFlight.delete(digest),
        );
        records.push(digest);
      } else if (st.isSymbolicLink()) records.push(`symlink ${meta} ${JSON.stringify(await readlink(e.abs))}`);
      else if (st.isCharacterDevice() || st.isBlockDevice()) records.push(`device ${meta} ${st.rdev}`);
      else records.push(`other ${meta}`);
    }
  }
  const h = createHash('sha256');
  for (const r of records) record(h, await r);
  return `sha256:${h.digest('hex')}`;
}

const HASH_CONCURRENCY = 16;
const SMALL_FILE = 1 << 20;

/** A file's content digest: read whole when small, streamed otherwise. */
async function fileDigest(abs: string, size: number): Promise<string> {
  const h = createHash('sha256');
  if (size <= SMALL_FILE) h.update(await readFile(abs));
  else for await (const chunk of createReadStream(abs, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return `content ${h.digest('hex')}`;
}

/** Length-prefixed, so no two different sequences of records hash alike. */
function record(h: Hash, s: string): void {
  const b = Buffer.from(s);
  h.update(`${b.length}:`);
  h.update(b);
}
