import { KinesisClient, PutRecordsCommand, type PutRecordsCommandInput } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { writePutRecordsBody } from './put-records-body.js';
import { writePutRecordsBodyOf, writesPutRecordsInAwsJson } from './put-records-serialization.js';

const input: PutRecordsCommandInput = {
  StreamName: 'orders',
  Records: [
    { Data: Buffer.from('first record'), PartitionKey: 'device-1' },
    { Data: new Uint8Array([0, 255, 7]), PartitionKey: 'a', ExplicitHashKey: '42' },
  ],
};

interface Sent {
  body: Uint8Array;
  headers: Record<string, string>;
  /** The input the `build` step's later middlewares saw. */
  buildInput: PutRecordsCommandInput;
}

/** A client that answers every call itself once the request is signed, keeping what it would have sent. */
function capturingClient(): { client: KinesisClient; sent: Sent[] } {
  const client = new KinesisClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const sent: Sent[] = [];
  let buildInput: PutRecordsCommandInput | undefined;
  client.middlewareStack.add(
    (next) => async (args) => {
      buildInput = args.input as PutRecordsCommandInput;
      return next(args);
    },
    { step: 'build', priority: 'low', name: 'seeBuildInput' },
  );
  client.middlewareStack.add(
    () => async (args) => {
      const request = args.request as { body: Uint8Array; headers: Record<string, string> };
      sent.push({ body: request.body, headers: request.headers, buildInput: buildInput! });
      return { output: { $metadata: {}, FailedRecordCount: 0, Records: [] }, response: {} };
    },
    { step: 'finalizeRequest', priority: 'low', name: 'answerAfterSigning' },
  );
  return { client, sent };
}

/** Changes the headers of `command`'s request once the SDK's serializer has made it. */
function editHeadersAfterSerializing(
  command: PutRecordsCommand,
  edit: (headers: Record<string, string>) => void,
): void {
  command.middlewareStack.add(
    (next) => async (args) => {
      edit((args.request as { headers: Record<string, string> }).headers);
      return next(args);
    },
    { step: 'serialize', priority: 'low', name: 'editHeaders' },
  );
}

describe('writesPutRecordsInAwsJson', () => {
  it('holds for a KinesisClient of the schema-based SDK', () => {
    expect(writesPutRecordsInAwsJson(new KinesisClient({ region: 'us-east-1' }))).toBe(true);
  });

  it('does not hold for clients of another protocol, or without one', () => {
    const cbor = { config: { protocol: { getShapeId: () => 'smithy.protocols#rpcv2Cbor' } } };
    expect(writesPutRecordsInAwsJson(cbor)).toBe(false);
    expect(writesPutRecordsInAwsJson({ config: {} })).toBe(false);
    expect(writesPutRecordsInAwsJson({ send: () => undefined })).toBe(false);
    expect(writesPutRecordsInAwsJson(null)).toBe(false);
  });
});

describe('writePutRecordsBodyOf', () => {
  it('sends the body writePutRecordsBody writes, signed, with its length, and the input whole after the build step', async () => {
    const { client, sent } = capturingClient();
    const command = new PutRecordsCommand(input);
    writePutRecordsBodyOf(command);
    await client.send(command);

    const [request] = sent;
    expect(Buffer.from(request!.body)).toEqual(writePutRecordsBody(input));
    expect(request!.headers['content-length']).toBe(String(request!.body.byteLength));
    expect(request!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 /);
    expect(request!.buildInput.Records).toHaveLength(2);
  });

  it('sends the same records the SDK would (the JSON differs only in whitespace)', async () => {
    const { client, sent } = capturingClient();
    const ours = new PutRecordsCommand(input);
    writePutRecordsBodyOf(ours);
    await client.send(ours);
    await client.send(new PutRecordsCommand(input));
    const [fromUs, fromSdk] = sent.map((request) => JSON.parse(Buffer.from(request.body).toString('utf8')));
    expect(fromUs).toEqual(fromSdk);
  });

  it('leaves the client and its other commands as they were', async () => {
    const { client } = capturingClient();
    const command = new PutRecordsCommand(input);
    writePutRecordsBodyOf(command);
    await client.send(command);
    const names = client.middlewareStack.identify().join('\n');
    expect(names).not.toMatch(/kinesisTs/);
  });

  it('reads the content type and target whatever the case of their names', async () => {
    const { client, sent } = capturingClient();
    const command = new PutRecordsCommand(input);
    writePutRecordsBodyOf(command);
    editHeadersAfterSerializing(command, (headers) => {
      for (const name of ['content-type', 'x-amz-target']) {
        const value = headers[name]!;
        delete headers[name];
        headers[name.replace(/(^|-)[a-z]/g, (letter) => letter.toUpperCase())] = value;
      }
    });
    await client.send(command);
    expect(Buffer.from(sent[0]!.body)).toEqual(writePutRecordsBody(input));
  });

  it('fails with a TypeError naming what it found when the request is not AWS JSON 1.1 PutRecords', async () => {
    const { client, sent } = capturingClient();
    const command = new PutRecordsCommand(input);
    writePutRecordsBodyOf(command);
    editHeadersAfterSerializing(command, (headers) => {
      headers['content-type'] = 'application/cbor';
    });
    const error = await client.send(command).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(
      /content-type application\/cbor, target Kinesis_20131202\.PutRecords/,
    );
    expect((error as Error).message).toMatch(/putRecordsSerializer: 'sdk'/);
    expect(sent).toHaveLength(0);
  });
});
