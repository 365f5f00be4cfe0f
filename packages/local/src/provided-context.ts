/** The key under which the vitest global setup provides the local stack's endpoints. */
export const LOCAL_STACK_PROVIDE_KEY = 'kinesisTsLocal' as const;
