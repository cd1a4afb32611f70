// `docker cp`: stat (HEAD), download (GET) and upload (PUT) of paths in a container's filesystem — its read-write
// layer, mounted for the operation, plus its bind mounts and volumes. The engine only says which filesystem that is and words the
// answers; walking it, confined to it, is src/archive's (RootTree).
import { Readable } from 'node:stream';
import { ESCAPE, PathError, RootTree, type TreeMount } from '../../archive/index.js';
import type { PathStat } from '../../api/index.js';
import { BerthError, errnoCode, InvalidParameter, NotFound, System } from '../../errdefs/index.js';
import { resolveMounts } from '../spec/mounts.js';
import { toContainer } from '../../lib/idmap.js';
import { containerIdMapping, hostOwner } from '../spec/userns.js';
import { resolveUser } from '../spec/user.js';
import type { ContainerDeps } from './deps.js';
import { containerFileMounts, containerFiles } from './files.js';
import type { ContainerRecord } from './model.js';

export async function archiveStat(deps: ContainerDeps, rec: ContainerRecord, path: string): Promise<PathStat> {
  const c = await openTree(deps, rec);
  try {
    return await c.tree.stat(path);
  } catch (e) {
    throw translate(e, path, rec);
  } finally {
    await c.release();
  }
}

export async function archiveGet(
  deps: ContainerDeps,
  rec: ContainerRecord,
  path: string,
): Promise<{ stat: PathStat; tar: Readable }> {
  const c = await openTree(deps, rec);
  let archive: Awaited<ReturnType<RootTree['archive']>>;
  try {
    // A remapped container's files are owned by host ids: the archive shows the container's own (moby's IDMap).
    const idMapping = containerIdMapping(rec.hostConfig, deps.remap);
    archive = await c.tree.archive(
      path,
      idMapping
        ? (o) => ({ uid: toContainer(idMapping.uidMappings, o.uid), gid: toContainer(idMapping.gidMappings, o.gid) })
        : undefined,
    );
  } catch (e) {
    await c.release();
    throw translate(e, path, rec);
  }
  // The layer stays mounted while the archive is read; its end (before the stream's) or its destruction lets it go.
  async function* released(): AsyncGenerator<Buffer> {
    try {
      yield* archive.tar;
    } finally {
      await c.release();
    }
  }
  const tar = Readable.from(released(), { objectMode: false });
  publish(deps, rec, 'archive-path');
  tar.once('close', () => {
    c.release().catch((e: unknown) => deps.log.warn(`container ${rec.id}: releasing its filesystem: ${String(e)}`));
  });
  return { stat: archive.info, tar };
}

export async function archivePut(
  deps: ContainerDeps,
  rec: ContainerRecord,
  path: string,
  tar: Readable,
  opts: { noOverwriteDirNonDir: boolean; copyUIDGID: boolean },
): Promise<void> {
  const c = await openTree(deps, rec);
  try {
    const user = rec.config.User;
    // A remapped container's ids are its user namespace's: on the host each is translated (moby's IDMap on Untar).
    const idMapping = containerIdMapping(rec.hostConfig, deps.remap);
    await c.tree.extract(path, tar, {
      noOverwriteDirNonDir: opts.noOverwriteDirNonDir,
      // copyUIDGID: everything owned by the container's user, looked up in the container's /etc/passwd.
      owner: opts.copyUIDGID && user ? () => resolveUser(c.root, user) : undefined,
      readOnlyRoot: rec.hostConfig.ReadonlyRootfs === true,
      ...(idMapping ? { mapOwner: (o: { uid: number; gid: number }) => hostOwner(idMapping, o) } : {}),
    });
    publish(deps, rec, 'extract-to-dir');
  } catch (e) {
    throw translate(e, path, rec);
  } finally {
    await c.release();
  }
}

/** Docker's container events for copies (`docker events` shows archive-path and extract-to-dir; a stat is silent). */
function publish(deps: ContainerDeps, rec: ContainerRecord, action: string): void {
  deps.events.publish('container', action, rec.id, {
    ...(rec.config.Labels ?? {}),
    image: rec.imageRef,
    name: rec.name,
  });
}

interface OpenedTree {
  tree: RootTree;
  /** The host path of the container's root filesystem. */
  root: string;
  release(): Promise<void>;
}

/**
 * The container's filesystem for one operation. It takes its own reference on the layer's mount (also when the
 * container runs and it is mounted already), so a container stopping meanwhile cannot unmount it under the copy.
 */
async function openTree(deps: ContainerDeps, rec: ContainerRecord): Promise<OpenedTree> {
  const root = await deps.layers.mount(rec.id);
  let tree: RootTree;
  try {
    tree = await RootTree.open(root, containerMounts(deps, rec));
  } catch (e) {
    await deps.layers.unmount(rec.id).catch(() => {});
    throw e;
  }
  let released: Promise<void> | undefined;
  const release = async () => {
    try {
      await tree.close();
    } finally {
      await deps.layers.unmount(rec.id);
    }
  };
  return {
    tree,
    root,
    release: () => {
      released ??= release();
      return released;
    },
  };
}

/**
 * The bind mounts the container has (or will have when started): the engine's own files (/etc/hosts, /etc/hostname,
 * /etc/resolv.conf), then its binds and volumes, which win over them. tmpfs mounts have nothing on the host to show.
 */
function containerMounts(deps: ContainerDeps, rec: ContainerRecord): TreeMount[] {
  const out: TreeMount[] = containerFileMounts(containerFiles(deps.store.dir(rec.id)), false).map((m) => ({
    dest: m.destination,
    source: m.source ?? '',
    rw: !(m.options ?? []).includes('ro'),
  }));
  // Resolved at create; a record from before mounts were kept resolves them now.
  const points = rec.mountSpec ? rec.mounts : resolveMounts(rec.hostConfig).points;
  for (const p of points) {
    // A volume is a directory on the host too (a tmpfs-type one shows its mount while the container runs).
    if (p.Type === 'bind' || p.Type === 'volume') out.push({ dest: p.Destination, source: p.Source, rw: p.RW });
  }
  return out;
}

/** Docker's answers: a missing path is "Could not find the file …" (404); other filesystem errors are 500s. */
function translate(e: unknown, path: string, rec: ContainerRecord): unknown {
  if (e instanceof PathError) {
    if (e.code === 'ENOENT') return new NotFound(`Could not find the file ${path} in container ${rec.name}`);
    if (e.code === ESCAPE || e.code === 'EROFS') return new InvalidParameter(e.message);
    return new System(e.message);
  }
  if (e instanceof BerthError) return e;
  if (errnoCode(e) === 'ENOENT') return new NotFound(`Could not find the file ${path} in container ${rec.name}`);
  return e;
}
