// berth top: the processes of a running container, as the daemon's `ps` lists them, aligned in columns.
import type { ParsedFlags } from '../args/index.js';
import { TabWriter } from '../template/index.js';
import type { Cli } from './cli.js';

export default async function top(cli: Cli, flags: ParsedFlags): Promise<number> {
  const [container = '', ...psArgs] = flags.args;
  const list = await cli.client().containers.top(container, psArgs.length > 0 ? psArgs.join(' ') : undefined);
  const w = new TabWriter(20, 1, 3, ' ', 0);
  w.write(`${list.Titles.join('\t')}\n`);
  for (const p of list.Processes ?? []) w.write(`${p.join('\t')}\n`);
  cli.out(w.flush());
  return 0;
}
