// The `local` volume driver: each volume a directory under <data-root>/volumes/<name>, its content in `_data` (what
// containers mount) and its record in `volume.json` (created time, labels, driver options). A volume with `type`
// and `device` options (tmpfs, a bind, nfs, …) is mounted on its `_data` when its first user mounts it and unmounted
// when its last one lets go, as Docker's local driver does.
import { execFile } from 'node:child_process';
import { lstat, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Conflict, errnoCode, InvalidParameter, NotFound, System } from '../errdefs/index.js';
import { writeJsonAtomic } from '../lib/atomic-file.js';
import { umount2 } from '../sys/ffi-libc.js';
import { validateVolumeName } from './names.js';

export const LOCAL_DRIVER = 'local';

export interface LocalVolume {
  name: string;
  /** RFC 3339, seconds, as Docker's CreatedAt. */
  createdAt: string;
  labels: Record<string, string> | null;
  options: Record<string, string> | null;
  /** The host directory containers mount (…/<name>/_data). */
  mountpoint: string;
}

interface VolumeFile {
  CreatedAt: string;
  Labels: Record<string, string> | null;
  Options: Record<string, string> | null;
}

const VALID_OPTS = new Set(['type', 'o', 'device', 'size']);
const MANDATORY_OPTS: [string, string[]][] = [
  ['device', ['type']],
  ['type', ['device']],
  ['o', ['device', 'type']],
];

/** moby's local driver validateOpts: known keys only, and type, device and o go together. */
export function validateLocalOptions(opts: Record<string, string> | null | undefined, name = ''): void {
  try {
    checkOptions(opts);
  } catch (e) {
    if (e instanceof InvalidParameter && name) throw new InvalidParameter(`create ${name}: ${e.message}`);
    throw e;
  }
}

function checkOptions(opts: Record<string, string> | null | undefined): void {
  if (!opts) return;
  for (const k of Object.keys(opts)) {
    if (!VALID_OPTS.has(k)) throw new InvalidParameter(`invalid option: "${k}"`);
  }
  for (const [opt, required] of MANDATORY_OPTS) {
    if (!(opt in opts)) continue;
    for (const r of required) {
      if (!(r in opts)) throw new InvalidParameter(`missing required option: "${r}"`);
    }
  }
  if ('size' in opts) throw new InvalidParameter('quota size requested but no quota support');
}

const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d+Z$/, 'Z');

export class LocalVolumes {
  private readonly volumes = new Map<string, LocalVolume>();
  /** Users of each mounted volume (container IDs): a set, so releasing twice is harmless. */
  private readonly active = new Map<string, Set<string>>();

  private constructor(readonly root: string) {}

  /** Reads every volume under `root` (a directory without its record, made by an older engine, counts too). */
  static async open(root: string): Promise<LocalVolumes> {
    const store = new LocalVolumes(root);
    await mkdir(root, { recursive: true, mode: 0o701 });
    const names = await readdir(root);
    await Promise.all(
      names.map(async (name) => {
        try {
          validateVolumeName(name);
        } catch {
          return; // a temp file or something not ours
        }
        const dir = join(root, name);
        let rec: VolumeFile | undefined;
        try {
          rec = JSON.parse(await readFile(join(dir, 'volume.json'), 'utf8')) as VolumeFile;
        } catch (e) {
          if (errnoCode(e) !== 'ENOENT' && !(e instanceof SyntaxError)) throw e;
          const st = await lstat(join(dir, '_data')).catch(() => undefined);
          if (!st?.isDirectory()) return;
          rec = { CreatedAt: rfc3339(st.ctime), Labels: null, Options: null };
        }
        store.volumes.set(name, {
          name,
          createdAt: rec.CreatedAt,
          labels: rec.Labels,
          options: rec.Options,
          mountpoint: join(dir, '_data'),
        });
      }),
    );
    return store;
  }

  mountpoint(name: string): string {
    return join(this.root, name, '_data');
  }

  find(name: string): LocalVolume | undefined {
    return this.volumes.get(name);
  }

  get(name: string): LocalVolume {
    const v = this.volumes.get(name);
    if (!v) throw new NotFound(`get ${name}: no such volume`);
    return v;
  }

  list(): LocalVolume[] {
    return [...this.volumes.values()];
  }

