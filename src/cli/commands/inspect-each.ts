// What `network inspect` and `volume inspect` share: each object's JSON as a pretty-printed array, `--format json`,
// or a Go template per object; errors collected and reported after the output, as docker does.
import type { ParsedFlags } from '../args/index.js';
import { parseTemplate, type Template } from '../template/index.js';
import type { Cli } from './cli.js';
import { StatusError } from './cli.js';
import { errorText } from './errors.js';
import { jsonIndent } from './json-indent.js';

/** An inspect command's `--format`: a Go template, or undefined for '' and 'json'; a bad one exits 64 as docker. */
export function inspectTemplate(format: string): Template | undefined {
  if (format === '' || format === 'json') return undefined;
  try {
    return parseTemplate(format);
  } catch (e) {
    throw new StatusError(64, `template parsing error: ${(e as Error).message}`);
  }
}

export async function inspectEach(
  cli: Cli,
  flags: ParsedFlags,
  raw: (ref: string) => Promise<string>,
): Promise<number> {
  const format = flags.string('format');
  const tmpl = inspectTemplate(format);
  const raws: string[] = [];
  const errors: string[] = [];
  let text = '';
  for (const ref of flags.args) {
    try {
      const one = await raw(ref);
      if (tmpl) text += `${tmpl.execute(JSON.parse(one))}\n`;
      else raws.push(one.trim());
    } catch (e) {
      errors.push(errorText(e));
    }
  }
  if (format === '') cli.out(raws.length === 0 ? '[]\n' : `${jsonIndent(`[${raws.join(',')}]`)}\n`);
  else if (format === 'json') cli.out(`[${raws.join(',')}]\n`);
  // docker's TemplateInspector prints an empty line when nothing was printed.
  else cli.out(text === '' ? '\n' : text);
  if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
  return 0;
}
