/**
 * Demand and withDemand: a held read sends nothing until the consumer wants
 * more; an unsubscribed held read never sends.
 */
import { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { TrainVersionDetail } from '../../src/codecs/training.js';
import { createDemand, withDemand } from '../../src/feeds/demand.js';
import type { TrainingSource } from '../../src/streams/source.js';

function countingSource() {
  const sent: string[] = [];
  const read = (name: string) =>
    new Observable<never>((subscriber) => {
      sent.push(name);
      subscriber.next({ status: 'TRAINING' } as never);
      subscriber.complete();
    });
  const source: TrainingSource = {
    version: () => read('version') as Observable<TrainVersionDetail>,
    logPage: () => read('log'),
    performance: () => read('performance'),
    resources: () => read('resources'),
  };
  return { source, sent };
}

describe('withDemand', () => {
  it('sends each read at once while wanted, and holds it while paused until resumed', () => {
    const { source, sent } = countingSource();
    const demand = createDemand();
    const paced = withDemand(source, demand);

    paced.version(1).subscribe();
    expect(sent).toEqual(['version']);

    demand.pause();
    expect(demand.wanted).toBe(false);
    const answers: unknown[] = [];
    paced.logPage(1, { lastId: 0 }).subscribe((page) => answers.push(page));
    paced.performance(1).subscribe();
    expect(sent).toEqual(['version']);

    demand.resume();
    expect(sent).toEqual(['version', 'log', 'performance']);
    expect(answers).toHaveLength(1);
  });

  it('never sends a held read that was unsubscribed', () => {
    const { source, sent } = countingSource();
    const demand = createDemand();
    demand.pause();
    withDemand(source, demand).resources(1).subscribe().unsubscribe();
    demand.resume();
    expect(sent).toEqual([]);
  });
});
