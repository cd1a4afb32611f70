// Runs a bundled command (dist/bin/<name>.cjs) from a V8 code cache kept beside it: `node run-bundle.cjs BUNDLE ARGS…`.
// The CLIs start once per command, and compiling their bundle (functions compiled lazily during the run included)
// is a measurable part of that. The cache is written at the first exit, named after the bundle's size and mtime
// (V8 itself only checks the source length), so a rebuilt bundle gets a new one; stale ones are removed.
'use strict';
const fs = require('node:fs');
const vm = require('node:vm');
const path = require('node:path');
const Module = require('node:module');

// The bundle sees the argv it would have seen run directly: [node, bundle, args…].
process.argv.splice(1, 1);
const file = path.resolve(process.argv[1]);
process.argv[1] = file;
const dir = path.dirname(file);
const name = path.basename(file);
const st = fs.statSync(file);
const cache = `${file}.${st.size}-${Math.trunc(st.mtimeMs)}.v8cache`;
let cached;
try {
  cached = fs.readFileSync(cache);
} catch {}
const script = new vm.Script(Module.wrap(fs.readFileSync(file, 'utf8')), { filename: file, cachedData: cached });
if (!cached || script.cachedDataRejected) {
  process.once('exit', () => {
    try {
      const tmp = `${cache}.${process.pid}`;
      fs.writeFileSync(tmp, script.createCachedData());
      fs.renameSync(tmp, cache);
      for (const f of fs.readdirSync(dir)) {
        if (f.startsWith(`${name}.`) && f.endsWith('.v8cache') && path.join(dir, f) !== cache) {
          fs.rmSync(path.join(dir, f), { force: true });
        }
      }
    } catch {
      // a read-only checkout runs without a cache
    }
  });
}
const mod = new Module(file, null);
mod.filename = file;
mod.paths = Module._nodeModulePaths(dir);
require.main = mod;
script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, dir);
