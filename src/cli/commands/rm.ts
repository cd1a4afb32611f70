// berth rm: remove containers, printing each name; with -f a missing container is only reported.
import type { ParsedFlags } from '../args/index.js';
import { isNotFound } from '../../errdefs/index.js';
import type { Cli } from './cli.js';
import { forEach } from './each.js';

export default async function rm(cli: Cli, flags: ParsedFlags): Promise<number> {
  const opts = { force: flags.bool('force'), v: flags.bool('volumes'), link: flags.bool('link') };
  const op = async (name: string) => {
    const id = name.replace(/^\/+|\/+$/g, '');
    if (id === '') throw new Error('container name cannot be empty');
    await cli.client().containers.remove(id, opts);
  };
  return forEach(cli, flags.args, op, { ignore: (e) => opts.force && isNotFound(e) });
}
