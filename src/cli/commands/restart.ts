// berth restart: restart containers one after another, printing each name.
import type { ParsedFlags } from '../args/index.js';
import type { Cli } from './cli.js';
import { forEach } from './each.js';

export default async function restart(cli: Cli, flags: ParsedFlags): Promise<number> {
  const t = flags.changed('timeout') || flags.changed('time') ? flags.number('timeout') : undefined;
  const signal = flags.string('signal') || undefined;
  const op = (name: string) => cli.client().containers.restart(name, { t, signal });
  return forEach(cli, flags.args, op, { parallel: false });
}
