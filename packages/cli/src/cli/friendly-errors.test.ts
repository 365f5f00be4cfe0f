import { describe, expect, it } from 'vitest';
import type { CliClients } from './clients.js';
import { createClients } from './clients.js';
import { runCli } from './run-cli.js';

/** Clients that fail the test if a command reaches AWS. */
const noAws: CliClients = {
  kinesis: () => {
    throw new Error('no AWS call expected');
  },
  dynamoDb: () => {
    throw new Error('no AWS call expected');
  },
  describe: () => ({ kinesisEndpoint: '-', dynamoDbEndpoint: '-', region: '-' }),
  destroy: () => {},
};

async function run(argv: string[], io: { clients?: CliClients; env?: Record<string, string> } = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli(argv, {
    stdout: (chunk) => stdout.push(chunk),
    stderr: (chunk) => stderr.push(chunk),
    clients: io.clients,
    env: io.env ?? {},
    version: '1.2.3',
  });
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

describe('kinesis-ts explains what to fix', () => {
  it('prints the usage and exits 0 when run without arguments', async () => {
    const bare = await run([]);
    expect(bare.code).toBe(0);
    expect(bare.stdout).toMatch(/^kinesis-ts <command> \[flags\]/);
    expect(bare.stderr).toBe('');
  });

  it('prints its version with --version, -v or version', async () => {
    for (const flag of ['--version', '-v', 'version']) {
      const result = await run([flag]);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe('kinesis-ts 1.2.3\n');
    }
  });

  it('suggests the command a typo was meant to be', async () => {
    const typo = await run(['tial', 'orders'], { clients: noAws });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/unknown command 'tial' \(did you mean 'tail'\?\)/);
    expect((await run(['resetcheckpoint'], { clients: noAws })).stderr).toMatch(
      /did you mean 'reset-checkpoint'/,
    );
    expect((await run(['frobnicate'], { clients: noAws })).stderr).not.toMatch(/did you mean/);
  });

  it('suggests the flag a typo was meant to be', async () => {
    const typo = await run(['tail', 'orders', '--frm', 'LATEST'], { clients: noAws });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/Unknown option '--frm' \(did you mean '--from'\?\)/);
    expect((await run(['leases', '--ap', 'x'], { clients: noAws })).stderr).toMatch(/did you mean '--app'/);
    expect((await run(['shards', '--regoin', 'x'], { clients: noAws })).stderr).toMatch(
      /did you mean '--region'/,
    );
  });

  it('says where to give a region when the SDK finds none, with a code', async () => {
    const regionless = {
      send: async () => {
        throw new Error('Region is missing');
      },
      destroy: () => {},
    } as unknown as ReturnType<CliClients['kinesis']>;
    const result = await run(['put', 'orders'], { clients: { ...noAws, kinesis: () => regionless } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--region <region>, set AWS_REGION.*\[CLI_REGION_MISSING\]/);
  });

  it('refuses an endpoint that is not a URL, naming the flag, before any call', async () => {
    const result = await run(['tail', 'orders', '--endpoint', 'notaurl']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--endpoint 'notaurl' is not an endpoint URL.*\[CLI_INVALID_ENDPOINT\]/);
    expect(result.stderr).not.toMatch(/Region is missing/);
    const fromEnv = await run(['tail', 'orders'], { env: { AWS_ENDPOINT_URL_KINESIS: 'localhost:4567' } });
    expect(fromEnv.stderr).toMatch(/AWS_ENDPOINT_URL_KINESIS 'localhost:4567' is not an endpoint URL/);
  });
});

describe('a local endpoint for one service and AWS for the other', () => {
  it('is refused when the DynamoDB client would go to AWS, naming the missing flag', () => {
    const clients = createClients({ kinesisEndpoint: 'http://127.0.0.1:4567', env: {} });
    expect(() => clients.dynamoDb()).toThrow(
      expect.objectContaining({
        code: 'CLI_MIXED_ENDPOINTS',
        message: expect.stringMatching(/pass --dynamodb-endpoint .*or --allow-mixed-endpoints/),
      }),
    );
    expect(clients.kinesis().config.endpoint).toBeDefined();
    clients.destroy();
  });

  it('is refused when the Kinesis client would go to AWS', () => {
    const clients = createClients({ env: { AWS_ENDPOINT_URL_DYNAMODB: 'http://localhost:8000' } });
    expect(() => clients.kinesis()).toThrow(expect.objectContaining({ code: 'CLI_MIXED_ENDPOINTS' }));
    clients.destroy();
  });

  it('is refused from the command line, exit 1, before any call', async () => {
    const result = await run(['leases', '--app', 'orders-app', '--endpoint', 'http://127.0.0.1:1']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /Kinesis is local .* but DynamoDB would go to AWS.*\[CLI_MIXED_ENDPOINTS\]/,
    );
  });

  it('with --allow-mixed-endpoints, never gives the AWS client the dummy local credentials or region', async () => {
    const clients = createClients({
      kinesisEndpoint: 'http://127.0.0.1:4567',
      allowMixedEndpoints: true,
      env: { AWS_REGION: 'eu-west-1' },
    });
    const local = await clients.kinesis().config.credentials();
    expect(local.accessKeyId).toBe('local');
    const remote = clients.dynamoDb();
    expect(remote.config.endpoint).toBeUndefined();
    // the default chain, not the dummy pair: with no credentials anywhere it fails instead of sending 'local'
    const resolved = await remote.config.credentials().catch((error: Error) => error);
    expect(resolved).not.toMatchObject({ accessKeyId: 'local' });
    expect(await remote.config.region()).toBe('eu-west-1');
    clients.destroy();
  });

  it('accepts both services local, or both on AWS', () => {
    const local = createClients({
      kinesisEndpoint: 'http://127.0.0.1:4567',
      dynamoDbEndpoint: 'http://localhost:8000',
      env: {},
    });
    expect(() => local.dynamoDb()).not.toThrow();
    expect(() => local.kinesis()).not.toThrow();
    local.destroy();
    const aws = createClients({ region: 'eu-west-1', env: {} });
    expect(() => aws.dynamoDb()).not.toThrow();
    expect(() => aws.kinesis()).not.toThrow();
    aws.destroy();
  });
});
