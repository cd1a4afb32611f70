// seccomp for containers: Docker's default profile or a user's JSON profile, resolved for a container's capability
// set into a runtime-spec LinuxSeccomp, and compiled (cached) to the BPF program the helper loads.
import { release } from 'node:os';
import type { LinuxSeccomp } from '../spec.js';
import { DEFAULT_PROFILE } from './default-profile.js';
import { parseKernelRelease, parseProfile, resolveProfile } from './profile.js';

export { compileSeccomp, seccompFlags, seccompProgram } from './bpf.js';
export { DEFAULT_PROFILE } from './default-profile.js';
export { parseProfile, resolveProfile, type SeccompProfile } from './profile.js';

let hostKernel: [number, number] | undefined;
const defaults = new Map<string, LinuxSeccomp>();

/**
 * The LinuxSeccomp for a container holding `capabilities` (its bounding set): Docker's default profile when
 * `profile` is undefined, else the given JSON profile (Docker's format; InvalidParameter when it is not valid).
 * Undefined when the profile asks for no filter. The default one is resolved once per distinct capability set.
 */
export function containerSeccomp(capabilities: readonly string[], profile?: string): LinuxSeccomp | undefined {
  hostKernel ??= parseKernelRelease(release());
  const ctx = { capabilities, arch: process.arch, kernel: hostKernel };
  if (profile !== undefined) {
    const parsed = parseProfile(profile);
    return parsed && resolveProfile(parsed, ctx);
  }
  const key = [...capabilities].sort().join(',');
  let resolved = defaults.get(key);
  if (!resolved) {
    resolved = resolveProfile(DEFAULT_PROFILE, ctx);
    defaults.set(key, resolved);
  }
  return resolved;
}
