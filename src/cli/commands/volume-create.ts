// berth volume create: the docker CLI's request from its flags (the name as the argument or the hidden --name),
// then the new volume's name.
import { kvStringsToMap, type ParsedFlags } from '../args/index.js';
import type { Cli } from './cli.js';

export default async function volumeCreate(cli: Cli, flags: ParsedFlags): Promise<number> {
  const name = flags.args[0] ?? flags.string('name');
  if (flags.args[0] && flags.string('name') !== '' && flags.string('name') !== flags.args[0]) {
    throw new Error(`conflicting options: cannot specify a volume-name through both --name and as a positional arg`);
  }
  const v = await cli.client().volumes.create({
    Driver: flags.string('driver'),
    DriverOpts: flags.map('opt'),
    Labels: kvStringsToMap(flags.list('label')),
    Name: name,
  });
  cli.out(`${v.Name}\n`);
  return 0;
}
