// berth-registry's configuration file (YAML, parsed with the `yaml` library): auth mode, users with bcrypt hashes,
// Harbor-style projects with members' roles, the pull-through upstream, TLS and GC settings.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { InvalidParameter } from '../errdefs/index.js';

export const ROLES = ['guest', 'developer', 'maintainer', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const isRole = (s: unknown): s is Role => typeof s === 'string' && (ROLES as readonly string[]).includes(s);

export interface UserConfig {
  /** A bcrypt hash (`htpasswd -B`, `$2y$…`). */
  password: string;
  /** A system administrator: every right on every project, and the admin API. */
  admin?: boolean;
}

export interface ProjectConfig {
  public?: boolean;
  members?: Record<string, Role>;
}

export interface TokenConfig {
  /** The token endpoint's URL as clients are told it; default: this server's /service/token. */
  realm?: string;
  service: string;
  issuer: string;
  /** Access token lifetime, seconds. */
  expiration: number;
  /** Refresh (offline) token lifetime, seconds. */
  refreshExpiration: number;
  /** A PEM (PKCS#8) EC P-256 private key file; default: a key generated at start-up. */
  key?: string;
}

export interface RegistryConfig {
  auth: { mode: 'none' } | { mode: 'htpasswd'; realm: string; htpasswd?: string } | ({ mode: 'token' } & TokenConfig);
  users: Record<string, UserConfig>;
  projects: Record<string, ProjectConfig>;
  proxy?: { remoteurl: string; username?: string; password?: string };
  tls?: { certificate: string; key: string };
  /** Audit lines go here (appended); default: the log (stdout). */
  audit?: { path?: string };
  /** Blobs written or referenced less than this many seconds before a GC starts are kept (a push in flight). */
  gcGrace: number;
}

export const defaultConfig = (): RegistryConfig => ({ auth: { mode: 'none' }, users: {}, projects: {}, gcGrace: 3600 });

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function str(v: unknown, what: string): string {
  if (typeof v !== 'string' || v === '') throw new InvalidParameter(`config: ${what} must be a non-empty string`);
  return v;
}

/** Durations as distribution writes them (`300s`, `5m`, `1h`, `30d`) or plain seconds. */
export function parseDuration(v: unknown, what: string): number {
  if (typeof v === 'number' && v >= 0) return v;
  const m = typeof v === 'string' ? /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(v.trim()) : null;
  if (!m) throw new InvalidParameter(`config: ${what} must be a duration like 300s, 5m or 1h`);
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[m[2] ?? 's'] ?? 1;
  return Number(m[1]) * unit;
}

export function parseConfig(text: string): RegistryConfig {
  const doc: unknown = parse(text) ?? {};
  if (!isRecord(doc)) throw new InvalidParameter('config: the file must hold a mapping');
  const cfg = defaultConfig();
  if (isRecord(doc.users)) {
    for (const [name, u] of Object.entries(doc.users)) {
      if (!isRecord(u)) throw new InvalidParameter(`config: users.${name} must be a mapping`);
      cfg.users[name] = { password: str(u.password, `users.${name}.password`), admin: u.admin === true };
    }
  }
  if (isRecord(doc.projects)) {
    for (const [name, p] of Object.entries(doc.projects)) {
      const members: Record<string, Role> = {};
      const project: ProjectConfig = { public: isRecord(p) && p.public === true, members };
      if (isRecord(p) && isRecord(p.members)) {
        for (const [user, role] of Object.entries(p.members)) {
          if (!isRole(role))
            throw new InvalidParameter(`config: projects.${name}.members.${user}: unknown role ${String(role)}`);
          members[user] = role;
        }
      }
      cfg.projects[name] = project;
    }
  }
  const auth = isRecord(doc.auth) ? doc.auth : {};
  if (isRecord(auth.token)) {
    const t = auth.token;
    cfg.auth = {
      mode: 'token',
      service: typeof t.service === 'string' ? t.service : 'berth-registry',
      issuer: typeof t.issuer === 'string' ? t.issuer : 'berth-registry',
      expiration: t.expiration === undefined ? 300 : parseDuration(t.expiration, 'auth.token.expiration'),
      refreshExpiration:
        t.refresh_expiration === undefined
          ? 30 * 86400
          : parseDuration(t.refresh_expiration, 'auth.token.refresh_expiration'),
      ...(typeof t.realm === 'string' ? { realm: t.realm } : {}),
      ...(typeof t.key === 'string' ? { key: t.key } : {}),
    };
  } else if (isRecord(auth.htpasswd)) {
    const h = auth.htpasswd;
    cfg.auth = {
      mode: 'htpasswd',
      realm: typeof h.realm === 'string' ? h.realm : 'berth-registry',
      ...(typeof h.path === 'string' ? { htpasswd: h.path } : {}),
    };
  }
  if (isRecord(doc.proxy)) {
    const p = doc.proxy;
    cfg.proxy = { remoteurl: str(p.remoteurl, 'proxy.remoteurl').replace(/\/+$/, '') };
    if (typeof p.username === 'string') cfg.proxy.username = p.username;
    if (typeof p.password === 'string') cfg.proxy.password = p.password;
  }
  const tls = isRecord(doc.http) && isRecord(doc.http.tls) ? doc.http.tls : undefined;
  if (tls) cfg.tls = { certificate: str(tls.certificate, 'http.tls.certificate'), key: str(tls.key, 'http.tls.key') };
  if (isRecord(doc.audit) && typeof doc.audit.path === 'string') cfg.audit = { path: doc.audit.path };
  if (isRecord(doc.gc) && doc.gc.grace !== undefined) cfg.gcGrace = parseDuration(doc.gc.grace, 'gc.grace');
  return cfg;
}

export async function loadConfig(path: string | undefined): Promise<RegistryConfig> {
  if (path === undefined) return defaultConfig();
  return parseConfig(await readFile(path, 'utf8'));
}
