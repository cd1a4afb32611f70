// berth builder prune: forgets the build cache (the images only it kept, and the cache mounts), after asking
// unless -f, then prints what went and the space reclaimed.
import type { ParsedFlags } from '../args/index.js';
import type { Cli } from './cli.js';
import { humanSize } from './humanize.js';
import { confirm } from './prompt.js';

const WARNING = 'WARNING! This will remove all dangling build cache.\nAre you sure you want to continue?';
const ALL_WARNING = 'WARNING! This will remove all build cache.\nAre you sure you want to continue?';

export default async function builderPrune(cli: Cli, flags: ParsedFlags): Promise<number> {
  const all = flags.bool('all');
  if (!flags.bool('force') && !(await confirm(cli, all ? ALL_WARNING : WARNING))) return 0;
  const r = await cli.client().builds.prune({ all });
  const deleted = r.CachesDeleted ?? [];
  if (deleted.length > 0) cli.out(`Deleted build cache objects:\n${deleted.map((n) => `${n}\n`).join('')}\n`);
  cli.out(`Total reclaimed space: ${humanSize(r.SpaceReclaimed ?? 0)}\n`);
  return 0;
}
