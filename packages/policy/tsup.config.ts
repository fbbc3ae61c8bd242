import { mkdir, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { packageConfig } from '../../tsup.base';

// After the build, write the JSON Schemas exported by the package to dist/schemas so that
// non-JavaScript implementations (a Rego twin, a Go admission webhook) can read them as
// `@flareo/policy/schemas/<name>.schema.json`.
// Two entry points sharing one copy of the code (splitting), so `PolicyError` is the same
// class whichever entry threw it.
export default packageConfig({
  entry: ['src/index.ts', 'src/documents.ts'],
  splitting: true,
  async onSuccess() {
    const built = await import(`${pathToFileURL('dist/documents.js').href}?t=${Date.now()}`);
    await mkdir('dist/schemas', { recursive: true });
    const files: Record<string, unknown> = {
      'input.schema.json': built.inputSchema,
      'config.schema.json': built.configSchema,
      'result.schema.json': built.resultSchema,
      'decision-log.schema.json': built.decisionLogSchema,
    };
    for (const [name, schema] of Object.entries(files)) {
      await writeFile(`dist/schemas/${name}`, `${JSON.stringify(schema, null, 2)}\n`);
    }
  },
});
