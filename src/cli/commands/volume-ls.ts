// berth volume ls: volumes in natural name order in docker's table (DRIVER VOLUME NAME), --format, -q, filters.
import type { FilterArgs, ParsedFlags } from '../args/index.js';
import { renderFormat } from '../template/index.js';
import type { Cli } from './cli.js';
import { headers } from './format-context.js';
import { filterValues } from './ps.js';
import { naturalLess, VOLUME_HEADERS, VolumeContext } from './volume-context.js';

const DEFAULT_TABLE = 'table {{.Driver}}\t{{.Name}}';

export default async function volumeLs(cli: Cli, flags: ParsedFlags): Promise<number> {
  const quiet = flags.bool('quiet');
  const r = await cli.client().volumes.list(filterValues(flags.get<FilterArgs>('filter')));
  const list = r.Volumes ?? [];
  list.sort((a, b) => naturalLess(a.Name, b.Name));
  let format = flags.string('format');
  if (format === '' || format === 'table') format = quiet ? '{{.Name}}' : DEFAULT_TABLE;
  else if (quiet) format = '{{.Name}}';
  cli.out(
    renderFormat(
      format,
      list.map((v) => new VolumeContext(v)),
      headers(VOLUME_HEADERS),
    ),
  );
  for (const w of r.Warnings ?? []) cli.err(`${w}\n`);
  return 0;
}
