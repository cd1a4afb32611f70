// `docker cp`: stat (HEAD), download (GET) and upload (PUT) of paths in a container's filesystem — its read-write
// layer, mounted for the operation, plus its bind mounts — resolved as inside the container (archive-view.ts).
import type { BigIntStats } from 'node:fs';
import { Readable } from 'node:stream';
import type { PathStat } from '../../api/index.js';
import { BerthError, errnoCode, InvalidParameter, NotFound, System } from '../../errdefs/index.js';
import { resolveInRoot } from '../../runtime/rootfs-path.js';
import { decompress } from '../../storage/archive/index.js';
import { resolveMounts } from '../spec/mounts.js';
import { resolveUser } from '../spec/user.js';
import { extractTar } from './archive-extract.js';
import {
  assertsDirectory,
  goBase,
  goClean,
  goFileMode,
  goTimeJSON,
  preserveTrailingDotOrSeparator,
} from './archive-paths.js';
import { type TarRoot, tarEntries } from './archive-tar.js';
import { type Dir, ESCAPE, FsView, PathError, type ViewMount } from './archive-view.js';
import type { ContainerDeps } from './deps.js';
import { containerFileMounts, containerFiles } from './files.js';
import type { ContainerRecord } from './model.js';

export async function archiveStat(deps: ContainerDeps, rec: ContainerRecord, path: string): Promise<PathStat> {
  const v = await openView(deps, rec);
  try {
    const found = await locate(v.view, path);
    await releaseNode(found);
    return await pathStat(v.view, path, found.st);
  } catch (e) {
    throw translate(e, path, rec);
  } finally {
    await v.release();
  }
}

export async function archiveGet(
  deps: ContainerDeps,
  rec: ContainerRecord,
  path: string,
): Promise<{ stat: PathStat; tar: Readable }> {
  // moby: filepath.Join("/", path) with a trailing "/" or "/." kept (it asks to follow a final symlink, and "/."
  // names the directory's contents).
  const absPath = preserveTrailingDotOrSeparator(goClean(`/${path}`), path);
  const v = await openView(deps, rec);
  let root: TarRoot;
  let stat: PathStat;
  try {
    const found = await locate(v.view, absPath);
    stat = await pathStat(v.view, absPath, found.st);
    // The entries are named from the path's base ("etc", or "." for "/etc/.", or "/" for the root).
    const name = goBase(absPath);
    if (found.kind === 'dir') root = { kind: 'dir', dir: found.dir, name };
    else if (found.st.isDirectory()) {
      try {
        root = { kind: 'dir', dir: await v.view.openDir(found.parent, found.name), name };
      } finally {
        await found.parent.release();
      }
    } else root = { kind: 'entry', parent: found.parent, name: found.name, archiveName: name };
  } catch (e) {
    await v.release();
    throw translate(e, path, rec);
  }
  // The layer stays mounted while the archive is read; its end (before the stream's) or its destruction lets it go.
  async function* released(): AsyncGenerator<Buffer> {
    try {
      yield* tarEntries(v.view, root);
    } finally {
      await v.release();
    }
  }
  const tar = Readable.from(released(), { objectMode: false });
  publish(deps, rec, 'archive-path');
  tar.once('close', () => {
    v.release().catch((e: unknown) => deps.log.warn(`container ${rec.id}: releasing its filesystem: ${String(e)}`));
  });
  return { stat, tar };
}

