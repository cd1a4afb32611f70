// berth container prune / image prune / system prune: remove stopped containers and unused images after asking
// (unless -f), then print what went and the space reclaimed.
import type { FilterArgs, ParsedFlags } from '../args/index.js';
import type { Cli } from './cli.js';
import { humanSize } from './humanize.js';
import { confirm } from './prompt.js';
import { filterValues } from './ps.js';

const CONTAINERS_WARNING = 'WARNING! This will remove all stopped containers.\nAre you sure you want to continue?';
const DANGLING_WARNING = 'WARNING! This will remove all dangling images.\nAre you sure you want to continue?';
const ALL_IMAGES_WARNING =
  'WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue?';
const SYSTEM_WARNING = (all: boolean) =>
  `WARNING! This will remove:\n  - all stopped containers\n  - ${all ? 'all images without at least one container associated to them' : 'all dangling images'}\n\nAre you sure you want to continue?`;

async function pruneContainers(cli: Cli, filters: Record<string, string[]>): Promise<[number, string]> {
  const r = await cli.client().containers.prune(filters);
  const deleted = r.ContainersDeleted ?? [];
  if (deleted.length === 0) return [0, ''];
  return [r.SpaceReclaimed, `Deleted Containers:\n${deleted.map((id) => `${id}\n`).join('')}`];
}

async function pruneImages(cli: Cli, filters: Record<string, string[]>, all: boolean): Promise<[number, string]> {
  const r = await cli.client().images.prune({ ...filters, dangling: [String(!all)] });
  const deleted = r.ImagesDeleted ?? [];
  if (deleted.length === 0 && r.SpaceReclaimed === 0) return [0, ''];
  const lines = deleted.map((d) => ('Untagged' in d ? `untagged: ${d.Untagged}\n` : `deleted: ${d.Deleted}\n`));
  return [r.SpaceReclaimed, `Deleted Images:\n${lines.join('')}`];
}

export default async function prune(cli: Cli, flags: ParsedFlags): Promise<number> {
  const what = cli.spec.path.split(' ')[0]!;
  const all = flags.has('all') && flags.bool('all');
  const filters = filterValues(flags.get<FilterArgs>('filter'));
  const warning =
    what === 'container'
      ? CONTAINERS_WARNING
      : what === 'image'
        ? all
          ? ALL_IMAGES_WARNING
          : DANGLING_WARNING
        : SYSTEM_WARNING(all);
  if (!flags.bool('force') && !(await confirm(cli, warning))) return 0;
  let total = 0;
  const outputs: string[] = [];
  if (what !== 'image') {
    const [space, out] = await pruneContainers(cli, filters);
    total += space;
    if (out) outputs.push(out);
  }
  if (what !== 'container') {
    const [space, out] = await pruneImages(cli, filters, all);
    total += space;
    if (out) outputs.push(out);
  }
  for (const out of outputs) cli.out(`${out}\n`);
  cli.out(`Total reclaimed space: ${humanSize(total)}\n`);
  return 0;
}
