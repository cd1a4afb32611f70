// Image references (`busybox`, `host:5000/a/b:tag@sha256:…`) parsed and normalised by the rules of distribution's
// `reference` package as Docker uses it (ParseNormalizedNamed, FamiliarString, TagNameOnly), with Docker's error texts.
import { InvalidParameter } from '../errdefs/index.js';
import { type Digest, parseDigest } from '../lib/digest.js';

/** A named reference. `domain` is '' only for names parsed without normalisation (`parseReference`) that have none. */
export interface Reference {
  domain: string;
  path: string;
  tag?: string;
  digest?: Digest;
}

/** A reference that is only a digest (`sha256:…`, or a bare 64-hex ID), as `parseAnyReference` may return. */
export interface DigestReference {
  digest: Digest;
}

export type AnyReference = Reference | DigestReference;

export const DEFAULT_DOMAIN = 'docker.io';
/** Docker Hub's legacy ("index") domain; normalised to DEFAULT_DOMAIN. */
export const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
export const OFFICIAL_REPO_PREFIX = 'library/';
export const DEFAULT_TAG = 'latest';
/** Maximum length of the path (remote name, without the domain). */
export const REPOSITORY_NAME_MAX_LENGTH = 255;

// The grammar, one piece at a time (distribution/reference regexp.go).
const alphanumeric = '[a-z0-9]+';
// One period, one or two underscores, or any number of dashes.
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
// IPv6 only in brackets, no zone identifiers.
const ipv6address = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainAndPort = `(?:${domainName}|${ipv6address})(?::[0-9]+)?`;
const namePat = `(?:${domainAndPort}/)?${remoteName}`;
const tagPat = '[\\w][\\w.-]{0,127}';
// Any algorithm-looking prefix and at least 128 bits of hex; parseDigest decides what is supported.
const digestPat = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}';

const REFERENCE_RE = new RegExp(`^(${namePat})(?::(${tagPat}))?(?:@(${digestPat}))?$`);
const NAME_RE = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
const TAG_RE = new RegExp(`^${tagPat}$`);
const DIGEST_RE = new RegExp(`^${digestPat}$`);
const IDENTIFIER_RE = /^[a-f0-9]{64}$/;

const invalid = (message: string) => new InvalidParameter(message);

function makeReference(domain: string, path: string, tag: string | undefined, digest: Digest | undefined): Reference {
  const ref: Reference = { domain, path };
  if (tag) ref.tag = tag;
  if (digest) ref.digest = digest;
  return ref;
}

/**
 * Parses a reference as written, without normalisation (distribution's `Parse`): `busybox` has no domain here,
 * `foo/bar` is read as domain `foo` + path `bar` (the grammar is greedy). Use this for names already stored in
 * canonical form; use `parseNormalizedReference` for anything a user typed.
 */
export function parseReference(s: string): Reference {
  if (s === '') throw invalid('repository name must have at least one component');
  const m = REFERENCE_RE.exec(s);
  if (!m) {
    const lower = s.toLowerCase();
    if (lower !== s && REFERENCE_RE.test(lower)) throw invalid('repository name must be lowercase');
    throw invalid('invalid reference format');
  }
  const name = m[1] ?? '';
  const nm = NAME_RE.exec(name);
  const domain = nm?.[1] ?? '';
  const path = nm ? (nm[2] ?? '') : name;
  if (path.length > REPOSITORY_NAME_MAX_LENGTH) {
    throw invalid(`repository name must not be more than ${REPOSITORY_NAME_MAX_LENGTH} characters`);
  }
  const digest = m[3] ? parseDigest(m[3]).digest : undefined;
  return makeReference(domain, path, m[2], digest);
}

/** Splits a familiar name into Docker Hub's domain and path (distribution's splitDockerDomain). */
function splitDockerDomain(name: string): [domain: string, remainder: string] {
  const slash = name.indexOf('/');
  // A single element is always a Hub official image: `localhost` and `example.com:5000` alone are names, not domains.
  if (slash < 0) return [DEFAULT_DOMAIN, OFFICIAL_REPO_PREFIX + name];
  const first = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  let domain: string;
  let remainder: string;
  if (first === 'localhost') [domain, remainder] = [first, rest];
  else if (first === LEGACY_DEFAULT_DOMAIN) [domain, remainder] = [DEFAULT_DOMAIN, rest];
  else if (/[.:]/.test(first)) [domain, remainder] = [first, rest];
  // Namespaces cannot contain uppercase, so an uppercase first element must be a host name.
  else if (first.toLowerCase() !== first) [domain, remainder] = [first, rest];
  else [domain, remainder] = [DEFAULT_DOMAIN, name];
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_REPO_PREFIX + remainder;
  return [domain, remainder];
}

/**
 * Parses what a user typed into a fully qualified reference (Docker's `ParseNormalizedNamed`):
 * `busybox` → docker.io/library/busybox, `user/repo:tag` → docker.io/user/repo:tag, `host:5000/a/b@sha256:…`.
 * No default tag is added (see `withDefaultTag`). Throws InvalidParameter with Docker's messages.
 */
