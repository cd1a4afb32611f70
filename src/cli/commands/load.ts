// berth load: images from a tar archive on stdin or -i FILE; prints "Loaded image: …".
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { openErrorText, type ParsedFlags } from '../args/index.js';
import type { Cli } from './cli.js';
import { progressLine } from './pull-image.js';

export default async function load(cli: Cli, flags: ParsedFlags): Promise<number> {
  const input = flags.string('input');
  let source: Readable;
  if (input === '') {
    if (cli.stdin.isTTY) throw new Error('requested load from stdin, but stdin is empty');
    source = cli.stdin;
  } else {
    const fh = await open(input).catch((e: unknown) => {
      throw new Error(openErrorText(input, e), { cause: e });
    });
    source = createReadStream('', { fd: fh.fd });
  }
  const quiet = flags.bool('quiet') || !cli.stdout.isTTY;
  await cli.client().images.load(source, { quiet, onProgress: (m) => cli.out(progressLine(m)) });
  return 0;
}
