// Pulling an image (`POST /images/create?fromImage=`) with its progress printed as the docker CLI prints a JSON
// message stream to a file: one line per status.
import { collectProgress, type JSONMessage } from '../../client/index.js';
import type { Cli } from './cli.js';
import { parseNormalizedNamed } from './reference.js';

/** One progress entry as jsonmessage.Display writes it without a terminal. */
export function progressLine(m: JSONMessage): string {
  if (m.stream !== undefined) return m.stream;
  if (m.status === undefined) return '';
  return `${m.id ? `${m.id}: ` : ''}${m.status}${m.progress ? ` ${m.progress}` : ''}\n`;
}

/** Pulls `image`, printing progress with `print` (stderr for run/create, stdout for pull) unless quiet. */
export async function pullImage(
  cli: Cli,
  image: string,
  opts: { quiet?: boolean; platform?: string; print: (text: string) => void; allTags?: boolean },
): Promise<void> {
  const ref = parseNormalizedNamed(image);
  const fromImage = ref ? ref.name : image;
  const tag = ref?.digest ?? ref?.tag ?? (opts.allTags ? undefined : 'latest');
  const res = await cli.client().transport.request('POST', '/images/create', {
    query: { fromImage, tag, platform: opts.platform },
    headers: { 'X-Registry-Auth': 'e30=' },
  });
  await collectProgress(res, opts.quiet ? undefined : (m) => opts.print(progressLine(m)));
}
