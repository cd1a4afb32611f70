// berthd: the daemon. Reads its configuration (dockerd's flags, daemon.json), opens the stores, reconciles what the
// last run left, wires the engine services to the API routes and serves them. The only place that builds concrete
// classes (docs/architecture.md).
import { constants } from 'node:fs';
import { access, chmod, mkdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { dirname, join } from 'node:path';
import { ImageStore } from '../image/store/index.js';
import type { Digest } from '../lib/digest.js';
import { createNetns, deleteNetns, prepareNetnsDir } from '../network/index.js';
import { hostRouteSubnets } from '../network/host-routes.js';
import { detectCgroupDriver } from '../runtime/cgroups/index.js';
import { syncCgroupFs } from '../sys/index.js';
import type { ContainerRuntime } from '../runtime/container-runtime.js';
import { OciCommandRuntime } from '../runtime/oci-command/runtime.js';
import { Runtime, defaultHelperPath } from '../runtime/runtime.js';
import { BUILTIN_RUNTIME } from '../engine/config/runtimes.js';
import { RuntimeSet } from '../engine/runtimes.js';
import { ContentStore } from '../storage/content/index.js';
import { helperIdmapMounter, selectDriver } from '../storage/graphdriver/index.js';
import { checkRootTraversable, setupRemappedRoot } from '../engine/config/userns-remap.js';
import { LayerStore } from '../storage/layer/index.js';
import { type DaemonConfig, USAGE, loadDaemonConfig } from '../engine/config/daemon-config.js';
import type { ContainerDeps } from '../engine/container/deps.js';
import { ResourceJournal } from '../engine/container/journal.js';
import { ContainerService } from '../engine/container/service.js';
import { ContainerStore } from '../engine/container/store.js';
import { EventBus } from '../engine/events.js';
import { ExecService } from '../engine/exec/service.js';
import { HealthMonitor } from '../engine/health/monitor.js';
import { ImageService } from '../engine/images/service.js';
import { BuildCache } from '../builder/index.js';
import { EngineBuildBackend } from '../engine/build/backend.js';
import { BuildService } from '../engine/build/service.js';
import { buildRoutes } from '../server/routes/build.js';
import { DistributionService } from '../engine/images/distribution.js';
import { LayerBlobs, RegistryClient } from '../distribution/index.js';
import { registryRoutes } from '../server/routes/registry.js';
import { NetworkService } from '../engine/network/service.js';
import { BridgeNetworkDriver, dnsAddress, networkMtu } from '../engine/network/bridge-driver.js';
import type { NetworkRecord } from '../engine/network/model.js';
import { activeEndpoints } from '../engine/container/connect.js';
import { ContainerAddresses } from '../engine/sandbox/addresses.js';
import type { BridgeNetwork } from '../engine/sandbox/deps.js';
import { ContainerNames } from '../engine/sandbox/names.js';
import { ContainerPorts } from '../engine/sandbox/ports.js';
import { ContainerSandboxes } from '../engine/sandbox/sandboxes.js';
import { BridgeKernel } from '../network/bridge/index.js';
import { EmbeddedDns } from '../network/dns/index.js';
import { nameservers } from '../network/files/resolvconf.js';
import { Firewall, enableForwarding, nftLibrary } from '../network/firewall/index.js';
import { runNetPlanVia } from '../network/netlink/index.js';
import { PortAllocator, ephemeralRange } from '../network/ports/index.js';
import { NetworkStore } from '../engine/network/store.js';
import { createLogger } from '../engine/logger.js';
import { daemonPaths } from '../engine/paths.js';
import { emptyReport, reconcileContainers, removeIncomplete, startOnBoot } from '../engine/reconcile.js';
import { BERTH_VERSION, ENGINE_VERSION, SystemService } from '../engine/system/service.js';
import { installRequestSafetyNet } from '../server/safety.js';
import { ApiRouter, createApiServer } from '../server/server.js';
import { Authorizer } from '../server/authz.js';
import { containerRoutes } from '../server/routes/containers.js';
import { execRoutes } from '../server/routes/exec.js';
import { imageRoutes } from '../server/routes/images.js';
import { networkRoutes } from '../server/routes/networks.js';
import { systemRoutes } from '../server/routes/system.js';
import { unsupportedRoutes } from '../server/routes/unsupported.js';
import { volumeRoutes } from '../server/routes/volumes.js';
import { VolumeService } from '../engine/volume/service.js';
import { LocalVolumes } from '../volume/index.js';

async function findInit(): Promise<string | undefined> {
  for (const p of [
    '/usr/bin/docker-init',
    '/usr/sbin/docker-init',
    '/usr/libexec/docker/docker-init',
    '/usr/bin/tini-static',
  ]) {
    try {
      await access(p, constants.X_OK);
      return p;
    } catch {}
  }
  return undefined;
}

async function main(argv: string[]): Promise<number> {
  let cfg: DaemonConfig;
  try {
    cfg = await loadDaemonConfig(argv);
  } catch (e) {
    process.stderr.write(`berthd: ${(e as Error).message}\n`);
    return 1;
  }
  if (cfg.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (cfg.version) {
    process.stdout.write(`berthd version ${BERTH_VERSION} (Docker Engine API ${ENGINE_VERSION} compatible)\n`);
    return 0;
  }
  const log = createLogger(cfg.logLevel);
  installRequestSafetyNet(log);
  const paths = daemonPaths(cfg.dataRoot, cfg.execRoot);
  await Promise.all(
    [paths.containers, paths.image, paths.layers, paths.tmp, paths.runtime, paths.bundles].map((d) =>
      mkdir(d, { recursive: true, mode: 0o711 }),
    ),
  );
  await rm(paths.tmp, { recursive: true, force: true });
  await mkdir(paths.tmp, { recursive: true, mode: 0o700 });
  const helperPath = defaultHelperPath();
  await prepareNetnsDir(helperPath, paths.netns);
  if (cfg.pidFile) await writeFile(cfg.pidFile, `${process.pid}\n`);

  // Stores: content, layers (over the chosen graph driver), images; reference counts reset from the images.
  const content = await ContentStore.open(join(paths.image, 'content'));
  // --userns-remap: resolved (the `berth` user and its ranges made if asked) before any container is looked at.
  const remap = await setupRemappedRoot(cfg.usernsRemap, { warn: (m) => log.warn(m) });
  if (remap) {
    await checkRootTraversable(cfg.dataRoot);
    log.info(`User namespaces: ID ranges will be mapped to subuid/subgid ranges of: ${remap.remappedRoot}`);
  }
  const selected = await selectDriver(paths.layers, cfg.storageDriver, { idmapMount: helperIdmapMounter(helperPath) });
  if (selected.fallbackReason) log.warn(`storage driver overlay2 unavailable (${selected.fallbackReason}); using vfs`);
  const layers = await LayerStore.open({ root: join(paths.image, selected.driver.name), driver: selected.driver });
  const { store, incomplete } = await ContainerStore.open(paths.containers);
  let imageService: ImageService | undefined;
  const images = await ImageStore.open({
    root: paths.image,
    content,
    layers,
    containers: async (id: Digest) => (imageService ? imageService.users(id) : []),
  });
  await layers.reset(new Map([...images.chainIdsInUse()].map((c) => [c, 1])));

  // cgroupfs lives in memory: a direct syscall costs ~25 µs there, an async one ~100 µs of this thread's CPU (measured),
  // and a container's start and removal make some sixty of them.
  const cgroups = await detectCgroupDriver(syncCgroupFs);
  const berthRuntime = await Runtime.open({
    root: paths.runtime,
    cgroups,
    cgroupParent: cfg.cgroupParent,
    forkServer: true,
  });
  // Each configured command keeps berth's per-container files and its own --root inside the exec root, so a
  // daemon's leftovers are all in one place (and its containers' cgroups are under the spec's cgroupsPath).
  const byName = new Map<string, ContainerRuntime>([[BUILTIN_RUNTIME, berthRuntime]]);
  for (const [name, c] of Object.entries(cfg.runtimes.commands)) {
    byName.set(
      name,
      new OciCommandRuntime({
        name,
        path: c.path,
        runtimeArgs: c.runtimeArgs,
        root: join(paths.execRoot, 'oci', name),
        stateRoot: join(paths.execRoot, 'oci-state', name),
        cgroups,
        helperPath,
      }),
    );
  }
  // A record without a runtime name predates runtimes: berth's own ran it (whatever the default is now).
  const runtime = new RuntimeSet(byName, cfg.runtimes.defaultRuntime, (id) => {
    const rec = store.find(id);
    return rec && (rec.hostConfig.Runtime || BUILTIN_RUNTIME);
  });
  const events = new EventBus();
  const net = await openNetworking(cfg, paths.runtime, events, log);
  const deps: ContainerDeps = {
    paths,
    store,
    runtime,
    layers,
    images,
    events,
    netns: { create: (p) => createNetns(helperPath, p), remove: (p) => deleteNetns(helperPath, p) },
    log,
    storageDriver: selected.driver.name,
    initPath: await findInit(),
    logOpts: cfg.logOpts,
    cgroupParent: cfg.cgroupParent,
    runtimeName: (requested) => runtime.resolve(requested),
    ...(remap ? { remap: remap.mapping } : {}),
    networks: net.catalog,
    sandboxes: net.sandboxes,
    hostGateway: net.hostGateway,
    dnsDefaults: { dns: cfg.network.dns, dnsSearch: cfg.network.dnsSearch, dnsOptions: cfg.network.dnsOptions },
    ...(net.bridgeResolver ? { bridgeResolver: net.bridgeResolver } : {}),
  };
  // Volumes: the local driver's store; which containers reference each volume comes from their records.
  const volumes = new VolumeService({ volumes: await LocalVolumes.open(join(cfg.dataRoot, 'volumes')), events });
  deps.volumes = volumes;
  const containers = new ContainerService(deps, ResourceJournal.open(paths.journal));
  const execs = new ExecService({ store, runtime, events, rootfs: (id) => layers.mountPath(id) });
  containers.execIds = (id) => execs.idsOf(id);
  imageService = new ImageService({
    images,
    layers,
    content,
    containers: store,
    events,
    tmpDir: paths.tmp,
    storageDriver: selected.driver.name,
    pauser: containers.lifecycle,
    ...(remap ? { remap: remap.mapping } : {}),
  });
  // Registries: pull/push/login/search, with what berth learnt of each layer's blobs beside the layer store's records.
  const distribution = new DistributionService({
    images,
    layers,
    content,
    events,
    client: new RegistryClient({
      insecureRegistries: cfg.insecureRegistries,
      registryMirrors: cfg.registryMirrors,
      userAgent: `berth/${BERTH_VERSION}`,
    }),
    blobs: await LayerBlobs.open(join(paths.image, selected.driver.name, 'distribution')),
    maxConcurrentDownloads: cfg.maxConcurrentDownloads,
    maxConcurrentUploads: cfg.maxConcurrentUploads,
  });
  // Builds: steps as containers over the engine, the cache index and cache mounts under <data-root>/builder.
  const cacheMountDir = join(cfg.dataRoot, 'builder', 'cache-mounts');
  const builds = new BuildService({
    backend: (registryAuth) =>
      new EngineBuildBackend({
        images,
        layers,
        containers,
        store,
        distribution,
        events,
        cacheMountDir,
        registryAuth,
        ...(remap ? { remap: remap.mapping } : {}),
      }),
    cache: await BuildCache.open(join(cfg.dataRoot, 'builder', 'cache.json')),
    images,
    imageService,
    tmpDir: paths.tmp,
    cacheMountDir,
  });
  const system = new SystemService({
    store,
    images,
    layers,
    events,
    dataRoot: cfg.dataRoot,
    storageDriver: selected.driver.name,
    cgroupVersion: cgroups.version,
    cgroupDriver: 'cgroupfs',
    liveRestore: cfg.liveRestore,
    usernsRemap: remap !== undefined,
    debug: cfg.debug,
    insecureRegistries: cfg.insecureRegistries,
    registryMirrors: cfg.registryMirrors,
    started: new Date(),
    volumeUsage: () => volumes.usage(),
    runtimes: {
      byName: {
        [BUILTIN_RUNTIME]: { path: 'berth-runtime' },
        // dockerd's shape: runtimeArgs only when there are some.
        ...Object.fromEntries(
          Object.entries(cfg.runtimes.commands).map(([n, c]) => [
            n,
            c.runtimeArgs.length > 0 ? { path: c.path, runtimeArgs: c.runtimeArgs } : { path: c.path },
          ]),
        ),
      },
      defaultName: cfg.runtimes.defaultRuntime,
    },
  });
  events.subscribe((e) => {
    if (e.Type === 'container' && e.Action === 'destroy') execs.forget(e.Actor.ID);
  });
  const networks = net.service;
  networks.endpoints = {
    activeEndpoints: (id) => activeEndpoints(store.all(), id),
    connect: (id, ref, settings) => containers.lifecycle.connect(ref, id, settings),
    disconnect: (id, ref, force) => containers.lifecycle.disconnect(ref, id, force),
  };
  const health = new HealthMonitor(store, events, (id, cmd, timeoutMs) => execs.runCaptured(id, cmd, timeoutMs));

  // The records alone are checked before the API serves; the containers themselves are reconciled while it serves
  // (operations on one wait for its turn), so a daemon with many containers answers at once.
  const report = emptyReport();
  await removeIncomplete(deps, incomplete, report);
  volumes.rebuildReferences(
    store.all().map((c) => ({ id: c.id, volumes: (c.mountSpec?.volumes ?? []).map((v) => v.name) })),
  );

  const router = new ApiRouter();
  systemRoutes(router, system);
  containerRoutes(router, containers);
  execRoutes(router, execs);
  imageRoutes(router, imageService, distribution);
  registryRoutes(router, distribution);
  networkRoutes(router, networks);
  volumeRoutes(router, volumes);
  buildRoutes(router, builds);
  unsupportedRoutes(router);
  const servers: Server[] = [];
  for (const host of cfg.hosts) servers.push(await listen(router, host, cfg, log));
  log.info(
    `berthd ${BERTH_VERSION} serving API on ${cfg.hosts.join(', ')} (storage driver ${selected.driver.name}, cgroup v${cgroups.version})`,
  );
  const reconciled = reconcileContainers(deps, containers.lifecycle, { liveRestore: cfg.liveRestore }, report)
    .then(async () => {
      log.info(
        `reconciled: ${report.adopted.length} running adopted, ${report.exited.length} marked exited, ${report.killed.length} killed, ${report.released.length} released, ${report.removedIncomplete.length + report.removedOrphanLayers.length} leftovers removed`,
      );
      for (const id of report.adopted) health.resume(id);
      await startOnBoot(deps, containers.lifecycle, report);
    })
    .catch((e) => log.error(`reconciliation failed: ${(e as Error).stack ?? String(e)}`));

  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info(`${signal} received, shutting down`);
      containers.lifecycle.restarts.shutdown();
      health.stopAll();
      for (const s of servers) s.close();
      for (const s of servers) s.closeAllConnections();
      await reconciled;
      if (!cfg.liveRestore) {
        const running = store.all().filter((c) => c.state.status === 'running' || c.state.status === 'paused');
        await Promise.all(running.map((c) => containers.lifecycle.stop(c.id).catch(() => {})));
        // Nothing outlives the daemon without live restore: whatever a container still holds is given back.
        const holding = containers.lifecycle.resources.ids();
        await Promise.all(holding.map((id) => containers.lifecycle.resources.releaseAll(id).catch(() => {})));
      }
      await containers.lifecycle.settled();
      if (!cfg.liveRestore) await selected.driver.cleanup().catch(() => {});
      await net.dns.close();
      runtime.close();
      for (const h of cfg.hosts) if (h.startsWith('unix://')) await unlink(h.slice(7)).catch(() => {});
      if (cfg.pidFile) await unlink(cfg.pidFile).catch(() => {});
      resolve(0);
    };
    process.on('SIGTERM', () => void shutdown('SIGTERM'));
    process.on('SIGINT', () => void shutdown('SIGINT'));
  });
}

