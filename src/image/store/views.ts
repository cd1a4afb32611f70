// The read side of the image API: `GET /images/json` (list + filters), `/images/{name}/json` (inspect) and
// `/images/{name}/history`, built from the store the way dockerd's image service builds them.
import { System } from '../../errdefs/index.js';
import type { Digest } from '../../lib/digest.js';
import { familiarString, type Reference } from '../reference.js';
import type { ContainerConfig, ImageConfig } from '../types.js';
import {
  familiarMatch,
  type Filters,
  filterValues,
  getBoolOrDefault,
  hasFilter,
  matchKVList,
  validateFilters,
} from './filters.js';
import type { LayerRefs } from './layer-refs.js';
import type { ImageRecord, StoreView } from './model.js';
import { formatRfc3339Nano, timeMs, unixSeconds, ZERO_TIME } from './time.js';
import type { HistoryItem, ImageInspect, ImageSummary, InspectContainerConfig } from './wire.js';

export interface ListOptions {
  /** Show intermediate images too (images with children and no reference), as `docker images -a`. */
  all?: boolean;
  filters?: Filters;
}

const LIST_FILTERS = ['dangling', 'label', 'before', 'since', 'reference'];

/** Size of an image: the sum of its layers' diff sizes. */
export async function imageSize(layers: LayerRefs, chainIds: readonly Digest[]): Promise<number> {
  const sizes = await Promise.all(chainIds.map((c) => layers.size(c)));
  return sizes.reduce((a, b) => a + b, 0);
}

const isTagged = (r: Reference) => r.tag !== undefined && r.digest === undefined;
const isDigested = (r: Reference) => r.digest !== undefined;

export function repoTags(refs: readonly Reference[]): string[] {
  return refs.filter(isTagged).map(familiarString);
}

export function repoDigests(refs: readonly Reference[]): string[] {
  return refs.filter(isDigested).map(familiarString);
}

/** `GET /images/json`: newest first. Throws InvalidParameter for bad filters, NotFound for before/since images. */
export async function listImages(view: StoreView, opts: ListOptions = {}): Promise<ImageSummary[]> {
  const filters = opts.filters ?? {};
  validateFilters(filters, LIST_FILTERS);
  const danglingFilter = hasFilter(filters, 'dangling');
  const danglingOnly = getBoolOrDefault(filters, 'dangling', false);
  // Several before= values mean the oldest; several since= the newest (the values are ANDed).
  let before: number | undefined;
  for (const v of filterValues(filters, 'before')) {
    const t = timeMs(view.resolve(v).config.created) ?? 0;
    before = before === undefined ? t : Math.min(before, t);
  }
  let since: number | undefined;
  for (const v of filterValues(filters, 'since')) {
    const t = timeMs(view.resolve(v).config.created) ?? 0;
    since = since === undefined ? t : Math.max(since, t);
  }
  const patterns = filterValues(filters, 'reference');
  const byReference = hasFilter(filters, 'reference');

  const out: { summary: ImageSummary; created: number }[] = [];
  for (const img of view.images()) {
    const children = view.children(img.id).length;
    if (danglingOnly && children > 0) continue; // Docker lists only the heads then
    const created = timeMs(img.config.created) ?? 0;
    if (before !== undefined && !(created < before)) continue;
    if (since !== undefined && !(created > since)) continue;
    if (hasFilter(filters, 'label') && !matchKVList(filters, 'label', img.config.config?.Labels ?? undefined)) continue;
    const top = img.chainIds.at(-1);
    // A layer gone between listing and sizing: skip the image rather than fail the list, as Docker does.
    if (top !== undefined && !(await view.layers.has(top))) continue;

    const refs = view.references(img.id).filter((r) => !byReference || patterns.some((p) => familiarMatch(p, r)));
    const tags = repoTags(refs);
    const digests = repoDigests(refs);
    if (tags.length === 0 && digests.length === 0) {
      if (!(opts.all || children === 0)) continue; // an intermediate image
      if (danglingFilter && !danglingOnly) continue;
      if (byReference) continue;
    } else if (danglingOnly && tags.length > 0) {
      continue;
    }
    const size = await imageSize(view.layers, img.chainIds);
    out.push({
      created,
      summary: {
        Id: img.id,
        ParentId: img.parent ?? '',
        RepoTags: tags,
        RepoDigests: digests,
        Created: unixSeconds(img.config.created),
        Size: size,
        SharedSize: -1,
        VirtualSize: size,
        Labels: img.config.config?.Labels ?? null,
        Containers: -1,
      },
    });
  }
  return out.sort((a, b) => b.created - a.created).map((x) => x.summary);
}

