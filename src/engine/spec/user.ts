// Resolves Docker's `User` ("", "uid", "name", "uid:gid", "name:group") against the container's /etc/passwd and
// /etc/group, as moby's user lookup does: numeric ids need no entry; names must exist; supplementary groups are the
// primary group, the groups listing the user, plus HostConfig.GroupAdd.
import { readFileInRoot } from '../../archive/index.js';
import { InvalidParameter } from '../../errdefs/index.js';

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  home: string;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

async function readInRoot(rootfs: string, path: string): Promise<string> {
  return (await readFileInRoot(rootfs, path)) ?? '';
}

function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 7 || line.startsWith('#')) continue;
    out.push({ name: f[0] ?? '', uid: Number(f[2]), gid: Number(f[3]), home: f[5] || '/' });
  }
  return out;
}

function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 4 || line.startsWith('#')) continue;
    out.push({ name: f[0] ?? '', gid: Number(f[2]), members: (f[3] ?? '').split(',').filter(Boolean) });
  }
  return out;
}

const isNumeric = (s: string) => /^\d+$/.test(s);

export async function resolveUser(
  rootfs: string,
  user: string,
  groupAdd: readonly string[] = [],
): Promise<ResolvedUser> {
  const [userPart = '', groupPart] = user.split(':', 2) as [string?, string?];
  const passwd = parsePasswd(await readInRoot(rootfs, '/etc/passwd'));
  const groups = parseGroup(await readInRoot(rootfs, '/etc/group'));
  let uid = 0;
  let gid = 0;
  let home = '/';
  let name = '';
  if (userPart !== '') {
    const entry = isNumeric(userPart)
      ? passwd.find((p) => p.uid === Number(userPart))
      : passwd.find((p) => p.name === userPart);
    if (!entry && !isNumeric(userPart)) {
      throw new InvalidParameter(`unable to find user ${userPart}: no matching entries in passwd file`);
    }
    uid = entry ? entry.uid : Number(userPart);
    gid = entry ? entry.gid : 0;
    home = entry?.home ?? '/';
    name = entry?.name ?? '';
  } else {
    const root = passwd.find((p) => p.uid === 0);
    home = root?.home ?? '/';
    name = root?.name ?? '';
  }
  if (groupPart !== undefined && groupPart !== '') {
    if (isNumeric(groupPart)) gid = Number(groupPart);
    else {
      const g = groups.find((e) => e.name === groupPart);
      if (!g) throw new InvalidParameter(`unable to find group ${groupPart}: no matching entries in group file`);
      gid = g.gid;
    }
  }
  // moby's getUser starts the supplementary list with the primary group (so `id` shows groups=<gid>).
  const additional = new Set<number>([gid]);
  if (name !== '' && groupPart === undefined) {
    for (const g of groups) if (g.members.includes(name) && g.gid !== gid) additional.add(g.gid);
  }
  for (const g of groupAdd) {
    if (isNumeric(g)) additional.add(Number(g));
    else {
      const e = groups.find((x) => x.name === g);
      if (!e) throw new InvalidParameter(`Unable to find group ${g}: no matching entries in group file`);
      additional.add(e.gid);
    }
  }
  return { uid, gid, additionalGids: [...additional], home };
}
