// The repository references (Docker's `repositories.json`): tags and digests naming image IDs, in one JSON file that
// is loaded on open and rewritten atomically on every change. Keys are Docker's: the familiar name, then the familiar
// reference (`{"Repositories":{"busybox":{"busybox:latest":"sha256:…"}}}`), so Docker's file reads as-is.
import { Conflict, InvalidParameter } from '../../errdefs/index.js';
import { writeJsonAtomic } from '../../lib/atomic-file.js';
import { type Digest, isDigest } from '../../lib/digest.js';
import {
  familiarName,
  familiarString,
  parseNormalizedReference,
  type Reference,
  referenceString,
  trimNamed,
  withDefaultTag,
} from '../reference.js';

interface RepositoriesFile {
  Repositories?: Record<string, Record<string, string>>;
}

interface Entry {
  ref: Reference;
  id: Digest;
}

/** A reference as stored: a digest wins over a tag (distribution's favorDigest); a bare name means `:latest`. */
export function storedForm(ref: Reference): Reference {
  if (ref.digest) return { ...trimNamed(ref), digest: ref.digest };
  return withDefaultTag(ref);
}

const byCanonical = (a: Reference, b: Reference) => {
  const x = referenceString(a);
  const y = referenceString(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

export class ReferenceStore {
  /** Keyed by the familiar string of the stored form. */
  private readonly entries = new Map<string, Entry>();
  private writing: Promise<void> = Promise.resolve();

  private constructor(readonly path: string) {}

  /**
   * Loads `path` (a missing file is an empty store). Entries that do not parse, or whose image `keep` rejects, are
   * dropped and the file rewritten; `dropped` lists their keys.
   */
  static async open(
    path: string,
    file: unknown,
    keep: (id: Digest) => boolean,
  ): Promise<{ store: ReferenceStore; dropped: string[] }> {
    const store = new ReferenceStore(path);
    const dropped: string[] = [];
    const repos = (file as RepositoriesFile | undefined)?.Repositories ?? {};
    for (const repo of Object.values(repos)) {
      for (const [key, id] of Object.entries(repo ?? {})) {
        let ref: Reference | undefined;
        try {
          ref = storedForm(parseNormalizedReference(key));
        } catch {
          ref = undefined;
        }
        if (!ref || !isDigest(id) || !keep(id)) {
          dropped.push(key);
          continue;
        }
        store.entries.set(familiarString(ref), { ref, id });
      }
    }
    if (dropped.length > 0 || file === undefined) await store.save();
    return { store, dropped };
  }

  /** The image a reference names (`name` alone means `name:latest`; `name:tag@digest` looks up the digest). */
  get(ref: Reference): Digest | undefined {
    return this.entries.get(familiarString(storedForm(ref)))?.id;
  }

  /** Every reference to an image, sorted by canonical string as Docker does. */
  references(id: Digest): Reference[] {
    const refs: Reference[] = [];
    for (const e of this.entries.values()) if (e.id === id) refs.push(e.ref);
    return refs.sort(byCanonical);
  }

  /** Every reference in the repository `ref` names, with its image. */
  referencesByName(ref: Reference): Entry[] {
    const name = familiarName(ref);
    return [...this.entries.values()]
      .filter((e) => familiarName(e.ref) === name)
      .sort((a, b) => byCanonical(a.ref, b.ref));
  }

  /** All (reference, image) pairs. */
  all(): Entry[] {
    return [...this.entries.values()];
  }

  /**
   * Points a tag at an image, moving it if it named another (`docker tag` always forces). Returns the image the tag
   * named before, if any. InvalidParameter for a reference carrying a digest, with Docker's messages.
   */
  async addTag(ref: Reference, id: Digest): Promise<Digest | undefined> {
    if (ref.digest) throw new InvalidParameter('refusing to create a tag with a digest reference');
    const stored = storedForm(ref);
    checkNotAmbiguous(stored);
    const key = familiarString(stored);
    const previous = this.entries.get(key)?.id;
    this.entries.set(key, { ref: stored, id });
    await this.save();
    return previous;
  }

  /**
   * Records `name@digest` (a manifest digest) for an image, as pull does. A digest already naming this image is
   * kept; one naming another image is a Conflict ("Cannot overwrite digest …") since digests never move.
   */
  async addDigest(ref: Reference, id: Digest): Promise<void> {
    if (!ref.digest) throw new InvalidParameter('reference has no digest');
    const stored = storedForm(ref);
    checkNotAmbiguous(stored);
    const key = familiarString(stored);
    const existing = this.entries.get(key);
    if (existing) {
      if (existing.id === id) return;
      throw new Conflict(`Cannot overwrite digest ${ref.digest}`);
    }
    this.entries.set(key, { ref: stored, id });
    await this.save();
  }

  /** Removes a reference; returns the image it named, or undefined when there was no such reference. */
  async delete(ref: Reference): Promise<Digest | undefined> {
    const key = familiarString(storedForm(ref));
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    await this.save();
    return entry.id;
  }

  /** Writes the current state; writes are chained so the file always ends up holding the latest state. */
  private save(): Promise<void> {
    const next = this.writing.then(() => writeJsonAtomic(this.path, this.toJSON(), { mode: 0o600 }));
    this.writing = next.catch(() => {});
    return next;
  }

  private toJSON(): RepositoriesFile {
    const repos: Record<string, Record<string, string>> = {};
    for (const [key, e] of this.entries) {
      const name = familiarName(e.ref);
      const repo = repos[name] ?? {};
      repo[key] = e.id;
      repos[name] = repo;
    }
    return { Repositories: repos };
  }
}

function checkNotAmbiguous(ref: Reference): void {
  if (familiarName(ref) === 'sha256') {
    throw new InvalidParameter('refusing to create an ambiguous tag using digest algorithm as name');
  }
}
