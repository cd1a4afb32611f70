// How the firewall reaches the kernel: one nft batch per change (atomic: all of it or nothing), and a JSON listing of
// berth's table when the daemon starts; through libnftables in-process where it loads, else an `nft -f -` process.
// An interface, so the scripts can be checked without a kernel.
import { spawn } from 'node:child_process';
import { System } from '../../errdefs/index.js';
import { libnftablesAvailable, nftRun } from '../../sys/libnftables.js';

export interface NftRunner {
  /** Applies one nft script as one transaction. */
  run(script: string): Promise<void>;
  /** `nft -j list table <family> <name>`, or undefined when there is no such table. */
  listTable(family: string, name: string): Promise<string | undefined>;
}

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function nft(path: string, args: string[], input: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e) => reject(new System(`running ${path}: ${e.message}`, { cause: e })));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => undefined); // a failure to start shows up as 'error' above
    child.stdin.end(input);
  });
}

/** The runner that spawns the `nft` command (`nftPath` defaults to the one on PATH). */
export function nftCommand(nftPath = 'nft'): NftRunner {
  return {
    async run(script) {
      const r = await nft(nftPath, ['-f', '-'], script);
      if (r.code !== 0) throw new System(`nft: ${r.stderr.trim() || `exit status ${r.code}`}`);
    },
    async listTable(family, name) {
      const r = await nft(nftPath, ['-j', 'list', 'table', family, name], '');
      if (r.code === 0) return r.stdout;
      if (/No such file or directory/.test(r.stderr)) return undefined;
      throw new System(`nft: ${r.stderr.trim() || `exit status ${r.code}`}`);
    },
  };
}

/** The runner over libnftables (no process per batch); the `nft` command where the library cannot be loaded. */
export function nftLibrary(): NftRunner {
  if (!libnftablesAvailable()) return nftCommand();
  return {
    async run(script) {
      await nftRun(script);
    },
    async listTable(family, name) {
      try {
        return await nftRun(`list table ${family} ${name}`, { json: true });
      } catch (e) {
        if (/No such file or directory/.test((e as Error).message)) return undefined;
        throw e;
      }
    },
  };
}
