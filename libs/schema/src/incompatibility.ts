/**
 * One reason a reader schema cannot read what a writer schema wrote. Descriptions are templates
 * over two labels because Confluent words the same finding as "the new schema … the old schema"
 * for BACKWARD and the other way round for FORWARD.
 */
export interface Incompatibility {
  readonly errorType: string;
  /** Where in the schema, in the format's own path notation ('/fields/1', '#/properties/a'). */
  readonly path: string;
  describe(readerLabel: string, writerLabel: string): string;
  /** The whole message as Confluent's verbose compatibility output prints it. */
  render(readerLabel: string, writerLabel: string): string;
}

/** Avro messages quote with single quotes and carry Avro's own detail as additionalInfo. */
export function avroIncompatibility(
  errorType: string,
  path: string,
  additionalInfo: string,
  describe: (reader: string, writer: string) => string,
): Incompatibility {
  return {
    errorType,
    path,
    describe,
    render: (reader, writer) =>
      `{errorType:'${errorType}', description:'${describe(reader, writer)}', additionalInfo:'${additionalInfo}'}`,
  };
}

/** JSON Schema and Protobuf messages quote with double quotes and have no additionalInfo. */
export function diffIncompatibility(
  errorType: string,
  path: string,
  describe: (reader: string, writer: string) => string,
): Incompatibility {
  return {
    errorType,
    path,
    describe,
    render: (reader, writer) => `{errorType:"${errorType}", description:"${describe(reader, writer)}"}`,
  };
}
