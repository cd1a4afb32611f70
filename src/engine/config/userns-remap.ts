// dockerd's --userns-remap: which user and group's subordinate ranges (/etc/subuid, /etc/subgid) every container's
// user namespace maps to; `default` makes a `berth` system user with a fresh 65536-id range (Docker's dockremap).
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InvalidParameter, System, errnoCode } from '../../errdefs/index.js';
import { writeFileAtomic } from '../../lib/atomic-file.js';
import type { IdMapping, IdentityMapping } from '../../lib/idmap.js';

/** The name `default` stands for. */
export const DEFAULT_REMAP_USER = 'berth';
/** idtools' defaults for a range berth allocates: 65536 ids, the first free ones at or above 100000. */
export const SUBID_RANGE_START = 100000;
export const SUBID_RANGE_LENGTH = 65536;

export interface RemappedRoot {
  /** "user:group", as dockerd rewrites its RemappedRoot once resolved. */
  remappedRoot: string;
  mapping: IdentityMapping;
}

export interface RemapEnv {
  /** Where passwd, group, subuid and subgid are (default /etc). */
  etc?: string;
  /** Makes the `berth` system user and group (default: useradd, as dockerd does). */
  addUser?: (name: string) => Promise<void>;
  warn?: (msg: string) => void;
}

interface Entry {
  name: string;
  id: number;
}

/** name:x:id:… lines of passwd or group (field 3 is the uid or gid). */
export function parseIdFile(text: string): Entry[] {
  const out: Entry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 3 || !f[0] || line.startsWith('#') || !/^\d+$/.test(f[2] ?? '')) continue;
    out.push({ name: f[0], id: Number(f[2]) });
  }
  return out;
}

export interface SubIdRange {
  name: string;
  start: number;
  length: number;
}

/** /etc/subuid and /etc/subgid: "name-or-id:start:count" lines. */
export function parseSubIdFile(text: string): SubIdRange[] {
  const out: SubIdRange[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const [name, start, length] = t.split(':');
    if (!name || !/^\d+$/.test(start ?? '') || !/^\d+$/.test(length ?? '')) continue;
    out.push({ name, start: Number(start), length: Number(length) });
  }
  return out;
}

/** idtools' findNextRangeStart: the first start at or above 100000 where 65536 ids overlap no listed range. */
export function nextRangeStart(ranges: readonly SubIdRange[]): number {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  let start = SUBID_RANGE_START;
  for (const r of sorted) {
    const overlaps = start < r.start + r.length && r.start < start + SUBID_RANGE_LENGTH;
    if (overlaps) start = r.start + r.length;
  }
  return start;
}

/** The ranges of `who` (matched by name or numeric id), laid end to end from container id 0 (idtools' createIDMap). */
export function idMappingsOf(ranges: readonly SubIdRange[], who: Entry): IdMapping[] {
  const out: IdMapping[] = [];
  let containerID = 0;
  for (const r of ranges) {
    if (r.name !== who.name && r.name !== String(who.id)) continue;
    out.push({ containerID, hostID: r.start, size: r.length });
    containerID += r.length;
  }
  return out;
}

const readText = (path: string) =>
  readFile(path, 'utf8').catch((e: unknown) => {
    if (errnoCode(e) === 'ENOENT') return '';
    throw e;
  });

function useradd(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      'useradd',
      ['--system', '--shell', '/bin/false', '--no-create-home', '--user-group', name],
      (err, _o, se) =>
        err ? reject(new System(`useradd ${name}: ${String(se).trim() || err.message}`, { cause: err })) : resolve(),
    );
  });
}

/**
 * Resolves `--userns-remap` as dockerd's parseRemappedRoot + setupRemappedRoot: `default`, `user`, `user:group`,
 * `uid`, `uid:gid` (a lone uid's gid is the same number). undefined for "" and for root (Docker warns and leaves
 * user namespaces off). Errors carry dockerd's texts.
 */
