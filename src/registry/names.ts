// Repository names, tags and references as the distribution spec defines them; a name that passes is safe to use
// as a relative path (no `..`, no empty component, no leading underscore that could collide with `_manifests`).
import { isDigest, type Digest } from '../lib/digest.js';
import { RegistryError } from './errors.js';

const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
export const NAME_PATTERN = `${COMPONENT}(?:/${COMPONENT})*`;
const NAME = new RegExp(`^${NAME_PATTERN}$`);
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const MAX_NAME = 255;

export function validateName(name: string): string {
  if (name.length > MAX_NAME || !NAME.test(name)) throw new RegistryError('NAME_INVALID', { name });
  return name;
}

export const isTag = (s: string): boolean => TAG.test(s);

/** A manifest reference: a digest or a tag. */
export type Reference = { digest: Digest; tag?: undefined } | { tag: string; digest?: undefined };

export function parseReference(ref: string): Reference {
  if (ref.includes(':')) {
    if (!isDigest(ref)) throw new RegistryError('DIGEST_INVALID', { digest: ref }, 'invalid digest');
    return { digest: ref };
  }
  if (!isTag(ref)) throw new RegistryError('MANIFEST_INVALID', { tag: ref }, 'invalid tag');
  return { tag: ref };
}

/** Parses a digest from a URL, failing with the spec's DIGEST_INVALID. */
export function digestParam(s: string | null | undefined): Digest {
  if (!s || !isDigest(s)) throw new RegistryError('DIGEST_INVALID', { digest: s ?? '' }, 'invalid digest');
  return s;
}

/** The project of a repository: its first path component (Harbor's model). */
export const projectOf = (name: string): string => name.split('/', 1)[0] ?? name;
