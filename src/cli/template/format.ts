// docker's formatter layer (cli/command/formatter): `table` formats with a header row and tabwriter alignment,
// the `json` shorthand, and raw templates applied once per row.

import { HEADER_FUNCS } from './docker-funcs.js';
import { TemplateError } from './errors.js';
import { TabWriter } from './tabwriter.js';
import { type Template, parseTemplate } from './template.js';

export const TABLE_FORMAT_KEY = 'table';
export const JSON_FORMAT_KEY = 'json';

/** Whether docker would render the format as a table: it starts with `table`. */
export function isTableFormat(format: string): boolean {
  return format.startsWith(TABLE_FORMAT_KEY);
}

/** Whether the format is the `json` shorthand (one JSON object per row). */
export function isJsonFormat(format: string): boolean {
  return format === JSON_FORMAT_KEY;
}

/** The template docker actually runs (its preFormat): no `table` prefix, `json` expanded, `\t` `\n` unescaped. */
export function finalFormat(format: string): string {
  let f = format;
  if (isTableFormat(f)) f = f.slice(TABLE_FORMAT_KEY.length);
  else if (isJsonFormat(f)) f = '{{json .}}';
  f = f.replace(/^ +| +$/g, '');
  return f.replaceAll('\\t', '\t').replaceAll('\\n', '\n');
}

function wrap(e: unknown): unknown {
  if (!(e instanceof TemplateError)) return e;
  const w = new TemplateError(`template parsing error: ${e.message}`, { cause: e });
  w.partial = e.partial;
  return w;
}

function parseFormat(format: string): Template {
  try {
    return parseTemplate(finalFormat(format));
  } catch (e) {
    throw wrap(e);
  }
}

function executeRows(tmpl: Template, rows: Iterable<unknown>): string {
  let out = '';
  try {
    for (const row of rows) out += `${tmpl.execute(row)}\n`;
  } catch (e) {
    throw wrap(e);
  }
  return out;
}

/**
 * A non-table format applied to each row, each followed by a newline (`json` gives one JSON object per line).
 * Errors read as docker's: `template parsing error: template: :1:2: executing "" at <.Foo>: ...`.
 */
export function renderRows(format: string, rows: Iterable<unknown>): string {
  return executeRows(parseFormat(format), rows);
}

/**
 * A `table` format: a header row, made by running the template on `headers` (field → column title) with docker's
 * header functions, then one line per row, aligned as docker's tabwriter (minwidth 10, tabwidth 1, padding 3).
 * As in docker, an error in the header only cuts the header short; an error in a row fails the whole output.
 */
export function renderTable(format: string, rows: Iterable<unknown>, headers: Record<string, string>): string {
  const tmpl = parseFormat(format);
  const body = executeRows(tmpl, rows);
  let header: string;
  try {
    header = tmpl.execute(headers, HEADER_FUNCS);
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    header = e.partial;
  }
  const w = new TabWriter(10, 1, 3, ' ', 0);
  w.write(header);
  w.write('\n');
  w.write(body);
  return w.flush();
}

/** Renders rows as docker's formatter.Context.Write: a table for `table ...`, otherwise one template run per row. */
export function renderFormat(format: string, rows: Iterable<unknown>, headers: Record<string, string>): string {
  return isTableFormat(format) ? renderTable(format, rows, headers) : renderRows(format, rows);
}
