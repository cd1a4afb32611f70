// berth rmi: remove images, printing each "Untagged: …" / "Deleted: …"; with -f only missing ones are forgiven.
import type { ParsedFlags } from '../args/index.js';
import { isNotFound } from '../../errdefs/index.js';
import type { Cli } from './cli.js';
import { StatusError } from './cli.js';
import { errorText } from './errors.js';

export default async function rmi(cli: Cli, flags: ParsedFlags): Promise<number> {
  const force = flags.bool('force');
  const errors: string[] = [];
  let fatal = false;
  for (const name of flags.args) {
    try {
      const items = await cli.client().images.remove(name, { force, noprune: flags.bool('no-prune') });
      for (const item of items) {
        cli.out('Deleted' in item ? `Deleted: ${item.Deleted}\n` : `Untagged: ${item.Untagged}\n`);
      }
    } catch (e) {
      if (!isNotFound(e)) fatal = true;
      errors.push(errorText(e));
    }
  }
  if (errors.length > 0) {
    if (!force || fatal) throw new StatusError(1, errors.join('\n'));
    cli.err(`${errors.join('\n')}\n`);
  }
  return 0;
}
