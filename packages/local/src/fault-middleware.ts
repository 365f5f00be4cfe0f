import type {
  FinalizeHandler,
  FinalizeHandlerArguments,
  HandlerExecutionContext,
  InitializeHandler,
  InitializeHandlerArguments,
  InitializeHandlerOutput,
  MetadataBearer,
} from '@smithy/types';
import {
  type FaultEngine,
  operationName,
  type ResolvedCallErrorRule,
  type ResolvedLatencyRule,
} from './fault-rules';

/** Any AWS SDK v3 client (KinesisClient, DynamoDBClient…): what the injectors need of it. */
export interface MiddlewareClient {
  // biome-ignore lint/suspicious/noExplicitAny: the SDK clients' stacks are typed by their own input and output unions.
  middlewareStack: { add(middleware: any, options: any): void; remove(toRemove: any): boolean };
}

/** The rules both injectors apply to whole calls. */
export interface CallFaultState {
  readonly latency: readonly ResolvedLatencyRule[];
  readonly callErrors: readonly ResolvedCallErrorRule[];
  readonly insideSdkRetries: boolean;
}

/** Handles one call at the initialize step after the whole-call faults; calls `next` to send it. */
export type CallInterceptor = (
  operation: string,
  args: InitializeHandlerArguments<object>,
  next: InitializeHandler<object, MetadataBearer>,
) => Promise<InitializeHandlerOutput<MetadataBearer>>;

let installed = 0;

/**
 * Adds two middlewares to `client`: one at the initialize step (above the SDK's retries: it sees
 * the caller's input once per call, and an error thrown there reaches the caller as is) and one at
 * the end of the finalizeRequest step (inside the retries: it runs once per attempt, and an error
 * thrown there goes through the client's retry strategy). Latency and call errors run in the
 * first unless `insideSdkRetries` is set. Returns the function that removes both.
 */
export function installFaultMiddleware(
  client: MiddlewareClient,
  engine: FaultEngine,
  state: () => CallFaultState,
  intercept: CallInterceptor,
): () => void {
  installed += 1;
  const name = `kinesisTsFaultInjection${installed}`;
  const outer =
    (next: InitializeHandler<object, MetadataBearer>, context: HandlerExecutionContext) =>
    async (args: InitializeHandlerArguments<object>): Promise<InitializeHandlerOutput<MetadataBearer>> => {
      const operation = operationName(context.commandName ?? 'Unknown');
      const current = state();
      if (!current.insideSdkRetries) {
        engine.countCall(operation);
        await engine.beforeSend(current.latency, current.callErrors, operation, args.input);
      }
      return intercept(operation, args, next);
    };
  const inner =
    (next: FinalizeHandler<object, MetadataBearer>, context: HandlerExecutionContext) =>
    async (args: FinalizeHandlerArguments<object>) => {
      const current = state();
      if (current.insideSdkRetries) {
        const operation = operationName(context.commandName ?? 'Unknown');
        engine.countCall(operation);
        await engine.beforeSend(current.latency, current.callErrors, operation, args.input);
      }
      return next(args);
    };
  client.middlewareStack.add(outer, { step: 'initialize', priority: 'high', name: `${name}Outer` });
  client.middlewareStack.add(inner, { step: 'finalizeRequest', priority: 'low', name: `${name}Inner` });
  let removed = false;
  return () => {
    if (removed) return;
    removed = true;
    client.middlewareStack.remove(`${name}Outer`);
    client.middlewareStack.remove(`${name}Inner`);
  };
}
