// Container networking. For now: network namespaces made ahead of the container, with loopback up.
export { createNetns, deleteNetns, prepareNetnsDir } from './netns.js';
