/**
 * The day's request quota, as the sender sees it: every request (retries included: the API counts each
 * call) takes one before it goes out. The job keeps the count (src/job/daily-quota.ts); the sender only asks.
 */
export interface RequestBudget {
  /**
   * Takes one request: true when it may go; false when it may not (the budget has stopped the run and
   * said why, or the run stopped while the budget waited for the quota to reset). A promise only while
   * it waits.
   */
  take(signal: AbortSignal): boolean | Promise<boolean>;
}
