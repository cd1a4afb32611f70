// berth build: sends the context (a directory, or a tar or Dockerfile on stdin) to the daemon's /build and prints the
// legacy builder's output as the docker CLI does; a failing step's exit status is berth's. `--secret` sends secrets
// in a header berthd reads, so they never enter the context, a layer or the history.
import { readFile, writeFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { ParsedFlags } from '../args/index.js';
import { collectProgress, StreamError } from '../../client/index.js';
import { contextTar } from './build-context.js';
import { registryConfigFor } from './credentials.js';
import type { Cli } from './cli.js';
import { readAllStdin } from './login.js';
import { progressLine } from './pull-image.js';

export default async function build(cli: Cli, flags: ParsedFlags): Promise<number> {
  const path = flags.args[0]!;
  const quiet = flags.bool('quiet');
  const file = flags.string('file') || undefined;
  if (/^(https?|git):\/\//.test(path) || path.startsWith('git@')) {
    throw new Error('remote build contexts are not supported by berth build; clone it and build the directory');
  }
  let body: Readable;
  let dockerfile: string | undefined;
  if (path === '-') {
    if (file === '-') throw new Error("invalid argument: can't use stdin for both build context and dockerfile");
    body = cli.stdin;
    dockerfile = file;
  } else {
    const stdinText = file === '-' ? await readAllStdin(cli) : undefined;
    const ctx = await contextTar(path, file === '-' ? undefined : file, stdinText);
    body = ctx.tar;
    dockerfile = ctx.dockerfile;
  }
  const buildArgs = keyValues(flags.list('build-arg'), true);
  // SOURCE_DATE_EPOCH in the environment makes the build reproducible, as with BuildKit.
  if (process.env.SOURCE_DATE_EPOCH && !('SOURCE_DATE_EPOCH' in buildArgs)) {
    buildArgs.SOURCE_DATE_EPOCH = process.env.SOURCE_DATE_EPOCH;
  }
  const registryConfig = await registryConfigFor(cli.configDir);
  const res = await cli.client().builds.build(body, {
    ...(dockerfile ? { dockerfile } : {}),
    tags: flags.list('tag'),
    target: flags.string('target') || undefined,
    buildArgs,
    labels: keyValues(flags.list('label'), false) as Record<string, string>,
    noCache: flags.bool('no-cache'),
    pull: flags.bool('pull'),
    quiet,
    cacheFrom: flags.list('cache-from'),
    networkMode: flags.string('network') || undefined,
    platform: flags.string('platform') || undefined,
    secrets: await secrets(flags.list('secret')),
    ...(registryConfig ? { registryConfig } : {}),
  });
  let imageId = '';
  try {
    await collectProgress(res, (m) => {
      const aux = m.aux as { ID?: string } | undefined;
      if (aux?.ID) imageId = aux.ID;
      if (quiet) return;
      if (m.stream !== undefined) cli.out(m.stream);
      else {
        const line = progressLine(m);
        if (line) cli.out(`${line}\n`);
      }
    });
  } catch (e) {
    if (!(e instanceof StreamError)) throw e;
    cli.err(`${e.message}\n`);
    return e.code || 1;
  }
  const iidfile = flags.string('iidfile');
  if (iidfile) await writeFile(iidfile, imageId);
  if (quiet) cli.out(`${imageId}\n`);
  return 0;
}

/** `--build-arg K=V` (or `K` alone: its value from this environment, else null as the docker CLI sends it). */
function keyValues(items: string[], fromEnv: boolean): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq >= 0) out[item.slice(0, eq)] = item.slice(eq + 1);
    else out[item] = fromEnv ? (process.env[item] ?? null) : '';
  }
  return out;
}

/** `--secret id=x,src=file` / `id=x,env=VAR` (BuildKit's forms) → id → content. */
async function secrets(specs: string[]): Promise<Record<string, Buffer>> {
  const out: Record<string, Buffer> = {};
  for (const spec of specs) {
    const kv = new Map(
      spec.split(',').map((p) => {
        const eq = p.indexOf('=');
        return eq < 0 ? [p, ''] : [p.slice(0, eq), p.slice(eq + 1)];
      }),
    );
    const id = kv.get('id');
    const src = kv.get('src') ?? kv.get('source');
    const env = kv.get('env');
    if (!id) throw new Error(`invalid secret ${JSON.stringify(spec)}: id is required`);
    if (src) out[id] = await readFile(src);
    else if (env !== undefined || process.env[id] !== undefined) out[id] = Buffer.from(process.env[env ?? id] ?? '');
    else throw new Error(`invalid secret ${JSON.stringify(spec)}: src or env is required`);
  }
  return out;
}
