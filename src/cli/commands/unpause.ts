// berth unpause: thaw the processes of paused containers, printing each name.
import type { ParsedFlags } from '../args/index.js';
import type { Cli } from './cli.js';
import { forEach } from './each.js';

export default async function unpause(cli: Cli, flags: ParsedFlags): Promise<number> {
  return forEach(cli, flags.args, (name) => cli.client().containers.unpause(name));
}
