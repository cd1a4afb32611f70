// berth save: images as a tar stream (docker's image archive), to stdout or -o FILE.
import type { ParsedFlags } from '../args/index.js';
import type { Cli } from './cli.js';
import { refuseTerminal, validateOutputPath, writeOutput } from './output-file.js';

export default async function save(cli: Cli, flags: ParsedFlags): Promise<number> {
  const output = flags.string('output');
  refuseTerminal(cli, output);
  await validateOutputPath(output).catch((e: Error) => {
    throw new Error(`failed to save image: ${e.message}`, { cause: e });
  });
  await writeOutput(cli, await cli.client().images.get(flags.args), output);
  return 0;
}
