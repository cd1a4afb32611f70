// Dependency direction (docs/architecture.md): cmd wires everything; nothing imports cmd; leaves never import engine,
// server or cli; archive (files and tars) imports only errdefs, lib and sys; api imports only errdefs; lib and errdefs
// import nothing of berth's but each other; the engine and the server reach runtimes only through ContainerRuntime.
const LEAVES = '^src/(archive|image|storage|runtime|network|volume|distribution|builder)/';
module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', from: { path: '^src/' }, to: { circular: true } },
    { name: 'nothing-imports-cmd', severity: 'error', from: { path: '^src/', pathNot: '^src/cmd/' }, to: { path: '^src/cmd/' } },
    {
      name: 'leaves-stay-leaves',
      severity: 'error',
      from: { path: LEAVES },
      to: { path: '^src/(engine|server|cli|client|compose|runtime-cli)/' },
    },
    {
      // Files and archives sit under every other leaf (storage, image, runtime, the engine use it): it may not
      // reach up into them.
      name: 'archive-is-the-bottom-leaf',
      severity: 'error',
      from: { path: '^src/archive/' },
      to: { path: '^src/(?!archive/|errdefs/|lib/|sys/)' },
    },
    {
      // The runtime seam: the engine asks a ContainerRuntime, never a shim's socket, a state store or a concrete runtime.
      name: 'engine-behind-the-runtime-seam',
      severity: 'error',
      from: { path: '^src/(engine|server)/' },
      to: { path: '^src/runtime/(shim/|state-store\\.ts|runtime\\.ts|oci-command/)' },
    },
    {
      // The registry server stands beside the engine, not on it: it shares storage/, lib/, api/ and errdefs only.
      name: 'registry-shares-storage-lib-api-only',
      severity: 'error',
      from: { path: '^src/registry/' },
      to: { path: '^src/(?!registry/|storage/|lib/|api/|errdefs/)' },
    },
    { name: 'lib-is-pure', severity: 'error', from: { path: '^src/(lib|errdefs)/' }, to: { path: '^src/(?!lib/|errdefs/)' } },
    { name: 'api-types-only', severity: 'error', from: { path: '^src/api/' }, to: { path: '^src/(?!api/|errdefs/)' } },
    { name: 'cli-talks-http', severity: 'error', from: { path: '^src/cli/' }, to: { path: '^src/(engine|server|runtime|image|storage|network|volume)/' } },
    { name: 'no-test-code-in-src', severity: 'error', from: { path: '^src/', pathNot: '\\.test\\.ts$' }, to: { path: '^test/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
