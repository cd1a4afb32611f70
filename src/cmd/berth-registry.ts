// berth-registry: an OCI distribution registry (`serve`) and its garbage collector (`gc`), over src/registry.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { exitWhenFlushed } from '../lib/exit-flushed.js';
import { collectGarbage, createRegistryServer, loadConfig, openRegistry, parseDuration } from '../registry/index.js';

const USAGE = `Usage:
  berth-registry serve --addr HOST:PORT --root DIR [--config FILE] [--tls-cert FILE --tls-key FILE]
  berth-registry gc --root DIR [--config FILE] [--dry-run] [--grace DURATION]
`;

const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);

function splitAddr(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  const port = Number(addr.slice(i + 1));
  if (i < 0 || !Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --addr ${addr}`);
  return { host: addr.slice(0, i).replace(/^\[(.*)\]$/, '$1') || '0.0.0.0', port };
}

async function serve(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      addr: { type: 'string', default: '0.0.0.0:5000' },
      root: { type: 'string' },
      config: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
    },
  });
  if (!values.root) throw new Error('--root is required');
  const config = await loadConfig(values.config);
  const services = await openRegistry(values.root, config, log);
  const certPath = values['tls-cert'] ?? config.tls?.certificate;
  const keyPath = values['tls-key'] ?? config.tls?.key;
  const tls = certPath && keyPath ? { cert: await readFile(certPath), key: await readFile(keyPath) } : undefined;
  const server = createRegistryServer(services, tls ? { tls } : {});
  const { host, port } = splitAddr(values.addr);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? `${address.address}:${address.port}` : values.addr;
  log(
    `listening on ${tls ? 'https' : 'http'}://${bound} (auth: ${config.auth.mode}${config.proxy ? `, proxy of ${config.proxy.remoteurl}` : ''})`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => server.close(() => resolve());
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  return 0;
}

async function gc(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      root: { type: 'string' },
      config: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      grace: { type: 'string' },
    },
  });
  if (!values.root) throw new Error('--root is required');
  const config = await loadConfig(values.config);
  const { registry } = await openRegistry(values.root, { ...config, proxy: undefined }, log);
  const graceSeconds = values.grace !== undefined ? parseDuration(values.grace, '--grace') : config.gcGrace;
  const dryRun = values['dry-run'] === true;
  const report = await collectGarbage(registry, { dryRun, graceSeconds, log });
  const verb = dryRun ? 'would delete' : 'deleted';
  for (const m of report.manifests) process.stdout.write(`manifest ${m.repository}@${m.digest} ${verb}\n`);
  for (const b of report.blobs) process.stdout.write(`blob ${b.digest} ${b.size} ${verb}\n`);
  const bytes = report.blobs.reduce((n, b) => n + b.size, 0);
  process.stdout.write(`${report.blobs.length} blobs (${bytes} bytes), ${report.manifests.length} manifests ${verb}\n`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === 'serve') return serve(rest);
  if (verb === 'gc') return gc(rest);
  process.stderr.write(USAGE);
  return verb === undefined || verb === '--help' || verb === '-h' ? 0 : 2;
}

main(process.argv.slice(2)).then(
  (code) => exitWhenFlushed(code),
  (e: unknown) => {
    process.stderr.write(`berth-registry: ${e instanceof Error ? e.message : String(e)}\n`);
    exitWhenFlushed(1);
  },
);
