// What the runtime adds to a container's read-write layer only as mount points, which `docker diff` and `docker
// commit` leave out, as dockerd's "-init" layer keeps them out of the container's own.

/**
 * Mount points the runtime creates in the read-write layer when the image lacks them (Docker makes them in an "-init"
 * layer below the container's, so its diff never shows them), and /etc or /dev "changed" only because of them.
 */
const ENGINE_MOUNT_POINTS = new Set([
  '/etc/hostname',
  '/etc/hosts',
  '/etc/resolv.conf',
  '/dev',
  '/dev/pts',
  '/dev/shm',
  '/dev/mqueue',
  '/proc',
  '/sys',
]);

export function withoutMountPoints<T extends { path: string; kind: number }>(changes: T[]): T[] {
  const kept = changes.filter((c) => !(ENGINE_MOUNT_POINTS.has(c.path) && c.kind !== 2));
  return kept.filter(
    (c) =>
      !((c.path === '/etc' || c.path === '/dev') && c.kind === 0 && !kept.some((o) => o.path.startsWith(`${c.path}/`))),
  );
}
