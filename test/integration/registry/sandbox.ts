// Test plumbing for the registry: each test file re-runs itself in a network namespace of its own (lo only) and a
// private mount namespace, so its servers and clients stay off the host's interfaces; and a registry started
// in-process on 127.0.0.1, a free port, a fresh root.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  type RegistryConfig,
  type RegistryServices,
  createRegistryServer,
  defaultConfig,
  openRegistry,
} from '../../../src/registry/index.js';

export const run = promisify(execFile);
const INNER = 'BERTH_REGISTRY_TEST_IN_NETNS';

/** Why the file cannot run here, or undefined. */
export const skipReason = process.getuid?.() !== 0 ? 'needs root (unshare --net)' : undefined;

/**
 * True in the re-run inside the namespaces (go on and declare the tests); false in the outer process, which has
 * started that re-run and mirrors its exit code.
 */
export function inOwnNetns(moduleUrl: string): boolean {
  if (skipReason !== undefined || process.env[INNER] === '1') return true;
  const self = fileURLToPath(moduleUrl);
  const script = `ip link set lo up && exec "$@"`;
  const child = spawn(
    'unshare',
    [
      '--net',
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-c',
      script,
      'sh',
      process.execPath,
      ...process.execArgv,
      self,
    ],
    { stdio: 'inherit', env: { ...process.env, [INNER]: '1' } },
  );
  child.on('exit', (code, signal) => {
    if (signal) process.stderr.write(`registry tests killed by ${signal}\n`);
    process.exitCode = code ?? 1;
  });
  return false;
}

export interface TestRegistry {
  url: string;
  host: string;
  root: string;
  services: RegistryServices;
  server: Server;
  logs: string[];
  stop(): Promise<void>;
}

/** Starts a registry in-process; `stop` closes it and removes its root (unless the root was given). */
export async function startRegistry(config: RegistryConfig = defaultConfig(), root?: string): Promise<TestRegistry> {
  const ownRoot = root === undefined;
  const dir = root ?? (await mkdtemp(join(tmpdir(), 'berth-registry-')));
  const logs: string[] = [];
  const services = await openRegistry(dir, config, (l) => logs.push(l));
  const server = createRegistryServer(services);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const host = `127.0.0.1:${port}`;
  return {
    url: `http://${host}`,
    host,
    root: dir,
    services,
    server,
    logs,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (ownRoot) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** fetch with a bound wait. */
export function req(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(20_000) });
}

export const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
