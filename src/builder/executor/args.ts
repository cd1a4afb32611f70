// Build arguments: `--build-arg` values, the ARGs a Dockerfile declares (before FROM for FROM lines, per stage for
// the rest), and the ones Docker predefines (proxies, usable without ARG and kept out of history; platform args).
export type BuildArgs = ReadonlyMap<string, string | undefined>;

/** Usable in RUN without a matching ARG; left out of history and the cache key unless declared (Docker's rule). */
export const PROXY_ARGS = new Set(
  ['HTTP_PROXY', 'HTTPS_PROXY', 'FTP_PROXY', 'NO_PROXY', 'ALL_PROXY'].flatMap((n) => [n, n.toLowerCase()]),
);

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le' };

/** BuildKit's automatic platform args (the build and target platforms are this machine's). */
export function platformArgs(platform?: string): Map<string, string> {
  const build = `linux/${GO_ARCH[process.arch] ?? process.arch}`;
  const target = platform || build;
  const [os = 'linux', arch = '', variant = ''] = target.split('/');
  const [bos = 'linux', barch = ''] = build.split('/');
  return new Map([
    ['TARGETPLATFORM', target],
    ['TARGETOS', os],
    ['TARGETARCH', arch],
    ['TARGETVARIANT', variant],
    ['BUILDPLATFORM', build],
    ['BUILDOS', bos],
    ['BUILDARCH', barch],
    ['BUILDVARIANT', ''],
  ]);
}

/** The environment variables an image config's Env list holds (last wins). */
export function envMap(env: readonly string[] | null | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const kv of env ?? []) {
    const eq = kv.indexOf('=');
    if (eq > 0) out.set(kv.slice(0, eq), kv.slice(eq + 1));
    else out.set(kv, '');
  }
  return out;
}

/** Sets `key` in an Env list, in place of an earlier value. */
export function setEnv(env: readonly string[] | null | undefined, key: string, value: string): string[] {
  const out = (env ?? []).filter((kv) => kv !== key && !kv.startsWith(`${key}=`));
  out.push(`${key}=${value}`);
  return out;
}
