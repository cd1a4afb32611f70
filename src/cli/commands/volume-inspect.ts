// berth volume inspect: each volume's JSON, or through a Go template (-f), as docker prints it.
import type { ParsedFlags } from '../args/index.js';
import type { Cli } from './cli.js';
import { inspectEach } from './inspect-each.js';

export default function volumeInspect(cli: Cli, flags: ParsedFlags): Promise<number> {
  return inspectEach(cli, flags, (ref) => cli.client().volumes.inspectRaw(ref));
}
