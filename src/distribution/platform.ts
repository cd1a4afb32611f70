// Which manifest of a manifest list / OCI index this host runs (containerd's platforms.Default matcher, simplified):
// linux and this machine's architecture (with its variant where one matters), or the `--platform` asked for.
import { InvalidParameter, NotFound } from '../errdefs/index.js';
import type { Descriptor, Platform } from '../image/types.js';

const ARCH: Record<string, { architecture: string; variant?: string }> = {
  x64: { architecture: 'amd64' },
  arm64: { architecture: 'arm64', variant: 'v8' },
  arm: { architecture: 'arm', variant: 'v7' },
  ia32: { architecture: '386' },
  ppc64: { architecture: 'ppc64le' },
  s390x: { architecture: 's390x' },
  riscv64: { architecture: 'riscv64' },
};

/** linux/<this architecture>. */
export function hostPlatform(): Platform {
  const a = ARCH[process.arch] ?? { architecture: process.arch };
  return { os: 'linux', ...a };
}

/** Parses `os[/arch[/variant]]` (`--platform`); the empty string means this host. */
export function parsePlatform(s: string): Platform {
  if (s === '') return hostPlatform();
  const parts = s.toLowerCase().split('/');
  if (parts.length > 3 || parts.some((p) => p === '' || !/^[a-z0-9_.-]+$/.test(p))) {
    throw new InvalidParameter(`"${s}": unknown operating system or architecture: invalid argument`);
  }
  const [os, arch, variant] = parts as [string, string | undefined, string | undefined];
  const host = hostPlatform();
  const architecture = arch === 'x86_64' || arch === 'x86-64' ? 'amd64' : arch === 'aarch64' ? 'arm64' : arch;
  const p: Platform = { os, architecture: architecture ?? host.architecture };
  if (variant) p.variant = variant;
  else if (architecture === undefined && host.variant) p.variant = host.variant;
  return p;
}

export const platformString = (p: Platform): string =>
  [p.os, p.architecture, p.variant].filter((x) => x !== undefined && x !== '').join('/');

/** The index entry for `want`: same os and architecture, and the variant when both name one (arm64's v8 is implied). */
export function selectManifest(entries: readonly Descriptor[], want: Platform): Descriptor {
  const variantOk = (got: string | undefined) =>
    want.variant === undefined ||
    got === undefined ||
    got === want.variant ||
    (want.architecture === 'arm64' && got === '' && want.variant === 'v8');
  const matches = entries.filter(
    (d) =>
      d.platform !== undefined &&
      d.platform.os === want.os &&
      d.platform.architecture === want.architecture &&
      variantOk(d.platform.variant),
  );
  // An exact variant wins over an unnamed one.
  const best = matches.find((d) => d.platform?.variant === want.variant) ?? matches[0];
  if (!best) throw new NotFound(`no matching manifest for ${platformString(want)} in the manifest list entries`);
  return best;
}
