// Everything a start needs before the runtime is called: the mounted root filesystem, the network namespace, the
// container's own files, the resolved user and working directory, and the OCI bundle written to the exec root.
import { hostname as hostHostname } from 'node:os';
import { ensureBindSource, ensureDirInRoot } from '../../archive/index.js';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidParameter } from '../../errdefs/index.js';
import { writeJsonAtomic } from '../../lib/atomic-file.js';
import type { Spec } from '../../runtime/spec.js';
import { buildSpec } from '../spec/oci.js';
import { resolveMounts } from '../spec/mounts.js';
import { resolveUser } from '../spec/user.js';
import type { ContainerDeps } from './deps.js';
import { containerFileMounts, containerFiles, writeContainerFiles } from './files.js';
import type { ContainerRecord } from './model.js';

export interface PreparedStart {
  bundle: string;
  spec: Spec;
  /** The bundle's config.json being written: the runtime is handed `spec` itself and need not wait for it. */
  written: Promise<void>;
}

/** The network namespace mode: Docker's default/bridge get a private netns with lo until bridge networking lands. */
export function networkMode(rec: ContainerRecord): 'private' | 'host' | { container: string } {
  const mode = rec.hostConfig.NetworkMode ?? '';
  if (mode === 'host') return 'host';
  if (mode.startsWith('container:')) return { container: mode.slice('container:'.length) };
  return 'private';
}

/** `mounting`: the container's root filesystem being mounted meanwhile (the container's own files do not need it). */
export async function prepareStart(
  deps: ContainerDeps,
  rec: ContainerRecord,
  mounting: Promise<string>,
): Promise<PreparedStart> {
  const mode = networkMode(rec);
  const hostNetwork = mode === 'host';
  const hostname = rec.config.Hostname || (hostNetwork ? hostHostname() : rec.id.slice(0, 12));
  const files = containerFiles(deps.store.dir(rec.id));
  const mounts = rec.mountSpec ?? resolveMounts(rec.hostConfig); // a record from before mounts were kept
  const bundle = join(deps.paths.bundles, rec.id);
  const [rootfs] = await Promise.all([
    mounting,
    writeContainerFiles(files, hostname, { hostNetwork, extraHosts: rec.hostConfig.ExtraHosts ?? [] }),
    mkdir(bundle, { recursive: true, mode: 0o700 }),
    ...mounts.createSources.map(ensureBindSource),
  ]);
  const user = await resolveUser(rootfs, rec.config.User ?? '', rec.hostConfig.GroupAdd ?? []);
  if (rec.config.WorkingDir) await ensureDirInRoot(rootfs, rec.config.WorkingDir, user);
  // 'private': a new network namespace made by the runtime with the container (lo up, as runc does); bridge
  // networking will configure it between create and start, while the container waits at its start gate.
  let network: 'new' | 'host' | { path: string } = mode === 'host' ? 'host' : 'new';
  if (typeof mode === 'object') {
    const other = deps.store.get(mode.container);
    if (other.state.status !== 'running') {
      throw new InvalidParameter(`cannot join network of a non running container: ${other.id}`);
    }
    network = { path: `/proc/${other.state.pid}/ns/net` };
  }
  const spec = buildSpec({
    id: rec.id,
    config: { ...rec.config, Hostname: hostname },
    hostConfig: rec.hostConfig,
    args: [rec.path, ...rec.args],
    rootfs,
    user,
    mounts: [...containerFileMounts(files, false), ...mounts.oci],
    network,
    cgroupsPath: `/${rec.hostConfig.CgroupParent || deps.cgroupParent}/${rec.id}`,
    cgroupVersion: deps.runtime.cgroupVersion,
    initPath: deps.initPath,
  });
  if (spec.process) spec.process.env = withHomeEnv(spec.process.env ?? [], user.home);
  return { bundle, spec, written: writeJsonAtomic(join(bundle, 'config.json'), spec, { durable: false }) };
}

function withHomeEnv(env: string[], home: string): string[] {
  return env.some((e) => e.startsWith('HOME=')) ? env : [...env, `HOME=${home}`];
}
