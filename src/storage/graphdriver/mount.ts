// Mounting for graph drivers. Node has no mount(2), so this runs util-linux's mount/umount (async, one short-lived
// process per mount). If it shows up in profiles of container start, this is the place to move into berth-helper.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { System } from '../../errdefs/index.js';
import { LibcError, mount, umount2 } from '../../sys/ffi-libc.js';

function run(cmd: string, args: string[], cwd?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      const msg = String(stderr).trim() || err.message;
      reject(new System(`${[cmd, ...args].join(' ')}: ${msg}`, { cause: err }));
    });
  });
}

/** The kernel takes at most a page of mount options. */
const MAX_OPTIONS = 4000;
const PATH_OPTIONS = new Set(['lowerdir', 'upperdir', 'workdir']);

/** The options with every directory made absolute against `cwd` (lowerdir is a colon-separated list). */
function absoluteOptions(cwd: string, options: string): string {
  return options
    .split(',')
    .map((o) => {
      const eq = o.indexOf('=');
      if (eq < 0 || !PATH_OPTIONS.has(o.slice(0, eq))) return o;
      const dirs = o
        .slice(eq + 1)
        .split(':')
        .map((d) => (d.startsWith('/') ? d : path.join(cwd, d)));
      return `${o.slice(0, eq)}=${dirs.join(':')}`;
    })
    .join(',');
}

/**
 * An overlay mount. With absolute paths that fit the kernel's page of options: mount(2) in-process, no process
 * spawned (this is on every container start). Longer ones (deep images): `mount` run in `cwd`, so relative lowerdir
 * paths keep the options short (moby's mountFrom does the same with a forked child).
 */
export async function mountOverlay(cwd: string, options: string, target: string): Promise<void> {
  const absolute = absoluteOptions(cwd, options);
  if (absolute.length < MAX_OPTIONS) {
    try {
      await mount('overlay', path.resolve(cwd, target), 'overlay', 0, absolute);
      return;
    } catch (e) {
      throw new System(`mount -t overlay overlay -o ${options} ${target}: ${(e as Error).message}`, { cause: e });
    }
  }
  return run('/usr/bin/mount', ['-t', 'overlay', 'overlay', '-o', options, target], cwd);
}

const MNT_DETACH = 2;

/**
 * Unmounts `target`. EBUSY (a file the daemon itself has open in it for a moment, e.g. an exec's user lookup reading
 * /etc/passwd as the container stops) is retried briefly, then the mount is detached: nothing will use it again, and
 * the kernel drops it once the last file closes.
 */
export async function unmount(target: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await umount2(target, attempt < 3 ? 0 : MNT_DETACH);
      return;
    } catch (e) {
      if (attempt < 3 && e instanceof LibcError && e.code === 'EBUSY') {
        await new Promise((r) => setTimeout(r, 10 << attempt));
        continue;
      }
      throw new System(`umount ${target}: ${(e as Error).message}`, { cause: e });
    }
  }
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
const unescapeMountinfo = (s: string) =>
  s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(Number.parseInt(o, 8)));

/** Mount points of this process's mount namespace (from /proc/self/mountinfo), in mount order. */
export async function mountPoints(): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const field = line.split(' ')[4];
    if (field) out.push(unescapeMountinfo(field));
  }
  return out;
}

/** Mount points at or below `dir`, deepest (last mounted) first: the order to unmount them in. */
export async function mountPointsUnder(dir: string): Promise<string[]> {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return (await mountPoints()).filter((m) => m === dir || m.startsWith(prefix)).reverse();
}
