#!/usr/bin/env node
import { runCli } from './cli.js';

// The `flareo-catalog` command. `serve` keeps running until SIGTERM or SIGINT, then closes
// the server gracefully (in-flight requests finish); a second signal exits at once. Modules
// ingested by another process are picked up while serving (the store watches the database).

const io = {
  out: (line: string) => process.stdout.write(`${line}\n`),
  err: (line: string) => process.stderr.write(`${line}\n`),
  env: process.env,
};

const { code, serve } = await runCli(process.argv.slice(2), io);
if (serve) {
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) process.exit(1);
    io.err(`${signal}: closing the catalog`);
    void serve.stop();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  await serve.closed;
  process.exitCode = 0;
} else {
  process.exitCode = code;
}
