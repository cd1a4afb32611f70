// berth network prune: removes custom networks no container uses, after asking (unless -f), and lists them.
import type { FilterArgs, ParsedFlags } from '../args/index.js';
import type { Cli } from './cli.js';
import { confirm } from './prompt.js';
import { filterValues } from './ps.js';

const WARNING =
  'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue?';

export default async function networkPrune(cli: Cli, flags: ParsedFlags): Promise<number> {
  if (!flags.bool('force') && !(await confirm(cli, WARNING))) return 0;
  const r = await cli.client().networks.prune(filterValues(flags.get<FilterArgs>('filter')));
  const deleted = r.NetworksDeleted ?? [];
  if (deleted.length > 0) cli.out(`Deleted Networks:\n${deleted.map((n) => `${n}\n`).join('')}\n`);
  return 0;
}
