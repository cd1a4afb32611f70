// nftables' own library (libnftables.so.1, installed with the nft command) called in-process through koffi: a batch
// costs what the kernel transaction costs, not an `nft` process (~20-40 ms here, almost all of it its start-up,
// parser and cache loading). One context, kept; calls run on a koffi worker thread, never on the event loop, and one
// at a time (the caller serialises them: a context is not to be shared between threads at once).
import { createRequire } from 'node:module';
import { System } from '../errdefs/index.js';

type KoffiModule = typeof import('koffi');
type AsyncFn = (...args: unknown[]) => void;

/** nftables.h */
const NFT_CTX_DEFAULT = 0;
const NFT_CTX_OUTPUT_JSON = 1 << 4;

interface Lib {
  ctx: unknown;
  run: AsyncFn;
  setFlags: (ctx: unknown, flags: number) => void;
  output: (ctx: unknown) => string | null;
  error: (ctx: unknown) => string | null;
}

let lib: Lib | undefined | null;

function load(): Lib | undefined {
  if (lib !== undefined) return lib ?? undefined;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as KoffiModule;
    const so = koffi.load('libnftables.so.1');
    koffi.opaque('nft_ctx');
    const newCtx = so.func('nft_ctx * nft_ctx_new(uint32_t flags)') as (flags: number) => unknown;
    const bufferOutput = so.func('int nft_ctx_buffer_output(nft_ctx *ctx)') as (ctx: unknown) => number;
    const bufferError = so.func('int nft_ctx_buffer_error(nft_ctx *ctx)') as (ctx: unknown) => number;
    const ctx = newCtx(NFT_CTX_DEFAULT);
    if (!ctx || bufferOutput(ctx) !== 0 || bufferError(ctx) !== 0) throw new Error('nft_ctx_new failed');
    lib = {
      ctx,
      run: so.func('int nft_run_cmd_from_buffer(nft_ctx *ctx, const char *buf)').async as AsyncFn,
      setFlags: so.func('void nft_ctx_output_set_flags(nft_ctx *ctx, uint32_t flags)') as Lib['setFlags'],
      output: so.func('const char *nft_ctx_get_output_buffer(nft_ctx *ctx)') as Lib['output'],
      error: so.func('const char *nft_ctx_get_error_buffer(nft_ctx *ctx)') as Lib['error'],
    };
  } catch {
    lib = null;
  }
  return lib ?? undefined;
}

/** Whether libnftables can be used here. */
export const libnftablesAvailable = (): boolean => load() !== undefined;

/**
 * Runs `commands` (nft's script syntax) as one transaction; with `json`, its output is nft's JSON. Resolves with the
 * output; rejects with nft's error text.
 */
export function nftRun(commands: string, opts: { json?: boolean } = {}): Promise<string> {
  const l = load();
  if (!l) return Promise.reject(new System('libnftables.so.1 is not available'));
  l.setFlags(l.ctx, opts.json ? NFT_CTX_OUTPUT_JSON : 0);
  return new Promise((resolve, reject) => {
    l.run(l.ctx, commands, (err: unknown, rc: number) => {
      // Read both buffers each time: reading is what resets them for the next command.
      const out = l.output(l.ctx) ?? '';
      const error = l.error(l.ctx) ?? '';
      if (err) return reject(new System(`libnftables: ${String(err)}`));
      if (rc !== 0) return reject(new System(`nft: ${error.trim() || `error ${rc}`}`));
      resolve(out);
    });
  });
}
