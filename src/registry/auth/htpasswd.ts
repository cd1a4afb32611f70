// Password checks against bcrypt hashes (bcryptjs): the config's users plus an optional htpasswd file (`htpasswd -B`).
// A verified password is remembered by its sha256, so a client sending basic auth on every request pays bcrypt once.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import bcrypt from 'bcryptjs';
import { InvalidParameter } from '../../errdefs/index.js';

/** Parses `user:hash` lines; only bcrypt hashes are accepted, as distribution does. */
export function parseHtpasswd(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    const hash = line.slice(colon + 1);
    if (colon <= 0 || !/^\$2[aby]\$/.test(hash))
      throw new InvalidParameter(`htpasswd line ${i + 1}: not user:bcrypt-hash`);
    out.set(line.slice(0, colon), hash);
  }
  return out;
}

export async function readHtpasswd(path: string): Promise<Map<string, string>> {
  return parseHtpasswd(await readFile(path, 'utf8'));
}

export class PasswordChecker {
  private readonly good = new Map<string, string>();

  constructor(private readonly hashes: () => ReadonlyMap<string, string>) {}

  async verify(user: string, password: string): Promise<boolean> {
    const hash = this.hashes().get(user);
    if (hash === undefined) return false;
    const key = createHash('sha256').update(`${hash}\0${password}`).digest('hex');
    if (this.good.get(user) === key) return true;
    const ok = await bcrypt.compare(password, hash);
    if (ok) this.good.set(user, key);
    return ok;
  }
}
