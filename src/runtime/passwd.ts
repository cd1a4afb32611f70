// Looks up a user's home directory in the container's /etc/passwd: like runc, berth sets HOME when the process
// environment has none.
import { readFileInRoot } from '../archive/index.js';

export async function homeDir(rootfs: string, uid: number): Promise<string> {
  // No passwd file (or an unreadable one): the default below, as runc.
  const text = (await readFileInRoot(rootfs, '/etc/passwd')) ?? '';
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length >= 6 && Number(f[2]) === uid && f[2] !== '') return f[5] || '/';
  }
  return '/';
}

/** The environment with HOME added from /etc/passwd when it is missing. */
export async function withHome(env: string[] | undefined, rootfs: string, uid: number): Promise<string[]> {
  const vars = env ?? [];
  if (vars.some((v) => v.startsWith('HOME='))) return vars;
  return [...vars, `HOME=${await homeDir(rootfs, uid)}`];
}
