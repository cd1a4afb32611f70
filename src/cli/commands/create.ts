// berth create: create a container (pulling a missing image) and print its ID.
import { type ParsedFlags, toCreateRequest } from '../args/index.js';
import type { Cli } from './cli.js';
import { consoleSize, createContainer } from './create-container.js';

export default async function create(cli: Cli, flags: ParsedFlags): Promise<number> {
  const opts = toCreateRequest(flags, {
    env: cli.env,
    consoleSize: consoleSize(cli),
    configDetachKeys: cli.config().detachKeys,
    daemonHost: cli.client().host,
  });
  for (const w of opts.warnings) cli.err(`WARNING: ${w}\n`);
  cli.out(`${await createContainer(cli, opts)}\n`);
  return 0;
}
