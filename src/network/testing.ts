// For tests of src/network that need the kernel: a test file runs itself again inside namespaces of its own
// (unshare), so its links, addresses, rules and mounts never reach the host's, even if it dies half-way. Its test
// events go to the same stdout, so the runner reports them as that file's.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const INNER = 'BERTH_NETWORK_TEST_IN_OWN_NAMESPACES';

/**
 * In the outer run: starts the file again under `unshare <flags> --mount --propagation private` (with lo up in a new
 * network namespace) and returns true
 * (the caller then defines no tests). Inside: returns false.
 */
export function reexecInNamespaces(fileUrl: string, flags: string[], what: string): boolean {
  if (process.env[INNER] === '1') return false;
  const self = fileURLToPath(fileUrl);
  // A new network namespace starts with lo down: up before the tests run.
  const loUp = flags.includes('--net') ? ['sh', '-c', 'ip link set lo up && exec "$0" "$@"'] : [];
  const child = spawn(
    'unshare',
    [...flags, '--mount', '--propagation', 'private', ...loUp, process.execPath, ...process.execArgv, self],
    { stdio: 'inherit', env: { ...process.env, [INNER]: '1' } },
  );
  child.on('exit', (code, signal) => {
    if (signal) process.stderr.write(`${what} killed by ${signal}\n`);
    process.exitCode = code ?? 1;
  });
  return true;
}

/** The built berth-helper (native/build/berth-helper above this file), or undefined when it is not built. */
export function builtHelper(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 6; up++) {
    const candidate = join(dir, 'native', 'build', 'berth-helper');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}
