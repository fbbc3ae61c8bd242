import { appendFileSync, closeSync, fstatSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { ControllerError } from './errors.js';

/** One line of the audit log. */
export interface AuditRecord {
  readonly event: string;
  readonly level: 'info' | 'warn' | 'error';
  readonly [field: string]: unknown;
}

/**
 * The append-only audit log: one JSON object per line, written with `O_APPEND` so that
 * lines from a restarted controller follow the old ones and nothing is ever rewritten.
 * Each write opens the file again, so a log moved away by a rotation tool is recreated.
 */
export class AuditLog {
  readonly path: string;

  /**
   * Open (create) the log once to prove it is a writable regular file; nothing is written.
   * @throws ControllerError `AUDIT_LOG_UNWRITABLE` (a directory, a missing permission, …)
   */
  constructor(path: string) {
    this.path = path;
    try {
      mkdirSync(dirname(path), { recursive: true });
      const fd = openSync(path, 'a', 0o644);
      try {
        if (!fstatSync(fd).isFile()) {
          throw Object.assign(new Error(`${path} is not a regular file`), { code: 'ENOTFILE' });
        }
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      throw new ControllerError(
        'AUDIT_LOG_UNWRITABLE',
        `controller.auditLog ${path} cannot be written: ${(error as Error).message}`,
        {
          path,
          expected: 'a writable regular file',
          actual: (error as NodeJS.ErrnoException).code,
        },
        { cause: error },
      );
    }
  }

  /** Append one record (with the current time) and return it. */
  write(record: AuditRecord): AuditRecord & { time: string } {
    const line = { time: new Date().toISOString(), ...record };
    appendFileSync(this.path, `${JSON.stringify(line)}\n`, { flag: 'a' });
    return line;
  }
}
