// Volume names as the local driver allows them (moby's volume/local validateName): what becomes a directory name
// under the data root, so nothing with "/" or ".." ever reaches the filesystem.
import { InvalidParameter } from '../errdefs/index.js';

const RESTRICTED_CHARS = '[a-zA-Z0-9][a-zA-Z0-9_.-]';
const VALID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** dockerd's words, with its "create <name>: " prefix (its volume service wraps the driver's refusal so). */
export function validateVolumeName(name: string): void {
  if (name.length === 1) {
    throw new InvalidParameter(
      `create ${name}: volume name is too short, names should be at least two alphanumeric characters`,
    );
  }
  if (!VALID.test(name)) {
    throw new InvalidParameter(
      `create ${name}: "${name}" includes invalid characters for a local volume name, only "${RESTRICTED_CHARS}" are allowed. If you intended to pass a host directory, use absolute path`,
    );
  }
}

/** The label Docker (23+) puts on anonymous volumes; `volume prune` without --all removes only those. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';
