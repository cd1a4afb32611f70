// berth tag: give an image another name (TARGET defaults to the :latest tag).
import type { ParsedFlags } from '../args/index.js';
import type { Cli } from './cli.js';
import { familiarName, parseNormalizedNamed, referenceError } from './reference.js';

export default async function tag(cli: Cli, flags: ParsedFlags): Promise<number> {
  const [source = '', target = ''] = flags.args;
  const ref = parseNormalizedNamed(target);
  if (!ref)
    throw new Error(`Error parsing reference: "${target}" is not a valid repository/tag: ${referenceError(target)}`);
  if (ref.digest) throw new Error('refusing to create a tag with a digest reference');
  await cli.client().images.tag(source, familiarName(ref.name), ref.tag ?? 'latest');
  return 0;
}
