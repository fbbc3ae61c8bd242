import { Ajv2020 } from 'ajv/dist/2020.js';
import { isDateTime, isIri, isUri } from './formats.js';

// Only the build (scripts/generate-validators.mjs) and the tests compile the OpenVEX schema:
// at run time the package uses the standalone validators generated from it, and loads none
// of ajv's compiler.

/** A fresh ajv 2020-12 instance with the three formats OpenVEX uses. */
export function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strictRequired: false, strictTypes: false });
  ajv.addFormat('iri', { type: 'string', validate: isIri });
  ajv.addFormat('uri', { type: 'string', validate: isUri });
  ajv.addFormat('date-time', { type: 'string', validate: isDateTime });
  return ajv;
}
