// ADD's local archives (moby's isArchivePath + UntarPath): a file whose (decompressed) bytes begin with a valid tar
// header is unpacked at the destination instead of copied. gzip is decompressed in-process; bzip2, xz and zstd through
// the host's own tools (Node has no codec for them), their stdin reading the file.
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { decompress, readTar } from '../../archive/index.js';
import { InvalidParameter } from '../../errdefs/index.js';

const TOOLS: [string, number[]][] = [
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
];

async function head(abs: string): Promise<Buffer> {
  const fh = await open(abs, 'r');
  try {
    const buf = Buffer.alloc(6);
    const { bytesRead } = await fh.read(buf, 0, 6, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Decompressed through `tool -dc`; a failing tool is InvalidParameter with its message. */
async function* throughTool(tool: string, abs: string): AsyncGenerator<Buffer> {
  const input = createReadStream(abs);
  const child = spawn(tool, ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  void exited.catch(() => undefined); // awaited below unless the consumer stops early
  const stderr: Buffer[] = [];
  child.stderr.on('data', (b: Buffer) => stderr.push(b));
  input.on('error', (e) => child.stdin.destroy(e));
  child.stdin.on('error', () => {
    // the tool stopped reading (it failed, or the consumer stopped): its exit status says which
  });
  input.pipe(child.stdin);
  let finished = false;
  try {
    for await (const chunk of child.stdout) yield chunk as Buffer;
    finished = true;
  } finally {
    if (!finished) {
      input.destroy();
      child.kill();
    }
  }
  const code = await exited;
  if (code !== 0) {
    throw new InvalidParameter(`${tool}: ${Buffer.concat(stderr).toString().trim() || `exit status ${code}`}`);
  }
}

/** The plain tar bytes of the file (decompressed as its magic says). */
export async function archiveStream(abs: string): Promise<AsyncIterable<Buffer>> {
  const magic = await head(abs);
  for (const [tool, bytes] of TOOLS) {
    if (magic.length >= bytes.length && bytes.every((b, i) => magic[i] === b)) return throughTool(tool, abs);
  }
  return (await decompress(createReadStream(abs))).stream;
}

/** Whether ADD unpacks the file: its decompressed content starts with a valid tar header (an empty one does not). */
export async function isArchive(abs: string): Promise<boolean> {
  let it: AsyncIterator<Buffer> | undefined;
  try {
    const source = (await archiveStream(abs))[Symbol.asyncIterator]();
    it = source;
    const first = await readTar({ [Symbol.asyncIterator]: () => source }).next();
    return first.done !== true;
  } catch {
    return false;
  } finally {
    // Stops the decompressor (a tool's process) that readTar leaves half-read.
    await it?.return?.(undefined).catch(() => undefined);
  }
}
