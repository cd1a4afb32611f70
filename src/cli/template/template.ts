// A parsed template: Go's text/template with docker's functions, executed on JS values.

import { DOCKER_FUNCS } from './docker-funcs.js';
import { execute } from './exec.js';
import { BUILTINS, type Func } from './funcs.js';
import { parse } from './parser.js';

/** Extra template functions; plain JS functions receive their arguments unchecked. */
// biome-ignore lint/suspicious/noExplicitAny: user functions choose their own parameter types
export type FuncMap = Record<string, (...args: any[]) => unknown>;

export interface Template {
  readonly name: string;
  /** Runs the template on `data`; `funcs` add to or replace the template's functions. Throws TemplateError. */
  execute(data: unknown, funcs?: FuncMap | ReadonlyMap<string, Func>): string;
}

function merge(
  base: ReadonlyMap<string, Func>,
  extra: FuncMap | ReadonlyMap<string, Func> | undefined,
): Map<string, Func> {
  const out = new Map(base);
  if (extra === undefined) return out;
  const entries = extra instanceof Map ? extra.entries() : Object.entries(extra);
  for (const [k, v] of entries) out.set(k, v as Func);
  return out;
}

/**
 * Parses a Go template. Besides Go's builtins it may call docker's functions (json, split, join, title, lower,
 * upper, pad, truncate) and those in `funcs`; any other function name is a parse error, as in Go.
 * Throws TemplateError.
 */
export function parseTemplate(text: string, name = '', funcs?: FuncMap | ReadonlyMap<string, Func>): Template {
  const own = merge(DOCKER_FUNCS, funcs);
  const trees = parse(text, name, new Set([...BUILTINS.keys(), ...own.keys()]));
  return {
    name,
    execute(data: unknown, extra?: FuncMap | ReadonlyMap<string, Func>): string {
      return execute({ trees, text, parseName: name, funcs: extra ? merge(own, extra) : own }, name, data);
    },
  };
}
