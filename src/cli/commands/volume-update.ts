// berth volume update: only swarm's cluster volumes can be updated; a local engine has none, so this says what
// docker says once it has looked the volume up.
import type { ParsedFlags } from '../args/index.js';
import type { Cli } from './cli.js';

export default async function volumeUpdate(cli: Cli, flags: ParsedFlags): Promise<number> {
  await cli.client().volumes.inspect(flags.args[0] ?? '');
  throw new Error('can only update cluster volumes');
}
