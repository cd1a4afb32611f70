// berth stop: stop containers (SIGTERM, then SIGKILL after the timeout), printing each name.
import type { ParsedFlags } from '../args/index.js';
import type { Cli } from './cli.js';
import { forEach } from './each.js';

export default async function stop(cli: Cli, flags: ParsedFlags): Promise<number> {
  const t = flags.changed('timeout') || flags.changed('time') ? flags.number('timeout') : undefined;
  const signal = flags.string('signal') || undefined;
  return forEach(cli, flags.args, (name) => cli.client().containers.stop(name, { t, signal }));
}
