// Just enough of distribution/reference for the CLI's output: normalising "busybox" to docker.io/library/busybox and
// back (familiar form), splitting off tag and digest. The daemon validates references; this never rejects one it can
// read.

export interface Reference {
  /** Fully qualified repository: "docker.io/library/busybox". */
  name: string;
  tag?: string;
  digest?: string;
}

const DEFAULT_DOMAIN = 'docker.io';
const OFFICIAL_PREFIX = 'library/';

/** ParseNormalizedNamed, or undefined when `s` is not a name (an ID, "sha256:…", upper case, …). */
export function parseNormalizedNamed(s: string): Reference | undefined {
  let rest = s;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(digest)) return undefined;
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!/^[\w][\w.-]{0,127}$/.test(tag)) return undefined;
  }
  if (rest === '' || /^[a-f0-9]{64}$/.test(rest)) return undefined;
  const slash = rest.indexOf('/');
  let domain = DEFAULT_DOMAIN;
  let path = rest;
  const first = slash < 0 ? '' : rest.slice(0, slash);
  if (
    slash >= 0 &&
    (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase())
  ) {
    domain = first === 'index.docker.io' ? DEFAULT_DOMAIN : first;
    path = rest.slice(slash + 1);
  }
  if (!/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(path))
    return undefined;
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = OFFICIAL_PREFIX + path;
  return { name: `${domain}/${path}`, ...(tag !== undefined ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** FamiliarName: "docker.io/library/busybox" → "busybox", "docker.io/me/app" → "me/app". */
export function familiarName(name: string): string {
  if (!name.startsWith(`${DEFAULT_DOMAIN}/`)) return name;
  const path = name.slice(DEFAULT_DOMAIN.length + 1);
  if (path.startsWith(OFFICIAL_PREFIX) && !path.slice(OFFICIAL_PREFIX.length).includes('/')) {
    return path.slice(OFFICIAL_PREFIX.length);
  }
  return path;
}

/** FamiliarString: the familiar name with its tag and digest. */
export function familiarString(ref: Reference): string {
  let s = familiarName(ref.name);
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest) s += `@${ref.digest}`;
  return s;
}

/** TagNameOnly: ":latest" added to a name that has neither tag nor digest. */
export function tagNameOnly(ref: Reference): Reference {
  return ref.tag === undefined && !ref.digest ? { ...ref, tag: 'latest' } : ref;
}

/** Why `s` is not a reference, in distribution/reference's words. */
export function referenceError(s: string): string {
  const lower = parseNormalizedNamed(s.toLowerCase());
  if (lower && s !== s.toLowerCase() && !s.includes('@')) {
    const name = familiarName(lower.name) === lower.name ? lower.name : lower.name.slice('docker.io/'.length);
    const original = s.split(':')[0]!;
    const path = name.slice(0, name.length - original.length) + original;
    return `invalid reference format: repository name (${path}) must be lowercase`;
  }
  return 'invalid reference format';
}
