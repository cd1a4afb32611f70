// Where the daemon keeps things (docs/architecture.md "On disk"): the data root survives reboots, the exec root
// (sockets, bundles, netns mounts) does not.
import { join } from 'node:path';

export interface DaemonPaths {
  dataRoot: string;
  execRoot: string;
  containers: string;
  image: string;
  layers: string;
  tmp: string;
  /** The runtime's state directory (runc's --root). */
  runtime: string;
  /** OCI bundles: exec-root/bundles/<id>/config.json */
  bundles: string;
  netns: string;
  /** The resource journal of running containers (container/journal.ts). */
  journal: string;
}

export function daemonPaths(dataRoot: string, execRoot: string): DaemonPaths {
  return {
    dataRoot,
    execRoot,
    containers: join(dataRoot, 'containers'),
    image: join(dataRoot, 'image'),
    layers: join(dataRoot, 'layers'),
    tmp: join(dataRoot, 'tmp'),
    runtime: join(execRoot, 'runtime'),
    bundles: join(execRoot, 'bundles'),
    netns: join(execRoot, 'netns'),
    journal: join(execRoot, 'journal'),
  };
}
