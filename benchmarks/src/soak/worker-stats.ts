/** What the workers' logs say beside deliveries: lease moves, injected faults, warnings, failed shards. */
import type { LogLine } from './delivery-log.js';

export interface WorkerStats {
  readonly leaseTakes: number;
  readonly leaseSteals: number;
  readonly leaseLosses: number;
  readonly leaseReleases: number;
  readonly shardEnds: number;
  readonly shardFailures: readonly {
    readonly workerId: string;
    readonly shardId: string;
    readonly error: string;
  }[];
  /** Lease-table writes failed on purpose, all processes. */
  readonly dynamoDbFaults: number;
  /** GetRecords calls throttled on purpose, all processes. */
  readonly getRecordsFaults: number;
  /** Transient ResourceNotFoundException answers injected, all processes. */
  readonly notFoundFaults: number;
  readonly leaseTableErrors: number;
  readonly retrievalErrors: number;
  readonly warnings: number;
  readonly errors: number;
  /** Distinct warning and error messages (without their details), most frequent first. */
  readonly topMessages: readonly { readonly message: string; readonly count: number }[];
}

export function summarizeWorkers(lines: readonly LogLine[]): WorkerStats {
  const lastStats = new Map<string, Extract<LogLine, { e: 'stats' }>>();
  const messages = new Map<string, number>();
  const shardFailures: { workerId: string; shardId: string; error: string }[] = [];
  let leaseTakes = 0;
  let leaseSteals = 0;
  let leaseLosses = 0;
  let leaseReleases = 0;
  let shardEnds = 0;
  for (const line of lines) {
    switch (line.e) {
      case 'lease':
        if (line.kind === 'taken') {
          leaseTakes++;
          if (line.stolen) leaseSteals++;
        } else if (line.kind === 'lost') leaseLosses++;
        else leaseReleases++;
        break;
      case 'shard-ended':
        shardEnds++;
        break;
      case 'shard-failed':
        shardFailures.push({ workerId: line.w, shardId: line.s, error: line.error });
        break;
      case 'stats':
        lastStats.set(line.w, line);
        break;
      case 'log': {
        if (line.level === 'soak') break;
        const head = `${line.level}: ${line.message}`;
        messages.set(head, (messages.get(head) ?? 0) + 1);
        break;
      }
    }
  }
  const sum = (
    field:
      | 'dynamoDbFaults'
      | 'getRecordsFaults'
      | 'notFoundFaults'
      | 'leaseTableErrors'
      | 'retrievalErrors'
      | 'warnings'
      | 'errors',
  ) => [...lastStats.values()].reduce((total, stats) => total + stats[field], 0);
  return {
    leaseTakes,
    leaseSteals,
    leaseLosses,
    leaseReleases,
    shardEnds,
    shardFailures,
    dynamoDbFaults: sum('dynamoDbFaults'),
    getRecordsFaults: sum('getRecordsFaults'),
    notFoundFaults: sum('notFoundFaults'),
    leaseTableErrors: sum('leaseTableErrors'),
    retrievalErrors: sum('retrievalErrors'),
    warnings: sum('warnings'),
    errors: sum('errors'),
    topMessages: [...messages.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([message, count]) => ({ message, count })),
  };
}
