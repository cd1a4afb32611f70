// `docker rmi` and `docker image prune` with dockerd's rules: removing a reference only untags unless it was the
// last one; removing by ID deletes; conflicts are hard (child images, running containers: never forced) or soft
// (other references, stopped containers: forced with -f); parents left dangling are pruned quietly.
import { Conflict, InvalidParameter, isConflict, NotFound } from '../../errdefs/index.js';
import { type Digest, shortId } from '../../lib/digest.js';
import { familiarString, parseNormalizedReference, type Reference, withDefaultTag } from '../reference.js';
import {
  type Filters,
  getBoolOrDefault,
  hasFilter,
  filterValues,
  matchKVList,
  parseUntil,
  validateFilters,
} from './filters.js';
import type { StoreOps } from './model.js';
import { timeMs } from './time.js';
import type { DeleteItem, PruneReport } from './wire.js';

export interface RemoveOptions {
  /** `docker rmi -f`: override soft conflicts (other references, stopped containers). */
  force?: boolean;
  /** Delete untagged parents too (the API's default; `--no-prune` turns it off). */
  prune?: boolean;
}

export interface RemoveResult {
  items: DeleteItem[];
  /** Chain IDs no remaining image uses, top first: the layers the caller may now release. */
  unusedChainIds: Digest[];
}

/** Soft conflicts are overridden by force; hard ones never. `used` marks conflicts caused by a container. */
class DeleteConflict extends Conflict {
  constructor(
    id: Digest,
    readonly hard: boolean,
    readonly used: boolean,
    detail: string,
  ) {
    super(`conflict: unable to delete ${shortId(id)} (${hard ? 'cannot be forced' : 'must be forced'}) - ${detail}`);
  }
}

const CHILD = 1;
const RUNNING = 2;
const REFERENCE = 4;
const STOPPED = 8;
const HARD = CHILD | RUNNING;
const SOFT = REFERENCE | STOPPED;

async function checkConflict(ops: StoreOps, id: Digest, mask: number): Promise<DeleteConflict | undefined> {
  if (mask & CHILD && ops.children(id).length > 0) {
    return new DeleteConflict(id, true, false, 'image has dependent child images');
  }
  const users = mask & (RUNNING | STOPPED) ? await ops.containersUsing(id) : [];
  const running = users.find((u) => u.running);
  if (mask & RUNNING && running) {
    return new DeleteConflict(id, true, true, `image is being used by running container ${shortId(running.id)}`);
  }
  if (mask & REFERENCE && ops.references(id).length > 0) {
    return new DeleteConflict(id, false, false, 'image is referenced in multiple repositories');
  }
  const stopped = users.find((u) => !u.running);
  if (mask & STOPPED && stopped) {
    return new DeleteConflict(id, false, true, `image is being used by stopped container ${shortId(stopped.id)}`);
  }
  return undefined;
}

/** All references are in one repository, with at most one tag (and any number of digests). False when none. */
function isSingleReference(refs: readonly Reference[]): boolean {
  if (refs.length <= 1) return refs.length === 1;
  const name = (r: Reference) => `${r.domain}/${r.path}`;
  let single: Reference | undefined;
  const digestRepos = new Set<string>();
  for (const r of refs) {
    if (r.digest) digestRepos.add(name(r));
    else if (single === undefined) single = r;
    else return false;
  }
  const chosen = single ?? refs[0]!;
  return digestRepos.size === 1 && digestRepos.has(name(chosen));
}

/** True when the user named the image by (a prefix of) its ID rather than by a reference. */
function isImageIdPrefix(id: Digest, s: string): boolean {
  if (!/^(?:sha256:)?[0-9a-f]+$/.test(s)) return false;
  return id.startsWith(s) || id.slice('sha256:'.length).startsWith(s);
}

const isDangling = (ops: StoreOps, id: Digest) => ops.references(id).length === 0 && ops.children(id).length === 0;

