// berth update: change the resource limits or restart policy of containers, printing each name.
import { type ParsedFlags, toUpdateRequest } from '../args/index.js';
import type { Cli } from './cli.js';
import { StatusError } from './cli.js';
import { errorText } from './errors.js';

export default async function update(cli: Cli, flags: ParsedFlags): Promise<number> {
  const { containers, request } = toUpdateRequest(flags);
  const warnings: string[] = [];
  const errors: string[] = [];
  for (const name of containers) {
    try {
      const r = await cli.client().containers.update(name, request);
      cli.out(`${name}\n`);
      warnings.push(...(r?.Warnings ?? []));
    } catch (e) {
      errors.push(errorText(e));
    }
  }
  if (warnings.length > 0) cli.out(`${warnings.join('\n')}\n`);
  if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
  return 0;
}
