// RUN --mount (BuildKit's syntax on the legacy API): cache directories kept across builds, binds from the context
// or another stage, tmpfs, and secrets written to a private file only for the step. Each resolves to a host mount.
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { resolveInRoot } from '../../archive/index.js';
import { InvalidParameter, NotImplemented } from '../../errdefs/index.js';
import { KeyedLock } from '../../lib/keyed-lock.js';
import type { BuildBackend, StepMount } from '../backend.js';
import { checksumSources, resolveSources, type SourceTree } from '../context/index.js';
import { expandWord, type Instruction, parseRunMounts, type RunMount } from '../dockerfile/index.js';

export interface MountContext {
  backend: BuildBackend;
  /** The build context (none for a Dockerfile sent alone). */
  context: SourceTree | undefined;
  secrets: ReadonlyMap<string, Buffer>;
  tmpDir: string;
  signal: AbortSignal;
  /** The rootfs of a stage (by name or index) or image, to read from until released. */
  openTree(from: string): Promise<{ tree: SourceTree; release(): Promise<void> }>;
  escape: string;
  cacheUsers: CacheMountUsers;
}

export interface ResolvedMounts {
  mounts: StepMount[];
  /** What of the mounts decides the step's result, for its cache key. */
  key: unknown[];
  release(): Promise<void>;
}

/** Who uses which cache mount, across the daemon's builds (one instance, owned by the build service). */
export class CacheMountUsers {
  /** `sharing=locked`: one step at a time per id. */
  readonly locked = new KeyedLock();
  /** Ids in use, for `sharing=private` (a second user gets a fresh directory). */
  readonly inUse = new Map<string, number>();
}

export async function resolveRunMounts(
  ins: Instruction,
  ctx: MountContext,
  env: ReadonlyMap<string, string>,
): Promise<ResolvedMounts> {
  const specs = (ins.flags.mount ?? []).length > 0 ? parseRunMounts(expandFlags(ins, env, ctx.escape)) : [];
  const mounts: StepMount[] = [];
  const key: unknown[] = [];
  const releases: (() => Promise<void>)[] = [];
  const release = async () => {
    for (const r of releases.reverse()) await r().catch(() => {});
  };
  try {
    for (const m of specs) {
      const target = posix.resolve('/', m.target);
      switch (m.type) {
        case 'cache':
          mounts.push(await cacheMount(m, target, ctx, releases));
          key.push(['cache', target, m.id ?? target]);
          break;
        case 'tmpfs':
          mounts.push({ type: 'tmpfs', target, ...(m.size === undefined ? {} : { size: m.size }) });
          key.push(['tmpfs', target]);
          break;
        case 'bind': {
          const { source, sum, done } = await bindSource(m, ctx);
          releases.push(done);
          mounts.push({ type: 'bind', source, target, readonly: m.readonly });
          key.push(['bind', target, m.from ?? '', m.source ?? '', sum]);
          break;
        }
        case 'secret': {
          const id = m.id ?? posix.basename(target);
          const data = ctx.secrets.get(id);
          if (!data) {
            if (m.required) throw new InvalidParameter(`secret ${id}: not found`);
            break;
          }
          const dir = await mkdtemp(join(ctx.tmpDir, 'secret-'));
          releases.push(() => rm(dir, { recursive: true, force: true }));
          const file = join(dir, 'secret');
          await writeFile(file, data, { mode: 0o400 });
          await chmod(file, m.mode ?? 0o400);
          const owner = ctx.backend.hostIds({ uid: m.uid ?? 0, gid: m.gid ?? 0 });
          await chown(file, owner.uid, owner.gid);
          const secretTarget = m.target ? target : `/run/secrets/${id}`;
          mounts.push({ type: 'bind', source: file, target: secretTarget, readonly: true });
          // Only the id and place: the secret's content never reaches the cache key, history or a layer.
          key.push(['secret', secretTarget, id]);
          break;
        }
        default:
          throw new NotImplemented(`RUN --mount=type=${m.type} is not supported`);
      }
    }
    return { mounts, key, release };
  } catch (e) {
    await release();
    throw e;
  }
}

/** The --mount values with build args and ENV substituted (BuildKit expands them). */
function expandFlags(ins: Instruction, env: ReadonlyMap<string, string>, escapeChar: string): Instruction['flags'] {
  return { ...ins.flags, mount: (ins.flags.mount ?? []).map((v) => expandWord(v, env, escapeChar)) };
}

async function cacheMount(
  m: RunMount,
  target: string,
  ctx: MountContext,
  releases: (() => Promise<void>)[],
): Promise<StepMount> {
  const id = m.id || target;
  const owner = { mode: m.mode ?? 0o755, uid: m.uid ?? 0, gid: m.gid ?? 0 };
  if (m.sharing === 'locked') {
    let unlock: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      unlock = resolve;
    });
    const acquired = new Promise<void>((resolve) => {
      void ctx.cacheUsers.locked.run(id, async () => {
        resolve();
        await held;
      });
    });
    await acquired;
    releases.push(async () => unlock());
  }
  const inUse = ctx.cacheUsers.inUse;
  if (m.sharing === 'private' && (inUse.get(id) ?? 0) > 0) {
    const dir = await mkdtemp(join(ctx.tmpDir, 'cache-'));
    const ids = ctx.backend.hostIds(owner);
    await chown(dir, ids.uid, ids.gid);
    await chmod(dir, owner.mode);
    releases.push(() => rm(dir, { recursive: true, force: true }));
    return { type: 'bind', source: dir, target, readonly: m.readonly };
  }
  inUse.set(id, (inUse.get(id) ?? 0) + 1);
  releases.push(async () => {
    const n = (inUse.get(id) ?? 1) - 1;
    if (n <= 0) inUse.delete(id);
    else inUse.set(id, n);
  });
  return { type: 'bind', source: await ctx.backend.cacheDir(id, owner), target, readonly: m.readonly };
}

/** A bind's host path (resolved inside the context or the stage, never outside) and a checksum of what it shows. */
async function bindSource(
  m: RunMount,
  ctx: MountContext,
): Promise<{ source: string; sum: string; done: () => Promise<void> }> {
  const opened = m.from ? await ctx.openTree(m.from) : undefined;
  const tree = opened?.tree ?? ctx.context;
  if (!tree) throw new InvalidParameter('RUN --mount=type=bind needs a build context');
  try {
    const rel = m.source ?? '.';
    const source = await resolveInRoot(tree.root, rel);
    const sum = opened ? '' : await checksumSources(tree, await resolveSources(tree, [rel], { allowWildcard: false }));
    return { source, sum, done: async () => opened?.release() };
  } catch (e) {
    await opened?.release();
    throw e;
  }
}
