#!/usr/bin/env node
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { type ControllerConfig, loadConfig } from './config.js';
import { checkConfiguration, createController } from './controller.js';
import { ControllerError, jsonSafe } from './errors.js';

const port = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be 0–65535');
  return n;
};

const program = new Command('flareo-controller')
  .description('Reference module controller: installs modules only when their signature verifies.')
  .requiredOption('-c, --config <file>', 'controller.yml')
  .option('--host <host>', 'listen host (overrides controller.listen.host)')
  .option('--port <port>', 'listen port (overrides controller.listen.port; 0 picks one)', port)
  .option('--check', 'validate the configuration and trust material, then exit')
  .addOption(
    new Option('--log-level <level>', 'log level')
      .choices(['fatal', 'error', 'warn', 'info', 'debug'])
      .default(process.env.LOG_LEVEL ?? 'info'),
  )
  .exitOverride();

/** How long a stopping controller may take to flush its logs before it exits anyway. */
const SHUTDOWN_GRACE_MS = 5_000;

/** Exit codes: 0 ok, 1 configuration refused, 2 usage. */
async function run(argv: string[]): Promise<number> {
  try {
    program.parse(argv);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  const opts = program.opts<{
    config: string;
    host?: string;
    port?: number;
    check?: boolean;
    logLevel: string;
  }>();
  const fail = (error: ControllerError): number => {
    process.stderr.write(
      `${JSON.stringify({ level: 'fatal', code: error.code, msg: error.message, detail: jsonSafe(error.detail) })}\n`,
    );
    process.stderr.write(`flareo-controller: ${error.message}\n`);
    return 1;
  };
  // --host and --port replace the configured ones before the validator judges the address
  // (a production controller refuses a non-loopback host without authentication).
  const configured = (): ControllerConfig => {
    const config = loadConfig(opts.config);
    return {
      ...config,
      controller: {
        ...config.controller,
        ...(opts.host === undefined ? {} : { host: opts.host }),
        ...(opts.port === undefined ? {} : { port: opts.port }),
      },
    };
  };
  if (opts.check) {
    // No controller is built: --check creates, writes, deletes and appends nothing.
    try {
      const { report } = checkConfiguration(configured());
      for (const finding of report.warnings) {
        process.stdout.write(`warning ${finding.code} (${finding.path}): ${finding.message}\n`);
      }
      process.stdout.write('configuration OK\n');
      return 0;
    } catch (error) {
      if (error instanceof ControllerError) return fail(error);
      throw error;
    }
  }
  let controller: Awaited<ReturnType<typeof createController>>;
  try {
    controller = await createController(configured(), { logger: { level: opts.logLevel } });
  } catch (error) {
    if (error instanceof ControllerError) return fail(error);
    throw error;
  }
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    controller.app.log.info({ signal }, 'shutting down');
    controller.audit.write({ event: 'controller.stopped', level: 'info', signal });
    // No process.exit() right after close: the logger writes stdout asynchronously, and
    // exiting at once could drop the last lines ("shutting down") under load. With the
    // server closed the event loop empties by itself once they are written; the unref'd
    // timer only ends a process that something else would keep alive.
    const finish = (code: number) => {
      process.exitCode = code;
      setTimeout(() => process.exit(code), SHUTDOWN_GRACE_MS).unref();
    };
    controller.close().then(
      () => finish(0),
      () => finish(1),
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  try {
    await controller.listen();
  } catch (error) {
    await controller.close();
    if (error instanceof ControllerError) return fail(error);
    throw error;
  }
  return 0;
}

run(process.argv).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `flareo-controller: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
