#!/usr/bin/env node
import { runCli, type ServeHandle } from './cli.js';

// The `flareo-catalog` command. `serve` keeps running until SIGTERM or SIGINT, then closes
// the server gracefully (in-flight requests finish); a second signal exits at once. Modules
// ingested by another process are picked up while serving (the store watches the database).
//
// The signal handlers are installed before the command runs: a supervisor may send SIGTERM
// the moment `serve` prints its URL, before the command has returned its handle. A signal
// that arrives while another command runs is raised again once it has finished (its writes
// are transactions either way).

const io = {
  out: (line: string) => process.stdout.write(`${line}\n`),
  err: (line: string) => process.stderr.write(`${line}\n`),
  env: process.env,
};

let handle: ServeHandle | undefined;
let requested: NodeJS.Signals | undefined;
let signals = 0;
const onSignal = (signal: NodeJS.Signals) => {
  signals++;
  if (signals > 1) process.exit(1);
  if (!handle) {
    requested = signal;
    return;
  }
  io.err(`${signal}: closing the catalog`);
  void handle.stop();
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);

const { code, serve } = await runCli(process.argv.slice(2), io);
if (serve) {
  handle = serve;
  if (requested) {
    io.err(`${requested}: closing the catalog`);
    void serve.stop();
  }
  await serve.closed;
  process.exitCode = 0;
} else {
  process.exitCode = code;
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  if (requested) process.kill(process.pid, requested);
}
