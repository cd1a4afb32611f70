// Syntax nodes → typed Instructions, checked as Docker's instruction parser checks them (argument counts, the
// flags each instruction accepts, stage names, ONBUILD triggers, HEALTHCHECK options), with Docker's messages.
import { MINIMUM_DURATION_NS, parseGoDuration } from './duration.js';
import { type FlagSpec, parseFlags, rawFlags } from './flags.js';
import { goQuote } from './lex.js';
import type { SyntaxNode } from './syntax.js';
import type { Heredoc, Instruction } from './types.js';

const FLAGS: Record<string, FlagSpec> = {
  ADD: { chown: 'string', chmod: 'string', link: 'bool' },
  COPY: { from: 'string', chown: 'string', chmod: 'string', link: 'bool' },
  FROM: { platform: 'string' },
  RUN: { mount: 'strings', network: 'string', security: 'string' },
  HEALTHCHECK: { interval: 'string', timeout: 'string', 'start-period': 'string', retries: 'string' },
};

const atLeastOne = (k: string): Error => new Error(`${k} requires at least one argument`);
const exactlyOne = (k: string): Error => new Error(`${k} requires exactly one argument`);
const noDestination = (k: string): Error =>
  new Error(`${k} requires at least two arguments, but only one was provided. Destination could not be determined.`);
const blankNames = (k: string): Error => new Error(`${k} names can not be blank`);

export const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

/** Builds the instruction for one node; throws Docker's message (without the line prefix). */
export function toInstruction(node: SyntaxNode, line: number, heredocs: Heredoc[]): Instruction {
  const keyword = node.cmd.toUpperCase();
  const ins: Instruction = {
    keyword,
    line,
    original: node.original,
    flags: {},
    args: node.args,
    json: node.json,
    heredocs,
  };
  const flags = (): void => {
    ins.flags = parseFlags(node.flags, FLAGS[keyword] ?? {});
  };
  const args = node.args;
  switch (keyword) {
    case 'ENV':
    case 'LABEL':
      flags();
      if (args.length === 0) throw atLeastOne(keyword);
      for (const [k] of node.pairs ?? []) if (k === '') throw blankNames(keyword);
      ins.pairs = node.pairs ?? [];
      break;
    case 'MAINTAINER':
    case 'WORKDIR':
    case 'USER':
      if (args.length !== 1) throw exactlyOne(keyword);
      flags();
      break;
    case 'STOPSIGNAL':
      if (args.length !== 1) throw exactlyOne(keyword);
      ins.flags = rawFlags(node.flags); // Docker never checks STOPSIGNAL's flags
      break;
    case 'ADD':
    case 'COPY':
      if (args.length < 2) throw noDestination(keyword);
      flags();
      break;
    case 'FROM':
      stageName(args);
      flags();
      break;
    case 'ONBUILD':
      onbuild(ins, node, heredocs);
      break;
    case 'RUN':
    case 'CMD':
    case 'ENTRYPOINT':
      flags();
      if (!node.json && args.length > 0) ins.shellForm = args.join(' ');
      break;
    case 'HEALTHCHECK':
      healthcheck(ins, node);
      break;
    case 'EXPOSE':
      if (args.length === 0) throw atLeastOne(keyword);
      flags();
      break;
    case 'VOLUME':
      if (args.length === 0) throw atLeastOne(keyword);
      flags();
      for (const v of args) if (v.trim() === '') throw new Error('VOLUME specified can not be an empty string');
      break;
    case 'ARG':
      if (args.length === 0) throw atLeastOne(keyword);
      ins.flags = rawFlags(node.flags); // nor ARG's
      for (const a of args) if (a.startsWith('=')) throw blankNames(keyword);
      break;
    case 'SHELL':
      flags();
      if (args.length === 0) throw atLeastOne(keyword);
      if (!node.json) throw new Error('SHELL requires the arguments to be in JSON form');
      break;
    default:
      throw new Error(`unknown instruction: ${keyword}`);
  }
  return ins;
}

