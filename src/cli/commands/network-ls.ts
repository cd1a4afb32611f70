// berth network ls: networks sorted by name in docker's table (NETWORK ID NAME DRIVER SCOPE), --format, -q, --no-trunc.
import type { FilterArgs, ParsedFlags } from '../args/index.js';
import { renderFormat } from '../template/index.js';
import type { Cli } from './cli.js';
import { headers } from './format-context.js';
import { NETWORK_HEADERS, NetworkContext } from './network-context.js';
import { filterValues } from './ps.js';

const DEFAULT_TABLE = 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}';

export default async function networkLs(cli: Cli, flags: ParsedFlags): Promise<number> {
  const quiet = flags.bool('quiet');
  const list = await cli.client().networks.list(filterValues(flags.get<FilterArgs>('filter')));
  list.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
  let format = flags.string('format');
  if (format === '' || format === 'table') format = quiet ? '{{.ID}}' : DEFAULT_TABLE;
  else if (quiet) format = '{{.ID}}';
  const rows = list.map((n) => new NetworkContext(n, !flags.bool('no-trunc')));
  cli.out(renderFormat(format, rows, headers(NETWORK_HEADERS)));
  return 0;
}
