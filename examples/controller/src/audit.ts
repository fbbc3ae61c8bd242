import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** One line of the audit log. */
export interface AuditRecord {
  readonly event: string;
  readonly level: 'info' | 'warn' | 'error';
  readonly [field: string]: unknown;
}

/**
 * The append-only audit log: one JSON object per line, written with `O_APPEND` so that
 * lines from a restarted controller follow the old ones and nothing is ever rewritten.
 */
export class AuditLog {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
  }

  /** Append one record (with the current time) and return it. */
  write(record: AuditRecord): AuditRecord & { time: string } {
    const line = { time: new Date().toISOString(), ...record };
    appendFileSync(this.path, `${JSON.stringify(line)}\n`, { flag: 'a' });
    return line;
  }
}
