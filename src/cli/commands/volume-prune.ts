// berth volume prune: removes volumes no container uses (anonymous ones, or all with -a), after asking (unless -f),
// then lists them and the space reclaimed.
import type { FilterArgs, ParsedFlags } from '../args/index.js';
import type { Cli } from './cli.js';
import { humanSize } from './humanize.js';
import { confirm } from './prompt.js';
import { filterValues } from './ps.js';

const WARNING =
  'WARNING! This will remove anonymous local volumes not used by at least one container.\nAre you sure you want to continue?';
const ALL_WARNING =
  'WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue?';

export default async function volumePrune(cli: Cli, flags: ParsedFlags): Promise<number> {
  const all = flags.bool('all');
  const filters = filterValues(flags.get<FilterArgs>('filter'));
  if (all && Object.hasOwn(filters, 'all'))
    throw new Error('conflicting options: cannot specify both --all and --filter all=1');
  if (!flags.bool('force') && !(await confirm(cli, all ? ALL_WARNING : WARNING))) return 0;
  const r = await cli.client().volumes.prune(all ? { ...filters, all: ['true'] } : filters);
  const deleted = r.VolumesDeleted ?? [];
  if (deleted.length > 0) cli.out(`Deleted Volumes:\n${deleted.map((n) => `${n}\n`).join('')}\n`);
  cli.out(`Total reclaimed space: ${humanSize(deleted.length > 0 ? r.SpaceReclaimed : 0)}\n`);
  return 0;
}
