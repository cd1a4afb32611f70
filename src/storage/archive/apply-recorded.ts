// A layer store's apply in one call: decompress, count the plain tar's bytes, record its tar-split and apply it. One
// function, so the same work runs in-process or on an apply worker (apply-worker.ts) whole.
import { type ApplyOptions, type ApplyResult, applyLayer } from './apply.js';
import { decompress, type LayerSource } from '../../archive/index.js';
import { TarSplitRecorder, type TarSplitResult } from './tarsplit.js';

export interface RecordedApplyOptions extends ApplyOptions {
  /** Record the tar's tar-split (how to rebuild it byte for byte from the applied files). */
  recordTarSplit?: boolean;
}

export interface RecordedApplyResult extends ApplyResult {
  /** Bytes of the uncompressed tar. */
  tarSize: number;
  /** With recordTarSplit. */
  tarSplit?: TarSplitResult;
}

/** Applies a layer tar (plain or gzip) onto `target` as applyLayer does, measuring and recording it on the way. */
export async function applyRecorded(
  target: string,
  source: LayerSource,
  options: RecordedApplyOptions,
): Promise<RecordedApplyResult> {
  const { compression, stream } = await decompress(source);
  let tarSize = 0;
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of stream) {
      tarSize += chunk.length;
      yield chunk;
    }
  }
  const split = options.recordTarSplit ? new TarSplitRecorder() : undefined;
  const applyOptions: ApplyOptions = { whiteoutMode: options.whiteoutMode };
  if (options.fs) applyOptions.fs = options.fs;
  const applied = await applyLayer(target, split ? split.wrap(counted()) : counted(), applyOptions);
  const out: RecordedApplyResult = { ...applied, compression, tarSize };
  if (split) out.tarSplit = await split.finish();
  return out;
}
