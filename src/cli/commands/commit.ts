// berth commit: a new image from a container's changes; prints the image ID.
import type { ParsedFlags } from '../args/index.js';
import type { Cli } from './cli.js';
import { familiarName, parseNormalizedNamed, referenceError } from './reference.js';

export default async function commit(cli: Cli, flags: ParsedFlags): Promise<number> {
  const [container = '', reference] = flags.args;
  let repo: string | undefined;
  let tag: string | undefined;
  if (reference !== undefined && reference !== '') {
    const ref = parseNormalizedNamed(reference);
    if (!ref) throw new Error(referenceError(reference));
    if (ref.digest) throw new Error('refusing to create a tag with a digest reference');
    repo = familiarName(ref.name);
    tag = ref.tag ?? 'latest';
  }
  const r = await cli.client().images.commit(container, {
    ...(repo ? { repo, tag } : {}),
    ...(flags.string('message') ? { comment: flags.string('message') } : {}),
    ...(flags.string('author') ? { author: flags.string('author') } : {}),
    changes: flags.list('change'),
    pause: flags.bool('pause'),
  });
  cli.out(`${r.Id}\n`);
  return 0;
}
