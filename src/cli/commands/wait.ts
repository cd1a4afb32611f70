// berth wait: block until each container stops, printing its exit status.
import type { ParsedFlags } from '../args/index.js';
import type { Cli } from './cli.js';
import { forEach } from './each.js';

export default async function wait(cli: Cli, flags: ParsedFlags): Promise<number> {
  const op = (name: string) => cli.client().containers.wait(name);
  const print = (_: string, r: unknown) => `${(r as { StatusCode: number }).StatusCode}\n`;
  return forEach(cli, flags.args, op, { parallel: false, print });
}
