import { describe, expect, it } from 'vitest';
import { countArrayMoves } from '../../test/array-moves.js';
import { pending } from '../../test/pending.js';
import { Admission, type AdmissionLimits } from './admission.js';
import type { PendingRecord } from './pending-record.js';
import { RecordQueue } from './record-queue.js';

const BUFFER = 2_000;
const BURST = 10 * BUFFER;

describe('the queues on the put and retry paths', () => {
  it('let a burst of 10× the buffer wait for room and through it with linear work', () => {
    const limits: AdmissionLimits = {
      maxRecordSizeBytes: 1024 * 1024,
      recordTtlMs: 30_000,
      maxBufferedTimeMs: 100,
      maxBufferedRecords: BUFFER,
      maxBufferedBytes: Number.POSITIVE_INFINITY,
      whenBufferFull: 'wait',
    };
    const admitted: PendingRecord[] = [];
    const admission = new Admission(limits, {
      admitted: (record) => admitted.push(record),
      bufferFull: () => undefined,
      recheckIn: () => undefined,
    });
    const settler = { resolve: () => undefined, reject: () => undefined };
    const moves = countArrayMoves(() => {
      for (let i = 0; i < BURST; i++)
        admission.accept({ partitionKey: `k${i % 100}`, data: new Uint8Array(10) }, settler);
      // Records settle one at a time, and each settlement lets the next waiting record in.
      for (let settled = 0; settled < BURST; settled++) {
        admission.release(admitted[settled]!);
        admission.admitWaiting();
      }
    });
    expect(admitted).toHaveLength(BURST);
    expect(admitted.map((record) => record.sequence)).toEqual(Array.from({ length: BURST }, (_, i) => i + 1));
    expect(admission.outstandingRecords).toBe(0);
    // An array used as a queue moves every waiting record at each admission: about BURST² / 2.
    expect(moves).toBeLessThanOrEqual(4 * BURST);
  });

  it('let retries go back to the front of a lane with a backlog of 10× the buffer with linear work', () => {
    const queue = new RecordQueue();
    for (let i = 0; i < BURST; i++) queue.push(pending(`k${i % 100}`));
    let retried = 0;
    const moves = countArrayMoves(() => {
      // Retries come back to the front whether or not records were taken from it just before.
      for (let round = 0; round < 40; round++) {
        const sent = Array.from({ length: 250 }, (_, i) => queue.at(i)!);
        queue.removeWalked(250, []);
        const retries = [...sent, ...Array.from({ length: 250 }, () => pending('retried'))];
        queue.unshiftAll(retries);
        retried += retries.length;
      }
    });
    expect(queue.length).toBe(BURST + 40 * 250);
    expect(queue.at(0)!.partitionKey).toBe('k0');
    // Copying the lane whenever more records come back than were taken: about 40 × BURST.
    expect(moves).toBeLessThanOrEqual(4 * retried);
  });
});