/** FROM image [AS name]: the lower-cased stage name, if any. */
export function stageName(args: string[]): string | undefined {
  if (args.length === 3 && (args[1] as string).toLowerCase() === 'as') {
    const name = (args[2] as string).toLowerCase();
    if (!STAGE_NAME.test(name)) {
      throw new Error(
        `invalid name for build stage: ${goQuote(args[2] as string)}, name can't start with a number or contain symbols`,
      );
    }
    return name;
  }
  if (args.length !== 1) throw new Error('FROM requires either one or three arguments');
  return undefined;
}

function onbuild(ins: Instruction, node: SyntaxNode, heredocs: Heredoc[]): void {
  if (node.args.length === 0 || !node.sub) throw atLeastOne('ONBUILD');
  ins.flags = parseFlags(node.flags, {});
  const trigger = node.sub.cmd.trim().toUpperCase();
  if (trigger === 'ONBUILD') throw new Error("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  if (trigger === 'MAINTAINER' || trigger === 'FROM') throw new Error(`${trigger} isn't allowed as an ONBUILD trigger`);
  ins.trigger = node.original.replace(/^\s*ONBUILD\s*/i, '');
  // Docker checks the trigger itself only when a child build runs it; a trigger it would refuse there is left
  // unparsed here (onbuild undefined) and kept as text in `trigger`.
  try {
    ins.onbuild = toInstruction(node.sub, ins.line, heredocs);
  } catch {
    ins.onbuild = undefined;
  }
}

/** HEALTHCHECK NONE | [options] CMD command: validated here, as Docker does when parsing. */
function healthcheck(ins: Instruction, node: SyntaxNode): void {
  const args = node.args;
  if (args.length === 0) throw atLeastOne('HEALTHCHECK');
  const type = (args[0] as string).toUpperCase();
  const rest = args.slice(1);
  if (type === 'NONE') {
    if (rest.length !== 0) throw new Error('HEALTHCHECK NONE takes no arguments');
    ins.flags = rawFlags(node.flags);
    ins.healthcheck = { test: ['NONE'] };
    return;
  }
  ins.flags = parseFlags(node.flags, FLAGS.HEALTHCHECK ?? {});
  if (type !== 'CMD') throw new Error(`Unknown type ${goQuote(type)} in HEALTHCHECK (try CMD)`);
  const cmd = node.json ? rest : rest.length === 0 ? [] : [rest.join(' ')];
  if (cmd.length === 0) throw new Error('Missing command after HEALTHCHECK CMD');
  if (!node.json) ins.shellForm = cmd[0];
  ins.healthcheck = { test: [node.json ? 'CMD' : 'CMD-SHELL', ...cmd] };
  healthcheckOptions(ins.flags);
}

export interface HealthcheckOptions {
  interval?: number;
  timeout?: number;
  startPeriod?: number;
  retries?: number;
}

/** The HEALTHCHECK options in nanoseconds / a count; Docker's messages for bad values. */
export function healthcheckOptions(flags: Record<string, string[]>): HealthcheckOptions {
  const out: HealthcheckOptions = {};
  const interval = (name: string): number | undefined => {
    const v = flags[name]?.[0];
    if (v === undefined || v === '') return undefined;
    const d = parseGoDuration(v);
    if (d < MINIMUM_DURATION_NS) throw new Error(`Interval ${goQuote(name)} cannot be less than 1ms`);
    return d;
  };
  const i = interval('interval');
  const t = interval('timeout');
  const s = interval('start-period');
  if (i !== undefined) out.interval = i;
  if (t !== undefined) out.timeout = t;
  if (s !== undefined) out.startPeriod = s;
  const r = flags.retries?.[0];
  if (r !== undefined && r !== '') {
    if (!/^[+-]?\d+$/.test(r) || Math.abs(Number(r)) > 2 ** 31 - 1) {
      const why = /^[+-]?\d+$/.test(r) ? 'value out of range' : 'invalid syntax';
      throw new Error(`strconv.ParseInt: parsing ${goQuote(r)}: ${why}`);
    }
    const n = Number(r);
    if (n < 1) throw new Error(`--retries must be at least 1 (not ${n})`);
    out.retries = n;
  }
  return out;
}
