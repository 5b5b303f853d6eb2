// Self-hosted capacity cost: per instance and interval, capacity, attributed, idle and the Bedrock comparison.
import type { ComponentFactory } from '../components/types.ts';
import { CapacityCheckpoint } from './checkpoint.ts';
import { HourlySpendLedger } from './hourly-spend.ts';
import { CapacityLedger } from './ledger.ts';
import { SavingsPlanAdvisor } from './savings-advisor.ts';
import { OpenIntervalJournal } from './open-journal.ts';

export { CapacityLedger } from './ledger.ts';
export { settle } from './settle.ts';
export { formatSavingsPlans, SAVINGS_PLANS_PATH } from './savings-advisor.ts';
export type { SavingsPlansReport } from './savings-plans.ts';

/** The capacity ledger, fed the accepted spans and accelerator metrics; always on (instances may also be discovered). */
export const capacityComponent: ComponentFactory = ({ config, db, clock, book, registry, commitSeries }) => {
  const checkpoint = new CapacityCheckpoint(db);
  const openIntervals = new OpenIntervalJournal(db);
  const hourly = new HourlySpendLedger(db);
  const ledger = new CapacityLedger({
    config: config.capacity,
    book,
    clock,
    registry,
    settledTo: checkpoint.settledTo(),
    // Series, position and the settled intervals' observations in one transaction; no other persisted
    // series is dirty here (the finaliser takes its own synchronously with the commit of its roll-ups).
    checkpoint: (settledTo, hours) =>
      commitSeries(() => {
        checkpoint.save(settledTo);
        openIntervals.dropSettled(settledTo);
        hourly.record(hours);
      }),
    journal: (entries) => openIntervals.append(entries),
    replay: openIntervals.load(),
    savings: new SavingsPlanAdvisor({ config: config.capacity.savingsPlans, hourly, clock, registry }),
  });
  // The first run's position too: a restart before its first settling still owes the interval it began.
  if (checkpoint.settledTo() === undefined) checkpoint.save(ledger.settledToMs);
  return ledger;
};
