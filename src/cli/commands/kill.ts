// berth kill: send a signal (default SIGKILL) to containers, printing each name.
import type { ParsedFlags } from '../args/index.js';
import type { Cli } from './cli.js';
import { forEach } from './each.js';

export default async function kill(cli: Cli, flags: ParsedFlags): Promise<number> {
  const signal = flags.string('signal') || undefined;
  return forEach(cli, flags.args, (name) => cli.client().containers.kill(name, signal));
}
