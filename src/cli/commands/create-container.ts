// The docker CLI's createContainer, shared by run and create: the --cidfile, --pull=always, the create request,
// and on "No such image" the pull ("Unable to find image 'busybox:latest' locally") and a second try.
import { open, unlink } from 'node:fs/promises';
import type { CreateOptions } from '../args/index.js';
import { isNotFound } from '../../errdefs/index.js';
import type { Cli } from './cli.js';
import { pullImage } from './pull-image.js';
import { familiarString, parseNormalizedNamed, tagNameOnly } from './reference.js';

/** Creates the container `opts` describes and returns its ID (warnings go to stderr). */
export async function createContainer(cli: Cli, opts: CreateOptions): Promise<string> {
  const cidfile = opts.cidfile ? await openCidFile(opts.cidfile) : undefined;
  let written = false;
  try {
    const image = opts.request.Image ?? '';
    const named = parseNormalizedNamed(image);
    const pull = () => pullImage(cli, image, { quiet: opts.quiet, platform: opts.platform, print: (t) => cli.err(t) });
    if (opts.pull === 'always') await pull();
    const create = () =>
      cli.client().containers.create(opts.request, {
        ...(opts.name ? { name: opts.name } : {}),
        ...(opts.platform ? { platform: opts.platform } : {}),
      });
    let response: Awaited<ReturnType<typeof create>>;
    try {
      response = await create();
    } catch (e) {
      if (!(isNotFound(e) && named && opts.pull === 'missing')) throw e;
      if (!opts.quiet) cli.err(`Unable to find image '${familiarString(tagNameOnly(named))}' locally\n`);
      await pull();
      response = await create();
    }
    for (const w of response.Warnings ?? []) cli.err(`WARNING: ${w}\n`);
    if (cidfile) {
      await cidfile.handle.writeFile(response.Id);
      written = true;
    }
    return response.Id;
  } finally {
    await cidfile?.handle.close();
    if (cidfile && !written) await unlink(cidfile.path).catch(() => {});
  }
}

async function openCidFile(path: string) {
  try {
    return { path, handle: await open(path, 'wx') };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new Error(`container ID file found, make sure the other container isn't running or delete ${path}`);
    }
    throw new Error(`failed to create the container ID file: ${(e as Error).message}`, { cause: e });
  }
}

/** [rows, columns] of our terminal, or [0, 0], as the create request's ConsoleSize. */
export function consoleSize(cli: Cli): [number, number] {
  return cli.stdout.isTTY ? [cli.stdout.rows, cli.stdout.columns] : [0, 0];
}
