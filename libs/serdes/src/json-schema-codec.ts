import Ajv, { type ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import { SerializationError, type CodecSchema, type SchemaCodec } from './schema-codec';

/** JSON Schema values travel as UTF-8 JSON text, validated with Ajv before they are written. */
export class JsonSchemaCodec implements SchemaCodec {
  private readonly validate: ValidateFunction;

  constructor(schema: CodecSchema) {
    try {
      const root = JSON.parse(schema.schema) as Record<string, unknown>;
      const ajv = validatorFor(String(root.$schema ?? ''));
      // A referenced document is found by its reference name, the URI the $ref uses.
      for (const [name, text] of Object.entries(schema.references)) ajv.addSchema(JSON.parse(text) as object, name);
      this.validate = ajv.compile(root);
    } catch (error) {
      throw new SerializationError(`invalid JSON schema: ${(error as Error).message}`, { cause: error });
    }
  }

  encode(value: unknown): Buffer {
    if (!this.validate(value)) {
      const problems = (this.validate.errors ?? []).map((e) => `${e.instancePath || '(the value)'} ${e.message ?? 'is invalid'}`);
      throw new SerializationError(`the value does not match the JSON schema: ${problems.join('; ')}`);
    }
    return Buffer.from(JSON.stringify(value), 'utf8');
  }

  decode(payload: Buffer): unknown {
    try {
      return JSON.parse(payload.toString('utf8'));
    } catch (error) {
      throw new SerializationError(`the payload is not JSON: ${(error as Error).message}`, { cause: error });
    }
  }
}

/** Draft 2019-09 and 2020-12 need their own Ajv classes; draft-07 (and earlier, leniently) the default one. */
function validatorFor(dialect: string): Ajv {
  const options = { strict: false, allErrors: true };
  if (dialect.includes('2020-12')) return new Ajv2020(options);
  if (dialect.includes('2019-09')) return new Ajv2019(options);
  return new Ajv(options);
}
