// berth volume rm: removes each volume, printing its name (-f: a missing one is no error); each failure is
// reported and the command ends with docker's "exit status 1".
import type { ParsedFlags } from '../args/index.js';
import { isNotFound } from '../../errdefs/index.js';
import type { Cli } from './cli.js';
import { StatusError } from './cli.js';
import { errorText } from './errors.js';

export default async function volumeRm(cli: Cli, flags: ParsedFlags): Promise<number> {
  const force = flags.bool('force');
  let failed = false;
  for (const name of flags.args) {
    try {
      await cli.client().volumes.remove(name, force);
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
