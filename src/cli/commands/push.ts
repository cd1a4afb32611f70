// berth push: upload an image (one tag, or every tag with -a) through the daemon with the credentials stored for its
// registry, printing the progress lines the docker CLI prints (or, with -q, only the reference).
import type { ParsedFlags } from '../args/index.js';
import { collectProgress } from '../../client/index.js';
import type { Cli } from './cli.js';
import { registryAuthFor } from './credentials.js';
import { progressLine } from './pull-image.js';
import { parseNormalizedNamed, referenceError, tagNameOnly } from './reference.js';

export default async function push(cli: Cli, flags: ParsedFlags): Promise<number> {
  const remote = flags.args[0]!;
  const all = flags.bool('all-tags');
  const quiet = flags.bool('quiet');
  const platform = flags.string('platform');
  let ref = parseNormalizedNamed(remote);
  if (!ref) throw new Error(referenceError(remote));
  const nameOnly = ref.tag === undefined && !ref.digest;
  if (all && !nameOnly) throw new Error("tag can't be used with --all-tags/-a");
  if (!all && nameOnly) {
    ref = tagNameOnly(ref);
    if (!quiet) cli.out(`Using default tag: ${ref.tag}\n`);
  }
  if (ref.digest) throw new Error('cannot push a digest reference');
  const domain = ref.name.slice(0, ref.name.indexOf('/'));
  const res = await cli.client().registry.push(ref.name, {
    ...(all ? {} : { tag: ref.tag ?? 'latest' }),
    registryAuth: await registryAuthFor(cli.configDir, domain),
    ...(platform ? { platform: platformJson(platform) } : {}),
  });
  await collectProgress(res, quiet ? undefined : (m) => cli.out(progressLine(m)));
  if (quiet) cli.out(`${ref.name}${ref.tag !== undefined ? `:${ref.tag}` : ''}\n`);
  return 0;
}

/** The OCI platform the API's `platform` parameter carries: "linux/arm64/v8" → {"architecture":…,"os":…}. */
function platformJson(p: string): string {
  const [os = '', architecture = '', variant] = p.split('/');
  return JSON.stringify({ architecture, os, ...(variant ? { variant } : {}) });
}