/** Docker's container.Config JSON for an image config's `config`/`container_config`. */
export function inspectConfig(c: ContainerConfig | undefined): InspectContainerConfig {
  const src = c ?? {};
  const out: InspectContainerConfig = {
    Hostname: src.Hostname ?? '',
    Domainname: src.Domainname ?? '',
    User: src.User ?? '',
    AttachStdin: src.AttachStdin ?? false,
    AttachStdout: src.AttachStdout ?? false,
    AttachStderr: src.AttachStderr ?? false,
    ExposedPorts: undefined,
    Tty: src.Tty ?? false,
    OpenStdin: src.OpenStdin ?? false,
    StdinOnce: src.StdinOnce ?? false,
    Env: src.Env ?? null,
    Cmd: src.Cmd ?? null,
    Healthcheck: src.Healthcheck,
    ArgsEscaped: src.ArgsEscaped || undefined,
    Image: src.Image ?? '',
    Volumes: src.Volumes ?? null,
    WorkingDir: src.WorkingDir ?? '',
    Entrypoint: src.Entrypoint ?? null,
    NetworkDisabled: src.NetworkDisabled || undefined,
    MacAddress: src.MacAddress || undefined,
    OnBuild: src.OnBuild ?? null,
    Labels: src.Labels ?? null,
    StopSignal: src.StopSignal || undefined,
    StopTimeout: src.StopTimeout ?? undefined,
    Shell: src.Shell && src.Shell.length > 0 ? src.Shell : undefined,
  };
  if (src.ExposedPorts && Object.keys(src.ExposedPorts).length > 0) out.ExposedPorts = src.ExposedPorts;
  // Go's omitempty: leave the optional fields out entirely rather than as `undefined` keys.
  for (const k of Object.keys(out) as (keyof InspectContainerConfig)[]) if (out[k] === undefined) delete out[k];
  return out;
}

/** The OS an image is for; Docker assumes the host's ("linux") when the config does not say. */
const operatingSystem = (config: ImageConfig) => config.os || 'linux';

/** `GET /images/{name}/json` for an image (GraphDriver left to the caller). */
export async function inspectImage(view: StoreView, img: ImageRecord): Promise<ImageInspect> {
  const { config } = img;
  const refs = view.references(img.id);
  const size = await imageSize(view.layers, img.chainIds);
  // Docker shows the last history entry's comment when the config has none (e.g. `docker import -m`).
  const comment = config.comment || config.history?.at(-1)?.comment || '';
  const out: ImageInspect = {
    Id: img.id,
    RepoTags: repoTags(refs),
    RepoDigests: repoDigests(refs),
    Parent: img.parent ?? '',
    Comment: comment,
    Created: formatRfc3339Nano(config.created),
    Container: config.container ?? '',
    ContainerConfig: inspectConfig(config.container_config),
    DockerVersion: config.docker_version ?? '',
    Author: config.author ?? '',
    Config: config.config ? inspectConfig(config.config) : null,
    Architecture: config.architecture ?? '',
    Variant: config.variant || undefined,
    Os: operatingSystem(config),
    OsVersion: config['os.version'] || undefined,
    Size: size,
    VirtualSize: size,
    RootFS: { Type: config.rootfs.type },
    Metadata: { LastTagTime: formatRfc3339Nano(img.lastTagTime) ?? ZERO_TIME },
  };
  if (config.rootfs.diff_ids.length > 0) out.RootFS.Layers = [...config.rootfs.diff_ids];
  for (const k of ['Created', 'Variant', 'OsVersion'] as const) if (out[k] === undefined) delete out[k];
  return out;
}

/**
 * `GET /images/{name}/history`: one entry per config history entry, newest first. Entries are given the IDs of the
 * image and then of its local parents (images committed/built here); the rest are `<missing>`, as in Docker.
 */
export async function imageHistory(view: StoreView, img: ImageRecord): Promise<HistoryItem[]> {
  const items: HistoryItem[] = [];
  let layer = 0;
  for (const h of img.config.history ?? []) {
    let size = 0;
    if (!h.empty_layer) {
      const chainId = img.chainIds[layer];
      // parseImageConfig guarantees no more non-empty entries than layers; keep Docker's message should that change.
      if (chainId === undefined) throw new System('too many non-empty layers in History section');
      size = await view.layers.size(chainId);
      layer++;
    }
    items.unshift({
      Id: '<missing>',
      Created: unixSeconds(h.created),
      CreatedBy: h.created_by ?? '',
      Tags: null,
      Size: size,
      Comment: h.comment ?? '',
    });
  }
  let current: ImageRecord | undefined = img;
  for (const item of items) {
    if (!current) break;
    item.Id = current.id;
    const tags = repoTags(view.references(current.id));
    item.Tags = tags.length > 0 ? tags : null;
    current = current.parent ? view.image(current.parent) : undefined;
  }
  return items;
}
