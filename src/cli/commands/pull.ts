// berth pull: download an image through the daemon, printing its progress and the full reference.
import type { ParsedFlags } from '../args/index.js';
import type { Cli } from './cli.js';
import { pullImage } from './pull-image.js';
import { parseNormalizedNamed, referenceError, tagNameOnly } from './reference.js';

export default async function pull(cli: Cli, flags: ParsedFlags): Promise<number> {
  const image = flags.args[0]!;
  const ref = parseNormalizedNamed(image);
  if (!ref) throw new Error(referenceError(image));
  const quiet = flags.bool('quiet');
  if (ref.tag === undefined && !ref.digest && !flags.bool('all-tags') && !quiet) cli.out('Using default tag: latest\n');
  await pullImage(cli, image, {
    quiet,
    print: (t) => cli.out(t),
    allTags: flags.bool('all-tags'),
    ...(flags.string('platform') ? { platform: flags.string('platform') } : {}),
  });
  const full = tagNameOnly(ref);
  cli.out(`${full.name}${full.tag !== undefined ? `:${full.tag}` : ''}${full.digest ? `@${full.digest}` : ''}\n`);
  return 0;
}
