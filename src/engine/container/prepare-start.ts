// Everything a start needs before the runtime is called: the mounted root filesystem, the network namespace, the
// container's own files, the resolved user and working directory, and the OCI bundle written to the exec root.
import { hostname as hostHostname } from 'node:os';
import { copyUp, ensureBindSource, ensureDirInRoot } from '../../archive/index.js';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../lib/atomic-file.js';
import type { Spec } from '../../runtime/spec.js';
import { containerDevices } from '../spec/devices.js';
import { type NamespaceDonor, resolveNamespaceJoins } from '../spec/namespaces.js';
import { buildSpec } from '../spec/oci.js';
import { resolveMounts } from '../spec/mounts.js';
import { resolveUser } from '../spec/user.js';
import { containerIdMapping, giveToContainerRoot, giveVolumesToContainerRoot, hostOwner } from '../spec/userns.js';
import type { ContainerDeps } from './deps.js';
import { containerFileMounts, containerFiles, writeContainerFiles } from './files.js';
import { resolveLinks } from './links.js';
import type { ContainerRecord } from './model.js';
import { parseNetworkMode } from './network-config.js';
import type { SandboxInfo } from '../sandbox/sandboxes.js';

export interface PreparedStart {
  bundle: string;
  spec: Spec;
  /** The bundle's config.json being written: the runtime is handed `spec` itself and need not wait for it. */
  written: Promise<void>;
}

/**
 * `mounting`, `networking`: the container's root filesystem being mounted and its network sandbox being set up
 * meanwhile (the container's own files wait for its addresses only).
 */
export async function prepareStart(
  deps: ContainerDeps,
  rec: ContainerRecord,
  mounting: Promise<string>,
  networking: Promise<SandboxInfo>,
  holding: Promise<void> = Promise.resolve(),
  ipc: IpcSharing = { shm: Promise.resolve(undefined), donor: () => notShared() },
): Promise<PreparedStart> {
  const mode = parseNetworkMode(rec.hostConfig.NetworkMode);
  const idMapping = containerIdMapping(rec.hostConfig, deps.remap);
  const hostNetwork = mode.kind === 'host';
  const hostname = rec.config.Hostname || (hostNetwork ? hostHostname() : rec.id.slice(0, 12));
  // A container in another's network namespace has that one's hosts, hostname and resolv.conf, as with Docker.
  const files = containerFiles(deps.store.dir(mode.kind === 'container' ? deps.store.get(mode.ref).id : rec.id));
  const mounts = rec.mountSpec ?? resolveMounts(rec.hostConfig); // a record from before mounts were kept
  const bundle = join(deps.paths.bundles, rec.id);
  // Links are the default bridge's: a link on a user network is an alias its DNS answers.
  const links = mode.kind === 'bridge' && rec.networks?.bridge ? resolveLinks(deps.store, rec) : { hosts: [], env: [] };
  const writeFiles = networking.then(async (sandbox) => {
    if (mode.kind === 'container') return sandbox; // it shares the other container's files
    const hostGateway = sandbox.gateway ?? deps.hostGateway ?? '';
    await writeContainerFiles(files, {
      hostname,
      ...(rec.config.Domainname ? { domainname: rec.config.Domainname } : {}),
      mode: mode.kind === 'host' ? 'host' : sandbox.dnsServer ? 'embedded' : 'bridge',
      addresses: sandbox.addresses.map((a) => a.slice(0, a.indexOf('/'))),
      extraHosts: (rec.hostConfig.ExtraHosts ?? []).map((h) => h.replace(/:host-gateway$/, `:${hostGateway}`)),
      links: links.hosts,
      dns: orDefault(rec.hostConfig.Dns, deps.dnsDefaults?.dns),
      dnsSearch: orDefault(rec.hostConfig.DnsSearch, deps.dnsDefaults?.dnsSearch),
      dnsOptions: orDefault(rec.hostConfig.DnsOptions, deps.dnsDefaults?.dnsOptions),
      ipv6: sandbox.addresses.some((a) => a.includes(':')),
      ...(deps.bridgeResolver ? { fallback: [deps.bridgeResolver] } : {}),
    });
    if (idMapping) await giveToContainerRoot(idMapping, deps.store.dir(rec.id), Object.values(files));
    return sandbox;
  });
  // Docker's copy-up: each fresh, empty volume gets the image's content at its destination (unless nocopy).
  const copyUps = Promise.all([mounting, holding]).then(([root]) =>
    Promise.all(
      (rec.mountSpec?.volumes ?? [])
        .filter((v) => !v.noCopy && deps.volumes)
        .map((v) => copyUp(root, v.dest, deps.volumes?.path(v.name) ?? '')),
    ),
  );
  const [rootfs, sandbox, devices, ownShm] = await Promise.all([
    mounting,
    writeFiles,
    containerDevices(rec.hostConfig),
    ipc.shm,
    mkdir(bundle, { recursive: true, mode: 0o700 }),
    copyUps,
    ...mounts.createSources.map(ensureBindSource),
  ]);
  const user = await resolveUser(rootfs, rec.config.User ?? '', rec.hostConfig.GroupAdd ?? []);
  if (rec.config.WorkingDir) await ensureDirInRoot(rootfs, rec.config.WorkingDir, hostOwner(idMapping, user));
  if (idMapping) {
    await giveVolumesToContainerRoot(
      idMapping,
      (rec.mountSpec?.volumes ?? []).map((v) => deps.volumes?.path(v.name) ?? ''),
    );
  }
  const spec = buildSpec({
    id: rec.id,
    config: { ...rec.config, Hostname: hostname },
    hostConfig: rec.hostConfig,
    args: [rec.path, ...rec.args],
    rootfs,
    user,
    mounts: [...containerFileMounts(files, false), ...mounts.oci],
    network: sandbox.network,
    cgroupsPath: `/${rec.hostConfig.CgroupParent || deps.cgroupParent}/${rec.id}`,
    cgroupVersion: deps.runtime.cgroupVersion,
    initPath: deps.initPath,
    devices,
    joins: resolveNamespaceJoins(rec.hostConfig, ipc.donor, ownShm),
    ...(idMapping ? { idMapping } : {}),
  });
  if (spec.process) spec.process.env = withHomeEnv([...links.env, ...(spec.process.env ?? [])], user.home);
  return { bundle, spec, written: writeJsonAtomic(join(bundle, 'config.json'), spec, { durable: false }) };
}

/** --ipc shareable's /dev/shm being mounted on the host, and the containers `container:` modes name. */
export interface IpcSharing {
  shm: Promise<string | undefined>;
  donor(ref: string): NamespaceDonor;
}

function notShared(): never {
  throw new Error('no IPC sharing wired');
}

const orDefault = (own: string[] | null | undefined, daemon: string[] | undefined): string[] =>
  own?.length ? own : (daemon ?? []);

function withHomeEnv(env: string[], home: string): string[] {
  return env.some((e) => e.startsWith('HOME=')) ? env : [...env, `HOME=${home}`];
}
