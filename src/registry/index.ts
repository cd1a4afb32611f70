// The registry server's public face: build its services from a root directory and a config, serve them over
// HTTP(S), collect garbage. src/cmd/berth-registry.ts is the thin command over this.
import { join } from 'node:path';
import { Audit } from './audit.js';
import { Authenticator } from './auth/index.js';
import { PasswordChecker, readHtpasswd } from './auth/htpasswd.js';
import { Policy } from './auth/policy.js';
import { TokenService } from './auth/token.js';
import type { RegistryConfig } from './config.js';
import type { RegistryServices } from './http/context.js';
import { HttpUpstream } from './proxy.js';
import { Registry } from './registry.js';
import type { Logger } from './storage/blobs.js';

export { type RegistryConfig, defaultConfig, loadConfig, parseConfig, parseDuration } from './config.js';
export { collectGarbage, type GcOptions, type GcReport } from './gc.js';
export { createRegistryServer, type ServerOptions } from './http/server.js';
export type { RegistryServices } from './http/context.js';
export { Registry } from './registry.js';

/** Where admin-API changes to projects are kept (overlaid on the config's). */
export const adminStatePath = (root: string): string => join(root, 'admin', 'projects.json');

export async function openRegistry(root: string, config: RegistryConfig, log: Logger): Promise<RegistryServices> {
  const upstream = config.proxy ? new HttpUpstream(config.proxy) : undefined;
  const registry = new Registry(root, log, upstream);
  const policy = new Policy(config, adminStatePath(root));
  await policy.load();
  const hashes = new Map(Object.entries(config.users).map(([u, c]) => [u, c.password]));
  if (config.auth.mode === 'htpasswd' && config.auth.htpasswd) {
    for (const [u, h] of await readHtpasswd(config.auth.htpasswd)) {
      hashes.set(u, h);
      config.users[u] ??= { password: h };
    }
  }
  const tokens = config.auth.mode === 'token' ? await TokenService.create(config.auth) : undefined;
  const auth = new Authenticator(config, policy, new PasswordChecker(() => hashes), tokens);
  const audit = new Audit({ path: config.audit?.path, log });
  return { registry, auth, audit, log };
}
