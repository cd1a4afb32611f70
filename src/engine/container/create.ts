// `docker create`: the request checked and merged with the image's config, a name reserved, and the container's
// record and read-write layer written side by side.
import { randomBytes } from 'node:crypto';
import type { ContainerCreateRequest, HostConfig } from '../../api/index.js';
import { parseAnyReference } from '../../image/reference.js';
import { InvalidParameter } from '../../errdefs/index.js';
import { resolveMounts } from '../spec/mounts.js';
import type { LifecycleContext } from './lifecycle-context.js';
import { phaseTimer } from './lifecycle-context.js';
import { commandOf, mergeConfig } from './merge.js';
import { type ContainerRecord, newState } from './model.js';
import { generateName, validateName } from './names.js';
import { resolveNetworks } from './network-config.js';
import { validateHostConfig } from './validate.js';

export async function createContainer(
  ctx: LifecycleContext,
  name: string | undefined,
  req: ContainerCreateRequest,
): Promise<{ Id: string; Warnings: string[] }> {
  const { store, images, layers } = ctx.deps;
  if (!req.Image) throw new InvalidParameter('config cannot be empty in order to create a container');
  const hostConfig: HostConfig = { ...(req.HostConfig ?? {}) };
  const warnings = validateHostConfig(hostConfig);
  if (ctx.deps.runtimeName) hostConfig.Runtime = ctx.deps.runtimeName(hostConfig.Runtime);
  // As dockerd, at create: mounts (resolved once, kept on the record; a named volume is a clear 400 now, not a failed
  // start), and the image reference's syntax (400 "invalid reference format", not 404).
  const mounts = resolveMounts(hostConfig);
  parseAnyReference(req.Image);
  const image = images.resolve(req.Image);
  const { HostConfig: _h, NetworkingConfig: _n, ...userConfig } = req;
  const config = mergeConfig(userConfig, image.config.config);
  config.Image = req.Image;
  const networks = resolveNetworks(ctx.deps.networks, config, hostConfig, req.NetworkingConfig?.EndpointsConfig);
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
  try {
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
      mountSpec: { oci: mounts.oci, createSources: mounts.createSources },
      networks,
      state: newState(),
      restartCount: 0,
      manuallyStopped: false,
      hasBeenStarted: false,
      driver: ctx.deps.storageDriver,
    };
    // The layer and the record are written side by side (a record whose layer a crash cut short is removed at the
    // next start, as reconcile does); the container is visible once both are.
    const [layer, written] = await Promise.allSettled([layers.createRW(id, image.chainIds.at(-1)), store.write(rec)]);
    if (layer.status === 'rejected') throw layer.reason;
    if (written.status === 'rejected') throw written.reason;
    store.show(rec);
    t.mark('layer and record');
    ctx.publish('create', rec);
    ctx.deps.log.debug(`create ${id.slice(0, 12)}: ${t.summary()}`);
    return { Id: id, Warnings: warnings };
  } catch (e) {
    store.releaseName(finalName, id);
    await layers.removeRW(id).catch(() => {});
    await store.delete(id).catch(() => {});
    throw e;
  }
}
