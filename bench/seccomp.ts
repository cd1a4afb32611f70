// The seccomp filter's cost on container start: `docker run --rm busybox true` against one berthd with Docker's
// default profile and with seccomp=unconfined, taking turns (the CLI's own floor is in both, so the difference is
// engine time); plus building the filter in-process, uncached and cached. Prints `name value unit` lines (medians).
import { busyboxImage, type Berthd, skipReason, startBerthd } from '../test/fixtures/berthd.js';
import { compileSeccomp, containerSeccomp, seccompProgram } from '../src/runtime/seccomp/index.js';
import type { LinuxSeccomp } from '../src/runtime/spec.js';
import { docker } from './engines.js';
import { median, report, timeRuns } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const CAPS = ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID'];

function inProcess(): void {
  const seccomp = containerSeccomp(CAPS) as LinuxSeccomp;
  const program = compileSeccomp(seccomp);
  report('seccomp.default_filter_instructions', program.length / 8, 'insns');
  const t = (f: () => void, n: number) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) f();
    return Number(process.hrtime.bigint() - t0) / 1e6 / n;
  };
  report(
    'seccomp.compile_uncached',
    t(() => compileSeccomp(seccomp), 20),
    'ms',
  );
  report('seccomp.program_cached_same_object', t(() => seccompProgram(seccomp), 1000) * 1000, 'us');
  report('seccomp.program_cached_same_content', t(() => seccompProgram(structuredClone(seccomp)), 200) * 1000, 'us');
}

async function main() {
  inProcess();
  const why = await skipReason();
  if (why) {
    process.stdout.write(`# docker run figures skipped: ${why}\n`);
    return;
  }
  let berth: Berthd | undefined;
  try {
    berth = await startBerthd({ debug: false });
    await busyboxImage(berth);
    const host = berth.host;
    const variants = [
      { name: 'default', opts: [] as string[] },
      { name: 'unconfined', opts: ['--security-opt', 'seccomp=unconfined'] },
    ];
    const run = (opts: string[]) => docker(host, ['run', '--rm', ...opts, 'busybox', 'true']).then(() => {});
    for (const v of variants) for (let i = 0; i < 3; i++) await run(v.opts);
    const times = variants.map(() => [] as number[]);
    for (let i = 0; i < RUNS; i++) {
      for (const [k, v] of variants.entries()) times[k]?.push(...(await timeRuns(1, () => run(v.opts))));
    }
    const [def, unc] = times.map(median) as [number, number];
    report('berth.run_rm_true.seccomp_default', def, 'ms');
    report('berth.run_rm_true.seccomp_unconfined', unc, 'ms');
    report('berth.run_rm_true.seccomp_cost', def - unc, 'ms');
  } finally {
    await berth?.stop();
  }
}

await main();
