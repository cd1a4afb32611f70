// berth pause: freeze the processes of containers, printing each name.
import type { ParsedFlags } from '../args/index.js';
import type { Cli } from './cli.js';
import { forEach } from './each.js';

export default async function pause(cli: Cli, flags: ParsedFlags): Promise<number> {
  return forEach(cli, flags.args, (name) => cli.client().containers.pause(name));
}
