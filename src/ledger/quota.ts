import { defaultDailyQuota, SANDBOX_HOST } from '../kinds.js';
import { isLoopback } from '../util/loopback.js';
import type { LedgerStats } from './ledger.js';
import { utcDay } from './schema.js';

export { defaultDailyQuota, SANDBOX_HOST };

/** Today's quota of one host, as the ledger counts it. */
export interface QuotaLeft {
  readonly host: string;
  readonly quota: number;
  readonly spent: number;
  readonly left: number;
}

/** Today's quota left for every host with requests in the last week (by the API's default quotas; none for a loopback host). */
export function quotaLeft(stats: LedgerStats, today: string = utcDay()): QuotaLeft[] {
  const hosts = [...new Set(stats.requests.map((r) => r.host))].filter((host) => !isLoopback(host)).sort();
  return hosts.map((host) => {
    const quota = defaultDailyQuota(host);
    const spent = stats.requests.find((r) => r.host === host && r.day === today)?.count ?? 0;
    return { host, quota, spent, left: Math.max(0, quota - spent) };
  });
}
