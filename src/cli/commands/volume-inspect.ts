// berth volume inspect: each volume's JSON as a pretty-printed array, or through a Go template (-f); errors are
// collected and reported after the output, as docker does.
import type { ParsedFlags } from '../args/index.js';
import { parseTemplate, type Template } from '../template/index.js';
import type { Cli } from './cli.js';
import { StatusError } from './cli.js';
import { errorText } from './errors.js';
import { jsonIndent } from './json-indent.js';

export default async function volumeInspect(cli: Cli, flags: ParsedFlags): Promise<number> {
  const format = flags.string('format');
  let tmpl: Template | undefined;
  if (format !== '' && format !== 'json') {
    try {
      tmpl = parseTemplate(format);
    } catch (e) {
      throw new StatusError(64, `template parsing error: ${(e as Error).message}`);
    }
  }
  const raws: string[] = [];
  const errors: string[] = [];
  let text = '';
  for (const ref of flags.args) {
    try {
      const raw = await cli.client().volumes.inspectRaw(ref);
      if (tmpl) text += `${tmpl.execute(JSON.parse(raw))}\n`;
      else raws.push(raw.trim());
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
