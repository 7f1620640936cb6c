import type { CertificateStore } from '../../shared/store/index.js';

/** Every lineage name in the bucket, page by page (S3 lists at most 1000 keys a call). */
export async function allLineageNames(store: Pick<CertificateStore, 'listLineages'>): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listLineages(cursor === undefined ? {} : { cursor });
    names.push(...page.names);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return names;
}
