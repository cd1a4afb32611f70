// berth cp: files between a container and the local filesystem, with docker's path rules (a trailing "/." copies a
// directory's contents, a missing destination takes the source's place, symlinks resolved as docker resolves them)
// and "-" for a tar stream on stdin or stdout.
import { lstat, readlink, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ParsedFlags } from '../args/index.js';
import type { PathStat } from '../../api/index.js';
import type { Cli } from './cli.js';
import { extractTar, rebaseName, tarTree } from './cp-tar.js';
import { humanSize } from './humanize.js';
import { checkFileMode, MODE_DIR, MODE_SYMLINK } from './output-file.js';

interface CopyInfo {
  path: string;
  exists: boolean;
  isDir: boolean;
  rebaseName?: string;
}

/** splitCpArg: "ctr:/path" → ["ctr", "/path"]; absolute and ./-relative local paths have no container. */
export function splitCpArg(arg: string): [string, string] {
  if (isAbsolute(arg)) return ['', arg];
  const i = arg.indexOf(':');
  if (i < 0 || arg.startsWith('.')) return ['', arg];
  return [arg.slice(0, i), arg.slice(i + 1)];
}

const specifiesCurrentDir = (p: string) => basename(p) === '.' || p === '.' || p.endsWith('/.');
const assertsDirectory = (p: string) => p.endsWith('/') || specifiesCurrentDir(p);

/** archive.SplitPathDirEntry. */
export function splitPathDirEntry(p: string): [string, string] {
  let cleaned = normalize(p).replace(/(.)\/+$/, '$1');
  if (specifiesCurrentDir(p)) cleaned = `${cleaned === '/' ? '' : cleaned}/.`;
  return [dirname(cleaned), basename(cleaned)];
}

/** filepath.Abs, keeping a trailing "/." or "/" (PreserveTrailingDotOrSeparator). */
function resolveLocalPath(p: string): string {
  const abs = resolve(p);
  if (p.endsWith('/.') && !abs.endsWith('/.')) return `${abs}/.`;
  if (p.endsWith('/') && !abs.endsWith('/')) return `${abs}/`;
  return abs;
}

const isDirMode = (mode: number) => Math.floor(mode / MODE_DIR) % 2 === 1;
const isLinkMode = (mode: number) => Math.floor(mode / MODE_SYMLINK) % 2 === 1;

/** Go's text for a failed stat-like call: "lstat /x: no such file or directory". */
function fsError(op: string, path: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException).code;
  const texts: Record<string, string> = {
    ENOENT: 'no such file or directory',
    ENOTDIR: 'not a directory',
    EACCES: 'permission denied',
  };
  return new Error(`${op} ${path}: ${(code && texts[code]) ?? (e as Error).message}`, { cause: e });
}

/** archive.CopyInfoDestinationPath: follows symlinks; a missing path needs an existing parent directory. */
async function destinationInfo(path: string): Promise<CopyInfo> {
  let p = path;
  for (let n = 0; ; n++) {
    const st = await lstat(p).catch(() => undefined);
    if (st && !st.isSymbolicLink()) return { path: p, exists: true, isDir: st.isDirectory() };
    if (!st) break;
    if (n > 10) throw new Error(`too many symlinks in ${path}`);
    const target = await readlink(p);
    p = isAbsolute(target) ? target : join(splitPathDirEntry(p)[0], target);
  }
  const [parent] = splitPathDirEntry(p);
  const st = await stat(parent).catch((e: unknown) => {
    throw fsError('stat', parent, e);
  });
  if (!st.isDirectory()) throw new Error('not a directory');
  return { path: p, exists: false, isDir: false };
}

/** archive.CopyInfoSourcePath. */
async function sourceInfo(path: string, followLink: boolean): Promise<CopyInfo> {
  let resolved: string;
  let rebase: string | undefined;
  if (followLink) {
    resolved = await realpath(path).catch((e: unknown) => {
      throw fsError('lstat', path, e);
    });
    if (basename(path) !== basename(resolved)) rebase = basename(path);
  } else {
    const dir = path.endsWith('/') ? path : dirname(path) + '/';
    const base = path.endsWith('/') ? '' : basename(path);
    const realDir = await realpath(dir).catch((e: unknown) => {
      throw fsError('lstat', dir.replace(/\/$/, ''), e);
    });
    resolved = `${realDir === '/' ? '' : realDir}/${base}`;
    if (path.endsWith('/') && basename(path) !== basename(resolved)) rebase = basename(path);
  }
  const st = await lstat(resolved).catch((e: unknown) => {
    throw fsError('lstat', resolved, e);
  });
  return { path: resolved, exists: true, isDir: st.isDirectory(), ...(rebase ? { rebaseName: rebase } : {}) };
}