export async function archivePut(
  deps: ContainerDeps,
  rec: ContainerRecord,
  path: string,
  tar: Readable,
  opts: { noOverwriteDirNonDir: boolean; copyUIDGID: boolean },
): Promise<void> {
  const v = await openView(deps, rec);
  try {
    // moby: filepath.EvalSymlinks(filepath.Join("/", path)) — the final symlink too, so a link to a directory works.
    const r = await v.view.resolve(v.view.root, goClean(`/${path}`), {
      followFinal: true,
      above: 'clamp',
      missing: 'fail',
      shown: goClean(`/${path}`),
    });
    if (r.kind !== 'dir') {
      if (r.kind === 'entry') {
        const st = await v.view.lstat(r.parent, r.name);
        await r.parent.release();
        if (st) throw new InvalidParameter('extraction point is not a directory');
      }
      throw new PathError('lstat', path, 'ENOENT');
    }
    const dest = r.dir;
    try {
      checkWritable(rec, dest);
      let chown: { uid: number; gid: number } | undefined;
      if (opts.copyUIDGID && rec.config.User) {
        const user = await resolveUser(v.root, rec.config.User);
        chown = { uid: user.uid, gid: user.gid };
      }
      const { stream } = await decompress(tar);
      await extractTar(v.view, dest, stream, {
        noOverwriteDirNonDir: opts.noOverwriteDirNonDir,
        chown,
        shown: dest.ctr,
        readOnlyRootfs: rec.hostConfig.ReadonlyRootfs === true,
      });
      publish(deps, rec, 'extract-to-dir');
    } finally {
      await dest.release();
    }
  } catch (e) {
    throw translate(e, path, rec);
  } finally {
    await v.release();
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

/** moby's checkWritablePath: a bind mount decides for paths in it, the rootfs's read-only flag for the rest. */
function checkWritable(rec: ContainerRecord, dest: Dir): void {
  if (dest.mount) {
    if (!dest.mount.rw) throw new InvalidParameter('mounted volume is marked read-only');
    return;
  }
  if (rec.hostConfig.ReadonlyRootfs) throw new InvalidParameter('container rootfs is marked read-only');
}

// ---------------------------------------------------------------------------------------------------------------

interface OpenedView {
  view: FsView;
  /** The host path of the container's root filesystem. */
  root: string;
  release(): Promise<void>;
}

/**
 * The container's filesystem for one operation. It takes its own reference on the layer's mount (also when the
 * container runs and it is mounted already), so a container stopping meanwhile cannot unmount it under the copy.
 */
async function openView(deps: ContainerDeps, rec: ContainerRecord): Promise<OpenedView> {
  const root = await deps.layers.mount(rec.id);
  let view: FsView;
  try {
    view = await FsView.open(root, await containerMounts(deps, rec, root));
  } catch (e) {
    await deps.layers.unmount(rec.id).catch(() => {});
    throw e;
  }
  let released: Promise<void> | undefined;
  const release = async () => {
    try {
      await view.close();
    } finally {
      await deps.layers.unmount(rec.id);
    }
  };
  return {
    view,
    root,
    release: () => {
      released ??= release();
      return released;
    },
  };
}

/**
 * The bind mounts the container has (or will have when started): its HostConfig binds and the engine's own files
 * (/etc/hosts, /etc/hostname, /etc/resolv.conf), each at its destination resolved in the root filesystem as the
 * runtime mounts it (a source that does not exist yet is left out by the view). tmpfs mounts have nothing on the
 * host to show.
 */
async function containerMounts(deps: ContainerDeps, rec: ContainerRecord, root: string): Promise<ViewMount[]> {
  const wanted: ViewMount[] = containerFileMounts(containerFiles(deps.store.dir(rec.id)), false).map((m) => ({
    dest: m.destination,
    source: m.source ?? '',
    rw: !(m.options ?? []).includes('ro'),
  }));
  for (const p of resolveMounts(rec.hostConfig).points) {
    if (p.Type === 'bind') wanted.push({ dest: p.Destination, source: p.Source, rw: p.RW });
  }
  const out = new Map<string, ViewMount>();
  for (const m of wanted) {
    const dest = await resolveInRoot(root, m.dest).catch(() => goClean(m.dest));
    out.set(dest, { ...m, dest }); // a user's bind over one of the engine's files wins (it comes later)
  }
  return [...out.values()];
}

type Located =
  | { kind: 'dir'; dir: Dir; st: BigIntStats }
  | { kind: 'entry'; parent: Dir; name: string; st: BigIntStats };

/** os.Lstat(p) inside the container: the node `p` names (a final symlink followed only when `p` asserts a dir). */
async function locate(view: FsView, p: string): Promise<Located> {
  const asserts = assertsDirectory(p);
  const r = await view.resolve(view.root, p, { followFinal: asserts, above: 'clamp', missing: 'fail', shown: p });
  if (r.kind === 'missing') throw new PathError('lstat', p, 'ENOENT');
  if (r.kind === 'dir') return { kind: 'dir', dir: r.dir, st: await r.dir.fh.stat({ bigint: true }) };
  const st = await view.lstat(r.parent, r.name).catch(async (e: unknown) => {
    await r.parent.release();
    throw e;
  });
  if (!st || (asserts && !st.isDirectory())) {
    await r.parent.release();
    throw new PathError('lstat', p, st ? 'ENOTDIR' : 'ENOENT');
  }
  return { kind: 'entry', parent: r.parent, name: r.name, st };
}

async function releaseNode(n: Located): Promise<void> {
  await (n.kind === 'dir' ? n.dir : n.parent).release();
}

/** The PathStat of what `p` named; for a symlink, linkTarget is where it leads in the container (moby's Stat). */
async function pathStat(view: FsView, p: string, st: BigIntStats): Promise<PathStat> {
  let linkTarget = '';
  if (st.isSymbolicLink()) {
    // symlink.FollowSymlinkInScope(path, "/"): every link followed, a missing rest appended as it is.
    const clean = goClean(`/${p}`);
    const r = await view.resolve(view.root, clean, {
      followFinal: true,
      above: 'clamp',
      missing: 'lenient',
      shown: clean,
    });
    if (r.kind === 'dir') {
      linkTarget = r.dir.ctr;
      await r.dir.release();
    } else if (r.kind === 'entry') {
      linkTarget = r.parent.childCtr(r.name);
      await r.parent.release();
    } else linkTarget = r.ctr;
  }
  return {
    name: goBase(p),
    size: Number(st.size),
    mode: goFileMode(st),
    mtime: goTimeJSON(st.mtimeNs),
    linkTarget,
  };
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
