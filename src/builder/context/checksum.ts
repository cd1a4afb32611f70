// The build cache's key for COPY/ADD sources: a digest of what the copy would produce — names, types, modes,
// owners, sizes, symlink targets and file content, in walk order — and of nothing else (not times, not inodes).
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readlink } from 'node:fs/promises';
import { walkSource } from './source-walk.js';
import type { CopySource, SourceTree } from './sources.js';

/** 'sha256:<hex>' over every source's entries; identical sources give identical strings. */
export async function checksumSources(tree: SourceTree, sources: CopySource[]): Promise<string> {
  const h = createHash('sha256');
  for (const source of sources) {
    record(h, `source ${JSON.stringify(source.path)} ${JSON.stringify(source.name)}`);
    for await (const e of walkSource(tree, source)) {
      if (!e.emit) {
        record(h, `implied ${JSON.stringify(e.rel)}`);
        continue;
      }
      const { st } = e;
      const meta = `${JSON.stringify(e.rel)} ${Number(st.mode).toString(8)} ${st.uid}:${st.gid}`;
      if (st.isFile()) {
        record(h, `file ${meta} ${st.size}`);
        await hashFile(h, e.abs);
      } else if (st.isSymbolicLink()) record(h, `symlink ${meta} ${JSON.stringify(await readlink(e.abs))}`);
      else if (st.isCharacterDevice() || st.isBlockDevice()) record(h, `device ${meta} ${st.rdev}`);
      else record(h, `other ${meta}`);
    }
  }
  return `sha256:${h.digest('hex')}`;
}

/** Length-prefixed, so no two different sequences of records hash alike. */
function record(h: Hash, s: string): void {
  const b = Buffer.from(s);
  h.update(`${b.length}:`);
  h.update(b);
}

async function hashFile(h: Hash, abs: string): Promise<void> {
  for await (const chunk of createReadStream(abs, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
}
