import {
  checkReadCapacity,
  type ReadCapacityCheck,
  requiredShards,
  type WriteLoad,
} from '@kinesis-ts/producer';

/** The input of {@link capacityPlan}: a write load, and the readers. */
export interface CapacityInput extends WriteLoad {
  /** Applications reading every record by polling (enhanced fan-out ones do not share the 2 MiB/s). @defaultValue 1 */
  readonly pollingApplications?: number;
  /** The stream's open shard count now, to compare with. */
  readonly currentShards?: number;
}

/** How many shards a load needs, and whether polling readers fit. */
export interface CapacityPlan {
  readonly requiredShards: number;
  /** The formula applied, in words. */
  readonly formula: string;
  readonly read: ReadCapacityCheck;
  readonly currentShards?: number;
  /** What to do, when the stream has a current shard count. */
  readonly advice?: string;
}

/**
 * The capacity calculator behind `kinesis-ts shards`: `requiredShards` (ceil(max(MiB/s ÷ 1,
 * records/s ÷ 1000) × (1 + headroom))) and the polling read check (2 MiB/s per shard shared by
 * every polling application). Pure.
 */
export function capacityPlan(input: CapacityInput): CapacityPlan {
  const shards = requiredShards(input);
  const recordsPerSecond = input.recordsPerSecond ?? 0;
  const mib = Math.max(
    input.mibPerSecond ?? 0,
    input.recordBytes !== undefined ? (recordsPerSecond * input.recordBytes) / (1024 * 1024) : 0,
  );
  const read = checkReadCapacity(mib, shards, input.pollingApplications ?? 1);
  const formula = `ceil(max(${round(mib)} MiB/s ÷ 1, ${recordsPerSecond} records/s ÷ 1000) × (1 + ${input.headroom ?? 0})) = ${shards}`;
  if (input.currentShards === undefined) return { requiredShards: shards, formula, read };
  const current = input.currentShards;
  const advice =
    current < shards
      ? `scale up from ${current} to ${shards} shards (kinesis-ts scale --to ${Math.min(shards, current * 2)}${shards > current * 2 ? ', then again' : ''})`
      : current > shards
        ? `${current} shards is more than needed; ${shards} would do (scale down at most by half per call)`
        : 'the stream has the shards it needs';
  return { requiredShards: shards, formula, read, currentShards: current, advice };
}

function round(value: number): string {
  return Number(value.toFixed(3)).toString();
}
