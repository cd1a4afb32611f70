// The docker CLI's pattern for commands over several containers (stop, kill, rm, pause…): run the operation on each
// (in parallel, or one after another), print each name that succeeded, then fail with every error, one per line.
import type { Cli } from './cli.js';
import { StatusError } from './cli.js';
import { joinErrors } from './errors.js';

export interface EachOptions {
  /** docker's parallelOperation (the default) or a plain loop (restart, wait). */
  parallel?: boolean;
  /** What to print for a success (default: the name as given, on a line). */
  print?: (name: string, result: unknown) => string;
  /** Errors to report on stderr but not count as failures (rm -f of a missing container). */
  ignore?: (e: unknown) => boolean;
}

export async function forEach<T>(
  cli: Cli,
  names: readonly string[],
  op: (name: string) => Promise<T>,
  opts: EachOptions = {},
): Promise<number> {
  const settle = (name: string) =>
    op(name).then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
  const results = opts.parallel === false ? [] : names.map(settle);
  const errors: unknown[] = [];
  for (const [i, name] of names.entries()) {
    const r = opts.parallel === false ? await settle(name) : await results[i]!;
    if (r.ok) cli.out(opts.print ? opts.print(name, r.value) : `${name}\n`);
    else if (opts.ignore?.(r.error)) cli.err(`${joinErrors([r.error])}\n`);
    else errors.push(r.error);
  }
  if (errors.length > 0) throw new StatusError(1, joinErrors(errors));
  return 0;
}