export async function setupRemappedRoot(spec: string, env: RemapEnv = {}): Promise<RemappedRoot | undefined> {
  if (spec === '') return undefined;
  const etc = env.etc ?? '/etc';
  const parts = spec.split(':');
  if (parts.length > 2 || parts.some((p) => p === '')) {
    throw new InvalidParameter(`Invalid user/group specification in --userns-remap: "${spec}"`);
  }
  const [userPart, groupPart] = parts as [string, string | undefined];
  let users = parseIdFile(await readText(join(etc, 'passwd')));
  let groups = parseIdFile(await readText(join(etc, 'group')));
  let user: Entry | undefined;
  let group: Entry | undefined;
  if (/^\d+$/.test(userPart)) {
    user = users.find((u) => u.id === Number(userPart));
    if (!user)
      throw new InvalidParameter(`Uid ${userPart} has no entry in /etc/passwd: user: unknown userid ${userPart}`);
    if (groupPart === undefined) {
      group = groups.find((g) => g.id === Number(userPart));
      if (!group)
        throw new InvalidParameter(`Gid ${userPart} has no entry in /etc/group: group: unknown groupid ${userPart}`);
    }
  } else {
    const name = userPart === 'default' ? DEFAULT_REMAP_USER : userPart;
    user = users.find((u) => u.name === name);
    if (!user && userPart !== 'default') {
      throw new InvalidParameter(`Error during uid lookup for "${name}": user: unknown user ${name}`);
    }
    if (!user) {
      await (env.addUser ?? useradd)(name).catch((e: unknown) => {
        throw new System(`Error during "${name}" user creation: ${(e as Error).message}`, { cause: e });
      });
      users = parseIdFile(await readText(join(etc, 'passwd')));
      groups = parseIdFile(await readText(join(etc, 'group')));
      user = users.find((u) => u.name === name);
      if (!user) throw new System(`Error during "${name}" user creation: no passwd entry after useradd`);
      await ensureSubIdRange(join(etc, 'subuid'), user);
      await ensureSubIdRange(join(etc, 'subgid'), user);
    }
    if (groupPart === undefined) {
      group = groups.find((g) => g.name === name);
      if (!group) throw new InvalidParameter(`Error during gid lookup for "${name}": user: unknown group ${name}`);
    }
  }
  if (groupPart !== undefined) {
    group = /^\d+$/.test(groupPart)
      ? groups.find((g) => g.id === Number(groupPart))
      : groups.find((g) => g.name === groupPart);
    if (!group) {
      throw new InvalidParameter(
        /^\d+$/.test(groupPart)
          ? `Gid ${groupPart} has no entry in /etc/group: group: unknown groupid ${groupPart}`
          : `Error during groupname lookup for "${groupPart}": user: unknown group ${groupPart}`,
      );
    }
  }
  if (!group) throw new InvalidParameter(`Invalid user/group specification in --userns-remap: "${spec}"`);
  if (user.name === 'root') {
    env.warn?.('User namespaces: root cannot be remapped with itself; user namespaces are OFF');
    return undefined;
  }
  const uidMappings = idMappingsOf(parseSubIdFile(await readText(join(etc, 'subuid'))), user);
  if (uidMappings.length === 0) {
    throw new InvalidParameter(`Can't create ID mappings: no subuid ranges found for user "${user.name}"`);
  }
  const gidMappings = idMappingsOf(parseSubIdFile(await readText(join(etc, 'subgid'))), group);
  if (gidMappings.length === 0) {
    throw new InvalidParameter(`Can't create ID mappings: no subgid ranges found for group "${group.name}"`);
  }
  return { remappedRoot: `${user.name}:${group.name}`, mapping: { uidMappings, gidMappings } };
}

/**
 * idtools' createSubordinateRanges, without usermod: unless `who` has a range in `path` already, appends one (the
 * first free 65536 ids at or above 100000), replacing the file atomically and keeping its mode.
 */
export async function ensureSubIdRange(path: string, who: Entry): Promise<void> {
  const text = await readText(path);
  const ranges = parseSubIdFile(text);
  if (ranges.some((r) => r.name === who.name || r.name === String(who.id))) return;
  const mode = await stat(path).then(
    (s) => s.mode & 0o7777,
    () => 0o644,
  );
  const line = `${who.name}:${nextRangeStart(ranges)}:${SUBID_RANGE_LENGTH}\n`;
  await writeFileAtomic(path, `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${line}`, { mode });
}

/**
 * dockerd's check when remapping: the remapped root must be able to reach the daemon's root (rootfs mounts and the
 * containers' files are looked up from inside the user namespace), so the root and each directory above it need
 * o+x.
 */
export async function checkRootTraversable(dataRoot: string): Promise<void> {
  for (let dir = dataRoot; dir !== dirname(dir); dir = dirname(dir)) {
    const st = await stat(dir).catch(() => undefined);
    if (st && (st.mode & 0o001) === 0) {
      throw new InvalidParameter(
        `a subdirectory in your graphroot path (${dataRoot}) restricts access to the remapped root uid/gid; please fix by allowing 'o+x' permissions on existing directories`,
      );
    }
  }
}
