// berth volume rm: removes each volume, printing its name (-f: a missing one is no error); the failures are reported
// together at the end, with exit status 1, as docker's errors.Join.
import type { ParsedFlags } from '../args/index.js';
import type { Cli } from './cli.js';
import { StatusError } from './cli.js';
import { errorText } from './errors.js';

export default async function volumeRm(cli: Cli, flags: ParsedFlags): Promise<number> {
  const errors: string[] = [];
  for (const name of flags.args) {
    try {
      await cli.client().volumes.remove(name, flags.bool('force'));
      cli.out(`${name}\n`);
    } catch (e) {
      errors.push(errorText(e));
    }
  }
  if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
  return 0;
}