async function listen(
  router: ApiRouter,
  host: string,
  cfg: DaemonConfig,
  log: ReturnType<typeof createLogger>,
): Promise<Server> {
  const server = createApiServer(router, log, ENGINE_VERSION, new Authorizer(cfg.authorizationPlugins));
  if (host.startsWith('unix://')) {
    const path = host.slice('unix://'.length);
    await mkdir(dirname(path), { recursive: true });
    await unlink(path).catch(() => {});
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
    await chmod(path, 0o660);
    return server;
  }
  const url = new URL(host);
  let target: Server = server;
  if (cfg.tls.verify && cfg.tls.cert && cfg.tls.key && cfg.tls.cacert) {
    const [cert, key, ca] = await Promise.all([
      readFile(cfg.tls.cert),
      readFile(cfg.tls.key),
      readFile(cfg.tls.cacert),
    ]);
    const tls = createTlsServer({ cert, key, ca, requestCert: true, rejectUnauthorized: true });
    for (const ev of ['request', 'upgrade', 'clientError'] as const)
      for (const l of server.listeners(ev)) tls.on(ev, l as never);
    target = tls as unknown as Server;
  }
  await new Promise<void>((resolve, reject) => {
    target.once('error', reject);
    target.listen(Number(url.port || 2375), url.hostname, () => resolve());
  });
  return target;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`berthd: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);

/**
 * The network side: networks (the default bridge and the user's), their bridges and firewall rules made again at
 * start, the embedded DNS, and containers' sandboxes over them. Network plans go through the runtime's forkserver.
 */
async function openNetworking(
  cfg: DaemonConfig,
  runtimeRoot: string,
  events: EventBus,
  log: ReturnType<typeof createLogger>,
) {
  const networkStore = await NetworkStore.open(join(cfg.dataRoot, 'network'));
  const kernel = new BridgeKernel((ops) => runNetPlanVia(join(runtimeRoot, 'forkserver.sock'), ops));
  const firewall = new Firewall(nftLibrary());
  const names = new ContainerNames();
  const hostResolv = await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
  // The host's resolvers, loopback ones included: berthd runs in the host's namespace and reaches them all.
  const dns = new EmbeddedDns({
    resolver: names,
    upstreams: cfg.network.dns.length > 0 ? cfg.network.dns : nameservers(hostResolv),
    log: { debug: (m) => log.debug(`dns: ${m}`), warn: (m) => log.warn(`dns: ${m}`) },
  });
  let service: NetworkService | undefined;
  const all = () => networkStore.all();
  const find = (id: string): NetworkRecord | undefined => {
    try {
      return service?.get(id);
    } catch {
      return undefined;
    }
  };
  const addresses = new ContainerAddresses((id) =>
    find(id)?.ipam.config.flatMap((c) =>
      c.Subnet
        ? [
            {
              subnet: c.Subnet,
              ...(c.IPRange ? { ipRange: c.IPRange } : {}),
              ...(c.Gateway ? { gateway: c.Gateway } : {}),
              ...(c.AuxiliaryAddresses ? { aux: c.AuxiliaryAddresses } : {}),
            },
          ]
        : [],
    ),
  );
  const driver = new BridgeNetworkDriver({
    kernel,
    firewall,
    dns: { listen: (a) => dns.listen(a), unlisten: (a) => dns.unlisten(a) },
    networks: all,
    forgetAddresses: (id) => addresses.forget(id),
  });
  service = new NetworkService({
    store: networkStore,
    driver,
    endpoints: { activeEndpoints: () => [], connect: async () => {}, disconnect: async () => {} },
    events,
    hostSubnets: hostRouteSubnets,
    defaultBridge: {
      ...(cfg.network.bip ? { bip: cfg.network.bip } : {}),
      ...(cfg.network.fixedCidr ? { fixedCidr: cfg.network.fixedCidr } : {}),
      ...(cfg.network.mtu ? { mtu: cfg.network.mtu } : {}),
      ipv6: cfg.network.ipv6,
      ...(cfg.network.fixedCidrV6 ? { fixedCidrV6: cfg.network.fixedCidrV6 } : {}),
    },
  });
  await service.ensurePredefined();
  await driver.restore();
  await firewall.init({ networks: driver.firewallNetworks(), ports: [] });
  await enableForwarding({ ipv6: all().some((n) => n.enableIPv6) });
  const bridge = service.get('bridge');
  const hostGateway = dnsAddress(bridge) ?? '';
  // Only loopback resolvers on the host (systemd-resolved, a local dnsmasq): default-bridge containers ask berthd,
  // which forwards to them (Docker would write Google's servers instead).
  const loopbackOnly = nameservers(hostResolv).every((n) => n.startsWith('127.') || n === '::1');
  if (loopbackOnly && hostGateway) await dns.listen(hostGateway);

  const bridgeNetwork = (id: string): BridgeNetwork | undefined => {
    const n = find(id);
    if (n?.driver !== 'bridge' || !n.bridgeName) return undefined;
    const v4 = n.ipam.config.find((c) => c.Subnet && !c.Subnet.includes(':'));
    const v6 = n.ipam.config.find((c) => c.Subnet?.includes(':'));
    return {
      id: n.id,
      name: n.name,
      bridge: n.bridgeName,
      mtu: networkMtu(n),
      internal: n.internal,
      custom: !n.predefined,
      ...(v4?.Subnet && v4.Gateway ? { ipv4: { subnet: v4.Subnet, gateway: v4.Gateway } } : {}),
      ...(n.enableIPv6 && v6?.Subnet && v6.Gateway ? { ipv6: { subnet: v6.Subnet, gateway: v6.Gateway } } : {}),
    };
  };
  const sandboxes = new ContainerSandboxes({
    netnsDir: join(cfg.execRoot, 'netns'),
    networks: { bridgeNetwork },
    addresses,
    ports: new ContainerPorts(new PortAllocator(await ephemeralRange())),
    filter: firewall,
    kernel,
    names,
  });
  const catalog = {
    find: (ref: string) => {
      const n = (service as NetworkService).get(ref);
      return { id: n.id, name: n.name, driver: n.driver, custom: !n.predefined, userSubnet: n.userSubnet === true };
    },
  };
  return {
    service,
    sandboxes,
    catalog,
    dns,
    hostGateway,
    ...(loopbackOnly && hostGateway ? { bridgeResolver: hostGateway } : {}),
  };
}
