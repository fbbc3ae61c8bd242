// Preloaded (`node --import ./probe.mjs …`) by the benchmarks into a measured process: at exit
// it writes the process's CPU time (every thread: user + system) and peak resident memory to
// standard error as one line, `flareo-probe {"cpuMs":…,"maxRssMb":…}`, for the bench to read.
process.on('exit', () => {
  const cpu = process.cpuUsage();
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stderr.write(
    `\nflareo-probe ${JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, maxRssMb })}\n`,
  );
});
