// Fixtures for the archive tests: a fresh image store over FileLayerAccess in a temp directory, layer tars built
// from file lists, images added from layers, and helpers to read an archive back.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Digest, sha256 } from '../../lib/digest.js';
import { readTar, type TarHeader } from '../../archive/index.js';
import { buildTar } from '../../archive/testing.js';
import { ContentStore } from '../../storage/content/index.js';
import { chainIds, ImageStore } from '../store/index.js';
import { FileLayerAccess } from './layers.js';

export interface Env {
  root: string;
  content: ContentStore;
  layers: FileLayerAccess;
  images: ImageStore;
}

/** A store in `<dir>/<name>`. */
export async function openEnv(dir: string, name: string): Promise<Env> {
  const root = join(dir, name);
  const content = await ContentStore.open(join(root, 'content'));
  const layers = await FileLayerAccess.open(join(root, 'layers'));
  const images = await ImageStore.open({ root: join(root, 'image'), content, layers });
  return { root, content, layers, images };
}

/** Runs `fn` with a temp directory that is removed afterwards. */
export async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-archive-test-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A layer tar with one file per entry of `files`. */
export function layerTar(files: Record<string, string>): Buffer {
  return buildTar(Object.entries(files).map(([name, content]) => ({ name, type: 'file' as const, content })));
}

export async function* once(buf: Buffer): AsyncGenerator<Buffer> {
  yield buf;
}

export interface ImageSpec {
  layers: Buffer[];
  tags?: string[];
  cmd?: string[];
  created?: string;
  history?: unknown[];
}

export function configFor(spec: ImageSpec): Buffer {
  return Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: spec.created ?? '2024-01-01T00:00:00Z',
      config: { Cmd: spec.cmd ?? ['sh'], Env: ['PATH=/usr/bin:/bin'] },
      rootfs: { type: 'layers', diff_ids: spec.layers.map((l) => sha256(l)) },
      history: spec.history ?? spec.layers.map((_, i) => ({ created_by: `layer ${i}` })),
    }),
  );
}

/** Registers the layers (bottom first), puts the config and tags it; returns the image ID. */
export async function addImage(env: Env, spec: ImageSpec): Promise<Digest> {
  let parent: Digest | undefined;
  for (const l of spec.layers) parent = (await env.layers.register(once(l), parent)).chainId;
  const id = await env.images.put(configFor(spec));
  for (const t of spec.tags ?? []) await env.images.tag(id, t);
  return id;
}

export const chainOf = (layers: Buffer[]): Digest[] => chainIds(layers.map((l) => sha256(l)));

/** Everything a stream yields. */
export async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of source) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

export interface ArchiveEntry {
  header: TarHeader;
  data: Buffer;
}

/** The entries of a tar, with their content. */
export async function entries(tar: Buffer): Promise<ArchiveEntry[]> {
  const out: ArchiveEntry[] = [];
  for await (const e of readTar(once(tar))) out.push({ header: e.header, data: await collect(e.body) });
  return out;
}

/** A tar of named files (and symlinks when the content is `{ link }`). */
export function archiveOf(files: Record<string, string | Buffer | { link: string }>): Buffer {
  return buildTar(
    Object.entries(files).map(([name, v]) =>
      typeof v === 'object' && !Buffer.isBuffer(v)
        ? { name, type: 'symlink' as const, linkname: v.link }
        : { name, type: 'file' as const, content: v },
    ),
  );
}
