// Pulling an image (`POST /images/create?fromImage=`) with the credentials stored for its registry, its progress
// printed as the docker CLI prints a JSON message stream to a file: one line per status.
import { collectProgress, type JSONMessage } from '../../client/index.js';
import type { Cli } from './cli.js';
import { imageDomain, registryAuthFor } from './credentials.js';
import { parseNormalizedNamed } from './reference.js';

/** RFC3339NanoFixed, as jsonmessage prefixes a timed entry. */
function timestamp(m: JSONMessage): string {
  const ns = m.timeNano ? BigInt(m.timeNano) : m.time ? BigInt(m.time) * 1_000_000_000n : 0n;
  if (ns === 0n) return '';
  const iso = new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 19);
  return `${iso}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}Z `;
}

/**
 * One progress entry as jsonmessage.Display writes it without a terminal: entries with a byte count (a progress
 * bar on a terminal) and aux entries print nothing.
 */
export function progressLine(m: JSONMessage): string {
  if (m.aux !== undefined && m.aux !== null) return '';
  const p = m.progressDetail;
  if (m.stream === undefined && p && ((p.current ?? 0) > 0 || (p.total ?? 0) > 0)) return '';
  const head = `${timestamp(m)}${m.id ? `${m.id}: ` : ''}${m.from ? `(from ${m.from}) ` : ''}`;
  if (m.progress) return `${head}${m.status ?? ''} ${m.progress}`;
  if (m.stream) return `${head}${m.stream}`;
  return `${head}${m.status ?? ''}\n`;
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
    headers: { 'X-Registry-Auth': await registryAuthFor(cli.configDir, imageDomain(image)) },
  });
  await collectProgress(res, opts.quiet ? undefined : (m) => opts.print(progressLine(m)));
}
