// Registry credentials in the CLI config file ($DOCKER_CONFIG/config.json, `auths`), as the docker CLI's plain file
// store keeps them (base64 "user:password" in `auth`; no credential helpers), and the X-Registry-Auth header made
// from them for the registry an image or a search term names.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseNormalizedNamed } from './reference.js';
import { AUTH_CONFIG_FIELDS, type AuthConfig } from '../../api/registry.js';

/** Docker Hub's key in `auths` (registry.IndexServer). */
export const INDEX_SERVER = 'https://index.docker.io/v1/';

export type { AuthConfig };

/** The client config file: its `auths` decoded, and every other key kept as read so a save loses nothing. */
export interface CredentialsFile {
  filename: string;
  auths: Map<string, AuthConfig>;
  rest: Record<string, unknown>;
}

/** Reads `dir`/config.json; a missing file is empty. `auth` is decoded into username and password, as LoadFromReader. */
export async function loadCredentials(dir: string): Promise<CredentialsFile> {
  const filename = join(dir, 'config.json');
  const file: CredentialsFile = { filename, auths: new Map(), rest: {} };
  let text: string;
  try {
    text = await readFile(filename, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return file;
    throw e;
  }
  if (text.trim() === '') return file;
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return file;
  const { auths, ...rest } = parsed as Record<string, unknown>;
  file.rest = rest;
  if (typeof auths === 'object' && auths !== null) {
    for (const [addr, raw] of Object.entries(auths as Record<string, AuthConfig>)) {
      const ac: AuthConfig = { ...raw };
      if (ac.auth) Object.assign(ac, decodeAuth(ac.auth));
      delete ac.auth;
      ac.serveraddress = addr;
      file.auths.set(addr, ac);
    }
  }
  return file;
}

function decodeAuth(auth: string): { username: string; password: string } {
  const decoded = Buffer.from(auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw new Error('Invalid auth configuration file');
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1).replaceAll('\0', '') };
}

/**
 * ConfigFile.Save: `auths` first with username and password folded into `auth`, tab-indented, written to a temporary
 * file beside it and renamed over it (keeping the old file's mode; 0600 for a new one).
 */
export async function saveCredentials(file: CredentialsFile): Promise<void> {
  const auths: Record<string, AuthConfig> = {};
  for (const [k, ac] of file.auths) {
    const { username, password, serveraddress: _, auth: __, ...kept } = ac;
    const auth = username || password ? Buffer.from(`${username ?? ''}:${password ?? ''}`).toString('base64') : '';
    auths[k] = { ...(auth ? { auth } : {}), ...kept };
  }
  const dir = dirname(file.filename);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const mode = await stat(file.filename).then(
    (s) => s.mode & 0o777,
    () => 0o600,
  );
  const temp = `${file.filename}${randomBytes(5).toString('hex')}`;
  try {
    await writeFile(temp, JSON.stringify({ auths, ...file.rest }, null, '\t'), { mode: 0o600 });
    await chmod(temp, mode);
    await rename(temp, file.filename);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}

/** credentials.ConvertToHostname: "https://host:5000/v2/" → "host:5000". */
export function convertToHostname(address: string): string {
  if (address.includes('://')) {
    try {
      const u = new URL(address);
      if (u.hostname !== '') return u.port === '' ? u.hostname : u.host;
    } catch {
      // Not a URL: cut at the first slash as below.
    }
  }
  return address.split('/')[0]!;
}

/** fileStore.Get: the entry under `key`, else one whose key names the same host; empty when there is none. */
export function getAuthConfig(file: CredentialsFile, key: string): AuthConfig {
  const exact = file.auths.get(key);
  if (exact) return exact;
  for (const [k, ac] of file.auths) if (convertToHostname(k) === key) return ac;
  return {};
}

/** The `auths` key for a registry domain: Docker Hub's is its v1 index URL. */
export function authConfigKey(domain: string): string {
  return domain === 'docker.io' || domain === 'index.docker.io' ? INDEX_SERVER : domain;
}

/** registry.EncodeAuthConfig: URL-safe base64 of the JSON, fields left out when empty ("e30=" for none). */
export function encodeAuthConfig(ac: AuthConfig): string {
  const out: AuthConfig = {};
  for (const f of AUTH_CONFIG_FIELDS) if (ac[f]) out[f] = ac[f];
  return Buffer.from(JSON.stringify(out)).toString('base64').replaceAll('+', '-').replaceAll('/', '_');
}

/** The registry domain of an image reference ("docker.io" for familiar names); undefined when it is not a name. */
export function imageDomain(image: string): string | undefined {
  const ref = parseNormalizedNamed(image);
  return ref ? ref.name.slice(0, ref.name.indexOf('/')) : undefined;
}

/** registry.ParseSearchIndexInfo's index: the term's first part when it names a host, else Docker Hub. */
export function searchDomain(term: string): string {
  const slash = term.indexOf('/');
  if (slash < 0) return 'docker.io';
  const first = term.slice(0, slash);
  if (!first.includes('.') && !first.includes(':') && first !== 'localhost') return 'docker.io';
  return first === 'index.docker.io' ? 'docker.io' : first;
}

/** The X-Registry-Auth value for `domain` from the config file in `dir` (ResolveAuthConfig + EncodeAuthConfig). */
export async function registryAuthFor(dir: string, domain: string | undefined): Promise<string> {
  if (domain === undefined) return encodeAuthConfig({});
  // A config file that cannot be read gives no credentials: the docker CLI warns about it and goes on.
  const file = await loadCredentials(dir).catch(() => undefined);
  return encodeAuthConfig(file ? getAuthConfig(file, authConfigKey(domain)) : {});
}

/** X-Registry-Config for `build`: every stored login (server address → AuthConfig), as the docker CLI sends it. */
export async function registryConfigFor(dir: string): Promise<string | undefined> {
  const file = await loadCredentials(dir).catch(() => undefined);
  if (!file || file.auths.size === 0) return undefined;
  const all: Record<string, AuthConfig> = {};
  for (const [addr, ac] of file.auths) all[addr] = ac;
  return Buffer.from(JSON.stringify(all)).toString('base64url');
}
