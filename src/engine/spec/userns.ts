// A container's user namespace under the daemon's --userns-remap (moby's WithUserNamespace and the checks of
// verifyPlatformContainerSettings): which mapping it gets, which settings conflict with it, and the spec's part.
import { chown, stat } from 'node:fs/promises';
import type { HostConfig } from '../../api/index.js';
import { InvalidParameter } from '../../errdefs/index.js';
import { type IdentityMapping, rootPair, toHost } from '../../lib/idmap.js';
import type { Spec } from '../../runtime/spec.js';

/** The mapping container `hc` runs under: the daemon's, unless it has none or the container asked `--userns=host`. */
export function containerIdMapping(hc: HostConfig, remap: IdentityMapping | undefined): IdentityMapping | undefined {
  return remap && hc.UsernsMode !== 'host' ? remap : undefined;
}

/** dockerd's refusals for a remapped container (its message texts). */
export function checkUsernsSettings(hc: HostConfig, remap: IdentityMapping | undefined): void {
  const mode = hc.UsernsMode ?? '';
  if (mode !== '' && mode !== 'host') throw new InvalidParameter(`invalid USER mode: ${mode}`);
  if (!containerIdMapping(hc, remap)) return;
  if (hc.Privileged) {
    throw new InvalidParameter(
      'privileged mode is incompatible with user namespaces.  You must run the container in the host namespace when running privileged mode',
    );
  }
  if (hc.NetworkMode === 'host') {
    throw new InvalidParameter("cannot share the host's network namespace when user namespaces are enabled");
  }
  if (hc.PidMode === 'host') {
    throw new InvalidParameter('cannot share the host PID namespace when user namespaces are enabled');
  }
}

/** Puts the process in a new user namespace with the mapping (the runtime writes the maps before it runs). */
export function withUserNamespace(spec: Spec, mapping: IdentityMapping): void {
  const linux = spec.linux ?? {};
  linux.namespaces = [...(linux.namespaces ?? []).filter((n) => n.type !== 'user'), { type: 'user' }];
  linux.uidMappings = mapping.uidMappings.map((m) => ({ ...m }));
  linux.gidMappings = mapping.gidMappings.map((m) => ({ ...m }));
  spec.linux = linux;
}

/** A container's (uid, gid) as the host sees it: how files the daemon makes for the container must be owned. */
export function hostOwner(
  mapping: IdentityMapping | undefined,
  owner: { uid: number; gid: number },
): { uid: number; gid: number } {
  if (!mapping) return { uid: owner.uid, gid: owner.gid };
  return { uid: toHost(mapping.uidMappings, owner.uid), gid: toHost(mapping.gidMappings, owner.gid) };
}

/**
 * What the container's root must reach and write, as dockerd's remapped setup leaves it: the container's directory
 * traversable by its root's group (0710 root:<remapped gid>), its hosts, hostname and resolv.conf owned by its root.
 */
export async function giveToContainerRoot(mapping: IdentityMapping, dir: string, files: string[]): Promise<void> {
  const root = rootPair(mapping);
  await Promise.all([chown(dir, 0, root.gid), ...files.map((f) => chown(f, root.uid, root.gid))]);
}

/** A volume's data dir still owned by the host's root (made by the daemon, never written) goes to the container's root. */
export async function giveVolumesToContainerRoot(mapping: IdentityMapping, dirs: string[]): Promise<void> {
  const root = rootPair(mapping);
  await Promise.all(
    dirs
      .filter((d) => d !== '')
      .map(async (d) => {
        const st = await stat(d).catch(() => undefined);
        if (st && st.uid === 0 && st.gid === 0) await chown(d, root.uid, root.gid);
      }),
  );
}