export function parseNormalizedReference(s: string): Reference {
  if (IDENTIFIER_RE.test(s)) {
    throw invalid(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  }
  const [domain, remainder] = splitDockerDomain(s);
  // Docker cuts at the first ':' anywhere, so with a digest and no tag the "name" it reports ends in `@sha256`.
  const colon = remainder.indexOf(':');
  const remote = colon >= 0 ? remainder.slice(0, colon) : remainder;
  if (remote.toLowerCase() !== remote) {
    throw invalid(`invalid reference format: repository name (${remote}) must be lowercase`);
  }
  return parseReference(`${domain}/${remainder}`);
}

/**
 * Parses an image ID, a digest or a name (Docker's `ParseAnyReference`): a bare 64-hex string or a valid digest
 * becomes a digest-only reference; anything else goes through `parseNormalizedReference`.
 */
export function parseAnyReference(s: string): AnyReference {
  if (IDENTIFIER_RE.test(s)) return { digest: `sha256:${s}` };
  try {
    return { digest: parseDigest(s).digest };
  } catch {
    return parseNormalizedReference(s);
  }
}

/**
 * Like `parseNormalizedReference`, but the input must already be in canonical form
 * (`docker.io/library/busybox`, not `busybox`): distribution's `ParseNamed`.
 */
export function parseCanonicalReference(s: string): Reference {
  const ref = parseNormalizedReference(s);
  if (referenceString(ref) !== s) throw invalid('repository name must be canonical');
  return ref;
}

/**
 * Docker's `ParseDockerRef`: normalises, drops the tag when a digest is also given (the digest wins), and adds
 * `latest` when neither is given.
 */
export function parseDockerRef(s: string): Reference {
  const ref = parseNormalizedReference(s);
  if (ref.tag && ref.digest) return makeReference(ref.domain, ref.path, undefined, ref.digest);
  return withDefaultTag(ref);
}

export function isDigestOnly(ref: AnyReference): ref is DigestReference {
  return !('path' in ref);
}

/** True when the reference has neither tag nor digest. */
export function isNameOnly(ref: Reference): boolean {
  return ref.tag === undefined && ref.digest === undefined;
}

/** `domain/path` (the canonical repository name, e.g. `docker.io/library/busybox`). */
export function fullName(ref: Reference): string {
  return ref.domain ? `${ref.domain}/${ref.path}` : ref.path;
}

/** The canonical string: `docker.io/library/busybox:latest@sha256:…`, or just the digest for a digest reference. */
export function referenceString(ref: AnyReference): string {
  if (isDigestOnly(ref)) return ref.digest;
  return fullName(ref) + (ref.tag ? `:${ref.tag}` : '') + (ref.digest ? `@${ref.digest}` : '');
}

/**
 * The repository name as Docker shows it: without `docker.io/` and, for official images, without `library/`
 * (`docker.io/library/busybox` → `busybox`, `docker.io/user/app` → `user/app`). `library/a/b` keeps its prefix.
 */
export function familiarName(ref: Reference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return fullName(ref);
  if (ref.path.startsWith(OFFICIAL_REPO_PREFIX)) {
    const rest = ref.path.slice(OFFICIAL_REPO_PREFIX.length);
    if (!rest.includes('/')) return rest;
  }
  return ref.path;
}

/** The familiar name with its tag and digest (`busybox:latest`, `user/app@sha256:…`): what `docker images` prints. */
export function familiarString(ref: AnyReference): string {
  if (isDigestOnly(ref)) return ref.digest;
  return familiarName(ref) + (ref.tag ? `:${ref.tag}` : '') + (ref.digest ? `@${ref.digest}` : '');
}

/** Adds the `latest` tag when the reference has neither tag nor digest (distribution's `TagNameOnly`). */
export function withDefaultTag(ref: Reference): Reference {
  return isNameOnly(ref) ? makeReference(ref.domain, ref.path, DEFAULT_TAG, undefined) : ref;
}

/** Replaces the tag, keeping any digest. Throws InvalidParameter "invalid tag format". */
export function withTag(ref: Reference, tag: string): Reference {
  if (!TAG_RE.test(tag)) throw invalid('invalid tag format');
  return makeReference(ref.domain, ref.path, tag, ref.digest);
}

/** Replaces the digest, keeping any tag. Throws InvalidParameter "invalid digest format" or go-digest's message. */
export function withDigest(ref: Reference, digest: string): Reference {
  if (!DIGEST_RE.test(digest)) throw invalid('invalid digest format');
  return makeReference(ref.domain, ref.path, ref.tag, parseDigest(digest).digest);
}

/** The repository alone, without tag or digest. */
export function trimNamed(ref: Reference): Reference {
  return { domain: ref.domain, path: ref.path };
}

/** True for a valid tag (`[\w][\w.-]{0,127}`). */
export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

/**
 * The reference an Engine API pull names (`POST /images/create?fromImage=…&tag=…`), as dockerd builds it: a trailing
 * `:` on the image is ignored (old `pull -a` clients send it); `tag` may be a digest, which then replaces tag and
 * digest of the image; otherwise it replaces the tag. Without `tag` the image is returned as parsed, no default tag.
 */
export function parseRepositoryTag(fromImage: string, tag = ''): Reference {
  const image = fromImage.endsWith(':') ? fromImage.slice(0, -1) : fromImage;
  const ref = parseNormalizedReference(image);
  if (tag === '') return ref;
  let digest: Digest | undefined;
  try {
    digest = parseDigest(tag).digest;
  } catch {
    digest = undefined;
  }
  return digest ? withDigest(trimNamed(ref), digest) : withTag(ref, tag);
}

/**
 * The repository + tag of `docker tag`/`docker import`/`docker commit` (`repo` and `tag` form values, dockerd's
 * `RepoTagReference`): undefined when `repo` is empty; a digest is refused; the tag defaults to `latest`.
 */
export function repoTagReference(repo: string, tag = ''): Reference | undefined {
  if (repo === '') return undefined;
  const ref = parseNormalizedReference(repo);
  if (ref.digest) throw invalid('cannot import digest reference');
  return tag !== '' ? withTag(ref, tag) : withDefaultTag(ref);
}
