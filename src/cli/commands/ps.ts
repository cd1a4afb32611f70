// berth ps: list containers in docker's table (or --format template, json, -q IDs), with its filters and truncation.
import type { FilterArgs, ParsedFlags } from '../args/index.js';
import { renderFormat } from '../template/index.js';
import type { Cli } from './cli.js';
import { CONTAINER_HEADERS, ContainerContext } from './container-context.js';
import { headers, validateTemplate } from './format-context.js';

const DEFAULT_TABLE = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';

/** filters.Args as the client takes them: key → values. */
export const filterValues = (f: FilterArgs): Record<string, string[]> =>
  Object.fromEntries(Object.entries(f).map(([k, v]) => [k, Object.keys(v)]));

export default async function ps(cli: Cli, flags: ParsedFlags): Promise<number> {
  const quiet = flags.bool('quiet');
  let size = flags.bool('size');
  const given = flags.string('format');
  if (given !== '') {
    const probe = new ContainerContext({} as never, false);
    validateTemplate(given, probe);
    if (!quiet && !size && !flags.changed('size') && probe.sizeUsed) size = true;
  }
  let format = given;
  if (format === '') format = !quiet && cli.config().psFormat ? cli.config().psFormat! : 'table';
  else if (quiet) cli.err('WARNING: Ignoring custom format, because both --format and --quiet are set.\n');
  if (quiet) format = '{{.ID}}';
  else if (format === 'table') format = size ? `${DEFAULT_TABLE}\t{{.Size}}` : DEFAULT_TABLE;

  let limit = flags.number('last');
  if (flags.bool('latest') && limit === -1) limit = 1;
  const list = await cli.client().containers.list({
    all: flags.bool('all'),
    size,
    ...(limit > 0 ? { limit } : {}),
    filters: filterValues(flags.get<FilterArgs>('filter')),
  });
  const trunc = !flags.bool('no-trunc');
  const rows = list.map((c) => new ContainerContext(c, trunc));
  cli.out(renderFormat(format, rows, headers(CONTAINER_HEADERS)));
  return 0;
}
