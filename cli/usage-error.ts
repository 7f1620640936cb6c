/** Bad usage or input: the CLI prints the message with the fix and exits 2, before any network call. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
