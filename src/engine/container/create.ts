// `docker create`: the request checked and merged with the image's config, a name reserved, and the container's
// record and read-write layer written side by side.
import { randomBytes } from 'node:crypto';
import type { ContainerCreateRequest, HostConfig } from '../../api/index.js';
import { parseAnyReference } from '../../image/reference.js';
import { InvalidParameter } from '../../errdefs/index.js';
import { stat } from 'node:fs/promises';
import type { MountPoint } from '../../api/index.js';
import { errnoCode, NotFound } from '../../errdefs/index.js';
import { resolveMounts, type ResolvedMounts, type VolumeMount } from '../spec/mounts.js';
import { checkUsernsSettings, containerIdMapping } from '../spec/userns.js';
import type { VolumeWant } from '../volume/service.js';
import type { ContainerVolumes } from './deps.js';
import type { LifecycleContext } from './lifecycle-context.js';
import { phaseTimer } from './lifecycle-context.js';
import { commandOf, mergeConfig } from './merge.js';
import { type ContainerRecord, newState } from './model.js';
import { generateName, validateName } from './names.js';
import { resolveNetworks } from './network-config.js';
import { validateHostConfig } from './validate.js';
import { checkNamespaceModes } from '../spec/namespaces.js';
import { parseSecurityOpts } from '../spec/security-opts.js';
import { validateSysctls } from '../spec/sysctls.js';

export async function createContainer(
  ctx: LifecycleContext,
  name: string | undefined,
  req: ContainerCreateRequest,
): Promise<{ Id: string; Warnings: string[] }> {
  const { store, images, layers } = ctx.deps;
  if (!req.Image) throw new InvalidParameter('config cannot be empty in order to create a container');
  const hostConfig: HostConfig = { ...(req.HostConfig ?? {}) };
  const warnings = validateHostConfig(hostConfig);
  checkUsernsSettings(hostConfig, ctx.deps.remap);
  if (ctx.deps.runtimeName) hostConfig.Runtime = ctx.deps.runtimeName(hostConfig.Runtime);
  // As dockerd, at create: the image reference's syntax (400 "invalid reference format", not 404), then mounts
  // (resolved once, kept on the record: the image's VOLUMEs are among them).
  parseAnyReference(req.Image);
  const image = images.resolve(req.Image);
  const { HostConfig: _h, NetworkingConfig: _n, ...userConfig } = req;
  const config = mergeConfig(userConfig, image.config.config);
  config.Image = req.Image;
  const mounts = resolveContainerMounts(ctx, hostConfig, config.Volumes);
  await checkSources(mounts.mustExist);
  const networks = resolveNetworks(ctx.deps.networks, config, hostConfig, req.NetworkingConfig?.EndpointsConfig);
  checkNamespaceModes(userConfig, hostConfig, ctx.deps.runtime.cgroupVersion, (ref) => store.find(ref));
  validateSysctls(hostConfig, sysctlNetwork(hostConfig.NetworkMode));
  parseSecurityOpts(hostConfig.SecurityOpt);
  const cmd = commandOf(config);
  if (!cmd) throw new InvalidParameter('no command specified');
  const id = randomBytes(32).toString('hex');
  const t = phaseTimer();
  let finalName = name ? validateName(name) : '';
  if (!finalName) {
    for (let i = 0; ; i++) {
      finalName = generateName(i);
      if (!store.hasName(finalName)) break;
    }
  }
  store.reserveName(finalName, id);
  let referenced = false;
  try {
    // Named volumes missing are made now, anonymous ones too (Docker's implicit create), each referenced by this
    // container from here on (`volume rm` refuses them).
    if (mounts.volumes.length > 0) {
      await volumesOf(ctx).reference(id, mounts.volumes.map(volumeWant));
      referenced = true;
    }
    const rec: ContainerRecord = {
      id,
      name: finalName,
      created: new Date().toISOString(),
      image: image.id,
      imageRef: req.Image,
      path: cmd.path,
      args: cmd.args,
      config,
      hostConfig,
      mounts: mounts.points,
      mountSpec: { oci: mounts.oci, createSources: mounts.createSources, volumes: mounts.volumes },
      networks,
      state: newState(),
      restartCount: 0,
      manuallyStopped: false,
      hasBeenStarted: false,
      driver: ctx.deps.storageDriver,
    };
    // The layer and the record are written side by side (a record whose layer a crash cut short is removed at the
    // next start, as reconcile does); the container is visible once both are.
    const idMapping = containerIdMapping(hostConfig, ctx.deps.remap);
    const [layer, written] = await Promise.allSettled([
      layers.createRW(id, image.chainIds.at(-1), idMapping ? { idMapping } : {}),
      store.write(rec),
    ]);
    if (layer.status === 'rejected') throw layer.reason;
    if (written.status === 'rejected') throw written.reason;
    store.show(rec);
    t.mark('layer and record');
    ctx.publish('create', rec);
    ctx.deps.log.debug(`create ${id.slice(0, 12)}: ${t.summary()}`);
    return { Id: id, Warnings: warnings };
  } catch (e) {
    store.releaseName(finalName, id);
    if (referenced) {
      const names = mounts.volumes.map((v) => v.name);
      const anonymous = mounts.volumes.filter((v) => v.anonymous).map((v) => v.name);
      await volumesOf(ctx)
        .dereference(id, names, anonymous)
        .catch(() => {});
    }
    await layers.removeRW(id).catch(() => {});
    await store.delete(id).catch(() => {});
    throw e;
  }
}

/** Whose network namespace a sysctl would write to: host mode's is the host's. */
const sysctlNetwork = (mode: string | undefined) =>
  mode === 'host' ? 'host' : mode?.startsWith('container:') ? 'shared' : 'own';

function volumesOf(ctx: LifecycleContext): ContainerVolumes {
  if (!ctx.deps.volumes) throw new InvalidParameter('volumes are not available');
  return ctx.deps.volumes;
}

/** The request's mounts with the image's and the request's VOLUMEs, and --volumes-from's containers' mounts. */
function resolveContainerMounts(
  ctx: LifecycleContext,
  hostConfig: HostConfig,
  configVolumes: Record<string, unknown> | null | undefined,
): ResolvedMounts {
  const volumes = ctx.deps.volumes;
  const { store } = ctx.deps;
  return resolveMounts(hostConfig, {
    volumePath: (name) => volumesOf(ctx).path(name),
    newVolumeName: () => volumesOf(ctx).newName(),
    configVolumes: Object.keys(configVolumes ?? {}),
    mountsOf: (ref): { points: MountPoint[]; volumes: VolumeMount[] } => {
      const other = store.find(ref);
      if (!other) throw new NotFound(`No such container: ${ref}`);
      const points = other.mountSpec ? other.mounts : resolveMounts(other.hostConfig).points;
      return { points, volumes: volumes ? (other.mountSpec?.volumes ?? []) : [] };
    },
  });
}

/** --mount type=bind needs its source to exist (a -v bind's is created at start instead). */
async function checkSources(paths: readonly string[]): Promise<void> {
  await Promise.all(
    paths.map(async (p) => {
      try {
        await stat(p);
      } catch (e) {
        if (errnoCode(e) !== 'ENOENT') throw e;
        throw new InvalidParameter(`invalid mount config for type "bind": bind source path does not exist: ${p}`);
      }
    }),
  );
}

const volumeWant = (v: VolumeMount): VolumeWant => ({
  name: v.name,
  anonymous: v.anonymous,
  ...(v.labels ? { labels: v.labels } : {}),
  ...(v.options ? { options: v.options } : {}),
  ...(v.driver ? { driver: v.driver } : {}),
});
