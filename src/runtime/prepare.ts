// Gathers what the pure plan compiler needs to know about the host — bind-mount sources, symlinks in the rootfs on
// the way to mount points — then compiles the create plan.
import { stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { type RootLookups, resolveInRoot } from '../archive/index.js';
import { InvalidParameter } from '../errdefs/index.js';
import { type CgroupPlacement, type ShimConfig, compileCreatePlan } from './plan/compile.js';
import { isBindMount, type V1Hierarchy } from './plan/compile-mounts.js';
import type { CreateMode, PlanOp } from './plan/ops.js';
import { withHome } from './passwd.js';
import type { Mount, Spec } from './spec.js';

export interface PrepareContext {
  shim: ShimConfig;
  cgroup: CgroupPlacement;
  hierarchies: V1Hierarchy[];
  cgroupVersion: 1 | 2;
  hostCapabilities: bigint;
}

export async function prepareCreatePlan(
  spec: Spec,
  bundle: string,
  ctx: PrepareContext,
): Promise<{ ops: PlanOp[]; rootfs: string }> {
  if (!spec.root?.path) throw new InvalidParameter('config.json: root.path is required');
  const rootfs = resolve(bundle, spec.root.path);
  const mounts = spec.mounts ?? [];
  const bindKinds = new Map<string, CreateMode>();
  const bindSources = new Map<string, string>();
  const lookups: RootLookups = new Map();
  await Promise.all(
    mounts.map(async (m, i) => {
      if (!isAbsolute(m.destination ?? '')) {
        throw new InvalidParameter(`mount destination ${m.destination} is not an absolute path`);
      }
      if (!insideFreshMount(m, mounts.slice(0, i))) await resolveInRoot(rootfs, m.destination, lookups);
      if (!isBindMount(m)) return;
      const source = resolve(bundle, m.source ?? '');
      bindSources.set(m.destination, source);
      try {
        bindKinds.set(m.destination, (await stat(source)).isDirectory() ? 'dir' : 'file');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new InvalidParameter(`bind mount source path does not exist: ${source}`);
        }
        throw e;
      }
    }),
  );
  // The container's own cgroup directories, hierarchy by hierarchy (for bind-mounting them without a cgroupns).
  const ownDirs = ctx.cgroup.procsFiles.map((f) => dirname(f));
  const proc = spec.process && {
    ...spec.process,
    env: await withHome(spec.process.env, rootfs, spec.process.user?.uid ?? 0),
  };
  const ops = compileCreatePlan(
    { ...spec, process: proc },
    {
      rootfs,
      shim: ctx.shim,
      cgroup: { ...ctx.cgroup, version: ctx.cgroupVersion, hierarchies: ctx.hierarchies, ownDirs },
      bindKinds,
      bindSources,
      hostCapabilities: ctx.hostCapabilities,
    },
  );
  return { ops, rootfs };
}

/** A destination under an earlier tmpfs/proc/sysfs/... mount lives in that fresh filesystem, not in the image. */
function insideFreshMount(m: Mount, earlier: readonly Mount[]): boolean {
  return earlier.some((e) => !isBindMount(e) && m.destination.startsWith(`${e.destination.replace(/\/$/, '')}/`));
}
