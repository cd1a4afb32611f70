// berth search: the daemon asks the registry a term names (Docker Hub by default) through its v1 search API; the
// results as docker's NAME / DESCRIPTION / STARS / OFFICIAL table, or --format.
import type { FilterArgs, ParsedFlags } from '../args/index.js';
import { renderFormat } from '../template/index.js';
import type { Cli } from './cli.js';
import { registryAuthFor, searchDomain } from './credentials.js';
import { headers } from './format-context.js';
import { filterValues } from './ps.js';
import { SEARCH_HEADERS, SearchContext } from './search-context.js';

const DEFAULT_TABLE = 'table {{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}';

export default async function search(cli: Cli, flags: ParsedFlags): Promise<number> {
  const term = flags.args[0]!;
  const filters = filterValues(flags.get<FilterArgs>('filter'));
  if (filters['is-automated'] !== undefined) {
    cli.err(
      'WARNING: the "is-automated" filter is deprecated, and searching for "is-automated=true" will not yield any results in future.\n',
    );
  }
  const results = await cli.client().registry.search(term, {
    registryAuth: await registryAuthFor(cli.configDir, searchDomain(term)),
    limit: flags.number('limit'),
    filters,
  });
  let format = flags.string('format');
  if (format === '' || format === 'table') format = DEFAULT_TABLE;
  const trunc = !flags.bool('no-trunc');
  cli.out(
    renderFormat(
      format,
      results.map((r) => new SearchContext(r, trunc)),
      headers(SEARCH_HEADERS),
    ),
  );
  return 0;
}
