import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { TributaryError } from '@tributary/protocol';
import { parseSchemaType } from '@tributary/schema';
import { SchemaRegistryClient, SchemaRegistryError, type SchemaInput } from '@tributary/serdes';

interface SchemasFlags {
  schemaRegistryUrl: string;
  list?: boolean;
  register?: boolean;
  describe?: boolean;
  checkCompatibility?: boolean;
  setCompatibility?: string;
  subject?: string;
  subjectPrefix?: string;
  schemaFile?: string;
  schemaType?: string;
  schemaVersion?: string;
  normalize?: boolean;
  deleted?: boolean;
}

type FlagName = keyof SchemasFlags;

const ACTIONS: FlagName[] = ['list', 'register', 'describe', 'checkCompatibility', 'setCompatibility'];

/** `tributary schemas`: list subjects, register a schema from a file, show a version, check and set compatibility. */
export function schemasCommand(): Command {
  return new Command('schemas')
    .description('Manage schemas in the schema registry: list subjects, register, describe, check and set compatibility')
    .requiredOption('--schema-registry-url <url>', 'the schema registry\'s REST URL', 'http://localhost:8081')
    .option('--list', 'list subjects (those starting with --subject-prefix)')
    .option('--register', 'register the schema in --schema-file under --subject; prints its id')
    .option('--describe', 'show a version of --subject (--schema-version, default latest)')
    .option('--check-compatibility', 'check the schema in --schema-file against --subject (one --schema-version, or as registering would)')
    .option('--set-compatibility <level>', 'set the compatibility level of --subject, or the global one without --subject')
    .option('--subject <subject>', 'the subject, e.g. orders-value')
    .option('--subject-prefix <prefix>', 'with --list: only subjects starting with it')
    .option('--schema-file <file>', 'with --register or --check-compatibility: the file holding the schema (.avsc, .json, .proto)')
    .option('--schema-type <type>', 'AVRO, JSON or PROTOBUF (default: from the file name, .proto and .json, else AVRO)')
    .option('--schema-version <version>', 'with --describe or --check-compatibility: a version number or latest (rpk\'s flag)')
    .option('--normalize', 'with --register: register the normalized form')
    .option('--deleted', 'with --list: include subjects whose versions are all soft-deleted')
    .action(async (flags: SchemasFlags) => {
      checkArgs(flags);
      const client = new SchemaRegistryClient({ url: flags.schemaRegistryUrl });
      try {
        process.stdout.write(await runSchemas(client, flags));
      } catch (error) {
        // The registry's own code (40401 …) says more than INVALID_REQUEST.
        if (error instanceof SchemaRegistryError) throw new TributaryError(error.code, `schema registry error ${error.errorCode}: ${error.message}`);
        throw error;
      }
    });
}

function checkArgs(flags: SchemasFlags): void {
  if (ACTIONS.filter((a) => flags[a] !== undefined).length !== 1) {
    throw new TributaryError('INVALID_REQUEST', 'Command must include exactly one action: --list, --register, --describe, --check-compatibility or --set-compatibility');
  }
  const needs: [FlagName, FlagName[]][] = [
    ['register', ['subject', 'schemaFile']],
    ['describe', ['subject']],
    ['checkCompatibility', ['subject', 'schemaFile']],
  ];
  for (const [action, required] of needs) {
    if (flags[action] === undefined) continue;
    for (const flag of required) if (!flags[flag]) throw new TributaryError('INVALID_REQUEST', `Missing required argument "[${kebab(flag)}]" for --${kebab(action)}`);
  }
}

async function runSchemas(client: SchemaRegistryClient, flags: SchemasFlags): Promise<string> {
  const subject = flags.subject as string;
  if (flags.list) {
    const subjects = await client.listSubjects({ deleted: flags.deleted });
    return subjects.filter((s) => s.startsWith(flags.subjectPrefix ?? '')).map((s) => `${s}\n`).join('');
  }
  if (flags.register) {
    const id = await client.register(subject, readSchemaFile(flags), { normalize: flags.normalize });
    return `Registered schema ${id} under subject ${subject}.\n`;
  }
  if (flags.describe) {
    const found = await client.getVersion(subject, version(flags.schemaVersion) ?? 'latest');
    return `Subject: ${found.subject}\tVersion: ${found.version}\tId: ${found.id}\tType: ${found.schemaType}${references(found.references)}\n${found.schema}\n`;
  }
  if (flags.checkCompatibility) {
    const answer = await client.checkCompatibility(subject, readSchemaFile(flags), { version: version(flags.schemaVersion), verbose: true });
    return answer.isCompatible ? 'Compatible.\n' : `Incompatible:\n${answer.messages.map((m) => `  ${m}\n`).join('')}`;
  }
  const level = await client.setCompatibility(flags.setCompatibility as string, flags.subject);
  return `Compatibility of ${flags.subject ? `subject ${flags.subject}` : 'the registry'} is now ${level}.\n`;
}

function readSchemaFile(flags: SchemasFlags): SchemaInput {
  const file = flags.schemaFile as string;
  let schema: string;
  try {
    schema = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TributaryError('INVALID_REQUEST', `--schema-file ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const typeName = flags.schemaType ?? (file.endsWith('.proto') ? 'PROTOBUF' : file.endsWith('.json') ? 'JSON' : 'AVRO');
  return { schemaType: parseSchemaType(typeName), schema };
}

function version(text: string | undefined): number | 'latest' | undefined {
  if (text === undefined || text === 'latest') return text;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new TributaryError('INVALID_REQUEST', `--schema-version must be a version number or latest, not "${text}"`);
  return n;
}

function references(list: { name: string; subject: string; version: number }[]): string {
  return list.length === 0 ? '' : `\tReferences: ${list.map((r) => `${r.name}=${r.subject}/${r.version}`).join(',')}`;
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
