// Typed views of single instructions the executor reads (ENV pairs, ARG names, COPY flags, HEALTHCHECK, FROM).
import { InvalidParameter } from '../../errdefs/index.js';
import { messageOf } from './errors.js';
import { type HealthcheckOptions, healthcheckOptions, stageName } from './instructions.js';
import { lex } from './lex.js';
import type { Flags, Instruction } from './types.js';

const EMPTY_ENV: ReadonlyMap<string, string> = new Map();
// Quote removal for an instruction that was not expanded: variables stay as written.
const unquote = (s: string): string => lex(s, EMPTY_ENV, '\\', { skipUnset: true }).word;

/** ENV (and LABEL) pairs with quotes removed; on an expanded instruction they are already final. */
export function parseEnvPairs(ins: Instruction): [string, string][] {
  const pairs = ins.pairs ?? [];
  return ins.expanded ? pairs.map(([k, v]) => [k, v]) : pairs.map(([k, v]) => [unquote(k), unquote(v)]);
}

/** ARG name[=default] …: several per instruction, as newer Docker allows. */
export function parseArg(ins: Instruction): { name: string; default?: string }[] {
  return ins.args.map((a) => {
    const eq = a.indexOf('=');
    if (eq < 0) return { name: ins.expanded ? a : unquote(a) };
    const name = a.slice(0, eq);
    const value = a.slice(eq + 1);
    return ins.expanded ? { name, default: value } : { name: unquote(name), default: unquote(value) };
  });
}

/** COPY/ADD flags: --chmod as an octal mode, --link as a boolean. */
export function parseCopyFlags(flags: Flags): { from?: string; chown?: string; chmod?: number; link?: boolean } {
  const out: { from?: string; chown?: string; chmod?: number; link?: boolean } = {};
  const from = flags.from?.[0];
  const chown = flags.chown?.[0];
  const chmod = flags.chmod?.[0];
  const link = flags.link?.[0];
  if (from !== undefined && from !== '') out.from = from;
  if (chown !== undefined && chown !== '') out.chown = chown;
  if (chmod !== undefined && chmod !== '') {
    if (!/^[0-7]{1,4}$/.test(chmod)) throw new InvalidParameter(`invalid chmod parameter: ${chmod}`);
    out.chmod = Number.parseInt(chmod, 8);
  }
  if (link !== undefined) out.link = link === 'true';
  return out;
}

/** HEALTHCHECK: the test and its options (durations in nanoseconds, as Docker stores them). */
export function parseHealthcheck(ins: Instruction): { test: string[] } & HealthcheckOptions {
  if (!ins.healthcheck) throw new InvalidParameter(`${ins.keyword} is not a HEALTHCHECK instruction`);
  try {
    return { test: ins.healthcheck.test, ...(ins.healthcheck.test[0] === 'NONE' ? {} : healthcheckOptions(ins.flags)) };
  } catch (e) {
    throw new InvalidParameter(messageOf(e));
  }
}

/** FROM [--platform=p] image [AS name]. */
export function parseFrom(ins: Instruction): { image: string; as?: string; platform?: string } {
  let as: string | undefined;
  try {
    as = stageName(ins.args);
  } catch (e) {
    throw new InvalidParameter(messageOf(e));
  }
  const out: { image: string; as?: string; platform?: string } = { image: ins.args[0] ?? '' };
  if (as !== undefined) out.as = as;
  const platform = ins.flags.platform?.[0];
  if (platform !== undefined && platform !== '') out.platform = platform;
  return out;
}
