// berth images: list images in docker's table (REPOSITORY TAG IMAGE ID CREATED SIZE), --format, -q, --digests.
import type { FilterArgs, ParsedFlags } from '../args/index.js';
import { renderFormat } from '../template/index.js';
import type { Cli } from './cli.js';
import { headers } from './format-context.js';
import { IMAGE_HEADERS, imageRows } from './image-context.js';
import { filterValues } from './ps.js';

const DEFAULT_TABLE = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';
const DIGEST_TABLE = 'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';

export default async function images(cli: Cli, flags: ParsedFlags): Promise<number> {
  const quiet = flags.bool('quiet');
  const digests = flags.bool('digests');
  const filters = filterValues(flags.get<FilterArgs>('filter'));
  const match = flags.args[0];
  if (match !== undefined) filters.reference = [...(filters.reference ?? []), match];
  const list = await cli.client().images.list({ all: flags.bool('all'), filters, digests });

  let format = flags.string('format');
  if (format === '') format = !quiet && cli.config().imagesFormat ? cli.config().imagesFormat! : 'table';
  if (format === 'table') format = quiet ? '{{.ID}}' : digests ? DIGEST_TABLE : DEFAULT_TABLE;
  else if (format.startsWith('table') && digests && !format.includes('{{.Digest}}')) format += '\t{{.Digest}}';

  const trunc = !flags.bool('no-trunc');
  const rows = list.flatMap((img) => imageRows(img, trunc, digests));
  cli.out(renderFormat(format, rows, headers(IMAGE_HEADERS)));
  return 0;
}
