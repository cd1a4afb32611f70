// Idmapped mounts (mount_setattr MOUNT_ATTR_IDMAP): a directory shown through a user namespace's id mapping, so a
// remapped container sees an image layer's files owned by its own ids while the layer on disk stays shared.
#ifndef BERTH_IDMAP_H
#define BERTH_IDMAP_H

// `berth-helper idmap-mount <uid_map> <gid_map> <src> <dst> [<src> <dst>...]`: one user namespace with the two maps
// (uid_map's text format), then each src cloned, idmapped and attached on dst (an existing directory). On failure
// prints `error <errno> <message>` on stderr; the mounts made before it stay (the caller unmounts them).
int idmap_mount_main(int argc, char **argv);

#endif
