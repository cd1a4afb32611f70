// Where save/export write: stdout (never a terminal) or a file, checked first and written through a temporary file
// renamed into place (the docker CLI's ValidateOutputPath and CopyToFile).
import { createWriteStream } from 'node:fs';
import { rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, normalize } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Cli } from './cli.js';

// os.FileMode's device and irregular bits, as the daemon's path stat carries them.
export const MODE_DIR = 2 ** 31;
export const MODE_SYMLINK = 2 ** 27;
export const MODE_DEVICE = 2 ** 26;
export const MODE_IRREGULAR = 2 ** 19;

/** ValidateOutputPathFileMode. */
export function checkFileMode(mode: number): void {
  if (Math.floor(mode / MODE_DEVICE) % 2 === 1) throw new Error('got a device');
  if (Math.floor(mode / MODE_IRREGULAR) % 2 === 1) throw new Error('got an irregular file');
}

/** ValidateOutputPath: the directory must exist; an existing path must be a directory or a regular file. */
export async function validateOutputPath(path: string): Promise<void> {
  if (path === '') return;
  const dir = dirname(normalize(path));
  if (dir !== '' && dir !== '.') {
    await stat(dir).catch((e: NodeJS.ErrnoException) => {
      const why =
        e.code === 'ENOENT' ? 'no such file or directory' : e.code === 'ENOTDIR' ? 'not a directory' : e.message;
      throw new Error(`invalid output path: stat ${dir}: ${why}`, { cause: e });
    });
  }
  const st = await stat(path).catch(() => undefined);
  if (st && !st.isDirectory() && !st.isFile()) {
    throw new Error(`invalid output path: "${path}" must be a directory or a regular file: got a device`);
  }
}

/** Copies `body` to stdout, or to `file` through a temporary file in the same directory. */
export async function writeOutput(cli: Cli, body: Readable, file: string): Promise<void> {
  if (file === '') {
    await pipeline(body, cli.stdout, { end: false });
    return;
  }
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    await pipeline(body, createWriteStream(tmp));
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
}

/** save/export to stdout refuse a terminal. */
export function refuseTerminal(cli: Cli, file: string): void {
  if (file === '' && cli.stdout.isTTY) {
    throw new Error('cowardly refusing to save to a terminal. Use the -o flag or redirect');
  }
}