/** archive.PrepareArchiveCopy: where to extract, and how to rename the archive's top entry. */
function prepareCopy(src: CopyInfo, dst: CopyInfo): { dir: string; rename?: [string, string] } {
  const [dstDir, dstBase] = splitPathDirEntry(dst.path);
  const srcBase = src.rebaseName || splitPathDirEntry(src.path)[1];
  if (dst.exists && dst.isDir) return { dir: dst.path };
  if (dst.exists && src.isDir) throw new Error('cannot copy directory');
  if (!dst.exists && !src.isDir && assertsDirectory(dst.path)) throw new Error('no such directory');
  return { dir: dstDir, rename: [srcBase, dstBase] };
}

export default async function cp(cli: Cli, flags: ParsedFlags): Promise<number> {
  const [srcContainer, srcPath] = splitCpArg(flags.args[0]!);
  const [dstContainer, dstPath] = splitCpArg(flags.args[1]!);
  const quiet = flags.bool('quiet') || !cli.stderr.isTTY;
  const opts = { followLink: flags.bool('follow-link'), copyUIDGID: flags.bool('archive'), quiet };
  if (srcContainer && dstContainer) throw new Error('copying between containers is not supported');
  if (srcContainer) return copyFromContainer(cli, srcContainer, srcPath, dstPath, opts);
  if (dstContainer) return copyToContainer(cli, dstContainer, srcPath, dstPath, opts);
  throw new Error('must specify at least one container source');
}

interface CopyOptions {
  followLink: boolean;
  copyUIDGID: boolean;
  quiet: boolean;
}

async function copyFromContainer(cli: Cli, ctr: string, src: string, dst: string, o: CopyOptions): Promise<number> {
  const containers = cli.client().containers;
  const dstPath = dst === '-' ? dst : resolveLocalPath(dst);
  let srcPath = src;
  let rebase: string | undefined;
  if (o.followLink) {
    const st = await containers.statPath(ctr, srcPath).catch(() => undefined);
    if (st && isLinkMode(st.mode)) {
      let target = st.linkTarget;
      if (!target.startsWith('/')) target = join(splitPathDirEntry(srcPath)[0], target);
      rebase = splitPathDirEntry(srcPath)[1];
      srcPath = target;
    }
  }
  const { stream, stat: st } = await containers.getArchive(ctr, srcPath);
  if (dstPath === '-') {
    await pipeline(stream, cli.stdout, { end: false });
    return 0;
  }
  const srcInfo: CopyInfo = {
    path: srcPath,
    exists: true,
    isDir: isDirMode(st.mode),
    ...(rebase ? { rebaseName: rebase } : {}),
  };
  const dstInfo = await destinationInfo(dstPath);
  const { dir, rename } = prepareCopy(srcInfo, dstInfo);
  // A followed symlink's archive is named after its target; it takes the link's name, then the copy's.
  const base = splitPathDirEntry(srcPath)[1];
  const renameEntry = (n: string) => {
    const named = rebase ? rebaseName(n, base, rebase) : n;
    return rename ? rebaseName(named, rename[0], rename[1]) : named;
  };
  const total = await extractTar(stream, dir, renameEntry);
  if (!o.quiet) cli.err(`Successfully copied ${humanSize(total, 3)} to ${dstPath}\n`);
  return 0;
}

async function copyToContainer(cli: Cli, ctr: string, src: string, dst: string, o: CopyOptions): Promise<number> {
  const containers = cli.client().containers;
  const srcPath = src === '-' ? src : resolveLocalPath(src);
  const dstInfo: CopyInfo = { path: dst, exists: false, isDir: false };
  let dstStat: PathStat | undefined = await containers.statPath(ctr, dst).catch(() => undefined);
  if (dstStat && isLinkMode(dstStat.mode)) {
    let target = dstStat.linkTarget;
    if (!target.startsWith('/')) target = join(splitPathDirEntry(dst)[0], target);
    dstInfo.path = target;
    dstStat = await containers.statPath(ctr, target).catch(() => undefined);
  }
  if (dstStat) {
    try {
      checkFileMode(dstStat.mode);
    } catch (e) {
      throw new Error(`destination "${ctr}:${dst}" must be a directory or a regular file: ${(e as Error).message}`);
    }
    dstInfo.exists = true;
    dstInfo.isDir = isDirMode(dstStat.mode);
  }
  const putOpts = { copyUIDGID: o.copyUIDGID };
  if (srcPath === '-') {
    if (!dstInfo.isDir) throw new Error(`destination "${ctr}:${dst}" must be a directory`);
    await containers.putArchive(ctr, dstInfo.path, cli.stdin, putOpts);
    return 0;
  }
  const srcInfo = await sourceInfo(srcPath, o.followLink);
  const [srcDir, srcBase] = splitPathDirEntry(srcInfo.path);
  const { dir, rename } = prepareCopy(srcInfo, dstInfo);
  const archive = tarTree(srcDir, srcBase, rename ? rename[1] : srcInfo.rebaseName);
  let copied = 0;
  archive.on('data', (c: Buffer) => {
    copied += c.length;
  });
  await containers.putArchive(ctr, dir, archive, putOpts);
  if (!o.quiet) cli.err(`Successfully copied ${humanSize(copied, 3)} to ${ctr}:${dst}\n`);
  return 0;
}
