// berth inspect / container inspect / image inspect: the daemon's JSON for each object, as a pretty-printed array
// (the raw answers re-indented, as docker does) or through a Go template (-f), errors collected per object.
import type { ParsedFlags } from '../args/index.js';
import { isNotFound, isNotImplemented } from '../../errdefs/index.js';
import { readAll } from '../../client/transport.js';
import type { Cli } from './cli.js';
import { StatusError } from './cli.js';
import { errorText } from './errors.js';
import { jsonIndent } from './json-indent.js';
import { seg } from '../../client/path.js';
import { inspectTemplate } from './inspect-each.js';

type Kind = 'container' | 'image';
const TYPES = ['config', 'container', 'image', 'network', 'node', 'plugin', 'secret', 'service', 'task', 'volume'];

export default async function inspect(cli: Cli, flags: ParsedFlags): Promise<number> {
  const path = cli.spec.path;
  const type = path === 'container inspect' ? 'container' : path === 'image inspect' ? 'image' : flags.string('type');
  if (type !== '' && !TYPES.includes(type)) throw new StatusError(1, `"${type}" is not a valid value for --type`);
  const format = flags.string('format');
  const tmpl = inspectTemplate(format);
  const size = flags.has('size') && flags.bool('size');
  const kinds: Kind[] =
    type === 'container' ? ['container'] : type === 'image' ? ['image'] : type === '' ? ['container', 'image'] : [];

  const raws: string[] = [];
  const errors: string[] = [];
  let text = '';
  for (const ref of flags.args) {
    try {
      const raw = await fetchRaw(cli, ref, kinds, size, type === '');
      if (format === '' || format === 'json') raws.push(raw.trim());
      else {
        try {
          text += `${tmpl!.execute(JSON.parse(raw))}\n`;
        } catch (e) {
          errors.push(`template parsing error: ${(e as Error).message}`);
        }
      }
    } catch (e) {
      errors.push(errorText(e));
    }
  }
  if (format === '') cli.out(raws.length === 0 ? '[]\n' : `${jsonIndent(`[${raws.join(',')}]`)}\n`);
  else if (format === 'json') cli.out(`[${raws.join(',')}]\n`);
  else cli.out(text);
  if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
  return 0;
}

async function fetchRaw(cli: Cli, ref: string, kinds: Kind[], size: boolean, auto: boolean): Promise<string> {
  const t = cli.client().transport;
  for (const kind of kinds) {
    const route = kind === 'container' ? `/containers/${seg(ref)}/json` : `/images/${seg(ref)}/json`;
    try {
      const res = await t.request('GET', route, { query: { size: kind === 'container' && size ? true : undefined } });
      return (await readAll(res)).toString('utf8');
    } catch (e) {
      if (auto && (isNotFound(e) || isNotImplemented(e))) continue;
      throw e;
    }
  }
  throw new Error(`Error: No such object: ${ref}`);
}
