// runc-style argument handling: global flags, a verb, verb flags, then positionals (for exec and ps everything after
// the container id belongs to the command, flags included).
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { InvalidParameter } from '../errdefs/index.js';

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

/**
 * Parses flags up to and including the `idCount`-th positional; whatever follows is returned untouched in `rest`.
 */
export function parseVerbArgs(argv: string[], options: Options, idCount = Infinity): Parsed & { rest: string[] } {
  const head: string[] = [];
  let positionals = 0;
  let i = 0;
  for (; i < argv.length && positionals < idCount; i++) {
    const tok = argv[i] as string;
    head.push(tok);
    if (tok === '--') {
      i++;
      break;
    }
    if (!tok.startsWith('-') || tok === '-') {
      positionals++;
      continue;
    }
    const name = tok.replace(/^--?/, '').split('=')[0] as string;
    const def = Object.entries(options).find(([long, o]) => long === name || o.short === name)?.[1];
    if (def?.type === 'string' && !tok.includes('=') && i + 1 < argv.length) head.push(argv[++i] as string);
  }
  try {
    const { values, positionals: pos } = parseArgs({ args: head, options, allowPositionals: true, strict: true });
    return { values, positionals: pos, rest: argv.slice(i) };
  } catch (e) {
    throw new InvalidParameter((e as Error).message);
  }
}

export function requireId(p: Parsed, verb: string): string {
  const id = p.positionals[0];
  if (!id) throw new InvalidParameter(`"${verb}" requires a container id`);
  return id;
}
