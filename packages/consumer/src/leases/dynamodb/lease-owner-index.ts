import type { GlobalSecondaryIndex, GlobalSecondaryIndexUpdate } from '@aws-sdk/client-dynamodb';
import { LEASE_ATTRIBUTES as A } from './lease-serializer.js';

/**
 * The KCL 3.x `LeaseOwnerToLeaseKeyIndex`: a global secondary index of the lease table, hash key
 * `leaseOwner`, range key `leaseKey`, keys only. Each worker finds its leases with one Query on it
 * instead of scanning the table (`DynamoDBLeaseRefresher.LEASE_OWNER_TO_LEASE_KEY_INDEX_NAME`).
 */
export const LEASE_OWNER_INDEX_NAME = 'LeaseOwnerToLeaseKeyIndex';

/** The attribute definitions the index needs (the table's own `leaseKey` included). */
export const LEASE_OWNER_INDEX_ATTRIBUTES = [
  { AttributeName: A.leaseKey, AttributeType: 'S' },
  { AttributeName: A.leaseOwner, AttributeType: 'S' },
] as const;

/** The index as CreateTable declares it (on-demand: no throughput). */
export function leaseOwnerIndex(): GlobalSecondaryIndex {
  return {
    IndexName: LEASE_OWNER_INDEX_NAME,
    KeySchema: [
      { AttributeName: A.leaseOwner, KeyType: 'HASH' },
      { AttributeName: A.leaseKey, KeyType: 'RANGE' },
    ],
    Projection: { ProjectionType: 'KEYS_ONLY' },
  };
}

/**
 * The index as UpdateTable adds it to an existing table (which needs `dynamodb:UpdateTable`); a
 * provisioned table's capacity is given to the index, as the KCL does.
 */
export function leaseOwnerIndexCreation(provisioned?: {
  readCapacityUnits: number;
  writeCapacityUnits: number;
}): GlobalSecondaryIndexUpdate {
  return {
    Create: {
      ...leaseOwnerIndex(),
      ...(provisioned
        ? {
            ProvisionedThroughput: {
              ReadCapacityUnits: provisioned.readCapacityUnits,
              WriteCapacityUnits: provisioned.writeCapacityUnits,
            },
          }
        : {}),
    },
  };
}
