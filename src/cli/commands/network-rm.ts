// berth network rm: removes each network, printing its name; each failure is reported as it happens and the command
// ends with docker's "exit status 1"; with -f a missing network is not an error.
import type { ParsedFlags } from '../args/index.js';
import { isNotFound } from '../../errdefs/index.js';
import type { Cli } from './cli.js';
import { StatusError } from './cli.js';
import { errorText } from './errors.js';

export default async function networkRm(cli: Cli, flags: ParsedFlags): Promise<number> {
  const force = flags.bool('force');
  let failed = false;
  for (const name of flags.args) {
    try {
      await cli.client().networks.remove(name);
      cli.out(`${name}\n`);
    } catch (e) {
      if (force && isNotFound(e)) continue;
      cli.err(`${errorText(e)}\n`);
      failed = true;
    }
  }
  if (failed) throw new StatusError(1, 'exit status 1');
  return 0;
}
