// Preloaded (`node --require ./probe.cjs …`) by the benchmarks into a measured process: at exit
// it writes the process's CPU time (every thread: user + system) and peak resident memory to
// standard error as one line, `flareo-probe {"cpuMs":…,"maxRssMb":…}`, for the bench to read.
// CommonJS and `--require`, not `--import`: an ES module preload starts Node's ES module loader
// in the process and in every worker thread (which inherit the flag), and runs the CommonJS
// entry through it, which the `flareo` entry avoids; measured, 2-worker verify-batch ran some
// 50 ms slower under `--import` than as users run it.
process.on('exit', () => {
  const cpu = process.cpuUsage();
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stderr.write(
    `\nflareo-probe ${JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, maxRssMb })}\n`,
  );
});
