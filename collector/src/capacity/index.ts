// Self-hosted capacity cost: per instance and interval, capacity, attributed, idle and the Bedrock comparison.
import type { ComponentFactory } from '../components/types.ts';
import { CapacityCheckpoint } from './checkpoint.ts';
import { CapacityLedger } from './ledger.ts';
import { OpenIntervalJournal } from './open-journal.ts';

export { CapacityLedger } from './ledger.ts';
export { settle } from './settle.ts';

/** The capacity ledger, fed the accepted spans and accelerator metrics; always on (instances may also be discovered). */
export const capacityComponent: ComponentFactory = ({ config, db, clock, book, registry, commitSeries }) => {
  const checkpoint = new CapacityCheckpoint(db);
  const openIntervals = new OpenIntervalJournal(db);
  const ledger = new CapacityLedger({
    config: config.capacity,
    book,
    clock,
    registry,
    settledTo: checkpoint.settledTo(),
    // Series, position and the settled intervals' observations in one transaction; no other persisted
    // series is dirty here (the finaliser takes its own synchronously with the commit of its roll-ups).
    checkpoint: (settledTo) =>
      commitSeries(() => {
        checkpoint.save(settledTo);
        openIntervals.dropSettled(settledTo);
      }),
    journal: (entries) => openIntervals.append(entries),
    replay: openIntervals.load(),
  });
  // The first run's position too: a restart before its first settling still owes the interval it began.
  if (checkpoint.settledTo() === undefined) checkpoint.save(ledger.settledToMs);
  return ledger;
};
