// COPY/ADD source arguments resolved against a tree as the legacy builder does (moby's copier.calcCopyInfo): a leading
// '/' or './' dropped, a path climbing out of the tree refused, symlinks followed with the tree as '/', wildcards
// matched (filepath.Match) against every path of the tree, and what .dockerignore hides treated as absent.
import { lstat, readdir, readlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { errnoCode, InvalidParameter } from '../../errdefs/index.js';
import { hasExceptionsUnder, type IgnoreMatcher } from './dockerignore.js';
import { compileGoPattern, containsWildcards } from './glob.js';

/** A tree COPY/ADD reads from: the context (with its ignore rules) or another stage's/image's rootfs (none). */
export interface SourceTree {
  root: string;
  ignore?: IgnoreMatcher;
}

/** One resolved source. */
export interface CopySource {
  /** Relative to the tree's root, cleaned, every symlink resolved inside the tree ('' is the root itself). */
  path: string;
  /** The name it takes inside a directory destination: the base of the path as written (a symlink's own name). */
  name: string;
}

const MAX_LINKS = 255; // moby/sys/symlink's limit

/**
 * moby's FollowSymlinkInScope on a relative path: symlinks followed with `root` as '/', `..` clamped there, a
 * missing rest kept as written (so '..' after it still applies). Returns the resolved path relative to `root` ('' for the root).
 */
export async function followInScope(root: string, rel: string): Promise<string> {
  const pending = rel.split('/').filter((s) => s !== '' && s !== '.');
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const name = pending.shift() as string;
    if (name === '..') {
      done.pop();
      continue;
    }
    let target: string | undefined;
    try {
      const st = await lstat(posix.join(root, ...done, name));
      if (st.isSymbolicLink()) target = await readlink(posix.join(root, ...done, name));
    } catch (e) {
      // A missing component is kept as written (and a later '..' takes it off again).
      if (errnoCode(e) !== 'ENOENT' && errnoCode(e) !== 'ENOTDIR') throw e;
    }
    if (target === undefined) {
      done.push(name);
      continue;
    }
    if (++links > MAX_LINKS) throw new InvalidParameter(`too many links in ${rel}`);
    if (target.startsWith('/')) done.length = 0;
    pending.unshift(...target.split('/').filter((s) => s !== '' && s !== '.'));
  }
  return done.join('/');
}

/**
 * Whether the context shows `rel`: not excluded, or an excluded directory the docker CLI still sends because an
 * exception names something inside it. Paths in a tree without ignore rules are all visible.
 */
export function isVisible(ignore: IgnoreMatcher | undefined, rel: string, isDir: boolean): boolean {
  if (!ignore || rel === '' || !ignore.matches(rel)) return true;
  return isDir && hasExceptionsUnder(ignore, rel);
}

async function isDirectory(abs: string): Promise<boolean | undefined> {
  try {
    return (await lstat(abs)).isDirectory();
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return undefined;
    throw e;
  }
}

/** The tree's paths (relative, in Go's WalkDir order: bytes, depth first), not following symlinks, ignore applied. */
async function* walk(tree: SourceTree, rel: string, depth: number): AsyncGenerator<string> {
  if (depth === 0) return;
  let names: string[];
  try {
    names = await readdir(rel ? posix.join(tree.root, rel) : tree.root);
  } catch (e) {
    if (errnoCode(e) === 'ENOTDIR' || errnoCode(e) === 'ENOENT') return;
    throw e;
  }
  names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const name of names) {
    const child = rel ? `${rel}/${name}` : name;
    const dir = await isDirectory(posix.join(tree.root, child));
    if (dir === undefined || !isVisible(tree.ignore, child, dir)) continue;
    yield child;
    if (dir) yield* walk(tree, child, depth - 1);
  }
}

export interface ResolveOptions {
  allowWildcard: boolean;
  /** The instruction, for messages ('COPY' unless told). */
  cmdName?: string;
}

/**
 * Resolves COPY/ADD source arguments (URLs excluded: see fetchUrlSource). Errors are Docker's: `<CMD> failed: file
 * not found in build context or excluded by .dockerignore: stat X: file does not exist`, `<CMD> failed: forbidden
 * path outside the build context: X ()`, and `<CMD> failed: no source files were specified` when nothing matched.
 */
export async function resolveSources(tree: SourceTree, args: string[], opts: ResolveOptions): Promise<CopySource[]> {
  const cmd = opts.cmdName ?? 'COPY';
  const out: CopySource[] = [];
  for (const arg of args) out.push(...(await resolveOne(tree, arg, opts.allowWildcard, cmd)));
  if (out.length === 0) throw new InvalidParameter(`${cmd} failed: no source files were specified`);
  return out;
}

async function resolveOne(tree: SourceTree, arg: string, allowWildcard: boolean, cmd: string): Promise<CopySource[]> {
  let orig = arg.startsWith('/') ? arg.slice(1) : arg;
  if (orig.startsWith('./')) orig = orig.slice(2);
  if (allowWildcard && containsWildcards(orig)) {
    const re = compileGoPattern(orig);
    // A match has as many components as the pattern ('*' never matches '/'), so the walk goes no deeper.
    const depth = orig.split('/').length;
    const found: CopySource[] = [];
    for await (const rel of walk(tree, '', depth)) {
      if (re.test(rel)) found.push(...(await resolveOne(tree, rel, false, cmd)));
    }
    return found;
  }
  const lexical = posix.normalize(orig === '' ? '.' : orig);
  if (lexical === '..' || lexical.startsWith('../')) {
    throw new InvalidParameter(`${cmd} failed: forbidden path outside the build context: ${orig} ()`);
  }
  const rel = lexical === '.' ? '' : lexical.replace(/\/$/, '');
  const resolved = await followInScope(tree.root, rel);
  const notFound = () =>
    new InvalidParameter(
      `${cmd} failed: file not found in build context or excluded by .dockerignore: stat ${orig}: file does not exist`,
    );
  // os.Stat: the final symlink is followed too (followInScope did), a missing target is "not found".
  const dir = await isDirectory(resolved ? posix.join(tree.root, resolved) : tree.root);
  if (dir === undefined) throw notFound();
  // Hidden under the name written or the name it resolves to (a parent's pattern counts): the CLI would not send it.
  if (!isVisible(tree.ignore, rel, dir) || !isVisible(tree.ignore, resolved, dir)) throw notFound();
  return [{ path: resolved, name: rel === '' ? '.' : posix.basename(rel) }];
}
