// Mounting for graph drivers. Node has no mount(2), so this runs util-linux's mount/umount (async, one short-lived
// process per mount). If it shows up in profiles of container start, this is the place to move into berth-helper.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { System } from '../../errdefs/index.js';

function run(cmd: string, args: string[], cwd?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      const msg = String(stderr).trim() || err.message;
      reject(new System(`${[cmd, ...args].join(' ')}: ${msg}`, { cause: err }));
    });
  });
}

/** `mount -t overlay overlay -o <options> <target>`, run in `cwd` so relative lowerdir paths keep options short. */
export function mountOverlay(cwd: string, options: string, target: string): Promise<void> {
  return run('/usr/bin/mount', ['-t', 'overlay', 'overlay', '-o', options, target], cwd);
}

export function unmount(target: string): Promise<void> {
  return run('/usr/bin/umount', [target]);
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

export async function isMountPoint(p: string): Promise<boolean> {
  return (await mountPoints()).includes(p);
}
