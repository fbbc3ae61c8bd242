import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { extract, type Header } from 'tar-stream';
import { CatalogError } from './errors.js';
import { MAX_FILE_BYTES, type ModuleSource, readModuleFiles } from './module.js';

/** Most entries an uploaded archive may hold (a module has a dozen files or so). */
export const MAX_ARCHIVE_ENTRIES = 256;

const refuse = (message: string, actual: unknown, reason: string): never => {
  throw new CatalogError('MODULE_FILE_INVALID', message, {
    ...(typeof actual === 'string' ? { file: actual } : {}),
    reason,
    actual,
  });
};

/**
 * The path of an archive entry relative to the module directory, or a refusal: absolute
 * paths, `..` segments, backslashes and control characters are refused (never "cleaned").
 */
function entryPath(name: string): string {
  if (
    name.includes('\\') ||
    [...name].some((c) => c.charCodeAt(0) < 0x20) ||
    name.startsWith('/')
  ) {
    refuse(`archive entry ${JSON.stringify(name)} has an unsafe path`, name, 'ARCHIVE_PATH_UNSAFE');
  }
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) {
    refuse(
      `archive entry ${JSON.stringify(name)} climbs out of the module`,
      name,
      'ARCHIVE_PATH_UNSAFE',
    );
  }
  return parts.join('/');
}

/**
 * Read a module uploaded as a tar archive (uncompressed, ustar/pax/gnu, as `tar -cf` writes)
 * with tar-stream. Only regular files and directories are accepted: a symbolic or hard link,
 * a device or a FIFO refuses the whole archive (`MODULE_FILE_INVALID`, reason
 * `ARCHIVE_ENTRY_TYPE`), as does a path that is absolute or climbs out (`ARCHIVE_PATH_UNSAFE`)
 * or a name given twice. The module's files may be at the archive's root or under one
 * top-level directory (`tar -C dir -cf - .` and `tar -cf - dir` both work). The files are then
 * selected exactly as from a module directory.
 */
export async function readModuleArchive(bytes: Uint8Array): Promise<ModuleSource> {
  const files = new Map<string, Uint8Array>();
  const dirs = new Set<string>();
  const parser = extract();
  let count = 0;
  const done = new Promise<void>((resolve, reject) => {
    parser.on('entry', (header: Header, stream, next) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const fail = (error: unknown) => {
        stream.resume();
        reject(error);
      };
      try {
        if (++count > MAX_ARCHIVE_ENTRIES) {
          refuse(
            `the archive holds more than ${MAX_ARCHIVE_ENTRIES} entries`,
            count,
            'ARCHIVE_TOO_MANY_ENTRIES',
          );
        }
        const path = entryPath(header.name);
        if (header.type === 'directory') {
          if (path !== '') dirs.add(path);
          stream.resume();
          stream.on('end', next);
          return;
        }
        if (header.type !== 'file' && header.type !== 'contiguous-file') {
          refuse(
            `archive entry ${JSON.stringify(header.name)} is a ${header.type}: only regular files and directories are accepted`,
            header.name,
            'ARCHIVE_ENTRY_TYPE',
          );
        }
        if (path === '' || files.has(path)) {
          refuse(
            `archive entry ${JSON.stringify(header.name)} is given twice`,
            header.name,
            'ARCHIVE_ENTRY_DUPLICATE',
          );
        }
        stream.on('data', (chunk: unknown) => {
          if (!Buffer.isBuffer(chunk)) return;
          size += chunk.length;
          // Kept to the limit (the file is refused by name below with the usual message).
          if (size <= MAX_FILE_BYTES + 1) chunks.push(chunk);
        });
        stream.on('end', () => {
          files.set(path, new Uint8Array(Buffer.concat(chunks)));
          next();
        });
        stream.on('error', reject);
      } catch (error) {
        fail(error);
      }
    });
    parser.on('finish', resolve);
    parser.on('error', (error: Error) =>
      reject(
        error instanceof CatalogError
          ? error
          : new CatalogError(
              'MODULE_FILE_INVALID',
              `the upload is not a tar archive: ${error.message}`,
              { reason: 'ARCHIVE_INVALID' },
              { cause: error },
            ),
      ),
    );
  });
  Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]).pipe(parser);
  await done;
  if (files.size === 0) {
    refuse('the archive holds no files', 0, 'ARCHIVE_EMPTY');
  }
  // One top-level directory around everything: strip it.
  const tops = new Set([...files.keys()].map((p) => p.split('/')[0]));
  const top = tops.size === 1 && !files.has([...tops][0] as string) ? `${[...tops][0]}/` : '';
  const rooted = new Map<string, Uint8Array>();
  for (const [path, data] of files) rooted.set(path.slice(top.length), data);
  const rootedDirs = new Set(
    [...dirs, ...[...rooted.keys()].map((p) => posix.dirname(`${top}${p}`))]
      .filter((d) => d.startsWith(top) && d.length > top.length)
      .map((d) => d.slice(top.length)),
  );
  return readModuleFiles({
    where: 'the uploaded archive',
    async kind(rel) {
      const data = rooted.get(rel);
      if (data) return { kind: 'file', size: data.byteLength };
      if (rootedDirs.has(rel)) return { kind: 'directory', size: 0 };
      return undefined;
    },
    read: async (rel) => rooted.get(rel) as Uint8Array,
    async list(rel) {
      const prefix = `${rel}/`;
      return [...rooted.keys()]
        .filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/'))
        .map((p) => p.slice(prefix.length));
    },
  });
}
