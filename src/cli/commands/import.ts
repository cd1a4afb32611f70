// berth import: a root filesystem tarball (a file, or - for stdin) becomes an image; prints its ID.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { openErrorText, type ParsedFlags } from '../args/index.js';
import type { Cli } from './cli.js';
import { progressLine } from './pull-image.js';
import { parseNormalizedNamed, referenceError } from './reference.js';

export default async function importImage(cli: Cli, flags: ParsedFlags): Promise<number> {
  const [src = '', repo] = flags.args;
  if (repo !== undefined && !parseNormalizedNamed(repo)) {
    throw new Error(referenceError(repo));
  }
  let source: Readable;
  if (src === '-') source = cli.stdin;
  else if (/^https?:\/\//.test(src)) throw new Error('importing from a URL is not supported by berth');
  else {
    const fh = await open(src).catch((e: unknown) => {
      throw new Error(openErrorText(src, e), { cause: e });
    });
    source = createReadStream('', { fd: fh.fd });
  }
  await cli.client().images.import(source, {
    ...(repo !== undefined ? { repo } : {}),
    changes: flags.list('change'),
    ...(flags.string('message') ? { message: flags.string('message') } : {}),
    ...(flags.string('platform') ? { platform: flags.string('platform') } : {}),
    onProgress: (m) => cli.out(progressLine(m)),
  });
  return 0;
}
