// berth diff: the files changed in a container's filesystem: "C /etc", "A /new", "D /gone".
import type { ParsedFlags } from '../args/index.js';
import type { Cli } from './cli.js';

const KIND = ['C', 'A', 'D'] as const;

export default async function diff(cli: Cli, flags: ParsedFlags): Promise<number> {
  const changes = await cli.client().containers.changes(flags.args[0]!);
  cli.out(changes.map((c) => `${KIND[c.Kind] ?? '?'} ${c.Path}\n`).join(''));
  return 0;
}
