// formatter's imageContext: one row per (repository, tag[, digest]) of each image, as `berth images` shows them;
// dangling images are one <none>:<none> row.
import type { ImageSummary } from '../../api/images.js';
import { FormatContext } from './format-context.js';
import { goTime, humanSize, timeAgo, truncateId } from './humanize.js';
import { familiarName, parseNormalizedNamed } from './reference.js';

export const IMAGE_HEADERS: Record<string, string> = {
  ID: 'IMAGE ID',
  Repository: 'REPOSITORY',
  Tag: 'TAG',
  Digest: 'DIGEST',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  Size: 'SIZE',
  Containers: 'CONTAINERS',
  VirtualSize: 'VIRTUAL SIZE',
  SharedSize: 'SHARED SIZE',
  UniqueSize: 'UNIQUE SIZE',
};

export class ImageContext extends FormatContext {
  readonly #i: ImageSummary;
  readonly #trunc: boolean;
  readonly #repo: string;
  readonly #tag: string;
  readonly #digest: string;

  constructor(i: ImageSummary, trunc: boolean, repo: string, tag: string, digest: string) {
    super();
    this.#i = i;
    this.#trunc = trunc;
    this.#repo = repo;
    this.#tag = tag;
    this.#digest = digest;
  }

  get [Symbol.toStringTag](): string {
    return '*formatter.imageContext';
  }

  ID(): string {
    return this.#trunc ? truncateId(this.#i.Id) : this.#i.Id;
  }
  Repository(): string {
    return this.#repo;
  }
  Tag(): string {
    return this.#tag;
  }
  Digest(): string {
    return this.#digest;
  }
  CreatedSince(): string {
    return timeAgo(this.#i.Created);
  }
  CreatedAt(): string {
    return goTime(this.#i.Created);
  }
  Size(): string {
    return humanSize(this.#i.Size, 3);
  }
  Containers(): string {
    return this.#i.Containers === -1 ? 'N/A' : String(this.#i.Containers);
  }
  VirtualSize(): string {
    return humanSize(this.#i.VirtualSize ?? this.#i.Size);
  }
  SharedSize(): string {
    return this.#i.SharedSize === -1 ? 'N/A' : humanSize(this.#i.SharedSize);
  }
  UniqueSize(): string {
    return this.#i.Size === -1 || this.#i.SharedSize === -1 ? 'N/A' : humanSize(this.#i.Size - this.#i.SharedSize);
  }
}

function isDangling(img: ImageSummary): boolean {
  const tags = img.RepoTags ?? [];
  const digests = img.RepoDigests ?? [];
  if (tags.length === 0 && digests.length === 0) return true;
  return tags.length === 1 && tags[0] === '<none>:<none>' && digests.length === 1 && digests[0] === '<none>@<none>';
}

/** imageFormat: the rows of one image. */
export function imageRows(img: ImageSummary, trunc: boolean, showDigests: boolean): ImageContext[] {
  if (isDangling(img)) return [new ImageContext(img, trunc, '<none>', '<none>', '<none>')];
  const repoTags = new Map<string, string[]>();
  const repoDigests = new Map<string, string[]>();
  for (const s of img.RepoTags ?? []) {
    const ref = parseNormalizedNamed(s);
    if (ref?.tag === undefined) continue;
    const name = familiarName(ref.name);
    repoTags.set(name, [...(repoTags.get(name) ?? []), ref.tag]);
  }
  for (const s of img.RepoDigests ?? []) {
    const ref = parseNormalizedNamed(s);
    if (!ref?.digest) continue;
    const name = familiarName(ref.name);
    repoDigests.set(name, [...(repoDigests.get(name) ?? []), ref.digest]);
  }
  const rows: ImageContext[] = [];
  const add = (repo: string, tag: string, digest: string) => rows.push(new ImageContext(img, trunc, repo, tag, digest));
  for (const [repo, tags] of repoTags) {
    const digests = showDigests ? (repoDigests.get(repo) ?? []) : [];
    repoDigests.delete(repo);
    for (const tag of tags) {
      if (digests.length === 0) add(repo, tag, '<none>');
      for (const d of digests) add(repo, tag, d);
    }
  }
  for (const [repo, digests] of repoDigests) {
    if (showDigests) for (const d of digests) add(repo, '<none>', d);
    else add(repo, '<none>', '');
  }
  return rows;
}
