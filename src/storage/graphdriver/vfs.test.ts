import { runGraphDriverSuite } from './testsuite.js';
import { VfsDriver } from './vfs.js';

runGraphDriverSuite('vfs', (root) => VfsDriver.init(root));
