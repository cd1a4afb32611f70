// Volumes (moby's volume/local): the local driver's store of named and anonymous volumes, their names and options.
// Imports nothing of berth's but errdefs, lib and sys.
export { LOCAL_DRIVER, type LocalVolume, LocalVolumes, validateLocalOptions } from './local.js';
export { ANONYMOUS_LABEL, validateVolumeName } from './names.js';
