// berth rename: give a container a new name.
import type { ParsedFlags } from '../args/index.js';
import type { Cli } from './cli.js';
import { StatusError } from './cli.js';
import { errorText } from './errors.js';

export default async function rename(cli: Cli, flags: ParsedFlags): Promise<number> {
  const [oldName = '', newName = ''] = flags.args.map((a) => a.trim());
  if (oldName === '' || newName === '') throw new StatusError(1, 'Error: Neither old nor new names may be empty');
  try {
    await cli.client().containers.rename(oldName, newName);
  } catch (e) {
    cli.err(`${errorText(e)}\n`);
    throw new StatusError(1, `Error: failed to rename container named ${oldName}`);
  }
  return 0;
}
