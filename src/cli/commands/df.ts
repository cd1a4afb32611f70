// berth system df: disk used by images, containers, volumes and the build cache, and how much of it is reclaimable.
import type { Volume } from '../../api/volumes.js';
import { VOLUME_HEADERS, VolumeContext } from './volume-context.js';
import type { ParsedFlags } from '../args/index.js';
import { renderFormat } from '../template/index.js';
import type { Cli } from './cli.js';
import { FormatContext, headers } from './format-context.js';
import { humanSize } from './humanize.js';
import { CONTAINER_HEADERS, ContainerContext } from './container-context.js';
import { IMAGE_HEADERS, ImageContext } from './image-context.js';
import { familiarName, parseNormalizedNamed } from './reference.js';
import type { DiskUsage } from '../../client/index.js';

const DEFAULT_TABLE = 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}';
const HEADERS = { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' };

const withPercent = (reclaimable: number, total: number) =>
  total > 0 ? `${humanSize(reclaimable)} (${Math.trunc((reclaimable * 100) / total)}%)` : humanSize(reclaimable);

class UsageRow extends FormatContext {
  constructor(readonly row: { type: string; total: number; active: number; size: number; reclaimable: string }) {
    super();
  }
  get [Symbol.toStringTag](): string {
    return '*formatter.diskUsageContext';
  }
  Type(): string {
    return this.row.type;
  }
  TotalCount(): string {
    return String(this.row.total);
  }
  Active(): string {
    return String(this.row.active);
  }
  Size(): string {
    return humanSize(this.row.size);
  }
  Reclaimable(): string {
    return this.row.reclaimable;
  }
}

export default async function df(cli: Cli, flags: ParsedFlags): Promise<number> {
  const du = await cli.client().df();
  const images = du.Images ?? [];
  const containers = du.Containers ?? [];
  const volumes = (du.Volumes ?? []) as { UsageData?: { Size: number; RefCount: number } }[];
  const cache = (du.BuildCache ?? []) as { Size: number; InUse: boolean; Shared: boolean }[];

  const imagesUsed = images
    .filter((i) => i.Containers !== 0 && i.Size !== -1 && i.SharedSize !== -1)
    .reduce((n, i) => n + i.Size - i.SharedSize, 0);
  const active = (s: string) => /running|paused|restarting/.test(s);
  const ctrSize = containers.reduce((n, c) => n + (c.SizeRw ?? 0), 0);
  const ctrFree = containers.filter((c) => !active(c.State)).reduce((n, c) => n + (c.SizeRw ?? 0), 0);
  const volSize = volumes.reduce((n, v) => n + Math.max(v.UsageData?.Size ?? 0, 0), 0);
  const volFree = volumes
    .filter((v) => v.UsageData?.RefCount === 0)
    .reduce((n, v) => n + Math.max(v.UsageData?.Size ?? 0, 0), 0);
  const cacheSize = cache.reduce((n, c) => n + c.Size, 0);
  const cacheFree = cache.filter((c) => !c.InUse && !c.Shared).reduce((n, c) => n + c.Size, 0);
  const rows = [
    new UsageRow({
      type: 'Images',
      total: images.length,
      active: images.filter((i) => i.Containers > 0).length,
      size: du.LayersSize,
      reclaimable: withPercent(du.LayersSize - imagesUsed, du.LayersSize),
    }),
    new UsageRow({
      type: 'Containers',
      total: containers.length,
      active: containers.filter((c) => active(c.State)).length,
      size: ctrSize,
      reclaimable: withPercent(ctrFree, ctrSize),
    }),
    new UsageRow({
      type: 'Local Volumes',
      total: volumes.length,
      active: volumes.filter((v) => (v.UsageData?.RefCount ?? 0) > 0).length,
      size: volSize,
      reclaimable: withPercent(volFree, volSize),
    }),
    new UsageRow({
      type: 'Build Cache',
      total: cache.length,
      active: cache.filter((c) => c.InUse).length,
      size: cacheSize,
      reclaimable: humanSize(cacheFree),
    }),
  ];
  const format = flags.string('format') || 'table';
  if (flags.bool('verbose') && format === 'table') {
    cli.out(verbose(du, volumes, cache));
    return 0;
  }
  cli.out(renderFormat(format === 'table' ? DEFAULT_TABLE : format, rows, headers(HEADERS)));
  return 0;
}

const VERBOSE_IMAGES =
  'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}';
const VERBOSE_CONTAINERS =
  'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}';

const VERBOSE_VOLUMES = 'table {{.Name}}\t{{.Links}}\t{{.Size}}';

/** `system df -v`: images, containers, volumes and build cache, one table each. */
function verbose(du: DiskUsage, volumes: unknown[], cache: unknown[]): string {
  const images = (du.Images ?? []).map((i) => {
    const ref =
      (i.RepoTags ?? []).length > 0 && i.RepoTags[0] !== '<none>:<none>'
        ? parseNormalizedNamed(i.RepoTags[0]!)
        : undefined;
    return new ImageContext(i, true, ref ? familiarName(ref.name) : '<none>', ref?.tag ?? '<none>', '');
  });
  const containers = (du.Containers ?? []).map((c) => new ContainerContext({ ...c, SizeRootFs: 0 }, true));
  let out = `Images space usage:\n\n${renderFormat(VERBOSE_IMAGES, images, headers(IMAGE_HEADERS))}`;
  out += `\nContainers space usage:\n\n${renderFormat(VERBOSE_CONTAINERS, containers, headers(CONTAINER_HEADERS))}`;
  const vols = (volumes as Volume[]).map((v) => new VolumeContext(v));
  out += `\nLocal Volumes space usage:\n\n${renderFormat(VERBOSE_VOLUMES, vols, headers(VOLUME_HEADERS))}`;
  const cacheSize = (cache as { Size: number }[]).reduce((n, c) => n + c.Size, 0);
  out += `\nBuild cache usage: ${humanSize(cacheSize)}\n\nCACHE ID   CACHE TYPE   SIZE      CREATED   LAST USED   USAGE     SHARED\n`;
  return out;
}
