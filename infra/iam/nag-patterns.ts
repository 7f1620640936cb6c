/**
 * Pieces of cdk-nag `appliesTo` regexes. cdk-nag prints an environment-agnostic stack's region and
 * account as `<AWS::Region>` / `<AWS::AccountId>` and a concrete stack's as literals; an
 * acknowledgement must match both.
 */
export const NAG_REGION = '(?:<AWS::Region>|[a-z0-9-]+)';
export const NAG_ACCOUNT = '(?:<AWS::AccountId>|[0-9]{12})';
