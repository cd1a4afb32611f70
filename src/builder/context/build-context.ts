// The context a build was sent (POST /build's body): unpacked, confined, into a private directory, with its
// Dockerfile and .dockerignore read as dockerd's remotecontext does.
import { mkdir, readFile, rm } from 'node:fs/promises';
import { posix } from 'node:path';
import { type LayerSource, RootTree } from '../../archive/index.js';
import { errnoCode, InvalidParameter, NotFound } from '../../errdefs/index.js';
import { type IgnoreMatcher, ignoreMatcher, parseDockerignore } from './dockerignore.js';
import { followInScope } from './sources.js';

export class BuildContext {
  private constructor(
    /** The directory holding the context. */
    readonly root: string,
    /** The context's .dockerignore rules (none when it has no such file). */
    readonly ignore: IgnoreMatcher,
  ) {}

  /**
   * Unpacks the tar (plain or gzip) `source` into `dir` (created; must be empty): every entry kept below it,
   * symlinks stored as symlinks, owners as the tar says. A corrupt tar is InvalidParameter.
   */
  static async fromTar(source: AsyncIterable<Buffer> | NodeJS.ReadableStream, dir: string): Promise<BuildContext> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const tree = await RootTree.open(dir, []);
    try {
      await tree.extract('/', source as LayerSource, { noOverwriteDirNonDir: false, readOnlyRoot: false });
    } finally {
      await tree.close();
    }
    const text = await readInContext(dir, '.dockerignore');
    return new BuildContext(dir, ignoreMatcher(text === undefined ? [] : parseDockerignore(text)));
  }

  /**
   * The Dockerfile's text: `name` relative to the context (symlinks followed inside it); the default 'Dockerfile'
   * falls back to 'dockerfile'. Docker's messages: 'Cannot locate specified Dockerfile: X', 'the Dockerfile (X)
   * cannot be empty', 'forbidden path outside the build context: X ()'.
   */
  async dockerfile(name = 'Dockerfile'): Promise<string> {
    const lexical = posix.normalize(name);
    if (lexical === '..' || lexical.startsWith('../')) {
      throw new InvalidParameter(`forbidden path outside the build context: ${name} ()`);
    }
    let text = await readInContext(this.root, name);
    if (text === undefined && name === 'Dockerfile') text = await readInContext(this.root, 'dockerfile');
    if (text === undefined) throw new NotFound(`Cannot locate specified Dockerfile: ${name}`);
    if (text.length === 0) throw new InvalidParameter(`the Dockerfile (${name}) cannot be empty`);
    return text;
  }

  /** Deletes the context's directory. */
  async remove(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}

/** A file of the context by its path inside it (symlinks resolved there); undefined when it does not exist. */
async function readInContext(root: string, name: string): Promise<string | undefined> {
  const rel = await followInScope(root, name);
  if (rel === '') return undefined;
  try {
    return await readFile(posix.join(root, rel), 'utf8');
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    if (code === 'EISDIR') throw new InvalidParameter(`Cannot locate specified Dockerfile: ${name} (a directory)`);
    throw e;
  }
}
