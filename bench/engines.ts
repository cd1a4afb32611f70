// What the engine benchmarks share: the real docker CLI against an engine's socket, and busybox imported into one.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { Berthd } from '../test/fixtures/berthd.js';
import { busyboxRootfs } from '../test/fixtures/rootfs.js';

export const DOCKER = '/usr/local/bin/docker';

/** `docker <args>` against `host`; its stdout, or a rejection with its stderr. */
export function docker(host: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(DOCKER, args, {
      env: { ...process.env, DOCKER_HOST: host },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`docker ${args.join(' ')}: ${code} ${err}`)),
    );
  });
}

/** busybox:latest in the engine at `host`, from Debian's busybox-static. */
export async function importBusybox(host: string): Promise<void> {
  const rootfs = await busyboxRootfs();
  await new Promise<void>((resolve, reject) => {
    const sh = spawn('sh', ['-c', `tar -C '${rootfs}' -cf - . | '${DOCKER}' import - busybox:latest >/dev/null`], {
      env: { ...process.env, DOCKER_HOST: host },
      stdio: 'inherit',
    });
    sh.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`import into ${host}: ${code}`))));
  });
}

/** berthd's pid in the host's view: `b.pid()` is nsenter's, whose child is berthd, in the sandbox's namespaces. */
export async function berthdPid(b: Berthd): Promise<number> {
  const pid = b.pid() ?? 0;
  const kids = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return Number(kids.trim().split(' ')[0]) || pid;
}