  /** Creates the volume; an existing one of that name is returned as it is (Docker's create is idempotent). */
  async create(
    name: string,
    opts: { labels?: Record<string, string> | null; options?: Record<string, string> | null } = {},
  ): Promise<{ volume: LocalVolume; created: boolean }> {
    validateVolumeName(name);
    const have = this.volumes.get(name);
    if (have) return { volume: have, created: false };
    const options = opts.options ?? null;
    validateLocalOptions(options, name);
    const dir = join(this.root, name);
    const volume: LocalVolume = {
      name,
      createdAt: rfc3339(new Date()),
      labels: opts.labels ?? null,
      options,
      mountpoint: join(dir, '_data'),
    };
    // Visible at once, so two creates of one name make one volume; taken back if the disk work fails.
    this.volumes.set(name, volume);
    try {
      await mkdir(volume.mountpoint, { recursive: true, mode: 0o755 });
      const file: VolumeFile = { CreatedAt: volume.createdAt, Labels: volume.labels, Options: volume.options };
      await writeJsonAtomic(join(dir, 'volume.json'), file, { durable: false });
    } catch (e) {
      this.volumes.delete(name);
      await rm(dir, { recursive: true, force: true }).catch(() => {});
      throw e;
    }
    return { volume, created: true };
  }

  /** Removes the volume and its data; refused while a container has it mounted. */
  async remove(name: string): Promise<void> {
    const v = this.get(name);
    if ((this.active.get(name)?.size ?? 0) > 0) throw new Conflict(`volume ${name} is in use`);
    if (needsMount(v) && (await isMounted(v.mountpoint))) await unmount(v.mountpoint);
    this.volumes.delete(name);
    await rm(join(this.root, name), { recursive: true, force: true });
  }

  /** Takes `ref`'s hold on the volume, mounting it for its first user when its options say so. */
  async mount(name: string, ref: string): Promise<string> {
    const v = this.get(name);
    const users = this.active.get(name) ?? new Set<string>();
    this.active.set(name, users);
    const first = users.size === 0;
    users.add(ref);
    if (first && needsMount(v) && !(await isMounted(v.mountpoint))) {
      try {
        await mountVolume(v);
      } catch (e) {
        users.delete(ref);
        throw e;
      }
    }
    return v.mountpoint;
  }

  /**
   * Lets go of `ref`'s hold; the last one unmounts. Idempotent, and right after a crash too (no holds known then:
   * whatever is mounted with no user left goes).
   */
  async unmount(name: string, ref: string): Promise<void> {
    const v = this.volumes.get(name);
    const users = this.active.get(name);
    users?.delete(ref);
    if (users && users.size > 0) return;
    this.active.delete(name);
    if (v && needsMount(v) && (await isMounted(v.mountpoint))) await unmount(v.mountpoint);
  }

  /** A hold taken over from an earlier daemon (a container it left running): nothing to mount, only counted. */
  adopt(name: string, ref: string): void {
    if (!this.volumes.has(name)) return;
    const users = this.active.get(name) ?? new Set<string>();
    users.add(ref);
    this.active.set(name, users);
  }

  /** Bytes in the volume (files, links and symlinks, each inode once), as Docker's directory.Size. */
  async size(name: string): Promise<number> {
    const seen = new Set<bigint>();
    let total = 0;
    const walk = async (dir: string): Promise<void> => {
      let entries: string[];
      try {
        entries = await readdir(dir);
      } catch {
        return;
      }
      await Promise.all(
        entries.map(async (e) => {
          const p = join(dir, e);
          const st = await lstat(p, { bigint: true }).catch(() => undefined);
          if (!st) return;
          if (st.isDirectory()) return walk(p);
          if (st.nlink > 1n) {
            if (seen.has(st.ino)) return;
            seen.add(st.ino);
          }
          total += Number(st.size);
        }),
      );
    };
    await walk(this.get(name).mountpoint);
    return total;
  }
}

const needsMount = (v: LocalVolume) => Boolean(v.options?.type || v.options?.device);

async function isMounted(path: string): Promise<boolean> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  const escaped = path.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
  return info.split('\n').some((l) => l.split(' ')[4] === escaped);
}

/** util-linux's mount reads `o` as Docker's local driver does (fs options and mount flags in one list). */
function mountVolume(v: LocalVolume): Promise<void> {
  const o = v.options ?? {};
  const args = ['-t', o.type || 'none', ...(o.o ? ['-o', o.o] : []), o.device || 'none', v.mountpoint];
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/mount', args, (err, _out, stderr) => {
      if (!err) return resolve();
      const msg = String(stderr).trim() || err.message;
      reject(new System(`error while mounting volume '${v.mountpoint}': failed to mount local volume: ${msg}`));
    });
  });
}

async function unmount(path: string): Promise<void> {
  try {
    await umount2(path);
  } catch (e) {
    throw new System(`error while unmounting volume path '${path}': ${(e as Error).message}`, { cause: e });
  }
}
