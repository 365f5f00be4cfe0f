import { CliErrorCode, OperationsError } from '../errors.js';

/** The two services the CLI calls. */
export type CliService = 'kinesis' | 'dynamodb';

/** Where one service's client points, decided from flags and environment. */
export interface ServiceEndpoint {
  /** The endpoint URL, or undefined for AWS. */
  readonly url: string | undefined;
  /** Where the URL came from, for messages (`--endpoint`, `AWS_ENDPOINT_URL_KINESIS`…). */
  readonly source: string | undefined;
  /** A loopback endpoint (@kinesis-ts/local, LocalStack on this machine). */
  readonly local: boolean;
}

const FLAGS: Record<CliService, string> = { kinesis: '--endpoint', dynamodb: '--dynamodb-endpoint' };
const VARIABLES: Record<CliService, string> = {
  kinesis: 'AWS_ENDPOINT_URL_KINESIS',
  dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB',
};
const LABELS: Record<CliService, string> = { kinesis: 'Kinesis', dynamodb: 'DynamoDB' };

function isLoopback(url: URL): boolean {
  const host = url.hostname;
  return host === 'localhost' || host === '[::1]' || host === '::1' || host.startsWith('127.');
}

/**
 * The endpoint of `service`: its flag, else its `AWS_ENDPOINT_URL_*` variable, else
 * `AWS_ENDPOINT_URL`, else AWS. Refuses (`CLI_INVALID_ENDPOINT`) a value that is not an http(s) URL.
 */
export function serviceEndpoint(
  service: CliService,
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): ServiceEndpoint {
  const candidates: [string, string | undefined][] = [
    [FLAGS[service], flag],
    [VARIABLES[service], env[VARIABLES[service]]],
    ['AWS_ENDPOINT_URL', env.AWS_ENDPOINT_URL],
  ];
  const found = candidates.find(([, value]) => value !== undefined && value !== '');
  if (!found) return { url: undefined, source: undefined, local: false };
  const [source, url] = found as [string, string];
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new OperationsError(
      CliErrorCode.INVALID_ENDPOINT,
      `${source} '${url}' is not an endpoint URL: expected http://host:port or https://host (for the local stack, the URLs kinesis-ts-local prints)`,
    );
  }
  return { url, source, local: isLoopback(parsed) };
}

/**
 * Refuses (`CLI_MIXED_ENDPOINTS`) to build the client of `service` on AWS while the other service is
 * on a local endpoint, unless `allowMixed`: a forgotten `--dynamodb-endpoint` would otherwise send the
 * command's DynamoDB calls to AWS, with the account the environment happens to hold.
 */
export function checkEndpointMix(
  service: CliService,
  endpoints: Readonly<Record<CliService, ServiceEndpoint>>,
  allowMixed: boolean,
): void {
  const other: CliService = service === 'kinesis' ? 'dynamodb' : 'kinesis';
  const own = endpoints[service];
  const theirs = endpoints[other];
  if (allowMixed || own.local || !theirs.local) return;
  const where = own.url === undefined ? 'AWS' : `${own.url} (${own.source})`;
  throw new OperationsError(
    CliErrorCode.MIXED_ENDPOINTS,
    `${LABELS[other]} is local (${theirs.url}, from ${theirs.source}) but ${LABELS[service]} would go to ${where}: ` +
      `pass ${FLAGS[service]} (or set ${VARIABLES[service]}) for the local stack too, ` +
      'or --allow-mixed-endpoints to call AWS for it with your own credentials',
  );
}

/** The message of a call that found no region, with where to give one. */
export const REGION_MISSING_MESSAGE =
  'No AWS region: pass --region <region>, set AWS_REGION, or set a region in your AWS profile (for the local stack, pass --endpoint and --dynamodb-endpoint, or paste the export line kinesis-ts-local prints)';