/** Docker's ImageDelete. The caller holds the store's lock. */
export async function removeImage(ops: StoreOps, refOrId: string, opts: RemoveOptions = {}): Promise<RemoveResult> {
  const force = opts.force ?? false;
  const prune = opts.prune ?? true;
  const img = ops.resolve(refOrId);
  const id = img.id;
  const items: DeleteItem[] = [];
  const unused: Digest[] = [];
  let refs = ops.references(id);
  let quiet = false;

  if (!isImageIdPrefix(id, refOrId)) {
    // A reference was given: it goes first. If it is the image's only name and a container uses the image, the
    // image would be left dangling under the container, so that needs force.
    if (!force && isSingleReference(refs)) {
      const user = (await ops.containersUsing(id))[0];
      if (user) {
        throw new Conflict(
          `conflict: unable to remove repository reference ${JSON.stringify(refOrId)} (must force) - container ${shortId(user.id)} is using its referenced image ${shortId(id)}`,
        );
      }
    }
    const parsed = parseNormalizedReference(refOrId);
    const removed = parsed.digest ? parsed : withDefaultTag(parsed);
    if (!(await ops.deleteReference(removed))) throw new NotFound('reference does not exist');
    items.push({ Untagged: familiarString(removed) });
    refs = ops.references(id);
    // Untagging the last tag of a repository also drops that repository's digest references.
    if (!removed.digest) {
      const sameRepo = (r: Reference) => r.domain === removed.domain && r.path === removed.path;
      if (!refs.some((r) => !r.digest && sameRepo(r))) {
        for (const r of refs.filter((x) => x.digest && sameRepo(x))) {
          await ops.deleteReference(r);
          items.push({ Untagged: familiarString(r) });
        }
        refs = ops.references(id);
      }
    }
    if (refs.length > 0) return { items, unusedChainIds: [] };
    quiet = true;
  } else if (isSingleReference(refs)) {
    // By ID, with only one repository's names: those names go too, unless something harder stands in the way.
    const conflict = await checkConflict(ops, id, HARD | (force ? 0 : SOFT & ~REFERENCE));
    if (conflict) throw conflict;
    for (const r of refs) {
      await ops.deleteReference(r);
      items.push({ Untagged: familiarString(r) });
    }
  }
  await deleteHelper(ops, id, items, unused, force, prune, quiet);
  return { items, unusedChainIds: unused };
}

async function deleteHelper(
  ops: StoreOps,
  id: Digest,
  items: DeleteItem[],
  unused: Digest[],
  force: boolean,
  prune: boolean,
  quiet: boolean,
): Promise<void> {
  const conflict = await checkConflict(ops, id, HARD | (force ? 0 : SOFT));
  if (conflict) {
    // Quietly keep images that are still named or used; a dangling unused one is worth telling about.
    if (quiet && (!isDangling(ops, id) || conflict.used)) return;
    throw conflict;
  }
  const parent = ops.image(id)?.parent;
  for (const r of ops.references(id)) {
    await ops.deleteReference(r);
    items.push({ Untagged: familiarString(r) });
  }
  unused.push(...(await ops.deleteImage(id)));
  items.push({ Deleted: id });
  if (!prune || !parent || !ops.image(parent)) return;
  await deleteHelper(ops, parent, items, unused, false, true, true);
}

export interface PruneOptions {
  /** dangling, label, label!, until (Docker's accepted set). `dangling=false` prunes every unused image. */
  filters?: Filters;
  now?: Date;
}

export interface PruneResult extends PruneReport {
  unusedChainIds: Digest[];
}

const PRUNE_FILTERS = ['dangling', 'label', 'label!', 'until'];

/** Docker's ImagePrune. SpaceReclaimed is the diff size of the layers no image uses any more. */
export async function pruneImages(ops: StoreOps, opts: PruneOptions = {}): Promise<PruneResult> {
  const filters = opts.filters ?? {};
  validateFilters(filters, PRUNE_FILTERS);
  const danglingOnly = getBoolOrDefault(filters, 'dangling', true);
  const untilValues = filterValues(filters, 'until');
  if (untilValues.length > 1) throw new InvalidParameter('more than one until filter specified');
  const until = untilValues[0] === undefined ? undefined : parseUntil(untilValues[0], opts.now ?? new Date());

  const candidates: Digest[] = [];
  for (const img of ops.images()) {
    const hasChildren = ops.children(img.id).length > 0;
    if (danglingOnly && hasChildren) continue;
    if (ops.references(img.id).length === 0 && hasChildren) continue; // an intermediate image
    if (until !== undefined) {
      const created = timeMs(img.config.created);
      if (created === undefined || created > until) continue;
    }
    const labels = img.config.config?.Labels ?? undefined;
    if (!matchKVList(filters, 'label', labels)) continue;
    if (hasFilter(filters, 'label!') && filterValues(filters, 'label!').length > 0) {
      if (matchKVList(filters, 'label!', labels)) continue;
    }
    candidates.push(img.id);
  }

  const deleted: DeleteItem[] = [];
  const unused: Digest[] = [];
  const attempt = async (name: string) => {
    try {
      const r = await removeImage(ops, name, { prune: true });
      deleted.push(...r.items);
      unused.push(...r.unusedChainIds);
    } catch (e) {
      // In use, still named elsewhere, already gone with a parent: not prunable, not an error.
      if (!isConflict(e) && !(e instanceof NotFound)) throw e;
    }
  };
  for (const id of candidates) {
    if (!ops.image(id)) continue; // removed above as someone's parent
    const refs = ops.references(id);
    if (refs.length === 0) {
      await attempt(id.slice('sha256:'.length));
    } else if (!danglingOnly || !refs.some((r) => r.tag !== undefined && !r.digest)) {
      for (const r of refs) await attempt(familiarString(r));
    }
  }
  let reclaimed = 0;
  for (const c of unused) reclaimed += await ops.layers.size(c).catch(() => 0);
  return { ImagesDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: reclaimed, unusedChainIds: unused };
}
