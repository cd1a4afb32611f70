// Test fixtures for the image store's unit tests: a store in a temp directory over an in-memory LayerRefs, and
// image configs built from named layers.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Digest, sha256 } from '../../lib/digest.js';
import { ContentStore } from '../../storage/content/index.js';
import type { ContainerConfig, History } from '../types.js';
import { chainIds } from './chain-id.js';
import { MemoryLayerRefs } from './layer-refs.js';
import type { ImageUser } from './model.js';
import { ImageStore } from './store.js';

export interface ConfigSpec {
  /** Layer names; each becomes a diff ID (sha256 of the name) of size `sizes[name]` or 100. */
  layers?: string[];
  created?: string;
  config?: ContainerConfig;
  history?: History[];
  comment?: string;
  /** Anything else to put in the config. */
  extra?: Record<string, unknown>;
}

export const diffIdOf = (layer: string): Digest => sha256(`layer:${layer}`);

export function configBytes(spec: ConfigSpec): Buffer {
  const json: Record<string, unknown> = {
    architecture: 'amd64',
    os: 'linux',
    created: spec.created ?? '2024-01-01T00:00:00Z',
    config: spec.config ?? { Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: (spec.layers ?? []).map(diffIdOf) },
    ...spec.extra,
  };
  if (spec.history) json.history = spec.history;
  if (spec.comment !== undefined) json.comment = spec.comment;
  return Buffer.from(JSON.stringify(json));
}

export interface Fixture {
  root: string;
  content: ContentStore;
  layers: MemoryLayerRefs;
  store: ImageStore;
  /** What `containers` answers for each image. */
  users: Map<Digest, ImageUser[]>;
  /** Registers the layers of `spec` (sizes by name, default 100) and puts the image. */
  add(spec: ConfigSpec, opts?: { parent?: Digest }): Promise<Digest>;
  reopen(): Promise<ImageStore>;
}

export async function withFixture(
  fn: (f: Fixture) => Promise<void>,
  sizes: Record<string, number> = {},
  now?: () => Date,
): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'berth-images-'));
  try {
    const content = await ContentStore.open(join(root, 'content'));
    const layers = new MemoryLayerRefs();
    const users = new Map<Digest, ImageUser[]>();
    const open = () =>
      ImageStore.open({
        root: join(root, 'image'),
        content,
        layers,
        containers: async (id) => users.get(id) ?? [],
        now,
      });
    const f: Fixture = {
      root: join(root, 'image'),
      content,
      layers,
      users,
      store: await open(),
      async add(spec, opts) {
        const names = spec.layers ?? [];
        chainIds(names.map(diffIdOf)).forEach((c, i) => {
          layers.add(c, sizes[names[i]!] ?? 100);
        });
        return f.store.put(configBytes(spec), opts);
      },
      async reopen() {
        f.store = await open();
        return f.store;
      },
    };
    await fn(f);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
