/**
 * Queue and job naming. One BullMQ queue per target, so each account/channel gets its own
 * limiter, concurrency and retries, and an outage on one platform stalls nothing else.
 */

/** The BullMQ queue that delivers to one target. */
export function queueName(targetId: string): string {
  return `deliver.${targetId}`;
}

/**
 * Deterministic job id for an article in a target's queue: the same article published
 * twice maps to the same job. BullMQ refuses integer-looking ids and ids whose `:` do
 * not split into exactly three parts, so the id is prefixed and percent-encoded.
 */
export function jobId(articleId: string): string {
  return 'a-' + encodeURIComponent(articleId);
}

/** Inverse of jobId (for logs and tools). */
export function articleIdOfJob(id: string): string {
  return decodeURIComponent(id.replace(/^a-/, ''));
}

/** The job that brings a delivered post up to revision `rev` (one per article, target and revision). */
export function updateJobId(articleId: string, rev: number): string {
  return `u-${encodeURIComponent(articleId)}.${rev}`;
}

/** The first post of an article published again after a retraction (revision `rev`). */
export function republishJobId(articleId: string, rev: number): string {
  return `p-${encodeURIComponent(articleId)}.${rev}`;
}

/** The job that takes an article's post down (one per retraction: the revision it retracts). */
export function retractJobId(articleId: string, rev: number): string {
  return `r-${encodeURIComponent(articleId)}.${rev}`;
}
