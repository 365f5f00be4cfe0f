import { type PutRecordsBodyInput, writePutRecordsBody } from './put-records-body.js';

/**
 * Sending one `PutRecords` command with the body written by {@link writePutRecordsBody} instead of
 * the SDK's JSON codec (0.6–0.65 of its CPU to serialize, build and sign a 10 MiB request:
 * docs/benchmarks.md, "PutRecords bodies").
 *
 * Two middlewares go on the command's own stack (the client and its other commands are untouched):
 * - at the front of the `serialize` step, the input goes on to the SDK's serializer without its
 *   records, so the SDK still builds everything else of the request (the endpoint from the stream's
 *   name or ARN, the path, the headers) but writes only `{"Records":[],"StreamName":…}`;
 * - at the front of the `build` step, the body becomes the whole request's, and the input its own
 *   again: the middlewares after it (content length, signing, the user's own) see what is sent.
 *
 * Only a middleware a user adds to the `serialize` step itself sees the input without its records.
 */

/** The protocol a client writes its requests in, as schema-based SDK clients describe it. */
interface ClientWithProtocol {
  readonly config?: { readonly protocol?: { getShapeId?: () => string } };
}

/**
 * Whether `client` writes requests in AWS JSON 1.1 with the schema-based codec (the `protocol` of
 * its configuration says so). Older clients, which write base64 with Node's own encoder, and clients
 * of any other protocol keep their own serialization.
 */
export function writesPutRecordsInAwsJson(client: unknown): boolean {
  const protocol = (client as ClientWithProtocol | null)?.config?.protocol;
  return typeof protocol?.getShapeId === 'function' && protocol.getShapeId() === 'aws.protocols#awsJson1_1';
}

/** A middleware, as far as this needs one. */
type Middleware = (next: (args: never) => Promise<unknown>) => (args: never) => Promise<unknown>;

/** Where a middleware of this goes: at the front of a step. */
interface FrontOf<Step extends string> {
  readonly step: Step;
  readonly priority: 'high';
  readonly name: string;
  readonly override: boolean;
}

/** The parts of a `PutRecordsCommand` this needs. */
export interface CommandWithSerializeSteps {
  readonly middlewareStack: {
    add(middleware: Middleware, options: FrontOf<'serialize'>): void;
    add(middleware: Middleware, options: FrontOf<'build'>): void;
  };
}

/** The arguments of a middleware in the `build` step: the input and the request the serializer made. */
interface BuildArguments {
  readonly input: PutRecordsBodyInput;
  readonly request: { headers: Record<string, string>; body?: unknown };
}

const CONTENT_TYPE = 'application/x-amz-json-1.1';

/**
 * Makes `command` (a `PutRecordsCommand`, sent once) carry a body written by `writePutRecordsBody`.
 * Call it only for a client where {@link writesPutRecordsInAwsJson} holds. Should the serializer's
 * request not be AWS JSON 1.1 `PutRecords` after all, the call fails with a `TypeError` (fatal: it
 * would fail again) whose message names the content type and target it found.
 */
export function writePutRecordsBodyOf(command: CommandWithSerializeSteps): void {
  let input: PutRecordsBodyInput | undefined;
  command.middlewareStack.add(
    (next) => (args: { input: PutRecordsBodyInput }) => {
      input = args.input;
      return next({ ...args, input: { ...args.input, Records: [] } } as never);
    },
    { step: 'serialize', priority: 'high', name: 'kinesisTsPutRecordsWithoutRecords', override: true },
  );
  command.middlewareStack.add(
    (next) => (args: BuildArguments) => {
      const { headers } = args.request;
      const contentType = headers[headerName(headers, 'content-type')];
      const target = headers[headerName(headers, 'x-amz-target')] ?? '';
      const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
      if (input === undefined || mediaType !== CONTENT_TYPE || !target.endsWith('.PutRecords')) {
        throw new TypeError(
          `kinesis-ts: the SDK client did not make an AWS JSON 1.1 PutRecords request (content-type ` +
            `${contentType ?? 'none'}, target ${target || 'none'}); let the SDK write ` +
            `the body instead (producer option putRecordsSerializer: 'sdk')`,
        );
      }
      const body = writePutRecordsBody(input);
      args.request.body = body;
      const contentLength = headerName(headers, 'content-length');
      if (contentLength in headers) headers[contentLength] = String(body.byteLength);
      return next({ ...args, input } as never);
    },
    { step: 'build', priority: 'high', name: 'kinesisTsPutRecordsBody', override: true },
  );
}

/**
 * The name `headers` gives a header, whatever its case (HTTP header names are case-insensitive);
 * `lowerCaseName` itself when it has none.
 */
function headerName(headers: Record<string, string>, lowerCaseName: string): string {
  if (lowerCaseName in headers) return lowerCaseName;
  return Object.keys(headers).find((name) => name.toLowerCase() === lowerCaseName) ?? lowerCaseName;
}
