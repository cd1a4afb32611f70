// berth export: a container's filesystem as a tar stream, to stdout or -o FILE.
import type { ParsedFlags } from '../args/index.js';
import type { Cli } from './cli.js';
import { refuseTerminal, validateOutputPath, writeOutput } from './output-file.js';

export default async function exportContainer(cli: Cli, flags: ParsedFlags): Promise<number> {
  const output = flags.string('output');
  refuseTerminal(cli, output);
  await validateOutputPath(output).catch((e: Error) => {
    throw new Error(`failed to export container: ${e.message}`, { cause: e });
  });
  await writeOutput(cli, await cli.client().containers.export(flags.args[0]!), output);
  return 0;
}
